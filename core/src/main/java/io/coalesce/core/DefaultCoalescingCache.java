package io.coalesce.core;

import io.coalesce.core.CacheListener.GetResult;
import io.coalesce.core.CacheListener.LoadOutcome;
import io.coalesce.core.CacheListener.RefreshTrigger;
import io.coalesce.core.RemoteTier.Read;
import java.lang.System.Logger.Level;
import java.lang.reflect.Type;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The read path, L1 → single flight → L2 → cluster lock → loader, and the writes. See
 * {@link CoalescingCache}. Its parts: {@link SingleFlight} (loads under way), {@link ClusterLock}
 * (the rebuild lock and the wait for another instance), {@link LoadRunner} (the load, its fenced
 * write-back, stale-if-error), {@link EntryPolicy} (lifetimes) and {@link LocalStore} (L1 retention).
 *
 * <p>Ordering that keeps "one load per key per window" exact: a leader stores the entry before it
 * completes its flight, and the flight leaves the in-flight map only after it completes; a caller
 * that becomes leader re-reads L1 before going further, so it finds what the previous flight stored.
 * Across instances the rebuild lock plays the same part, with a re-read of L2 once it is held.
 *
 * <p>Ordering that keeps a write from being undone: a put or evict supersedes the loads of its key
 * under way here before it writes the shared tier and again after (a load that started meanwhile may
 * have read the old value there, and this instance's own invalidation message never reaches it),
 * then updates L1; other instances' loads are superseded through the key's version. A superseded
 * load gives its result to its own callers and stores nothing.
 */
final class DefaultCoalescingCache implements CoalescingCache, RemoteTier.Invalidations {

  private static final System.Logger LOG = System.getLogger(DefaultCoalescingCache.class.getName());

  private final String name;
  private final CacheSettings settings;
  private final EntryPolicy policy;
  private final LocalTier local;
  private final LocalStore l1;
  private final RemoteTier remote;
  private final SingleFlight flights = new SingleFlight();
  private final KeyNames keyNames;
  private final ClusterLock lock;
  private final LoadRunner runner;
  private final KeyGuard guard;
  private final CacheListener listener;
  private final Clock clock;
  private final Executor refreshExecutor;
  private final ScheduledExecutorService scheduler;

  DefaultCoalescingCache(String name, CacheSettings settings, EntryPolicy policy, LocalTier local,
      RemoteTier remote, CacheListener listener, PenetrationGuard penetrationGuard, Clock clock, Ticker ticker,
      Executor refreshExecutor, ScheduledExecutorService scheduler, java.time.Duration lockRetry) {
    this.name = name;
    this.settings = settings;
    this.policy = policy;
    this.local = local;
    this.remote = remote;
    this.listener = listener;
    this.clock = clock;
    this.refreshExecutor = refreshExecutor;
    this.scheduler = scheduler;
    this.l1 = new LocalStore(local, remote, settings, clock);
    this.keyNames = new KeyNames(settings.local().maximumSize());
    this.guard = new KeyGuard(penetrationGuard, listener);
    this.lock = new ClusterLock(name, remote, flights, settings.lock(), listener, ticker, clock, lockRetry);
    this.runner = new LoadRunner(name, settings, policy, remote, l1, listener, guard, clock, ticker, refreshExecutor);
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
    if (held != null && beingRefreshed(k, held, now)) {
      return (T) held.value();
    }
    if (held == null && guard.certainlyAbsent(k)) {
      return null;
    }
    Flight mine = new Flight();
    Flight running = flights.joinOrLead(k, mine);
    if (running != null) {
      return (T) follow(k, running).value();
    }
    endWhenDone(k, mine);
    leadSafely(k, type, mine, Load.of(argument, loader), held);
    return (T) await(k, mine).value();
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
    if (held != null && beingRefreshed(k, held, now)) {
      return CompletableFuture.completedFuture((T) held.value());
    }
    // The Bloom guard is asked by the leader, on the refresh executor: a shared filter is a Redis call.
    CompletableFuture<CacheEntry> outcome = startAsync(k, type, load, held);
    // A dependent future: cancelling it never cancels the shared load.
    return outcome.handle((entry, error) -> {
      if (error != null) {
        throw new CompletionException(translate(k, LoadRunner.unwrap(error)));
      }
      return (T) entry.value();
    });
  }

  /** A key a batch read leads: its key as the caller gave it, its flight and its expired L1 entry. */
  private record Led<K>(Object key, K asked, Flight flight, CacheEntry expired) {}

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> Map<K, V> getAll(Collection<? extends K> keys, Type type, BatchLoader<K, ? extends V> loader) {
    Objects.requireNonNull(loader, "loader");
    Map<Object, K> asked = new LinkedHashMap<>();
    for (K key : keys) {
      asked.putIfAbsent(normalize(key), key);
    }
    Map<Object, Object> values = new HashMap<>();
    Map<Object, Flight> joined = new LinkedHashMap<>();
    List<Led<K>> led = new ArrayList<>();
    long now = clock.millis();
    for (Map.Entry<Object, K> e : asked.entrySet()) {
      Object k = e.getKey();
      CacheEntry held = local.get(k, now);
      if (held != null && held.isServable(now)) {
        RefreshTrigger refresh = served(held, now);
        if (refresh != null) {
          refresh(k, type, loadOne(k, e.getValue(), loader), held, refresh);
        }
        values.put(k, held.value());
      } else if (held != null && beingRefreshed(k, held, now)) {
        values.put(k, held.value());
      } else if (held == null && guard.certainlyAbsent(k)) {
        values.put(k, null);
      } else {
        Flight mine = new Flight();
        Flight running = flights.joinOrLead(k, mine);
        if (running != null) {
          joined.put(k, running);
        } else {
          endWhenDone(k, mine);
          led.add(new Led<>(k, e.getValue(), mine, held));
        }
      }
    }
    if (!led.isEmpty()) {
      try {
        leadAll(led, type, loader);
      } catch (Throwable t) {
        for (Led<K> l : led) {
          l.flight().claimRecord();
          l.flight().result.completeExceptionally(t); // no-op for the flights already settled
        }
      }
      for (Led<K> l : led) {
        values.put(l.key(), await(l.key(), l.flight()).value());
      }
    }
    joined.forEach((k, running) -> values.put(k, follow(k, running).value()));
    Map<K, V> result = new LinkedHashMap<>();
    asked.forEach((k, key) -> result.put(key, (V) values.get(k)));
    return result;
  }

  /**
   * The leader's work for the keys a batch read leads: one read of them all (taking their rebuild
   * locks), one load of those found nowhere, then the keys another instance is loading: awaited
   * last, so that the locks this call holds are released (by its write-back) before it waits for
   * anyone else's, and two instances that each lock part of the other's batch do not wait on each
   * other.
   */
  private <K> void leadAll(List<Led<K>> led, Type type, BatchLoader<K, ?> loader) {
    long now = clock.millis();
    List<Led<K>> toRead = new ArrayList<>(led.size());
    for (Led<K> l : led) {
      CacheEntry stored = local.get(l.key(), now);
      if (stored != null && stored != l.expired() && stored.isFresh(now)) {
        complete(l.flight(), stored); // the previous flight stored this just before it left the map
        listener.onGet(GetResult.L1_HIT);
      } else {
        toRead.add(l);
      }
    }
    if (toRead.isEmpty()) {
      return;
    }
    List<String> names = new ArrayList<>(toRead.size());
    toRead.forEach(l -> names.add(l.key().toString()));
    List<RemoteTier.ReadOrLock> reads = remote.readAll(names, type, now, lock.enabled());
    List<LoadRunner.BatchItem> toLoad = new ArrayList<>();
    Map<Object, K> toLoadAsked = new LinkedHashMap<>();
    List<Led<K>> lockedElsewhere = new ArrayList<>();
    List<LoadRunner.BatchItem> waits = new ArrayList<>();
    for (int i = 0; i < toRead.size(); i++) {
      Led<K> l = toRead.get(i);
      Read shared = reads.get(i).read();
      RemoteTier.Lease lease = reads.get(i).lease();
      flights.read(l.key(), l.flight(), shared.version());
      if (shared.hit() && shared.entry().isServable(now)) {
        if (lease != null) {
          remote.release(lease);
        }
        l1.store(l.key(), shared.entry(), l.flight());
        complete(l.flight(), shared.entry());
        if (shared.entry().isFresh(now)) {
          listener.onGet(GetResult.L2_HIT);
        } else {
          listener.onGet(GetResult.STALE);
          refresh(l.key(), type, loadOne(l.key(), l.asked(), loader), shared.entry(), RefreshTrigger.STALE);
        }
        continue;
      }
      listener.onGet(GetResult.MISS);
      CacheEntry fallback = l.expired() != null ? l.expired() : shared.entry();
      if (lease != null && lease.state() == RemoteTier.Lease.State.HELD_ELSEWHERE) {
        lockedElsewhere.add(l);
        waits.add(new LoadRunner.BatchItem(l.key(), l.flight(), fallback, lease));
        continue;
      }
      ClusterLock.Decision decision = lock.acquire(l.key(), type, l.flight(), fallback, false, lease);
      if (decision instanceof ClusterLock.Served served) {
        l1.store(l.key(), served.entry(), l.flight());
        complete(l.flight(), served.entry());
      } else if (decision instanceof ClusterLock.Failed failed) {
        l.flight().claimRecord();
        l.flight().result.completeExceptionally(failed.error());
      } else {
        toLoad.add(new LoadRunner.BatchItem(l.key(), l.flight(), fallback, ((ClusterLock.Load) decision).lease()));
        toLoadAsked.put(l.key(), l.asked());
      }
    }
    if (!toLoad.isEmpty()) {
      runner.runBatch(toLoad, type, loadMany(toLoadAsked, loader));
    }
    for (int i = 0; i < waits.size(); i++) {
      LoadRunner.BatchItem item = waits.get(i);
      try {
        loadAsLeader(item.key(), type, item.flight(), loadOne(item.key(), lockedElsewhere.get(i).asked(), loader),
            item.fallback(), false, item.lease());
      } catch (Throwable t) {
        item.flight().claimRecord();
        item.flight().result.completeExceptionally(t);
      }
    }
  }

  /**
   * One call of {@code loader} for the keys of {@code asked} (held key → the caller's key); its
   * value is a map from held key to value, the loader's keys normalized as every key is.
   */
  private <K> Load loadMany(Map<Object, K> asked, BatchLoader<K, ?> loader) {
    return Load.of(() -> {
      Map<?, ?> loaded = loader.load(Collections.unmodifiableSet(new LinkedHashSet<>(asked.values())));
      Map<Object, Object> byKey = new HashMap<>();
      if (loaded != null) {
        Map<String, Object> askedByText = new HashMap<>();
        loaded.forEach((key, value) -> {
          if (key != null) {
            Object k = heldKeyOf(key, asked, askedByText);
            if (k != null) {
              byKey.put(k, value);
            }
          }
        });
      }
      return byKey;
    });
  }

  /**
   * The held key a loader's {@code key} stands for, or {@code null} when it was not asked: the same
   * key, or one of another type with the same string form (an entity's {@code Long} id for an
   * {@code Integer} asked, a {@code String} read from the element), as keys in Redis are named.
   */
  private Object heldKeyOf(Object key, Map<Object, ?> asked, Map<String, Object> askedByText) {
    try {
      Object k = normalize(key);
      if (asked.containsKey(k)) {
        return k;
      }
    } catch (IllegalArgumentException e) {
      return null; // no string form: it cannot name a key of this cache
    }
    if (askedByText.isEmpty()) {
      for (Object held : asked.keySet()) {
        String text = textOf(held);
        if (text != null) {
          askedByText.put(text, held);
        }
      }
    }
    String text = textOf(key);
    return text == null ? null : askedByText.get(text);
  }

  private static String textOf(Object key) {
    try {
      return key instanceof String s ? s : KeyFormat.format(key);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** {@code loader} for one key: how a batch-loaded key is refreshed, or loaded when another instance gave up. */
  private <K> Load loadOne(Object key, K asked, BatchLoader<K, ?> loader) {
    Load many = loadMany(Map.of(key, asked), loader);
    return () -> many.start().thenApply(byKey -> ((Map<?, ?>) byKey).get(key));
  }

  /**
   * Whether {@code held}, past its ttl (and stale window), is still being refreshed by a refresh
   * that started before it expired: it is served until that refresh ends, at most
   * {@code load-timeout} past its ttl, so that the early refresh meant to spare callers a wait never
   * makes them wait because the load took longer than the last one.
   */
  private boolean beingRefreshed(Object key, CacheEntry held, long now) {
    if (now - held.expiresAt() >= settings.loadTimeout().toMillis()) {
      return false;
    }
    Flight running = flights.joinable(key);
    if (running == null || !running.refreshes(held)) {
      return false;
    }
    listener.onGet(GetResult.STALE);
    return true;
  }

  /**
   * Records a read served from a servable L1 entry and says which background refresh it calls for:
   * {@code STALE}, {@code EARLY} (before expiry), or {@code null} for none.
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
   * Joins the key's flight, or leads a new one, without blocking the caller: a leader does its work
   * on the refresh executor, so that no Redis read, lock wait or bulkhead wait runs on the caller's
   * thread; a caller that joined is released after {@code load-timeout} ({@link Flight#followAsync}).
   *
   * @param expired an expired L1 entry kept for {@code stale-if-error}, or {@code null}
   */
  private CompletableFuture<CacheEntry> startAsync(Object key, Type type, Load load, CacheEntry expired) {
    Flight mine = new Flight();
    Flight running = flights.joinOrLead(key, mine);
    if (running != null) {
      listener.onGet(GetResult.MISS);
      listener.onCoalesced();
      return running.followAsync(scheduler, settings.loadTimeout().toNanos(), () -> timedOut(key, running));
    }
    endWhenDone(key, mine);
    Runnable lead = () -> {
      if (expired == null && guard.certainlyAbsent(key)) {
        complete(mine, policy.entryFor(null, clock.millis(), 0)); // "not found", not stored
      } else {
        leadSafely(key, type, mine, load, expired);
      }
    };
    try {
      refreshExecutor.execute(lead);
    } catch (RejectedExecutionException busy) {
      lead.run(); // the pool is full: do it here rather than not at all
    }
    return mine.result;
  }

  /** Waits for another caller's flight: a miss that shared a load, bounded by {@code load-timeout}. */
  private CacheEntry follow(Object key, Flight running) {
    listener.onGet(GetResult.MISS);
    listener.onCoalesced();
    try {
      return running.result.get(settings.loadTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw sneakyThrow(translate(key, LoadRunner.unwrap(e.getCause())));
    } catch (TimeoutException e) {
      timedOut(key, running);
      throw new LoadTimeoutException(name, key, settings.loadTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CoalesceException("Interrupted while waiting for the load of key '" + key
          + "' in cache '" + name + "'; the load goes on for the other callers", e);
    }
  }

  /**
   * The synchronous leader's own outcome: settled on its thread by the time the leader's work
   * returns (the loader ran on it), so this does not wait.
   */
  private CacheEntry await(Object key, Flight flight) {
    try {
      return flight.result.get(settings.loadTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new LoadTimeoutException(name, key, settings.loadTimeout());
    } catch (ExecutionException e) {
      throw sneakyThrow(translate(key, LoadRunner.unwrap(e.getCause())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CoalesceException("Interrupted while waiting for the load of key '" + key
          + "' in cache '" + name + "'; the load goes on for the other callers", e);
    }
  }

  /**
   * A caller waited {@code load-timeout} for {@code flight}: the first such caller records the load
   * as timed out and makes it unjoinable, so that the next caller starts a new one. The load goes on
   * and still cannot store a value that a later write replaced.
   */
  private void timedOut(Object key, Flight flight) {
    if (flight.markTimedOut()) {
      flights.detach(key, flight);
      if (flight.claimRecord()) {
        listener.onLoad(LoadOutcome.TIMEOUT, settings.loadTimeout().toNanos());
      }
      LOG.log(Level.WARNING, () -> "Load of key '" + key + "' in cache '" + name
          + "' is still running after load-timeout " + settings.loadTimeout()
          + "; waiting callers were released with LoadTimeoutException");
    }
  }

  /** A flight leaves the in-flight maps once its outcome is known. */
  private void endWhenDone(Object key, Flight flight) {
    flight.result.whenComplete((entry, error) -> flights.end(key, flight));
  }

  /** The leader's work; whatever fails here completes the flight, so no caller waits for nothing. */
  private void leadSafely(Object key, Type type, Flight flight, Load load, CacheEntry expired) {
    try {
      leadLoad(key, type, flight, load, expired);
    } catch (Throwable t) {
      flight.claimRecord();
      flight.result.completeExceptionally(t);
    }
  }

  private void leadLoad(Object key, Type type, Flight flight, Load load, CacheEntry expired) {
    long now = clock.millis();
    CacheEntry stored = local.get(key, now);
    if (stored != null && stored != expired && stored.isFresh(now)) {
      // The previous flight stored this just before it left the map.
      complete(flight, stored);
      listener.onGet(GetResult.L1_HIT);
      return;
    }
    RemoteTier.ReadOrLock first = lock.enabled()
        ? remote.readOrLock(key.toString(), type, now)
        : new RemoteTier.ReadOrLock(remote.read(key.toString(), type), null);
    Read shared = first.read();
    flights.read(key, flight, shared.version());
    if (shared.hit() && shared.entry().isServable(now)) {
      if (first.lease() != null) {
        remote.release(first.lease()); // taken for an entry the tier's clock saw expire: not needed here
      }
      l1.store(key, shared.entry(), flight);
      complete(flight, shared.entry());
      if (shared.entry().isFresh(now)) {
        listener.onGet(GetResult.L2_HIT);
      } else {
        listener.onGet(GetResult.STALE);
        refresh(key, type, load, shared.entry(), RefreshTrigger.STALE);
      }
      return;
    }
    listener.onGet(GetResult.MISS);
    loadAsLeader(key, type, flight, load, expired != null ? expired : shared.entry(), false, first.lease());
  }

  private void refresh(Object key, Type type, Load load, CacheEntry current, RefreshTrigger trigger) {
    Flight mine = new Flight(current);
    if (flights.joinOrLead(key, mine) != null) {
      return; // a load of this key is already under way
    }
    endWhenDone(key, mine);
    CacheEntry latest = local.get(key, clock.millis());
    if (latest != null && latest != current && latest.isFresh(clock.millis())) {
      complete(mine, latest); // a load that ended after this caller's read already refreshed it
      return;
    }
    listener.onRefresh(trigger);
    try {
      refreshExecutor.execute(() -> {
        try {
          Read shared = remote.read(key.toString(), type);
          flights.read(key, mine, shared.version());
          CacheEntry theirs = shared.entry();
          if (theirs != null && theirs.writtenAt() > current.writtenAt() && theirs.isFresh(clock.millis())) {
            l1.store(key, theirs, mine); // another instance already refreshed it
            complete(mine, theirs);
          } else {
            loadAsLeader(key, type, mine, load, current, true, null);
          }
        } catch (Throwable t) {
          mine.claimRecord();
          mine.result.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      mine.claimRecord();
      mine.result.completeExceptionally(e);
      LOG.log(Level.DEBUG, () -> "Refresh of key '" + key + "' in cache '" + name
          + "' was rejected by the refresh executor; the next read retries");
    }
  }

  /** The cluster-wide single flight, then the load. */
  private void loadAsLeader(Object key, Type type, Flight flight, Load load, CacheEntry fallback,
      boolean refreshing, RemoteTier.Lease tried) {
    ClusterLock.Decision decision = lock.acquire(key, type, flight, fallback, refreshing, tried);
    if (decision instanceof ClusterLock.Served served) {
      if (served.entry() != fallback) {
        l1.store(key, served.entry(), flight);
      }
      complete(flight, served.entry());
    } else if (decision instanceof ClusterLock.Failed failed) {
      flight.claimRecord();
      flight.result.completeExceptionally(failed.error());
    } else {
      runner.run(key, type, flight, load, fallback, ((ClusterLock.Load) decision).lease());
    }
  }

  /** Completes a flight with an entry that needed no load. */
  private static void complete(Flight flight, CacheEntry entry) {
    flight.claimRecord();
    flight.result.complete(entry);
  }

  private Throwable translate(Object key, Throwable error) {
    return error instanceof TimeoutException
        ? new LoadTimeoutException(name, key, settings.loadTimeout())
        : error;
  }

  @Override
  public void put(Object key, Object value) {
    Object k = normalize(key);
    flights.supersede(k);
    if (!policy.isCacheable(value)) {
      remote.evict(k.toString());
      flights.supersede(k);
      local.evict(k);
      return;
    }
    if (value != null) {
      guard.add(k);
    }
    CacheEntry entry = policy.entryFor(value, clock.millis(), 0);
    remote.put(k.toString(), entry, value == null ? Object.class : value.getClass());
    flights.supersede(k);
    l1.store(k, entry, null);
  }

  @Override
  public void evict(Object key) {
    Object k = normalize(key);
    flights.supersede(k);
    remote.evict(k.toString());
    flights.supersede(k);
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
    for (Object key : flights.keys()) {
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
   * may store it after the first delete; deleting again after {@code evict-delay} removes it. Run by
   * the scheduler itself (one delete), never handed to the refresh pool, so a busy pool cannot drop it.
   */
  private void evictAgainLater(Object key) {
    long delay = settings.evictDelay().toMillis();
    if (delay <= 0) {
      return;
    }
    try {
      scheduler.schedule(() -> {
        try {
          flights.supersede(key);
          remote.evict(key.toString());
          flights.supersede(key);
          local.evict(key);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "The delayed second delete of key '" + key + "' in cache '" + name + "' failed", e);
        }
      }, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.log(Level.WARNING, () -> "The delayed second delete of key '" + key + "' in cache '" + name
          + "' could not be scheduled (the scheduler is shut down); a value stored by a racing reader may live "
          + "until its ttl");
    }
  }

  @Override
  public void clear() {
    flights.supersedeAll();
    remote.clear();
    flights.supersedeAll();
    local.clear();
  }

  @Override
  public void invalidated(String key, long version) {
    flights.supersede(key, version);
    local.evict(key);
  }

  @Override
  public void availableAgain() {
    local.capRetention(clock.millis() + settings.local().ttl().toMillis());
  }

  @Override
  public void invalidatedAll() {
    flights.supersedeAll();
    local.clear();
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
    return remote.isPresent() ? keyNames.of(key) : key;
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
