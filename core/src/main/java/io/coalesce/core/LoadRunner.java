package io.coalesce.core;

import io.coalesce.core.CacheListener.LoadOutcome;
import io.coalesce.core.RemoteTier.Lease;
import io.coalesce.core.RemoteTier.Stored;
import java.lang.System.Logger.Level;
import java.lang.reflect.Type;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.CompletionException;

/**
 * Runs a leader's load of one cache and settles its outcome: records it, falls back to an older
 * value when {@code stale-if-error} allows, stores a new value (Redis first, fenced by the key's
 * version and the rebuild lock; then L1, at the version the load read) unless a write superseded the
 * load, and completes the flight. The flight is completed whatever happens while storing, so no
 * caller ever waits for a load that has ended; a load that outlived its flight's {@code load-timeout}
 * is settled all the same (its value stored if nothing superseded it), for later callers.
 */
final class LoadRunner {

  private static final System.Logger LOG = System.getLogger(LoadRunner.class.getName());

  private final String cache;
  private final CacheSettings settings;
  private final EntryPolicy policy;
  private final RemoteTier remote;
  private final LocalStore l1;
  private final LoadBulkhead bulkhead;
  private final CacheListener listener;
  private final KeyGuard guard;
  private final Clock clock;
  private final Ticker ticker;
  private final long unfencedWriteBackNanos;
  private final Executor executor;
  private final HotKeys hotKeys;

  /** How a load's outcome is settled: with {@code mayUseRedis} false, without any Redis call. */
  @FunctionalInterface
  private interface Settlement {
    void settle(Object value, Throwable error, boolean mayUseRedis);
  }

  /**
   * @param executor where the outcome of a load that completes later (an asynchronous loader's) is
   *     settled, so that its Redis write-back never runs on the thread that completed it (a reactive
   *     driver's event loop); when it rejects the task, the outcome is settled on that thread without
   *     a Redis call (served, kept in L1, not shared; a held lock expires by itself)
   */
  LoadRunner(String cache, CacheSettings settings, EntryPolicy policy, RemoteTier remote, LocalStore l1,
      CacheListener listener, KeyGuard guard, HotKeys hotKeys, Clock clock, Ticker ticker, Executor executor) {
    this.executor = executor;
    this.hotKeys = hotKeys;
    this.cache = cache;
    this.settings = settings;
    this.policy = policy;
    this.remote = remote;
    this.l1 = l1;
    this.bulkhead = LoadBulkhead.of(cache, settings.bulkhead());
    this.listener = listener;
    this.guard = guard;
    this.clock = clock;
    this.ticker = ticker;
    // A load without the lock that ran longer than a lock lease proves nothing about what it read:
    // the key's version in Redis lives lease + load-timeout, so such a write-back could not be checked.
    this.unfencedWriteBackNanos = settings.lock().lease().toNanos();
  }

  /**
   * Starts {@code load} for {@code flight}; its outcome completes the flight.
   *
   * @param fallback the value to serve if the load fails and {@code stale-if-error} allows, or {@code null}
   * @param lease the rebuild lock this load holds, or {@code null}
   */
  void run(Object key, Type type, Flight flight, Load load, CacheEntry fallback, Lease lease) {
    run(key, type, flight, load, fallback, lease, true);
  }

  /**
   * @param shared whether the value may be written back to the shared tier: not when the tier holds
   *     a value of another type for the key that may still serve ({@link RemoteTier.Read#foreign()});
   *     the value is then kept in L1 only
   */
  void run(Object key, Type type, Flight flight, Load load, CacheEntry fallback, Lease lease, boolean shared) {
    hotKeys.loaded(key);
    long startMillis = clock.millis();
    long startNanos = ticker.read();
    whenDone(bulkhead.limit(load, flight).start(), (value, error, mayUseRedis) -> {
      try {
        settle(key, type, flight, value, error, startMillis, startNanos, fallback, lease, shared && mayUseRedis,
            mayUseRedis);
      } catch (Throwable unexpected) {
        // Never leave the flight's callers waiting: whatever went wrong storing, they get the outcome.
        LOG.log(Level.WARNING, "Settling the load of key '" + key + "' in cache '" + cache + "' failed", unexpected);
        if (error != null) {
          fail(flight, unwrap(error));
        } else {
          succeed(flight, policy.entryFor(value, clock.millis(), Math.max(0, clock.millis() - startMillis)));
        }
      }
    });
  }

