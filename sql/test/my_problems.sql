-- my_problems.sql -- a MariaDB schema with known problems and healthy parts, and a workload
-- that exercises them, for the live MySQL/MariaDB collector's integration tests
-- (tests/integration/my_live_test.c). Run into the database `bench` of a server started
-- by scripts/mariadb-server.sh (MariaDB: it uses the seq_1_to_N tables of the SEQUENCE engine).
--
-- Known problems (what the collector must report):
--   * events (20000 rows) is scanned 30 times by  SELECT ... WHERE kind = ?  (no index on kind)
--   * orders.idx_orders_note is never used
--   * orders.idx_orders_status is a left prefix of orders.idx_orders_status_created
--   * order_items.fk_items_order backs a foreign key and is never used: needed by the FK
--   * customers.uq_customers_email is a unique index never used
-- Healthy parts:
--   * customers are read by primary key 200 times
--   * countries (8 rows) is scanned 20 times: a small table, a scan is right
--   * orders are filtered by (status, created_at) through idx_orders_status_created 25 times
--   * the 10 newest events are read through idx_events_created (created_at DESC) 15 times
--   * customers.idx_customers_name_prefix (name(12)) serves 10 lookups by name
--   * countries is updated by primary key 5 times (EXPLAIN of it needs a writable session)
DROP TABLE IF EXISTS order_items, orders, events, customers, countries;

CREATE TABLE countries (
  code CHAR(2) NOT NULL PRIMARY KEY,
  name VARCHAR(40) NOT NULL
) ENGINE = InnoDB;

CREATE TABLE customers (
  id INT NOT NULL PRIMARY KEY,
  email VARCHAR(80) NOT NULL,
  name VARCHAR(60) NOT NULL,
  country CHAR(2) NOT NULL,
  UNIQUE KEY uq_customers_email (email),
  KEY idx_customers_name_prefix (name(12))
) ENGINE = InnoDB;

