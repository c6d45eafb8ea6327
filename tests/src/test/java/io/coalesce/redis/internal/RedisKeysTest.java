package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A value and its lock share one Redis Cluster slot, whatever the key; distinct keys keep distinct names. */
class RedisKeysTest {

  final RedisKeys keys = new RedisKeys("app");

  @Test
  void aValueAndItsLockHashToOneSlotForEveryKindOfKey() {
    for (String key : List.of("42", "", "}", "}x", "=", "=x", "a}b", "{", "eu,42", "ünïcode")) {
      assertThat(SlotHash.getSlot(keys.lock("products", key)))
          .as("slot of the lock of key '%s'", key)
          .isEqualTo(SlotHash.getSlot(keys.value("products", key)));
    }
  }

  @Test
  void ordinaryKeysKeepTheirDocumentedNames() {
    assertThat(new String(keys.value("products", "42"))).isEqualTo("app:products:{42}");
    assertThat(new String(keys.lock("products", "42"))).isEqualTo("app:products:{42}:lock");
    assertThat(new String(keys.value("products", ""))).isEqualTo("app:products:{=}");
  }

  @Test
  void escapedKeysNeverCollideWithOthers() {
    List<String> tricky = List.of("", "=", "==", "}", "=}", "}x", "=}x", "x");
    Set<String> names = new HashSet<>();
    for (String key : tricky) {
      names.add(new String(keys.value("products", key)));
    }
    assertThat(names).hasSize(tricky.size());
  }
}
