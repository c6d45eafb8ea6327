package io.coalesce.autoconfigure;

import io.coalesce.spring.InvalidCacheDeclarationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a misdeclared Coalesce method as Spring Boot reports a bad property: an "APPLICATION
 * FAILED TO START" block with the problem and the action, instead of a stack trace. Same types on
 * Boot 3.5 and 4.
 */
class CacheDeclarationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidCacheDeclarationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidCacheDeclarationException cause) {
    return new FailureAnalysis(cause.getProblem() + ".", cause.getAction(), cause);
  }
}
