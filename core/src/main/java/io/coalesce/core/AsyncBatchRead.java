package io.coalesce.core;

import java.lang.reflect.Type;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@link CoalescingCache#getAllAsync}, as {@link CoalescingCache#getAsync} reads one
 * key: on the caller's thread only L1 and the single flight (no I/O, no wait), each key answered,
 * joined or led; the keys it leads go in one hand-off to the cache's executor, where the leader's
 * work of a synchronous batch runs ({@link BatchRead#leadAll}: the Bloom guard, one Redis round trip
 * with the rebuild locks, one call of the loader, whose stage is not waited for: it settles the keys
 * when it completes). Nothing waits for another read's load on any thread: joined keys complete when
 * their flights do.
 */
final class AsyncBatchRead {

  private final String name;
  private final CacheKeys keys;
  private final LocalStore l1;
  private final LocalLookup lookup;
  private final SingleFlight flights;
  private final Callers callers;
  private final Refresher refresher;
  private final BatchRead batch;
  private final KeyGuard guard;
  private final EntryPolicy policy;
  private final CacheListener listener;
  private final Clock clock;
  private final Executor executor;

  AsyncBatchRead(String name, CacheKeys keys, LocalStore l1, LocalLookup lookup, SingleFlight flights,
      Callers callers, Refresher refresher, BatchRead batch, KeyGuard guard, EntryPolicy policy,
      CacheListener listener, Clock clock, Executor executor) {
    this.name = name;
    this.keys = keys;
    this.l1 = l1;
    this.lookup = lookup;
    this.flights = flights;
    this.callers = callers;
    this.refresher = refresher;
    this.batch = batch;
    this.guard = guard;
    this.policy = policy;
    this.listener = listener;
    this.clock = clock;
    this.executor = executor;
  }

  <K, V> CompletableFuture<Map<K, V>> getAllAsync(Collection<? extends K> asked, Type type,
      AsyncBatchLoader<K, ? extends V> loader) {
    Objects.requireNonNull(loader, "loader");
    BatchRead.ManyLoad<K> many = keysAsked -> Load.ofAsync(() -> {
      CompletionStage<? extends Map<? extends K, ? extends V>> stage = loader.load(BatchRead.callersKeys(keysAsked));
      return stage == null ? null : stage.thenApply(loaded -> batch.heldKeys(loaded, keysAsked));
    });
    Map<Object, K> byKey = new LinkedHashMap<>();
    for (K key : asked) {
      byKey.putIfAbsent(keys.normalize(key), key);
    }
    Map<Object, Object> answered = new HashMap<>();
    Map<Object, CompletableFuture<Object>> pending = new LinkedHashMap<>();
    List<BatchRead.Led<K>> led = new ArrayList<>();
    long now = clock.millis();
    for (Map.Entry<Object, K> e : byKey.entrySet()) {
      Object k = e.getKey();
      CacheEntry held = l1.get(k, now);
      LocalLookup.Found found = lookup.classify(k, held, now);
      if (found.served()) {
        if (found.refreshes()) {
          refresher.refresh(k, type, BatchRead.loadOne(k, e.getValue(), many), held, found.trigger());
        }
        answered.put(k, held.value());
        continue;
      }
      Flight mine = new Flight();
      Flight running = flights.joinOrLead(k, mine);
      CompletableFuture<CacheEntry> outcome;
      if (running != null) {
        outcome = callers.followAsync(running);
      } else {
        callers.begin(k, mine); // armed by the lead, on the executor
        led.add(new BatchRead.Led<>(k, e.getValue(), mine, held));
        outcome = mine.result.copy();
      }
      pending.put(k, valueOf(k, e.getValue(), outcome, type, loader));
    }
    if (!led.isEmpty()) {
      lead(led, type, many);
    }
    if (pending.isEmpty()) {
      return CompletableFuture.completedFuture(inOrder(byKey, answered, pending));
    }
    return CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new))
        .thenApply(done -> inOrder(byKey, answered, pending));
  }

  /** The leader's work for {@code led}, on the executor; a saturated executor fails their flights. */
  private <K> void lead(List<BatchRead.Led<K>> led, Type type, BatchRead.ManyLoad<K> many) {
    Runnable lead = () -> {
      List<BatchRead.Led<K>> toLead = new ArrayList<>(led.size());
      for (BatchRead.Led<K> l : led) {
        callers.arm(l.key(), l.flight());
        if (l.expired() == null && guard.certainlyAbsent(l.key())) {
          Leader.complete(l.flight(), policy.entryFor(null, clock.millis(), 0)); // "not found", not stored
        } else {
          toLead.add(l);
        }
      }
      if (!toLead.isEmpty()) {
        try {
          batch.leadAll(toLead, type, many, false);
        } catch (Throwable t) {
          toLead.forEach(l -> Leader.fail(l.flight(), t)); // no-op for the flights already settled
        }
      }
    };
    try {
      executor.execute(lead);
    } catch (RejectedExecutionException busy) {
      // Never on the caller's thread (an event loop, maybe): a rejection its caller can retry.
      listener.onLoad(CacheListener.LoadOutcome.FAILURE, 0);
      LoadRejectedException rejected = LoadRejectedException.saturated(name, busy);
      led.forEach(l -> Leader.fail(l.flight(), rejected));
    }
  }

  /** A key's value once its flight ends; a flight abandoned before it loaded is read again. */
  private <K, V> CompletableFuture<Object> valueOf(Object k, K key, CompletableFuture<CacheEntry> outcome, Type type,
      AsyncBatchLoader<K, ? extends V> loader) {
    return outcome.handle((entry, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(entry.value());
      }
      if (Flight.isAbandoned(error)) {
        return getAllAsync(List.of(key), type, loader).thenApply(values -> (Object) values.get(key));
      }
      return CompletableFuture.failedFuture(new CompletionException(callers.translate(k, LoadRunner.unwrap(error))));
    }).thenCompose(future -> future);
  }

  @SuppressWarnings("unchecked")
  private static <K, V> Map<K, V> inOrder(Map<Object, K> byKey, Map<Object, Object> answered,
      Map<Object, CompletableFuture<Object>> pending) {
    Map<K, V> result = new LinkedHashMap<>();
    byKey.forEach((k, key) -> {
      CompletableFuture<Object> later = pending.get(k);
      result.put(key, (V) (later != null ? later.join() : answered.get(k)));
    });
    return result;
  }
}
