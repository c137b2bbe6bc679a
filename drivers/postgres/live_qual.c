/*
 * live_qual.c -- pg_qualstats' predicate columns for the plans dbperf got.
 *
 * pg_qualstats records, per statement (pg_stat_statements queryid), each
 * comparison of a column with a constant or parameter that the executor
 * evaluated, and whether an index evaluated it or a filter after a scan did.
 * For the statements explain attached a plan to, the columns compared in a
 * filter (qualstats.sql) are attached to the plan's scan nodes on those
 * relations as observed_preds, so that the missing-index rule builds its
 * candidates from what really ran rather than from a generic plan's text
 * alone. pg_qualstats cannot tell a comparison under an OR or a NOT from a
 * plain one; the rule therefore lets the plan's text say how a column it
 * names is compared.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>

#include "live_int.h"

/* One row of qualstats.sql: a column one statement filtered a relation on. */
struct qual_row {
    int64_t queryid;
    const char *schema, *relation, *column; /* snapshot arena */
    enum dbp_pred_op op;
    double filtered; /* rows the filters holding it discarded */
    size_t order;    /* position in the result (ties) */
};

static int opt_cmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* By statement, relation, then strongest use (EQ, IN, RANGE, OTHER), most filtering. */
static int row_cmp(const void *x, const void *y)
{
    const struct qual_row *a = x, *b = y;
    if (a->queryid != b->queryid)
        return a->queryid < b->queryid ? -1 : 1;
    int d = opt_cmp(a->schema, b->schema);
    if (!d)
        d = opt_cmp(a->relation, b->relation);
    if (d)
        return d;
    if (a->op != b->op)
        return a->op < b->op ? -1 : 1;
    if (a->filtered != b->filtered)
        return a->filtered > b->filtered ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* A node whose filter pg_qualstats may have seen: a full scan, or a scan with a residual filter. */
static bool filters_relation(const struct dbp_plan_node *n)
{
    if (!n->relation)
        return false;
    if (n->kind == DBP_NODE_FULL_SCAN)
        return true;
    return (n->kind == DBP_NODE_INDEX_SCAN || n->kind == DBP_NODE_INDEX_ONLY_SCAN ||
            n->kind == DBP_NODE_BITMAP_HEAP_SCAN) &&
           n->n_preds > 0;
}

/* Attach rows[0..n) (one statement's, sorted) to the nodes of the tree that scan their relation. */
static void attach(struct dbp_pg_ctx *c, struct dbp_snapshot *snap, struct dbp_plan_node *node,
                   const struct qual_row *rows, size_t n, int depth)
{
    if (!node || depth > 200)
        return;
    for (size_t i = 0; i < node->n_children; i++)
        attach(c, snap, node->children[i], rows, n, depth + 1);
    if (!filters_relation(node))
        return;
    size_t match = 0;
    for (size_t i = 0; i < n; i++)
        match += strcmp(rows[i].relation, node->relation) == 0 &&
                 (!node->schema || strcmp(rows[i].schema, node->schema) == 0);
    if (!match)
        return;
    struct dbp_pred *p = dbp_arena_alloc(snap->arena, match * sizeof *p);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].relation, node->relation) ||
            (node->schema && strcmp(rows[i].schema, node->schema)))
            continue;
        size_t j;
        for (j = 0; j < k; j++)
            if (strcmp(p[j].column, rows[i].column) == 0)
                break;
        if (j < k)
            continue; /* the same column with a weaker operator */
        p[k].column = rows[i].column;
        p[k].op = rows[i].op;
        k++;
    }
    node->observed_preds = p;
    node->n_observed_preds = k;
    node->observed_from = "pg_qualstats";
    c->n_qual_nodes++;
}

static enum dbp_pred_op kind_op(const char *kind)
{
    if (strcmp(kind, "eq") == 0)
        return DBP_PRED_EQ;
    if (strcmp(kind, "range") == 0)
        return DBP_PRED_RANGE;
    return DBP_PRED_OTHER;
}

