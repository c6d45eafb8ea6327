package io.coalesce.autoconfigure;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.LockTimeoutAction;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The settings of a cache as written in {@code application.yml}, bound twice onto this one type:
 * under {@code coalesce.defaults} (every cache) and under {@code coalesce.caches.<name>} (one
 * cache). A property left unset is {@code null} here and keeps the value beneath it: the cache's
 * property overrides the default, which overrides the engine's default in {@link CacheSettings},
 * where every default is written. Merged once per cache, at start-up, into an immutable
 * {@link CacheSettings}.
 */
public class CacheProperties {

  /** Logical time-to-live: how long a loaded value is fresh. */
  private Duration ttl;

  /** Fraction of ttl by which each entry's ttl is randomly spread, in [0, 1), against avalanches. */
  private Double jitter;

  /** How long after ttl a stale value may be served while one refresh runs in the background. */
  private Duration staleTtl;

  /**
   * How early a hot key is refreshed, in multiples of its last load time: a read within beta x that
   * time of the ttl starts one background refresh (at most half-way through the ttl). A key read rarely
   * is also refreshed by a read within three times its average gap between reads of the ttl (at most a
   * quarter of it). 0 disables both.
   */
  private Double earlyRefreshBeta;

  /** How long a "not found" result (null or empty Optional) is cached; 0 disables null caching. */
  private Duration nullTtl;

  /**
   * Longest a load keeps its callers and its bulkhead slot, the caller whose thread runs it excepted:
   * past it they get LoadTimeoutException and the next caller starts a new load, while the load goes
   * on and its value is still stored if no write replaced it.
   */
  private Duration loadTimeout;

  /** Whether an older value is served when the loader fails, instead of the exception. */
  private Boolean staleIfError;

  /** How long past its ttl a value may still be served by stale-if-error when the loader fails. */
  private Duration staleIfErrorMaxAge;

  /**
   * Delay of a second delete after every evict, for the cache-aside race (a reader that loaded the
   * old value before the write stores it after the first delete); 0 disables it.
   */
  private Duration evictDelay;

  /**
   * Fraction of L1 hits whose copy is compared, in the background, with the key's version in Redis;
   * copies found older than Redis's (and still held a second later) are counted as coalesce.l1.drift.
   * 0 disables the check.
   */
  private Double driftSampleRate;

  /**
   * How many of the most read and most loaded keys are tracked (reads sampled at most once a
   * millisecond, in bounded memory) and shown by the actuator endpoint, with the coalesce.hot.key.share
   * gauge. 0 disables it; set 0 where keys must not be shown.
   */
  private Integer hotKeys;

  private final Local local = new Local();

  private final Remote remote = new Remote();

  private final Lock lock = new Lock();

  private final Bloom bloom = new Bloom();

  private final Bulkhead bulkhead = new Bulkhead();

  /** Applies the properties that are set; one line per setting. */
  CacheSettings.Builder applyTo(CacheSettings.Builder b) {
    set(ttl, b::ttl);
    set(jitter, b::jitter);
    set(staleTtl, b::staleTtl);
    set(earlyRefreshBeta, b::earlyRefreshBeta);
    set(nullTtl, b::nullTtl);
    set(loadTimeout, b::loadTimeout);
    set(staleIfError, b::staleIfError);
    set(staleIfErrorMaxAge, b::staleIfErrorMaxAge);
    set(evictDelay, b::evictDelay);
    set(driftSampleRate, b::driftSampleRate);
    set(hotKeys, b::hotKeys);
    return b.local(local::applyTo).remote(remote::applyTo).lock(lock::applyTo).bloom(bloom::applyTo)
        .bulkhead(bulkhead::applyTo);
  }

