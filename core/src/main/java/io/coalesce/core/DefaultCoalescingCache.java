package io.coalesce.core;

import io.coalesce.core.CacheListener.GetResult;
import io.coalesce.core.CacheListener.LoadOutcome;
import io.coalesce.core.CacheListener.LockResult;
import io.coalesce.core.CacheListener.RefreshTrigger;
import io.coalesce.core.RemoteTier.Lease;
import java.lang.System.Logger.Level;
import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The read path: L1 → single flight → L2 → cluster lock → loader. See {@link CoalescingCache}.
 *
 * <p>Ordering that keeps "one load per key per window" exact: a leader stores the entry before it
 * completes its flight, and the flight leaves the in-flight map only after it completes; a caller
 * that becomes leader re-reads L1 before going further, so it finds what the previous flight stored.
 * Across instances the rebuild lock plays the same part, with a re-read of L2 once it is held.
 */
final class DefaultCoalescingCache implements CoalescingCache, RemoteTier.Invalidations {

  private static final System.Logger LOG = System.getLogger(DefaultCoalescingCache.class.getName());

  /** How often a waiting instance retries the rebuild lock, to replace a holder that died. */
  private static final Duration LOCK_RETRY = Duration.ofMillis(250);

  private final String name;
  private final CacheSettings settings;
  private final EntryPolicy policy;
  private final LocalTier local;
  private final RemoteTier remote;
  private final boolean clusterLock;
  private final CacheListener listener;
  private final PenetrationGuard guard;
  private final Clock clock;
  private final Executor refreshExecutor;
  private final LoadBulkhead bulkhead;
  private final ConcurrentHashMap<Object, Flight> flights = new ConcurrentHashMap<>();

