package io.coalesce.autoconfigure;

import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheManager;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Creates each named cache once, on first use, with a factory; declared caches are created at
 * start-up so that their settings are checked before the first request.
 */
final class DefaultCoalescingCacheManager implements CoalescingCacheManager, AutoCloseable {

  private final ConcurrentMap<String, CoalescingCache> caches = new ConcurrentHashMap<>();
  private final Set<String> asked = ConcurrentHashMap.newKeySet();
  private final Function<String, CoalescingCache> factory;
  private final Set<String> declared;
  private final boolean strict;
  private final Runnable onClose;

  DefaultCoalescingCacheManager(Function<String, CoalescingCache> factory, Set<String> declared,
      boolean strict, Runnable onClose) {
    this.factory = factory;
    this.onClose = onClose;
    this.declared = Set.copyOf(declared);
    this.strict = strict;
    declared.forEach(name -> caches.computeIfAbsent(name, factory));
  }

  @Override
  public CoalescingCache getCache(String name) {
    if (name != null && !asked.contains(name)) {
      asked.add(name); // a read first: code may call getCache on every request, and add locks a bin
    }
    CoalescingCache cache = caches.get(name);
    if (cache != null) {
      return cache;
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("A cache name must not be empty");
    }
    if (strict && !declared.contains(name)) {
      throw new IllegalArgumentException("Unknown cache '" + name + "': coalesce.strict-cache-names is on "
          + "and it is not declared under coalesce.caches (declared: " + declared + ")");
    }
    return caches.computeIfAbsent(name, factory);
  }

  @Override
  public Collection<String> getCacheNames() {
    return Collections.unmodifiableSet(caches.keySet());
  }

  /** The names code has asked this manager for so far (the declared caches it made itself are not asked). */
  Set<String> askedFor() {
    return Set.copyOf(asked);
  }

  /** Releases what the caches share (the refresh executor); called when the context closes. */
  @Override
  public void close() {
    onClose.run();
  }
}
