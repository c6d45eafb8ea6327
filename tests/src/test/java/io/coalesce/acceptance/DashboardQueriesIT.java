package io.coalesce.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.test.RedisExtension;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard and the Prometheus alert rules in {@code docs/} query meters that exist:
 * every metric they name, and every exact label value they select ({@code result="bloom_rejected"}),
 * appears in the Prometheus scrape of the newcomer's application after it has served hits, misses,
 * an absent id and a Redis outage. A renamed meter or tag fails here rather than leaving a panel
 * empty or an alert silent.
 */
class DashboardQueriesIT {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  /** A metric name followed by its label matchers, in PromQL. */
  private static final Pattern SELECTOR = Pattern.compile("\\b((?:coalesce|cache|resilience4j)_[a-z0-9_]+)(\\{[^}]*})?");
  private static final Pattern EXACT_MATCHER = Pattern.compile("([a-z_]+)\\s*=\\s*\"([^\"$]*)\"");
  /** Labels Prometheus adds when it scrapes, not the application. */
  private static final Set<String> SCRAPE_LABELS = Set.of("instance", "job");

  static ConfigurableApplicationContext app;
  static Map<String, List<Map<String, String>>> scraped;

  @BeforeAll
  static void runTheApplicationThroughHitsMissesAndAnOutage() {
    app = StartUpLogIT.startAcceptanceApp("--spring.data.redis.port=" + redis.server().port());
    BookRepository books = app.getBean(BookRepository.class);
    books.findBookById(1);
    books.findBookById(1);
    books.findBookById(999_999); // absent: rejected by the Bloom filter once it is built
    redis.server().kill();
    for (long id = 2; id < 40; id++) {
      books.findBookById(id); // Redis errors until the breaker opens
    }
    scraped = parse(app.getBean(PrometheusMeterRegistry.class).scrape());
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void everyDashboardQueryNamesMetersTheApplicationRegisters() throws IOException {
    JsonNode dashboard;
    try (InputStream in = Files.newInputStream(docs("grafana", "coalesce-dashboard.json"))) {
      dashboard = new ObjectMapper().readTree(in);
    }
    List<String> queries = new ArrayList<>();
    dashboard.findValues("expr").forEach(expr -> queries.add(expr.asText()));
    dashboard.path("templating").path("list").forEach(variable -> {
      if (variable.has("definition")) {
        queries.add(variable.get("definition").asText());
      }
    });

    assertThat(queries).hasSizeGreaterThan(15);
    assertEverySelectorExists(queries);
  }

  @Test
  void everyAlertRuleNamesMetersTheApplicationRegisters() throws IOException {
    Map<String, Object> rules;
    try (InputStream in = Files.newInputStream(docs("prometheus", "coalesce-alerts.yml"))) {
      rules = new Yaml().load(in);
    }
    List<String> queries = new ArrayList<>();
    for (Object group : (List<?>) rules.get("groups")) {
      for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
        queries.add(String.valueOf(((Map<?, ?>) rule).get("expr")));
      }
    }

    assertThat(queries).hasSizeGreaterThan(8);
    assertEverySelectorExists(queries);
  }

  private static void assertEverySelectorExists(List<String> queries) {
    List<String> missing = new ArrayList<>();
    int selectors = 0;
    for (String query : queries) {
      Matcher selector = SELECTOR.matcher(query);
      while (selector.find()) {
        selectors++;
        String name = selector.group(1);
        List<Map<String, String>> series = scraped.get(name);
        if (series == null) {
          missing.add(name + " (in " + query + ")");
          continue;
        }
        Map<String, String> wanted = new HashMap<>();
        if (selector.group(2) != null) {
          Matcher matcher = EXACT_MATCHER.matcher(selector.group(2));
          while (matcher.find()) {
            if (!SCRAPE_LABELS.contains(matcher.group(1))) {
              wanted.put(matcher.group(1), matcher.group(2));
            }
          }
        }
        boolean found = series.stream().anyMatch(labels -> labels.entrySet().containsAll(wanted.entrySet()));
        if (!found) {
          missing.add(name + wanted + " (in " + query + ")");
        }
      }
    }
    assertThat(selectors).as("selectors found in the queries").isGreaterThan(queries.size() - 1);
    assertThat(missing).as("metrics or label values no meter has; scraped: " + scraped.keySet()).isEmpty();
  }

  /** Metric name to the label sets of its samples, from the text exposition format. */
  private static Map<String, List<Map<String, String>>> parse(String exposition) {
    Map<String, List<Map<String, String>>> series = new HashMap<>();
    Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    for (String line : exposition.lines().toList()) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
      Map<String, String> labels = new HashMap<>();
      if (brace >= 0 && brace < space) {
        Matcher m = label.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
        while (m.find()) {
          labels.put(m.group(1), m.group(2));
        }
      }
      series.computeIfAbsent(name, n -> new ArrayList<>()).add(labels);
    }
    return series;
  }

  private static Path docs(String... path) {
    return Path.of(System.getProperty("coalesce.project.dir", "../.."), "docs").resolve(String.join("/", path));
  }

}
