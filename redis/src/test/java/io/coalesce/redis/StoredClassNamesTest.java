package io.coalesce.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.coalesce.core.CacheEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bytes in Redis cannot choose a class to instantiate, not even through a property the application
 * declared polymorphic by class name: a planted entry that names a class outside the trusted
 * packages is undecodable (a miss) and constructs nothing; with the package trusted, the same entry
 * decodes. On Jackson 3 and Jackson 2 alike.
 */
class StoredClassNamesTest {

  /** A cached value with the common pattern: an {@code Object} whose class the JSON names. */
  public record Envelope(String id, @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Object payload) {}

  /** A class whose construction and setter are observable: an attacker's "gadget". */
  public static class Gadget {
    static volatile int constructed;
    static volatile String commandSet;

    public Gadget() {
      constructed++;
    }

    public void setCommand(String command) {
      commandSet = command;
    }
  }

  static final String PLANTED = "{\"id\":\"1\",\"payload\":{\"@class\":\"" + Gadget.class.getName()
      + "\",\"command\":\"rm -rf /\"}}";

  static Stream<Object[]> codecs() {
    BiFunction<List<String>, Boolean, EntryCodec> jackson3 = (trusted, unused) ->
        new JacksonEntryCodec(tools.jackson.databind.json.JsonMapper.builder().build(), trusted);
    BiFunction<List<String>, Boolean, EntryCodec> jackson2 = (trusted, unused) ->
        new Jackson2EntryCodec(new com.fasterxml.jackson.databind.ObjectMapper(), trusted);
    return Stream.of(new Object[] {"jackson3", jackson3}, new Object[] {"jackson2", jackson2});
  }

  private static byte[] planted() {
    return io.coalesce.redis.Envelope.wrap(new CacheEntry("x", 1, 2, 3, 0), Object.class, PLANTED.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void aClassNamedByStoredDataIsNotInstantiatedByDefault(String name, BiFunction<List<String>, Boolean, EntryCodec> codec) {
    int before = Gadget.constructed;
    Gadget.commandSet = null;
    assertThatThrownBy(() -> codec.apply(List.of(), true).decode(planted(), Envelope.class))
        .isInstanceOf(UndecodableValueException.class);
    assertThat(Gadget.constructed).isEqualTo(before);
    assertThat(Gadget.commandSet).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void aClassOfATrustedPackageIsDecoded(String name, BiFunction<List<String>, Boolean, EntryCodec> codec) {
    Object value = codec.apply(List.of("io.coalesce.redis"), true).decode(planted(), Envelope.class).value();
    assertThat(((Envelope) value).payload()).isInstanceOf(Gadget.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void anotherPackageIsNotTrustedByAPrefixThatOnlyLooksAlike(String name, BiFunction<List<String>, Boolean, EntryCodec> codec) {
    assertThatThrownBy(() -> codec.apply(List.of("io.coalesce.re"), true).decode(planted(), Envelope.class))
        .isInstanceOf(UndecodableValueException.class);
  }

  /** What the application caches: a payload of a class outside the trusted packages. */
  public record Payment(String method) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void aValueThatWouldNameAnUntrustedClassIsNotEncodedAndTheErrorNamesTheProperty(String name,
      BiFunction<List<String>, Boolean, EntryCodec> codec) {
    EntryCodec untrusting = codec.apply(List.of(), true);
    CacheEntry entry = new CacheEntry(new Envelope("1", new Payment("card")), 1, 2, 3, 0);

    // Written, it could never be read back (every read a miss, every load a write again): refused now.
    assertThatThrownBy(() -> untrusting.encode(entry, Envelope.class))
        .isInstanceOf(UnreadableValueException.class)
        .hasMessageContaining(Payment.class.getName())
        .hasMessageContaining("coalesce.redis.trusted-packages");
    assertThatThrownBy(() -> untrusting.encode(entry, Envelope.class)).as("every time, not only the first")
        .isInstanceOf(IllegalArgumentException.class);

    EntryCodec trusting = codec.apply(List.of("io.coalesce.redis"), true);
    Object read = trusting.decode(trusting.encode(entry, Envelope.class), Envelope.class).value();
    assertThat(((Envelope) read).payload()).isEqualTo(new Payment("card"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void aValueWithoutClassNamesIsEncodedAsBefore(String name, BiFunction<List<String>, Boolean, EntryCodec> codec) {
    EntryCodec untrusting = codec.apply(List.of(), true);
    CacheEntry entry = new CacheEntry(new Payment("cash"), 1, 2, 3, 0);
    assertThat(untrusting.decode(untrusting.encode(entry, Payment.class), Payment.class).value())
        .isEqualTo(new Payment("cash"));
  }
}
