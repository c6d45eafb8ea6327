package io.coalesce.spring;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.LockTimeoutAction;
import java.time.Duration;

/**
 * The settings of one cache under {@code coalesce.caches.<name>}: each property left unset takes
 * its value from the same property under {@code coalesce.defaults}.
 */
public class CacheOverrides {

  /** Overrides coalesce.defaults.ttl for this cache. */
  private Duration ttl;

  /** Overrides coalesce.defaults.jitter for this cache. */
  private Double jitter;

  /** Overrides coalesce.defaults.stale-ttl for this cache. */
  private Duration staleTtl;

  /** Overrides coalesce.defaults.early-refresh-beta for this cache. */
  private Double earlyRefreshBeta;

  /** Overrides coalesce.defaults.null-ttl for this cache. */
  private Duration nullTtl;

  /** Overrides coalesce.defaults.load-timeout for this cache. */
  private Duration loadTimeout;

  /** Overrides coalesce.defaults.stale-if-error for this cache. */
  private Boolean staleIfError;

  /** Overrides coalesce.defaults.stale-if-error-max-age for this cache. */
  private Duration staleIfErrorMaxAge;

  /** Overrides coalesce.defaults.evict-delay for this cache. */
  private Duration evictDelay;

  private final Local local = new Local();

  private final Bulkhead bulkhead = new Bulkhead();

  private final Remote remote = new Remote();

  private final Lock lock = new Lock();

  private final Bloom bloom = new Bloom();

  void applyTo(CacheSettings.Builder b) {
    if (ttl != null) {
      b.ttl(ttl);
    }
    if (jitter != null) {
      b.jitter(jitter);
    }
    if (staleTtl != null) {
      b.staleTtl(staleTtl);
    }
    if (earlyRefreshBeta != null) {
      b.earlyRefreshBeta(earlyRefreshBeta);
    }
    if (nullTtl != null) {
      b.nullTtl(nullTtl);
    }
    if (loadTimeout != null) {
      b.loadTimeout(loadTimeout);
    }
    if (staleIfError != null) {
      b.staleIfError(staleIfError);
    }
    if (staleIfErrorMaxAge != null) {
      b.staleIfErrorMaxAge(staleIfErrorMaxAge);
    }
    if (evictDelay != null) {
      b.evictDelay(evictDelay);
    }
    if (bulkhead.maxConcurrentLoads != null) {
      b.bulkheadMaxConcurrentLoads(bulkhead.maxConcurrentLoads);
    }
    if (bulkhead.maxWait != null) {
      b.bulkheadMaxWait(bulkhead.maxWait);
    }
    if (local.enabled != null) {
      b.localEnabled(local.enabled);
    }
    if (local.maximumSize != null) {
      b.localMaximumSize(local.maximumSize);
    }
    if (local.ttl != null) {
      b.localTtl(local.ttl);
    }
    if (remote.enabled != null) {
      b.remoteEnabled(remote.enabled);
    }
    if (lock.enabled != null) {
      b.lockEnabled(lock.enabled);
    }
    if (lock.lease != null) {
      b.lockLease(lock.lease);
    }
    if (lock.wait != null) {
      b.lockWait(lock.wait);
    }
    if (lock.onTimeout != null) {
      b.lockOnTimeout(lock.onTimeout);
    }
    if (bloom.enabled != null) {
      b.bloomEnabled(bloom.enabled);
    }
    if (bloom.expectedInsertions != null) {
      b.bloomExpectedInsertions(bloom.expectedInsertions);
    }
    if (bloom.rebuildInterval != null) {
      b.bloomRebuildInterval(bloom.rebuildInterval);
    }
    if (bloom.falsePositiveRate != null) {
      b.bloomFalsePositiveRate(bloom.falsePositiveRate);
    }
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

  /** Overrides of coalesce.defaults.local.*. */
  public static class Local {

    /** Overrides coalesce.defaults.local.enabled for this cache. */
    private Boolean enabled;

    /** Overrides coalesce.defaults.local.maximum-size for this cache. */
    private Long maximumSize;

    /** Overrides coalesce.defaults.local.ttl for this cache. */
    private Duration ttl;

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

  /** Overrides of coalesce.defaults.remote.*. */
  public static class Remote {

    /** Overrides coalesce.defaults.remote.enabled for this cache. */
    private Boolean enabled;

    public Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }
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

  public Bulkhead getBulkhead() {
    return bulkhead;
  }

  /** Overrides of coalesce.defaults.bulkhead for this cache. */
  public static class Bulkhead {

    /** Overrides coalesce.defaults.bulkhead.max-concurrent-loads for this cache. */
    private Integer maxConcurrentLoads;

    /** Overrides coalesce.defaults.bulkhead.max-wait for this cache. */
    private Duration maxWait;

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

  /** Overrides of coalesce.defaults.lock.*. */
  public static class Lock {

    /** Overrides coalesce.defaults.lock.enabled for this cache. */
    private Boolean enabled;

    /** Overrides coalesce.defaults.lock.lease for this cache. */
    private Duration lease;

    /** Overrides coalesce.defaults.lock.wait for this cache. */
    private Duration wait;

    /** Overrides coalesce.defaults.lock.on-timeout for this cache. */
    private LockTimeoutAction onTimeout;

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

  /** Overrides of coalesce.defaults.bloom.*. */
  public static class Bloom {

    /** Overrides coalesce.defaults.bloom.enabled for this cache. */
    private Boolean enabled;

    /** Overrides coalesce.defaults.bloom.expected-insertions for this cache. */
    private Long expectedInsertions;

    /** Overrides coalesce.defaults.bloom.false-positive-rate for this cache. */
    private Double falsePositiveRate;

    /** Overrides coalesce.defaults.bloom.rebuild-interval for this cache. */
    private Duration rebuildInterval;

    public Duration getRebuildInterval() {
      return rebuildInterval;
    }

    public void setRebuildInterval(Duration rebuildInterval) {
      this.rebuildInterval = rebuildInterval;
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
  }
}
