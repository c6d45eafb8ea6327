package io.coalesce.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal Redis client for administering test servers (FLUSHALL, CLIENT PAUSE, CONFIG SET, the
 * CLUSTER commands): one connection per command, so it works however the server was started and
 * needs neither {@code redis-cli} nor a Redis client library.
 */
final class Resp {

  private Resp() {}

  /**
   * Sends one command and returns its reply: a {@code String} (simple or bulk string), a
   * {@code Long}, a {@code List} (array) or {@code null}.
   *
   * @throws IllegalStateException for an error reply or when the server cannot be reached
   */
  static Object command(String host, int port, String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(encode(args));
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      throw new IllegalStateException("Redis at " + host + ":" + port + " did not answer " + args[0] + ": " + e, e);
    }
  }

  /** Whether a server answers {@code PING} within half a second. */
  static boolean answersPing(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      socket.setSoTimeout(500);
      socket.getOutputStream().write(encode("PING"));
      Object reply = read(new BufferedInputStream(socket.getInputStream()));
      return "PONG".equals(reply);
    } catch (IOException | IllegalStateException e) {
      return false;
    }
  }

  private static byte[] encode(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    write(bytes, "*" + args.length + "\r\n");
    for (String arg : args) {
      byte[] data = arg.getBytes(StandardCharsets.UTF_8);
      write(bytes, "$" + data.length + "\r\n");
      bytes.writeBytes(data);
      write(bytes, "\r\n");
    }
    return bytes.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = line(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IllegalStateException("Redis replied with an error: " + line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int length = Integer.parseInt(line);
        if (length < 0) {
          return null;
        }
        byte[] data = in.readNBytes(length);
        in.readNBytes(2); // CRLF
        return new String(data, StandardCharsets.UTF_8);
      }
      case '*': {
        int count = Integer.parseInt(line);
        if (count < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          items.add(read(in));
        }
        return items;
      }
      case -1:
        throw new IOException("connection closed before a reply");
      default:
        throw new IOException("unexpected reply type '" + (char) type + "'");
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read(); // '\n'
        break;
      }
      line.append((char) c);
    }
    return line.toString();
  }
}
