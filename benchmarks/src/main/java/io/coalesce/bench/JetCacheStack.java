package io.coalesce.bench;

import com.alicp.jetcache.Cache;
import com.alicp.jetcache.MultiLevelCacheBuilder;
import com.alicp.jetcache.RefreshPolicy;
import com.alicp.jetcache.embedded.CaffeineCacheBuilder;
import com.alicp.jetcache.redis.lettuce.RedisLettuceCacheBuilder;
import com.alicp.jetcache.support.JavaValueDecoder;
import com.alicp.jetcache.support.JavaValueEncoder;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * JetCache's two-level cache as a user of its API builds it: Caffeine in front of Redis (Lettuce),
 * penetration protection on (its in-process single flight), optionally its refresh policy, which is
 * what {@code @CacheRefresh} configures. Used without its Spring Boot starter, which was not tried on Boot 4.
 */
final class JetCacheStack implements AutoCloseable {

  private final RedisClient client;
  private final Cache<String, Product> cache;

  /**
   * @param refresh {@code null} for none, else JetCache's refresh interval ({@code @CacheRefresh(refresh)})
   */
  @SuppressWarnings("unchecked")
  JetCacheStack(int redisPort, String name, Backend backend, Duration ttl, int localEntries, Duration refresh) {
    client = RedisClient.create("redis://127.0.0.1:" + redisPort);
    Cache<String, Product> local = CaffeineCacheBuilder.createCaffeineCacheBuilder()
        .limit(localEntries)
        .expireAfterWrite(ttl.toMillis(), TimeUnit.MILLISECONDS)
        .buildCache();
    Cache<String, Product> remote = RedisLettuceCacheBuilder.createRedisLettuceCacheBuilder()
        .redisClient(client)
        .keyPrefix("jetcache:" + name + ":")
        .valueEncoder(JavaValueEncoder.INSTANCE)
        .valueDecoder(JavaValueDecoder.INSTANCE)
        .expireAfterWrite(ttl.toMillis(), TimeUnit.MILLISECONDS)
        .buildCache();
    MultiLevelCacheBuilder<?> twoLevel = MultiLevelCacheBuilder.createMultiLevelCacheBuilder()
        .addCache(local, remote)
        .expireAfterWrite(ttl.toMillis(), TimeUnit.MILLISECONDS);
    twoLevel.cachePenetrateProtect(true).loader(key -> backend.load((String) key));
    if (refresh != null) {
      twoLevel.refreshPolicy(RefreshPolicy.newPolicy(refresh.toMillis(), TimeUnit.MILLISECONDS));
    }
    cache = twoLevel.buildCache();
  }

  Product get(String key) {
    return cache.get(key);
  }

  void evict(String key) {
    cache.remove(key);
  }

  void put(String key, Product value) {
    cache.put(key, value);
  }

  @Override
  public void close() {
    cache.close();
    client.shutdown();
  }
}
