package io.coalesce.bloom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.PenetrationGuard;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.redis.internal.RedisTiers;
import io.coalesce.test.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Seeding a shared filter with 1,000,000 keys: it completes, and how long it takes is printed. */
class BloomMillionKeysIT {

  @Test
  void aMillionKeysAreSeededAndEveryOneOfThemPasses() {
    try (RedisServer redis = RedisServer.start()) {
      LettuceConnectionFactory connections =
          new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
      connections.afterPropertiesSet();
      connections.start();
      RedisTiers tiers = new RedisTiers(connections, "million", new Jackson2EntryCodec(new ObjectMapper()),
          Clock.systemUTC());
      BloomSeed seed = BloomSeed.of("products", () -> LongStream.range(0, 1_000_000).boxed());
      try (BloomFilters filters = new BloomFilters(List.of(seed), tiers::bloomFor, Duration.ofSeconds(2), Clock.systemUTC())) {
        CacheSettings settings = CacheSettings.builder().bloom(p -> p.withEnabled(true)).bloom(p -> p.withExpectedInsertions(1_000_000))
            .bloom(p -> p.withFalsePositiveRate(0.01)).build();
        PenetrationGuard guard = filters.guardFor("products", settings, true);

        long start = System.nanoTime();
        assertThat(filters.rebuild("products")).isTrue();
        long millis = (System.nanoTime() - start) / 1_000_000;

        BloomStatus status = filters.status("products");
        assertThat(status.ready()).isTrue();
        assertThat(status.lastBuildKeys()).isEqualTo(1_000_000);
        assertThat(status.segments()).isEqualTo(2);
        for (long id = 0; id < 1_000_000; id += 101) {
          assertThat(guard.mightContain(Long.toString(id))).isTrue();
        }
        long falsePositives = LongStream.range(1_000_000, 1_010_000)
            .filter(id -> guard.mightContain(Long.toString(id))).count();
        assertThat(falsePositives).isLessThanOrEqualTo(150); // 1.5 x 1% of 10,000
        System.out.printf("[BloomMillionKeysIT] 1,000,000 keys seeded into Redis in %d ms (%d bits in %d "
            + "segments, %d hashes); 10,000 absent keys: %d false positives%n", millis, status.bits(),
            status.segments(), status.hashes(), falsePositives);
      } finally {
        connections.destroy();
      }
    }
  }
}
