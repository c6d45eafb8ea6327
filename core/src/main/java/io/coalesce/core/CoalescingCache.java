package io.coalesce.core;

import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One named Coalesce cache: the programmatic twin of {@code @Coalesced}, {@code @CoalescedPut}
 * and {@code @CoalescedEvict}.
 *
 * <p>A read goes L1 (in-process) → single flight → loader. Concurrent callers of one key share a
 * single load: the first caller runs the loader on its own thread, the others wait at most
 * {@code load-timeout} for its result. The loader therefore runs at most once per key per refresh
 * window in this JVM. A value past its {@code ttl} but within {@code stale-ttl} is returned at once
 * while one background refresh runs.
 *
 * <p>Thread-safe. Keys must not be {@code null} and must have value semantics ({@code equals} and
 * {@code hashCode}). Values may be {@code null}: "not found" is cached for {@code null-ttl}.
 *
 * <p>Exceptions thrown by a loader reach the caller that ran it and every caller that shared its
 * load unchanged (checked ones included) and nothing is cached, unless {@code stale-if-error} allows
 * an older value to be served instead.
 */
public interface CoalescingCache {

  /** The cache name. */
  String name();

  /** The settings this cache was built with. */
  CacheSettings settings();

  /**
   * Returns the cached value for {@code key}, loading it with {@code loader} when absent or
   * expired.
   *
   * @param key the key, never {@code null}
   * @param type the declared type of the value; tiers that serialise values decode against it
   * @param loader produces the value (or {@code null} for "not found"); it may throw
   * @return the value, possibly {@code null}
   * @throws LoadTimeoutException when this caller waited {@code load-timeout} for another caller's
   *     load
   */
  <T> T get(Object key, Type type, Callable<? extends T> loader);

  /**
   * {@link #get(Object, Type, Callable)} with a loader that takes {@code argument} when it runs, so
   * that a caller whose loader is a constant allocates nothing for it on a hit.
   */
  default <A, T> T get(Object key, Type type, A argument, ArgumentLoader<? super A, ? extends T> loader) {
    return get(key, type, () -> loader.load(argument));
  }

  /** {@link #get(Object, Type, Callable)} for a non-generic value type. */
  default <T> T get(Object key, Class<T> type, Callable<? extends T> loader) {
    return get(key, (Type) type, loader);
  }

  /**
   * Asynchronous {@link #get(Object, Type, Callable)}: a hit completes at once; a miss shares one
   * asynchronous load with every concurrent caller of the key. A caller that joins another caller's
   * load sees it fail with {@link LoadTimeoutException} after {@code load-timeout}. Cancelling the
   * returned future never cancels the shared load.
   */
  <T> CompletableFuture<T> getAsync(
      Object key, Type type, Supplier<? extends CompletionStage<? extends T>> loader);

  /**
   * The entry cached for {@code key}, without loading it: a fresh value in L1; else "not found" when
   * the Bloom guard rejects the key; else a fresh value in the shared tier, kept in L1 from then on. A
   * stale value is not served, since nothing would refresh it. For callers that load by themselves and
   * then {@link #put} (Spring's {@code @Cacheable} without {@code sync}): they get no single flight.
   * It may read Redis on the calling thread.
   *
   * @param type the declared type of the value, as for {@link #get(Object, Type, Callable)}
   * @return the entry, whose value is {@code null} for a cached "not found", or {@code null} when
   *     nothing fresh is cached
   */
  CacheEntry getIfPresent(Object key, Type type);

  /**
   * {@link #getIfPresent} for a caller that, on a miss, loads the value itself and stores it with
   * {@link #putLoaded} (Spring's {@code @Cacheable} without {@code sync}): the miss remembers the
   * key's version as this read saw it, so that the value stored is fenced as the engine's own loads
   * are.
   *
   * @param type the declared type of the value, as for {@link #get(Object, Type, Callable)}
   */
  Lookup lookUp(Object key, Type type);

  /**
   * Stores {@code value}, loaded by the caller after {@code miss} (from {@link #lookUp} of the same
   * key), as the engine stores a load of its own: only while the key has not been written (put,
   * evicted, cleared) since that read, on any instance, and at most a lock lease after it. A read that
   * started before a write therefore never leaves its older value cached after that write; a refused
   * value is simply not stored, and the next read loads again. Unlike {@link #put}, it is no write: it
   * gives the key no new version, so concurrent callers that missed together may all store what they
   * loaded. When the shared tier did not answer the read, the value is kept in L1 only, fenced by the
   * writes this instance has seen, as a load is while the shared tier fails.
   *
   * @throws IllegalArgumentException when {@code miss} is not a miss of {@code key} in this cache
   */
  void putLoaded(Object key, Object value, Lookup miss);

  /**
   * {@link #getIfPresent} that never waits on the calling thread: L1 is looked at there; the Bloom
   * guard and the shared tier, if needed, on the cache's executor. An executor too busy to take it
   * completes the future with {@code null} (a miss).
   */
  CompletableFuture<CacheEntry> getIfPresentAsync(Object key, Type type);

