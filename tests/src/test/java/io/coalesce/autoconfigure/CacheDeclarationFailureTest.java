package io.coalesce.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.annotation.Coalesced;
import io.coalesce.it.Boot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;

/** A misdeclared method stops the application with Spring Boot's failure report, not a stack trace. */
@ExtendWith(OutputCaptureExtension.class)
class CacheDeclarationFailureTest {

  /** Starts {@code app} without a web server, a database or Redis: only its beans and Coalesce. */
  private static void start(Class<?> app) {
    SpringApplication.run(app, "--spring.main.web-application-type=none",
        "--spring.autoconfigure.exclude=" + String.join(",", Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3,
            Boot.REDIS_4, Boot.REDIS_3)).close();
  }

  @Test
  void aKeyExpressionThatDoesNotParseGetsTheFailedToStartReport(CapturedOutput output) {
    assertThatThrownBy(() -> start(BadKeyApp.class))
        .hasRootCauseInstanceOf(org.springframework.expression.ParseException.class);

    assertThat(output.getAll()).contains("APPLICATION FAILED TO START");
    String report = output.getAll().substring(output.getAll().indexOf("APPLICATION FAILED TO START"));
    assertThat(report)
        .contains("Description:\n\n@Coalesced method io.coalesce.autoconfigure.CacheDeclarationFailureTest$Prices"
            + ".price(long) has a key expression that does not parse: '#id +'")
        .contains("Action:\n\nFix the expression (SpEL, e.g. key = \"#id\").");
    // the report is the whole story: no stack trace of the bean creation before it
    assertThat(output.getAll()).doesNotContain("Application run failed");
  }

  @Test
  void aMisdeclaredMethodOnALazyBeanNothingUsesFailsStartUpToo(CapturedOutput output) {
    assertThatThrownBy(() -> start(LazyApp.class))
        .isInstanceOf(io.coalesce.spring.InvalidCacheDeclarationException.class);

    String report = output.getAll().substring(output.getAll().indexOf("APPLICATION FAILED TO START"));
    assertThat(report).contains("Description:\n\n@Coalesced method "
        + "io.coalesce.autoconfigure.CacheDeclarationFailureTest$Audit.record(long) returns void");
  }

  static class Audit {

    @Coalesced(cache = "audit", key = "#id")
    public void record(long id) {
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class LazyApp {

    @Bean
    @org.springframework.context.annotation.Lazy
    Audit audit() {
      return new Audit();
    }
  }

  static class Prices {

    @Coalesced(cache = "prices", key = "#id +")
    public Long price(long id) {
      return id;
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class BadKeyApp {

    @Bean
    Prices prices() {
      return new Prices();
    }
  }
}
