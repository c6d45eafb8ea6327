package io.coalesce.bench;

import tools.jackson.databind.json.JsonMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.coalesce.core.CacheEntry;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.redis.JacksonEntryCodec;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What every benchmark of a fork shares: a private redis-server, one application context with both
 * caching stacks (every cache warmed with the hot key), a raw Caffeine cache and a raw Lettuce
 * connection holding the same value.
 */
@State(Scope.Benchmark)
public class BenchEnvironment {

  static final String HOT_SKU = "sku-4711";
  static final long HOT_ID = 4711;

  LocalRedis redis;
  ConfigurableApplicationContext context;
  CoalescedCatalog coalesced;
  SpringCatalog spring;
  Query hotQuery;

  Cache<Object, Object> caffeine;
  PlainCatalog proxiedPlain;
  /** Coalesce's L1 tier on its own (Caffeine with per-entry expiry on the engine's clock). */
  CaffeineLocalTier l1Tier;

  /** The engine of one cache with Redis present, called directly: Coalesce's own part of a hit. */
  io.coalesce.core.CoalescingCache engine;
  /** The same with {@code hot-keys: 0}: what the hot-key sampling costs a hit. */
  io.coalesce.core.CoalescingCache engineHotKeysOff;
  static final io.coalesce.core.ArgumentLoader<Object, Product> ENGINE_LOADER =
      key -> new Product(key.toString(), "Product " + key, 1999);
  /** Keys of the types users pass, each already cached in {@link #engine}. */
  record Sku(String vendor, long number) {}
  final Object longKey = 4711L;
  final Object uuidKey = java.util.UUID.fromString("7b7c4d8e-8f41-4e4b-9b0c-0d5e2a1f3c11");
  final Object recordKey = new Sku("acme", 4711);
  final Object compositeKey = io.coalesce.core.CompositeKey.of("acme", 4711L);
  final Object stringKey = HOT_SKU;

  RedisClient lettuceClient;
  StatefulRedisConnection<byte[], byte[]> lettuce;
  RedisCommands<byte[], byte[]> lettuceSync;
  /** The Redis key under which Coalesce stored the hot value of cache {@code remote}. */
  byte[] coalesceRemoteKey;
  JacksonEntryCodec codec;

  /** The engine of cache {@code remote} (L1 off), called directly: the L2 hit without the proxy. */
  io.coalesce.core.CoalescingCache remoteEngine;
  /** The read-or-lock script's SHA-1 and the keys and arguments of the engine's read of the hot key. */
  String readScriptSha;
  byte[][] readScriptKeys;
  byte[] leaseArgument = "5000".getBytes(StandardCharsets.US_ASCII);
  byte[] tokenArgument = "bench-token".getBytes(StandardCharsets.US_ASCII);
  byte[][] readScriptKeysAndArgs;
  org.springframework.data.redis.connection.RedisConnectionFactory connectionFactory;

  @Setup(Level.Trial)
  public void start() {
    redis = LocalRedis.start();
    context = BenchApp.start(redis, new Backend(0), "bench", "coalesce.caches.engineHotKeysOff.hot-keys=0");
    coalesced = context.getBean(CoalescedCatalog.class);
    spring = context.getBean(SpringCatalog.class);
    hotQuery = new Query(HOT_SKU, "en");
    coalesced.bySku(HOT_SKU);
    coalesced.byId(HOT_ID);
    coalesced.remote(HOT_SKU);
    spring.bySku(HOT_SKU);
    spring.byId(HOT_ID);
    spring.remote(HOT_SKU);
    coalesced.monoBySku(HOT_SKU).block();
    spring.monoBySku(HOT_SKU).block();

    ProxyFactory proxy = new ProxyFactory(new PlainCatalog(new Product(HOT_SKU, "Product " + HOT_SKU, 1999)));
    proxy.setProxyTargetClass(true); // as Spring Boot proxies beans, Coalesce's and @Cacheable's alike
    proxy.addAdvice((MethodInterceptor) MethodInvocation::proceed);
    proxiedPlain = (PlainCatalog) proxy.getProxy();

    engine = context.getBean(io.coalesce.core.CoalescingCacheManager.class).getCache("engine");
    engineHotKeysOff = context.getBean(io.coalesce.core.CoalescingCacheManager.class).getCache("engineHotKeysOff");
    for (Object key : List.of(longKey, uuidKey, recordKey, compositeKey, stringKey)) {
      engine.get(key, Product.class, key, ENGINE_LOADER);
      engineHotKeysOff.get(key, Product.class, key, ENGINE_LOADER);
    }

    caffeine = Caffeine.newBuilder().maximumSize(10_000).build();
    l1Tier = CaffeineLocalTier.create(10_000, Clock.systemUTC());
    long now = System.currentTimeMillis();
    l1Tier.put(HOT_SKU, new CacheEntry(new Product(HOT_SKU, "Product " + HOT_SKU, 1999), now,
        now + 600_000, now + 600_000, 0), 0, io.coalesce.core.RemoteTier.NO_DATA_VERSION, now + 600_000);
    caffeine.put(HOT_SKU, new Product(HOT_SKU, "Product " + HOT_SKU, 1999));

    lettuceClient = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
    lettuce = lettuceClient.connect(ByteArrayCodec.INSTANCE);
    lettuceSync = lettuce.sync();
    List<byte[]> keys = lettuceSync.keys("bench:*remote*");
    if (keys.size() != 1) {
      throw new IllegalStateException("expected one Coalesce key for cache 'remote', found "
          + keys.stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList());
    }
    coalesceRemoteKey = keys.get(0);
    codec = new JacksonEntryCodec(context.getBean(JsonMapper.class));

    remoteEngine = context.getBean(io.coalesce.core.CoalescingCacheManager.class).getCache("remote");
    connectionFactory = context.getBean(org.springframework.data.redis.connection.RedisConnectionFactory.class);
    byte[] script = readScript();
    readScriptSha = lettuceSync.scriptLoad(script);
    String value = new String(coalesceRemoteKey, StandardCharsets.UTF_8);
    String cache = value.substring(0, value.indexOf(":{"));
    readScriptKeys = new byte[][] {coalesceRemoteKey, (value + ":v").getBytes(StandardCharsets.UTF_8),
        (value + ":lock").getBytes(StandardCharsets.UTF_8), (cache + ":cleared").getBytes(StandardCharsets.UTF_8)};
    readScriptKeysAndArgs = java.util.Arrays.copyOf(readScriptKeys, 7);
    readScriptKeysAndArgs[5] = leaseArgument;
    readScriptKeysAndArgs[6] = tokenArgument;
  }

  /** The script exactly as the Redis tier sends it (a benchmark may reach into the tier's internals). */
  private static byte[] readScript() {
    try {
      java.lang.reflect.Field field = Class.forName("io.coalesce.redis.internal.RedisStore")
          .getDeclaredField("READ_OR_LOCK");
      field.setAccessible(true);
      return (byte[]) field.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    lettuce.close();
    lettuceClient.shutdown();
    context.close();
    redis.close();
  }
}
