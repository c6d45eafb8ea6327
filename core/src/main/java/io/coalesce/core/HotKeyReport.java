package io.coalesce.core;

import java.util.List;

/**
 * The keys of one cache read and loaded most, lately ({@code hot-keys}): each list holds at most
 * {@code hot-keys} keys, hottest first, and only keys whose count is certain to be above zero. Counts
 * are halved every {@link #HALF_LIFE_MILLIS}, so they weigh the last minutes most; reads are sampled
 * (at most one per millisecond per cache, every read of a cache read less often), loads are all counted
 * but for one that would have waited for another thread's count (a caller's thread never waits).
 *
 * @param reads the most read keys, by sampled reads
 * @param loads the most loaded keys (loads of any outcome: a key that keeps failing is there too)
 * @param sampledReads the sampled reads the read counts are out of (halved as they are)
 * @param loadsCounted the loads the load counts are out of (halved as they are)
 */
public record HotKeyReport(List<HotKey> reads, List<HotKey> loads, long sampledReads, long loadsCounted) {

  /** Every this many milliseconds, each count is halved. */
  public static final long HALF_LIFE_MILLIS = 60_000;

  /** The report of a cache that keeps none ({@code hot-keys: 0}). */
  public static final HotKeyReport NONE = new HotKeyReport(List.of(), List.of(), 0, 0);

  public HotKeyReport {
    reads = List.copyOf(reads);
    loads = List.copyOf(loads);
  }

  /**
   * One hot key.
   *
   * @param key the key in its string form (as in Redis, and as the actuator endpoint's evict takes it)
   * @param atLeast the reads (loads) of the key that were counted for certain: the stream-summary
   *     count less its possible overcount
   * @param share {@code atLeast} as a fraction of every read (load) counted
   */
  public record HotKey(String key, long atLeast, double share) {}
}
