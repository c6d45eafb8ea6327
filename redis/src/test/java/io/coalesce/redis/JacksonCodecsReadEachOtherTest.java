package io.coalesce.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.coalesce.core.CacheEntry;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Jackson 3 codec (Spring Boot 4) and the Jackson 2 codec (Boot 3.5) write the same envelope
 * with JSON each can read: during a rolling upgrade, instances on both lines share one Redis. Every
 * writer is checked against every reader, with mappers set up as each Boot line sets up its
 * application's mapper, and with the libraries' plain defaults.
 */
class JacksonCodecsReadEachOtherTest {

  enum Category { PHONE, TABLET }

  record Product(long id, String name, BigDecimal price, Instant added, LocalDate released, Duration warranty,
      Category category, List<String> tags, Map<String, Integer> stock, UUID sku, Optional<String> note) {}

  static final Product PHONE = new Product(7, "phone", new BigDecimal("199.90"), Instant.parse("2026-01-02T03:04:05.123Z"),
      LocalDate.of(2025, 11, 30), Duration.ofDays(730), Category.PHONE, List.of("5g", "dual-sim"),
      Map.of("berlin", 3, "paris", 0), UUID.fromString("8d9c7a1e-8b1e-4e44-9a3e-2f1b7c0d5e6a"), Optional.of("refurbished"));

  /** As Spring Boot 3.5 sets up the application's ObjectMapper (Jackson2ObjectMapperBuilder's defaults). */
  static EntryCodec boot3Jackson2() {
    return new Jackson2EntryCodec(com.fasterxml.jackson.databind.json.JsonMapper.builder().findAndAddModules()
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(com.fasterxml.jackson.databind.MapperFeature.DEFAULT_VIEW_INCLUSION)
        .build());
  }

  /** Jackson 2 with only its modules registered (what Coalesce falls back to without a mapper bean). */
  static EntryCodec plainJackson2() {
    return new Jackson2EntryCodec(new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules());
  }

  /** Jackson 3's defaults, which Spring Boot 4's JsonMapper keeps for everything a value here uses. */
  static EntryCodec jackson3() {
    return new JacksonEntryCodec(tools.jackson.databind.json.JsonMapper.builder().findAndAddModules().build());
  }

  static List<Object[]> pairs() {
    List<Object[]> pairs = new java.util.ArrayList<>();
    Map<String, EntryCodec> codecs = Map.of("boot3-jackson2", boot3Jackson2(), "plain-jackson2", plainJackson2(),
        "jackson3", jackson3());
    codecs.forEach((writerName, writer) -> codecs.forEach((readerName, reader) ->
        pairs.add(new Object[] {writerName + " -> " + readerName, writer, reader})));
    return pairs;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void aValueWrittenByOneCodecIsReadByTheOther(String pair, EntryCodec writer, EntryCodec reader) {
    CacheEntry written = new CacheEntry(PHONE, 1_000, 61_000, 3_661_000, 12);

    CacheEntry read = reader.decode(writer.encode(written, Product.class), Product.class);

    assertThat(read.value()).isEqualTo(PHONE);
    assertThat(read.writtenAt()).isEqualTo(1_000);
    assertThat(read.expiresAt()).isEqualTo(61_000);
    assertThat(read.staleUntil()).isEqualTo(3_661_000);
    assertThat(read.loadMillis()).isEqualTo(12);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void aGenericListAndNotFoundCrossToo(String pair, EntryCodec writer, EntryCodec reader) {
    Type listOfProducts = listOf(Product.class);
    assertThat(reader.decode(writer.encode(new CacheEntry(List.of(PHONE, PHONE), 1, 2, 3, 0), listOfProducts),
        listOfProducts).value()).isEqualTo(List.of(PHONE, PHONE));
    assertThat(reader.decode(writer.encode(new CacheEntry(null, 1, 2, 2, 0), Product.class), Product.class).isNull())
        .isTrue();
  }

  @Test
  void theJackson3CodecRefusesClassHintsInStoredData() {
    EntryCodec codec = jackson3();
    byte[] hostile = Envelope.wrap(new CacheEntry("x", 1, 2, 3, 0), Product.class,
        "{\"@class\":\"java.net.URL\",\"id\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> codec.decode(hostile, Product.class))
        .isInstanceOf(UndecodableValueException.class);
  }

  @Test
  void aMapperWithDefaultTypingIsDisarmedOnJackson3Too() {
    var risky = tools.jackson.databind.json.JsonMapper.builder()
        .activateDefaultTyping(tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator.builder()
            .allowIfBaseType(Object.class).build(), tools.jackson.databind.DefaultTyping.NON_FINAL)
        .build();
    EntryCodec codec = new JacksonEntryCodec(risky);
    byte[] hostile = Envelope.wrap(new CacheEntry("x", 1, 2, 3, 0), Object.class,
        "[\"java.util.concurrent.atomic.AtomicLong\",7]".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Object decoded = codec.decode(hostile, Object.class).value();
    assertThat(decoded).isInstanceOf(List.class); // plain JSON: the data chose no class
  }

  private static Type listOf(Class<?> element) {
    return new ParameterizedType() {
      @Override
      public Type[] getActualTypeArguments() {
        return new Type[] {element};
      }

      @Override
      public Type getRawType() {
        return List.class;
      }

      @Override
      public Type getOwnerType() {
        return null;
      }
    };
  }
}
