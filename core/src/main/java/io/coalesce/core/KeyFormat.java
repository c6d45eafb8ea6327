package io.coalesce.core;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The string form of a cache key, used in Redis key names, in invalidation messages and by the
 * actuator endpoint, so that every instance names a key the same way. It is <em>injective</em> for
 * keys of one type: two keys that are not {@code equals} never share a form (and so never share an
 * entry), and equal keys always have the same one.
 *
 * <ul>
 *   <li>{@code String}: itself (any Java string: Redis key names are written so that even a lone
 *       surrogate keeps its own name);
 *   <li>numbers, booleans, characters, {@code UUID}: {@code toString()}; enums: {@code name()};
 *   <li>a record: {@code Name(c1,c2,...)}, its simple name and its components' forms;
 *   <li>a list, another ordered collection, or an array: {@code [n:e1,e2,...]}, with its size
 *       ({@code [0:]} is empty, {@code [1:]} holds an empty string);
 *   <li>a set: {@code {n:e1,e2,...}}, the elements' forms sorted, so that equal sets agree whatever
 *       their iteration order;
 *   <li>a map: {@code <n:k1=v1,k2=v2,...>}, sorted by the keys' forms;
 *   <li>{@link CompositeKey} (a method's arguments): the arguments' forms joined by {@code ','};
 *   <li>{@code null}, inside a record, collection, map or composite key: {@code %N};
 *   <li>anything else: its own {@code toString()}, which must be overridden and tell unequal keys
 *       apart: {@code Object}'s identity-based form would differ between instances.
 * </ul>
 *
 * Inside a record, collection, map or composite key, the characters that give the form its structure,
 * {@code % , [ ] { } < > ( ) =}, are written {@code %XX} in a text; {@code %N} (null) cannot come
 * from a text. At the top level a text is written as it is. So {@code List.of("a, b")} is
 * {@code [1:a%2C b]} and {@code List.of("a", "b")} is {@code [2:a,b]}. The form does not carry the
 * type of a scalar: {@code 42}, {@code 42L} and {@code "42"} are all {@code 42}, so the keys of one
 * cache should be of one type (a method's key expression gives them one).
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

  /** A record's accessors, made accessible once per class (a record key's form reads them on every call). */
  private static final ClassValue<Method[]> ACCESSORS = new ClassValue<>() {
    @Override
    protected Method[] computeValue(Class<?> type) {
      RecordComponent[] components = type.getRecordComponents();
      Method[] accessors = new Method[components.length];
      for (int i = 0; i < components.length; i++) {
        accessors[i] = components[i].getAccessor();
        try {
          accessors[i].setAccessible(true);
        } catch (RuntimeException e) {
          // a public record's public accessor needs no unlocking
        }
      }
      return accessors;
    }
  };

  /** A {@code null} part: {@code %N} cannot come from an escaped text (every {@code '%'} is {@code %25}). */
  private static final String NULL_PART = "%N";

  /** Deeper nesting than this is refused: a key that deep is a mistake (or a cycle). */
  private static final int MAX_DEPTH = 32;

  private KeyFormat() {}

  /**
   * @throws IllegalArgumentException when the key has no stable string form
   */
  public static String format(Object key) {
    if (key instanceof String s) {
      return s;
    }
    if (key instanceof CompositeKey composite) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < composite.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        part(composite.part(i), out, 1);
      }
      return out.toString();
    }
    if (isScalar(key)) {
      return scalar(key);
    }
    Class<?> type = key.getClass();
    if (!type.isRecord() && !type.isArray() && !(key instanceof Collection<?>) && !(key instanceof Map<?, ?>)
        && HAS_OWN_TO_STRING.get(type)) {
      return key.toString(); // at the top level, as a text is
    }
    StringBuilder out = new StringBuilder();
    structure(key, out, 0);
    return out.toString();
  }

  /**
   * Whether keys of {@code type} have a stable string form (checked at start-up for the argument
   * types that serve as keys): a type whose instances would be named by {@code Object}'s
   * identity-based {@code toString()} does not. Interfaces and {@code Object} itself are given the
   * benefit of the doubt: their instances are checked when they are formatted.
   */
  public static boolean hasStableForm(Class<?> type) {
    if (type.isPrimitive() || type.isInterface() || type == Object.class || type.isArray() || type.isRecord()
        || type.isEnum() || Number.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)
        || Map.class.isAssignableFrom(type) || type == String.class || type == Boolean.class
        || type == Character.class || type == UUID.class || type == CompositeKey.class) {
      return true;
    }
    return java.lang.reflect.Modifier.isAbstract(type.getModifiers()) || HAS_OWN_TO_STRING.get(type);
  }

  private static boolean isScalar(Object key) {
    return key instanceof Number || key instanceof Boolean || key instanceof Character || key instanceof UUID
        || key instanceof Enum<?>;
  }

  private static String scalar(Object key) {
    return key instanceof Enum<?> e ? e.name() : key.toString();
  }

  /** One part of a structure: {@code null}, an escaped text, or a nested structure. */
  private static void part(Object value, StringBuilder out, int depth) {
    if (value == null) {
      out.append(NULL_PART);
    } else if (value instanceof String s) {
      escape(s, out);
    } else if (isScalar(value)) {
      escape(scalar(value), out);
    } else if (value instanceof CompositeKey composite) {
      structure(composite.parts(), out, depth);
    } else {
      structure(value, out, depth);
    }
  }

  private static void structure(Object value, StringBuilder out, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("Cache key nests deeper than " + MAX_DEPTH
          + " levels (a cycle?); use a key expression that yields a flat value");
    }
    Class<?> type = value.getClass();
    if (type.isRecord()) {
      out.append(type.getSimpleName()).append('(');
      Method[] accessors = ACCESSORS.get(type);
      for (int i = 0; i < accessors.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        part(read(accessors[i], value), out, depth + 1);
      }
      out.append(')');
    } else if (type.isArray()) {
      int length = Array.getLength(value);
      out.append('[').append(length).append(':');
      for (int i = 0; i < length; i++) {
        if (i > 0) {
          out.append(',');
        }
        part(Array.get(value, i), out, depth + 1);
      }
      out.append(']');
    } else if (value instanceof Set<?> set) {
      sorted(set, '{', '}', out, depth);
    } else if (value instanceof Collection<?> collection) {
      out.append('[').append(collection.size()).append(':');
      boolean first = true;
      for (Object element : collection) {
        if (!first) {
          out.append(',');
        }
        first = false;
        part(element, out, depth + 1);
      }
      out.append(']');
    } else if (value instanceof Map<?, ?> map) {
      List<String> entries = new ArrayList<>(map.size());
      for (Map.Entry<?, ?> e : map.entrySet()) {
        StringBuilder entry = new StringBuilder();
        part(e.getKey(), entry, depth + 1);
        entry.append('=');
        part(e.getValue(), entry, depth + 1);
        entries.add(entry.toString());
      }
      entries.sort(null); // the key's form comes first and holds no unescaped '='
      out.append('<').append(map.size()).append(':').append(String.join(",", entries)).append('>');
    } else if (HAS_OWN_TO_STRING.get(type)) {
      escape(value.toString(), out);
    } else {
      throw new IllegalArgumentException("Cache key of type " + type.getName()
          + " has no stable string form (it does not override toString()). Use a key expression that "
          + "yields a String, number or record (e.g. key = \"#p.id\"), or override toString().");
    }
  }

  private static void sorted(Collection<?> elements, char open, char close, StringBuilder out, int depth) {
    List<String> forms = new ArrayList<>(elements.size());
    for (Object element : elements) {
      StringBuilder form = new StringBuilder();
      part(element, form, depth + 1);
      forms.add(form.toString());
    }
    forms.sort(null);
    out.append(open).append(elements.size()).append(':').append(String.join(",", forms)).append(close);
  }

  private static Object read(Method accessor, Object record) {
    try {
      return accessor.invoke(record);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException("Cannot read component '" + accessor.getName() + "' of the cache key "
          + record.getClass().getName() + ": " + e, e);
    }
  }

  /** Appends {@code text} with the structural characters written {@code %XX}. */
  private static void escape(String text, StringBuilder out) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '%', ',', '[', ']', '{', '}', '<', '>', '(', ')', '=' ->
            out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
        default -> out.append(c);
      }
    }
  }
}
