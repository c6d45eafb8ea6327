package io.coalesce.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The "database" every application instance of a test shares: it counts its queries across all of
 * them, and a test can make a query slow or hold it until released.
 */
public final class ProductDb {

  public record Product(long id, String name) {}

  private final Map<Long, String> names = new ConcurrentHashMap<>();
  private final AtomicInteger queries = new AtomicInteger();
  private final List<List<Long>> batchQueries = new CopyOnWriteArrayList<>();
  private final Map<Long, AtomicInteger> loadsPerId = new ConcurrentHashMap<>();
  private volatile long latencyMillis;
  private volatile CountDownLatch gate;
  private volatile CountDownLatch afterReadGate;
  private volatile long afterReadMillis;

  public void put(long id, String name) {
    names.put(id, name);
  }

  public void latency(long millis) {
    this.latencyMillis = millis;
  }

  /** Holds every query until {@code gate} opens (a loader that hangs). */
  public void holdQueriesUntil(CountDownLatch gate) {
    this.gate = gate;
  }

  public int queries() {
    return queries.get();
  }

  public Product find(long id) {
    queries.incrementAndGet();
    pause();
    String name = names.get(id);
    pauseAfterRead();
    return name == null ? null : new Product(id, name);
  }

  /** Makes every query take {@code millis} after it read its row: a slow query returns what it read then. */
  public void slowAfterRead(long millis) {
    this.afterReadMillis = millis;
  }

  /** Holds every query after it read its row, until {@code gate} opens (a load that read old data). */
  public void holdAfterReadUntil(CountDownLatch gate) {
    this.afterReadGate = gate;
  }

  private void pauseAfterRead() {
    long millis = afterReadMillis;
    if (millis > 0) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    CountDownLatch g = afterReadGate;
    if (g != null) {
      try {
        g.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * One query for many ids (a {@code findAllById}): the products found, in no particular order. Each
   * id asked is counted in {@link #loadsPerId()}.
   */
  public List<Product> findAll(Collection<Long> ids) {
    queries.incrementAndGet();
    batchQueries.add(List.copyOf(ids));
    pause();
    List<Product> found = new ArrayList<>();
    for (Long id : ids) {
      loadsPerId.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      String name = names.get(id);
      if (name != null) {
        found.add(new Product(id, name));
      }
    }
    Collections.shuffle(found);
    return found;
  }

  /** The ids of each {@link #findAll} query, in the order the queries ran. */
  public List<List<Long>> batchQueries() {
    return batchQueries;
  }

  /** How many times each id was asked of {@link #findAll}. */
  public Map<Long, AtomicInteger> loadsPerId() {
    return loadsPerId;
  }

  public List<Product> all() {
    queries.incrementAndGet();
    pause();
    return names.entrySet().stream().map(e -> new Product(e.getKey(), e.getValue()))
        .sorted(java.util.Comparator.comparingLong(Product::id)).toList();
  }

  private void pause() {
    try {
      CountDownLatch g = gate;
      if (g != null) {
        g.await(60, TimeUnit.SECONDS);
      }
      if (latencyMillis > 0) {
        Thread.sleep(latencyMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
