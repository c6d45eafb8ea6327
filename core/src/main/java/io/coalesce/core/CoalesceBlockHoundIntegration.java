package io.coalesce.core;

import java.util.function.Predicate;
import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound that Coalesce's own threads may wait, whatever threads an application marks
 * non-blocking (even all of them): its refresh executor's threads read Redis, wait for another
 * instance's lock and for load slots, and park when idle; its scheduler, Redis probe, subscription
 * and Bloom threads wait by design. They are all named {@code coalesce-*}. Nothing is allowed on any
 * other thread: what Coalesce does on a caller's thread (an L1 hit, joining or handing off a load)
 * never waits, and BlockHound keeps reporting it if it ever did.
 *
 * <p>Loaded by {@code BlockHound.install()} through {@code ServiceLoader}; BlockHound itself is an
 * optional dependency. With {@code BlockHound.builder()}, add it with
 * {@code .with(new CoalesceBlockHoundIntegration())}.
 */
public final class CoalesceBlockHoundIntegration implements BlockHoundIntegration {

  /** The prefix of the name of every thread Coalesce starts. */
  public static final String THREAD_PREFIX = "coalesce-";

  /**
   * Applied last ({@code BlockHound.install()} applies integrations by ascending priority), so that
   * the exemption holds over whatever predicate the application's own integrations set.
   */
  @Override
  public int getPriority() {
    return Integer.MAX_VALUE;
  }

  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.nonBlockingThreadPredicate(CoalesceBlockHoundIntegration::exemptingCoalesceThreads);
  }

  /** {@code nonBlocking}, except on Coalesce's own threads. */
  static Predicate<Thread> exemptingCoalesceThreads(Predicate<Thread> nonBlocking) {
    return nonBlocking.and(thread -> !thread.getName().startsWith(THREAD_PREFIX));
  }
}
