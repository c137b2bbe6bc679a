#!/usr/bin/env bash
# sql/demo/workload.sh ENGINE -- print the demo application's statements for ENGINE (pg|mysql):
# one session that lists recent orders and then fetches each order's customer one by one (the
# N+1 pattern), reports that scan orders by status and date, and healthy primary-key lookups.
set -euo pipefail
engine=${1:?usage: workload.sh pg|mysql}
for round in $(seq 1 6); do
  status=$(echo new paid shipped delivered cancelled | cut -d' ' -f$((1 + round % 5)))
  echo "SELECT id, customer_id, total FROM orders WHERE status = '$status' ORDER BY created_at DESC LIMIT 20;"
  for k in $(seq 1 20); do
    echo "SELECT id, name, email FROM customers WHERE id = $(( (round * 131 + k * 977) % 20000 + 1 ));"
  done
  echo "SELECT count(*) FROM orders WHERE created_at >= '2026-0$((1 + round % 9))-01' AND created_at < '2026-0$((2 + round % 8))-01';"
  echo "SELECT p.name, sum(i.qty) FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = $((round * 4 + 1)) GROUP BY p.name;"
  echo "SELECT id, name, price FROM products WHERE price < $((20 + round)) ORDER BY price;"
  echo "SELECT * FROM orders WHERE customer_id = $((round * 17)) ORDER BY created_at DESC LIMIT 5;"
done
