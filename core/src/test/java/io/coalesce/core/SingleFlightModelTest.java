package io.coalesce.core;

import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * The single flight and a flight's life, model-checked: Lincheck runs reads and writes of one key
 * from several threads in every interleaving it can reach (switching threads at each shared-memory
 * access of {@link SingleFlight} and {@link Flight}), and checks that every outcome is one some
 * sequential order of the same calls would give.
 *
 * <p>A read leads a flight (reads the row, completes the flight, ends it) or joins the flight under
 * way and takes its value; a write changes the row and, as {@link Writes} does, supersedes the
 * flights under way before and after. Linearizability here is the guarantee itself: a read that
 * starts after a write returned never gets a row read before it, although reads that overlap one
 * load share it. A flight released by its timer ({@code load-timeout}) stops being joinable, so the
 * next read leads.
 */
public class SingleFlightModelTest {

  private static final String KEY = "k";

  private final SingleFlight flights = new SingleFlight();
  private final AtomicInteger row = new AtomicInteger();

  /** A read through the single flight. */
  @Operation
  public int read() {
    Flight mine = new Flight();
    Flight running = flights.joinOrLead(KEY, mine);
    if (running != null) {
      return (int) running.result.join().value();
    }
    int read = row.get();
    mine.result.complete(new CacheEntry(read, 0, 1, 1, 0));
    flights.end(KEY, mine);
    return read;
  }

  /** A write of the row, superseding the loads under way before and after it, as a put or evict does. */
  @Operation
  public void write() {
    flights.supersede(KEY);
    row.incrementAndGet();
    flights.supersede(KEY);
  }

  /** The timer of whatever flight is joinable now fires: the next read starts a load of its own. */
  @Operation
  public void timeOut() {
    Flight running = flights.joinable(KEY);
    if (running != null) {
      flights.detach(KEY, running);
    }
  }

  /**
   * Once every call has returned, nothing is left in flight: a flight leaves the maps when it ends,
   * whether it was joinable or detached by its timer meanwhile. (Not an operation: the size of a
   * {@code ConcurrentHashMap} lags a removal under way, so it is checked when the threads are done.)
   */
  @Validate
  public void nothingIsLeftInFlight() {
    if (flights.size() != 0) {
      throw new IllegalStateException(flights.size() + " keys still in flight after every read returned");
    }
  }

  @Test
  void readsThroughTheSingleFlightAreLinearizableWithWrites() {
    new ModelCheckingOptions()
        .iterations(30)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(2)
        .check(getClass());
  }
}
