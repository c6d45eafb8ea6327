package io.coalesce.core;

/**
 * Receives what one cache does, for metrics. The engine calls it on the caller's thread at the
 * decision points of the read path; implementations must be fast and thread-safe. Every method has a
 * no-op default, and an implementation that throws is logged and never fails a read.
 *
 * <p>Counting semantics, for concurrent callers of one absent key: each caller records one
 * {@link GetResult#MISS}; the load is recorded once ({@link #onLoad}) whatever its outcome; each
 * caller that waited for another caller's load also records one {@link #onCoalesced()}.
 */
public interface CacheListener {

  /** A listener that records nothing. */
  CacheListener NONE = new CacheListener() {};

  /** Where a read was answered from. */
  enum GetResult {
    L1_HIT, L2_HIT, STALE, MISS, BLOOM_REJECTED
  }

  /** How a load ended. */
  enum LoadOutcome {
    SUCCESS, NULL, FAILURE, TIMEOUT
  }

  /** What a leader got from the cluster-wide rebuild lock. */
  enum LockResult {
    /** This instance holds the lock and loads. */
    ACQUIRED,
    /** Another instance holds the lock. */
    CONTENDED,
    /** Another instance's value arrived while waiting. */
    WAITED,
    /** Nothing arrived within {@code lock.wait}; this instance loads (or fails) on its own. */
    GAVE_UP
  }

  /** Why a background refresh started. */
  enum RefreshTrigger {
    STALE, EARLY
  }

  /** One read finished with {@code result}. */
  default void onGet(GetResult result) {}

  /** One load (the loader call shared by all callers of a key) ended after {@code nanos}. */
  default void onLoad(LoadOutcome outcome, long nanos) {}

  /** A caller shared another caller's load instead of loading. */
  default void onCoalesced() {}

  /** A leader dealt with the cluster-wide rebuild lock. */
  default void onLock(LockResult result) {}

  /** A background refresh started. */
  default void onRefresh(RefreshTrigger trigger) {}

  /** The loader failed and a stale value was served instead of the exception. */
  default void onStaleServedOnError() {}

  /**
   * A sampled L1 copy was found older than the shared tier's version of its key, and still held a
   * while later ({@code drift-sample-rate}): a consistency failure to alert on.
   */
  default void onDrift() {}
}
