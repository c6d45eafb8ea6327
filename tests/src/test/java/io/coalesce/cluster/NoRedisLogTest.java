package io.coalesce.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.redis.internal.RedisTiers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** An application started with Redis unreachable says so once, and then serves quietly. */
@ExtendWith(OutputCaptureExtension.class)
class NoRedisLogTest {

  @Test
  void oneWarningAtStartUpAndNoneWhenTheBreakerOpens(CapturedOutput output) {
    ProductDb db = new ProductDb();
    for (long id = 0; id < 50; id++) {
      db.put(id, "product-" + id);
    }
    try (Instances instances = Instances.start(1, db, "spring.data.redis.port=1")) {
      for (long id = 0; id < 50; id++) { // distinct keys: each read tries Redis until the breaker opens
        assertThat(instances.service(0).find(id).name()).isEqualTo("product-" + id);
      }
      assertThat(instances.context(0).getBean(RedisTiers.class).guard().state()).isEqualTo("OPEN");
    }
    List<String> warnings = output.getAll().lines()
        .filter(line -> line.contains(" WARN ") && line.contains("i.c."))
        .toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).contains("is not reachable");
    assertThat(output.getAll()).contains("Circuit breaker 'coalesce-redis' opened");
  }
}
