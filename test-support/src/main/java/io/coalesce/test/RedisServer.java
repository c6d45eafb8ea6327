package io.coalesce.test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis started by a test on its own loopback port, so that the test can kill, pause, flush
 * and restart it. Where it comes from is decided once per JVM ({@link #source()}):
 *
 * <ol>
 *   <li>{@code redis-server} on the {@code PATH};
 *   <li>otherwise a Redis container, when Testcontainers is on the class path and a Docker engine
 *       answers;
 *   <li>otherwise the {@code redis-server} binary bundled in {@code com.github.codemonstur:embedded-redis},
 *       when that jar is on the class path (Linux x86-64/arm64, macOS);
 *   <li>otherwise the test fails, saying how to get one of them. A Redis test is never skipped.
 * </ol>
 *
 * Set the system property or environment variable {@code coalesce.test.redis} ({@code COALESCE_TEST_REDIS})
 * to {@code path}, {@code docker} or {@code embedded} to insist on one. Not thread-safe: one test
 * drives one server.
 */
public final class RedisServer implements AutoCloseable {

  /** Where the server comes from. */
  public enum Source {
    /** {@code redis-server} found on the PATH. */
    PATH,
    /** A Testcontainers Redis container. */
    DOCKER,
    /** The binary bundled in the embedded-redis jar. */
    EMBEDDED
  }

  private static volatile Source chosen;

  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private final Source source;
  private Process process;
  private ContainerRedis container;

  private RedisServer(Source source, int port, Path dir, List<String> extraArgs) {
    this.source = source;
    this.port = port;
    this.dir = dir;
    this.extraArgs = extraArgs;
  }

  /**
   * Starts a standalone server on a free port, with {@code extraArgs} on its command line (for
   * example {@code "--maxmemory", "2mb"}).
   */
  public static RedisServer start(String... extraArgs) {
    return start(source(), extraArgs);
  }

  static RedisServer start(Source source, String... extraArgs) {
    return start(source, false, extraArgs);
  }

  /**
   * @param cluster whether the server is a cluster node, whose bus listens on port + 10000 (which
   *     must be free too)
   */
  static RedisServer start(Source source, boolean cluster, String... extraArgs) {
    IllegalStateException lastFailure = null;
    // A free port can be taken between choosing it and binding it; a few attempts make that rare race harmless.
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        Path dir = Files.createTempDirectory("coalesce-redis-");
        RedisServer server = new RedisServer(source, cluster ? freeClusterPort() : freePort(), dir, List.of(extraArgs));
        server.launch();
        return server;
      } catch (IOException e) {
        throw new IllegalStateException("Cannot start Redis: " + e, e);
      } catch (IllegalStateException e) {
        lastFailure = e;
      }
    }
    throw lastFailure;
  }

  /** Where this JVM's test servers come from: decided on first use, see the class comment. */
  public static Source source() {
    Source source = chosen;
    if (source == null) {
      synchronized (RedisServer.class) {
        if (chosen == null) {
          chosen = choose();
        }
        source = chosen;
      }
    }
    return source;
  }

  private static Source choose() {
    String forced = Optional.ofNullable(System.getProperty("coalesce.test.redis"))
        .orElse(System.getenv("COALESCE_TEST_REDIS"));
    if (forced != null && !forced.isBlank()) {
      return Source.valueOf(forced.trim().toUpperCase(Locale.ROOT));
    }
    if (RedisBinary.onPath().isPresent()) {
      return Source.PATH;
    }
    if (ContainerRedis.classPresent(RedisServer.class.getClassLoader()) && ContainerRedis.dockerAvailable()) {
      return Source.DOCKER;
    }
    if (RedisBinary.embeddedAvailable()) {
      return Source.EMBEDDED;
    }
    throw new IllegalStateException("The Redis tests need a Redis server and found none: no 'redis-server' on "
        + "the PATH, no Docker engine (with org.testcontainers:testcontainers on the class path), and no "
        + "com.github.codemonstur:embedded-redis on the class path. Install one: 'sudo apt-get install "
        + "redis-server' (Debian/Ubuntu), 'brew install redis' (macOS), start Docker, or add embedded-redis "
        + "as a test dependency.");
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** Where this server came from. */
  public Source sourceOfServer() {
    return source;
  }

  Path dir() {
    return dir;
  }

  /** Kills the server at once, as a crash would (SIGKILL; a container is killed). */
  public void kill() {
    if (container != null) {
      container.kill();
    }
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts the server again on the same port, empty (it keeps nothing on disk). */
  public void restart() {
    kill();
    try {
      launch();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot restart Redis on port " + port + ": " + e, e);
    }
  }

  /**
   * Sends one command and returns the reply: a {@code String}, a {@code Long}, a {@code List} or
   * {@code null}. For administration (CONFIG SET, DEBUG, CLUSTER ...), not for the code under test.
   */
  public Object command(String... args) {
    return Resp.command(host(), port, args);
  }

  /**
   * {@link #command} with the reply as text, as {@code redis-cli} prints it raw: an integer as its
   * digits, nil as the empty string, an array's items one per line.
   */
  public String text(String... args) {
    return text(command(args));
  }

  private static String text(Object reply) {
    if (reply == null) {
      return "";
    }
    if (reply instanceof List<?> items) {
      List<String> lines = new ArrayList<>();
      items.forEach(item -> lines.add(text(item)));
      return String.join("\n", lines);
    }
    return reply.toString();
  }

  /** Empties the server. */
  public void flushAll() {
    command("FLUSHALL");
  }

  /** Makes the server unresponsive to every client for {@code duration} ({@code CLIENT PAUSE ... ALL}). */
  public void pause(Duration duration) {
    command("CLIENT", "PAUSE", Long.toString(duration.toMillis()), "ALL");
  }

  /** Whether the server answers {@code PING} now. */
  public boolean answers() {
    return Resp.answersPing(host(), port);
  }

  private void launch() throws IOException {
    List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--save", "", "--appendonly", "no",
        "--protected-mode", "no"));
    args.addAll(extraArgs);
    if (source == Source.DOCKER) {
      container = ContainerRedis.start(port, args);
    } else {
      Path binary = source == Source.PATH
          ? RedisBinary.onPath().orElseThrow(() -> new IllegalStateException("redis-server is no longer on the PATH"))
          : RedisBinary.embedded();
      List<String> command = new ArrayList<>(List.of(binary.toString()));
      command.addAll(args);
      command.addAll(List.of("--bind", "127.0.0.1", "--dir", dir.toString(),
          "--logfile", dir.resolve("redis.log").toString()));
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(source == Source.DOCKER ? 60 : 10);
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException("redis-server exited at start-up; see " + dir.resolve("redis.log"));
      }
      if (answers()) {
        return;
      }
      sleep(20);
    }
    throw new IllegalStateException("Redis (" + source + ") did not answer PING on port " + port + " in time");
  }

  @Override
  public void close() {
    kill();
    if (container != null) {
      container.remove();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind is harmless
    }
  }

  @Override
  public String toString() {
    return "RedisServer[" + source + ", port " + port + "]";
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /** A free port whose cluster bus port (port + 10000) is free too. */
  static int freeClusterPort() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = freePort();
      if (port + 10_000 > 65_535) {
        continue;
      }
      try (ServerSocket bus = new ServerSocket(port + 10_000)) {
        bus.setReuseAddress(true);
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port with a free cluster bus port (port + 10000) found");
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
