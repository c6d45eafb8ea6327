package io.coalesce.spring;

import io.coalesce.core.CoalescingCacheManager;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.util.function.SingletonSupplier;

/**
 * Spring's {@link CacheManager} backed by Coalesce: every {@code @Cacheable}, {@code @CachePut} and
 * {@code @CacheEvict} of the application goes through the same engine as {@code @Coalesced}, with
 * the settings of {@code coalesce.caches.<name>} over {@code coalesce.defaults}. With Spring Boot,
 * {@code coalesce.spring-cache.enabled=true} makes it the application's cache manager.
 *
 * <p>{@code @Cacheable(sync = true)} gets Coalesce's single flight, in the JVM and across instances;
 * {@code @Cacheable} without {@code sync} reads fresh values from L1 and Redis and, on a miss, lets
 * Spring run the method and put its result, as Spring's contract has it. The caches are those of the
 * {@link CoalescingCacheManager}: the same metrics, health, actuator endpoint and invalidation.
 *
 * <p>Thread-safe. A cache is created on first use; its value type is the one its annotated methods
 * declare ({@link SpringCacheValueTypes}).
 */
public final class CoalesceSpringCacheManager implements CacheManager, SmartInitializingSingleton {

  private final CoalescingCacheManager caches;
  private final Supplier<SpringCacheValueTypes> valueTypes;
  private final Map<String, CoalesceSpringCache> created = new ConcurrentHashMap<>();
  private final Set<String> atStartUp = new LinkedHashSet<>();

  /**
   * @param caches the engine's caches, which this manager exposes under Spring's API
   * @param valueTypes the value type of each cache; asked once, on first use, so that it may read the
   *     application's beans when they are all defined
   */
  public CoalesceSpringCacheManager(CoalescingCacheManager caches, Supplier<SpringCacheValueTypes> valueTypes) {
    this.caches = caches;
    this.valueTypes = SingletonSupplier.of(valueTypes);
  }

  /**
   * Names caches to create at start-up besides those the annotated methods name (Spring Boot's
   * {@code spring.cache.cache-names}); others are still created on first use.
   */
  public void createAtStartUp(Collection<String> cacheNames) {
    atStartUp.addAll(cacheNames);
  }

  /** Once the singletons exist: {@link #createDeclaredCaches()}. */
  @Override
  public void afterSingletonsInstantiated() {
    createDeclaredCaches();
  }

  /**
   * Creates the caches the annotated methods name and those named by {@link #createAtStartUp}, rather
   * than on their first call, which may come on a thread that must not wait (building a cache may
   * seed its Bloom filter from Redis). A cache two methods store values of different types into fails
   * here. Creating a cache that exists changes nothing.
   */
  public void createDeclaredCaches() {
    declaredCacheNames().forEach(this::getCache);
    atStartUp.forEach(this::getCache);
  }

  /** The names of the caches that the application's {@code @Cacheable} and {@code @CachePut} methods name. */
  public Set<String> declaredCacheNames() {
    return valueTypes.get().cacheNames();
  }

  /**
   * The cache named {@code name}, created on first use.
   *
   * @throws IllegalArgumentException when {@code coalesce.strict-cache-names} is on and the name is not
   *     declared under {@code coalesce.caches}
   */
  @Override
  public Cache getCache(String name) {
    return created.computeIfAbsent(name, n -> new CoalesceSpringCache(caches.getCache(n), valueTypes.get().typeOf(n)));
  }

  /** The caches created so far. */
  @Override
  public Collection<String> getCacheNames() {
    return Collections.unmodifiableSet(created.keySet());
  }
}
