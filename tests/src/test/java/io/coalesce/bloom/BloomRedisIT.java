package io.coalesce.bloom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.core.CacheListener;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheBuilder;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.redis.internal.RedisTiers;
import io.coalesce.test.RedisServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.LongStream;
import io.coalesce.test.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The shared Bloom filter on a real redis-server, with "instances" that each have their own
 * connections, Redis tier, filters and cache: false-positive bound, no false negatives, additions
 * seen by every instance at once, one seeding for the cluster, and fail-open through an outage.
 */
class BloomRedisIT {

  static final long EXISTING = 100_000;

  static RedisServer redis;
  final List<Instance> instances = new ArrayList<>();

  /** One application instance, reduced to what the guard involves. */
  final class Instance implements AutoCloseable {
    final LettuceConnectionFactory connections;
    final BloomFilters filters;
    final CoalescingCache cache;
    final io.coalesce.core.PenetrationGuard guard;
    final AtomicInteger loads = new AtomicInteger();
    final LongAdder rejected = new LongAdder();
    volatile long limit = EXISTING;

    Instance(BloomSeed seed) {
      connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()),
          LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(500))
              // as the auto-configuration sets it: a dropped connection fails commands at once
              .clientOptions(ClientOptions.builder().disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS).build())
              .build());
      connections.afterPropertiesSet();
      connections.start();
      RedisTiers tiers = new RedisTiers(connections, "bloom-it", new Jackson2EntryCodec(new ObjectMapper()),
          Clock.systemUTC());
      CacheSettings settings = CacheSettings.builder().bloom(p -> p.withEnabled(true)).bloom(p -> p.withExpectedInsertions(EXISTING))
          .bloom(p -> p.withFalsePositiveRate(0.01)).nullTtl(Duration.ZERO).build();
      filters = new BloomFilters(List.of(seed), tiers::bloomFor, Duration.ofMillis(200), Clock.systemUTC());
      guard = filters.guardFor("products", settings, true);
      cache = CoalescingCacheBuilder.named("products").settings(settings)
          .localTier(CaffeineLocalTier.create(10_000, Clock.systemUTC()))
          .remoteTier(tiers.forCache("products", settings))
          .penetrationGuard(guard)
          .listener(new CacheListener() {
            @Override
            public void onGet(GetResult result) {
              if (result == GetResult.BLOOM_REJECTED) {
                rejected.increment();
              }
            }
          }).build();
      instances.add(this);
    }

    Long find(long id) {
      return cache.get(id, Long.class, () -> {
        loads.incrementAndGet();
        return id < limit ? id : null;
      });
    }

    @Override
    public void close() {
      filters.close();
      connections.destroy();
    }
  }

  static BloomSeed existingIds() {
    return BloomSeed.of("products", () -> LongStream.range(0, EXISTING).boxed());
  }

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void empty() {
    redis.flushAll();
  }

  @AfterEach
  void stop() {
    instances.forEach(Instance::close);
  }

  @Test
  void seededWith100kKeys100kAbsentKeysStayWithinTheFalsePositiveBoundAndNoExistingKeyIsRejected()
      throws Exception {
    Instance a = new Instance(existingIds());
    assertThat(a.filters.rebuild("products")).isTrue();

    inParallel(EXISTING, 2 * EXISTING, id -> assertThat(a.find(id)).isNull());
    int absentLoads = a.loads.get();
    assertThat(absentLoads).isLessThanOrEqualTo((int) (1.5 * 0.01 * EXISTING));
    assertThat(a.rejected.sum()).isEqualTo(EXISTING - absentLoads);

    // No false negative: every existing key passes the shared filter (asked directly: loading all
    // 100,000 through the cache would only add Redis round trips that have nothing to do with it).
    inParallel(0, EXISTING, id -> assertThat(a.guard.mightContain(Long.toString(id))).isTrue());
    for (long id = 0; id < EXISTING; id += 997) {
      assertThat(a.find(id)).isEqualTo(id);
    }
    BloomStatus status = a.filters.status("products");
    assertThat(status.mode()).isEqualTo("redis");
    assertThat(status.ready()).isTrue();
    assertThat(redis.text("EXISTS", "bloom-it:{products:bloom}:current")).isEqualTo("1");
    System.out.printf("[BloomRedisIT] 100,000 seeded, 100,000 absent queried: %d loads (bound 1,500), "
        + "0 false negatives; seeding took %d ms%n", absentLoads, status.lastBuildMillis());
  }

  @Test
  void oneInstanceSeedsAndTheOthersUseItsFilter() throws Exception {
    Instance a = new Instance(existingIds());
    Instance b = new Instance(existingIds());
    Instance c = new Instance(existingIds());
    instances.forEach(i -> i.filters.start()); // all at once, as a cluster starting up

    Await.until(() -> instances.stream().allMatch(i -> i.filters.status("products").ready()));
    long builders = instances.stream().filter(i -> i.filters.status("products").builtByThisInstance()).count();
    assertThat(builders).isEqualTo(1);
    // every instance shows the numbers of that one build, which its builder recorded in Redis
    assertThat(instances).allSatisfy(i -> {
      assertThat(i.filters.status("products").lastBuildKeys()).isEqualTo(EXISTING);
      assertThat(i.filters.status("products").lastBuildMillis()).isNotNegative();
    });
    assertThat(instances.stream().map(i -> i.filters.status("products").generation()).distinct()).hasSize(1);
    assertThat(b.find(EXISTING + 12345)).isNull();
    assertThat(c.find(77)).isEqualTo(77L);
  }

  @Test
  void aKeyLoadedOrPutOnOneInstancePassesTheOthersAtOnce() throws Exception {
    Instance a = new Instance(existingIds());
    Instance b = new Instance(existingIds());
    a.filters.rebuild("products");
    b.filters.start();
    Await.until(() -> b.filters.status("products").ready());
    long created = EXISTING + 500_000;
    // Pick keys the filter rejects now, so that passing later proves the addition.
    List<Long> fresh = LongStream.range(created, created + 1_000)
        .filter(id -> { long before = b.rejected.sum(); b.find(id); return b.rejected.sum() > before; })
        .limit(2).boxed().toList();
    assertThat(fresh).hasSize(2);

    a.limit = Long.MAX_VALUE; // both rows now exist in the database
    b.limit = Long.MAX_VALUE;
    a.cache.put(fresh.get(0), fresh.get(0));        // A saves one through @CoalescedPut
    a.filters.add("products", fresh.get(1));        // and creates the other outside Coalesce
    b.cache.evict(fresh.get(0));
    b.cache.evict(fresh.get(1));

    long rejectedBefore = b.rejected.sum();
    assertThat(b.find(fresh.get(0))).isEqualTo(fresh.get(0));
    assertThat(b.find(fresh.get(1))).isEqualTo(fresh.get(1));
    assertThat(b.rejected.sum()).isEqualTo(rejectedBefore);
  }

  @Test
  void redisDownEveryCallPassesAndIsServedThenTheGuardWorksAgain() throws Exception {
    Instance a = new Instance(existingIds());
    a.filters.start();
    Await.until(() -> a.filters.status("products").ready());
    long absent = EXISTING + 1;
    assertThat(a.find(absent)).isNull();

    redis.kill();
    try {
      int loadsBefore = a.loads.get();
      for (long id = EXISTING + 10; id < EXISTING + 60; id++) {
        assertThat(a.find(id)).isNull(); // passes the guard, reaches the loader, served
      }
      assertThat(a.find(42)).isEqualTo(42L);
      assertThat(a.loads.get() - loadsBefore).isEqualTo(51);
    } finally {
      redis.restart();
    }

    // The restarted Redis lost the bits (no persistence): the filter is seeded again, then rejects.
    long rejectedBefore = a.rejected.sum();
    long[] probe = {EXISTING + 100_000};
    Await.until(() -> {
      a.find(probe[0]++);
      return a.rejected.sum() > rejectedBefore;
    });
    assertThat(a.filters.status("products").ready()).isTrue();
  }

  @Test
  void aRebuildForgetsDeletedKeysAndRemovesTheOldGeneration() {
    List<Long> rows = new java.util.concurrent.CopyOnWriteArrayList<>(LongStream.range(0, 1_000).boxed().toList());
    Instance a = new Instance(BloomSeed.of("products", rows::stream));
    a.filters.rebuild("products");
    long firstGeneration = a.filters.status("products").generation();
    rows.removeIf(id -> id >= 500);
    a.limit = 500;
    a.filters.rebuild("products");

    for (long id = 500; id < 1_000; id++) {
      assertThat(a.find(id)).isNull();
    }
    assertThat(500 - a.rejected.sum()).isLessThanOrEqualTo(25); // false positives only
    assertThat(redis.text("EXISTS", "bloom-it:{products:bloom}:" + firstGeneration + ":0")).isEqualTo("0");
  }

  interface IdCheck {
    void check(long id);
  }

  static void inParallel(long from, long to, IdCheck check) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> parts = new ArrayList<>();
      long step = (to - from) / 8;
      for (int t = 0; t < 8; t++) {
        long start = from + t * step;
        long end = t == 7 ? to : start + step;
        parts.add(pool.submit(() -> {
          for (long id = start; id < end; id++) {
            check.check(id);
          }
        }));
      }
      for (Future<?> part : parts) {
        part.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

}
