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

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = nodes;
  }

  /** Starts {@code masters} nodes (no replicas) holding all slots, and waits until the cluster is ok. */
  public static RedisCluster start(int masters) {
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
      RedisServer first = nodes.get(0);
      for (RedisServer node : nodes.subList(1, nodes.size())) {
        first.command("CLUSTER", "MEET", node.host(), Integer.toString(node.port()));
      }
      RedisCluster cluster = new RedisCluster(nodes);
      cluster.awaitOk();
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(RedisServer::close);
      throw e;
    }
  }

  private void awaitOk() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (nodes.stream().allMatch(n -> String.valueOf(n.command("CLUSTER", "INFO")).contains("cluster_state:ok"))) {
        return;
      }
      RedisServer.sleep(100);
    }
    throw new IllegalStateException("Redis Cluster did not reach cluster_state:ok within 30 s");
  }

  /** {@code host:port} of every node, for {@code spring.data.redis.cluster.nodes}. */
  public String nodeList() {
    return String.join(",", nodes.stream().map(n -> n.host() + ":" + n.port()).toList());
  }

  /** The nodes, in the order their slots were assigned. */
  public List<RedisServer> nodes() {
    return List.copyOf(nodes);
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }
}
