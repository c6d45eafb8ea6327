package io.coalesce.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.cluster.ProductDb.Product;
import io.coalesce.core.CacheEntry;
import io.coalesce.core.CacheSettings;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.redis.internal.RedisTiers;
import io.coalesce.test.RedisServer;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The cache-aside race that evict-delay closes: a reader that loaded the old row before an update
 * stores it after the update's delete. The delayed second delete removes it on every instance.
 */
class DelayedEvictIT {

  RedisServer redis;
  ProductDb db;
  Instances instances;
  LettuceConnectionFactory racer;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    db = new ProductDb();
    db.put(1, "old");
    instances = Instances.start(2, db, "spring.data.redis.port=" + redis.port(),
        "coalesce.caches.products.evict-delay=500ms");
    racer = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
    racer.afterPropertiesSet();
    racer.start();
  }

  @AfterEach
  void stop() {
    racer.destroy();
    instances.close();
    redis.close();
  }

  @Test
  void aStaleValueStoredAfterTheEvictIsDeletedAgainAfterTheDelay() throws Exception {
    instances.service(0).rename(1, "new"); // update the row, then evict

    // A reader that read "old" before the update stores it now, as if it had lost the race.
    long now = System.currentTimeMillis();
    new RedisTiers(racer, "it", new Jackson2EntryCodec(new ObjectMapper()), Clock.systemUTC())
        .forCache("products", CacheSettings.defaults())
        .put("1", new CacheEntry(new Product(1, "old"), now, now + 600_000, now + 600_000, 1), Product.class);
    assertThat(instances.service(1).find(1).name()).isEqualTo("old"); // the race is real

    long start = System.nanoTime();
    MultiInstanceIT.awaitUntil(() -> instances.service(1).find(1).name().equals("new"));
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(instances.service(0).find(1).name()).isEqualTo("new");
    assertThat(tookMillis).isLessThan(5_000);
  }
}
