package io.coalesce.core;

import static io.coalesce.core.SettingChecks.fraction;
import static io.coalesce.core.SettingChecks.nonNegative;
import static io.coalesce.core.SettingChecks.positive;
import static io.coalesce.core.SettingChecks.required;

import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The resolved, immutable settings of one cache. Every default is written here, once: the Spring
 * Boot properties ({@code coalesce.defaults.*}, {@code coalesce.caches.<name>.*}) only override
 * what they set, and the configuration metadata and the actuator endpoint are derived from these
 * records. Each part goes to the tier that uses it ({@link Local} to L1, {@link Lock} to the
 * cluster lock, {@link Bloom} to the penetration guard, {@link Bulkhead} to the loads).
 *
 * <p>Every value is checked when its record is made, and a bad one is rejected with an
 * {@link InvalidSettingException} naming the setting as it is written in {@code application.yml}.
 * Time values are wall-clock durations: logical expiry travels with a value between instances, so it
 * is an instant, not a local tick count.
 *
 * @param ttl logical time-to-live: how long a loaded value is fresh
 * @param jitter fraction of {@code ttl} by which each entry's ttl is randomly spread, in [0, 1)
 * @param staleTtl how long after its ttl a value may still be served while one refresh runs
 * @param earlyRefreshBeta how early a hot key is refreshed, in multiples of its last load time (a key read
 *     rarely is also refreshed three of its average gaps between reads ahead); 0 disables both
 * @param nullTtl how long "not found" is cached; zero disables null caching
 * @param loadTimeout the longest a load keeps its callers and its bulkhead slot (a synchronous leader,
 *     whose own thread runs the loader, excepted); the load goes on past it
 * @param staleIfError whether an older value is served when the loader fails
 * @param staleIfErrorMaxAge how long past its ttl a value may still be served when its loader fails
 * @param evictDelay when positive, an evict deletes the key a second time after this delay; zero is off
 * @param driftSampleRate fraction of L1 hits whose copy is compared, in the background, with the
 *     shared tier's version of the key ({@code coalesce.l1.drift} counts copies found older); 0 disables it
 * @param hotKeys how many of the most read and most loaded keys are tracked, in bounded memory, for
 *     the actuator endpoint and the {@code coalesce.hot.key.share} gauge (reads sampled at most once a
 *     millisecond); 0 disables it. The endpoint then shows keys: set 0 where keys must not be shown
 * @param local the in-process L1 tier
 * @param remote the shared L2 tier
 * @param lock the cluster-wide rebuild lock
 * @param bloom the Bloom filter penetration guard
 * @param bulkhead the bound on concurrent loads
 */
