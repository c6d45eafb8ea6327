package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LockTokensTest {

  @Test
  void tokensAreUniqueAcrossThreadsAndAcrossInstances() throws Exception {
    LockTokens one = new LockTokens();
    LockTokens other = new LockTokens(); // another cache, or another process
    Set<String> seen = ConcurrentHashMap.newKeySet();
    int threads = 8;
    int each = 10_000;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int t = 0; t < threads; t++) {
        LockTokens tokens = t % 2 == 0 ? one : other;
        pool.execute(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          for (int i = 0; i < each; i++) {
            seen.add(tokens.next());
          }
        });
      }
      start.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
    assertThat(seen).hasSize(threads * each);
  }

  @Test
  void twoInstancesNeverShareAPrefix() {
    String a = new LockTokens().next();
    String b = new LockTokens().next();
    assertThat(a.substring(0, a.indexOf('-'))).isNotEqualTo(b.substring(0, b.indexOf('-')));
  }
}
