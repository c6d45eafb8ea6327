package io.coalesce.spring;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** How a method's return value wraps the cached value. */
enum ValueShape {
  /** {@code T}: the value itself ({@code null} = not found). */
  PLAIN,
  /** {@code Optional<T>}: empty = not found. */
  OPTIONAL,
  /** {@code CompletableFuture<T>} or {@code CompletionStage<T>}: loaded asynchronously. */
  FUTURE,
  /** Reactor's {@code Mono<T>}: cached as its value, empty = not found; see {@link ReactiveCalls}. */
  MONO,
  /** Reactor's {@code Flux<T>}: cached as the list of its elements; see {@link ReactiveCalls}. */
  FLUX;

  /** Whether values of this shape come through Reactor (which is then on the classpath). */
  boolean isReactive() {
    return this == MONO || this == FLUX;
  }

  static ValueShape of(Class<?> returnType) {
    if (returnType == Optional.class) {
      return OPTIONAL;
    }
    if (returnType == CompletableFuture.class || returnType == CompletionStage.class) {
      return FUTURE;
    }
    // By name: Reactor is optional, and this runs for every annotated method.
    if (returnType.getName().equals("reactor.core.publisher.Mono")) {
      return MONO;
    }
    if (returnType.getName().equals("reactor.core.publisher.Flux")) {
      return FLUX;
    }
    return PLAIN;
  }

  /** The cached value inside a (synchronous) return value. */
  Object unwrap(Object returned) {
    return this == OPTIONAL && returned != null ? ((Optional<?>) returned).orElse(null) : returned;
  }

  /** The return value for a cached value. */
  Object wrap(Object value) {
    return this == OPTIONAL ? Optional.ofNullable(value) : value;
  }
}
