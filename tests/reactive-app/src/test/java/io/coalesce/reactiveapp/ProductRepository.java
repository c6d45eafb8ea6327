package io.coalesce.reactiveapp;

import io.coalesce.annotation.Coalesced;
import java.util.Collection;
import org.springframework.data.r2dbc.repository.Query;
import org.springframework.data.repository.reactive.ReactiveCrudRepository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A Spring Data R2DBC repository, cached as getting-started.md shows. */
public interface ProductRepository extends ReactiveCrudRepository<Product, Long> {

  @Override
  @Coalesced(cache = "products")
  Mono<Product> findById(Long id);

  @Coalesced(cache = "products", batch = true, elementId = "id")
  Flux<Product> findAllByIdIn(Collection<Long> ids);

  /** The row as the update's transaction sees it (not cached; the comment tells it apart in the query log). */
  @Query("SELECT * FROM product WHERE id = :id /* not cached */")
  Mono<Product> findCurrent(Long id);
}
