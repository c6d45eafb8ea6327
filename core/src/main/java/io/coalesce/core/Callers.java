package io.coalesce.core;

import io.coalesce.core.CacheListener.GetResult;
import io.coalesce.core.CacheListener.LoadOutcome;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The callers' side of a flight: starting one (it leaves the in-flight map when it ends, and is
 * bounded by {@code load-timeout}), waiting for one as its leader or a follower, synchronously or
 * not, and turning its outcome into what a caller gets.
 *
 * <p>A flight's timer fires {@code load-timeout} after it was led: its callers are released
 * ({@link LoadTimeoutException}), it stops being joinable (the next caller starts a new load), its
 * bulkhead slot is freed, and the timeout is recorded once. The load itself goes on; it stays
 * reachable by writes, so it still cannot store a value a write replaced, for as long as its write-back
 * could succeed ({@code lock.lease} past the timeout), after which it is superseded outright.
 */
final class Callers {

  private static final System.Logger LOG = System.getLogger(Callers.class.getName());

  private final String name;
  private final CacheSettings settings;
  private final SingleFlight flights;
  private final CacheListener listener;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;

  Callers(String name, CacheSettings settings, SingleFlight flights, CacheListener listener, Clock clock,
      ScheduledExecutorService scheduler) {
    this.name = name;
    this.clock = clock;
    this.settings = settings;
    this.flights = flights;
    this.listener = listener;
    this.scheduler = scheduler;
  }

  /**
   * {@code flight} was just led for {@code key}: it leaves the in-flight map when it ends (a flight
   * released by its timer, when its load ends). Its timer is armed apart ({@link #arm}), on the thread
   * that does the leader's work: arming takes the scheduler's queue lock, which an asynchronous
   * caller's thread (an event loop) must not.
   */
  void begin(Object key, Flight flight) {
    flight.result.whenComplete((entry, error) -> {
      if (!flight.hasTimedOut()) {
        flights.end(key, flight);
      }
    });
  }

  /** Starts {@code flight}'s {@code load-timeout} timer. */
  void arm(Object key, Flight flight) {
    flight.armTimeout(scheduler, settings.loadTimeout().toNanos(), () -> timeOut(key, flight));
  }

  /** What the flight's timer does when it fires; done at most once ({@link Flight#timeOut}). */
  private void timeOut(Object key, Flight flight) {
    flight.timeOut(() -> timedOut(key, flight), () -> flight.result.completeExceptionally(new TimeoutException()));
  }

  /**
   * Waits for another caller's flight: a miss that shared a load. Returns {@code null} when that
   * flight was abandoned before its load started: the caller starts over.
   */
  CacheEntry follow(Object key, Flight running) {
    CacheEntry stale = running.servableRefreshed(clock.millis());
    if (stale != null) {
      listener.onGet(GetResult.STALE); // its L1 copy was dropped meanwhile: the refresh serves it still
      return stale;
    }
    listener.onGet(GetResult.MISS);
    listener.onCoalesced();
    try {
      return running.result.get(settings.loadTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (Flight.isAbandoned(e.getCause())) {
        return null;
      }
      throw sneakyThrow(translate(key, LoadRunner.unwrap(e.getCause())));
    } catch (TimeoutException e) {
      timeOut(key, running); // what its timer, due by now or not armed yet, does: recorded once, slot freed, detached
      throw new LoadTimeoutException(name, key, settings.loadTimeout());
    } catch (InterruptedException e) {
      throw interrupted(key, e);
    }
  }

  /** An asynchronous caller's view of another caller's flight; cancelling it never cancels the flight. */
  CompletableFuture<CacheEntry> followAsync(Flight running) {
    CacheEntry stale = running.servableRefreshed(clock.millis());
    if (stale != null) {
      listener.onGet(GetResult.STALE);
      return CompletableFuture.completedFuture(stale);
    }
    listener.onGet(GetResult.MISS);
    listener.onCoalesced();
    return running.result.copy();
  }

  /**
   * The synchronous leader's own outcome, once its work has returned: the load ran on its thread, so
   * it is settled (it gets what its loader returned even if the flight's timer released the others
   * first), or the flight was completed without a load.
   */
  CacheEntry awaitLeader(Object key, Flight flight) {
    CompletableFuture<CacheEntry> outcome = flight.settled.isDone() ? flight.settled : flight.result;
    try {
      return outcome.get(settings.loadTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new LoadTimeoutException(name, key, settings.loadTimeout());
    } catch (ExecutionException e) {
      throw sneakyThrow(translate(key, LoadRunner.unwrap(e.getCause())));
    } catch (InterruptedException e) {
      throw interrupted(key, e);
    }
  }

  /** What a caller gets for a flight's failure: a {@link TimeoutException} of the timer as {@link LoadTimeoutException}. */
  Throwable translate(Object key, Throwable error) {
    return error instanceof TimeoutException
        ? new LoadTimeoutException(name, key, settings.loadTimeout())
        : error;
  }

  /**
   * The flight's timer fired: the flight is recorded as timed out and is no longer joinable, and, a
   * lease later, superseded outright if its load still runs (its write-back could not succeed by
   * then anyway), so that it no longer needs to be reachable by writes.
   */
  private void timedOut(Object key, Flight flight) {
    flights.detach(key, flight);
    if (flight.claimRecord()) {
      listener.onLoad(LoadOutcome.TIMEOUT, settings.loadTimeout().toNanos());
    }
    LOG.log(Level.WARNING, () -> "Load of key '" + key + "' in cache '" + name
        + "' is still running after load-timeout " + settings.loadTimeout()
        + "; its callers were released with LoadTimeoutException and its load slot freed");
    flight.settled.whenComplete((entry, error) -> flights.end(key, flight));
    try {
      scheduler.schedule(() -> {
        flight.supersede();
        flights.end(key, flight);
      }, settings.lock().lease().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shutDown) {
      // it stays reachable by writes until it ends
    }
  }

  private CoalesceException interrupted(Object key, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new CoalesceException("Interrupted while waiting for the load of key '" + key
        + "' in cache '" + name + "'; the load goes on for the other callers", e);
  }

  @SuppressWarnings("unchecked")
  static <E extends Throwable> RuntimeException sneakyThrow(Throwable t) throws E {
    throw (E) t;
  }
}
