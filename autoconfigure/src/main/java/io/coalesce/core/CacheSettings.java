package io.coalesce.core;

import java.time.Duration;

/**
 * The resolved, immutable settings of one cache: {@code coalesce.defaults} merged with
 * {@code coalesce.caches.<name>} once, at start-up. Every value is checked when built, and a bad
 * one is rejected with a message naming the setting.
 *
 * <p>Time values are wall-clock durations: logical expiry travels with a value between instances,
 * so it is an instant, not a local tick count.
 */
public final class CacheSettings {

  private static final CacheSettings DEFAULTS = builder().build();

  private final Duration ttl;
  private final double jitter;
  private final Duration staleTtl;
  private final double earlyRefreshBeta;
  private final Duration nullTtl;
  private final Duration loadTimeout;
  private final boolean staleIfError;
  private final Duration staleIfErrorMaxAge;
  private final Duration evictDelay;
  private final int bulkheadMaxConcurrentLoads;
  private final Duration bulkheadMaxWait;
  private final boolean localEnabled;
  private final long localMaximumSize;
  private final Duration localTtl;
  private final boolean remoteEnabled;
  private final boolean lockEnabled;
  private final Duration lockLease;
  private final Duration lockWait;
  private final LockTimeoutAction lockOnTimeout;
  private final boolean bloomEnabled;
  private final long bloomExpectedInsertions;
  private final double bloomFalsePositiveRate;
  private final Duration bloomRebuildInterval;

  private CacheSettings(Builder b) {
    this.ttl = positive("ttl", b.ttl);
    this.jitter = fraction("jitter", b.jitter);
    this.staleTtl = nonNegative("stale-ttl", b.staleTtl);
    this.earlyRefreshBeta = nonNegative("early-refresh-beta", b.earlyRefreshBeta);
    this.nullTtl = nonNegative("null-ttl", b.nullTtl);
    this.loadTimeout = positive("load-timeout", b.loadTimeout);
    this.staleIfError = b.staleIfError;
    this.staleIfErrorMaxAge = nonNegative("stale-if-error-max-age", b.staleIfErrorMaxAge);
    this.evictDelay = nonNegative("evict-delay", b.evictDelay);
    if (b.bulkheadMaxConcurrentLoads < 0) {
      throw new InvalidSettingException("bulkhead.max-concurrent-loads",
          "must be 0 (no bound) or positive, but was " + b.bulkheadMaxConcurrentLoads);
    }
    this.bulkheadMaxConcurrentLoads = b.bulkheadMaxConcurrentLoads;
    this.bulkheadMaxWait = nonNegative("bulkhead.max-wait", b.bulkheadMaxWait);
    this.localEnabled = b.localEnabled;
    this.localMaximumSize = positive("local.maximum-size", b.localMaximumSize);
    this.localTtl = positive("local.ttl", b.localTtl);
    this.remoteEnabled = b.remoteEnabled;
    this.lockEnabled = b.lockEnabled;
    this.lockLease = positive("lock.lease", b.lockLease);
    this.lockWait = nonNegative("lock.wait", b.lockWait);
    if (b.lockOnTimeout == null) {
      throw new InvalidSettingException("lock.on-timeout", "must be set");
    }
    this.lockOnTimeout = b.lockOnTimeout;
    this.bloomEnabled = b.bloomEnabled;
    this.bloomExpectedInsertions = positive("bloom.expected-insertions", b.bloomExpectedInsertions);
    this.bloomFalsePositiveRate = openFraction("bloom.false-positive-rate", b.bloomFalsePositiveRate);
    this.bloomRebuildInterval = nonNegative("bloom.rebuild-interval", b.bloomRebuildInterval);
  }

