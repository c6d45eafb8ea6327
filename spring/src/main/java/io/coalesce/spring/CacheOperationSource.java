package io.coalesce.spring;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.annotation.CoalescedPut;
import io.coalesce.core.KeyFormat;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.InvalidSettingException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.BridgeMethodResolver;
import org.springframework.core.GenericTypeResolver;
import org.springframework.core.MethodClassKey;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the Coalesce annotations of a method (on the class, or on an interface it implements, Spring
 * Data repository interfaces included), checks them and builds their {@link CacheOperation}s, once
 * per method and target class. The pointcut asks while beans are being proxied, so a
 * misdeclaration fails start-up with a message naming the method.
 */
final class CacheOperationSource {

  private static final Set<Class<? extends Annotation>> ANNOTATIONS =
      Set.of(Coalesced.class, CoalescedPut.class, CoalescedEvict.class);

  private static final MethodOperations NONE = new MethodOperations(null, null, null);

  private final Map<MethodClassKey, MethodOperations> cache = new ConcurrentHashMap<>(256);
  private final Set<String> cacheNames = ConcurrentHashMap.newKeySet();
  private final boolean strictCacheNames;
  private final Set<String> declaredCaches;
  private final Function<String, CacheSettings> settings;

  /**
   * @param strictCacheNames whether only {@code declaredCaches} may be named
   * @param declaredCaches the names under {@code coalesce.caches}
   * @param settings the settings of each cache
   */
  CacheOperationSource(boolean strictCacheNames, Set<String> declaredCaches,
      Function<String, CacheSettings> settings) {
    this.strictCacheNames = strictCacheNames;
    this.declaredCaches = Set.copyOf(declaredCaches);
    this.settings = settings;
  }

  /**
   * Whether any method of {@code targetClass} carries a Coalesce annotation. Parses and checks all
   * of them, so a bean with one misdeclared method fails when it is proxied, wherever that method
   * stands among its others.
   */
  boolean hasOperations(Class<?> targetClass) {
    if (!AnnotationUtils.isCandidateClass(targetClass, ANNOTATIONS)) {
      return false;
    }
    boolean any = false;
    for (Method method : ReflectionUtils.getUniqueDeclaredMethods(targetClass, ReflectionUtils.USER_DECLARED_METHODS)) {
      any |= find(method, targetClass) != null;
    }
    return any;
  }

  /** The caches named by the annotations parsed so far. */
  Set<String> cacheNames() {
    return Set.copyOf(cacheNames);
  }

  /** The operations of {@code method} called on {@code targetClass}, or {@code null} when none. */
  MethodOperations find(Method method, Class<?> targetClass) {
    MethodClassKey key = new MethodClassKey(method, targetClass);
    MethodOperations found = cache.get(key);
    if (found == null) {
      found = parse(method, targetClass);
      cache.putIfAbsent(key, found);
    }
    return found == NONE ? null : found;
  }

