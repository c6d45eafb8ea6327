package io.coalesce.core;

/**
 * Answers, before a load, whether a key may exist at all: the guard against penetration by ids that
 * do not exist. The engine asks it on an L1 miss; a key it rejects is answered as "not found"
 * without touching L2 or the loader. It learns every key that loads or is put with a value.
 *
 * <p>Implementations must fail open: when unsure (not seeded yet, store unreachable, any error)
 * {@link #mightContain} returns {@code true}. Keys are given in their {@link KeyFormat string form}.
 */
public interface PenetrationGuard {

  /** Lets every key through. */
  PenetrationGuard NONE = new PenetrationGuard() {
    @Override
    public boolean mightContain(String key) {
      return true;
    }

    @Override
    public void add(String key) {}
  };

  /** {@code false} only when {@code key} certainly does not exist. */
  boolean mightContain(String key);

  /** Records that {@code key} exists. */
  void add(String key);

  /**
   * Makes again, now, the additions that failed (kept for a later retry): the engine calls it after a
   * put whose shared-tier write went through, so that the key is in the filter before the put returns
   * and no instance answers "not found" for it. The default does nothing.
   */
  default void retryFailedAdditions() {}
}
