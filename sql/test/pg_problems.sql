-- pg_problems.sql -- a PostgreSQL test schema with known problems and healthy
-- parts, and the workload that exposes them (run with psql -v ON_ERROR_STOP=1;
-- uses \gexec so that every workload statement is a top-level statement).
--
-- Problems (what a correct audit reports):
--   * orders (100k rows) is scanned by a frequent query on the unindexed
--     column customer_email (missing index; hypopg: cost drops > 50%);
--   * orders_status_idx: a non-unique index never scanned (unused);
--   * orders_cust_idx (customer_id) is a left prefix of
--     orders_cust_created_idx (customer_id, created_at) (redundant);
--   * orders_external_ref_key: a UNIQUE constraint's index never scanned --
--     unused, but NOT droppable (it enforces the constraint).
-- Healthy parts (must NOT be flagged):
--   * lookups of orders by primary key (orders_pkey, scanned);
--   * countries: a small table read by sequential scans;
--   * order_items_order_idx backs the foreign key order_items.order_id.
-- Also: a partial index, an expression index, an exclusion constraint, a
-- partitioned table.
DROP TABLE IF EXISTS order_items, orders, countries, bookings, events CASCADE;

CREATE TABLE countries (
    id int PRIMARY KEY,
    code text NOT NULL,
    name text NOT NULL
);
INSERT INTO countries
SELECT g, 'C' || g, 'Country ' || g FROM generate_series(1, 20) g;

CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id int NOT NULL,
    customer_email text NOT NULL,
    status text NOT NULL,
    external_ref text NOT NULL,
    total numeric(10, 2) NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT orders_external_ref_key UNIQUE (external_ref)
);
INSERT INTO orders
SELECT g, g % 5000, 'user' || g || '@example.com',
       (ARRAY['new', 'paid', 'shipped', 'pending'])[1 + g % 4],
       'REF-' || g, (g % 997) + 0.5, timestamptz '2024-01-01' + g * interval '1 minute'
  FROM generate_series(1, 100000) g;
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_cust_idx ON orders (customer_id);
CREATE INDEX orders_cust_created_idx ON orders (customer_id, created_at DESC);
CREATE INDEX orders_pending_idx ON orders (created_at) WHERE status = 'pending';
CREATE INDEX orders_lower_ref_idx ON orders (lower(external_ref));

CREATE TABLE order_items (
    id bigint PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id),
    sku text NOT NULL,
    qty int NOT NULL
);
INSERT INTO order_items SELECT g, 1 + g % 100000, 'SKU-' || (g % 300), 1 + g % 3
  FROM generate_series(1, 20000) g;
CREATE INDEX order_items_order_idx ON order_items (order_id);
-- the index carries an INCLUDE column: its key is still (order_id)
CREATE INDEX order_items_sku_idx ON order_items (sku) INCLUDE (qty);

CREATE TABLE bookings (
    id int PRIMARY KEY,
    room int NOT NULL,
    during tsrange NOT NULL,
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&)
);

CREATE TABLE events (
    id bigint NOT NULL,
    at date NOT NULL
) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

ANALYZE;

-- the workload starts from zeroed counters
SELECT pg_stat_statements_reset();
SELECT pg_stat_reset();

-- missing index: 30 lookups by e-mail, each a sequential scan of orders
SELECT format('SELECT id, total FROM orders WHERE customer_email = %L',
              'user' || (g * 3001) || '@example.com')
  FROM generate_series(1, 30) g \gexec
-- healthy: primary-key lookups
SELECT format('SELECT id, status, total FROM orders WHERE id = %s', g * 7)
  FROM generate_series(1, 200) g \gexec
-- healthy: a small table scanned
SELECT format('SELECT name FROM countries WHERE code = %L', 'C' || g)
  FROM generate_series(1, 50) g \gexec
-- uses orders_cust_created_idx (and so its prefix orders_cust_idx may stay unused)
SELECT format('SELECT id FROM orders WHERE customer_id = %s ORDER BY created_at DESC LIMIT 5', g)
  FROM generate_series(1, 40) g \gexec
-- items of an order, through the foreign key's index
SELECT format('SELECT sku, qty FROM order_items WHERE order_id = %s', g * 11)
  FROM generate_series(1, 40) g \gexec
