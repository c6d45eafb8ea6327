package io.coalesce.redis.internal;

import io.coalesce.bloom.BloomFilters;
import io.coalesce.bloom.internal.BloomShape;
import io.coalesce.bloom.internal.BloomShape.Probe;
import io.coalesce.bloom.internal.KeyBloom;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cache's Bloom filter in Redis, shared by every instance. Layout (one hash tag per cache, so the
 * scripts below may touch several of its keys, also on Redis Cluster):
 *
 * <ul>
 *   <li>{@code <prefix>:{<cache>:bloom}:current}: {@code <generation>|<shape>|<builtAt>}, the filter
 *       in use;
 *   <li>{@code <prefix>:{<cache>:bloom}:building}: {@code <generation>|<shape>|<token>}, a build under
 *       way, with a lease its builder renews;
 *   <li>{@code <prefix>:{<cache>:bloom}:<generation>:<segment>}: the bits, at most 1 MiB per key. The
 *       segments of a build are created empty, with the build's lease, before anything is added to
 *       them, and made persistent by the swap, which deletes the generation it replaces: a builder
 *       that dies leaves nothing behind, and no generation outlives its replacement;
 *   <li>{@code <prefix>:{<cache>:bloom}:last}: the pointer last swapped in, kept when the current
 *       pointer is removed so that the next build still retires that generation's segments;
 *   <li>{@code <prefix>:{<cache>:bloom}:generation}: the counter of generations.
 * </ul>
 *
 * <p>The rule: the filter says "absent" only when it is certain its bits are complete. A check is one
 * script (pointer verified, segment present, then its {@code k} bits); a missing segment makes it
 * answer "may exist" and asks for a repair (a rebuild from the seed). An addition is one script that
 * sets the key's bits in the filter in use and in the one being built, each with its own shape (so an
 * instance still on an old configuration keeps adding to a filter of the new one), never creating a
 * segment that is missing. An addition that fails is kept and made again once Redis takes it; one
 * refused for lack of memory removes the pointer too, so every instance fails open until a rebuild.
 */
public final class RedisBloom implements KeyBloom {

  private static final System.Logger LOG = System.getLogger(RedisBloom.class.getName());
  /** How long a build's keys live unless its builder renews them: a builder that dies leaves nothing. */
  static final Duration BUILD_LEASE = Duration.ofSeconds(30);
  /** Additions kept for retry; past this the filter is rebuilt instead. */
  private static final int MAX_JOURNAL = 100_000;

  private static final byte[] CHECK = RedisKeys.bytes("""
      local current = redis.call('GET', KEYS[1])
      if (not current) or string.sub(current, 1, #ARGV[1]) ~= ARGV[1] then return -2 end
      if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
      for i = 2, #ARGV do
        if redis.call('GETBIT', KEYS[2], ARGV[i]) == 0 then return 0 end
      end
      return 1""");

  /**
   * KEYS: current pointer, building pointer, current segment, building segment. ARGV: the prefixes
   * both pointers must have ('' = must be absent), then {@code n1} offsets for the current segment,
   * then {@code n2} offsets for the building one. A segment that does not exist is never created:
   * returns -2 (pointers moved), -1 (a segment is missing), 1 (added).
   */
  private static final byte[] ADD = RedisKeys.bytes("""
      local function known(key, prefix)
        local value = redis.call('GET', key)
        if prefix == '' then return not value end
        return value and string.sub(value, 1, #prefix) == prefix
      end
      if not known(KEYS[1], ARGV[1]) or not known(KEYS[2], ARGV[2]) then return -2 end
      local n1 = tonumber(ARGV[3])
      local n2 = tonumber(ARGV[4 + n1])
      if n1 > 0 and redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
      if n2 > 0 and redis.call('EXISTS', KEYS[4]) == 0 then return -1 end
      for i = 1, n1 do redis.call('SETBIT', KEYS[3], ARGV[3 + i], 1) end
      for i = 1, n2 do redis.call('SETBIT', KEYS[4], ARGV[4 + n1 + i], 1) end
      return 1""");

  /**
   * Starts a build: takes the build lease ({@code KEYS[1]}, value {@code ARGV[1]}) and, in the same
   * step, creates its segments ({@code KEYS[2..]}) empty with the lease as their TTL, so that no
   * addition can ever see the new filter announced but its segments missing. Returns 0 when another
   * build holds the lease.
   */
  private static final byte[] BEGIN_BUILD = RedisKeys.bytes("""
      if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) then return 0 end
      for i = 2, #KEYS do
        redis.call('SETBIT', KEYS[i], ARGV[2], 0)
        redis.call('PEXPIRE', KEYS[i], ARGV[3])
      end
      return 1""");

