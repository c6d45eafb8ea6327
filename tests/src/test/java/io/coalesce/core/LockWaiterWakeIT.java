package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.redis.internal.RedisEventsSubscription;
import io.coalesce.redis.internal.RedisTiers;
import io.coalesce.test.Await;
import io.coalesce.test.RedisServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * An instance waiting for another instance's load learns of its outcome from the holder, not from
 * its own retry timer: the lock retry is set to 30 s here, so a waiter that is not told sits there
 * for 30 s. When the holder's write-back cannot store (its lock was flushed, Redis refused the value
 * for lack of memory) or a write removes the lock, the waiter takes the lock and loads at once.
 */
class LockWaiterWakeIT {

  static final Duration RETRY = Duration.ofSeconds(30);

  static RedisServer redis;
  final List<AutoCloseable> closing = new ArrayList<>();
  final ExecutorService callers = Executors.newCachedThreadPool();
  final AtomicInteger loads = new AtomicInteger();

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
    redis.command("CONFIG", "SET", "maxmemory", "0");
  }

  @AfterEach
  void close() throws Exception {
    redis.command("CONFIG", "SET", "maxmemory", "0");
    callers.shutdownNow();
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  CoalescingCache instance(String name) {
    LettuceConnectionFactory connections = new LettuceConnectionFactory(
        new RedisStandaloneConfiguration("127.0.0.1", redis.port()),
        LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(2))
            .clientOptions(ClientOptions.builder().disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS).build())
            .build());
    connections.afterPropertiesSet();
    connections.start();
    RedisTiers tiers = new RedisTiers(connections, "wake", new Jackson2EntryCodec(new ObjectMapper()), Clock.systemUTC());
    RedisEventsSubscription subscription = new RedisEventsSubscription(connections, tiers.events(), name);
    subscription.start();
    closing.add(() -> {
      subscription.stop();
      tiers.close();
      connections.destroy();
    });
    CacheSettings settings = CacheSettings.builder()
        .lock(l -> l.withLease(Duration.ofSeconds(20)).withWaitTime(Duration.ofSeconds(35)))
        .loadTimeout(Duration.ofSeconds(60)).build();
    return CoalescingCacheBuilder.named("products").settings(settings)
        .localTier(CaffeineLocalTier.create(100, Clock.systemUTC()))
        .remoteTier(tiers.forCache("products", settings))
        .lockRetry(RETRY)
        .build();
  }

  /**
   * A holds the lock inside its loader; B waits; {@code fault} strikes while A loads; A's load ends.
   * Returns how long B took after A's load ended, and checks that B loaded itself (A's value was not
   * stored) or got A's value.
   */
  long waiterAfterHolderEnds(Runnable fault, String expectedForB) throws Exception {
    CoalescingCache a = instance("a");
    CoalescingCache b = instance("b");
    CountDownLatch aLoading = new CountDownLatch(1);
    CountDownLatch aMayFinish = new CountDownLatch(1);
    CompletableFuture<String> aCall = CompletableFuture.supplyAsync(() -> a.get("1", String.class, () -> {
      loads.incrementAndGet();
      aLoading.countDown();
      awaitQuietly(aMayFinish);
      return "from A";
    }), callers);
    assertThat(aLoading.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> bCall = CompletableFuture.supplyAsync(() -> b.get("1", String.class, () -> {
      loads.incrementAndGet();
      return "from B";
    }), callers);
    Await.until(() -> redis.text("PUBSUB", "NUMSUB", "wake:coalesce:events").endsWith("2"), Duration.ofSeconds(10));
    Thread.sleep(200); // B is inside its wait (nothing to assert on: it is parked on the lock)
    fault.run();
    long released = System.nanoTime();
    aMayFinish.countDown();
    assertThat(aCall.get(10, TimeUnit.SECONDS)).isEqualTo("from A"); // A's callers get what A loaded
    assertThat(bCall.get(10, TimeUnit.SECONDS)).isEqualTo(expectedForB);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - released);
  }

  @Test
  void aHolderWhoseLockWasFlushedTellsTheWaitersAtOnce() throws Exception {
    long millis = waiterAfterHolderEnds(() -> redis.command("DEL", "wake:products:{1}:lock"), "from B");
    assertThat(loads.get()).isEqualTo(2);
    System.out.printf("[LockWaiterWakeIT] lock flushed: waiter loaded %d ms after the holder's load ended "
        + "(retry interval %d s)%n", millis, RETRY.toSeconds());
    assertThat(millis).isLessThan(RETRY.toMillis() / 2);
  }

  @Test
  void aHolderWhoseValueRedisRefusesForLackOfMemoryTellsTheWaitersAtOnce() throws Exception {
    long millis = waiterAfterHolderEnds(() -> {
      long used = Long.parseLong(info("used_memory"));
      redis.command("CONFIG", "SET", "maxmemory", Long.toString(used / 2));
    }, "from B");
    assertThat(loads.get()).isEqualTo(2);
    assertThat(redis.text("EXISTS", "wake:products:{1}:lock")).as("B could not store either, and released").isEqualTo("0");
    System.out.printf("[LockWaiterWakeIT] write-back refused (OOM): waiter loaded %d ms after the holder's "
        + "load ended (retry interval %d s)%n", millis, RETRY.toSeconds());
    assertThat(millis).isLessThan(RETRY.toMillis() / 2);
  }

  @Test
  void aHolderThatStoresWakesTheWaitersWithItsValue() throws Exception {
    long millis = waiterAfterHolderEnds(() -> {}, "from A");
    assertThat(loads.get()).isEqualTo(1);
    System.out.printf("[LockWaiterWakeIT] value stored: waiter served %d ms after the holder's load ended%n", millis);
    assertThat(millis).isLessThan(RETRY.toMillis() / 2);
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
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
