package io.coalesce.spring;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.BeanResolver;
import org.springframework.expression.ConstructorResolver;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.IndexAccessor;
import org.springframework.expression.MethodResolver;
import org.springframework.expression.OperatorOverloader;
import org.springframework.expression.ParseException;
import org.springframework.expression.PropertyAccessor;
import org.springframework.expression.TypeComparator;
import org.springframework.expression.TypeConverter;
import org.springframework.expression.TypeLocator;
import org.springframework.expression.TypedValue;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;

/**
 * A {@code key} SpEL expression, parsed and checked once at start-up. Variables: each parameter by
 * name ({@code #id}), by position ({@code #p0}, {@code #a0}), {@code #result} for
 * {@code @CoalescedPut}; the root object offers {@code args}, {@code method}, {@code methodName} and
 * {@code target}.
 *
 * <p>A call allocates nothing here beyond what the expression itself builds: an expression that is
 * just a parameter ({@code #id}, {@code #p0}) is not evaluated at all ({@link #parse} returns a
 * resolver that reads the argument), and any other expression is evaluated against the calling
 * thread's reusable {@link CallContext} (SpEL compiles it to bytecode after a few calls, in
 * {@code MIXED} mode) instead of a new evaluation context per call.
 */
final class ExpressionKeyResolver implements KeyResolver {

  private static final ParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

  private static final SpelExpressionParser PARSER = new SpelExpressionParser(
      new SpelParserConfiguration(SpelCompilerMode.MIXED, ExpressionKeyResolver.class.getClassLoader()));

  private static final ThreadLocal<CallContext> CONTEXTS = ThreadLocal.withInitial(CallContext::new);

  private final Expression expression;
  private final Method method;
  /** Variable name → argument index ({@code -1}: {@code #result}). */
  private final Map<String, Integer> variables;

  private ExpressionKeyResolver(Expression expression, Method method, Map<String, Integer> variables) {
    this.expression = expression;
    this.method = method;
    this.variables = variables;
  }

  /**
   * Parses {@code source} for {@code method}.
   *
   * @throws InvalidCacheDeclarationException when it does not parse or names a variable the method
   *     does not offer, naming the method and what to do
   */
  static KeyResolver parse(String source, Method method, boolean resultAvailable, String where) {
    Expression expression;
    try {
      expression = PARSER.parseExpression(source);
    } catch (ParseException e) {
      throw new InvalidCacheDeclarationException(where + " has a key expression that does not parse: '" + source
          + "': " + e.getSimpleMessage(), "Fix the expression (SpEL, e.g. key = \"#id\").", e);
    }
    String[] names = PARAMETER_NAMES.getParameterNames(method);
    if (names == null) {
      names = new String[0];
    }
    // Same precedence as the variables of a fresh context set in this order: names, then #pN/#aN,
    // then #result (null outside @CoalescedPut).
    Map<String, Integer> variables = new HashMap<>();
    for (int i = 0; i < names.length && i < method.getParameterCount(); i++) {
      variables.put(names[i], i);
    }
    for (int i = 0; i < method.getParameterCount(); i++) {
      variables.put("p" + i, i);
      variables.put("a" + i, i);
    }
    variables.put("result", -1);
    Set<String> offered = new LinkedHashSet<>(Arrays.asList(names));
    for (int i = 0; i < method.getParameterCount(); i++) {
      offered.add("p" + i);
      offered.add("a" + i);
    }
    if (resultAvailable) {
      offered.add("result");
    }
    SpelNode ast = ((SpelExpression) expression).getAST();
    List<String> unknown = new ArrayList<>();
    collectVariables(ast, offered, unknown);
    if (!unknown.isEmpty()) {
      throw new InvalidCacheDeclarationException(where + " has a key expression '" + source + "' that refers to "
          + unknown + ", but only " + offered.stream().map(v -> "#" + v).toList() + " are available",
          names.length == 0 && method.getParameterCount() > 0
              ? "Parameter names are not available: compile with -parameters or use #p0, #p1, ..."
              : "Use one of the available variables.");
    }
    if (ast instanceof VariableReference) {
      Integer index = variables.get(ast.toStringAST().substring(1));
      if (index != null && index >= 0) {
        return new ArgumentKeyResolver(index); // "#id": the argument itself, no evaluation
      }
    }
    return new ExpressionKeyResolver(expression, method, Map.copyOf(variables));
  }

  private static void collectVariables(SpelNode node, Set<String> offered, List<String> unknown) {
    if (node instanceof VariableReference) {
      String name = node.toStringAST().substring(1); // "#id" → "id"
      if (!name.equals("root") && !name.equals("this") && !offered.contains(name)) {
        unknown.add("#" + name);
      }
    }
    for (int i = 0; i < node.getChildCount(); i++) {
      collectVariables(node.getChild(i), offered, unknown);
    }
  }

