package io.coalesce.bench;

/**
 * No cache at all: the control of the hit benchmarks. Behind a Spring AOP proxy with one
 * pass-through interceptor it measures what any annotation-driven cache pays before doing any work
 * (the CGLIB proxy, its argument array and its method invocation).
 */
public class PlainCatalog {

  private final Product product;

  public PlainCatalog(Product product) {
    this.product = product;
  }

  public Product bySku(String sku) {
    return product;
  }
}
