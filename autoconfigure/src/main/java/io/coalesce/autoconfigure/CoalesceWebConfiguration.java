package io.coalesce.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * In a web application (Spring MVC or WebFlux), the handler that answers Coalesce's load timeouts
 * and rejections with 503 and {@code Retry-After} ({@link CoalesceProblemDetails}); off with
 * {@code coalesce.web.problem-details=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
@ConditionalOnClass(name = "org.springframework.http.ProblemDetail")
@ConditionalOnProperty(prefix = "coalesce.web", name = "problem-details", havingValue = "true", matchIfMissing = true)
class CoalesceWebConfiguration {

  @Bean
  CoalesceProblemDetails coalesceProblemDetails() {
    return new CoalesceProblemDetails();
  }
}
