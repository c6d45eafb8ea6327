package io.coalesce.reactiveapp;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.reactiveapp.RunningApp.Reply;
import io.coalesce.reactiveapp.RunningApp.Request;
import io.coalesce.test.RedisServer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.HashSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A WebFlux + Spring Data R2DBC application that uses Coalesce as getting-started.md shows, answering
 * hundreds of concurrent HTTP requests, with BlockHound watching every thread of the JVM but the test's
 * ({@link WatchEveryThread}): the Netty server's event loops, the R2DBC driver's, Lettuce's, Reactor's.
 * Redis is a real server the test kills and restarts; the database is PostgreSQL when one answers
 * ({@link Database}). Counted at the driver: the statements each id costs.
 */
class WebFluxR2dbcBlockHoundIT {

  /** An id in the JSON of a product. */
  private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

  static RedisServer redis;
  static Database database;
  RunningApp app;

  @BeforeAll
  static void watchEveryThreadAndStartRedis() {
    assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
        .as("the failsafe execution starts its JVM with the flag BlockHound needs")
        .contains("-XX:+AllowRedefinitionToAddDeleteMethods");
    WatchEveryThread.install();
    redis = RedisServer.start();
    database = Database.pick();
    System.out.println("WebFluxR2dbcBlockHoundIT: " + (database.postgres() ? "PostgreSQL" : "H2") + ", Redis " + redis);
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void cleanSlate() {
    if (!redis.answers()) {
      redis.restart();
    }
    redis.flushAll();
    WatchEveryThread.BLOCKING_CALLS.clear();
  }

  @AfterEach
  void stopApp() {
    if (app != null) {
      app.close();
    }
  }

  private void assertNothingBlocked() {
    assertThat(WatchEveryThread.BLOCKING_CALLS).as("blocking calls (their stacks)").isEmpty();
  }

  @Test
  void blockHoundReportsASleepOnTheServersEventLoop() {
    app = RunningApp.start(database, redis.port());
    app.send("/blocking");
    // the check itself can fail: a sleep on the server's event loop is reported
    assertThat(WatchEveryThread.BLOCKING_CALLS).anySatisfy(stack ->
        assertThat(stack).contains("sleep").containsPattern("on reactor-http-(epoll|nio|kqueue)-"));
  }

  @Test
  void twoHundredConcurrentRequestsOnColdIdsCostOneQueryPerId() {
    app = RunningApp.start(database, redis.port());
    app.queries.readLatency(Duration.ofMillis(300)); // every request arrives while its id loads
    List<Request> requests = new ArrayList<>();
    for (long id = 1; id <= 10; id++) {
      for (int i = 0; i < 20; i++) {
        requests.add(Request.get("/products/" + id));
      }
    }
    Collections.shuffle(requests, new Random(7));

    List<Reply> replies = app.sendAll(requests);

    assertNothingBlocked();
    assertThat(replies).hasSize(200).allSatisfy(reply -> {
      assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      assertThat(reply.body()).contains("\"name\":\"product-" + idOf(reply.request()) + "\"");
    });
    assertThat(app.queries.productReads()).hasSize(10);
    LongStream.rangeClosed(1, 10).forEach(id -> assertThat(app.queries.readsOf(id)).as("reads of %d", id).isEqualTo(1));
  }

  @Test
  void aFluxBatchQueriesOnlyTheIdsCachedNowhere() {
    app = RunningApp.start(database, redis.port());
    assertThat(app.send("/products/1").status()).isEqualTo(200);
    assertThat(app.send("/products/2").status()).isEqualTo(200);
    assertThat(app.send("/products/9999").status()).isEqualTo(404);
    app.queries.clear();

    Reply batch = app.send("/products?ids=1,2,3,4,9999");

    assertThat(batch.status()).isEqualTo(200);
    assertThat(idsIn(batch.body())).containsExactly(1L, 2L, 3L, 4L);
    assertThat(app.queries.productReads()).singleElement()
        .satisfies(query -> assertThat(query.values()).containsExactlyInAnyOrder(3L, 4L));
    app.queries.clear();
    assertThat(idsIn(app.send("/products?ids=4,3,9999").body())).containsExactly(4L, 3L);
    assertThat(app.queries.productReads()).isEmpty();

    // batches and single reads of the same cold ids, all at once: each id is read once
    app.queries.readLatency(Duration.ofMillis(300));
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      requests.add(Request.get("/products?ids=10,11,12,13,14,15"));
      requests.add(Request.get("/products/" + (10 + i % 6)));
    }
    List<Reply> replies = app.sendAll(requests);

    assertNothingBlocked();
    assertThat(replies).allSatisfy(reply -> assertThat(reply.status()).as(reply.toString()).isEqualTo(200));
    LongStream.rangeClosed(10, 15).forEach(id -> assertThat(app.queries.readsOf(id)).as("reads of %d", id).isEqualTo(1));
  }

