package io.coalesce.spring;

import io.coalesce.it.Boot;
import io.coalesce.autoconfigure.CoalesceAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.annotation.Coalesced;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

/**
 * Coalesce's advice wraps the transaction's whatever the order in which they were declared: a cache
 * hit on a {@code @Transactional @Coalesced} method begins no transaction.
 */
class AdvisorOrderTest {

  static class CountingTransactions extends AbstractPlatformTransactionManager {
    final AtomicInteger begun = new AtomicInteger();

    @Override
    protected Object doGetTransaction() {
      return new Object();
    }

    @Override
    protected void doBegin(Object transaction, TransactionDefinition definition) {
      begun.incrementAndGet();
    }

    @Override
    protected void doCommit(DefaultTransactionStatus status) {}

    @Override
    protected void doRollback(DefaultTransactionStatus status) {}
  }

  public static class Catalogue {
    @Transactional
    @Coalesced(cache = "names", key = "#id")
    public String name(long id) {
      return "name-" + id;
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableTransactionManagement // declared by the application, before Coalesce's advisor exists
  static class App {
    @Bean
    CountingTransactions transactionManager() {
      return new CountingTransactions();
    }

    @Bean
    Catalogue catalogue() {
      return new Catalogue();
    }
  }

  @Test
  void aCacheHitBeginsNoTransaction() {
    new ApplicationContextRunner()
        .withConfiguration(Boot.aop()).withConfiguration(Boot.coalesce())
        .withUserConfiguration(App.class)
        .run(context -> {
          Catalogue catalogue = context.getBean(Catalogue.class);
          CountingTransactions transactions = (CountingTransactions) context.getBean(PlatformTransactionManager.class);
          assertThat(catalogue.name(7)).isEqualTo("name-7");
          assertThat(catalogue.name(7)).isEqualTo("name-7");
          assertThat(catalogue.name(7)).isEqualTo("name-7");
          assertThat(transactions.begun.get()).isEqualTo(1); // the load only
        });
  }
}
