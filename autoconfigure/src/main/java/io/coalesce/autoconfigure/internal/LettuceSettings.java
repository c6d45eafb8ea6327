package io.coalesce.autoconfigure.internal;

import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** What Coalesce sets on the application's Lettuce client, on either Boot line. */
public final class LettuceSettings {

  private LettuceSettings() {}

  /**
   * The reconnect delay: from 10 ms doubling up to {@code max} (Lettuce's own grows to 30 s), so that
   * a Redis that is back is found within about {@code max}.
   */
  public static Delay reconnectDelay(Duration max) {
    return Delay.exponential(Duration.ofMillis(Math.min(10, max.toMillis())), max, 2, TimeUnit.MILLISECONDS);
  }
}
