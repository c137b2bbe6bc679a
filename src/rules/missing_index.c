/*
 * rules/missing_index.c -- the missing-index rule: a candidate index for
 * full scans of large relations.
 *
 * For each full-scan node on a relation of at least min_rows rows whose
 * filter constrains columns an index can serve (and each index scan that
 * reads min_rows rows per execution and filters most of them away: its
 * index condition and filter columns together), the candidate's key is
 * built in ESR order (MongoDB's Equality, Sort, Range rule, which is also
 * how a B-tree is used): equality columns first (=, IS NULL, then IN), then
 * the keys of a sort above the scan (when it sorts this relation alone),
 * then the first range column. Columns a driver saw the statement filter the
 * relation on while it ran (node->observed_preds: pg_qualstats) are taken
 * first, and added when the plan's text lacks them; the plan's text still says
 * how a column it names is compared, and the finding says where its columns
 * came from (evidence predicates_from). Candidates already served by the
 * leading columns of a valid index are dropped, a candidate that is a left prefix
 * of another on the same relation is folded into the longer one, and each
 * remaining candidate is reported once, with the statements it serves, the
 * engine's DDL as the suggestion (src/ddl.c) and f->candidate/candidate_stmt
 * for a driver to verify (hypopg). Worst (most rows read) first.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/rules.h>

#include "../ddl.h"

#define MAX_KEY   16
#define MAX_STMTS 8

struct cand {
    enum dbp_engine engine;
    const char *database, *schema, *table;
    const struct dbp_table *t;
    const char *cols[MAX_KEY]; /* "a", "b DESC" */
    size_t n_cols;
    size_t n_eq, n_sort, n_range;
    double rel_rows;
    double rows_read;
    double calls;
    double keep_frac; /* NaN */
    struct dbp_stmt *stmts[MAX_STMTS];
    size_t n_stmts, n_stmts_all;
    struct dbp_stmt *worst;
    double worst_read;
    const char *origin;
    const char *via_index; /* set when it improves an index scan with a large filter */
    bool full_scan;        /* it replaces a full scan */
    bool dropped;          /* folded into a longer candidate */
    /* who saw some of its seek columns run ("pg_qualstats"), NULL if nobody; plan_cols:
     * some came from the plan's text alone */
    const char *observed_from;
    bool plan_cols;
};

struct state {
    const struct dbp_snapshot *snap;
    struct dbp_arena *arena;
    double min_rows, max_fraction, max_columns;
    struct cand *c;
    size_t n, cap;
};

static double max_known(double a, double b)
{
    if (a != a)
        return b;
    if (b != b)
        return a;
    return a > b ? a : b;
}