  DefaultCoalescingCache(String name, CacheSettings settings, EntryPolicy policy, LocalTier local,
      RemoteTier remote, CacheListener listener, PenetrationGuard guard, Clock clock, Executor refreshExecutor) {
    this.name = name;
    this.settings = settings;
    this.policy = policy;
    this.local = local;
    this.remote = remote;
    this.clusterLock = remote.isPresent() && settings.lock().enabled();
    this.listener = listener;
    this.guard = guard;
    this.clock = clock;
    this.refreshExecutor = refreshExecutor;
    this.bulkhead = LoadBulkhead.of(name, settings);
    remote.onInvalidation(this);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CacheSettings settings() {
    return settings;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(Object key, Type type, Callable<? extends T> loader) {
    return get(key, type, loader, Callable::call);
  }

  /** The hit path allocates no {@link Load}: one is made only when a load or refresh starts. */
  @Override
  @SuppressWarnings("unchecked")
  public <A, T> T get(Object key, Type type, A argument, ArgumentLoader<? super A, ? extends T> loader) {
    Object k = normalize(key);
    long now = clock.millis();
    CacheEntry held = local.get(k, now);
    if (held != null && held.isServable(now)) {
      RefreshTrigger refresh = served(held, now);
      if (refresh != null) {
        refresh(k, type, Load.of(argument, loader), held, refresh);
      }
      return (T) held.value();
    }
    if (held == null && certainlyAbsent(k)) {
      return null;
    }
    return (T) await(k, loadOrJoin(k, type, Load.of(argument, loader), held)).value();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> CompletableFuture<T> getAsync(
      Object key, Type type, Supplier<? extends CompletionStage<? extends T>> loader) {
    Object k = normalize(key);
    Load load = Load.ofAsync(loader);
    long now = clock.millis();
    CacheEntry held = local.get(k, now);
    if (held != null && held.isServable(now)) {
      RefreshTrigger refresh = served(held, now);
      if (refresh != null) {
        refresh(k, type, load, held, refresh);
      }
      return CompletableFuture.completedFuture((T) held.value());
    }
    if (held == null && certainlyAbsent(k)) {
      return CompletableFuture.completedFuture(null);
    }
    // A dependent future: cancelling it never cancels the shared load.
    return loadOrJoin(k, type, load, held).handle((entry, error) -> {
      if (error != null) {
        throw new CompletionException(translate(k, unwrap(error)));
      }
      return (T) entry.value();
    });
  }

  /**
   * Asks the penetration guard (a Bloom filter) about a key L1 does not hold; a rejected key is a
   * "not found" that touches neither L2 nor the loader.
   */
  private boolean certainlyAbsent(Object key) {
    if (guard == PenetrationGuard.NONE) {
      return false;
    }
    String text = guardKey(key);
    if (text == null || guard.mightContain(text)) {
      return false;
    }
    listener.onGet(GetResult.BLOOM_REJECTED);
    return true;
  }

  /** Teaches the penetration guard a key that has a value. */
  private void exists(Object key) {
    if (guard != PenetrationGuard.NONE) {
      String text = guardKey(key);
      if (text != null) {
        guard.add(text);
      }
    }
  }

  /** The key's string form, or {@code null} (the guard is then not consulted) when it has none. */
  private static String guardKey(Object key) {
    if (key instanceof String s) {
      return s;
    }
    try {
      return KeyFormat.format(key);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Records a read served from a servable L1 entry and says which background refresh it calls for:
   * {@code STALE}, {@code EARLY} (XFetch), or {@code null} for none.
   */
  private RefreshTrigger served(CacheEntry entry, long now) {
    if (entry.isFresh(now)) {
      listener.onGet(GetResult.L1_HIT);
      return policy.shouldRefreshEarly(entry, now) ? RefreshTrigger.EARLY : null;
    }
    listener.onGet(GetResult.STALE);
    return RefreshTrigger.STALE;
  }

  /**
   * Joins the key's flight, or leads a new one. The leader gets its own load's outcome (no
   * timeout: it ran the loader itself); a follower gets the flight bounded by {@code load-timeout}.
   *
   * @param expired an expired L1 entry kept for {@code stale-if-error}, or {@code null}
   */
  private CompletableFuture<CacheEntry> loadOrJoin(Object key, Type type, Load load, CacheEntry expired) {
    Flight mine = new Flight(settings.loadTimeout());
    Flight running = flights.putIfAbsent(key, mine);
    if (running != null) {
      listener.onGet(GetResult.MISS);
      listener.onCoalesced();
      return running.shared;
    }
    endWhenShared(key, mine);
    long now = clock.millis();
    CacheEntry stored = local.get(key);
    if (stored != null && stored != expired && stored.isFresh(now)) {
      // The previous flight stored this just before it left the map.
      complete(mine, stored);
      listener.onGet(GetResult.L1_HIT);
      return mine.result;
    }
    CacheEntry shared = remote.get(key.toString(), type);
    if (shared != null && shared.isServable(now)) {
      storeLocally(key, shared, mine);
      complete(mine, shared);
      if (shared.isFresh(now)) {
        listener.onGet(GetResult.L2_HIT);
      } else {
        listener.onGet(GetResult.STALE);
        refresh(key, type, load, shared, RefreshTrigger.STALE);
      }
      return mine.result;
    }
    listener.onGet(GetResult.MISS);
    loadAsLeader(key, type, mine, load, expired != null ? expired : shared, false);
    return mine.result;
  }

  private void refresh(Object key, Type type, Load load, CacheEntry current, RefreshTrigger trigger) {
    Flight mine = new Flight(settings.loadTimeout());
    if (flights.putIfAbsent(key, mine) != null) {
      return; // a load of this key is already under way
    }
    endWhenShared(key, mine);
    CacheEntry latest = local.get(key);
    if (latest != null && latest != current && latest.isFresh(clock.millis())) {
      complete(mine, latest); // a load that ended after this caller's read already refreshed it
      return;
    }
    listener.onRefresh(trigger);
    try {
      refreshExecutor.execute(() -> {
        CacheEntry shared = remote.get(key.toString(), type);
        if (shared != null && shared.writtenAt() > current.writtenAt() && shared.isFresh(clock.millis())) {
          storeLocally(key, shared, mine); // another instance already refreshed it
          complete(mine, shared);
        } else {
          loadAsLeader(key, type, mine, load, current, true);
        }
      });
    } catch (RejectedExecutionException e) {
      mine.claimRecord();
      mine.result.completeExceptionally(e);
      LOG.log(Level.DEBUG, () -> "Refresh of key '" + key + "' in cache '" + name
          + "' was rejected by the refresh executor; the next read retries");
    }
  }

  /**
   * The cluster-wide single flight: with the rebuild lock, load and write back fenced by it;
   * without it, wait for the instance that holds it, retrying the lock now and then so that a holder
   * that died is replaced once its lease lapses. A refresh never waits: while another instance
   * refreshes, the stale value keeps being served.
   */
  private void loadAsLeader(Object key, Type type, Flight flight, Load load, CacheEntry fallback,
      boolean refreshing) {
    if (!clusterLock || !remote.isAvailable()) {
      // Without a shared tier that answers, no lock: a call pays for at most one failed command.
      runLoader(key, type, flight, load, fallback, null);
      return;
    }
    String remoteKey = (String) key;
    long newerThan = fallback == null ? Long.MIN_VALUE : fallback.writtenAt();
    Lease lease = remote.tryLock(remoteKey);
    if (lease.state() == Lease.State.HELD_ELSEWHERE) {
      listener.onLock(LockResult.CONTENDED);
      if (refreshing && fallback != null) {
        complete(flight, fallback);
        return;
      }
      long deadline = System.nanoTime() + settings.lock().waitTime().toNanos();
      while (lease.state() == Lease.State.HELD_ELSEWHERE) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          listener.onLock(LockResult.GAVE_UP);
          giveUp(key, type, flight, load, fallback);
          return;
        }
        CacheEntry theirs = remote.awaitLoaded(remoteKey, type,
            Duration.ofNanos(Math.min(remaining, LOCK_RETRY.toNanos())), newerThan);
        if (theirs != null) {
          listener.onLock(LockResult.WAITED);
          storeLocally(key, theirs, flight);
          complete(flight, theirs);
          return;
        }
        lease = remote.tryLock(remoteKey);
      }
    }
    if (lease.state() == Lease.State.UNAVAILABLE) {
      runLoader(key, type, flight, load, fallback, null);
      return;
    }
    listener.onLock(LockResult.ACQUIRED);
    CacheEntry shared = remote.get(remoteKey, type);
    if (shared != null && shared.isFresh(clock.millis()) && shared.writtenAt() > newerThan) {
      remote.release(lease); // the previous holder finished just before we took the lock
      storeLocally(key, shared, flight);
      complete(flight, shared);
    } else {
      runLoader(key, type, flight, load, fallback, lease);
    }
  }

  /** Nothing came from the lock holder within {@code lock.wait}. */
  private void giveUp(Object key, Type type, Flight flight, Load load, CacheEntry fallback) {
    if (settings.lock().onTimeout() == LockTimeoutAction.FAIL) {
      flight.claimRecord();
      flight.result.completeExceptionally(LoadTimeoutException.lockWait(name, key, settings.lock().waitTime()));
    } else {
      runLoader(key, type, flight, load, fallback, null);
    }
  }

  /** Removes the flight from the map when its shared outcome is known, recording a timeout. */
  private void endWhenShared(Object key, Flight flight) {
    flight.shared.whenComplete((entry, error) -> {
      flights.remove(key, flight);
      if (error instanceof TimeoutException && flight.claimRecord()) {
        listener.onLoad(LoadOutcome.TIMEOUT, settings.loadTimeout().toNanos());
        LOG.log(Level.WARNING, () -> "Load of key '" + key + "' in cache '" + name
            + "' is still running after load-timeout " + settings.loadTimeout()
            + "; waiting callers were released with LoadTimeoutException");
      }
    });
  }

  /** Completes a flight with an entry that needed no load. */
  private static void complete(Flight flight, CacheEntry entry) {
    flight.claimRecord();
    flight.result.complete(entry);
  }

  /** Runs the caller's loader as the key's leader; the flight's result completes when it is done. */
  private void runLoader(Object key, Type type, Flight flight, Load load, CacheEntry fallback, Lease lease) {
    long startMillis = clock.millis();
    long startNanos = System.nanoTime();
    bulkhead.limit(load).start().whenComplete((value, error) -> {
      try {
        finish(key, type, flight, value, error, startMillis, startNanos, fallback, lease);
      } finally {
        if (lease != null) {
          remote.release(lease);
        }
      }
    });
  }

  private void finish(Object key, Type type, Flight flight, Object value, Throwable error,
      long startMillis, long startNanos, CacheEntry fallback, Lease lease) {
    long nanos = System.nanoTime() - startNanos;
    if (error != null) {
      Throwable cause = unwrap(error);
      if (flight.claimRecord()) {
        listener.onLoad(LoadOutcome.FAILURE, nanos);
      }
      if (mayServeOnError(fallback, clock.millis())) {
        listener.onStaleServedOnError();
        LOG.log(Level.DEBUG, () -> "Loader of cache '" + name + "' failed for key '" + key
            + "'; serving the value written at " + fallback.writtenAt(), cause);
        flight.result.complete(fallback);
      } else {
        flight.result.completeExceptionally(cause);
      }
      return;
    }
    long now = clock.millis();
    CacheEntry entry = policy.entryFor(value, now, Math.max(0, now - startMillis));
    if (flight.claimRecord()) {
      listener.onLoad(value == null ? LoadOutcome.NULL : LoadOutcome.SUCCESS, nanos);
    }
    if (value != null) {
      exists(key);
    }
    // Another instance's write during the load: only the lock's fence shows the load read after it.
    boolean discarded = flight.isSuperseded() || flight.isSupersededElsewhere() && lease == null;
    if (policy.isCacheable(value) && !discarded) {
      boolean stored = true;
      if (lease != null) {
        stored = remote.putIfLeaseHeld(key.toString(), entry, type, lease)
            && (!flight.isSupersededElsewhere() || remote.isAvailable()); // a failed write proves nothing
      } else if (remote.isAvailable()) {
        remote.put(key.toString(), entry, type);
      }
      if (stored) {
        storeLocally(key, entry, flight);
      } else {
        LOG.log(Level.DEBUG, () -> "Loaded value of key '" + key + "' in cache '" + name
            + "' was not stored: its rebuild lock was lost (lease expired or the key was evicted)");
      }
    }
    flight.result.complete(entry);
  }

  /** {@code stale-if-error}: an old value, not older than its bound, rather than the loader's failure. */
  private boolean mayServeOnError(CacheEntry fallback, long now) {
    return settings.staleIfError() && fallback != null
        && (fallback.isServable(now) || now - fallback.expiresAt() <= settings.staleIfErrorMaxAge().toMillis());
  }

  private void storeLocally(Object key, CacheEntry entry, Flight flight) {
    local.put(key, entry, retainUntil(entry));
    if (flight != null && flight.isSuperseded()) {
      // A put or evict ran while we stored: never let the older value outlive it.
      local.remove(key, entry);
    }
  }

  /**
   * How long L1 keeps an entry: to the end of its stale window, or of its
   * {@code stale-if-error-max-age} when a failed load may fall back to it; with a shared tier that answers, at most
   * {@code local.ttl} so that a lost invalidation cannot keep an old copy alive longer.
   */
  private long retainUntil(CacheEntry entry) {
    long until = entry.staleUntil();
    if (settings.staleIfError() && !entry.isNull()) {
      until = Math.max(until, entry.expiresAt() + settings.staleIfErrorMaxAge().toMillis());
    }
    if (remote.isAvailable()) {
      until = Math.min(until, clock.millis() + settings.local().ttl().toMillis());
    }
    return until;
  }

  private CacheEntry await(Object key, CompletableFuture<CacheEntry> outcome) {
    try {
      return outcome.get(settings.loadTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw sneakyThrow(translate(key, unwrap(e.getCause())));
    } catch (TimeoutException e) {
      throw new LoadTimeoutException(name, key, settings.loadTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CoalesceException("Interrupted while waiting for the load of key '" + key
          + "' in cache '" + name + "'; the load goes on for the other callers", e);
    }
  }

  private Throwable translate(Object key, Throwable error) {
    return error instanceof TimeoutException
        ? new LoadTimeoutException(name, key, settings.loadTimeout())
        : error;
  }

  @Override
  public void put(Object key, Object value) {
    Object k = normalize(key);
    supersedeFlight(k);
    if (!policy.isCacheable(value)) {
      remote.evict(k.toString());
      local.evict(k);
      return;
    }
    if (value != null) {
      exists(k);
    }
    CacheEntry entry = policy.entryFor(value, clock.millis(), 0);
    if (remote.isPresent()) {
      remote.put(k.toString(), entry, value == null ? Object.class : value.getClass());
    }
    local.put(k, entry, retainUntil(entry));
  }

  @Override
  public void evict(Object key) {
    Object k = normalize(key);
    supersedeFlight(k);
    remote.evict(k.toString());
    local.evict(k);
    evictAgainLater(k);
  }

  @Override
  public void evictFormatted(String formattedKey) {
    if (remote.isPresent()) {
      evict(formattedKey); // keys are held in their string form already
      return;
    }
    // Without a shared tier keys are held as objects: find those whose string form matches.
    List<Object> matching = new ArrayList<>();
    for (Object key : local.keys()) {
      if (formatsAs(key, formattedKey)) {
        matching.add(key);
      }
    }
    for (Object key : flights.keySet()) {
      if (formatsAs(key, formattedKey)) {
        matching.add(key);
      }
    }
    matching.forEach(this::evict);
  }

  private static boolean formatsAs(Object key, String formattedKey) {
    try {
      return formattedKey.equals(KeyFormat.format(key));
    } catch (IllegalArgumentException e) {
      return false; // a key with no stable string form cannot be named as text
    }
  }

  /**
   * The delayed second delete of cache-aside: a reader that loaded the old value before the write
   * may store it after the first delete; deleting again after {@code evict-delay} removes it.
   */
  private void evictAgainLater(Object key) {
    long delay = settings.evictDelay().toMillis();
    if (delay <= 0) {
      return;
    }
    try {
      CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, refreshExecutor).execute(() -> {
        supersedeFlight(key);
        remote.evict(key.toString());
        local.evict(key);
      });
    } catch (RejectedExecutionException e) {
      LOG.log(Level.WARNING, () -> "The delayed second delete of key '" + key + "' in cache '" + name
          + "' was rejected by the refresh executor; a value stored by a racing reader may live until its ttl");
    }
  }

  @Override
  public void clear() {
    flights.values().forEach(Flight::supersede);
    flights.clear();
    remote.clear();
    local.clear();
  }

  @Override
  public void invalidated(String key) {
    Flight flight = flights.remove(key);
    if (flight != null) {
      flight.supersedeElsewhere();
    }
    local.evict(key);
  }

  @Override
  public void invalidatedAll() {
    local.clear();
  }

  private void supersedeFlight(Object key) {
    Flight flight = flights.remove(key);
    if (flight != null) {
      flight.supersede();
    }
  }

  @Override
  public int inFlight() {
    return flights.size();
  }

  @Override
  public long localSize() {
    return local.size();
  }

  /**
   * With a shared tier every instance must name a key alike, so keys are held in their string
   * form; without one, the key object itself is used (no formatting on the hit path).
   */
  private Object normalize(Object key) {
    Objects.requireNonNull(key, () -> "Cache '" + name + "' was given a null key; "
        + "check the key expression, or the argument that serves as the key");
    return remote.isPresent() ? KeyFormat.format(key) : key;
  }

  /**
   * The loader's own exception, without the {@link CompletionException}s that futures wrap around it
   * (an {@code ExecutionException} thrown by the loader itself is kept: it is what the loader threw).
   */
  private static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while (current instanceof CompletionException && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneakyThrow(Throwable t) throws E {
    throw (E) t;
  }

  @Override
  public String toString() {
    return "CoalescingCache[" + name + "]";
  }
}
