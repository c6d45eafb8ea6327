package io.coalesce.core;

/**
 * A loader that is handed one argument when it runs. A caller with one loader for many calls (the
 * {@code @Coalesced} interceptor: one per method, the call's invocation as the argument) passes a
 * constant loader and its argument to {@link CoalescingCache#get(Object, java.lang.reflect.Type,
 * Object, ArgumentLoader)}, so a cache hit allocates no loader; the two are joined only when a load
 * or a refresh runs.
 *
 * @param <A> the argument's type
 * @param <T> the value's type
 */
@FunctionalInterface
public interface ArgumentLoader<A, T> {

  /**
   * @return the value, or {@code null} for "not found"
   * @throws Exception any failure, given unchanged to every caller that shared the load
   */
  T load(A argument) throws Exception;
}
