/*
 * diff.c -- statement classes before and after a change (see include/dbperf/diff.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/diff.h>

const char *dbp_verdict_name(enum dbp_verdict v)
{
    switch (v) {
    case DBP_VERDICT_REGRESSED:
        return "regressed";
    case DBP_VERDICT_IMPROVED:
        return "improved";
    case DBP_VERDICT_TOO_FEW:
        return "too-few-calls";
    case DBP_VERDICT_NEW:
        return "new";
    case DBP_VERDICT_GONE:
        return "gone";
    default:
        return "same";
    }
}

/* count of bucket idx in s (INT32_MIN is the zero bucket) */
static uint64_t bucket(const struct dbp_sketch *s, int64_t idx)
{
    if (idx == INT32_MIN)
        return s->zero_count;
    if (s->n == 0 || idx < s->lo || idx >= (int64_t)s->lo + s->n)
        return 0;
    return s->counts[idx - s->lo];
}

double dbp_sketch_mann_whitney(const struct dbp_sketch *a, const struct dbp_sketch *b)
{
    double na = (double)a->count, nb = (double)b->count;
    if (na == 0 || nb == 0)
        return NAN;
    int64_t lo = INT32_MAX, hi = INT32_MIN;
    if (a->n) {
        lo = a->lo;
        hi = (int64_t)a->lo + a->n - 1;
    }
    if (b->n) {
        if (b->lo < lo)
            lo = b->lo;
        if ((int64_t)b->lo + b->n - 1 > hi)
            hi = (int64_t)b->lo + b->n - 1;
    }
    /* U of b: for each b value, the a values below it, ties counting one half */
    double u = 0, a_below = 0, ties = 0;
    uint64_t za = a->zero_count, zb = b->zero_count;
    u += (double)zb * 0.5 * (double)za;
    a_below += (double)za;
    ties += pow((double)(za + zb), 3) - (double)(za + zb);
    for (int64_t k = lo; k <= hi; k++) {
        double ca = (double)bucket(a, k), cb = (double)bucket(b, k);
        if (ca == 0 && cb == 0)
            continue;
        u += cb * (a_below + 0.5 * ca);
        a_below += ca;
        double t = ca + cb;
        ties += t * t * t - t;
    }
    double n = na + nb;
    double mean = na * nb / 2.0;
    double var = na * nb / 12.0 * ((n + 1) - ties / (n * (n - 1)));
    if (!(var > 0))
        return 0.5; /* every value tied: no evidence either way */
    double z = (u - mean - 0.5) / sqrt(var); /* continuity correction */
    return 0.5 * erfc(z / sqrt(2.0));
}

static double rel_change(double before, double after)
{
    if (!(before > 0) || after != after)
        return NAN;
    return (after - before) / before;
}

void dbp_compare_stmt(const struct dbp_stmt *before, const struct dbp_stmt *after,
                      const struct dbp_compare_opts *o, struct dbp_stmt_change *out)
{
    memset(out, 0, sizeof *out);
    out->before = before;
    out->after = after;
    out->mean_change = out->p95_change = out->total_change = NAN;
    out->p_slower = out->p_faster = NAN;
    if (!before || !after) {
        out->verdict = before ? DBP_VERDICT_GONE : DBP_VERDICT_NEW;
        return;
    }
    const struct dbp_agg *a = &before->agg, *b = &after->agg;
    out->mean_change = rel_change(dbp_agg_mean_ms(a), dbp_agg_mean_ms(b));
    out->p95_change = rel_change(dbp_agg_quantile_ms(a, 0.95), dbp_agg_quantile_ms(b, 0.95));
    out->total_change = rel_change(a->total_ms, b->total_ms);
    bool sketches = (a->flags & DBP_AGG_QUANTILES) && (b->flags & DBP_AGG_QUANTILES);
    if (sketches) {
        out->p_slower = dbp_sketch_mann_whitney(&a->sketch, &b->sketch);
        out->p_faster = dbp_sketch_mann_whitney(&b->sketch, &a->sketch);
    }
    if ((double)a->calls < o->min_calls || (double)b->calls < o->min_calls) {
        out->verdict = DBP_VERDICT_TOO_FEW;
        return;
    }
    /* a slowdown by a factor (1 + t) mirrors a speed-up by 1 / (1 + t) */
    double down = -o->threshold / (1.0 + o->threshold);
    double dmean = dbp_agg_mean_ms(b) - dbp_agg_mean_ms(a);
    double dp95 = dbp_agg_quantile_ms(b, 0.95) - dbp_agg_quantile_ms(a, 0.95);
    bool slower = (out->mean_change > o->threshold && dmean >= o->min_delta_ms) ||
                  (out->p95_change > o->threshold && dp95 >= o->min_delta_ms);
    bool faster = (out->mean_change < down && -dmean >= o->min_delta_ms) ||
                  (out->p95_change < down && -dp95 >= o->min_delta_ms);
    if (slower && faster) {
        /* mean and p95 disagree: follow the mean */
        slower = out->mean_change > 0;
        faster = !slower;
    }
    if (sketches) {
        slower = slower && out->p_slower < o->alpha;
        faster = faster && out->p_faster < o->alpha;
    }
    out->verdict = slower ? DBP_VERDICT_REGRESSED : faster ? DBP_VERDICT_IMPROVED : DBP_VERDICT_SAME;
}