static int eq_opt(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Length of a key entry's column without " DESC"/" ASC". */
static size_t base_len(const char *col)
{
    size_t n = strlen(col);
    if (n > 5 && strcasecmp(col + n - 5, " DESC") == 0)
        return n - 5;
    if (n > 4 && strcasecmp(col + n - 4, " ASC") == 0)
        return n - 4;
    return n;
}

static int same_col(const char *a, const char *b)
{
    size_t na = base_len(a), nb = base_len(b);
    return na == nb && strncmp(a, b, na) == 0;
}

static int is_scan(const struct dbp_plan_node *n)
{
    return n->kind == DBP_NODE_FULL_SCAN || n->kind == DBP_NODE_INDEX_SCAN ||
           n->kind == DBP_NODE_INDEX_ONLY_SCAN || n->kind == DBP_NODE_BITMAP_HEAP_SCAN;
}

static size_t count_scans(const struct dbp_plan_node *n)
{
    size_t c = is_scan(n) && n->relation ? 1 : 0;
    for (size_t i = 0; i < n->n_children; i++)
        c += count_scans(n->children[i]);
    return c;
}

/* A sort key as a column of this relation, or NULL (expression, other relation). */
static const char *sort_column(const struct dbp_plan *p, const struct dbp_plan_node *scan,
                               const char *col)
{
    if (!col || !*col || strchr(col, '(') || strchr(col, ' '))
        return NULL;
    if (p->engine == DBP_ENGINE_MONGODB)
        return col; /* dotted field paths are fields */
    const char *dot = strrchr(col, '.');
    if (!dot)
        return col;
    size_t q = (size_t)(dot - col);
    if ((scan->alias && strlen(scan->alias) == q && strncmp(col, scan->alias, q) == 0) ||
        (strlen(scan->relation) == q && strncmp(col, scan->relation, q) == 0))
        return dot + 1;
    return NULL;
}

static int has_col(const char *const *cols, size_t n, const char *col)
{
    for (size_t i = 0; i < n; i++)
        if (same_col(cols[i], col))
            return 1;
    return 0;
}

static struct cand *cand_for(struct state *s, const struct cand *k)
{
    for (size_t i = 0; i < s->n; i++) {
        struct cand *c = &s->c[i];
        if (c->engine != k->engine || strcmp(c->table, k->table) || !eq_opt(c->schema, k->schema) ||
            !eq_opt(c->database, k->database) || c->n_cols != k->n_cols)
            continue;
        size_t j;
        for (j = 0; j < c->n_cols; j++)
            if (strcmp(c->cols[j], k->cols[j]))
                break;
        if (j == c->n_cols)
            return c;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->c = dbp_xrealloc(s->c, s->cap * sizeof *s->c);
    }
    struct cand *c = &s->c[s->n++];
    *c = *k;
    c->rows_read = 0;
    c->calls = 0;
    c->keep_frac = NAN;
    c->n_stmts = c->n_stmts_all = 0;
    c->via_index = NULL;
    c->full_scan = false;
    c->worst = NULL;
    c->worst_read = -1;
    c->origin = NULL;
    c->observed_from = NULL;
    c->plan_cols = false;
    return c;
}

/* 1 if a valid index on the relation starts with every column of k, in order. */
static int covered(const struct state *s, const struct cand *k)
{
    for (size_t i = 0; i < s->snap->indexes.n; i++) {
        const struct dbp_index *ix = s->snap->indexes.items[i];
        if (ix->engine != k->engine || !ix->table || strcmp(ix->table, k->table))
            continue;
        if (ix->flags & (DBP_IDX_INVALID | DBP_IDX_PARTIAL))
            continue;
        if (k->t ? !dbp_ddl_index_on(ix, k->t)
                 : !((!k->schema || !ix->schema || strcmp(k->schema, ix->schema) == 0) &&
                     (!k->database || !ix->database || strcmp(k->database, ix->database) == 0)))
            continue;
        if (ix->method && strcasecmp(ix->method, "btree") && strcmp(ix->method, "1") &&
            strcmp(ix->method, "-1"))
            continue; /* hash, gin, FULLTEXT, 2dsphere...: no ordered prefix */
        if (ix->n_columns < k->n_cols)
            continue;
        size_t j;
        for (j = 0; j < k->n_cols; j++)
            if (!same_col(ix->columns[j], k->cols[j]))
                break;
        if (j == k->n_cols)
            return 1;
    }
    return 0;
}

static void consider(struct state *s, const struct dbp_plan *p, const struct dbp_plan_node *n,
                     const struct dbp_plan_node *sort, bool parallel)
{
    struct dbp_stmt *st = p->stmt;
    const char *db = st ? st->database : NULL;
    const char *schema = n->schema;
    if (p->engine != DBP_ENGINE_POSTGRES && schema) {
        db = schema;
        schema = NULL;
    }
    const struct dbp_table *t = dbp_ddl_find_table(s->snap, p->engine, db, schema, n->relation);
    bool full = n->kind == DBP_NODE_FULL_SCAN;
    /* under Gather the loops are workers sharing one read, not rescans */
    double loops = parallel || n->loops != n->loops ? 1 : n->loops;
    double rel_rows, frac = NAN;
    if (full) {
        rel_rows = t && t->rows >= 0
                       ? (double)t->rows
                       : max_known(max_known(n->rows_examined, n->act_rows), n->est_rows);
        if (!(rel_rows >= s->min_rows))
            return;
        if (n->act_rows == n->act_rows && n->rows_examined > 0)
            frac = n->act_rows / n->rows_examined;
        else if (n->est_rows == n->est_rows && rel_rows > 0)
            frac = n->est_rows / rel_rows;
    } else {
        /* an index scan whose residual filter throws most of what it reads away */
        if (!n->n_preds || !(n->rows_examined > 0) || n->act_rows != n->act_rows ||
            !(n->rows_examined * loops >= s->min_rows))
            return;
        rel_rows = t && t->rows >= 0 ? (double)t->rows : n->rows_examined;
        frac = n->act_rows / n->rows_examined;
    }
    if (frac == frac && frac > s->max_fraction)
        return; /* the filter keeps too much: a scan is the right plan */
    /* the plan's columns: the index condition's, then the filter's */
    const struct dbp_pred *plan_p[64];
    size_t n_plan = 0;
    for (size_t i = 0; i < n->n_index_preds && !full && n_plan < 64; i++)
        plan_p[n_plan++] = &n->index_preds[i];
    for (size_t i = 0; i < n->n_preds && n_plan < 64; i++)
        plan_p[n_plan++] = &n->preds[i];
    /* the columns seen filtered while the statement ran (pg_qualstats) first, in the
     * driver's order; for a column the plan names, the plan's op: its text shows an OR
     * or a NOT around the comparison, which such counters do not */
    const struct dbp_pred *all[64];
    bool observed[64];
    bool placed[64] = {false};
    size_t n_all = 0;
    for (size_t i = 0; i < n->n_observed_preds && n_all < 64; i++) {
        const struct dbp_pred *o = &n->observed_preds[i];
        if (!o->column)
            continue;
        size_t j;
        for (j = 0; j < n_all; j++)
            if (all[j]->column && same_col(all[j]->column, o->column))
                break;
        if (j < n_all)
            continue; /* listed already, with a stronger use */
        const struct dbp_pred *use = o;
        for (j = 0; j < n_plan; j++)
            if (!placed[j] && plan_p[j]->column && same_col(plan_p[j]->column, o->column)) {
                use = plan_p[j];
                placed[j] = true;
                break;
            }
        observed[n_all] = true;
        all[n_all++] = use;
    }
    for (size_t j = 0; j < n_plan && n_all < 64; j++)
        if (!placed[j]) {
            observed[n_all] = false;
            all[n_all++] = plan_p[j];
        }

    struct cand k;
    memset(&k, 0, sizeof k);
    k.engine = p->engine;
    k.t = t;
    k.table = n->relation;
    k.database = t && t->database ? t->database : db;
    k.schema = t && t->schema ? t->schema : schema;
    size_t max_cols = s->max_columns >= 1 ? (size_t)s->max_columns : 1;
    if (max_cols > MAX_KEY)
        max_cols = MAX_KEY;
    size_t n_seen = 0; /* seek columns among the observed ones */
    /* E: equality, then IN lists */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n_all && k.n_cols < max_cols; i++) {
            const struct dbp_pred *pr = all[i];
            if (!pr->column || pr->op != (pass ? DBP_PRED_IN : DBP_PRED_EQ) ||
                has_col(k.cols, k.n_cols, pr->column))
                continue;
            k.cols[k.n_cols++] = pr->column;
            k.n_eq++;
            n_seen += observed[i];
        }
    size_t n_filter = k.n_eq;
    /* S: the keys of a sort over this relation alone */
    if (sort) {
        for (size_t i = 0; i < sort->n_sort_keys && k.n_cols < max_cols; i++) {
            const char *col = sort_column(p, n, sort->sort_keys[i].column);
            if (!col) {
                break; /* an expression or another relation: the rest cannot use the index */
            }
            if (has_col(k.cols, k.n_cols, col))
                continue;
            k.cols[k.n_cols++] =
                sort->sort_keys[i].desc ? dbp_arena_printf(s->arena, "%s DESC", col) : col;
            k.n_sort++;
        }
    }
    /* R: one range column (a B-tree seeks on one range, the rest would be filtered) */
    for (size_t i = 0; i < n_all && k.n_cols < max_cols; i++) {
        const struct dbp_pred *pr = all[i];
        if (!pr->column || pr->op != DBP_PRED_RANGE || has_col(k.cols, k.n_cols, pr->column))
            continue;
        k.cols[k.n_cols++] = pr->column;
        k.n_range++;
        n_filter++;
        n_seen += observed[i];
        break;
    }
    if (n_filter == 0)
        return; /* nothing an index can seek on */
    if (covered(s, &k))
        return;

    struct cand *c = cand_for(s, &k);
    c->rel_rows = max_known(c->rel_rows, rel_rows);
    double calls = st && st->agg.calls ? (double)st->agg.calls : 1;
    double per_loop = n->rows_examined == n->rows_examined && !(full && t && t->rows >= 0)
                          ? n->rows_examined
                          : rel_rows;
    double read = per_loop * loops * calls;
    if (n_seen && !c->observed_from)
        c->observed_from = n->observed_from ? n->observed_from : "the server";
    if (n_seen < n_filter)
        c->plan_cols = true;
    if (full)
        c->full_scan = true;
    else if (!c->via_index)
        c->via_index = n->index ? n->index : "an index";
    c->rows_read += read;
    c->calls += calls;
    if (frac == frac && (c->keep_frac != c->keep_frac || frac < c->keep_frac))
        c->keep_frac = frac;
    if (st) {
        size_t i;
        for (i = 0; i < c->n_stmts; i++)
            if (c->stmts[i] == st)
                break;
        if (i == c->n_stmts) {
            c->n_stmts_all++;
            if (c->n_stmts < MAX_STMTS)
                c->stmts[c->n_stmts++] = st;
        }
        if (read > c->worst_read) {
            c->worst_read = read;
            c->worst = st;
        }
    } else if (!c->origin) {
        c->origin = p->origin;
    }
}

