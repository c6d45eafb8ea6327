package io.coalesce.spring;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.cache.annotation.AnnotationCacheOperationSource;
import org.springframework.cache.interceptor.CachePutOperation;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The type of the values of each cache that Spring's cache annotations name, read from the methods
 * that store into it: a {@code @Cacheable} or {@code @CachePut} method's return type, unwrapped as
 * Spring unwraps it ({@code Optional<T>}, {@code CompletableFuture<T>} and {@code Mono<T>} cache a
 * {@code T}, {@code Flux<T>} a {@code List<T>}). Coalesce's Redis tier decodes values against a
 * declared type, never against a class named by the stored data, so a cache behind Spring's
 * {@code Cache} API, which carries no type, needs one.
 *
 * <p>The cache names are those Spring resolves (the annotation's, or the class's {@code @CacheConfig});
 * names chosen at run time by a {@code CacheResolver} are not seen.
 */
public final class SpringCacheValueTypes {

  private final Map<String, Type> types = new LinkedHashMap<>();
  private final Map<String, String> declaredBy = new LinkedHashMap<>();

  private SpringCacheValueTypes() {}

  /**
   * Reads the annotated methods of {@code beanTypes}.
   *
   * @throws InvalidCacheDeclarationException when two methods store values of different types into one
   *     cache: each would read the other's values as its own type
   */
  public static SpringCacheValueTypes of(Iterable<Class<?>> beanTypes) {
    SpringCacheValueTypes found = new SpringCacheValueTypes();
    AnnotationCacheOperationSource source = new AnnotationCacheOperationSource();
    Set<Class<?>> seen = new LinkedHashSet<>();
    for (Class<?> beanType : beanTypes) {
      Class<?> type = ClassUtils.getUserClass(beanType);
      if (!seen.add(type)) {
        continue;
      }
      for (Method method : type.isInterface() ? type.getMethods() : ReflectionUtils.getUniqueDeclaredMethods(type)) {
        found.read(source, method, type);
      }
    }
    return found;
  }

  private void read(AnnotationCacheOperationSource source, Method method, Class<?> targetClass) {
    var operations = source.getCacheOperations(method, targetClass);
    if (operations == null) {
      return;
    }
    // Spring's CacheOperation (this package has a class of that name)
    for (org.springframework.cache.interceptor.CacheOperation operation : operations) {
      if (!(operation instanceof CacheableOperation) && !(operation instanceof CachePutOperation)) {
        continue; // an evict stores nothing
      }
      if (method.getReturnType() == void.class) {
        continue; // a @CachePut of nothing: Spring stores null, whatever the type
      }
      Type type = CacheOperationSource.valueType(method, targetClass);
      for (String cache : operation.getCacheNames()) {
        record(cache, type, method);
      }
    }
  }

  private void record(String cache, Type type, Method method) {
    String where = method.getDeclaringClass().getName() + "." + method.getName();
    Type known = types.putIfAbsent(cache, type);
    if (known == null) {
      declaredBy.put(cache, where);
    } else if (!known.getTypeName().equals(type.getTypeName())) {
      throw new InvalidCacheDeclarationException("Spring cache '" + cache + "' holds values of "
          + known.getTypeName() + " (" + declaredBy.get(cache) + ") and of " + type.getTypeName() + " (" + where
          + "); Coalesce reads each cache's values as one type",
          "Give the methods caches of their own (a cache name per type).");
    }
  }

  /** The type of {@code cache}'s values, or {@code null} when no annotated method stores into it. */
  public Type typeOf(String cache) {
    return types.get(cache);
  }

  /** The cache names whose value type is known, in the order they were found. */
  public Set<String> cacheNames() {
    return types.keySet();
  }

  @Override
  public String toString() {
    return types.toString();
  }
}
