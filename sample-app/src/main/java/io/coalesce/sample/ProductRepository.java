package io.coalesce.sample;

import io.coalesce.annotation.Coalesced;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface ProductRepository extends JpaRepository<Product, Long> {

  /**
   * The product query, as slow as a real one: the second branch never returns a row (SLOW_DB() is
   * false) but makes H2 call {@link SlowDatabase} exactly once per query, whether the id exists or not.
   */
  String FIND = "SELECT id, name, price FROM products WHERE id = :id"
      + " UNION ALL SELECT NULL, NULL, NULL WHERE SLOW_DB()";

  /** Through Coalesce: one query per key per window, however many callers. */
  @Coalesced(cache = "products", key = "#id")
  @Query(value = FIND, nativeQuery = true)
  Optional<Product> findCached(@Param("id") long id);

  /**
   * Many products in one query ({@code WHERE id IN (...)}), cached per id in the same cache as
   * {@link #findCached}: only the ids cached nowhere reach the database, in one query, and each
   * product it returns is then a hit for {@code findCached} too (and back).
   */
  @Coalesced(cache = "products", batch = true, elementId = "id")
  List<Product> findAllByIdIn(Collection<Long> ids);

  /** The same query without protection, for the stampede demo. */
  @Query(value = FIND, nativeQuery = true)
  Optional<Product> findUncached(@Param("id") long id);
}
