-- 5,000 products.
INSERT INTO products (id, name, price)
SELECT x, 'Product ' || x, CAST(MOD(x * 37, 10000) AS DECIMAL(12, 2)) / 100 + 1 FROM SYSTEM_RANGE(1, 5000);
