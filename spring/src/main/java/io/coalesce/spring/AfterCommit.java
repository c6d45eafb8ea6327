package io.coalesce.spring;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;

/**
 * Runs the cache writes of {@code @CoalescedPut} and {@code @CoalescedEvict} after the surrounding
 * transaction commits, and not at all when it rolls back; at once when there is none. Done before
 * the commit, a put would cache a value the database may never hold, and an evict would let a
 * concurrent reader cache the old row again before the new one is visible.
 */
final class AfterCommit {

  private static final boolean SPRING_TX = ClassUtils.isPresent(
      "org.springframework.transaction.support.TransactionSynchronizationManager", AfterCommit.class.getClassLoader());

  private AfterCommit() {}

  static void run(Runnable write) {
    if (SPRING_TX && Synchronizations.active()) {
      Synchronizations.afterCommit(write);
    } else {
      write.run();
    }
  }

  /** Apart, so that spring-tx is loaded only when present. */
  private static final class Synchronizations {

    static boolean active() {
      return TransactionSynchronizationManager.isSynchronizationActive();
    }

    static void afterCommit(Runnable write) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          write.run();
        }
      });
    }
  }
}
