/*
 * tui_data.c -- the TUI's rows: sorted index arrays over the snapshot's
 * statements (one per sort key, built once per snapshot, so a redraw or a
 * change of sort never re-sorts), filters, per-interval deltas for live mode,
 * and the flattened plan tree with its collapsed state and costliest nodes.
 * No curses here.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/diff.h>

#include "tui.h"

static const char *const sort_names[DBP_TUI_SORT_COUNT] = {"total", "calls",   "mean",  "p95",
                                                           "rows",  "calls/s", "time/s"};

const char *dbp_tui_sort_name(enum dbp_tui_sort s)
{
    return (unsigned)s < DBP_TUI_SORT_COUNT ? sort_names[s] : "?";
}

void dbp_tui_stmts_init(struct dbp_tui_stmts *s, const struct dbp_snapshot *snap,
                        bool show_literals)
{
    memset(s, 0, sizeof *s);
    s->snap = snap;
    s->show_literals = show_literals;
    s->n = snap->stmts.n;
}

void dbp_tui_stmts_free(struct dbp_tui_stmts *s)
{
    for (int i = 0; i < DBP_TUI_SORT_COUNT; i++)
        free(s->sorted[i]);
    free(s->calls_s);
    free(s->time_s);
    free(s->rows);
    memset(s, 0, sizeof *s);
}

const char *dbp_tui_stmt_text(const struct dbp_tui_stmts *s, const struct dbp_stmt *st)
{
    if (s->show_literals && st->example)
        return st->example;
    return st->text ? st->text : "";
}

static double rows_of(const struct dbp_stmt *st)
{
    if (st->agg.flags & DBP_AGG_ROWS_RETURNED)
        return (double)st->agg.rows_returned;
    return -1;
}

/* The sort key of one statement; unknown values (NaN) sort last. */
static double key_of(const struct dbp_tui_stmts *s, size_t i, enum dbp_tui_sort k)
{
    const struct dbp_stmt *st = s->snap->stmts.items[i];
    switch (k) {
    case DBP_TUI_SORT_TOTAL:
        return st->agg.total_ms;
    case DBP_TUI_SORT_CALLS:
        return (double)st->agg.calls;
    case DBP_TUI_SORT_MEAN:
        return dbp_agg_mean_ms(&st->agg);
    case DBP_TUI_SORT_P95:
        return dbp_agg_quantile_ms(&st->agg, 0.95);
    case DBP_TUI_SORT_ROWS:
        return rows_of(st);
    case DBP_TUI_SORT_CALLS_S:
        return s->calls_s ? s->calls_s[i] : NAN;
    case DBP_TUI_SORT_TIME_S:
        return s->time_s ? s->time_s[i] : NAN;
    default:
        return NAN;
    }
}

struct keyed {
    double key;
    uint32_t idx;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    bool xn = isnan(x->key), yn = isnan(y->key);
    if (xn != yn)
        return xn ? 1 : -1;
    if (!xn && x->key != y->key)
        return x->key > y->key ? -1 : 1;           /* descending */
    return x->idx < y->idx ? -1 : x->idx > y->idx; /* then first appearance */
}

/* The index array for sort k, built on first use: keys computed once, one qsort. */
static const uint32_t *sorted_for(struct dbp_tui_stmts *s, enum dbp_tui_sort k)
{
    if (s->sorted[k] || s->n == 0)
        return s->sorted[k];
    struct keyed *tmp = dbp_xmalloc(s->n * sizeof *tmp);
    for (size_t i = 0; i < s->n; i++) {
        tmp[i].key = key_of(s, i, k);
        tmp[i].idx = (uint32_t)i;
    }
    qsort(tmp, s->n, sizeof *tmp, cmp_keyed);
    uint32_t *out = dbp_xmalloc(s->n * sizeof *out);
    for (size_t i = 0; i < s->n; i++)
        out[i] = tmp[i].idx;
    free(tmp);
    s->sorted[k] = out;
    return out;
}

