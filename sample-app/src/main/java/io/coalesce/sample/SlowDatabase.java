package io.coalesce.sample;

/**
 * Makes the product query cost what a real database query over a network costs, so that the
 * stampede is visible: the query calls this as the H2 function {@code SLOW_DB()} (see schema.sql).
 */
public final class SlowDatabase {

  /** Milliseconds each product query takes; {@code sample.query-millis}. */
  static volatile long queryMillis = 50;

  private SlowDatabase() {}

  public static int pause() throws InterruptedException {
    Thread.sleep(queryMillis);
    return 1;
  }
}
