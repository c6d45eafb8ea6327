package io.coalesce.bloom.internal;

import java.util.Iterator;

/**
 * One cache's Bloom filter, wherever its bits live. {@link #mightContain} answers {@code false} only
 * when the filter is certain its bits are complete: while it is not ready (never seeded, being built
 * for the first time, store unreachable), or has lost bits (a segment gone, an addition refused), it
 * answers {@code true} and asks for a {@linkplain #needsRepair() repair}.
 */
public interface KeyBloom {

  /** {@code false} only when the filter is ready and {@code key} was never added. */
  boolean mightContain(String key);

  /** Makes again the additions that failed, now; the default has none. */
  default void retryFailedAdditions() {}

  /**
   * Adds {@code key} to the filter in use and to one being built, whatever their shapes. Never
   * throws: an addition that does not take is kept and made again later (or the filter repaired).
   */
  void add(String key);

  /**
   * Builds a new filter from {@code keys} beside the one in use and swaps it in. Returns
   * {@code false} without doing anything when another build holds the filter (on this or another
   * instance).
   *
   * @param force whether to rebuild a filter that is ready with the configured shape
   */
  boolean build(Iterator<String> keys, boolean force, BuildProgress progress);

  /**
   * Whether the store holding the bits has not answered once since start-up. Its own start-up
   * warning has then said it is unreachable, so a build failing for that reason need not warn again.
   */
  default boolean storeNeverAnswered() {
    return false;
  }

  /**
   * Records the numbers of a build this instance just swapped in, so that instances that did not
   * build it can show them. Never throws.
   */
  default void recordBuild(long keys, long millis) {}

  /**
   * The numbers of the build that made the filter in use, as its builder recorded them, or
   * {@code null} when unknown (no shared store, or not recorded).
   */
  default BuildRecord lastBuild() {
    return null;
  }

  /** What a build of generation {@code generation} streamed ({@code keys}) and how long it took. */
  record BuildRecord(long generation, long keys, long millis) {}

  /** Re-reads shared state (which filter is in use); called periodically. */
  default void refresh() {}

  /** Whether a build is known to be under way (possibly on another instance). */
  default boolean isBuilding() {
    return false;
  }

  /** Whether the filter answers (it has been seeded, has all its bits, and its store is reachable). */
  boolean isReady();

  /**
   * Whether the filter lost bits and must be rebuilt before it answers again (a segment gone, an
   * addition that could not be made or kept).
   */
  default boolean needsRepair() {
    return false;
  }

  /**
   * Whether a filter of another shape is in use that this instance should replace with its own: one
   * built before {@code startedAtMillis}, so that during a rolling change of configuration the new
   * shape replaces the old once instead of two configurations taking turns.
   */
  default boolean shouldReplaceOtherShape(long startedAtMillis) {
    return !hasCurrentShape();
  }

  /** Whether a filter in use has the configured shape (so no seeding is needed). */
  boolean hasCurrentShape();

  /** Where the bits live: {@code redis} or {@code in-process}. */
  String mode();

  /** The generation in use, counting builds; 0 before the first. */
  long generation();

  /** When the filter in use was built (epoch millis), or 0. */
  long builtAtMillis();

  /** Receives the progress of a build. */
  interface BuildProgress {
    /** {@code added} keys so far. */
    void added(long added);
  }
}
