package io.coalesce.core;

import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * One cache, assembled from its parts; see {@link CoalescingCache}. A read, top-down:
 *
 * <ol>
 *   <li>{@link CacheKeys}: the key as held;
 *   <li>{@link LocalLookup}: L1 answers (fresh, stale, being refreshed; a {@link Refresher} may start);
 *   <li>{@link KeyGuard}: the Bloom filter may answer "not found";
 *   <li>{@link SingleFlight}: join the key's flight ({@link Callers} waits), or lead one;
 *   <li>{@link Leader}: L2, the cluster lock ({@link ClusterLock}), the load ({@link LoadRunner}),
 *       which stores into L1 through {@link LocalStore}.
 * </ol>
 *
 * {@link BatchRead} does the same for many keys ({@link AsyncBatchRead}: asynchronously); {@link Writes} owns puts, evicts, clears and the
 * invalidations that arrive from the shared tier.
 */
final class DefaultCoalescingCache implements CoalescingCache {

  private final String name;
  private final CacheSettings settings;
  private final CacheKeys keys;
  private final LocalStore l1;
  private final LocalLookup lookup;
  private final HotKeys hotKeys;
  private final SingleFlight flights = new SingleFlight();
  private final KeyGuard guard;
  private final Callers callers;
  private final Leader leader;
  private final Refresher refresher;
  private final BatchRead batch;
  private final AsyncBatchRead asyncBatch;
  private final Writes writes;
  private final Clock clock;
  private final Executor writeExecutor;
  private final Executor executor;
  private final RemoteTier remote;
  private final CacheListener listener;
  private final EntryPolicy policy;

