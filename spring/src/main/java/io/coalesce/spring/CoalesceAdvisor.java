package io.coalesce.spring;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCacheManager;
import io.micrometer.observation.ObservationRegistry;
import java.lang.reflect.Method;
import java.util.Set;
import java.util.function.Function;
import org.aopalliance.aop.Advice;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;

/**
 * Applies {@code @Coalesced}, {@code @CoalescedPut} and {@code @CoalescedEvict} to every method that
 * carries one, on a class or on an interface it implements. Matching parses and checks the
 * annotations, so proxying a bean is where a misdeclaration is reported. Spring Boot's
 * auto-configuration registers one; an application on Spring without Boot declares it as an
 * infrastructure bean beside an auto-proxy creator.
 *
 * <p>Ordered just outside Spring's transaction advice (whose default order is the lowest
 * precedence), so a cache hit opens no transaction and a write's cache update follows the commit;
 * advice with a higher precedence, such as method security, still runs before a cached value is
 * returned.
 */
public final class CoalesceAdvisor extends AbstractPointcutAdvisor {

  private static final long serialVersionUID = 1L;

  private final transient Pointcut pointcut;
  private final transient Advice advice;
  private final transient CacheOperationSource operations;

  /** The advisor's order: one step above the default order of the transaction advisor. */
  public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 1;

  /**
   * @param caches the cache manager, resolved on the first annotated call (advisors are created
   *     before ordinary beans)
   * @param strictCacheNames whether an annotation may only name a cache in {@code declaredCaches}
   * @param declaredCaches the cache names the application declares (Boot: {@code coalesce.caches})
   * @param settings the settings each cache will have, for the checks that depend on them (a Bloom
   *     guard can answer "absent", which a method returning a primitive cannot return)
   */
  public CoalesceAdvisor(ObjectProvider<CoalescingCacheManager> caches, boolean strictCacheNames,
      Set<String> declaredCaches, Function<String, CacheSettings> settings) {
    this(new CacheOperationSource(strictCacheNames, declaredCaches, settings), caches, LoadObservations.NONE);
  }

  /**
   * As {@link #CoalesceAdvisor(ObjectProvider, boolean, Set, Function)}, with each load of a cached
   * method (never a hit) observed as a Micrometer {@code coalesce.load} observation in
   * {@code observations}: a span, with tracing, child of the caller's, whose children are what the
   * method does.
   */
  public CoalesceAdvisor(ObjectProvider<CoalescingCacheManager> caches, boolean strictCacheNames,
      Set<String> declaredCaches, Function<String, CacheSettings> settings,
      ObjectProvider<ObservationRegistry> observations) {
    this(new CacheOperationSource(strictCacheNames, declaredCaches, settings), caches,
        LoadObservations.of(observations));
  }

  private CoalesceAdvisor(CacheOperationSource operations, ObjectProvider<CoalescingCacheManager> caches,
      LoadObservations observations) {
    setOrder(ORDER);
    CoalesceInterceptor interceptor = new CoalesceInterceptor(operations, caches, observations);
    StaticMethodMatcherPointcut pointcut = new StaticMethodMatcherPointcut() {
      @Override
      public boolean matches(Method method, Class<?> targetClass) {
        return operations.find(method, targetClass) != null;
      }
    };
    pointcut.setClassFilter(operations::hasOperations);
    this.pointcut = pointcut;
    this.advice = interceptor;
    this.operations = operations;
  }

  /**
   * Parses and checks the Coalesce annotations on the methods of {@code type} without proxying
   * anything, throwing {@link InvalidCacheDeclarationException} for a misdeclared one: for the beans a
   * context does not create at start-up (lazy, prototype, scoped), so that their misdeclarations fail
   * start-up as a singleton's do.
   */
  public void checkDeclarations(Class<?> type) {
    operations.hasOperations(type);
  }

  /**
   * The caches that the annotations of the beans proxied so far name; once the application context
   * has created its singletons, those of every annotated singleton.
   */
  public Set<String> annotatedCacheNames() {
    return operations.cacheNames();
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
