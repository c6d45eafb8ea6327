package io.coalesce.bench;

import org.springframework.cache.annotation.Cacheable;

/**
 * The Spring side: {@code @Cacheable(sync = true)}, what a Spring user writes for a hot key, over a
 * {@code CaffeineCacheManager} and over a {@code RedisCacheManager} (see {@link BenchApp}).
 *
 * <p>Over Redis, {@code sync = true} is only as synchronised as the cache: Spring Data Redis's
 * default (non-locking) writer answers {@code get(key, loader)} with a GET and, on a miss, a load and
 * a SET, with no lock at all; its locking writer takes a Redis lock per cache name.
 */
public class SpringCatalog {

  private final Backend backend;

  public SpringCatalog(Backend backend) {
    this.backend = backend;
  }

  /**
   * The batch method under {@code @Cacheable}: the whole list is one entry, keyed by the whole list
   * of SKUs, so a batch is a hit only when exactly the same list was asked before.
   */
  @Cacheable(cacheNames = BenchApp.BATCH_LIST, cacheManager = BenchApp.REDIS)
  public java.util.List<Product> bySkus(java.util.List<String> skus) {
    return backend.loadAll(skus);
  }

  /** The batch scenario's findById over Redis. */
  @Cacheable(cacheNames = "batchOne", cacheManager = BenchApp.REDIS, sync = true)
  public Product oneOfBatch(String sku) {
    return backend.load(sku);
  }

  @Cacheable(cacheNames = "hot", cacheManager = BenchApp.CAFFEINE, sync = true)
  public Product bySku(String sku) {
    return backend.load(sku);
  }

  @Cacheable(cacheNames = "hot", cacheManager = BenchApp.CAFFEINE, key = "#sku", sync = true)
  public Product bySkuNamed(String sku) {
    return backend.load(sku);
  }

  @Cacheable(cacheNames = "hot", cacheManager = BenchApp.CAFFEINE, key = "#q.sku", sync = true)
  public Product byQuery(Query q) {
    return backend.load(q.getSku());
  }

  @Cacheable(cacheNames = "hotIds", cacheManager = BenchApp.CAFFEINE, sync = true)
  public Product byId(long id) {
    return backend.load(Long.toString(id));
  }

  @Cacheable(cacheNames = "remote", cacheManager = BenchApp.REDIS, sync = true)
  public Product remote(String sku) {
    return backend.load(sku);
  }

  @Cacheable(cacheNames = "cold", cacheManager = BenchApp.CAFFEINE, sync = true)
  public Product cold(String sku) {
    return backend.load(sku);
  }

  @Cacheable(cacheNames = "coldRemote", cacheManager = BenchApp.REDIS, sync = true)
  public Product coldRemote(String sku) {
    return backend.load(sku);
  }

  @Cacheable(cacheNames = "products", cacheManager = BenchApp.CAFFEINE, sync = true)
  public Product product(String sku) {
    return backend.load(sku);
  }

  @Cacheable(cacheNames = "products", cacheManager = BenchApp.REDIS, sync = true)
  public Product productRemote(String sku) {
    return backend.load(sku);
  }

  @Cacheable(cacheNames = "storm", cacheManager = BenchApp.REDIS, sync = true)
  public Product stormRemote(String sku) {
    return backend.load(sku);
  }

  @Cacheable(cacheNames = "mix", cacheManager = BenchApp.CAFFEINE, sync = true)
  public Product mix(String sku) {
    return backend.load(sku);
  }

  @org.springframework.cache.annotation.CacheEvict(cacheNames = "mix", cacheManager = BenchApp.CAFFEINE)
  public void mixEvict(String sku) {}

  @org.springframework.cache.annotation.CachePut(cacheNames = "mix", cacheManager = BenchApp.CAFFEINE)
  public Product mixPut(String sku) {
    return new Product(sku, "Product " + sku + " (updated)", 2099);
  }

  @Cacheable(cacheNames = "mix", cacheManager = BenchApp.REDIS, sync = true)
  public Product mixRemote(String sku) {
    return backend.load(sku);
  }

  @org.springframework.cache.annotation.CacheEvict(cacheNames = "mix", cacheManager = BenchApp.REDIS)
  public void mixRemoteEvict(String sku) {}

  @org.springframework.cache.annotation.CachePut(cacheNames = "mix", cacheManager = BenchApp.REDIS)
  public Product mixRemotePut(String sku) {
    return new Product(sku, "Product " + sku + " (updated)", 2099);
  }

  /** Over Spring Data Redis's locking cache writer: a Redis lock per cache name (not per key). */
  @Cacheable(cacheNames = "productsLocked", cacheManager = BenchApp.REDIS_LOCKING, sync = true)
  public Product productRemoteLocking(String sku) {
    return backend.load(sku);
  }

  /** {@code @Cacheable} on a {@code Mono} (Spring 6.1+), over Caffeine in async mode. */
  @Cacheable(cacheNames = "reactiveHot", cacheManager = BenchApp.CAFFEINE_ASYNC)
  public reactor.core.publisher.Mono<Product> monoBySku(String sku) {
    return reactor.core.publisher.Mono.fromSupplier(() -> backend.load(sku));
  }

  @Cacheable(cacheNames = "reactiveCold", cacheManager = BenchApp.CAFFEINE_ASYNC)
  public reactor.core.publisher.Mono<Product> monoCold(String sku) {
    return reactor.core.publisher.Mono.fromSupplier(() -> backend.load(sku));
  }
}