  DefaultCoalescingCache(String name, CacheSettings settings, EntryPolicy policy, RandomGenerator random,
      LocalTier local, RemoteTier remote, CacheListener listener, PenetrationGuard penetrationGuard, Clock clock,
      Ticker ticker, Executor executor, Executor writeExecutor, ScheduledExecutorService scheduler,
      Duration lockRetry) {
    this.name = name;
    this.settings = settings;
    this.clock = clock;
    this.writeExecutor = writeExecutor;
    this.executor = executor;
    this.remote = remote;
    this.listener = listener;
    this.policy = policy;
    this.keys = new CacheKeys(name, remote.isPresent(), settings.local().maximumSize());
    this.l1 = new LocalStore(local, remote, settings, clock);
    this.guard = new KeyGuard(penetrationGuard, listener);
    DriftCheck drift = new DriftCheck(settings.driftSampleRate(), random, l1, remote, listener, clock, executor,
        scheduler);
    this.hotKeys = new HotKeys(settings.hotKeys(), clock);
    ReadGaps readGaps = policy.refreshesEarly() ? new ReadGaps(settings.local().maximumSize(), clock.millis()) : null;
    this.lookup = new LocalLookup(settings, policy, flights, listener, drift, hotKeys, readGaps);
    this.callers = new Callers(name, settings, flights, listener, clock, scheduler);
    ClusterLock lock = new ClusterLock(name, remote, flights, settings.lock(), listener, ticker, clock, lockRetry,
        executor, scheduler);
    LoadRunner runner = new LoadRunner(name, settings, policy, remote, l1, listener, guard, hotKeys, clock, ticker,
        executor);
    boolean nothingBlocks = !remote.isPresent() && guard.isNone() && settings.bulkhead().maxConcurrentLoads() == 0;
    this.leader = new Leader(name, l1, remote, flights, lock, runner, guard, policy, listener, clock, executor, callers,
        nothingBlocks, readGaps);
    this.refresher = new Refresher(name, l1, remote, flights, callers, leader, runner, listener, clock, executor);
    leader.refreshWith(refresher);
    this.batch = new BatchRead(keys, l1, lookup, remote, flights, callers, leader, refresher, lock, runner,
        guard, listener, clock);
    this.asyncBatch = new AsyncBatchRead(name, keys, l1, lookup, flights, callers, refresher, batch, guard, policy,
        listener, clock, executor);
    this.writes = new Writes(name, settings, policy, keys, l1, remote, flights, guard, clock, scheduler);
    remote.onInvalidation(writes);
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
  public <T> T get(Object key, Type type, Callable<? extends T> loader) {
    return get(key, type, loader, Callable::call);
  }

  /** The hit path allocates nothing of its own: a {@link Load} is made only when a load or refresh starts. */
  @Override
  @SuppressWarnings("unchecked")
  public <A, T> T get(Object key, Type type, A argument, ArgumentLoader<? super A, ? extends T> loader) {
    Object k = keys.normalize(key);
    long now = clock.millis();
    CacheEntry held = l1.get(k, now);
    LocalLookup.Found found = lookup.classify(k, held, now);
    if (found.served()) {
      if (found.refreshes()) {
        refresher.refresh(k, type, Load.of(argument, loader), held, found.trigger());
      }
      return (T) held.value();
    }
    return load(k, type, argument, loader, found, held); // apart, so that the hit path stays small
  }

  /** A read that L1 did not answer: the Bloom guard, then the key's flight, joined or led. */
  @SuppressWarnings("unchecked")
  private <A, T> T load(Object k, Type type, A argument, ArgumentLoader<? super A, ? extends T> loader,
      LocalLookup.Found found, CacheEntry held) {
    if (found == LocalLookup.Found.NOTHING && guard.certainlyAbsent(k)) {
      return null;
    }
    while (true) {
      Flight mine = new Flight();
      Flight running = flights.joinOrLead(k, mine);
      if (running == null) {
        callers.begin(k, mine);
        callers.arm(k, mine); // a synchronous caller may wait: its own thread arms the timer
        leader.lead(k, type, mine, Load.of(argument, loader), held);
        return (T) callers.awaitLeader(k, mine).value();
      }
      CacheEntry shared = callers.follow(k, running);
      if (shared != null) {
        return (T) shared.value();
      }
      // that flight was abandoned before its load started: start over
      long now = clock.millis();
      held = l1.get(k, now);
      found = lookup.classify(k, held, now);
      if (found.served()) {
        return (T) held.value();
      }
    }
  }

  @Override
  public <T> CompletableFuture<T> getAsync(
      Object key, Type type, Supplier<? extends CompletionStage<? extends T>> loader) {
    Object k = keys.normalize(key);
    Load load = Load.ofAsync(loader);
    long now = clock.millis();
    CacheEntry held = l1.get(k, now);
    LocalLookup.Found found = lookup.classify(k, held, now);
    if (found.served()) {
      if (found.refreshes()) {
        refresher.refresh(k, type, load, held, found.trigger());
      }
      return CompletableFuture.completedFuture(value(held));
    }
    // The Bloom guard is asked by the leader, on the executor: a shared filter is a Redis call.
    Flight mine = new Flight();
    Flight running = flights.joinOrLead(k, mine);
    CompletableFuture<CacheEntry> outcome;
    if (running != null) {
      outcome = callers.followAsync(running);
    } else {
      callers.begin(k, mine); // the timer is armed by the lead, on the executor
      leader.leadAsync(k, type, mine, load, held);
      outcome = mine.result.copy(); // a dependent: cancelling it never cancels the shared load
    }
    return outcome.handle((entry, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(this.<T>value(entry));
      }
      if (Flight.isAbandoned(error)) {
        return this.<T>getAsync(key, type, loader); // that flight never loaded: start over
      }
      return CompletableFuture.<T>failedFuture(new CompletionException(
          callers.translate(k, LoadRunner.unwrap(error))));
    }).thenCompose(future -> future);
  }

  @SuppressWarnings("unchecked")
  private <T> T value(CacheEntry entry) {
    return (T) entry.value();
  }

  @Override
  public CacheEntry getIfPresent(Object key, Type type) {
    Object k = keys.normalize(key);
    long now = clock.millis();
    CacheEntry held = fresh(k, now);
    return held != null ? held : lookBeyondL1(k, type, now).entry();
  }

  @Override
  public Lookup lookUp(Object key, Type type) {
    Object k = keys.normalize(key);
    long now = clock.millis();
    CacheEntry held = fresh(k, now);
    return held != null ? Lookup.found(this, k, held) : lookBeyondL1(k, type, now);
  }

