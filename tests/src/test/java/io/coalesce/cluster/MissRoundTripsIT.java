package io.coalesce.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.redis.internal.RedisOutcome;
import io.coalesce.redis.internal.RedisTiers;
import io.coalesce.test.RedisServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a cold miss costs in Redis, counted at the tier's single seam (every command passes it) on a
 * real Redis: the read that finds nothing takes the rebuild lock in the same round trip, and the
 * fenced write-back releases it and notifies in the second. Two round trips, with the lock on or off.
 */
class MissRoundTripsIT {

  static RedisServer redis;
  Instances instances;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void stop() {
    if (instances != null) {
      instances.close();
    }
  }

  private List<String> roundTripsOfOneColdMiss(String lock) {
    redis.flushAll();
    ProductDb db = new ProductDb();
    db.put(7, "seven");
    instances = Instances.start(1, db, "spring.data.redis.port=" + redis.port(),
        "coalesce.defaults.lock.enabled=" + lock);
    List<String> calls = new CopyOnWriteArrayList<>();
    Thread caller = Thread.currentThread();
    instances.context(0).getBean(RedisTiers.class).subscribe(outcome -> {
      // the caller's own round trips: not the start-up's background INFO (which server answers)
      if (Thread.currentThread() == caller
          && (outcome instanceof RedisOutcome.Succeeded || outcome instanceof RedisOutcome.Failed)) {
        calls.add(outcome.operation());
      }
    });
    assertThat(instances.service(0).find(7).name()).isEqualTo("seven");
    assertThat(db.queries()).isEqualTo(1);
    return calls;
  }

  @Test
  void aColdMissWithTheLockTakesTwoRoundTrips() {
    List<String> calls = roundTripsOfOneColdMiss("true");
    assertThat(calls).as("read + lock, then the fenced write-back").containsExactly("get", "put");
    assertThat(redis.text("GET", "it:products:{7}")).as("stored").isNotEmpty();
    assertThat(((Number) redis.command("EXISTS", "it:products:{7}:lock")).longValue()).as("lock released").isZero();
  }

  @Test
  void aColdMissWithoutTheLockTakesTwoRoundTrips() {
    List<String> calls = roundTripsOfOneColdMiss("false");
    assertThat(calls).containsExactly("get", "put");
  }
}
