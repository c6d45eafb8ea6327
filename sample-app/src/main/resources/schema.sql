-- The products table, and SLOW_DB(): a function that makes each product query as slow as a real
-- database round trip (io.coalesce.sample.SlowDatabase), so that a stampede is visible.
CREATE ALIAS IF NOT EXISTS SLOW_DB FOR 'io.coalesce.sample.SlowDatabase.pause';
CREATE TABLE products (
  id    BIGINT PRIMARY KEY,
  name  VARCHAR(200) NOT NULL,
  price DECIMAL(12, 2) NOT NULL
);
