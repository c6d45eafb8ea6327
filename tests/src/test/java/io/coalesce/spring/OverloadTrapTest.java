package io.coalesce.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.it.Boot;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An annotated method that only overloads an inherited method (a primitive against the inherited
 * boxed or generic parameter, as {@code findById(long)} on a {@code CrudRepository<T, Long>}) is
 * silently bypassed by callers passing the boxed type: start-up says so (issue 27, item 4).
 */
class OverloadTrapTest {

  /** What the check logs (System.Logger, through java.util.logging when no other backend is set up). */
  final List<String> warnings = new CopyOnWriteArrayList<>();
  final Logger log = Logger.getLogger(OverloadCheck.class.getName());
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      warnings.add(record.getLevel() + " " + record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void listen() {
    log.addHandler(capture);
  }

  @AfterEach
  void stopListening() {
    log.removeHandler(capture);
  }

  /** What a Spring Data repository inherits: {@code findById(ID)}, erased to {@code Object}. */
  interface Repository<T, ID> {
    T findById(ID id);

    void deleteById(ID id);
  }

  interface Products extends Repository<String, Long> {
    @Coalesced(cache = "products", key = "#id")
    String findById(long id);

    @CoalescedEvict(cache = "products", key = "#id")
    void deleteById(long id);
  }

  interface WellDeclared extends Repository<String, Long> {
    @Override
    @Coalesced(cache = "products", key = "#id")
    String findById(Long id);
  }

  static class ProductsImpl implements Products {
    @Override
    public String findById(long id) {
      return "p" + id;
    }

    @Override
    public String findById(Long id) {
      return "p" + id;
    }

    @Override
    public void deleteById(long id) {}

    @Override
    public void deleteById(Long id) {}
  }

  static class WellDeclaredImpl implements WellDeclared {
    @Override
    public String findById(Long id) {
      return "p" + id;
    }

    @Override
    public void deleteById(Long id) {}
  }

  @Configuration
  static class Trapped {
    @Bean
    Products products() {
      return new ProductsImpl();
    }
  }

  @Configuration
  static class Fine {
    @Bean
    WellDeclared products() {
      return new WellDeclaredImpl();
    }
  }

  @Test
  void anAnnotatedOverloadOfAnInheritedBoxedMethodIsReportedAtStartUpNamingBoth() {
    new ApplicationContextRunner().withConfiguration(Boot.coalesce()).withUserConfiguration(Trapped.class)
        .run(context -> assertThat(context).hasNotFailed());

    assertThat(warnings).anySatisfy(w -> assertThat(w).startsWith("WARNING @Coalesced method " + Products.class.getName()
        + ".findById(long) overloads " + Repository.class.getName() + ".findById(Object), which has no Coalesce "
        + "annotation"));
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("@CoalescedEvict method " + Products.class.getName()
        + ".deleteById(long) overloads"));
  }

  @Test
  void anAnnotatedOverrideIsNotReported() {
    new ApplicationContextRunner().withConfiguration(Boot.coalesce()).withUserConfiguration(Fine.class)
        .run(context -> assertThat(context).hasNotFailed());

    assertThat(warnings).isEmpty();
  }
}