int dbp_pg_qualstats(struct dbp_pg_ctx *c, struct dbp_snapshot *snap, struct dbp_error *err)
{
    if (!c->qualstats_version || c->stmts_snap != snap)
        return DBP_OK;
    struct dbp_buf ids = {0}, q = {0};
    PGresult *r = NULL;
    struct qual_row *rows = NULL;
    struct dbp_error e = {0};
    int rc = DBP_OK;
    /* the statements explain attached a plan to: pg_qualstats' rows for those only */
    size_t n_ids = 0;
    dbp_buf_putc(&ids, '{');
    for (size_t i = 0; i < c->n_stmts; i++) {
        const struct dbp_stmt *st = c->stmts[i];
        if (!st->plan || st->engine_id == 0)
            continue;
        dbp_buf_printf(&ids, "%s%lld", n_ids ? "," : "", (long long)st->engine_id);
        n_ids++;
    }
    dbp_buf_putc(&ids, '}');
    if (n_ids == 0)
        goto out;
    const char *param = ids.data;
    if (dbp_pg_sql(&q, "qualstats.sql", c->qualstats_schema, &e) != DBP_OK ||
        dbp_pg_exec(c, "qualstats.sql", q.data, 1, &param, &r, &e) != DBP_OK) {
        if (e.code == DBP_ERR_CONNECT)
            rc = dbp_error_set(err, e.code, "%s", e.message);
        else
            dbp_snapshot_diag(snap,
                              "%s/%s: pg_qualstats unreadable, index candidates use the plans' "
                              "columns alone: %s",
                              c->instance, c->database, e.message);
        goto out;
    }
    int f_qid = PQfnumber(r, "queryid"), f_ns = PQfnumber(r, "nspname"),
        f_rel = PQfnumber(r, "relname"), f_att = PQfnumber(r, "attname"),
        f_kind = PQfnumber(r, "kind"), f_filt = PQfnumber(r, "nbfiltered");
    int nr = PQntuples(r);
    if (nr <= 0 || f_qid < 0 || f_ns < 0 || f_rel < 0 || f_att < 0 || f_kind < 0)
        goto out;
    rows = dbp_xcalloc((size_t)nr, sizeof *rows);
    size_t n = 0;
    for (int i = 0; i < nr; i++) {
        if (PQgetisnull(r, i, f_qid) || PQgetisnull(r, i, f_ns) || PQgetisnull(r, i, f_rel) ||
            PQgetisnull(r, i, f_att) || PQgetisnull(r, i, f_kind))
            continue;
        struct qual_row *w = &rows[n];
        w->queryid = dbp_pg_int(r, i, f_qid, 0);
        w->schema = dbp_pg_arena_str(snap, r, i, f_ns);
        w->relation = dbp_pg_arena_str(snap, r, i, f_rel);
        w->column = dbp_pg_arena_str(snap, r, i, f_att);
        w->op = kind_op(PQgetvalue(r, i, f_kind));
        w->filtered = dbp_pg_double(r, i, f_filt, 0.0);
        w->order = n++;
    }
    c->n_qual_rows += (unsigned)n;
    qsort(rows, n, sizeof *rows, row_cmp);
    /* every plan of those statements (explain's, and a log's for the same class) */
    for (size_t i = 0; i < snap->plans.n; i++) {
        struct dbp_plan *p = snap->plans.items[i];
        if (p->engine != DBP_ENGINE_POSTGRES || !p->stmt || !p->stmt->engine_id || !p->root)
            continue;
        int64_t qid = p->stmt->engine_id;
        size_t lo = 0, hi = n;
        while (lo < hi) { /* first row of qid */
            size_t mid = lo + (hi - lo) / 2;
            if (rows[mid].queryid < qid)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t end = lo;
        while (end < n && rows[end].queryid == qid)
            end++;
        if (end > lo)
            attach(c, snap, p->root, rows + lo, end - lo, 0);
    }
out:
    free(rows);
    PQclear(r);
    dbp_buf_free(&q);
    dbp_buf_free(&ids);
    return rc;
}
