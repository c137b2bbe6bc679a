-- explain_generic.sql -- prefix of the generic plan of a parameterized
-- statement on PostgreSQL 16 and later.
EXPLAIN /* dbperf */ (GENERIC_PLAN, FORMAT JSON)
