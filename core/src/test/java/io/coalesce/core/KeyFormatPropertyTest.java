package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The key form is injective for keys of one type, and the same for equal keys: over generated keys of
 * each shape a method's key can have (strings, records, lists, sets, maps, arrays, nulls inside them,
 * several arguments), two keys share a form exactly when they are equal. Texts are drawn mostly from
 * the characters that give the form its structure, so that a collision, if the escaping allowed one,
 * would be found.
 */
class KeyFormatPropertyTest {

  record Query(String a, String b, Integer n) {}

  record Nested(Query query, List<String> tags) {}

  /** Groups {@code keys} by form: every group must hold equal keys only, and equal keys one form. */
  private static void assertInjective(List<?> keys) {
    Map<String, Object> byForm = new HashMap<>();
    for (Object key : keys) {
      String form = KeyFormat.format(key);
      Object other = byForm.putIfAbsent(form, key);
      if (other != null) {
        assertThat(key).as("two keys share the form %s", form).isEqualTo(other);
      }
      assertThat(KeyFormat.format(copyOf(key))).as("an equal key's form").isEqualTo(form);
    }
  }

  /** An equal key built anew (another list or set implementation, another iteration order). */
  private static Object copyOf(Object key) {
    if (key instanceof Set<?> set) {
      List<Object> reversed = new ArrayList<>(set);
      java.util.Collections.reverse(reversed);
      return new LinkedHashSet<>(reversed);
    }
    if (key instanceof Map<?, ?> map) {
      return new TreeMap<>(map);
    }
    if (key instanceof List<?> list) {
      return new java.util.LinkedList<>(list);
    }
    return key;
  }

  @Property(tries = 300)
  void strings(@ForAll @Size(max = 40) List<@From("texts") String> keys) {
    assertInjective(keys);
  }

  @Property(tries = 300)
  void records(@ForAll @Size(max = 40) List<@From("queries") Query> keys) {
    assertInjective(keys);
  }

  @Property(tries = 300)
  void recordsOfRecordsAndLists(@ForAll @Size(max = 30) List<@From("nested") Nested> keys) {
    assertInjective(keys);
  }

  @Property(tries = 300)
  void listsWithNulls(@ForAll @Size(max = 40) List<@From("lists") List<String>> keys) {
    assertInjective(keys);
  }

  @Property(tries = 300)
  void listsOfLists(@ForAll @Size(max = 30) List<@From("listsOfLists") List<List<String>>> keys) {
    assertInjective(keys);
  }

  @Property(tries = 300)
  void sets(@ForAll @Size(max = 40) List<@From("sets") Set<String>> keys) {
    assertInjective(keys);
  }

  @Property(tries = 300)
  void maps(@ForAll @Size(max = 40) List<@From("maps") Map<String, String>> keys) {
    assertInjective(keys);
  }

  @Property(tries = 300)
  void severalArguments(@ForAll @Size(max = 40) List<@From("arguments") CompositeKey> keys) {
    assertInjective(keys);
  }

  @Property(tries = 300)
  void arrays(@ForAll @Size(max = 40) List<@From("lists") List<String>> lists) {
    // arrays are compared by content here, as the engine holds them by their form
    Map<String, List<String>> byForm = new HashMap<>();
    for (List<String> list : lists) {
      String form = KeyFormat.format(list.toArray(new String[0]));
      List<String> other = byForm.putIfAbsent(form, list);
      if (other != null) {
        assertThat(list).as("two arrays share the form %s", form).isEqualTo(other);
      }
    }
  }

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> structural = Arbitraries.strings().withChars("a,b%[]{}<>()=N:0 ").ofMaxLength(5);
    Arbitrary<String> anyChars = Arbitraries.strings().all().ofMaxLength(4); // lone surrogates included
    return Arbitraries.oneOf(structural, structural, anyChars, Arbitraries.just("null"), Arbitraries.just("%N"));
  }

  private Arbitrary<String> textsOrNull() {
    return texts().injectNull(0.15);
  }

  @Provide
  Arbitrary<Query> queries() {
    return Combinators.combine(textsOrNull(), textsOrNull(), Arbitraries.integers().between(-2, 2).injectNull(0.2))
        .as(Query::new);
  }

  @Provide
  Arbitrary<List<String>> lists() {
    return textsOrNull().list().ofMaxSize(3);
  }

  @Provide
  Arbitrary<List<List<String>>> listsOfLists() {
    return lists().list().ofMaxSize(3);
  }

  @Provide
  Arbitrary<Nested> nested() {
    return Combinators.combine(queries().injectNull(0.2), lists().injectNull(0.2)).as(Nested::new);
  }

  @Provide
  Arbitrary<Set<String>> sets() {
    return texts().set().ofMaxSize(3);
  }

  @Provide
  Arbitrary<Map<String, String>> maps() {
    return Arbitraries.maps(texts(), textsOrNull()).ofMaxSize(3);
  }

  @Provide
  Arbitrary<CompositeKey> arguments() {
    return Combinators.combine(textsOrNull(), textsOrNull(), lists().injectNull(0.2))
        .as((a, b, c) -> CompositeKey.of(a, b, c));
  }
}
