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
}