  @Override
  public void putLoaded(Object key, Object value, Lookup miss) {
    Object k = keys.normalize(key);
    if (miss.owner != this || miss.isHit() || !k.equals(miss.key())) {
      throw new IllegalArgumentException("putLoaded of key '" + k + "' in cache '" + name + "' needs a miss of "
          + "that key from this cache's lookUp, not " + miss);
    }
    writes.putLoaded(k, value, miss);
  }

  @Override
  public CompletableFuture<CacheEntry> getIfPresentAsync(Object key, Type type) {
    Object k = keys.normalize(key);
    long now = clock.millis();
    CacheEntry held = fresh(k, now);
    if (held != null) {
      return CompletableFuture.completedFuture(held);
    }
    try {
      return CompletableFuture.supplyAsync(() -> lookBeyondL1(k, type, clock.millis()).entry(), executor);
    } catch (RejectedExecutionException busy) {
      listener.onGet(CacheListener.GetResult.MISS);
      return CompletableFuture.completedFuture(null);
    }
  }

  /** A fresh L1 entry for {@code k} (counted as a hit), or {@code null}. */
  private CacheEntry fresh(Object k, long now) {
    CacheEntry held = l1.get(k, now);
    if (held != null && held.isFresh(now)) {
      listener.onGet(CacheListener.GetResult.L1_HIT);
      return held;
    }
    return null;
  }

  /**
   * The Bloom guard, then a plain read of the shared tier: no lock, no load. A miss carries the
   * key's version as read, by which a value the caller loads next is fenced ({@link #putLoaded}).
   */
  private Lookup lookBeyondL1(Object k, Type type, long now) {
    if (guard.certainlyAbsent(k)) {
      return Lookup.found(this, k, policy.entryFor(null, now, 0)); // "not found", as the guard says; not stored
    }
    long stamp = writes.stamp(k);
    long version = l1.versionForLoad();
    boolean mayShare = true;
    if (remote.isPresent()) {
      RemoteTier.Read shared = remote.read(k.toString(), type);
      if (shared.hit() && !shared.foreign() && shared.entry().isFresh(now)) {
        // No flight fences this store: the version does. A write after this read carries a higher
        // one, and L1 refuses an older copy than a write it has seen, whichever arrives first.
        l1.store(k, shared.entry(), shared.version(), null);
        listener.onGet(CacheListener.GetResult.L2_HIT);
        return Lookup.found(this, k, shared.entry());
      }
      version = shared.version();
      mayShare = !shared.foreign();
    }
    listener.onGet(CacheListener.GetResult.MISS);
    return Lookup.missed(this, k, type, version, mayShare, stamp, now);
  }

  @Override
  public <K, V> Map<K, V> getAll(Collection<? extends K> keys, Type type, BatchLoader<K, ? extends V> loader) {
    return batch.getAll(keys, type, loader);
  }

  @Override
  public <K, V> CompletableFuture<Map<K, V>> getAllAsync(Collection<? extends K> keys, Type type,
      AsyncBatchLoader<K, ? extends V> loader) {
    return asyncBatch.getAllAsync(keys, type, loader);
  }

  @Override
  public void put(Object key, Object value) {
    writes.put(key, value, RemoteTier.NO_DATA_VERSION);
  }

  @Override
  public void put(Object key, Object value, long dataVersion) {
    writes.put(key, value, dataVersion);
  }

  @Override
  public void evict(Object key) {
    writes.evict(key);
  }

  @Override
  public void evictFormatted(String formattedKey) {
    writes.evictFormatted(formattedKey);
  }

  @Override
  public void clear() {
    writes.clear();
  }

  @Override
  public CompletableFuture<Void> writeAsync(Runnable write) {
    try {
      return CompletableFuture.runAsync(write, writeExecutor);
    } catch (RejectedExecutionException busy) {
      // A write is never dropped. (The Boot wiring's write executor has no bound, so it never gets here.)
      return CompletableFuture.runAsync(write, Runnable::run);
    }
  }

  @Override
  public int inFlight() {
    return flights.size();
  }

  @Override
  public long localSize() {
    return l1.size();
  }

  @Override
  public HotKeyReport hotKeys() {
    return hotKeys.report();
  }

  @Override
  public String toString() {
    return "CoalescingCache[" + name + "]";
  }
}
