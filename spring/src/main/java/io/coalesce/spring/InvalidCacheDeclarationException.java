package io.coalesce.spring;

/**
 * A {@code @Coalesced}, {@code @CoalescedPut} or {@code @CoalescedEvict} method that cannot work as
 * declared (a key expression that does not parse or names an unknown parameter, a void method, an
 * undeclared cache name...). Raised while the bean is proxied, so the application fails at start-up;
 * with Spring Boot it is reported as a "failed to start" description and action.
 */
public class InvalidCacheDeclarationException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String problem;
  private final String action;

  /**
   * @param problem what is wrong, naming the method
   * @param action what to do about it
   */
  public InvalidCacheDeclarationException(String problem, String action) {
    this(problem, action, null);
  }

  public InvalidCacheDeclarationException(String problem, String action, Throwable cause) {
    super(problem + ". " + action, cause);
    this.problem = problem;
    this.action = action;
  }

  /** What is wrong, naming the method. */
  public String getProblem() {
    return problem;
  }

  /** What to do about it. */
  public String getAction() {
    return action;
  }
}
