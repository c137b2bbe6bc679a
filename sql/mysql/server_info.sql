-- server_info.sql: who we are talking to, and the server's clock (epoch seconds).
-- VERSION() tells MariaDB from MySQL; @@hostname:@@port names the instance.
SELECT VERSION(), @@version_comment, @@hostname, @@port, UNIX_TIMESTAMP(NOW(6))
