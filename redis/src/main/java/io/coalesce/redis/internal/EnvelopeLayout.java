package io.coalesce.redis.internal;

import java.util.Map;

/**
 * Where things are in the bytes of a stored entry: the one place that both the Java codecs
 * ({@code io.coalesce.redis.Envelope}) and the Lua scripts that read an entry's expiry in Redis
 * ({@code read-or-lock.lua}, its placeholders filled from {@link #PLACEHOLDERS}) take them from.
 *
 * <pre>
 *   byte 0       'C' (0x43), the format's magic
 *   byte 1       format version (1, or 2 since the type fingerprint)
 *   byte 2       flags: bit 0 = "not found" (no payload)
 *   bytes 3-34   writtenAt, expiresAt, staleUntil, loadMillis (big-endian longs)
 *   bytes 35-38  version 2: the fingerprint of the writer's value type (big-endian int)
 *   then         the value's payload
 * </pre>
 */
public final class EnvelopeLayout {

  public static final byte MAGIC = 'C';
  /** The oldest format still read. */
  public static final byte FIRST_FORMAT = 1;
  /** The format written. */
  public static final byte FORMAT = 2;
  public static final int FLAGS_OFFSET = 2;
  public static final int TIMES_OFFSET = 3;
  /** The offset of {@code staleUntil}, the third of the four times. */
  public static final int STALE_UNTIL_OFFSET = TIMES_OFFSET + 2 * Long.BYTES;
  /** The header of format 1: no fingerprint. */
  public static final int HEADER_V1 = TIMES_OFFSET + 4 * Long.BYTES;
  public static final int FINGERPRINT_OFFSET = HEADER_V1;
  /** The header of format 2. */
  public static final int HEADER = FINGERPRINT_OFFSET + Integer.BYTES;

  /** What {@code ${NAME}} stands for in the scripts (Lua counts bytes from 1). */
  static final Map<String, String> PLACEHOLDERS = Map.of(
      "MAGIC", Integer.toString(MAGIC),
      "FIRST_FORMAT", Integer.toString(FIRST_FORMAT),
      "LAST_FORMAT", Integer.toString(FORMAT),
      "HEADER_MIN", Integer.toString(HEADER_V1),
      "STALE_UNTIL_FIRST", Integer.toString(STALE_UNTIL_OFFSET + 1),
      "STALE_UNTIL_LAST", Integer.toString(STALE_UNTIL_OFFSET + Long.BYTES));

  private EnvelopeLayout() {}

  /**
   * The {@code staleUntil} of the entry in {@code bytes}, read from its header without decoding its
   * value, or {@link Long#MIN_VALUE} when the bytes are not an envelope of a known format.
   */
  public static long staleUntil(byte[] bytes) {
    if (bytes.length < HEADER_V1 || bytes[0] != MAGIC || bytes[1] < FIRST_FORMAT || bytes[1] > FORMAT) {
      return Long.MIN_VALUE;
    }
    return java.nio.ByteBuffer.wrap(bytes, STALE_UNTIL_OFFSET, Long.BYTES).getLong();
  }
}
