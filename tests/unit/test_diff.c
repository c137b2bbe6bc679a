/*
 * test_diff.c -- before/after comparison: the rank test on sketches, the
 * verdicts (regressed, improved, same, too few calls, new, gone), the
 * regression rule, and interval deltas of cumulative counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/config.h>
#include <dbperf/diff.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/rules.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double uni(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* a class with n calls of latency around base_ms (+-50% uniform noise) */
static struct dbp_stmt *klass(struct dbp_snapshot *snap, const char *text, int n, double base_ms)
{
    struct dbp_stmt *st = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, "shop", text, strlen(text));
    for (int i = 0; i < n; i++)
        dbp_agg_add(&st->agg, base_ms * (0.5 + uni()), -1, 1, 0);
    return st;
}

static const struct dbp_compare_opts opts = {0.20, 30, 0.01, 0.1};

static void t_mann_whitney(void **state)
{
    (void)state;
    struct dbp_sketch a = {0}, b = {0}, c = {0};
    for (int i = 0; i < 500; i++) {
        dbp_sketch_add(&a, 10 * (0.5 + uni()));
        dbp_sketch_add(&b, 10 * (0.5 + uni()));
        dbp_sketch_add(&c, 14 * (0.5 + uni()));
    }
    double same = dbp_sketch_mann_whitney(&a, &b);
    assert_true(same > 0.01 && same < 0.99);
    assert_true(dbp_sketch_mann_whitney(&a, &c) < 1e-6); /* c is slower */
    assert_true(dbp_sketch_mann_whitney(&c, &a) > 0.999);
    struct dbp_sketch empty = {0};
    assert_true(isnan(dbp_sketch_mann_whitney(&a, &empty)));
    /* all values identical on both sides: no evidence */
    struct dbp_sketch x = {0}, y = {0};
    dbp_sketch_add_n(&x, 5, 100);
    dbp_sketch_add_n(&y, 5, 100);
    assert_true(fabs(dbp_sketch_mann_whitney(&x, &y) - 0.5) < 1e-9);
    dbp_sketch_reset(&a);
    dbp_sketch_reset(&b);
    dbp_sketch_reset(&c);
    dbp_sketch_reset(&x);
    dbp_sketch_reset(&y);
}

static void t_verdicts(void **state)
{
    (void)state;
    struct dbp_snapshot *before = dbp_snapshot_new(), *after = dbp_snapshot_new();
    klass(before, "slower", 300, 2.0);
    klass(after, "slower", 300, 4.0); /* +100% */
    klass(before, "faster", 300, 8.0);
    klass(after, "faster", 300, 1.0);
    klass(before, "steady", 300, 3.0);
    klass(after, "steady", 300, 3.1); /* +3%: within the threshold */
    klass(before, "rare", 10, 1.0);
    klass(after, "rare", 10, 50.0); /* much slower but too few calls */
    klass(before, "gone", 50, 1.0);
    klass(after, "new", 50, 1.0);
    /* one slow outlier in an otherwise unchanged class moves the mean but not the ranks */
    struct dbp_stmt *o1 = klass(before, "outlier", 200, 1.0);
    struct dbp_stmt *o2 = klass(after, "outlier", 199, 1.0);
    dbp_agg_add(&o2->agg, 400.0, -1, 1, 0);
    (void)o1;
    size_t n;
    struct dbp_stmt_change *ch = dbp_compare_snapshots(before, after, &opts, &n);
    assert_int_equal(n, 7);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        const struct dbp_stmt *s = ch[i].after ? ch[i].after : ch[i].before;
        enum dbp_verdict want = !strcmp(s->text, "slower")    ? DBP_VERDICT_REGRESSED
                                : !strcmp(s->text, "faster")  ? DBP_VERDICT_IMPROVED
                                : !strcmp(s->text, "steady")  ? DBP_VERDICT_SAME
                                : !strcmp(s->text, "rare")    ? DBP_VERDICT_TOO_FEW
                                : !strcmp(s->text, "gone")    ? DBP_VERDICT_GONE
                                : !strcmp(s->text, "new")     ? DBP_VERDICT_NEW
                                : !strcmp(s->text, "outlier") ? DBP_VERDICT_SAME
                                                              : -1;
        if (ch[i].verdict != want)
            fail_msg("%s: verdict %s, want %s (mean %+.2f p95 %+.2f p %.3g)", s->text,
                     dbp_verdict_name(ch[i].verdict), dbp_verdict_name(want), ch[i].mean_change,
                     ch[i].p95_change, ch[i].p_slower);
        seen++;
    }
    assert_int_equal(seen, 7);
    assert_int_equal(ch[0].verdict, DBP_VERDICT_REGRESSED); /* regressions first */
    assert_true(ch[0].mean_change > 0.8 && ch[0].mean_change < 1.2);
    free(ch);

    /* the regression rule flags exactly the regressed class, only with a baseline */
    struct dbp_config *cfg = dbp_config_empty();
    struct dbp_error err;
    assert_int_equal(dbp_rules_run(after, cfg, &err), DBP_OK);
    size_t regs = 0;
    for (size_t i = 0; i < after->findings.n; i++)
        regs += !strcmp(((struct dbp_finding *)after->findings.items[i])->rule, "regression");
    assert_int_equal(regs, 0);
    after->findings.n = 0;
    after->baseline = before;
    assert_int_equal(dbp_rules_run(after, cfg, &err), DBP_OK);
    const struct dbp_finding *reg = NULL;
    for (size_t i = 0; i < after->findings.n; i++) {
        const struct dbp_finding *f = after->findings.items[i];
        if (!strcmp(f->rule, "regression")) {
            assert_null(reg);
            reg = f;
        }
    }
    assert_non_null(reg);
    assert_true(reg->fpid == dbp_snapshot_stmt(after, DBP_ENGINE_POSTGRES, "shop", "slower", 6)->fpid);
    assert_non_null(strstr(reg->message, "slower than the baseline"));
    dbp_config_free(cfg);

    /* a lower threshold from the config also catches the 3% class? no: the rank test guards it */
    const char text[] = "[rule.regression]\nthreshold = 1%\nmin_calls = 5\n";
    assert_int_equal(dbp_config_parse(text, sizeof text - 1, "t", &cfg, &err), DBP_OK);
    after->findings.n = 0;
    assert_int_equal(dbp_rules_run(after, cfg, &err), DBP_OK);
    regs = 0;
    for (size_t i = 0; i < after->findings.n; i++)
        regs += !strcmp(((struct dbp_finding *)after->findings.items[i])->rule, "regression");
    assert_true(regs >= 2); /* slower and rare (now enough calls) */
    dbp_config_free(cfg);
    dbp_snapshot_free(before);
    dbp_snapshot_free(after);
}

