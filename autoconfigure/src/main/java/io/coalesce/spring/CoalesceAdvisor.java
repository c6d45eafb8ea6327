package io.coalesce.spring;

import java.lang.reflect.Method;
import org.aopalliance.aop.Advice;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.Ordered;

/**
 * Applies the {@link CoalesceInterceptor} to every method that carries a Coalesce annotation, on a
 * class or on an interface it implements. Matching parses and checks the annotations, so proxying a
 * bean is where a misdeclaration is reported.
 *
 * <p>Ordered just outside Spring's transaction advice (whose default order is the lowest
 * precedence), so a cache hit opens no transaction and a write's cache update follows the commit;
 * advice with a higher precedence, such as method security, still runs before a cached value is
 * returned.
 */
final class CoalesceAdvisor extends AbstractPointcutAdvisor {

  private static final long serialVersionUID = 1L;

  private final transient Pointcut pointcut;
  private final transient Advice advice;

  /** The advisor's order: one step above the default order of the transaction advisor. */
  static final int ORDER = Ordered.LOWEST_PRECEDENCE - 1;

  CoalesceAdvisor(CacheOperationSource operations, CoalesceInterceptor interceptor) {
    setOrder(ORDER);
    StaticMethodMatcherPointcut pointcut = new StaticMethodMatcherPointcut() {
      @Override
      public boolean matches(Method method, Class<?> targetClass) {
        return operations.find(method, targetClass) != null;
      }
    };
    pointcut.setClassFilter(operations::hasOperations);
    this.pointcut = pointcut;
    this.advice = interceptor;
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
