package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheBuilder;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.test.RedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.RedisException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The invalidation subscription and the commands use two connections, which Lettuce reconnects each
 * on its own schedule (its reconnect delay, on a 100 ms timer tick): after a restart of Redis the
 * subscription may be back while the command connection still rejects every command, for up to a
 * reconnect delay. Here the command connection is held "not connected" while the subscription comes
 * back, which a real restart does now and then ({@code ShortOutageRecoveryIT}, embedded Redis 6.2:
 * 2 of 24 runs). L1 copies must not be dropped before the reads can reach Redis: the reloads would
 * fail or be skipped, re-open the breaker, and their copies, kept for their whole window while Redis
 * is failing, would keep Redis unused for a whole ttl after it answers.
 */
class SubscriptionBeforeCommandsIT {

  static final int KEYS = 20;

  RedisServer redis;
  LettuceConnectionFactory connections;
  volatile boolean commandsDown;
  RedisTiers tiers;
  CircuitBreakerCallGuard guard;
  CoalescingCache cache;
  final AtomicInteger loads = new AtomicInteger();

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()),
        LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(300))
            .clientOptions(ClientOptions.builder().disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS).build())
            .build());
    connections.afterPropertiesSet();
    connections.start();
    guard = new CircuitBreakerCallGuard(CircuitBreaker.of(CircuitBreakerCallGuard.NAME,
        CircuitBreakerCallGuard.defaultConfig(Duration.ofMillis(300))));
    tiers = new RedisTiers(commandConnection(), "it", new Jackson2EntryCodec(new ObjectMapper()), Clock.systemUTC(),
        guard);
    CacheSettings settings = CacheSettings.builder().ttl(Duration.ofSeconds(8)).jitter(0).earlyRefreshBeta(0).build();
    cache = CoalescingCacheBuilder.named("products").settings(settings)
        .localTier(CaffeineLocalTier.create(1_000, Clock.systemUTC()))
        .remoteTier(tiers.forCache("products", settings))
        .build();
  }

  @AfterEach
  void stop() {
    tiers.close();
    connections.destroy();
    redis.close();
  }

  /**
   * The connection the tier's commands use: the real one, except that while {@link #commandsDown}
   * every command is rejected as Lettuce rejects them while it reconnects.
   */
  RedisConnectionFactory commandConnection() {
    return (RedisConnectionFactory) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {RedisConnectionFactory.class}, (proxy, method, args) -> {
          if (commandsDown && method.getName().equals("getConnection")) {
            throw new RedisSystemException("Redis exception",
                new RedisException("Currently not connected. Commands are rejected."));
          }
          try {
            return method.invoke(connections, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  void readEveryKey() {
    for (int id = 0; id < KEYS; id++) {
      String key = String.valueOf(id);
      assertThat(cache.get(key, String.class, () -> {
        loads.incrementAndGet();
        return "product-" + key;
      })).isEqualTo("product-" + key);
    }
  }

  int valuesInRedis() {
    int found = 0;
    for (int id = 0; id < KEYS; id++) {
      if (redis.text("EXISTS", "it:products:{" + id + "}").equals("1")) {
        found++;
      }
    }
    return found;
  }

  @Test
  void aSubscriptionBackBeforeTheCommandConnectionDoesNotKeepRedisUnusedForATtl() throws Exception {
    byte[] channel = "it:coalesce:events".getBytes(StandardCharsets.UTF_8);
    tiers.events().onChannelSubscribed(channel, 1); // at start-up, as the listener container does
    assertThat(tiers.ping()).isTrue(); // the command connection is up
    // Redis fails: the reads open the breaker, and every key is in L1 for its whole window (8 s).
    commandsDown = true;
    for (int round = 0; round < 3 && guard.isAvailable(); round++) {
      readEveryKey();
    }
    assertThat(guard.state()).isEqualTo("OPEN");
    int loadsWhileDown = loads.get();

    // The subscription is back (the listener container calls this on Lettuce's thread), the command
    // connection not yet; callers go on reading meanwhile.
    tiers.events().onChannelSubscribed(channel, 1);
    readEveryKey();
    readEveryKey();

    // The command connection is back: within a probe interval or two, the reads use Redis again.
    java.util.List<String> transitions = new java.util.concurrent.CopyOnWriteArrayList<>();
    long backAt = System.nanoTime();
    guard.breaker().getEventPublisher().onStateTransition(e -> transitions.add(
        e.getStateTransition().getToState() + " at " + (System.nanoTime() - backAt) / 1_000_000 + " ms"));
    commandsDown = false;
    long deadline = backAt + TimeUnit.SECONDS.toNanos(3);
    while (valuesInRedis() < KEYS && System.nanoTime() < deadline) {
      readEveryKey();
      Thread.sleep(5); // a caller's pace
    }
    long tookMillis = (System.nanoTime() - backAt) / 1_000_000;
    System.out.printf("[SubscriptionBeforeCommandsIT] %d of %d values in Redis %d ms after the command connection"
        + " came back (breaker %s, %d loads while down, %d in all)%n", valuesInRedis(), KEYS, tookMillis,
        transitions, loadsWhileDown, loads.get());
    assertThat(valuesInRedis()).as("values written to Redis within 3 s of the command connection's return")
        .isEqualTo(KEYS);
    assertThat(guard.state()).isEqualTo("CLOSED");
  }
}
