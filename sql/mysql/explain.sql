-- explain.sql: the plan of one example statement; EXPLAIN does not run it.
EXPLAIN FORMAT=JSON :statement
