package io.coalesce.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Checks the measuring tools, not Coalesce: no benchmark and no scenario runs during the build
 * (their results are in docs/benchmarks.md). Takes well under a second.
 */
class HarnessTest {

  @Test
  void jmhFoundTheBenchmarks() {
    assertThat(getClass().getResource("/META-INF/BenchmarkList")).isNotNull();
  }

  @Test
  void percentilesAreTakenFromTheSortedLatencies() {
    long[] nanos = new long[100];
    for (int i = 0; i < 100; i++) {
      nanos[99 - i] = (i + 1) * 1_000_000L;
    }
    Latencies latencies = new Latencies(nanos);
    assertThat(latencies.percentileMillis(50)).isEqualTo(50.0);
    assertThat(latencies.percentileMillis(99)).isEqualTo(99.0);
    assertThat(latencies.maxMillis()).isEqualTo(100.0);
  }

  @Test
  void aBurstCallsEveryCallerOnceAndCountsTheirErrors() throws InterruptedException {
    AtomicInteger calls = new AtomicInteger();
    Burst.Outcome outcome = Burst.run(20, i -> {
      calls.incrementAndGet();
      if (i % 5 == 0) {
        throw new IllegalStateException("caller " + i);
      }
      return i;
    });
    assertThat(calls).hasValue(20);
    assertThat(outcome.errors()).isEqualTo(4);
    assertThat(outcome.latencies().count()).isEqualTo(20);
  }

  @Test
  void aPacedLoadTimesEveryCallFromWhenItWasDue() throws InterruptedException {
    PacedLoad.Outcome outcome = PacedLoad.run(2, 1_000_000, 20_000_000, n -> n);
    assertThat(outcome.calls()).isEqualTo(2 * 21);
    assertThat(outcome.errors()).isZero();
  }

  @Test
  void theTableIsMarkdown() {
    Table table = new Table();
    table.add(new Table.Row("cold stampede", "stack", 200, 1, 0, 51.0, 52.5, 53.0, Double.NaN, ""));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    table.print(new PrintStream(out, true, StandardCharsets.UTF_8));
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).startsWith("| scenario").contains("| loader calls |");
    assertThat(lines[1]).matches("[|\\- ]+");
    assertThat(lines[2]).contains("| 200 ").contains("| 52.5 ");
  }
}