  /** The documented defaults ({@code coalesce.defaults.*} when nothing is configured). */
  public static CacheSettings defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.ttl = ttl;
    b.jitter = jitter;
    b.staleTtl = staleTtl;
    b.earlyRefreshBeta = earlyRefreshBeta;
    b.nullTtl = nullTtl;
    b.loadTimeout = loadTimeout;
    b.staleIfError = staleIfError;
    b.staleIfErrorMaxAge = staleIfErrorMaxAge;
    b.evictDelay = evictDelay;
    b.bulkheadMaxConcurrentLoads = bulkheadMaxConcurrentLoads;
    b.bulkheadMaxWait = bulkheadMaxWait;
    b.localEnabled = localEnabled;
    b.localMaximumSize = localMaximumSize;
    b.localTtl = localTtl;
    b.remoteEnabled = remoteEnabled;
    b.lockEnabled = lockEnabled;
    b.lockLease = lockLease;
    b.lockWait = lockWait;
    b.lockOnTimeout = lockOnTimeout;
    b.bloomEnabled = bloomEnabled;
    b.bloomExpectedInsertions = bloomExpectedInsertions;
    b.bloomFalsePositiveRate = bloomFalsePositiveRate;
    b.bloomRebuildInterval = bloomRebuildInterval;
    return b;
  }

  /** Logical time-to-live: how long a loaded value is fresh. */
  public Duration ttl() {
    return ttl;
  }

  /** Fraction of {@code ttl} by which each entry's ttl is randomly spread, in [0, 1). */
  public double jitter() {
    return jitter;
  }

  /** How long after its ttl a value may still be served while one refresh runs. */
  public Duration staleTtl() {
    return staleTtl;
  }

  /** XFetch early-refresh aggressiveness; 0 disables early refresh. */
  public double earlyRefreshBeta() {
    return earlyRefreshBeta;
  }

  /** How long "not found" is cached; zero disables null caching. */
  public Duration nullTtl() {
    return nullTtl;
  }

  /** The longest a caller waits for a load started by another caller. */
  public Duration loadTimeout() {
    return loadTimeout;
  }

  /** Whether an older value is served when the loader fails. */
  public boolean staleIfError() {
    return staleIfError;
  }

  /** How long past its ttl a value may still be served when its loader fails. */
  public Duration staleIfErrorMaxAge() {
    return staleIfErrorMaxAge;
  }

  /**
   * When positive, an evict deletes the key a second time after this delay, removing a
   * value that a reader which started before the write stored after it; zero (default) is off.
   */
  public Duration evictDelay() {
    return evictDelay;
  }

  /** The most loads of this cache that run at once, across all keys; 0 for no bound. */
  public int bulkheadMaxConcurrentLoads() {
    return bulkheadMaxConcurrentLoads;
  }

  /** How long a load waits for a free slot of the bulkhead before it fails. */
  public Duration bulkheadMaxWait() {
    return bulkheadMaxWait;
  }

  /** Whether the in-process L1 tier is used. */
  public boolean localEnabled() {
    return localEnabled;
  }

  /** Maximum number of entries in the L1 tier. */
  public long localMaximumSize() {
    return localMaximumSize;
  }

  /** With a remote tier: the longest an L1 copy is kept, bounding staleness after a lost invalidation. */
  public Duration localTtl() {
    return localTtl;
  }

  /** Whether the remote (Redis) tier is used when one is available. */
  public boolean remoteEnabled() {
    return remoteEnabled;
  }

  /** Whether loads take a cluster-wide lock so that one instance loads a key. */
  public boolean lockEnabled() {
    return lockEnabled;
  }

  /** How long a cluster-wide rebuild lock is held at most. */
  public Duration lockLease() {
    return lockLease;
  }

  /** How long an instance waits for another instance's load before loading itself. */
  public Duration lockWait() {
    return lockWait;
  }

  /** What an instance does when another instance's load did not arrive within {@code lock.wait}. */
  public LockTimeoutAction lockOnTimeout() {
    return lockOnTimeout;
  }

  /** Whether the Bloom filter penetration guard is used. */
  public boolean bloomEnabled() {
    return bloomEnabled;
  }

  /** Number of keys the Bloom filter is sized for. */
  public long bloomExpectedInsertions() {
    return bloomExpectedInsertions;
  }

  /** Target false-positive rate of the Bloom filter, in (0, 1). */
  public double bloomFalsePositiveRate() {
    return bloomFalsePositiveRate;
  }

  /** How often the Bloom filter is rebuilt from its seed; zero: only on demand. */
  public Duration bloomRebuildInterval() {
    return bloomRebuildInterval;
  }

  @Override
  public String toString() {
    return "CacheSettings{ttl=" + ttl + ", jitter=" + jitter + ", staleTtl=" + staleTtl
        + ", earlyRefreshBeta=" + earlyRefreshBeta + ", nullTtl=" + nullTtl
        + ", loadTimeout=" + loadTimeout + ", staleIfError=" + staleIfError + " (max age " + staleIfErrorMaxAge + ")"
        + ", evictDelay=" + evictDelay + ", bulkhead=" + (bulkheadMaxConcurrentLoads == 0 ? "off" : bulkheadMaxConcurrentLoads
            + " loads, wait " + bulkheadMaxWait)
        + ", local=" + (localEnabled ? "{maximumSize=" + localMaximumSize + ", ttl=" + localTtl + "}" : "off")
        + ", remote=" + remoteEnabled
        + ", lock=" + (lockEnabled ? "{lease=" + lockLease + ", wait=" + lockWait
            + ", onTimeout=" + lockOnTimeout + "}" : "off")
        + ", bloom=" + (bloomEnabled ? "{expectedInsertions=" + bloomExpectedInsertions
            + ", falsePositiveRate=" + bloomFalsePositiveRate + "}" : "off")
        + "}";
  }

  static Duration positive(String setting, Duration value) {
    if (value == null) {
      throw new InvalidSettingException(setting, "must be set");
    }
    if (value.isNegative() || value.isZero()) {
      throw new InvalidSettingException(setting, "must be a positive duration, but was " + value);
    }
    return value;
  }

  static Duration nonNegative(String setting, Duration value) {
    if (value == null) {
      throw new InvalidSettingException(setting, "must be set");
    }
    if (value.isNegative()) {
      throw new InvalidSettingException(setting, "must not be negative, but was " + value);
    }
    return value;
  }

  static long positive(String setting, long value) {
    if (value <= 0) {
      throw new InvalidSettingException(setting, "must be positive, but was " + value);
    }
    return value;
  }

  static double nonNegative(String setting, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new InvalidSettingException(setting, "must be a finite number >= 0, but was " + value);
    }
    return value;
  }

  static double fraction(String setting, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new InvalidSettingException(setting, "must be in [0, 1), but was " + value);
    }
    return value;
  }

  static double openFraction(String setting, double value) {
    if (!(value > 0 && value < 1)) {
      throw new InvalidSettingException(setting, "must be in (0, 1), but was " + value);
    }
    return value;
  }

  /** Collects settings; {@link #build()} validates them all. Not thread-safe. */
  public static final class Builder {
    private Duration ttl = Duration.ofMinutes(10);
    private double jitter = 0.1;
    private Duration staleTtl = Duration.ZERO;
    private double earlyRefreshBeta = 1.0;
    private Duration nullTtl = Duration.ofMinutes(1);
    private Duration loadTimeout = Duration.ofSeconds(10);
    private boolean staleIfError = true;
    private Duration staleIfErrorMaxAge = Duration.ofMinutes(10);
    private Duration evictDelay = Duration.ZERO;
    private int bulkheadMaxConcurrentLoads = 0;
    private Duration bulkheadMaxWait = Duration.ofSeconds(1);
    private boolean localEnabled = true;
    private long localMaximumSize = 10_000;
    private Duration localTtl = Duration.ofMinutes(1);
    private boolean remoteEnabled = true;
    private boolean lockEnabled = true;
    private Duration lockLease = Duration.ofSeconds(30);
    private Duration lockWait = Duration.ofSeconds(5);
    private LockTimeoutAction lockOnTimeout = LockTimeoutAction.LOAD;
    private boolean bloomEnabled = false;
    private long bloomExpectedInsertions = 1_000_000;
    private double bloomFalsePositiveRate = 0.01;
    private Duration bloomRebuildInterval = Duration.ZERO;

    private Builder() {}

    public Builder ttl(Duration ttl) {
      this.ttl = ttl;
      return this;
    }

    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    public Builder staleTtl(Duration staleTtl) {
      this.staleTtl = staleTtl;
      return this;
    }

    public Builder earlyRefreshBeta(double beta) {
      this.earlyRefreshBeta = beta;
      return this;
    }

    public Builder nullTtl(Duration nullTtl) {
      this.nullTtl = nullTtl;
      return this;
    }

    public Builder loadTimeout(Duration loadTimeout) {
      this.loadTimeout = loadTimeout;
      return this;
    }

    public Builder staleIfError(boolean staleIfError) {
      this.staleIfError = staleIfError;
      return this;
    }

    public Builder staleIfErrorMaxAge(Duration maxAge) {
      this.staleIfErrorMaxAge = maxAge;
      return this;
    }

    public Builder evictDelay(Duration evictDelay) {
      this.evictDelay = evictDelay;
      return this;
    }

    public Builder bulkheadMaxConcurrentLoads(int maxConcurrentLoads) {
      this.bulkheadMaxConcurrentLoads = maxConcurrentLoads;
      return this;
    }

    public Builder bulkheadMaxWait(Duration maxWait) {
      this.bulkheadMaxWait = maxWait;
      return this;
    }

    public Builder localEnabled(boolean enabled) {
      this.localEnabled = enabled;
      return this;
    }

    public Builder localMaximumSize(long maximumSize) {
      this.localMaximumSize = maximumSize;
      return this;
    }

    public Builder localTtl(Duration ttl) {
      this.localTtl = ttl;
      return this;
    }

    public Builder remoteEnabled(boolean enabled) {
      this.remoteEnabled = enabled;
      return this;
    }

    public Builder lockEnabled(boolean enabled) {
      this.lockEnabled = enabled;
      return this;
    }

    public Builder lockLease(Duration lease) {
      this.lockLease = lease;
      return this;
    }

    public Builder lockWait(Duration wait) {
      this.lockWait = wait;
      return this;
    }

    public Builder lockOnTimeout(LockTimeoutAction action) {
      this.lockOnTimeout = action;
      return this;
    }

    public Builder bloomEnabled(boolean enabled) {
      this.bloomEnabled = enabled;
      return this;
    }

    public Builder bloomExpectedInsertions(long expectedInsertions) {
      this.bloomExpectedInsertions = expectedInsertions;
      return this;
    }

    public Builder bloomRebuildInterval(Duration interval) {
      this.bloomRebuildInterval = interval;
      return this;
    }

    public Builder bloomFalsePositiveRate(double rate) {
      this.bloomFalsePositiveRate = rate;
      return this;
    }

    /**
     * @throws InvalidSettingException naming the first invalid setting
     */
    public CacheSettings build() {
      return new CacheSettings(this);
    }
  }
}
