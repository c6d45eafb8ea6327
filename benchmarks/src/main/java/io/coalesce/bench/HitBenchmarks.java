package io.coalesce.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * L1 hits: one hot key, held in every in-process cache. Coalesce runs with Redis configured (its
 * default deployment), so its L1 is keyed by the key's string form. Names start with the layer so
 * that JMH's sorted table reads as a comparison.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HitBenchmarks {

  @Benchmark
  public Object l1_coalesced_singleArg(BenchEnvironment env) {
    return env.coalesced.bySku(BenchEnvironment.HOT_SKU);
  }

  @Benchmark
  public Object l1_coalesced_namedParamKey(BenchEnvironment env) {
    return env.coalesced.bySkuNamed(BenchEnvironment.HOT_SKU);
  }

  @Benchmark
  public Object l1_coalesced_spelKey(BenchEnvironment env) {
    return env.coalesced.byQuery(env.hotQuery);
  }

  @Benchmark
  public Object l1_coalesced_longArg(BenchEnvironment env) {
    return env.coalesced.byId(BenchEnvironment.HOT_ID);
  }

  @Benchmark
  public Object l1_springCaffeine_singleArg(BenchEnvironment env) {
    return env.spring.bySku(BenchEnvironment.HOT_SKU);
  }

  @Benchmark
  public Object l1_springCaffeine_namedParamKey(BenchEnvironment env) {
    return env.spring.bySkuNamed(BenchEnvironment.HOT_SKU);
  }

  @Benchmark
  public Object l1_springCaffeine_spelKey(BenchEnvironment env) {
    return env.spring.byQuery(env.hotQuery);
  }

  @Benchmark
  public Object l1_springCaffeine_longArg(BenchEnvironment env) {
    return env.spring.byId(BenchEnvironment.HOT_ID);
  }

  @Benchmark
  public Object l1_rawCaffeine_getIfPresent(BenchEnvironment env) {
    return env.caffeine.getIfPresent(BenchEnvironment.HOT_SKU);
  }

  /** Coalesce's L1 tier alone: Caffeine, its deadline checked against the clock read here. */
  @Benchmark
  public Object l1_coalesceL1Tier_get(BenchEnvironment env) {
    return env.l1Tier.get(BenchEnvironment.HOT_SKU, System.currentTimeMillis());
  }

  /** One read of the wall clock, which Caffeine's expiry and the engine's freshness check each need. */
  @Benchmark
  public long l1_clock_currentTimeMillis() {
    return System.currentTimeMillis();
  }

  // Coalesce's own part of an L1 hit, per key type, with Redis present (keys are named by their
  // string form then): run with -prof gc; each should allocate 0 B/op.

  @Benchmark
  public Object engine_l1Hit_stringKey(BenchEnvironment env) {
    return env.engine.get(env.stringKey, Product.class, env.stringKey, BenchEnvironment.ENGINE_LOADER);
  }

  @Benchmark
  public Object engine_l1Hit_longKey(BenchEnvironment env) {
    return env.engine.get(env.longKey, Product.class, env.longKey, BenchEnvironment.ENGINE_LOADER);
  }

  /** {@link #engine_l1Hit_longKey} with {@code hot-keys: 0}: the hot-key sampling's share of a hit. */
  @Benchmark
  public Object engine_l1Hit_longKey_hotKeysOff(BenchEnvironment env) {
    return env.engineHotKeysOff.get(env.longKey, Product.class, env.longKey, BenchEnvironment.ENGINE_LOADER);
  }

  @Benchmark
  public Object engine_l1Hit_uuidKey(BenchEnvironment env) {
    return env.engine.get(env.uuidKey, Product.class, env.uuidKey, BenchEnvironment.ENGINE_LOADER);
  }

  @Benchmark
  public Object engine_l1Hit_recordKey(BenchEnvironment env) {
    return env.engine.get(env.recordKey, Product.class, env.recordKey, BenchEnvironment.ENGINE_LOADER);
  }

  @Benchmark
  public Object engine_l1Hit_compositeKey(BenchEnvironment env) {
    return env.engine.get(env.compositeKey, Product.class, env.compositeKey, BenchEnvironment.ENGINE_LOADER);
  }

  /** What naming a key cost on every hit before names were remembered: the formatting alone. */
  @Benchmark
  public Object engine_keyFormat_longKey(BenchEnvironment env) {
    return io.coalesce.core.KeyFormat.format(env.longKey);
  }

  @Benchmark
  public Object engine_keyFormat_compositeKey(BenchEnvironment env) {
    return io.coalesce.core.KeyFormat.format(env.compositeKey);
  }

  /** The floor of any annotation-driven cache: a CGLIB proxy with one pass-through interceptor. */
  @Benchmark
  public Object l1_aopFloor_passThroughProxy(BenchEnvironment env) {
    return env.proxiedPlain.bySku(BenchEnvironment.HOT_SKU);
  }

  /** Coalesce with L1 off: one Redis GET and the decoding of the entry. */
  @Benchmark
  public Object l2_coalesced(BenchEnvironment env) {
    return env.coalesced.remote(BenchEnvironment.HOT_SKU);
  }

  /** The engine of that cache called directly: the L2 hit without Spring's proxy, key and interceptor. */
  @Benchmark
  public Object l2_engine(BenchEnvironment env) {
    return env.remoteEngine.get(BenchEnvironment.HOT_SKU, Product.class, BenchEnvironment.HOT_SKU,
        BenchEnvironment.ENGINE_LOADER);
  }

  /** The engine's Redis call alone (EVALSHA of the read-or-lock script) on a raw Lettuce connection, decoded. */
  @Benchmark
  public Object l2_rawLettuce_readScriptAndDecode(BenchEnvironment env) {
    java.util.List<Object> reply = env.lettuceSync.evalsha(env.readScriptSha, io.lettuce.core.ScriptOutputType.MULTI,
        env.readScriptKeys, Long.toString(System.currentTimeMillis()).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        env.leaseArgument, env.tokenArgument);
    return env.codec.decode((byte[]) reply.get(0), Product.class).value();
  }

  /** The same script through Spring Data Redis' connection, as the tier's store runs it, decoded. */
  @Benchmark
  public Object l2_springDataRedis_readScriptAndDecode(BenchEnvironment env) {
    byte[][] keysAndArgs = env.readScriptKeysAndArgs.clone();
    keysAndArgs[4] = Long.toString(System.currentTimeMillis()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    java.util.List<Object> reply;
    try (org.springframework.data.redis.connection.RedisConnection c = env.connectionFactory.getConnection()) {
      reply = c.scriptingCommands().evalSha(env.readScriptSha, org.springframework.data.redis.connection.ReturnType.MULTI,
          4, keysAndArgs);
    }
    return env.codec.decode((byte[]) reply.get(0), Product.class).value();
  }

  @Benchmark
  public Object l2_springRedis(BenchEnvironment env) {
    return env.spring.remote(BenchEnvironment.HOT_SKU);
  }

  /** The floor for an L2 hit: GET of the very bytes Coalesce stored, decoded by the same codec. */
  @Benchmark
  public Object l2_rawLettuce_getAndDecode(BenchEnvironment env) {
    return env.codec.decode(env.lettuceSync.get(env.coalesceRemoteKey), Product.class).value();
  }

  @Benchmark
  public Object l2_rawLettuce_get(BenchEnvironment env) {
    return env.lettuceSync.get(env.coalesceRemoteKey);
  }
}
