package io.coalesce.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One load of one key, shared by every caller that arrives while it runs. {@link #result} is what
 * its callers see: completed once, with the loaded entry (or the loader's exception), or by the
 * flight's timer when {@code load-timeout} has passed since it was led ({@link #timeOut}), so that
 * no caller — leader, follower, synchronous or asynchronous — waits longer. A load that outlives its
 * timer goes on; its outcome is still settled (and stored, if no write superseded it), and a
 * synchronous leader, whose own thread ran the loader, gets it from {@link #settled}.
 *
 * <p>A put or evict of the key while the load runs {@linkplain #supersede() supersedes} it: its
 * result still goes to its own callers but is not stored, so it cannot outlive the write. Another
 * instance's write supersedes it only if the load read an older version of the key
 * ({@link #supersededBy(long)}).
 */
final class Flight {

  /**
   * The outcome of a flight that ended before its load started (the refresh pool rejected it): its
   * callers start over rather than receive an error that no loader raised.
   */
  static final class Abandoned extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Abandoned() {
      super("the flight was abandoned before its load started", null, false, false);
    }
  }

  private static final long NO_WRITE = Long.MIN_VALUE;

  /** What the flight's callers see. */
  final CompletableFuture<CacheEntry> result = new CompletableFuture<>();
  /** The load's own outcome, once settled, whether or not the timer completed {@link #result} first. */
  final CompletableFuture<CacheEntry> settled = new CompletableFuture<>();
  /** The entry a background refresh replaces, or {@code null} for a load that callers wait for. */
  private final CacheEntry refreshed;
  private final AtomicBoolean recorded = new AtomicBoolean();
  private final AtomicBoolean timedOut = new AtomicBoolean();
  /** Frees what the load holds (its bulkhead slot) when the timer fires first; set once it holds one. */
  private final AtomicReference<Runnable> onTimeout = new AtomicReference<>();
  private volatile boolean superseded;
  /** Messages about the key may have been lost while it ran: its value may go to the shared tier, fenced, not to L1. */
  private volatile boolean unheard;
  private volatile long readVersion = RemoteTier.UNKNOWN_VERSION;
  /** The newest version another instance's write reported before this load's read answered. */
  private long newestWriteBeforeRead = NO_WRITE;
  private boolean readAnswered;

  /** A load that callers wait for. */
  Flight() {
    this(null);
  }

  /** A background refresh of {@code refreshed}. */
  Flight(CacheEntry refreshed) {
    this.refreshed = refreshed;
  }

  /**
   * The entry this background refresh replaces, while it may still be served at {@code now}, or
   * {@code null} (not a refresh, or that entry is past its stale window): what a caller that joins the
   * refresh is served, instead of waiting for it.
   */
  CacheEntry servableRefreshed(long now) {
    CacheEntry entry = refreshed;
    return entry != null && entry.isServable(now) ? entry : null;
  }

  /** Whether this is a background refresh of exactly {@code entry}. */
  boolean refreshes(CacheEntry entry) {
    return refreshed != null && refreshed == entry;
  }

  /** A write of the key here (or a clear): whatever this load read is older than it. */
  void supersede() {
    superseded = true;
  }

  /**
   * Another instance's write that made the key {@code version}: older than what this load read
   * only if its version is newer. A write of unknown version supersedes any load. One that arrives
   * before the load's read has answered is held against that read: the read may have run in Redis
   * before the write (then it reports an older version) or after it.
   */
  synchronized boolean supersededBy(long version) {
    if (version == RemoteTier.UNKNOWN_VERSION) {
      superseded = true;
    } else if (!readAnswered) {
      newestWriteBeforeRead = Math.max(newestWriteBeforeRead, version);
    } else if (readVersion == RemoteTier.UNKNOWN_VERSION || version > readVersion) {
      superseded = true; // a failed read proves nothing about what the load saw
    }
    return superseded;
  }

  boolean isSuperseded() {
    return superseded;
  }

  /**
   * The subscription to other instances' messages began while this load ran (at start-up, or again
   * after a lost connection): a write it did not hear of may have come since it read. Its fenced
   * write-back still proves or refutes that in the shared tier, so it is written back; but its value is
   * not kept in L1, and no later caller joins it.
   */
  void missedMessages() {
    unheard = true;
  }

  /** Whether the value may be kept in L1 and joined: neither superseded nor loaded while messages were missed. */
  boolean mayServeLocally() {
    return !superseded && !unheard;
  }

  /**
   * The load read the key at {@code version} in the shared tier ({@link RemoteTier#UNKNOWN_VERSION}:
   * the read did not answer). Returns whether the load is superseded: a write reported before this
   * read answered is newer than what it read, or cannot be compared with it.
   */
  synchronized boolean read(long version) {
    readAnswered = true;
    readVersion = version;
    if (newestWriteBeforeRead != NO_WRITE
        && (version == RemoteTier.UNKNOWN_VERSION || newestWriteBeforeRead > version)) {
      superseded = true;
    }
    return superseded;
  }

  long readVersion() {
    return readVersion;
  }

  /** True exactly once per flight: whoever wins records the load's outcome. */
  boolean claimRecord() {
    return recorded.compareAndSet(false, true);
  }

  /**
   * Ends the wait of the flight's callers at {@code load-timeout}, unless its outcome came first:
   * {@code expired} runs first (so that a caller arriving from then on starts a load of its own), then
   * what the load holds is freed, then {@code timeout} completes {@link #result}. Whatever calls it
   * first, once: the flight's timer, or a synchronous follower that waited {@code load-timeout} itself
   * (it joined after the flight was led, so the load is at least that old) whether or not the leader
   * has armed the timer yet.
   */
  void timeOut(Runnable expired, Runnable timeout) {
    if (!result.isDone() && timedOut.compareAndSet(false, true)) {
      expired.run();
      Runnable free = onTimeout.getAndSet(() -> {});
      if (free != null) {
        free.run();
      }
      timeout.run();
    }
  }

  /**
   * Runs {@code fire} after {@code timeoutNanos}, unless {@link #result} completes first. One timer per
   * flight, on {@code scheduler}; a scheduler that is shut down leaves the flight without one (its
   * asynchronous callers then wait for the load itself). A flight that ends in time cancels its timer
   * without removing it from the scheduler's queue, which takes no lock on the thread that completed
   * the load (a driver's event loop, maybe); the scheduler purges cancelled timers itself.
   */
  void armTimeout(ScheduledExecutorService scheduler, long timeoutNanos, Runnable fire) {
    if (result.isDone()) {
      return;
    }
    try {
      ScheduledFuture<?> timer = scheduler.schedule(fire, timeoutNanos, TimeUnit.NANOSECONDS);
      result.whenComplete((entry, error) -> timer.cancel(false));
    } catch (RejectedExecutionException shutDown) {
      // no timer: the callers wait for the load itself
    }
  }

  /**
   * {@code free} runs once: when the timer fires, or at once if it already has. The load calls it
   * when it takes its bulkhead slot, so that a load that hangs does not keep it.
   */
  void onTimeoutFree(Runnable free) {
    if (!onTimeout.compareAndSet(null, free)) {
      free.run(); // the timer fired before the slot was taken
    }
  }

  /** Whether the flight's timer fired before its load ended. */
  boolean hasTimedOut() {
    return timedOut.get();
  }

  /** Ends the flight before its load started: its callers start over. */
  void abandon() {
    claimRecord();
    result.completeExceptionally(new Abandoned());
  }

  /** Whether {@code error} is a flight's {@link #abandon() abandonment}. */
  static boolean isAbandoned(Throwable error) {
    return LoadRunner.unwrap(error) instanceof Abandoned;
  }
}
