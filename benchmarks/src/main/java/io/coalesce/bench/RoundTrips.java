package io.coalesce.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the commands clients send to a Redis, through {@code MONITOR}: one per round trip without
 * pipelining, whatever a Lua script does inside (those lines are marked {@code lua} and not counted),
 * the same way for every stack. {@code MONITOR} slows the server down, so time is never measured
 * while one runs.
 */
final class RoundTrips implements AutoCloseable {

  private final Socket socket;
  private final AtomicLong commands = new AtomicLong();
  private final Thread reader;

  private RoundTrips(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    OutputStream out = socket.getOutputStream();
    out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    String ok = in.readLine();
    if (!"+OK".equals(ok)) {
      throw new IOException("MONITOR answered " + ok);
    }
    reader = new Thread(() -> {
      try {
        for (String line; (line = in.readLine()) != null; ) {
          // +1700000000.123456 [0 127.0.0.1:5555] "GET" "key"; a script's own commands show [0 lua]
          if (!line.contains(" lua] ")) {
            commands.incrementAndGet();
          }
        }
      } catch (IOException closed) {
        // close() ends the count
      }
    }, "round-trips");
    reader.setDaemon(true);
    reader.start();
  }

  static RoundTrips count(LocalRedis redis) throws IOException {
    return new RoundTrips(redis.port());
  }

  /** Commands seen so far; waits until the monitor has caught up with {@code quietMillis} of silence. */
  long commands(long quietMillis) throws InterruptedException {
    long seen;
    do {
      seen = commands.get();
      Thread.sleep(quietMillis);
    } while (commands.get() != seen);
    return seen;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