static void walk(struct state *s, const struct dbp_plan *p, const struct dbp_plan_node *n,
                 const struct dbp_plan_node *sort, bool parallel)
{
    if (n->kind == DBP_NODE_SORT && n->n_sort_keys && count_scans(n) == 1)
        sort = n;
    for (size_t i = 0; i < n->n_children; i++)
        walk(s, p, n->children[i], sort, parallel || n->kind == DBP_NODE_GATHER);
    /* MongoDB: FETCH with a filter over an IXSCAN is one index scan with a residual filter */
    if (n->kind == DBP_NODE_FETCH && n->n_preds && n->n_children == 1 &&
        n->children[0]->kind == DBP_NODE_INDEX_SCAN) {
        const struct dbp_plan_node *ix = n->children[0];
        struct dbp_plan_node merged = *ix;
        merged.relation = n->relation ? n->relation : ix->relation;
        merged.schema = n->schema ? n->schema : ix->schema;
        merged.preds = n->preds;
        merged.n_preds = n->n_preds;
        merged.act_rows = n->act_rows;
        /* documents examined: the FETCH's own count, else what the index scan returned */
        merged.rows_examined =
            n->rows_examined == n->rows_examined ? n->rows_examined : ix->act_rows;
        if (merged.relation)
            consider(s, p, &merged, sort, parallel);
        return;
    }
    if (n->relation &&
        (n->kind == DBP_NODE_FULL_SCAN || n->kind == DBP_NODE_INDEX_SCAN ||
         n->kind == DBP_NODE_INDEX_ONLY_SCAN || n->kind == DBP_NODE_BITMAP_HEAP_SCAN))
        consider(s, p, n, sort, parallel);
}

