package io.coalesce.reactiveapp;

import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Statement;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.ClassUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every statement the application sends to the database, with its bound values, seen where the driver
 * takes it: the application's {@link ConnectionFactory} is wrapped (a {@link BeanPostProcessor}).
 * Reads of {@code product} can be given a latency, applied without blocking (the statement is
 * subscribed to later), so that concurrent requests arrive while one load runs.
 */
public final class QueryLog implements BeanPostProcessor {

  /** One executed statement. */
  public record Query(String sql, List<Object> values) {

    /** A read of products by a cached method: not one whose SQL carries the comment "not cached". */
    boolean isProductRead() {
      String text = sql.toLowerCase(Locale.ROOT);
      return text.startsWith("select") && text.contains("product") && !text.contains("/* not cached */");
    }
  }

  private final List<Query> queries = new CopyOnWriteArrayList<>();
  private final Map<Long, AtomicInteger> readsRunning = new ConcurrentHashMap<>();
  private final Set<Long> readConcurrently = ConcurrentHashMap.newKeySet();
  private volatile Duration readLatency = Duration.ZERO;

  /** The reads of products since the last {@link #clear()}. */
  public List<Query> productReads() {
    return queries.stream().filter(Query::isProductRead).toList();
  }

  /** How many reads of products, since the last {@link #clear()}, had {@code id} among their values. */
  public long readsOf(long id) {
    return productReads().stream()
        .filter(q -> q.values().stream().anyMatch(v -> v instanceof Number n && n.longValue() == id))
        .count();
  }

  /**
   * The ids two reads of which ran at the same time since the last {@link #clear()}, each counted from
   * the statement's execution (its latency included) to the end of its results: two loads of one id
   * overlapped.
   */
  public Set<Long> idsReadConcurrently() {
    return Set.copyOf(readConcurrently);
  }

  public void clear() {
    queries.clear();
    readConcurrently.clear();
  }

  public void readLatency(Duration latency) {
    this.readLatency = latency;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof ConnectionFactory) {
      return proxy(bean, (proxy, method, args) -> {
        Object result = invoke(bean, method, args);
        if (method.getName().equals("create")) {
          return Mono.from((Publisher<?>) result).map(connection -> proxy(connection, connectionHandler(connection)));
        }
        return result;
      });
    }
    return bean;
  }

  private InvocationHandler connectionHandler(Object connection) {
    return (proxy, method, args) -> {
      Object result = invoke(connection, method, args);
      if (method.getName().equals("createStatement") && result instanceof Statement) {
        return proxy(result, statementHandler(result, (String) args[0]));
      }
      return result;
    };
  }

  private InvocationHandler statementHandler(Object statement, String sql) {
    List<Object> values = new CopyOnWriteArrayList<>();
    return (proxy, method, args) -> {
      if (method.getName().equals("bind") && args.length == 2) {
        values.add(args[1]);
      }
      if (method.getName().equals("execute")) {
        Query query = new Query(sql, new ArrayList<>(values));
        queries.add(query);
        @SuppressWarnings("unchecked")
        Publisher<Object> results = (Publisher<Object>) invoke(statement, method, args);
        if (!query.isProductRead()) {
          return results;
        }
        List<Long> ids = query.values().stream().filter(Number.class::isInstance).map(v -> ((Number) v).longValue())
            .toList();
        Duration latency = readLatency;
        return Flux.<Object>defer(() -> {
          ids.forEach(this::readStarts);
          return latency.isZero() ? Flux.from(results) : Flux.from(results).delaySubscription(latency);
        }).doFinally(signal -> ids.forEach(this::readEnds));
      }
      Object result = invoke(statement, method, args);
      // the builder methods return the statement itself: keep handing out the proxy
      return result == statement ? proxy : result;
    };
  }

  private void readStarts(long id) {
    if (readsRunning.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() > 1) {
      readConcurrently.add(id);
    }
  }

  private void readEnds(long id) {
    readsRunning.get(id).decrementAndGet();
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static Object proxy(Object target, InvocationHandler handler) {
    Class<?>[] interfaces = ClassUtils.getAllInterfaces(target);
    return Proxy.newProxyInstance(QueryLog.class.getClassLoader(), interfaces, handler);
  }

}
