package io.coalesce.test;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.time.Duration;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A Redis in a container (Testcontainers), bound to a fixed host port so that a restarted server is
 * found where the killed one was. Loaded only when Testcontainers is on the class path.
 */
final class ContainerRedis {

  /** The image when none is set: the official Redis 7 image, pulled by Docker if it is not there. */
  static final String DEFAULT_IMAGE = "redis:7.4-alpine";

  /**
   * The image the tests' Redis runs in: the system property {@code coalesce.test.redis.image}, else the
   * environment variable {@code COALESCE_TEST_REDIS_IMAGE}, else {@link #DEFAULT_IMAGE}. Any image whose
   * {@code redis-server} is on its {@code PATH} does; it needs no shell (docs/testing.md builds one
   * offline from an installed binary).
   */
  static String image() {
    String image = System.getProperty("coalesce.test.redis.image");
    if (image == null || image.isBlank()) {
      image = System.getenv("COALESCE_TEST_REDIS_IMAGE");
    }
    return image == null || image.isBlank() ? DEFAULT_IMAGE : image.trim();
  }

  private final GenericContainer<?> container;

  private ContainerRedis(GenericContainer<?> container) {
    this.container = container;
  }

  /** Whether Testcontainers is on the class path; asks without loading this class's references to it. */
  static boolean classPresent(ClassLoader loader) {
    try {
      Class.forName("org.testcontainers.DockerClientFactory", false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Call only when {@link #classPresent} said so. */
  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** Starts {@code redis-server args...} with the container's 6379 published on {@code hostPort}. */
  @SuppressWarnings("resource") // closed by remove()
  static ContainerRedis start(int hostPort, List<String> args) {
    String[] command = new String[args.size() + 1];
    command[0] = "redis-server";
    for (int i = 0; i < args.size(); i++) {
      // Inside the container Redis listens on 6379; the host port is the published one.
      command[i + 1] = args.get(i).equals(Integer.toString(hostPort)) ? "6379" : args.get(i);
    }
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image()))
        .withCommand(command)
        .withExposedPorts(6379)
        // Redis's own line, not Testcontainers' default port check, which runs a shell in the container
        .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1).withStartupTimeout(Duration.ofSeconds(60)))
        .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
            new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", hostPort), new ExposedPort(6379))));
    container.start();
    return new ContainerRedis(container);
  }

  void kill() {
    if (container.isRunning()) {
      container.getDockerClient().killContainerCmd(container.getContainerId()).exec();
    }
    container.stop();
  }

  void remove() {
    container.stop();
  }
}
