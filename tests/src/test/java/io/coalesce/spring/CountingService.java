package io.coalesce.spring;

import io.coalesce.annotation.Coalesced;
import java.util.concurrent.atomic.AtomicInteger;

/** A bean whose cached method counts its real calls. */
public class CountingService {

  private final AtomicInteger calls = new AtomicInteger();

  @Coalesced(cache = "things")
  public String find(String id) {
    calls.incrementAndGet();
    return "thing-" + id;
  }

  public int calls() {
    return calls.get();
  }
}