  private static void succeed(Flight flight, CacheEntry entry) {
    flight.settled.complete(entry);
    flight.result.complete(entry);
  }

  private static void fail(Flight flight, Throwable error) {
    flight.settled.completeExceptionally(error);
    flight.result.completeExceptionally(error);
  }

  /** One key of a batch load: its flight, the value it may fall back to and the lock it holds. */
  record BatchItem(Object key, Flight flight, CacheEntry fallback, Lease lease) {}

  /**
   * Starts {@code load}, one load of every key of {@code items} (its value: a map from key to value,
   * where a key left out is "not found"); its outcome completes each key's flight. The loaded entries
   * are written back together ({@link RemoteTier#writeBackAll}), each fenced as a single load's is.
   */
  void runBatch(List<BatchItem> items, Type type, Load load) {
    for (BatchItem item : items) {
      hotKeys.loaded(item.key());
    }
    long startMillis = clock.millis();
    long startNanos = ticker.read();
    whenDone(bulkhead.limit(load, items.get(0).flight()).start(), (values, error, mayUseRedis) -> {
      try {
        if (error != null) {
          for (BatchItem item : items) {
            settle(item.key(), type, item.flight(), null, error, startMillis, startNanos, item.fallback(), item.lease(),
                mayUseRedis, mayUseRedis);
          }
        } else {
          settleBatch(items, type, (Map<?, ?>) values, startMillis, startNanos, mayUseRedis);
        }
      } catch (Throwable unexpected) {
        LOG.log(Level.WARNING, "Settling a batch load of cache '" + cache + "' failed", unexpected);
        for (BatchItem item : items) {
          if (error != null) {
            fail(item.flight(), unwrap(error));
          } else {
            Object value = values == null ? null : ((Map<?, ?>) values).get(item.key());
            succeed(item.flight(), policy.entryFor(value, clock.millis(), Math.max(0, clock.millis() - startMillis)));
          }
        }
      }
    });
  }

  /**
   * Runs {@code settle} when {@code load} completes: here if it already has (a synchronous loader,
   * on the leader's thread), otherwise on the executor; if the executor is too busy, on the thread
   * that completed the load, without any Redis call.
   */
  private void whenDone(CompletableFuture<Object> load, Settlement settle) {
    if (load.isDone()) {
      load.whenComplete((value, error) -> settle.settle(value, error, true));
      return;
    }
    load.whenComplete((value, error) -> {
      try {
        executor.execute(() -> settle.settle(value, error, true));
      } catch (RejectedExecutionException busy) {
        settle.settle(value, error, false);
      }
    });
  }

  /** As {@link #settle} for each key; with {@code mayUseRedis} false, nothing is written back or released. */
  private void settleBatch(List<BatchItem> items, Type type, Map<?, ?> values, long startMillis, long startNanos,
      boolean mayUseRedis) {
    long nanos = ticker.read() - startNanos;
    long now = clock.millis();
    long loadMillis = Math.max(0, now - startMillis);
    List<Integer> toWrite = new ArrayList<>(items.size());
    List<RemoteTier.WriteBack> writeBacks = new ArrayList<>(items.size());
    CacheEntry[] entries = new CacheEntry[items.size()];
    boolean[] keep = new boolean[items.size()];
    for (int i = 0; i < items.size(); i++) {
      BatchItem item = items.get(i);
      Object value = values == null ? null : values.get(item.key());
      entries[i] = policy.entryFor(value, now, loadMillis);
      if (item.flight().claimRecord()) {
        listener.onLoad(value == null ? LoadOutcome.NULL : LoadOutcome.SUCCESS, nanos);
      }
      if (value != null && mayUseRedis) {
        guard.add(item.key());
      }
      if (!policy.isCacheable(value) || item.flight().isSuperseded()) {
        if (mayUseRedis) {
          release(item.lease());
        }
      } else if (!mayUseRedis) {
        l1.storeUnshared(item.key(), entries[i], item.flight().readVersion(), item.flight());
      } else if (!remote.isPresent() || (item.lease() == null && !remote.isAvailable())) {
        keep[i] = true;
      } else if (item.lease() != null || nanos <= unfencedWriteBackNanos) {
        toWrite.add(i);
        writeBacks.add(new RemoteTier.WriteBack(item.key().toString(), entries[i], item.flight().readVersion(),
            item.lease()));
      }
    }
    List<Stored> stored = writeBacks.isEmpty() ? List.of() : remote.writeBackAll(writeBacks, type);
    for (int w = 0; w < toWrite.size(); w++) {
      int i = toWrite.get(w);
      if (stored.get(w) == Stored.SUPERSEDED) {
        items.get(i).flight().supersede();
      }
      keep[i] = true; // stored, unencodable or unanswered: the value serves here unless superseded
    }
    for (int i = 0; i < items.size(); i++) {
      BatchItem item = items.get(i);
      if (keep[i] && !item.flight().isSuperseded()) {
        l1.store(item.key(), entries[i], item.flight().readVersion(), item.flight());
      }
      succeed(item.flight(), entries[i]);
    }
  }

