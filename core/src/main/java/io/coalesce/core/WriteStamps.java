package io.coalesce.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The writes of a cache this instance has seen begin, counted per stripe of keys and for the whole
 * cache: its own puts, evicts and clears (whether the shared tier took them or not), and the
 * invalidations that arrive from other instances. A caller's own load after a miss
 * ({@link Writes#putLoaded}) is stored only while its key's stamp is still the one read at the miss:
 * the fence that a load's flight gives the engine's own loads ({@link Flight#supersede}), for a load
 * that has no flight. Stripes make it conservative, never wrong: a write of another key of the same
 * stripe refuses a store it need not have.
 */
final class WriteStamps {

  private static final int STRIPES = 64;

  private final AtomicLongArray keys = new AtomicLongArray(STRIPES);
  private final AtomicLong all = new AtomicLong();

  /** Changes whenever a write of {@code key}, or of every key, begins. */
  long stamp(Object key) {
    return keys.get(stripe(key)) + all.get(); // both only grow: the sum changes if either does
  }

  void keyWritten(Object key) {
    keys.incrementAndGet(stripe(key));
  }

  void allWritten() {
    all.incrementAndGet();
  }

  private static int stripe(Object key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
