package io.coalesce.failover;

import static io.coalesce.failover.FailoverLoad.IDS;
import static io.coalesce.failover.FailoverLoad.millis;
import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.cluster.Instances;
import io.coalesce.cluster.ProductDb;
import io.coalesce.failover.FailoverLoad.Load;
import io.coalesce.test.RedisCluster;
import io.coalesce.test.RedisServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SentinelFailoverIT}'s load on a Redis Cluster of three masters, each with a replica: the
 * first master is SIGKILLed and its replica takes its slots over (cluster node timeout 2 s). The
 * promotion is over when every node reports the cluster ok again. The same assertions: no caller
 * error, no stale read starting a second after a write and after the promotion, the worst call
 * within 1.5 s (the target is 1 s), both instances writing to the promoted replica within a second of
 * its promotion; then invalidation and cluster-wide single flight on a key of the promoted shard.
 * Spring's {@code RedisCacheManager} runs the same load beside it, printed only.
 */
class ClusterFailoverIT {

  @Test
  void masterKilled() throws Exception {
    try (RedisCluster redis = RedisCluster.start(3, true)) {
      RedisServer firstMaster = redis.nodes().get(0);
      ProductDb db = new ProductDb();
      ProductDb springDb = new ProductDb();
      for (long id = 0; id < IDS; id++) {
        db.put(id, "v0");
        springDb.put(id, "v0");
      }
      String nodes = "spring.data.redis.cluster.nodes=" + redis.nodeList();
      try (Instances instances = Instances.start(2, db, nodes);
          SpringCacheInstances spring = SpringCacheInstances.start(2, springDb, nodes,
              "spring.data.redis.timeout=500ms")) {
        Load load = new Load(FailoverLoad.catalogs(instances));
        Load springLoad = new Load(FailoverLoad.catalogs(spring));
        load.start();
        springLoad.start();
        Thread.sleep(3_000);
        long failedAt = System.nanoTime();
        RedisServer replica = redis.killMaster(0);
        long[] promotion = redis.awaitPromoted(replica, 30_000);
        long promotedAt = promotion[1]; // the failover is over when every node says the cluster is ok
        load.promoted(promotedAt);
        springLoad.promoted(promotedAt);
        // probe ids whose keys live on the failed-over shard
        long[] backOnRedis = FailoverLoad.backOnRedis(instances, id -> replica,
            id -> onShard(replica, id), promotedAt);
        Thread.sleep(6_000);
        load.stop();
        springLoad.stop();

        System.out.printf("[ClusterFailoverIT] master killed: replica promoted %d ms after the failure, the cluster "
            + "ok on every node %d ms after that (the promotion below)%n", millis(promotion[0] - failedAt),
            millis(promotion[1] - promotion[0]));
        long staleAfterPromotion = load.report("[ClusterFailoverIT]   Coalesce");
        springLoad.report("[ClusterFailoverIT]   Spring RedisCacheManager");
        System.out.printf("[ClusterFailoverIT]   Coalesce back on the promoted replica %d ms and %d ms after the "
            + "promotion%n", millis(backOnRedis[0]), millis(backOnRedis[1]));

        assertThat(load.errors).as("caller errors").isEmpty();
        assertThat(staleAfterPromotion).as("stale reads starting more than 1 s after the promotion").isZero();
        // The target is 1 s; as in SentinelFailoverIT, the bound leaves room for a loaded machine.
        assertThat(millis(load.worstNanos.get())).as("worst call, ms").isLessThanOrEqualTo(1_500);
        assertThat(millis(Math.max(backOnRedis[0], backOnRedis[1]))).as("promoted replica used, ms after promotion")
            .isLessThanOrEqualTo(1_000);
        long renamed = firstIdOnShard(replica, 0);
        long cold = firstIdOnShard(replica, 50_000);
        FailoverLoad.afterTheFailover(instances, db, renamed, cold);
        assertThat(firstMaster.answers()).isFalse();
      }
    }
  }

  /** Whether the key of {@code id} in the products cache hashes to a slot {@code node} holds now. */
  private static boolean onShard(RedisServer node, long id) {
    long slot = (Long) node.command("CLUSTER", "KEYSLOT", Long.toString(id));
    for (Object range : (List<?>) node.command("CLUSTER", "SLOTS")) {
      List<?> r = (List<?>) range;
      long port = (Long) ((List<?>) r.get(2)).get(1);
      if (port == node.port() && (Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
        return true;
      }
    }
    return false;
  }

  private static long firstIdOnShard(RedisServer node, long from) {
    long id = from;
    while (!onShard(node, id)) {
      id++;
    }
    return id;
  }
}
