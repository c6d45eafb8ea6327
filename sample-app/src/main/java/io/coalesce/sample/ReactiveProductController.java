package io.coalesce.sample;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code curl localhost:8080/reactive/products/1} and {@code curl 'localhost:8080/reactive/products?ids=1,2,3'}. */
@RestController
public class ReactiveProductController {

  private final ReactiveCatalog catalog;

  public ReactiveProductController(ReactiveCatalog catalog) {
    this.catalog = catalog;
  }

  @GetMapping("/reactive/products/{id}")
  public Mono<Product> get(@PathVariable Long id) {
    return catalog.findById(id).switchIfEmpty(Mono.error(() -> new ProductNotFoundException(id)));
  }

  @GetMapping("/reactive/products")
  public Flux<Product> getAll(@RequestParam List<Long> ids) {
    if (ids.size() > 1_000) {
      return Flux.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, "at most 1000 ids"));
    }
    return catalog.findAllById(ids);
  }
}
