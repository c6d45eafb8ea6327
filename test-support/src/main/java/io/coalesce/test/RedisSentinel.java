package io.coalesce.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Sentinel-managed Redis started by a test: a master, one replica and three sentinels (quorum 2),
 * every one a {@code redis-server} process of the same binary, the sentinels with
 * {@code --sentinel}. Failures are real: {@link #killMaster()} SIGKILLs the master process and the
 * sentinels promote the replica; {@link #failover()} asks them for a manual failover while the old
 * master keeps running. Needs a {@code redis-server} binary (on the PATH, or bundled by
 * embedded-redis): sentinels in containers would announce addresses the test cannot reach. Not
 * thread-safe: one test drives it.
 */
public final class RedisSentinel implements AutoCloseable {

  /** The name the sentinels monitor the master under ({@code spring.data.redis.sentinel.master}). */
  public static final String MASTER_NAME = "coalesce-master";
  private static final int SENTINELS = 3;

  private final List<RedisServer> servers;
  private final List<Sentinel> sentinels;

  private RedisSentinel(List<RedisServer> servers, List<Sentinel> sentinels) {
    this.servers = servers;
    this.sentinels = sentinels;
  }

  /**
   * Starts the topology with {@code downAfterMillis} as the sentinels' {@code down-after-milliseconds},
   * and returns once the replica is in sync and every sentinel knows the replica and the other two.
   */
  public static RedisSentinel start(long downAfterMillis) {
    RedisServer.Source source = RedisServer.source();
    if (source == RedisServer.Source.DOCKER) {
      source = RedisBinary.onPath().isPresent() ? RedisServer.Source.PATH : RedisServer.Source.EMBEDDED;
    }
    List<RedisServer> servers = new ArrayList<>();
    List<Sentinel> sentinels = new ArrayList<>();
    try {
      RedisServer master = RedisServer.start(source, false);
      servers.add(master);
      servers.add(RedisServer.start(source, false, "--replicaof", master.host(), Integer.toString(master.port())));
      Path binary = source == RedisServer.Source.PATH
          ? RedisBinary.onPath().orElseThrow() : RedisBinary.embedded();
      for (int i = 0; i < SENTINELS; i++) {
        sentinels.add(Sentinel.start(binary, master, downAfterMillis));
      }
      RedisSentinel topology = new RedisSentinel(servers, sentinels);
      topology.awaitReady();
      return topology;
    } catch (IOException | RuntimeException e) {
      sentinels.forEach(Sentinel::close);
      servers.forEach(RedisServer::close);
      throw e instanceof RuntimeException r ? r : new IllegalStateException("Cannot start Sentinel: " + e, e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (ready()) {
        return;
      }
      RedisServer.sleep(50);
    }
    throw new IllegalStateException("The Sentinel topology was not ready within 30 s: " + this);
  }

  private boolean ready() {
    try {
      if (!String.valueOf(replica().command("INFO", "replication")).contains("master_link_status:up")) {
        return false;
      }
      for (Sentinel sentinel : sentinels) {
        List<?> replicas = (List<?>) sentinel.command("SENTINEL", "REPLICAS", MASTER_NAME);
        List<?> others = (List<?>) sentinel.command("SENTINEL", "SENTINELS", MASTER_NAME);
        if (replicas.isEmpty() || others.size() < SENTINELS - 1) {
          return false;
        }
      }
      return true;
    } catch (IllegalStateException notYet) {
      return false;
    }
  }

  /** {@code host:port} of every sentinel, for {@code spring.data.redis.sentinel.nodes}. */
  public String sentinelNodes() {
    return String.join(",", sentinels.stream().map(s -> "127.0.0.1:" + s.port).toList());
  }

  /** The port the sentinels currently give for the master. */
  public int masterPort() {
    for (Sentinel sentinel : sentinels) {
      try {
        List<?> address = (List<?>) sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        return Integer.parseInt(String.valueOf(address.get(1)));
      } catch (IllegalStateException tryAnother) {
        // this sentinel is not answering: ask the next
      }
    }
    throw new IllegalStateException("No sentinel answered");
  }

  /** The server the sentinels currently give as the master. */
  public RedisServer master() {
    int port = masterPort();
    return servers.stream().filter(s -> s.port() == port).findFirst().orElseThrow();
  }

  /** The server that is not {@link #master()}. */
  public RedisServer replica() {
    int port = masterPort();
    return servers.stream().filter(s -> s.port() != port).findFirst().orElseThrow();
  }

  /** SIGKILLs the master; the sentinels promote the replica after {@code down-after-milliseconds}. */
  public void killMaster() {
    master().kill();
  }

  /** Asks a sentinel for a manual failover ({@code SENTINEL FAILOVER}): the old master stays up. */
  public void failover() {
    sentinels.get(0).command("SENTINEL", "FAILOVER", MASTER_NAME);
  }

  /**
   * Waits until the sentinels give another master than {@code oldPort} and it answers as a master;
   * returns {@link System#nanoTime()} when the sentinels' answer changed (the {@code +switch-master}).
   */
  public long awaitNewMaster(int oldPort, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    long switched = -1;
    while (System.nanoTime() < deadline) {
      if (switched < 0) {
        try {
          if (masterPort() != oldPort) {
            switched = System.nanoTime();
          }
        } catch (IllegalStateException notYet) {
          // sentinels busy: ask again
        }
      }
      if (switched >= 0 && String.valueOf(master().command("ROLE")).startsWith("[master")) {
        return switched;
      }
      RedisServer.sleep(5);
    }
    throw new IllegalStateException("No new master within " + timeoutMillis + " ms: " + this);
  }

  @Override
  public void close() {
    sentinels.forEach(Sentinel::close);
    servers.forEach(RedisServer::close);
  }

  @Override
  public String toString() {
    return "Sentinel[servers " + servers + ", sentinels " + sentinelNodes() + "]";
  }

  /** One sentinel process, with its own config file (a sentinel rewrites it). */
  private static final class Sentinel {

    private final int port;
    private final Path dir;
    private final Process process;

    private Sentinel(int port, Path dir, Process process) {
      this.port = port;
      this.dir = dir;
      this.process = process;
    }

    static Sentinel start(Path binary, RedisServer master, long downAfterMillis) throws IOException {
      Path dir = Files.createTempDirectory("coalesce-sentinel-");
      int port = RedisServer.freePort();
      Path config = dir.resolve("sentinel.conf");
      Files.writeString(config, String.join("\n",
          "port " + port,
          "bind 127.0.0.1",
          "protected-mode no",
          "dir " + dir,
          "logfile " + dir.resolve("sentinel.log"),
          "sentinel monitor " + MASTER_NAME + " " + master.host() + " " + master.port() + " 2",
          "sentinel down-after-milliseconds " + MASTER_NAME + " " + downAfterMillis,
          "sentinel failover-timeout " + MASTER_NAME + " 10000",
          "sentinel parallel-syncs " + MASTER_NAME + " 1",
          ""));
      Process process = new ProcessBuilder(binary.toString(), config.toString(), "--sentinel")
          .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
      Sentinel sentinel = new Sentinel(port, dir, process);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("redis-server --sentinel exited at start-up; see " + dir);
        }
        if (Resp.answersPing("127.0.0.1", port)) {
          return sentinel;
        }
        RedisServer.sleep(20);
      }
      sentinel.close();
      throw new IllegalStateException("A sentinel did not answer PING on port " + port + " in time");
    }

    Object command(String... args) {
      return Resp.command("127.0.0.1", port, args);
    }

    void close() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temporary directory left behind is harmless
      }
    }
  }
}
