package io.coalesce.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stands for the database: counts every call that reaches it, optionally takes {@code delayMillis}
 * (a query over a network), and knows no SKU that starts with {@code "absent-"}. One instance is
 * shared by every Spring context of a scenario, so its count is the cluster's.
 */
public final class Backend {

  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong rows = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
  private volatile long delayMillis;

  public Backend(long delayMillis) {
    this.delayMillis = delayMillis;
  }

  public Product load(String sku) {
    calls.incrementAndGet();
    rows.incrementAndGet();
    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
    try {
      long delay = delayMillis;
      if (delay > 0) {
        try {
          TimeUnit.MILLISECONDS.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
      return sku.startsWith("absent-") ? null : new Product(sku, "Product " + sku, 1999);
    } finally {
      running.decrementAndGet();
    }
  }

  /** One query for many SKUs (a {@code findAllById}): one call, one delay, the rows that exist. */
  public java.util.List<Product> loadAll(java.util.Collection<String> skus) {
    calls.incrementAndGet();
    rows.addAndGet(skus.size());
    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
    try {
      long delay = delayMillis;
      if (delay > 0) {
        try {
          TimeUnit.MILLISECONDS.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
      java.util.List<Product> found = new java.util.ArrayList<>(skus.size());
      for (String sku : skus) {
        if (!sku.startsWith("absent-")) {
          found.add(new Product(sku, "Product " + sku, 1999));
        }
      }
      return found;
    } finally {
      running.decrementAndGet();
    }
  }

  /** Rows asked ({@link #load}: one, {@link #loadAll}: each SKU) since the last {@link #reset}. */
  public long rows() {
    return rows.get();
  }

  /** The most calls that ran at once since the last {@link #reset}. */
  public int peakConcurrency() {
    return peak.get();
  }

  public long calls() {
    return calls.get();
  }

  public void reset(long newDelayMillis) {
    delayMillis = newDelayMillis;
    calls.set(0);
    rows.set(0);
    peak.set(0);
  }
}