  private MethodOperations parse(Method method, Class<?> targetClass) {
    if (method.getDeclaringClass() == Object.class) {
      return NONE;
    }
    Method specific = targetClass == null ? method : AopUtils.getMostSpecificMethod(method, targetClass);
    MergedAnnotation<Coalesced> read = find(specific, method, Coalesced.class);
    MergedAnnotation<CoalescedPut> put = find(specific, method, CoalescedPut.class);
    MergedAnnotation<CoalescedEvict> evict = find(specific, method, CoalescedEvict.class);
    if (!read.isPresent() && !put.isPresent() && !evict.isPresent()) {
      return NONE;
    }
    if (read.isPresent() && (put.isPresent() || evict.isPresent())) {
      throw new InvalidCacheDeclarationException(describe(declaringMethod(read)) + " is annotated with @Coalesced "
          + "together with @CoalescedPut or @CoalescedEvict; a cached read must not write",
          "Split it into two methods.");
    }
    Class<?> returnType = specific.getReturnType();
    ValueShape shape = ValueShape.of(returnType);
    Type valueType = valueType(specific, targetClass);

    if (read.isPresent()) {
      Method declared = declaringMethod(read);
      String at = "@Coalesced method " + describe(declared);
      OverloadCheck.check(at, declared, CacheOperationSource::describe);
      checkReturnType(at, returnType);
      if (read.getBoolean("batch")) {
        BatchShape batch = BatchShape.ofRead(declared, read.getString("key"), read.getString("elementId"), at);
        CacheOperation operation = operation(at, read.getString("cache"), "", declared, false, shape, valueType);
        return new MethodOperations(operation.perId(batch, elementType(at, declared, targetClass)), null, null);
      }
      refuseElementId(at, read.getString("elementId"));
      CacheOperation operation = operation(at, read.getString("cache"), read.getString("key"),
          declared, false, shape, valueType);
      checkAbsentIsReturnable(at, returnType, operation.cacheName());
      return new MethodOperations(operation, null, null);
    }
    CacheOperation putOperation = null;
    if (put.isPresent()) {
      Method declared = declaringMethod(put);
      String at = "@CoalescedPut method " + describe(declared);
      OverloadCheck.check(at, declared, CacheOperationSource::describe);
      checkReturnType(at, returnType);
      String version = put.getString("version");
      if (put.getBoolean("batch")) {
        if (!version.isEmpty()) {
          throw new InvalidCacheDeclarationException(at + " sets version together with batch = true",
              "Remove version, or put the values one by one with a @CoalescedPut(version = ...) method.");
        }
        BatchShape batch = BatchShape.ofPut(declared, put.getString("key"), put.getString("elementId"), at);
        putOperation = operation(at, put.getString("cache"), "", declared, true, shape, valueType)
            .perId(batch, elementType(at, declared, targetClass));
      } else {
        refuseElementId(at, put.getString("elementId"));
        putOperation = operation(at, put.getString("cache"), put.getString("key"), declared, true,
            shape, valueType);
        if (!version.isEmpty()) {
          putOperation = putOperation.versionedBy(
              ExpressionKeyResolver.parse(version, declared, true, at + " (its version)"));
        }
      }
    }
    CacheOperation evictOperation = null;
    if (evict.isPresent()) {
      Method declared = declaringMethod(evict);
      String at = "@CoalescedEvict method " + describe(declared);
      OverloadCheck.check(at, declared, CacheOperationSource::describe);
      CacheOperation single = operation(at, evict.getString("cache"), evict.getString("key"), declared, false,
          shape, valueType);
      if (evict.getBoolean("allEntries")) {
        if (!evict.getString("key").isEmpty()) {
          throw new InvalidCacheDeclarationException(at + " sets both key and allEntries = true",
              "Remove the key to clear the whole cache, or allEntries to evict one key.");
        }
        single = new CacheOperation(single.cacheName(), single.key(), shape, valueType, true);
      } else if (evict.getBoolean("batch")) {
        if (evict.getString("key").isEmpty()
            && (declared.getParameterCount() != 1 || !BatchShape.isIdContainer(declared.getParameterTypes()[0]))) {
          throw new InvalidCacheDeclarationException(at + " has batch = true, no key and does not take a "
              + "collection of ids as its only argument", "Set key to an expression giving the ids, e.g. "
              + "key = \"#ids\" or key = \"#products.![id]\".");
        }
        single = single.evictingEach();
      }
      evictOperation = single;
    }
    return new MethodOperations(null, putOperation, evictOperation);
  }

