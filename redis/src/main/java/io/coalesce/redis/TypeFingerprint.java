package io.coalesce.redis;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * A 32-bit fingerprint of a value type's shape, written into every entry ({@link Envelope}): its name,
 * and, for an application's own classes, its fields (or record components) with their types, to a
 * few levels; for an enum, its constants. Two instances with the same classes agree on it; an
 * instance whose class gained, lost or changed a field does not. It decides nothing while an entry
 * decodes: only when it does not, whether the entry is corrupt (same fingerprint: deleted) or was
 * written by an instance with another version of the type (kept for the instances that read it).
 */
final class TypeFingerprint {

  private static final int MAX_DEPTH = 4;
  private static final Map<Type, Integer> CACHE = new ConcurrentHashMap<>();

  private TypeFingerprint() {}

  static int of(Type type) {
    return CACHE.computeIfAbsent(type, t -> {
      StringBuilder shape = new StringBuilder();
      describe(t, shape, 0, new HashSet<>());
      CRC32 crc = new CRC32();
      crc.update(shape.toString().getBytes(StandardCharsets.UTF_8));
      return (int) crc.getValue();
    });
  }

  private static void describe(Type type, StringBuilder out, int depth, Set<Class<?>> seen) {
    if (type instanceof ParameterizedType p) {
      describe(p.getRawType(), out, depth, seen);
      out.append('<');
      for (Type argument : p.getActualTypeArguments()) {
        describe(argument, out, depth + 1, seen);
        out.append(',');
      }
      out.append('>');
    } else if (type instanceof GenericArrayType a) {
      describe(a.getGenericComponentType(), out, depth, seen);
      out.append("[]");
    } else if (type instanceof Class<?> c) {
      describeClass(c, out, depth, seen);
    } else {
      out.append('?'); // a type variable or wildcard: its bound is not the writer's concern
    }
  }

  private static void describeClass(Class<?> c, StringBuilder out, int depth, Set<Class<?>> seen) {
    if (c.isArray()) {
      describe(c.getComponentType(), out, depth, seen);
      out.append("[]");
      return;
    }
    out.append(c.getName());
    if (c.isPrimitive() || c.getName().startsWith("java.") || c.getName().startsWith("javax.")
        || depth >= MAX_DEPTH || !seen.add(c)) {
      return;
    }
    if (c.isEnum()) {
      out.append('{');
      for (Object constant : c.getEnumConstants()) {
        out.append(((Enum<?>) constant).name()).append(',');
      }
      out.append('}');
      return;
    }
    out.append('{');
    for (Member member : members(c)) {
      out.append(member.name()).append(':');
      describe(member.type(), out, depth + 1, seen);
      out.append(';');
    }
    out.append('}');
    seen.remove(c);
  }

  private record Member(String name, Type type) {}

  private static List<Member> members(Class<?> c) {
    List<Member> members = new ArrayList<>();
    if (c.isRecord()) {
      for (RecordComponent component : c.getRecordComponents()) {
        members.add(new Member(component.getName(), component.getGenericType()));
      }
      return members;
    }
    for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
      for (Field field : k.getDeclaredFields()) {
        int modifiers = field.getModifiers();
        if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers) && !field.isSynthetic()) {
          members.add(new Member(field.getName(), field.getGenericType()));
        }
      }
    }
    members.sort((a, b) -> a.name().compareTo(b.name()));
    return members;
  }
}
