package io.coalesce.sample;

import io.coalesce.bloom.BloomFilters;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.redis.internal.RedisTiers;
import org.springframework.beans.factory.ObjectProvider;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.springframework.stereotype.Component;

/**
 * Fires N concurrent requests, released together, first at the unprotected query and then through
 * Coalesce, and reports what the database saw. Queries are counted by Hibernate's statistics (every
 * JDBC statement prepared), never inferred from settings.
 */
@Component
public class StampedeDemo {

  /** Ids above every seeded product: they do not exist. */
  private static final long FIRST_ABSENT_ID = 1_000_000;
  private static final int ABSENT_IDS = 10;
  private static final long WARM_UP_ID = 1;

  private final ProductRepository repository;
  private final ProductService service;
  private final CoalescingCacheManager caches;
  private final Statistics statistics;
  private final ObjectProvider<BloomFilters> blooms;
  private final ObjectProvider<RedisTiers> redisTiers;

  public StampedeDemo(ProductRepository repository, ProductService service, CoalescingCacheManager caches,
      EntityManagerFactory entityManagerFactory, ObjectProvider<BloomFilters> blooms,
      ObjectProvider<RedisTiers> redisTiers) {
    this.blooms = blooms;
    this.redisTiers = redisTiers;
    this.repository = repository;
    this.service = service;
    this.caches = caches;
    this.statistics = entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
  }

  /** One row of the table. */
  public record Row(String scenario, int requests, long databaseQueries, double p50Millis, double p99Millis) {}

  /** Runs every scenario with {@code requests} concurrent callers each. */
  public List<Row> run(int requests, long hotId) {
    warmUp();
    caches.getCache("products").evict(hotId);
    for (long id = FIRST_ABSENT_ID; id < FIRST_ABSENT_ID + ABSENT_IDS; id++) {
      caches.getCache("products").evict(id);
    }
    List<Row> rows = new ArrayList<>();
    rows.add(measure("cold key, unprotected", requests, i -> repository.findUncached(hotId)));
    rows.add(measure("cold key, @Coalesced", requests, i -> service.find(hotId)));
    rows.add(measure("absent ids, unprotected", requests, i -> repository.findUncached(absent(i))));
    rows.add(measure("absent ids, @Coalesced", requests, i -> service.find(absent(i)))); // Bloom + null caching
    return rows;
  }

  /**
   * One call down each path first, so that the first scenario does not also pay for class loading,
   * JIT compilation and the first Redis connection; none of it is counted.
   */
  private void warmUp() {
    awaitBloomFilter();
    repository.findUncached(WARM_UP_ID);
    service.find(WARM_UP_ID);
    caches.getCache("products").evict(WARM_UP_ID);
  }

  /**
   * The products filter is seeded in the background at start-up; the demo shows it at work. A
   * filter kept in a Redis that does not answer never gets ready (it lets every id through).
   */
  private void awaitBloomFilter() {
    BloomFilters filters = blooms.getIfAvailable();
    RedisTiers redis = redisTiers.getIfAvailable();
    if (filters == null || filters.status("products") == null
        || filters.status("products").mode().equals("redis") && (redis == null || !redis.ping())) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!filters.status("products").ready() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static long absent(long request) {
    return FIRST_ABSENT_ID + request % ABSENT_IDS;
  }

  private Row measure(String scenario, int requests, LongFunction<?> call) {
    ExecutorService pool = Executors.newFixedThreadPool(requests);
    CountDownLatch ready = new CountDownLatch(requests);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Long>> finishedAt = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        long request = i;
        finishedAt.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          call.apply(request);
          return System.nanoTime();
        }));
      }
      ready.await();
      long queriesBefore = statistics.getPrepareStatementCount();
      // Latency counts from the release, as for requests that all arrive at once: waiting for a CPU
      // or a connection is part of what a stampede costs.
      long releasedAt = System.nanoTime();
      go.countDown();
      long[] nanos = new long[requests];
      for (int i = 0; i < requests; i++) {
        nanos[i] = finishedAt.get(i).get(60, TimeUnit.SECONDS) - releasedAt;
      }
      long queries = statistics.getPrepareStatementCount() - queriesBefore;
      Arrays.sort(nanos);
      return new Row(scenario, requests, queries, percentile(nanos, 50), percentile(nanos, 99));
    } catch (Exception e) {
      throw new IllegalStateException("Demo scenario '" + scenario + "' failed: " + e, e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static double percentile(long[] sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, index)] / 1e6;
  }

  /** The rows as a fixed-width table. */
  public static String table(List<Row> rows) {
    StringBuilder out = new StringBuilder(String.format("%-26s %9s %17s %9s %9s%n",
        "scenario", "requests", "database queries", "p50 ms", "p99 ms"));
    for (Row r : rows) {
      out.append(String.format("%-26s %9d %17d %9.1f %9.1f%n",
          r.scenario(), r.requests(), r.databaseQueries(), r.p50Millis(), r.p99Millis()));
    }
    return out.toString();
  }
}
