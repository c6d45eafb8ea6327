package io.coalesce.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The loads of one cache under way in this JVM. A key has at most one {@linkplain #joinOrLead
 * joinable} flight: the first caller leads it, later callers join it. A flight stops being joinable
 * when it ends, when a write supersedes it, or when {@code load-timeout} released a caller that
 * waited for it; until its load really ends it stays reachable by writes ({@link #supersede}), so a
 * load that outlived its callers still cannot store a value that a write has replaced. Both maps
 * hold only loads that are running: the in-flight state never outgrows the loads themselves.
 */
final class SingleFlight {

  private final ConcurrentHashMap<Object, Flight> joinable = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Object, Set<Flight>> detached = new ConcurrentHashMap<>();

  /**
   * The flight of {@code key} to join, or {@code null} when {@code mine} now leads it. A flight that
   * is still in the map but must not be joined is passed over: one whose load has failed (its callers
   * are being told; a caller that comes after the failure starts a new load instead of receiving the
   * old error), and one a write superseded (what it read is older than the write, which may have
   * returned before this caller arrived: its value may already be out, between the flight's
   * completion and its removal from the map).
   */
  Flight joinOrLead(Object key, Flight mine) {
    while (true) {
      Flight running = joinable.putIfAbsent(key, mine);
      if (running == null || !(running.result.isCompletedExceptionally() || !running.mayServeLocally())) {
        return running;
      }
      joinable.remove(key, running);
    }
  }

  /** The joinable flight of {@code key}, or {@code null}. */
  Flight joinable(Object key) {
    return joinable.get(key);
  }

  /** The load of {@code flight} ended: it is gone from both maps. */
  void end(Object key, Flight flight) {
    joinable.remove(key, flight);
    detached.computeIfPresent(key, (k, flights) -> {
      flights.remove(flight);
      return flights.isEmpty() ? null : flights;
    });
  }

  /**
   * {@code flight} must not be joined any more; while its load still runs it stays reachable by
   * writes. A flight whose outcome is known only leaves the joinable map (its own end follows).
   */
  void detach(Object key, Flight flight) {
    if (flight.result.isDone()) {
      joinable.remove(key, flight);
      return;
    }
    detached.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(flight);
    joinable.remove(key, flight);
    if (flight.result.isDone()) {
      end(key, flight); // it ended while being detached
    }
  }

  /** A write of {@code key} here: every load of it under way is superseded and no longer joinable. */
  void supersede(Object key) {
    forEachRunning(key, flight -> {
      flight.supersede();
      detach(key, flight);
    });
  }

  /** Another instance's write that made {@code key} {@code version}. */
  void supersede(Object key, long version) {
    forEachRunning(key, flight -> {
      if (flight.supersededBy(version)) {
        detach(key, flight);
      }
    });
  }

  /**
   * The leader of {@code flight} read {@code key} at {@code version}: if another instance's write
   * reported meanwhile is newer, the flight is superseded and no longer joinable.
   */
  void read(Object key, Flight flight, long version) {
    if (flight.read(version)) {
      detach(key, flight);
    }
  }

  /** A clear: every load under way is superseded. */
  void supersedeAll() {
    markAll(Flight::supersede);
  }

  /** A clear that made every key {@code version} at least: loads that read an older version are superseded. */
  void supersedeAll(long version) {
    joinable.forEach((key, flight) -> {
      if (flight.supersededBy(version)) {
        detach(key, flight);
      }
    });
    detached.values().forEach(flights -> flights.forEach(flight -> flight.supersededBy(version)));
  }

  /**
   * The subscription to other instances' messages began: every load under way may have missed one.
   * Each is no longer joinable, nor kept in L1; its fenced write-back still goes to the shared tier.
   */
  void missedMessagesAll() {
    markAll(Flight::missedMessages);
  }

  /** Marks every load under way, which the mark makes no longer joinable. */
  private void markAll(Consumer<Flight> mark) {
    joinable.forEach((key, flight) -> {
      mark.accept(flight);
      detach(key, flight);
    });
    detached.values().forEach(flights -> flights.forEach(mark));
  }

  private void forEachRunning(Object key, Consumer<Flight> action) {
    Flight flight = joinable.get(key);
    if (flight != null) {
      action.accept(flight);
    }
    Set<Flight> others = detached.get(key);
    if (others != null) {
      others.forEach(action);
    }
  }

  /** Keys being loaded now, joinable or not. */
  int size() {
    int size = joinable.size();
    for (Object key : detached.keySet()) {
      if (!joinable.containsKey(key)) {
        size++;
      }
    }
    return size;
  }

  /** The keys whose joinable load is under way (for administrative lookups). */
  Set<Object> keys() {
    return joinable.keySet();
  }
}
