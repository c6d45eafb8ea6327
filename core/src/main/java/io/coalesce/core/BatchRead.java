package io.coalesce.core;

import io.coalesce.core.CacheListener.GetResult;
import io.coalesce.core.RemoteTier.Read;
import java.lang.reflect.Type;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link CoalescingCache#getAll}: many keys, each its own entry, the missing ones loaded in one call.
 * Each key goes the way a single read takes it (L1, the Bloom guard, the single flight); the keys
 * this call leads are read from the shared tier together, their rebuild locks taken in the same round
 * trip, and loaded together; keys another instance is loading are awaited last.
 */
final class BatchRead {

  /** A key a batch read leads: its key as held, as the caller gave it, its flight and its expired L1 entry. */
  record Led<K>(Object key, K asked, Flight flight, CacheEntry expired) {}

  /** One call of a batch loader for the keys of {@code asked} (held key → the caller's key). */
  @FunctionalInterface
  interface ManyLoad<K> {
    /** Its value is a map from held key to value, the loader's keys normalized as every key is. */
    Load of(Map<Object, K> asked);
  }

  private final CacheKeys keys;
  private final LocalStore l1;
  private final LocalLookup lookup;
  private final RemoteTier remote;
  private final SingleFlight flights;
  private final Callers callers;
  private final Leader leader;
  private final Refresher refresher;
  private final ClusterLock lock;
  private final LoadRunner runner;
  private final KeyGuard guard;
  private final CacheListener listener;
  private final Clock clock;

  BatchRead(CacheKeys keys, LocalStore l1, LocalLookup lookup, RemoteTier remote, SingleFlight flights,
      Callers callers, Leader leader, Refresher refresher, ClusterLock lock, LoadRunner runner, KeyGuard guard,
      CacheListener listener, Clock clock) {
    this.keys = keys;
    this.l1 = l1;
    this.lookup = lookup;
    this.remote = remote;
    this.flights = flights;
    this.callers = callers;
    this.leader = leader;
    this.refresher = refresher;
    this.lock = lock;
    this.runner = runner;
    this.guard = guard;
    this.listener = listener;
    this.clock = clock;
  }

  @SuppressWarnings("unchecked")
  <K, V> Map<K, V> getAll(Collection<? extends K> asked, Type type, BatchLoader<K, ? extends V> loader) {
    Objects.requireNonNull(loader, "loader");
    ManyLoad<K> many = keysAsked -> Load.of(() -> heldKeys(loader.load(callersKeys(keysAsked)), keysAsked));
    Map<Object, K> byKey = new LinkedHashMap<>();
    for (K key : asked) {
      byKey.putIfAbsent(keys.normalize(key), key);
    }
    Map<Object, Object> values = new HashMap<>();
    Map<Object, Flight> joined = new LinkedHashMap<>();
    List<Led<K>> led = new ArrayList<>();
    long now = clock.millis();
    for (Map.Entry<Object, K> e : byKey.entrySet()) {
      Object k = e.getKey();
      CacheEntry held = l1.get(k, now);
      LocalLookup.Found found = lookup.classify(k, held, now);
      if (found.served()) {
        if (found.refreshes()) {
          refresher.refresh(k, type, loadOne(k, e.getValue(), many), held, found.trigger());
        }
        values.put(k, held.value());
      } else if (found == LocalLookup.Found.NOTHING && guard.certainlyAbsent(k)) {
        values.put(k, null);
      } else {
        Flight mine = new Flight();
        Flight running = flights.joinOrLead(k, mine);
        if (running != null) {
          joined.put(k, running);
        } else {
          callers.begin(k, mine);
          callers.arm(k, mine);
          led.add(new Led<>(k, e.getValue(), mine, held));
        }
      }
    }
    if (!led.isEmpty()) {
      try {
        leadAll(led, type, many, true);
      } catch (Throwable t) {
        led.forEach(l -> Leader.fail(l.flight(), t)); // no-op for the flights already settled
      }
      for (Led<K> l : led) {
        values.put(l.key(), callers.awaitLeader(l.key(), l.flight()).value());
      }
    }
    joined.forEach((k, running) -> {
      CacheEntry entry = callers.follow(k, running);
      values.put(k, entry != null ? entry.value() : getAll(List.of(byKey.get(k)), type, loader).get(byKey.get(k)));
    });
    Map<K, V> result = new LinkedHashMap<>();
    byKey.forEach((k, key) -> result.put(key, (V) values.get(k)));
    return result;
  }

