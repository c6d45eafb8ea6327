package io.coalesce.spring;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
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
 */
final class ExpressionKeyResolver implements KeyResolver {

  private static final ParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

  private static final SpelExpressionParser PARSER = new SpelExpressionParser(
      new SpelParserConfiguration(SpelCompilerMode.MIXED, ExpressionKeyResolver.class.getClassLoader()));

  private final Expression expression;
  private final Method method;
  private final String[] parameterNames;

  private ExpressionKeyResolver(Expression expression, Method method, String[] parameterNames) {
    this.expression = expression;
    this.method = method;
    this.parameterNames = parameterNames;
  }

  /**
   * Parses {@code source} for {@code method}.
   *
   * @throws IllegalStateException when it does not parse or names a variable the method does not
   *     offer, with a message naming the method and what to do
   */
  static ExpressionKeyResolver parse(String source, Method method, boolean resultAvailable, String where) {
    Expression expression;
    try {
      expression = PARSER.parseExpression(source);
    } catch (ParseException e) {
      throw new IllegalStateException(where + " has a key expression that does not parse: '" + source
          + "': " + e.getSimpleMessage() + ". Fix the expression (SpEL, e.g. key = \"#id\").", e);
    }
    String[] names = PARAMETER_NAMES.getParameterNames(method);
    if (names == null) {
      names = new String[0];
    }
    Set<String> offered = new LinkedHashSet<>(Arrays.asList(names));
    for (int i = 0; i < method.getParameterCount(); i++) {
      offered.add("p" + i);
      offered.add("a" + i);
    }
    if (resultAvailable) {
      offered.add("result");
    }
    List<String> unknown = new ArrayList<>();
    collectVariables(((SpelExpression) expression).getAST(), offered, unknown);
    if (!unknown.isEmpty()) {
      String hint = names.length == 0 && method.getParameterCount() > 0
          ? " Parameter names are not available: compile with -parameters or use #p0, #p1, ..."
          : "";
      throw new IllegalStateException(where + " has a key expression '" + source + "' that refers to "
          + unknown + ", but only " + offered.stream().map(v -> "#" + v).toList()
          + " are available." + hint);
    }
    return new ExpressionKeyResolver(expression, method, names);
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
    return expression.getValue(context(args, target, result));
  }

  private EvaluationContext context(Object[] args, Object target, Object result) {
    StandardEvaluationContext context = new StandardEvaluationContext(new KeyRoot(method, args, target));
    for (int i = 0; i < args.length; i++) {
      if (i < parameterNames.length) {
        context.setVariable(parameterNames[i], args[i]);
      }
      context.setVariable("p" + i, args[i]);
      context.setVariable("a" + i, args[i]);
    }
    context.setVariable("result", result);
    return context;
  }

  /** The root object of a key expression. */
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
