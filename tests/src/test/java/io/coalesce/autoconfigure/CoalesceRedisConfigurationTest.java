package io.coalesce.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.it.Boot;
import io.coalesce.redis.EntryCodec;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.redis.JacksonEntryCodec;
import io.coalesce.redis.internal.CircuitBreakerCallGuard;
import io.coalesce.redis.internal.RedisTiers;
import io.coalesce.redis.internal.SentinelWatch;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.cluster.ClusterClientOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The Redis wiring: fail-fast Lettuce client, the coalesce-redis circuit breaker. No Redis needed. */
class CoalesceRedisConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(Boot.redis())
      .withConfiguration(Boot.coalesce())
      .withPropertyValues("spring.data.redis.port=1"); // nothing listens: nothing here connects

  @Test
  void theLettuceClientFailsFastWithCoalescesCommandTimeout() {
    runner.run(context -> {
      var client = context.getBean(LettuceConnectionFactory.class).getClientConfiguration();
      assertThat(client.getCommandTimeout()).isEqualTo(Duration.ofMillis(500));
      assertThat(client.getClientOptions()).get()
          .extracting(o -> o.getDisconnectedBehavior()).isEqualTo(DisconnectedBehavior.REJECT_COMMANDS);
    });
  }

  @Test
  void theApplicationsOwnRedisTimeoutWins() {
    runner.withPropertyValues("spring.data.redis.timeout=3s", "coalesce.redis.fail-fast-when-disconnected=false")
        .run(context -> {
          var client = context.getBean(LettuceConnectionFactory.class).getClientConfiguration();
          assertThat(client.getCommandTimeout()).isEqualTo(Duration.ofSeconds(3));
          assertThat(client.getClientOptions()).get()
              .extracting(o -> o.getDisconnectedBehavior()).isEqualTo(DisconnectedBehavior.DEFAULT);
          // the breaker judges slowness against the application's timeout
          assertThat(context.getBean(CircuitBreakerCallGuard.class).breaker().getCircuitBreakerConfig()
              .getSlowCallDurationThreshold()).isEqualTo(Duration.ofSeconds(3));
        });
  }

  @Test
  void aClusterClientRefreshesItsTopologyToFollowAFailover() {
    runner.withPropertyValues("spring.data.redis.cluster.nodes=127.0.0.1:1").run(context -> {
      var options = (ClusterClientOptions) context.getBean(LettuceConnectionFactory.class).getClientConfiguration()
          .getClientOptions().orElseThrow();
      var refresh = options.getTopologyRefreshOptions();
      assertThat(refresh.getAdaptiveRefreshTriggers()).isNotEmpty();
      assertThat(refresh.getAdaptiveRefreshTimeout()).isEqualTo(Duration.ofMillis(500));
      assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
      assertThat(options.getDisconnectedBehavior()).isEqualTo(DisconnectedBehavior.REJECT_COMMANDS);
    });
  }

  @Test
  void theApplicationsOwnClusterRefreshSettingsWin() {
    runner.withPropertyValues("spring.data.redis.cluster.nodes=127.0.0.1:1",
        "spring.data.redis.lettuce.cluster.refresh.adaptive=false").run(context -> {
          var options = (ClusterClientOptions) context.getBean(LettuceConnectionFactory.class)
              .getClientConfiguration().getClientOptions().orElseThrow();
          // Boot built these from its properties, with Lettuce's own defaults; Coalesce left them alone
          assertThat(options.getTopologyRefreshOptions().getAdaptiveRefreshTimeout()).isNotEqualTo(Duration.ofMillis(500));
          assertThat(options.getTopologyRefreshOptions().isPeriodicRefreshEnabled()).isFalse();
        });
  }

  @Test
  void withSentinelCoalesceWatchesWhereTheMasterIs() {
    runner.withPropertyValues("spring.data.redis.sentinel.master=mymaster",
        "spring.data.redis.sentinel.nodes=127.0.0.1:1").run(context ->
        assertThat(context.getBeansOfType(SentinelWatch.class)).hasSize(1));
  }

  @Test
  void withoutSentinelNothingWatchesIt() {
    runner.run(context -> assertThat(context.getBeansOfType(SentinelWatch.class)).isEmpty());
  }

  @Test
  void everyRedisCallGoesThroughTheCoalesceRedisCircuitBreaker() {
    runner.run(context -> {
      CircuitBreakerCallGuard guard = context.getBean(CircuitBreakerCallGuard.class);
      assertThat(guard.breaker().getName()).isEqualTo("coalesce-redis");
      assertThat(context.getBean(RedisTiers.class).guard()).isSameAs(guard);
      CircuitBreakerConfig config = guard.breaker().getCircuitBreakerConfig();
      assertThat(config.getMinimumNumberOfCalls()).isEqualTo(10);
    });
  }

  @Test
  void aBreakerConfiguredInTheApplicationsResilience4jRegistryIsUsed() {
    runner.withConfiguration(Boot.resilience4jCircuitBreaker())
        .withPropertyValues(
            "resilience4j.circuitbreaker.instances.coalesce-redis.minimum-number-of-calls=42",
            "resilience4j.circuitbreaker.instances.coalesce-redis.wait-duration-in-open-state=7s")
        .run(context -> {
          CircuitBreakerConfig config =
              context.getBean(CircuitBreakerCallGuard.class).breaker().getCircuitBreakerConfig();
          assertThat(config.getMinimumNumberOfCalls()).isEqualTo(42);
          assertThat(config.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(7_000L);
        });
  }

  @Test
  void withAResilience4jRegistryButNoCoalesceInstanceCoalescesDefaultsApply() {
    runner.withConfiguration(Boot.resilience4jCircuitBreaker()).run(context -> {
      CircuitBreakerConfig config =
          context.getBean(CircuitBreakerCallGuard.class).breaker().getCircuitBreakerConfig();
      assertThat(config.getMinimumNumberOfCalls()).isEqualTo(10);
      assertThat(config.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(5_000L);
    });
  }

  @Test
  void breakerPropertiesThatNothingWouldReadFailStartUpSayingWhatToAdd() {
    runner.withPropertyValues("resilience4j.circuitbreaker.instances.coalesce-redis.minimum-number-of-calls=42")
        .run(context -> assertThat(context).getFailure().rootCause()
            .hasMessageContaining("resilience4j.circuitbreaker.instances.coalesce-redis")
            .hasMessageContaining(Boot.isBoot4() ? "resilience4j-spring-boot4" : "resilience4j-spring-boot3"));
  }

  @Test
  void valuesAreWrittenWithTheApplicationsJacksonOfThisBootLine() {
    runner.withConfiguration(Boot.jackson()).run(context -> {
      EntryCodec codec = context.getBean(EntryCodec.class);
      // Boot 4: Jackson 3 and its JsonMapper bean; Boot 3.5: Jackson 2 and its ObjectMapper bean
      assertThat(codec).isInstanceOf(Boot.isBoot4() ? JacksonEntryCodec.class : Jackson2EntryCodec.class);
    });
  }

  @Test
  void anApplicationsOwnCodecWins() {
    EntryCodec own = new Jackson2EntryCodec(new com.fasterxml.jackson.databind.ObjectMapper());
    runner.withConfiguration(Boot.jackson()).withBean("myCodec", EntryCodec.class, () -> own)
        .run(context -> assertThat(context.getBean(RedisTiers.class)).isNotNull()
            .satisfies(tiers -> assertThat(context.getBean(EntryCodec.class)).isSameAs(own)));
  }

  @Test
  void anInvalidCommandTimeoutFailsStartUpNamingTheProperty() {
    runner.withPropertyValues("coalesce.redis.command-timeout=0s").run(context ->
        assertThat(context).getFailure().rootCause()
            .hasMessageContaining("coalesce.redis.command-timeout must be positive"));
  }
}
