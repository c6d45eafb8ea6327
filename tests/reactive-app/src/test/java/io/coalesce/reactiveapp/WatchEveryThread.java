package io.coalesce.reactiveapp;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.blockhound.BlockHound;

/**
 * BlockHound installed as a team that allows no blocking anywhere would install it: every thread is
 * watched (the WebFlux server's and the R2DBC driver's Netty event loops, Lettuce's, Reactor's
 * schedulers, the JDK's common pool, Spring's task threads) except the JVM's own and the test's main
 * thread, which waits for the answers. Integrations found by {@code ServiceLoader} are applied too,
 * Coalesce's among them, which exempts Coalesce's {@code coalesce-*} threads and nothing else.
 * Blocking calls are recorded with their stacks, not thrown, so that one report does not hide the
 * next; the tests assert that there are none.
 */
final class WatchEveryThread {

  /**
   * The JVM's and the test runner's threads, and Spring Boot's Netty {@code server} thread, which only
   * waits for the server to stop (keeping the JVM alive): they wait by design and run none of the
   * application.
   */
  private static final Set<String> UNWATCHED = Set.of("main", "Reference Handler", "Finalizer",
      "Signal Dispatcher", "Common-Cleaner", "Attach Listener", "Notification Thread", "process reaper", "server");

  /** Threads the tests start themselves (one kills and restarts Redis). */
  private static final String TEST_THREAD_PREFIX = "test-";

  static final List<String> BLOCKING_CALLS = new CopyOnWriteArrayList<>();

  private static boolean installed;

  static synchronized void install() {
    if (installed) {
      return;
    }
    BlockHound.builder()
        // first, so that the integrations below narrow it: Coalesce's exempts its own threads
        .nonBlockingThreadPredicate(current -> current.or(WatchEveryThread::watched))
        .loadIntegrations()
        // Netty 4.2's adaptive allocator takes a StampedLock while it adds magazines under contention:
        // synchronisation inside Netty on any thread that allocates a buffer, not a wait for work
        // (treated as a false positive elsewhere too, e.g. line/armeria#6344). Seen here when the R2DBC
        // driver encodes a query on Reactor's parallel thread, where the test's latency resubscribes it.
        .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
        // Micrometer's JVM-pause detector (LatencyUtils), started with the first timer, waits for its
        // next tick on a thread of its own: a timer, not work.
        .allowBlockingCallsInside("org.LatencyUtils.PauseDetector$PauseDetectorThread", "run")
        .blockingMethodCallback(method -> {
          StringWriter stack = new StringWriter();
          new Error("Blocking call " + method + " on " + Thread.currentThread().getName())
              .printStackTrace(new PrintWriter(stack));
          BLOCKING_CALLS.add(stack.toString());
        })
        .install();
    installed = true;
  }

  private static boolean watched(Thread thread) {
    String name = thread.getName();
    return !UNWATCHED.contains(name) && !name.startsWith(TEST_THREAD_PREFIX) && !name.startsWith("surefire") && !name.startsWith("failsafe");
  }

  private WatchEveryThread() {
  }
}
