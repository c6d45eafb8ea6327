package io.coalesce.bloom;

import io.coalesce.bloom.internal.BloomShape;
import io.coalesce.bloom.internal.KeyBloom;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Bloom filter in this JVM (Guava's), for a cache without Redis: each instance seeds its own.
 * Thread-safe: Guava's filter takes concurrent additions, and a rebuild fills a new filter (also
 * receiving every concurrent addition) before swapping it in.
 */
final class InProcessBloom implements KeyBloom {

  private final BloomShape shape;
  private final AtomicBoolean building = new AtomicBoolean();
  private volatile BloomFilter<CharSequence> inUse;
  private volatile BloomFilter<CharSequence> next;
  private volatile long generation;
  private volatile long builtAtMillis;

  InProcessBloom(BloomShape shape) {
    this.shape = shape;
  }

  @Override
  public boolean mightContain(String key) {
    BloomFilter<CharSequence> filter = inUse;
    return filter == null || filter.mightContain(key);
  }

  @Override
  public void add(String key) {
    BloomFilter<CharSequence> filter = inUse;
    if (filter != null) {
      filter.put(key);
    }
    BloomFilter<CharSequence> beingBuilt = next;
    if (beingBuilt != null) {
      beingBuilt.put(key);
    }
  }

  @Override
  public boolean build(Iterator<String> keys, boolean force, BuildProgress progress) {
    if (!building.compareAndSet(false, true)) {
      return false;
    }
    try {
      if (!force && inUse != null) {
        return true;
      }
      BloomFilter<CharSequence> filter = BloomFilter.create(
          Funnels.stringFunnel(StandardCharsets.UTF_8), shape.insertions(), shape.falsePositiveRate());
      next = filter;
      long added = 0;
      while (keys.hasNext()) {
        filter.put(keys.next());
        if (++added % BloomFilters.PROGRESS_EVERY == 0) {
          progress.added(added);
        }
      }
      inUse = filter;
      generation++;
      builtAtMillis = System.currentTimeMillis();
      return true;
    } finally {
      next = null;
      building.set(false);
    }
  }

  @Override
  public boolean isReady() {
    return inUse != null;
  }

  @Override
  public boolean hasCurrentShape() {
    return inUse != null;
  }

  @Override
  public String mode() {
    return "in-process";
  }

  @Override
  public long generation() {
    return generation;
  }

  @Override
  public long builtAtMillis() {
    return builtAtMillis;
  }
}
