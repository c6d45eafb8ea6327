package io.coalesce.spring.jpa;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.annotation.CoalescedPut;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

public interface ProductRepository extends JpaRepository<Product, Long> {

  @Coalesced(cache = "products-by-sku", key = "#sku")
  Optional<Product> findBySku(String sku);

  @Override
  @Coalesced(cache = "products", key = "#id")
  Optional<Product> findById(Long id);

  /** JpaRepository's own findAllById, cached per id in the cache of findById. */
  @Override
  @Coalesced(cache = "products", batch = true, elementId = "id")
  List<Product> findAllById(Iterable<Long> ids);

  @CoalescedEvict(cache = "products", key = "#product.id")
  default Product update(Product product) {
    return save(product);
  }

  @CoalescedPut(cache = "products", key = "#product.id")
  default Product store(Product product) {
    return save(product);
  }
}
