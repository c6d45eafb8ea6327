package io.coalesce.sample;

import io.coalesce.annotation.Coalesced;
import java.util.Collection;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The products as {@code Mono} and {@code Flux}, as a reactive repository (R2DBC) would return them;
 * here the JPA queries run on {@code boundedElastic}. Cached in a cache of its own,
 * {@code reactive-products}: per id for the batch, and never blocking the subscriber.
 */
@Service
public class ReactiveCatalog {

  private final ProductRepository products;

  public ReactiveCatalog(ProductRepository products) {
    this.products = products;
  }

  /** One product, or an empty {@code Mono} (cached as "not found"). */
  @Coalesced(cache = "reactive-products", key = "#id")
  public Mono<Product> findById(Long id) {
    return Mono.fromCallable(() -> products.findUncached(id).orElse(null)).subscribeOn(Schedulers.boundedElastic());
  }

  /** The products of {@code ids} that exist, in the order asked; one query for the ids not cached. */
  @Coalesced(cache = "reactive-products", batch = true, elementId = "id")
  public Flux<Product> findAllById(Collection<Long> ids) {
    return Flux.defer(() -> Flux.fromIterable(products.findAllById(ids))).subscribeOn(Schedulers.boundedElastic());
  }
}