/* Fold b into a (a serves b's statements). */
static void fold(struct cand *a, struct cand *b)
{
    a->rows_read += b->rows_read;
    a->calls += b->calls;
    a->full_scan |= b->full_scan;
    if (!a->via_index)
        a->via_index = b->via_index;
    if (b->keep_frac == b->keep_frac &&
        (a->keep_frac != a->keep_frac || b->keep_frac < a->keep_frac))
        a->keep_frac = b->keep_frac;
    for (size_t i = 0; i < b->n_stmts; i++) {
        size_t j;
        for (j = 0; j < a->n_stmts; j++)
            if (a->stmts[j] == b->stmts[i])
                break;
        if (j < a->n_stmts)
            continue;
        a->n_stmts_all++;
        if (a->n_stmts < MAX_STMTS)
            a->stmts[a->n_stmts++] = b->stmts[i];
    }
    if (b->worst_read > a->worst_read) {
        a->worst_read = b->worst_read;
        a->worst = b->worst;
    }
    if (!a->origin)
        a->origin = b->origin;
    if (!a->observed_from)
        a->observed_from = b->observed_from;
    a->plan_cols |= b->plan_cols;
    b->dropped = true;
}

static int cand_cmp(const void *x, const void *y)
{
    const struct cand *a = *(const struct cand *const *)x, *b = *(const struct cand *const *)y;
    if (a->rows_read != b->rows_read)
        return a->rows_read > b->rows_read ? -1 : 1;
    return 0;
}

