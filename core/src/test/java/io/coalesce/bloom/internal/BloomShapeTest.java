package io.coalesce.bloom.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.bloom.internal.BloomShape.Probe;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BloomShapeTest {

  @Test
  void sizedByTheTextbookFormulas() {
    BloomShape shape = BloomShape.of(1_000_000, 0.01);
    // m = -n ln p / (ln 2)^2 = 9,585,058.4; k = (m / n) ln 2 = 6.64
    assertThat(shape.bits()).isBetween(9_585_059L, 9_585_059L + shape.segments());
    assertThat(shape.hashes()).isEqualTo(7);
    assertThat(shape.segments()).isEqualTo(2); // no segment above 1 MiB
    assertThat(shape.segmentBits()).isLessThanOrEqualTo(BloomShape.MAX_SEGMENT_BITS);

    BloomShape large = BloomShape.of(100_000_000, 0.001);
    assertThat(large.segmentBits()).isLessThanOrEqualTo(BloomShape.MAX_SEGMENT_BITS);
    assertThat(large.segments()).isEqualTo((int) Math.ceil(large.bits() / (double) BloomShape.MAX_SEGMENT_BITS));
  }

  @Test
  void aKeyAlwaysProbesTheSameBitsWithinOneSegment() {
    BloomShape shape = BloomShape.of(10_000_000, 0.01);
    Probe first = shape.probe("product:42");
    Probe again = shape.probe("product:42");
    assertThat(again.segment()).isEqualTo(first.segment());
    assertThat(again.offsets()).containsExactly(first.offsets());
    assertThat(first.offsets()).hasSize(shape.hashes());
    assertThat(Arrays.stream(first.offsets()).boxed().toList())
        .allSatisfy(offset -> assertThat(offset).isBetween(0L, shape.segmentBits() - 1));
    assertThat(Arrays.stream(first.offsets()).distinct().count()).isEqualTo(shape.hashes());
  }

  @Test
  void keysSpreadEvenlyOverSegments() {
    BloomShape shape = BloomShape.of(10_000_000, 0.01); // 12 segments
    int[] counts = new int[shape.segments()];
    int keys = 120_000;
    for (int i = 0; i < keys; i++) {
      counts[shape.probe(Integer.toString(i)).segment()]++;
    }
    double expected = (double) keys / shape.segments();
    assertThat(Arrays.stream(counts).boxed().toList())
        .allSatisfy(c -> assertThat((double) c).isBetween(expected * 0.95, expected * 1.05));
  }

  @Test
  void invalidSizesAreRejectedNamingTheProperty() {
    assertThatThrownBy(() -> BloomShape.of(0, 0.01)).hasMessageContaining("bloom.expected-insertions");
    assertThatThrownBy(() -> BloomShape.of(10, 1.0)).hasMessageContaining("bloom.false-positive-rate");
  }
}
