/*
 * predicate.h -- columns a condition constrains, and how (engine-agnostic).
 *
 * Plan parsers hand the raw condition text of a node (PostgreSQL's Filter,
 * Index Cond, Recheck Cond, Hash Cond; MySQL/MariaDB's attached_condition,
 * index_condition) to dbp_preds_from_condition, which tokenizes it (no
 * regular expressions) and returns one struct dbp_pred per distinct column:
 *   EQ    col = value, col IS NULL, a bare boolean column
 *   IN    col IN (...), col = ANY (...)
 *   RANGE <, <=, >, >=, BETWEEN, LIKE 'prefix%'
 *   OTHER anything else: the column under a function, <>, NOT, NOT IN,
 *         LIKE '%x', and every column of a term below an OR.
 * Only terms connected by AND at the top level get EQ/IN/RANGE. Columns are
 * unqualified ("`shop`.`o`.`status`" -> "status", "(s.id)::text" -> "id"),
 * each listed once with its strongest use (EQ before IN before RANGE before
 * OTHER), in order of first appearance. Any bytes are accepted.
 */
#ifndef DBPERF_PREDICATE_H
#define DBPERF_PREDICATE_H

#include <stddef.h>

#include <dbperf/model.h>

struct dbp_arena;

/*
 * Parse cond (NUL-terminated; NULL or "" gives 0) into *out, an array in
 * arena a (NULL when the result is 0); returns the number of entries.
 * qualifier: when not NULL, columns qualified by another name ("o.x" with
 * qualifier "u") are left out -- the other side of a join condition; an
 * unqualified column is always kept. Compared case-insensitively.
 */
size_t dbp_preds_from_condition(struct dbp_arena *a, const char *cond, const char *qualifier,
                                struct dbp_pred **out);

/*
 * Merge the n_add entries of add into the array *preds of *n (both in arena
 * a), keeping each column once with its strongest op. Returns the new count.
 */
size_t dbp_preds_merge(struct dbp_arena *a, struct dbp_pred **preds, size_t n,
                       const struct dbp_pred *add, size_t n_add);

/*
 * Parse a sort key list ("a, b DESC", "`t`.`c` desc", "(COALESCE(x, y)) NULLS
 * FIRST"), len bytes at list, into *out (arena a; NULL when 0); returns the
 * count. A plain column is unqualified; an expression is kept as text.
 * Top-level commas separate keys.
 */
size_t dbp_sortkeys_parse(struct dbp_arena *a, const char *list, size_t len,
                          struct dbp_sortkey **out);

#endif
