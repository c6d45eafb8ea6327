package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pool whose hand-off never waits: it runs every task it takes, and rejects at once when full. */
class HandOffExecutorTest {

  HandOffExecutor executor;

  @AfterEach
  void stop() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void everyTaskHandedOffByManyThreadsAtOnceRuns() throws Exception {
    executor = new HandOffExecutor(3, 100_000, "test-");
    AtomicInteger ran = new AtomicInteger();
    int producers = 8;
    int each = 10_000;
    CountDownLatch done = new CountDownLatch(producers * each);
    CountDownLatch go = new CountDownLatch(1);
    Thread[] threads = new Thread[producers];
    for (int p = 0; p < producers; p++) {
      threads[p] = new Thread(() -> {
        await(go);
        for (int i = 0; i < each; i++) {
          executor.execute(() -> {
            ran.incrementAndGet();
            done.countDown();
          });
        }
      });
      threads[p].start();
    }
    go.countDown();
    assertThat(done.await(30, TimeUnit.SECONDS)).as("no task is left behind a parked worker").isTrue();
    assertThat(ran).hasValue(producers * each);
    assertThat(executor.queued()).isZero();
  }

  @Test
  void aFullQueueRejectsAtOnceAndTakesTasksAgainOnceItDrains() throws Exception {
    executor = new HandOffExecutor(1, 2, "test-");
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    executor.execute(() -> {
      busy.countDown();
      await(release);
    });
    assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
    executor.execute(() -> {});
    executor.execute(() -> {});

    assertThatThrownBy(() -> executor.execute(() -> {})).isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("2 tasks wait");

    release.countDown();
    CountDownLatch later = new CountDownLatch(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) { // the two queued tasks drain; the next one is taken
      try {
        executor.execute(later::countDown);
        break;
      } catch (RejectedExecutionException stillFull) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.onSpinWait();
      }
    }
    assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aTaskThatThrowsDoesNotStopItsWorker() throws Exception {
    executor = new HandOffExecutor(1, 10, "test-");
    Thread.UncaughtExceptionHandler quiet = (t, e) -> {};
    CountDownLatch after = new CountDownLatch(1);
    executor.execute(() -> {
      Thread.currentThread().setUncaughtExceptionHandler(quiet);
      throw new IllegalStateException("boom");
    });
    executor.execute(after::countDown);
    assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aShutdownRunsTheTasksAlreadyQueuedAndTakesNoMore() throws Exception {
    executor = new HandOffExecutor(1, 10, "test-");
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    executor.execute(() -> {
      busy.countDown();
      await(release);
    });
    assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 5; i++) {
      executor.execute(ran::incrementAndGet); // queued behind the busy worker: cache writes, say
    }

    executor.shutdown();
    release.countDown();

    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).as("queued before the shutdown, so run (ExecutorService#shutdown)").hasValue(5);
    assertThatThrownBy(() -> executor.execute(ran::incrementAndGet)).isInstanceOf(RejectedExecutionException.class);
  }
}
