package io.coalesce.spring;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.annotation.CoalescedPut;
import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Warns of an annotated method that a caller may silently miss: one that overloads an unannotated
 * method of its class or interfaces (inherited ones included) whose parameters differ from its own
 * only by boxing, such as {@code @Coalesced Mono<Product> findById(long id)} on a
 * {@code ReactiveCrudRepository<Product, Long>}. Java then calls the inherited {@code findById(Long)}
 * for a {@code Long} argument, uncached: no error, no cache get. One WARN per method, naming both.
 */
final class OverloadCheck {

  private static final System.Logger LOG = System.getLogger(OverloadCheck.class.getName());
  private static final Set<Method> WARNED = ConcurrentHashMap.newKeySet();

  private OverloadCheck() {}

  /** Checks {@code annotated}, described as {@code at}; {@code describe} names a method in the message. */
  static void check(String at, Method annotated, Function<Method, String> describe) {
    Class<?> owner = annotated.getDeclaringClass();
    Method[] candidates = owner.isInterface() ? owner.getMethods() : ReflectionUtils.getAllDeclaredMethods(owner);
    for (Method other : candidates) {
      if (other.equals(annotated) || !other.getName().equals(annotated.getName())
          || other.getParameterCount() != annotated.getParameterCount() || other.isBridge() || other.isSynthetic()
          || Modifier.isPrivate(other.getModifiers()) || Modifier.isStatic(other.getModifiers())
          || isAnnotated(other) || !differOnlyByBoxing(annotated.getParameterTypes(), other.getParameterTypes())) {
        continue;
      }
      if (WARNED.add(annotated)) {
        LOG.log(Level.WARNING, at + " overloads " + describe.apply(other) + ", which has no Coalesce annotation: "
            + "a caller passing the boxed (or unboxed) type calls that one, uncached. Declare the annotated "
            + "method with the inherited one's parameter types (e.g. Long, not long), so that it overrides it.");
      }
    }
  }

  private static boolean isAnnotated(Method method) {
    return AnnotatedElementUtils.hasAnnotation(method, Coalesced.class)
        || AnnotatedElementUtils.hasAnnotation(method, CoalescedPut.class)
        || AnnotatedElementUtils.hasAnnotation(method, CoalescedEvict.class);
  }

  /**
   * Whether every parameter is the same or differs only by boxing (a primitive against its box, or a
   * type its box is assignable to, such as a generic parameter erased to {@code Object}), at least one.
   */
  private static boolean differOnlyByBoxing(Class<?>[] mine, Class<?>[] theirs) {
    boolean boxing = false;
    for (int i = 0; i < mine.length; i++) {
      Class<?> a = mine[i];
      Class<?> b = theirs[i];
      if (a == b) {
        continue;
      }
      if ((a.isPrimitive() && !b.isPrimitive() && b.isAssignableFrom(ClassUtils.resolvePrimitiveIfNecessary(a)))
          || (b.isPrimitive() && !a.isPrimitive() && a.isAssignableFrom(ClassUtils.resolvePrimitiveIfNecessary(b)))) {
        boxing = true;
      } else {
        return false;
      }
    }
    return boxing;
  }
}
