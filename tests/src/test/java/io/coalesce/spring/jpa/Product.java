package io.coalesce.spring.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

@Entity
public class Product {

  @Id
  private Long id;

  private String sku;

  private String name;

  protected Product() {}

  public Product(Long id, String sku, String name) {
    this.id = id;
    this.sku = sku;
    this.name = name;
  }

  public Long getId() {
    return id;
  }

  public String getSku() {
    return sku;
  }

  public String getName() {
    return name;
  }
}