  private CacheOperation operation(String at, String cacheName, String keyExpression, Method method,
      boolean resultAvailable, ValueShape shape, Type valueType) {
    if (cacheName == null || cacheName.isBlank()) {
      throw new InvalidCacheDeclarationException(at + " has an empty cache name", "Set cache = \"...\".");
    }
    if (strictCacheNames && !declaredCaches.contains(cacheName)) {
      throw new InvalidCacheDeclarationException(at + " names cache '" + cacheName + "', which is not declared "
          + "under coalesce.caches (declared: " + declaredCaches + ")",
          "Declare it, fix the name, or set coalesce.strict-cache-names=false.");
    }
    if (keyExpression.isEmpty()) {
      checkArgumentsFormAKey(at, method);
    }
    KeyResolver key = keyExpression.isEmpty()
        ? KeyResolver.ofArguments(method.getParameterCount())
        : ExpressionKeyResolver.parse(keyExpression, method, resultAvailable, at);
    cacheNames.add(cacheName);
    return new CacheOperation(cacheName, key, shape, valueType);
  }

  /**
   * The type of one value of a batch method's result: {@code V} of {@code Map<ID, V>}, {@code E} of
   * a collection of {@code E}; entries are decoded as it.
   */
  private static Type elementType(String at, Method declared, Class<?> targetClass) {
    // From the method that carries the annotation: a JDK proxy's own methods (a Spring Data
    // repository's) keep no generic signature, and neither does the bridge method javac adds where
    // an interface narrows an inherited return type (List<T> findAllById over Iterable<T>).
    Method source = BridgeMethodResolver.findBridgedMethod(declared);
    Type genericReturnType = GenericTypeResolver.resolveType(source.getGenericReturnType(),
        targetClass != null ? targetClass : source.getDeclaringClass());
    ValueShape shape = ValueShape.of(source.getReturnType());
    if ((shape == ValueShape.MONO || shape == ValueShape.FUTURE) && genericReturnType instanceof ParameterizedType held) {
      genericReturnType = held.getActualTypeArguments()[0]; // Mono<List<V>>: the List<V> it holds
    }
    // Every result type a batch method may have (Map, Iterable, Collection, List, Set, ArrayList, ...,
    // Flux) names its value type as its last type argument: Map<K, V>, List<E>, Flux<E>.
    Type element = genericReturnType instanceof ParameterizedType parameterized
        ? parameterized.getActualTypeArguments()[parameterized.getActualTypeArguments().length - 1]
        : null;
    if (element == null || ResolvableType.forType(element).resolve() == null
        || element instanceof java.lang.reflect.WildcardType || element instanceof java.lang.reflect.TypeVariable) {
      throw new InvalidCacheDeclarationException(at + " has batch = true but its return type " + genericReturnType
          + " does not say the type of its values", "Declare the element type, e.g. List<Product>.");
    }
    return element;
  }

