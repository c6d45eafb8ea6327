package io.coalesce.core;

import io.coalesce.core.CacheListener.GetResult;
import io.coalesce.core.CacheListener.RefreshTrigger;
import io.coalesce.core.RemoteTier.Read;
import java.lang.reflect.Type;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The leader of a flight: what one caller does for every caller of a key that missed L1. It looks
 * at L1 again (the previous flight may have stored the key just before it left the map), reads the
 * shared tier (taking the rebuild lock in the same step when nothing there may serve), serves what it
 * finds, and otherwise goes through the cluster lock to the load. Whatever happens, the flight is
 * completed, so no caller waits for nothing.
 *
 * <p>Ordering that keeps "one load per key per window" exact: a leader stores the entry before it
 * completes its flight, and the flight leaves the in-flight map only after it completes; a caller
 * that becomes leader re-reads L1 before going further, so it finds what the previous flight stored.
 * Across instances the rebuild lock plays the same part, with a re-read of L2 once it is held.
 */
final class Leader {

  private final String name;
  private final LocalStore l1;
  private final RemoteTier remote;
  private final SingleFlight flights;
  private final ClusterLock lock;
  private final LoadRunner runner;
  private final KeyGuard guard;
  private final EntryPolicy policy;
  private final CacheListener listener;
  private final Clock clock;
  private final Executor executor;
  private final Callers callers;
  /** Nothing an asynchronous lead does here can block: see {@link #leadHere}. */
  private final boolean nothingBlocks;
  /** How often keys are read ({@code null}: nothing is refreshed early), for a value served from the shared tier. */
  private final ReadGaps readGaps;
  private Refresher refresher;

  Leader(String name, LocalStore l1, RemoteTier remote, SingleFlight flights, ClusterLock lock, LoadRunner runner,
      KeyGuard guard, EntryPolicy policy, CacheListener listener, Clock clock, Executor executor, Callers callers,
      boolean nothingBlocks, ReadGaps readGaps) {
    this.name = name;
    this.readGaps = readGaps;
    this.nothingBlocks = nothingBlocks;
    this.callers = callers;
    this.l1 = l1;
    this.remote = remote;
    this.flights = flights;
    this.lock = lock;
    this.runner = runner;
    this.guard = guard;
    this.policy = policy;
    this.listener = listener;
    this.clock = clock;
    this.executor = executor;
  }

  /** The refresher a stale value found in the shared tier is handed to (they call each other). */
  void refreshWith(Refresher refresher) {
    this.refresher = refresher;
  }

  /**
   * Leads {@code flight} on this thread: the synchronous read, whose loader runs here so that it
   * sees the caller's thread-bound context.
   *
   * @param expired an expired L1 entry kept for {@code stale-if-error}, or {@code null}
   */
  void lead(Object key, Type type, Flight flight, Load load, CacheEntry expired) {
    lead(key, type, flight, load, expired, true);
  }

  private void lead(Object key, Type type, Flight flight, Load load, CacheEntry expired, boolean waitHere) {
    try {
      readThenLoad(key, type, flight, load, expired, waitHere);
    } catch (Throwable t) {
      fail(flight, t);
    }
  }

  /**
   * Leads {@code flight} on the executor: an asynchronous read, so that no Redis call, lock wait or
   * bulkhead wait runs on the caller's thread. The Bloom guard is asked there too (a shared filter
   * is a Redis call). An executor too busy to take it fails the flight with
   * {@link LoadRejectedException}, counted as a failed load.
   */
  void leadAsync(Object key, Type type, Flight flight, Load load, CacheEntry expired) {
    if (nothingBlocks) {
      leadHere(key, type, flight, load, expired);
      return;
    }
    Runnable lead = () -> {
      callers.arm(key, flight);
      if (expired == null && guard.certainlyAbsent(key)) {
        complete(flight, policy.entryFor(null, clock.millis(), 0)); // "not found", not stored
      } else {
        lead(key, type, flight, load, expired, false);
      }
    };
    try {
      executor.execute(lead);
    } catch (RejectedExecutionException busy) {
      // Never here instead: the caller's thread may be an event loop, and the lead does Redis I/O
      // and may wait for a lock or a load slot. Its callers get a rejection they can retry.
      listener.onLoad(CacheListener.LoadOutcome.FAILURE, 0);
      fail(flight, LoadRejectedException.saturated(name, busy));
    }
  }

  /**
   * An asynchronous lead on the caller's thread, for a cache where nothing in it can block: no shared
   * tier (no Redis call, no lock), no Bloom filter, no bulkhead bound. It only starts the caller's
   * loader (which returns its stage) and, when that is already complete, stores the value in L1,
   * sparing two thread hand-offs. A load still running on return gets its timer from the executor:
   * arming it takes the scheduler's lock, which the caller's thread (an event loop) must not.
   */
  private void leadHere(Object key, Type type, Flight flight, Load load, CacheEntry expired) {
    lead(key, type, flight, load, expired, false);
    if (!flight.result.isDone()) {
      try {
        executor.execute(() -> callers.arm(key, flight));
      } catch (RejectedExecutionException busy) {
        // the load goes on without a timer: its callers wait for it, as with a shut-down scheduler
      }
    }
  }