void dbp_tui_stmts_deltas(struct dbp_tui_stmts *s, const struct dbp_snapshot *prev, double dt_s)
{
    free(s->calls_s);
    free(s->time_s);
    s->calls_s = s->time_s = NULL;
    s->applied_valid = false;
    free(s->sorted[DBP_TUI_SORT_CALLS_S]);
    free(s->sorted[DBP_TUI_SORT_TIME_S]);
    s->sorted[DBP_TUI_SORT_CALLS_S] = s->sorted[DBP_TUI_SORT_TIME_S] = NULL;
    if (!prev || !(dt_s > 0) || s->n == 0)
        return;
    s->calls_s = dbp_xmalloc(s->n * sizeof *s->calls_s);
    s->time_s = dbp_xmalloc(s->n * sizeof *s->time_s);
    for (size_t i = 0; i < s->n; i++) {
        const struct dbp_stmt *st = s->snap->stmts.items[i];
        const struct dbp_stmt *old = dbp_snapshot_match(prev, st);
        double calls = (double)st->agg.calls, total = st->agg.total_ms;
        if (old) {
            calls -= (double)old->agg.calls;
            total -= old->agg.total_ms;
        }
        /* counters reset in between: no meaningful delta */
        s->calls_s[i] = calls >= 0 ? calls / dt_s : NAN;
        s->time_s[i] = total >= 0 && isfinite(total) ? total / dt_s : NAN;
    }
}

void dbp_tui_stmts_apply(struct dbp_tui_stmts *s)
{
    if ((s->sort == DBP_TUI_SORT_CALLS_S || s->sort == DBP_TUI_SORT_TIME_S) && !s->calls_s)
        s->sort = DBP_TUI_SORT_TOTAL;
    if (!s->rows && s->n)
        s->rows = dbp_xmalloc(s->n * sizeof *s->rows);
    /* typing one more character of the filter: only the rows shown can still match */
    bool narrow = s->applied_valid && s->applied_sort == s->sort && s->applied[0] &&
                  strncmp(s->filter, s->applied, strlen(s->applied)) == 0;
    const uint32_t *src = narrow ? s->rows : sorted_for(s, s->sort);
    size_t n_src = narrow ? s->n_rows : s->n, n_out = 0;
    for (size_t i = 0; i < n_src; i++) {
        uint32_t idx = src[i];
        if (s->filter[0]) {
            const struct dbp_stmt *st = s->snap->stmts.items[idx];
            const char *txt = dbp_tui_stmt_text(s, st);
            if (!strcasestr(txt, s->filter) &&
                !(st->database && strcasestr(st->database, s->filter)))
                continue;
        }
        s->rows[n_out++] = idx; /* n_out <= i: safe in place */
    }
    s->n_rows = n_out;
    s->applied_valid = true;
    s->applied_sort = s->sort;
    memcpy(s->applied, s->filter, sizeof s->applied);
}

/* ---- findings and indexes ---------------------------------------------- */

static bool match(const char *hay, const char *needle)
{
    return hay && strcasestr(hay, needle);
}

void dbp_tui_findings_apply(struct dbp_tui_list *l, const struct dbp_snapshot *snap)
{
    size_t n = snap->findings.n;
    free(l->rows);
    l->rows = dbp_xmalloc((n ? n : 1) * sizeof *l->rows);
    l->n_rows = 0;
    /* by severity, most severe first; the rules' order within a severity */
    for (int sev = DBP_SEV_CRITICAL; sev >= DBP_SEV_NONE; sev--)
        for (size_t i = 0; i < n; i++) {
            const struct dbp_finding *f = snap->findings.items[i];
            if ((int)f->severity != sev)
                continue;
            if (l->filter[0] && !match(f->rule, l->filter) && !match(f->object, l->filter) &&
                !match(f->message, l->filter) && !match(f->suggestion, l->filter))
                continue;
            l->rows[l->n_rows++] = (uint32_t)i;
        }
}

struct idx_cmp {
    const struct dbp_snapshot *snap;
    int sort;
};

static int cmp_index(const void *a, const void *b, void *arg)
{
    const struct idx_cmp *ic = arg;
    const struct dbp_index *x = ic->snap->indexes.items[*(const uint32_t *)a];
    const struct dbp_index *y = ic->snap->indexes.items[*(const uint32_t *)b];
    int c = 0;
    if (ic->sort == 0)
        c = (x->size_bytes < y->size_bytes) - (x->size_bytes > y->size_bytes);
    else if (ic->sort == 1)
        c = (x->scans > y->scans) - (x->scans < y->scans); /* fewest scans first */
    if (c == 0) {
        c = strcmp(x->table ? x->table : "", y->table ? y->table : "");
        if (c == 0)
            c = strcmp(x->name ? x->name : "", y->name ? y->name : "");
    }
    return c;
}

