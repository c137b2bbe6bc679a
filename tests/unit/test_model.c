/*
 * test_model.c -- the snapshot: statement classes keyed by engine, database
 * and text; aggregates; N+1 burst folding from session events; config
 * parsing; password redaction of targets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/config.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/model.h>

static void t_stmt_classes(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    const char *q = "select * from t where id = ?";
    struct dbp_stmt *a = dbp_snapshot_stmt(snap, DBP_ENGINE_MYSQL, "shop", q, strlen(q));
    struct dbp_stmt *b = dbp_snapshot_stmt(snap, DBP_ENGINE_MYSQL, "shop", q, strlen(q));
    struct dbp_stmt *c = dbp_snapshot_stmt(snap, DBP_ENGINE_MYSQL, "crm", q, strlen(q));
    struct dbp_stmt *d = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, "shop", q, strlen(q));
    struct dbp_stmt *e = dbp_snapshot_stmt(snap, DBP_ENGINE_MYSQL, NULL, q, strlen(q));
    /* not NUL-terminated input: only len bytes count */
    struct dbp_stmt *f = dbp_snapshot_stmt(snap, DBP_ENGINE_MYSQL, "shop", q, 6);
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, c);
    assert_ptr_not_equal(a, d);
    assert_ptr_not_equal(a, e);
    assert_ptr_not_equal(a, f);
    assert_string_equal(f->text, "select");
    assert_int_equal(snap->stmts.n, 5);
    assert_true(a->fpid == dbp_fingerprint_id(q, strlen(q)));
    assert_true(a->fpid == c->fpid); /* the id depends on the text only */
    assert_ptr_equal(dbp_snapshot_find_fpid(snap, a->fpid), a);
    /* growth: many classes, each found again */
    char buf[64];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(buf, sizeof buf, "select %d", i);
        dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, "db", buf, (size_t)n);
    }
    assert_int_equal(snap->stmts.n, 20005);
    for (int i = 0; i < 20000; i += 97) {
        int n = snprintf(buf, sizeof buf, "select %d", i);
        struct dbp_stmt *st = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, "db", buf, (size_t)n);
        assert_string_equal(st->text, buf);
        assert_int_equal(st->index, 5 + (size_t)i);
    }
    assert_int_equal(snap->stmts.n, 20005);
    dbp_snapshot_free(snap);
}

static void t_aggregate(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_stmt *st = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, NULL, "x", 1);
    assert_true(isnan(dbp_agg_mean_ms(&st->agg)));
    assert_true(isnan(dbp_agg_quantile_ms(&st->agg, 0.95)));
    for (int i = 1; i <= 100; i++)
        dbp_agg_add(&st->agg, i, 10 * i, i % 2, 1000000LL * (200 - i));
    dbp_agg_add(&st->agg, NAN, -1, -1, 0); /* a call with no duration */
    assert_int_equal(st->agg.calls, 101);
    assert_true(st->agg.total_ms == 5050);
    assert_true(st->agg.min_ms == 1 && st->agg.max_ms == 100);
    assert_int_equal(st->agg.rows_examined, 50500);
    assert_int_equal(st->agg.rows_returned, 50);
    assert_int_equal(st->agg.first_seen_us, 100 * 1000000LL);
    assert_int_equal(st->agg.last_seen_us, 199 * 1000000LL);
    assert_true(st->agg.flags & DBP_AGG_QUANTILES);
    double p95 = dbp_agg_quantile_ms(&st->agg, 0.95);
    assert_true(fabs(p95 - 95) / 95 <= 0.0101);
    assert_true(dbp_agg_quantile_ms(&st->agg, 1.0) <= 100); /* clamped to max */

    /* examples: the slowest one wins */
    dbp_stmt_offer_example(snap, st, "select 1", 8, 5.0);
    dbp_stmt_offer_example(snap, st, "select 2", 8, 3.0);
    assert_string_equal(st->example, "select 1");
    dbp_stmt_offer_example(snap, st, "select 3", 8, 9.0);
    assert_string_equal(st->example, "select 3");

    /* a source with fixed quantiles only */
    struct dbp_stmt *s2 = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, NULL, "y", 1);
    s2->agg.fixed_q_ms[1] = 12.5;
    assert_true(dbp_agg_quantile_ms(&s2->agg, 0.95) == 12.5);
    assert_true(isnan(dbp_agg_quantile_ms(&s2->agg, 0.5)));
    dbp_snapshot_free(snap);
}

