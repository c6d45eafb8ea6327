package io.coalesce.redis.internal;

import io.coalesce.redis.EntryCodec;
import io.coalesce.redis.UndecodableValueException;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.RemoteTier;
import java.time.Clock;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The Redis side of one application: the connection, the key namespace, the codec, the event
 * channel and the error log they share, and a {@link RemoteTier} per cache built from them.
 * Subscribe {@link #events()} to its {@link RedisEvents#channel() channel} (the auto-configuration
 * does, with a {@code RedisMessageListenerContainer}) so that invalidations arrive.
 */
public final class RedisTiers {

  private final RedisStore store;
  private final RedisKeys keys;
  private final EntryCodec codec;
  private final RedisErrors errors;
  private final RedisCallGuard guard;
  private final RedisEvents events;
  private final Clock clock;

  /**
   * @param keyPrefix namespace of every key and of the event channel
   */
  public RedisTiers(RedisConnectionFactory connectionFactory, String keyPrefix, EntryCodec codec, Clock clock) {
    this(connectionFactory, keyPrefix, codec, clock, RedisCallGuard.NONE);
  }

  /**
   * @param keyPrefix namespace of every key and of the event channel
   * @param guard stands in front of every Redis command (a circuit breaker)
   */
  public RedisTiers(RedisConnectionFactory connectionFactory, String keyPrefix, EntryCodec codec, Clock clock,
      RedisCallGuard guard) {
    this.guard = guard;
    this.errors = new RedisErrors(guard == RedisCallGuard.NONE);
    guard.answeredSinceStartUp(errors::hasAnswered);
    this.store = new RedisStore(connectionFactory, guard);
    this.keys = new RedisKeys(keyPrefix);
    this.codec = codec;
    this.clock = clock;
    this.events = new RedisEvents(store, keys, errors);
  }

  /** The L2 tier of cache {@code name}. */
  public RemoteTier forCache(String name, CacheSettings settings) {
    return new RedisRemoteTier(name, settings, store, keys, codec, events, errors, guard, clock);
  }

  /**
   * Sends Redis a {@code PING} through the guard, as a health check: a failure is recorded like any
   * other (and counts for the circuit breaker); while the breaker is open nothing is sent.
   *
   * @return whether Redis answered
   */
  public boolean ping() {
    try {
      store.ping();
      errors.succeeded();
      return true;
    } catch (RuntimeException e) {
      errors.failed("ping", e);
      return false;
    }
  }

  /** The shared Bloom filter of cache {@code name}, shaped by {@code shape}. */
  public RedisBloom bloomFor(String name, io.coalesce.bloom.internal.BloomShape shape) {
    return new RedisBloom(name, shape, store, keys, errors);
  }

  public RedisEvents events() {
    return events;
  }

  public RedisErrors errors() {
    return errors;
  }

  /** The guard in front of every Redis command: its state is the tier's health. */
  public RedisCallGuard guard() {
    return guard;
  }

  public String keyPrefix() {
    return keys.prefix();
  }
}
