package io.coalesce.redis.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;

/**
 * Runs the tier's Lua scripts by their SHA-1 ({@code EVALSHA}), sending a script's body only when
 * the server does not have it yet ({@code NOSCRIPT}: after a restart, a {@code SCRIPT FLUSH}, or on a
 * cluster node that has not run it). A body sent with every call costs every read of the hit path
 * its bytes on the wire and a digest of them in Redis.
 */
final class Scripts {

  /** Scripts are constants: keyed by the array itself (arrays hash by identity). */
  private static final Map<byte[], String> SHAS = new ConcurrentHashMap<>();

  private Scripts() {}

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
