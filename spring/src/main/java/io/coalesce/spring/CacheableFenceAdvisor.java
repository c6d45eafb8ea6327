package io.coalesce.spring;

import java.lang.reflect.Method;
import java.util.Collection;
import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.Pointcut;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.cache.annotation.AnnotationCacheOperationSource;
import org.springframework.cache.interceptor.CacheOperation;
import org.springframework.cache.interceptor.CachePutOperation;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.core.Ordered;

/**
 * Fences the value a {@code @Cacheable} method without {@code sync} loads, through Coalesce's Spring
 * cache manager: Spring looks the key up, runs the method on a miss and puts its result; this advice,
 * around Spring's cache advice, marks the call, so that the put stores the result only if the key was
 * not written (evicted, put, cleared, on any instance) since the look-up, as Coalesce stores its own
 * loads. Without it, a caller that read the old row before another caller's {@code @CacheEvict} would
 * put it back after the evict, where it stays until its ttl: the cache-aside race.
 *
 * <p>A {@code @CachePut} method is marked too, so that a put it makes is a write even when it runs
 * inside a {@code @Cacheable} method's call; so is a method with both (through {@code @Caching}), whose
 * puts are then all writes. Methods that return a {@code CompletableFuture}, a
 * {@code Mono} or a {@code Flux} are looked up and put asynchronously, after the call returns: their
 * put stays a write. Spring Boot's auto-configuration registers this advisor with the cache manager.
 */
public final class CacheableFenceAdvisor extends AbstractPointcutAdvisor {

  private static final long serialVersionUID = 1L;

  /**
   * Outside every other advice: it must enclose Spring's cache advice, whatever order the application
   * gave that, and it only marks the thread.
   */
  public static final int ORDER = Ordered.HIGHEST_PRECEDENCE;

  private final transient AnnotationCacheOperationSource operations = new AnnotationCacheOperationSource(false);
  private final transient Pointcut pointcut;
  private final transient Advice advice;

  public CacheableFenceAdvisor() {
    setOrder(ORDER);
    this.pointcut = new StaticMethodMatcherPointcut() {
      @Override
      public boolean matches(Method method, Class<?> targetClass) {
        return kind(method, targetClass) != Kind.NONE;
      }
    };
    this.advice = (MethodInterceptor) invocation -> {
      Object target = invocation.getThis();
      Kind kind = kind(invocation.getMethod(), target != null ? AopProxyUtils.ultimateTargetClass(target)
          : invocation.getMethod().getDeclaringClass());
      if (kind == Kind.NONE) {
        return invocation.proceed();
      }
      CacheableMisses.open(kind == Kind.READ);
      try {
        return invocation.proceed();
      } finally {
        CacheableMisses.close();
      }
    };
  }

  private enum Kind { NONE, READ, WRITE }

  private Kind kind(Method method, Class<?> targetClass) {
    Collection<CacheOperation> found = operations.getCacheOperations(method, targetClass);
    if (found == null || found.isEmpty()) {
      return Kind.NONE;
    }
    // A method that also puts (@Caching with @CachePut) is a write: its put must never be taken for
    // the load of a miss, such as one whose own put 'unless' skipped.
    for (CacheOperation operation : found) {
      if (operation instanceof CachePutOperation) {
        return Kind.WRITE;
      }
    }
    for (CacheOperation operation : found) {
      if (operation instanceof CacheableOperation cacheable && !cacheable.isSync()) {
        return Kind.READ;
      }
    }
    return Kind.NONE;
  }

  @Override
  public Pointcut getPointcut() {
    return pointcut;
  }

  @Override
  public Advice getAdvice() {
    return advice;
  }
}
