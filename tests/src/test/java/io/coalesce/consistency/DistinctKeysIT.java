package io.coalesce.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.annotation.Coalesced;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.it.Boot;
import io.coalesce.test.RedisServer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * "Distinct arguments never share an entry: the key form is injective (records, collections, arrays,
 * maps, nulls, any Java string)" (DESIGN.md, Failure semantics). Each test reads argument X on
 * instance A, then argument Y on instance B (a collision there comes through Redis), then Y on A (a
 * collision there comes through A's L1): each must get the answer of its own argument. The methods
 * answer with a description of every part of their argument, the characters as UTF-16 code units.
 */
class DistinctKeysIT {

  public record Query(String a, String b, int n) {}

  /** The cached "queries" of one instance; each answer names every part of its argument exactly. */
  public static class Finder {

    @Coalesced(cache = "queries")
    public String find(Query q) {
      return "Query(" + describe(q.a()) + ", " + describe(q.b()) + ", " + q.n() + ")";
    }

    @Coalesced(cache = "lists")
    public String findAll(List<String> names) {
      return names.stream().map(Finder::describe).collect(Collectors.joining(", ", "List(", ")"));
    }

    @Coalesced(cache = "pairs")
    public String findPair(String a, String b) {
      return "Pair(" + describe(a) + ", " + describe(b) + ")";
    }

    @Coalesced(cache = "names")
    public String findName(String name) {
      return "Name(" + describe(name) + ")";
    }

    /** {@code null}, or the string's UTF-16 code units in hex: plain ASCII, whatever the string. */
    static String describe(String s) {
      if (s == null) {
        return "null-reference";
      }
      return s.chars().mapToObj(Integer::toHexString).collect(Collectors.joining(" ", "\"", "\""));
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3})
  static class App {
    @Bean
    Finder finder() {
      return new Finder();
    }
  }

  static RedisServer redis;
  static Contexts contexts;
  static ConfigurableApplicationContext a;
  static ConfigurableApplicationContext b;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    contexts = new Contexts(redis);
    a = contexts.start(App.class);
    b = contexts.start(App.class);
  }

  @AfterAll
  static void stop() {
    contexts.close();
    redis.close();
  }

  @BeforeEach
  void empty() {
    redis.flushAll();
    for (ConfigurableApplicationContext instance : List.of(a, b)) {
      CoalescingCacheManager caches = Contexts.caches(instance);
      for (String cache : List.of("queries", "lists", "pairs", "names")) {
        caches.getCache(cache).clear();
      }
    }
  }

  /**
   * Reads X on A, Y on B, Y on A, and checks each got the answer of its own argument (computed by
   * calling the method's body directly, uncached).
   */
  private static void assertDistinct(Function<Finder, String> x, Function<Finder, String> y) {
    Finder uncached = new Finder();
    String answerX = x.apply(uncached);
    String answerY = y.apply(uncached);
    assertThat(answerX).isNotEqualTo(answerY); // the arguments do differ
    Finder onA = a.getBean(Finder.class);
    Finder onB = b.getBean(Finder.class);

    List<String> answers = List.of(x.apply(onA), y.apply(onB), y.apply(onA));

    assertThat(answers).as("answers to X on A, then Y on B (through Redis), then Y on A (through its L1)")
        .containsExactly(answerX, answerY, answerY);
  }

  /**
   * Defect (issue 25, 3): a record key is named by its {@code toString()}, which does not escape its
   * components: {@code Query[a=x, b=y, b=z, n=1]} is both {@code Query("x, b=y", "z", 1)} and
   * {@code Query("x", "y, b=z", 1)}.
   */
  @Test
  void recordsWhoseToStringCoincideAreDifferentKeys() {
    assertDistinct(f -> f.find(new Query("x, b=y", "z", 1)), f -> f.find(new Query("x", "y, b=z", 1)));
  }

  /** Defect (issue 25, 3): {@code [a, b]} is both {@code List.of("a, b")} and {@code List.of("a", "b")}. */
  @Test
  void listsWhoseElementsContainTheSeparatorAreDifferentKeys() {
    assertDistinct(f -> f.findAll(List.of("a, b")), f -> f.findAll(List.of("a", "b")));
  }

  /** Defect (issue 25, 3): {@code []} is both {@code List.of()} and {@code List.of("")}. */
  @Test
  void anEmptyListAndAListOfTheEmptyStringAreDifferentKeys() {
    assertDistinct(f -> f.findAll(List.of()), f -> f.findAll(List.of("")));
  }

  /**
   * A {@code null} argument and the string {@code "null"} of a two-argument (composite) key. Passes
   * on main: a composite key names a {@code null} part {@code %N}, which no string part can give.
   */
  @Test
  void aNullArgumentAndTheStringNullAreDifferentKeys() {
    assertDistinct(f -> f.findPair(null, "x"), f -> f.findPair("null", "x"));
  }

  /** Defect (issue 25, 3): {@code Query[a=null, b=x, n=1]} is both a {@code null} component and {@code "null"}. */
  @Test
  void aNullRecordComponentAndTheStringNullAreDifferentKeys() {
    assertDistinct(f -> f.find(new Query(null, "x", 1)), f -> f.find(new Query("null", "x", 1)));
  }

  /** Defect (issue 25, 3): {@code [null, x]} is both a {@code null} element and {@code "null"}. */
  @Test
  void aNullListElementAndTheStringNullAreDifferentKeys() {
    assertDistinct(f -> f.findAll(Arrays.asList(null, "x")), f -> f.findAll(List.of("null", "x")));
  }

  /**
   * Defect (issue 25, 3): a lone surrogate ({@code "\uD800"}, a legal Java string) becomes {@code '?'}
   * when the key is encoded to UTF-8 for Redis, so it shares the Redis key of {@code "?"}: the two
   * differ in L1 but not on another instance.
   */
  @Test
  void aLoneSurrogateAndAQuestionMarkAreDifferentKeys() {
    assertDistinct(f -> f.findName("\uD800"), f -> f.findName("?"));
  }

  /** Defect (issue 25, 3): the same through a part of a composite key. */
  @Test
  void aLoneSurrogateAndAQuestionMarkInACompositeKeyAreDifferentKeys() {
    assertDistinct(f -> f.findPair("\uD800", "x"), f -> f.findPair("?", "x"));
  }
}
