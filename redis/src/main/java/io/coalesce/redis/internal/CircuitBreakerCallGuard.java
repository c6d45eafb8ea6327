package io.coalesce.redis.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A Resilience4j {@link CircuitBreaker} in front of the Redis tier. While it is open, Redis commands
 * are skipped at once and callers are served from L1 and the loaders. It logs one WARNING when it
 * opens and one INFO when it closes again, never a line per call (a failed half-open probe that
 * re-opens it is not news, and neither is the first opening when Redis has not answered since
 * start-up: that is logged at INFO). A write Redis refuses for want of memory does not count against
 * it: Redis answered, and its reads still serve ({@link RedisCallGuard#refusesWrites}).
 */
public final class CircuitBreakerCallGuard implements RedisCallGuard {

  /** The breaker's instance name, so that {@code resilience4j.circuitbreaker.instances.coalesce-redis.*} applies. */
  public static final String NAME = "coalesce-redis";

  private static final System.Logger LOG = System.getLogger(CircuitBreakerCallGuard.class.getName());

  private final CircuitBreaker breaker;
  private volatile BooleanSupplier answered = () -> true;

  public CircuitBreakerCallGuard(CircuitBreaker breaker) {
    this.breaker = breaker;
    breaker.getEventPublisher().onStateTransition(event -> {
      State from = event.getStateTransition().getFromState();
      State to = event.getStateTransition().getToState();
      LOG.log(Level.DEBUG, () -> "Circuit breaker '" + breaker.getName() + "': " + from + " -> " + to + " ("
          + breaker.getMetrics().getNumberOfFailedCalls() + " failed, " + breaker.getMetrics().getNumberOfSlowCalls()
          + " slow of " + breaker.getMetrics().getNumberOfBufferedCalls() + ")");
      if (to == State.OPEN && from == State.CLOSED) {
        // A Redis that never answered was reported at start-up: the opening is then no news.
        LOG.log(answered.getAsBoolean() ? Level.WARNING : Level.INFO, "Circuit breaker '" + breaker.getName()
            + "' opened: Redis is failing (" + breaker.getMetrics().getNumberOfFailedCalls() + " of the last "
            + breaker.getMetrics().getNumberOfBufferedCalls() + " calls failed or were slow); Coalesce "
            + "skips Redis and serves from L1 and the loaders, probing again after "
            + breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1)
            + " ms, or as soon as a PING is answered");
      } else if (to == State.CLOSED && from != State.CLOSED) {
        LOG.log(Level.INFO, "Circuit breaker '" + breaker.getName() + "' closed: Redis answers again; "
            + "Coalesce uses the shared tier again");
      }
    });
  }

  /**
   * Defaults for when the application configures no {@code coalesce-redis} instance: judged over the
   * last 20 calls (at least 10), open at 50% failures or calls slower than {@code slowCall}, probe
   * again after 5 s with 3 calls.
   */
  public static CircuitBreakerConfig defaultConfig(Duration slowCall) {
    return CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(20)
        .minimumNumberOfCalls(10)
        .failureRateThreshold(50)
        .slowCallDurationThreshold(slowCall)
        .slowCallRateThreshold(80)
        .waitDurationInOpenState(Duration.ofSeconds(5))
        .permittedNumberOfCallsInHalfOpenState(3)
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .build();
  }

  /**
   * Runs {@code command} as the breaker's {@code executeSupplier} does, but records a write Redis
   * refused for want of memory as an answer, whatever the breaker's own {@code ignoreExceptions} and
   * {@code recordExceptions} say, and records an {@link Error} as a failure (which releases a
   * half-open permit that {@code executeSupplier} would keep).
   */
  @Override
  public <T> T call(Supplier<T> command) {
    if (!breaker.tryAcquirePermission()) {
      throw new RedisSkippedException("Circuit breaker '" + breaker.getName() + "' is "
          + breaker.getState() + "; Redis command skipped");
    }
    long start = breaker.getCurrentTimestamp();
    try {
      T result = command.get();
      breaker.onResult(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit(), result);
      return result;
    } catch (Throwable e) {
      record(breaker.getTimestampUnit().toNanos(breaker.getCurrentTimestamp() - start), e);
      throw e;
    }
  }

  /** A write Redis refused for want of memory is recorded as a success: Redis answered (see {@link RedisCallGuard#refusesWrites}). */
  @Override
  public void record(long nanos, Throwable error) {
    if (error == null || RedisCallGuard.refusesWrites(error)) {
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    } else {
      breaker.onError(nanos, TimeUnit.NANOSECONDS, error);
    }
  }

  @Override
  public boolean isAvailable() {
    State state = breaker.getState();
    return state == State.CLOSED || state == State.HALF_OPEN || state == State.DISABLED
        || state == State.METRICS_ONLY;
  }

  @Override
  public boolean isSettled() {
    State state = breaker.getState();
    return state == State.CLOSED || state == State.DISABLED || state == State.METRICS_ONLY;
  }

  /**
   * Redis answered a probe while the breaker was open: half-open at once rather than after the whole
   * wait in the open state, so that a Redis that is back is used again within a probe interval.
   */
  @Override
  public void probeSucceeded() {
    if (breaker.getState() == State.OPEN) {
      try {
        breaker.transitionToHalfOpenState();
      } catch (IllegalStateException raced) {
        // another thread moved it meanwhile: fine
      }
    }
  }

  @Override
  public void answeredSinceStartUp(BooleanSupplier answered) {
    this.answered = answered;
  }

  @Override
  public String state() {
    return breaker.getState().name();
  }

  public CircuitBreaker breaker() {
    return breaker;
  }
}
