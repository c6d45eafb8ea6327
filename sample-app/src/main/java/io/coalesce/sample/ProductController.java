package io.coalesce.sample;

import java.math.BigDecimal;
import java.util.List;
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

  /**
   * {@code curl 'localhost:8080/products?ids=1,2,3'}: the products that exist, in the order asked;
   * the ids not cached yet are read in one query ({@code /demo/queries} counts them).
   */
  @GetMapping("/products")
  public List<Product> getAll(@RequestParam List<Long> ids) {
    if (ids.size() > 1_000) {
      throw new org.springframework.web.server.ResponseStatusException(
          org.springframework.http.HttpStatus.BAD_REQUEST, "at most 1000 ids, but " + ids.size() + " were asked");
    }
    return products.findAll(ids);
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
