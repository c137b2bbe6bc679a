-- explain_verbose.sql -- before an EXPLAIN ANALYZE: the plan with every
-- expression (VERBOSE), to see the functions views and inlined SQL functions
-- would call (the statement's text follows). Plans only; runs nothing.
EXPLAIN /* dbperf */ (VERBOSE, FORMAT JSON)
