INSERT INTO book (id, title) SELECT X, 'Book ' || X FROM SYSTEM_RANGE(1, 1000);
