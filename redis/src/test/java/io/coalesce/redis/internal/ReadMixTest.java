package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadMixTest {

  private final ReadMix mix = new ReadMix();

  @Test
  void aCacheStartsOnTheScript() {
    assertThat(mix.plainFirst()).isFalse();
  }

  @Test
  void readsThatFindAValueSwitchToThePlainReadAfterAboutThirtyTwo() {
    int reads = 0;
    while (!mix.plainFirst()) {
      mix.record(true);
      reads++;
    }
    assertThat(reads).isBetween(30, 36); // 1 - (15/16)^n >= 7/8
  }

  @Test
  void aFewMissesAmongHitsSwitchBackToTheScript() {
    for (int i = 0; i < 200; i++) {
      mix.record(true);
    }
    mix.record(false);
    assertThat(mix.plainFirst()).as("one miss in many hits").isTrue();
    mix.record(false);
    mix.record(false);
    assertThat(mix.plainFirst()).as("three misses in a row: the plain read no longer pays").isFalse();
  }

  @Test
  void oneMissInThirtyTwoKeepsThePlainReadThroughoutButOneInFourDoesNot() {
    for (int i = 0; i < 100; i++) {
      mix.record(true);
    }
    for (int i = 0; i < 640; i++) {
      mix.record(i % 32 != 0);
      assertThat(mix.plainFirst()).as("read %d", i).isTrue();
    }
    for (int i = 0; i < 64; i++) {
      mix.record(i % 4 != 0);
    }
    assertThat(mix.plainFirst()).isFalse();
  }
}
