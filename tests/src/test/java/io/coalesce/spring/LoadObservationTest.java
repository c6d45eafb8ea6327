package io.coalesce.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.annotation.Coalesced;
import io.coalesce.it.Boot;
import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Each load of a cached method is a Micrometer {@code coalesce.load} observation, never a hit: child
 * of the caller's observation (current on its thread, or in its Reactor Context), and current while the
 * method runs, so that what the method does nests in it; tagged with the cache, the method and the
 * outcome.
 */
class LoadObservationTest {

  record Item(long id, String name) {}

  /** Every observation stopped, in order, as a tracing handler would see it. */
  static final class Recorder implements ObservationHandler<Observation.Context> {
    final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

    @Override
    public boolean supportsContext(Observation.Context context) {
      return true;
    }

    @Override
    public void onStop(Observation.Context context) {
      stopped.add(context);
    }

    List<Observation.Context> loads() {
      return stopped.stream().filter(c -> c.getName().equals("coalesce.load")).toList();
    }
  }

  /**
   * What each load's method saw as the current observation: on its thread, or in its Context. (Read
   * through methods: the bean is a class proxy, whose own fields are not the target's.)
   */
  public static class Products {
    final ObservationRegistry registry;
    final List<Object> seenInside = new CopyOnWriteArrayList<>();

    public Products(ObservationRegistry registry) {
      this.registry = registry;
    }

    public ObservationRegistry registry() {
      return registry;
    }

    public List<Object> seenInside() {
      return seenInside;
    }

    @Coalesced(cache = "products", key = "#id")
    public String find(long id) {
      seenInside.add(registry.getCurrentObservation());
      if (id < 0) {
        throw new IllegalStateException("no such table");
      }
      return id == 0 ? null : "product-" + id;
    }

    @Coalesced(cache = "products", key = "#id")
    public CompletableFuture<String> findAsync(Long id) {
      seenInside.add(registry.getCurrentObservation());
      return CompletableFuture.completedFuture("product-" + id);
    }

    @Coalesced(cache = "products", key = "#id")
    public Mono<String> findMono(Long id) {
      return Mono.deferContextual(context -> {
        seenInside.add(context.getOrDefault("micrometer.observation", "none"));
        return Mono.just("product-" + id);
      });
    }

    @Coalesced(cache = "items", batch = true, elementId = "id")
    public Flux<Item> items(Collection<Long> ids) {
      return Flux.deferContextual(context -> {
        seenInside.add(context.getOrDefault("micrometer.observation", "none"));
        return Flux.fromIterable(ids).map(id -> new Item(id, "item-" + id));
      });
    }

    @Coalesced(cache = "products", batch = true)
    public Map<Long, String> findAll(Collection<Long> ids) {
      seenInside.add(registry.getCurrentObservation());
      return ids.stream().collect(Collectors.toMap(id -> id, id -> "product-" + id));
    }
  }

  private void run(BiConsumer<Products, Recorder> test) {
    Recorder recorder = new Recorder();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(recorder);
    new ApplicationContextRunner().withConfiguration(Boot.coalesce())
        .withBean(ObservationRegistry.class, () -> registry)
        .withBean(Products.class, () -> new Products(registry))
        .run(context -> {
          assertThat(context).hasNotFailed();
          test.accept(context.getBean(Products.class), recorder);
        });
  }

  private static String tag(Observation.Context context, String key) {
    KeyValue value = context.getLowCardinalityKeyValue(key);
    return value == null ? null : value.getValue();
  }

  @Test
  void aSynchronousMissIsALoadChildOfTheCallersObservationAndAHitIsNone() {
    run((products, recorder) -> {
      ObservationRegistry registry = products.registry();
      Observation request = Observation.start("request", registry);
      try (Observation.Scope scope = request.openScope()) {
        assertThat(products.find(1)).isEqualTo("product-1");
        assertThat(products.find(1)).as("a hit").isEqualTo("product-1");
      } finally {
        request.stop();
      }

      assertThat(recorder.loads()).singleElement().satisfies(load -> {
        assertThat(load.getParentObservation()).isSameAs(request);
        assertThat(tag(load, "coalesce.cache")).isEqualTo("products");
        assertThat(tag(load, "coalesce.method")).isEqualTo("Products.find");
        assertThat(tag(load, "coalesce.batch")).isEqualTo("false");
        assertThat(tag(load, "coalesce.outcome")).isEqualTo("success");
        assertThat(load.getContextualName()).isEqualTo("coalesce load products");
      });
      assertThat(products.seenInside()).singleElement().as("current while the method ran")
          .satisfies(inside -> assertThat(((Observation) inside).getContext()).isSameAs(recorder.loads().get(0)));
    });
  }

