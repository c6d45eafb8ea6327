package io.coalesce.bloom;

import io.coalesce.bloom.internal.BloomShape;
import io.coalesce.bloom.internal.KeyBloom;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.KeyFormat;
import io.coalesce.core.PenetrationGuard;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The Bloom filters of every cache with {@code bloom.enabled}: creates each, seeds it in the
 * background from its {@link BloomSeed}, keeps its view of the shared state fresh, rebuilds it on
 * demand ({@link #rebuild}) or every {@code bloom.rebuild-interval}, and reports its state. With
 * Redis, one instance of the cluster builds a filter (the others see it done); without, each
 * instance builds its own. Until a filter has been built, and whenever it cannot answer, it lets
 * every key through.
 */
public final class BloomFilters implements AutoCloseable {

  /** How often builds report progress, in keys. */
  public static final long PROGRESS_EVERY = 10_000;

  private static final System.Logger LOG = System.getLogger(BloomFilters.class.getName());

  private final Map<String, SeededFilter> filters = new ConcurrentHashMap<>();
  private final Map<String, BloomSeed> seeds;
  private final BiFunction<String, BloomShape, KeyBloom> sharedFilters;
  private final Duration refreshPeriod;
  private final Clock clock;
  private final ScheduledExecutorService maintenance;
  private volatile boolean started;
  private volatile boolean stopping;
  private volatile long startedAtMillis;

  /**
   * @param seeds every {@link BloomSeed}; at most one per cache
   * @param sharedFilters makes the Redis filter of a cache, or {@code null} without Redis
   * @param refreshPeriod how often each filter re-reads the shared state and retries a failed seeding
   * @throws IllegalStateException when two seeds name one cache
   */
  public BloomFilters(Collection<BloomSeed> seeds, BiFunction<String, BloomShape, KeyBloom> sharedFilters,
      Duration refreshPeriod, Clock clock) {
    Map<String, BloomSeed> byCache = new LinkedHashMap<>();
    for (BloomSeed seed : seeds) {
      BloomSeed other = byCache.putIfAbsent(seed.cache(), seed);
      if (other != null) {
        throw new IllegalStateException("Two BloomSeed beans name cache '" + seed.cache() + "' (" + other + " and "
            + seed + "); declare one per cache, streaming every key");
      }
    }
    this.seeds = Map.copyOf(byCache);
    this.sharedFilters = sharedFilters;
    this.refreshPeriod = refreshPeriod;
    this.clock = clock;
    this.maintenance = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "coalesce-bloom");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * The guard of cache {@code cache}, whose settings enable the Bloom filter. Called once per cache
   * as it is created.
   *
   * @param shared whether the cache uses Redis (then the filter is shared)
   */
  public PenetrationGuard guardFor(String cache, CacheSettings settings, boolean shared) {
    SeededFilter filter = filters.computeIfAbsent(cache, name -> {
      BloomShape shape = BloomShape.of(settings.bloom().expectedInsertions(), settings.bloom().falsePositiveRate());
      KeyBloom bloom = shared && sharedFilters != null ? sharedFilters.apply(name, shape) : new InProcessBloom(shape, clock);
      BloomSeed seed = seeds.get(name);
      if (seed == null) {
        LOG.log(Level.WARNING, "Cache '" + name + "' has bloom.enabled but no BloomSeed bean names it: its Bloom "
            + "filter lets every key through. Declare a BloomSeed streaming the keys that exist, or turn "
            + "bloom.enabled off for it");
      }
      return new SeededFilter(name, settings, shape, bloom, seed);
    });
    if (started) {
      maintenance.execute(() -> maintain(filter));
    }
    return filter;
  }

  /** Starts seeding in the background and the periodic upkeep; seeds naming no Bloom cache are reported. */
  public void start() {
    startedAtMillis = clock.millis();
    started = true;
    for (String cache : seeds.keySet()) {
      if (!filters.containsKey(cache)) {
        LOG.log(Level.WARNING, "BloomSeed " + seeds.get(cache) + " names cache '" + cache + "', which has no "
            + "Bloom filter (bloom.enabled is off, or the cache is not declared under coalesce.caches and "
            + "has not been used yet); it is not used");
      }
    }
    long period = Math.max(1, refreshPeriod.toMillis());
    maintenance.scheduleWithFixedDelay(() -> filters.values().forEach(this::maintain), 0, period,
        TimeUnit.MILLISECONDS);
  }

  private void maintain(SeededFilter filter) {
    try {
      filter.bloom.refresh();
      if (filter.seed == null) {
        return;
      }
      if (filter.bloom.needsRepair()) {
        // Bits were lost (a segment gone, an addition refused): it fails open until rebuilt.
        if (!filter.bloom.isBuilding()) {
          LOG.log(Level.INFO, "Bloom filter of cache '" + filter.cache + "' lost bits (a segment is gone or an "
              + "addition could not be made); it lets every key through and is being rebuilt from its seed");
          filter.build(true);
        }
        return;
      }
      if (!filter.bloom.hasCurrentShape()) {
        if (!filter.bloom.isBuilding() && filter.bloom.shouldReplaceOtherShape(startedAtMillis)) {
          filter.build(false);
        }
        return;
      }
      long interval = filter.settings.bloom().rebuildInterval().toMillis();
      long builtAt = filter.bloom.builtAtMillis();
      if (interval > 0 && builtAt > 0 && clock.millis() - builtAt >= interval) {
        filter.build(true);
      }
    } catch (RuntimeException e) {
      if (stopping) {
        // The application is shutting down (its Redis connection with it): not a failure to report.
        LOG.log(Level.DEBUG, "Building the Bloom filter of cache '" + filter.cache + "' stopped by shutdown", e);
      } else if (!filter.failing) {
        filter.failing = true;
        // Redis unreachable since start-up was announced by the Redis tier's one warning.
        Level level = filter.bloom.storeNeverAnswered() ? Level.INFO : Level.WARNING;
        LOG.log(level, "Building the Bloom filter of cache '" + filter.cache + "' failed (" + e
            + "); it lets every key through, and the build is retried every " + refreshPeriod.toMillis() + " ms");
      } else {
        LOG.log(Level.DEBUG, "Building the Bloom filter of cache '" + filter.cache + "' failed again", e);
      }
    }
  }

  /**
   * Builds a new filter for {@code cache} from its seed beside the one in use, and swaps it in (so
   * that keys deleted since the last build stop passing). Runs on the calling thread.
   *
   * @return {@code false} when another build of this filter is under way (here or on another
   *     instance)
   * @throws IllegalArgumentException when the cache has no Bloom filter or no seed
   */
  public boolean rebuild(String cache) {
    SeededFilter filter = filters.get(cache);
    if (filter == null) {
      throw new IllegalArgumentException("Cache '" + cache + "' has no Bloom filter (bloom.enabled is off, or it "
          + "has not been created yet); caches with one: " + filters.keySet());
    }
    if (filter.seed == null) {
      throw new IllegalArgumentException("Cache '" + cache + "' has no BloomSeed bean to rebuild its Bloom filter from");
    }
    return filter.build(true);
  }

  /** Records that {@code key} exists in {@code cache} (for keys created outside Coalesce's loads and puts). */
  public void add(String cache, Object key) {
    SeededFilter filter = filters.get(cache);
    if (filter != null) {
      filter.bloom.add(KeyFormat.format(key));
    }
  }

  /** The state of every Bloom filter, by cache. */
  public Map<String, BloomStatus> statuses() {
    Map<String, BloomStatus> all = new TreeMap<>();
    filters.keySet().forEach(cache -> all.put(cache, status(cache)));
    return all;
  }

  /** The state of the Bloom filter of {@code cache}, or {@code null} when it has none. */
  public BloomStatus status(String cache) {
    SeededFilter filter = filters.get(cache);
    return filter == null ? null : filter.status();
  }

  /** The caches that have a Bloom filter. */
  public List<String> caches() {
    return List.copyOf(new TreeMap<>(filters).keySet());
  }

  /**
   * Stops building and refreshing. Call it before the store's connection closes (Spring: a lifecycle
   * phase above the connection factory's), so that a build cut short by the shutdown is not reported
   * as a failure.
   */
  public void stop() {
    stopping = true;
    maintenance.shutdownNow();
    try {
      // a call to the store in flight when its client shuts down would be logged by the client
      maintenance.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
