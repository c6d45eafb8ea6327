package io.coalesce.bloom;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.bloom.internal.BloomShape;
import java.time.Clock;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * An addition that spans the swap of a rebuild lands in the filter that stays: keys are added while
 * the in-process filter is rebuilt over and over, each rebuild streaming the keys that exist when
 * its seed is read (as a seed reading the database does); afterwards every key added passes.
 */
class InProcessBloomRaceTest {

  @Test
  void noAdditionIsLostToARebuildThatSwapsMeanwhile() throws Exception {
    InProcessBloom bloom = new InProcessBloom(BloomShape.of(200_000, 0.001), Clock.systemUTC());
    List<String> existing = new CopyOnWriteArrayList<>();
    bloom.build(Collections.emptyIterator(), true, added -> {});
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(1);
    Thread rebuilder = new Thread(() -> {
      started.countDown();
      while (!stop.get()) {
        bloom.build(seedReadWhenStreamed(existing), true, added -> {});
      }
    });
    rebuilder.start();
    started.await();
    for (int i = 0; i < 50_000; i++) {
      String key = "k" + i;
      existing.add(key); // the row is committed...
      bloom.add(key);    // ...then the key is added, as a put or a load does
    }
    stop.set(true);
    rebuilder.join();

    long lost = existing.stream().filter(key -> !bloom.mightContain(key)).count();
    assertThat(lost).as("keys added during rebuilds that the filter in use does not have").isZero();
  }

  /** A seed that reads what exists at the moment it is first streamed, not when the build was asked for. */
  private static Iterator<String> seedReadWhenStreamed(List<String> existing) {
    return new Iterator<>() {
      private Iterator<String> rows;

      @Override
      public boolean hasNext() {
        if (rows == null) {
          rows = List.copyOf(existing).iterator();
        }
        return rows.hasNext();
      }

      @Override
      public String next() {
        hasNext();
        return rows.next();
      }
    };
  }
}
