package io.coalesce.redis.internal;

import java.nio.charset.StandardCharsets;

/**
 * Names in Redis. A value lives at {@code <prefix>:<cache>:{<key>}}, its rebuild lock at
 * {@code <prefix>:<cache>:{<key>}:lock}, its write version at {@code <prefix>:<cache>:{<key>}:v}
 * and the data version of its last put at {@code <prefix>:<cache>:{<key>}:dv} (an empty key, or one
 * starting with {@code '}'} or {@code '='}, gets a leading {@code '='}: see {@link #hashTag}): the
 * hash tag around the key puts them in one Redis Cluster slot (the scripts touch them together)
 * while spreading the keys of a cache over all slots. A cache's clear marker is
 * {@code <prefix>:<cache>:cleared}. Events travel on the channel {@code <prefix>:coalesce:events}.
 * Key names are written in {@link Wtf8}, so that every Java string names a key of its own.
 */
final class RedisKeys {

  private final String prefix;

  RedisKeys(String prefix) {
    requireName("key-prefix", prefix);
    this.prefix = prefix;
  }

  static String requireName(String what, String name) {
    if (name == null || name.isEmpty() || name.indexOf('{') >= 0 || name.indexOf('}') >= 0
        || name.indexOf('|') >= 0 || name.indexOf('*') >= 0 || name.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("Invalid " + what + " '" + name + "' for Redis: it must be "
          + "non-empty and contain none of { } | * or white space");
    }
    return name;
  }

  String prefix() {
    return prefix;
  }

  byte[] value(String cache, String key) {
    return Wtf8.encode(base(cache, key));
  }

  byte[] lock(String cache, String key) {
    return Wtf8.encode(base(cache, key) + ":lock");
  }

  /** The key's write version: raised by every put and evict, it fences the write-backs of loads. */
  byte[] version(String cache, String key) {
    return Wtf8.encode(base(cache, key) + ":v");
  }

  /** The data version of the key's last put with one ({@code @CoalescedPut(version = ...)}). */
  byte[] dataVersion(String cache, String key) {
    return Wtf8.encode(base(cache, key) + ":dv");
  }

  /** The cache's clear marker: every key of the cache reads at a version at least this one. */
  byte[] cleared(String cache) {
    return bytes(prefix + ":" + cache + ":cleared");
  }

  /** A SCAN pattern matching every value, lock and version key of {@code cache}. */
  byte[] pattern(String cache) {
    return bytes(prefix + ":" + cache + ":{*");
  }

  byte[] channel() {
    return bytes(prefix + ":coalesce:events");
  }

  private String base(String cache, String key) {
    return prefix + ":" + cache + ":{" + hashTag(key) + "}";
  }

  /**
   * The key as the content of a hash tag. An empty key, or one starting with {@code '}'}, would make
   * an empty tag, which Redis Cluster ignores (hashing the whole name, so the value and its lock
   * could land in different slots): those keys, and keys starting with the escape {@code '='}
   * itself, get a leading {@code '='}. Every other key is used as it is.
   */
  static String hashTag(String key) {
    return key.isEmpty() || key.charAt(0) == '}' || key.charAt(0) == '=' ? "=" + key : key;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