  @Test
  void redisKilledAndRestartedUnderLoadWithTheExecutorSaturated() throws Exception {
    // one thread and a queue of one: most cold loads of a burst find Coalesce's executor full
    app = RunningApp.start(database, redis.port(), "coalesce.refresh.threads=1", "coalesce.refresh.queue-capacity=1");
    app.queries.readLatency(Duration.ofMillis(50));
    List<Reply> all = new ArrayList<>();

    all.addAll(wave(1, null));
    all.addAll(wave(61, redis::kill));
    all.addAll(wave(121, null));
    all.addAll(wave(181, redis::restart));
    awaitBackOnRedis();
    all.addAll(wave(241, null));

    assertNothingBlocked();
    assertThat(all).as("the executor was saturated: some loads were rejected")
        .anySatisfy(reply -> assertThat(reply.status()).isEqualTo(503));
    // once the bursts are over, every product is answered as the database has it
    Map<Long, String> names = app.namesInDatabase();
    for (long id = 1; id <= 300; id++) {
      Reply reply = sendUntilNotRejected("/products/" + id);
      assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      assertThat(reply.body()).as("product %d", id).contains("\"name\":\"" + names.get(id) + "\"");
    }
    assertNothingBlocked();
  }

  /**
   * 200 requests at once on the 60 ids from {@code first} (cold): single reads, Flux batches and
   * renames; {@code fault} runs 20 ms into them. Each reply is 200, or 503 with {@code Retry-After} for a
   * rejected or timed-out load; no two loads of one id overlap unless it is renamed meanwhile, and each id
   * costs one query at most (two across a Redis restart).
   */
  private List<Reply> wave(long first, Runnable fault) throws InterruptedException {
    List<Request> requests = new ArrayList<>();
    Random random = new Random(first);
    for (int i = 0; i < 170; i++) {
      requests.add(Request.get("/products/" + (first + random.nextInt(60))));
    }
    for (int i = 0; i < 20; i++) {
      long from = first + random.nextInt(55);
      requests.add(Request.get("/products?ids=" + from + "," + (from + 2) + "," + (from + 4)));
    }
    Set<Long> renamed = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      long id = first + i * 6;
      renamed.add(id);
      requests.add(Request.put("/products/" + id + "?name=renamed-" + id));
    }
    Collections.shuffle(requests, random);
    app.queries.clear();
    Thread faultThread = null;
    if (fault != null) {
      faultThread = new Thread(() -> {
        sleep(20);
        fault.run();
      }, "test-fault");
      faultThread.start();
    }

    List<Reply> replies = app.sendAll(requests);
    if (faultThread != null) {
      faultThread.join();
    }

    assertThat(replies).allSatisfy(reply -> {
      if (reply.status() == 503) {
        assertThat(reply.retryAfter()).as(reply.toString()).isNotNull();
        assertThat(reply.contentType()).as(reply.toString()).contains("application/problem+json");
      } else {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      }
    });
    System.out.printf("wave from id %d: %d answered 200, %d answered 503, %d product reads%n", first,
        replies.stream().filter(r -> r.status() == 200).count(), replies.stream().filter(r -> r.status() == 503).count(),
        app.queries.productReads().size());
    // A rename supersedes the load of its id that runs meanwhile (it may have read the old row), so the
    // next read loads again at once: renamed ids may overlap, no other may.
    assertThat(app.queries.idsReadConcurrently()).as("ids whose loads overlapped (renamed: %s)", renamed)
        .isSubsetOf(renamed);
    // Once per id; once more after a rename; where Redis restarted, once more after it: the instance
    // drops its L1 when it subscribes again (it may have missed invalidations meanwhile).
    for (long id = first; id < first + 60; id++) {
      int mostReads = 1 + (renamed.contains(id) ? 1 : 0) + (fault == null ? 0 : 1);
      assertThat(app.queries.readsOf(id)).as("reads of %d in the wave from %d", id, first).isLessThanOrEqualTo(mostReads);
    }
    return replies;
  }

  /**
   * Waits until the application is back on the restarted Redis: subscribed to invalidations (it drops
   * its L1 then, so a wave that overlapped that moment would load some ids twice) and writing loaded
   * values to Redis again (a probe id, outside every wave, read until its key is there).
   */
  private void awaitBackOnRedis() {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long probe = RunningApp.ROWS;
    while (!(redis.answers() && !redis.text("PUBSUB", "CHANNELS").isBlank()
        && app.send("/products/" + probe).status() == 200 && !redis.text("KEYS", "*{" + probe + "}*").isBlank())) {
      assertThat(System.nanoTime()).as("back on Redis within 30 s").isLessThan(deadline);
      sleep(50);
    }
  }

  private Reply sendUntilNotRejected(String path) {
    Reply reply = app.send(path);
    for (int attempt = 0; attempt < 50 && reply.status() == 503; attempt++) {
      sleep(100);
      reply = app.send(path);
    }
    return reply;
  }

  private static long idOf(Request request) {
    String path = request.path();
    return Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
  }

  private static List<Long> idsIn(String json) {
    return ID.matcher(json).results()
        .map(m -> Long.parseLong(m.group(1))).collect(Collectors.toList());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
