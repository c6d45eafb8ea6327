package io.coalesce.core;

import io.coalesce.core.CacheListener.GetResult;

/**
 * The penetration guard (a Bloom filter) as the read path asks it: only after an L1 miss, with the
 * key in its string form, recording a rejection. A key without a stable string form is never
 * rejected.
 */
final class KeyGuard {

  private final PenetrationGuard guard;
  private final CacheListener listener;

  KeyGuard(PenetrationGuard guard, CacheListener listener) {
    this.guard = guard;
    this.listener = listener;
  }

  /** Whether there is no guard (the Bloom filter is off): asking it is free. */
  boolean isNone() {
    return guard == PenetrationGuard.NONE;
  }

  /** Whether {@code key} certainly does not exist: a "not found" that touches neither L2 nor the loader. */
  boolean certainlyAbsent(Object key) {
    if (guard == PenetrationGuard.NONE) {
      return false;
    }
    String text = text(key);
    if (text == null || guard.mightContain(text)) {
      return false;
    }
    listener.onGet(GetResult.BLOOM_REJECTED);
    return true;
  }

  /** Teaches the guard a key that has a value. */
  void add(Object key) {
    if (guard != PenetrationGuard.NONE) {
      String text = text(key);
      if (text != null) {
        guard.add(text);
      }
    }
  }

  /** Additions that failed are made again now (a put's shared-tier write just went through). */
  void retryFailedAdditions() {
    if (guard != PenetrationGuard.NONE) {
      guard.retryFailedAdditions();
    }
  }

  private static String text(Object key) {
    if (key instanceof String s) {
      return s;
    }
    try {
      return KeyFormat.format(key);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
