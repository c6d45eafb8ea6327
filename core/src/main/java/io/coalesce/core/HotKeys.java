package io.coalesce.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Finds a cache's hot keys ({@code hot-keys}), by reads and by loads, in bounded memory: a
 * stream-summary ("space-saving", Metwally et al.) of {@link #CANDIDATES_PER_KEY} counters per key
 * reported, which keeps every key whose share exceeds one counter's and bounds each count's error.
 * Counts are halved every {@link HotKeyReport#HALF_LIFE_MILLIS}, so that a key that was hot an hour
 * ago is not reported as hot now.
 *
 * <p>The read path pays one compare: a read is sampled when the clock's millisecond differs from the
 * last sample's ({@link #read}), so a busy cache is sampled about a thousand times a second, off
 * no lock but the summary's own, and a quiet one on every read. Loads are all counted: each costs
 * far more than a counter. A count never waits: one that would wait for another thread's is dropped.
 */
final class HotKeys {

  /** Counters kept per key reported: more counters, smaller errors. */
  static final int CANDIDATES_PER_KEY = 8;

  private final int top;
  private final Clock clock;
  private final Summary reads;
  private final Summary loads;
  /**
   * The millisecond of the last sampled read. Not volatile: a thread that reads an old value samples
   * one more read in that millisecond, which changes nothing but the count's grain.
   */
  private long sampledAt = Long.MIN_VALUE;

  HotKeys(int top, Clock clock) {
    this.top = top;
    this.clock = clock;
    this.reads = new Summary(top * CANDIDATES_PER_KEY);
    this.loads = new Summary(top * CANDIDATES_PER_KEY);
  }

  /** A read of {@code key} at {@code now} (the read path: one compare unless it is sampled). */
  void read(Object key, long now) {
    if (now != sampledAt && top > 0) {
      sampledAt = now;
      reads.add(key, now);
    }
  }

  /** A load of {@code key} starts. */
  void loaded(Object key) {
    if (top > 0) {
      loads.add(key, clock.millis());
    }
  }

  HotKeyReport report() {
    if (top == 0) {
      return HotKeyReport.NONE;
    }
    long now = clock.millis();
    Summary.Snapshot r = reads.snapshot(top, now);
    Summary.Snapshot l = loads.snapshot(top, now);
    return new HotKeyReport(r.hottest(), l.hottest(), r.total(), l.total());
  }

  /** One stream-summary: at most {@code capacity} counters, halved every half-life. */
  static final class Summary {

    /** A key's count, and how much of it may belong to the keys its counter replaced. */
    private static final class Counter {
      long count;
      long overcount;
    }

    record Snapshot(List<HotKeyReport.HotKey> hottest, long total) {}

    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    private final int capacity;
    private final Map<Object, Counter> counters;
    private long total;
    private long halvedAt = Long.MIN_VALUE;

    Summary(int capacity) {
      this.capacity = capacity;
      this.counters = new HashMap<>(Math.max(16, capacity * 2));
    }

    /**
     * Counts one read (load) of {@code key}, unless another thread is counting at that instant: then
     * this one is dropped rather than waited for, as the caller's thread may be an event loop.
     */
    void add(Object key, long now) {
      if (!lock.tryLock()) {
        return;
      }
      try {
        count(key, now);
      } finally {
        lock.unlock();
      }
    }

    private void count(Object key, long now) {
      decay(now);
      total++;
      Counter counter = counters.get(key);
      if (counter != null) {
        counter.count++;
        return;
      }
      if (counters.size() < capacity) {
        counter = new Counter();
        counter.count = 1;
        counters.put(key, counter);
        return;
      }
      // Full: the least counted key gives its counter up; the newcomer inherits its count as overcount.
      Map.Entry<Object, Counter> least = null;
      for (Map.Entry<Object, Counter> e : counters.entrySet()) {
        if (least == null || e.getValue().count < least.getValue().count) {
          least = e;
        }
      }
      Counter reused = counters.remove(least.getKey());
      reused.overcount = reused.count;
      reused.count++;
      counters.put(key, reused);
    }

    Snapshot snapshot(int top, long now) {
      lock.lock(); // an administrative read (endpoint, gauge), never on a caller's thread
      try {
        return hottest(top, now);
      } finally {
        lock.unlock();
      }
    }

    private Snapshot hottest(int top, long now) {
      decay(now);
      List<Map.Entry<Object, Counter>> sure = new ArrayList<>();
      for (Map.Entry<Object, Counter> e : counters.entrySet()) {
        if (e.getValue().count - e.getValue().overcount > 0) {
          sure.add(e);
        }
      }
      sure.sort(Comparator.comparingLong((Map.Entry<Object, Counter> e) -> e.getValue().count - e.getValue().overcount)
          .reversed());
      List<HotKeyReport.HotKey> hottest = new ArrayList<>(Math.min(top, sure.size()));
      for (Map.Entry<Object, Counter> e : sure.subList(0, Math.min(top, sure.size()))) {
        long atLeast = e.getValue().count - e.getValue().overcount;
        hottest.add(new HotKeyReport.HotKey(name(e.getKey()), atLeast, (double) atLeast / total));
      }
      return new Snapshot(hottest, total);
    }

    /** The key's string form, as Redis and the endpoint's evict name it (a key held as an object without Redis too). */
    private static String name(Object key) {
      String text = CacheKeys.textOf(key);
      return text != null ? text : String.valueOf(key);
    }

    /** Halves every count once per half-life that has passed; a counter at zero is freed. */
    private void decay(long now) {
      if (halvedAt == Long.MIN_VALUE) {
        halvedAt = now;
        return;
      }
      long halvings = (now - halvedAt) / HotKeyReport.HALF_LIFE_MILLIS;
      if (halvings <= 0) {
        return;
      }
      halvedAt += halvings * HotKeyReport.HALF_LIFE_MILLIS;
      int shift = (int) Math.min(halvings, 63);
      total >>= shift;
      for (Iterator<Counter> it = counters.values().iterator(); it.hasNext(); ) {
        Counter c = it.next();
        c.count >>= shift;
        c.overcount >>= shift;
        if (c.count == 0) {
          it.remove();
        }
      }
    }
  }
}