static void t_counters_without_distribution(void **state)
{
    (void)state;
    struct dbp_snapshot *before = dbp_snapshot_new(), *after = dbp_snapshot_new();
    struct dbp_stmt *b = dbp_snapshot_stmt(before, DBP_ENGINE_MYSQL, "shop", "q", 1);
    struct dbp_stmt *a = dbp_snapshot_stmt(after, DBP_ENGINE_MYSQL, "shop", "q", 1);
    b->agg.calls = 1000;
    b->agg.total_ms = 1000;
    a->agg.calls = 1000;
    a->agg.total_ms = 1500;
    struct dbp_stmt_change c0;
    struct dbp_compare_opts strict = opts;
    strict.min_delta_ms = 1.0; /* +0.5 ms is below an absolute floor of 1 ms */
    dbp_compare_stmt(b, a, &strict, &c0);
    assert_int_equal(c0.verdict, DBP_VERDICT_SAME);
    struct dbp_stmt_change c;
    dbp_compare_stmt(b, a, &opts, &c);
    assert_int_equal(c.verdict, DBP_VERDICT_REGRESSED);
    assert_true(isnan(c.p_slower));
    a->agg.total_ms = 1100;
    dbp_compare_stmt(b, a, &opts, &c);
    assert_int_equal(c.verdict, DBP_VERDICT_SAME);
    dbp_snapshot_free(before);
    dbp_snapshot_free(after);
}

static void t_subtract(void **state)
{
    (void)state;
    struct dbp_snapshot *t0 = dbp_snapshot_new(), *t1 = dbp_snapshot_new();
    struct dbp_stmt *a0 = dbp_snapshot_stmt(t0, DBP_ENGINE_POSTGRES, "db", "a", 1);
    struct dbp_stmt *b0 = dbp_snapshot_stmt(t0, DBP_ENGINE_POSTGRES, "db", "b", 1);
    struct dbp_stmt *a1 = dbp_snapshot_stmt(t1, DBP_ENGINE_POSTGRES, "db", "a", 1);
    struct dbp_stmt *b1 = dbp_snapshot_stmt(t1, DBP_ENGINE_POSTGRES, "db", "b", 1);
    struct dbp_stmt *c1 = dbp_snapshot_stmt(t1, DBP_ENGINE_POSTGRES, "db", "c", 1);
    a0->agg.calls = 100, a0->agg.total_ms = 50, a0->agg.rows_returned = 100;
    a1->agg.calls = 160, a1->agg.total_ms = 80, a1->agg.rows_returned = 160;
    b0->agg.calls = 7, b0->agg.total_ms = 7;
    b1->agg.calls = 7, b1->agg.total_ms = 7; /* idle in the window */
    c1->agg.calls = 3, c1->agg.total_ms = 9; /* new in the window */
    assert_int_equal(dbp_snapshot_subtract(t1, t0), 2);
    assert_int_equal(t1->stmts.n, 2);
    assert_ptr_equal(t1->stmts.items[0], a1);
    assert_int_equal(a1->agg.calls, 60);
    assert_true(a1->agg.total_ms == 30);
    assert_int_equal(a1->agg.rows_returned, 60);
    assert_ptr_equal(t1->stmts.items[1], c1);
    assert_int_equal(c1->agg.calls, 3);
    dbp_snapshot_free(t0);
    dbp_snapshot_free(t1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_mann_whitney),
        cmocka_unit_test(t_verdicts),
        cmocka_unit_test(t_counters_without_distribution),
        cmocka_unit_test(t_subtract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
