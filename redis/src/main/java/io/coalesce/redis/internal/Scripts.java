package io.coalesce.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;

/**
 * The tier's Lua scripts: read from the {@code .lua} files beside this class (where a reader looks
 * for them), their {@code ${NAME}} placeholders filled from {@link EnvelopeLayout}, and run by their
 * SHA-1 ({@code EVALSHA}), sending a script's body only when the server does not have it yet
 * ({@code NOSCRIPT}: after a restart, a {@code SCRIPT FLUSH}, or on a cluster node that has not run
 * it). A body sent with every call costs every read its bytes on the wire and a digest of them in Redis.
 */
final class Scripts {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");

  /** Scripts are constants: keyed by the array itself (arrays hash by identity). */
  private static final Map<byte[], String> SHAS = new ConcurrentHashMap<>();

  private Scripts() {}

  /** The script made of the files {@code names}, in order (a library first, then the body that uses it). */
  static byte[] load(String... names) {
    StringBuilder text = new StringBuilder();
    for (String name : names) {
      try (InputStream in = Scripts.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("The script " + name + " is missing from the coalesce-redis jar");
        }
        text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Matcher matcher = PLACEHOLDER.matcher(text);
    StringBuilder filled = new StringBuilder();
    while (matcher.find()) {
      String value = EnvelopeLayout.PLACEHOLDERS.get(matcher.group(1));
      if (value == null) {
        throw new IllegalStateException("Unknown placeholder " + matcher.group() + " in " + String.join(", ", names));
      }
      matcher.appendReplacement(filled, value);
    }
    matcher.appendTail(filled);
    return filled.toString().getBytes(StandardCharsets.UTF_8);
  }

  static <T> T eval(RedisConnection connection, byte[] script, ReturnType type, int numKeys, byte[]... keysAndArgs) {
    String sha = SHAS.computeIfAbsent(script, Scripts::sha1);
    try {
      return connection.scriptingCommands().evalSha(sha, type, numKeys, keysAndArgs);
    } catch (RuntimeException e) {
      if (!isNoScript(e)) {
        throw e;
      }
      return connection.scriptingCommands().eval(script, type, numKeys, keysAndArgs); // loads it too
    }
  }

  /** Loads {@code script} into the server (a pipeline cannot fall back on {@code NOSCRIPT}); returns its SHA-1. */
  static String loaded(RedisConnection connection, byte[] script) {
    String sha = SHAS.computeIfAbsent(script, Scripts::sha1);
    connection.scriptingCommands().scriptLoad(script);
    return sha;
  }

  private static boolean isNoScript(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static String sha1(byte[] script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java runtime", e);
    }
  }
}
