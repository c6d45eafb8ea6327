package io.coalesce.acceptance;

import io.coalesce.annotation.Coalesced;
import java.util.Optional;
import java.util.stream.Stream;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface BookRepository extends JpaRepository<Book, Long> {

  @Coalesced(cache = "books", key = "#id")
  Optional<Book> findBookById(long id);

  @Query("select b.id from Book b")
  Stream<Long> streamAllIds();
}
