package io.coalesce.reactiveapp;

import io.coalesce.annotation.CoalescedPut;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import reactor.core.publisher.Mono;

/** Writes: an R2DBC transaction whose cache put follows its commit, versioned by the row. */
@Service
public class ProductService {

  private final DatabaseClient db;
  private final ProductRepository repository;

  public ProductService(DatabaseClient db, ProductRepository repository) {
    this.db = db;
    this.repository = repository;
  }

  @Transactional
  @CoalescedPut(cache = "products", key = "#result.id", version = "#result.version")
  public Mono<Product> rename(Long id, String name) {
    return db.sql("UPDATE product SET name = :name, version = version + 1 WHERE id = :id")
        .bind("name", name)
        .bind("id", id)
        .fetch()
        .rowsUpdated()
        .then(repository.findCurrent(id));
  }
}
