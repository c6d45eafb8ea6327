package io.coalesce.core;

import java.lang.reflect.Method;
import java.util.List;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * The stable string form of a cache key, used in Redis key names and in invalidation messages, so
 * that every instance names a key the same way:
 *
 * <ul>
 *   <li>{@code String}: itself;
 *   <li>numbers, booleans, characters, {@code UUID}: {@code toString()}; enums: {@code name()};
 *   <li>{@link CompositeKey}: its parts formatted and joined by {@code ','}, with {@code '%'} and
 *       {@code ','} inside a part escaped as {@code %25} and {@code %2C}, and a {@code null} part as
 *       {@code %N};
 *   <li>anything else: its own {@code toString()}, which must be overridden (a record's is):
 *       {@code Object}'s identity-based form would differ between instances.
 * </ul>
 */
public final class KeyFormat {

  private static final ClassValue<Boolean> HAS_OWN_TO_STRING = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      try {
        Method toString = type.getMethod("toString");
        return toString.getDeclaringClass() != Object.class;
      } catch (NoSuchMethodException e) {
        return false;
      }
    }
  };

  /**
   * A {@code null} part: {@code %N} cannot come from {@link #escape} (which turns every {@code '%'}
   * into {@code %25}), so it names no text.
   */
  private static final String NULL_PART = "%N";

  private KeyFormat() {}

  /**
   * @throws IllegalArgumentException when the key has no stable string form
   */
  public static String format(Object key) {
    if (key instanceof String s) {
      return s;
    }
    if (key instanceof CompositeKey composite) {
      List<Object> parts = composite.parts();
      StringJoiner joined = new StringJoiner(",");
      for (Object part : parts) {
        joined.add(part == null ? NULL_PART : escape(format(part)));
      }
      return joined.toString();
    }
    if (key instanceof Number || key instanceof Boolean || key instanceof Character || key instanceof UUID) {
      return key.toString();
    }
    if (key instanceof Enum<?> e) {
      return e.name();
    }
    if (!HAS_OWN_TO_STRING.get(key.getClass())) {
      throw new IllegalArgumentException("Cache key of type " + key.getClass().getName()
          + " has no stable string form (it does not override toString()). Use a key expression that "
          + "yields a String, number or record (e.g. key = \"#p.id\"), or override toString().");
    }
    return key.toString();
  }

  private static String escape(String part) {
    if (part.indexOf('%') < 0 && part.indexOf(',') < 0) {
      return part;
    }
    return part.replace("%", "%25").replace(",", "%2C");
  }
}
