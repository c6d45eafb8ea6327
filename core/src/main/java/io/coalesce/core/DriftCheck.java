package io.coalesce.core;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Measures the consistency guarantee instead of assuming it: a sample of L1 hits
 * ({@code drift-sample-rate}) compares, off the read path, the version of the copy served with the
 * key's version in the shared tier. A copy older than the shared tier is looked at again after
 * {@link #SETTLE} (an invalidation may still be on its way); if the same copy is still held and still
 * older, it is counted ({@link CacheListener#onDrift()}: {@code coalesce.l1.drift}). A healthy cluster
 * counts none. Samples are also spaced at least {@link #SPACING} apart per cache, so that a key read
 * millions of times a second does not turn the sample into thousands of Redis reads a second.
 */
final class DriftCheck {

  /** How long an invalidation may take to arrive before an older copy counts as drift. */
  static final Duration SETTLE = Duration.ofSeconds(1);

  /** The least time between two samples of one cache, in milliseconds. */
  static final long SPACING = 10;

  private final double rate;
  private final RandomGenerator random;
  private final LocalStore l1;
  private final RemoteTier remote;
  private final CacheListener listener;
  private final java.time.Clock clock;
  private final Executor executor;
  private final ScheduledExecutorService scheduler;

  DriftCheck(double rate, RandomGenerator random, LocalStore l1, RemoteTier remote, CacheListener listener,
      java.time.Clock clock, Executor executor, ScheduledExecutorService scheduler) {
    this.rate = remote.isPresent() ? rate : 0;
    this.random = random;
    this.l1 = l1;
    this.remote = remote;
    this.listener = listener;
    this.clock = clock;
    this.executor = executor;
    this.scheduler = scheduler;
  }

  /** Whether hits are sampled at all. */
  boolean enabled() {
    return rate > 0;
  }

  /**
   * An L1 hit served {@code held} for {@code key}, at least {@link #SPACING} after the last sample:
   * checked with probability {@code drift-sample-rate}. Returns whether it was.
   */
  boolean sample(Object key, CacheEntry held) {
    if (random.nextDouble() >= rate) {
      return false;
    }
    submit(() -> check(key, held, true));
    return true;
  }

  private void check(Object key, CacheEntry held, boolean first) {
    long mine = l1.version(key);
    if (l1.get(key, clock.millis()) != held || mine == LocalTier.NO_VERSION) {
      return; // replaced or gone meanwhile: nothing older is served
    }
    long theirs = remote.currentVersion(key.toString());
    if (theirs == RemoteTier.UNKNOWN_VERSION || theirs <= mine) {
      return;
    }
    if (first) {
      try {
        scheduler.schedule(() -> submit(() -> check(key, held, false)), SETTLE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException shutDown) {
        // not checked again
      }
    } else {
      listener.onDrift();
    }
  }

  private void submit(Runnable check) {
    try {
      executor.execute(check);
    } catch (RejectedExecutionException busy) {
      // a busy pool skips a sample
    }
  }
}
