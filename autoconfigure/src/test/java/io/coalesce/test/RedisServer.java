package io.coalesce.test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} started by a test on a free loopback port, so that the test can kill,
 * pause and restart it. Needs {@code redis-server} and {@code redis-cli} on the PATH; without them it
 * fails with a message saying how to get them (a Redis test is never silently skipped).
 */
public final class RedisServer implements AutoCloseable {

  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private Process process;

  private RedisServer(int port, Path dir, List<String> extraArgs) {
    this.port = port;
    this.dir = dir;
    this.extraArgs = extraArgs;
  }

  /** Starts a standalone server on a free port. */
  public static RedisServer start(String... extraArgs) {
    requireBinaries();
    try {
      RedisServer server = new RedisServer(freePort(), Files.createTempDirectory("coalesce-redis-"), List.of(extraArgs));
      server.launch();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot start redis-server: " + e, e);
    }
  }

  public int port() {
    return port;
  }

  Path dir() {
    return dir;
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  public void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts the server again on the same port (empty: it keeps nothing on disk). */
  public void restart() {
    kill();
    try {
      launch();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot restart redis-server on port " + port + ": " + e, e);
    }
  }

  /** Runs {@code redis-cli -p <port> args...} and returns its output. */
  public String cli(String... args) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    return run(command);
  }

  /** Empties the server. */
  public void flushAll() {
    cli("FLUSHALL");
  }

  /** Makes the server unresponsive to clients for {@code duration} ({@code CLIENT PAUSE}). */
  public void pause(Duration duration) {
    cli("CLIENT", "PAUSE", Long.toString(duration.toMillis()), "ALL");
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
        "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString()));
    command.addAll(extraArgs);
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited at start-up; see " + dir.resolve("redis.log"));
      }
      if (answersPing()) {
        return;
      }
      sleep(20);
    }
    throw new IllegalStateException("redis-server did not answer PING on port " + port + " within 10 s");
  }

  private boolean answersPing() {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(500);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] reply = new byte[7];
      int n = socket.getInputStream().read(reply);
      return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    kill();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }

  static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("Timed out: " + command);
      }
      return out.trim();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot run " + command + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  static void requireBinaries() {
    for (String binary : List.of("redis-server", "redis-cli")) {
      if (!onPath(binary)) {
        throw new IllegalStateException("The Redis integration tests need '" + binary + "' on the PATH "
            + "(they start, kill and restart their own server). Install it: "
            + "'sudo apt-get install redis-server' on Debian/Ubuntu, 'brew install redis' on macOS. "
            + "bash .ci/run installs it when missing.");
      }
    }
  }

  private static boolean onPath(String binary) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, binary))) {
        return true;
      }
    }
    return false;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