static void ev(struct dbp_snapshot *snap, const char *sess, int64_t ts_ms, struct dbp_stmt *st,
               int64_t rows)
{
    struct dbp_session_event e = {sess, strlen(sess), ts_ms * 1000, st, 0.5, rows};
    dbp_snapshot_session_event(snap, &e);
}

static void t_bursts(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    snap->burst_min_repeats = 5;
    snap->burst_max_gap_ms = 100;
    struct dbp_stmt *list = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, NULL, "list", 4);
    struct dbp_stmt *item = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, NULL, "item", 4);
    struct dbp_stmt *other = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, NULL, "other", 5);
    int64_t t = 1000;
    /* session A: list, then 10 items (N+1), interleaved with session B's 4 items (too few) */
    ev(snap, "A", t, list, 10);
    for (int i = 0; i < 10; i++) {
        ev(snap, "A", ++t, item, 1);
        if (i < 4)
            ev(snap, "B", t, item, 1);
    }
    ev(snap, "A", ++t, other, 1);
    /* session C: 6 items but a 500 ms pause after the third: two short runs, no burst */
    ev(snap, "C", t, list, 3);
    for (int i = 0; i < 6; i++)
        ev(snap, "C", t += (i == 3 ? 500 : 1), item, 1);
    /* session D: 7 items ended by disconnection */
    ev(snap, "D", t, list, 7);
    for (int i = 0; i < 7; i++)
        ev(snap, "D", ++t, item, 1);
    dbp_snapshot_session_end(snap, "D", 1);
    /* session E: 5 items still open at end of input, started without a parent */
    for (int i = 0; i < 5; i++)
        ev(snap, "E", ++t, item, 2);
    dbp_snapshot_sessions_flush(snap);
    dbp_snapshot_sessions_flush(snap); /* idempotent */

    assert_int_equal(snap->bursts.n, 2);
    struct dbp_burst *b0 = snap->bursts.items[0], *b1 = snap->bursts.items[1];
    struct dbp_burst *withp = b0->parent ? b0 : b1, *nop = b0->parent ? b1 : b0;
    assert_ptr_equal(withp->parent, list);
    assert_ptr_equal(withp->child, item);
    assert_int_equal(withp->runs, 2);   /* A and D */
    assert_int_equal(withp->calls, 17); /* 10 + 7 */
    assert_int_equal(withp->max_run, 10);
    assert_string_equal(withp->example_session, "A");
    assert_int_equal(withp->max_rows, 1);
    assert_true(fabs(withp->total_ms - 8.5) < 1e-9);
    assert_null(nop->parent);
    assert_int_equal(nop->calls, 5);
    assert_int_equal(nop->max_rows, 2);
    dbp_snapshot_free(snap);
}

/* many short sessions: state is retired, memory stays bounded, nothing is lost */
static void t_many_sessions(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_stmt *item = dbp_snapshot_stmt(snap, DBP_ENGINE_MYSQL, NULL, "item", 4);
    char id[32];
    int64_t t = 0;
    for (int s = 0; s < 150000; s++) {
        int n = snprintf(id, sizeof id, "%d", s);
        for (int i = 0; i < 5; i++) {
            struct dbp_session_event e = {id, (size_t)n, (t += 1000) * 1000, item, 1, 1};
            dbp_snapshot_session_event(snap, &e);
        }
    }
    dbp_snapshot_sessions_flush(snap);
    assert_int_equal(snap->bursts.n, 1);
    struct dbp_burst *b = snap->bursts.items[0];
    assert_int_equal(b->runs, 150000);
    assert_int_equal(b->calls, 750000);
    dbp_snapshot_free(snap);
}