static const char *verify_note(struct dbp_arena *a, const struct cand *c)
{
    switch (c->engine) {
    case DBP_ENGINE_POSTGRES:
        if (c->observed_from)
            return dbp_arena_printf(a,
                                    "unverified: built from the plan's filter and sort columns "
                                    "and the predicates %s saw; not checked with a hypothetical "
                                    "index (hypopg) on the server",
                                    c->observed_from);
        return "unverified: built from the plan's filter and sort columns; not checked with a "
               "hypothetical index (hypopg) on the server";
    case DBP_ENGINE_MYSQL:
        return "unverified: MySQL has no hypothetical indexes; EXPLAIN the statement after "
               "creating the index (on a replica first)";
    case DBP_ENGINE_MONGODB:
        return "unverified: check with explain(\"executionStats\") after creating the index";
    default:
        return "unverified: built from the plan's filter and sort columns";
    }
}

static void emit(struct dbp_rule_ctx *ctx, const struct cand *c)
{
    struct dbp_snapshot *snap = dbp_rule_snapshot(ctx);
    struct dbp_arena *a = snap->arena;
    struct dbp_index *ix = dbp_arena_alloc(a, sizeof *ix);
    ix->engine = c->engine;
    ix->database = c->database;
    ix->schema = c->schema;
    ix->table = c->table;
    ix->columns = dbp_arena_alloc(a, c->n_cols * sizeof *ix->columns);
    for (size_t i = 0; i < c->n_cols; i++)
        ix->columns[i] = c->cols[i];
    ix->n_columns = c->n_cols;
    ix->size_bytes = -1;
    ix->scans = -1;

    struct dbp_finding *f = dbp_rule_emit(ctx);
    f->engine = c->engine;
    const char *rel = dbp_ddl_relation(a, c->engine, c->database, c->schema, c->table);
    const char *cols = dbp_ddl_columns(a, ix);
    f->object = dbp_arena_printf(a, "%s %s", rel, cols);
    f->candidate = ix;
    f->candidate_stmt = c->worst;
    f->fpid = c->worst ? c->worst->fpid : 0;
    f->verified = DBP_VERIFY_NONE;
    f->verify_note = verify_note(a, c);
    f->suggestion = dbp_ddl_create_index(a, c->engine, ix, c->t);

    struct dbp_buf m = {0};
    dbp_buf_printf(&m, "index %s on %s (%s rows", cols, rel, dbp_ddl_count(a, c->rel_rows));
    if (c->t && c->t->size_bytes >= 0)
        dbp_buf_printf(&m, ", %s", dbp_ddl_bytes(a, (double)c->t->size_bytes));
    if (c->full_scan || !c->via_index)
        dbp_buf_puts(&m, ") would replace a full scan");
    else
        dbp_buf_printf(&m, ") would replace %s, whose filter discards most of what it reads",
                       c->via_index);
    if (c->keep_frac == c->keep_frac)
        dbp_buf_printf(&m, " keeping %.3g%% of its rows", c->keep_frac * 100);
    dbp_buf_puts(&m, ":");
    size_t i = 0;
    if (c->n_eq) {
        dbp_buf_puts(&m, " equality on");
        for (; i < c->n_eq; i++)
            dbp_buf_printf(&m, "%s %s", i ? "," : "", c->cols[i]);
    }
    if (c->n_sort) {
        dbp_buf_printf(&m, "%s sort on", c->n_eq ? "," : "");
        for (size_t j = 0; j < c->n_sort; j++, i++)
            dbp_buf_printf(&m, "%s %s", j ? "," : "", c->cols[i]);
    }
    if (c->n_range)
        dbp_buf_printf(&m, "%s range on %s", c->n_eq || c->n_sort ? "," : "", c->cols[i]);
    /* where the seek columns came from, when a driver saw some of them (evidence below) */
    const char *from = NULL;
    if (c->observed_from)
        from =
            c->plan_cols ? dbp_arena_printf(a, "plan and %s", c->observed_from) : c->observed_from;
    if (from)
        dbp_buf_printf(&m, " (predicate columns from %s%s)", c->plan_cols ? "the " : "", from);
    if (c->n_stmts_all)
        dbp_buf_printf(&m, "; %zu statement%s, %s call%s", c->n_stmts_all,
                       c->n_stmts_all == 1 ? "" : "s", dbp_ddl_count(a, c->calls),
                       c->calls == 1 ? "" : "s");
    dbp_buf_printf(&m, ", ~%s rows read", dbp_ddl_count(a, c->rows_read));
    if (c->t && (c->t->flags & DBP_TBL_PARTITIONED))
        dbp_buf_puts(&m, " (partitioned: no CONCURRENTLY, see ddl_note)");
    f->message = dbp_arena_strndup(a, m.data, m.len);
    dbp_buf_free(&m);

    dbp_finding_add_evidence(snap, f, "relation_rows", c->rel_rows, NULL);
    dbp_finding_add_evidence(snap, f, "rows_read", c->rows_read, NULL);
    dbp_finding_add_evidence(snap, f, "calls", c->calls, NULL);
    if (c->keep_frac == c->keep_frac)
        dbp_finding_add_evidence(snap, f, "returned_fraction", c->keep_frac, NULL);
    dbp_finding_add_evidence(snap, f, "equality_columns", (double)c->n_eq, NULL);
    dbp_finding_add_evidence(snap, f, "sort_columns", (double)c->n_sort, NULL);
    dbp_finding_add_evidence(snap, f, "range_columns", (double)c->n_range, NULL);
    dbp_finding_add_evidence(snap, f, "statements", (double)c->n_stmts_all, NULL);
    if (from)
        dbp_finding_add_evidence(snap, f, "predicates_from", NAN, from);
    for (size_t j = 0; j < c->n_stmts; j++)
        dbp_finding_add_evidence(snap, f, "statement", NAN, dbp_ddl_fpid(a, c->stmts[j]->fpid));
    if (c->origin)
        dbp_finding_add_evidence(snap, f, "plan", NAN, c->origin);
    const char *note = dbp_ddl_create_index_note(a, c->engine, ix, c->t);
    if (note)
        dbp_finding_add_evidence(snap, f, "ddl_note", NAN, note);
}

