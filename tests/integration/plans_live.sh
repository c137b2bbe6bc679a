#!/usr/bin/env bash
# tests/integration/plans_live.sh CONFORM -- the plan parsers on plans a real server prints now.
#
# On a throwaway PostgreSQL 15: for queries chosen to produce most node types (scans of every
# kind, the three joins with their join types, sorts, aggregates, CTEs, SubPlans/InitPlans,
# Append, Gather, ModifyTable, SetOp, WindowAgg, LockRows...), EXPLAIN in JSON and in text must
# give the same tree (node labels, relations, indexes, estimates, costs, conditions, predicates,
# sort keys: `plans_conform agree`), and EXPLAIN ANALYZE in both formats must parse. On a
# throwaway MariaDB 10.11: EXPLAIN FORMAT=JSON and ANALYZE FORMAT=JSON of similar queries must
# parse into a tree naming every table the query reads.
set -u
CONFORM=${1:?usage: plans_live.sh path/to/plans_conform}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/dbpplans.XXXXXX)
chmod 755 "$tmp" # the servers run as the postgres and mysql users
PGP=$((55540 + $$ % 25)) MYP=$((55570 + $$ % 25))
cleanup() {
  "$SRC/scripts/pg-server.sh" stop "$tmp/pg" >/dev/null 2>&1
  "$SRC/scripts/mariadb-server.sh" stop "$tmp/my" >/dev/null 2>&1
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
  [ -n "${KEEP_TMP:-}" ] && echo "kept $tmp"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# ---- PostgreSQL ----------------------------------------------------------------------------
AUTO_EXPLAIN_MS=-1 "$SRC/scripts/pg-server.sh" start "$tmp/pg" "$PGP" >"$tmp/pg.out" 2>&1 ||
  { cat "$tmp/pg.out"; echo "FAIL: PostgreSQL did not start"; exit 1; }
export PGHOST=$tmp/pg/sock PGPORT=$PGP PGUSER=postgres PGDATABASE=postgres
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || { echo "FAIL: schema"; exit 1; }
create table customers(id serial primary key, email text not null, country text, note text);
create table orders(id serial primary key, customer_id int not null references customers(id),
                    status text not null, total numeric, created_at timestamp not null);
insert into customers(email, country) select 'u'||g||'@x.org', case when g%3=0 then 'fr' else 'de' end
  from generate_series(1, 5000) g;
insert into orders(customer_id, status, total, created_at)
  select 1 + (g % 5000), case when g % 10 = 0 then 'paid' else 'new' end, g % 100,
         timestamp '2024-01-01' + g * interval '1 minute' from generate_series(1, 100000) g;
create index orders_created_idx on orders(created_at);
create index orders_customer_idx on orders(customer_id);
create index customers_lower_email on customers(lower(email));
analyze;
SQL
i=0
while IFS='|' read -r gucs q; do
  [ -z "$q" ] && continue
  i=$((i + 1))
  export PGOPTIONS="$gucs"
  if ! psql -X -At -v ON_ERROR_STOP=1 -c "explain (format json, verbose) $q" >"$tmp/q$i.json" 2>"$tmp/q$i.err" ||
     ! psql -X -v ON_ERROR_STOP=1 -c "explain (verbose) $q" >"$tmp/q$i.txt" 2>>"$tmp/q$i.err"; then
    ko "query $i: $(cat "$tmp/q$i.err")"; continue
  fi
  if "$CONFORM" agree "$tmp/q$i.json" "$tmp/q$i.txt"; then ok; else ko "query $i: $q"; fi
  # plain EXPLAIN (no VERBOSE) too: relations without schema, conditions unqualified
  psql -X -At -c "explain (format json) $q" >"$tmp/p$i.json" 2>/dev/null
  psql -X -c "explain $q" >"$tmp/p$i.txt" 2>/dev/null
  if "$CONFORM" agree "$tmp/p$i.json" "$tmp/p$i.txt" >/dev/null; then ok; else
    ko "query $i (no verbose): $q"; "$CONFORM" agree "$tmp/p$i.json" "$tmp/p$i.txt"; fi
  case "$q" in update*|delete*|insert*) continue ;; esac
  psql -X -At -c "explain (analyze, buffers, format json) $q" >"$tmp/a$i.json" 2>/dev/null
  psql -X -c "explain (analyze, buffers) $q" >"$tmp/a$i.txt" 2>/dev/null
  for f in "$tmp/a$i.json:pg-json" "$tmp/a$i.txt:pg-text"; do
    out=$("$CONFORM" dump "${f##*:}" "${f%:*}")
    if [ $? -eq 0 ] && grep -q "analyzed=1" <<<"$out"; then ok; else ko "analyze $i ${f##*:}: $q"; fi
  done
