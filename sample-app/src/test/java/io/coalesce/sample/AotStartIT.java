package io.coalesce.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sample as built by Spring AOT ({@code process-aot} in the package phase) and started on the JVM
 * with {@code -Dspring.aot.enabled=true}, in a process of its own: it starts from the generated bean
 * definitions, and {@code @Coalesced} works (one database query for 50 concurrent callers of a cold
 * id). Without Redis, as the other sample tests.
 */
class AotStartIT {

  static Process app;
  static Path log;
  static Http http;

  @BeforeAll
  static void startTheAotProcessedApplication() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    log = Files.createTempFile("sample-aot", ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    app = new ProcessBuilder(List.of(java, "-Dspring.aot.enabled=true", "-cp", System.getProperty("java.class.path"),
        SampleApplication.class.getName(), "--server.port=" + port, "--spring.data.redis.port=1",
        "--spring.main.banner-mode=off"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    http = new Http(port);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (!started()) {
      assertThat(app.isAlive()).as("the application exited:\n%s", Files.readString(log)).isTrue();
      assertThat(Instant.now()).as("not started within 2 minutes:\n%s", Files.readString(log)).isBefore(deadline);
      Thread.sleep(200);
    }
  }

  private static boolean started() throws IOException {
    return Files.readString(log).contains("Started SampleApplication");
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.destroy();
      app.waitFor();
    }
  }

  @Test
  void startsFromTheAotGeneratedContextAndCachesWithOneQueryPerColdKey() throws IOException {
    String output = Files.readString(log);
    assertThat(output).contains("Starting AOT-processed SampleApplication")
        .contains("Coalesce: 2 caches, Redis at localhost:1: products (L1 max 5000, Redis, lock, Bloom), "
            + "reactive-products (L1 max 10000, Redis, lock)");

    String table = http.get("/demo/stampede?requests=50").body();

    assertThat(table).containsPattern("cold key, @Coalesced\\s+50\\s+1\\s");
    assertThat(http.get("/products/42").body()).contains("\"id\":42");
    assertThat(http.get("/reactive/products/43").body()).contains("\"id\":43");
    assertThat(http.get("/reactive/products?ids=44,43").body()).contains("\"id\":44").contains("\"id\":43");
  }
}
