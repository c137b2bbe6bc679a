/*
 * test_tui_data.c -- unit tests of the TUI's rows (src/tui/tui_data.c, no
 * curses): sort orders with unknown values last, the incremental filter
 * giving the same rows as a fresh one, per-interval deltas matched by
 * engine/database/fingerprint, and the plan tree's folding and hot nodes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/model.h>

#include "tui/tui.h"

static struct dbp_stmt *add(struct dbp_snapshot *snap, const char *db, const char *text, int calls,
                            double ms_each)
{
    struct dbp_stmt *st = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, db, text, strlen(text));
    for (int i = 0; i < calls; i++)
        dbp_agg_add(&st->agg, ms_each, -1, i, 0);
    return st;
}

static void sorts(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    add(snap, "a", "SELECT 1", 10, 1.0);                      /* total 10, calls 10, mean 1 */
    add(snap, "a", "SELECT 2", 2, 20.0);                      /* total 40, calls 2, mean 20 */
    add(snap, "a", "SELECT 3", 5, 3.0);                       /* total 15, calls 5, mean 3 */
    struct dbp_stmt *none = add(snap, "a", "SELECT 4", 0, 0); /* no calls: mean NaN */
    (void)none;
    struct dbp_tui_stmts s;
    dbp_tui_stmts_init(&s, snap, false);
    s.sort = DBP_TUI_SORT_TOTAL;
    dbp_tui_stmts_apply(&s);
    assert_int_equal(s.n_rows, 4);
    assert_int_equal(s.rows[0], 1);
    assert_int_equal(s.rows[1], 2);
    assert_int_equal(s.rows[2], 0);
    s.sort = DBP_TUI_SORT_CALLS;
    dbp_tui_stmts_apply(&s);
    assert_int_equal(s.rows[0], 0);
    assert_int_equal(s.rows[1], 2);
    s.sort = DBP_TUI_SORT_MEAN;
    dbp_tui_stmts_apply(&s);
    assert_int_equal(s.rows[0], 1);
    assert_int_equal(s.rows[3], 3); /* unknown mean sorts last */
    /* the same array is reused, not rebuilt */
    const uint32_t *mean = s.sorted[DBP_TUI_SORT_MEAN];
    s.sort = DBP_TUI_SORT_TOTAL;
    dbp_tui_stmts_apply(&s);
    s.sort = DBP_TUI_SORT_MEAN;
    dbp_tui_stmts_apply(&s);
    assert_ptr_equal(s.sorted[DBP_TUI_SORT_MEAN], mean);
    /* live sorts fall back to total without deltas */
    s.sort = DBP_TUI_SORT_CALLS_S;
    dbp_tui_stmts_apply(&s);
    assert_int_equal(s.sort, DBP_TUI_SORT_TOTAL);
    dbp_tui_stmts_free(&s);
    dbp_snapshot_free(snap);
}

static void filters(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    char text[64];
    for (int i = 0; i < 500; i++) {
        snprintf(text, sizeof text, "%s FROM t%d WHERE x = $1", i % 3 ? "SELECT a" : "DELETE", i);
        add(snap, i % 7 ? "app" : "reports", text, 1 + i % 4, (double)(i % 13));
    }
    struct dbp_tui_stmts inc, fresh;
    dbp_tui_stmts_init(&inc, snap, false);
    dbp_tui_stmts_apply(&inc);
    const char *steps[] = {
        "s",      "se", "sel",     "sele",   "select a from t1", "select a from t1",
        "select", "",   "REPORTS", "reports"};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        snprintf(inc.filter, sizeof inc.filter, "%s", steps[k]);
        dbp_tui_stmts_apply(&inc);
        dbp_tui_stmts_init(&fresh, snap, false);
        snprintf(fresh.filter, sizeof fresh.filter, "%s", steps[k]);
        dbp_tui_stmts_apply(&fresh);
        assert_int_equal(inc.n_rows, fresh.n_rows);
        assert_memory_equal(inc.rows, fresh.rows, inc.n_rows * sizeof *inc.rows);
        size_t expect = 0;
        for (size_t i = 0; i < snap->stmts.n; i++) {
            const struct dbp_stmt *st = snap->stmts.items[i];
            if (!steps[k][0] || strcasestr(st->text, steps[k]) ||
                strcasestr(st->database, steps[k]))
                expect++;
        }
        assert_int_equal(inc.n_rows, expect);
        dbp_tui_stmts_free(&fresh);
    }
    /* narrowing after a sort change starts from the new sort's array */
    snprintf(inc.filter, sizeof inc.filter, "delete");
    dbp_tui_stmts_apply(&inc);
    inc.sort = DBP_TUI_SORT_CALLS;
    snprintf(inc.filter, sizeof inc.filter, "delete from");
    dbp_tui_stmts_apply(&inc);
    for (size_t i = 1; i < inc.n_rows; i++) {
        const struct dbp_stmt *a = snap->stmts.items[inc.rows[i - 1]];
        const struct dbp_stmt *b = snap->stmts.items[inc.rows[i]];
        assert_true(a->agg.calls >= b->agg.calls);
    }
    dbp_tui_stmts_free(&inc);
    dbp_snapshot_free(snap);
}