static int run(const struct dbp_snapshot *snap, struct dbp_rule_ctx *ctx, struct dbp_error *err)
{
    (void)err;
    struct state s = {.snap = snap, .arena = dbp_rule_snapshot(ctx)->arena};
    s.min_rows = dbp_rule_param(ctx, "min_rows");
    s.max_fraction = dbp_rule_param(ctx, "max_fraction");
    s.max_columns = dbp_rule_param(ctx, "max_columns");
    for (size_t i = 0; i < snap->plans.n; i++) {
        const struct dbp_plan *p = snap->plans.items[i];
        if (p->root)
            walk(&s, p, p->root, NULL, false);
    }
    /* a candidate that is a left prefix of another on the same relation is served by it */
    for (size_t i = 0; i < s.n; i++) {
        struct cand *x = &s.c[i];
        for (size_t j = 0; j < s.n && !x->dropped; j++) {
            struct cand *y = &s.c[j];
            if (i == j || y->dropped || y->n_cols <= x->n_cols || x->engine != y->engine ||
                strcmp(x->table, y->table) || !eq_opt(x->schema, y->schema) ||
                !eq_opt(x->database, y->database))
                continue;
            size_t k;
            for (k = 0; k < x->n_cols; k++)
                if (!same_col(x->cols[k], y->cols[k]))
                    break;
            if (k == x->n_cols)
                fold(y, x);
        }
    }
    struct cand **order = dbp_xcalloc(s.n + 1, sizeof *order);
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++)
        if (!s.c[i].dropped)
            order[n++] = &s.c[i];
    qsort(order, n, sizeof *order, cand_cmp);
    for (size_t i = 0; i < n; i++)
        emit(ctx, order[i]);
    free(order);
    free(s.c);
    return 0;
}

