package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyFormatTest {

  @Test
  void aNullPartAndTheTextNullAreDifferentKeys() {
    assertThat(KeyFormat.format(CompositeKey.of("a", null))).isNotEqualTo(KeyFormat.format(CompositeKey.of("a", "null")));
  }

  @Test
  void partsAreEscapedSoThatNoTwoCompositeKeysShareAForm() {
    assertThat(KeyFormat.format(CompositeKey.of("a,b", "c"))).isNotEqualTo(KeyFormat.format(CompositeKey.of("a", "b,c")));
    assertThat(KeyFormat.format(CompositeKey.of("%N", "x"))).isNotEqualTo(KeyFormat.format(CompositeKey.of(null, "x")));
    assertThat(KeyFormat.format(CompositeKey.of("eu", 42L))).isEqualTo("eu,42");
  }
}
