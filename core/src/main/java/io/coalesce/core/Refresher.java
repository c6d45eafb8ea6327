package io.coalesce.core;

import io.coalesce.core.CacheListener.RefreshTrigger;
import io.coalesce.core.RemoteTier.Read;
import java.lang.System.Logger.Level;
import java.lang.reflect.Type;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Background refreshes, stale or early: one per key in this JVM (a flight of its own, which readers
 * of the old value do not wait for), run on the executor. A refresh first looks at the shared tier,
 * where another instance may already have stored a newer value; otherwise it goes through the cluster
 * lock (waiting for the instance that holds it, on its pool thread, while callers are served the old
 * value) to the load.
 */
final class Refresher {

  private static final System.Logger LOG = System.getLogger(Refresher.class.getName());

  private final String name;
  private final LocalStore l1;
  private final RemoteTier remote;
  private final SingleFlight flights;
  private final Callers callers;
  private final Leader leader;
  private final LoadRunner runner;
  private final CacheListener listener;
  private final Clock clock;
  private final Executor executor;

  Refresher(String name, LocalStore l1, RemoteTier remote, SingleFlight flights, Callers callers, Leader leader,
      LoadRunner runner, CacheListener listener, Clock clock, Executor executor) {
    this.name = name;
    this.l1 = l1;
    this.remote = remote;
    this.flights = flights;
    this.callers = callers;
    this.leader = leader;
    this.runner = runner;
    this.listener = listener;
    this.clock = clock;
    this.executor = executor;
  }

  /** Starts one refresh of {@code current} unless a load of the key is already under way. */
  void refresh(Object key, Type type, Load load, CacheEntry current, RefreshTrigger trigger) {
    Flight mine = new Flight(current);
    if (flights.joinOrLead(key, mine) != null) {
      return; // a load of this key is already under way
    }
    callers.begin(key, mine);
    long now = clock.millis();
    CacheEntry latest = l1.get(key, now);
    if (latest != null && latest != current && latest.isFresh(now)) {
      Leader.complete(mine, latest); // a load that ended after this caller's read already refreshed it
      return;
    }
    listener.onRefresh(trigger);
    try {
      executor.execute(() -> run(key, type, mine, load, current));
    } catch (RejectedExecutionException e) {
      mine.abandon(); // a caller that joined it starts a load of its own
      LOG.log(Level.DEBUG, () -> "Refresh of key '" + key + "' in cache '" + name
          + "' was rejected by the refresh executor; the next read retries");
    }
  }

  /**
   * Whether the shared tier's entry replaces {@code current} without a load: a later load, or the same
   * load whose copy here was made stale early by the "loaded" message of that very load (it arrived
   * after this instance had read the value; see {@link LocalStore#loadedElsewhere}).
   */
  private static boolean fresherThan(CacheEntry theirs, CacheEntry current) {
    return theirs.writtenAt() > current.writtenAt()
        || (theirs.writtenAt() == current.writtenAt() && theirs.expiresAt() > current.expiresAt());
  }

  private void run(Object key, Type type, Flight mine, Load load, CacheEntry current) {
    callers.arm(key, mine); // here, not on the reader's thread (an event loop, maybe)
    try {
      Read shared = remote.read(key.toString(), type);
      flights.read(key, mine, leader.versionRead(shared));
      CacheEntry theirs = shared.entry();
      if (theirs != null && fresherThan(theirs, current) && theirs.isFresh(clock.millis())) {
        l1.store(key, theirs, shared.version(), mine); // another instance already refreshed it
        Leader.complete(mine, theirs);
      } else if (shared.foreign()) {
        runner.run(key, type, mine, load, current, null, false);
      } else {
        leader.loadUnderLock(key, type, mine, load, current, true, null);
      }
    } catch (Throwable t) {
      Leader.fail(mine, t);
    }
  }
}
