package io.coalesce.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.annotation.Coalesced;
import io.coalesce.it.Boot;
import io.coalesce.test.RedisExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A value that the codec cannot write (here a getter that throws, as a JPA entity's lazy
 * association does outside its session) is served to every caller that shared its load and simply
 * not stored in Redis: never a hang, never a {@code LoadTimeoutException}; logged once, counted.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnencodableValueIT {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  /** Jackson cannot write it: reading {@code getName()} throws. */
  public static class Fragile {
    public String getName() {
      throw new IllegalStateException("failed to lazily initialize a collection: could not initialize proxy - no Session");
    }
  }

  public static class Service {
    final AtomicInteger loads = new AtomicInteger();
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Coalesced(cache = "fragile", key = "#id")
    public Fragile find(long id) throws InterruptedException {
      loads.incrementAndGet();
      gate.await(10, TimeUnit.SECONDS);
      return new Fragile();
    }

    @Coalesced(cache = "fragile-async", key = "#id")
    public CompletableFuture<Fragile> findAsync(long id) {
      loads.incrementAndGet();
      return CompletableFuture.completedFuture(new Fragile());
    }

    /** Its payload's class is named in the JSON, and no package is trusted: it could never be read back. */
    @Coalesced(cache = "orders", key = "#id")
    public Order order(long id) {
      loads.incrementAndGet();
      return new Order(id, new Card("4242"));
    }

    public int loads() {
      return loads.get();
    }

    public void hold(CountDownLatch gate) {
      this.gate = gate;
    }
  }

  public record Card(String last4) {}

  public record Order(long id, @com.fasterxml.jackson.annotation.JsonTypeInfo(
      use = com.fasterxml.jackson.annotation.JsonTypeInfo.Id.CLASS) Object payment) {}

  @SpringBootConfiguration
  @EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3})
  static class App {
    @Bean
    Service service() {
      return new Service();
    }

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  ConfigurableApplicationContext context;
  Service service;
  final ExecutorService callers = Executors.newCachedThreadPool();

  @BeforeEach
  void start() {
    redis.server().flushAll();
    context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.data.redis.port=" + redis.server().port(), "coalesce.key-prefix=fragile",
            "coalesce.defaults.load-timeout=5s")
        .run();
    service = context.getBean(Service.class);
  }

  @AfterEach
  void stop() {
    callers.shutdownNow();
    context.close();
  }

  @Test
  void everyCallerOfTheLoadGetsTheValueAndNothingIsStoredInRedis(CapturedOutput output) throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    service.hold(gate);
    List<Future<Fragile>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Callable<Fragile> call = () -> service.find(1);
      calls.add(callers.submit(call));
    }
    while (service.loads() == 0) {
      Thread.sleep(5);
    }
    gate.countDown();
    for (Future<Fragile> call : calls) {
      assertThat(call.get(30, TimeUnit.SECONDS)).isInstanceOf(Fragile.class); // not LoadTimeoutException
    }
    assertThat(service.loads()).isEqualTo(1);
    assertThat(redis.server().text("KEYS", "fragile:*")).as("nothing stored in Redis, no lock left behind").isEmpty();

    service.find(2);
    service.find(3);
    MeterRegistry registry = context.getBean(MeterRegistry.class);
    assertThat(registry.get("coalesce.redis.errors").tag("operation", "encode").counter().count()).isEqualTo(3);
    assertThat(output.getOut().split("cannot be written", -1)).as("logged once").hasSize(2);
  }

  @Test
  void anAsynchronousMethodsFutureCompletesWithTheValue() throws Exception {
    assertThat(service.findAsync(1).get(30, TimeUnit.SECONDS)).isInstanceOf(Fragile.class);
    assertThat(redis.server().text("KEYS", "fragile:*")).isEmpty();
  }

  @Test
  void aValueNamingAClassOutsideTheTrustedPackagesIsServedNotStoredAndTheWarningNamesTheProperty(
      CapturedOutput output) {
    assertThat(service.order(1)).isEqualTo(new Order(1, new Card("4242")));
    assertThat(service.order(1)).as("kept in L1").isEqualTo(new Order(1, new Card("4242")));
    service.order(2);

    assertThat(service.loads()).isEqualTo(2);
    assertThat(redis.server().text("KEYS", "fragile:*")).as("not written, where no read could use it").isEmpty();
    assertThat(output.getOut().split("coalesce.redis.trusted-packages", -1)).as("one warning naming the property")
        .hasSizeGreaterThan(1);
    assertThat(output.getOut().lines().filter(line -> line.contains("WARN") && line.contains("'orders'")).count())
        .isEqualTo(1);
  }
}