CREATE TABLE orders (
  id INT NOT NULL PRIMARY KEY,
  customer_id INT NOT NULL,
  status VARCHAR(12) NOT NULL,
  note VARCHAR(40) NULL,
  created_at DATETIME NOT NULL,
  KEY idx_orders_customer (customer_id),
  KEY idx_orders_status (status),
  KEY idx_orders_status_created (status, created_at),
  KEY idx_orders_note (note),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE = InnoDB;

CREATE TABLE order_items (
  id INT NOT NULL PRIMARY KEY,
  order_id INT NOT NULL,
  sku VARCHAR(16) NOT NULL,
  qty INT NOT NULL,
  KEY fk_items_order (order_id),
  CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE = InnoDB;

CREATE TABLE events (
  id INT NOT NULL PRIMARY KEY,
  customer_id INT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  payload VARCHAR(64) NOT NULL,
  created_at DATETIME NOT NULL,
  KEY idx_events_created (created_at DESC)
) ENGINE = InnoDB;

INSERT INTO countries VALUES ('DE', 'Germany'), ('FR', 'France'), ('IT', 'Italy'),
  ('ES', 'Spain'), ('PL', 'Poland'), ('NL', 'Netherlands'), ('SE', 'Sweden'), ('PT', 'Portugal');
INSERT INTO customers
  SELECT seq, CONCAT('c', seq, '@example.com'), CONCAT('customer', LPAD(seq, 5, '0')),
         ELT(1 + seq % 8, 'DE', 'FR', 'IT', 'ES', 'PL', 'NL', 'SE', 'PT')
    FROM seq_1_to_2000;
INSERT INTO orders
  SELECT seq, 1 + seq % 2000, ELT(1 + seq % 4, 'new', 'paid', 'shipped', 'closed'),
         IF(seq % 10 = 0, CONCAT('note ', seq), NULL),
         '2024-01-01' + INTERVAL (seq * 7) MINUTE
    FROM seq_1_to_5000;
INSERT INTO order_items
  SELECT seq, 1 + seq % 5000, CONCAT('sku-', seq % 300), 1 + seq % 5
    FROM seq_1_to_8000;
INSERT INTO events
  SELECT seq, 1 + seq % 2000, ELT(1 + seq % 10, 'login', 'logout', 'view', 'click', 'search',
                                  'cart', 'buy', 'refund', 'mail', 'error'),
         REPEAT('x', 40), '2024-01-01' + INTERVAL seq MINUTE
    FROM seq_1_to_20000;
ANALYZE TABLE countries, customers, orders, order_items, events;

-- ---- workload ----------------------------------------------------------

SELECT id, email, name FROM customers WHERE id = 144;
SELECT id, customer_id FROM orders WHERE status = 'new' AND created_at >= '2024-01-09' AND created_at < '2024-01-10';
SELECT id, created_at FROM events WHERE kind = 'refund' AND customer_id = 1000;
SELECT id, created_at FROM events WHERE kind = 'search' AND customer_id = 149;
SELECT id, email, name FROM customers WHERE id = 159;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 12;
SELECT id, email, name FROM customers WHERE id = 79;
SELECT id, email, name FROM customers WHERE id = 131;
SELECT id, customer_id FROM orders WHERE status = 'new' AND created_at >= '2024-01-13' AND created_at < '2024-01-14';
SELECT id, created_at FROM events WHERE kind = 'refund' AND customer_id = 260;
SELECT id, email, name FROM customers WHERE id = 458;
SELECT id, email, name FROM customers WHERE id = 846;
SELECT id, email, name FROM customers WHERE id = 898;
SELECT id, email, name FROM customers WHERE id = 1678;
SELECT id, email, name FROM customers WHERE id = 1951;
SELECT id, email, name FROM customers WHERE id = 950;
SELECT id, customer_id FROM orders WHERE status = 'paid' AND created_at >= '2024-01-02' AND created_at < '2024-01-03';
SELECT id, email, name FROM customers WHERE id = 729;
SELECT id, email, name FROM customers WHERE id = 1483;
SELECT id, email, name FROM customers WHERE id = 53;
SELECT code, name FROM countries WHERE name = 'Germany';
SELECT id, email, name FROM customers WHERE id = 690;
SELECT id, email, name FROM customers WHERE id = 1171;
SELECT id, email, name FROM customers WHERE id = 573;
SELECT id, email, name FROM customers WHERE id = 716;
SELECT id, email, name FROM customers WHERE id = 55;
SELECT id, email, name FROM customers WHERE id = 1132;
SELECT id, email, name FROM customers WHERE id = 677;
SELECT id, email, name FROM customers WHERE id = 367;
SELECT id, customer_id FROM orders WHERE status = 'closed' AND created_at >= '2024-01-08' AND created_at < '2024-01-09';
SELECT id, email FROM customers WHERE name = 'customer00001';
SELECT id, email, name FROM customers WHERE id = 1743;
SELECT id, email, name FROM customers WHERE id = 354;
SELECT id, email, name FROM customers WHERE id = 521;
SELECT id, email, name FROM customers WHERE id = 300;
SELECT id, customer_id FROM orders WHERE status = 'shipped' AND created_at >= '2024-01-07' AND created_at < '2024-01-08';
SELECT id, email, name FROM customers WHERE id = 1470;
SELECT id, email, name FROM customers WHERE id = 1158;
SELECT id, email, name FROM customers WHERE id = 365;
SELECT id, email, name FROM customers WHERE id = 16;
SELECT id, email, name FROM customers WHERE id = 302;
SELECT id, customer_id FROM orders WHERE status = 'closed' AND created_at >= '2024-01-04' AND created_at < '2024-01-05';
SELECT id, email, name FROM customers WHERE id = 456;
SELECT id, email, name FROM customers WHERE id = 313;
SELECT id, email, name FROM customers WHERE id = 586;
SELECT id, email, name FROM customers WHERE id = 1288;
SELECT id, email, name FROM customers WHERE id = 352;
SELECT code, name FROM countries WHERE name = 'Germany';
SELECT id, email, name FROM customers WHERE id = 107;
SELECT id, email, name FROM customers WHERE id = 276;
SELECT id, email, name FROM customers WHERE id = 261;
SELECT id, customer_id FROM orders WHERE status = 'shipped' AND created_at >= '2024-01-15' AND created_at < '2024-01-16';
SELECT id, email, name FROM customers WHERE id = 1496;
SELECT id, email, name FROM customers WHERE id = 1704;
SELECT id, created_at FROM events WHERE kind = 'view' AND customer_id = 815;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 12;
SELECT id, email, name FROM customers WHERE id = 1899;
SELECT id, email FROM customers WHERE name = 'customer00601';
SELECT id, email, name FROM customers WHERE id = 1665;
SELECT id, email, name FROM customers WHERE id = 274;
SELECT id, email, name FROM customers WHERE id = 222;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 10;
SELECT id, customer_id FROM orders WHERE status = 'closed' AND created_at >= '2024-01-16' AND created_at < '2024-01-17';
SELECT code, name FROM countries WHERE name = 'France';
SELECT id, email FROM customers WHERE name = 'customer00901';
SELECT id, email, name FROM customers WHERE id = 1795;
SELECT id, email, name FROM customers WHERE id = 1808;
SELECT id, email, name FROM customers WHERE id = 443;
SELECT id, created_at FROM events WHERE kind = 'mail' AND customer_id = 1037;
SELECT id, email, name FROM customers WHERE id = 1613;
SELECT code, name FROM countries WHERE name = 'Spain';
SELECT id, customer_id FROM orders WHERE status = 'new' AND created_at >= '2024-01-01' AND created_at < '2024-01-02';
SELECT id, email, name FROM customers WHERE id = 703;
SELECT id, email, name FROM customers WHERE id = 380;
SELECT id, created_at FROM events WHERE kind = 'logout' AND customer_id = 408;
SELECT id, email, name FROM customers WHERE id = 1600;
SELECT id, email, name FROM customers WHERE id = 963;
SELECT id, email, name FROM customers WHERE id = 1730;
SELECT code, name FROM countries WHERE name = 'Spain';
SELECT id, email, name FROM customers WHERE id = 68;
SELECT id, email, name FROM customers WHERE id = 1327;
SELECT id, email, name FROM customers WHERE id = 562;
SELECT id, email, name FROM customers WHERE id = 1015;
SELECT id, created_at FROM events WHERE kind = 'view' AND customer_id = 75;
SELECT id, email, name FROM customers WHERE id = 469;
SELECT id, email, name FROM customers WHERE id = 1301;
SELECT id, email, name FROM customers WHERE id = 820;
SELECT id, email, name FROM customers WHERE id = 1886;
SELECT id, email, name FROM customers WHERE id = 419;
SELECT id, email, name FROM customers WHERE id = 3;
SELECT code, name FROM countries WHERE name = 'Italy';
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 12;
SELECT id, email, name FROM customers WHERE id = 118;
SELECT id, email, name FROM customers WHERE id = 1444;
SELECT id, email, name FROM customers WHERE id = 404;
SELECT id, email, name FROM customers WHERE id = 1574;
SELECT code, name FROM countries WHERE name = 'Poland';
SELECT id, email, name FROM customers WHERE id = 1197;
SELECT id, email, name FROM customers WHERE id = 1275;
SELECT id, customer_id FROM orders WHERE status = 'shipped' AND created_at >= '2024-01-19' AND created_at < '2024-01-20';
SELECT id, email, name FROM customers WHERE id = 1067;
SELECT id, email FROM customers WHERE name = 'customer01201';
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 10;
SELECT id, email, name FROM customers WHERE id = 1418;
SELECT id, email, name FROM customers WHERE id = 1717;
SELECT id, email, name FROM customers WHERE id = 1106;
SELECT id, email, name FROM customers WHERE id = 172;
SELECT id, email, name FROM customers WHERE id = 1054;
SELECT id, customer_id FROM orders WHERE status = 'paid' AND created_at >= '2024-01-06' AND created_at < '2024-01-07';
SELECT id, created_at FROM events WHERE kind = 'error' AND customer_id = 334;
SELECT id, email, name FROM customers WHERE id = 1561;
SELECT id, email, name FROM customers WHERE id = 625;
SELECT id, email, name FROM customers WHERE id = 315;
SELECT id, created_at FROM events WHERE kind = 'view' AND customer_id = 445;
SELECT id, customer_id FROM orders WHERE status = 'shipped' AND created_at >= '2024-01-03' AND created_at < '2024-01-04';
SELECT id, email, name FROM customers WHERE id = 471;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 10;
SELECT id, created_at FROM events WHERE kind = 'login' AND customer_id = 1;
SELECT id, email, name FROM customers WHERE id = 1392;
SELECT id, created_at FROM events WHERE kind = 'buy' AND customer_id = 223;
SELECT code, name FROM countries WHERE name = 'France';
SELECT id, email, name FROM customers WHERE id = 1977;
SELECT id, created_at FROM events WHERE kind = 'search' AND customer_id = 519;
SELECT id, email, name FROM customers WHERE id = 211;
SELECT id, email, name FROM customers WHERE id = 339;
SELECT id, email, name FROM customers WHERE id = 1405;
SELECT id, created_at FROM events WHERE kind = 'mail' AND customer_id = 297;
SELECT id, email FROM customers WHERE name = 'customer00451';
SELECT id, email, name FROM customers WHERE id = 224;
SELECT id, email, name FROM customers WHERE id = 1340;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 12;
SELECT id, created_at FROM events WHERE kind = 'buy' AND customer_id = 963;
SELECT id, email, name FROM customers WHERE id = 1366;
SELECT id, email, name FROM customers WHERE id = 1782;
SELECT id, email, name FROM customers WHERE id = 1860;
SELECT id, email, name FROM customers WHERE id = 1847;
SELECT id, email, name FROM customers WHERE id = 289;
SELECT id, created_at FROM events WHERE kind = 'click' AND customer_id = 482;
SELECT code, name FROM countries WHERE name = 'Germany';
SELECT id, customer_id FROM orders WHERE status = 'closed' AND created_at >= '2024-01-12' AND created_at < '2024-01-13';
SELECT id, email, name FROM customers WHERE id = 664;
SELECT id, email, name FROM customers WHERE id = 833;
SELECT id, email, name FROM customers WHERE id = 1379;
SELECT id, email, name FROM customers WHERE id = 510;
SELECT id, email FROM customers WHERE name = 'customer00751';
SELECT id, created_at FROM events WHERE kind = 'logout' AND customer_id = 38;
SELECT id, customer_id FROM orders WHERE status = 'paid' AND created_at >= '2024-01-14' AND created_at < '2024-01-15';
SELECT id, email, name FROM customers WHERE id = 482;
SELECT code, name FROM countries WHERE name = 'Italy';
SELECT id, email, name FROM customers WHERE id = 1223;
SELECT id, created_at FROM events WHERE kind = 'click' AND customer_id = 112;
SELECT id, email, name FROM customers WHERE id = 341;
SELECT id, customer_id FROM orders WHERE status = 'paid' AND created_at >= '2024-01-18' AND created_at < '2024-01-19';
SELECT id, email, name FROM customers WHERE id = 1964;
SELECT id, email, name FROM customers WHERE id = 196;
SELECT id, created_at FROM events WHERE kind = 'logout' AND customer_id = 778;
SELECT id, email, name FROM customers WHERE id = 536;
SELECT id, email, name FROM customers WHERE id = 378;
SELECT id, email, name FROM customers WHERE id = 872;
SELECT id, email, name FROM customers WHERE id = 794;
SELECT id, email, name FROM customers WHERE id = 989;
SELECT id, email, name FROM customers WHERE id = 133;
SELECT id, email, name FROM customers WHERE id = 1769;
SELECT id, email, name FROM customers WHERE id = 1041;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 10;
SELECT id, email, name FROM customers WHERE id = 534;
SELECT id, email, name FROM customers WHERE id = 1431;
SELECT id, email, name FROM customers WHERE id = 937;
SELECT id, email, name FROM customers WHERE id = 94;
SELECT id, email, name FROM customers WHERE id = 575;
SELECT code, name FROM countries WHERE name = 'Spain';
SELECT id, email, name FROM customers WHERE id = 406;
SELECT id, email, name FROM customers WHERE id = 911;
SELECT id, email, name FROM customers WHERE id = 924;
SELECT code, name FROM countries WHERE name = 'Poland';
SELECT id, email, name FROM customers WHERE id = 40;
SELECT code, name FROM countries WHERE name = 'Poland';
SELECT id, email, name FROM customers WHERE id = 326;
SELECT id, email, name FROM customers WHERE id = 185;
SELECT code, name FROM countries WHERE name = 'Poland';
SELECT id, email FROM customers WHERE name = 'customer00151';
SELECT id, email, name FROM customers WHERE id = 1639;
SELECT id, email, name FROM customers WHERE id = 170;
SELECT id, email, name FROM customers WHERE id = 781;
SELECT id, email, name FROM customers WHERE id = 1145;
SELECT id, created_at FROM events WHERE kind = 'cart' AND customer_id = 186;
SELECT id, email, name FROM customers WHERE id = 755;
SELECT id, email, name FROM customers WHERE id = 484;
SELECT id, email, name FROM customers WHERE id = 885;
SELECT id, email, name FROM customers WHERE id = 1990;
SELECT id, email, name FROM customers WHERE id = 547;
SELECT code, name FROM countries WHERE name = 'Germany';
SELECT id, email, name FROM customers WHERE id = 1873;
SELECT code, name FROM countries WHERE name = 'Italy';
SELECT id, email FROM customers WHERE name = 'customer01351';
SELECT id, email, name FROM customers WHERE id = 638;
SELECT id, email, name FROM customers WHERE id = 1938;
SELECT id, email FROM customers WHERE name = 'customer00301';
SELECT id, created_at FROM events WHERE kind = 'cart' AND customer_id = 556;
SELECT id, created_at FROM events WHERE kind = 'buy' AND customer_id = 593;
SELECT id, email, name FROM customers WHERE id = 1821;
SELECT code, name FROM countries WHERE name = 'France';
SELECT id, email, name FROM customers WHERE id = 1184;
SELECT id, email, name FROM customers WHERE id = 508;
SELECT id, customer_id FROM orders WHERE status = 'closed' AND created_at >= '2024-01-04' AND created_at < '2024-01-05';
SELECT id, created_at FROM events WHERE kind = 'refund' AND customer_id = 630;
SELECT id, customer_id FROM orders WHERE status = 'shipped' AND created_at >= '2024-01-03' AND created_at < '2024-01-04';
SELECT id, email, name FROM customers WHERE id = 263;
SELECT id, customer_id FROM orders WHERE status = 'paid' AND created_at >= '2024-01-02' AND created_at < '2024-01-03';
SELECT id, email, name FROM customers WHERE id = 1262;
SELECT id, email, name FROM customers WHERE id = 1587;
SELECT id, email, name FROM customers WHERE id = 768;
SELECT id, email, name FROM customers WHERE id = 1912;
SELECT id, email, name FROM customers WHERE id = 549;
SELECT id, email, name FROM customers WHERE id = 651;
SELECT id, email, name FROM customers WHERE id = 328;
SELECT id, email FROM customers WHERE name = 'customer01051';
SELECT id, email, name FROM customers WHERE id = 1509;
SELECT id, email, name FROM customers WHERE id = 1457;
SELECT id, email, name FROM customers WHERE id = 146;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 11;
SELECT id, email, name FROM customers WHERE id = 1834;
SELECT id, created_at FROM events WHERE kind = 'login' AND customer_id = 371;
SELECT id, email, name FROM customers WHERE id = 588;
SELECT id, email, name FROM customers WHERE id = 1236;
SELECT id, email, name FROM customers WHERE id = 105;
SELECT code, name FROM countries WHERE name = 'Italy';
SELECT id, email, name FROM customers WHERE id = 120;
SELECT id, email, name FROM customers WHERE id = 157;
SELECT id, email, name FROM customers WHERE id = 1002;
SELECT id, email, name FROM customers WHERE id = 1314;
SELECT id, customer_id FROM orders WHERE status = 'shipped' AND created_at >= '2024-01-11' AND created_at < '2024-01-12';
SELECT id, created_at FROM events WHERE kind = 'mail' AND customer_id = 667;
SELECT id, email, name FROM customers WHERE id = 1626;
SELECT id, customer_id FROM orders WHERE status = 'closed' AND created_at >= '2024-01-20' AND created_at < '2024-01-21';
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 10;
SELECT id, email, name FROM customers WHERE id = 29;
SELECT id, email, name FROM customers WHERE id = 742;
SELECT id, email, name FROM customers WHERE id = 523;
SELECT id, email, name FROM customers WHERE id = 1249;
SELECT id, email, name FROM customers WHERE id = 1353;
SELECT id, customer_id FROM orders WHERE status = 'new' AND created_at >= '2024-01-01' AND created_at < '2024-01-02';
SELECT id, email, name FROM customers WHERE id = 1522;
SELECT id, created_at FROM events WHERE kind = 'login' AND customer_id = 741;
SELECT id, email, name FROM customers WHERE id = 417;
SELECT id, email, name FROM customers WHERE id = 198;
SELECT id, email, name FROM customers WHERE id = 1925;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 11;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 11;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 11;
SELECT id, email, name FROM customers WHERE id = 599;
SELECT id, customer_id FROM orders WHERE status = 'new' AND created_at >= '2024-01-17' AND created_at < '2024-01-18';
SELECT id, email, name FROM customers WHERE id = 1119;
SELECT code, name FROM countries WHERE name = 'France';
SELECT id, email, name FROM customers WHERE id = 1548;
SELECT code, name FROM countries WHERE name = 'Spain';
SELECT id, email, name FROM customers WHERE id = 1691;
SELECT id, email, name FROM customers WHERE id = 445;
SELECT id, customer_id FROM orders WHERE status = 'new' AND created_at >= '2024-01-05' AND created_at < '2024-01-06';
SELECT id, email, name FROM customers WHERE id = 976;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 12;
SELECT id, email, name FROM customers WHERE id = 27;
SELECT id, email, name FROM customers WHERE id = 248;
SELECT id, email, name FROM customers WHERE id = 81;
SELECT id, email, name FROM customers WHERE id = 859;
SELECT id, email, name FROM customers WHERE id = 287;
SELECT id, email, name FROM customers WHERE id = 807;
SELECT id, email, name FROM customers WHERE id = 1652;
SELECT id, email, name FROM customers WHERE id = 391;
SELECT id, email, name FROM customers WHERE id = 560;
SELECT id, kind FROM events ORDER BY created_at DESC LIMIT 11;
SELECT id, email, name FROM customers WHERE id = 1535;
SELECT id, email, name FROM customers WHERE id = 495;
SELECT id, created_at FROM events WHERE kind = 'click' AND customer_id = 852;
SELECT id, email, name FROM customers WHERE id = 1080;
SELECT id, created_at FROM events WHERE kind = 'cart' AND customer_id = 926;
SELECT id, email, name FROM customers WHERE id = 250;
SELECT id, email, name FROM customers WHERE id = 14;
SELECT id, email, name FROM customers WHERE id = 1093;
SELECT id, email, name FROM customers WHERE id = 430;
SELECT id, email, name FROM customers WHERE id = 1;
SELECT id, email, name FROM customers WHERE id = 432;
SELECT id, email, name FROM customers WHERE id = 209;
SELECT id, email, name FROM customers WHERE id = 1210;
SELECT id, email, name FROM customers WHERE id = 66;
SELECT id, email, name FROM customers WHERE id = 393;
SELECT id, email, name FROM customers WHERE id = 497;
SELECT id, email, name FROM customers WHERE id = 183;
SELECT id, created_at FROM events WHERE kind = 'error' AND customer_id = 704;
SELECT id, email, name FROM customers WHERE id = 1028;
SELECT id, customer_id FROM orders WHERE status = 'paid' AND created_at >= '2024-01-10' AND created_at < '2024-01-11';
SELECT id, created_at FROM events WHERE kind = 'error' AND customer_id = 1074;
SELECT id, email, name FROM customers WHERE id = 42;
SELECT id, email, name FROM customers WHERE id = 235;
SELECT id, customer_id FROM orders WHERE status = 'new' AND created_at >= '2024-01-05' AND created_at < '2024-01-06';
SELECT id, email, name FROM customers WHERE id = 92;
SELECT id, created_at FROM events WHERE kind = 'search' AND customer_id = 889;
SELECT id, email, name FROM customers WHERE id = 237;
SELECT id, email, name FROM customers WHERE id = 612;
SELECT id, email, name FROM customers WHERE id = 1756;
UPDATE countries SET name = 'Germany' WHERE code = 'DE';
UPDATE countries SET name = 'France' WHERE code = 'FR';
UPDATE countries SET name = 'Italy' WHERE code = 'IT';
UPDATE countries SET name = 'Spain' WHERE code = 'ES';
UPDATE countries SET name = 'Poland' WHERE code = 'PL';
