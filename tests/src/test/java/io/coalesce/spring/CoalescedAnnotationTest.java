package io.coalesce.spring;

import io.coalesce.it.Boot;
import io.coalesce.autoconfigure.CoalesceAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.spring.Catalog.Item;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.util.AopTestUtils;

class CoalescedAnnotationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(Boot.coalesce())
      .withUserConfiguration(CatalogConfig.class);

  private void withCatalog(Consumer<Fixture> test) {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      Catalog catalog = context.getBean(Catalog.class);
      test.accept(new Fixture(catalog, AopTestUtils.getUltimateTargetObject(catalog),
          context.getBean(CoalescingCacheManager.class)));
    });
  }

  record Fixture(Catalog catalog, CatalogImpl target, CoalescingCacheManager caches) {}

  @Test
  void anAnnotatedInterfaceMethodIsCachedOnItsImplementation() {
    withCatalog(f -> {
      assertThat(AopUtils.isAopProxy(f.catalog())).isTrue();
      f.target().store.put("1", new Item("1", "one"));
      Item first = f.catalog().find("1");
      Item second = f.catalog().find("1");
      assertThat(second).isSameAs(first).isEqualTo(new Item("1", "one"));
      assertThat(f.target().calls.get()).isEqualTo(1);
    });
  }

  @Test
  void optionalResultsAreUnwrappedAndEmptyIsCachedAsNotFound() {
    withCatalog(f -> {
      f.target().store.put("1", new Item("1", "one"));
      assertThat(f.catalog().findOptional("1")).contains(new Item("1", "one"));
      assertThat(f.catalog().findOptional("1")).contains(new Item("1", "one"));
      assertThat(f.catalog().findOptional("missing")).isEmpty();
      assertThat(f.catalog().findOptional("missing")).isEmpty();
      assertThat(f.target().calls.get()).isEqualTo(2);
      assertThat(f.caches().getCache("items-opt").localSize()).isEqualTo(2);
    });
  }

  @Test
  void completableFutureResultsAreCachedWhenTheyComplete() {
    withCatalog(f -> {
      f.target().store.put("1", new Item("1", "one"));
      CompletableFuture<Item> first = f.catalog().findAsync("1");
      assertThat(first.join()).isEqualTo(new Item("1", "one"));
      assertThat(f.catalog().findAsync("1").join()).isEqualTo(new Item("1", "one"));
      assertThat(f.target().calls.get()).isEqualTo(1);
    });
  }

  @Test
  void severalArgumentsFormACompositeKey() {
    withCatalog(f -> {
      f.catalog().page("books", 1);
      f.catalog().page("books", 1);
      f.catalog().page("books", 2);
      f.catalog().page("music", 1);
      assertThat(f.target().calls.get()).isEqualTo(3);
    });
  }

  @Test
  void aMethodWithoutArgumentsHasOneKey() {
    withCatalog(f -> {
      f.catalog().all();
      f.catalog().all();
      assertThat(f.target().calls.get()).isEqualTo(1);
    });
  }

  @Test
  void aSpelKeyDecidesWhichCallsShareAnEntry() {
    withCatalog(f -> {
      f.target().store.put("eu:7", new Item("eu:7", "stored"));
      Item regional = f.catalog().findInRegion("eu", "7");
      // Same cache, key "eu:7": find("eu:7") is answered by the entry findInRegion stored.
      assertThat(f.catalog().find("eu:7")).isSameAs(regional);
      assertThat(f.target().calls.get()).isEqualTo(1);
    });
  }

  @Test
  void evictAfterAnUpdateMakesTheNextReadLoadTheNewValue() {
    withCatalog(f -> {
      f.target().store.put("1", new Item("1", "old"));
      assertThat(f.catalog().find("1").name()).isEqualTo("old");
      f.catalog().update(new Item("1", "new"));
      assertThat(f.catalog().find("1").name()).isEqualTo("new");
      assertThat(f.target().calls.get()).isEqualTo(3);
    });
  }

  @Test
  void evictWithAllEntriesClearsTheWholeCache() {
    withCatalog(f -> {
      f.target().store.put("1", new Item("1", "one"));
      f.target().store.put("2", new Item("2", "two"));
      f.catalog().find("1");
      f.catalog().find("2");
      f.catalog().find("1");
      assertThat(f.target().calls.get()).isEqualTo(2);

      f.catalog().reload();

      f.catalog().find("1");
      f.catalog().find("2");
      assertThat(f.target().calls.get()).isEqualTo(4);
    });
  }

  @Test
  void anEvictWithBothKeyAndAllEntriesFailsStartUp() {
    new ApplicationContextRunner()
        .withConfiguration(Boot.coalesce())
        .withBean(Misdeclared.KeyAndAllEntries.class)
        .run(context -> assertStartupFailure(context, "KeyAndAllEntries.update(String)",
            "both key and allEntries"));
  }

  @Test
  void putStoresTheReturnedValueUnderTheResultKey() {
    withCatalog(f -> {
      Item saved = f.catalog().save(new Item("9", "saved"));
      assertThat(f.catalog().find("9")).isSameAs(saved);
      assertThat(f.target().calls.get()).isEqualTo(1); // only save ran
    });
  }

  @Test
  void aCheckedExceptionReachesTheCallerUnchangedAndNothingIsCached() {
    withCatalog(f -> {
      assertThatThrownBy(() -> f.catalog().failing("x"))
          .isInstanceOf(IOException.class).hasMessage("disk on fire: x");
      assertThatThrownBy(() -> f.catalog().failing("x")).isInstanceOf(IOException.class);
      assertThat(f.target().calls.get()).isEqualTo(2);
    });
  }

  @Test
  void concurrentCallersOfAnAnnotatedMethodShareOneCall() throws Exception {
    int threads = 64;
    withCatalog(f -> {
      f.target().store.put("hot", new Item("hot", "value"));
      CountDownLatch joined = new CountDownLatch(1);
      // The leader's call waits until every other caller is waiting on its flight.
      f.target().duringLoad = () -> awaitQuietly(joined);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Item>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          results.add(pool.submit(() -> {
            start.await();
            return f.catalog().find("hot");
          }));
        }
        start.countDown();
        waitUntil(() -> f.caches().getCache("items").inFlight() == 1 && f.target().calls.get() == 1);
        joined.countDown();
        Item first = results.get(0).get(10, TimeUnit.SECONDS);
        for (Future<Item> r : results) {
          assertThat(r.get(10, TimeUnit.SECONDS)).isSameAs(first);
        }
        assertThat(f.target().calls.get()).isEqualTo(1);
      } catch (Exception e) {
        throw new AssertionError(e);
      } finally {
        pool.shutdownNow();
      }
    });
  }

  @Test
  void strictCacheNamesAcceptsDeclaredCaches() {
    runner.withPropertyValues("coalesce.strict-cache-names=true", "coalesce.caches.items.ttl=1m",
            "coalesce.caches.items-opt.ttl=1m", "coalesce.caches.items-async.ttl=1m",
            "coalesce.caches.pages.ttl=1m", "coalesce.caches.all.ttl=1m")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void strictCacheNamesFailsStartUpForAnUndeclaredCacheNamingTheMethod() {
    runner.withPropertyValues("coalesce.strict-cache-names=true", "coalesce.caches.items.ttl=1m",
            "coalesce.caches.items-async.ttl=1m", "coalesce.caches.pages.ttl=1m", "coalesce.caches.all.ttl=1m")
        .run(context -> assertStartupFailure(context, ".findOptional(String)", "'items-opt'",
            "coalesce.strict-cache-names"));
  }

  @Test
  void aVoidCachedMethodFailsStartUpNamingTheMethod() {
    new ApplicationContextRunner()
        .withConfiguration(Boot.coalesce())
        .withBean(Misdeclared.VoidRead.class)
        .run(context -> assertStartupFailure(context, "VoidRead.refresh(String)", "returns void"));
  }

  @Test
  void aKeyExpressionThatDoesNotParseFailsStartUpNamingTheMethod() {
    new ApplicationContextRunner()
        .withConfiguration(Boot.coalesce())
        .withBean(Misdeclared.BadKey.class)
        .run(context -> assertStartupFailure(context, "BadKey.find(String)", "does not parse", "#id +"));
  }

  @Test
  void aKeyExpressionNamingAnUnknownParameterFailsStartUp() {
    new ApplicationContextRunner()
        .withConfiguration(Boot.coalesce())
        .withBean(Misdeclared.UnknownVariable.class)
        .run(context -> assertStartupFailure(context, "UnknownVariable.find(String)", "#productId", "#id"));
  }

  @Test
  void anEmptyCacheNameFailsStartUpNamingTheMethod() {
    new ApplicationContextRunner()
        .withConfiguration(Boot.coalesce())
        .withBean(Misdeclared.EmptyName.class)
        .run(context -> assertStartupFailure(context, "EmptyName.find(String)", "empty cache name"));
  }

  @Test
  void aPrimitiveReturningMethodOnACacheWithABloomGuardFailsStartUpNamingTheMethod() {
    // a key the filter rejects is answered with null, which a long cannot be
    new ApplicationContextRunner()
        .withConfiguration(Boot.coalesce())
        .withPropertyValues("coalesce.caches.counts.bloom.enabled=true")
        .withBean(Misdeclared.PrimitiveCount.class)
        .run(context -> assertStartupFailure(context, "PrimitiveCount.count(String)", "primitive long",
            "bloom.enabled", "Optional<Long>"));
    new ApplicationContextRunner()
        .withConfiguration(Boot.coalesce())
        .withBean(Misdeclared.PrimitiveCount.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(Misdeclared.PrimitiveCount.class).count("abc")).isEqualTo(3);
        });
  }

  @Test
  void readAndWriteAnnotationsOnOneMethodFailStartUp() {
    new ApplicationContextRunner()
        .withConfiguration(Boot.coalesce())
        .withBean(Misdeclared.ReadAndEvict.class)
        .run(context -> assertStartupFailure(context, "ReadAndEvict.find(String)", "Split it"));
  }

  @Test
  void batchMisdeclarationsFailStartUpNamingTheMethodAndTheFix() {
    String[][] cases = {
        {"TwoArguments", "TwoArguments.find(List, String)", "only argument"},
        {"NotIds", "NotIds.find(String)", "only argument"},
        {"NoElementId", "NoElementId.find(List)", "no elementId", "elementId = \"id\""},
        {"ElementIdWithoutBatch", "ElementIdWithoutBatch.find(String)", "without batch = true"},
        {"BatchWithKey", "BatchWithKey.find(List)", "Remove the key"},
        {"BatchOptional", "BatchOptional.find(List)", "returns java.util.Optional"},
        {"RawList", "RawList.find(List)", "does not say the type of its values"},
        {"BadElementId", "BadElementId.find(List)", "elementId that does not parse"},
        {"BatchMonoOfValue", "BatchMonoOfValue.find(List)", "returns reactor.core.publisher.Mono<java.lang.String>",
            "Mono<List<V>>"},
        {"BatchFluxNoElementId", "BatchFluxNoElementId.find(List)", "no elementId"},
    };
    for (String[] c : cases) {
      Class<?> bean;
      try {
        bean = Class.forName(Misdeclared.class.getName() + "$" + c[0]);
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
      new ApplicationContextRunner()
          .withConfiguration(Boot.coalesce())
          .withBean(bean)
          .run(context -> assertStartupFailure(context, java.util.Arrays.copyOfRange(c, 1, c.length)));
    }
  }

  /** Without Redis: an array and a Set as the ids, a Set as the result; each id cached once. */
  @Test
  void batchMethodsTakeArraysAndSetsAndShareEntriesWithTheSingleIdMethod() {
    new ApplicationContextRunner()
        .withConfiguration(Boot.coalesce())
        .withBean(Skus.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          Skus skus = context.getBean(Skus.class);
          assertThat(skus.byIds(new long[] {3, 1, 3, 2})).containsExactly("sku-3", "sku-1", "sku-2");
          assertThat(skus.queried()).containsExactly(List.of(3L, 1L, 2L));
          assertThat(skus.bySet(java.util.Set.of(1L, 2L, 4L))).containsExactlyInAnyOrder("sku-1", "sku-2", "sku-4");
          assertThat(skus.queried()).hasSize(2);
          assertThat(skus.queried().get(1)).containsExactly(4L);
          assertThat(skus.one(4L)).isEqualTo("sku-4");
          assertThat(skus.one(5L)).isEqualTo("sku-5");
          assertThat(skus.queried()).hasSize(3);
          assertThat(skus.byIds(new long[] {5, 4})).containsExactly("sku-5", "sku-4");
          assertThat(skus.queried()).hasSize(3);
        });
  }

  public static class Skus {
    final List<List<Long>> queried = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A method, not the field: the bean seen by the test is a class proxy. */
    public List<List<Long>> queried() {
      return queried;
    }

    @io.coalesce.annotation.Coalesced(cache = "skus", batch = true, elementId = "substring(4)")
    public List<String> byIds(long[] ids) {
      queried.add(java.util.Arrays.stream(ids).boxed().toList());
      return java.util.Arrays.stream(ids).mapToObj(id -> "sku-" + id).toList();
    }

    @io.coalesce.annotation.Coalesced(cache = "skus", batch = true, elementId = "T(Long).valueOf(substring(4))")
    public java.util.Set<String> bySet(java.util.Set<Long> ids) {
      queried.add(List.copyOf(ids));
      return ids.stream().map(id -> "sku-" + id).collect(java.util.stream.Collectors.toSet());
    }

    @io.coalesce.annotation.Coalesced(cache = "skus")
    public String one(Long id) {
      queried.add(List.of(id));
      return "sku-" + id;
    }
  }

  private static void assertStartupFailure(AssertableApplicationContext context, String... fragments) {
    assertThat(context).hasFailed();
    StringBuilder all = new StringBuilder();
    for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    for (String fragment : fragments) {
      assertThat(all.toString()).contains(fragment);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(1);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class CatalogConfig {
    @Bean
    CatalogImpl catalog() {
      return new CatalogImpl();
    }
  }

  static class Misdeclared {
    public static class VoidRead {
      @io.coalesce.annotation.Coalesced(cache = "x")
      public void refresh(String id) {}
    }

    public static class BadKey {
      @io.coalesce.annotation.Coalesced(cache = "x", key = "#id +")
      public String find(String id) {
        return id;
      }
    }

    public static class UnknownVariable {
      @io.coalesce.annotation.Coalesced(cache = "x", key = "#productId")
      public String find(String id) {
        return id;
      }
    }

    public static class EmptyName {
      @io.coalesce.annotation.Coalesced(cache = "")
      public String find(String id) {
        return id;
      }
    }

    public static class KeyAndAllEntries {
      @io.coalesce.annotation.CoalescedEvict(cache = "x", key = "#id", allEntries = true)
      public void update(String id) {}
    }

    public static class PrimitiveCount {
      @io.coalesce.annotation.Coalesced(cache = "counts")
      public long count(String id) {
        return id.length();
      }
    }

    public static class TwoArguments {
      @io.coalesce.annotation.Coalesced(cache = "x", batch = true, elementId = "id")
      public List<String> find(List<Long> ids, String tenant) {
        return List.of();
      }
    }

    public static class NotIds {
      @io.coalesce.annotation.Coalesced(cache = "x", batch = true, elementId = "id")
      public List<String> find(String ids) {
        return List.of();
      }
    }

    public static class NoElementId {
      @io.coalesce.annotation.Coalesced(cache = "x", batch = true)
      public List<String> find(List<Long> ids) {
        return List.of();
      }
    }

    public static class ElementIdWithoutBatch {
      @io.coalesce.annotation.Coalesced(cache = "x", elementId = "id")
      public String find(String id) {
        return id;
      }
    }

    public static class BatchWithKey {
      @io.coalesce.annotation.Coalesced(cache = "x", key = "#ids", batch = true, elementId = "id")
      public List<String> find(List<Long> ids) {
        return List.of();
      }
    }

    public static class BatchOptional {
      @io.coalesce.annotation.Coalesced(cache = "x", batch = true, elementId = "id")
      public Optional<List<String>> find(List<Long> ids) {
        return Optional.empty();
      }
    }

    @SuppressWarnings("rawtypes")
    public static class RawList {
      @io.coalesce.annotation.Coalesced(cache = "x", batch = true, elementId = "id")
      public List find(List<Long> ids) {
        return List.of();
      }
    }

    public static class BadElementId {
      @io.coalesce.annotation.Coalesced(cache = "x", batch = true, elementId = "id +")
      public List<String> find(List<Long> ids) {
        return List.of();
      }
    }

    public static class BatchMonoOfValue {
      @io.coalesce.annotation.Coalesced(cache = "x", batch = true, elementId = "id")
      public reactor.core.publisher.Mono<String> find(List<Long> ids) {
        return reactor.core.publisher.Mono.empty();
      }
    }

    public static class BatchFluxNoElementId {
      @io.coalesce.annotation.Coalesced(cache = "x", batch = true)
      public reactor.core.publisher.Flux<String> find(List<Long> ids) {
        return reactor.core.publisher.Flux.empty();
      }
    }

    public static class ReadAndEvict {
      @io.coalesce.annotation.Coalesced(cache = "x")
      @io.coalesce.annotation.CoalescedEvict(cache = "x")
      public Optional<String> find(String id) {
        return Optional.of(id);
      }
    }
  }
}
