package io.coalesce.spring;

import io.coalesce.core.Lookup;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The misses of the {@code @Cacheable} (without {@code sync}) calls under way on this thread, kept
 * from Spring's look-up to its put, so that the put stores what the method loaded as a load fenced by
 * the version the miss read ({@link io.coalesce.core.CoalescingCache#putLoaded}) instead of as a write.
 * A put outside such a call, or of a key the call did not miss, is a {@code @CachePut}: a write.
 *
 * <p>Each call has a scope of its own ({@link CacheableFenceAdvisor}), ended when the call returns:
 * a miss whose put Spring skipped ({@code unless}, an exception) cannot turn a later
 * {@code @CachePut} on this thread into a load.
 */
final class CacheableMisses {

  private static final ThreadLocal<Deque<Scope>> SCOPES = new ThreadLocal<>();

  /** One call's misses, by cache and key; {@code null} for a call that is no {@code @Cacheable} read. */
  private static final class Scope {
    final Map<MissKey, Lookup> misses;

    Scope(boolean reads) {
      this.misses = reads ? new HashMap<>(4) : null;
    }
  }

  private record MissKey(Object cache, Object key) {}

  private CacheableMisses() {}

  /** Opens the scope of a call; {@code reads}: it is a {@code @Cacheable} without {@code sync}. */
  static void open(boolean reads) {
    Deque<Scope> scopes = SCOPES.get();
    if (scopes == null) {
      scopes = new ArrayDeque<>(4);
      SCOPES.set(scopes);
    }
    scopes.push(new Scope(reads));
  }

  /** Closes the innermost scope, with the misses it did not put. */
  static void close() {
    Deque<Scope> scopes = SCOPES.get();
    if (scopes == null) {
      return;
    }
    scopes.poll();
    if (scopes.isEmpty()) {
      SCOPES.remove();
    }
  }

  /** Whether the innermost call on this thread is a {@code @Cacheable} read whose misses are kept. */
  static boolean reading() {
    Deque<Scope> scopes = SCOPES.get();
    return scopes != null && !scopes.isEmpty() && scopes.peek().misses != null;
  }

  /** Keeps {@code miss} of {@code key} in {@code cache} for the put of the innermost call. */
  static void missed(Object cache, Object key, Lookup miss) {
    Deque<Scope> scopes = SCOPES.get();
    if (scopes != null && !scopes.isEmpty() && scopes.peek().misses != null) {
      scopes.peek().misses.put(new MissKey(cache, key), miss);
    }
  }

  /** The miss of {@code key} in {@code cache} that the innermost call read, taken; or {@code null}. */
  static Lookup take(Object cache, Object key) {
    Deque<Scope> scopes = SCOPES.get();
    if (scopes == null || scopes.isEmpty() || scopes.peek().misses == null) {
      return null;
    }
    return scopes.peek().misses.remove(new MissKey(cache, key));
  }
}
