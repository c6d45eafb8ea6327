package io.coalesce.test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Redis Cluster of three masters started by a test ({@code redis-cli --cluster create}). */
public final class RedisCluster implements AutoCloseable {

  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = nodes;
  }

  public static RedisCluster start(int masters) {
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < masters; i++) {
        RedisServer node = RedisServer.start("--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000");
        nodes.add(node);
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      String out = RedisServer.run(create);
      if (!out.contains("All 16384 slots covered")) {
        throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
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
      if (nodes.stream().allMatch(n -> n.cli("CLUSTER", "INFO").contains("cluster_state:ok"))) {
        return;
      }
      RedisServer.sleep(100);
    }
    throw new IllegalStateException("Redis Cluster did not reach cluster_state:ok within 30 s");
  }

  /** {@code host:port} of every node, for {@code spring.data.redis.cluster.nodes}. */
  public String nodeList() {
    return String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.port()).toList());
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }
}
