package io.coalesce.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.core.CacheEntry;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import io.coalesce.redis.internal.EnvelopeLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;

public class Jackson2EntryCodecTest {

  record Product(long id, String name, BigDecimal price, Instant added) {}

  /** A class whose construction would be observable: a decode must never create one. */
  public static class Gadget {
    public static volatile int created;

    public Gadget() {
      created++;
    }

    public String command;
  }

  private final Jackson2EntryCodec codec = new Jackson2EntryCodec(new ObjectMapper().findAndRegisterModules());

  private static final Product PHONE = new Product(7, "phone", new BigDecimal("199.90"), Instant.parse("2026-01-02T03:04:05Z"));

  private static CacheEntry entry(Object value) {
    return new CacheEntry(value, 1_000, 61_000, 3_661_000, 12);
  }

  private Object roundTrip(Object value, Type type) {
    CacheEntry decoded = codec.decode(codec.encode(entry(value), type), type);
    assertThat(decoded.writtenAt()).isEqualTo(1_000);
    assertThat(decoded.expiresAt()).isEqualTo(61_000);
    assertThat(decoded.staleUntil()).isEqualTo(3_661_000);
    assertThat(decoded.loadMillis()).isEqualTo(12);
    return decoded.value();
  }

  @Test
  void aRecordRoundTrips() {
    assertThat(roundTrip(PHONE, Product.class)).isEqualTo(PHONE);
  }

  @Test
  void aListOfRecordsRoundTripsAgainstItsGenericType() {
    Type type = new ParameterizedTypeReference<List<Product>>() {}.getType();
    Object decoded = roundTrip(List.of(PHONE, PHONE), type);
    assertThat(decoded).isEqualTo(List.of(PHONE, PHONE));
    assertThat(((List<?>) decoded).get(0)).isInstanceOf(Product.class);
  }

  @Test
  void aMapOfRecordsRoundTripsAgainstItsGenericType() {
    Type type = new ParameterizedTypeReference<Map<String, Product>>() {}.getType();
    Object decoded = roundTrip(Map.of("p", PHONE), type);
    assertThat(decoded).isEqualTo(Map.of("p", PHONE));
    assertThat(((Map<?, ?>) decoded).get("p")).isInstanceOf(Product.class);
  }

  @Test
  void anOptionalRoundTrips() {
    // Optional<T> methods store T; an Optional value itself also survives.
    Type type = new ParameterizedTypeReference<Optional<Product>>() {}.getType();
    assertThat(roundTrip(Optional.of(PHONE), type)).isEqualTo(Optional.of(PHONE));
  }

  @Test
  void notFoundRoundTripsAsANullEntry() {
    CacheEntry decoded = codec.decode(codec.encode(entry(null), Product.class), Product.class);
    assertThat(decoded.isNull()).isTrue();
  }

  @Test
  void corruptBytesAreUndecodable() {
    assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3}, Product.class))
        .isInstanceOf(UndecodableValueException.class);
    byte[] good = codec.encode(entry(PHONE), Product.class);
    good[good.length - 3] = '#';
    assertThatThrownBy(() -> codec.decode(good, Product.class)).isInstanceOf(UndecodableValueException.class);
  }

  @Test
  void anotherFormatVersionIsUndecodable() {
    byte[] bytes = codec.encode(entry(PHONE), Product.class);
    bytes[1] = 9;
    assertThatThrownBy(() -> codec.decode(bytes, Product.class))
        .isInstanceOf(UndecodableValueException.class).hasMessageContaining("version 9");
  }

  @Test
  void aValueOfAnotherTypeIsUndecodable() {
    byte[] bytes = codec.encode(entry(List.of("a", "b")), List.class);
    assertThatThrownBy(() -> codec.decode(bytes, Product.class)).isInstanceOf(UndecodableValueException.class);
  }

  @Test
  void plainJsonWithoutTheEnvelopeIsUndecodable() {
    byte[] json = "{\"@class\":\"io.coalesce.redis.Jackson2EntryCodecTest$Gadget\",\"command\":\"x\"}"
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> codec.decode(json, Object.class)).isInstanceOf(UndecodableValueException.class);
  }

  @Test
  void aTypeHintInsideTheEnvelopeNeverInstantiatesTheHintedClass() {
    int before = Gadget.created;
    for (String hint : List.of("@class", "@type", "@c")) {
      byte[] hostile = envelope("{\"" + hint + "\":\"io.coalesce.redis.Jackson2EntryCodecTest$Gadget\","
          + "\"id\":1,\"name\":\"x\",\"command\":\"rm -rf /\"}");
      assertThatThrownBy(() -> codec.decode(hostile, Product.class)).isInstanceOf(UndecodableValueException.class);
      byte[] wrapped = envelope("[\"io.coalesce.redis.Jackson2EntryCodecTest$Gadget\",{\"command\":\"x\"}]");
      Object decoded = codec.decode(wrapped, Object.class).value();
      assertThat(decoded).isInstanceOf(List.class); // plain JSON array: no class chosen by the data
    }
    assertThat(Gadget.created).isEqualTo(before);
  }

  @Test
  void aMapperWithDefaultTypingIsDisarmed() {
    ObjectMapper risky = new ObjectMapper();
    risky.activateDefaultTyping(risky.getPolymorphicTypeValidator(), ObjectMapper.DefaultTyping.EVERYTHING);
    Jackson2EntryCodec guarded = new Jackson2EntryCodec(risky);
    int before = Gadget.created;
    byte[] hostile = envelope("[\"io.coalesce.redis.Jackson2EntryCodecTest$Gadget\",{\"command\":\"x\"}]");
    Object decoded = guarded.decode(hostile, Object.class).value();
    assertThat(decoded).isNotInstanceOf(Gadget.class);
    assertThat(Gadget.created).isEqualTo(before);
  }

  private static byte[] envelope(String json) {
    byte[] payload = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(EnvelopeLayout.HEADER_V1 + payload.length)
        .put(EnvelopeLayout.MAGIC).put(EnvelopeLayout.FIRST_FORMAT).put((byte) 0)
        .putLong(1_000).putLong(61_000).putLong(3_661_000).putLong(0).put(payload).array();
  }
}