done <<'QUERIES'
|select * from orders where status = 'paid' and total > 50
|select * from orders where id = 42
|select id from customers where id between 10 and 20
|select * from orders where customer_id in (1, 2, 3, 4, 5, 6, 7, 8)
|select o.id, c.email from orders o join customers c on c.id = o.customer_id where o.created_at > '2024-03-01' order by o.created_at desc limit 20
|select c.country, count(*) from orders o join customers c on c.id = o.customer_id where o.status in ('paid','new') group by c.country order by 2 desc
-c enable_hashjoin=off -c enable_nestloop=off|select count(*) from orders o join customers c on c.id = o.customer_id
|select c.id, count(o.id) from customers c left join orders o on o.customer_id = c.id group by c.id
|select * from customers c where exists (select 1 from orders o where o.customer_id = c.id and o.status = 'paid')
|select * from customers c where not exists (select 1 from orders o where o.customer_id = c.id)
|select * from customers where lower(email) = 'u5@x.org'
|with recent as materialized (select * from orders where created_at > '2024-03-01') select count(*) from recent r join customers c on c.id = r.customer_id
|select c.email, (select max(total) from orders o where o.customer_id = c.id) from customers c where c.id < 100
|select * from orders where total = (select max(total) from orders)
|select id from orders where status = 'paid' union all select id from customers where country = 'fr'
|select distinct country from customers
|select id, rank() over (partition by country order by id) from customers
|select * from (select customer_id, sum(total) s from orders group by customer_id) t where s > 1000
|select * from customers where id in (select customer_id from orders where total > 98) order by email
-c parallel_setup_cost=0 -c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0|select count(*) from orders where total > 10
|select * from customers order by id for update
|select id from customers intersect select customer_id from orders
|select * from (values (1, 'a'), (2, 'b')) v(x, y) where x > 1
|select g from generate_series(1, 10) g where g % 2 = 0
|select 1
|update orders set total = total + 1 where id = 7
|delete from orders where created_at < '2024-01-02'
QUERIES
"$SRC/scripts/pg-server.sh" stop "$tmp/pg" >/dev/null 2>&1

# ---- MariaDB -------------------------------------------------------------------------------
"$SRC/scripts/mariadb-server.sh" start "$tmp/my" "$MYP" >"$tmp/my.out" 2>&1 ||
  { cat "$tmp/my.out"; echo "FAIL: MariaDB did not start"; exit 1; }
M=(mariadb --defaults-file="$tmp/my/my.cnf" -uroot bench)
"${M[@]}" >/dev/null <<'SQL' || { echo "FAIL: MariaDB schema"; exit 1; }
create table customers(id int primary key auto_increment, email varchar(100) not null, country char(2),
                       key idx_country(country));
create table orders(id int primary key auto_increment, customer_id int not null, status varchar(10) not null,
                    total decimal(10,2), created_at datetime not null, key idx_created(created_at),
                    key idx_customer(customer_id));
insert into customers(email, country) select concat('u', seq, '@x.org'), if(seq % 3 = 0, 'fr', 'de') from seq_1_to_5000;
insert into orders(customer_id, status, total, created_at) select 1 + (seq % 5000), if(seq % 10 = 0, 'paid', 'new'),
  seq % 100, '2024-01-01' + interval seq minute from seq_1_to_50000;
analyze table customers, orders;
SQL
i=0
while IFS='|' read -r tables q; do
  [ -z "$q" ] && continue
  i=$((i + 1))
  for mode in "explain format=json" "analyze format=json"; do
    f="$tmp/m$i-${mode%% *}.json"
    if ! "${M[@]}" -N -r -B -e "$mode $q" >"$f" 2>"$tmp/m$i.err"; then
      ko "mariadb $i $mode: $(cat "$tmp/m$i.err")"; continue
    fi
    out=$("$CONFORM" dump my-json "$f")
    if [ $? -ne 0 ]; then ko "mariadb $i $mode: $out"; continue; fi
    missing=
    for t in $tables; do grep -q "rel=$t\b" <<<"$out" || missing="$missing $t"; done
    if [ -z "$missing" ]; then ok; else ko "mariadb $i $mode: no$missing in the tree: $q"; fi
  done
done <<'QUERIES'
orders|select * from orders where status = 'paid' and total > 50
orders|select * from orders where customer_id = 42
o c|select o.id, c.email from orders o join customers c on c.id = o.customer_id where o.created_at > '2024-01-20' order by o.created_at desc limit 20
o c|select c.country, count(*) from orders o join customers c on c.id = o.customer_id where o.status in ('paid','new') group by c.country order by 2 desc
c o|select * from customers c where exists (select 1 from orders o where o.customer_id = c.id and o.status = 'paid')
c o|select c.email, (select max(total) from orders o where o.customer_id = c.id) from customers c where c.id < 100
orders customers|select id from orders where status = 'paid' union select id from customers where country = 'fr'
orders|select * from (select customer_id, sum(total) s from orders group by customer_id) t where s > 1000
customers|select distinct country from customers
QUERIES

echo "plans_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
