package io.coalesce.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.core.CacheEntry;
import io.coalesce.redis.EntryCodec;
import io.coalesce.redis.internal.EnvelopeLayout;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A rolling upgrade shares one Redis between instances on Spring Boot 3.5 (Jackson 2) and Boot 4
 * (Jackson 3): each reads what the other wrote. Each Boot line's run of this test encodes a value with
 * the codec its auto-configuration builds from its own application mapper, and checks it against the
 * envelope recorded from that line (src/test/resources/rolling-upgrade/boot-X.Y.b64); then it decodes
 * the envelope recorded from every line. So the Boot 3.5 run proves that Boot 3.5 reads what Boot 4.x
 * writes, and each Boot 4.x run the reverse. Regenerate a line's envelope (after a deliberate format
 * change) with -Dcoalesce.rolling-upgrade.record=true on that line.
 */
class RollingUpgradeCodecTest {

  enum Category { PHONE, TABLET }

  record Product(long id, String name, BigDecimal price, Instant added, LocalDate released, Duration warranty,
      Category category, List<String> tags, Map<String, Integer> stock, UUID sku, Optional<String> note) {}

  static final Product PHONE = new Product(7, "phone", new BigDecimal("199.90"), Instant.parse("2026-01-02T03:04:05.123Z"),
      LocalDate.of(2025, 11, 30), Duration.ofDays(730), Category.PHONE, List.of("5g", "dual-sim"),
      Map.of("berlin", 3), UUID.fromString("8d9c7a1e-8b1e-4e44-9a3e-2f1b7c0d5e6a"), Optional.of("refurbished"));

  static final List<String> LINES = List.of("3.5", "4.0", "4.1");

  private static final int HEADER = EnvelopeLayout.HEADER;

  @Test
  void eachBootLineReadsWhatEveryOtherLineWrote() throws IOException {
    EntryCodec codec = applicationCodec();
    CacheEntry entry = new CacheEntry(PHONE, 1_000, 61_000, 3_661_000, 12);
    byte[] mine = codec.encode(entry, Product.class);
    String line = Boot.version().substring(0, Boot.version().indexOf('.', 2));
    Path dir = Path.of(System.getProperty("coalesce.project.dir", "../.."), "tests", "src", "test", "resources",
        "rolling-upgrade");

    if (Boolean.getBoolean("coalesce.rolling-upgrade.record")) {
      Files.writeString(dir.resolve("boot-" + line + ".b64"), Base64.getEncoder().encodeToString(mine) + "\n");
    }
    byte[] recorded = read(dir, line);
    assertThat(Arrays.copyOf(mine, HEADER)).as("envelope header").isEqualTo(Arrays.copyOf(recorded, HEADER));
    assertThat(json(mine)).as("what Boot " + line + " writes, as recorded").isEqualTo(json(recorded));

    List<String> read = new ArrayList<>();
    for (String writer : LINES) {
      CacheEntry decoded = codec.decode(read(dir, writer), Product.class);
      assertThat(decoded.value()).as("Boot " + line + " reading what Boot " + writer + " wrote").isEqualTo(PHONE);
      assertThat(decoded.expiresAt()).isEqualTo(61_000);
      read.add(writer);
    }
    assertThat(read).containsExactlyElementsOf(LINES);
  }

  /**
   * Entries written in format 1 (before the type fingerprint), recorded on every line, are still read:
   * a rolling upgrade of Coalesce itself finds them in Redis.
   */
  @Test
  void eachBootLineReadsTheFirstFormatThatEveryLineWrote() throws IOException {
    EntryCodec codec = applicationCodec();
    Path dir = Path.of(System.getProperty("coalesce.project.dir", "../.."), "tests", "src", "test", "resources",
        "rolling-upgrade", "format-1");
    for (String writer : LINES) {
      byte[] recorded = read(dir, writer);
      assertThat(recorded[1]).as("format of what Boot " + writer + " wrote before").isEqualTo(EnvelopeLayout.FIRST_FORMAT);
      CacheEntry decoded = codec.decode(recorded, Product.class);
      assertThat(decoded.value()).as("reading what Boot " + writer + " wrote in format 1").isEqualTo(PHONE);
      assertThat(decoded.expiresAt()).isEqualTo(61_000);
    }
  }

  /** The codec Coalesce's auto-configuration makes from this Boot line's application mapper. */
  private static EntryCodec applicationCodec() {
    EntryCodec[] codec = new EntryCodec[1];
    new ApplicationContextRunner()
        .withConfiguration(Boot.jackson())
        .withConfiguration(Boot.redis())
        .withConfiguration(Boot.coalesce())
        .withPropertyValues("spring.data.redis.port=1")
        .run(context -> codec[0] = context.getBean(EntryCodec.class));
    return codec[0];
  }

  private static byte[] read(Path dir, String line) throws IOException {
    Path file = dir.resolve("boot-" + line + ".b64");
    assertThat(file).as("the envelope recorded on Boot " + line).exists();
    return Base64.getDecoder().decode(Files.readString(file).trim());
  }

  private static Object json(byte[] envelope) throws IOException {
    return new ObjectMapper().readTree(new String(envelope, HEADER, envelope.length - HEADER, StandardCharsets.UTF_8));
  }
}
