package io.coalesce.redis;

import io.coalesce.core.CacheEntry;
import java.nio.ByteBuffer;

/**
 * The bytes of a cache entry in Redis, whatever encodes its value: a fixed binary header (format
 * version, null marker, the entry's times) followed by the value's payload. The Jackson 3 and the
 * Jackson 2 codec write the same envelope with the same JSON inside, so instances on Spring Boot 4
 * and on Boot 3.5 share one Redis during a rolling upgrade.
 *
 * <pre>
 *   byte 0      'C' (0x43), the format's magic
 *   byte 1      format version (1)
 *   byte 2      flags: bit 0 = "not found" (no payload)
 *   bytes 3-34  writtenAt, expiresAt, staleUntil, loadMillis (big-endian longs, epoch millis)
 *   bytes 35-   the value's payload (JSON, UTF-8)
 * </pre>
 */
final class Envelope {

  static final byte MAGIC = 'C';
  static final byte VERSION = 1;
  static final int HEADER = 3 + 4 * Long.BYTES;
  private static final byte NULL_FLAG = 1;

  /** Reads the payload of an envelope as the value's type. */
  @FunctionalInterface
  interface PayloadReader {
    /** The value in {@code bytes[offset, offset + length)}; throws anything for "not a value of the type". */
    Object read(byte[] bytes, int offset, int length) throws Exception;
  }

  private Envelope() {}

  /** The envelope of {@code entry} around {@code payload} (ignored for a "not found" entry). */
  static byte[] wrap(CacheEntry entry, byte[] payload) {
    byte[] body = entry.isNull() ? new byte[0] : payload;
    ByteBuffer buffer = ByteBuffer.allocate(HEADER + body.length);
    buffer.put(MAGIC).put(VERSION).put(entry.isNull() ? NULL_FLAG : 0)
        .putLong(entry.writtenAt()).putLong(entry.expiresAt()).putLong(entry.staleUntil())
        .putLong(entry.loadMillis()).put(body);
    return buffer.array();
  }

  /**
   * The entry in {@code bytes}, its payload read by {@code reader}.
   *
   * @throws UndecodableValueException when the bytes are not an envelope of this version, or the
   *     payload is not a value of the expected type
   */
  static CacheEntry unwrap(byte[] bytes, String typeName, PayloadReader reader) {
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
        value = reader.read(bytes, HEADER, bytes.length - HEADER);
      } catch (Exception e) {
        throw new UndecodableValueException("payload is not a " + typeName + ": " + e.getMessage(), e);
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
}
