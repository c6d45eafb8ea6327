package io.coalesce.springcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.coalesce.cluster.Burst;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.it.Boot;
import io.coalesce.it.Http;
import io.coalesce.spring.CoalesceSpringCacheManager;
import io.coalesce.spring.InvalidCacheDeclarationException;
import io.coalesce.springcache.Catalog.Item;
import io.coalesce.test.Await;
import io.coalesce.test.RedisExtension;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Issue 28's bridge: an application that uses only Spring's cache annotations gets Coalesce with
 * {@code coalesce.spring-cache.enabled=true}. Each instance is a full Boot context on one real
 * Redis; loads are counted at the shared "database". Beside Coalesce, in the same run, the same code on
 * what Boot would otherwise create (Spring's {@code RedisCacheManager}, and Caffeine), printed only.
 */
class SpringCacheBridgeIT {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private static final AtomicInteger APPS = new AtomicInteger();

  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
  private final Catalog.Rows rows = new Catalog.Rows();

  @AfterEach
  void stop() {
    Collections.reverse(contexts);
    contexts.forEach(ConfigurableApplicationContext::close);
  }

  /** {@code count} instances of {@code app}, one key prefix (one cluster) per call. */
  private List<Catalog> start(int count, Class<?> app, String... properties) {
    String cluster = "springcache-" + APPS.incrementAndGet();
    List<Catalog> catalogs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ConfigurableApplicationContext context = context(app, WebApplicationType.NONE, cluster, properties);
      catalogs.add(context.getBean(Catalog.class));
    }
    return catalogs;
  }

  private ConfigurableApplicationContext context(Class<?> app, WebApplicationType web, String cluster,
      String... properties) {
    List<String> all = new ArrayList<>(List.of(
        "spring.data.redis.port=" + redis.server().port(),
        "spring.application.name=" + cluster,
        "coalesce.key-prefix=" + cluster,
        "coalesce.spring-cache.enabled=true",
        "coalesce.defaults.lock.wait=5s",
        "coalesce.defaults.load-timeout=10s",
        // the comparison apps: a Redis key prefix per cluster, values kept as long as Coalesce's
        "spring.cache.redis.key-prefix=" + cluster + ":",
        "spring.cache.redis.time-to-live=10m"));
    all.addAll(List.of(properties));
    ConfigurableApplicationContext context = new SpringApplicationBuilder(app)
        .web(web)
        .initializers(c -> c.getBeanFactory().registerSingleton("rows", rows))
        .properties(all.toArray(String[]::new))
        .run();
    contexts.add(context);
    return context;
  }

  /** {@code perInstance} callers on each catalog, all released together, all asking for {@code id}. */
  private static List<Object> burst(List<Catalog> catalogs, int perInstance, Function<Catalog, Object> call)
      throws InterruptedException {
    List<Callable<?>> calls = new ArrayList<>();
    for (Catalog catalog : catalogs) {
      for (int i = 0; i < perInstance; i++) {
        calls.add(() -> call.apply(catalog));
      }
    }
    return Burst.run(calls);
  }

  @Test
  void twoHundredCallersOfAColdKeyOnOneInstanceShareOneLoad() throws Exception {
    rows.put(1, "phone");
    rows.latency(200); // every caller arrives while the load runs
    List<Catalog> coalesce = start(1, CatalogApp.class);

    List<Object> results = burst(coalesce, 200, c -> c.find(1));

    assertThat(results).hasSize(200).allSatisfy(r -> assertThat(r).isEqualTo(new Item(1, "phone")));
    assertThat(rows.queries()).isEqualTo(1);
    System.out.printf("[SpringCacheBridgeIT] 1 instance x 200 callers, one cold key, @Cacheable(sync = true): "
        + "Coalesce's CacheManager %d load(s)%n", rows.queries());
    comparePlainSpring(1, 200);
  }

  /** The same burst on the same code over what Boot creates without the bridge: printed, not asserted. */
  private void comparePlainSpring(int instances, int perInstance) throws InterruptedException {
    for (String type : List.of("redis", "caffeine")) {
      int before = rows.queries();
      List<Catalog> plain = start(instances, PlainSpringApp.class, "spring.cache.type=" + type);
      List<Object> plainResults = burst(plain, perInstance, c -> c.find(1));
      assertThat(plainResults).allSatisfy(r -> assertThat(r).isEqualTo(new Item(1, "phone")));
      System.out.printf("[SpringCacheBridgeIT]   same code, spring.cache.type=%s: %d loads%n", type,
          rows.queries() - before);
    }
  }

  @Test
  void fourInstancesOfFiftyCallersLoadAColdKeyOnceForTheWholeCluster() throws Exception {
    rows.put(1, "phone");
    rows.latency(200);
    List<Catalog> coalesce = start(4, CatalogApp.class);

    List<Object> results = burst(coalesce, 50, c -> c.find(1));

    assertThat(results).hasSize(200).allSatisfy(r -> assertThat(r).isEqualTo(new Item(1, "phone")));
    assertThat(rows.queries()).isEqualTo(1);
    System.out.printf("[SpringCacheBridgeIT] 4 instances x 50 callers, one cold key, @Cacheable(sync = true): "
        + "Coalesce's CacheManager %d load(s)%n", rows.queries());

    comparePlainSpring(4, 50);
  }

  @Test
  void anEvictOrAPutOnOneInstanceIsSeenOnAnother() {
    rows.put(1, "phone");
    List<Catalog> catalogs = start(2, CatalogApp.class);
    Catalog a = catalogs.get(0);
    Catalog b = catalogs.get(1);
    assertThat(b.find(1).name()).isEqualTo("phone"); // cached on B (and in Redis)

    a.rename(1, "smartphone");
    Await.until(() -> b.find(1).name().equals("smartphone"));

    a.save(1, "foldable");
    Await.until(() -> b.find(1).name().equals("foldable"));
    int queries = rows.queries();
    assertThat(b.find(1).name()).isEqualTo("foldable");
    assertThat(rows.queries()).as("the put's value is served, not reloaded").isEqualTo(queries);
  }

  @Test
  void anEvictOfAllEntriesClearsEveryInstance() {
    rows.put(1, "phone");
    rows.put(2, "tablet");
    List<Catalog> catalogs = start(2, CatalogApp.class);
    Catalog b = catalogs.get(1);
    assertThat(b.find(1).name()).isEqualTo("phone");
    assertThat(b.find(2).name()).isEqualTo("tablet");

    catalogs.get(0).renameAll(" v2");

    Await.until(() -> b.find(1).name().equals("phone v2") && b.find(2).name().equals("tablet v2"));
  }

  @Test
  void argumentsWithCommasMakeDistinctKeys() {
    List<Catalog> catalogs = start(2, CatalogApp.class);

    assertThat(catalogs.get(0).label("a,b", "c")).isEqualTo("a,b|c");
    assertThat(catalogs.get(0).label("a", "b,c")).isEqualTo("a|b,c");
    assertThat(catalogs.get(1).label("a,b", "c")).as("from Redis, on the other instance").isEqualTo("a,b|c");
    assertThat(catalogs.get(1).label("a", "b,c")).isEqualTo("a|b,c");
    assertThat(rows.queries()).isEqualTo(2);
  }

  @Test
  void withoutSyncAMissRunsTheMethodAndPutsAndEveryInstanceThenHits() {
    rows.put(1, "phone");
    List<Catalog> catalogs = start(2, CatalogApp.class);

    assertThat(catalogs.get(0).findWithoutSync(1).name()).isEqualTo("phone");
    assertThat(catalogs.get(0).findWithoutSync(1).name()).isEqualTo("phone");
    assertThat(catalogs.get(1).findWithoutSync(1).name()).as("from Redis").isEqualTo("phone");
    assertThat(rows.queries()).isEqualTo(1);
  }

  /**
   * The cache-aside race, without {@code sync}: a caller reads the old row, another instance changes
   * it and evicts (or puts), then the caller's put arrives. It must not leave the old row cached.
   */
  @Test
  void withoutSyncAValueReadBeforeAnotherInstancesWriteIsNotPutBackAfterIt() throws Exception {
    rows.put(1, "phone");
    rows.put(2, "tablet");
    List<Catalog> catalogs = start(2, CatalogApp.class);
    Catalog reader = catalogs.get(0);
    Catalog writer = catalogs.get(1);

    Item read = readAcross(reader, 1, () -> writer.renamePlain(1, "smartphone"));
    assertThat(read.name()).as("the racing call returns what it read").isEqualTo("phone");
    assertThat(reader.findWithoutSync(1).name()).isEqualTo("smartphone");
    assertThat(writer.findWithoutSync(1).name()).isEqualTo("smartphone");

    read = readAcross(reader, 2, () -> writer.savePlain(2, "foldable"));
    assertThat(read.name()).isEqualTo("tablet");
    assertThat(reader.findWithoutSync(2).name()).isEqualTo("foldable");
    assertThat(writer.findWithoutSync(2).name()).isEqualTo("foldable");
  }

  /** {@code reader.findWithoutSync(id)}, with {@code write} done after its query read the row. */
  private Item readAcross(Catalog reader, long id, Runnable write) throws Exception {
    CountDownLatch queried = new CountDownLatch(1);
    CountDownLatch written = new CountDownLatch(1);
    rows.afterRead(() -> {
      queried.countDown();
      try {
        written.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    CompletableFuture<Item> racing = CompletableFuture.supplyAsync(() -> reader.findWithoutSync(id));
    assertThat(queried.await(10, TimeUnit.SECONDS)).isTrue();
    rows.afterRead(null);
    write.run();
    written.countDown();
    return racing.get(10, TimeUnit.SECONDS);
  }

  /**
   * A miss whose put Spring skipped ({@code unless}) fences nothing later: the call's scope ends with
   * it, so a put of the key on the same thread afterwards (here the cache's own, outside any annotated
   * call) is a write, even after another instance's write.
   */
  @Test
  void aMissThatWasNotPutLeavesALaterPutOnTheSameThreadAWrite() throws Exception {
    List<Catalog> catalogs = start(2, CatalogApp.class);
    Catalog a = catalogs.get(0);
    Catalog b = catalogs.get(1);
    Cache itemsOnA = contexts.get(0).getBean(CacheManager.class).getCache("items-plain");

    assertThat(a.findWithoutSyncUnlessAbsent(7)).isNull();
    CompletableFuture.runAsync(() -> b.savePlain(7, "tablet")).get(10, TimeUnit.SECONDS); // another thread
    rows.put(7, "tablet v2");
    itemsOnA.put(7L, new Item(7, "tablet v2"));

    assertThat(a.findWithoutSync(7).name()).isEqualTo("tablet v2");
    Await.until(() -> b.findWithoutSync(7).name().equals("tablet v2"));
  }

  @Test
  void futuresAndMonosAreCachedAsTheirValues() {
    rows.put(1, "phone");
    List<Catalog> catalogs = start(2, CatalogApp.class);

    assertThat(catalogs.get(0).findAsync(1).join().name()).isEqualTo("phone");
    assertThat(catalogs.get(1).findAsync(1).join().name()).isEqualTo("phone");
    assertThat(catalogs.get(0).findAsyncWithoutSync(1).join().name()).isEqualTo("phone");
    Await.until(() -> catalogs.get(1).findAsyncWithoutSync(1).join().name().equals("phone")
        && rows.queries() == 2); // the put may follow the value: Spring's contract allows it
    assertThat(catalogs.get(0).findMono(1).block().name()).isEqualTo("phone");
    assertThat(catalogs.get(1).findMono(1).block().name()).isEqualTo("phone");
    assertThat(rows.queries()).as("one load per cache, the other instance reading Redis").isEqualTo(3);
  }

  /**
   * A {@code Flux} through the bridge is cached as the list of its elements, with {@code sync = true}
   * (Spring's {@code retrieve} with a loader: one load for the cluster) and without.
   */
  @Test
  void fluxesAreCachedAsTheListOfTheirElements() {
    rows.put(1, "phone");
    rows.put(2, "tablet");
    List<Catalog> catalogs = start(2, CatalogApp.class);
    List<Item> both = List.of(new Item(1, "phone"), new Item(2, "tablet"));

    assertThat(catalogs.get(0).findAllFlux(List.of(1L, 2L)).collectList().block()).isEqualTo(both);
    assertThat(catalogs.get(0).findAllFlux(List.of(1L, 2L)).collectList().block()).isEqualTo(both);
    assertThat(catalogs.get(1).findAllFlux(List.of(1L, 2L)).collectList().block()).as("from Redis").isEqualTo(both);
    assertThat(rows.queries()).as("one load of the two rows").isEqualTo(2);

    assertThat(catalogs.get(0).findAllFluxWithoutSync(List.of(1L, 2L)).collectList().block()).isEqualTo(both);
    // The put may follow the elements (Spring's contract allows it): wait for it to reach Redis.
    Cache plainOnTheOther = contexts.get(1).getBean(CacheManager.class).getCache("items-flux-plain");
    Await.until(() -> plainOnTheOther.get(List.of(1L, 2L)) != null);
    assertThat(catalogs.get(1).findAllFluxWithoutSync(List.of(1L, 2L)).collectList().block()).as("from Redis")
        .isEqualTo(both);
    assertThat(rows.queries()).isEqualTo(4);
  }

  @Test
  void springsOwnAttributesKeepTheirMeaning() {
    rows.put(1, "phone");
    Catalog catalog = start(1, CatalogApp.class).get(0);
    CacheManager manager = contexts.get(0).getBean(CacheManager.class);

    catalog.findInTwoCaches(1);
    catalog.findInTwoCaches(1);
    assertThat(rows.queries()).as("cached").isEqualTo(1);
    assertThat(manager.getCache("second").get(1L, Item.class)).as("in both caches").isEqualTo(new Item(1, "phone"));
    catalog.findInTwoCaches(404);
    catalog.findInTwoCaches(404);
    assertThat(rows.queries()).as("unless: \"not found\" is not cached").isEqualTo(3);

    catalog.findIfPositive(-1);
    catalog.findIfPositive(-1);
    assertThat(rows.queries()).as("condition: not cached").isEqualTo(5);

    ConfiguredCatalog configured = contexts.get(0).getBean(ConfiguredCatalog.class);
    configured.find(1);
    configured.find(1);
    assertThat(rows.queries()).as("@CacheConfig's cache").isEqualTo(6);

    catalog.find(1);
    assertThatThrownBy(() -> catalog.renameFailing(1)).hasMessage("the database refused");
    catalog.find(1);
    assertThat(rows.queries()).as("beforeInvocation: evicted though the method failed").isEqualTo(8);
  }

  @Test
  void actuatorCachesListsTheCachesAndCoalesceMetersCountTheirReads() {
    rows.put(1, "phone");
    ConfigurableApplicationContext context = context(CatalogApp.class, WebApplicationType.SERVLET,
        "springcache-web-" + APPS.incrementAndGet(), "server.port=0",
        "management.endpoints.web.exposure.include=caches,coalesce");
    Catalog catalog = context.getBean(Catalog.class);
    catalog.find(1);
    catalog.find(1);

    Http http = new Http(context.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
    JsonNode caches = http.get("/actuator/caches").json().path("cacheManagers").path("cacheManager").path("caches");
    assertThat(caches.has("items")).as("/actuator/caches: %s", caches).isTrue();
    assertThat(http.get("/actuator/coalesce/items").status()).isEqualTo(200);
    MeterRegistry meters = context.getBean(MeterRegistry.class);
    assertThat(meters.get("coalesce.gets").tag("cache", "items").counters())
        .as("coalesce.gets of cache items").isNotEmpty();
    double gets = meters.get("coalesce.gets").tag("cache", "items").counters().stream()
        .mapToDouble(c -> c.count()).sum();
    assertThat(gets).isGreaterThanOrEqualTo(2);
  }

  @Test
  void theCachesOfSpringCacheNamesAndOfTheAnnotationsExistFromStartUp() {
    start(1, CatalogApp.class, "spring.cache.cache-names=extra");

    CoalescingCacheManager caches = contexts.get(0).getBean(CoalescingCacheManager.class);
    assertThat(caches.getCacheNames()).contains("extra", "items", "items-plain", "items-async", "items-mono",
        "labels", "first", "second", "configured");
    assertThat(contexts.get(0).getBean(CacheManager.class)).isInstanceOf(CoalesceSpringCacheManager.class);
  }

  @Test
  void bootCacheManagerCustomizersAreApplied() throws Exception {
    List<Object> customized = new CopyOnWriteArrayList<>();
    // Boot 4 moved the customizer type; the one of the line under test is implemented here
    Class<?> customizerType = Class.forName(Boot.version().startsWith("3.")
        ? "org.springframework.boot.autoconfigure.cache.CacheManagerCustomizer"
        : "org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer");
    Object customizer = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {customizerType},
        (proxy, method, args) -> switch (method.getName()) {
          case "customize" -> customized.add(args[0]);
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "recording customizer";
          default -> null;
        });
    ConfigurableApplicationContext context = new SpringApplicationBuilder(CatalogApp.class)
        .web(WebApplicationType.NONE)
        .initializers(c -> {
          c.getBeanFactory().registerSingleton("rows", rows);
          c.getBeanFactory().registerSingleton("recordingCustomizer", customizer);
        })
        .properties("spring.data.redis.port=" + redis.server().port(), "coalesce.spring-cache.enabled=true",
            "coalesce.key-prefix=springcache-customized")
        .run();
    contexts.add(context);

    assertThat(customized).containsExactly(context.getBean(CacheManager.class));
  }

  @Test
  void twoMethodsStoringValuesOfDifferentTypesInOneCacheFailStartUp() {
    assertThatThrownBy(() -> start(1, TwoTypesApp.class))
        .isInstanceOf(InvalidCacheDeclarationException.class)
        .hasMessageContaining("Spring cache 'items' holds values of")
        .hasMessageContaining(Item.class.getName())
        .hasMessageContaining("java.lang.String")
        .hasMessageContaining("TwoTypes.name");
  }

  @Test
  void withoutThePropertyBootsOwnCacheManagerIsUsed() {
    start(1, CatalogApp.class, "coalesce.spring-cache.enabled=false", "spring.cache.type=simple");

    assertThat(contexts.get(0).getBean(CacheManager.class)).isNotInstanceOf(CoalesceSpringCacheManager.class);
  }

  /** The same code on what Boot creates without Coalesce's bridge (spring.cache.type picks which). */
  @SpringBootConfiguration
  @EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4,
      Boot.HIBERNATE_3, "io.coalesce.autoconfigure.CoalesceAutoConfiguration"})
  @EnableCaching
  static class PlainSpringApp {

    @Bean
    Catalog catalog(Catalog.Rows rows) {
      return new Catalog(rows);
    }
  }

  /** A misdeclaration: one cache, two value types. */
  @SpringBootConfiguration
  @EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3})
  @EnableCaching
  static class TwoTypesApp {

    @Bean
    Catalog catalog(Catalog.Rows rows) {
      return new Catalog(rows);
    }

    @Bean
    TwoTypes twoTypes() {
      return new TwoTypes();
    }
  }

  public static class TwoTypes {

    @Cacheable(cacheNames = "items", key = "#id")
    public String name(long id) {
      return "name " + id;
    }
  }
}
