package io.coalesce.autoconfigure;

import java.util.Collection;
import java.util.stream.Collectors;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/** Where a connection factory connects, as an operator would want to read it in a log line. */
final class RedisTarget {

  private RedisTarget() {}

  static String describe(RedisConnectionFactory factory) {
    if (ClassUtils.isPresent("io.lettuce.core.RedisClient", RedisTarget.class.getClassLoader())
        && factory instanceof LettuceConnectionFactory lettuce) {
      return describe(lettuce);
    }
    return factory.getClass().getSimpleName();
  }

  private static String describe(LettuceConnectionFactory lettuce) {
    if (lettuce.isClusterAware()) {
      return "cluster " + nodes(lettuce.getClusterConfiguration().getClusterNodes());
    }
    if (lettuce.isRedisSentinelAware()) {
      var sentinel = lettuce.getSentinelConfiguration();
      String master = sentinel.getMaster() == null ? "?" : sentinel.getMaster().getName();
      return "sentinel master '" + master + "' via " + nodes(sentinel.getSentinels());
    }
    String database = lettuce.getDatabase() == 0 ? "" : " database " + lettuce.getDatabase();
    return lettuce.getHostName() + ":" + lettuce.getPort() + database;
  }

  private static String nodes(Collection<RedisNode> nodes) {
    return nodes.stream().map(RedisNode::asString).sorted().collect(Collectors.joining(", ", "[", "]"));
  }
}
