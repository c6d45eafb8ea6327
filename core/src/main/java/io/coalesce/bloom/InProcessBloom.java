package io.coalesce.bloom;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import io.coalesce.bloom.internal.BloomShape;
import io.coalesce.bloom.internal.KeyBloom;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Bloom filter in this JVM (Guava's), for a cache without Redis: each instance seeds its own.
 * Thread-safe. A rebuild fills a new filter beside the one in use and swaps it in; an addition holds
 * the read side of a lock while it writes to the filter in use and the one being built, and the
 * start and the swap of a build hold the write side, so an addition that spans a swap cannot land in
 * the discarded filter only.
 */
final class InProcessBloom implements KeyBloom {

  private final BloomShape shape;
  private final Clock clock;
  private final AtomicBoolean building = new AtomicBoolean();
  private final ReadWriteLock swap = new ReentrantReadWriteLock();
  private volatile BloomFilter<CharSequence> inUse;
  private volatile BloomFilter<CharSequence> next;
  private volatile long generation;
  private volatile long builtAtMillis;

  InProcessBloom(BloomShape shape, Clock clock) {
    this.shape = shape;
    this.clock = clock;
  }

  @Override
  public boolean mightContain(String key) {
    BloomFilter<CharSequence> filter = inUse;
    return filter == null || filter.mightContain(key);
  }

  @Override
  public void add(String key) {
    swap.readLock().lock();
    try {
      BloomFilter<CharSequence> filter = inUse;
      if (filter != null) {
        filter.put(key);
      }
      BloomFilter<CharSequence> beingBuilt = next;
      if (beingBuilt != null) {
        beingBuilt.put(key);
      }
    } finally {
      swap.readLock().unlock();
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
      withWriteLock(() -> next = filter); // from here every addition reaches the new filter too
      long added = 0;
      while (keys.hasNext()) {
        filter.put(keys.next());
        if (++added % BloomFilters.PROGRESS_EVERY == 0) {
          progress.added(added);
        }
      }
      withWriteLock(() -> {
        inUse = filter;
        next = null;
      });
      generation++;
      builtAtMillis = clock.millis();
      return true;
    } finally {
      withWriteLock(() -> next = null);
      building.set(false);
    }
  }

  private void withWriteLock(Runnable change) {
    swap.writeLock().lock();
    try {
      change.run();
    } finally {
      swap.writeLock().unlock();
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
