package io.coalesce.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md cannot drift from the code: every {@code coalesce.*} property in the
 * generated configuration metadata has a row there, showing its default.
 */
class ConfigurationReferenceTest {

  @Test
  void everyPropertyIsDocumentedWithItsDefault() throws IOException {
    JsonNode metadata = coalesceMetadata();
    Path reference = Path.of(System.getProperty("coalesce.project.dir", "../.."), "docs", "configuration.md");
    List<String> rows = Files.readAllLines(reference).stream()
        .filter(line -> line.startsWith("| `coalesce.")).toList();

    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (JsonNode property : metadata.get("properties")) {
      String name = property.get("name").asText();
      if (!name.startsWith("coalesce.")) {
        continue;
      }
      checked++;
      // coalesce.caches.*.X is documented by the row of coalesce.defaults.X ("every X can be set per cache")
      String documentedAs = name.replace("coalesce.caches.*.", "coalesce.defaults.");
      String row = rows.stream().filter(r -> r.startsWith("| `" + documentedAs + "` |")).findFirst().orElse(null);
      if (row == null) {
        problems.add(name + ": no row in docs/configuration.md");
        continue;
      }
      JsonNode defaultValue = property.get("defaultValue");
      if (defaultValue != null && !row.contains("`" + defaultValue.asText() + "`")) {
        problems.add(name + ": the row does not show the default `" + defaultValue.asText() + "`");
      }
    }
    assertThat(checked).isGreaterThan(50); // the defaults, their coalesce.caches.* forms and the rest
    assertThat(problems).isEmpty();
  }

  @Test
  void everyCacheSettingIsInTheMetadataWithItsDefaultAndItsPerCacheForm() throws IOException {
    Map<String, JsonNode> byName = new HashMap<>();
    coalesceMetadata().get("properties").forEach(p -> byName.put(p.get("name").asText(), p));
    List<String> settings = new ArrayList<>();
    collect("", SettingsViewAccess.defaults(), settings);

    assertThat(settings).hasSize(25);
    for (String setting : settings) {
      JsonNode defaults = byName.get("coalesce.defaults." + setting);
      JsonNode perCache = byName.get("coalesce.caches.*." + setting);
      assertThat(defaults).as("coalesce.defaults." + setting).isNotNull();
      assertThat(perCache).as("coalesce.caches.*." + setting).isNotNull();
      assertThat(defaults.path("description").asText()).as(setting + " has a description").isNotBlank();
      assertThat(perCache.path("description").asText()).startsWith(defaults.path("description").asText());
      assertThat(defaults.path("defaultValue").asText()).as(setting + " default")
          .isEqualTo(String.valueOf(SettingsViewAccess.lookup(setting)));
    }
  }

  @SuppressWarnings("unchecked")
  private static void collect(String prefix, Map<String, Object> view, List<String> into) {
    view.forEach((key, value) -> {
      if (value instanceof Map<?, ?> part) {
        collect(prefix + key + ".", (Map<String, Object>) part, into);
      } else {
        into.add(prefix + key);
      }
    });
  }

  /** The engine's defaults as the endpoint renders them. */
  static final class SettingsViewAccess {
    static Map<String, Object> defaults() {
      return io.coalesce.autoconfigure.internal.SettingsView.of(io.coalesce.core.CacheSettings.defaults());
    }

    @SuppressWarnings("unchecked")
    static Object lookup(String setting) {
      Object current = defaults();
      for (String part : setting.split("\\.")) {
        current = ((Map<String, Object>) current).get(part);
      }
      return current;
    }
  }

  /** The metadata of coalesce-spring-boot-autoconfigure, among every jar's on the class path. */
  static JsonNode coalesceMetadata() throws IOException {
    var resources = ConfigurationReferenceTest.class.getClassLoader()
        .getResources("META-INF/spring-configuration-metadata.json");
    while (resources.hasMoreElements()) {
      try (InputStream in = resources.nextElement().openStream()) {
        JsonNode metadata = new ObjectMapper().readTree(in);
        if (metadata.path("groups").findValuesAsText("name").contains("coalesce")) {
          return metadata;
        }
      }
    }
    throw new AssertionError("No configuration metadata of coalesce-spring-boot-autoconfigure on the class path");
  }
}
