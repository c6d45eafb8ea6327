package io.coalesce.core;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One way to run a caller's loader, synchronous or asynchronous, as a future. A synchronous loader
 * runs on the thread that starts it, so the leader of a load keeps its own thread-bound context
 * (transaction, security, MDC), as Spring's {@code @Cacheable(sync = true)} does.
 */
@FunctionalInterface
interface Load {

  /** Starts the load; never throws (a failure completes the future exceptionally). */
  CompletableFuture<Object> start();

  static Load of(Callable<?> loader) {
    return () -> {
      try {
        return CompletableFuture.completedFuture(loader.call());
      } catch (Throwable t) {
        return CompletableFuture.failedFuture(t);
      }
    };
  }

  static <A> Load of(A argument, ArgumentLoader<? super A, ?> loader) {
    return () -> {
      try {
        return CompletableFuture.completedFuture(loader.load(argument));
      } catch (Throwable t) {
        return CompletableFuture.failedFuture(t);
      }
    };
  }

  static Load ofAsync(Supplier<? extends CompletionStage<?>> loader) {
    return () -> {
      try {
        CompletionStage<?> stage = loader.get();
        if (stage == null) {
          return CompletableFuture.failedFuture(new NullPointerException(
              "The asynchronous loader returned null instead of a CompletionStage"));
        }
        return stage.toCompletableFuture().thenApply(v -> (Object) v);
      } catch (Throwable t) {
        return CompletableFuture.failedFuture(t);
      }
    };
  }
}
