package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.Test;

/**
 * Callers that find a load of their key under way arm no timer: a hot key's stale reads during a
 * refresh used to leave one {@code load-timeout} timer each on the JDK's single delayer thread.
 * Counted on the cache's scheduler, where Coalesce arms its timers, on every JDK; and also on the
 * JDK's delayer where the JDK has one to look at (17 to 21; the build opens
 * {@code java.util.concurrent} to the tests for it).
 */
class NoTimersTest {

  @Test
  void staleReadsDuringARefreshArmNoTimers() throws Exception {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    ScheduledThreadPoolExecutor delayer = jdkDelayer();
    try {
      TestClock clock = new TestClock();
      Queue<Runnable> neverRun = new ArrayDeque<>();
      CoalescingCache cache = CoalescingCacheBuilder.named("products").clock(clock).refreshExecutor(neverRun::add)
          .scheduler(scheduler)
          .settings(CacheSettings.builder().ttl(Duration.ofMinutes(1)).jitter(0).staleTtl(Duration.ofMinutes(10))
              .earlyRefreshBeta(0).build())
          .localTier(CaffeineLocalTier.create(100, clock)).build();
      cache.get("hot", String.class, () -> "v1");
      clock.advance(Duration.ofMinutes(2)); // stale: every read serves it and finds the refresh under way

      int before = delayer == null ? 0 : delayer.getQueue().size();
      for (int i = 0; i < 100_000; i++) {
        assertThat(cache.get("hot", String.class, () -> "v2")).isEqualTo("v1");
      }
      assertThat(neverRun).hasSize(1);
      // (the refresh's own timer is armed when it runs, on the executor: here it never runs)
      assertThat(scheduler.getQueue()).as("timers armed on the cache's scheduler by 100,000 stale reads")
          .filteredOn(timer -> !((java.util.concurrent.Future<?>) timer).isCancelled()).isEmpty();
      if (delayer != null) {
        assertThat(delayer.getQueue().size() - before).as("timers left armed by 100,000 stale reads").isLessThan(10);
      }
    } finally {
      scheduler.shutdownNow();
    }
  }

  /** The JDK's CompletableFuture timer thread, or {@code null} where this JDK has none to look at. */
  private static ScheduledThreadPoolExecutor jdkDelayer() {
    try {
      Field field = Class.forName("java.util.concurrent.CompletableFuture$Delayer").getDeclaredField("delayer");
      field.setAccessible(true);
      return (ScheduledThreadPoolExecutor) field.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // another JDK's internals, or java.util.concurrent not opened
    }
  }
}
