-- prepare.sql -- before PostgreSQL 16: prepare a parameterized statement with
-- parameter types left to the server (the statement's text follows).
PREPARE /* dbperf */ dbperf_stmt AS
