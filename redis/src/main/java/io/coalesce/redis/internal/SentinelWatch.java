package io.coalesce.redis.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisSentinelConnection;
import org.springframework.data.redis.connection.RedisServer;

/**
 * Follows a Sentinel failover the client does not notice. Lettuce asks the sentinels for the master
 * only when it connects: after a manual {@code SENTINEL FAILOVER} the old master stays up, and its
 * connections keep going to it (writes it acknowledges, then discards when Sentinel turns it into a
 * replica about ten seconds later) until Sentinel closes them. This asks the sentinels for the master
 * every {@link #POLL}; when its address changes, it reconnects the connection the tier's commands use
 * ({@code reconnect}), until those reach a master at the new address or another process than before,
 * then subscribes to the events again over a new connection. That re-subscription has the tier
 * replay the writes the old master may have lost and drop the L1 copies ({@link RedisTiers}).
 */
public final class SentinelWatch implements SmartLifecycle {

  private static final System.Logger LOG = System.getLogger(SentinelWatch.class.getName());
  /** How often the sentinels are asked where the master is. */
  static final Duration POLL = Duration.ofMillis(250);
  /** How long a change is followed before giving up (the client then follows when Sentinel drops it). */
  private static final Duration FOLLOW_LIMIT = Duration.ofSeconds(30);

  private final RedisConnectionFactory connectionFactory;
  private final String masterName;
  private final RedisTiers tiers;
  private final RedisEventsSubscription subscription;
  private final Runnable reconnect;
  private ScheduledExecutorService timer;
  private volatile boolean running;

  // Read and written on the timer's thread only.
  private RedisSentinelConnection sentinel;
  private String master;
  /** The master's {@code run_id} as the sentinels report it ({@code null} until they know it). */
  private String masterRunId;
  private String serverBefore;
  private long followingSince;
  private boolean following;

  /**
   * @param reconnect closes the connection the tier's commands use, so that the next command connects
   *     again, asking the sentinels for the master ({@code LettuceConnectionFactory::resetConnection})
   */
  public SentinelWatch(RedisConnectionFactory connectionFactory, String masterName, RedisTiers tiers,
      RedisEventsSubscription subscription, Runnable reconnect) {
    this.connectionFactory = connectionFactory;
    this.masterName = masterName;
    this.tiers = tiers;
    this.subscription = subscription;
    this.reconnect = reconnect;
  }

  @Override
  public synchronized void start() {
    running = true;
    timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "coalesce-redis-sentinel");
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleWithFixedDelay(this::pollQuietly, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    running = false;
    if (timer != null) {
      timer.shutdownNow();
      RedisTiers.awaitQuietly(timer);
      timer = null;
    }
    closeSentinel();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Watching the Sentinel master failed", e);
    }
  }

  private void poll() {
    RedisServer reported = reportedMaster();
    if (reported == null) {
      return;
    }
    String now = reported.getHost() + ":" + reported.getPort();
    String runId = reported.getRunId();
    masterRunId = runId == null || runId.isBlank() ? null : runId;
    if (master == null) {
      master = now;
      return;
    }
    if (!now.equals(master)) {
      LOG.log(Level.INFO, "Sentinel reports that Redis master '" + masterName + "' moved from " + master + " to "
          + now + ": Coalesce reconnects to it");
      master = now;
      serverBefore = tiers.lastServerId();
      following = true;
      followingSince = System.nanoTime();
    }
    if (following) {
      follow();
    }
  }

  /**
   * Reconnects until the commands reach the new master, then subscribes again. Not when they reach it
   * already (the old master died and the client reconnected on its own): a reset would fail the calls
   * in flight on the new connection, and the breaker, half-open again, would open once more.
   */
  private void follow() {
    Properties server = tiers.currentServer();
    if (server == null || !reachesNewMaster(server)) {
      reconnect.run();
      server = tiers.currentServer();
    }
    if (server != null && reachesNewMaster(server)) {
      following = false;
      subscription.restart();
    } else if (System.nanoTime() - followingSince > FOLLOW_LIMIT.toNanos()) {
      following = false;
      LOG.log(Level.WARNING, "Coalesce's Redis commands did not reach the new master " + master + " of '"
          + masterName + "' within " + FOLLOW_LIMIT.toSeconds() + " s; they will when Sentinel closes the old "
          + "master's connections");
    }
  }

  /**
   * Whether {@code server} is the master the sentinels give: the process they report, once they know
   * its {@code run_id}; until then, another process than before, or one on the master's port.
   */
  private boolean reachesNewMaster(Properties server) {
    String runId = server.getProperty("run_id");
    if (masterRunId != null) {
      return masterRunId.equals(runId);
    }
    boolean anotherProcess = runId != null && serverBefore != null && !runId.equals(serverBefore);
    boolean samePort = master.endsWith(":" + server.getProperty("tcp_port"));
    return anotherProcess || samePort;
  }

  /** The master as the sentinels give it now, or {@code null} if none answers. */
  private RedisServer reportedMaster() {
    try {
      if (sentinel == null) {
        sentinel = connectionFactory.getSentinelConnection();
      }
      for (RedisServer server : sentinel.masters()) {
        if (masterName.equals(server.getName())) {
          return server;
        }
      }
      return null;
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Asking a sentinel for master '" + masterName + "' failed", e);
      closeSentinel(); // the next poll connects again, to whichever sentinel answers
      return null;
    }
  }

  private void closeSentinel() {
    RedisSentinelConnection connection = sentinel;
    sentinel = null;
    if (connection != null) {
      try {
        connection.close();
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "Closing the sentinel connection failed", e);
      }
    }
  }
}
