package io.coalesce.spring;

import io.coalesce.core.CacheEntry;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CompositeKey;
import io.coalesce.core.Lookup;
import java.lang.reflect.Field;
import java.lang.reflect.Type;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.cache.support.SimpleValueWrapper;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import reactor.core.scheduler.Schedulers;

/**
 * A Coalesce cache behind Spring's {@link Cache} API, for {@code @Cacheable}, {@code @CachePut} and
 * {@code @CacheEvict}:
 *
 * <ul>
 *   <li>{@link #get(Object, Callable)} ({@code @Cacheable(sync = true)}) and
 *       {@link #retrieve(Object, Supplier)} (its asynchronous and reactive form) are
 *       {@link CoalescingCache#get} and {@link CoalescingCache#getAsync}: single flight in the JVM and
 *       through the cluster lock, stale serving, early refresh, the Bloom guard;
 *   <li>{@link #get(Object)} and {@link #retrieve(Object)} ({@code @Cacheable} without {@code sync},
 *       which then runs the method and puts) are {@link CoalescingCache#getIfPresent}: fresh values
 *       only, and no single flight, as Spring's contract has the caller load. Within a call that
 *       {@link CacheableFenceAdvisor} marks, a miss is a {@link CoalescingCache#lookUp} whose put is
 *       {@link CoalescingCache#putLoaded}: stored only if the key was not written since;
 *   <li>{@link #put}, {@link #evict} and {@link #clear} are the engine's writes, published to every
 *       instance.
 * </ul>
 *
 * <p>Values are held as their cache's value type ({@link SpringCacheValueTypes}). Spring's
 * {@link SimpleKey} (the key of a method with several arguments) is held as Coalesce's
 * {@link CompositeKey}, whose form in Redis tells {@code ("a,b", "c")} from {@code ("a", "b,c")}.
 */
final class CoalesceSpringCache implements Cache {

  /** Reactor is optional: without it no thread is marked non-blocking. */
  private static final boolean REACTOR = ClassUtils.isPresent("reactor.core.scheduler.Schedulers",
      CoalesceSpringCache.class.getClassLoader());

  /** SimpleKey keeps its arguments to itself; its string form would not tell them apart. */
  private static final Field SIMPLE_KEY_PARAMS = simpleKeyParams();

  private final CoalescingCache cache;
  private final Type valueType;

  /**
   * @param valueType the type of the values, or {@code null} when no annotated method declares one:
   *     such a cache can only be evicted and cleared
   */
  CoalesceSpringCache(CoalescingCache cache, Type valueType) {
    this.cache = cache;
    this.valueType = valueType;
  }

  @Override
  public String getName() {
    return cache.name();
  }

  /** The {@link CoalescingCache}. */
  @Override
  public Object getNativeCache() {
    return cache;
  }

  @Override
  public ValueWrapper get(Object key) {
    return wrap(lookUp(key(key), valueType()));
  }

  @Override
  public <T> T get(Object key, Class<T> type) {
    CacheEntry entry = lookUp(key(key), valueType == null ? type : valueType);
    Object value = entry == null ? null : entry.value();
    if (value != null && type != null && !type.isInstance(value)) {
      throw new IllegalStateException("Cached value of '" + getName() + "' is not of required type ["
          + type.getName() + "]: " + value.getClass().getName());
    }
    return type == null ? null : type.cast(value);
  }

  @Override
  public <T> T get(Object key, Callable<T> valueLoader) {
    return cache.get(key(key), valueType(), () -> {
      try {
        return valueLoader.call();
      } catch (Exception e) {
        // Spring's contract; its cache interceptor rethrows the method's own exception from it
        throw new ValueRetrievalException(key, valueLoader, e);
      }
    });
  }

  @Override
  public CompletableFuture<?> retrieve(Object key) {
    return cache.getIfPresentAsync(key(key), valueType()).thenApply(CoalesceSpringCache::wrap);
  }

  @Override
  public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
    return cache.getAsync(key(key), valueType(), valueLoader);
  }

  /**
   * Stores {@code value}; on a non-blocking thread (Spring calls this from the thread that completed a
   * reactive method's {@code Mono}, an event loop) the write runs on the cache's write executor, since
   * Spring's contract allows a deferred put and an event loop must not wait for Redis.
   */
  @Override
  public void put(Object key, Object value) {
    valueType(); // a cache of no known type stores nothing: it could not read it back
    Object k = key(key);
    Lookup miss = CacheableMisses.take(this, k);
    if (miss != null) {
      write(() -> cache.putLoaded(k, value, miss)); // what the @Cacheable method loaded after its miss
    } else {
      write(() -> cache.put(k, value));
    }
  }

  @Override
  public void evict(Object key) {
    Object k = key(key);
    write(() -> cache.evict(k));
  }

  /** Evicts at once, on every instance, unless the calling thread may not wait (see {@link #put}). */
  @Override
  public boolean evictIfPresent(Object key) {
    evict(key);
    return false; // not known whether a value was held
  }

  @Override
  public void clear() {
    write(cache::clear);
  }

  /** Clears at once, on every instance, unless the calling thread may not wait (see {@link #put}). */
  @Override
  public boolean invalidate() {
    clear();
    return false;
  }

  /**
   * The entry cached for {@code k}, or {@code null}; within a {@code @Cacheable} call, a miss is kept
   * for the put that follows it ({@link CacheableMisses}).
   */
  private CacheEntry lookUp(Object k, Type type) {
    if (!CacheableMisses.reading()) {
      return cache.getIfPresent(k, type);
    }
    Lookup found = cache.lookUp(k, type);
    if (!found.isHit()) {
      CacheableMisses.missed(this, k, found);
    }
    return found.entry();
  }

  private void write(Runnable write) {
    if (REACTOR && Schedulers.isInNonBlockingThread()) {
      cache.writeAsync(write);
    } else {
      write.run();
    }
  }

  private Type valueType() {
    if (valueType == null) {
      throw new IllegalStateException("Spring cache '" + getName() + "' is named by no @Cacheable or @CachePut "
          + "method, so Coalesce does not know the type of its values and cannot read them back from Redis; "
          + "cache through an annotated method, or use CoalescingCacheManager, whose get takes the type");
    }
    return valueType;
  }

  private static ValueWrapper wrap(CacheEntry entry) {
    return entry == null ? null : new SimpleValueWrapper(entry.value());
  }

  /** Spring's key as Coalesce holds it: a {@link SimpleKey} as the {@link CompositeKey} of its arguments. */
  static Object key(Object key) {
    if (key instanceof SimpleKey simple) {
      return CompositeKey.of((Object[]) ReflectionUtils.getField(SIMPLE_KEY_PARAMS, simple));
    }
    return key;
  }

  private static Field simpleKeyParams() {
    Field params = ReflectionUtils.findField(SimpleKey.class, "params", Object[].class);
    if (params == null) {
      throw new IllegalStateException("This Spring Framework's SimpleKey has no 'params' field; Coalesce cannot "
          + "tell its arguments apart");
    }
    ReflectionUtils.makeAccessible(params);
    return params;
  }
}
