-- userstat.sql: whether MariaDB/Percona user statistics are being collected.
SELECT @@global.userstat
