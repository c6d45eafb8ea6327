package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Remembered key names: the same as {@link KeyFormat}'s, and never stale for a key that can change. */
class KeyNamesTest {

  record Sku(String vendor, long number) {}

  record Wrapper(Sku sku, int version) {}

  record Criteria(List<String> tags) {}

  enum Colour { RED, GREEN { } }

  /** A mutable key with its own toString and identity equality. */
  static final class Form {
    String query = "a";

    @Override
    public String toString() {
      return "Form[" + query + "]";
    }
  }

  final KeyNames names = new KeyNames(1_000);

  @Test
  void valueKeysGetKeyFormatsNameAndTheSameStringObjectOnTheNextCall() {
    UUID id = UUID.randomUUID();
    for (Object key : List.of(7L, 7, id, Colour.RED, Colour.GREEN, new Sku("acme", 42), new Wrapper(new Sku("a", 1), 2),
        CompositeKey.of("a", 7L, null), new BigDecimal("1.50"), 'c', true, 2.5d)) {
      String first = names.of(key);
      assertThat(first).as("%s", key).isEqualTo(KeyFormat.format(key));
      assertThat(names.of(key)).as("remembered: %s", key).isSameAs(first);
    }
  }

  @Test
  void aKeyThatCanChangeWhileStayingEqualIsFormattedEveryTime() {
    Form form = new Form();
    assertThat(names.of(form)).isEqualTo("Form[a]");
    form.query = "b";
    assertThat(names.of(form)).isEqualTo("Form[b]");

    List<String> tags = new ArrayList<>(List.of("x"));
    Criteria criteria = new Criteria(tags);
    assertThat(names.of(criteria)).isEqualTo(KeyFormat.format(criteria));
    tags.add("y");
    assertThat(names.of(criteria)).isEqualTo(KeyFormat.format(criteria)).contains("y");

    CompositeKey composite = CompositeKey.of("p", form);
    form.query = "c";
    assertThat(names.of(composite)).isEqualTo(KeyFormat.format(composite)).contains("Form%5Bc%5D"); // a part of a composite key is escaped
  }

  @Test
  void itHoldsAtMostItsCapacity() {
    KeyNames small = new KeyNames(16);
    for (long i = 0; i < 1_000; i++) {
      assertThat(small.of(i)).isEqualTo(Long.toString(i));
      assertThat(small.size()).isLessThanOrEqualTo(16);
    }
  }
}
