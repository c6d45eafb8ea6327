package io.coalesce.redis;

import java.util.Collection;
import java.util.List;

/**
 * The classes that stored data may name: for a property the application declared polymorphic by
 * class name ({@code @JsonTypeInfo(use = Id.CLASS)} or {@code MINIMAL_CLASS}), the JSON in Redis says
 * which class to instantiate, so anyone who can write to Redis could choose one. Only classes in the
 * packages listed here may be named (and Jackson still requires them to fit the declared type);
 * every other class name makes the value undecodable, a miss. Type ids by name
 * ({@code Id.NAME} with {@code @JsonSubTypes}) are an allow-list the application wrote, and are
 * unaffected. Empty by default: no class may be named.
 */
final class TrustedTypes {

  private final List<String> prefixes;

  TrustedTypes(Collection<String> packages) {
    this.prefixes = packages.stream().map(String::trim).filter(p -> !p.isEmpty())
        .map(p -> p.endsWith(".") ? p : p + ".").toList();
  }

  boolean trusts(String className) {
    for (String prefix : prefixes) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return prefixes.isEmpty() ? "no package" : prefixes.toString();
  }
}
