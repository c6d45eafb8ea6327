package io.coalesce.redis.internal;

import io.coalesce.bloom.internal.BloomShape;
import io.coalesce.bloom.internal.BloomShape.Probe;
import io.coalesce.bloom.internal.KeyBloom;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.UUID;

/**
 * A cache's Bloom filter in Redis, shared by every instance. Layout (one hash tag per cache, so the
 * scripts below may touch several of its keys, also on Redis Cluster):
 *
 * <ul>
 *   <li>{@code <prefix>:{<cache>:bloom}:current}: {@code <generation>|<shape>|<builtAt>}, the filter
 *       in use;
 *   <li>{@code <prefix>:{<cache>:bloom}:building}: {@code <generation>|<shape>|<token>}, a build under
 *       way, with a lease its builder renews;
 *   <li>{@code <prefix>:{<cache>:bloom}:<generation>:<segment>}: the bits, at most 1 MiB per key.
 * </ul>
 *
 * <p>A check is one script call (the pointer is verified, the segment must exist, then its
 * {@code k} bits); an addition is one script call that sets the bits in the filter in use and in
 * the one being built, after verifying that the caller knows both, so no addition is lost to a
 * build that started meanwhile. A build streams the seed into memory, merges each segment into
 * Redis ({@code SET} a temporary key, {@code BITOP OR}, so concurrent additions survive), then swaps
 * the pointer and deletes the old generation. Every failure fails open.
 */
public final class RedisBloom implements KeyBloom {

  private static final long BUILD_LEASE_MILLIS = 30_000;

  private static final byte[] CHECK = RedisKeys.bytes("""
      local current = redis.call('GET', KEYS[1])
      if (not current) or string.sub(current, 1, #ARGV[1]) ~= ARGV[1] then return -2 end
      if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
      for i = 2, #ARGV do
        if redis.call('GETBIT', KEYS[2], ARGV[i]) == 0 then return 0 end
      end
      return 1""");

  private static final byte[] ADD = RedisKeys.bytes("""
      local function known(key, prefix)
        local value = redis.call('GET', key)
        if prefix == '' then return not value end
        return value and string.sub(value, 1, #prefix) == prefix
      end
      if not known(KEYS[1], ARGV[1]) or not known(KEYS[2], ARGV[2]) then return -2 end
      for i = 5, #ARGV do
        if ARGV[3] == '1' then redis.call('SETBIT', KEYS[3], ARGV[i], 1) end
        if ARGV[4] == '1' then redis.call('SETBIT', KEYS[4], ARGV[i], 1) end
      end
      return 1""");

  private static final byte[] RENEW = RedisKeys.bytes("""
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('PEXPIRE', KEYS[1], ARGV[2])
      end
      return 0""");

  private static final byte[] SWAP = RedisKeys.bytes("""
      if redis.call('GET', KEYS[2]) == ARGV[1] then
        redis.call('SET', KEYS[1], ARGV[2])
        redis.call('DEL', KEYS[2])
        return 1
      end
      return 0""");

  private static final byte[] ABANDON = RedisKeys.bytes("""
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
      end
      return 0""");

  /** A pointer's generation and shape, parsed from its value. */
  private record Pointer(long generation, String shape, String third) {

    static Pointer parse(byte[] value) {
      if (value == null) {
        return null;
      }
      String[] parts = new String(value, StandardCharsets.UTF_8).split("\\|", 3);
      try {
        return new Pointer(Long.parseLong(parts[0]), parts[1], parts.length > 2 ? parts[2] : "");
      } catch (RuntimeException e) {
        return null; // not ours: treated as no filter (fail open)
      }
    }

    String prefix() {
      return generation + "|";
    }

    /** Segments of a filter of this shape ({@code <segments>x<bits>/<hashes>}). */
    int segments() {
      return Integer.parseInt(shape.substring(0, shape.indexOf('x')));
    }
  }

  private final String cache;
  private final BloomShape shape;
  private final String shapeText;
  private final RedisStore store;
  private final RedisErrors errors;
  private final String base;
  private final byte[] currentKey;
  private final byte[] buildingKey;
  private final byte[] generationKey;
  private final byte[] unusedKey;
  private volatile Pointer current;
  private volatile Pointer building;

