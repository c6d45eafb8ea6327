package io.coalesce.core;

/**
 * About how often each key is read, for the early refresh of keys read rarely ({@link EntryPolicy}):
 * per slot, the time of its last read and a running average of the gaps between its reads, packed in
 * one {@code long}. Keys are hashed to a fixed number of slots, so the memory is bounded (8 bytes a
 * slot, at most {@link #MAX_SLOTS}) however many keys there are. Keys that share a slot look read
 * more often than each is: their refresh starts later, never earlier, than their own reads would
 * have it start.
 *
 * <p>A read costs one read of its slot, and a write only when the slot was last read in an earlier
 * millisecond, so that a hot key's slot is written at most once a millisecond. Slots are plain
 * fields, read and written without a lock or a fence, to keep the hit path small: a lost update only
 * makes an average a little less accurate, and a garbled slot (a {@code long} written in two halves,
 * which the JVM allows) at worst starts one refresh a quarter of a ttl early.
 */
final class ReadGaps {

  /** 128 KB a cache at most. */
  static final int MAX_SLOTS = 1 << 14;
  private static final int MIN_SLOTS = 1 << 6;
  private static final int GAP_BITS = 24;
  /** Averages saturate at about 4.7 hours, far beyond any ttl a rare read still has a say in. */
  private static final long GAP_MASK = (1L << GAP_BITS) - 1;

  private final long[] slots;
  private final int mask;
  /** Times are kept as milliseconds since this, plus one (0: never read). */
  private final long origin;

  /**
   * @param keys about how many keys are held (L1's maximum size): one slot each, within bounds
   * @param now the clock's time now, in milliseconds
   */
  ReadGaps(long keys, long now) {
    int size = (int) Math.min(MAX_SLOTS, Math.max(MIN_SLOTS, keys));
    size = Integer.highestOneBit(size - 1) << 1;
    this.slots = new long[size];
    this.mask = size - 1;
    this.origin = now;
  }

  /**
   * Records a read of {@code key} at {@code now} (milliseconds) and returns the average gap between
   * the reads of its slot, in milliseconds; 0 when it was read once or never.
   */
  long read(Object key, long now) {
    int i = index(key);
    long slot = slots[i];
    long at = now - origin + 1;
    // Read in the same millisecond as the slot's last read (a hot key), or the clock went back: kept
    // to a load and a compare, so that the hit path stays small enough to inline.
    return at <= slot >>> GAP_BITS ? slot & GAP_MASK : record(i, slot, at);
  }

  private long record(int i, long slot, long at) {
    long average = slot & GAP_MASK;
    long last = slot >>> GAP_BITS;
    if (last != 0) {
      long gap = Math.min(at - last, GAP_MASK);
      average = average == 0 ? gap : average + ((gap - average) >> 2);
    }
    slots[i] = (at << GAP_BITS) | average;
    return average;
  }

  /** The average gap between the reads of {@code key}'s slot, in milliseconds (0: not known), not counted as a read. */
  long averageGap(Object key) {
    return slots[index(key)] & GAP_MASK;
  }

  private int index(Object key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & mask;
  }

  int slots() {
    return slots.length;
  }
}
