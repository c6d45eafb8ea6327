/**
 * Test support: a real Redis for tests ({@link io.coalesce.test.RedisExtension},
 * {@link io.coalesce.test.RedisServer}, {@link io.coalesce.test.RedisCluster}) that a test can kill,
 * pause, flush and restart, plus a clock tests advance ({@link io.coalesce.test.TestClock}) and a
 * deadline-bounded wait for background work ({@link io.coalesce.test.Await}).
 */
package io.coalesce.test;
