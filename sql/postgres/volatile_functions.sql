-- volatile_functions.sql -- which of the functions a statement calls ($1, a
-- text[] of names) are volatile: EXPLAIN ANALYZE runs the statement, and a
-- volatile function may act outside the transaction that is rolled back
-- (pg_stat_statements_reset(), pg_terminate_backend(), pg_sleep()...), so
-- such a statement is only explained, never analyzed.
SELECT /* dbperf */ string_agg(DISTINCT p.proname, ', ') AS volatile_functions
  FROM pg_proc p
 WHERE p.proname = ANY ($1::text[]) AND p.provolatile = 'v'
