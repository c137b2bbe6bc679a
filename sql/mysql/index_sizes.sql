-- index_sizes.sql: InnoDB's persistent statistics: pages of every index times the page size.
SELECT database_name, table_name, index_name, stat_value * @@innodb_page_size
  FROM mysql.innodb_index_stats
 WHERE stat_name = 'size'
   AND (:schema IS NULL OR database_name = :schema)
