package io.coalesce.core;

import java.time.Duration;

/** The checks of {@link CacheSettings}: each rejects a bad value with the setting's name as written in YAML. */
final class SettingChecks {

  private SettingChecks() {}

  static <T> T required(String setting, T value) {
    if (value == null) {
      throw new InvalidSettingException(setting, "must be set");
    }
    return value;
  }

  static Duration positive(String setting, Duration value) {
    if (required(setting, value).isNegative() || value.isZero()) {
      throw new InvalidSettingException(setting, "must be a positive duration, but was " + value);
    }
    return value;
  }

  static Duration nonNegative(String setting, Duration value) {
    if (required(setting, value).isNegative()) {
      throw new InvalidSettingException(setting, "must not be negative, but was " + value);
    }
    return value;
  }

  static long positive(String setting, long value) {
    if (value <= 0) {
      throw new InvalidSettingException(setting, "must be positive, but was " + value);
    }
    return value;
  }

  static double nonNegative(String setting, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new InvalidSettingException(setting, "must be a finite number >= 0, but was " + value);
    }
    return value;
  }

  static double fraction(String setting, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new InvalidSettingException(setting, "must be in [0, 1), but was " + value);
    }
    return value;
  }
}