  @Test
  void aNullAndAFailureAreOutcomes() {
    run((products, recorder) -> {
      assertThat(products.find(0)).isNull();
      assertThatThrownBy(() -> products.find(-1)).isInstanceOf(IllegalStateException.class);

      assertThat(recorder.loads()).extracting(load -> tag(load, "coalesce.outcome")).containsExactly("null", "failure");
      assertThat(recorder.loads().get(1).getError()).isInstanceOf(IllegalStateException.class);
    });
  }

  @Test
  void aMonoLoadIsAChildOfTheObservationInTheSubscribersContextAndInTheContextItsPublisherSees() {
    run((products, recorder) -> {
      Observation request = Observation.start("request", products.registry());
      String value = products.findMono(2L).contextWrite(Context.of("micrometer.observation", request))
          .block(Duration.ofSeconds(5));
      request.stop();

      assertThat(value).isEqualTo("product-2");
      assertThat(recorder.loads()).singleElement().satisfies(load -> {
        assertThat(load.getParentObservation()).isSameAs(request);
        assertThat(tag(load, "coalesce.method")).isEqualTo("Products.findMono");
        assertThat(tag(load, "coalesce.outcome")).isEqualTo("success");
      });
      assertThat(products.seenInside()).singleElement()
          .satisfies(inside -> assertThat(((Observation) inside).getContext()).isSameAs(recorder.loads().get(0)));
    });
  }

  @Test
  void aFutureLoadLedOnCoalescesExecutorIsAChildOfTheCallersObservation() throws Exception {
    run((products, recorder) -> {
      Observation request = Observation.start("request", products.registry());
      CompletableFuture<String> value;
      try (Observation.Scope scope = request.openScope()) {
        value = products.findAsync(3L);
      }
      assertThat(value).succeedsWithin(5, TimeUnit.SECONDS).isEqualTo("product-3");
      request.stop();

      assertThat(recorder.loads()).singleElement().satisfies(load ->
          assertThat(load.getParentObservation()).isSameAs(request));
      assertThat(products.seenInside()).singleElement()
          .satisfies(inside -> assertThat(((Observation) inside).getContext()).isSameAs(recorder.loads().get(0)));
    });
  }

  @Test
  void aBatchIsOneLoadOfItsUncachedIds() {
    run((products, recorder) -> {
      products.find(1);
      recorder.stopped.clear();

      assertThat(products.findAll(new ArrayList<>(List.of(1L, 2L, 3L)))).containsOnlyKeys(1L, 2L, 3L);

      assertThat(recorder.loads()).singleElement().satisfies(load -> {
        assertThat(tag(load, "coalesce.batch")).isEqualTo("true");
        assertThat(load.getHighCardinalityKeyValue("coalesce.ids").getValue()).isEqualTo("2");
      });
    });
  }

  @Test
  void aFluxBatchIsOneLoadChildOfTheSubscribersObservation() {
    run((products, recorder) -> {
      Observation request = Observation.start("request", products.registry());
      List<Item> items = products.items(new ArrayList<>(List.of(4L, 5L)))
          .contextWrite(Context.of("micrometer.observation", request)).collectList().block(Duration.ofSeconds(5));
      request.stop();

      assertThat(items).extracting(Item::id).containsExactly(4L, 5L);
      assertThat(recorder.loads()).singleElement().satisfies(load -> {
        assertThat(load.getParentObservation()).isSameAs(request);
        assertThat(tag(load, "coalesce.batch")).isEqualTo("true");
        assertThat(load.getHighCardinalityKeyValue("coalesce.ids").getValue()).isEqualTo("2");
      });
      assertThat(products.seenInside()).singleElement()
          .satisfies(inside -> assertThat(((Observation) inside).getContext()).isSameAs(recorder.loads().get(0)));
    });
  }

  @Test
  void withBootsMeterHandlerEachLoadIsTimedAndAHitIsNot() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
    new ApplicationContextRunner().withConfiguration(Boot.coalesce())
        .withBean(ObservationRegistry.class, () -> registry)
        .withBean(Products.class, () -> new Products(registry))
        .run(context -> {
          Products products = context.getBean(Products.class);
          products.find(7);
          products.find(7); // a hit: not timed
          assertThat(meters.get("coalesce.load").tag("coalesce.cache", "products").tag("coalesce.outcome", "success")
              .timer().count()).isEqualTo(1);
        });
  }
}
