package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ServiceLoader;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import reactor.blockhound.integration.BlockHoundIntegration;

/** Coalesce's BlockHound integration exempts Coalesce's own threads, and only those. */
class CoalesceBlockHoundIntegrationTest {

  @Test
  void everyThreadAnApplicationMarksNonBlockingStaysSoExceptCoalescesOwn() {
    Predicate<Thread> everyThread = thread -> true;
    Predicate<Thread> applied = CoalesceBlockHoundIntegration.exemptingCoalesceThreads(everyThread);

    assertThat(applied.test(new Thread("coalesce-refresh-1"))).isFalse();
    assertThat(applied.test(new Thread("coalesce-scheduler"))).isFalse();
    assertThat(applied.test(new Thread("reactor-http-epoll-1"))).isTrue();
    assertThat(applied.test(new Thread("parallel-1"))).isTrue();
    assertThat(applied.test(new Thread("my-coalesce-worker"))).as("only names that start with it").isTrue();
  }

  @Test
  void itIsFoundByServiceLoaderAndAppliedLast() {
    assertThat(ServiceLoader.load(BlockHoundIntegration.class)).anyMatch(i -> i instanceof CoalesceBlockHoundIntegration);
    assertThat(new CoalesceBlockHoundIntegration().getPriority()).isEqualTo(Integer.MAX_VALUE);
  }
}
