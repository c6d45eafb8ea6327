package io.coalesce.spring;

import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheManager;
import java.lang.reflect.Type;

/**
 * One annotation on one method, resolved at start-up: the cache, the key and the shape of the
 * value. The cache itself is looked up on first call and kept.
 */
final class CacheOperation {

  private final String cacheName;
  private final KeyResolver key;
  private final ValueShape shape;
  private final Type valueType;
  private final boolean allEntries;
  private final BatchShape batch;
  private final boolean evictEach;
  private final KeyResolver version;
  private volatile CoalescingCache cache;

  CacheOperation(String cacheName, KeyResolver key, ValueShape shape, Type valueType) {
    this(cacheName, key, shape, valueType, false);
  }

  /**
   * @param allEntries whether the operation is an evict of every key ({@code key} is then unused)
   */
  CacheOperation(String cacheName, KeyResolver key, ValueShape shape, Type valueType, boolean allEntries) {
    this(cacheName, key, shape, valueType, allEntries, null, false, null);
  }

  /**
   * @param batch how a read or put is cached per id, or {@code null}
   * @param evictEach whether the key of an evict is a collection of keys to evict each of
   */
  private CacheOperation(String cacheName, KeyResolver key, ValueShape shape, Type valueType, boolean allEntries,
      BatchShape batch, boolean evictEach, KeyResolver version) {
    this.cacheName = cacheName;
    this.key = key;
    this.shape = shape;
    this.valueType = valueType;
    this.allEntries = allEntries;
    this.batch = batch;
    this.evictEach = evictEach;
    this.version = version;
  }

  /** This operation cached per id, each value of type {@code elementType}. */
  CacheOperation perId(BatchShape batch, Type elementType) {
    return new CacheOperation(cacheName, key, shape, elementType, allEntries, batch, false, null);
  }

  /** This put, ordered by the data version {@code version} gives ({@code @CoalescedPut(version)}). */
  CacheOperation versionedBy(KeyResolver version) {
    return new CacheOperation(cacheName, key, shape, valueType, allEntries, batch, evictEach, version);
  }

  /** What gives a put's data version, or {@code null}. */
  KeyResolver version() {
    return version;
  }

  /** This evict, of each key of the collection its key gives. */
  CacheOperation evictingEach() {
    return new CacheOperation(cacheName, key, shape, valueType, allEntries, null, true, null);
  }

  /** How a batch read or put is cached per id, or {@code null} for an operation on one key. */
  BatchShape batch() {
    return batch;
  }

  boolean evictEach() {
    return evictEach;
  }

  boolean allEntries() {
    return allEntries;
  }

  String cacheName() {
    return cacheName;
  }

  KeyResolver key() {
    return key;
  }

  ValueShape shape() {
    return shape;
  }

  Type valueType() {
    return valueType;
  }

  CoalescingCache cache(CoalescingCacheManager manager) {
    CoalescingCache resolved = cache;
    if (resolved == null) {
      resolved = manager.getCache(cacheName);
      cache = resolved;
    }
    return resolved;
  }
}
