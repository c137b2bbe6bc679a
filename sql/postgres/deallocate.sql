-- deallocate.sql -- drop the prepared statement again.
DEALLOCATE dbperf_stmt
