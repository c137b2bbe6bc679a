-- deallocate.sql -- drop the prepared statement again.
DEALLOCATE /* dbperf */ dbperf_stmt
