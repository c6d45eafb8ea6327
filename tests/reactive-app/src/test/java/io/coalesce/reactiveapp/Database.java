package io.coalesce.reactiveapp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.UUID;

/**
 * Where the application's rows live: PostgreSQL through r2dbc-postgresql when one answers (on
 * 127.0.0.1:5432, user {@code postgres}, database {@code test}, or {@code COALESCE_TEST_POSTGRES_URL}),
 * in a schema of the run's own; H2's in-memory database through r2dbc-h2 otherwise, or with
 * {@code COALESCE_TEST_DATABASE=h2}.
 */
record Database(String url, String schema, boolean postgres) {

  static Database pick() {
    String forced = System.getenv("COALESCE_TEST_DATABASE");
    String url = System.getenv().getOrDefault("COALESCE_TEST_POSTGRES_URL", "r2dbc:postgresql://postgres@127.0.0.1:5432/test");
    String schema = "coalesce_reactive_app_" + ProcessHandle.current().pid();
    if (!"h2".equals(forced) && ("postgres".equals(forced) || answers("127.0.0.1", 5432))) {
      return new Database(url + (url.contains("?") ? "&" : "?") + "schema=" + schema, schema, true);
    }
    return new Database("r2dbc:h2:mem:///catalog-" + UUID.randomUUID() + "?options=DB_CLOSE_DELAY=-1", "PUBLIC", false);
  }

  private static boolean answers(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The statements that make the table, run once when the application has started. */
  String[] schemaStatements(int rows) {
    String create = "CREATE TABLE product (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL, version BIGINT NOT NULL)";
    String insert = "INSERT INTO product (id, name, version) SELECT x, 'product-' || x, 1 FROM "
        + (postgres ? "generate_series(1, " + rows + ") AS x" : "SYSTEM_RANGE(1, " + rows + ")");
    if (postgres) {
      return new String[] {"DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema, create, insert};
    }
    return new String[] {"DROP TABLE IF EXISTS product", create, insert};
  }

  /** Run by the tests' JVM when it ends, so that PostgreSQL keeps no schema of a run. */
  String[] dropStatements() {
    return postgres ? new String[] {"DROP SCHEMA IF EXISTS " + schema + " CASCADE"} : new String[0];
  }
}