  /**
   * Returns the values of many keys, each cached as its own entry (the same entry {@link #get} reads
   * for that key), loading the missing ones in <em>one</em> call of {@code loader}.
   *
   * <p>Each key goes the way {@link #get} takes it: L1, then the Bloom guard (a key it rejects is
   * "not found" without a load), then the single flight, where a key whose load is already under
   * way here, for a single read or another batch, is joined rather than loaded again. The keys this
   * call leads are read from the shared tier together, and their rebuild locks taken, in one round
   * trip (one per slot on Redis Cluster); the keys found nowhere are loaded by one call of
   * {@code loader}; keys whose lock another instance holds are awaited after that call, and loaded
   * one by one through {@code loader} only if that instance gives up. A key the loader does not
   * return is cached as "not found".
   *
   * @param keys the keys, none {@code null}; duplicates count once
   * @param type the declared type of one value
   * @param loader loads the values of the keys this call must load
   * @return every distinct key of {@code keys}, in their order, with its value or {@code null} for
   *     "not found"
   * @throws LoadTimeoutException when a key whose load this call joined did not complete within
   *     {@code load-timeout}
   */
  <K, V> Map<K, V> getAll(Collection<? extends K> keys, Type type, BatchLoader<K, ? extends V> loader);

  /**
   * Asynchronous {@link #getAll}: the same entries, the same single flight per key (shared with
   * {@link #get}, {@link #getAsync} and other batches), the missing keys loaded in one call of
   * {@code loader}. The calling thread only reads L1 and joins or leads each key's flight, which
   * never waits: when L1 answers every key the future is complete on return; the keys this call
   * leads are read from Redis and loaded on the cache's executor, and no thread waits for the
   * loader's stage. An executor too busy to take them fails the future with
   * {@link LoadRejectedException}. So the calling thread may be an event loop.
   *
   * @return every distinct key of {@code keys}, in their order, with its value or {@code null} for
   *     "not found"; it fails with what {@link #getAll} would throw
   */
  <K, V> CompletableFuture<Map<K, V>> getAllAsync(Collection<? extends K> keys, Type type,
      AsyncBatchLoader<K, ? extends V> loader);

  /**
   * Stores {@code value} (which may be {@code null}, cached as "not found") under {@code key},
   * replacing the cached value; a load of the key already under way keeps its result to itself.
   * Racing puts and evicts of one key, on one instance or many, leave every instance serving what the
   * shared tier holds: the one that reached it last.
   */
  void put(Object key, Object value);

  /**
   * {@link #put(Object, Object)} of a value that carries its own version ({@code @CoalescedPut(version
   * = "#result.version")}): a put of a lower version than the one stored loses, so that racing puts
   * from any number of instances leave the highest version everywhere, whatever order they arrive in.
   *
   * @param dataVersion the value's version (an entity's {@code @Version}, a timestamp in a
   *     monotonic unit); higher is newer
   */
  void put(Object key, Object value, long dataVersion);

  /**
   * Removes {@code key}; a load of the key already under way returns its result to its own
   * callers but does not store it, so a value read before a write cannot outlive the write.
   */
  void evict(Object key);

  /** {@link #put(Object, Object) Puts} each entry of {@code entries}. */
  default void putAll(Map<?, ?> entries) {
    entries.forEach(this::put);
  }

  /** {@link #evict(Object) Evicts} each of {@code keys}. */
  default void evictAll(Collection<?> keys) {
    keys.forEach(this::evict);
  }

  /**
   * Runs {@code write} (puts, evicts, a clear of this cache) off the caller's thread, on the cache's
   * write executor ({@link CoalescingCacheBuilder#writeExecutor}): the returned future completes when it has, so that a caller that waits for it reads
   * what it wrote; it fails with what {@code write} threw. For asynchronous methods, whose future must
   * not complete before the cache write, nor make the thread that completed the method's future (a
   * driver's event loop) do Redis I/O.
   */
  CompletableFuture<Void> writeAsync(Runnable write);

  /**
   * {@link #evict(Object) Evicts} the key whose {@link KeyFormat string form} is {@code formattedKey}:
   * for tools that name keys as text, such as the actuator endpoint ({@code "42"} names the key
   * {@code 42L}, {@code "eu,42"} a two-argument key).
   */
  void evictFormatted(String formattedKey);

  /** Removes every key held by this instance's tiers. */
  void clear();

  /** Keys whose load is under way in this JVM right now. */
  int inFlight();

  /** An estimate of the number of entries in this instance's L1. */
  long localSize();

  /**
   * The keys read and loaded most lately ({@code hot-keys}; {@link HotKeyReport#NONE} when it is 0).
   * Reads are sampled; see {@link HotKeyReport}.
   */
  default HotKeyReport hotKeys() {
    return HotKeyReport.NONE;
  }
}
