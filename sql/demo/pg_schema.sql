-- sql/demo/pg_schema.sql -- the demo shop for PostgreSQL, with known performance problems:
--   * orders is large and is searched by status and by created_at without a usable index
--     (seq-scan, missing-index);
--   * the application fetches each order's customer one query at a time (n-plus-one);
--   * orders_note_idx is never used (unused-index);
--   * orders_customer_idx is a left prefix of orders_customer_created_idx (duplicate-index);
--   * customers_email_key backs a UNIQUE constraint: unused but NOT droppable.
-- Healthy parts that must not be flagged: products is small; lookups by primary key.
DROP TABLE IF EXISTS order_items, orders, products, customers CASCADE;
CREATE TABLE customers (
    id         bigint PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    name       text NOT NULL,
    country    text NOT NULL
);
CREATE TABLE products (
    id    int PRIMARY KEY,
    name  text NOT NULL,
    price numeric(10,2) NOT NULL
);
CREATE TABLE orders (
    id          bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    status      text NOT NULL,
    created_at  timestamptz NOT NULL,
    total       numeric(12,2) NOT NULL,
    note        text
);
CREATE TABLE order_items (
    order_id   bigint NOT NULL REFERENCES orders(id),
    product_id int NOT NULL REFERENCES products(id),
    qty        int NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
INSERT INTO customers
SELECT g, 'user' || g || '@example.com', 'Customer ' || g,
       (ARRAY['DE','FR','US','JP','BR'])[1 + g % 5]
FROM generate_series(1, 20000) g;
INSERT INTO products SELECT g, 'Product ' || g, (g % 90) + 9.99 FROM generate_series(1, 50) g;
INSERT INTO orders
SELECT g, 1 + (g * 7919) % 20000,
       (ARRAY['new','paid','shipped','delivered','cancelled'])[1 + (g * 31) % 5],
       timestamptz '2026-01-01' + (g % 300) * interval '1 day' + (g % 86400) * interval '1 second',
       (g % 500) + 0.99, CASE WHEN g % 97 = 0 THEN 'gift' END
FROM generate_series(1, 200000) g;
INSERT INTO order_items
SELECT o, 1 + (o * 13) % 50, 1 + o % 3 FROM generate_series(1, 200000, 4) o;
CREATE INDEX orders_note_idx ON orders (note);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at);
VACUUM ANALYZE;
