package io.coalesce.core;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/** For tests: delayed work a cache scheduled, run now instead of waiting for its delay. */
final class ScheduledTasks {

  private ScheduledTasks() {}

  /** Runs what {@code scheduler} holds now, as if its delays had passed. */
  static void runNow(ScheduledThreadPoolExecutor scheduler) {
    for (Runnable task : scheduler.getQueue().toArray(new Runnable[0])) {
      scheduler.remove(task);
      task.run();
    }
  }
}
