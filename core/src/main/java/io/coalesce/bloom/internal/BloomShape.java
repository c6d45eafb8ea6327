package io.coalesce.bloom.internal;

import com.google.common.hash.HashCode;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The size of a Bloom filter and where a key's bits are. Sized for {@code n} keys at false-positive
 * rate {@code p}: {@code m = -n ln p / (ln 2)^2} bits and {@code k = (m / n) ln 2} hashes. Large
 * filters are split into segments of at most {@link #MAX_SEGMENT_BITS} bits (1 MiB), each its own
 * Redis key; a key's {@code k} bits all lie in one segment, chosen by its hash, so a check or an
 * addition touches one Redis key in one round trip. Bit positions come from Guava's murmur3_128 by
 * double hashing ({@code h1 + i * h2}).
 *
 * @param insertions the number of keys the filter is sized for ({@code n})
 * @param falsePositiveRate the target false-positive rate at {@code n} keys ({@code p})
 * @param segments how many segments the bits are split into
 * @param segmentBits bits per segment
 * @param hashes bits set per key ({@code k})
 */
public record BloomShape(long insertions, double falsePositiveRate, int segments, long segmentBits, int hashes) {

  /** 1 MiB: no segment is a huge Redis value. */
  public static final long MAX_SEGMENT_BITS = 8L * 1024 * 1024;

  private static final HashFunction MURMUR = Hashing.murmur3_128();

  /** Where one key's bits are. */
  public record Probe(int segment, long[] offsets) {}

  /** The shape for {@code insertions} keys at {@code falsePositiveRate}. */
  public static BloomShape of(long insertions, double falsePositiveRate) {
    if (insertions <= 0) {
      throw new IllegalArgumentException("bloom.expected-insertions must be positive, was " + insertions);
    }
    if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
      throw new IllegalArgumentException("bloom.false-positive-rate must be in (0, 1), was " + falsePositiveRate);
    }
    double ln2 = Math.log(2);
    long bits = Math.max(64, (long) Math.ceil(-insertions * Math.log(falsePositiveRate) / (ln2 * ln2)));
    int hashes = Math.max(1, (int) Math.round((double) bits / insertions * ln2));
    int segments = (int) Math.max(1, (bits + MAX_SEGMENT_BITS - 1) / MAX_SEGMENT_BITS);
    long segmentBits = (bits + segments - 1) / segments;
    return new BloomShape(insertions, falsePositiveRate, segments, segmentBits, hashes);
  }

  /** All bits of the filter. */
  public long bits() {
    return segmentBits * segments;
  }

  /** The segment and bit offsets of {@code key}. */
  public Probe probe(String key) {
    HashCode hash = MURMUR.hashString(key, StandardCharsets.UTF_8);
    ByteBuffer bytes = ByteBuffer.wrap(hash.asBytes()).order(ByteOrder.LITTLE_ENDIAN);
    long h1 = bytes.getLong();
    long h2 = bytes.getLong();
    int segment = (int) Long.remainderUnsigned(Long.rotateLeft(h2, 32) ^ h1, segments);
    long[] offsets = new long[hashes];
    long combined = h1;
    for (int i = 0; i < hashes; i++) {
      offsets[i] = Long.remainderUnsigned(combined, segmentBits);
      combined += h2;
    }
    return new Probe(segment, offsets);
  }

  /** A stable description stored beside the bits, so that a changed configuration is noticed. */
  public String describe() {
    return segments + "x" + segmentBits + "/" + hashes;
  }

  /**
   * The shape a {@link #describe() description} names, enough to find a key's bits in a filter that
   * another configuration built (its sizing inputs are not part of it), or {@code null} when the text
   * is not a description.
   */
  public static BloomShape parse(String description) {
    try {
      int x = description.indexOf('x');
      int slash = description.indexOf('/');
      int segments = Integer.parseInt(description.substring(0, x));
      long segmentBits = Long.parseLong(description.substring(x + 1, slash));
      int hashes = Integer.parseInt(description.substring(slash + 1));
      if (segments < 1 || segmentBits < 1 || hashes < 1) {
        return null;
      }
      return new BloomShape(0, 0, segments, segmentBits, hashes);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
