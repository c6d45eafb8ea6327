package io.coalesce.redis;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.coalesce.core.CacheEntry;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default codec: a fixed binary header (format version, null marker, the entry's times)
 * followed by the value as JSON, read against the declared type.
 *
 * <pre>
 *   byte 0      'C' (0x43), the format's magic
 *   byte 1      format version (1)
 *   byte 2      flags: bit 0 = "not found" (no payload)
 *   bytes 3-34  writtenAt, expiresAt, staleUntil, loadMillis (big-endian longs, epoch millis)
 *   bytes 35-   the value as JSON (UTF-8)
 * </pre>
 *
 * <p>Safe against hostile data: polymorphic default typing is switched off in the mapper it is
 * given (a copy), so no type hint in stored JSON can choose a class, and unknown properties (such as
 * {@code "@class"}) make the value undecodable, a miss. Thread-safe.
 */
public final class JacksonEntryCodec implements EntryCodec {

  static final byte MAGIC = 'C';
  static final byte VERSION = 1;
  static final int HEADER = 3 + 4 * Long.BYTES;
  private static final byte NULL_FLAG = 1;

  private final ObjectMapper mapper;
  private final Map<Type, ObjectReader> readers = new ConcurrentHashMap<>();
  private final Map<Type, ObjectWriter> writers = new ConcurrentHashMap<>();

  /**
   * @param mapper the application's mapper (its modules and date handling apply); it is copied, not
   *     changed
   */
  public JacksonEntryCodec(ObjectMapper mapper) {
    this.mapper = mapper.copy();
    this.mapper.deactivateDefaultTyping();
  }

  @Override
  public byte[] encode(CacheEntry entry, Type type) {
    byte[] payload;
    try {
      payload = entry.isNull() ? new byte[0] : writer(type).writeValueAsBytes(entry.value());
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot write a value of " + type.getTypeName()
          + " as JSON; make it serialisable by Jackson or configure another EntryCodec", e);
    }
    ByteBuffer buffer = ByteBuffer.allocate(HEADER + payload.length);
    buffer.put(MAGIC).put(VERSION).put(entry.isNull() ? NULL_FLAG : 0)
        .putLong(entry.writtenAt()).putLong(entry.expiresAt()).putLong(entry.staleUntil())
        .putLong(entry.loadMillis()).put(payload);
    return buffer.array();
  }

  @Override
  public CacheEntry decode(byte[] bytes, Type type) {
    if (bytes.length < HEADER || bytes[0] != MAGIC) {
      throw new UndecodableValueException("not a Coalesce entry");
    }
    if (bytes[1] != VERSION) {
      throw new UndecodableValueException("entry format version " + bytes[1] + " is not " + VERSION);
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes, 3, 4 * Long.BYTES);
    long writtenAt = buffer.getLong();
    long expiresAt = buffer.getLong();
    long staleUntil = buffer.getLong();
    long loadMillis = buffer.getLong();
    Object value = null;
    if ((bytes[2] & NULL_FLAG) == 0) {
      try {
        value = reader(type).readValue(bytes, HEADER, bytes.length - HEADER);
      } catch (IOException | RuntimeException e) {
        throw new UndecodableValueException("payload is not a " + type.getTypeName() + ": " + e.getMessage(), e);
      }
      if (value == null) {
        throw new UndecodableValueException("payload is JSON null but the entry is not marked \"not found\"");
      }
    }
    try {
      return new CacheEntry(value, writtenAt, expiresAt, staleUntil, loadMillis);
    } catch (IllegalArgumentException e) {
      throw new UndecodableValueException(e.getMessage(), e);
    }
  }

  private ObjectReader reader(Type type) {
    return readers.computeIfAbsent(type, t -> {
      JavaType javaType = mapper.getTypeFactory().constructType(t);
      return mapper.readerFor(javaType).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    });
  }

  private ObjectWriter writer(Type type) {
    return writers.computeIfAbsent(type, t -> mapper.writerFor(mapper.getTypeFactory().constructType(t)));
  }
}