static void t_config(void **state)
{
    (void)state;
    const char text[] = "# comment\n[rule.seq-scan]\nmin_rows = 5000\n ; another\n"
                        "severity=critical\n[audit]\nname = \"a # b\"\nmin_rows = 1\n";
    struct dbp_config *c = NULL;
    struct dbp_error err;
    assert_int_equal(dbp_config_parse(text, sizeof text - 1, "t.conf", &c, &err), DBP_OK);
    assert_string_equal(dbp_config_get(c, "rule.seq-scan", "min_rows"), "5000");
    assert_string_equal(dbp_config_get(c, "rule.seq-scan", "severity"), "critical");
    assert_string_equal(dbp_config_get(c, "audit", "name"), "a # b");
    assert_string_equal(dbp_config_where(c, "rule.seq-scan", "min_rows"), "t.conf:3");
    assert_null(dbp_config_get(c, "audit", "missing"));
    dbp_config_free(c);

    const char bad1[] = "[rule.x\n";
    assert_int_equal(dbp_config_parse(bad1, sizeof bad1 - 1, "b.conf", &c, &err), DBP_ERR_USAGE);
    assert_null(c);
    assert_non_null(strstr(err.message, "b.conf:1"));
    const char bad2[] = "[a]\n\njust words\n";
    assert_int_equal(dbp_config_parse(bad2, sizeof bad2 - 1, "b.conf", &c, &err), DBP_ERR_USAGE);
    assert_non_null(strstr(err.message, "b.conf:3"));

    assert_int_equal(dbp_config_load("/nonexistent/x.conf", false, &c, &err), DBP_OK);
    assert_null(dbp_config_get(c, "a", "b"));
    dbp_config_free(c);
    assert_int_equal(dbp_config_load("/nonexistent/x.conf", true, &c, &err), DBP_ERR_IO);
}

static void t_redact(void **state)
{
    (void)state;
    struct dbp_arena *a = dbp_arena_new();
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"postgresql://alice:s3cret@db1:5432/app", "postgresql://alice@db1:5432/app"},
        {"mysql://root:p%40ss@127.0.0.1/x?socket=/tmp/s", "mysql://root@127.0.0.1/x?socket=/tmp/s"},
        {"mongodb://u:pw@h1,h2/?replicaSet=rs&password=zz", "mongodb://u@h1,h2/?replicaSet=rs&password=***"},
        {"postgresql://db1/app?user=u&password=secret&sslmode=require",
         "postgresql://db1/app?user=u&password=***&sslmode=require"},
        {"host=db1 user=bob password=hunter2 dbname=x", "host=db1 user=bob password=*** dbname=x"},
        {"host=db1 password = 'it\\'s a secret' dbname=x", "host=db1 password=*** dbname=x"},
        {"postgresql://bob@db1/app", "postgresql://bob@db1/app"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = dbp_target_redact(a, cases[i].in);
        if (strcmp(got, cases[i].out) != 0)
            fail_msg("redact(%s) = %s, want %s", cases[i].in, got, cases[i].out);
        assert_null(strstr(got, "s3cret"));
        assert_null(strstr(got, "hunter2"));
    }
    dbp_arena_free(a);
}

static void t_error_one_line(void **state)
{
    (void)state;
    struct dbp_error err;
    dbp_error_set(&err, DBP_ERR_SERVER, "FATAL:  role \"x\" does not exist\n\tDETAIL: y\n");
    assert_null(strchr(err.message, '\n'));
    assert_null(strchr(err.message, '\t'));
    assert_string_equal(err.message, "FATAL:  role \"x\" does not exist  DETAIL: y");
    assert_int_equal(dbp_error_set(NULL, DBP_ERR_IO, "x"), DBP_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_stmt_classes), cmocka_unit_test(t_aggregate),
        cmocka_unit_test(t_bursts),       cmocka_unit_test(t_many_sessions),
        cmocka_unit_test(t_config),       cmocka_unit_test(t_redact),
        cmocka_unit_test(t_error_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
