package io.coalesce.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One load of one key, shared by every caller that arrives while it runs. {@link #result} is
 * completed once by the leader with the loaded entry (or the loader's exception) and is never
 * completed by a timeout: a waiting thread bounds its own wait, and asynchronous callers share one
 * bounded view of it ({@link #followAsync}), so a load has at most one timer.
 *
 * <p>A put or evict of the key while the load runs {@linkplain #supersede() supersedes} it: its
 * result still goes to its own callers but is not stored, so it cannot outlive the write. Another
 * instance's write supersedes it only if the load read an older version of the key
 * ({@link #supersededBy(long)}).
 */
final class Flight {

  private static final long NO_WRITE = Long.MIN_VALUE;

  final CompletableFuture<CacheEntry> result = new CompletableFuture<>();
  /** The entry a background refresh replaces, or {@code null} for a load that callers wait for. */
  private final CacheEntry refreshed;
  private final AtomicBoolean recorded = new AtomicBoolean();
  private final AtomicBoolean timedOut = new AtomicBoolean();
  private final AtomicReference<CompletableFuture<CacheEntry>> asyncFollowers = new AtomicReference<>();
  private volatile boolean superseded;
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
   * The outcome as asynchronous callers that joined this load see it: {@link #result}, or a
   * {@link TimeoutException} once {@code timeoutNanos} have passed since the first of them joined,
   * just after {@code onTimeout} has run. One timer for the load however many join, on
   * {@code scheduler}: not {@code CompletableFuture.orTimeout}, whose JDK-wide timer takes a pool
   * lock on first use on JDK 25, on the joining thread (a reactive subscriber's). Its cancellation
   * when the load ends in time takes no lock either (the task stays queued until its delay).
   * Callers get a dependent of it, so one caller's cancellation reaches no other.
   */
  CompletableFuture<CacheEntry> followAsync(ScheduledExecutorService scheduler, long timeoutNanos, Runnable onTimeout) {
    CompletableFuture<CacheEntry> followers = asyncFollowers.get();
    if (followers != null) {
      return followers;
    }
    CompletableFuture<CacheEntry> mine = result.copy();
    if (!asyncFollowers.compareAndSet(null, mine)) {
      return asyncFollowers.get();
    }
    if (!mine.isDone()) {
      try {
        ScheduledFuture<?> timer = scheduler.schedule(() -> {
          if (!mine.isDone()) {
            onTimeout.run(); // first, so that a caller arriving from now on starts a load of its own
            mine.completeExceptionally(new TimeoutException());
          }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        mine.whenComplete((entry, error) -> timer.cancel(false));
      } catch (RejectedExecutionException shutDown) {
        // no timer (the scheduler is shut down): they wait for the load itself
      }
    }
    return mine;
  }

  /** True for the first caller released by {@code load-timeout} only. */
  boolean markTimedOut() {
    return timedOut.compareAndSet(false, true);
  }
}
