package io.coalesce.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.acceptance.AcceptanceApp;
import io.coalesce.autoconfigure.internal.SpringDataRedisDefaults;
import io.coalesce.autoconfigure.repositories.definition.TokenRepository;
import io.coalesce.autoconfigure.repositories.keyvalue.CartRepository;
import io.coalesce.redisrepositories.RedisRepositoriesApp;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Which applications get Spring Data Redis's repositories switched off by default: those that
 * declare none of their own, whichever way a Redis repository is declared. (StartUpLogIT shows the
 * effect on real applications.)
 */
class SpringDataRedisDefaultsTest {

  @Test
  void aJpaApplicationGetsTheDefaults() {
    StandardEnvironment environment = apply(AcceptanceApp.class);

    assertThat(environment.getProperty("spring.data.redis.repositories.enabled")).isEqualTo("false");
    assertThat(environment.getProperty(
        "logging.level.org.springframework.data.repository.config.RepositoryConfigurationDelegate")).isEqualTo("warn");
  }

  @Test
  void anApplicationWithARedisHashRepositoryIsLeftAlone() {
    assertThat(apply(RedisRepositoriesApp.class).getPropertySources().contains(SpringDataRedisDefaults.PROPERTY_SOURCE))
        .isFalse();
  }

  @Test
  void aRepositoryDefinitionOverARedisHashCounts() {
    assertThat(apply(TokenRepository.class).getProperty("spring.data.redis.repositories.enabled")).isNull();
  }

  @Test
  void aKeyValueRepositoryCountsWithoutRedisHash() {
    assertThat(apply(CartRepository.class).getProperty("spring.data.redis.repositories.enabled")).isNull();
  }

  @Test
  void anExplicitSettingWins() {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(
        new MapPropertySource("application", Map.of("spring.data.redis.repositories.enabled", "true")));
    SpringDataRedisDefaults.apply(environment, Set.of(AcceptanceApp.class), getClass().getClassLoader());

    assertThat(environment.getProperty("spring.data.redis.repositories.enabled")).isEqualTo("true");
  }

  private StandardEnvironment apply(Class<?> source) {
    StandardEnvironment environment = new StandardEnvironment();
    SpringDataRedisDefaults.apply(environment, Set.of(source), getClass().getClassLoader());
    return environment;
  }
}
