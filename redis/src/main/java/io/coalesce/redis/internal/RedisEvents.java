package io.coalesce.redis.internal;

import io.coalesce.core.RemoteTier;
import io.coalesce.core.RemoteTier.Invalidations;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.SubscriptionListener;

/**
 * The pub/sub side of the tier, one per application: the messages this instance's writes send
 * (mostly from inside the write's own script) and those of the other instances, received here.
 * Messages are {@code <type>|<origin>|<cache>|<version>|<key>}:
 *
 * <ul>
 *   <li>{@code E}: the key was put or evicted, making it {@code version}: drop the L1 copy, keep no
 *       load that read an older version, and wake instances waiting for its lock (a write removes it);
 *   <li>{@code L}: the key was loaded under its lock (at {@code version}): wake the waiting
 *       instances with the value, drop the L1 copy;
 *   <li>{@code R}: the key's lock was released without a value (the load failed, or was superseded):
 *       wake the waiting instances to try the lock at once;
 *   <li>{@code C}: the cache was cleared.
 * </ul>
 *
 * Every subscription, the first included, drops every L1 copy: invalidations sent while this
 * instance was not subscribed (Redis unreachable at start-up, or a lost connection) are lost.
 */
public final class RedisEvents implements MessageListener, SubscriptionListener {

  private static final System.Logger LOG = System.getLogger(RedisEvents.class.getName());

  /** What woke a waiting instance. */
  enum Wake {
    /** A value was stored: read it. */
    LOADED,
    /** The lock is free (released, or removed by a write): try it now. */
    LOCK_FREE
  }

  private final byte[] channel;
  private final String origin = UUID.randomUUID().toString();
  private final Map<String, Invalidations> caches = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Wake>> waiters = new ConcurrentHashMap<>();
  private volatile boolean subscribedBefore;
  private volatile Runnable redisAnswered = () -> {};

  RedisEvents(RedisKeys keys) {
    this.channel = keys.channel();
  }

  /** The channel to subscribe this listener to. */
  public byte[] channel() {
    return channel.clone();
  }

  byte[] rawChannel() {
    return channel;
  }

  void register(String cache, Invalidations invalidations) {
    caches.put(cache, invalidations);
  }

  /** What a put or evict script publishes, around the version it computes: {@code head + version + tail}. */
  byte[] writtenHead(String cache) {
    return bytes("E|" + origin + "|" + cache + "|");
  }

  byte[] writtenTail(String key) {
    return bytes("|" + key);
  }

  byte[] loaded(String cache, String key, long version) {
    return bytes("L|" + origin + "|" + cache + "|" + version + "|" + key);
  }

  byte[] released(String cache, String key) {
    return bytes("R|" + origin + "|" + cache + "|" + RemoteTier.UNKNOWN_VERSION + "|" + key);
  }

  byte[] cleared(String cache) {
    return bytes("C|" + origin + "|" + cache + "|" + RemoteTier.UNKNOWN_VERSION + "|");
  }

  /**
   * A signal completed when another instance reports {@code key} loaded, or its lock free. The
   * caller must {@link #forget} it when done waiting, so waiters never accumulate.
   */
  CompletableFuture<Wake> signal(String cache, String key) {
    return waiters.computeIfAbsent(waiterKey(cache, key), k -> new CompletableFuture<>());
  }

  void forget(String cache, String key, CompletableFuture<Wake> signal) {
    waiters.remove(waiterKey(cache, key), signal);
  }

  int waiting() {
    return waiters.size();
  }

  @Override
  public void onMessage(Message message, byte[] pattern) {
    String[] parts = new String(message.getBody(), StandardCharsets.UTF_8).split("\\|", 5);
    if (parts.length != 5 || parts[0].length() != 1) {
      LOG.log(Level.DEBUG, () -> "Ignoring a malformed Coalesce event");
      return;
    }
    char type = parts[0].charAt(0);
    String cache = parts[2];
    long version;
    try {
      version = Long.parseLong(parts[3]);
    } catch (NumberFormatException e) {
      version = RemoteTier.UNKNOWN_VERSION;
    }
    String key = parts[4];
    if (type == 'L' || type == 'E' || type == 'R') {
      CompletableFuture<Wake> signal = waiters.remove(waiterKey(cache, key));
      if (signal != null) {
        signal.complete(type == 'L' ? Wake.LOADED : Wake.LOCK_FREE);
      }
    }
    if (type == 'R' || parts[1].equals(origin)) {
      return; // our own write: our L1 already holds what we wrote
    }
    Invalidations target = caches.get(cache);
    if (target == null) {
      return;
    }
    if (type == 'C') {
      target.invalidatedAll();
    } else {
      target.invalidated(key, version);
    }
  }

  /**
   * {@code action} runs when a subscription succeeds, before L1 copies are dropped: the subscription
   * is Redis answering, and the reloads that follow the drop must be allowed to use it.
   */
  void onSubscribed(Runnable action) {
    this.redisAnswered = action;
  }

  @Override
  public void onChannelSubscribed(byte[] channel, long count) {
    redisAnswered.run();
    boolean again = subscribedBefore;
    subscribedBefore = true;
    LOG.log(again ? Level.INFO : Level.DEBUG, (again ? "Coalesce re-subscribed" : "Coalesce subscribed")
        + " to Redis events; dropping L1 copies that may have missed invalidations meanwhile");
    caches.values().forEach(Invalidations::invalidatedAll);
  }

  /** Redis answers again after failing: each cache's L1 goes back to {@code local.ttl}. */
  void redisAnswersAgain() {
    caches.values().forEach(Invalidations::availableAgain);
  }

  private static String waiterKey(String cache, String key) {
    return cache + '|' + key;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
