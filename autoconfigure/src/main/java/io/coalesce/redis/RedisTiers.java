package io.coalesce.redis;

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
  private final RedisErrors errors = new RedisErrors();
  private final RedisEvents events;
  private final Clock clock;

  /**
   * @param keyPrefix namespace of every key and of the event channel
   */
  public RedisTiers(RedisConnectionFactory connectionFactory, String keyPrefix, EntryCodec codec, Clock clock) {
    this.store = new RedisStore(connectionFactory);
    this.keys = new RedisKeys(keyPrefix);
    this.codec = codec;
    this.clock = clock;
    this.events = new RedisEvents(store, keys, errors);
  }

  /** The L2 tier of cache {@code name}. */
  public RemoteTier forCache(String name, CacheSettings settings) {
    return new RedisRemoteTier(name, settings, store, keys, codec, events, errors, clock);
  }

  public RedisEvents events() {
    return events;
  }

  public RedisErrors errors() {
    return errors;
  }

  public String keyPrefix() {
    return keys.prefix();
  }
}
