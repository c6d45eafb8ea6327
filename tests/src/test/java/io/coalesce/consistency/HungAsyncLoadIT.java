package io.coalesce.consistency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.coalesce.annotation.Coalesced;
import io.coalesce.core.LoadTimeoutException;
import io.coalesce.it.Boot;
import io.coalesce.test.RedisServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * "{@code load-timeout} binds every load, leader included, sync or async: no hung loader holds a
 * bulkhead slot or a flight past it" (DESIGN.md, Failure semantics). A {@code CompletableFuture} or
 * {@code Mono} method whose loader never completes (a driver that lost its reply), in caches with
 * {@code bulkhead.max-concurrent-loads=2} and {@code load-timeout=300ms}.
 */
class HungAsyncLoadIT {

  static final long LOAD_TIMEOUT_MILLIS = 300;

  /** Keys starting with "hang" never complete; the others complete at once on another thread. */
  public static class SlowRepository {
    final AtomicInteger calls = new AtomicInteger();

    @Coalesced(cache = "hung-futures", key = "#key")
    public CompletableFuture<String> future(String key) {
      calls.incrementAndGet();
      if (key.startsWith("hang")) {
        return new CompletableFuture<>();
      }
      return CompletableFuture.supplyAsync(() -> "value-" + key);
    }

    @Coalesced(cache = "hung-monos", key = "#key")
    public Mono<String> mono(String key) {
      calls.incrementAndGet();
      if (key.startsWith("hang")) {
        return Mono.never();
      }
      return Mono.fromCallable(() -> "value-" + key).subscribeOn(Schedulers.boundedElastic());
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3})
  static class App {
    @Bean
    SlowRepository slowRepository() {
      return new SlowRepository();
    }
  }

  static RedisServer redis;
  Contexts contexts;
  SlowRepository repository;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void start() {
    redis.flushAll();
    contexts = new Contexts(redis);
    repository = contexts.start(App.class,
        "coalesce.caches.hung-futures.bulkhead.max-concurrent-loads=2",
        "coalesce.caches.hung-futures.load-timeout=" + LOAD_TIMEOUT_MILLIS + "ms",
        "coalesce.caches.hung-monos.bulkhead.max-concurrent-loads=2",
        "coalesce.caches.hung-monos.load-timeout=" + LOAD_TIMEOUT_MILLIS + "ms").getBean(SlowRepository.class);
  }

  @AfterEach
  void stop() {
    contexts.close();
  }

  /** What {@code future} ends with within {@code seconds}: its value, its failure's cause, or "still running". */
  private static Object outcome(CompletableFuture<?> future, long seconds) throws InterruptedException {
    try {
      return future.get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      return "still running after " + seconds + " s";
    }
  }

  /**
   * Defect (issue 25, 4): two {@code CompletableFuture} loads that never complete hold both bulkhead
   * slots for ever: a third key's load, whose loader would complete at once, is rejected with
   * {@code LoadRejectedException} after {@code bulkhead.max-wait} although both hung loads are past
   * {@code load-timeout} (and still is seconds later).
   */
  @Test
  void hungCompletableFutureLoadsFreeTheirBulkheadSlotsAfterLoadTimeout() throws Exception {
    repository.future("hang-1");
    repository.future("hang-2");
    Thread.sleep(LOAD_TIMEOUT_MILLIS + 300);

    Object third = outcome(repository.future("ok"), 5);

    assertThat(third).as("the third key's load, after the hung ones passed load-timeout").isEqualTo("value-ok");
  }

  /** Defect (issue 25, 4): the same with a {@code Mono} method. */
  @Test
  void hungMonoLoadsFreeTheirBulkheadSlotsAfterLoadTimeout() throws Exception {
    repository.mono("hang-1").subscribe(v -> {}, e -> {});
    repository.mono("hang-2").subscribe(v -> {}, e -> {});
    Thread.sleep(LOAD_TIMEOUT_MILLIS + 300);

    Object third = outcome(repository.mono("ok").toFuture(), 5);

    assertThat(third).as("the third key's load, after the hung ones passed load-timeout").isEqualTo("value-ok");
  }

  /**
   * Defect (issue 25, 4): the caller that leads a {@code CompletableFuture} load that never completes
   * waits for ever; it must fail with {@code LoadTimeoutException} (as the returned future's cause,
   * the way a caller that joined another's load gets it) within about {@code load-timeout}.
   */
  @Test
  void theCallerOfAHungCompletableFutureLoadGetsLoadTimeoutExceptionAfterLoadTimeout() throws Exception {
    long start = System.nanoTime();
    CompletableFuture<String> hung = repository.future("hang-1");

    Object outcome = outcome(hung, 3);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(outcome).as("what the hung load's caller got").isInstanceOf(LoadTimeoutException.class);
    assertThat(millis).as("ms until the hung load's caller was released").isLessThan(LOAD_TIMEOUT_MILLIS + 1_000);
  }

  /**
   * Defect (issue 25, 4): the same for a {@code Mono} method: {@code block()} must throw
   * {@code LoadTimeoutException} within about {@code load-timeout} instead of waiting for ever.
   */
  @Test
  void theCallerOfAHungMonoLoadGetsLoadTimeoutExceptionAfterLoadTimeout() {
    long start = System.nanoTime();

    Throwable thrown = catchThrowable(() -> repository.mono("hang-1").block(Duration.ofSeconds(3)));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(thrown).as("what the hung load's caller got").isInstanceOf(LoadTimeoutException.class);
    assertThat(millis).as("ms until the hung load's caller was released").isLessThan(LOAD_TIMEOUT_MILLIS + 1_000);
  }
}
