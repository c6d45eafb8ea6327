package io.coalesce.autoconfigure;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.InvalidSettingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration of Coalesce under {@code coalesce.*}. A cache's settings are
 * {@code coalesce.caches.<name>.*} over {@code coalesce.defaults.*} over the engine's defaults,
 * resolved once at start-up ({@link #settingsFor}).
 *
 * <p>Binding is strict: a key Coalesce does not know ({@code coalesce.caches.products.stale-tll})
 * fails start-up naming it, and an invalid value fails start-up with the property's name and the
 * reason ({@code coalesce.caches.products.jitter must be in [0, 1), but was 1.5}).
 */
@ConfigurationProperties(prefix = "coalesce", ignoreUnknownFields = false)
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
  @NestedConfigurationProperty
  private final CacheProperties defaults = new CacheProperties();

  /** Settings of one cache, by cache name, over coalesce.defaults: every coalesce.defaults.X can be set here. */
  private final Map<String, CacheProperties> caches = new LinkedHashMap<>();

  /** How Coalesce treats the application's Redis connection. */
  private final Redis redis = new Redis();

  /** The pool that runs background refreshes (stale and early) and delayed second deletes. */
  private final Refresh refresh = new Refresh();

  private final Web web = new Web();

  /** Spring's own cache annotations (@Cacheable, @CachePut, @CacheEvict) on Coalesce's caches. */
  private final SpringCache springCache = new SpringCache();

  /** The resolved settings of cache {@code name}: its properties over the defaults. */
  public CacheSettings settingsFor(String name) {
    CacheSettings.Builder builder = defaults.applyTo(CacheSettings.builder());
    CacheProperties cache = caches.get(name);
    return (cache == null ? builder : cache.applyTo(builder)).build();
  }

  @Override
  public boolean supports(Class<?> type) {
    return CoalesceProperties.class.isAssignableFrom(type);
  }

  /** Rejects the first invalid value of the defaults and of each cache, naming its property. */
  @Override
  public void validate(Object target, Errors errors) {
    try {
      defaults.applyTo(CacheSettings.builder()).build();
    } catch (InvalidSettingException e) {
      reject(errors, "defaults", e);
      return; // every cache inherits the defaults; one message is enough
    }
    caches.keySet().forEach(name -> {
      try {
        settingsFor(name);
      } catch (InvalidSettingException e) {
        reject(errors, "caches[" + name + "]", e); // the defaults are valid: this cache set it
      }
    });
  }

  /** Rejects the field of {@code e}, with a message that names the property as written in yml. */
  private static void reject(Errors errors, String group, InvalidSettingException e) {
    String property = "coalesce." + group.replace("[", ".").replace("]", "") + "." + e.setting();
    errors.rejectValue(group + "." + beanPath(e.setting()), "invalid", property + " " + e.reason());
  }

  /** {@code local.maximum-size} → {@code local.maximumSize}: the bean path of a setting. */
  private static String beanPath(String setting) {
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

  public CacheProperties getDefaults() {
    return defaults;
  }

  public Map<String, CacheProperties> getCaches() {
    return caches;
  }

  public Redis getRedis() {
    return redis;
  }

  public Web getWeb() {
    return web;
  }

  public Refresh getRefresh() {
    return refresh;
  }

  public SpringCache getSpringCache() {
    return springCache;
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

    /**
     * Longest wait of the Lettuce client between attempts to reconnect to a Redis it lost (Lettuce's
     * own grows to 30 s), so that a Redis that is back is used again within about this long.
     */
    private Duration maxReconnectDelay = Duration.ofMillis(500);

    /**
     * Packages whose classes the JSON stored in Redis may name, for properties your cached types
     * declare polymorphic by class name (@JsonTypeInfo(use = CLASS)); by default none may be named, so
     * data in Redis never chooses a class to instantiate. A value that would name a class outside them
     * is not written to Redis (it could not be read back): one WARN per cache and type names this
     * property.
     */
    private List<String> trustedPackages = new ArrayList<>();

    /**
     * Whether the application needs this Redis to work, beyond Coalesce's cache. When it does not,
     * Spring Boot's redis health indicator reports DEGRADED instead of DOWN while Redis is away, so a
     * cache outage does not take the instance out of service. Unset: detected at each health check,
     * as used when a bean other than Coalesce's depends on the Redis connection factory or on a Redis
     * template (a repository, a session store, RedisCacheManager, your own service).
     */
    private Boolean usedByApplication;

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      if (commandTimeout == null || commandTimeout.isNegative() || commandTimeout.isZero()) {
        throw new IllegalArgumentException("coalesce.redis.command-timeout must be positive, but was "
            + commandTimeout);
      }
      this.commandTimeout = commandTimeout;
    }

    public boolean isFailFastWhenDisconnected() {
      return failFastWhenDisconnected;
    }

    public Duration getMaxReconnectDelay() {
      return maxReconnectDelay;
    }

    public void setMaxReconnectDelay(Duration maxReconnectDelay) {
      if (maxReconnectDelay == null || maxReconnectDelay.isNegative() || maxReconnectDelay.isZero()) {
        throw new IllegalArgumentException("coalesce.redis.max-reconnect-delay must be positive, but was "
            + maxReconnectDelay);
      }
      this.maxReconnectDelay = maxReconnectDelay;
    }

    public List<String> getTrustedPackages() {
      return trustedPackages;
    }

    public void setTrustedPackages(List<String> trustedPackages) {
      this.trustedPackages = trustedPackages;
    }

    public void setFailFastWhenDisconnected(boolean failFastWhenDisconnected) {
      this.failFastWhenDisconnected = failFastWhenDisconnected;
    }

    public Boolean getUsedByApplication() {
      return usedByApplication;
    }

    public void setUsedByApplication(Boolean usedByApplication) {
      this.usedByApplication = usedByApplication;
    }
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

  /** How Coalesce's exceptions reach the clients of a web application. */
  public static class Web {

    /**
     * Whether a request that fails with LoadTimeoutException or LoadRejectedException is answered 503
     * Service Unavailable with a Retry-After header and a problem detail, in Spring MVC and WebFlux,
     * rather than as a server error (an application's own handler of them wins).
     */
    private boolean problemDetails = true;

    public boolean isProblemDetails() {
      return problemDetails;
    }

    public void setProblemDetails(boolean problemDetails) {
      this.problemDetails = problemDetails;
    }
  }

  /** Spring's cache abstraction backed by Coalesce (docs/spring-cache.md). */
  public static class SpringCache {

    /**
     * Whether the application's Spring CacheManager is Coalesce's, in place of the one Boot's cache
     * auto-configuration would create (an application's own CacheManager bean still wins): every
     * @Cacheable, @CachePut and @CacheEvict then goes through Coalesce's caches, with their settings
     * from coalesce.caches.<name>, and @Cacheable(sync = true) gets the cluster-wide single flight.
     */
    private boolean enabled = false;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
