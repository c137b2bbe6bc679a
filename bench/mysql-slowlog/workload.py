#!/usr/bin/env python3
"""workload.py SEED N -- print a mixed SQL workload for the `bench` database
(shop schema: customers, orders, items; point lookups, IN lists, joins, an
N+1 loop, full scans, updates, inserts, transactions). One client session runs
it; several run in parallel to give several thread ids."""
import random
import sys

seed, n = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(seed)
out = []
w = out.append
for i in range(n):
    k = rnd.randrange(100)
    c = rnd.randint(1, 2000)
    o = rnd.randint(1, 20000)
    if k < 20:
        w("SELECT * FROM orders WHERE id = %d;" % o)
    elif k < 30:
        w("SELECT id, total FROM orders WHERE customer_id = %d ORDER BY created_at DESC LIMIT 10;" % c)
    elif k < 40:
        # N+1: an order, then its items one query each
        w("SELECT * FROM orders WHERE customer_id = %d LIMIT 1;" % c)
        for _ in range(rnd.randint(3, 8)):
            w("SELECT * FROM items WHERE order_id = %d;" % rnd.randint(1, 20000))
    elif k < 48:
        w("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id "
          "WHERE o.id IN (%s);" % ",".join(str(rnd.randint(1, 20000)) for _ in range(rnd.randint(2, 12))))
    elif k < 53:
        w("SELECT COUNT(*) FROM orders WHERE note LIKE '%%%s%%';" % rnd.choice(["gift", "rush", "x"]))
    elif k < 60:
        w("SELECT * FROM customers WHERE email = 'user%d@example.com';" % c)
    elif k < 70:
        w("UPDATE orders SET status = '%s' WHERE id = %d;" % (rnd.choice(["paid", "shipped", "new"]), o))
    elif k < 78:
        w("INSERT INTO items (order_id, sku, qty, price) VALUES (%d, 'SKU-%d', %d, %d.%02d);"
          % (o, rnd.randint(1, 500), rnd.randint(1, 5), rnd.randint(1, 99), rnd.randint(0, 99)))
    elif k < 84:
        w("BEGIN;")
        w("UPDATE customers SET last_order = NOW() WHERE id = %d;" % c)
        w("INSERT INTO orders (customer_id, status, total, note, created_at) VALUES (%d, 'new', %d, 'n%d', NOW());"
          % (c, rnd.randint(1, 500), i))
        w("COMMIT;")
    elif k < 90:
        w("SELECT customer_id, SUM(total) FROM orders WHERE created_at > NOW() - INTERVAL %d DAY "
          "GROUP BY customer_id ORDER BY 2 DESC LIMIT 5;" % rnd.randint(1, 30))
    elif k < 95:
        w("SELECT i.sku, SUM(i.qty) FROM items i JOIN orders o ON o.id = i.order_id "
          "WHERE o.status = 'paid' AND i.price > %d GROUP BY i.sku LIMIT 20;" % rnd.randint(1, 90))
    else:
        w("SELECT * FROM orders WHERE total BETWEEN %d AND %d;" % (rnd.randint(1, 100), rnd.randint(100, 500)))
print("\n".join(out))
