package io.coalesce.autoconfigure;

import io.coalesce.autoconfigure.internal.CoalesceHealth;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of Coalesce on Spring Boot 4, under the name {@code coalesce}: {@code UP}, or
 * {@link #DEGRADED} (never {@code DOWN}) when Redis does not answer, since callers are still served
 * from L1 and the loaders. See {@link CoalesceHealth}.
 */
public class CoalesceHealthIndicator implements HealthIndicator {

  /** Serving, without the shared tier: HTTP 200 unless the application maps it otherwise. */
  public static final Status DEGRADED = new Status(CoalesceHealth.DEGRADED, CoalesceHealth.DEGRADED_DESCRIPTION);

  private final CoalesceHealth health;

  public CoalesceHealthIndicator(CoalesceHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    CoalesceHealth.Report report = health.check();
    return Health.status(report.degraded() ? DEGRADED : Status.UP).withDetails(report.details()).build();
  }
}
