package io.coalesce.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.random.RandomGenerator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Assembles one {@link CoalescingCache} from its settings and tiers. This is the one place where
 * the engine is put together; the Spring auto-configuration calls it once per cache name.
 *
 * <pre>{@code
 * CoalescingCache products = CoalescingCacheBuilder.named("products")
 *     .settings(CacheSettings.builder().ttl(Duration.ofMinutes(5)).build())
 *     .localTier(CaffeineLocalTier.create(settings, clock))
 *     .build();
 * }</pre>
 */
public final class CoalescingCacheBuilder {

  /** Uncontended and thread-safe: each call draws from the calling thread's generator. */
  private static final RandomGenerator THREAD_LOCAL_RANDOM = new RandomGenerator() {
    @Override
    public long nextLong() {
      return ThreadLocalRandom.current().nextLong();
    }

    @Override
    public double nextDouble() {
      return ThreadLocalRandom.current().nextDouble();
    }
  };

  /**
   * Runs delayed work (second deletes, the load-timeout of asynchronous callers) for caches built
   * without their own scheduler: one daemon thread shared by every cache, started with the class, so
   * that no caller's first timer starts a thread under the pool's lock.
   */
  private static final class SharedScheduler {
    static final ScheduledExecutorService INSTANCE = start();

    private static ScheduledExecutorService start() {
      ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "coalesce-scheduler");
        thread.setDaemon(true);
        return thread;
      });
      scheduler.prestartAllCoreThreads();
      // Every flight has a load-timeout timer, cancelled when it ends, mostly long before it fires.
      // A cancellation does not remove it (removing takes the queue's lock on the thread that ended
      // the load, maybe an event loop): this thread purges cancelled timers every second instead, so
      // that a miss storm does not keep a queue of them load-timeout long.
      scheduler.scheduleWithFixedDelay(scheduler::purge, 1, 1, TimeUnit.SECONDS);
      return Executors.unconfigurableScheduledExecutorService(scheduler);
    }
  }

  /** How often an instance waiting for another's load retries the lock, to replace a holder that died. */
  static final Duration LOCK_RETRY = Duration.ofMillis(250);

  private final String name;
  private CacheSettings settings = CacheSettings.defaults();
  private LocalTier localTier = LocalTier.NONE;
  private RemoteTier remoteTier = RemoteTier.NONE;
  private CacheListener listener = CacheListener.NONE;
  private PenetrationGuard penetrationGuard = PenetrationGuard.NONE;
  private Clock clock = Clock.systemUTC();
  private RandomGenerator random;
  private Executor refreshExecutor = ForkJoinPool.commonPool();
  private Executor writeExecutor;
  private ScheduledExecutorService scheduler;
  private Ticker ticker = Ticker.SYSTEM;
  private Duration lockRetry = LOCK_RETRY;

  private CoalescingCacheBuilder(String name) {
    this.name = name;
  }

  /** Starts a cache named {@code name}. */
  public static CoalescingCacheBuilder named(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("A cache needs a non-empty name");
    }
    return new CoalescingCacheBuilder(name);
  }

  public CoalescingCacheBuilder settings(CacheSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /** The L1 tier; none by default (every read goes to the loader, still coalesced). */
  public CoalescingCacheBuilder localTier(LocalTier localTier) {
    this.localTier = Objects.requireNonNull(localTier, "localTier");
    return this;
  }

  /** The shared L2 tier; none by default. */
  public CoalescingCacheBuilder remoteTier(RemoteTier remoteTier) {
    this.remoteTier = Objects.requireNonNull(remoteTier, "remoteTier");
    return this;
  }

  /** Receives what the cache does (metrics); failures of the listener never fail a read. */
  public CoalescingCacheBuilder listener(CacheListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Rejects keys that certainly do not exist before they reach L2 or the loader (a Bloom filter);
   * none by default. A guard that throws is treated as "may exist".
   */
  public CoalescingCacheBuilder penetrationGuard(PenetrationGuard guard) {
    this.penetrationGuard = Objects.requireNonNull(guard, "penetrationGuard");
    return this;
  }

  /** The time source of logical expiry; tests pass a clock they advance. */
  public CoalescingCacheBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** The time source of durations (loads, lock waits); tests pass a ticker they advance. */
  public CoalescingCacheBuilder ticker(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /**
   * Runs delayed work: the {@code load-timeout} timer of every load, the second delete of
   * {@code evict-delay} and the re-check of the drift meter. By default one daemon thread shared by
   * every cache. A load's timer is cancelled when the load ends, without being removed: a scheduler
   * of your own should purge cancelled tasks now and then ({@code ScheduledThreadPoolExecutor.purge}).
   */
  public CoalescingCacheBuilder scheduler(ScheduledExecutorService scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /** For tests: how often a waiting instance retries the rebuild lock. */
  CoalescingCacheBuilder lockRetry(Duration interval) {
    this.lockRetry = Objects.requireNonNull(interval, "interval");
    return this;
  }

  /**
   * The random source of ttl jitter and early refresh; it must be thread-safe ({@code new
   * java.util.Random(seed)} is). Tests pass a seeded one; the default draws from
   * {@code ThreadLocalRandom}.
   */
  public CoalescingCacheBuilder random(RandomGenerator random) {
    this.random = Objects.requireNonNull(random, "random");
    return this;
  }

  /**
   * Runs background refreshes (stale and early) and the Redis work of asynchronous loads
   * ({@code getAsync}). A saturated executor that rejects a refresh is harmless: the stale value
   * keeps being served and a later read retries.
   */
  public CoalescingCacheBuilder refreshExecutor(Executor refreshExecutor) {
    this.refreshExecutor = Objects.requireNonNull(refreshExecutor, "refreshExecutor");
    return this;
  }

  /**
   * Runs the cache writes of asynchronous and reactive callers ({@link CoalescingCache#writeAsync}),
   * so that the thread that completed the caller's future or publisher (a driver's event loop) makes
   * no Redis call. It should not reject a task: a write is never dropped, so a rejected one runs on
   * the caller's thread. Default: the refresh executor.
   */
  public CoalescingCacheBuilder writeExecutor(Executor writeExecutor) {
    this.writeExecutor = Objects.requireNonNull(writeExecutor, "writeExecutor");
    return this;
  }

  public CoalescingCache build() {
    RandomGenerator randomness = random != null ? random : THREAD_LOCAL_RANDOM;
    EntryPolicy policy = new EntryPolicy(settings, randomness);
    return new DefaultCoalescingCache(name, settings, policy, randomness,
        settings.local().enabled() ? localTier : LocalTier.NONE,
        settings.remote().enabled() ? remoteTier : RemoteTier.NONE,
        GuardedListener.guard(listener, name), FailOpenGuard.of(penetrationGuard, name), clock, ticker,
        refreshExecutor, writeExecutor != null ? writeExecutor : refreshExecutor,
        scheduler != null ? scheduler : SharedScheduler.INSTANCE, lockRetry);
  }
}
