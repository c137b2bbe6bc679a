/*
 * rules/seq_scan.c -- the seq-scan rule: full scans of large relations.
 *
 * Walks every plan for full-scan nodes (Seq Scan, MySQL access type ALL,
 * MongoDB COLLSCAN) on relations of at least min_rows rows and reports each
 * relation once, with the statements that scan it as evidence, the filter
 * columns and the rows read (relation rows x loops x calls). Statement
 * aggregates that examine far more rows than they return (MySQL
 * rows_examined vs rows_sent, MongoDB docsExamined vs nreturned) are
 * reported too when no plan already explains them. Worst (most rows read)
 * first.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/rules.h>

#include "../ddl.h"

#define MAX_COLS  16
#define MAX_STMTS 8

struct rel {
    enum dbp_engine engine;
    const char *database, *schema, *name;
    const struct dbp_table *table;
    double rel_rows;  /* best known size of the relation (rows) */
    double rows_read; /* over all executions */
    double calls;
    double keep_frac; /* smallest fraction of the rows read that a scan returned; NaN */
    bool filtered;    /* some scan had a filter */
    double max_loops; /* most times one execution scanned it (nested loop inner side) */
    const char *cols[MAX_COLS];
    size_t n_cols;
    struct dbp_stmt *stmts[MAX_STMTS];
    size_t n_stmts, n_stmts_all;
    struct dbp_stmt *worst; /* statement reading the most rows */
    double worst_read;
    const char *origin; /* a bare plan's origin */
};

struct state {
    const struct dbp_snapshot *snap;
    double min_rows;
    struct rel *rels;
    size_t n, cap;
    const struct dbp_stmt **seen; /* statements with a reported full scan */
    size_t n_seen, cap_seen;
};