  /**
   * Without a key expression the arguments are the key: each must have a stable string form (the
   * same on every instance, and distinct for unequal arguments), or every call would be a new key.
   */
  private static void checkArgumentsFormAKey(String at, Method method) {
    Class<?>[] types = method.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      if (!KeyFormat.hasStableForm(types[i])) {
        throw new InvalidCacheDeclarationException(at + " uses its arguments as the key, but argument " + i
            + " is a " + types[i].getName() + ", which has no stable key form (it does not override toString(), "
            + "so every instance would name the same argument differently)", "Set key to an expression "
            + "that yields a String, number or record (e.g. key = \"#p" + i + ".id\"), make the type a record, "
            + "or override its toString().");
      }
    }
  }

  private static void refuseElementId(String at, String elementId) {
    if (!elementId.isEmpty()) {
      throw new InvalidCacheDeclarationException(at + " sets elementId without batch = true",
          "Set batch = true to cache the method per id, or remove elementId.");
    }
  }

  /**
   * A Bloom guard answers "absent" with {@code null}, which a primitive cannot hold: the call would
   * fail with an {@code AopInvocationException} instead. Refused at start-up.
   */
  private void checkAbsentIsReturnable(String at, Class<?> returnType, String cacheName) {
    if (!returnType.isPrimitive()) {
      return;
    }
    boolean bloom;
    try {
      bloom = settings.apply(cacheName).bloom().enabled();
    } catch (InvalidSettingException e) {
      return; // the binding of coalesce.* reports it, naming the property
    }
    if (bloom) {
      throw new InvalidCacheDeclarationException(at + " returns the primitive " + returnType.getName() + ", but cache '"
          + cacheName + "' has bloom.enabled: a key its Bloom filter rejects has no value to return", "Return "
          + ClassUtils.resolvePrimitiveIfNecessary(returnType).getSimpleName() + " or Optional<"
          + ClassUtils.resolvePrimitiveIfNecessary(returnType).getSimpleName() + ">, or turn bloom.enabled off "
          + "for the cache.");
    }
  }

  private static void checkReturnType(String at, Class<?> returnType) {
    if (returnType == void.class || returnType == Void.class) {
      throw new InvalidCacheDeclarationException(at + " returns void, so there is nothing to cache",
          "Return the value, or remove the annotation.");
    }
    if (Future.class.isAssignableFrom(returnType) && ValueShape.of(returnType) != ValueShape.FUTURE) {
      throw new InvalidCacheDeclarationException(at + " returns " + returnType.getName()
          + ", which Coalesce cannot wait for", "Return CompletableFuture<T> or CompletionStage<T>.");
    }
    if (isReactive(returnType) && !ValueShape.of(returnType).isReactive()) {
      throw new InvalidCacheDeclarationException(at + " returns the reactive type " + returnType.getName()
          + ", which is not supported", "Return Reactor's Mono<T> or Flux<T>, or T, Optional<T> or "
          + "CompletableFuture<T>.");
    }
  }

  private static boolean isReactive(Class<?> type) {
    for (Class<?> c : ClassUtils.getAllInterfacesForClassAsSet(type)) {
      if (c.getName().equals("org.reactivestreams.Publisher")) {
        return true;
      }
    }
    return type.getName().equals("org.reactivestreams.Publisher");
  }

  /** {@code T} of {@code Optional<T>} or {@code CompletableFuture<T>}; Object when raw. */
  /**
   * The type of the value a method's result is cached as: its return type, unwrapped from
   * {@code Optional}, a future or a {@code Mono}; a {@code Flux}'s elements as a {@code List}.
   */
  static Type valueType(Method specific, Class<?> targetClass) {
    Class<?> returnType = specific.getReturnType();
    Type genericReturnType = GenericTypeResolver.resolveType(specific.getGenericReturnType(),
        targetClass != null ? targetClass : specific.getDeclaringClass());
    return switch (ValueShape.of(returnType)) {
      case PLAIN -> returnType.isPrimitive() ? ClassUtils.resolvePrimitiveIfNecessary(returnType) : genericReturnType;
      case OPTIONAL, FUTURE, MONO -> typeArgument(genericReturnType);
      case FLUX -> ResolvableType.forClassWithGenerics(List.class,
          ResolvableType.forType(typeArgument(genericReturnType))).getType();
    };
  }

  private static Type typeArgument(Type wrapper) {
    return wrapper instanceof ParameterizedType parameterized
        ? parameterized.getActualTypeArguments()[0]
        : Object.class;
  }

  /**
   * The annotation on the method, on the method it overrides or on the interface method it
   * implements. Its source is where it is declared: that method names the parameters (a JDK proxy
   * class, as Spring Data's, keeps no parameter names) and is the one named in messages.
   */
  private static <A extends Annotation> MergedAnnotation<A> find(
      Method specific, Method declared, Class<A> annotation) {
    MergedAnnotation<A> found = MergedAnnotations.from(specific, SearchStrategy.TYPE_HIERARCHY).get(annotation);
    if (!found.isPresent() && specific != declared) {
      found = MergedAnnotations.from(declared, SearchStrategy.TYPE_HIERARCHY).get(annotation);
    }
    return found;
  }

  private static Method declaringMethod(MergedAnnotation<?> annotation) {
    return (Method) annotation.getSource();
  }

  private static String describe(Method method) {
    StringBuilder s = new StringBuilder(method.getDeclaringClass().getName())
        .append('.').append(method.getName()).append('(');
    Class<?>[] types = method.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      s.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
    }
    return s.append(')').toString();
  }
}
