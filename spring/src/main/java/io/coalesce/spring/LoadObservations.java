package io.coalesce.spring;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.lang.reflect.Method;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;

/**
 * A Micrometer {@link Observation} named {@value #NAME} around each call a cache makes of a cached
 * method: a load (a miss, a stale or early refresh, the uncached ids of a batch), never a hit. With
 * tracing, a load is a span, child of the span of the caller that led it, and what the method does
 * (its SQL) nests in it: the observation is current on the thread while a synchronous method runs or
 * an asynchronous one is called, and is in the Reactor {@code Context} a {@code Mono}/{@code Flux}
 * method's publisher sees. With Boot's default handlers it is also timed (a {@code coalesce.load}
 * timer beside the pinned {@code coalesce.loads}).
 *
 * <p>Key values: low cardinality {@code coalesce.cache}, {@code coalesce.method} ({@code Type.method}),
 * {@code coalesce.batch}, {@code coalesce.outcome} ({@code success}, {@code null} or {@code failure});
 * high cardinality {@code coalesce.ids} (a batch's uncached ids). The key is not recorded: keys may
 * be personal data and are of unbounded cardinality.
 */
final class LoadObservations {

  static final String NAME = "coalesce.load";

  /** Where Micrometer keeps the current observation in a Reactor Context (ObservationThreadLocalAccessor.KEY). */
  static final String CONTEXT_KEY = "micrometer.observation";

  static final LoadObservations NONE = new LoadObservations(() -> ObservationRegistry.NOOP);

  private static final KeyValue SUCCESS = KeyValue.of("coalesce.outcome", "success");
  private static final KeyValue NULL = KeyValue.of("coalesce.outcome", "null");
  private static final KeyValue FAILURE = KeyValue.of("coalesce.outcome", "failure");

  private final Supplier<ObservationRegistry> registrySource;
  private volatile ObservationRegistry registry;

  private LoadObservations(Supplier<ObservationRegistry> registry) {
    this.registrySource = registry;
  }

  /** The application's registry, looked up on the first load (advisors are created before it). */
  static LoadObservations of(ObjectProvider<ObservationRegistry> registry) {
    return new LoadObservations(() -> registry.getIfAvailable(() -> ObservationRegistry.NOOP));
  }

  private ObservationRegistry registry() {
    ObservationRegistry found = registry;
    if (found == null) {
      found = registrySource.get();
      registry = found;
    }
    return found;
  }

  /** Whether loads are observed. */
  boolean enabled() {
    return !registry().isNoop();
  }

  /**
   * The observation current on this thread, to be the parent of a load led on another thread;
   * {@code null} when loads are not observed (then nothing is read).
   */
  Observation parentHere() {
    ObservationRegistry observations = registry();
    return observations.isNoop() ? null : observations.getCurrentObservation();
  }

  /**
   * A load of {@code method} for {@code cache}, not started; {@code parent} {@code null} for the
   * observation current on the thread that starts it; {@code ids} -1 for a single key.
   */
  Observation load(String cache, Method method, Observation parent, int ids) {
    ObservationRegistry observations = registry();
    if (observations.isNoop()) {
      return Observation.NOOP;
    }
    Observation observation = Observation.createNotStarted(NAME, observations)
        .contextualName("coalesce load " + cache)
        .lowCardinalityKeyValue("coalesce.cache", cache)
        .lowCardinalityKeyValue("coalesce.method", method.getDeclaringClass().getSimpleName() + "." + method.getName())
        .lowCardinalityKeyValue("coalesce.batch", Boolean.toString(ids >= 0));
    if (ids >= 0) {
      observation.highCardinalityKeyValue("coalesce.ids", Integer.toString(ids));
    }
    if (parent != null) {
      observation.parentObservation(parent);
    }
    return observation;
  }

  /** Runs a synchronous load in {@code observation}, current on this thread meanwhile. */
  static Object observe(Observation observation, Callable<Object> load) throws Exception {
    if (observation.isNoop()) {
      return load.call();
    }
    observation.start();
    try (Observation.Scope scope = observation.openScope()) {
      Object value = load.call();
      succeeded(observation, value);
      return value;
    } catch (Exception | Error e) {
      failed(observation, e);
      throw e;
    }
  }

  /** Calls an asynchronous load in {@code observation}, stopped when its stage completes. */
  static <T> CompletionStage<T> observeAsync(Observation observation, Supplier<CompletionStage<T>> load) {
    if (observation.isNoop()) {
      return load.get();
    }
    observation.start();
    CompletionStage<T> stage;
    try (Observation.Scope scope = observation.openScope()) {
      stage = load.get();
    } catch (RuntimeException | Error e) {
      failed(observation, e);
      return CompletableFuture.failedFuture(e);
    }
    return stage.whenComplete((value, error) -> {
      if (error != null) {
        failed(observation, error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
      } else {
        succeeded(observation, value);
      }
    });
  }

  static void succeeded(Observation observation, Object value) {
    observation.lowCardinalityKeyValue(value == null ? NULL : SUCCESS);
    observation.stop();
  }

  static void failed(Observation observation, Throwable error) {
    observation.lowCardinalityKeyValue(FAILURE);
    observation.error(error);
    observation.stop();
  }
}
