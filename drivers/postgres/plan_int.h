/*
 * plan_int.h -- pieces shared by the PostgreSQL plan parsers (plan_json.c,
 * plan_text.c), implemented in plan_common.c.
 */
#ifndef DBPERF_PG_PLAN_INT_H
#define DBPERF_PG_PLAN_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <dbperf/model.h>

struct dbp_buf;

/*
 * Normalized kind of a node from its name as EXPLAIN's text format prints it
 * ("Parallel Seq Scan", "Hash Left Join", "HashAggregate", "Update") or as
 * its JSON "Node Type" spells it ("ModifyTable", "Aggregate").
 */
enum dbp_node_kind dbp_pg_node_kind(const char *name);

/* 1 when the "on X" of a node named name is a table (Seq Scan, Update...), not a CTE,
 * function, subquery or values list. */
bool dbp_pg_node_on_relation(const char *name);

/*
 * One condition line of a node: key is "Filter", "Index Cond", "Recheck Cond",
 * "Hash Cond", "Merge Cond", "Join Filter", "TID Cond", "One-Time Filter".
 * Appends the text to n->condition and fills n->preds (filters) or
 * n->index_preds (index conditions). Other keys are ignored.
 */
void dbp_pg_node_condition(struct dbp_snapshot *snap, struct dbp_plan_node *n, const char *key,
                           const char *text, size_t len);

/* After the tree is built: relation of Bitmap Index Scans from their heap scan,
 * rows_examined of scans; sets plan->analyzed from the root. */
void dbp_pg_plan_finish(struct dbp_plan *plan, bool analyzed);

/*
 * psql output to plain lines: table borders (ASCII and Unicode), the
 * "QUERY PLAN" header, separator lines and the "(N rows)" footer become
 * empty lines, so line numbers are kept. With json, psql's newline markers
 * (a trailing '+' or a Unicode return arrow) are removed too; without it, a
 * line quoted whole ('...') as some GUI tools copy it is unquoted. out is
 * cleared first.
 */
void dbp_pg_clean_psql(const char *text, size_t len, bool json, struct dbp_buf *out);

/*
 * Attach plan to the statement class of query (fingerprinted the
 * pg_stat_statements way) and add it to the snapshot. query may be NULL
 * (the plan is added bare).
 */
void dbp_pg_plan_attach(struct dbp_snapshot *snap, struct dbp_plan *plan, const char *query,
                        size_t len);

#endif
