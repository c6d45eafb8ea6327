package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.bloom.BloomFilters;
import io.coalesce.bloom.BloomSeed;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheBuilder;
import io.coalesce.core.PenetrationGuard;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.test.Await;
import io.coalesce.test.RedisServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The shared Bloom guard under the faults that cost it bits: a segment removed, the pointer removed,
 * FLUSHALL, Redis refusing additions for lack of memory, a configuration change mid-run, a builder
 * killed mid-build. Several instances share one real Redis and one table of rows. In every case, and
 * at every moment checked, no existing row is answered "not found"; once the fault is over the filter
 * repairs itself and rejects absent ids again; and nothing is left in Redis without a TTL but the
 * filter in use.
 */
class BloomFaultMatrixIT {

  static final int ROWS = 10_000;
  static final String PREFIX = "bloom-fm";
  static final String BASE = PREFIX + ":{products:bloom}";

  static RedisServer redis;
  /** The table every instance loads from and seeds from. */
  final NavigableSet<Long> rows = new ConcurrentSkipListSet<>();
  final List<Instance> instances = new ArrayList<>();

  /** One application instance, reduced to its Redis tier, Bloom filters and one cache. */
  final class Instance implements AutoCloseable {
    final LettuceConnectionFactory connections;
    final RedisTiers tiers;
    final BloomFilters filters;
    final PenetrationGuard guard;
    final CoalescingCache cache;

