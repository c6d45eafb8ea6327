package io.coalesce.sample;

/**
 * Simulates a slow database. An in-memory H2 query takes microseconds, so a stampede would cost
 * nothing to watch; a real query over a network costs tens of milliseconds. The product query (both
 * the unprotected one and the one behind {@code @Coalesced}, see {@link ProductRepository#FIND}) calls
 * this as the H2 function {@code SLOW_DB()} declared in schema.sql, so every query that actually
 * reaches the database takes {@link #QUERY_MILLIS} longer, and a cache hit costs nothing extra.
 */
public final class SlowDatabase {

  /** Extra milliseconds each product query spends in the database. */
  public static final long QUERY_MILLIS = 50;

  private SlowDatabase() {}

  /** Called by H2 once per product query; false, so that the branch calling it adds no row. */
  public static boolean pause() throws InterruptedException {
    Thread.sleep(QUERY_MILLIS);
    return false;
  }
}
