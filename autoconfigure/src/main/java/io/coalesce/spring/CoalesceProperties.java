package io.coalesce.spring;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.InvalidSettingException;
import io.coalesce.core.LockTimeoutAction;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration of Coalesce under {@code coalesce.*}. Each cache's settings are
 * {@code coalesce.caches.<name>.*} over {@code coalesce.defaults.*}, merged once at start-up.
 *
 * <p>Binding validates every value: an invalid one fails start-up with the property's name and the
 * reason (for example {@code coalesce.defaults.jitter ... must be in [0, 1), but was 1.5}).
 */
@ConfigurationProperties(prefix = "coalesce")
public class CoalesceProperties implements Validator {

  /** Whether Coalesce is enabled; when off, annotated methods run uncached. */
  private boolean enabled = true;

  /**
   * Namespace of every Redis key and channel. Defaults to spring.application.name, or "app" when
   * that is not set.
   */
  private String keyPrefix;

  /**
   * Whether a cache name that is not declared under coalesce.caches fails start-up (annotations)
   * or the programmatic lookup, to catch typos in cache names.
   */
  private boolean strictCacheNames = false;

  /** Settings of every cache, unless overridden under coalesce.caches.<name>. */
  private final CacheDefaults defaults = new CacheDefaults();

  /** Per-cache overrides of coalesce.defaults, by cache name. */
  private final Map<String, CacheOverrides> caches = new LinkedHashMap<>();

  /** How Coalesce treats the application's Redis connection. */
  private final Redis redis = new Redis();

  /** The pool that runs background refreshes (stale and early) and delayed second deletes. */
  private final Refresh refresh = new Refresh();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getKeyPrefix() {
    return keyPrefix;
  }

  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  public boolean isStrictCacheNames() {
    return strictCacheNames;
  }

  public void setStrictCacheNames(boolean strictCacheNames) {
    this.strictCacheNames = strictCacheNames;
  }

  public CacheDefaults getDefaults() {
    return defaults;
  }

  public Map<String, CacheOverrides> getCaches() {
    return caches;
  }

  public Redis getRedis() {
    return redis;
  }

  public Refresh getRefresh() {
    return refresh;
  }

  /** The pool of background refreshes, shared by every cache of the application. */
  public static class Refresh {

    /** Threads of the pool; 0 sizes it from the machine (twice the processors, at least 4). */
    private int threads = 0;

    /**
     * Refreshes that may wait for a thread; a refresh that finds the queue full is dropped (the stale
     * value keeps being served and a later read tries again).
     */
    private int queueCapacity = 1_000;

    public int getThreads() {
      return threads;
    }

