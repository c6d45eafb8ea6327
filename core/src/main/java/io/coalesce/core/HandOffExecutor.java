package io.coalesce.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of threads fed through a bounded queue whose hand-off never waits: {@link #execute}
 * is a compare-and-set on a counter, a lock-free enqueue and, when a worker is idle, an
 * {@code unpark}. So a reactive subscriber's thread (an event loop) that hands Coalesce a load, a
 * refresh or a write-back takes no lock and never parks, however busy the pool is; a full queue
 * rejects the task at once ({@link RejectedExecutionException}) instead of making the caller wait.
 * ({@code ThreadPoolExecutor}'s queues take a lock to enqueue, and it may start a thread under its
 * main lock: both on the caller's thread.)
 *
 * <p>Workers park when the queue is empty and are unparked by the next task; a worker registers as
 * idle before it looks at the queue a last time, so a task enqueued meanwhile is never left without
 * one. {@link #shutdown()} takes no more tasks and lets the workers run the ones queued before it
 * (cache writes must not be lost), then end. Thread-safe.
 */
public final class HandOffExecutor extends AbstractExecutorService {

  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Queue<Thread> idle = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final int capacity;
  private final List<Thread> workers;
  private volatile boolean shutdown;

  /**
   * @param threads how many worker threads run the tasks (started at once, daemon)
   * @param capacity how many tasks may wait for a thread; more are rejected
   * @param namePrefix the workers' names, followed by their number
   */
  public HandOffExecutor(int threads, int capacity, String namePrefix) {
    if (threads < 1 || capacity < 1) {
      throw new IllegalArgumentException("A hand-off executor needs at least one thread and a capacity of one, not "
          + threads + " and " + capacity);
    }
    this.capacity = capacity;
    List<Thread> started = new ArrayList<>(threads);
    for (int i = 1; i <= threads; i++) {
      Thread worker = new Thread(this::work, namePrefix + i);
      worker.setDaemon(true);
      started.add(worker);
    }
    this.workers = List.copyOf(started);
    workers.forEach(Thread::start);
  }

  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      throw new RejectedExecutionException("The executor is shut down");
    }
    if (queued.incrementAndGet() > capacity) {
      queued.decrementAndGet();
      throw new RejectedExecutionException("All " + workers.size() + " threads are busy and " + capacity
          + " tasks wait for one");
    }
    tasks.offer(task);
    Thread sleeper = idle.poll();
    if (sleeper != null) {
      LockSupport.unpark(sleeper);
    }
  }

  private void work() {
    Thread me = Thread.currentThread();
    while (true) {
      Runnable task = tasks.poll();
      if (task != null) {
        queued.decrementAndGet();
        run(task);
        continue;
      }
      if (shutdown) {
        return; // and the queue is empty: what was taken before the shutdown has run
      }
      idle.offer(me);
      if (tasks.isEmpty() && !shutdown) {
        LockSupport.park(this);
      }
      idle.remove(me); // woken, or a task came before it parked
    }
  }

  private static void run(Runnable task) {
    try {
      task.run();
    } catch (Throwable t) {
      Thread me = Thread.currentThread();
      me.getUncaughtExceptionHandler().uncaughtException(me, t);
    }
  }

  /** Tasks waiting for a thread now. */
  public int queued() {
    return Math.max(0, queued.get());
  }

  @Override
  public void shutdown() {
    shutdown = true;
    workers.forEach(LockSupport::unpark);
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown();
    List<Runnable> left = new ArrayList<>();
    for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
      left.add(task);
    }
    workers.forEach(Thread::interrupt);
    return left;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown && workers.stream().noneMatch(Thread::isAlive);
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    for (Thread worker : workers) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return isTerminated();
      }
      TimeUnit.NANOSECONDS.timedJoin(worker, left);
    }
    return isTerminated();
  }
}
