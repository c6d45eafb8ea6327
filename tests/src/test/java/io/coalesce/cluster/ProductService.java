package io.coalesce.cluster;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.annotation.CoalescedPut;
import io.coalesce.cluster.ProductDb.Product;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The cached repository of the multi-instance tests; one per application context. */
public class ProductService {

  private final ProductDb db;

  public ProductService(ProductDb db) {
    this.db = db;
  }

  @Coalesced(cache = "products", key = "#id")
  public Product find(long id) {
    return db.find(id);
  }

  @Coalesced(cache = "maybe-products", key = "#id")
  public Optional<Product> findOptional(long id) {
    return Optional.ofNullable(db.find(id));
  }

  @Coalesced(cache = "product-lists")
  public List<Product> all() {
    return db.all();
  }

  @Coalesced(cache = "product-maps")
  public Map<String, Product> byName() {
    return db.all().stream().collect(Collectors.toMap(Product::name, Function.identity()));
  }

  /** The per-id twin of {@link #find}: what {@code findAllById} of a repository does. */
  @Coalesced(cache = "products", batch = true, elementId = "id")
  public List<Product> findAll(Collection<Long> ids) {
    return db.findAll(ids);
  }

  @Coalesced(cache = "products", batch = true)
  public Map<Long, Product> findMap(Set<Long> ids) {
    return db.findAll(ids).stream().collect(Collectors.toMap(Product::id, Function.identity()));
  }

  @CoalescedEvict(cache = "products", key = "#ids", batch = true)
  public void renameAll(List<Long> ids, String prefix) {
    ids.forEach(id -> db.put(id, prefix + id));
  }

  @CoalescedPut(cache = "products", batch = true, elementId = "id")
  public List<Product> saveAll(List<Product> products) {
    products.forEach(p -> db.put(p.id(), p.name()));
    return products;
  }

  @CoalescedEvict(cache = "products", key = "#id")
  public void rename(long id, String name) {
    db.put(id, name);
  }

  @CoalescedPut(cache = "products", key = "#id")
  public Product save(long id, String name) {
    db.put(id, name);
    return new Product(id, name);
  }
}
