package io.coalesce.redis;

import io.coalesce.core.CacheEntry;
import java.lang.reflect.Type;

/**
 * Turns a cache entry into the bytes stored in Redis and back. The default,
 * {@link JacksonEntryCodec}, writes a versioned envelope around a JSON payload; define a bean of
 * this type to use another format.
 *
 * <p>Implementations are thread-safe and must never let stored data choose which classes are
 * instantiated: values are decoded against the declared {@code type} only.
 */
public interface EntryCodec {

  /** The bytes of {@code entry}, whose value is of {@code type} (or a subtype). */
  byte[] encode(CacheEntry entry, Type type);

  /**
   * The entry in {@code bytes}, its value decoded as {@code type}.
   *
   * @throws UndecodableValueException when the bytes are not an entry of this codec's format and
   *     {@code type} (corrupt, another format version, another type); the caller treats it as a
   *     miss
   */
  CacheEntry decode(byte[] bytes, Type type);
}