void dbp_tui_indexes_apply(struct dbp_tui_list *l, const struct dbp_snapshot *snap)
{
    size_t n = snap->indexes.n;
    free(l->rows);
    l->rows = dbp_xmalloc((n ? n : 1) * sizeof *l->rows);
    l->n_rows = 0;
    for (size_t i = 0; i < n; i++) {
        const struct dbp_index *x = snap->indexes.items[i];
        if (l->filter[0] && !match(x->table, l->filter) && !match(x->name, l->filter) &&
            !match(x->database, l->filter))
            continue;
        l->rows[l->n_rows++] = (uint32_t)i;
    }
    struct idx_cmp ic = {snap, l->sort};
    qsort_r(l->rows, l->n_rows, sizeof *l->rows, cmp_index, &ic);
}

/* ---- plan tree ---------------------------------------------------------- */

static double node_total(const struct dbp_plan_node *n, bool by_time)
{
    if (by_time) {
        double loops = isfinite(n->loops) && n->loops > 0 ? n->loops : 1;
        return isfinite(n->actual_ms) ? n->actual_ms * loops : NAN;
    }
    return n->total_cost;
}

static void flatten(struct dbp_tui_plan *p, const struct dbp_plan_node *n, int depth, bool last,
                    uint64_t branch, size_t *cap)
{
    if (p->n_all == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        p->all = dbp_xrealloc(p->all, *cap * sizeof *p->all);
        p->subtree = dbp_xrealloc(p->subtree, *cap * sizeof *p->subtree);
    }
    size_t me = p->n_all++;
    struct dbp_tui_plan_line *l = &p->all[me];
    memset(l, 0, sizeof *l);
    l->node = n;
    l->depth = depth;
    l->last = last;
    l->branch = branch;
    l->has_children = n->n_children > 0;
    double self = node_total(n, p->by_time);
    for (size_t i = 0; i < n->n_children; i++) {
        double c = node_total(n->children[i], p->by_time);
        if (isfinite(c) && isfinite(self))
            self -= c;
    }
    l->self = isfinite(self) && self > 0 ? self : 0;
    uint64_t child_branch = branch;
    if (depth > 0 && depth < 64 && !last)
        child_branch |= (uint64_t)1 << depth;
    for (size_t i = 0; i < n->n_children; i++)
        flatten(p, n->children[i], depth + 1, i + 1 == n->n_children, child_branch, cap);
    p->subtree[me] = p->n_all - me;
}

void dbp_tui_plan_init(struct dbp_tui_plan *p, const struct dbp_plan *plan)
{
    memset(p, 0, sizeof *p);
    p->plan = plan;
    if (!plan || !plan->root)
        return;
    p->by_time = plan->analyzed && isfinite(plan->root->actual_ms);
    size_t cap = 0;
    flatten(p, plan->root, 0, true, 0, &cap);
    /* the three costliest nodes by self time (or self cost), if they matter */
    double total = 0;
    for (size_t i = 0; i < p->n_all; i++)
        total += p->all[i].self;
    for (int rank = 1; rank <= 3; rank++) {
        size_t best = (size_t)-1;
        for (size_t i = 0; i < p->n_all; i++)
            if (!p->all[i].hot_rank && p->all[i].self > 0 &&
                (best == (size_t)-1 || p->all[i].self > p->all[best].self))
                best = i;
        if (best == (size_t)-1 || p->all[best].self < 0.1 * total)
            break;
        p->all[best].hot_rank = rank;
    }
    p->vis = dbp_xmalloc(p->n_all * sizeof *p->vis);
    dbp_tui_plan_visible(p);
}

void dbp_tui_plan_visible(struct dbp_tui_plan *p)
{
    p->n_vis = 0;
    for (size_t i = 0; i < p->n_all;) {
        p->vis[p->n_vis++] = i;
        i += p->all[i].collapsed ? p->subtree[i] : 1;
    }
}

void dbp_tui_plan_free(struct dbp_tui_plan *p)
{
    free(p->all);
    free(p->subtree);
    free(p->vis);
    memset(p, 0, sizeof *p);
}
