package io.coalesce.redis.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.SyncTaskExecutor;
import java.nio.charset.StandardCharsets;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Starts the subscription to other instances' invalidations without making Redis a start-up
 * dependency: when Redis cannot be reached, the application starts anyway (L1 and loaders only,
 * the Redis calls failing fast) and the subscription is retried in the background, with one log
 * line saying so. Once subscribed, the container re-subscribes by itself after a lost connection.
 */
public final class RedisEventsSubscription implements SmartLifecycle {

  private static final System.Logger LOG = System.getLogger(RedisEventsSubscription.class.getName());
  private static final long FIRST_RETRY_MILLIS = 100;
  /**
   * A subscription lost while Redis was down is back within about this long of Redis (or of the
   * promoted replica, after a failover). Until then this instance's L1 may re-cache a value that a
   * write another instance replays meanwhile makes old, and misses its message; the re-subscription's
   * drop ends that. An attempt while Redis is down is one refused connection.
   */
  private static final long MAX_RETRY_MILLIS = 250;

  private final RedisMessageListenerContainer container = new RedisMessageListenerContainer();
  private final String target;
  private ScheduledExecutorService retries;
  private volatile boolean running;

  /** @param target where Redis is expected, for the log line */
  public RedisEventsSubscription(RedisConnectionFactory connectionFactory, RedisEvents events, String target) {
    this.target = target;
    container.setConnectionFactory(connectionFactory);
    // Messages are applied one after the other, in the order Redis delivers them, on the thread that
    // receives them (the listener only drops L1 entries and wakes waiters: it never blocks). The
    // container's default would start a thread per message, which reorders them and, under load,
    // lets them lag for seconds.
    container.setTaskExecutor(new SyncTaskExecutor());
    ExponentialBackOff backOff = new ExponentialBackOff(FIRST_RETRY_MILLIS, 2);
    backOff.setMaxInterval(MAX_RETRY_MILLIS);
    container.setRecoveryBackoff(backOff);
    container.addMessageListener(events, new ChannelTopic(new String(events.channel(), StandardCharsets.UTF_8)));
    container.afterPropertiesSet();
  }

  @Override
  public synchronized void start() {
    running = true;
    subscribeOrRetry();
  }

  /**
   * Subscribes again over a new connection: after a failover the client does not notice, the current
   * one still listens to the old master, which no longer receives the writes' messages. Its
   * re-subscription drops the L1 copies, as any re-subscription does.
   */
  public synchronized void restart() {
    if (!running) {
      return;
    }
    if (retries != null && !retries.isShutdown()) {
      return; // a retry is scheduled, and subscribes on a new connection
    }
    safelyStop();
    subscribeOrRetry();
  }

  private void subscribeOrRetry() {
    if (!trySubscribe()) {
      LOG.log(Level.WARNING, "Redis at " + target + " is not reachable: Coalesce runs with its L1 cache "
          + "and the loaders only, and keeps trying to connect in the background (set "
          + "spring.data.redis.* to a reachable server to share the cache, or coalesce.defaults.remote"
          + ".enabled=false to run without Redis)");
      retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "coalesce-redis-subscribe");
        thread.setDaemon(true);
        return thread;
      });
      scheduleRetry(FIRST_RETRY_MILLIS);
    }
  }

  private void scheduleRetry(long delayMillis) {
    retries.schedule(() -> {
      if (!running) {
        return;
      }
      if (trySubscribe()) {
        LOG.log(Level.INFO, "Redis at " + target + " is reachable: Coalesce subscribed to invalidations "
            + "and uses the shared tier");
        retries.shutdown();
      } else {
        scheduleRetry(Math.min(MAX_RETRY_MILLIS, delayMillis * 2));
      }
    }, delayMillis, TimeUnit.MILLISECONDS);
  }

  private boolean trySubscribe() {
    try {
      container.start();
      return container.isRunning();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Subscribing to Coalesce events failed", e);
      safelyStop();
      return false;
    }
  }

  private void safelyStop() {
    try {
      container.stop();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Stopping the failed subscription failed", e);
    }
  }

  @Override
  public synchronized void stop() {
    running = false;
    if (retries != null) {
      retries.shutdownNow();
      // A connection attempt still in flight when the client shuts down makes Netty log an ERROR.
      RedisTiers.awaitQuietly(retries);
    }
    safelyStop();
    try {
      container.destroy();
    } catch (Exception e) {
      LOG.log(Level.DEBUG, "Closing the subscription failed", e);
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
