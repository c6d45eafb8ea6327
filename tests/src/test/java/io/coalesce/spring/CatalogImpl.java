package io.coalesce.spring;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts its real calls, so tests can tell a cached call from a real one. */
public class CatalogImpl implements Catalog {

  final AtomicInteger calls = new AtomicInteger();
  final Map<String, Item> store = new ConcurrentHashMap<>();
  volatile Runnable duringLoad = () -> {};

  @Override
  public Item find(String id) {
    calls.incrementAndGet();
    duringLoad.run();
    return store.get(id);
  }

  @Override
  public Optional<Item> findOptional(String id) {
    calls.incrementAndGet();
    return Optional.ofNullable(store.get(id));
  }

  @Override
  public CompletableFuture<Item> findAsync(String id) {
    calls.incrementAndGet();
    return CompletableFuture.supplyAsync(() -> {
      duringLoad.run();
      return store.get(id);
    });
  }

  @Override
  public List<Item> page(String category, int page) {
    calls.incrementAndGet();
    return List.of(new Item(category + page, "page"));
  }

  @Override
  public List<Item> all() {
    calls.incrementAndGet();
    return List.copyOf(store.values());
  }

  @Override
  public Item findInRegion(String region, String id) {
    calls.incrementAndGet();
    return new Item(region + ":" + id, "regional");
  }

  @Override
  public void reload() {}

  @Override
  public void update(Item item) {
    calls.incrementAndGet();
    store.put(item.id(), item);
  }

  @Override
  public Item save(Item item) {
    calls.incrementAndGet();
    store.put(item.id(), item);
    return item;
  }

  @Override
  public Item failing(String id) throws IOException {
    calls.incrementAndGet();
    throw new IOException("disk on fire: " + id);
  }
}
