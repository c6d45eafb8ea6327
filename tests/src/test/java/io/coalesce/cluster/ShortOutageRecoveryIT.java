package io.coalesce.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.test.RedisServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An outage shorter than the breaker's 5 s wait in the open state, on the default local ttl. When
 * Redis comes back, the invalidation subscription comes back too and drops every L1 copy; the
 * reloads that follow must go through Redis. Before, the subscription usually came back a little
 * before the probe half-opened the breaker: the reloads skipped Redis, and their L1 copies kept it
 * unused for a whole ttl (2.4 s after a restart in the benchmark's outage scenario, ttl 2 s). The
 * same happened, now and then, when the subscription's connection came back before the one the reads
 * use ({@code SubscriptionBeforeCommandsIT}).
 */
class ShortOutageRecoveryIT {

  static final int KEYS = 20;

  @Test
  void afterAShortOutageTheReloadsGoThroughTheRestartedRedis() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      ProductDb db = new ProductDb();
      for (long id = 0; id < KEYS; id++) {
        db.put(id, "product-" + id);
      }
      try (Instances instances = Instances.start(1, db,
          "spring.data.redis.port=" + redis.port(),
          "coalesce.redis.command-timeout=300ms",
          "coalesce.defaults.ttl=8s",
          "coalesce.defaults.jitter=0",
          "coalesce.defaults.early-refresh-beta=0")) {
        long firstWriteAfterMillis = -1;
        // Redis goes away before the first reads: their failed reads and writes open the breaker,
        // and every key is then in L1 for its whole ttl, so no Redis call is due before it expires.
        redis.kill();
        ReadLoad callers = new ReadLoad(instances.service(0), KEYS);
        try (callers) {
          Thread.sleep(2_500); // shorter than the breaker's 5 s wait in the open state
          redis.restart();
          long restartedAt = System.nanoTime();
          while (System.nanoTime() - restartedAt < TimeUnit.SECONDS.toNanos(10) && firstWriteAfterMillis < 0) {
            if (!redis.text("KEYS", "it:products:*").isEmpty()) {
              firstWriteAfterMillis = (System.nanoTime() - restartedAt) / 1_000_000;
            }
            Thread.sleep(10);
          }
        }
        assertThat(callers.errors).isEmpty();
        System.out.printf("[ShortOutageRecoveryIT] first value written %d ms after the restarted Redis answered%n",
            firstWriteAfterMillis);
        // Measured 440-510 ms once fixed; without the fix, about a whole ttl (8.5 s).
        assertThat(firstWriteAfterMillis).as("first value written after restart").isBetween(0L, 2_500L);
      }
    }
  }
}