    Instance(long expectedInsertions, Duration buildLease, BloomSeed seed) {
      connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()),
          LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(500))
              .clientOptions(ClientOptions.builder().disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS).build())
              .build());
      connections.afterPropertiesSet();
      connections.start();
      tiers = new RedisTiers(connections, PREFIX, new Jackson2EntryCodec(new ObjectMapper()), Clock.systemUTC());
      CacheSettings settings = CacheSettings.builder()
          .bloom(b -> b.withEnabled(true).withExpectedInsertions(expectedInsertions).withFalsePositiveRate(0.01))
          .nullTtl(Duration.ZERO).build();
      filters = new BloomFilters(List.of(seed), (name, shape) -> tiers.bloomFor(name, shape, buildLease),
          Duration.ofMillis(100), Clock.systemUTC());
      guard = filters.guardFor("products", settings, true);
      cache = CoalescingCacheBuilder.named("products").settings(settings)
          .localTier(CaffeineLocalTier.create(100, Clock.systemUTC()))
          .remoteTier(tiers.forCache("products", settings))
          .penetrationGuard(guard)
          .build();
      instances.add(this);
      filters.start();
    }

    Instance() {
      this(ROWS, RedisBloom.BUILD_LEASE, BloomSeed.of("products", rows::stream));
    }

    Long find(long id) {
      return cache.get(id, Long.class, () -> rows.contains(id) ? id : null);
    }

    /** A row created here: in the table, then through {@code @CoalescedPut}. */
    void create(long id) {
      rows.add(id);
      cache.put(id, id);
    }

    boolean ready() {
      return filters.status("products").ready();
    }

    /** Whether the filter answers "absent" again, for ids that were never rows. */
    boolean rejectsAbsentIds() {
      long rejected = LongStream.range(10_000_000, 10_000_200).filter(id -> !guard.mightContain(Long.toString(id))).count();
      return rejected > 150;
    }

    @Override
    public void close() {
      filters.close();
      tiers.close();
      connections.destroy();
    }
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
  void seedTheTable() {
    redis.flushAll();
    redis.command("CONFIG", "SET", "maxmemory", "0");
    LongStream.range(0, ROWS).forEach(rows::add);
  }

  @AfterEach
  void stop() {
    redis.command("CONFIG", "SET", "maxmemory", "0");
    instances.forEach(Instance::close);
  }

  /**
   * Every row asked of every instance: through the guard (the only thing that can answer "not found"
   * for a row that exists), and every 50th through the cache itself.
   */
  void assertNoRowIsAnsweredNotFound(String when) {
    for (Instance instance : instances) {
      if (!instance.connections.isRunning()) {
        continue;
      }
      List<Long> rejected = rows.stream().filter(id -> !instance.guard.mightContain(Long.toString(id))).limit(10).toList();
      assertThat(rejected).as("%s: rows answered \"not found\" by instance %d", when, instances.indexOf(instance))
          .isEmpty();
      for (long id : rows) {
        if (id % 50 == 0) {
          assertThat(instance.find(id)).as("%s: row %d", when, id).isEqualTo(id);
        }
      }
    }
  }

  /** The filter is back: every instance ready, absent ids rejected, no row rejected. */
  void awaitRepairedAndCheck(String fault) {
    Await.until(() -> instances.stream().filter(i -> i.connections.isRunning())
        .allMatch(i -> i.ready() && i.rejectsAbsentIds()), Duration.ofSeconds(30));
    assertNoRowIsAnsweredNotFound(fault + ", after the repair");
    assertNothingPersistentButTheFilterInUse(fault);
  }

  /**
   * Keys of the filter without a TTL are the filter in use only: its pointer, the record of the last
   * swap, the generation counter, the last build's numbers (each one key, overwritten) and the
   * segments of the current generation.
   */
  static void assertNothingPersistentButTheFilterInUse(String fault) {
    String current = redis.text("GET", BASE + ":current");
    assertThat(current).as(fault + ": a filter is in use").isNotEmpty();
    String generation = current.substring(0, current.indexOf('|'));
    Pattern inUse = Pattern.compile(Pattern.quote(BASE) + ":(current|last|generation|stats|" + generation + ":\\d+)");
    List<String> persistentLeftovers = new ArrayList<>();
    for (String key : keys(BASE + ":*")) {
      if (!inUse.matcher(key).matches() && Long.parseLong(redis.text("PTTL", key)) == -1) {
        persistentLeftovers.add(key);
      }
    }
    assertThat(persistentLeftovers).as(fault + ": keys left without a TTL").isEmpty();
  }

  static List<String> keys(String pattern) {
    String text = redis.text("KEYS", pattern);
    return text.isEmpty() ? List.of() : List.of(text.split("\n"));
  }

  Instance twoReadyInstances() {
    Instance a = new Instance();
    new Instance();
    Await.until(() -> instances.stream().allMatch(Instance::ready), Duration.ofSeconds(30));
    assertNoRowIsAnsweredNotFound("seeded");
    return a;
  }

  @Test
  void aSegmentRemovedIsNeverRecreatedHalfEmpty() {
    Instance a = twoReadyInstances();
    String segment = keys(BASE + ":" + a.filters.status("products").generation() + ":*").get(0);
    redis.command("DEL", segment); // maxmemory eviction, a DEL, a failover to a replica without it

    // The next call for an existing row fails open, loads it, and adds it: that addition must not
    // recreate the segment with only this row's bits.
    assertThat(a.find(5)).isEqualTo(5L);
    a.create(ROWS + 1);
    assertNoRowIsAnsweredNotFound("segment removed");
    awaitRepairedAndCheck("segment removed");
  }

  @Test
  void thePointerRemovedFailsOpenAndTheRebuildRetiresTheOldGeneration() {
    twoReadyInstances();
    redis.command("DEL", BASE + ":current");
    instances.get(0).create(ROWS + 2);
    assertNoRowIsAnsweredNotFound("pointer removed");
    awaitRepairedAndCheck("pointer removed");
  }

  @Test
  void flushAllFailsOpenAndTheFilterIsSeededAgain() {
    Instance a = twoReadyInstances();
    redis.flushAll();
    a.create(ROWS + 3);
    assertNoRowIsAnsweredNotFound("FLUSHALL");
    awaitRepairedAndCheck("FLUSHALL");
  }

  @Test
  void additionsRedisRefusesForLackOfMemoryAreNeverAnsweredNotFoundElsewhere() {
    Instance a = twoReadyInstances();
    long used = Long.parseLong(info("used_memory"));
    redis.command("CONFIG", "SET", "maxmemory", Long.toString(used / 2)); // every write is refused: OOM
    for (long id = ROWS + 10; id < ROWS + 60; id++) {
      a.create(id); // the @CoalescedPut and its Bloom addition are refused
    }
    assertNoRowIsAnsweredNotFound("additions refused (OOM)");
    redis.command("CONFIG", "SET", "maxmemory", "0");
    assertNoRowIsAnsweredNotFound("memory back");
    awaitRepairedAndCheck("OOM during additions");
  }

  @Test
  void aConfigurationChangedMidRunLosesNoAddition() throws Exception {
    twoReadyInstances();
    Instance oldShape = instances.get(0);
    // A new deployment with another expected-insertions seeds its own filter from a snapshot of the
    // table; while it streams the snapshot, the old instances go on creating rows.
    CountDownLatch halfway = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    Supplier<Stream<Long>> snapshot = () -> {
      List<Long> taken = List.copyOf(rows);
      return taken.stream().peek(id -> {
        if (id == ROWS / 2) {
          halfway.countDown();
          awaitQuietly(resume);
        }
      });
    };
    Instance newShape = new Instance(2 * ROWS, RedisBloom.BUILD_LEASE, BloomSeed.of("products", snapshot::get));
    assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
    for (long id = ROWS + 100; id < ROWS + 120; id++) {
      oldShape.create(id); // made during the build: reach the filter in use and the one being built
    }
    assertNoRowIsAnsweredNotFound("during the build of another configuration");
    resume.countDown();
    Await.until(newShape::ready, Duration.ofSeconds(30));
    for (long id = ROWS + 120; id < ROWS + 140; id++) {
      oldShape.create(id); // made by an instance still on the old configuration, after the swap
    }
    assertNoRowIsAnsweredNotFound("after the swap to another configuration");
    assertThat(newShape.rejectsAbsentIds()).isTrue();
    assertThat(oldShape.ready()).as("an instance on the old configuration fails open").isFalse();
    assertNothingPersistentButTheFilterInUse("configuration changed");
  }

  @Test
  void aBuilderKilledMidBuildLeavesNothingBehindAndAnotherBuildsWhenItsLeaseLapses() throws Exception {
    CountDownLatch halfway = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    Supplier<Stream<Long>> hangs = () -> rows.stream().peek(id -> {
      if (id == ROWS / 2) {
        halfway.countDown();
        awaitQuietly(never);
      }
    });
    Instance builder = new Instance(ROWS, Duration.ofSeconds(1), BloomSeed.of("products", hangs::get));
    try {
      assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
      builder.connections.destroy(); // the process dies: nothing more reaches Redis from it
      List<String> left = keys(BASE + ":*");
      assertThat(left).as("the dead build's keys").isNotEmpty();
      for (String key : left) {
        if (!key.equals(BASE + ":generation")) {
          assertThat(Long.parseLong(redis.text("PTTL", key))).as(key + " has a TTL").isPositive();
        }
      }

      Instance survivor = new Instance(ROWS, Duration.ofSeconds(1), BloomSeed.of("products", rows::stream));
      assertNoRowIsAnsweredNotFound("builder killed, lease running");
      Await.until(() -> survivor.ready() && survivor.rejectsAbsentIds(), Duration.ofSeconds(30));
      Await.until(() -> keys(BASE + ":*").stream().noneMatch(k -> k.contains(":building")), Duration.ofSeconds(10));
      assertNoRowIsAnsweredNotFound("after another instance built it");
      assertNothingPersistentButTheFilterInUse("builder killed");
    } finally {
      never.countDown();
    }
  }

  static String info(String field) {
    for (String line : redis.text("INFO", "memory").split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    throw new IllegalStateException("INFO memory has no " + field);
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
