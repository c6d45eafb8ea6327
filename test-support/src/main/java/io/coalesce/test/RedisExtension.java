package io.coalesce.test;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real Redis for the tests of one class, started before the first and stopped after the last. The
 * server comes from {@link RedisServer#source()} (the PATH, a container, or the binary bundled by
 * embedded-redis), and a test may kill, pause, flush and restart it.
 *
 * <pre>{@code
 * class ProductCacheIT {
 *
 *   @RegisterExtension
 *   static final RedisExtension redis = new RedisExtension();
 *
 *   @Test
 *   void survivesARedisRestart() {
 *     ... "spring.data.redis.port=" + redis.server().port() ...
 *     redis.server().kill();
 *     redis.server().restart();
 *   }
 * }
 * }</pre>
 *
 * Or {@code @ExtendWith(RedisExtension.class)} and a {@link RedisServer} parameter on a test,
 * lifecycle or constructor method.
 */
public final class RedisExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

  private final List<String> args;
  private RedisServer server;

  /** A standalone server with the default settings. */
  public RedisExtension() {
    this(new String[0]);
  }

  /** A standalone server with {@code args} on its command line, e.g. {@code "--maxmemory", "2mb"}. */
  public RedisExtension(String... args) {
    this.args = List.of(args);
  }

  /** The running server. */
  public RedisServer server() {
    if (server == null) {
      throw new IllegalStateException("The Redis server runs from @BeforeAll to @AfterAll only; register the "
          + "extension on a static field (@RegisterExtension static final RedisExtension ...)");
    }
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = RedisServer.start(args.toArray(String[]::new));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RedisServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server();
  }
}