  RedisBloom(String cache, BloomShape shape, RedisStore store, RedisKeys keys, RedisErrors errors) {
    this.cache = RedisKeys.requireName("cache name", cache);
    this.shape = shape;
    this.shapeText = shape.describe();
    this.store = store;
    this.errors = errors;
    this.base = keys.prefix() + ":{" + cache + ":bloom}";
    this.currentKey = RedisKeys.bytes(base + ":current");
    this.buildingKey = RedisKeys.bytes(base + ":building");
    this.generationKey = RedisKeys.bytes(base + ":generation");
    this.unusedKey = RedisKeys.bytes(base + ":none");
  }

  private byte[] segmentKey(long generation, int segment) {
    return RedisKeys.bytes(base + ":" + generation + ":" + segment);
  }

  @Override
  public boolean mightContain(String key) {
    Pointer inUse = current;
    if (inUse == null || !inUse.shape().equals(shapeText)) {
      return true; // not seeded, or seeded with another configuration: fail open
    }
    Probe probe = shape.probe(key);
    byte[][] keysAndArgs = new byte[3 + probe.offsets().length][];
    keysAndArgs[0] = currentKey;
    keysAndArgs[1] = segmentKey(inUse.generation(), probe.segment());
    keysAndArgs[2] = RedisKeys.bytes(inUse.prefix());
    putOffsets(probe, keysAndArgs, 3);
    long reply;
    try {
      reply = store.evalInteger(CHECK, 2, keysAndArgs);
      errors.succeeded();
    } catch (RuntimeException e) {
      errors.failed("bloom", e);
      return true;
    }
    if (reply == -2) {
      refresh(); // another build was swapped in: answer open this once
      return true;
    }
    return reply != 0; // -1: the segment is gone (evicted?): fail open
  }

  @Override
  public void add(String key) {
    Probe probe = shape.probe(key);
    for (int attempt = 0; attempt < 3; attempt++) {
      Pointer inUse = current;
      Pointer next = building;
      byte[][] keysAndArgs = new byte[8 + probe.offsets().length][];
      keysAndArgs[0] = currentKey;
      keysAndArgs[1] = buildingKey;
      keysAndArgs[2] = inUse == null ? unusedKey : segmentKey(inUse.generation(), probe.segment());
      keysAndArgs[3] = next == null ? unusedKey : segmentKey(next.generation(), probe.segment());
      keysAndArgs[4] = RedisKeys.bytes(inUse == null ? "" : inUse.prefix());
      keysAndArgs[5] = RedisKeys.bytes(next == null ? "" : next.prefix());
      keysAndArgs[6] = RedisKeys.bytes(inUse != null && inUse.shape().equals(shapeText) ? "1" : "0");
      keysAndArgs[7] = RedisKeys.bytes(next != null && next.shape().equals(shapeText) ? "1" : "0");
      putOffsets(probe, keysAndArgs, 8);
      try {
        long reply = store.evalInteger(ADD, 4, keysAndArgs);
        errors.succeeded();
        if (reply != -2) {
          return;
        }
      } catch (RuntimeException e) {
        errors.failed("bloom", e);
        return; // lost: the next rebuild has it (the key exists in the seed)
      }
      refresh(); // a build started or finished since we last looked: add again with both known
    }
  }

  private static void putOffsets(Probe probe, byte[][] target, int from) {
    long[] offsets = probe.offsets();
    for (int i = 0; i < offsets.length; i++) {
      target[from + i] = RedisKeys.bytes(Long.toString(offsets[i]));
    }
  }

  @Override
  public void refresh() {
    try {
      current = Pointer.parse(store.get(currentKey));
      building = Pointer.parse(store.get(buildingKey));
      errors.succeeded();
    } catch (RuntimeException e) {
      errors.failed("bloom", e); // keep what we knew: checks fail open on their own errors
    }
  }

