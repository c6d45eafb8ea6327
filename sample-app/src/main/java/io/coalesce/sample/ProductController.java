package io.coalesce.sample;

import java.math.BigDecimal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class ProductController {

  private final ProductService products;

  public ProductController(ProductService products) {
    this.products = products;
  }

  @GetMapping("/products/{id}")
  public Product get(@PathVariable long id) {
    return products.find(id).orElseThrow(() -> new ProductNotFoundException(id));
  }

  @PutMapping("/products/{id}")
  public Product reprice(@PathVariable long id, @RequestParam BigDecimal price) {
    return products.reprice(id, price);
  }

  @DeleteMapping("/products/{id}")
  public void delete(@PathVariable long id) {
    products.delete(id);
  }
}
