package io.coalesce.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.coalesce.test.RedisServer.Source;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The test Redis does what the suite relies on, from each source that this machine offers: the PATH
 * binary and the binary bundled by embedded-redis are each tried on their own; a container is tried
 * where a Docker engine answers, and reported as skipped (never passed) where none does, unless
 * {@code COALESCE_REQUIRE_DOCKER} is true: CI starts an engine and sets it, so there it must run.
 */
class RedisServerTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  @Test
  void theExtensionStartsAServerThatAnswers() {
    assertThat(redis.server().answers()).isTrue();
    assertThat(redis.server().command("SET", "k", "v")).isEqualTo("OK");
    assertThat(redis.server().command("GET", "k")).isEqualTo("v");
  }

  @Test
  void theServerOnThePathCanBeKilledRestartedPausedAndFlushed() {
    // CI installs redis-server and says so: there a missing binary is a failure, not a skip
    if (!Boolean.parseBoolean(System.getenv("COALESCE_REQUIRE_REDIS_ON_PATH"))) {
      assumeTrue(RedisBinary.onPath().isPresent(), "no redis-server on the PATH");
    }
    exercise(Source.PATH);
  }

  @Test
  void theBinaryBundledByEmbeddedRedisCanBeKilledRestartedPausedAndFlushed() {
    exercise(Source.EMBEDDED);
  }

  @Test
  void aContainerCanBeKilledRestartedPausedAndFlushed() {
    boolean docker = ContainerRedis.classPresent(getClass().getClassLoader()) && ContainerRedis.dockerAvailable();
    if (Boolean.parseBoolean(System.getenv("COALESCE_REQUIRE_DOCKER"))) {
      assertThat(docker).as("COALESCE_REQUIRE_DOCKER is set, but no Docker engine answers").isTrue();
    } else {
      assumeTrue(docker, "no Docker engine answers");
    }
    exercise(Source.DOCKER);
  }

  @Test
  void aClusterIsFormedWithoutRedisCli() {
    try (RedisCluster cluster = RedisCluster.start(3)) {
      assertThat(cluster.nodes()).hasSize(3);
      assertThat(String.valueOf(cluster.nodes().get(0).command("CLUSTER", "INFO"))).contains("cluster_known_nodes:3");
    }
  }

  private static void exercise(Source source) {
    try (RedisServer server = RedisServer.start(source, "--maxmemory", "8mb")) {
      assertThat(server.sourceOfServer()).isEqualTo(source);
      server.command("SET", "k", "v");
      assertThat(String.valueOf(server.command("CONFIG", "GET", "maxmemory"))).contains("8388608");

      server.flushAll();
      assertThat(server.command("GET", "k")).isNull();

      server.pause(Duration.ofMillis(300));
      long start = System.nanoTime();
      assertThat(server.command("PING")).isEqualTo("PONG"); // answered only once the pause is over
      assertThat(System.nanoTime() - start).isGreaterThan(Duration.ofMillis(150).toNanos());

      server.command("SET", "k", "v");
      server.kill();
      assertThat(server.answers()).isFalse();
      server.restart();
      assertThat(server.answers()).isTrue();
      assertThat(server.command("GET", "k")).as("a restarted server is empty").isNull();
    }
  }
}
