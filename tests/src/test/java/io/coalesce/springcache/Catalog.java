package io.coalesce.springcache;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A repository as a Spring user writes it: Spring's cache annotations only, no Coalesce import. Its
 * "database" is shared by every instance of a test and counts the queries that reach it.
 */
public class Catalog {

  /** Serializable, so that Spring's RedisCacheManager (JDK serialization by default) can hold it too. */
  public record Item(long id, String name) implements Serializable {}

  /** The rows, shared by every instance of a test. */
  public static final class Rows {
    final Map<Long, String> names = new ConcurrentHashMap<>();
    final AtomicInteger queries = new AtomicInteger();
    volatile long latencyMillis;
    volatile Runnable afterRead;

    public void put(long id, String name) {
      names.put(id, name);
    }

    public int queries() {
      return queries.get();
    }

    public void latency(long millis) {
      latencyMillis = millis;
    }

    /** Runs {@code hook} in every query, after the row is read and before it is returned; null: none. */
    public void afterRead(Runnable hook) {
      afterRead = hook;
    }

    Item find(long id) {
      queries.incrementAndGet();
      if (latencyMillis > 0) {
        try {
          Thread.sleep(latencyMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      String name = names.get(id);
      Runnable hook = afterRead;
      if (hook != null) {
        hook.run();
      }
      return name == null ? null : new Item(id, name);
    }
  }

  private final Rows rows;

  public Catalog(Rows rows) {
    this.rows = rows;
  }

  @Cacheable(cacheNames = "items", key = "#id", sync = true)
  public Item find(long id) {
    return rows.find(id);
  }

  @Cacheable(cacheNames = "items-plain", key = "#id")
  public Item findWithoutSync(long id) {
    return rows.find(id);
  }

  /** The same cache as {@link #findWithoutSync}; "not found" is not cached. */
  @Cacheable(cacheNames = "items-plain", key = "#id", unless = "#result == null")
  public Item findWithoutSyncUnlessAbsent(long id) {
    return rows.find(id);
  }

  @CacheEvict(cacheNames = "items-plain", key = "#id")
  public void renamePlain(long id, String name) {
    rows.put(id, name);
  }

  @CachePut(cacheNames = "items-plain", key = "#id")
  public Item savePlain(long id, String name) {
    rows.put(id, name);
    return new Item(id, name);
  }

  @Cacheable(cacheNames = "items-async", key = "#id", sync = true)
  public CompletableFuture<Item> findAsync(long id) {
    return CompletableFuture.supplyAsync(() -> rows.find(id));
  }

  @Cacheable(cacheNames = "items-async-plain", key = "#id")
  public CompletableFuture<Item> findAsyncWithoutSync(long id) {
    return CompletableFuture.supplyAsync(() -> rows.find(id));
  }

  /** The query on boundedElastic, as a reactive driver would not block its caller. */
  @Cacheable(cacheNames = "items-mono", key = "#id", sync = true)
  public Mono<Item> findMono(long id) {
    return Mono.fromSupplier(() -> rows.find(id)).subscribeOn(Schedulers.boundedElastic());
  }

  @Cacheable(cacheNames = "items-mono-plain", key = "#id")
  public Mono<Item> findMonoWithoutSync(long id) {
    return Mono.fromSupplier(() -> rows.find(id)).subscribeOn(Schedulers.boundedElastic())
        .publishOn(Schedulers.parallel()); // the value arrives on a non-blocking thread, as from an event loop
  }

  /** Spring caches a Flux as the list of its elements. */
  @Cacheable(cacheNames = "items-flux", key = "#ids", sync = true)
  public Flux<Item> findAllFlux(List<Long> ids) {
    return Flux.fromIterable(ids).map(rows::find).subscribeOn(Schedulers.boundedElastic());
  }

  @Cacheable(cacheNames = "items-flux-plain", key = "#ids")
  public Flux<Item> findAllFluxWithoutSync(List<Long> ids) {
    return Flux.fromIterable(ids).map(rows::find).subscribeOn(Schedulers.boundedElastic())
        .publishOn(Schedulers.parallel()); // the elements arrive on a non-blocking thread, as from an event loop
  }

  @CacheEvict(cacheNames = "items-mono-plain", key = "#id")
  public Mono<Void> renameMono(long id, String name) {
    return Mono.<Void>fromRunnable(() -> rows.put(id, name)).subscribeOn(Schedulers.boundedElastic())
        .publishOn(Schedulers.parallel());
  }

  /** Two arguments: Spring's key is a SimpleKey of both. */
  @Cacheable(cacheNames = "labels", sync = true)
  public String label(String first, String second) {
    rows.queries.incrementAndGet();
    return first + "|" + second;
  }

  @CacheEvict(cacheNames = "items", key = "#id")
  public void rename(long id, String name) {
    rows.put(id, name);
  }

  @CachePut(cacheNames = "items", key = "#id")
  public Item save(long id, String name) {
    rows.put(id, name);
    return new Item(id, name);
  }

  /** Spring's attributes, which the bridge leaves to Spring: two caches, and no caching of "not found". */
  @Cacheable(cacheNames = {"first", "second"}, key = "#id", unless = "#result == null")
  public Item findInTwoCaches(long id) {
    return rows.find(id);
  }

  @Cacheable(cacheNames = "conditional", key = "#id", condition = "#id > 0")
  public Item findIfPositive(long id) {
    return rows.find(id);
  }

  /** Evicts before running, so that the evict holds even though the method fails. */
  @CacheEvict(cacheNames = "items", key = "#id", beforeInvocation = true)
  public void renameFailing(long id) {
    throw new IllegalStateException("the database refused");
  }

  @CacheEvict(cacheNames = "items", allEntries = true)
  public void renameAll(String suffix) {
    rows.names.replaceAll((id, name) -> name + suffix);
  }
}