struct dbp_stmt *dbp_snapshot_match(const struct dbp_snapshot *snap, const struct dbp_stmt *st)
{
    for (size_t i = 0; i < snap->stmts.n; i++) {
        struct dbp_stmt *c = snap->stmts.items[i];
        if (c->fpid != st->fpid || c->engine != st->engine)
            continue;
        if ((c->database == NULL) != (st->database == NULL))
            continue;
        if (c->database && strcmp(c->database, st->database) != 0)
            continue;
        return c;
    }
    return NULL;
}

static int verdict_rank(enum dbp_verdict v)
{
    switch (v) {
    case DBP_VERDICT_REGRESSED:
        return 0;
    case DBP_VERDICT_IMPROVED:
        return 1;
    case DBP_VERDICT_NEW:
        return 2;
    case DBP_VERDICT_GONE:
        return 3;
    case DBP_VERDICT_TOO_FEW:
        return 4;
    default:
        return 5;
    }
}

static double change_key(const struct dbp_stmt_change *c)
{
    /* regressions: biggest growth first; improvements: biggest drop first; else total time */
    if (c->verdict == DBP_VERDICT_REGRESSED)
        return -(c->mean_change == c->mean_change ? c->mean_change : 0);
    if (c->verdict == DBP_VERDICT_IMPROVED)
        return c->mean_change == c->mean_change ? c->mean_change : 0;
    const struct dbp_stmt *s = c->after ? c->after : c->before;
    return -s->agg.total_ms;
}

static int change_cmp(const void *x, const void *y)
{
    const struct dbp_stmt_change *a = x, *b = y;
    int ra = verdict_rank(a->verdict), rb = verdict_rank(b->verdict);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    double ka = change_key(a), kb = change_key(b);
    return ka < kb ? -1 : ka > kb;
}

struct dbp_stmt_change *dbp_compare_snapshots(const struct dbp_snapshot *before,
                                              const struct dbp_snapshot *after,
                                              const struct dbp_compare_opts *o, size_t *n)
{
    size_t cap = before->stmts.n + after->stmts.n + 1, k = 0;
    struct dbp_stmt_change *out = dbp_xcalloc(cap, sizeof *out);
    for (size_t i = 0; i < after->stmts.n; i++) {
        const struct dbp_stmt *st = after->stmts.items[i];
        dbp_compare_stmt(dbp_snapshot_match(before, st), st, o, &out[k++]);
    }
    for (size_t i = 0; i < before->stmts.n; i++) {
        const struct dbp_stmt *st = before->stmts.items[i];
        if (!dbp_snapshot_match(after, st))
            dbp_compare_stmt(st, NULL, o, &out[k++]);
    }
    qsort(out, k, sizeof *out, change_cmp);
    *n = k;
    return out;
}

size_t dbp_snapshot_subtract(struct dbp_snapshot *after, const struct dbp_snapshot *before)
{
    size_t kept = 0;
    for (size_t i = 0; i < after->stmts.n; i++) {
        struct dbp_stmt *st = after->stmts.items[i];
        const struct dbp_stmt *b = dbp_snapshot_match(before, st);
        if (b) {
            struct dbp_agg *a = &st->agg;
            /* a counter that went down was reset in between: the after value is the window */
            if (a->calls >= b->agg.calls) {
                a->calls -= b->agg.calls;
                a->total_ms -= b->agg.total_ms;
                if (a->total_ms < 0)
                    a->total_ms = 0;
                a->rows_examined -= a->rows_examined >= b->agg.rows_examined
                                        ? b->agg.rows_examined
                                        : a->rows_examined;
                a->rows_returned -= a->rows_returned >= b->agg.rows_returned
                                        ? b->agg.rows_returned
                                        : a->rows_returned;
                a->min_ms = a->max_ms = NAN;
            }
        }
        if (st->agg.calls == 0) {
            dbp_sketch_reset(&st->agg.sketch);
            continue;
        }
        st->index = kept;
        after->stmts.items[kept++] = st;
    }
    after->stmts.n = kept;
    return kept;
}
