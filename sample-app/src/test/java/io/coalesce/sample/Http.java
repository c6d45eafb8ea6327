package io.coalesce.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Calls the running sample over HTTP with the JDK's client, so that the same tests run on Spring
 * Boot 4 and 3.5 (Boot 4 moved TestRestTemplate).
 */
final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

  /** A response: its status and body. */
  record Response(int status, String body) {

    JsonNode json() {
      return as(JsonNode.class);
    }

    <T> T as(Class<T> type) {
      try {
        return JSON.readValue(body, type);
      } catch (IOException e) {
        throw new AssertionError("Not a " + type.getSimpleName() + " (HTTP " + status + "): " + body, e);
      }
    }
  }

  private final int port;

  Http(int port) {
    this.port = port;
  }

  Response get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  Response put(String path) {
    return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.noBody()));
  }

  Response post(String path) {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  Response delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          CLIENT.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new AssertionError("HTTP call failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
