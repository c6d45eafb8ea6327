package io.coalesce.acceptance;

import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.annotation.CoalescedPut;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class BookService {

  private final BookRepository books;

  BookService(BookRepository books) {
    this.books = books;
  }

  @Transactional
  @CoalescedPut(cache = "books", key = "#result.id")
  public Book rename(long id, String title) {
    Book book = books.findById(id).orElseThrow();
    book.setTitle(title);
    return book;
  }

  @Transactional
  @CoalescedEvict(cache = "books", key = "#id")
  public void delete(long id) {
    books.deleteById(id);
  }
}
