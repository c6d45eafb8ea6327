package io.coalesce.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.bloom.BloomSeed;
import io.coalesce.it.Boot;
import io.coalesce.redisrepositories.RedisRepositoriesApp;
import io.coalesce.redisrepositories.Session;
import io.coalesce.redisrepositories.SessionRepository;
import io.coalesce.test.Await;
import io.coalesce.test.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

/**
 * What a newcomer's JPA application logs once it adds the starter: only what it asked for, and the
 * lines the docs announce. An application that uses Redis repositories itself keeps them.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartUpLogIT {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  @Test
  void aJpaApplicationLogsNothingAboutRedisRepositories(CapturedOutput output) {
    try (ConfigurableApplicationContext app = startAcceptanceApp("--spring.data.redis.port=" + redis.server().port())) {
      assertThat(app.getBean(BookRepository.class).findBookById(1)).isPresent();
    }
    assertThat(output.getAll())
        .doesNotContain("Multiple Spring Data modules found")
        .doesNotContain("Could not safely identify store assignment");
    assertThat(warnings(output)).isEmpty();
  }

  @Test
  void oneInfoLineSaysWhichCachesUseWhat(CapturedOutput output) {
    try (ConfigurableApplicationContext app = startAcceptanceApp("--spring.data.redis.port=" + redis.server().port(),
        "--coalesce.caches.prices.local.maximum-size=500", "--coalesce.caches.prices.lock.enabled=false")) {
      List<String> lines = output.getAll().lines().filter(line -> line.contains("Coalesce: ")).toList();
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0)).contains(" INFO ").endsWith("Coalesce: 2 caches, Redis at localhost:"
          + redis.server().port() + ": books (L1 max 10000, Redis, lock, Bloom), prices (L1 max 500, Redis)");
    }
  }

  @Test
  void withoutRedisOneWarningAndTheLineSaysWhereRedisWasExpected(CapturedOutput output) {
    try (ConfigurableApplicationContext app = startAcceptanceApp("--spring.data.redis.port=1")) {
      assertThat(app.getBean(BookRepository.class).findBookById(1)).isPresent();
    }
    assertThat(warnings(output)).singleElement().asString()
        .contains("Redis at localhost:1 is not reachable");
    assertThat(output.getAll()).contains("Coalesce: 1 cache, Redis at localhost:1: books (L1 max 10000, Redis, lock, Bloom)");
  }

  /**
   * A Bloom build still streaming its seed when the application stops: the Redis connection factory
   * stops under it, which is the shutdown, not a failure to report. The seed is held until Redis's
   * connection factory has stopped, and the shutdown until the build has given up.
   */
  @Test
  void aBloomBuildCutShortByShutdownLogsNoFailure(CapturedOutput output) throws Exception {
    ConfigurableApplicationContext app = SpringApplication.run(HeldSeedApp.class,
        "--spring.main.web-application-type=none",
        "--spring.autoconfigure.exclude=" + Boot.DATA_SOURCE_4 + "," + Boot.DATA_SOURCE_3,
        "--spring.application.name=startup-log-held",
        "--coalesce.caches.held.bloom.enabled=true",
        "--spring.data.redis.port=" + redis.server().port());
    assertThat(HeldSeedApp.streaming.await(30, TimeUnit.SECONDS)).isTrue();
    app.close();
    assertThat(HeldSeedApp.buildEnded.getCount()).as("the build ended while the application stopped").isZero();
    assertThat(warnings(output)).isEmpty();
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class HeldSeedApp {

    static final CountDownLatch streaming = new CountDownLatch(1);
    static final CountDownLatch release = new CountDownLatch(1);
    static final CountDownLatch buildEnded = new CountDownLatch(1);

    @Bean
    BloomSeed heldIds() {
      return BloomSeed.of("held", () -> Stream.iterate(0L, id -> id + 1).limit(1_000).peek(id -> {
        if (id == 500) {
          streaming.countDown();
          awaitUninterruptibly(release);
        }
      }).onClose(buildEnded::countDown));
    }

    /** Stops after Redis's connection factory (a lower phase stops later): lets the seed go on, then waits for the build. */
    @Bean
    SmartLifecycle releaseTheSeedOnceRedisIsStopped() {
      return new SmartLifecycle() {
        private volatile boolean running;

        @Override
        public void start() {
          running = true;
        }

        @Override
        public void stop() {
          release.countDown();
          Await.until(() -> buildEnded.getCount() == 0 && !bloomThreadInBuild(), Duration.ofSeconds(30));
          running = false;
        }

        @Override
        public boolean isRunning() {
          return running;
        }

        @Override
        public int getPhase() {
          return -1_000; // after Redis's connection factory (0), before Spring Boot's logging shuts down
        }
      };
    }

    private static boolean bloomThreadInBuild() {
      return Thread.getAllStackTraces().entrySet().stream()
          .filter(thread -> thread.getKey().getName().equals("coalesce-bloom"))
          .flatMap(thread -> Stream.of(thread.getValue()))
          .anyMatch(frame -> frame.getClassName().equals("io.coalesce.bloom.BloomFilters"));
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
      boolean interrupted = false;
      while (true) {
        try {
          latch.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the shutdown interrupts the build thread; hold on regardless
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void anApplicationWithRedisRepositoriesKeepsThem() {
    try (ConfigurableApplicationContext app = SpringApplication.run(RedisRepositoriesApp.class,
        "--spring.main.web-application-type=none",
        "--spring.data.redis.port=" + redis.server().port())) {
      SessionRepository sessions = app.getBean(SessionRepository.class);
      sessions.save(new Session("s-1", "ada"));
      assertThat(sessions.findById("s-1")).contains(new Session("s-1", "ada"));
    }
  }

  @Test
  void anExplicitSettingWins() {
    try (ConfigurableApplicationContext app = SpringApplication.run(RedisRepositoriesApp.class,
        "--spring.main.web-application-type=none",
        "--spring.data.redis.repositories.enabled=false",
        "--spring.data.redis.port=" + redis.server().port())) {
      assertThat(app.getBeanNamesForType(SessionRepository.class)).isEmpty();
    }
  }

  private static final AtomicInteger START = new AtomicInteger();

  static ConfigurableApplicationContext startAcceptanceApp(String... more) {
    List<String> args = new java.util.ArrayList<>(List.of(
        "--server.port=0",
        "--spring.datasource.url=jdbc:h2:mem:startup-log-" + START.incrementAndGet(),
        "--spring.application.name=startup-log-" + START.get(), // its own Bloom filter in Redis
        "--spring.jpa.hibernate.ddl-auto=none",
        "--spring.sql.init.schema-locations=classpath:acceptance/schema.sql",
        "--spring.sql.init.data-locations=classpath:acceptance/data.sql",
        "--spring.jpa.open-in-view=false",
        "--coalesce.caches.books.bloom.enabled=true"));
    args.addAll(List.of(more));
    return SpringApplication.run(AcceptanceApp.class, args.toArray(String[]::new));
  }

  static List<String> warnings(CapturedOutput output) {
    return output.getAll().lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")).toList();
  }
}
