package io.coalesce.sample;

import jakarta.persistence.EntityManagerFactory;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;

/** Counts the JDBC statements Hibernate prepared, i.e. what actually reached the database. */
final class DatabaseQueries {

  private final Statistics statistics;
  private long mark;

  DatabaseQueries(EntityManagerFactory entityManagerFactory) {
    this.statistics = entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
    this.mark = statistics.getPrepareStatementCount();
  }

  /** Statements prepared since the previous call (or since construction). */
  long sinceLast() {
    long now = statistics.getPrepareStatementCount();
    long delta = now - mark;
    mark = now;
    return delta;
  }
}
