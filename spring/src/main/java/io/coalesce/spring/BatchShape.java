package io.coalesce.spring;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.core.ResolvableType;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.spel.support.StandardEvaluationContext;

/**
 * How a batch method ({@code batch = true}) is cached per id: how its ids are read from its argument
 * (any {@code Iterable} or array), how an argument holding only the missing ids is built (of the
 * parameter's declared type), how its result (a {@code Map} from id to value, or a collection of
 * values whose id {@link #elementId} reads) is split into one value per id, and how the values are
 * assembled into the declared return type again, in the order the ids were asked. For a method that
 * returns a {@code Flux}, a {@code Mono} or a future, these are the types inside it
 * ({@link #resultType}); a {@code Flux} is split and assembled as the list of its elements.
 */
final class BatchShape {

  private static final SpelExpressionParser PARSER = new SpelExpressionParser(
      new SpelParserConfiguration(SpelCompilerMode.MIXED, BatchShape.class.getClassLoader()));

  private final Class<?> parameterType;
  private final Class<?> returnType;
  /** Reads an element's id; {@code null} for a {@code Map} result, whose keys are the ids. */
  private final Expression elementId;
  private final String elementIdSource;
  private final String where;

  private BatchShape(Class<?> parameterType, Class<?> returnType, Expression elementId, String elementIdSource,
      String where) {
    this.parameterType = parameterType;
    this.returnType = returnType;
    this.elementId = elementId;
    this.elementIdSource = elementIdSource;
    this.where = where;
  }

  /**
   * The shape of a batch read, checked.
   *
   * @throws InvalidCacheDeclarationException naming {@code where} when the method cannot be cached per id
   */
  static BatchShape ofRead(Method method, String keyExpression, String elementIdSource, String where) {
    if (method.getParameterCount() != 1 || !isIdContainer(method.getParameterTypes()[0])) {
      throw new InvalidCacheDeclarationException(where + " has batch = true but does not take its ids as its only "
          + "argument", "Declare one parameter of type Iterable, Collection, List, Set or an array of ids; "
          + "other arguments would not be part of the per-id key.");
    }
    if (!keyExpression.isEmpty()) {
      throw new InvalidCacheDeclarationException(where + " has batch = true and a key expression '" + keyExpression
          + "'", "Remove the key: the ids of a batch read are its argument, each id is one key.");
    }
    Class<?> result = checkedResult(method, where);
    return new BatchShape(method.getParameterTypes()[0], result, elementId(result, elementIdSource, where),
        elementIdSource, where);
  }

  /** The shape of a batch put: its result is split into one value per id. */
  static BatchShape ofPut(Method method, String keyExpression, String elementIdSource, String where) {
    if (!keyExpression.isEmpty()) {
      throw new InvalidCacheDeclarationException(where + " has batch = true and a key expression '" + keyExpression
          + "'", "Remove the key: each value of the result is stored under its id (elementId, or the map's key).");
    }
    Class<?> result = checkedResult(method, where);
    return new BatchShape(null, result, elementId(result, elementIdSource, where), elementIdSource, where);
  }

  /**
   * The type a batch method's result is split as and assembled into: its return type; inside a
   * {@code Mono} or a future, the type they hold; for a {@code Flux}, the list of its elements.
   */
  static Class<?> resultType(Method method) {
    return switch (ValueShape.of(method.getReturnType())) {
      case FLUX -> List.class;
      case MONO, FUTURE -> {
        Class<?> held = ResolvableType.forMethodReturnType(method).getGeneric(0).resolve();
        yield held == null ? Object.class : held;
      }
      default -> method.getReturnType();
    };
  }

  private static Class<?> checkedResult(Method method, String where) {
    Class<?> type = resultType(method);
    if (type == Object.class || !Map.class.isAssignableFrom(type) && !(type.isAssignableFrom(ArrayList.class)
        || type.isAssignableFrom(LinkedHashSet.class))) {
      throw new InvalidCacheDeclarationException(where + " has batch = true but returns "
          + method.getGenericReturnType().getTypeName(), "Return a Map<ID, V> or an Iterable, Collection, List or "
          + "Set of values; or, asynchronously, Flux<V>, Mono<List<V>>, Mono<Map<ID, V>> or "
          + "CompletableFuture<List<V>> / CompletableFuture<Map<ID, V>>.");
    }
    if (Map.class.isAssignableFrom(type) && !type.isAssignableFrom(LinkedHashMap.class)) {
      throw new InvalidCacheDeclarationException(where + " has batch = true but returns the map type "
          + type.getName() + ", which a cached result cannot be built as", "Return Map<ID, V>.");
    }
    return type;
  }

