package io.coalesce.redis;

import io.coalesce.core.CacheEntry;
import io.coalesce.redis.internal.EnvelopeLayout;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;

/**
 * The bytes of a cache entry in Redis, whatever encodes its value: a fixed binary header (format
 * version, null marker, the entry's times, the fingerprint of the writer's value type) followed by
 * the value's payload; the layout is {@link EnvelopeLayout}'s. The Jackson 3 and the Jackson 2 codec
 * write the same envelope with the same JSON inside, so instances on Spring Boot 4 and on Boot 3.5
 * share one Redis during a rolling upgrade. Format 1 (no fingerprint) is still read.
 */
final class Envelope {

  private static final byte NULL_FLAG = 1;

  /** Reads the payload of an envelope as the value's type. */
  @FunctionalInterface
  interface PayloadReader {
    /** The value in {@code bytes[offset, offset + length)}; throws anything for "not a value of the type". */
    Object read(byte[] bytes, int offset, int length) throws Exception;
  }

  private Envelope() {}

  /** The envelope of {@code entry}, a value of {@code type}, around {@code payload} (ignored for "not found"). */
  static byte[] wrap(CacheEntry entry, Type type, byte[] payload) {
    byte[] body = entry.isNull() ? new byte[0] : payload;
    ByteBuffer buffer = ByteBuffer.allocate(EnvelopeLayout.HEADER + body.length);
    buffer.put(EnvelopeLayout.MAGIC).put(EnvelopeLayout.FORMAT).put(entry.isNull() ? NULL_FLAG : 0)
        .putLong(entry.writtenAt()).putLong(entry.expiresAt()).putLong(entry.staleUntil())
        .putLong(entry.loadMillis()).putInt(TypeFingerprint.of(type)).put(body);
    return buffer.array();
  }

  /**
   * The entry in {@code bytes}, its payload read by {@code reader} as a value of {@code type}.
   *
   * @throws UndecodableValueException when the bytes are not an envelope of a known format, or the
   *     payload is not a value of the expected type ({@link UndecodableValueException#isForeign()
   *     foreign} when the writer's type had another fingerprint)
   */
  static CacheEntry unwrap(byte[] bytes, Type type, PayloadReader reader) {
    if (bytes.length < EnvelopeLayout.HEADER_V1 || bytes[0] != EnvelopeLayout.MAGIC) {
      throw new UndecodableValueException("not a Coalesce entry");
    }
    byte format = bytes[1];
    if (format < EnvelopeLayout.FIRST_FORMAT || format > EnvelopeLayout.FORMAT
        || (format == EnvelopeLayout.FORMAT && bytes.length < EnvelopeLayout.HEADER)) {
      throw new UndecodableValueException("entry format version " + format + " is not one this version reads");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes, EnvelopeLayout.TIMES_OFFSET, 4 * Long.BYTES);
    long writtenAt = buffer.getLong();
    long expiresAt = buffer.getLong();
    long staleUntil = buffer.getLong();
    long loadMillis = buffer.getLong();
    int header = format == EnvelopeLayout.FORMAT ? EnvelopeLayout.HEADER : EnvelopeLayout.HEADER_V1;
    Object value = null;
    if ((bytes[EnvelopeLayout.FLAGS_OFFSET] & NULL_FLAG) == 0) {
      try {
        value = reader.read(bytes, header, bytes.length - header);
      } catch (Exception e) {
        boolean foreign = format == EnvelopeLayout.FORMAT
            && ByteBuffer.wrap(bytes, EnvelopeLayout.FINGERPRINT_OFFSET, Integer.BYTES).getInt() != TypeFingerprint.of(type);
        throw new UndecodableValueException("payload is not a " + type.getTypeName()
            + (foreign ? " (it was written by an instance with another version of the type)" : "") + ": "
            + e.getMessage(), e, foreign);
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