    public void setThreads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("coalesce.refresh.threads must be 0 (sized from the machine) or "
            + "positive, but was " + threads);
      }
      this.threads = threads;
    }

    public int getQueueCapacity() {
      return queueCapacity;
    }

    public void setQueueCapacity(int queueCapacity) {
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("coalesce.refresh.queue-capacity must be at least 1, but was "
            + queueCapacity);
      }
      this.queueCapacity = queueCapacity;
    }

    /** The number of threads to start. */
    int effectiveThreads() {
      return threads > 0 ? threads : Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    }
  }

  /** The resolved settings of cache {@code name}: its overrides applied over the defaults. */
  public CacheSettings settingsFor(String name) {
    CacheSettings.Builder builder = defaults.applyTo(CacheSettings.builder());
    CacheOverrides overrides = caches.get(name);
    if (overrides != null) {
      overrides.applyTo(builder);
    }
    return builder.build();
  }

  @Override
  public boolean supports(Class<?> type) {
    return CoalesceProperties.class.isAssignableFrom(type);
  }

  /** Rejects the first invalid value of the defaults and of each cache, naming its property. */
  @Override
  public void validate(Object target, Errors errors) {
    if (redis.commandTimeout == null || redis.commandTimeout.isNegative() || redis.commandTimeout.isZero()) {
      errors.rejectValue("redis.commandTimeout", "invalid",
          "coalesce.redis.command-timeout must be positive, but was " + redis.commandTimeout);
    }
    try {
      defaults.applyTo(CacheSettings.builder()).build();
    } catch (InvalidSettingException e) {
      reject(errors, "defaults", e);
      return; // every cache inherits the defaults; one message is enough
    }
    caches.forEach((name, overrides) -> {
      try {
        settingsFor(name);
      } catch (InvalidSettingException e) {
        reject(errors, "caches[" + name + "]", e);
      }
    });
  }

  /** Rejects the field of {@code e}, with a message that names the property as written in yml. */
  private static void reject(Errors errors, String group, InvalidSettingException e) {
    String property = "coalesce." + group.replace("[", ".").replace("]", "") + "." + e.setting();
    errors.rejectValue(group + "." + propertyPath(e.setting()), "invalid", property + " " + e.reason());
  }

  /** {@code local.maximum-size} → {@code local.maximumSize}: the bean path of a setting. */
  private static String propertyPath(String setting) {
    StringBuilder path = new StringBuilder(setting.length());
    boolean upper = false;
    for (char c : setting.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        path.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return path.toString();
  }

  /** Settings every cache starts from. */
  public static class CacheDefaults {

    /** Logical time-to-live: how long a loaded value is fresh. */
    private Duration ttl = Duration.ofMinutes(10);

    /** Fraction of ttl by which each entry's ttl is randomly spread, in [0, 1), against avalanches. */
    private double jitter = 0.1;

    /** How long after ttl a stale value may be served while one refresh runs in the background. */
    private Duration staleTtl = Duration.ZERO;

    /** Aggressiveness of XFetch probabilistic early refresh before ttl; 0 disables it. */
    private double earlyRefreshBeta = 1.0;

    /** How long a "not found" result (null or empty Optional) is cached; 0 disables null caching. */
    private Duration nullTtl = Duration.ofMinutes(1);

    /** Longest a caller waits for a load started by another caller. */
    private Duration loadTimeout = Duration.ofSeconds(10);

    /** Whether an older value is served when the loader fails, instead of the exception. */
    private boolean staleIfError = true;

    /** How long past its ttl a value may still be served by stale-if-error when the loader fails. */
    private Duration staleIfErrorMaxAge = Duration.ofMinutes(10);

    /**
     * Delay of a second delete after every evict, for the cache-aside race (a reader that loaded the
     * old value before the write stores it after the first delete); 0s disables it.
     */
    private Duration evictDelay = Duration.ZERO;

    private final Local local = new Local();

    private final Bulkhead bulkhead = new Bulkhead();

    private final Remote remote = new Remote();

    private final Lock lock = new Lock();

    private final Bloom bloom = new Bloom();

    CacheSettings.Builder applyTo(CacheSettings.Builder b) {
      b.ttl(ttl).jitter(jitter).staleTtl(staleTtl).earlyRefreshBeta(earlyRefreshBeta)
          .nullTtl(nullTtl).loadTimeout(loadTimeout).staleIfError(staleIfError)
          .staleIfErrorMaxAge(staleIfErrorMaxAge).evictDelay(evictDelay)
          .bulkheadMaxConcurrentLoads(bulkhead.maxConcurrentLoads).bulkheadMaxWait(bulkhead.maxWait)
          .localEnabled(local.enabled).localMaximumSize(local.maximumSize).localTtl(local.ttl)
          .remoteEnabled(remote.enabled)
          .lockEnabled(lock.enabled).lockLease(lock.lease).lockWait(lock.wait).lockOnTimeout(lock.onTimeout)
          .bloomEnabled(bloom.enabled).bloomExpectedInsertions(bloom.expectedInsertions)
          .bloomFalsePositiveRate(bloom.falsePositiveRate).bloomRebuildInterval(bloom.rebuildInterval);
      return b;
    }

    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }

    public double getJitter() {
      return jitter;
    }

    public void setJitter(double jitter) {
      this.jitter = jitter;
    }

    public Duration getStaleTtl() {
      return staleTtl;
    }

    public void setStaleTtl(Duration staleTtl) {
      this.staleTtl = staleTtl;
    }

    public double getEarlyRefreshBeta() {
      return earlyRefreshBeta;
    }

    public void setEarlyRefreshBeta(double earlyRefreshBeta) {
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

    public boolean isStaleIfError() {
      return staleIfError;
    }

    public void setStaleIfError(boolean staleIfError) {
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

    /** Protects the database from miss storms: a bound on the concurrent loads of a cache. */
    public static class Bulkhead {

      /** The most loads of a cache that run at once, across all its keys; 0 for no bound. */
      private int maxConcurrentLoads = 0;

      /** How long a load waits for a free slot before it fails (stale-if-error may then serve). */
      private Duration maxWait = Duration.ofSeconds(1);

      public int getMaxConcurrentLoads() {
        return maxConcurrentLoads;
      }

      public void setMaxConcurrentLoads(int maxConcurrentLoads) {
        this.maxConcurrentLoads = maxConcurrentLoads;
      }

      public Duration getMaxWait() {
        return maxWait;
      }

      public void setMaxWait(Duration maxWait) {
        this.maxWait = maxWait;
      }
    }

    /** The in-process L1 tier (Caffeine). */
    public static class Local {

      /** Whether the in-process L1 tier is used. */
      private boolean enabled = true;

      /** Maximum number of entries held in L1 per cache. */
      private long maximumSize = 10_000;

      /**
       * With Redis: the longest an L1 copy is kept, bounding how stale it can be if an invalidation
       * message is lost. Without Redis, L1 keeps entries for their ttl and stale window.
       */
      private Duration ttl = Duration.ofMinutes(1);

      public boolean isEnabled() {
        return enabled;
      }

      public void setEnabled(boolean enabled) {
        this.enabled = enabled;
      }

      public long getMaximumSize() {
        return maximumSize;
      }

      public void setMaximumSize(long maximumSize) {
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
      private boolean enabled = true;

      public boolean isEnabled() {
        return enabled;
      }

      public void setEnabled(boolean enabled) {
        this.enabled = enabled;
      }
    }

    /** The cluster-wide rebuild lock. */
    public static class Lock {

      /** Whether a load takes a cluster-wide lock so that one instance loads a key at a time. */
      private boolean enabled = true;

      /** Longest a rebuild lock is held; a holder that dies releases it after this. */
      private Duration lease = Duration.ofSeconds(30);

      /** How long an instance waits for another instance's load before loading itself. */
      private Duration wait = Duration.ofSeconds(5);

      /**
       * What an instance does when another instance's load did not arrive within wait: load itself
       * ("load"), or fail the callers with LoadTimeoutException ("fail").
       */
      private LockTimeoutAction onTimeout = LockTimeoutAction.LOAD;

      public boolean isEnabled() {
        return enabled;
      }

      public void setEnabled(boolean enabled) {
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
      private boolean enabled = false;

      /** Number of keys the Bloom filter is sized for. */
      private long expectedInsertions = 1_000_000;

      /** Target false-positive rate of the Bloom filter at expected-insertions keys, in (0, 1). */
      private double falsePositiveRate = 0.01;

      /**
       * How often the Bloom filter is rebuilt from its BloomSeed, so that deleted keys stop passing it;
       * zero rebuilds only on demand (BloomFilters.rebuild or the actuator endpoint).
       */
      private Duration rebuildInterval = Duration.ZERO;

      public Duration getRebuildInterval() {
        return rebuildInterval;
      }

      public void setRebuildInterval(Duration rebuildInterval) {
        this.rebuildInterval = rebuildInterval;
      }

      public boolean isEnabled() {
        return enabled;
      }

      public void setEnabled(boolean enabled) {
        this.enabled = enabled;
      }

      public long getExpectedInsertions() {
        return expectedInsertions;
      }

      public void setExpectedInsertions(long expectedInsertions) {
        this.expectedInsertions = expectedInsertions;
      }

      public double getFalsePositiveRate() {
        return falsePositiveRate;
      }

      public void setFalsePositiveRate(double falsePositiveRate) {
        this.falsePositiveRate = falsePositiveRate;
      }
    }
  }

  /**
   * The application's Lettuce client, which Coalesce shares. A cache must never make a caller wait
   * on a dead Redis, so by default commands fail fast while the client reconnects and every command
   * has a timeout.
   */
  public static class Redis {

    /**
     * Timeout of every Redis command, applied to the application's Lettuce client when
     * spring.data.redis.timeout is not set (Lettuce's own default is 60 s). Also the duration above
     * which the circuit breaker counts a call as slow, unless configured under
     * resilience4j.circuitbreaker.instances.coalesce-redis.
     */
    private Duration commandTimeout = Duration.ofMillis(500);

    /**
     * Whether the Lettuce client rejects commands at once while it is disconnected, instead of
     * queueing them until the connection is back or the command times out.
     */
    private boolean failFastWhenDisconnected = true;

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }

    public boolean isFailFastWhenDisconnected() {
      return failFastWhenDisconnected;
    }

    public void setFailFastWhenDisconnected(boolean failFastWhenDisconnected) {
      this.failFastWhenDisconnected = failFastWhenDisconnected;
    }
  }
}
