-- bench/mysql-slowlog/schema.sql: the shop schema the workload runs on
DROP TABLE IF EXISTS items, orders, customers;
CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(64), email VARCHAR(128),
                        last_order DATETIME, KEY (email)) ENGINE=InnoDB;
CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT, status VARCHAR(16),
                     total DECIMAL(10,2), note VARCHAR(64), created_at DATETIME,
                     KEY (customer_id, created_at)) ENGINE=InnoDB;
CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, order_id INT, sku VARCHAR(32), qty INT,
                    price DECIMAL(10,2)) ENGINE=InnoDB;
INSERT INTO customers
  SELECT seq, CONCAT('c', seq), CONCAT('user', seq, '@example.com'), NULL FROM seq_1_to_2000;
INSERT INTO orders (customer_id, status, total, note, created_at)
  SELECT 1 + seq % 2000, ELT(1 + seq % 3, 'new', 'paid', 'shipped'), seq % 500,
         CONCAT('n', seq), NOW() - INTERVAL seq MINUTE FROM seq_1_to_20000;
INSERT INTO items (order_id, sku, qty, price)
  SELECT 1 + seq % 20000, CONCAT('SKU-', seq % 500), 1 + seq % 5, seq % 97 FROM seq_1_to_40000;
