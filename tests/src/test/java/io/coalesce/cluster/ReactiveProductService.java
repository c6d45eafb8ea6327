package io.coalesce.cluster;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.annotation.CoalescedPut;
import io.coalesce.cluster.ProductDb.Product;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A reactive repository over {@link ProductDb}: each query runs on {@code boundedElastic}, as a
 * driver's own threads would run it, never on the subscriber's.
 */
public class ReactiveProductService {

  private final ProductDb db;
  /** When set, every query fails with it (the same instance, to check errors arrive unchanged). */
  final AtomicReference<RuntimeException> failure = new AtomicReference<>();

  public ReactiveProductService(ProductDb db) {
    this.db = db;
  }

  public void failWith(RuntimeException e) {
    failure.set(e);
  }

  @Coalesced(cache = "reactive-products", key = "#id")
  public Mono<Product> find(long id) {
    return Mono.fromCallable(() -> {
      RuntimeException e = failure.get();
      if (e != null) {
        db.find(id); // counted as a query, and as slow as one
        throw e;
      }
      return db.find(id);
    }).subscribeOn(Schedulers.boundedElastic());
  }

  /** A reactive {@code findAllById}: one query for the ids no instance has cached. */
  @Coalesced(cache = "reactive-products", batch = true, elementId = "id")
  public Flux<Product> findAllById(Collection<Long> ids) {
    return Flux.defer(() -> Flux.fromIterable(db.findAll(ids))).subscribeOn(Schedulers.boundedElastic());
  }

  @Coalesced(cache = "reactive-products", batch = true)
  public Mono<Map<Long, Product>> byIds(List<Long> ids) {
    return Mono.fromCallable(() -> db.findAll(ids).stream().collect(Collectors.toMap(Product::id, p -> p)))
        .subscribeOn(Schedulers.boundedElastic());
  }

  @Coalesced(cache = "reactive-lists")
  public Flux<Product> all() {
    return Flux.defer(() -> Flux.fromIterable(db.all())).subscribeOn(Schedulers.boundedElastic());
  }

  @CoalescedPut(cache = "reactive-products", key = "#id")
  public Mono<Product> save(long id, String name) {
    return Mono.fromCallable(() -> {
      db.put(id, name);
      return new Product(id, name);
    }).subscribeOn(Schedulers.boundedElastic());
  }

  @CoalescedEvict(cache = "reactive-products", key = "#id")
  public Mono<Void> rename(long id, String name) {
    return Mono.<Void>fromRunnable(() -> db.put(id, name)).subscribeOn(Schedulers.boundedElastic());
  }
}
