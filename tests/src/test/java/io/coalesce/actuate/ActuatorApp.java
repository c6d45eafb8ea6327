package io.coalesce.actuate;

import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductService;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration;
import org.springframework.context.annotation.Bean;

/** A web application with Actuator and one cached service, for the endpoint and health tests. */
@SpringBootConfiguration
@EnableAutoConfiguration(exclude = {DataSourceAutoConfiguration.class, HibernateJpaAutoConfiguration.class})
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
