package io.coalesce.autoconfigure.internal;

import io.lettuce.core.ClientOptions;
import io.coalesce.redis.internal.RedisTiers;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** What Coalesce sets on the application's Lettuce client, on either Boot line. */
public final class LettuceSettings {

  private LettuceSettings() {}

  /**
   * The reconnect delay: from 10 ms doubling up to {@code max} (Lettuce's own grows to 30 s), so that
   * a Redis that is back is found within about {@code max}.
   */
  public static Delay reconnectDelay(Duration max) {
    return Delay.exponential(Duration.ofMillis(Math.min(10, max.toMillis())), max, 2, TimeUnit.MILLISECONDS);
  }

  private static final String CLUSTER_REFRESH = "spring.data.redis.lettuce.cluster.refresh.";
  /** The fewest milliseconds between two topology refreshes the failures of one failover trigger. */
  static final Duration ADAPTIVE_REFRESH_INTERVAL = Duration.ofMillis(500);
  /** A backstop for a change no command notices (a replica added, a slot moved without redirects). */
  static final Duration PERIODIC_REFRESH = Duration.ofSeconds(30);

  /**
   * Has a Redis Cluster client follow a failover: Lettuce's default never refreshes the topology, so
   * the slots of a failed master keep going to it, refused, until the application restarts (Boot's
   * {@code spring.data.redis.lettuce.cluster.refresh.*} are off by default). Unless the application
   * set those properties, the topology is refreshed on the adaptive triggers (a {@code MOVED}, a
   * failed reconnect, an uncovered slot), at most every {@link #ADAPTIVE_REFRESH_INTERVAL}, and every
   * {@link #PERIODIC_REFRESH}. Not a cluster client: nothing changes.
   */
  public static void followClusterFailovers(ClientOptions.Builder builder, Environment environment) {
    if (!(builder instanceof ClusterClientOptions.Builder cluster)
        || environment.containsProperty(CLUSTER_REFRESH + "adaptive")
        || environment.containsProperty(CLUSTER_REFRESH + "period")) {
      return;
    }
    cluster.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
        .enableAllAdaptiveRefreshTriggers()
        .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_INTERVAL)
        .refreshTriggersReconnectAttempts(1)
        .enablePeriodicRefresh(PERIODIC_REFRESH)
        .dynamicRefreshSources(environment.getProperty(CLUSTER_REFRESH + "dynamic-refresh-sources", Boolean.class, true))
        .build());
  }

  /**
   * With a Lettuce Redis Cluster client: each time Redis answers Coalesce again after failing, the
   * client starts refreshing its slot map, instead of waiting for its next adaptive refresh (up to
   * {@link #ADAPTIVE_REFRESH_INTERVAL} later, or {@link #PERIODIC_REFRESH} without a trigger), so that
   * the writes Coalesce replays on a replica that took a failed master's slots over reach it at the
   * next probe at the latest. Any other connection factory: nothing changes.
   */
  public static void refreshClusterTopologyOnRecovery(RedisConnectionFactory connectionFactory, RedisTiers tiers) {
    if (connectionFactory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware()) {
      tiers.refreshTopologyWith(() -> {
        if (lettuce.getNativeClient() instanceof RedisClusterClient cluster) {
          cluster.refreshPartitionsAsync(); // it connects to every node, the dead one too: not on the probe's thread
        }
      });
    }
  }
}
