package io.coalesce.autoconfigure;

import io.coalesce.core.LoadRejectedException;
import io.coalesce.core.LoadTimeoutException;
import java.lang.System.Logger.Level;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers a request whose cached read could not be served in time with {@code 503 Service
 * Unavailable}, a {@code Retry-After} header and a problem detail (RFC 9457), in Spring MVC and
 * WebFlux alike: a load that outlived {@code load-timeout} ({@link LoadTimeoutException}), or one
 * that was not started because the cache's bulkhead or Coalesce's executor was full
 * ({@link LoadRejectedException}). Both are conditions a client should retry, not server errors.
 * The detail says which, without the exception's message (it names caches and settings, which are
 * the operator's business: the log has them). Ordered last, so an application's own handler of these
 * exceptions wins; {@code coalesce.web.problem-details=false} turns it off.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
final class CoalesceProblemDetails {

  private static final System.Logger LOG = System.getLogger(CoalesceProblemDetails.class.getName());

  /** Seconds a client is asked to wait before it retries. */
  static final String RETRY_AFTER_SECONDS = "1";

  @ExceptionHandler(LoadTimeoutException.class)
  ResponseEntity<ProblemDetail> loadTimedOut(LoadTimeoutException e) {
    return unavailable("The requested data is still being loaded; retry shortly.", e);
  }

  @ExceptionHandler(LoadRejectedException.class)
  ResponseEntity<ProblemDetail> loadRejected(LoadRejectedException e) {
    return unavailable("Too many loads are under way; retry shortly.", e);
  }

  private static ResponseEntity<ProblemDetail> unavailable(String detail, RuntimeException e) {
    LOG.log(Level.DEBUG, () -> "Answered 503 Service Unavailable: " + e.getMessage());
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, detail);
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).body(problem);
  }
}
