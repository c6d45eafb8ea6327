package io.coalesce.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedPut;
import io.coalesce.bloom.BloomFilters;
import io.coalesce.bloom.BloomSeed;
import io.coalesce.it.Boot;
import io.coalesce.test.Await;
import io.coalesce.test.RedisServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * "The Bloom guard ... never answers 'not found' for a key that exists" (DESIGN.md, Failure
 * semantics), here for a key created through {@code @CoalescedPut} on another instance while Redis
 * holds its writes for a moment ({@code CLIENT PAUSE 500 WRITE}: a failover, a slow fsync, a
 * replica sync).
 */
class BloomWritePauseIT {

  static final long CREATED = 5_000;

  public record Account(long id, String owner) {}

  /** The database both instances share: ids 1..1000 exist at start. */
  public static final class AccountDb {
    final Map<Long, Account> rows = new ConcurrentHashMap<>();

    AccountDb() {
      LongStream.rangeClosed(1, 1_000).forEach(id -> rows.put(id, new Account(id, "owner-" + id)));
    }
  }

  public static class AccountService {
    private final AccountDb db;

    public AccountService(AccountDb db) {
      this.db = db;
    }

    @Coalesced(cache = "accounts", key = "#id")
    public Account find(long id) {
      return db.rows.get(id);
    }

    @CoalescedPut(cache = "accounts", key = "#id")
    public Account create(long id) {
      Account account = new Account(id, "owner-" + id);
      db.rows.put(id, account);
      return account;
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3})
  static class App {
    @Bean
    AccountService accountService(AccountDb db) {
      return new AccountService(db);
    }

    @Bean
    BloomSeed accountIds(AccountDb db) {
      return BloomSeed.of("accounts", () -> List.copyOf(db.rows.keySet()).stream());
    }
  }

  /** One read of B: when it started and ended (ms since the pause), and whether it answered "not found". */
  record Read(long startMillis, long endMillis, boolean notFound) {}

  RedisServer redis;
  Contexts contexts;
  final ExecutorService writer = Executors.newSingleThreadExecutor();

  @BeforeEach
  void start() {
    redis = RedisServer.start();
  }

  @AfterEach
  void stop() {
    writer.shutdownNow();
    if (contexts != null) {
      contexts.close();
    }
    redis.close();
  }

  private static double bloomRejected(ConfigurableApplicationContext context) {
    MeterRegistry registry = context.getBeanProvider(MeterRegistry.class).getIfAvailable();
    Counter counter = registry == null ? null
        : registry.find("coalesce.gets").tag("cache", "accounts").tag("result", "bloom_rejected").counter();
    return counter == null ? -1 : counter.count();
  }

  /**
   * Defect (issue 25, 6): while Redis holds writes ({@code CLIENT PAUSE 500 WRITE}), instance A creates
   * id 5000 through {@code @CoalescedPut}; from the moment A's put has returned, instance B reads id
   * 5000 over and over for 1.5 s and must never answer "not found".
   *
   * <p>What happens on main (seen with {@code MONITOR}): A's Bloom addition is an {@code EVALSHA}
   * that the pause holds past the 500 ms command timeout, so A gives up on it, keeps the key in its
   * journal and goes on; A's put returns about 90 ms after the pause. When the pause ends Redis
   * answers that {@code EVALSHA} with {@code NOSCRIPT} (the addition script was never run on this
   * server), and as A's client has stopped waiting, no {@code EVAL} follows: the bits are not set
   * until A's Bloom upkeep replays its journal, up to {@code 2 s} later (its refresh period). Until
   * then B's check, which runs normally, answers "certainly absent".
   */
  @Test
  void aKeyWhosePutReturnedDuringAWritePauseIsNeverNotFoundOnAnotherInstance() throws Exception {
    Outcome outcome = createOnAWhileRedisHoldsWritesAndReadOnB(false);

    assertThat(outcome.afterPut()).as("B's reads after A's put returned").isNotEmpty();
    assertThat(outcome.notFoundAfterPut()).as("B's reads, started after A's put of id %d returned (at %d ms after "
        + "the pause began), that answered 'not found'", CREATED, outcome.putReturnedAt()).isEmpty();
  }

