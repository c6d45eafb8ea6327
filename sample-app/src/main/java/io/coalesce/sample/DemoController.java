package io.coalesce.sample;

import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class DemoController {

  private final StampedeDemo demo;
  private final Statistics statistics;

  public DemoController(StampedeDemo demo, EntityManagerFactory entityManagerFactory) {
    this.demo = demo;
    this.statistics = entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
  }

  /**
   * {@code curl localhost:8080/demo/queries}: the SQL statements this instance has sent to its
   * database so far (Hibernate's count), to compare instances before and after a burst.
   */
  @GetMapping("/demo/queries")
  public Map<String, Long> queries() {
    return Map.of("queries", statistics.getPrepareStatementCount());
  }

  /**
   * {@code curl localhost:8080/demo/stampede?requests=200}: the table, as text; a 400 whose body
   * says why when {@code requests} is out of range.
   */
  @GetMapping(value = "/demo/stampede", produces = MediaType.TEXT_PLAIN_VALUE)
  public ResponseEntity<String> stampede(@RequestParam(defaultValue = "200") int requests,
      @RequestParam(defaultValue = "42") long id) {
    if (requests < 1 || requests > 1_000) {
      return ResponseEntity.badRequest().body("requests must be between 1 and 1000, but was " + requests + "\n");
    }
    return ResponseEntity.ok(StampedeDemo.table(demo.run(requests, id)));
  }
}
