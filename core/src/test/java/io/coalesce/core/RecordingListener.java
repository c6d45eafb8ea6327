package io.coalesce.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts every event the engine reports. */
class RecordingListener implements CacheListener {

  private final Map<Object, AtomicInteger> counts = new ConcurrentHashMap<>();

  int count(Object event) {
    AtomicInteger n = counts.get(event);
    return n == null ? 0 : n.get();
  }

  private void record(Object event) {
    counts.computeIfAbsent(event, e -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void onGet(GetResult result) {
    record(result);
  }

  @Override
  public void onLoad(LoadOutcome outcome, long nanos) {
    record(outcome);
  }

  @Override
  public void onCoalesced() {
    record("coalesced");
  }

  @Override
  public void onLock(LockResult result) {
    record(result);
  }

  @Override
  public void onRefresh(RefreshTrigger trigger) {
    record(trigger);
  }

  @Override
  public void onStaleServedOnError() {
    record("staleServedOnError");
  }

  @Override
  public void onDrift() {
    record("drift");
  }
}