  @Override
  public Object resolve(Object[] args, Object target, Object result) {
    CallContext context = CONTEXTS.get();
    CallRoot root = context.root;
    // Saved and restored: evaluating a key may call a method whose key is evaluated on this thread.
    Map<String, Integer> outerVariables = context.variables;
    Method outerMethod = root.method;
    Object[] outerArgs = root.args;
    Object outerTarget = root.target;
    Object outerResult = context.result;
    context.variables = variables;
    root.method = method;
    root.args = args;
    root.target = target;
    context.result = result;
    try {
      Object key = expression.getValue(context);
      return key == root ? new KeyRoot(method, args, target) : key; // never the reusable root
    } finally {
      context.variables = outerVariables;
      root.method = outerMethod;
      root.args = outerArgs;
      root.target = outerTarget;
      context.result = outerResult;
    }
  }

  /** {@code key = "#id"}: the argument at one position. */
  record ArgumentKeyResolver(int index) implements KeyResolver {
    @Override
    public Object resolve(Object[] args, Object target, Object result) {
      return args[index];
    }
  }

  /**
   * The root object of a key expression while it is evaluated: one per thread, reused by every
   * call, so it must never become a key itself ({@link #resolve} returns a {@link KeyRoot} copy).
   */
  public static final class CallRoot {
    private Method method;
    private Object[] args;
    private Object target;

    public String getMethodName() {
      return method.getName();
    }

    public Method getMethod() {
      return method;
    }

    public Object[] getArgs() {
      return args;
    }

    public Object getTarget() {
      return target;
    }
  }

  /**
   * The evaluation context of the calling thread: the variables are the current call's arguments,
   * looked up by name; everything else (property accessors, method resolvers, type locator,
   * converter) is a {@link StandardEvaluationContext}'s, shared, so behaviour is unchanged. Only
   * {@link #resolve} touches it, on its own thread.
   */
  private static final class CallContext implements EvaluationContext {

    /** Read-only after construction: its lazily built lists are built here, once. */
    private static final StandardEvaluationContext SHARED = shared();

    private final CallRoot root = new CallRoot();
    private final TypedValue rootValue = new TypedValue(root);
    private Map<String, Integer> variables = Map.of();
    private Object result;

    private static StandardEvaluationContext shared() {
      StandardEvaluationContext shared = new StandardEvaluationContext();
      shared.getPropertyAccessors();
      shared.getIndexAccessors();
      shared.getConstructorResolvers();
      shared.getMethodResolvers();
      shared.getTypeLocator();
      shared.getTypeConverter();
      shared.getTypeComparator();
      shared.getOperatorOverloader();
      return shared;
    }

    @Override
    public TypedValue getRootObject() {
      return rootValue;
    }

    @Override
    public Object lookupVariable(String name) {
      Integer index = variables.get(name);
      if (index == null) {
        return null;
      }
      return index < 0 ? result : root.args[index];
    }

    @Override
    public void setVariable(String name, Object value) {
      throw new UnsupportedOperationException("A key expression cannot assign variables (#" + name + ")");
    }

    @Override
    public List<PropertyAccessor> getPropertyAccessors() {
      return SHARED.getPropertyAccessors();
    }

    @Override
    public List<IndexAccessor> getIndexAccessors() {
      return SHARED.getIndexAccessors();
    }

    @Override
    public List<ConstructorResolver> getConstructorResolvers() {
      return SHARED.getConstructorResolvers();
    }

    @Override
    public List<MethodResolver> getMethodResolvers() {
      return SHARED.getMethodResolvers();
    }

    @Override
    public BeanResolver getBeanResolver() {
      return null;
    }

    @Override
    public TypeLocator getTypeLocator() {
      return SHARED.getTypeLocator();
    }

    @Override
    public TypeConverter getTypeConverter() {
      return SHARED.getTypeConverter();
    }

    @Override
    public TypeComparator getTypeComparator() {
      return SHARED.getTypeComparator();
    }

    @Override
    public OperatorOverloader getOperatorOverloader() {
      return SHARED.getOperatorOverloader();
    }
  }

  /** A snapshot of the root object, for the odd expression whose value is {@code #root} itself. */
  public record KeyRoot(Method method, Object[] args, Object target) {

    public String getMethodName() {
      return method.getName();
    }

    public Method getMethod() {
      return method;
    }

    public Object[] getArgs() {
      return args;
    }

    public Object getTarget() {
      return target;
    }
  }
}
