package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheBuilder;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.test.RedisServer;
import io.coalesce.test.TestClock;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A clear's marker lives in Redis as long as a load that read before the clear may still write back,
 * or an L1 copy from before it may live ({@code lock.lease + load-timeout + local.ttl}); then it
 * expires, and a key not written since reads at version 0 again. L1 must not go on refusing such keys
 * for being older than the clear: once that long has passed, no load or copy from before the clear is
 * left, and L1 serves the cache again. The marker's expiry is stood in for by deleting it; the engine's
 * clock is moved past that lifetime.
 */
class ClearMarkerExpiryIT {

  RedisServer redis;
  LettuceConnectionFactory connections;
  RedisTiers tiers;
  CoalescingCache cache;
  CaffeineLocalTier l1;
  CacheSettings settings;
  final TestClock clock = new TestClock();

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
    connections.afterPropertiesSet();
    connections.start();
    tiers = new RedisTiers(connections, "it", new Jackson2EntryCodec(new ObjectMapper()), Clock.systemUTC());
    settings = CacheSettings.builder().ttl(Duration.ofHours(1)).jitter(0).earlyRefreshBeta(0)
        .local(local -> local.withTtl(Duration.ofMinutes(1))).build();
    cache = CoalescingCacheBuilder.named("products").settings(settings).clock(clock)
        .localTier(l1 = CaffeineLocalTier.create(1_000, clock))
        .remoteTier(tiers.forCache("products", settings))
        .build();
  }

  @AfterEach
  void stop() {
    tiers.close();
    connections.destroy();
    redis.close();
  }

  String get(String key) {
    return cache.get(key, String.class, () -> "product-" + key);
  }

  @Test
  void onceTheClearsMarkerHasExpiredL1KeepsCopiesAgain() {
    cache.clear();
    assertThat(redis.text("EXISTS", "it:products:cleared")).isEqualTo("1");
    redis.command("DEL", "it:products:cleared"); // as its expiry would, versionLifetime() later

    clock.advance(settings.versionLifetime().minusSeconds(1));
    get("1");
    assertThat(l1.get("1", clock.millis())).as("still refused a second before the marker's lifetime ends").isNull();

    clock.advance(Duration.ofSeconds(1));
    get("2");
    assertThat(l1.get("2", clock.millis())).as("kept in L1").isNotNull();
  }

  @Test
  void whileTheMarkerMayStillMatterAnOlderVersionIsStillRefused() {
    cache.clear();
    redis.command("DEL", "it:products:cleared"); // gone too early (a failover that lost it): versions read 0

    get("1");

    assertThat(l1.get("1", clock.millis())).as("refused: it reads older than the clear").isNull();
  }
}
