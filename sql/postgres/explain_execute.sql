-- explain_execute.sql -- before PostgreSQL 16: the generic plan of the
-- prepared statement, executed with NULLs (followed by "(NULL, ...)").
EXPLAIN /* dbperf */ (FORMAT JSON) EXECUTE dbperf_stmt
