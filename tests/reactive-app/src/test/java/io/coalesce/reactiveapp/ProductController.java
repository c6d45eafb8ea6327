package io.coalesce.reactiveapp;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The application's endpoints, and one that blocks its event loop on purpose (the test's own check). */
@RestController
public class ProductController {

  private final ProductRepository repository;
  private final ProductService service;

  public ProductController(ProductRepository repository, ProductService service) {
    this.repository = repository;
    this.service = service;
  }

  @GetMapping("/products/{id}")
  public Mono<Product> product(@PathVariable Long id) {
    return repository.findById(id)
        .switchIfEmpty(Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "no product " + id)));
  }

  @GetMapping("/products")
  public Flux<Product> products(@RequestParam List<Long> ids) {
    return repository.findAllByIdIn(ids);
  }

  @PutMapping("/products/{id}")
  public Mono<Product> rename(@PathVariable Long id, @RequestParam String name) {
    return service.rename(id, name);
  }

  /** Sleeps on the server's event loop: BlockHound must report it, or it watches nothing. */
  @GetMapping("/blocking")
  public Mono<String> blocking() {
    return Mono.fromCallable(() -> {
      Thread.sleep(1);
      return "slept";
    });
  }
}
