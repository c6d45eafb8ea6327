package io.coalesce.autoconfigure.internal;

import org.springframework.cache.CacheManager;

/**
 * Applies Spring Boot's {@code CacheManagerCustomizer} beans to the Spring cache manager bridge, with
 * the customizer types of the application's Boot line (their package moved in Boot 4). Boot applies
 * them only to the cache managers its own auto-configuration creates, which stands down once the
 * bridge is there.
 */
@FunctionalInterface
public interface CacheManagerCustomizing {

  void customize(CacheManager cacheManager);
}
