package io.coalesce.autoconfigure;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.spring.CoalesceAdvisor;
import io.coalesce.spring.CoalesceSpringCacheManager;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Once the singletons exist, builds the caches their annotations name, then says in one INFO line
 * which caches the application has and what each uses, so that "is Redis used?" has an answer in the log:
 *
 * <pre>
 * Coalesce: 2 caches, Redis at 10.0.0.5:6379: books (L1 max 10000, Redis, lock, Bloom), prices (L1 max 500, Redis, lock)
 * </pre>
 *
 * The caches are those declared under {@code coalesce.caches} and those the annotations of the
 * application's singletons name.
 */
final class CoalesceStartupReport implements SmartInitializingSingleton {

  private static final System.Logger LOG = System.getLogger(CoalesceStartupReport.class.getName());

  private final CoalesceProperties properties;
  private final ObjectProvider<CoalesceAdvisor> advisor;
  private final ObjectProvider<CoalescingCacheManager> manager;
  private final ObjectProvider<CoalesceSpringCacheManager> springCaches;
  private final RemoteTierProvider remote;

  /** @param remote the shared tier, or {@code null} when there is none */
  CoalesceStartupReport(CoalesceProperties properties, ObjectProvider<CoalesceAdvisor> advisor,
      ObjectProvider<CoalescingCacheManager> manager, ObjectProvider<CoalesceSpringCacheManager> springCaches,
      RemoteTierProvider remote) {
    this.properties = properties;
    this.advisor = advisor;
    this.manager = manager;
    this.springCaches = springCaches;
    this.remote = remote;
  }

  @Override
  public void afterSingletonsInstantiated() {
    // Builds the caches the annotations name now rather than on their first call, which may come on a
    // thread that must not block (a reactive method's subscriber: building a cache reads the random
    // source of its lock tokens and may seed its Bloom filter).
    advisor.ifAvailable(a -> manager.ifAvailable(m -> a.annotatedCacheNames().forEach(m::getCache)));
    springCaches.ifAvailable(CoalesceSpringCacheManager::createDeclaredCaches); // whichever of the two runs first
    LOG.log(Level.INFO, describe());
    unusedCaches().forEach((name, guess) -> {
      String unused = "Coalesce: cache '" + name + "' is configured under coalesce.caches." + name + ", but no "
          + "@Coalesced or Spring cache annotation names it and no code has asked for it: its settings apply to "
          + "nothing.";
      if (guess != null) {
        LOG.log(Level.WARNING, unused + " Did you mean '" + guess + "'? (A cache that code looks up by name only "
            + "later, with CoalescingCacheManager.getCache, is fine.)");
      } else {
        LOG.log(Level.DEBUG, () -> unused + " (Fine if code looks it up by name later.)");
      }
    });
  }

  /**
   * Each cache configured under {@code coalesce.caches} that no annotation names and no code has asked
   * for by the end of start-up, with the used name it probably misspells ({@code null} when none is
   * near). Only a near miss is warned about: a configured cache with a name like no other is most likely
   * one that code looks up by name later, which start-up cannot see.
   */
  Map<String, String> unusedCaches() {
    if (!(manager.getIfAvailable() instanceof DefaultCoalescingCacheManager defaults)) {
      return Map.of(); // another manager: what it was asked for is not known here
    }
    Set<String> used = new TreeSet<>(defaults.askedFor());
    advisor.ifAvailable(a -> used.addAll(a.annotatedCacheNames()));
    springCaches.ifAvailable(m -> used.addAll(m.declaredCacheNames()));
    Map<String, String> unused = new TreeMap<>();
    for (String name : properties.getCaches().keySet()) {
      if (!used.contains(name)) {
        unused.put(name, CacheNames.closest(name, used));
      }
    }
    return unused;
  }

  String describe() {
    Set<String> names = new TreeSet<>(properties.getCaches().keySet());
    advisor.ifAvailable(a -> names.addAll(a.annotatedCacheNames()));
    manager.ifAvailable(m -> names.addAll(m.getCacheNames()));
    String tier = remote == null ? "no Redis (no RedisConnectionFactory bean)" : remote.describe();
    if (names.isEmpty()) {
      return "Coalesce: no caches declared or annotated yet, " + tier;
    }
    List<String> caches = new ArrayList<>();
    for (String name : names) {
      caches.add(name + " (" + tiers(properties.settingsFor(name)) + ")");
    }
    return "Coalesce: " + names.size() + (names.size() == 1 ? " cache, " : " caches, ") + tier + ": "
        + String.join(", ", caches);
  }

  private String tiers(CacheSettings settings) {
    List<String> parts = new ArrayList<>();
    parts.add(settings.local().enabled() ? "L1 max " + settings.local().maximumSize() : "no L1");
    boolean shared = remote != null && settings.remote().enabled();
    if (shared) {
      parts.add("Redis");
      if (settings.lock().enabled()) {
        parts.add("lock");
      }
    }
    if (settings.bloom().enabled()) {
      parts.add(shared ? "Bloom" : "Bloom in process");
    }
    return String.join(", ", parts);
  }
}
