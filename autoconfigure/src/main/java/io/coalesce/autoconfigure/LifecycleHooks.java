package io.coalesce.autoconfigure;

import org.springframework.context.SmartLifecycle;

/**
 * A {@link SmartLifecycle} in the default phase, the last to start and the first to stop: before
 * the Redis connection factory stops, so that background work using it ends first.
 */
final class LifecycleHooks implements SmartLifecycle {

  private final Runnable onStart;
  private final Runnable onStop;
  private volatile boolean running;

  private LifecycleHooks(Runnable onStart, Runnable onStop) {
    this.onStart = onStart;
    this.onStop = onStop;
  }

  static SmartLifecycle of(Runnable onStart, Runnable onStop) {
    return new LifecycleHooks(onStart, onStop);
  }

  @Override
  public void start() {
    onStart.run();
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    onStop.run();
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
