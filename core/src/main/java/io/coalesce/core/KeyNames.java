package io.coalesce.core;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link KeyFormat string form} of the keys of one cache, remembered, so that an L1 hit with a
 * key that is not a {@code String} (a {@code Long}, a {@code UUID}, a record, a composite key of
 * those) allocates nothing: formatting makes a new string every time. Only immutable value keys are
 * remembered. Holds at most {@code capacity}
 * keys; past that it starts again empty (a hot key is formatted again once, then found).
 */
final class KeyNames {

  private final ConcurrentHashMap<Object, String> names = new ConcurrentHashMap<>();
  private final int capacity;

  KeyNames(long capacity) {
    this.capacity = (int) Math.max(16, Math.min(capacity, 1 << 20));
  }

  /** {@code key}'s string form. */
  String of(Object key) {
    if (key instanceof String s) {
      return s;
    }
    if (!isValue(key)) {
      return KeyFormat.format(key); // its string form may change while it stays equal: never remembered
    }
    String name = names.get(key);
    if (name != null) {
      return name;
    }
    name = KeyFormat.format(key);
    if (names.size() >= capacity) {
      names.clear();
    }
    names.put(key, name);
    return name;
  }

  /** How many names are remembered now. */
  int size() {
    return names.size();
  }

  /**
   * Whether {@code key} is an immutable value whose equality decides its string form, so that an
   * equal key found here has the same name: JDK value types, enums, records whose components are all
   * such values, and composite keys of these. A mutable bean with its own {@code toString()} is not:
   * the same instance, changed, would find the name it had before.
   */
  private static boolean isValue(Object key) {
    if (key instanceof CompositeKey composite) {
      for (int i = 0; i < composite.size(); i++) { // not parts(): it copies, and this runs on every hit
        Object part = composite.part(i);
        if (part != null && !isValue(part)) {
          return false;
        }
      }
      return true;
    }
    return VALUE_TYPE.get(key.getClass());
  }

  private static final Set<Class<?>> JDK_VALUES = Set.of(String.class, Long.class, Integer.class, Short.class,
      Byte.class, Character.class, Boolean.class, Double.class, Float.class, UUID.class, BigInteger.class,
      BigDecimal.class);

  private static final ClassValue<Boolean> VALUE_TYPE = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      return isValueType(type, 0);
    }
  };

  private static boolean isValueType(Class<?> type, int depth) {
    if (type.isPrimitive() || JDK_VALUES.contains(type) || Enum.class.isAssignableFrom(type)) {
      return true;
    }
    if (!type.isRecord() || depth > 4) {
      return false;
    }
    for (RecordComponent component : type.getRecordComponents()) {
      if (!isValueType(component.getType(), depth + 1)) {
        return false;
      }
    }
    return true;
  }
}
