package io.coalesce.test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of a few masters started by a test: each node a {@link RedisServer} in cluster
 * mode, the slots assigned and the nodes joined with {@code CLUSTER ADDSLOTS} and
 * {@code CLUSTER MEET} over the wire (no {@code redis-cli}). Needs a {@code redis-server} binary (on
 * the PATH, or bundled by embedded-redis): cluster nodes in containers would announce addresses the
 * test cannot reach.
 */
public final class RedisCluster implements AutoCloseable {

  private static final int SLOTS = 16384;

  private final List<RedisServer> nodes;
  private final List<RedisServer> replicas;

  private RedisCluster(List<RedisServer> nodes, List<RedisServer> replicas) {
    this.nodes = nodes;
    this.replicas = replicas;
  }

  /** Starts {@code masters} nodes (no replicas) holding all slots, and waits until the cluster is ok. */
  public static RedisCluster start(int masters) {
    return start(masters, false);
  }

  /**
   * Starts {@code masters} nodes holding all slots and, with {@code withReplicas}, a replica of each
   * (so that killing a master fails its slots over to the replica, after the cluster node timeout of
   * 2 s); waits until the cluster is ok and every replica is in sync.
   */
  public static RedisCluster start(int masters, boolean withReplicas) {
    RedisServer.Source source = RedisServer.source();
    if (source == RedisServer.Source.DOCKER) {
      if (!RedisBinary.embeddedAvailable()) {
        throw new IllegalStateException("A Redis Cluster test needs a redis-server binary: install redis-server, "
            + "or add com.github.codemonstur:embedded-redis as a test dependency (containers are not supported "
            + "for clusters)");
      }
      source = RedisServer.Source.EMBEDDED;
    }
    List<RedisServer> nodes = new ArrayList<>();
    List<RedisServer> replicas = new ArrayList<>();
    try {
      for (int i = 0; i < masters; i++) {
        nodes.add(RedisServer.start(source, true, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", "2000"));
      }
      for (int i = 0; i < masters; i++) {
        int from = SLOTS * i / masters;
        int to = SLOTS * (i + 1) / masters;
        List<String> addSlots = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
        for (int slot = from; slot < to; slot++) {
          addSlots.add(Integer.toString(slot));
        }
        nodes.get(i).command(addSlots.toArray(String[]::new));
      }
      if (withReplicas) {
        for (int i = 0; i < masters; i++) {
          replicas.add(RedisServer.start(source, true, "--cluster-enabled", "yes", "--cluster-config-file",
              "nodes.conf", "--cluster-node-timeout", "2000"));
        }
      }
      RedisServer first = nodes.get(0);
      List<RedisServer> all = new ArrayList<>(nodes);
      all.addAll(replicas);
      for (RedisServer node : all.subList(1, all.size())) {
        first.command("CLUSTER", "MEET", node.host(), Integer.toString(node.port()));
      }
      RedisCluster cluster = new RedisCluster(nodes, replicas);
      for (int i = 0; i < replicas.size(); i++) {
        cluster.replicate(replicas.get(i), nodes.get(i));
      }
      cluster.awaitOk();
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(RedisServer::close);
      replicas.forEach(RedisServer::close);
      throw e;
    }
  }

  /** Makes {@code replica} a replica of {@code master}, once it has learned of the master by gossip. */
  private void replicate(RedisServer replica, RedisServer master) {
    String masterId = String.valueOf(master.command("CLUSTER", "MYID"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        replica.command("CLUSTER", "REPLICATE", masterId);
        return;
      } catch (IllegalStateException unknownYet) {
        if (System.nanoTime() > deadline) {
          throw unknownYet;
        }
        RedisServer.sleep(50);
      }
    }
  }

  /**
   * SIGKILLs master {@code index}; its replica takes its slots over once the other masters mark it
   * failed (node timeout 2 s). Returns the replica.
   */
  public RedisServer killMaster(int index) {
    nodes.get(index).kill();
    return replicas.get(index);
  }

  /**
   * Waits until {@code replica} answers as a master and every node that answers reports
   * {@code cluster_state:ok} again; returns {@link System#nanoTime()} of both moments: when it first
   * answered as a master, and when the last node reported the cluster ok (each node re-checks the
   * slots' coverage on its own, so the others follow the promoted replica a little later).
   */
  public long[] awaitPromoted(RedisServer replica, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    long promoted = -1;
    while (System.nanoTime() < deadline) {
      try {
        if (promoted < 0 && String.valueOf(replica.command("ROLE")).startsWith("[master")) {
          promoted = System.nanoTime();
        }
        if (promoted >= 0 && all().stream().filter(RedisServer::answers)
            .allMatch(n -> String.valueOf(n.command("CLUSTER", "INFO")).contains("cluster_state:ok"))) {
          return new long[] {promoted, System.nanoTime()};
        }
      } catch (IllegalStateException notYet) {
        // busy: ask again
      }
      RedisServer.sleep(5);
    }
    throw new IllegalStateException("The replica " + replica + " was not promoted within " + timeoutMillis + " ms");
  }

  private void awaitOk() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (nodes.stream().allMatch(n -> String.valueOf(n.command("CLUSTER", "INFO")).contains("cluster_state:ok"))
          && replicas.stream().allMatch(r -> String.valueOf(r.command("INFO", "replication"))
              .contains("master_link_status:up"))) {
        return;
      }
      RedisServer.sleep(100);
    }
    throw new IllegalStateException("Redis Cluster did not reach cluster_state:ok within 30 s");
  }

  /** {@code host:port} of every master, for {@code spring.data.redis.cluster.nodes}. */
  public String nodeList() {
    return String.join(",", nodes.stream().map(n -> n.host() + ":" + n.port()).toList());
  }

  private List<RedisServer> all() {
    List<RedisServer> all = new ArrayList<>(nodes);
    all.addAll(replicas);
    return all;
  }

  /** The nodes, in the order their slots were assigned. */
  public List<RedisServer> nodes() {
    return List.copyOf(nodes);
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
    replicas.forEach(RedisServer::close);
  }
}
