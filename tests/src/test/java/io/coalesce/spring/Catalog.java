package io.coalesce.spring;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.annotation.CoalescedPut;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** An interface carrying the annotations, implemented by a class that has none. */
public interface Catalog {

  record Item(String id, String name) {}

  @Coalesced(cache = "items", key = "#id")
  Item find(String id);

  @Coalesced(cache = "items-opt")
  Optional<Item> findOptional(String id);

  @Coalesced(cache = "items-async", key = "#id")
  CompletableFuture<Item> findAsync(String id);

  @Coalesced(cache = "pages")
  List<Item> page(String category, int page);

  @Coalesced(cache = "all")
  List<Item> all();

  @Coalesced(cache = "items", key = "#p0 + ':' + #p1")
  Item findInRegion(String region, String id);

  @CoalescedEvict(cache = "items", key = "#item.id")
  void update(Item item);

  @CoalescedPut(cache = "items", key = "#result.id")
  Item save(Item item);

  @CoalescedEvict(cache = "items", allEntries = true)
  void reload();

  @Coalesced(cache = "items", key = "#id")
  Item failing(String id) throws java.io.IOException;
}