public record CacheSettings(Duration ttl, double jitter, Duration staleTtl, double earlyRefreshBeta,
    Duration nullTtl, Duration loadTimeout, boolean staleIfError, Duration staleIfErrorMaxAge, Duration evictDelay,
    double driftSampleRate, int hotKeys, Local local, Remote remote, Lock lock, Bloom bloom, Bulkhead bulkhead) {

  private static final CacheSettings DEFAULTS = new CacheSettings(Duration.ofMinutes(10), 0.1, Duration.ZERO, 1.0,
      Duration.ofMinutes(1), Duration.ofSeconds(10), true, Duration.ofMinutes(10), Duration.ZERO, 0.001, 10,
      Local.DEFAULTS, Remote.DEFAULTS, Lock.DEFAULTS, Bloom.DEFAULTS, Bulkhead.DEFAULTS);

  public CacheSettings {
    positive("ttl", ttl);
    fraction("jitter", jitter);
    nonNegative("stale-ttl", staleTtl);
    nonNegative("early-refresh-beta", earlyRefreshBeta);
    nonNegative("null-ttl", nullTtl);
    positive("load-timeout", loadTimeout);
    nonNegative("stale-if-error-max-age", staleIfErrorMaxAge);
    nonNegative("evict-delay", evictDelay);
    if (!(driftSampleRate >= 0 && driftSampleRate <= 1)) {
      throw new InvalidSettingException("drift-sample-rate", "must be in [0, 1], but was " + driftSampleRate);
    }
    if (hotKeys < 0 || hotKeys > 1_000) {
      throw new InvalidSettingException("hot-keys", "must be in [0, 1000], but was " + hotKeys);
    }
    required("local", local);
    required("remote", remote);
    required("lock", lock);
    required("bloom", bloom);
    required("bulkhead", bulkhead);
  }

  /** The documented defaults: what {@code coalesce.defaults.*} is when nothing is configured. */
  public static CacheSettings defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the {@link #defaults()}. */
  public static Builder builder() {
    return DEFAULTS.toBuilder();
  }

  /**
   * How long a write's version must stay comparable after the write: as long as a load that read
   * before it may still write back ({@code lock.lease + load-timeout}) plus as long as an L1 copy from
   * before it may live ({@code local.ttl}). A shared tier keeps version keys and clear markers that
   * long; an L1 refuses copies older than a clear for that long.
   */
  public Duration versionLifetime() {
    return lock.lease().plus(loadTimeout).plus(local.ttl());
  }

  /** A builder starting from these settings, to derive a variant. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The in-process L1 tier (Caffeine).
   *
   * @param enabled whether the in-process L1 tier is used
   * @param maximumSize maximum number of entries in the L1 tier
   * @param ttl with a shared tier: the longest an L1 copy is kept, bounding staleness after a lost
   *     invalidation
   */
  public record Local(boolean enabled, long maximumSize, Duration ttl) {

    static final Local DEFAULTS = new Local(true, 10_000, Duration.ofMinutes(1));

    public Local {
      positive("local.maximum-size", maximumSize);
      positive("local.ttl", ttl);
    }

    public Local withEnabled(boolean enabled) {
      return new Local(enabled, maximumSize, ttl);
    }

    public Local withMaximumSize(long maximumSize) {
      return new Local(enabled, maximumSize, ttl);
    }

    public Local withTtl(Duration ttl) {
      return new Local(enabled, maximumSize, ttl);
    }
  }

  /**
   * The shared L2 tier (Redis).
   *
   * @param enabled whether the shared tier is used when one is available
   */
  public record Remote(boolean enabled) {

    static final Remote DEFAULTS = new Remote(true);

    public Remote withEnabled(boolean enabled) {
      return new Remote(enabled);
    }
  }

  /**
   * The cluster-wide rebuild lock, so that one instance loads a key.
   *
   * @param enabled whether loads take the lock
   * @param lease how long a lock is held at most; a holder that dies releases it after this
   * @param waitTime how long an instance waits for another instance's load ({@code lock.wait}:
   *     {@code wait} cannot name a record component, it would hide {@link Object#wait()})
   * @param onTimeout what an instance does when that load did not arrive within {@code waitTime}
   */
  public record Lock(boolean enabled, Duration lease, Duration waitTime, LockTimeoutAction onTimeout) {

    static final Lock DEFAULTS = new Lock(true, Duration.ofSeconds(30), Duration.ofSeconds(5), LockTimeoutAction.LOAD);

    public Lock {
      positive("lock.lease", lease);
      nonNegative("lock.wait", waitTime);
      required("lock.on-timeout", onTimeout);
    }

    public Lock withEnabled(boolean enabled) {
      return new Lock(enabled, lease, waitTime, onTimeout);
    }

    public Lock withLease(Duration lease) {
      return new Lock(enabled, lease, waitTime, onTimeout);
    }

    public Lock withWaitTime(Duration waitTime) {
      return new Lock(enabled, lease, waitTime, onTimeout);
    }

    public Lock withOnTimeout(LockTimeoutAction onTimeout) {
      return new Lock(enabled, lease, waitTime, onTimeout);
    }
  }

  /**
   * The Bloom filter that answers "certainly absent" for keys that were never seeded, loaded or put.
   *
   * @param enabled whether the Bloom filter guard is used
   * @param expectedInsertions number of keys the filter is sized for
   * @param falsePositiveRate target false-positive rate at {@code expectedInsertions} keys, in (0, 1)
   * @param rebuildInterval how often the filter is rebuilt from its seed; zero: only on demand
   */
  public record Bloom(boolean enabled, long expectedInsertions, double falsePositiveRate, Duration rebuildInterval) {

    static final Bloom DEFAULTS = new Bloom(false, 1_000_000, 0.01, Duration.ZERO);

    public Bloom {
      positive("bloom.expected-insertions", expectedInsertions);
      if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
        throw new InvalidSettingException("bloom.false-positive-rate", "must be in (0, 1), but was " + falsePositiveRate);
      }
      nonNegative("bloom.rebuild-interval", rebuildInterval);
    }

    public Bloom withEnabled(boolean enabled) {
      return new Bloom(enabled, expectedInsertions, falsePositiveRate, rebuildInterval);
    }

    public Bloom withExpectedInsertions(long expectedInsertions) {
      return new Bloom(enabled, expectedInsertions, falsePositiveRate, rebuildInterval);
    }

    public Bloom withFalsePositiveRate(double falsePositiveRate) {
      return new Bloom(enabled, expectedInsertions, falsePositiveRate, rebuildInterval);
    }

    public Bloom withRebuildInterval(Duration rebuildInterval) {
      return new Bloom(enabled, expectedInsertions, falsePositiveRate, rebuildInterval);
    }
  }

  /**
   * A bound on the loads of one cache that run at once, across all its keys, against miss storms.
   *
   * @param maxConcurrentLoads the most loads that run at once; 0 for no bound
   * @param maxWait how long a load waits for a free slot before it fails
   */
  public record Bulkhead(int maxConcurrentLoads, Duration maxWait) {

    static final Bulkhead DEFAULTS = new Bulkhead(0, Duration.ofSeconds(1));

    public Bulkhead {
      if (maxConcurrentLoads < 0) {
        throw new InvalidSettingException("bulkhead.max-concurrent-loads",
            "must be 0 (no bound) or positive, but was " + maxConcurrentLoads);
      }
      nonNegative("bulkhead.max-wait", maxWait);
    }

    public Bulkhead withMaxConcurrentLoads(int maxConcurrentLoads) {
      return new Bulkhead(maxConcurrentLoads, maxWait);
    }

    public Bulkhead withMaxWait(Duration maxWait) {
      return new Bulkhead(maxConcurrentLoads, maxWait);
    }
  }

  /**
   * Collects settings, starting from a complete set; {@link #build()} checks them all and reports the
   * first bad one by name. Not thread-safe.
   */
  public static final class Builder {
    private Duration ttl;
    private double jitter;
    private Duration staleTtl;
    private double earlyRefreshBeta;
    private Duration nullTtl;
    private Duration loadTimeout;
    private boolean staleIfError;
    private Duration staleIfErrorMaxAge;
    private Duration evictDelay;
    private double driftSampleRate;
    private int hotKeys;
    private Local local;
    private Remote remote;
    private Lock lock;
    private Bloom bloom;
    private Bulkhead bulkhead;

    private Builder(CacheSettings from) {
      ttl = from.ttl;
      jitter = from.jitter;
      staleTtl = from.staleTtl;
      earlyRefreshBeta = from.earlyRefreshBeta;
      nullTtl = from.nullTtl;
      loadTimeout = from.loadTimeout;
      staleIfError = from.staleIfError;
      staleIfErrorMaxAge = from.staleIfErrorMaxAge;
      evictDelay = from.evictDelay;
      driftSampleRate = from.driftSampleRate;
      hotKeys = from.hotKeys;
      local = from.local;
      remote = from.remote;
      lock = from.lock;
      bloom = from.bloom;
      bulkhead = from.bulkhead;
    }

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

    public Builder driftSampleRate(double rate) {
      this.driftSampleRate = rate;
      return this;
    }

    public Builder hotKeys(int hotKeys) {
      this.hotKeys = hotKeys;
      return this;
    }

    /** Changes the L1 settings: {@code local(l -> l.withMaximumSize(5_000))}. */
    public Builder local(UnaryOperator<Local> change) {
      this.local = change.apply(local);
      return this;
    }

    public Builder remote(UnaryOperator<Remote> change) {
      this.remote = change.apply(remote);
      return this;
    }

    public Builder lock(UnaryOperator<Lock> change) {
      this.lock = change.apply(lock);
      return this;
    }

    public Builder bloom(UnaryOperator<Bloom> change) {
      this.bloom = change.apply(bloom);
      return this;
    }

    public Builder bulkhead(UnaryOperator<Bulkhead> change) {
      this.bulkhead = change.apply(bulkhead);
      return this;
    }

    /**
     * @throws InvalidSettingException naming the first invalid setting
     */
    public CacheSettings build() {
      return new CacheSettings(ttl, jitter, staleTtl, earlyRefreshBeta, nullTtl, loadTimeout, staleIfError,
          staleIfErrorMaxAge, evictDelay, driftSampleRate, hotKeys, local, remote, lock, bloom, bulkhead);
    }
  }
}
