package io.coalesce.spring;

import io.coalesce.core.ArgumentLoader;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheManager;
import io.micrometer.observation.Observation;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.TargetClassAware;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Runs the Coalesce annotations around a method call: a {@code @Coalesced} read goes through the
 * method's {@link CoalescingCache} with the method itself as the loader; {@code @CoalescedPut} and
 * {@code @CoalescedEvict} act after the method returns normally (for an asynchronous method, after
 * its future completes normally).
 *
 * <p>A call finds its method in {@link #lastSeen}, so the hot path computes no
 * target class (no proxy-class name scan) and allocates no lookup key; the full lookup runs once
 * per method and target class.
 */
final class CoalesceInterceptor implements MethodInterceptor {

  /** The operations of a method for the concrete class of the object it was last called on. */
  private record Seen(Class<?> targetType, MethodOperations operations) {}

  /**
   * The loaders of synchronous reads: made once, handed the call's invocation only when a load or
   * refresh runs, so a hit allocates none.
   */
  private final ArgumentLoader<MethodInvocation, Object> load =
      invocation -> observedLoad(invocation, () -> proceed(invocableCopy(invocation)));
  private final ArgumentLoader<MethodInvocation, Object> loadUnwrappingOptional =
      invocation -> observedLoad(invocation, () -> ValueShape.OPTIONAL.unwrap(proceed(invocableCopy(invocation))));

  private final CacheOperationSource operations;
  private final LoadObservations observations;
  private final ConcurrentHashMap<Method, Seen> lastSeen = new ConcurrentHashMap<>();
  private final ObjectProvider<CoalescingCacheManager> managerProvider;
  private volatile CoalescingCacheManager manager;

  CoalesceInterceptor(CacheOperationSource operations, ObjectProvider<CoalescingCacheManager> manager,
      LoadObservations observations) {
    this.operations = operations;
    this.managerProvider = manager;
    this.observations = observations;
  }

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    Object target = invocation.getThis();
    MethodOperations found = find(invocation.getMethod(), target);
    if (found == null) {
      return invocation.proceed();
    }
    if (found.read() != null) {
      return read(found.read(), invocation, target);
    }
    Object returned = invocation.proceed();
    if (found.put() != null || found.evict() != null) {
      return afterWrite(found, invocation.getArguments(), target, returned);
    }
    return returned;
  }

  private MethodOperations find(Method method, Object target) {
    Class<?> targetType = target == null ? null : target.getClass();
    Seen seen = lastSeen.get(method);
    if (seen != null && seen.targetType == targetType) {
      return seen.operations;
    }
    Class<?> targetClass = target == null ? null : AopProxyUtils.ultimateTargetClass(target);
    MethodOperations found = operations.find(method, targetClass);
    if (!(target instanceof TargetClassAware)) {
      // A target that is itself a proxy may change what it stands for: never remembered.
      lastSeen.put(method, new Seen(targetType, found));
    }
    return found;
  }

  private Object read(CacheOperation read, MethodInvocation invocation, Object target) {
    if (read.batch() != null) {
      return readEach(read, invocation);
    }
    Object[] args = invocation.getArguments();
    Object key = read.key().resolve(args, target, null);
    CoalescingCache cache = read.cache(manager());
    ValueShape shape = read.shape();
    if (shape.isReactive()) {
      return ReactiveCalls.read(cache, key, read.valueType(), shape == ValueShape.FLUX,
          () -> proceed(invocableCopy(invocation)), (parent, ids) -> loadObservation(read, invocation, parent, ids));
    }
    if (shape == ValueShape.FUTURE) {
      Observation parent = observations.parentHere(); // the load is led on Coalesce's executor
      Supplier<CompletionStage<Object>> loader = () -> LoadObservations.observeAsync(
          loadObservation(read, invocation, parent, -1), () -> callStage(invocableCopy(invocation)));
      return cache.getAsync(key, read.valueType(), loader);
    }
    return shape.wrap(cache.get(key, read.valueType(), invocation,
        shape == ValueShape.OPTIONAL ? loadUnwrappingOptional : load));
  }

  private Object observedLoad(MethodInvocation invocation, Callable<Object> call) throws Exception {
    if (!observations.enabled()) {
      return call.call();
    }
    CacheOperation read = find(invocation.getMethod(), invocation.getThis()).read();
    return LoadObservations.observe(loadObservation(read, invocation, null, -1), call);
  }

  private Observation loadObservation(CacheOperation read, MethodInvocation invocation, Observation parent, int ids) {
    return observations.load(read.cacheName(), invocation.getMethod(), parent, ids);
  }

  /** The future a {@code CompletableFuture} method returns; a failed one if it throws. */
  private static CompletionStage<Object> callStage(MethodInvocation invocation) {
    try {
      return asStage(proceed(invocation));
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * A batch read: each id its own entry; the ids cached nowhere go to one call of the method, with an
   * argument of its declared type holding only them. A {@code Flux}, {@code Mono} or future method is
   * read without blocking ({@link CoalescingCache#getAllAsync}).
   */
  private Object readEach(CacheOperation read, MethodInvocation invocation) {
    BatchShape batch = read.batch();
    List<Object> ids = BatchShape.ids(invocation.getArguments()[0], batch.where());
    ValueShape shape = read.shape();
    if (shape.isReactive()) {
      return ReactiveCalls.readEach(read.cache(manager()), ids, read.valueType(), batch, shape == ValueShape.FLUX,
          missing -> proceed(callWith(invocation, batch, missing)),
          (parent, missing) -> loadObservation(read, invocation, parent, missing));
    }
    if (shape == ValueShape.FUTURE) {
      Observation parent = observations.parentHere();
      return read.cache(manager()).getAllAsync(ids, read.valueType(), missing -> LoadObservations.observeAsync(
          loadObservation(read, invocation, parent, missing.size()),
          () -> callStage(callWith(invocation, batch, missing)).thenApply(batch::split)))
          .thenApply(batch::assemble);
    }
    Map<Object, Object> values = read.cache(manager()).getAll(ids, read.valueType(),
        missing -> batch.split(LoadObservations.observe(loadObservation(read, invocation, null, missing.size()),
            () -> proceed(callWith(invocation, batch, missing)))));
    return batch.assemble(values);
  }

  /** The batch method's call for {@code missing} ids only, in an argument of its declared type. */
  private static MethodInvocation callWith(MethodInvocation invocation, BatchShape batch, Collection<?> missing) {
    MethodInvocation call = invocableCopy(invocation);
    call.getArguments()[0] = batch.argumentFor(missing);
    return call;
  }

  /**
   * Runs the put and evict after the method; returns what the caller gets. For an asynchronous
   * method, a future or publisher that completes only once the cache write has (on the cache's write
   * executor, never on the thread that completed the method's own), and fails when the write does (a
   * key expression that throws): a caller that waits for it then reads what it wrote.
   */
  private Object afterWrite(MethodOperations ops, Object[] args, Object target, Object returned) {
    CacheOperation first = ops.put() != null ? ops.put() : ops.evict();
    ValueShape shape = first.shape();
    if (shape.isReactive()) {
      CoalescingCache cache = first.cache(manager());
      return ReactiveCalls.afterWrite(returned, shape == ValueShape.FLUX,
          value -> cache.writeAsync(() -> write(ops, args, target, value)));
    }
    if (shape == ValueShape.FUTURE && returned instanceof CompletionStage<?> stage) {
      return stage.toCompletableFuture().thenCompose(value ->
          first.cache(manager()).writeAsync(() -> write(ops, args, target, value)).thenApply(written -> value));
    }
    write(ops, args, target, shape.unwrap(returned));
    return returned;
  }

  private void write(MethodOperations ops, Object[] args, Object target, Object value) {
    AfterCommit.run(() -> writeNow(ops, args, target, value));
  }

  private void writeNow(MethodOperations ops, Object[] args, Object target, Object value) {
    CoalescingCacheManager caches = manager();
    CacheOperation put = ops.put();
    if (put != null && put.batch() != null) {
      put.cache(caches).putAll(put.batch().split(value));
    } else if (put != null && put.version() != null) {
      put.cache(caches).put(put.key().resolve(args, target, value), value,
          DataVersions.of(put.version().resolve(args, target, value), put));
    } else if (put != null) {
      put.cache(caches).put(put.key().resolve(args, target, value), value);
    }
    CacheOperation evict = ops.evict();
    if (evict != null && evict.allEntries()) {
      evict.cache(caches).clear();
    } else if (evict != null && evict.evictEach()) {
      evict.cache(caches).evictAll(BatchShape.ids(evict.key().resolve(args, target, value), "@CoalescedEvict of "
          + evict.cacheName()));
    } else if (evict != null) {
      evict.cache(caches).evict(evict.key().resolve(args, target, value));
    }
  }

  /**
   * The invocation to run as the loader: a copy when the proxy allows it, because a stale or early
   * refresh runs it on another thread after this call has returned.
   */
  private static MethodInvocation invocableCopy(MethodInvocation invocation) {
    return invocation instanceof ProxyMethodInvocation proxied ? proxied.invocableClone() : invocation;
  }

  private static Object proceed(MethodInvocation invocation) throws Exception {
    try {
      return invocation.proceed();
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new UndeclaredThrowableException(t);
    }
  }

  @SuppressWarnings("unchecked")
  private static CompletionStage<Object> asStage(Object returned) {
    return (CompletionStage<Object>) returned;
  }

  private CoalescingCacheManager manager() {
    CoalescingCacheManager resolved = manager;
    if (resolved == null) {
      resolved = managerProvider.getObject();
      manager = resolved;
    }
    return resolved;
  }
}