  /**
   * @param shared whether the value may be written back to the shared tier
   * @param mayUseRedis whether Redis may be called at all (not on a thread that must not block): if
   *     not, a held lock is left to expire and the key is not added to a shared Bloom filter
   */
  private void settle(Object key, Type type, Flight flight, Object value, Throwable error, long startMillis,
      long startNanos, CacheEntry fallback, Lease lease, boolean shared, boolean mayUseRedis) {
    if (!mayUseRedis) {
      lease = null; // released by its own lease, not by a call from this thread
    }
    long nanos = ticker.read() - startNanos;
    if (error != null) {
      release(lease);
      Throwable cause = unwrap(error);
      if (flight.claimRecord()) {
        listener.onLoad(LoadOutcome.FAILURE, nanos);
      }
      if (mayServeOnError(fallback, clock.millis())) {
        listener.onStaleServedOnError();
        LOG.log(Level.DEBUG, () -> "Loader of cache '" + cache + "' failed for key '" + key
            + "'; serving the value written at " + fallback.writtenAt(), cause);
        succeed(flight, fallback);
      } else {
        fail(flight, cause);
      }
      return;
    }
    long now = clock.millis();
    CacheEntry entry = policy.entryFor(value, now, Math.max(0, now - startMillis));
    if (flight.claimRecord()) {
      listener.onLoad(value == null ? LoadOutcome.NULL : LoadOutcome.SUCCESS, nanos);
    }
    if (value != null && mayUseRedis) {
      guard.add(key);
    }
    if (!policy.isCacheable(value) || flight.isSuperseded()) {
      release(lease);
    } else if (!shared) {
      release(lease);
      l1.storeUnshared(key, entry, flight.readVersion(), flight);
    } else if (writeBack(key, type, flight, entry, lease, nanos)) {
      l1.store(key, entry, flight.readVersion(), flight);
    } else {
      LOG.log(Level.DEBUG, () -> "Loaded value of key '" + key + "' in cache '" + cache
          + "' was not stored: the key was written, or its rebuild lock lost, while it loaded");
    }
    succeed(flight, entry);
  }

  /**
   * Writes the loaded entry back to the shared tier when there is one, fenced by the version the
   * load read (and by its lock). Returns whether the value may be kept in L1: it may unless a write
   * superseded it; a value the codec cannot encode, or a Redis that does not answer, still serves.
   */
  private boolean writeBack(Object key, Type type, Flight flight, CacheEntry entry, Lease lease, long nanos) {
    if (!remote.isPresent() || (lease == null && !remote.isAvailable())) {
      return !flight.isSuperseded();
    }
    if (lease == null && nanos > unfencedWriteBackNanos) {
      return false; // too old to prove it read after every write
    }
    Stored stored = remote.writeBack(key.toString(), entry, type, flight.readVersion(), lease);
    if (stored == Stored.SUPERSEDED) {
      flight.supersede();
    }
    return !flight.isSuperseded();
  }

  private void release(Lease lease) {
    if (lease != null) {
      remote.release(lease);
    }
  }

  /** {@code stale-if-error}: an old value, not older than its bound, rather than the loader's failure. */
  private boolean mayServeOnError(CacheEntry fallback, long now) {
    return settings.staleIfError() && fallback != null
        && (fallback.isServable(now) || now - fallback.expiresAt() <= settings.staleIfErrorMaxAge().toMillis());
  }

  /**
   * The loader's own exception, without the {@link CompletionException}s that futures wrap around it
   * (an {@code ExecutionException} thrown by the loader itself is kept: it is what the loader threw).
   */
  static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while (current instanceof CompletionException && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
