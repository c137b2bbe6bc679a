-- explain.sql -- prefix of the EXPLAIN sent for a statement without parameters
-- (the statement's text follows).
EXPLAIN /* dbperf */ (FORMAT JSON)