  private static Expression elementId(Class<?> returnType, String source, String where) {
    if (Map.class.isAssignableFrom(returnType)) {
      if (!source.isEmpty()) {
        throw new InvalidCacheDeclarationException(where + " returns a Map and sets elementId '" + source + "'",
            "Remove elementId: the map's keys are the ids.");
      }
      return null;
    }
    if (source.isEmpty()) {
      throw new InvalidCacheDeclarationException(where + " has batch = true and returns a collection of values, but "
          + "no elementId", "Set elementId to the SpEL expression that reads an element's id, e.g. elementId = \"id\".");
    }
    try {
      return PARSER.parseExpression(source);
    } catch (ParseException e) {
      throw new InvalidCacheDeclarationException(where + " has an elementId that does not parse: '" + source + "': "
          + e.getSimpleMessage(), "Fix the expression (SpEL over one element, e.g. elementId = \"id\").", e);
    }
  }

  static boolean isIdContainer(Class<?> type) {
    return type.isArray() || Iterable.class.isAssignableFrom(type);
  }

  /** The distinct ids of a batch argument (an {@code Iterable} or an array), in their order. */
  static List<Object> ids(Object argument, String where) {
    if (argument == null) {
      throw new IllegalArgumentException(where + " was called with null instead of a collection of ids");
    }
    Set<Object> ids = new LinkedHashSet<>();
    if (argument.getClass().isArray()) {
      for (int i = 0, n = Array.getLength(argument); i < n; i++) {
        ids.add(requireId(Array.get(argument, i), where));
      }
    } else {
      for (Object id : (Iterable<?>) argument) {
        ids.add(requireId(id, where));
      }
    }
    return new ArrayList<>(ids);
  }

  private static Object requireId(Object id, String where) {
    if (id == null) {
      throw new IllegalArgumentException(where + " was called with a null id");
    }
    return id;
  }

  /** The argument holding exactly {@code ids}, of the parameter's declared type. */
  Object argumentFor(Collection<?> ids) {
    if (parameterType.isArray()) {
      Object array = Array.newInstance(parameterType.getComponentType(), ids.size());
      int i = 0;
      for (Object id : ids) {
        Array.set(array, i++, id);
      }
      return array;
    }
    return parameterType.isAssignableFrom(ArrayList.class) ? new ArrayList<>(ids) : new LinkedHashSet<>(ids);
  }

  String where() {
    return where;
  }

  /** Each value of a batch method's result, by its id. */
  Map<Object, Object> split(Object result) {
    Map<Object, Object> byId = new LinkedHashMap<>();
    if (result == null) {
      return byId;
    }
    if (elementId == null) {
      ((Map<?, ?>) result).forEach((id, value) -> {
        if (id != null) {
          byId.put(id, value);
        }
      });
      return byId;
    }
    // One context per result (not per element): it holds no state of its own between evaluations.
    EvaluationContext context = new StandardEvaluationContext();
    for (Object element : (Iterable<?>) result) {
      if (element != null) {
        byId.put(idOf(context, element), element);
      }
    }
    return byId;
  }

  private Object idOf(EvaluationContext context, Object element) {
    Object id;
    try {
      id = elementId.getValue(context, element);
    } catch (EvaluationException e) {
      throw new IllegalStateException(where + ": elementId '" + elementIdSource + "' cannot read the id of "
          + element.getClass().getName() + ": " + e.getMessage(), e);
    }
    if (id == null) {
      throw new IllegalStateException(where + ": elementId '" + elementIdSource + "' gave null for " + element);
    }
    return id;
  }

  /** The return value for {@code values} (each asked id, in order, with its value or {@code null}). */
  Object assemble(Map<?, ?> values) {
    if (Map.class.isAssignableFrom(returnType)) {
      Map<Object, Object> found = new LinkedHashMap<>();
      values.forEach((id, value) -> {
        if (value != null) {
          found.put(id, value);
        }
      });
      return found;
    }
    Collection<Object> found = returnType.isAssignableFrom(ArrayList.class)
        ? new ArrayList<>(values.size()) : new LinkedHashSet<>();
    for (Object value : values.values()) {
      if (value != null) {
        found.add(value);
      }
    }
    return found;
  }
}
