-- sql/demo/my_schema.sql -- the demo shop for MariaDB/MySQL, with the same known problems as
-- pg_schema.sql (full scans on orders by status, N+1 customer lookups, an unused index, a
-- left-prefix duplicate index) and healthy parts (small products table, primary-key lookups).
DROP TABLE IF EXISTS order_items, orders, products, customers;
CREATE TABLE customers (
    id      BIGINT PRIMARY KEY,
    email   VARCHAR(120) NOT NULL,
    name    VARCHAR(120) NOT NULL,
    country CHAR(2) NOT NULL,
    UNIQUE KEY customers_email_key (email)
) ENGINE=InnoDB;
CREATE TABLE products (
    id    INT PRIMARY KEY,
    name  VARCHAR(120) NOT NULL,
    price DECIMAL(10,2) NOT NULL
) ENGINE=InnoDB;
CREATE TABLE orders (
    id          BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    status      VARCHAR(16) NOT NULL,
    created_at  DATETIME NOT NULL,
    total       DECIMAL(12,2) NOT NULL,
    note        VARCHAR(64),
    KEY orders_note_idx (note),
    KEY orders_customer_idx (customer_id),
    KEY orders_customer_created_idx (customer_id, created_at),
    CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB;
INSERT INTO customers
SELECT seq, CONCAT('user', seq, '@example.com'), CONCAT('Customer ', seq),
       ELT(1 + seq % 5, 'DE', 'FR', 'US', 'JP', 'BR')
FROM seq_1_to_20000;
INSERT INTO products SELECT seq, CONCAT('Product ', seq), (seq % 90) + 9.99 FROM seq_1_to_50;
INSERT INTO orders
SELECT seq, 1 + (seq * 7919) % 20000,
       ELT(1 + (seq * 31) % 5, 'new', 'paid', 'shipped', 'delivered', 'cancelled'),
       TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (seq % 300) DAY + INTERVAL (seq % 86400) SECOND,
       (seq % 500) + 0.99, IF(seq % 97 = 0, 'gift', NULL)
FROM seq_1_to_200000;
CREATE TABLE order_items (
    order_id   BIGINT NOT NULL,
    product_id INT NOT NULL,
    qty        INT NOT NULL,
    PRIMARY KEY (order_id, product_id),
    CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id),
    CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE=InnoDB;
INSERT INTO order_items SELECT seq, 1 + (seq * 13) % 50, 1 + seq % 3 FROM seq_1_to_200000_step_4;
ANALYZE TABLE customers, products, orders, order_items;
