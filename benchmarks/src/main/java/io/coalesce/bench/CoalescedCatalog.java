package io.coalesce.bench;

import io.coalesce.annotation.Coalesced;

/**
 * The Coalesce side of every comparison. Caches (see {@link BenchApp}): {@code hot} (L1 + L2,
 * ttl 10 min), {@code remote} (L1 off: every read is an L2 read), {@code cold} (miss + load),
 * {@code products} (the scenarios' cache, ttl from the scenario).
 */
public class CoalescedCatalog {

  private final Backend backend;

  public CoalescedCatalog(Backend backend) {
    this.backend = backend;
  }

  /** No {@code key} attribute: the single argument is the key. */
  @Coalesced(cache = "hot")
  public Product bySku(String sku) {
    return backend.load(sku);
  }

  /** The usual way to write it: a key expression naming the parameter. */
  @Coalesced(cache = "hot", key = "#sku")
  public Product bySkuNamed(String sku) {
    return backend.load(sku);
  }

  /** A SpEL key reading a property of the argument. */
  @Coalesced(cache = "hot", key = "#q.sku")
  public Product byQuery(Query q) {
    return backend.load(q.getSku());
  }

  /** A {@code long} key: boxed by the proxy and, with Redis, formatted to its string form. */
  @Coalesced(cache = "hotIds")
  public Product byId(long id) {
    return backend.load(Long.toString(id));
  }

  @Coalesced(cache = "remote")
  public Product remote(String sku) {
    return backend.load(sku);
  }

  @Coalesced(cache = "cold")
  public Product cold(String sku) {
    return backend.load(sku);
  }

  @Coalesced(cache = "products")
  public Product product(String sku) {
    return backend.load(sku);
  }

  /** The realistic mix's cache ({@code mix}: ttl 30 s, jitter, L1 of 10,000 entries). */
  @Coalesced(cache = "mix")
  public Product mix(String sku) {
    return backend.load(sku);
  }

  /** The miss storm's cache ({@code storm}: a load bulkhead). */
  @Coalesced(cache = "storm")
  public Product storm(String sku) {
    return backend.load(sku);
  }

  /** The batch scenario's findAllById: cached per SKU in the cache {@link #oneOfBatch} reads. */
  @Coalesced(cache = "batch", batch = true, elementId = "sku")
  public java.util.List<Product> bySkus(java.util.List<String> skus) {
    return backend.loadAll(skus);
  }

  /** The batch scenario's findById. */
  @Coalesced(cache = "batch")
  public Product oneOfBatch(String sku) {
    return backend.load(sku);
  }

  /** An update, then the evict that follows it. */
  @io.coalesce.annotation.CoalescedEvict(cache = "mix")
  public void mixEvict(String sku) {}

  /** An update that stores the new row. */
  @io.coalesce.annotation.CoalescedPut(cache = "mix")
  public Product mixPut(String sku) {
    return new Product(sku, "Product " + sku + " (updated)", 2099);
  }

  /** A {@code Mono} read (cache {@code reactiveHot}, L1 + L2). */
  @Coalesced(cache = "reactiveHot")
  public reactor.core.publisher.Mono<Product> monoBySku(String sku) {
    return reactor.core.publisher.Mono.fromSupplier(() -> backend.load(sku));
  }

  /** A {@code Mono} miss with Redis (cache {@code reactiveCold}): L2 read, lock, load, write-back. */
  @Coalesced(cache = "reactiveCold")
  public reactor.core.publisher.Mono<Product> monoCold(String sku) {
    return reactor.core.publisher.Mono.fromSupplier(() -> backend.load(sku));
  }

  /** A {@code Mono} miss in L1 alone (cache {@code reactiveColdLocal}, remote off): as Spring's Caffeine. */
  @Coalesced(cache = "reactiveColdLocal")
  public reactor.core.publisher.Mono<Product> monoColdLocal(String sku) {
    return reactor.core.publisher.Mono.fromSupplier(() -> backend.load(sku));
  }
}
