package io.coalesce.springcache;

import io.coalesce.springcache.Catalog.Item;
import org.springframework.cache.annotation.CacheConfig;
import org.springframework.cache.annotation.Cacheable;

/** A repository whose cache is named once, on the class. */
@CacheConfig(cacheNames = "configured")
public class ConfiguredCatalog {

  private final Catalog.Rows rows;

  public ConfiguredCatalog(Catalog.Rows rows) {
    this.rows = rows;
  }

  @Cacheable(key = "#id")
  public Item find(long id) {
    return rows.find(id);
  }
}