static const struct dbp_param params[] = {
    {"min_rows", 10000, "rows", "smallest relation whose full scans get a candidate"},
    {"max_fraction", 0.2, "ratio", "largest share of rows read the filter may keep"},
    {"max_columns", 4, "count", "most key columns in a candidate"},
};

const struct dbp_rule dbp_rule_missing_index = {
    .id = "missing-index",
    .severity = DBP_SEV_WARNING,
    .summary = "a candidate index (ESR order) for large full or filtered scans",
    .explain =
        "For each full scan of a relation of at least min_rows rows whose filter constrains "
        "columns an index can seek on, and for each index scan that reads at least min_rows "
        "rows per execution only to have its filter discard most of them, this rule proposes "
        "an index (on an index scan, its index condition's columns and the filter's "
        "together). The key follows the ESR "
        "order (Equality, Sort, Range), which is how a B-tree serves a query: columns compared "
        "with = or IS NULL first, then IN lists, then the keys of a sort over this relation "
        "alone (so the index returns rows already in order and the sort disappears), then one "
        "range column (<, >, BETWEEN, LIKE 'prefix%'); a B-tree seeks on one range only, further "
        "range columns would just be filtered. Join columns appear when the plan shows them as "
        "a filter of the inner scan. When a driver knows which columns the statement really "
        "filtered the relation on while it ran (PostgreSQL with pg_qualstats: comparisons "
        "evaluated as a filter after a scan, not by an index), those columns come first and "
        "are added when the plan's text lacks them; for a column the plan names, the plan "
        "still says how it is compared (pg_qualstats cannot see an OR or a NOT around a "
        "comparison), and the finding's predicates_from evidence names the source "
        "(pg_qualstats, or plan and pg_qualstats). At most max_columns columns are used. "
        "No candidate is made "
        "when the filter keeps more than max_fraction of the rows read (a scan is then the "
        "right plan), when only non-indexable conditions remain, or when the leading columns "
        "of a valid existing index already match the candidate. A candidate that is a left "
        "prefix of another on the same relation is merged into the longer one. The suggestion "
        "is the engine's DDL (CREATE INDEX CONCURRENTLY on PostgreSQL, plain CREATE INDEX on a "
        "partitioned parent; ALTER TABLE ... ADD INDEX on MySQL; createIndex on MongoDB). It is "
        "unverified unless a driver checked it with a hypothetical index (hypopg) on the "
        "server: check the plan after creating it.",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .run = run,
};
