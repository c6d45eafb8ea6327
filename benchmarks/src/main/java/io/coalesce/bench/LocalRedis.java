package io.coalesce.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code redis-server} for one benchmark run, on a free loopback port, never the shared
 * server on 6379. Empty, without persistence; killed and restarted by the outage scenario.
 */
final class LocalRedis implements AutoCloseable {

  private final int port;
  private final Path dir;
  private Process process;

  private LocalRedis(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  static LocalRedis start() {
    try {
      LocalRedis redis = new LocalRedis(freePort(), Files.createTempDirectory("coalesce-bench-redis-"));
      redis.launch();
      return redis;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot start redis-server (the benchmarks need redis-server on "
          + "the PATH: 'apt-get install redis-server' or 'brew install redis'): " + e, e);
    }
  }

  int port() {
    return port;
  }

  /** Spring Boot properties that point a context at this server. */
  String[] springProperties() {
    return new String[] {"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + port};
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts an empty server on the same port again. */
  void restart() {
    kill();
    try {
      launch();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot restart redis-server on port " + port + ": " + e, e);
    }
  }

  private void launch() throws IOException {
    process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
        "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString()))
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited at start-up; see " + dir.resolve("redis.log"));
      }
      if (answersPing()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while starting redis-server", e);
      }
    }
    throw new IllegalStateException("redis-server did not answer PING on port " + port + " within 10 s");
  }

  /** The number of keys, or -1 when the server does not answer (read over a plain socket). */
  long dbSize() {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(500);
      socket.getOutputStream().write("DBSIZE\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] reply = new byte[32];
      int n = socket.getInputStream().read(reply);
      String line = n > 0 ? new String(reply, 0, n, StandardCharsets.US_ASCII).trim() : "";
      return line.startsWith(":") ? Long.parseLong(line.substring(1)) : -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** {@code INFO stats}' {@code total_commands_processed}: commands run, scripts counting once each. */
  long commandsProcessed() {
    for (String line : info("stats").split("\r?\n")) {
      if (line.startsWith("total_commands_processed:")) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    throw new IllegalStateException("INFO stats has no total_commands_processed");
  }

  /** Sends one command over a plain socket and returns the first line of the reply ({@code +OK}, {@code -ERR ...}). */
  String command(String... args) {
    StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
    }
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
      byte[] reply = new byte[256];
      int n = socket.getInputStream().read(reply);
      String text = n > 0 ? new String(reply, 0, n, StandardCharsets.UTF_8) : "";
      int end = text.indexOf('\r');
      return end < 0 ? text : text.substring(0, end);
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", args) + " failed: " + e, e);
    }
  }

  /** Empties the server (between runs that must not see each other's keys). */
  void flushAll() {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write("FLUSHALL\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getInputStream().read(new byte[16]);
    } catch (IOException e) {
      throw new IllegalStateException("FLUSHALL failed: " + e, e);
    }
  }

  private String info(String section) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(("INFO " + section + "\r\n").getBytes(StandardCharsets.US_ASCII));
      java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
      StringBuilder header = new StringBuilder();
      for (int c; (c = in.read()) != '\n'; ) {
        header.append((char) c);
      }
      int length = Integer.parseInt(header.toString().trim().substring(1));
      byte[] body = new byte[length];
      in.readFully(body);
      return new String(body, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("INFO failed: " + e, e);
    }
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
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind is harmless
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The server's process id, to read its CPU time from {@code /proc}. */
  long pid() {
    return process.pid();
  }
}
