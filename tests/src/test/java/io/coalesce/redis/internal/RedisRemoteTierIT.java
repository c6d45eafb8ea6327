package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.core.CacheEntry;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.RemoteTier;
import io.coalesce.core.RemoteTier.Lease;
import io.coalesce.core.RemoteTier.Stored;
import io.coalesce.test.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The L2 tier against a real redis-server. */
class RedisRemoteTierIT {

  record Product(long id, String name) {}

  static RedisServer redis;
  LettuceConnectionFactory connections;
  RedisTiers tiers;
  RemoteTier tier;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void connect() {
    redis.flushAll();
    // A short command timeout: Lettuce queues commands behind a dropped connection until it expires.
    connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()),
        LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(500)).build());
    connections.afterPropertiesSet();
    connections.start();
    tiers = new RedisTiers(connections, "it", new Jackson2EntryCodec(new ObjectMapper()), Clock.systemUTC());
    tier = tiers.forCache("products", CacheSettings.builder().lock(p -> p.withLease(Duration.ofMillis(300))).build());
  }

  @AfterEach
  void disconnect() {
    connections.destroy();
  }

  private static CacheEntry fresh(Object value) {
    long now = System.currentTimeMillis();
    return new CacheEntry(value, now, now + 60_000, now + 120_000, 5);
  }

  @Test
  void aStoredEntryIsReadBackUnderItsDocumentedKey() {
    RemoteTier noStaleIfError = tiers.forCache("products", CacheSettings.builder().staleIfError(false).build());
    noStaleIfError.put("7", fresh(new Product(7, "phone")), Product.class);
    assertThat(noStaleIfError.read("7", Product.class).entry().value()).isEqualTo(new Product(7, "phone"));
    assertThat(redis.text("EXISTS", "it:products:{7}")).isEqualTo("1");
    long ttl = Long.parseLong(redis.text("PTTL", "it:products:{7}"));
    assertThat(ttl).isBetween(100_000L, 120_000L); // physical ttl = end of the stale window
  }

  @Test
  void withStaleIfErrorAValueOutlivesItsStaleWindowByTheMaximumAgeSoAFailedLoadCanFallBackToIt() {
    RemoteTier staleIfError = tiers.forCache("products", CacheSettings.builder().staleIfError(true)
        .staleIfErrorMaxAge(Duration.ofMinutes(10)).build());
    staleIfError.put("8", fresh(new Product(8, "tablet")), Product.class); // expires in 60 s, stale until 120 s
    long ttl = Long.parseLong(redis.text("PTTL", "it:products:{8}"));
    assertThat(ttl).isBetween(640_000L, 660_000L); // expiry + 10 min

    staleIfError.put("absent", fresh(null), Product.class); // "not found" is never a fallback
    assertThat(Long.parseLong(redis.text("PTTL", "it:products:{absent}"))).isBetween(100_000L, 120_000L);
  }

  @Test
  void corruptBytesAreAMissThatDeletesTheKeyAndIsCounted() {
    redis.text("SET", "it:products:{9}", "garbage");
    assertThat(tier.read("9", Product.class).entry()).isNull();
    assertThat(redis.text("EXISTS", "it:products:{9}")).isEqualTo("0");
    assertThat(tiers.health().undecodable()).isEqualTo(1);
  }

  @Test
  void aValueOfAnotherTypeIsAMiss() {
    tier.put("8", fresh(java.util.List.of("a", "b")), java.util.List.class);
    assertThat(tier.read("8", Product.class).entry()).isNull();
    assertThat(tiers.health().undecodable()).isEqualTo(1);
  }

  @Test
  void aGadgetTypeHintStoredInRedisIsAMissAndInstantiatesNothing() {
    int before = io.coalesce.redis.Jackson2EntryCodecTest.Gadget.created;
    redis.text("SET", "it:products:{6}",
        "{\"@class\":\"io.coalesce.redis.Jackson2EntryCodecTest$Gadget\",\"command\":\"x\"}");
    assertThat(tier.read("6", Object.class).entry()).isNull();
    assertThat(tiers.health().undecodable()).isEqualTo(1);
    assertThat(io.coalesce.redis.Jackson2EntryCodecTest.Gadget.created).isEqualTo(before);
  }

  @Test
  void onlyOneContenderGetsTheLock() {
    Lease first = tier.tryLock("1");
    Lease second = tier.tryLock("1");
    assertThat(first.state()).isEqualTo(Lease.State.ACQUIRED);
    assertThat(second.state()).isEqualTo(Lease.State.HELD_ELSEWHERE);
  }

  @Test
  void readOrLockTakesTheLockInTheSameStepOnlyWhenNothingCanServe() {
    long now = System.currentTimeMillis();
    // Nothing there: the lock is taken with the read.
    RemoteTier.ReadOrLock cold = tier.readOrLock("1", Product.class, now);
    assertThat(cold.read().hit()).isFalse();
    assertThat(cold.lease().state()).isEqualTo(Lease.State.ACQUIRED);
    assertThat(redis.text("GET", "it:products:{1}:lock")).isEqualTo(cold.lease().token());
    // A second leader elsewhere learns in the same step that the lock is held.
    assertThat(tier.readOrLock("1", Product.class, now).lease().state()).isEqualTo(Lease.State.HELD_ELSEWHERE);

    // A value that may still serve: returned, the lock not tried.
    tier.put("2", fresh(new Product(2, "tv")), Product.class);
    RemoteTier.ReadOrLock servable = tier.readOrLock("2", Product.class, now);
    assertThat(servable.read().entry().value()).isEqualTo(new Product(2, "tv"));
    assertThat(servable.lease()).isNull();
    assertThat(redis.text("EXISTS", "it:products:{2}:lock")).isEqualTo("0");

    // Past its stale window (kept for stale-if-error): returned, and the lock taken, by the clock given.
    RemoteTier.ReadOrLock expired = tier.readOrLock("2", Product.class, now + 200_000);
    assertThat(expired.read().hit()).isTrue();
    assertThat(expired.lease().state()).isEqualTo(Lease.State.ACQUIRED);

    // Bytes in a format the script cannot read (another codec): returned for the engine to judge.
    redis.command("SET", "it:products:{3}", "not an envelope");
    RemoteTier.ReadOrLock foreign = tier.readOrLock("3", Product.class, now);
    assertThat(foreign.lease()).isNull();
    assertThat(foreign.read().hit()).isFalse(); // undecodable: a miss, and deleted
    assertThat(redis.text("EXISTS", "it:products:{3}")).isEqualTo("0");
  }

  /** Reads enough values that may serve for the tier to read plain first ({@link ReadMix}), then resets the counts. */
  private void mostReadsFindAValue() {
    tier.put("warm", fresh(new Product(0, "warm")), Product.class);
    for (int i = 0; i < 40; i++) {
      assertThat(tier.readOrLock("warm", Product.class, System.currentTimeMillis()).lease()).isNull();
    }
    redis.command("CONFIG", "RESETSTAT");
  }

  @Test
  void whileMostReadsFindAValueAServableOneIsReadWithoutTheScript() {
    tier.put("2", fresh(new Product(2, "tv")), Product.class);
    mostReadsFindAValue();

    RemoteTier.ReadOrLock servable = tier.readOrLock("2", Product.class, System.currentTimeMillis());

    assertThat(servable.read().entry().value()).isEqualTo(new Product(2, "tv"));
    assertThat(servable.read().version()).isEqualTo(tier.currentVersion("2")).isPositive();
    assertThat(servable.lease()).isNull();
    assertThat(commandCalls("evalsha")).as("no script").isZero();
  }

  @Test
  void whileMostReadsFindAValueNothingThereIsLockedByTheScriptAfterThePlainRead() {
    long now = System.currentTimeMillis();
    mostReadsFindAValue();

    RemoteTier.ReadOrLock cold = tier.readOrLock("1", Product.class, now);

    assertThat(cold.read().hit()).isFalse();
    assertThat(cold.lease().state()).isEqualTo(Lease.State.ACQUIRED);
    assertThat(redis.text("GET", "it:products:{1}:lock")).isEqualTo(cold.lease().token());
    assertThat(commandCalls("mget")).as("the plain read's, then the script's own").isEqualTo(2);
    assertThat(commandCalls("evalsha")).isEqualTo(1);
  }

  @Test
  void whileMostReadsFindAValueAnExpiredOneIsLockedByTheScriptAfterThePlainRead() {
    long now = System.currentTimeMillis();
    tier.put("2", fresh(new Product(2, "tv")), Product.class);
    mostReadsFindAValue();

    RemoteTier.ReadOrLock expired = tier.readOrLock("2", Product.class, now + 200_000); // past its stale window

    assertThat(expired.read().entry().value()).isEqualTo(new Product(2, "tv"));
    assertThat(expired.lease().state()).isEqualTo(Lease.State.ACQUIRED);
    assertThat(commandCalls("mget")).isEqualTo(2);
  }

  @Test
  void whileMostReadsFindAValueOneOfAnotherTypeVersionIsJudgedByTheScriptAndReportedOnce() {
    tier.put("3", fresh(new ProductWithColour(3, "phone", "red")), ProductWithColour.class);
    mostReadsFindAValue();
    long undecodableBefore = tiers.health().undecodable();

    RemoteTier.ReadOrLock foreign = tier.readOrLock("3", Product.class, System.currentTimeMillis());

    assertThat(foreign.read().foreign()).isTrue();
    assertThat(foreign.lease()).isNull();
    assertThat(redis.text("EXISTS", "it:products:{3}")).isEqualTo("1");
    assertThat(commandCalls("mget")).as("the plain read went first").isEqualTo(2);
    assertThat(tiers.health().undecodable() - undecodableBefore).as("reported by the script's read only").isEqualTo(1);
  }

  @Test
  void whileMostReadsFindAValueACorruptOneIsDeletedByTheScriptAsAlways() {
    redis.command("SET", "it:products:{4}", "not an envelope");
    mostReadsFindAValue();

    RemoteTier.ReadOrLock corrupt = tier.readOrLock("4", Product.class, System.currentTimeMillis());

    assertThat(corrupt.read().hit()).isFalse();
    assertThat(corrupt.lease()).as("the script returns bytes it cannot judge without trying the lock").isNull();
    assertThat(redis.text("EXISTS", "it:products:{4}")).isEqualTo("0");
    assertThat(commandCalls("mget")).isEqualTo(2);
    assertThat(tiers.health().undecodable()).as("reported once").isEqualTo(1);
  }

  @Test
  void whileTheBreakerIsHalfOpenAReadCostsItOneTrialCallNotTwo() {
    io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = io.github.resilience4j.circuitbreaker.CircuitBreaker
        .of("it", CircuitBreakerCallGuard.defaultConfig(Duration.ofSeconds(1)));
    RedisTiers guarded = new RedisTiers(connections, "it", new Jackson2EntryCodec(new ObjectMapper()), Clock.systemUTC(),
        new CircuitBreakerCallGuard(breaker));
    RemoteTier withBreaker = guarded.forCache("products", CacheSettings.builder().build());
    withBreaker.put("warm", fresh(new Product(0, "warm")), Product.class);
    for (int i = 0; i < 40; i++) {
      withBreaker.readOrLock("warm", Product.class, System.currentTimeMillis());
    }
    breaker.transitionToOpenState();
    breaker.transitionToHalfOpenState();
    redis.command("CONFIG", "RESETSTAT");

    RemoteTier.ReadOrLock cold = withBreaker.readOrLock("1", Product.class, System.currentTimeMillis());

    assertThat(cold.lease().state()).isEqualTo(Lease.State.ACQUIRED);
    assertThat(commandCalls("mget")).as("the script's own MGET only: no plain read first").isEqualTo(1);
    assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).as("one of the half-open trial calls").isEqualTo(1);
  }

  @Test
  void onceReadsMostlyFindNothingTheScriptReadsFirstAgain() {
    mostReadsFindAValue();
    for (int i = 0; i < 40; i++) {
      RemoteTier.ReadOrLock cold = tier.readOrLock("cold-" + i, Product.class, System.currentTimeMillis());
      assertThat(cold.lease().state()).isEqualTo(Lease.State.ACQUIRED);
    }
    redis.command("CONFIG", "RESETSTAT");

    tier.readOrLock("warm", Product.class, System.currentTimeMillis());

    assertThat(commandCalls("evalsha")).isEqualTo(1);
    assertThat(commandCalls("mget")).as("the script's own MGET (counted too), no plain read before it").isEqualTo(1);
  }

  @Test
  void whileMostReadsFindAValueADeadRedisIsUnavailableAfterOneFailedCall() {
    mostReadsFindAValue();
    long failuresBefore = tiers.health().failures();
    redis.kill();
    try {
      RemoteTier.ReadOrLock read = tier.readOrLock("warm", Product.class, System.currentTimeMillis());
      assertThat(read.read()).isSameAs(RemoteTier.Read.UNAVAILABLE);
      assertThat(read.lease()).isSameAs(Lease.UNAVAILABLE);
      assertThat(tiers.health().failures() - failuresBefore).as("the script is not tried after the plain read failed")
          .isEqualTo(1);
    } finally {
      redis.restart();
    }
  }

  @Test
  void scriptsGoByTheirDigestAndAreSentAgainAfterRedisForgotThem() {
    tier.put("1", fresh(new Product(1, "a")), Product.class);
    redis.command("CONFIG", "RESETSTAT");
    tier.put("1", fresh(new Product(1, "b")), Product.class);
    assertThat(commandCalls("evalsha")).isEqualTo(1);
    assertThat(commandCalls("eval")).as("no body sent").isZero();

    redis.command("SCRIPT", "FLUSH"); // as after a restart or a failover to a node that never ran it
    tier.put("1", fresh(new Product(1, "c")), Product.class);
    assertThat(tier.read("1", Product.class).entry().value()).isEqualTo(new Product(1, "c"));
    assertThat(commandCalls("eval")).as("the body, once, after NOSCRIPT").isEqualTo(1);
  }

  private static long commandCalls(String command) {
    for (String line : redis.text("INFO", "commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        return Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
      }
    }
    return 0;
  }

  @Test
  void aLockIsReleasedOnlyByItsOwner() {
    Lease owner = tier.tryLock("1");
    tier.release(new Lease("1", "not-the-token", Lease.State.ACQUIRED));
    assertThat(tier.tryLock("1").state()).isEqualTo(Lease.State.HELD_ELSEWHERE);
    tier.release(owner);
    assertThat(tier.tryLock("1").state()).isEqualTo(Lease.State.ACQUIRED);
  }

  @Test
  void aLockWhoseHolderDiedLapsesAfterItsLease() throws InterruptedException {
    tier.tryLock("1"); // never released, as if the holder died
    assertThat(tier.tryLock("1").state()).isEqualTo(Lease.State.HELD_ELSEWHERE);
    long pttl = Long.parseLong(redis.text("PTTL", "it:products:{1}:lock"));
    assertThat(pttl).isBetween(1L, 300L);
    Thread.sleep(pttl + 50); // the lease is Redis's own clock: nothing to advance
    assertThat(tier.tryLock("1").state()).isEqualTo(Lease.State.ACQUIRED);
  }

  @Test
  void aFencedWriteIsRejectedOnceTheLeaseIsLost() {
    long version = tier.read("1", Product.class).version();
    Lease lease = tier.tryLock("1");
    redis.text("DEL", "it:products:{1}:lock"); // lease lapsed
    Lease newer = tier.tryLock("1");
    assertThat(tier.writeBack("1", fresh(new Product(1, "new")), Product.class, version, newer))
        .isEqualTo(Stored.STORED);
    assertThat(tier.writeBack("1", fresh(new Product(1, "old")), Product.class, version, lease))
        .isEqualTo(Stored.SUPERSEDED);
    assertThat(tier.read("1", Product.class).entry().value()).isEqualTo(new Product(1, "new"));
  }

  @Test
  void aLoadThatReadBeforeAPutCannotWriteBackEvenWithoutTheLock() {
    long before = tier.read("1", Product.class).version();
    assertThat(tier.put("1", fresh(new Product(1, "written")), Product.class).stored()).isEqualTo(Stored.STORED);
    long after = tier.read("1", Product.class).version();
    assertThat(after).isGreaterThan(before);
    assertThat(tier.writeBack("1", fresh(new Product(1, "read before")), Product.class, before, null))
        .isEqualTo(Stored.SUPERSEDED);
    assertThat(tier.read("1", Product.class).entry().value()).isEqualTo(new Product(1, "written"));
    // the version outlives the value by the lock lease, the load timeout and local.ttl, and no longer
    long valueTtl = Long.parseLong(redis.text("PTTL", "it:products:{1}"));
    long versionTtl = Long.parseLong(redis.text("PTTL", "it:products:{1}:v"));
    CacheSettings defaults = CacheSettings.defaults();
    assertThat(versionTtl).isGreaterThanOrEqualTo(valueTtl + defaults.local().ttl().toMillis() - 1_000)
        .isLessThanOrEqualTo(Math.max(valueTtl, defaults.lock().lease().plus(defaults.loadTimeout()).toMillis())
            + defaults.local().ttl().toMillis() + 1_000);
  }

  @Test
  void aVersionIsNeverReusedAfterItsKeyExpiredOrWasFlushed() {
    tier.evict("1");
    long read = tier.read("1", Product.class).version(); // a load starts: a miss at this version
    redis.text("DEL", "it:products:{1}:v");              // the version key expires (or FLUSHALL)
    tier.put("1", fresh(new Product(1, "written")), Product.class);
    assertThat(tier.read("1", Product.class).version()).isNotEqualTo(read);
    assertThat(tier.writeBack("1", fresh(new Product(1, "read before the write")), Product.class, read, null))
        .isEqualTo(Stored.SUPERSEDED);
    assertThat(tier.read("1", Product.class).entry().value()).isEqualTo(new Product(1, "written"));
  }

  @Test
  void evictRemovesTheValueAndItsLockSoARebuildCannotWriteBack() {
    long version = tier.read("1", Product.class).version();
    Lease lease = tier.tryLock("1");
    tier.evict("1");
    assertThat(redis.text("EXISTS", "it:products:{1}", "it:products:{1}:lock")).isEqualTo("0");
    assertThat(tier.writeBack("1", fresh(new Product(1, "stale")), Product.class, version, lease))
        .isEqualTo(Stored.SUPERSEDED);
    assertThat(tier.read("1", Product.class).entry()).isNull();
  }

  @Test
  void aValueTheCodecCannotWriteIsReportedAndNotStored() {
    Object unencodable = new Object() {
      public Object getSelf() {
        return this; // Jackson fails on the cycle
      }
    };
    assertThat(tier.put("1", fresh(new Product(1, "before")), Product.class).stored()).isEqualTo(Stored.STORED);
    assertThat(tier.put("1", fresh(unencodable), Object.class).stored()).isEqualTo(Stored.UNENCODABLE);
    // the put still took the old value away: no instance may keep serving what was replaced
    assertThat(tier.read("1", Product.class).entry()).isNull();
    assertThat(tiers.health().unencodable()).isEqualTo(1);
  }

  /** The value type as a newer version of the application has it: one field more. */
  record ProductWithColour(long id, String name, String colour) {}

  @Test
  void aValueAnotherVersionOfTheTypeWroteIsLeftAloneWhileItMayServe() {
    tier.put("1", fresh(new ProductWithColour(1, "phone", "red")), ProductWithColour.class);

    RemoteTier.Read read = tier.read("1", Product.class); // this instance's type cannot read it

    assertThat(read.hit()).isFalse();
    assertThat(read.foreign()).as("written by another version of the type, still servable").isTrue();
    assertThat(redis.text("EXISTS", "it:products:{1}")).as("not deleted").isEqualTo("1");
    assertThat(tier.readOrLock("1", Product.class, System.currentTimeMillis()).lease())
        .as("and the lock is not taken for it").isNull();
  }

  @Test
  void aValueAnotherVersionOfTheTypeWroteIsTakenOverOnceItCanNoLongerServe() {
    long now = System.currentTimeMillis();
    // past its stale window, kept by Redis for stale-if-error-max-age
    tier.put("1", new CacheEntry(new ProductWithColour(1, "phone", "red"), now - 120_000, now - 60_000, now - 30_000, 5),
        ProductWithColour.class);

    RemoteTier.ReadOrLock read = tier.readOrLock("1", Product.class, now);

    assertThat(read.read().foreign()).isFalse();
    assertThat(read.lease().state()).as("a load here takes the lock and will write back").isEqualTo(Lease.State.ACQUIRED);
  }

  @Test
  void aCorruptValueOfThisTypeIsStillDeleted() {
    redis.command("SET", "it:products:{1}", "not an entry");
    assertThat(tier.read("1", Product.class).foreign()).isFalse();
    assertThat(redis.text("EXISTS", "it:products:{1}")).isEqualTo("0");
  }

  @Test
  void clearRemovesEveryKeyOfTheCacheOnly() {
    RemoteTier other = tiers.forCache("users", CacheSettings.defaults());
    for (int i = 0; i < 1200; i++) {
      tier.put(Integer.toString(i), fresh(new Product(i, "p")), Product.class);
    }
    other.put("u", fresh("user"), String.class);
    tier.clear();
    // only the clear's marker, which every key of the cache now reads its version against
    assertThat(redis.text("KEYS", "it:products:*")).isEqualTo("it:products:cleared");
    assertThat(Long.parseLong(redis.text("PTTL", "it:products:cleared"))).isPositive();
    assertThat(other.read("u", String.class).entry().value()).isEqualTo("user");
  }

  @Test
  void aDeadRedisIsAMissNotAnException() {
    tier.put("1", fresh(new Product(1, "x")), Product.class);
    redis.kill();
    try {
      assertThat(tier.read("1", Product.class).entry()).isNull();
      assertThat(tier.tryLock("1").state()).isEqualTo(Lease.State.UNAVAILABLE);
      tier.put("2", fresh(new Product(2, "y")), Product.class); // no exception
      tier.evict("1");
      assertThat(tiers.health().failures()).isGreaterThanOrEqualTo(4);
      assertThat(tiers.health().isFailing()).isTrue();
    } finally {
      redis.restart();
    }
  }

  @Test
  void keysWithSeparatorsStayIntact() {
    String key = "a|b:{c}, d";
    tier.put(key, fresh("v"), String.class);
    assertThat(tier.read(key, String.class).entry().value()).isEqualTo("v");
    assertThat(redis.text("EXISTS", "it:products:{" + key + "}")).isEqualTo("1");
    assertThat(new String(tiers.events().channel(), StandardCharsets.UTF_8)).isEqualTo("it:coalesce:events");
  }
}
