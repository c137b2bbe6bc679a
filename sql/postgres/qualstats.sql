-- qualstats.sql -- pg_qualstats (2.0+; its view keeps this database's rows): the
-- columns that the statements with the given pg_stat_statements queryids ($1, a
-- bigint[]) compared with a constant or a parameter in a filter evaluated after a
-- scan (eval_type 'f'). Comparisons an index evaluated ('i') are left out, and so
-- are comparisons between two columns (joins). Summed over roles and constant
-- values. kind says how a default B-tree operator class serves the operator
-- (pg_amop strategy): 'eq' for = (3), 'range' for <, <=, >=, > (1, 2, 4, 5),
-- 'other' for anything else (<>, LIKE, ~, @>...). The most filtering first,
-- bounded. The schema placeholder is replaced by the extension's schema (quoted).
SELECT /* dbperf */
       q.queryid, n.nspname, c.relname, a.attname,
       CASE (SELECT min(ao.amopstrategy)
               FROM pg_amop ao
               JOIN pg_am am ON am.oid = ao.amopmethod AND am.amname = 'btree'
              WHERE ao.amopopr = q.opno
                AND EXISTS (SELECT 1 FROM pg_opclass oc
                             WHERE oc.opcfamily = ao.amopfamily AND oc.opcdefault))
            WHEN 3 THEN 'eq'
            WHEN 1 THEN 'range' WHEN 2 THEN 'range' WHEN 4 THEN 'range' WHEN 5 THEN 'range'
            ELSE 'other' END AS kind,
       sum(q.execution_count) AS execution_count,
       sum(q.nbfiltered) AS nbfiltered
  FROM @SCHEMA@.pg_qualstats q
  JOIN pg_class c ON c.oid = coalesce(q.lrelid, q.rrelid)
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = coalesce(q.lattnum, q.rattnum)
                     AND NOT a.attisdropped
 WHERE q.eval_type = 'f'
   AND (q.lrelid IS NULL) <> (q.rrelid IS NULL)
   AND q.queryid = ANY ($1::bigint[])
 GROUP BY q.queryid, n.nspname, c.relname, a.attnum, a.attname, q.opno
 ORDER BY sum(q.nbfiltered) DESC
 LIMIT 10000
