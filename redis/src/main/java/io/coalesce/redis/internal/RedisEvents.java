package io.coalesce.redis.internal;

import io.coalesce.core.RemoteTier;
import io.coalesce.core.RemoteTier.Invalidations;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.SubscriptionListener;

/**
 * The pub/sub side of the tier, one per application: the messages this instance's writes send
 * (mostly from inside the write's own script) and those of the other instances, received here.
 * Messages are {@code <type>|<origin>|<cache>|<version>|<key>}:
 *
 * <ul>
 *   <li>{@code E}: the key was put or evicted, making it {@code version}: L1 copies older than that
 *       go, loads that read an older version store nothing, and instances waiting for its lock are
 *       woken (a write removes it). Applied by every instance, the writer included: versions make it
 *       harmless twice and after a newer write, and it repairs a copy the writer's own L1 update lost
 *       to a racing write;
 *   <li>{@code L}: the key was loaded under its lock (at {@code version}): wake the waiting
 *       instances with the value; the other instances drop a copy not newer than it;
 *   <li>{@code R}: the key's lock was released without a value (the load failed, or was superseded):
 *       wake the waiting instances to try the lock at once;
 *   <li>{@code C}: the cache was cleared, every key now at {@code version} at least ({@code -1}: unknown);
 *       the writer, which applied it when it cleared, applies its own only as far as it has not yet.
 * </ul>
 *
 * The key is written in {@link Wtf8}, as in key names. Every subscription, the first included, drops
 * every L1 copy: invalidations sent while this instance was not subscribed (Redis unreachable at
 * start-up, or a lost connection) are lost.
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
  private volatile boolean resubscribed;
  private volatile Consumer<Boolean> subscribed = again -> dropLocalCopies();

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
    return Wtf8.encode("|" + key);
  }

  byte[] loaded(String cache, String key, long version) {
    return Wtf8.encode("L|" + origin + "|" + cache + "|" + version + "|" + key);
  }

  byte[] released(String cache, String key) {
    return Wtf8.encode("R|" + origin + "|" + cache + "|" + RemoteTier.UNKNOWN_VERSION + "|" + key);
  }

  /** @param version the clear's marker, or a negative number when there is none (Redis Cluster) */
  byte[] cleared(String cache, long version) {
    return bytes("C|" + origin + "|" + cache + "|" + Math.max(version, RemoteTier.UNKNOWN_VERSION) + "|");
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

  /**
   * Wakes every waiting instance-local caller to try its lock again at once: another server answers
   * now, and the lock it waits for may be one that server will never see released.
   */
  void wakeAll() {
    for (String key : List.copyOf(waiters.keySet())) {
      CompletableFuture<Wake> signal = waiters.remove(key);
      if (signal != null) {
        signal.complete(Wake.LOCK_FREE);
      }
    }
  }

  @Override
  public void onMessage(Message message, byte[] pattern) {
    byte[] body = message.getBody();
    int[] bars = new int[4];
    int found = 0;
    for (int i = 0; i < body.length && found < 4; i++) {
      if (body[i] == '|') {
        bars[found++] = i;
      }
    }
    if (found != 4 || bars[0] != 1) {
      LOG.log(Level.DEBUG, () -> "Ignoring a malformed Coalesce event");
      return;
    }
    char type = (char) body[0];
    boolean own = text(body, bars[0] + 1, bars[1]).equals(origin);
    String cache = text(body, bars[1] + 1, bars[2]);
    long version;
    try {
      version = Long.parseLong(text(body, bars[2] + 1, bars[3]));
    } catch (NumberFormatException e) {
      version = RemoteTier.UNKNOWN_VERSION;
    }
    String key = Wtf8.decode(body, bars[3] + 1, body.length - bars[3] - 1);
    if (type == 'L' || type == 'E' || type == 'R') {
      CompletableFuture<Wake> signal = waiters.remove(waiterKey(cache, key));
      if (signal != null) {
        signal.complete(type == 'L' ? Wake.LOADED : Wake.LOCK_FREE);
      }
    }
    Invalidations target = caches.get(cache);
    if (target == null) {
      return;
    }
    switch (type) {
      case 'E' -> target.written(key, version);
      case 'L' -> {
        if (!own) { // our own load: our L1 holds what we loaded
          target.loaded(key, version);
        }
      }
      case 'C' -> {
        if (own) {
          target.ownCleared(version);
        } else {
          target.cleared(version);
        }
      }
      default -> { } // 'R' only wakes waiters
    }
  }

  private static String text(byte[] body, int from, int to) {
    return new String(body, from, to - from, StandardCharsets.UTF_8);
  }

  /**
   * {@code action} runs, on the subscription's thread, instead of {@link #dropLocalCopies()} when a
   * subscription succeeds, told whether it is a re-subscription; it must call that once the reads
   * can reach Redis. The subscription is one connection; the reads use another, which the client
   * reconnects on its own schedule: copies dropped while that one still fails are reloaded without
   * Redis, and kept for their whole window.
   */
  void onSubscribed(Consumer<Boolean> action) {
    this.subscribed = action;
  }

  @Override
  public void onChannelSubscribed(byte[] channel, long count) {
    boolean again = subscribedBefore;
    resubscribed = again;
    subscribedBefore = true;
    subscribed.accept(again);
  }

  /** Drops every L1 copy: they may have missed invalidations while this instance was not subscribed. */
  void dropLocalCopies() {
    boolean again = resubscribed;
    LOG.log(again ? Level.INFO : Level.DEBUG, (again ? "Coalesce re-subscribed" : "Coalesce subscribed")
        + " to Redis events; dropping L1 copies that may have missed invalidations meanwhile");
    caches.values().forEach(Invalidations::resubscribed);
  }

  /**
   * Drops every L1 copy again while another server answers than the one this instance's subscription
   * may still listen to: copies reloaded since the last drop may be older than a write another
   * instance replays there, whose message this instance does not receive yet.
   */
  void dropLocalCopiesUntilSubscribed() {
    LOG.log(Level.DEBUG, "Coalesce drops its L1 copies again: Redis is another server, and the subscription to "
        + "its events is not back yet");
    caches.values().forEach(Invalidations::resubscribed);
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
