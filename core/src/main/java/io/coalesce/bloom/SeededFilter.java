package io.coalesce.bloom;

import io.coalesce.bloom.internal.BloomShape;
import io.coalesce.bloom.internal.KeyBloom;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.KeyFormat;
import io.coalesce.core.PenetrationGuard;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Bloom filter of one cache, the guard its engine asks, and what it knows of its builds: a
 * build streams the keys of its {@link BloomSeed} into a new filter beside the one in use and swaps
 * it in. When builds run is {@link BloomFilters}' job.
 */
final class SeededFilter implements PenetrationGuard {

  private static final System.Logger LOG = System.getLogger(BloomFilters.class.getName());

  final String cache;
  final CacheSettings settings;
  final BloomShape shape;
  final KeyBloom bloom;
  final BloomSeed seed;
  /** Whether the last build or refresh failed (its failure was logged once). */
  volatile boolean failing;
  private volatile long lastBuildKeys = -1;
  private volatile long lastBuildMillis = -1;
  /** The generation this instance's last build swapped in (0: none). */
  private volatile long lastBuildGeneration;

  SeededFilter(String cache, CacheSettings settings, BloomShape shape, KeyBloom bloom, BloomSeed seed) {
    this.cache = cache;
    this.settings = settings;
    this.shape = shape;
    this.bloom = bloom;
    this.seed = seed;
  }

  @Override
  public boolean mightContain(String key) {
    return bloom.mightContain(key);
  }

  @Override
  public void add(String key) {
    bloom.add(key);
  }

  @Override
  public void retryFailedAdditions() {
    bloom.retryFailedAdditions();
  }

  /**
   * Builds a new filter from the seed and swaps it in, on the calling thread, reporting progress
   * every tenth of {@code expected-insertions}.
   *
   * @param force build even when the shared filter already has the current shape
   * @return {@code false} when another build is under way (here or on another instance)
   */
  boolean build(boolean force) {
    long startNanos = System.nanoTime();
    long expected = shape.insertions();
    long step = Math.max(BloomFilters.PROGRESS_EVERY, expected / 10);
    long[] nextReport = {step};
    KeyBloom.BuildProgress progress = added -> {
      if (added >= nextReport[0]) {
        nextReport[0] += step;
        LOG.log(Level.INFO, "Bloom filter of cache '" + cache + "': " + added + " keys streamed ("
            + Math.round(100.0 * added / expected) + "% of expected-insertions) in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) + " ms");
      }
    };
    long[] count = {0};
    boolean built;
    try (Stream<?> keys = seed.keys()) {
      Iterator<String> formatted = keys.map(key -> {
        count[0]++;
        return KeyFormat.format(key);
      }).iterator();
      built = bloom.build(formatted, force, progress);
    }
    if (built && (count[0] > 0 || force)) { // false when another instance had already built it
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
      lastBuildKeys = count[0];
      lastBuildMillis = millis;
      lastBuildGeneration = bloom.generation();
      bloom.recordBuild(count[0], millis);
      LOG.log(Level.INFO, "Bloom filter of cache '" + cache + "' built from " + count[0] + " keys in " + millis
          + " ms (" + bloom.mode() + ", generation " + bloom.generation() + ", " + shape.bits() + " bits, "
          + shape.hashes() + " hashes); it now rejects absent keys");
      if (count[0] > expected) {
        LOG.log(Level.WARNING, "Bloom filter of cache '" + cache + "' holds " + count[0] + " keys, more than "
            + "bloom.expected-insertions " + expected + ": its false-positive rate is above "
            + shape.falsePositiveRate() + "; raise expected-insertions");
      }
    } else if (!built) {
      LOG.log(Level.DEBUG, () -> "Bloom filter of cache '" + cache + "' is being built by another instance");
    }
    failing = false;
    return built;
  }

  /** The filter's state: the last build's figures are this instance's, or the one recorded in the store. */
  BloomStatus status() {
    long builtAt = bloom.builtAtMillis();
    long generation = bloom.generation();
    boolean builtHere = generation > 0 && lastBuildGeneration == generation;
    long keys = -1;
    long millis = -1;
    if (builtHere) {
      keys = lastBuildKeys;
      millis = lastBuildMillis;
    } else if (generation > 0) {
      KeyBloom.BuildRecord recorded = bloom.lastBuild();
      if (recorded != null && recorded.generation() == generation) {
        keys = recorded.keys();
        millis = recorded.millis();
      }
    }
    return new BloomStatus(cache, bloom.mode(), bloom.isReady(), generation,
        builtAt > 0 ? Instant.ofEpochMilli(builtAt) : null, shape.insertions(), shape.falsePositiveRate(),
        shape.bits(), shape.hashes(), shape.segments(), seed == null ? null : seed.toString(), keys, millis,
        builtHere);
  }
}