  @Override
  public boolean build(Iterator<String> keys, boolean force, BuildProgress progress) {
    Pointer previous = Pointer.parse(store.get(currentKey));
    current = previous;
    if (!force && previous != null && previous.shape().equals(shapeText)) {
      return true; // another instance (or an earlier run) seeded it
    }
    long generation = store.increment(generationKey);
    String buildingValue = generation + "|" + shapeText + "|" + UUID.randomUUID();
    byte[] lease = RedisKeys.bytes(buildingValue);
    if (!store.setIfAbsent(buildingKey, lease, BUILD_LEASE_MILLIS)) {
      return false;
    }
    building = Pointer.parse(lease);
    try {
      byte[][] segments = fill(keys, progress, lease);
      for (int s = 0; s < segments.length; s++) {
        byte[] seedKey = RedisKeys.bytes(base + ":" + generation + ":" + s + ":seed");
        store.set(seedKey, segments[s], BUILD_LEASE_MILLIS);
        store.bitOr(segmentKey(generation, s), seedKey); // keeps bits added meanwhile
        store.delete(seedKey);
        renew(lease);
      }
      String currentValue = generation + "|" + shapeText + "|" + System.currentTimeMillis();
      if (store.evalInteger(SWAP, 2, currentKey, buildingKey, lease, RedisKeys.bytes(currentValue)) != 1) {
        throw new IllegalStateException("the build lease of cache '" + cache + "' lapsed before the swap");
      }
      current = Pointer.parse(RedisKeys.bytes(currentValue));
      building = null;
      errors.succeeded();
      if (previous != null) {
        for (int s = 0; s < previous.segments(); s++) {
          store.delete(segmentKey(previous.generation(), s));
        }
      }
      return true;
    } catch (RuntimeException e) {
      abandon(generation, lease);
      throw e;
    }
  }

  /** Streams the seed into one bitmap per segment, in Redis bit order (bit 0 = the first byte's high bit). */
  private byte[][] fill(Iterator<String> keys, BuildProgress progress, byte[] lease) {
    int bytesPerSegment = (int) ((shape.segmentBits() + 7) / 8);
    byte[][] segments = new byte[shape.segments()][bytesPerSegment];
    long added = 0;
    long renewAt = System.nanoTime() + BUILD_LEASE_MILLIS * 1_000_000 / 3;
    while (keys.hasNext()) {
      Probe probe = shape.probe(keys.next());
      byte[] segment = segments[probe.segment()];
      for (long offset : probe.offsets()) {
        segment[(int) (offset >>> 3)] |= (byte) (0x80 >>> (offset & 7));
      }
      if (++added % io.coalesce.bloom.BloomFilters.PROGRESS_EVERY == 0) {
        progress.added(added);
        if (System.nanoTime() > renewAt) {
          renew(lease);
          renewAt = System.nanoTime() + BUILD_LEASE_MILLIS * 1_000_000 / 3;
        }
      }
    }
    return segments;
  }

  private void renew(byte[] lease) {
    if (store.evalInteger(RENEW, 1, buildingKey, lease, RedisKeys.bytes(Long.toString(BUILD_LEASE_MILLIS))) != 1) {
      throw new IllegalStateException("the build lease of cache '" + cache + "' lapsed");
    }
  }

  private void abandon(long generation, byte[] lease) {
    try {
      store.evalInteger(ABANDON, 1, buildingKey, lease);
      for (int s = 0; s < shape.segments(); s++) {
        store.delete(segmentKey(generation, s));
      }
    } catch (RuntimeException ignored) {
      // Redis is failing: the lease lapses by itself, and a later build replaces the segments
    }
    building = null;
  }

  @Override
  public boolean isBuilding() {
    return building != null;
  }

  @Override
  public boolean isReady() {
    Pointer inUse = current;
    return inUse != null && inUse.shape().equals(shapeText) && !errors.isFailing();
  }

  @Override
  public boolean hasCurrentShape() {
    Pointer inUse = current;
    return inUse != null && inUse.shape().equals(shapeText);
  }

  @Override
  public String mode() {
    return "redis";
  }

  @Override
  public long generation() {
    Pointer inUse = current;
    return inUse == null ? 0 : inUse.generation();
  }

  @Override
  public long builtAtMillis() {
    Pointer inUse = current;
    try {
      return inUse == null ? 0 : Long.parseLong(inUse.third());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
