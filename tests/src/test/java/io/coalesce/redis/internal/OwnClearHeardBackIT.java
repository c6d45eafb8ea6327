package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheBuilder;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.test.Await;
import io.coalesce.test.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A clear is applied here as it is made; its own message, which every instance receives, the writer
 * included, may arrive after loads that began once the clear returned. It must not undo them: their
 * values are newer than the clear (they read at its version or later), so they are written back and
 * kept in L1. Another instance's clear still drops everything, whatever its version. The late delivery is made exact by
 * publishing the clear's own message again while a load runs (pub/sub keeps order, so a marker message
 * published after it tells when it has been applied).
 */
class OwnClearHeardBackIT {

  RedisServer redis;
  LettuceConnectionFactory connections;
  RedisTiers tiers;
  RedisEventsSubscription subscription;
  CoalescingCache cache;
  final AtomicInteger loads = new AtomicInteger();

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
    connections.afterPropertiesSet();
    connections.start();
    tiers = new RedisTiers(connections, "it", new Jackson2EntryCodec(new ObjectMapper()), Clock.systemUTC());
    CacheSettings settings = CacheSettings.builder().ttl(Duration.ofMinutes(5)).jitter(0).earlyRefreshBeta(0).build();
    cache = CoalescingCacheBuilder.named("products").settings(settings)
        .localTier(CaffeineLocalTier.create(1_000, Clock.systemUTC()))
        .remoteTier(tiers.forCache("products", settings))
        .build();
    subscription = new RedisEventsSubscription(connections, tiers.events(), "test");
    subscription.start();
    Await.until(() -> redis.text("PUBSUB", "NUMSUB", "it:coalesce:events").endsWith("1"), Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    subscription.stop();
    tiers.close();
    connections.destroy();
    redis.close();
  }

  String get(String key, CountDownLatch hold) {
    return cache.get(key, String.class, () -> {
      loads.incrementAndGet();
      hold.await(10, TimeUnit.SECONDS);
      return "product-" + key;
    });
  }

  /** Publishes {@code message} on the events channel, then waits until this instance has applied it. */
  void deliver(byte[] message) {
    redis.command("PUBLISH", "it:coalesce:events", new String(message, StandardCharsets.UTF_8));
    String marker = "marker-" + System.nanoTime();
    assertThat(get(marker, new CountDownLatch(0))).isNotNull(); // cached, then evicted by the message below
    int before = loads.get();
    redis.command("DEL", "it:products:{" + marker + "}"); // so that only L1 can still answer it
    redis.command("PUBLISH", "it:coalesce:events", "E|elsewhere|products|-1|" + marker);
    Await.until(() -> {
      get(marker, new CountDownLatch(0));
      return loads.get() > before;
    }, Duration.ofSeconds(10));
  }

  @Test
  void theClearsOwnMessageHeardLateUndoesNoLoadThatBeganAfterIt() throws Exception {
    get("1", new CountDownLatch(0));
    cache.clear();
    long marker = Long.parseLong(redis.text("GET", "it:products:cleared"));
    byte[] ownMessage = tiers.events().cleared("products", marker);
    CountDownLatch hold = new CountDownLatch(1);
    int before = loads.get();
    CompletableFuture<String> loading = CompletableFuture.supplyAsync(() -> get("2", hold));
    Await.until(() -> loads.get() == before + 1, Duration.ofSeconds(10)); // loading "2", after the clear

    deliver(ownMessage); // as if heard only now
    hold.countDown();

    assertThat(loading.get(10, TimeUnit.SECONDS)).isEqualTo("product-2");
    assertThat(redis.text("EXISTS", "it:products:{2}")).as("written back").isEqualTo("1");
    int afterLoad = loads.get();
    get("2", new CountDownLatch(0));
    assertThat(loads.get()).as("still in L1").isEqualTo(afterLoad);
  }

  @Test
  void anotherInstancesClearAtAVersionThisOneHasAppliedStillDropsEveryCopy() {
    cache.clear();
    long marker = Long.parseLong(redis.text("GET", "it:products:cleared"));
    get("1", new CountDownLatch(0));

    deliver(("C|elsewhere|products|" + marker + "|").getBytes(StandardCharsets.UTF_8)); // not this instance's

    int before = loads.get();
    redis.command("DEL", "it:products:{1}");
    get("1", new CountDownLatch(0));
    assertThat(loads.get()).as("the copy was dropped").isGreaterThan(before);
  }

  @Test
  void anotherInstancesClearStillDropsEveryCopy() {
    get("1", new CountDownLatch(0));

    deliver("C|elsewhere|products|-1|".getBytes(StandardCharsets.UTF_8)); // a clear of unknown version

    int before = loads.get();
    redis.command("DEL", "it:products:{1}");
    get("1", new CountDownLatch(0));
    assertThat(loads.get()).as("the copy was dropped").isGreaterThan(before);
  }
}
