package io.coalesce.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.redis.internal.RedisTiers;
import io.coalesce.test.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis faults under load, with a real redis-server killed, restarted and paused: no caller ever
 * sees an exception, the loaders run at most once per key per window meanwhile, and the shared tier
 * is used again once Redis is back.
 */
class RedisOutageIT {

  static final int KEYS = 20;

  RedisServer redis;
  ProductDb db;
  Instances instances;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    db = new ProductDb();
    for (long id = 0; id < KEYS; id++) {
      db.put(id, "product-" + id);
    }
    instances = Instances.start(1, db,
        "spring.data.redis.port=" + redis.port(),
        "coalesce.redis.command-timeout=300ms",
        "coalesce.defaults.ttl=1s",
        "coalesce.defaults.jitter=0",
        "coalesce.defaults.early-refresh-beta=0",
        "coalesce.defaults.local.ttl=200ms"); // L1 copies go quickly: reads reach L2 often
  }

  @AfterEach
  void stop() {
    instances.close();
    redis.close();
  }

  @Test
  void redisKilledAndRestartedUnderLoadNeverReachesACaller() throws Exception {
    RedisTiers tiers = instances.context(0).getBean(RedisTiers.class);
    List<Long> loadsAtNanos = new ArrayList<>();
    long t0 = System.nanoTime();
    long killedAt;
    long restartedAt;
    int loadsBeforeKill;
    int loadsWhileDown;
    long l2HitsResumedAfterMillis = -1;
    long firstWriteAfterMillis = -1;
    try (ReadLoad callers = new ReadLoad(instances.service(0), KEYS)) {
      sleepMillis(5_000);
      loadsBeforeKill = db.queries();
      redis.kill();
      killedAt = System.nanoTime();
      sleepMillis(5_000);
      loadsWhileDown = db.queries() - loadsBeforeKill;
      redis.restart();
      restartedAt = System.nanoTime();
      // restart() returns once the new server answers PING. The restarted server starts empty: its
      // first key is the first value written to it, its keyspace hits the first L2 hits.
      while (System.nanoTime() - restartedAt < TimeUnit.SECONDS.toNanos(10)
          && (firstWriteAfterMillis < 0 || l2HitsResumedAfterMillis < 0)) {
        long since = (System.nanoTime() - restartedAt) / 1_000_000;
        if (firstWriteAfterMillis < 0 && !redis.text("KEYS", "it:products:*").isEmpty()) {
          firstWriteAfterMillis = since;
        }
        if (l2HitsResumedAfterMillis < 0 && keyspaceHits() > 0) {
          l2HitsResumedAfterMillis = since;
        }
        sleepMillis(10);
      }
      sleepMillis(Math.max(0, 15_000 - (System.nanoTime() - t0) / 1_000_000));
      assertThat(callers.errors).isEmpty();
      System.out.printf("[RedisOutageIT] kill/restart: %d calls, 0 errors, loads before kill %d, while down %d "
              + "(bound %d), first value written %d ms and L2 hits resumed %d ms after the restarted Redis "
              + "answered, max latency while down %d ms; "
              + "redis failures %d, skipped by the open breaker %d, breaker now %s%n",
          callers.latencies.size(), loadsBeforeKill, loadsWhileDown, KEYS * 6, firstWriteAfterMillis,
          l2HitsResumedAfterMillis,
          callers.maxLatencyMillisBetween(killedAt, restartedAt), tiers.health().failures(),
          tiers.health().skipped(), tiers.guard().state());
    }
    // ttl 1 s over 5 s down: at most 5 windows per key, plus the one under way at the kill
    assertThat(loadsWhileDown).isLessThanOrEqualTo(KEYS * 6);
    // The breaker waits 5 s in the open state; the probe half-opens it as soon as Redis answers.
    // Measured well under a second (see docs/operations.md); bounded loosely here for loaded machines.
    assertThat(firstWriteAfterMillis).as("first value written after restart").isBetween(0L, 2_500L);
    assertThat(l2HitsResumedAfterMillis).as("L2 hits after restart").isBetween(0L, 10_000L);
    assertThat(tiers.health().skipped()).as("calls the open breaker skipped").isPositive();
  }

  @Test
  void aPausedRedisCostsCallersAtMostAboutTheCommandTimeout() throws Exception {
    long pausedAt;
    long maxWhilePaused;
    try (ReadLoad callers = new ReadLoad(instances.service(0), KEYS)) {
      sleepMillis(1_500);
      pausedAt = System.nanoTime();
      redis.pause(Duration.ofSeconds(3));
      sleepMillis(4_000);
      maxWhilePaused = callers.maxLatencyMillisBetween(pausedAt, pausedAt + TimeUnit.SECONDS.toNanos(3));
      assertThat(callers.errors).isEmpty();
      System.out.printf("[RedisOutageIT] CLIENT PAUSE 3 s: %d calls, 0 errors, max latency while paused %d ms "
          + "(command timeout 300 ms)%n", callers.latencies.size(), maxWhilePaused);
    }
    // Once a command of a call failed, the call skips the lock and the write-back: it pays one
    // command timeout (300 ms), plus the load and scheduling on a busy machine.
    assertThat(maxWhilePaused).isLessThan(300 + 400);
  }

  private long keyspaceHits() {
    for (String line : redis.text("INFO", "stats").split("\\R")) {
      if (line.startsWith("keyspace_hits:")) {
        return Long.parseLong(line.substring("keyspace_hits:".length()).trim());
      }
    }
    return 0;
  }

  static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
