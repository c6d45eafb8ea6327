package io.coalesce.spring;

import io.coalesce.core.CoalescingCache;
import io.micrometer.observation.Observation;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.springframework.util.ClassUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * {@code Mono} and {@code Flux} methods, through the asynchronous read of the cache: the only class
 * that names Reactor, loaded only for a method that returns one of its types.
 *
 * <p>Nothing blocks the subscribing thread: a hit completes at once; on a miss, the Redis read, the
 * rebuild lock (and the wait for another instance's value), the bulkhead and the write-back run on
 * the cache's refresh executor, and the method's publisher is subscribed to from there. A put or
 * evict after the method runs on Coalesce's write executor ({@link CoalescingCache#writeAsync}), and the
 * value is passed on once it has (inside a reactive transaction: after its commit, the value passed on
 * at once). A subscriber that
 * cancels only stops waiting: the load goes on for the others, and its error reaches each of them.
 */
final class ReactiveCalls {

  private ReactiveCalls() {}

  /** The observation of a load, not started: of {@code ids} uncached ids of a batch, -1 for one key. */
  @FunctionalInterface
  interface LoadObservation {
    Observation of(Observation parent, int ids);
  }

  /** A call of a batch method for some of its ids. */
  @FunctionalInterface
  interface BatchCall {
    Object call(Collection<?> ids) throws Exception;
  }

  /**
   * The cached value of {@code key} as a {@code Mono} (empty for "not found") or, for
   * {@code flux}, a {@code Flux} of the cached list; {@code call} invokes the method. Deferred: the
   * cache is read when, and each time, it is subscribed to. On a miss the method's publisher is
   * subscribed to with the subscriber's Reactor {@code Context} (of the subscriber whose read leads
   * the load: the others share its result).
   */
  static Object read(CoalescingCache cache, Object key, Type type, boolean flux, Callable<Object> call,
      LoadObservation observation) {
    Mono<Object> value = Mono.deferContextual(context ->
        Mono.fromFuture(cache.getAsync(key, type, () -> load(call, flux, context, observation))));
    return flux ? value.flatMapIterable(ReactiveCalls::asList) : value;
  }

  /**
   * A batch method ({@code batch = true}) returning {@code Flux<V>} (the values of the ids found, in the
   * order asked), {@code Mono<List<V>>} or {@code Mono<Map<ID, V>>}: each id its own entry, the ids
   * cached nowhere loaded by one call of the method, whose publisher gets the subscriber's
   * {@code Context}; see {@link CoalescingCache#getAllAsync}.
   */
  static Object readEach(CoalescingCache cache, List<Object> ids, Type type, BatchShape batch, boolean flux,
      BatchCall call, LoadObservation observation) {
    Mono<Object> assembled = Mono.deferContextual(context -> Mono.fromFuture(cache.getAllAsync(ids, type,
        missing -> loadEach(call, missing, batch, flux, context, observation)))).map(batch::assemble);
    return flux ? assembled.flatMapIterable(ReactiveCalls::asIterable) : assembled;
  }

  private static CompletionStage<Map<Object, Object>> loadEach(BatchCall call, Collection<Object> missing,
      BatchShape batch, boolean flux, ContextView context, LoadObservation observation) {
    return observed(observation.of(parentIn(context), missing.size()),
        load -> value(() -> call.call(missing), flux, context, batch.where(), load)).map(batch::split).toFuture();
  }

  private static CompletionStage<Object> load(Callable<Object> call, boolean flux, ContextView context,
      LoadObservation observation) {
    return observed(observation.of(parentIn(context), -1),
        load -> value(call, flux, context, "The cached method", load)).toFuture();
  }

  /** The observation of the subscriber whose read leads the load, from its Context. */
  private static Observation parentIn(ContextView context) {
    Object parent = context.getOrDefault(LoadObservations.CONTEXT_KEY, null);
    return parent instanceof Observation observation ? observation : null;
  }

  /** The load {@code call} makes, in {@code observation}: started now, stopped when the value or error comes. */
  private static Mono<Object> observed(Observation observation, Function<Observation, Mono<Object>> call) {
    if (observation.isNoop()) {
      return call.apply(observation);
    }
    observation.start();
    return call.apply(observation)
        .doOnSuccess(value -> LoadObservations.succeeded(observation, value))
        .doOnError(error -> LoadObservations.failed(observation, error))
        .doOnCancel(observation::stop);
  }

  /**
   * The value of the publisher {@code call} returns, subscribed to with {@code context}: a
   * {@code Flux} as the list of its elements; a call that throws or returns {@code null} as an error.
   */
  private static Mono<Object> value(Callable<Object> call, boolean flux, ContextView context, String method,
      Observation observation) {
    Object publisher;
    try (Observation.Scope scope = observation.openScope()) { // current while the method builds its publisher
      publisher = call.call();
    } catch (Exception e) {
      return Mono.error(e);
    }
    if (publisher == null) {
      return Mono.error(new NullPointerException(method + " returned null instead of a " + (flux ? "Flux" : "Mono")));
    }
    // The leader's Context, with the load's observation current in it (its parent, or none, otherwise)
    ContextView seen = observation.isNoop() ? context : Context.of(context).put(LoadObservations.CONTEXT_KEY, observation);
    return flux
        ? Flux.from(asPublisher(publisher)).contextWrite(seen).collectList().map(list -> list)
        : Mono.from(asPublisher(publisher)).contextWrite(seen);
  }

  /**
   * The method's publisher, followed by {@code write} of its value (a {@code Flux}'s list; {@code null}
   * for an empty {@code Mono}), which hands the cache write to Coalesce's write executor, before the
   * value is passed on; an error skips the write, as a method that throws does, and a failed write (a
   * key expression that throws) fails the publisher.
   */
  static Object afterWrite(Object returned, boolean flux, Function<Object, CompletableFuture<Void>> write) {
    if (returned == null) {
      return null;
    }
    if (flux) {
      return Flux.from(asPublisher(returned)).collectList()
          .flatMapMany(list -> writeThen(write, list).thenMany(Flux.fromIterable(list)));
    }
    return Mono.from(asPublisher(returned))
        .flatMap(value -> writeThen(write, value).thenReturn(value))
        .switchIfEmpty(Mono.defer(() -> writeThen(write, null).then(Mono.empty())));
  }

  private static Mono<Void> writeThen(Function<Object, CompletableFuture<Void>> write, Object value) {
    Mono<Void> now = Mono.fromFuture(() -> write.apply(value));
    return REACTIVE_TX ? ReactiveTransactions.afterCommit(now) : now;
  }

  private static final boolean REACTIVE_TX = ClassUtils.isPresent(
      "org.springframework.transaction.reactive.TransactionSynchronizationManager", ReactiveCalls.class.getClassLoader());

  /**
   * Inside a reactive transaction ({@code TransactionalOperator}, or {@code @Transactional} on a
   * reactive method with a {@code ReactiveTransactionManager}), as {@link AfterCommit} does for a
   * thread-bound one: the write runs after the commit, and not at all after a rollback; the method's
   * value is passed on without waiting for it. Apart, so that spring-tx is loaded only when present.
   */
  private static final class ReactiveTransactions {

    static Mono<Void> afterCommit(Mono<Void> write) {
      return org.springframework.transaction.reactive.TransactionSynchronizationManager.forCurrentTransaction()
          .flatMap(transaction -> {
            if (!transaction.isSynchronizationActive() || !transaction.isActualTransactionActive()) {
              return write;
            }
            transaction.registerSynchronization(
                new org.springframework.transaction.reactive.TransactionSynchronization() {
                  @Override
                  public Mono<Void> afterCommit() {
                    return write;
                  }
                });
            return Mono.<Void>empty();
          })
          .onErrorResume(org.springframework.transaction.NoTransactionException.class, none -> write);
    }
  }

  @SuppressWarnings("unchecked")
  private static org.reactivestreams.Publisher<Object> asPublisher(Object publisher) {
    return (org.reactivestreams.Publisher<Object>) publisher;
  }

  @SuppressWarnings("unchecked")
  private static Iterable<Object> asList(Object list) {
    return (List<Object>) list;
  }

  @SuppressWarnings("unchecked")
  private static Iterable<Object> asIterable(Object values) {
    return (Iterable<Object>) values;
  }
}
