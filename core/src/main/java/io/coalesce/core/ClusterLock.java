package io.coalesce.core;

import io.coalesce.core.CacheListener.LockResult;
import io.coalesce.core.RemoteTier.Lease;
import io.coalesce.core.RemoteTier.Read;
import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The cluster-wide single flight of one cache: before a leader loads a key, it takes the key's
 * rebuild lock; if another instance holds it, the leader waits for that instance's value (woken by
 * its outcome, with polling as a backstop) and retries the lock now and then, so that a holder that
 * died is replaced once its lease lapses. A background refresh waits the same way, on its pool
 * thread, while its callers keep being served the value it refreshes; so every instance takes the
 * value of the one instance that refreshed, in the window the refresh was meant for. Time comes from
 * the injected {@link Ticker}.
 */
final class ClusterLock {

  /** What the leader does next. */
  sealed interface Decision permits Load, Served, Failed {}

  /**
   * Load, holding {@code lease} ({@code null}: without the lock). {@code readVersion} is the key's
   * version the load must find unchanged to write back.
   */
  record Load(Lease lease) implements Decision {}

  /**
   * Another instance's value arrived, or one was already there, at {@code version}: no load. A
   * refresh that heard nothing is served the entry it refreshes, at {@link RemoteTier#UNKNOWN_VERSION}.
   */
  record Served(CacheEntry entry, long version) implements Decision {}

  /** Give up (lock.on-timeout = fail). */
  record Failed(Throwable error) implements Decision {}

  private static final Load WITHOUT_LOCK = new Load(null);

  private final String cache;
  private final RemoteTier remote;
  private final SingleFlight flights;
  private final CacheSettings.Lock settings;
  private final CacheListener listener;
  private final Ticker ticker;
  private final Clock clock;
  private final long retryNanos;
  private final Executor executor;
  private final ScheduledExecutorService scheduler;

  ClusterLock(String cache, RemoteTier remote, SingleFlight flights, CacheSettings.Lock settings, CacheListener listener, Ticker ticker,
      Clock clock, Duration retryInterval, Executor executor, ScheduledExecutorService scheduler) {
    this.executor = executor;
    this.scheduler = scheduler;
    this.cache = cache;
    this.remote = remote;
    this.flights = flights;
    this.settings = settings;
    this.listener = listener;
    this.ticker = ticker;
    this.clock = clock;
    this.retryNanos = retryInterval.toNanos();
  }

  /** Whether loads of this cache take the lock at all. */
  boolean enabled() {
    return settings.enabled() && remote.isPresent();
  }

  /**
   * Takes the lock for {@code key} or waits for the instance that holds it.
   *
   * @param fallback the value a failed load may fall back to (and that a refresh keeps serving), or
   *     {@code null}
   * @param refreshing whether this is a background refresh (which never waits)
   * @param tried the outcome of trying the lock atomically with the leader's read
   *     ({@link RemoteTier#readOrLock}), or {@code null} when it was not tried yet
   */
  Decision acquire(Object key, Type type, Flight flight, CacheEntry fallback, boolean refreshing, Lease tried) {
    if (tried != null && tried.state() == Lease.State.ACQUIRED) {
      // Taken in the same atomic step as the read that found nothing to serve: nothing was written
      // in between, so no second read.
      listener.onLock(LockResult.ACQUIRED);
      return new Load(tried);
    }
    if (!enabled() || !remote.isAvailable()) {
      // Without a shared tier that answers, no lock: a call pays for at most one failed command.
      return WITHOUT_LOCK;
    }
    String id = key.toString();
    long newerThan = fallback == null ? Long.MIN_VALUE : fallback.writtenAt();
    Lease lease = tried != null ? tried : remote.tryLock(id);
    if (lease.state() == Lease.State.HELD_ELSEWHERE) {
      listener.onLock(LockResult.CONTENDED);
      long deadline = ticker.read() + settings.waitTime().toNanos();
      while (lease.state() == Lease.State.HELD_ELSEWHERE) {
        long remaining = deadline - ticker.read();
        if (remaining <= 0) {
          listener.onLock(LockResult.GAVE_UP);
          // A refresh that heard nothing keeps serving what it has; the next read past it retries.
          return refreshing && fallback != null ? new Served(fallback, RemoteTier.UNKNOWN_VERSION) : giveUp(id);
        }
        Read theirs = remote.awaitLoaded(id, type, Duration.ofNanos(Math.min(remaining, retryNanos)), newerThan);
        if (theirs.hit()) {
          listener.onLock(LockResult.WAITED);
          flights.read(key, flight, theirs.version());
          return new Served(theirs.entry(), theirs.version());
        }
        lease = remote.tryLock(id);
      }
    }
    return taken(key, type, flight, lease, newerThan);
  }