static void deltas(void **state)
{
    (void)state;
    struct dbp_snapshot *before = dbp_snapshot_new(), *after = dbp_snapshot_new();
    add(before, "app", "SELECT 1", 10, 1.0);
    add(before, "other", "SELECT 1", 100, 1.0); /* same text, other database */
    add(before, "app", "SELECT 2", 50, 2.0);
    add(after, "app", "SELECT 1", 30, 1.0); /* +20 calls, +20 ms */
    add(after, "app", "SELECT 2", 10, 2.0); /* counters reset: no delta */
    add(after, "app", "SELECT 3", 4, 0.5);  /* new class: all of it */
    struct dbp_tui_stmts s;
    dbp_tui_stmts_init(&s, after, false);
    dbp_tui_stmts_deltas(&s, before, 2.0);
    assert_non_null(s.calls_s);
    assert_float_equal(s.calls_s[0], 10.0, 1e-9);
    assert_float_equal(s.time_s[0], 10.0, 1e-9);
    assert_true(isnan(s.calls_s[1]));
    assert_float_equal(s.calls_s[2], 2.0, 1e-9);
    assert_float_equal(s.time_s[2], 1.0, 1e-9);
    s.sort = DBP_TUI_SORT_CALLS_S;
    dbp_tui_stmts_apply(&s);
    assert_int_equal(s.sort, DBP_TUI_SORT_CALLS_S);
    assert_int_equal(s.rows[0], 0);
    assert_int_equal(s.rows[1], 2);
    assert_int_equal(s.rows[2], 1); /* unknown last */
    dbp_tui_stmts_free(&s);
    dbp_snapshot_free(before);
    dbp_snapshot_free(after);
}

static struct dbp_plan_node *node(struct dbp_snapshot *snap, const char *name, double ms)
{
    struct dbp_plan_node *n = dbp_plan_node_new(snap);
    n->engine_name = name;
    n->actual_ms = ms;
    n->loops = 1;
    return n;
}

static void plan_tree(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan_node *root = node(snap, "Sort", 100);
    struct dbp_plan_node *join = node(snap, "Hash Join", 95);
    struct dbp_plan_node *seq = node(snap, "Seq Scan", 80);
    struct dbp_plan_node *hash = node(snap, "Hash", 10);
    struct dbp_plan_node *idx = node(snap, "Index Scan", 9);
    dbp_plan_node_add_child(snap, root, join);
    dbp_plan_node_add_child(snap, join, seq);
    dbp_plan_node_add_child(snap, join, hash);
    dbp_plan_node_add_child(snap, hash, idx);
    struct dbp_plan plan = {.engine = DBP_ENGINE_POSTGRES, .analyzed = true, .root = root};
    struct dbp_tui_plan p;
    dbp_tui_plan_init(&p, &plan);
    assert_true(p.by_time);
    assert_int_equal(p.n_all, 5);
    assert_int_equal(p.n_vis, 5);
    assert_ptr_equal(p.all[2].node, seq);
    assert_int_equal(p.all[2].hot_rank, 1); /* self 80 of 100 */
    assert_float_equal(p.all[2].self, 80, 1e-9);
    assert_int_equal(p.all[4].hot_rank, 0); /* self 9: under a tenth */
    assert_int_equal(p.all[3].depth, 2);
    assert_true(p.all[3].last);
    assert_false(p.all[2].last);
    /* fold the join: only root and join stay visible */
    p.all[1].collapsed = true;
    dbp_tui_plan_visible(&p);
    assert_int_equal(p.n_vis, 2);
    p.all[1].collapsed = false;
    p.all[3].collapsed = true;
    dbp_tui_plan_visible(&p);
    assert_int_equal(p.n_vis, 4);
    dbp_tui_plan_free(&p);
    dbp_snapshot_free(snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sorts),
        cmocka_unit_test(filters),
        cmocka_unit_test(deltas),
        cmocka_unit_test(plan_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
