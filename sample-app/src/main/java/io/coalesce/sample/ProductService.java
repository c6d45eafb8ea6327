package io.coalesce.sample;

import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.annotation.CoalescedPut;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Writes: each keeps the products cache (both tiers, every instance) in step with the table. The put
 * and the evict run after the transaction commits, and not at all when it fails
 * (ProductCachingTest#aWriteWhoseCommitFailsLeavesTheCachedValue checks it).
 */
@Service
public class ProductService {

  private final ProductRepository products;

  public ProductService(ProductRepository products) {
    this.products = products;
  }

  public Optional<Product> find(long id) {
    return products.findCached(id);
  }

  /** The products of {@code ids} that exist, in the order asked; each id cached on its own. */
  public List<Product> findAll(Collection<Long> ids) {
    return products.findAllByIdIn(ids);
  }

  /** Stores the saved product as the cached value: the next read needs no query. */
  @Transactional
  @CoalescedPut(cache = "products", key = "#id")
  public Product reprice(long id, BigDecimal price) {
    Product product = products.findById(id).orElseThrow(() -> new ProductNotFoundException(id));
    product.setPrice(price);
    return products.save(product);
  }

  /** Evicts after the delete commits: the next read finds it absent (and caches that for null-ttl). */
  @Transactional
  @CoalescedEvict(cache = "products", key = "#id")
  public void delete(long id) {
    products.deleteById(id);
  }
}