  /** KEYS[1]: building pointer, then the build's segments. Renews the lease on all of them. */
  private static final byte[] RENEW = RedisKeys.bytes("""
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
      for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
      return 1""");

  /**
   * KEYS: current, building, last, then the build's {@code ARGV[3]} segments (made persistent as the
   * build becomes current), then the segments of the generation it replaces (deleted in the same
   * step, so no generation outlives its replacement). ARGV: the build's lease, the new pointer, n.
   */
  private static final byte[] SWAP = RedisKeys.bytes("""
      if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
      local n = tonumber(ARGV[3])
      for i = 4, 3 + n do
        if redis.call('EXISTS', KEYS[i]) == 0 then return -1 end
      end
      for i = 4, 3 + n do redis.call('PERSIST', KEYS[i]) end
      for i = 4 + n, #KEYS do redis.call('DEL', KEYS[i]) end
      redis.call('SET', KEYS[1], ARGV[2])
      redis.call('SET', KEYS[3], ARGV[2])
      redis.call('DEL', KEYS[2])
      return 1""");

  private static final byte[] ABANDON = RedisKeys.bytes("""
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
      end
      return 0""");

  /** A pointer: its generation, its shape as described, and a third part (built-at, or a token). */
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

    BloomShape bloomShape() {
      return BloomShape.parse(shape);
    }
  }

  private final String cache;
  private final BloomShape shape;
  private final String shapeText;
  private final RedisStore store;
  private final RedisCallGuard guard;
  private final BooleanSupplier answered;
  private final Clock clock;
  private final String base;
  private final byte[] currentKey;
  private final byte[] buildingKey;
  private final byte[] generationKey;
  private final byte[] lastKey;
  private final long buildLeaseMillis;
  private final byte[] unusedKey;
  /** "generation|keys|millis" of the last build swapped in, written by its builder. */
  private final byte[] statsKey;
  private final Set<String> journal = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean repair = new AtomicBoolean();
  /** The generation in use when the repair was asked for: a newer one ends it. */
  private final AtomicLong repairOf = new AtomicLong(-1);
  private volatile Pointer current;
  private volatile Pointer building;

  /**
   * @param answered whether Redis has answered since start-up
   */
  RedisBloom(String cache, BloomShape shape, RedisStore store, RedisKeys keys, RedisCallGuard guard, Clock clock,
      Duration buildLease, BooleanSupplier answered) {
    this.answered = answered;
    this.cache = RedisKeys.requireName("cache name", cache);
    this.shape = shape;
    this.shapeText = shape.describe();
    this.store = store;
    this.guard = guard;
    this.clock = clock;
    this.base = keys.prefix() + ":{" + cache + ":bloom}";
    this.currentKey = RedisKeys.bytes(base + ":current");
    this.buildingKey = RedisKeys.bytes(base + ":building");
    this.generationKey = RedisKeys.bytes(base + ":generation");
    this.lastKey = RedisKeys.bytes(base + ":last");
    this.buildLeaseMillis = buildLease.toMillis();
    this.unusedKey = RedisKeys.bytes(base + ":none");
    this.statsKey = RedisKeys.bytes(base + ":stats");
  }

  @Override
  public void recordBuild(long keys, long millis) {
    try {
      store.put("bloom", statsKey, RedisKeys.bytes(generation() + "|" + keys + "|" + millis));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "Recording the build of the Bloom filter of cache '" + cache + "' failed", e);
    }
  }

  @Override
  public BuildRecord lastBuild() {
    try {
      byte[] value = store.get("bloom", statsKey);
      if (value == null) {
        return null;
      }
      String[] parts = new String(value, StandardCharsets.UTF_8).split("\\|");
      return new BuildRecord(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    } catch (RuntimeException e) {
      return null; // Redis failing, or not ours: unknown
    }
  }

  @Override
  public boolean storeNeverAnswered() {
    return !answered.getAsBoolean();
  }

  private byte[] segmentKey(long generation, int segment) {
    return RedisKeys.bytes(base + ":" + generation + ":" + segment);
  }

  @Override
  public boolean mightContain(String key) {
    Pointer inUse = current;
    if (inUse == null || !inUse.shape().equals(shapeText) || repair.get()) {
      return true; // not seeded, seeded with another configuration, or missing bits: fail open
    }
    if (!journal.isEmpty()) {
      // Additions of this instance that Redis has not taken yet (a put's id among them): until they
      // are made, the filter in Redis may lack their bits, so it cannot say "absent" here.
      return true;
    }
    Probe probe = shape.probe(key);
    byte[][] keysAndArgs = new byte[3 + probe.offsets().length][];
    keysAndArgs[0] = currentKey;
    keysAndArgs[1] = segmentKey(inUse.generation(), probe.segment());
    keysAndArgs[2] = RedisKeys.bytes(inUse.prefix());
    putOffsets(probe.offsets(), keysAndArgs, 3);
    long reply;
    try {
      reply = store.evalInteger("bloom", CHECK, 2, keysAndArgs);
    } catch (RuntimeException e) {
      return true; // Redis is failing: fail open
    }
    if (reply == -2) {
      refresh(); // another build was swapped in: answer open this once
      return true;
    }
    if (reply == -1) {
      needRepair(inUse, "segment " + probe.segment() + " of generation " + inUse.generation() + " is gone");
      return true;
    }
    return reply != 0;
  }

  @Override
  public void add(String key) {
    if (!tryAdd(key)) {
      keep(key);
    }
  }

  /** Adds {@code key} to every filter that exists, in its own shape; whether it took. */
  private boolean tryAdd(String key) {
    for (int attempt = 0; attempt < 3; attempt++) {
      Pointer inUse = current;
      Pointer next = building;
      BloomShape inUseShape = inUse == null ? null : inUse.bloomShape();
      BloomShape nextShape = next == null ? null : next.bloomShape();
      Probe first = inUseShape == null ? null : inUseShape.probe(key);
      Probe second = nextShape == null ? null : nextShape.probe(key);
      int n1 = first == null ? 0 : first.offsets().length;
      int n2 = second == null ? 0 : second.offsets().length;
      byte[][] keysAndArgs = new byte[4 + 4 + n1 + n2][];
      keysAndArgs[0] = currentKey;
      keysAndArgs[1] = buildingKey;
      keysAndArgs[2] = first == null ? unusedKey : segmentKey(inUse.generation(), first.segment());
      keysAndArgs[3] = second == null ? unusedKey : segmentKey(next.generation(), second.segment());
      keysAndArgs[4] = RedisKeys.bytes(inUse == null ? "" : inUse.prefix());
      keysAndArgs[5] = RedisKeys.bytes(next == null ? "" : next.prefix());
      keysAndArgs[6] = RedisKeys.bytes(Integer.toString(n1));
      if (first != null) {
        putOffsets(first.offsets(), keysAndArgs, 7);
      }
      keysAndArgs[7 + n1] = RedisKeys.bytes(Integer.toString(n2));
      if (second != null) {
        putOffsets(second.offsets(), keysAndArgs, 8 + n1);
      }
      long reply;
      try {
        // Always sent, even while the breaker skips reads: an addition that one instance skips is a
        // key the others would answer "not found" for.
        reply = store.evalIntegerAlways("bloom", ADD, 4, keysAndArgs);
      } catch (RuntimeException e) {
        refused(e);
        return false;
      }
      if (reply == 1) {
        return true;
      }
      if (reply == -1) {
        if (inUse != null) {
          needRepair(inUse, "a segment is gone");
        }
        return false;
      }
      refresh(); // a build started or finished since we last looked: add again with both known
    }
    return false;
  }

  /**
   * Redis did not take an addition. If it said so for lack of memory, the other instances must not
   * trust the filter either: the pointer is removed (a delete is allowed when memory is full), so
   * every instance fails open until the filter is rebuilt.
   */
  private void refused(RuntimeException error) {
    if (String.valueOf(rootMessage(error)).contains("OOM")) {
      Pointer inUse = current;
      try {
        store.deleteAlways("bloom", currentKey); // a plain DEL: Redis allows it when its memory is full
      } catch (RuntimeException ignored) {
        // Redis does not answer at all: the additions are kept for later
      }
      if (inUse != null) {
        needRepair(inUse, "Redis refused an addition (" + rootMessage(error) + ")");
      }
    }
  }

  private void keep(String key) {
    if (journal.size() < MAX_JOURNAL) {
      journal.add(key);
    } else {
      Pointer inUse = current;
      if (inUse != null) {
        needRepair(inUse, "more than " + MAX_JOURNAL + " additions could not be made");
      }
    }
  }

  private void needRepair(Pointer inUse, String why) {
    if (repair.compareAndSet(false, true)) {
      repairOf.set(inUse.generation());
      LOG.log(Level.WARNING, "Bloom filter of cache '" + cache + "' cannot answer \"absent\" any more: " + why
          + ". It lets every key through until it is rebuilt from its seed");
    }
  }

  private static void putOffsets(long[] offsets, byte[][] target, int from) {
    for (int i = 0; i < offsets.length; i++) {
      target[from + i] = RedisKeys.bytes(Long.toString(offsets[i]));
    }
  }

  @Override
  public void refresh() {
    try {
      current = Pointer.parse(store.get("bloom", currentKey));
      building = Pointer.parse(store.get("bloom", buildingKey));
    } catch (RuntimeException e) {
      return; // keep what we knew: checks fail open on their own errors
    }
    Pointer inUse = current;
    if (repair.get() && inUse != null && inUse.generation() > repairOf.get()) {
      repair.set(false); // another instance (or we) rebuilt it
    }
    replayJournal();
  }

  @Override
  public void retryFailedAdditions() {
    replayJournal();
  }

  /** Makes the additions that did not take, now that Redis answers. */
  private void replayJournal() {
    if (journal.isEmpty() || current == null) {
      return;
    }
    for (String key : List.copyOf(journal)) {
      if (!tryAdd(key)) {
        return;
      }
      journal.remove(key);
    }
  }

  @Override
  public boolean build(Iterator<String> keys, boolean force, BuildProgress progress) {
    Pointer seen = Pointer.parse(store.get("bloom", currentKey));
    current = seen;
    if (!force && seen != null && seen.shape().equals(shapeText)) {
      return true; // another instance (or an earlier run) seeded it
    }
    long generation = store.increment("bloom", generationKey);
    String buildingValue = generation + "|" + shapeText + "|" + UUID.randomUUID();
    byte[] lease = RedisKeys.bytes(buildingValue);
    byte[][] segmentKeys = new byte[shape.segments()][];
    for (int s = 0; s < segmentKeys.length; s++) {
      segmentKeys[s] = segmentKey(generation, s);
    }
    byte[][] beginKeys = new byte[1 + segmentKeys.length][];
    beginKeys[0] = buildingKey;
    System.arraycopy(segmentKeys, 0, beginKeys, 1, segmentKeys.length);
    if (store.evalInteger("bloom", BEGIN_BUILD, beginKeys.length, concat(beginKeys, lease,
        RedisKeys.bytes(Long.toString(shape.segmentBits() - 1)), RedisKeys.bytes(Long.toString(buildLeaseMillis)))) != 1) {
      return false;
    }
    try {
      // Read under the lease: no other build can swap until it lapses, so the filter in use now is
      // the one this build replaces (read before the lease, another build might have swapped since).
      Pointer previous = Pointer.parse(store.get("bloom", currentKey));
      current = previous;
      if (!force && previous != null && previous.shape().equals(shapeText)) {
        abandon(lease, segmentKeys);
        return true; // a build that finished a moment ago seeded it
      }
      // The generation this build replaces: the one in use, or, when its pointer is gone (deleted,
      // or removed because Redis refused an addition), the last one swapped in, whose bits are still there.
      Pointer replaced = previous != null ? previous : Pointer.parse(store.get("bloom", lastKey));
      building = Pointer.parse(lease); // from here additions reach the new segments too
      byte[][] bits = fill(keys, progress, lease, segmentKeys);
      for (int s = 0; s < bits.length; s++) {
        byte[] seedKey = RedisKeys.bytes(base + ":" + generation + ":" + s + ":seed");
        store.set("bloom", seedKey, bits[s], buildLeaseMillis);
        store.bitOr("bloom", segmentKeys[s], seedKey); // keeps bits added meanwhile
        store.delete("bloom", seedKey);
        renew(lease, segmentKeys);
      }
      String currentValue = generation + "|" + shapeText + "|" + clock.millis();
      byte[][] retired = segmentKeysOf(replaced, generation);
      byte[][] swapKeys = new byte[3 + segmentKeys.length + retired.length][];
      swapKeys[0] = currentKey;
      swapKeys[1] = buildingKey;
      swapKeys[2] = lastKey;
      System.arraycopy(segmentKeys, 0, swapKeys, 3, segmentKeys.length);
      System.arraycopy(retired, 0, swapKeys, 3 + segmentKeys.length, retired.length);
      long swapped = store.evalInteger("bloom", SWAP, swapKeys.length,
          concat(swapKeys, lease, RedisKeys.bytes(currentValue), RedisKeys.bytes(Integer.toString(segmentKeys.length))));
      if (swapped != 1) {
        throw new IllegalStateException(swapped == 0
            ? "the build lease of cache '" + cache + "' lapsed before the swap"
            : "a segment of the new filter of cache '" + cache + "' vanished before the swap");
      }
      current = Pointer.parse(RedisKeys.bytes(currentValue));
      building = null;
      repair.set(false);
      replayJournal();
      return true;
    } catch (RuntimeException e) {
      abandon(lease, segmentKeys);
      throw e;
    }
  }

  /** The segment keys of {@code old}, or none when there is no older generation to retire. */
  private byte[][] segmentKeysOf(Pointer old, long newGeneration) {
    if (old == null || old.generation() == newGeneration) {
      return new byte[0][];
    }
    BloomShape oldShape = old.bloomShape();
    byte[][] keys = new byte[oldShape == null ? 1 : oldShape.segments()][];
    for (int s = 0; s < keys.length; s++) {
      keys[s] = segmentKey(old.generation(), s);
    }
    return keys;
  }

  private static byte[][] concat(byte[][] keys, byte[]... args) {
    byte[][] all = new byte[keys.length + args.length][];
    System.arraycopy(keys, 0, all, 0, keys.length);
    System.arraycopy(args, 0, all, keys.length, args.length);
    return all;
  }

  /** Streams the seed into one bitmap per segment, in Redis bit order (bit 0 = the first byte's high bit). */
  private byte[][] fill(Iterator<String> keys, BuildProgress progress, byte[] lease, byte[][] segmentKeys) {
    int bytesPerSegment = (int) ((shape.segmentBits() + 7) / 8);
    byte[][] segments = new byte[shape.segments()][bytesPerSegment];
    long added = 0;
    long renewEvery = buildLeaseMillis / 3;
    long renewAt = clock.millis() + renewEvery;
    while (keys.hasNext()) {
      Probe probe = shape.probe(keys.next());
      byte[] segment = segments[probe.segment()];
      for (long offset : probe.offsets()) {
        segment[(int) (offset >>> 3)] |= (byte) (0x80 >>> (offset & 7));
      }
      if (++added % BloomFilters.PROGRESS_EVERY == 0) {
        progress.added(added);
        if (clock.millis() > renewAt) {
          renew(lease, segmentKeys);
          renewAt = clock.millis() + renewEvery;
        }
      }
    }
    return segments;
  }

  private void renew(byte[] lease, byte[][] segmentKeys) {
    byte[][] renewKeys = new byte[1 + segmentKeys.length][];
    renewKeys[0] = buildingKey;
    System.arraycopy(segmentKeys, 0, renewKeys, 1, segmentKeys.length);
    if (store.evalInteger("bloom", RENEW, renewKeys.length,
        concat(renewKeys, lease, RedisKeys.bytes(Long.toString(buildLeaseMillis)))) != 1) {
      throw new IllegalStateException("the build lease of cache '" + cache + "' lapsed");
    }
  }

  private void abandon(byte[] lease, byte[][] segmentKeys) {
    try {
      store.evalIntegerAlways("bloom", ABANDON, 1, buildingKey, lease);
      for (byte[] segmentKey : segmentKeys) {
        store.delete("bloom", segmentKey);
      }
    } catch (RuntimeException ignored) {
      // Redis is failing: the lease and the segments expire by themselves
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
    return inUse != null && inUse.shape().equals(shapeText) && !repair.get() && guard.isAvailable();
  }

  @Override
  public boolean hasCurrentShape() {
    Pointer inUse = current;
    return inUse != null && inUse.shape().equals(shapeText);
  }

  @Override
  public boolean needsRepair() {
    return repair.get();
  }

  @Override
  public boolean shouldReplaceOtherShape(long startedAtMillis) {
    Pointer inUse = current;
    if (inUse == null) {
      return true;
    }
    return !inUse.shape().equals(shapeText) && builtAt(inUse) < startedAtMillis;
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
    return inUse == null ? 0 : builtAt(inUse);
  }

  private static long builtAt(Pointer pointer) {
    try {
      return Long.parseLong(pointer.third());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Additions waiting to be made again (for tests and the endpoint). */
  int pendingAdditions() {
    return journal.size();
  }

  /** The message of {@code error}'s innermost cause (what Redis or the driver said). */
  static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }
}
