package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Every Java string keeps a Redis name of its own: the bytes of key names and messages are injective
 * over all strings, lone surrogates included (UTF-8 would write both {@code "\uD800"} and {@code "?"}
 * as {@code '?'}), decode back to the string, and are plain UTF-8 for any string without a lone one.
 */
class Wtf8Test {

  @Provide
  Arbitrary<String> strings() {
    return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(6),
        Arbitraries.strings().withChars("?\uD800\uDC00\uDBFF\uDFFFa\u00E9\u4E2D").ofMaxLength(4));
  }

  @Property(tries = 500)
  void distinctStringsHaveDistinctBytesThatDecodeBack(@ForAll @Size(max = 40) List<@From("strings") String> all) {
    Map<String, String> byBytes = new HashMap<>();
    for (String s : all) {
      byte[] bytes = Wtf8.encode(s);
      assertThat(Wtf8.decode(bytes, 0, bytes.length)).isEqualTo(s);
      String other = byBytes.putIfAbsent(new String(bytes, StandardCharsets.ISO_8859_1), s);
      if (other != null) {
        assertThat(s).isEqualTo(other);
      }
    }
  }

  @Property(tries = 300)
  void aStringWithoutLoneSurrogatesIsPlainUtf8(@ForAll("strings") String s) {
    if (s.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF)) {
      assertThat(Wtf8.encode(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Example
  void aLoneSurrogateAndAQuestionMarkNameTwoKeys() {
    assertThat(Wtf8.encode("\uD800")).isNotEqualTo(Wtf8.encode("?"));
    assertThat("\uD800".getBytes(StandardCharsets.UTF_8)).isEqualTo("?".getBytes(StandardCharsets.UTF_8));
  }
}