static int eq_opt(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static double nz(double v, double dflt)
{
    return v == v ? v : dflt;
}

static double max_known(double a, double b)
{
    if (a != a)
        return b;
    if (b != b)
        return a;
    return a > b ? a : b;
}

static struct rel *rel_for(struct state *s, enum dbp_engine e, const char *db, const char *schema,
                           const char *name)
{
    for (size_t i = 0; i < s->n; i++) {
        struct rel *r = &s->rels[i];
        if (r->engine == e && strcmp(r->name, name) == 0 && eq_opt(r->schema, schema) &&
            eq_opt(r->database, db))
            return r;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->rels = dbp_xrealloc(s->rels, s->cap * sizeof *s->rels);
    }
    struct rel *r = &s->rels[s->n++];
    memset(r, 0, sizeof *r);
    r->engine = e;
    r->database = db;
    r->schema = schema;
    r->name = name;
    r->rel_rows = NAN;
    r->keep_frac = NAN;
    r->worst_read = -1;
    return r;
}

static void add_col(struct rel *r, const char *col)
{
    if (!col)
        return;
    for (size_t i = 0; i < r->n_cols; i++)
        if (strcmp(r->cols[i], col) == 0)
            return;
    if (r->n_cols < MAX_COLS)
        r->cols[r->n_cols++] = col;
}

#define UNDER_GATHER 0x1u /* a parallel worker's share: loops are workers, not rescans */
#define UNDER_JOIN   0x2u

static void scan_node(struct state *s, const struct dbp_plan *p, const struct dbp_plan_node *n,
                      unsigned under)
{
    unsigned below = under;
    if (n->kind == DBP_NODE_GATHER)
        below |= UNDER_GATHER;
    if (n->kind == DBP_NODE_JOIN || n->kind == DBP_NODE_HASH)
        below |= UNDER_JOIN;
    for (size_t i = 0; i < n->n_children; i++)
        scan_node(s, p, n->children[i], below);
    if (n->kind != DBP_NODE_FULL_SCAN || !n->relation)
        return;
    bool has_filter = n->n_preds || n->condition;
    double loops = (under & UNDER_GATHER) ? 1 : nz(n->loops, 1);
    /* an unfiltered scan read once as a hash/merge join input is how joins of whole tables
     * work; an unfiltered scan repeated by a nested loop is not */
    if (!has_filter && loops <= 1 && (under & UNDER_JOIN))
        return;
    struct dbp_stmt *st = p->stmt;
    const char *db = st ? st->database : NULL;
    const char *schema = n->schema;
    if (p->engine != DBP_ENGINE_POSTGRES && schema) {
        db = schema; /* MySQL / MongoDB: the node's schema is the database */
        schema = NULL;
    }
    const struct dbp_table *t = dbp_ddl_find_table(s->snap, p->engine, db, schema, n->relation);
    double rel_rows;
    if (t && t->rows >= 0)
        rel_rows = (double)t->rows;
    else
        rel_rows = max_known(max_known(n->rows_examined, n->act_rows), n->est_rows);
    if (!(rel_rows >= s->min_rows))
        return;
    if (t) {
        db = t->database ? t->database : db;
        schema = t->schema ? t->schema : schema;
    }
    struct rel *r = rel_for(s, p->engine, db, schema, n->relation);
    r->table = t;
    r->rel_rows = max_known(r->rel_rows, rel_rows);
    double per_loop =
        n->rows_examined == n->rows_examined && !(t && t->rows >= 0) ? n->rows_examined : rel_rows;
    double calls = st && st->agg.calls ? (double)st->agg.calls : 1;
    double read = per_loop * loops * calls;
    if (loops > r->max_loops)
        r->max_loops = loops;
    r->rows_read += read;
    r->calls += calls;
    if (n->n_preds || n->condition)
        r->filtered = true;
    for (size_t i = 0; i < n->n_preds; i++)
        add_col(r, n->preds[i].column);
    double frac = NAN;
    if (n->act_rows == n->act_rows && n->rows_examined > 0)
        frac = n->act_rows / n->rows_examined;
    else if ((n->n_preds || n->condition) && n->est_rows == n->est_rows && rel_rows > 0)
        frac = n->est_rows / rel_rows;
    if (frac == frac && (r->keep_frac != r->keep_frac || frac < r->keep_frac))
        r->keep_frac = frac > 1 ? 1 : frac;
    if (st) {
        if (s->n_seen == s->cap_seen) {
            s->cap_seen = s->cap_seen ? s->cap_seen * 2 : 16;
            s->seen = dbp_xrealloc(s->seen, s->cap_seen * sizeof *s->seen);
        }
        s->seen[s->n_seen++] = st;
        size_t i;
        for (i = 0; i < r->n_stmts; i++)
            if (r->stmts[i] == st)
                break;
        if (i == r->n_stmts) {
            r->n_stmts_all++;
            if (r->n_stmts < MAX_STMTS)
                r->stmts[r->n_stmts++] = st;
        }
        if (read > r->worst_read) {
            r->worst_read = read;
            r->worst = st;
        }
    } else if (!r->origin) {
        r->origin = p->origin;
    }
}

/* a statement from an aggregate only */
struct agg_hint {
    struct dbp_stmt *st;
    double per_call, returned_per_call, ratio;
};

struct pending {
    double weight;
    struct rel *rel;
    const struct dbp_table *tbl; /* from the catalog's counters alone */
    struct agg_hint hint;
};

static int pending_cmp(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return 0;
}

static int stmt_seen(const struct state *s, const struct dbp_stmt *st)
{
    for (size_t i = 0; i < s->n_seen; i++)
        if (s->seen[i] == st)
            return 1;
    return 0;
}

static double s_max_kept(const struct dbp_rule_ctx *ctx)
{
    return dbp_rule_param(ctx, "max_kept_fraction");
}

static void emit_rel(struct dbp_rule_ctx *ctx, struct rel *r)
{
    struct dbp_snapshot *snap = dbp_rule_snapshot(ctx);
    struct dbp_arena *a = snap->arena;
    struct dbp_finding *f = dbp_rule_emit(ctx);
    f->engine = r->engine;
    f->object = dbp_ddl_relation(a, r->engine, r->database, r->schema, r->name);
    f->fpid = r->worst ? r->worst->fpid : 0;

    struct dbp_buf m = {0};
    dbp_buf_printf(&m, "full scan of %s (%s rows", f->object, dbp_ddl_count(a, r->rel_rows));
    if (r->table && r->table->size_bytes >= 0)
        dbp_buf_printf(&m, ", %s", dbp_ddl_bytes(a, (double)r->table->size_bytes));
    dbp_buf_putc(&m, ')');
    if (r->n_cols) {
        dbp_buf_puts(&m, " filtering on ");
        for (size_t i = 0; i < r->n_cols; i++)
            dbp_buf_printf(&m, "%s%s", i ? ", " : "", r->cols[i]);
    } else if (r->filtered) {
        dbp_buf_puts(&m, " with a filter");
    } else {
        dbp_buf_puts(&m, " with no filter");
    }
    if (r->n_stmts_all)
        dbp_buf_printf(&m, " in %zu statement%s (%s call%s", r->n_stmts_all,
                       r->n_stmts_all == 1 ? "" : "s", dbp_ddl_count(a, r->calls),
                       r->calls == 1 ? "" : "s");
    else
        dbp_buf_printf(&m, " in a saved plan (%s", r->origin ? r->origin : "no statement");
    dbp_buf_printf(&m, ", ~%s rows read)", dbp_ddl_count(a, r->rows_read));
    if (r->keep_frac == r->keep_frac && r->filtered)
        dbp_buf_printf(&m, "; keeps %.3g%% of the rows it reads", r->keep_frac * 100);
    bool weak = false;
    if (r->max_loops > 1) {
        /* the inner side of a nested loop: the whole relation once per outer row */
        dbp_buf_printf(&m,
                       "; rescanned %s times per execution by a nested loop: index the "
                       "join column",
                       dbp_ddl_count(a, r->max_loops));
    } else if (!r->filtered) {
        /* an index cannot help a scan that wants every row */
        dbp_buf_puts(&m, "; reads every row: fine for batch jobs and reports, otherwise add a "
                         "selective condition or a LIMIT");
        weak = true;
    } else if (r->keep_frac == r->keep_frac && r->keep_frac >= s_max_kept(ctx)) {
        dbp_buf_puts(&m, ": the filter keeps most rows, so an index would not help");
        weak = true;
    }
    if (weak && f->severity > DBP_SEV_INFO)
        f->severity = DBP_SEV_INFO;
    f->message = dbp_arena_strndup(a, m.data, m.len);
    dbp_buf_free(&m);

    dbp_finding_add_evidence(snap, f, "relation_rows", r->rel_rows, NULL);
    if (r->table && r->table->size_bytes >= 0)
        dbp_finding_add_evidence(snap, f, "relation_bytes", (double)r->table->size_bytes, NULL);
    if (r->table && r->table->seq_scans >= 0)
        dbp_finding_add_evidence(snap, f, "table_seq_scans", (double)r->table->seq_scans, NULL);
    dbp_finding_add_evidence(snap, f, "rows_read", r->rows_read, NULL);
    dbp_finding_add_evidence(snap, f, "calls", r->calls, NULL);
    if (r->keep_frac == r->keep_frac)
        dbp_finding_add_evidence(snap, f, "returned_fraction", r->keep_frac, NULL);
    for (size_t i = 0; i < r->n_cols; i++)
        dbp_finding_add_evidence(snap, f, "filter_column", NAN, r->cols[i]);
    dbp_finding_add_evidence(snap, f, "statements", (double)r->n_stmts_all, NULL);
    for (size_t i = 0; i < r->n_stmts; i++)
        dbp_finding_add_evidence(snap, f, "statement", NAN, dbp_ddl_fpid(a, r->stmts[i]->fpid));
    if (r->origin)
        dbp_finding_add_evidence(snap, f, "plan", NAN, r->origin);
}

static void emit_table(struct dbp_rule_ctx *ctx, const struct dbp_table *t)
{
    struct dbp_snapshot *snap = dbp_rule_snapshot(ctx);
    struct dbp_arena *a = snap->arena;
    struct dbp_finding *f = dbp_rule_emit(ctx);
    f->engine = t->engine;
    f->object = dbp_ddl_relation(a, t->engine, t->database, t->schema, t->name);
    double read =
        t->seq_rows_read >= 0 ? (double)t->seq_rows_read : (double)t->rows * (double)t->seq_scans;
    struct dbp_buf m = {0};
    dbp_buf_printf(&m, "%s (%s rows", f->object, dbp_ddl_count(a, (double)t->rows));
    if (t->size_bytes >= 0)
        dbp_buf_printf(&m, ", %s", dbp_ddl_bytes(a, (double)t->size_bytes));
    dbp_buf_printf(&m, "): %s full scans read ~%s rows since the counters started",
                   dbp_ddl_count(a, (double)t->seq_scans), dbp_ddl_count(a, read));
    if (t->idx_scans >= 0)
        dbp_buf_printf(&m, ", against %s index scans", dbp_ddl_count(a, (double)t->idx_scans));
    dbp_buf_puts(&m, "; no plan names the statements: EXPLAIN the top statements on it");
    f->message = dbp_arena_strndup(a, m.data, m.len);
    dbp_buf_free(&m);
    dbp_finding_add_evidence(snap, f, "relation_rows", (double)t->rows, NULL);
    if (t->size_bytes >= 0)
        dbp_finding_add_evidence(snap, f, "relation_bytes", (double)t->size_bytes, NULL);
    dbp_finding_add_evidence(snap, f, "table_seq_scans", (double)t->seq_scans, NULL);
    dbp_finding_add_evidence(snap, f, "rows_read", read, NULL);
    if (t->idx_scans >= 0)
        dbp_finding_add_evidence(snap, f, "table_idx_scans", (double)t->idx_scans, NULL);
    if (t->instance)
        dbp_finding_add_evidence(snap, f, "instance", NAN, t->instance);
}

static void emit_hint(struct dbp_rule_ctx *ctx, const struct agg_hint *h)
{
    struct dbp_snapshot *snap = dbp_rule_snapshot(ctx);
    struct dbp_arena *a = snap->arena;
    const struct dbp_stmt *st = h->st;
    struct dbp_finding *f = dbp_rule_emit(ctx);
    f->engine = st->engine;
    f->object = dbp_ddl_fpid(a, st->fpid);
    f->fpid = st->fpid;
    f->message = dbp_arena_printf(
        a,
        "statement examines %s rows per call to return %s (%s:1) over %s call%s: likely a full "
        "scan or an unselective index; no plan to confirm: %s",
        dbp_ddl_count(a, h->per_call), dbp_ddl_count(a, h->returned_per_call),
        dbp_ddl_count(a, h->ratio), dbp_ddl_count(a, (double)st->agg.calls),
        st->agg.calls == 1 ? "" : "s", dbp_ddl_snippet(a, st->text, 80));
    dbp_finding_add_evidence(snap, f, "rows_examined_per_call", h->per_call, NULL);
    dbp_finding_add_evidence(snap, f, "rows_returned_per_call", h->returned_per_call, NULL);
    dbp_finding_add_evidence(snap, f, "examined_ratio", h->ratio, NULL);
    dbp_finding_add_evidence(snap, f, "calls", (double)st->agg.calls, NULL);
    if (st->database)
        dbp_finding_add_evidence(snap, f, "database", NAN, st->database);
}

static int run(const struct dbp_snapshot *snap, struct dbp_rule_ctx *ctx, struct dbp_error *err)
{
    (void)err;
    struct state s = {.snap = snap, .min_rows = dbp_rule_param(ctx, "min_rows")};
    double min_ratio = dbp_rule_param(ctx, "min_examined_ratio");
    for (size_t i = 0; i < snap->plans.n; i++) {
        const struct dbp_plan *p = snap->plans.items[i];
        if (p->root)
            scan_node(&s, p, p->root, 0);
    }
    struct pending *todo = dbp_xcalloc(s.n + snap->stmts.n + 1, sizeof *todo);
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++) {
        todo[n].weight = s.rels[i].rows_read;
        todo[n++].rel = &s.rels[i];
    }
    for (size_t i = 0; i < snap->stmts.n; i++) {
        struct dbp_stmt *st = snap->stmts.items[i];
        const struct dbp_agg *g = &st->agg;
        if ((g->flags & (DBP_AGG_ROWS_EXAMINED | DBP_AGG_ROWS_RETURNED)) !=
                (DBP_AGG_ROWS_EXAMINED | DBP_AGG_ROWS_RETURNED) ||
            g->calls == 0 || stmt_seen(&s, st))
            continue;
        double per_call = (double)g->rows_examined / (double)g->calls;
        double ret = (double)g->rows_returned / (double)g->calls;
        /* per call, with at least one row returned per call (UPDATE/DELETE send none) */
        double ratio = (double)g->rows_examined /
                       (double)(g->rows_returned > g->calls ? g->rows_returned : g->calls);
        if (per_call < s.min_rows || ratio < min_ratio)
            continue;
        todo[n].weight = (double)g->rows_examined;
        todo[n].hint = (struct agg_hint){st, per_call, ret, ratio};
        n++;
    }
    /* tables whose counters show many large full scans that no plan explains */
    double min_scans = dbp_rule_param(ctx, "min_table_seq_scans");
    todo = dbp_xrealloc(todo, (n + snap->tables.n + 1) * sizeof *todo);
    for (size_t i = 0; i < snap->tables.n; i++) {
        const struct dbp_table *t = snap->tables.items[i];
        if (t->seq_scans <= 0 || (double)t->seq_scans < min_scans || !t->name)
            continue;
        double per_scan = t->seq_rows_read >= 0 ? (double)t->seq_rows_read / (double)t->seq_scans
                                                : (double)t->rows;
        if (!(per_scan >= s.min_rows))
            continue;
        size_t k;
        for (k = 0; k < s.n; k++)
            if (s.rels[k].table == t || dbp_ddl_same_relation(t->engine, s.rels[k].database,
                                                              s.rels[k].schema, s.rels[k].name, t))
                break;
        if (k < s.n)
            continue; /* a plan already shows it, with its statements */
        memset(&todo[n], 0, sizeof todo[n]);
        todo[n].weight = per_scan * (double)t->seq_scans;
        todo[n++].tbl = t;
    }
    qsort(todo, n, sizeof *todo, pending_cmp);
    for (size_t i = 0; i < n; i++) {
        if (todo[i].rel)
            emit_rel(ctx, todo[i].rel);
        else if (todo[i].tbl)
            emit_table(ctx, todo[i].tbl);
        else
            emit_hint(ctx, &todo[i].hint);
    }
    free(todo);
    free(s.rels);
    free(s.seen);
    return 0;
}