  /**
   * The leader's work for the keys a batch read leads: one read of them all (taking their rebuild
   * locks), one load of those found nowhere, then the keys another instance is loading: awaited
   * last, so that the locks this call holds are released (by its write-back) before it waits for
   * anyone else's, and two instances that each lock part of the other's batch do not wait on each
   * other.
   *
   * @param waitHere whether this thread waits for the keys another instance is loading (a
   *     synchronous batch, whose loader has run and been written back by then); if not (an
   *     asynchronous batch, whose load settles later on the executor), they are looked for now and
   *     then without holding a thread ({@link ClusterLock#acquireAsync}), so that every executor
   *     thread cannot end up waiting for other instances' loads while this instance's own
   *     settlements, which those instances wait for, queue behind them
   */
  <K> void leadAll(List<Led<K>> led, Type type, ManyLoad<K> many, boolean waitHere) {
    long now = clock.millis();
    List<Led<K>> toRead = new ArrayList<>(led.size());
    for (Led<K> l : led) {
      CacheEntry stored = l1.get(l.key(), now);
      if (stored != null && stored != l.expired() && stored.isFresh(now)) {
        Leader.complete(l.flight(), stored); // the previous flight stored this just before it left the map
        listener.onGet(GetResult.L1_HIT);
      } else {
        toRead.add(l);
      }
    }
    if (toRead.isEmpty()) {
      return;
    }
    List<String> names = new ArrayList<>(toRead.size());
    toRead.forEach(l -> names.add(l.key().toString()));
    List<RemoteTier.ReadOrLock> reads = remote.readAll(names, type, now, lock.enabled());
    List<LoadRunner.BatchItem> toLoad = new ArrayList<>();
    Map<Object, K> toLoadAsked = new LinkedHashMap<>();
    List<Led<K>> lockedElsewhere = new ArrayList<>();
    List<LoadRunner.BatchItem> waits = new ArrayList<>();
    for (int i = 0; i < toRead.size(); i++) {
      Led<K> l = toRead.get(i);
      Read shared = reads.get(i).read();
      RemoteTier.Lease lease = reads.get(i).lease();
      flights.read(l.key(), l.flight(), leader.versionRead(shared));
      if (shared.hit() && shared.entry().isServable(now)) {
        if (lease != null) {
          remote.release(lease);
        }
        leader.serveShared(l.key(), type, l.flight(), loadOne(l.key(), l.asked(), many), shared);
        continue;
      }
      listener.onGet(GetResult.MISS);
      CacheEntry fallback = l.expired() != null ? l.expired() : shared.entry();
      if (shared.foreign()) {
        if (lease != null) {
          remote.release(lease);
        }
        runner.run(l.key(), type, l.flight(), loadOne(l.key(), l.asked(), many), fallback, null, false);
        continue;
      }
      if (lease != null && lease.state() == RemoteTier.Lease.State.HELD_ELSEWHERE) {
        lockedElsewhere.add(l);
        waits.add(new LoadRunner.BatchItem(l.key(), l.flight(), fallback, lease));
        continue;
      }
      ClusterLock.Decision decision = lock.acquire(l.key(), type, l.flight(), fallback, false, lease);
      if (decision instanceof ClusterLock.Served served) {
        l1.store(l.key(), served.entry(), served.version(), l.flight());
        Leader.complete(l.flight(), served.entry());
      } else if (decision instanceof ClusterLock.Failed failed) {
        Leader.fail(l.flight(), failed.error());
      } else {
        toLoad.add(new LoadRunner.BatchItem(l.key(), l.flight(), fallback, ((ClusterLock.Load) decision).lease()));
        toLoadAsked.put(l.key(), l.asked());
      }
    }
    if (!toLoad.isEmpty()) {
      runner.runBatch(toLoad, type, many.of(toLoadAsked));
    }
    for (int i = 0; i < waits.size(); i++) {
      LoadRunner.BatchItem item = waits.get(i);
      Load one = loadOne(item.key(), lockedElsewhere.get(i).asked(), many);
      if (waitHere) {
        try {
          leader.loadUnderLock(item.key(), type, item.flight(), one, item.fallback(), false, item.lease());
        } catch (Throwable t) {
          Leader.fail(item.flight(), t);
        }
      } else {
        lock.acquireAsync(item.key(), type, item.flight(), item.fallback(), item.lease(),
            decision -> leader.follow(item.key(), type, item.flight(), one, item.fallback(), decision));
      }
    }
  }

  /** The caller's keys of {@code asked}, in their order, for a loader. */
  static <K> java.util.Set<K> callersKeys(Map<Object, K> asked) {
    return Collections.unmodifiableSet(new LinkedHashSet<>(asked.values()));
  }

  /**
   * A loader's answer for the keys of {@code asked} (held key → the caller's key), by held key: the
   * loader's keys normalized as every key is; a key that was not asked is dropped.
   */
  Map<Object, Object> heldKeys(Map<?, ?> loaded, Map<Object, ?> asked) {
    Map<Object, Object> byKey = new HashMap<>();
    if (loaded != null) {
      Map<String, Object> askedByText = new HashMap<>();
      loaded.forEach((key, value) -> {
        if (key != null) {
          Object k = heldKeyOf(key, asked, askedByText);
          if (k != null) {
            byKey.put(k, value);
          }
        }
      });
    }
    return byKey;
  }

  /**
   * The held key a loader's {@code key} stands for, or {@code null} when it was not asked: the same
   * key, or one of another type with the same string form (an entity's {@code Long} id for an
   * {@code Integer} asked, a {@code String} read from the element), as keys in Redis are named.
   */
  private Object heldKeyOf(Object key, Map<Object, ?> asked, Map<String, Object> askedByText) {
    try {
      Object k = keys.normalize(key);
      if (asked.containsKey(k)) {
        return k;
      }
    } catch (IllegalArgumentException e) {
      return null; // no string form: it cannot name a key of this cache
    }
    if (askedByText.isEmpty()) {
      for (Object held : asked.keySet()) {
        String text = CacheKeys.textOf(held);
        if (text != null) {
          askedByText.put(text, held);
        }
      }
    }
    String text = CacheKeys.textOf(key);
    return text == null ? null : askedByText.get(text);
  }

  /** {@code many} for one key: how a batch-loaded key is refreshed, or loaded when another instance gave up. */
  static <K> Load loadOne(Object key, K asked, ManyLoad<K> many) {
    Load one = many.of(Map.of(key, asked));
    return () -> one.start().thenApply(byKey -> ((Map<?, ?>) byKey).get(key));
  }
}
