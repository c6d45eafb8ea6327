package io.coalesce.spring;

import java.time.Instant;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Date;

/**
 * The value of {@code @CoalescedPut(version = ...)} as the number the cache orders puts by: a
 * number as it is (an entity's {@code @Version} counter), a point in time in microseconds since the
 * epoch (an {@code Instant}, a {@code java.util.Date} or {@code Timestamp}, an {@code OffsetDateTime}).
 */
final class DataVersions {

  private DataVersions() {}

  static long of(Object version, CacheOperation put) {
    if (version instanceof Number n) {
      return n.longValue();
    }
    if (version instanceof Date date) {
      return Math.multiplyExact(date.getTime(), 1_000L);
    }
    if (version instanceof TemporalAccessor time && time.isSupported(ChronoField.INSTANT_SECONDS)) {
      Instant instant = Instant.from(time);
      return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }
    throw new IllegalArgumentException("The version of @CoalescedPut in cache '" + put.cacheName() + "' is "
        + (version == null ? "null" : "a " + version.getClass().getName()) + "; it must be a number (an entity's "
        + "@Version) or an instant (Instant, Date, Timestamp, OffsetDateTime): fix its version expression");
  }
}
