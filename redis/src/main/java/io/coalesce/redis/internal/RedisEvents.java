package io.coalesce.redis.internal;

import io.coalesce.core.RemoteTier.Invalidations;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.SubscriptionListener;

/**
 * The pub/sub side of the L2 tier, one per application: publishes this instance's writes and
 * receives the other instances'. Messages are {@code <type>|<origin>|<cache>|<key>}, where type is
 * {@code E} (key written or evicted: drop the L1 copy), {@code L} (key loaded under the rebuild
 * lock: wake waiters and drop the L1 copy) or {@code C} (cache cleared). A re-subscription after a
 * lost connection drops every L1 copy, since invalidations sent meanwhile are lost.
 */
public final class RedisEvents implements MessageListener, SubscriptionListener {

  private static final System.Logger LOG = System.getLogger(RedisEvents.class.getName());

  private final RedisStore store;
  private final byte[] channel;
  private final String origin = UUID.randomUUID().toString();
  private final RedisErrors errors;
  private final Map<String, Invalidations> caches = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> waiters = new ConcurrentHashMap<>();
  private final AtomicBoolean subscribedBefore = new AtomicBoolean();

  RedisEvents(RedisStore store, RedisKeys keys, RedisErrors errors) {
    this.store = store;
    this.channel = keys.channel();
    this.errors = errors;
  }

  /** The channel to subscribe this listener to. */
  public byte[] channel() {
    return channel.clone();
  }

  void register(String cache, Invalidations invalidations) {
    caches.put(cache, invalidations);
  }

  void publishWritten(String cache, String key) {
    publish('E', cache, key);
  }

  void publishLoaded(String cache, String key) {
    publish('L', cache, key);
  }

  /** The channel of {@link #publishLoaded}, for a script that publishes it itself. */
  byte[] loadedChannel() {
    return channel;
  }

  /** The message {@link #publishLoaded} sends, for a script that publishes it itself. */
  byte[] loadedMessage(String cache, String key) {
    return message('L', cache, key).getBytes(StandardCharsets.UTF_8);
  }

  private String message(char type, String cache, String key) {
    return type + "|" + origin + "|" + cache + "|" + key;
  }

  void publishCleared(String cache) {
    publish('C', cache, "");
  }

  private void publish(char type, String cache, String key) {
    try {
      store.publish(channel, message(type, cache, key));
      errors.succeeded();
    } catch (RuntimeException e) {
      errors.failed("publish", e); // the other instances' local.ttl bounds what they miss
    }
  }

  /**
   * A signal completed when another instance reports {@code key} loaded. The caller must
   * {@link #forget} it when done waiting, so waiters never accumulate.
   */
  CompletableFuture<Void> loadedSignal(String cache, String key) {
    return waiters.computeIfAbsent(waiterKey(cache, key), k -> new CompletableFuture<>());
  }

  void forget(String cache, String key, CompletableFuture<Void> signal) {
    waiters.remove(waiterKey(cache, key), signal);
  }

  int waiting() {
    return waiters.size();
  }

  @Override
  public void onMessage(Message message, byte[] pattern) {
    String[] parts = new String(message.getBody(), StandardCharsets.UTF_8).split("\\|", 4);
    if (parts.length != 4 || parts[0].length() != 1) {
      LOG.log(Level.DEBUG, () -> "Ignoring a malformed Coalesce event");
      return;
    }
    char type = parts[0].charAt(0);
    String cache = parts[2];
    String key = parts[3];
    if (type == 'L') {
      CompletableFuture<Void> signal = waiters.remove(waiterKey(cache, key));
      if (signal != null) {
        signal.complete(null);
      }
    }
    if (parts[1].equals(origin)) {
      return; // our own write: our L1 already holds what we wrote
    }
    Invalidations target = caches.get(cache);
    if (target == null) {
      return;
    }
    if (type == 'C') {
      target.invalidatedAll();
    } else {
      target.invalidated(key);
    }
  }

  @Override
  public void onChannelSubscribed(byte[] channel, long count) {
    if (!subscribedBefore.compareAndSet(false, true)) {
      LOG.log(Level.INFO, "Coalesce re-subscribed to Redis events; dropping L1 copies that may have "
          + "missed invalidations");
      caches.values().forEach(Invalidations::invalidatedAll);
    }
  }

  private static String waiterKey(String cache, String key) {
    return cache + '|' + key;
  }
}
