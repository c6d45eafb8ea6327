package io.coalesce.sample;

import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

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

  /** {@code curl localhost:8080/demo/stampede?requests=200}: the table, as text. */
  @GetMapping(value = "/demo/stampede", produces = MediaType.TEXT_PLAIN_VALUE)
  public String stampede(@RequestParam(defaultValue = "200") int requests,
      @RequestParam(defaultValue = "42") long id) {
    if (requests < 1 || requests > 1_000) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
          "requests must be in [1, 1000], but was " + requests);
    }
    return StampedeDemo.table(demo.run(requests, id));
  }
}