  private static <T> void set(T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  private static <T, P> P with(T value, P part, Function<T, P> wither) {
    return value == null ? part : wither.apply(value);
  }

  public Duration getTtl() {
    return ttl;
  }

  public void setTtl(Duration ttl) {
    this.ttl = ttl;
  }

  public Double getJitter() {
    return jitter;
  }

  public void setJitter(Double jitter) {
    this.jitter = jitter;
  }

  public Duration getStaleTtl() {
    return staleTtl;
  }

  public void setStaleTtl(Duration staleTtl) {
    this.staleTtl = staleTtl;
  }

  public Double getEarlyRefreshBeta() {
    return earlyRefreshBeta;
  }

  public void setEarlyRefreshBeta(Double earlyRefreshBeta) {
    this.earlyRefreshBeta = earlyRefreshBeta;
  }

  public Duration getNullTtl() {
    return nullTtl;
  }

  public void setNullTtl(Duration nullTtl) {
    this.nullTtl = nullTtl;
  }

  public Duration getLoadTimeout() {
    return loadTimeout;
  }

  public void setLoadTimeout(Duration loadTimeout) {
    this.loadTimeout = loadTimeout;
  }

  public Boolean getStaleIfError() {
    return staleIfError;
  }

  public void setStaleIfError(Boolean staleIfError) {
    this.staleIfError = staleIfError;
  }

  public Duration getStaleIfErrorMaxAge() {
    return staleIfErrorMaxAge;
  }

  public void setStaleIfErrorMaxAge(Duration staleIfErrorMaxAge) {
    this.staleIfErrorMaxAge = staleIfErrorMaxAge;
  }

  public Duration getEvictDelay() {
    return evictDelay;
  }

  public void setEvictDelay(Duration evictDelay) {
    this.evictDelay = evictDelay;
  }

  public Double getDriftSampleRate() {
    return driftSampleRate;
  }

  public void setDriftSampleRate(Double driftSampleRate) {
    this.driftSampleRate = driftSampleRate;
  }

  public Integer getHotKeys() {
    return hotKeys;
  }

  public void setHotKeys(Integer hotKeys) {
    this.hotKeys = hotKeys;
  }

  public Local getLocal() {
    return local;
  }

  public Remote getRemote() {
    return remote;
  }

  public Lock getLock() {
    return lock;
  }

  public Bloom getBloom() {
    return bloom;
  }

  public Bulkhead getBulkhead() {
    return bulkhead;
  }

  /** The in-process L1 tier (Caffeine). */
  public static class Local {

    /** Whether the in-process L1 tier is used. */
    private Boolean enabled;

    /** Maximum number of entries held in L1 per cache. */
    private Long maximumSize;

    /**
     * With Redis: the longest an L1 copy is kept, bounding how stale it can be if an invalidation
     * message is lost. Without Redis, L1 keeps entries for their ttl and stale window.
     */
    private Duration ttl;

    CacheSettings.Local applyTo(CacheSettings.Local l) {
      l = with(enabled, l, l::withEnabled);
      l = with(maximumSize, l, l::withMaximumSize);
      return with(ttl, l, l::withTtl);
    }

    public Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }

    public Long getMaximumSize() {
      return maximumSize;
    }

    public void setMaximumSize(Long maximumSize) {
      this.maximumSize = maximumSize;
    }

    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }
  }

  /** The shared L2 tier (Redis). */
  public static class Remote {

    /** Whether the Redis L2 tier is used when a RedisConnectionFactory is available. */
    private Boolean enabled;

    CacheSettings.Remote applyTo(CacheSettings.Remote r) {
      return with(enabled, r, r::withEnabled);
    }

    public Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** The cluster-wide rebuild lock. */
  public static class Lock {

    /** Whether a load takes a cluster-wide lock so that one instance loads a key at a time. */
    private Boolean enabled;

    /** Longest a rebuild lock is held; a holder that dies releases it after this. */
    private Duration lease;

    /** How long an instance waits for another instance's load before loading itself. */
    private Duration wait;

    /**
     * What an instance does when another instance's load did not arrive within wait: load itself
     * ("load"), or fail the callers with LoadTimeoutException ("fail").
     */
    private LockTimeoutAction onTimeout;

    CacheSettings.Lock applyTo(CacheSettings.Lock l) {
      l = with(enabled, l, l::withEnabled);
      l = with(lease, l, l::withLease);
      l = with(wait, l, l::withWaitTime);
      return with(onTimeout, l, l::withOnTimeout);
    }

    public Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getLease() {
      return lease;
    }

    public void setLease(Duration lease) {
      this.lease = lease;
    }

    public Duration getWait() {
      return wait;
    }

    public void setWait(Duration wait) {
      this.wait = wait;
    }

    public LockTimeoutAction getOnTimeout() {
      return onTimeout;
    }

    public void setOnTimeout(LockTimeoutAction onTimeout) {
      this.onTimeout = onTimeout;
    }
  }

  /** The Bloom filter guard against penetration by absent keys. */
  public static class Bloom {

    /** Whether a Bloom filter answers "certainly absent" for keys that were never loaded or seeded. */
    private Boolean enabled;

    /** Number of keys the Bloom filter is sized for. */
    private Long expectedInsertions;

    /** Target false-positive rate of the Bloom filter at expected-insertions keys, in (0, 1). */
    private Double falsePositiveRate;

    /**
     * How often the Bloom filter is rebuilt from its BloomSeed, so that deleted keys stop passing it;
     * 0 rebuilds only on demand (BloomFilters.rebuild or the actuator endpoint).
     */
    private Duration rebuildInterval;

    CacheSettings.Bloom applyTo(CacheSettings.Bloom b) {
      b = with(enabled, b, b::withEnabled);
      b = with(expectedInsertions, b, b::withExpectedInsertions);
      b = with(falsePositiveRate, b, b::withFalsePositiveRate);
      return with(rebuildInterval, b, b::withRebuildInterval);
    }

    public Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }

    public Long getExpectedInsertions() {
      return expectedInsertions;
    }

    public void setExpectedInsertions(Long expectedInsertions) {
      this.expectedInsertions = expectedInsertions;
    }

    public Double getFalsePositiveRate() {
      return falsePositiveRate;
    }

    public void setFalsePositiveRate(Double falsePositiveRate) {
      this.falsePositiveRate = falsePositiveRate;
    }

    public Duration getRebuildInterval() {
      return rebuildInterval;
    }

    public void setRebuildInterval(Duration rebuildInterval) {
      this.rebuildInterval = rebuildInterval;
    }
  }

  /** Protects the database from miss storms: a bound on the concurrent loads of a cache. */
  public static class Bulkhead {

    /** The most loads of a cache that run at once, across all its keys; 0 for no bound. */
    private Integer maxConcurrentLoads;

    /** How long a load waits for a free slot before it fails (stale-if-error may then serve). */
    private Duration maxWait;

    CacheSettings.Bulkhead applyTo(CacheSettings.Bulkhead b) {
      b = with(maxConcurrentLoads, b, b::withMaxConcurrentLoads);
      return with(maxWait, b, b::withMaxWait);
    }

    public Integer getMaxConcurrentLoads() {
      return maxConcurrentLoads;
    }

    public void setMaxConcurrentLoads(Integer maxConcurrentLoads) {
      this.maxConcurrentLoads = maxConcurrentLoads;
    }

    public Duration getMaxWait() {
      return maxWait;
    }

    public void setMaxWait(Duration maxWait) {
      this.maxWait = maxWait;
    }
  }
}