  /**
   * @param waitHere whether this thread may wait for another instance's load of the key (a
   *     synchronous caller's); an asynchronous lead's executor thread does not: the key is looked for
   *     now and then without holding a thread ({@link ClusterLock#acquireAsync}), so that executor
   *     threads all waiting for other instances cannot hold up this instance's own settlements
   */
  private void readThenLoad(Object key, Type type, Flight flight, Load load, CacheEntry expired, boolean waitHere) {
    long now = clock.millis();
    CacheEntry stored = l1.get(key, now);
    if (stored != null && stored != expired && stored.isFresh(now)) {
      complete(flight, stored); // the previous flight stored this just before it left the map
      listener.onGet(GetResult.L1_HIT);
      return;
    }
    RemoteTier.ReadOrLock first = lock.enabled()
        ? remote.readOrLock(key.toString(), type, now)
        : new RemoteTier.ReadOrLock(remote.read(key.toString(), type), null);
    Read shared = first.read();
    flights.read(key, flight, versionRead(shared));
    if (shared.hit() && shared.entry().isServable(now)) {
      if (first.lease() != null) {
        remote.release(first.lease()); // taken for an entry the tier's clock saw expire: not needed here
      }
      serveShared(key, type, flight, load, shared);
      return;
    }
    listener.onGet(GetResult.MISS);
    if (shared.foreign()) {
      // Another type's value that its instances still serve: load for this instance alone, no lock.
      if (first.lease() != null) {
        remote.release(first.lease());
      }
      runner.run(key, type, flight, load, expired, null, false);
      return;
    }
    CacheEntry fallback = expired != null ? expired : shared.entry();
    if (!waitHere && first.lease() != null && first.lease().state() == RemoteTier.Lease.State.HELD_ELSEWHERE) {
      lock.acquireAsync(key, type, flight, fallback, first.lease(),
          decision -> follow(key, type, flight, load, fallback, decision));
      return;
    }
    loadUnderLock(key, type, flight, load, fallback, false, first.lease());
  }

  /**
   * A value the shared tier holds that may serve: copied to L1 and served, refreshed if stale, or if
   * fresh but near enough its expiry for the early refresh. A key read less often than L1 keeps its
   * copy ({@code local.ttl}) is always served from here, so its early refresh starts here too.
   */
  void serveShared(Object key, Type type, Flight flight, Load load, Read shared) {
    l1.store(key, shared.entry(), shared.version(), flight);
    complete(flight, shared.entry());
    long now = clock.millis();
    if (shared.entry().isFresh(now)) {
      listener.onGet(GetResult.L2_HIT);
      if (readGaps != null && policy.shouldRefreshEarly(shared.entry(), now, readGaps.averageGap(key))) {
        refresher.refresh(key, type, load, shared.entry(), RefreshTrigger.EARLY);
      }
    } else {
      listener.onGet(GetResult.STALE);
      refresher.refresh(key, type, load, shared.entry(), RefreshTrigger.STALE);
    }
  }

  /**
   * The version a load reading {@code shared} stores under: the shared tier's, or, without a shared
   * tier, this cache's current one.
   */
  long versionRead(Read shared) {
    return remote.isPresent() ? shared.version() : l1.versionForLoad();
  }

  /**
   * The cluster-wide single flight, then the load.
   *
   * @param fallback the value a failed load may serve instead (and a refresh keeps serving), or {@code null}
   * @param refreshing whether this is a background refresh
   * @param tried the lock as the leader's read tried it, or {@code null}
   */
  void loadUnderLock(Object key, Type type, Flight flight, Load load, CacheEntry fallback, boolean refreshing,
      RemoteTier.Lease tried) {
    follow(key, type, flight, load, fallback, lock.acquire(key, type, flight, fallback, refreshing, tried));
  }

  /** Does what the cluster lock decided: serve another instance's value, fail, or load. */
  void follow(Object key, Type type, Flight flight, Load load, CacheEntry fallback, ClusterLock.Decision decision) {
    if (decision instanceof ClusterLock.Served served) {
      if (served.entry() != fallback) {
        l1.store(key, served.entry(), served.version(), flight);
      }
      complete(flight, served.entry());
    } else if (decision instanceof ClusterLock.Failed failed) {
      fail(flight, failed.error());
    } else {
      runner.run(key, type, flight, load, fallback, ((ClusterLock.Load) decision).lease());
    }
  }

  /** Completes a flight with an entry that needed no load. */
  static void complete(Flight flight, CacheEntry entry) {
    flight.claimRecord();
    flight.settled.complete(entry);
    flight.result.complete(entry);
  }

  /** Fails a flight with an error that is not a load's outcome (that one is the runner's). */
  static void fail(Flight flight, Throwable error) {
    flight.claimRecord();
    flight.settled.completeExceptionally(error);
    flight.result.completeExceptionally(error);
  }
}
