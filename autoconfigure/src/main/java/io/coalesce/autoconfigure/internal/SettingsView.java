package io.coalesce.autoconfigure.internal;

import io.coalesce.core.CacheSettings;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@link CacheSettings} as it would be written in {@code application.yml}: kebab-case names, nested
 * parts as nested maps, durations as {@code 10m} or {@code 500ms}, enums in lower case. Derived from
 * the records themselves, so a new setting appears without being listed here; the actuator endpoint
 * shows it and the build writes the defaults into the configuration metadata from it.
 */
public final class SettingsView {

  private SettingsView() {}

  /** The settings as nested maps, keyed like the properties under {@code coalesce.defaults}. */
  public static Map<String, Object> of(CacheSettings settings) {
    return render(settings);
  }

  private static Map<String, Object> render(Record record) {
    Map<String, Object> view = new LinkedHashMap<>();
    for (RecordComponent component : record.getClass().getRecordComponents()) {
      Object value;
      try {
        value = component.getAccessor().invoke(record);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("Cannot read setting " + component.getName(), e);
      }
      view.put(propertyName(component.getName()), value(value));
    }
    return view;
  }

  private static Object value(Object value) {
    if (value instanceof Record part) {
      return render(part);
    }
    if (value instanceof Duration duration) {
      return text(duration);
    }
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT);
    }
    return value;
  }

  /**
   * {@code staleIfErrorMaxAge} → {@code stale-if-error-max-age}. The one exception is the lock's
   * {@code waitTime}, the property {@code lock.wait}: {@code wait} cannot name a record component.
   */
  static String propertyName(String component) {
    if (component.equals("waitTime")) {
      return "wait";
    }
    StringBuilder name = new StringBuilder(component.length() + 4);
    for (char c : component.toCharArray()) {
      if (Character.isUpperCase(c)) {
        name.append('-').append(Character.toLowerCase(c));
      } else {
        name.append(c);
      }
    }
    return name.toString();
  }

  /** A duration as it would be written in {@code application.yml}: {@code 10m}, {@code 500ms}, {@code 0s}. */
  public static String text(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
