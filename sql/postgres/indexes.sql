-- indexes.sql -- indexes of this database: key columns in order (with DESC /
-- NULLS FIRST from indoption; INCLUDE columns left out), method, definition,
-- predicate, what they back (primary key, unique / exclusion constraint,
-- replica identity, a foreign key whose referencing columns are the index's
-- leading columns), validity, size and scans. Columns are joined by chr(31).
SELECT /* dbperf */
       n.nspname, t.relname AS tablename, ic.relname AS indexname,
       (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true)
                          || CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                          || CASE WHEN i.indoption[k - 1] & 2 = 2
                                   AND i.indoption[k - 1] & 1 = 0 THEN ' NULLS FIRST'
                                  WHEN i.indoption[k - 1] & 2 = 0
                                   AND i.indoption[k - 1] & 1 = 1 THEN ' NULLS LAST'
                                  ELSE '' END,
                          chr(31) ORDER BY k)
          FROM generate_series(1, i.indnkeyatts) AS k) AS columns,
       am.amname, pg_get_indexdef(i.indexrelid) AS definition,
       pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
       i.indisprimary, i.indisunique, i.indisvalid, i.indisreplident,
       i.indexprs IS NOT NULL AS is_expression,
       (SELECT string_agg(con.contype::text, '') FROM pg_constraint con
         WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
           AND con.contype IN ('p', 'u', 'x')) AS contypes,
       EXISTS (SELECT 1 FROM pg_constraint fk
                WHERE fk.contype = 'f' AND fk.conrelid = i.indrelid
                  AND i.indpred IS NULL
                  AND cardinality(fk.conkey) <= i.indnkeyatts
                  AND (SELECT array_agg(i.indkey[s]::smallint)
                         FROM generate_series(0, cardinality(fk.conkey) - 1) AS s)
                      @> fk.conkey
                  AND fk.conkey @> (SELECT array_agg(i.indkey[s]::smallint)
                         FROM generate_series(0, cardinality(fk.conkey) - 1) AS s)) AS backs_fk,
       pg_relation_size(i.indexrelid) AS size_bytes,
       s.idx_scan
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  JOIN pg_am am ON am.oid = ic.relam
  LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
 ORDER BY pg_relation_size(i.indexrelid) DESC
 LIMIT 20000
