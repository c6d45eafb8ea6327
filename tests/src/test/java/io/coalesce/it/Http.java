package io.coalesce.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * HTTP calls to a test application, with the JDK's client (Spring Boot 4 moved TestRestTemplate, so
 * the suite uses neither line's).
 */
public final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A response: its status, body and headers. */
  public record Response(int status, String body, java.net.http.HttpHeaders headers) {

    /** The first value of header {@code name}, or {@code null}. */
    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("Not JSON (HTTP " + status + "): " + body, e);
      }
    }
  }

  private final int port;

  public Http(int port) {
    this.port = port;
  }

  public Response get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public Response delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  public Response post(String path) {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  public Response put(String path, String json) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body(), response.headers());
    } catch (IOException e) {
      throw new AssertionError("HTTP call failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