static const struct dbp_param params[] = {
    {"min_rows", 10000, "rows", "smallest relation (or rows examined per call) reported"},
    {"min_examined_ratio", 100, "ratio", "rows examined per row returned (aggregates)"},
    {"max_kept_fraction", 0.5, "ratio", "a filter keeping more of the rows makes it info"},
    {"min_table_seq_scans", 100, "count", "full scans in a table's counters (no plan)"},
};

const struct dbp_rule dbp_rule_seq_scan = {
    .id = "seq-scan",
    .severity = DBP_SEV_WARNING,
    .summary = "full scans of large tables; rows examined far above rows returned",
    .explain =
        "A full scan (PostgreSQL Seq Scan, MySQL access type ALL, MongoDB COLLSCAN) reads every "
        "row of the relation for each execution, so its cost grows with the table, not with the "
        "result. On small tables that is the cheapest plan and planners rightly choose it; this "
        "rule only looks at relations of at least min_rows rows (the table's row count when "
        "known, otherwise the rows the plan read or expected). Each relation is reported once, "
        "with the statements that scan it, the columns their filters constrain (the material for "
        "an index: see missing-index), the share of the rows read that the filter keeps, and the "
        "rows read in total (relation rows x loops x calls), which orders the findings. A scan "
        "with no filter at all wants every row, and one whose filter keeps at least "
        "max_kept_fraction of the rows read gains little from an index: both are info, unless "
        "a nested loop rescans the relation once per outer row (then the join column wants an "
        "index). Unfiltered scans read once as hash or merge join inputs are not reported, and "
        "the loops of parallel workers are not counted as rescans. Without a plan, a statement "
        "whose aggregate shows at least min_rows rows examined "
        "per call and min_examined_ratio rows examined per row returned (MySQL rows_examined vs "
        "rows_sent, MongoDB docsExamined vs nreturned) is reported as a likely full scan or "
        "unselective index; EXPLAIN it to see which. Finally, a table whose own counters "
        "(PostgreSQL pg_stat_user_tables) show at least min_table_seq_scans full scans of at "
        "least min_rows rows each, and that no plan explains, is reported with those counters.",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .run = run,
};
