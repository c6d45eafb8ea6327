package io.coalesce.spring;

import java.lang.reflect.Method;
import org.aopalliance.aop.Advice;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/**
 * Applies the {@link CoalesceInterceptor} to every method that carries a Coalesce annotation, on a
 * class or on an interface it implements. Matching parses and checks the annotations, so proxying a
 * bean is where a misdeclaration is reported.
 */
final class CoalesceAdvisor extends AbstractPointcutAdvisor {

  private static final long serialVersionUID = 1L;

  private final transient Pointcut pointcut;
  private final transient Advice advice;

  CoalesceAdvisor(CacheOperationSource operations, CoalesceInterceptor interceptor) {
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
