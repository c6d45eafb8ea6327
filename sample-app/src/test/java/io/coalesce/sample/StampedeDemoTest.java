package io.coalesce.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.junit.jupiter.api.BeforeEach;

@WithoutRedis
class StampedeDemoTest {

  /** One table line: scenario, requests, database queries, p50, p99. */
  private static final Pattern ROW =
      Pattern.compile("(\\S.*?)\\s{2,}(\\d+)\\s+(\\d+)\\s+(\\d+\\.\\d)\\s+(\\d+\\.\\d)");

  @Value("${local.server.port}")
  int port;

  Http http;

  @BeforeEach
  void connect() {
    http = new Http(port);
  }

  @Test
  void aColdKeyIsQueriedOnceThroughCoalesceAndOncePerRequestWithout() {
    Map<String, Long> queries = queriesByScenario(http.get("/demo/stampede?requests=50").body());

    assertThat(queries.get("cold key, unprotected")).isGreaterThan(1);
    assertThat(queries.get("cold key, @Coalesced")).isEqualTo(1);
  }

  @Test
  void absentIdsAreQueriedOncePerIdThroughCoalesce() {
    Map<String, Long> queries = queriesByScenario(http.get("/demo/stampede?requests=50").body());

    assertThat(queries.get("absent ids, unprotected")).isEqualTo(50);
    // These tests run without Redis, where the products Bloom filter (kept in Redis) lets every id
    // through: null caching alone makes it one query per absent id. With Redis it is 0 (README).
    assertThat(queries.get("absent ids, @Coalesced")).isEqualTo(10);
  }

  @Test
  void everyRunStartsCold() {
    Map<String, Long> first = queriesByScenario(http.get("/demo/stampede?requests=20&id=9").body());
    Map<String, Long> second = queriesByScenario(http.get("/demo/stampede?requests=20&id=9").body());

    assertThat(first.get("cold key, @Coalesced")).isEqualTo(1);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void rejectsAnUnreasonableNumberOfRequestsSayingWhy() {
    Http.Response response = http.get("/demo/stampede?requests=5000");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("requests must be between 1 and 1000, but was 5000\n");
  }

  private static Map<String, Long> queriesByScenario(String table) {
    assertThat(table).startsWith("scenario").contains("database queries");
    Map<String, Long> queries = table.lines().skip(1)
        .map(ROW::matcher)
        .filter(Matcher::matches)
        .collect(Collectors.toMap(m -> m.group(1), m -> Long.parseLong(m.group(3))));
    assertThat(queries).hasSize(4);
    return queries;
  }
}