  /** After the wait: the lock taken (or unavailable); a double check of the value under it. */
  private Decision taken(Object key, Type type, Flight flight, Lease lease, long newerThan) {
    String id = key.toString();
    if (lease.state() == Lease.State.UNAVAILABLE) {
      return WITHOUT_LOCK;
    }
    listener.onLock(LockResult.ACQUIRED);
    // Double check under the lock: the previous holder may have finished just before we took it.
    Read shared = remote.read(id, type);
    flights.read(key, flight, shared.version());
    if (shared.hit() && shared.entry().isFresh(clock.millis()) && shared.entry().writtenAt() > newerThan) {
      remote.release(lease);
      return new Served(shared.entry(), shared.version());
    }
    return new Load(lease);
  }

  /**
   * {@link #acquire} for a key whose lock {@code heldElsewhere} is held by another instance, without
   * holding a thread while it waits: the holder's value (or the lock) is looked for on the executor
   * after 10 ms, then at doubling intervals up to 100 ms, until {@code lock.wait}; between looks no
   * thread is held. An asynchronous batch read waits so: its executor threads must stay free for
   * the settlements of this instance's own loads, which other instances wait for in turn.
   */
  void acquireAsync(Object key, Type type, Flight flight, CacheEntry fallback, Lease heldElsewhere,
      Consumer<Decision> then) {
    listener.onLock(LockResult.CONTENDED);
    long deadline = ticker.read() + settings.waitTime().toNanos();
    long newerThan = fallback == null ? Long.MIN_VALUE : fallback.writtenAt();
    lookLater(key, type, flight, deadline, newerThan, FIRST_LOOK_MILLIS, then);
  }

  private static final long FIRST_LOOK_MILLIS = 10;
  private static final long MAX_LOOK_MILLIS = 100;

  private void lookLater(Object key, Type type, Flight flight, long deadline, long newerThan, long delayMillis,
      Consumer<Decision> then) {
    Runnable look = () -> {
      Decision decision;
      try {
        decision = look(key, type, flight, deadline, newerThan);
      } catch (Throwable t) {
        decision = new Failed(t);
      }
      if (decision != null) {
        decide(flight, decision, then);
      } else {
        lookLater(key, type, flight, deadline, newerThan, Math.min(MAX_LOOK_MILLIS, delayMillis * 2), then);
      }
    };
    try {
      scheduler.schedule(() -> {
        try {
          executor.execute(look);
        } catch (RejectedExecutionException busy) {
          decide(flight, new Failed(LoadRejectedException.saturated(cache, busy)), then);
        }
      }, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shutDown) {
      decide(flight, new Failed(LoadRejectedException.saturated(cache, shutDown)), then);
    }
  }

  private static void decide(Flight flight, Decision decision, Consumer<Decision> then) {
    try {
      then.accept(decision);
    } catch (Throwable t) {
      Leader.fail(flight, t); // a no-op for a flight already settled
    }
  }

  /** One look for the holder's value, then at the lock; {@code null}: still held, wait on. */
  private Decision look(Object key, Type type, Flight flight, long deadline, long newerThan) {
    String id = key.toString();
    Read theirs = remote.awaitLoaded(id, type, Duration.ZERO, newerThan); // one read, no wait
    if (theirs.hit()) {
      listener.onLock(LockResult.WAITED);
      flights.read(key, flight, theirs.version());
      return new Served(theirs.entry(), theirs.version());
    }
    Lease lease = remote.tryLock(id);
    if (lease.state() != Lease.State.HELD_ELSEWHERE) {
      return taken(key, type, flight, lease, newerThan);
    }
    if (ticker.read() - deadline >= 0) {
      listener.onLock(LockResult.GAVE_UP);
      return giveUp(id);
    }
    return null;
  }

  /** Nothing came from the lock holder within {@code lock.wait}. */
  private Decision giveUp(String key) {
    if (settings.onTimeout() == LockTimeoutAction.FAIL) {
      return new Failed(LoadTimeoutException.lockWait(cache, key, settings.waitTime()));
    }
    return WITHOUT_LOCK;
  }
}
