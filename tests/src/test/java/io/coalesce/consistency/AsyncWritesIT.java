package io.coalesce.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedPut;
import io.coalesce.it.Boot;
import io.coalesce.test.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Mono;

/**
 * "A write's returned future or publisher completes after the cache write, never before" (DESIGN.md,
 * Failure semantics): a caller that waited for a {@code @CoalescedPut} method's
 * {@code CompletableFuture} or {@code Mono} and then reads, or writes again, must see its write in
 * the cache. The methods complete on a thread of their own (a driver's), as real asynchronous
 * repositories do.
 */
class AsyncWritesIT {

  static final int READ_ROUNDS = 100;
  static final int WRITE_ROUNDS = 200;

  public record Product(long id, String name) {}

  /** The database every instance shares. */
  public static final class ProductDb {
    private final Map<Long, String> names = new ConcurrentHashMap<>();

    void put(long id, String name) {
      names.put(id, name);
    }

    Product find(long id) {
      String name = names.get(id);
      return name == null ? null : new Product(id, name);
    }
  }

  /** The cached repository of one instance; its asynchronous writes complete on the driver's threads. */
  public static class ProductService {
    private final ProductDb db;
    private final ExecutorService driver = Executors.newFixedThreadPool(4);

    public ProductService(ProductDb db) {
      this.db = db;
    }

    @Coalesced(cache = "products", key = "#id")
    public Product find(long id) {
      return db.find(id);
    }

    @CoalescedPut(cache = "products", key = "#id")
    public Product save(long id, String name) {
      db.put(id, name);
      return new Product(id, name);
    }

    @CoalescedPut(cache = "products", key = "#id")
    public CompletableFuture<Product> saveAsync(long id, String name) {
      return CompletableFuture.supplyAsync(() -> {
        db.put(id, name);
        return new Product(id, name);
      }, driver);
    }

    @CoalescedPut(cache = "products", key = "#id")
    public Mono<Product> saveMono(long id, String name) {
      return Mono.fromFuture(() -> CompletableFuture.supplyAsync(() -> {
        db.put(id, name);
        return new Product(id, name);
      }, driver));
    }

    public void shutdown() {
      driver.shutdownNow();
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3})
  static class App {
    @Bean(destroyMethod = "shutdown")
    ProductService productService(ProductDb db) {
      return new ProductService(db);
    }
  }

  static RedisServer redis;
  ProductDb db;
  Contexts contexts;
  ProductService service;

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
    db = new ProductDb();
    contexts = new Contexts(redis).share("productDb", db);
    service = contexts.start(App.class).getBean(ProductService.class);
  }

  @AfterEach
  void stop() {
    contexts.close();
  }

  private interface Write {
    Product save(long id, String name) throws Exception;
  }

  /** Each round: a cached "old" row; the write of "new" awaited; then a read on the same instance. */
  private List<String> readsAfterAwaitedWrites(Write write) throws Exception {
    List<String> old = new ArrayList<>();
    for (long id = 1; id <= READ_ROUNDS; id++) {
      db.put(id, "old");
      assertThat(service.find(id).name()).isEqualTo("old");
      assertThat(write.save(id, "new").name()).isEqualTo("new");
      String read = service.find(id).name();
      if (!read.equals("new")) {
        old.add("id " + id + ": read " + read);
      }
    }
    return old;
  }

  /** Each round: an awaited asynchronous write of "p1", then a synchronous write of "p2". */
  private List<String> leftAfterAsyncThenSyncWrites(Write write) throws Exception {
    for (long id = 1; id <= WRITE_ROUNDS; id++) {
      assertThat(write.save(id, "p1").name()).isEqualTo("p1");
      service.save(id, "p2");
    }
    Thread.sleep(500); // quiet: any cache write still under way lands
    List<String> wrong = new ArrayList<>();
    for (long id = 1; id <= WRITE_ROUNDS; id++) {
      String read = service.find(id).name();
      if (!read.equals("p2")) {
        wrong.add("id " + id + ": serves " + read);
      }
    }
    return wrong;
  }

  /**
   * Defect (issue 25, 2): the future a {@code @CoalescedPut} method returns is handed to the caller
   * as is, and the cache write runs in a {@code thenAccept} stage after it: {@code get()} can return
   * before the write, and a read right after it on the same instance serves the old value (the
   * evaluator measured old in 13–22 of 30 rounds on main; this test runs 100).
   */
  @Test
  void aReadAfterACompletableFuturePutCompletedServesTheWrittenValue() throws Exception {
    List<String> old = readsAfterAwaitedWrites((id, name) -> service.saveAsync(id, name).get(5, TimeUnit.SECONDS));
    System.out.printf("[AsyncWritesIT] CompletableFuture put then read: %d of %d reads served the old value%n",
        old.size(), READ_ROUNDS);
    assertThat(old).as("reads (of %d) after the put's future completed that served the old value", READ_ROUNDS)
        .isEmpty();
  }

  /**
   * Defect (issue 25, 2): {@code saveAsync(p1).get(); save(p2)} can leave p1 cached: p1's cache write,
   * still under way when its future completed, lands after p2's (main: p1 in 40 of 200 rounds).
   */
  @Test
  void aPutAfterACompletableFuturePutCompletedIsTheValueLeft() throws Exception {
    List<String> wrong = leftAfterAsyncThenSyncWrites((id, name) -> service.saveAsync(id, name).get(5, TimeUnit.SECONDS));
    System.out.printf("[AsyncWritesIT] CompletableFuture put then sync put: %d of %d keys left with p1%n",
        wrong.size(), WRITE_ROUNDS);
    assertThat(wrong).as("keys (of %d) serving the earlier asynchronous write instead of the later one", WRITE_ROUNDS)
        .isEmpty();
  }

  /**
   * The same contract for a {@code Mono} put whose value arrives on another thread. Passes on main
   * (the reactive path emits the value only after its write, on {@code boundedElastic}); kept so that
   * the rewrite keeps it.
   */
  @Test
  void aReadAfterAMonoPutCompletedServesTheWrittenValue() throws Exception {
    List<String> old = readsAfterAwaitedWrites((id, name) -> service.saveMono(id, name).block(Duration.ofSeconds(5)));
    System.out.printf("[AsyncWritesIT] Mono put then read: %d of %d reads served the old value%n",
        old.size(), READ_ROUNDS);
    assertThat(old).as("reads (of %d) after the put's Mono completed that served the old value", READ_ROUNDS)
        .isEmpty();
  }

  /**
   * The same contract for a {@code Mono} put followed by a synchronous put. Passes on main, as the
   * read above; kept so that the rewrite keeps it.
   */
  @Test
  void aPutAfterAMonoPutCompletedIsTheValueLeft() throws Exception {
    List<String> wrong = leftAfterAsyncThenSyncWrites((id, name) -> service.saveMono(id, name).block(Duration.ofSeconds(5)));
    System.out.printf("[AsyncWritesIT] Mono put then sync put: %d of %d keys left with p1%n",
        wrong.size(), WRITE_ROUNDS);
    assertThat(wrong).as("keys (of %d) serving the earlier Mono write instead of the later one", WRITE_ROUNDS)
        .isEmpty();
  }
}
