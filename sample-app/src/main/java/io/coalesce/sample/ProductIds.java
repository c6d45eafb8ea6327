package io.coalesce.sample;

import io.coalesce.bloom.BloomSeed;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every product id, for the Bloom filter of the products cache: ids outside it are answered "not
 * found" without a query. The ids are streamed from a JDBC cursor (the stream holds its connection
 * until Coalesce closes it), so a large table is never loaded into memory at once.
 */
@Configuration(proxyBeanMethods = false)
class ProductIds {

  @Bean
  BloomSeed productIdSeed(JdbcTemplate jdbc) {
    return BloomSeed.of("products", () -> jdbc.queryForStream("SELECT id FROM products", (row, n) -> row.getLong(1)));
  }
}