  /**
   * Defect (issue 25, 6), the scenario of the issue: the same, with B reading id 5000 all along, from
   * the start of the pause. Fails on main only now and then (1 of about 10 runs here, 37 of 57 reads
   * "not found"): usually B's first read, held by the pause, fails open, loads id 5000 from the
   * database (A has written it by then) and adds it to the filter itself once the pause is over (its
   * {@code EVALSHA} gets {@code NOSCRIPT}, and B, still waiting, sends the {@code EVAL}), which hides
   * A's lost addition; when B's own addition is also held past its timeout, it is lost the same way
   * and B answers "not found" until an upkeep replays a journal.
   */
  @Test
  void aKeyWhosePutReturnedDuringAWritePauseIsNeverNotFoundOnAnInstanceReadingItThroughThePause()
      throws Exception {
    Outcome outcome = createOnAWhileRedisHoldsWritesAndReadOnB(true);

    assertThat(outcome.afterPut()).as("B's reads after A's put returned").isNotEmpty();
    assertThat(outcome.notFoundAfterPut()).as("B's reads, started after A's put of id %d returned (at %d ms after "
        + "the pause began), that answered 'not found'", CREATED, outcome.putReturnedAt()).isEmpty();
  }

  record Outcome(long putReturnedAt, List<Read> reads, List<Read> afterPut, List<Read> notFoundAfterPut) {}

  /**
   * Starts A and B, waits until both use the seeded filter, pauses Redis's writes for 500 ms while A
   * creates id 5000, and has B read it every 25 ms until 1.5 s after A's put returned (from the start
   * of the pause when {@code duringThePause}, otherwise from when A's put returned).
   */
  private Outcome createOnAWhileRedisHoldsWritesAndReadOnB(boolean duringThePause) throws Exception {
    AccountDb db = new AccountDb();
    contexts = new Contexts(redis).share("accountDb", db);
    String[] properties = {"coalesce.caches.accounts.bloom.enabled=true",
        "coalesce.caches.accounts.bloom.expected-insertions=10000",
        "coalesce.caches.accounts.null-ttl=0s"};
    ConfigurableApplicationContext contextA = contexts.start(App.class, properties);
    ConfigurableApplicationContext contextB = contexts.start(App.class, properties);
    AccountService a = contextA.getBean(AccountService.class);
    AccountService b = contextB.getBean(AccountService.class);
    BloomFilters filtersA = contextA.getBean(BloomFilters.class);
    BloomFilters filtersB = contextB.getBean(BloomFilters.class);
    Await.until(() -> filtersA.status("accounts").ready() && filtersB.status("accounts").ready());
    // Rejected by the filter: nothing is loaded, cached or added (no other key is read or written before).
    assertThat(b.find(CREATED)).as("before it is created").isNull();
    double rejectedBefore = bloomRejected(contextB);

    long pausedAt = System.nanoTime();
    redis.command("CLIENT", "PAUSE", "500", "WRITE");
    Future<Long> put = writer.submit(() -> {
      a.create(CREATED);
      return millisSince(pausedAt);
    });
    if (!duringThePause) {
      put.get(10, TimeUnit.SECONDS);
    }
    List<Read> reads = new ArrayList<>();
    while (!put.isDone() || millisSince(pausedAt) < put.get() + 1_500) {
      long started = millisSince(pausedAt);
      boolean notFound = b.find(CREATED) == null;
      reads.add(new Read(started, millisSince(pausedAt), notFound));
      Thread.sleep(25);
    }
    long putReturnedAt = put.get();

    List<Read> afterPut = reads.stream().filter(r -> r.startMillis() >= putReturnedAt).toList();
    List<Read> notFoundAfterPut = afterPut.stream().filter(Read::notFound).toList();
    System.out.printf("[BloomWritePauseIT] B reading %s: A's put returned at %d ms after the pause began; B read "
        + "%d times, %d after the put returned, %d of those 'not found' (first started at %s ms, last at %s ms); "
        + "B's bloom_rejected +%.0f%n",
        duringThePause ? "through the pause" : "from the put's return", putReturnedAt, reads.size(), afterPut.size(),
        notFoundAfterPut.size(), notFoundAfterPut.isEmpty() ? "-" : notFoundAfterPut.get(0).startMillis(),
        notFoundAfterPut.isEmpty() ? "-" : notFoundAfterPut.get(notFoundAfterPut.size() - 1).startMillis(),
        bloomRejected(contextB) - rejectedBefore);
    return new Outcome(putReturnedAt, reads, afterPut, notFoundAfterPut);
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
