-- analyze_mariadb.sql: MariaDB's plan of one example SELECT with actual rows and times
-- (--analyze). It RUNS the statement: SELECT only, in the read-only session, under
-- max_statement_time.
ANALYZE FORMAT=JSON :statement
