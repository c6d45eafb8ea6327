package io.coalesce.redis.internal;

import io.coalesce.bloom.internal.BloomShape;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.RemoteTier;
import io.coalesce.core.Ticker;
import io.coalesce.redis.EntryCodec;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The Redis side of one application: the connection, the key namespace, the codec, the event
 * channel and the health they share, and a {@link RemoteTier} per cache built from them. Subscribe
 * {@link #events()} to its channel ({@link RedisEventsSubscription} does) so that invalidations
 * arrive.
 *
 * <p>While Redis is failing, a background probe sends a {@code PING} every {@link #PROBE_INTERVAL}
 * past the circuit breaker; the first answer half-opens the breaker and replays the writes Redis did
 * not take, so a Redis that is back is used again within about a probe interval (plus the client's
 * reconnect delay), not after the breaker's whole wait.
 *
 * <p>A subscription that succeeds drops every L1 copy, but only once the same probe has had an
 * answer over the connection the reads use, the breaker half-opened first: the subscription has a
 * connection of its own, which the client may reconnect up to a reconnect delay before that one.
 * Dropped earlier, the copies would be reloaded while every read still fails, the breaker would open
 * again, and the reloaded copies, kept for their whole window while Redis fails, would keep Redis
 * unused for a whole ttl after it answers.
 */
public final class RedisTiers implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(RedisTiers.class.getName());

  /** How often the probe tries a failing Redis. */
  static final Duration PROBE_INTERVAL = Duration.ofMillis(200);

  private final RedisStore store;
  private final RedisKeys keys;
  private final EntryCodec codec;
  private final RedisHealth health;
  private final RedisCallGuard guard;
  private final RedisEvents events;
  private final Clock clock;
  private final Ticker ticker;
  private final List<RedisRemoteTier> tiers = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService probe;
  /** The longest a stop waits for a Redis call in flight on a background thread. */
  static final Duration STOP_WAIT = Duration.ofSeconds(2);
  private final AtomicBoolean probing = new AtomicBoolean();
  /** A check for writes a refusal left to replay is scheduled. */
  private final AtomicBoolean pendingCheckScheduled = new AtomicBoolean();
  /** When a write Redis refused for want of memory was last logged ({@link Long#MIN_VALUE}: never). */
  private final java.util.concurrent.atomic.AtomicLong refusalLoggedAt = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
  static final Duration REFUSALS_LOGGED_EVERY = Duration.ofMinutes(5);
  /** A subscription succeeded and its drop of the L1 copies waits for the reads' connection to answer. */
  private final AtomicBoolean dropPending = new AtomicBoolean();
  /** The {@code run_id} of the server that answered last ({@code null}: not known yet). */
  private volatile String serverId;
  /** Another server answers, and no subscription succeeded since: L1 is dropped every {@link #PROBE_INTERVAL}. */
  private final AtomicBoolean awaitingSubscription = new AtomicBoolean();
  private volatile long awaitingSince;
  /** When a subscription last succeeded ({@link Ticker} time). */
  private volatile long subscribedAt = Long.MIN_VALUE;
  /** The longest L1 is dropped again and again for a subscription that does not come back. */
  static final Duration MAX_AWAIT_SUBSCRIPTION = Duration.ofSeconds(3);
  private volatile Runnable topologyRefresh = () -> {};

  /**
   * @param keyPrefix namespace of every key and of the event channel
   * @param guard stands in front of every read (a circuit breaker), or {@code null} for
   *     {@link RedisCallGuard#lastOutcome()}
   */
  public RedisTiers(RedisConnectionFactory connectionFactory, String keyPrefix, EntryCodec codec, Clock clock,
      RedisCallGuard guard) {
    this.guard = guard != null ? guard : RedisCallGuard.lastOutcome();
    this.clock = clock;
    this.ticker = Ticker.SYSTEM;
    this.health = new RedisHealth(!(this.guard instanceof CircuitBreakerCallGuard), clock);
    this.guard.answeredSinceStartUp(health::hasAnswered);
    this.store = new RedisStore(connectionFactory, this.guard, ticker);
    this.keys = new RedisKeys(keyPrefix);
    this.codec = codec;
    this.events = new RedisEvents(keys);
    this.probe = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "coalesce-redis-probe");
      thread.setDaemon(true);
      return thread;
    });
    store.subscribe(health::record);
    store.subscribe(this::watch);
    events.onSubscribed(this::subscribed);
  }

  public RedisTiers(RedisConnectionFactory connectionFactory, String keyPrefix, EntryCodec codec, Clock clock) {
    this(connectionFactory, keyPrefix, codec, clock, null);
  }

  /**
   * {@code refresh} runs on the probe's thread each time Redis answers again, before Coalesce asks
   * which server answers: for the client to learn the topology first (a cluster client's slot map,
   * which it otherwise refreshes at most every so often), so that a new master is noticed, and the
   * replay and the reloads reach it, at once.
   */
  public void refreshTopologyWith(Runnable refresh) {
    this.topologyRefresh = refresh;
  }

  /** The L2 tier of cache {@code name}. */
  public RemoteTier forCache(String name, CacheSettings settings) {
    RedisRemoteTier tier = new RedisRemoteTier(name, settings, store, keys, codec, events, guard, clock, ticker);
    tiers.add(tier);
    return tier;
  }

  /** Receives the outcome of every Redis call the tier makes (metrics subscribe here). */
  public void subscribe(Consumer<RedisOutcome> subscriber) {
    store.subscribe(subscriber);
  }

  /**
   * Starts the probe after a failure, and replays pending writes after a success. A write Redis
   * refused for want of memory is not a failure (it answered: {@link RedisCallGuard#refusesWrites}):
   * it is logged at most once every {@link #REFUSALS_LOGGED_EVERY}, and starts the probe only if it
   * left a write to replay (a clear, whose script writes before it deletes), checked a probe interval
   * later, once the tier has recorded it: the probe then replays it every interval until Redis takes
   * it, whether or not this instance calls Redis again.
   */
  private void watch(RedisOutcome outcome) {
    if (outcome instanceof RedisOutcome.Failed failed && RedisCallGuard.refusesWrites(failed.error())) {
      checkPendingLater();
      long now = clock.millis();
      long last = refusalLoggedAt.get();
      if ((last == Long.MIN_VALUE || now - last >= REFUSALS_LOGGED_EVERY.toMillis())
          && refusalLoggedAt.compareAndSet(last, now)) {
        LOG.log(Level.WARNING, "Redis refuses writes (" + RedisBloom.rootMessage(failed.error()) + "): Coalesce goes on "
            + "reading from it, while the values it loads are kept in each instance's L1 only (at most "
            + "local.ttl), no rebuild lock can be taken (each instance loads for itself), and a clear is "
            + "replayed once Redis takes writes again; puts and evicts still delete the old value. Logged "
            + "again in " + REFUSALS_LOGGED_EVERY.toMinutes() + " minutes if it still refuses them");
      }
      return;
    }
    if (outcome instanceof RedisOutcome.Failed || outcome instanceof RedisOutcome.Skipped) {
      startProbing();
    } else if (outcome instanceof RedisOutcome.Succeeded && hasPending()) {
      startProbing(); // the probe thread replays them, off the caller's thread
    }
  }

  /**
   * Writes (puts, evicts, clears) Redis did not take, waiting to be replayed as evicts once it
   * answers: the keys whose value in Redis, and in other instances' L1, may be older than the write.
   */
  public int pendingWrites() {
    int count = 0;
    for (RedisRemoteTier tier : tiers) {
      count += tier.pendingCount();
    }
    return count;
  }

  private boolean hasPending() {
    for (RedisRemoteTier tier : tiers) {
      if (tier.hasPending()) {
        return true;
      }
    }
    return false;
  }

  private void checkPendingLater() {
    if (pendingCheckScheduled.compareAndSet(false, true)) {
      try {
        probe.schedule(() -> {
          pendingCheckScheduled.set(false);
          if (hasPending()) {
            startProbing();
          }
        }, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RuntimeException shutDown) {
        pendingCheckScheduled.set(false);
      }
    }
  }

  private void startProbing() {
    if (probing.compareAndSet(false, true)) {
      try {
        probe.schedule(this::probeOnce, 0, TimeUnit.MILLISECONDS);
      } catch (RuntimeException shutDown) {
        probing.set(false);
      }
    }
  }

  private void probeOnce() {
    boolean again;
    try {
      if (store.probe()) {
        answered();
        again = hasPending() || dropPending.get();
      } else {
        again = true;
      }
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Redis probe failed", e);
      again = true;
    }
    if (again) {
      try {
        probe.schedule(this::probeOnce, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RuntimeException shutDown) {
        probing.set(false);
      }
    } else {
      probing.set(false);
      if (!guard.isAvailable() || hasPending() || dropPending.get()) {
        startProbing(); // something failed again meanwhile
      }
    }
  }

  /**
   * The subscription succeeded (on the client's thread). The first one, while Redis is not known to
   * be failing (the breaker lets reads through and no probe runs), drops the L1 copies at once, as
   * at start-up. Otherwise (a re-subscription: its connection was lost, and the reads' connection
   * most likely with it; or a first one after failures) the drop waits for a {@code PING} over the
   * reads' connection, sent at once on the probe's thread, then by the probe until Redis answers.
   */
  private void subscribed(boolean again) {
    subscribedAt = ticker.read();
    awaitingSubscription.set(false);
    if (!again && !probing.get() && guard.isAvailable()) {
      events.dropLocalCopies();
      try {
        probe.execute(this::serverChanged); // learns which server answers, to notice another one later
      } catch (RuntimeException shutDown) {
        // stopping
      }
      return;
    }
    dropPending.set(true);
    try {
      probe.execute(this::probeForSubscription);
    } catch (RuntimeException shutDown) {
      // stopping: nothing to drop for
    }
  }

  private void probeForSubscription() {
    if (!dropPending.get()) {
      return; // the probe answered meanwhile
    }
    boolean answers;
    try {
      answers = store.probe();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Redis probe failed", e);
      answers = false;
    }
    if (answers) {
      answered();
    } else {
      startProbing(); // its first answer drops them
    }
  }

  /**
   * Redis answered a {@code PING} past the guard. Half-opens the breaker and lets the client refresh its
   * topology. When another server answers than before (a failover, or a restart), queues the writes and
   * lock releases that server may have lost. Replays the writes (pipelined), holds the
   * copies kept for their whole window to {@code local.ttl}, and drops every L1 copy if a subscription
   * waits for it or the server changed: the replay comes first, so that no reload after the drop reads a
   * value a lost or failed write replaced. Then releases the locks (a lock nobody will release would
   * keep callers waiting {@code lock.wait}), wakes the waiting callers, and drops L1 again until the
   * subscription is back.
   */
  private void answered() {
    guard.probeSucceeded();
    try {
      topologyRefresh.run();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Refreshing the Redis topology failed", e);
    }
    boolean newServer = serverChanged();
    if (newServer) {
      tiers.forEach(RedisRemoteTier::serverChanged);
    }
    tiers.forEach(RedisRemoteTier::replayPending);
    events.redisAnswersAgain();
    if (dropPending.getAndSet(false) || newServer) {
      events.dropLocalCopies();
    }
    tiers.forEach(RedisRemoteTier::releaseUnreleased);
    if (newServer) {
      events.wakeAll(); // after this instance's locks were released: the woken try them at once
      awaitSubscription();
    }
    if (hasPending()) {
      startProbing(); // the replay failed part-way (a subscription's probe does not repeat itself)
    }
  }

  /**
   * Until a subscription succeeds, drops L1 every {@link #PROBE_INTERVAL} (for at most
   * {@link #MAX_AWAIT_SUBSCRIPTION}): the subscription may still listen to the old server (a manual
   * failover), or to none, and miss the messages of the writes other instances replay on this one, so
   * a copy reloaded meanwhile may be older than such a write.
   */
  private void awaitSubscription() {
    long now = ticker.read();
    if (subscribedAt != Long.MIN_VALUE && now - subscribedAt < MAX_AWAIT_SUBSCRIPTION.toNanos()) {
      return; // it came back just before: after the old server went away, so it listens to this one
    }
    awaitingSince = now;
    if (awaitingSubscription.compareAndSet(false, true)) {
      scheduleDropUntilSubscribed();
    }
  }

  private void scheduleDropUntilSubscribed() {
    try {
      probe.schedule(this::dropUntilSubscribed, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException shutDown) {
      awaitingSubscription.set(false);
    }
  }

  private void dropUntilSubscribed() {
    if (!awaitingSubscription.get()) {
      return;
    }
    if (ticker.read() - awaitingSince > MAX_AWAIT_SUBSCRIPTION.toNanos()) {
      awaitingSubscription.set(false);
      return;
    }
    events.dropLocalCopiesUntilSubscribed();
    scheduleDropUntilSubscribed();
  }

  /**
   * Whether the server that answers now is another process than the one that answered before (its
   * {@code run_id}; on Redis Cluster, the set of nodes serving slots, see {@link RedisStore#serverInfo});
   * a server not known before is not another.
   */
  private boolean serverChanged() {
    String now = currentServerId();
    String before = serverId;
    if (now == null) {
      return false;
    }
    serverId = now;
    if (before != null && !before.equals(now)) {
      LOG.log(Level.INFO, "Redis is another server than before (run_id " + before + " → " + now + "; a "
          + "failover or a restart): Coalesce replays the writes of the last " + RecentWrites.WINDOW.toSeconds()
          + " s on it and drops its L1 copies");
      return true;
    }
    return false;
  }

  /** The {@code run_id} of the server the reads' connection reaches now, or {@code null} if it does not answer. */
  String currentServerId() {
    Properties info = currentServer();
    return info == null ? null : info.getProperty("run_id");
  }

  /** {@code INFO server} of the server the reads' connection reaches now, or {@code null} if it does not answer. */
  Properties currentServer() {
    try {
      return store.serverInfo();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Asking Redis for INFO server failed", e);
      return null;
    }
  }

  /** The {@code run_id} of the server that answered last, or {@code null}. */
  String lastServerId() {
    return serverId;
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
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The shared Bloom filter of cache {@code name}, shaped by {@code shape}. */
  public RedisBloom bloomFor(String name, BloomShape shape) {
    return bloomFor(name, shape, RedisBloom.BUILD_LEASE);
  }

  /** {@link #bloomFor(String, BloomShape)} with another build lease (tests: a builder that dies). */
  RedisBloom bloomFor(String name, BloomShape shape, Duration buildLease) {
    return new RedisBloom(name, shape, store, keys, guard, clock, buildLease, health::hasAnswered);
  }

  public RedisEvents events() {
    return events;
  }

  public RedisHealth health() {
    return health;
  }

  /** The guard in front of every Redis read: its state is the tier's health. */
  public RedisCallGuard guard() {
    return guard;
  }

  public String keyPrefix() {
    return keys.prefix();
  }

  @Override
  public void close() {
    stopProbing();
  }

  /**
   * Stops probing a failing Redis and waits (briefly) for a probe in flight. Call it before the
   * connection factory stops: a probe still connecting when the client shuts down makes Netty log an
   * ERROR ("Failed to submit a listener notification task").
   */
  public void stopProbing() {
    probe.shutdownNow();
    awaitQuietly(probe);
  }

  /** Waits up to {@link #STOP_WAIT} for {@code executor}'s task in flight, keeping the interrupt. */
  static void awaitQuietly(java.util.concurrent.ExecutorService executor) {
    try {
      executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
