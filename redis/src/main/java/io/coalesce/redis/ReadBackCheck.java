package io.coalesce.redis;

import io.coalesce.core.CacheEntry;
import java.lang.reflect.Type;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.NestedExceptionUtils;

/**
 * Makes a JSON codec refuse to encode a value it could not read back, so that such a value is served
 * and kept in L1 but never written to Redis, where every read would be a miss and every load would
 * write it again. The usual cause: a property declared polymorphic by class name
 * ({@code @JsonTypeInfo(use = CLASS)}) holding a class that {@code coalesce.redis.trusted-packages}
 * does not list. The first value of each class written under each type is read back once; a class
 * whose value read back is not checked again (a hit-free cost: writes only), one whose value did not
 * is checked at every write (a later value may name only trusted classes). Thread-safe.
 */
final class ReadBackCheck {

  /** What is read back: the bytes, as the codec's {@code decode} would read them from Redis. */
  @FunctionalInterface
  interface Decoder {
    CacheEntry decode(byte[] bytes, Type type);
  }

  private record Written(Type type, Class<?> valueClass) {}

  private final Set<Written> readBack = ConcurrentHashMap.newKeySet();
  private final TrustedTypes trusted;

  ReadBackCheck(TrustedTypes trusted) {
    this.trusted = trusted;
  }

  /** {@code bytes}, the encoding of {@code value} as {@code type}, once it is known to read back. */
  byte[] readable(Object value, Type type, byte[] bytes, Decoder decoder) {
    Written written = new Written(type, value.getClass());
    if (readBack.contains(written)) {
      return bytes;
    }
    try {
      decoder.decode(bytes, type);
    } catch (RuntimeException e) {
      throw new UnreadableValueException(message(value.getClass(), type, e), e);
    }
    readBack.add(written);
    return bytes;
  }

  private String message(Class<?> valueClass, Type type, RuntimeException error) {
    String cause = rootMessage(error);
    if (cause.contains("PolymorphicTypeValidator")) {
      return "A value of " + valueClass.getName() + " names, in a property declared polymorphic by class name "
          + "(@JsonTypeInfo(use = CLASS)), a class outside coalesce.redis.trusted-packages (" + trusted + "), so it "
          + "could not be read back and is not written to Redis: add that class's package to "
          + "coalesce.redis.trusted-packages. (" + cause + ")";
    }
    return "A value of " + valueClass.getName() + " written as JSON cannot be read back as " + type.getTypeName()
        + ", so it is not written to Redis: make the type readable by Jackson (a creator, or a no-argument "
        + "constructor) or define an EntryCodec bean. (" + cause + ")";
  }

  private static String rootMessage(Throwable error) {
    Throwable root = NestedExceptionUtils.getMostSpecificCause(error);
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
