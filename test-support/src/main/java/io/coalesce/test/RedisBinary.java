package io.coalesce.test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Where a {@code redis-server} executable comes from: the {@code PATH}, or the binaries bundled in
 * {@code com.github.codemonstur:embedded-redis} (only the binary is used, extracted once per machine
 * into the temporary directory).
 */
final class RedisBinary {

  /** A class in the embedded-redis jar, to find the jar. */
  private static final String EMBEDDED_MARKER = "redis/embedded/RedisServer.class";

  private RedisBinary() {}

  /** {@code redis-server} on the PATH, if there is one. */
  static Optional<Path> onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Whether the embedded-redis jar is on the class path. */
  static boolean embeddedAvailable() {
    return RedisBinary.class.getClassLoader().getResource(EMBEDDED_MARKER) != null;
  }

  /**
   * The bundled binary for this operating system and architecture, extracted and executable.
   *
   * @throws IllegalStateException when the jar is absent or bundles none for this machine
   */
  static Path embedded() {
    URL marker = RedisBinary.class.getClassLoader().getResource(EMBEDDED_MARKER);
    if (marker == null) {
      throw new IllegalStateException("com.github.codemonstur:embedded-redis is not on the class path");
    }
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("mac") ? "darwin" : "linux";
    String arch = switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> System.getProperty("os.arch");
    };
    try {
      JarURLConnection connection = (JarURLConnection) marker.openConnection();
      connection.setUseCaches(false);
      try (JarFile jar = connection.getJarFile()) {
        for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
          JarEntry entry = entries.nextElement();
          String name = entry.getName();
          if (name.startsWith("redis-server-") && name.endsWith("-" + os + "-" + arch)) {
            return extract(jar, entry);
          }
        }
      }
    } catch (IOException | ClassCastException e) {
      throw new IllegalStateException("Cannot read the redis-server binaries of embedded-redis: " + e, e);
    }
    throw new IllegalStateException("embedded-redis bundles no redis-server for " + os + "-" + arch);
  }

  private static Path extract(JarFile jar, JarEntry entry) throws IOException {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "coalesce-embedded-redis");
    Files.createDirectories(dir);
    Path binary = dir.resolve(entry.getName());
    if (!Files.isExecutable(binary) || Files.size(binary) != entry.getSize()) {
      Path partial = Files.createTempFile(dir, entry.getName(), ".part");
      try (InputStream in = jar.getInputStream(entry)) {
        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      }
      if (!partial.toFile().setExecutable(true)) {
        throw new IOException("cannot make " + partial + " executable");
      }
      Files.move(partial, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    requireRuns(binary);
    return binary;
  }

  /** The bundled binary links the system's OpenSSL 3: say so plainly when it cannot start. */
  private static void requireRuns(Path binary) throws IOException {
    Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("The redis-server bundled in embedded-redis (" + binary + ") does not run "
            + "here: " + out.trim() + ". It needs glibc and OpenSSL 3 (libssl3); install redis-server instead");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
