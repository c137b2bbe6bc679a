/*
 * rules/regression.c -- `regression`: statement classes that got slower than
 * in the baseline (audit --baseline, dbperf diff). Inactive without a baseline.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <dbperf/arena.h>
#include <dbperf/diff.h>
#include <dbperf/rules.h>

static const struct dbp_param params[] = {
    {"threshold", 0.20, "ratio", "relative growth of mean or p95 latency that counts (0.2 = 20%)"},
    {"min_calls", 30, "count", "calls needed on both sides before judging a class"},
    {"min_delta_ms", 0.1, "ms",
     "the mean or p95 must also grow by this much: 0.05 -> 0.07 ms is noise, not a regression"},
    {"alpha", 0.01, "ratio",
     "significance of the Mann-Whitney rank test on the latency distributions (log sources)"},
};

static void fmt_ms(char *buf, size_t n, double ms)
{
    if (ms != ms)
        snprintf(buf, n, "?");
    else if (ms >= 1000)
        snprintf(buf, n, "%.2f s", ms / 1000);
    else
        snprintf(buf, n, "%.3g ms", ms);
}

static int run(const struct dbp_snapshot *snap, struct dbp_rule_ctx *ctx, struct dbp_error *err)
{
    (void)err;
    if (!snap->baseline)
        return 0;
    struct dbp_compare_opts o = {dbp_rule_param(ctx, "threshold"), dbp_rule_param(ctx, "min_calls"),
                                 dbp_rule_param(ctx, "alpha"), dbp_rule_param(ctx, "min_delta_ms")};
    size_t n;
    struct dbp_stmt_change *ch = dbp_compare_snapshots(snap->baseline, snap, &o, &n);
    struct dbp_snapshot *out = dbp_rule_snapshot(ctx);
    for (size_t i = 0; i < n; i++) {
        const struct dbp_stmt_change *c = &ch[i];
        if (c->verdict != DBP_VERDICT_REGRESSED)
            continue;
        const struct dbp_stmt *b = c->before, *a = c->after;
        double mb = dbp_agg_mean_ms(&b->agg), ma = dbp_agg_mean_ms(&a->agg);
        double pb = dbp_agg_quantile_ms(&b->agg, 0.95), pa = dbp_agg_quantile_ms(&a->agg, 0.95);
        char s1[32], s2[32], s3[32], s4[32], test[64] = "";
        fmt_ms(s1, sizeof s1, mb);
        fmt_ms(s2, sizeof s2, ma);
        fmt_ms(s3, sizeof s3, pb);
        fmt_ms(s4, sizeof s4, pa);
        if (c->p_slower == c->p_slower)
            snprintf(test, sizeof test, ", rank test p=%.2g", c->p_slower);
        struct dbp_finding *f = dbp_rule_emit(ctx);
        f->engine = a->engine;
        f->fpid = a->fpid;
        f->object = dbp_arena_printf(out->arena, "statement %016llX",
                                     (unsigned long long)a->fpid);
        if (pb == pb && pa == pa)
            f->message = dbp_arena_printf(
                out->arena, "slower than the baseline: mean %s -> %s (%+.0f%%), p95 %s -> %s "
                            "(%+.0f%%), over %llu and %llu calls%s",
                s1, s2, 100 * c->mean_change, s3, s4, 100 * c->p95_change,
                (unsigned long long)b->agg.calls, (unsigned long long)a->agg.calls, test);
        else
            f->message = dbp_arena_printf(
                out->arena, "slower than the baseline: mean %s -> %s (%+.0f%%) over %llu and "
                            "%llu calls%s",
                s1, s2, 100 * c->mean_change, (unsigned long long)b->agg.calls,
                (unsigned long long)a->agg.calls, test);
        f->benefit = NAN;
        dbp_finding_add_evidence(out, f, "mean_ms_before", mb, NULL);
        dbp_finding_add_evidence(out, f, "mean_ms_after", ma, NULL);
        if (pb == pb && pa == pa) {
            dbp_finding_add_evidence(out, f, "p95_ms_before", pb, NULL);
            dbp_finding_add_evidence(out, f, "p95_ms_after", pa, NULL);
        }
        dbp_finding_add_evidence(out, f, "calls_before", (double)b->agg.calls, NULL);
        dbp_finding_add_evidence(out, f, "calls_after", (double)a->agg.calls, NULL);
        if (c->p_slower == c->p_slower)
            dbp_finding_add_evidence(out, f, "p_value", c->p_slower, NULL);
        dbp_finding_add_evidence(out, f, "text", NAN, a->text);
    }
    free(ch);
    return 0;
}

const struct dbp_rule dbp_rule_regression = {
    .id = "regression",
    .severity = DBP_SEV_WARNING,
    .summary = "statement classes that got slower than in the baseline",
    .explain =
        "Compares every statement class with the same class (engine, database, fingerprint) in a "
        "baseline audit given with --baseline, or in the first report of `dbperf diff`. A class "
        "has regressed when its mean or p95 latency grew by more than `threshold` (and by at "
        "least `min_delta_ms`) with at least `min_calls` calls on both sides. When both sides come from logs, each call's latency is "
        "in a sketch and a one-sided Mann-Whitney rank test must also find the new latencies "
        "larger at significance `alpha`: a few slow outliers or a small sample do not make a "
        "regression. Counters from pg_stat_statements and performance_schema carry no "
        "distribution, so there the mean and the call counts decide; measure them over the same "
        "kind of window (audit --interval) on both sides. Use --fail-on warning to stop a "
        "migration or a release in CI.",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .run = run,
};
