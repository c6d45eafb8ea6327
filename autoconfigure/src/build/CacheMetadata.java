import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coalesce.autoconfigure.internal.SettingsView;
import io.coalesce.core.CacheSettings;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Completes the configuration metadata that spring-boot-configuration-processor wrote for
 * coalesce.*, run by the build after compiling (a single-file program: `java CacheMetadata.java
 * <metadata.json>`). A cache's properties are nullable (unset means "inherit"), so the processor
 * knows neither their defaults nor the per-cache names; both come from the one place they are
 * defined:
 *
 * - each coalesce.defaults.X gets the default of CacheSettings.defaults(), rendered as the actuator
 *   endpoint renders settings (SettingsView);
 * - each coalesce.defaults.X is repeated as coalesce.caches.*.X, so that the per-cache form of every
 *   setting is documented too (the metadata format has no other way to describe a map's values).
 */
public class CacheMetadata {

  private static final String DEFAULTS = "coalesce.defaults.";
  private static final String PER_CACHE = "coalesce.caches.*.";

  public static void main(String[] args) throws Exception {
    File file = new File(args[0]);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode metadata = (ObjectNode) json.readTree(file);
    Map<String, Object> defaults = SettingsView.of(CacheSettings.defaults());
    ArrayNode properties = (ArrayNode) metadata.get("properties");
    List<ObjectNode> perCache = new ArrayList<>();
    for (JsonNode node : properties) {
      ObjectNode property = (ObjectNode) node;
      String name = property.get("name").asText();
      if (!name.startsWith(DEFAULTS)) {
        continue;
      }
      String setting = name.substring(DEFAULTS.length());
      Object value = lookup(defaults, setting);
      if (value == null) {
        throw new IllegalStateException(name + " has no default in CacheSettings.defaults() (SettingsView "
            + "names: " + defaults.keySet() + "); rename the record component or the property so they match");
      }
      property.set("defaultValue", json.valueToTree(value));
      ObjectNode copy = property.deepCopy();
      copy.put("name", PER_CACHE + setting);
      copy.put("description", property.path("description").asText()
          + " For one cache: overrides coalesce.defaults." + setting + ".");
      perCache.add(copy);
    }
    perCache.forEach(properties::add);
    json.writeValue(file, metadata);
    System.out.println("[CacheMetadata] " + perCache.size() + " settings: defaults from CacheSettings, "
        + "per-cache entries added to " + file);
  }

  @SuppressWarnings("unchecked")
  private static Object lookup(Map<String, Object> view, String path) {
    Object current = view;
    for (String part : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = ((Map<String, Object>) map).get(part);
    }
    return current;
  }
}
