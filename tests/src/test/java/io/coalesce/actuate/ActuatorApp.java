package io.coalesce.actuate;

import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductService;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import io.coalesce.it.Boot;
import org.springframework.context.annotation.Bean;

/** A web application with Actuator and one cached service, for the endpoint and health tests. */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3})
class ActuatorApp {

  @Bean
  ProductDb productDb() {
    ProductDb db = new ProductDb();
    db.put(1, "phone");
    db.put(2, "tablet");
    return db;
  }

  @Bean
  ProductService productService(ProductDb db) {
    return new ProductService(db);
  }
}
