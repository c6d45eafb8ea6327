package io.coalesce.redis.internal;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;

/**
 * Many script calls at once over a Lettuce Redis Cluster connection, which Spring Data Redis does not
 * pipeline: each is sent before any is awaited, and Lettuce routes each to its slot's node. Loaded only
 * when Lettuce is on the class path ({@link RedisStore} checks).
 */
final class LettuceAsyncScripts {

  /** How long the calls of one batch may take together. */
  private static final long TIMEOUT_MILLIS = 5_000;

  private LettuceAsyncScripts() {}

  /**
   * Runs {@code script} once per item of {@code calls} (its keys then its arguments) and waits for all;
   * returns {@code false}, sending nothing, when {@code connection} is not Lettuce's.
   *
   * @throws RedisSystemException when a call failed or the batch took too long
   */
  static boolean evalAll(RedisConnection connection, byte[] script, ReturnType type, int numKeys, List<byte[][]> calls) {
    if (!(connection.getNativeConnection() instanceof RedisClusterAsyncCommands<?, ?> commands)) {
      return false;
    }
    @SuppressWarnings("unchecked")
    RedisClusterAsyncCommands<byte[], byte[]> bytes = (RedisClusterAsyncCommands<byte[], byte[]>) commands;
    ScriptOutputType output = type == ReturnType.INTEGER ? ScriptOutputType.INTEGER : ScriptOutputType.VALUE;
    List<RedisFuture<Object>> replies = new ArrayList<>(calls.size());
    for (byte[][] call : calls) {
      replies.add(bytes.eval(script, output, Arrays.copyOfRange(call, 0, numKeys),
          Arrays.copyOfRange(call, numKeys, call.length)));
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
    for (RedisFuture<Object> reply : replies) {
      try {
        reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        throw new RedisSystemException("A script call of a batch failed", e.getCause());
      } catch (TimeoutException e) {
        throw new RedisSystemException("A batch of script calls took longer than " + TIMEOUT_MILLIS + " ms", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RedisSystemException("Interrupted while waiting for a batch of script calls", e);
      }
    }
    return true;
  }
}
