package io.coalesce.reactiveapp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** One instance of {@link CatalogApp} on a free port, and an HTTP client that sends it many requests at once. */
final class RunningApp implements AutoCloseable {

  /** An HTTP request of the test: a method and a path. */
  record Request(HttpMethod method, String path) {

    static Request get(String path) {
      return new Request(HttpMethod.GET, path);
    }

    static Request put(String path) {
      return new Request(HttpMethod.PUT, path);
    }
  }

  /** What the application answered. */
  record Reply(Request request, int status, String retryAfter, String contentType, String body) {
  }

  static final int ROWS = 400;

  final ConfigurableApplicationContext context;
  final QueryLog queries;
  final DatabaseClient db;
  private final Database database;
  private final ConnectionProvider connections;
  private final WebClient client;

  private RunningApp(ConfigurableApplicationContext context, Database database) {
    this.context = context;
    this.database = database;
    this.queries = context.getBean(QueryLog.class);
    this.db = context.getBean(DatabaseClient.class);
    int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    this.connections = ConnectionProvider.builder("test-client").maxConnections(512).pendingAcquireMaxCount(-1).build();
    this.client = WebClient.builder()
        .baseUrl("http://127.0.0.1:" + port)
        .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
        .build();
  }

  static RunningApp start(Database database, int redisPort, String... properties) {
    List<String> all = new ArrayList<>(List.of(
        "server.port=0",
        "spring.r2dbc.url=" + database.url(),
        "spring.data.redis.port=" + redisPort,
        "spring.data.redis.timeout=500ms",
        "logging.level.io.coalesce=INFO"));
    if (!database.postgres()) {
      all.add("spring.r2dbc.username=sa");
    }
    all.addAll(List.of(properties));
    ConfigurableApplicationContext context = new SpringApplicationBuilder(CatalogApp.class)
        .web(WebApplicationType.REACTIVE)
        .properties(all.toArray(String[]::new))
        .run();
    RunningApp app = new RunningApp(context, database);
    for (String statement : database.schemaStatements(ROWS)) {
      app.db.sql(statement).then().block(Duration.ofSeconds(30));
    }
    return app;
  }

  /** All requests sent at once (none waits for another's answer); their replies in the same order. */
  List<Reply> sendAll(List<Request> requests) {
    return Flux.fromIterable(requests)
        .flatMapSequential(this::send, requests.size())
        .collectList()
        .block(Duration.ofSeconds(120));
  }

  Reply send(String path) {
    return send(Request.get(path)).block(Duration.ofSeconds(30));
  }

  private Mono<Reply> send(Request request) {
    return client.method(request.method()).uri(request.path())
        .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
            .map(body -> new Reply(request, response.statusCode().value(),
                response.headers().asHttpHeaders().getFirst("Retry-After"),
                String.valueOf(response.headers().contentType().orElse(null)), body)));
  }

  /** The names the database holds now, by id, read past the application. */
  Map<Long, String> namesInDatabase() {
    return db.sql("SELECT id, name FROM product /* not cached */")
        .map(row -> Map.entry(row.get("id", Long.class), row.get("name", String.class)))
        .all()
        .collectMap(Map.Entry::getKey, Map.Entry::getValue)
        .block(Duration.ofSeconds(30));
  }

  @Override
  public void close() {
    try {
      for (String statement : database.dropStatements()) {
        db.sql(statement).then().block(Duration.ofSeconds(30));
      }
    } finally {
      connections.dispose();
      context.close();
    }
  }
}
