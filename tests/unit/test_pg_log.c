/*
 * test_pg_log.c -- unit tests of the PostgreSQL log parsers (stderr with
 * log_line_prefix, csvlog, jsonlog) and their shared entry assembly.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "postgres/log_int.h"
#include "postgres/pg_int.h"

struct run {
    struct dbp_snapshot *snap;
    struct dbp_source *src;
    int rc;
    struct dbp_error err;
};

static void run_fmt(struct run *r, const struct dbp_format *fmt, const char *text,
                    const char *prefix)
{
    r->snap = dbp_snapshot_new();
    r->src = dbp_snapshot_add_source(r->snap, "t.log", fmt->name);
    struct dbp_reader *rd = dbp_reader_open_mem(text, strlen(text), "t.log");
    struct dbp_parse_opts o = {.log_prefix = prefix};
    memset(&r->err, 0, sizeof r->err);
    r->rc = fmt->parse(rd, &o, r->snap, r->src, &r->err);
    dbp_reader_close(rd);
}

static void run_free(struct run *r)
{
    dbp_snapshot_free(r->snap);
}

/* The class whose normalized text is the fingerprint of sql (NULL if none). */
static struct dbp_stmt *find(const struct run *r, const char *sql)
{
    struct dbp_buf fp = {0};
    dbp_fingerprint(DBP_FP_PGSS, sql, strlen(sql), &fp);
    struct dbp_stmt *found = NULL;
    for (size_t i = 0; i < r->snap->stmts.n; i++) {
        struct dbp_stmt *st = r->snap->stmts.items[i];
        if (strcmp(st->text, fp.data) == 0)
            found = st;
    }
    dbp_buf_free(&fp);
    return found;
}

static uint64_t total_calls(const struct run *r)
{
    uint64_t n = 0;
    for (size_t i = 0; i < r->snap->stmts.n; i++)
        n += ((struct dbp_stmt *)r->snap->stmts.items[i])->agg.calls;
    return n;
}

#define P "2024-03-01 10:00:00.100 UTC [42] 65e1a.2a 1 user=alice,db=shop,app=psql,client=[local] "

static void test_stderr_min_duration(void **state)
{
    (void)state;
    const char *log =
        P "LOG:  connection authorized: user=alice database=shop\n" P
          "LOG:  duration: 1.500 ms  statement: SELECT * FROM t WHERE id = 1\n" P
          "LOG:  duration: 2.500 ms  statement: SELECT * FROM t WHERE id = 1\n" P
          "LOG:  duration: 10.000 ms  statement: SELECT a,\n"
          "\t  b\n"
          "\tFROM u\n" P "LOG:  disconnection: session time: 0:00:01.000 user=alice\n";
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *a = find(&r, "SELECT * FROM t WHERE id = 1");
    assert_non_null(a);
    assert_int_equal(a->agg.calls, 2);
    assert_true(fabs(a->agg.total_ms - 4.0) < 1e-9);
    assert_string_equal(a->database, "shop");
    assert_string_equal(a->user, "alice");
    struct dbp_stmt *b = find(&r, "SELECT a,\n  b\nFROM u");
    assert_non_null(b);
    assert_int_equal(b->agg.calls, 1);
    assert_true(fabs(b->agg.max_ms - 10.0) < 1e-9);
    assert_int_equal(r.src->entries, 3);
    assert_int_equal(a->agg.first_seen_us, 1709287200100000LL);
    run_free(&r);
}

static void test_stderr_log_statement_pairs(void **state)
{
    (void)state;
    /* log_statement=all + log_duration, two interleaved sessions, one failing statement */
    const char *log = "2024-03-01 10:00:00 UTC [1]: [1-1] user=u,db=d LOG:  statement: BEGIN\n"
                      "2024-03-01 10:00:00 UTC [2]: [1-1] user=u,db=d LOG:  statement: SELECT 2\n"
                      "2024-03-01 10:00:00 UTC [1]: [2-1] user=u,db=d LOG:  duration: 0.010 ms\n"
                      "2024-03-01 10:00:01 UTC [2]: [2-1] user=u,db=d LOG:  duration: 5.000 ms\n"
                      "2024-03-01 10:00:01 UTC [1]: [3-1] user=u,db=d LOG:  statement: SELEC 1\n"
                      "2024-03-01 10:00:01 UTC [1]: [4-1] user=u,db=d ERROR:  syntax error\n"
                      "2024-03-01 10:00:01 UTC [1]: [5-1] user=u,db=d STATEMENT:  SELEC 1\n"
                      "2024-03-01 10:00:02 UTC [1]: [6-1] user=u,db=d LOG:  statement: COMMIT\n";
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *b = find(&r, "BEGIN");
    struct dbp_stmt *s = find(&r, "SELECT 2");
    struct dbp_stmt *c = find(&r, "COMMIT");
    assert_non_null(b);
    assert_non_null(s);
    assert_non_null(c);
    assert_null(find(&r, "SELEC 1"));
    assert_true(fabs(b->agg.total_ms - 0.01) < 1e-9);
    assert_true(fabs(s->agg.total_ms - 5.0) < 1e-9);
    assert_int_equal(c->agg.calls, 1); /* flushed at end, no duration */
    assert_true(isnan(c->agg.min_ms));
    assert_int_equal(total_calls(&r), 3);
    run_free(&r);
}

static void test_stderr_extended_protocol(void **state)
{
    (void)state;
    const char *log =
        "2024-03-01 10:00:00.001 UTC [7] LOG:  duration: 0.050 ms  parse <unnamed>: SELECT $1\n"
        "2024-03-01 10:00:00.002 UTC [7] LOG:  duration: 0.020 ms  bind <unnamed>: SELECT $1\n"
        "2024-03-01 10:00:00.002 UTC [7] DETAIL:  parameters: $1 = '5'\n"
        "2024-03-01 10:00:00.003 UTC [7] LOG:  duration: 0.300 ms  execute <unnamed>: SELECT $1\n"
        "2024-03-01 10:00:00.003 UTC [7] DETAIL:  parameters: $1 = '5'\n"
        "2024-03-01 10:00:00.004 UTC [7] LOG:  duration: 0.700 ms  execute S_1/C_2: SELECT $1\n"
        "2024-03-01 10:00:00.005 UTC [7] LOG:  duration: 0.100 ms  execute fetch from S_1/C_2: "
        "SELECT $1\n";
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *s = find(&r, "SELECT $1");
    assert_non_null(s);
    assert_int_equal(s->agg.calls, 2);
    assert_true(fabs(s->agg.total_ms - 1.0) < 1e-9);
    assert_int_equal(r.snap->stmts.n, 1);
    /* the slowest execution had no parameters line */
    assert_string_equal(s->example, "SELECT $1");
    run_free(&r);

    /* the DETAIL parameters of the execution that became the example are put into it */
    log = "2024-03-01 10:00:00.003 UTC [7] LOG:  duration: 0.300 ms  execute <unnamed>: SELECT "
          "$1, '$1', a$1 FROM t WHERE b = $2\n"
          "2024-03-01 10:00:00.003 UTC [7] DETAIL:  parameters: $1 = 'it''s', $2 = NULL\n";
    run_fmt(&r, &dbp_pg_stderr_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.snap->stmts.n, 1);
    s = r.snap->stmts.items[0];
    assert_string_equal(s->example, "SELECT 'it''s', '$1', a$1 FROM t WHERE b = NULL");
    run_free(&r);
}

static void test_stderr_auto_explain_not_counted(void **state)
{
    (void)state;
    const char *log = P "LOG:  duration: 0.012 ms  plan:\n"
                        "\t{\n"
                        "\t  \"Query Text\": \"SELECT 1\",\n"
                        "\t  \"Plan\": {\n"
                        "\t    \"Node Type\": \"Result\",\n"
                        "\t    \"Startup Cost\": 0.00,\n"
                        "\t    \"Total Cost\": 0.01,\n"
                        "\t    \"Plan Rows\": 1,\n"
                        "\t    \"Plan Width\": 4\n"
                        "\t  }\n"
                        "\t}\n" P "LOG:  duration: 0.100 ms  statement: SELECT 1\n" P
                        "LOG:  duration: 0.050 ms  plan:\n"
                        "\tQuery Text: SELECT 1\n"
                        "\tResult  (cost=0.00..0.01 rows=1 width=4)\n" P
                        "LOG:  duration: 0.200 ms  statement: SELECT 1\n";
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.snap->stmts.n, 1);
    struct dbp_stmt *s = find(&r, "SELECT 1");
    assert_non_null(s);
    assert_int_equal(s->agg.calls, 2);
    /* the plan parsers may not be there yet: then nothing is attached, nothing breaks */
    if (s->plan) {
        assert_ptr_equal(s->plan->stmt, s);
        assert_non_null(s->plan->root);
    }
    assert_int_equal(r.src->entries, 2);
    run_free(&r);
}

static void test_multi_statement_query(void **state)
{
    (void)state;
    const char *log =
        "2024-03-01 10:00:00 UTC [3] LOG:  duration: 3.000 ms  statement: BEGIN; "
        "SELECT 'a;b' AS x, $q$;$q$ AS y /* ; */ -- ;\n"
        "\tFROM t; COMMIT;\n"
        "2024-03-01 10:00:00 UTC [3] LOG:  duration: 1.000 ms  statement: CREATE RULE r AS ON "
        "INSERT TO t DO ALSO (NOTIFY a; NOTIFY b)\n"
        "2024-03-01 10:00:00 UTC [3] LOG:  duration: 1.000 ms  statement: SELECT E'\\';' AS z;\n";
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *b = find(&r, "BEGIN");
    struct dbp_stmt *s = find(&r, "SELECT 'a;b' AS x, $q$;$q$ AS y /* ; */ -- ;\nFROM t");
    struct dbp_stmt *c = find(&r, "COMMIT");
    assert_non_null(b);
    assert_non_null(s);
    assert_non_null(c);
    assert_true(fabs(s->agg.total_ms - 1.0) < 1e-9);
    assert_non_null(find(&r, "CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b)"));
    assert_non_null(find(&r, "SELECT E'\\';' AS z"));
    assert_int_equal(total_calls(&r), 5);
    assert_int_equal(r.src->entries, 5);
    run_free(&r);
}

static void test_sql_prepare_execute(void **state)
{
    (void)state;
    /* as pg_stat_statements: PREPARE/DEALLOCATE not counted, EXECUTE under the PREPARE text */
    const char *log =
        "2024-03-01 10:00:00 UTC [4] LOG:  duration: 0.400 ms  statement: PREPARE p(int) AS "
        "SELECT $1\n"
        "2024-03-01 10:00:00 UTC [4] LOG:  duration: 0.200 ms  statement: EXECUTE p(1)\n"
        "2024-03-01 10:00:00 UTC [4] DETAIL:  prepare: PREPARE p(int) AS SELECT $1\n"
        "2024-03-01 10:00:00 UTC [4] LOG:  duration: 0.300 ms  statement: execute p(2);\n"
        "2024-03-01 10:00:00 UTC [4] DETAIL:  prepare: PREPARE p(int) AS SELECT $1\n"
        "2024-03-01 10:00:00 UTC [4] LOG:  duration: 0.100 ms  statement: DEALLOCATE p\n"
        /* log_statement + log_duration: the DETAIL comes before the duration */
        "2024-03-01 10:00:01 UTC [5] LOG:  statement: EXECUTE p(3)\n"
        "2024-03-01 10:00:01 UTC [5] DETAIL:  prepare: PREPARE p(int) AS SELECT $1\n"
        "2024-03-01 10:00:01 UTC [5] LOG:  duration: 0.500 ms\n"
        /* an EXECUTE whose DETAIL is missing is counted as itself */
        "2024-03-01 10:00:02 UTC [6] LOG:  duration: 0.500 ms  statement: EXECUTE q(1)\n";
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *p = find(&r, "PREPARE p(int) AS SELECT $1");
    assert_non_null(p);
    assert_int_equal(p->agg.calls, 3);
    assert_true(fabs(p->agg.total_ms - 1.0) < 1e-9);
    assert_non_null(find(&r, "EXECUTE q(1)"));
    assert_null(find(&r, "DEALLOCATE p"));
    assert_int_equal(total_calls(&r), 4);
    run_free(&r);

    const char *csv = "2024-03-01 10:00:00.000 UTC,\"u\",\"d\",4,\"h\",6.4,1,\"EXECUTE\",x,1/1,0,"
                      "LOG,00000,\"duration: 0.200 ms  statement: EXECUTE p(1)\",\"prepare: "
                      "PREPARE p(int) AS SELECT $1\",,\n";
    run_fmt(&r, &dbp_pg_csv_format, csv, NULL);
    assert_int_equal(r.rc, DBP_OK);
    p = find(&r, "PREPARE p(int) AS SELECT $1");
    assert_non_null(p);
    assert_int_equal(p->agg.calls, 1);
    assert_int_equal(total_calls(&r), 1);
    run_free(&r);
}

static void test_plan_goes_to_its_statement(void **state)
{
    (void)state;
    /* a plan whose statement was not logged is not given to the next statement */
    const char *log =
        "2024-03-01 10:00:00 UTC [8] LOG:  duration: 0.050 ms  plan:\n"
        "\t{\n\t  \"Query Text\": \"SELECT \\\"x\\\" FROM t2\",\n"
        "\t  \"Plan\": {\"Node Type\": \"Seq Scan\", \"Relation Name\": \"t2\", "
        "\"Alias\": \"t2\", \"Startup Cost\": 0.00, \"Total Cost\": 1.00, \"Plan Rows\": 1, "
        "\"Plan Width\": 4}\n\t}\n"
        "2024-03-01 10:00:00 UTC [8] LOG:  duration: 0.100 ms  statement: SELECT 1 FROM t1\n"
        "2024-03-01 10:00:01 UTC [8] LOG:  duration: 0.050 ms  plan:\n"
        "\t{\n\t  \"Query Text\": \"SELECT \\\"x\\\" FROM t2;\",\n"
        "\t  \"Plan\": {\"Node Type\": \"Seq Scan\", \"Relation Name\": \"t2\", "
        "\"Alias\": \"t2\", \"Startup Cost\": 0.00, \"Total Cost\": 1.00, \"Plan Rows\": 1, "
        "\"Plan Width\": 4}\n\t}\n"
        "2024-03-01 10:00:01 UTC [8] LOG:  duration: 0.100 ms  statement: SELECT \"x\" FROM t2;\n";
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *t1 = find(&r, "SELECT 1 FROM t1");
    struct dbp_stmt *t2 = find(&r, "SELECT \"x\" FROM t2");
    assert_non_null(t1);
    assert_non_null(t2);
    assert_null(t1->plan);
    assert_non_null(t2->plan);
    assert_non_null(t2->plan->root);
    assert_string_equal(t2->plan->root->relation, "t2");
    run_free(&r);

    /* extended protocol: a SELECT's portal is closed, and its plan logged, after the
     * execute line; the next statement must not take it */
    log = "2024-03-01 10:00:00 UTC [9] LOG:  duration: 0.100 ms  execute P_0: SELECT n FROM t3 "
          "WHERE id = $1\n"
          "2024-03-01 10:00:00 UTC [9] LOG:  duration: 0.050 ms  plan:\n"
          "\t{\n\t  \"Query Text\": \"SELECT n FROM t3 WHERE id = $1\",\n"
          "\t  \"Plan\": {\"Node Type\": \"Seq Scan\", \"Relation Name\": \"t3\", "
          "\"Alias\": \"t3\", \"Startup Cost\": 0.00, \"Total Cost\": 1.00, \"Plan Rows\": 1, "
          "\"Plan Width\": 4}\n\t}\n"
          "2024-03-01 10:00:01 UTC [9] LOG:  duration: 0.100 ms  execute <unnamed>: BEGIN\n";
    run_fmt(&r, &dbp_pg_stderr_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *t3 = find(&r, "SELECT n FROM t3 WHERE id = $1");
    assert_non_null(t3);
    assert_non_null(t3->plan);
    assert_string_equal(t3->plan->root->relation, "t3");
    assert_null(find(&r, "BEGIN")->plan);
    assert_int_equal(r.snap->plans.n, 1);
    run_free(&r);
}

static void test_stderr_given_prefix_and_q(void **state)
{
    (void)state;
    const char *log = "2025-01-21 18:37:49.782 CET [78776] LOG:  starting PostgreSQL 17.2 (Ubuntu)\n"
                      "2025-01-21 18:38:00.000 CET [80000] bob@app LOG:  duration: 3.000 ms  "
                      "statement: UPDATE x SET y = 1\n";
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, log, "%m [%p] %q%u@%d ");
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *s = find(&r, "UPDATE x SET y = 1");
    assert_non_null(s);
    assert_string_equal(s->database, "app");
    assert_string_equal(s->user, "bob");
    assert_string_equal(r.src->server_version, "17.2");
    /* CET is UTC+1 */
    assert_int_equal(s->agg.first_seen_us, 1737481080000000LL);
    run_free(&r);
}

static void test_stderr_detect_rds_prefix(void **state)
{
    (void)state;
    const char *log =
        "2020-03-11 20:40:43 CET:10.0.0.1(5000):bob@shop:[12760]:LOG:  duration: 1.000 ms  "
        "statement: SELECT 1\n"
        "2020-03-11 20:40:44 CET:10.0.0.1(5000):bob@shop:[12760]:LOG:  duration: 1.000 ms  "
        "statement: SELECT 1\n";
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *s = find(&r, "SELECT 1");
    assert_non_null(s);
    assert_int_equal(s->agg.calls, 2);
    assert_string_equal(s->database, "shop");
    assert_string_equal(s->user, "bob");
    run_free(&r);
}

static void test_stderr_malformed(void **state)
{
    (void)state;
    const char *log = "2024-03-01 10:00:00 UTC [1] LOG:  duration: 1.000 ms  statement: SELECT 1\n"
                      "pg_ctl: could not start server\n"
                      "2024-03-01 10:00:00 UTC [1] LOG:  duration: 1.000 ms  statement: SELECT 1\n";
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, log, NULL);
    assert_int_equal(r.rc, DBP_ERR_FORMAT);
    assert_string_equal(r.err.message, "t.log:2: line does not match the log_line_prefix");
    assert_int_equal(r.src->skipped, 1);
    assert_int_equal(r.src->status, DBP_ERR_FORMAT);
    assert_int_equal(find(&r, "SELECT 1")->agg.calls, 2);
    assert_true(r.snap->n_diags >= 1);
    run_free(&r);
}

static void test_sessions_events_and_end(void **state)
{
    (void)state;
    /* an N+1 run: the same statement 6 times in one session after a parent */
    struct dbp_buf b = {0};
    dbp_buf_puts(&b, "2024-03-01 10:00:00.000 UTC [9] 6500.9 1 user=u,db=d,app=a,client=c LOG:  "
                     "duration: 1.000 ms  statement: SELECT * FROM orders\n");
    for (int i = 0; i < 6; i++)
        dbp_buf_printf(&b,
                       "2024-03-01 10:00:00.%03d UTC [9] 6500.9 %d user=u,db=d,app=a,client=c LOG:  "
                       "duration: 0.100 ms  statement: SELECT * FROM items WHERE order_id = 1\n",
                       i + 1, i + 2);
    dbp_buf_puts(&b, "2024-03-01 10:00:01.000 UTC [9] 6500.9 9 user=u,db=d,app=a,client=c LOG:  "
                     "disconnection: session time: 0:00:01.000\n");
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, b.data, NULL);
    assert_int_equal(r.rc, DBP_OK);
    dbp_snapshot_sessions_flush(r.snap);
    assert_int_equal(r.snap->bursts.n, 1);
    struct dbp_burst *bu = r.snap->bursts.items[0];
    assert_ptr_equal(bu->child, find(&r, "SELECT * FROM items WHERE order_id = 1"));
    assert_ptr_equal(bu->parent, find(&r, "SELECT * FROM orders"));
    assert_int_equal(bu->calls, 6);
    dbp_buf_free(&b);
    run_free(&r);
}

static void test_many_sessions_bounded(void **state)
{
    (void)state;
    /* 10000 sessions each leaving a log_statement line pending: all counted */
    struct dbp_buf b = {0};
    for (int i = 0; i < 10000; i++)
        dbp_buf_printf(&b, "2024-03-01 10:00:00 UTC [%d] LOG:  statement: SELECT 1\n", i + 1);
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, b.data, NULL);
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(find(&r, "SELECT 1")->agg.calls, 10000);
    dbp_buf_free(&b);
    run_free(&r);
}

static void test_huge_plan_not_held(void **state)
{
    (void)state;
    /* a 5 MiB auto_explain plan (over the 4 MiB a session may hold): dropped, statement counted */
    struct dbp_buf b = {0};
    dbp_buf_puts(&b, "2024-03-01 10:00:00 UTC [5] LOG:  duration: 1.000 ms  plan:\n\t{\n");
    for (int i = 0; i < 50000; i++)
        dbp_buf_puts(&b, "\t  \"Filter\": \"(x = 1) AND (y = 2) AND (z = 3) AND (w = 4) AND (v = "
                         "5) AND (u = 6)\",\n");
    dbp_buf_puts(&b, "\t}\n2024-03-01 10:00:00 UTC [5] LOG:  duration: 2.000 ms  statement: "
                     "SELECT 1\n");
    struct run r;
    run_fmt(&r, &dbp_pg_stderr_format, b.data, NULL);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *st = find(&r, "SELECT 1");
    assert_non_null(st);
    assert_int_equal(st->agg.calls, 1);
    assert_null(st->plan);
    dbp_buf_free(&b);
    run_free(&r);
}

static void test_csv(void **state)
{
    (void)state;
    const char *log =
        "2021-01-21 16:12:51.400 CET,\"aaaa\",\"db1\",77553,\"127.0.0.1:45908\",60099770.12ef1,"
        "1644,\"UPDATE\",2021-01-21 16:02:08 CET,10/5684,136179,LOG,00000,\"duration: 36.388 ms  "
        "execute <unnamed>: update t set data=$1 where id=$2\",\"parameters: $1 = 'x', $2 = "
        "'157'\",,,,,,,,\"PostgreSQL JDBC Driver\",\"client backend\",,0\n"
        "2021-01-21 16:12:52.000 CET,\"aaaa\",\"db1\",77553,\"127.0.0.1:45908\",60099770.12ef1,"
        "1645,\"SELECT\",2021-01-21 16:02:08 CET,10/5685,0,LOG,00000,\"duration: 1.000 ms  "
        "statement: select \"\"a\"\",\n  'b'\nfrom \"\"T\"\"\",,,,,,,,,\"psql\"\n"
        "2021-01-21 16:12:53.000 CET,\"aaaa\",\"db1\",77553,\"127.0.0.1:45908\",60099770.12ef1,"
        "1646,\"SELECT\",2021-01-21 16:02:08 CET,10/5686,0,LOG,00000,\"duration: 0.500 ms  plan:\n"
        "{\n  \"\"Query Text\"\": \"\"select 1\"\"\n}\",,,,,,,,,\"psql\"\n";
    struct run r;
    assert_true(dbp_pg_csv_format.probe((const unsigned char *)log, strlen(log)) > 50);
    assert_int_equal(dbp_pg_stderr_format.probe((const unsigned char *)log, strlen(log)), 0);
    assert_int_equal(dbp_pg_json_format.probe((const unsigned char *)log, strlen(log)), 0);
    run_fmt(&r, &dbp_pg_csv_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *u = find(&r, "update t set data=$1 where id=$2");
    assert_non_null(u);
    assert_string_equal(u->example, "update t set data='x' where id='157'");
    assert_true(fabs(u->agg.total_ms - 36.388) < 1e-9);
    assert_string_equal(u->database, "db1");
    struct dbp_stmt *s = find(&r, "select \"a\",\n  'b'\nfrom \"T\"");
    assert_non_null(s);
    assert_int_equal(s->agg.calls, 1);
    assert_int_equal(total_calls(&r), 2);
    assert_int_equal(r.src->entries, 2);
    run_free(&r);
}

static void test_csv_malformed_and_unterminated(void **state)
{
    (void)state;
    const char *log = "2021-01-21 16:12:52.000 CET,\"a\",\"b\",1,\"h\",6.1,1,\"SELECT\",x,1/1,0,LOG,"
                      "00000,\"duration: 1.000 ms  statement: select 1\",,\n"
                      "garbage,line\n"
                      "2021-01-21 16:12:52.000 CET,\"a\",\"b\",1,\"h\",6.1,1,\"SELECT\",x,1/1,0,LOG,"
                      "00000,\"duration: 1.000 ms  statement: select \n";
    struct run r;
    run_fmt(&r, &dbp_pg_csv_format, log, NULL);
    assert_int_equal(r.rc, DBP_ERR_FORMAT);
    assert_string_equal(r.err.message, "t.log:2: not a csvlog record");
    assert_int_equal(r.src->skipped, 2);
    assert_int_equal(total_calls(&r), 1);
    run_free(&r);
}

static void test_json(void **state)
{
    (void)state;
    const char *log =
        "{\"timestamp\":\"2026-11-26 16:42:05.636 UTC\",\"user\":\"postgres\",\"dbname\":\"bench\","
        "\"pid\":9053,\"session_id\":\"6b08615d.235d\",\"line_num\":3,\"error_severity\":\"LOG\","
        "\"message\":\"duration: 0.012 ms  plan:\\n{\\n  \\\"Query Text\\\": \\\"SELECT 1\\\"\\n}\","
        "\"application_name\":\"psql\",\"query_id\":7035266605739405788}\n"
        "{\"timestamp\":\"2026-11-26 16:42:05.637 UTC\",\"user\":\"postgres\",\"dbname\":\"bench\","
        "\"pid\":9053,\"session_id\":\"6b08615d.235d\",\"line_num\":4,\"error_severity\":\"LOG\","
        "\"message\":\"duration: 0.964 ms  statement: SELECT 'caf\\u00e9',\\n\\t2\"}\n"
        "{\"level\":\"info\",\"record\":{\"log_time\":\"2022-11-27 18:58:02.096 UTC\","
        "\"user_name\":\"p\",\"database_name\":\"q\",\"process_id\":\"600\",\"session_id\":"
        "\"6383b33a.258\",\"error_severity\":\"LOG\",\"message\":\"duration: 2.000 ms  statement: "
        "SELECT 3\"}}\n";
    assert_true(dbp_pg_json_format.probe((const unsigned char *)log, strlen(log)) > 50);
    assert_int_equal(dbp_pg_csv_format.probe((const unsigned char *)log, strlen(log)), 0);
    assert_int_equal(dbp_pg_stderr_format.probe((const unsigned char *)log, strlen(log)), 0);
    struct run r;
    run_fmt(&r, &dbp_pg_json_format, log, NULL);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *s = find(&r, "SELECT 'caf\xc3\xa9',\n\t2");
    assert_non_null(s);
    assert_string_equal(s->database, "bench");
    assert_int_equal(s->agg.first_seen_us, 1795711325637000LL);
    struct dbp_stmt *t = find(&r, "SELECT 3");
    assert_non_null(t);
    assert_string_equal(t->database, "q");
    assert_string_equal(t->user, "p");
    assert_int_equal(total_calls(&r), 2);
    run_free(&r);
}

/* pgbadger's t/07_csv_statement_duration.t expectations on the same fixture */
static void test_csv_fixture_statement_without_duration(void **state)
{
    (void)state;
    struct dbp_error err = {0};
    struct dbp_reader *rd = NULL;
    assert_int_equal(dbp_reader_open(DBPERF_CORPUS "/pgbadger/fixtures/"
                                                   "csv_statement_without_duration.log",
                                     &rd, &err),
                     DBP_OK);
    size_t hl;
    const unsigned char *head = dbp_reader_head(rd, &hl);
    const struct dbp_driver *drv = NULL;
    assert_ptr_equal(dbp_format_detect(head, hl, &drv), &dbp_pg_csv_format);
    struct run r = {.snap = dbp_snapshot_new()};
    r.src = dbp_snapshot_add_source(r.snap, "f", "postgres-csv");
    r.rc = dbp_pg_csv_format.parse(rd, NULL, r.snap, r.src, &r.err);
    dbp_reader_close(rd);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *slow = NULL, *health = NULL;
    for (size_t i = 0; i < r.snap->stmts.n; i++) {
        struct dbp_stmt *st = r.snap->stmts.items[i];
        if (strstr(st->text, "slow_table"))
            slow = st;
        if (strstr(st->text, "health_check"))
            health = st;
    }
    assert_non_null(slow);
    assert_non_null(health);
    assert_true(fabs(slow->agg.total_ms - 688786.283) < 1e-6);
    assert_int_equal(health->agg.calls, 1);
    assert_true(isnan(health->agg.min_ms)); /* no duration, no min/max */
    assert_true(isnan(health->agg.max_ms) || health->agg.max_ms == 0);
    run_free(&r);
}

static void test_json_malformed(void **state)
{
    (void)state;
    const char *log = "{\"timestamp\":\"2026-11-26 16:42:05.636 UTC\",\"error_severity\":\"LOG\","
                      "\"message\":\"duration: 1.000 ms  statement: SELECT 1\"}\n"
                      "{\"timestamp\":\"2026-11-26 16:42:05.636 UTC\",\"message\":\"x\n"
                      "{\"level\":\"info\",\"logger\":\"wal-archive\",\"msg\":\"skip\"}\n"
                      "{\"timestamp\":\"2026-11-26 16:42:05.636 UTC\",\"error_severity\":\"LOG\","
                      "\"message\":\"duration: 1.000 ms  statement: ;\"}\n";
    struct run r;
    run_fmt(&r, &dbp_pg_json_format, log, NULL);
    assert_int_equal(r.rc, DBP_ERR_FORMAT);
    assert_string_equal(r.err.message, "t.log:2: not a jsonlog record");
    assert_int_equal(r.src->skipped, 1); /* another logger's JSON line is not malformed */
    assert_int_equal(total_calls(&r), 1); /* an empty query runs nothing */
    assert_int_equal(r.snap->stmts.n, 1);
    run_free(&r);
}

static void test_garbage_never_crashes(void **state)
{
    (void)state;
    unsigned char junk[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (unsigned char)(x >> 16);
    }
    const struct dbp_format *f[] = {&dbp_pg_stderr_format, &dbp_pg_csv_format,
                                    &dbp_pg_json_format};
    for (size_t k = 0; k < 3; k++) {
        f[k]->probe(junk, sizeof junk);
        struct dbp_snapshot *snap = dbp_snapshot_new();
        struct dbp_source *src = dbp_snapshot_add_source(snap, "junk", f[k]->name);
        struct dbp_reader *rd = dbp_reader_open_mem(junk, sizeof junk, "junk");
        struct dbp_error err;
        int rc = f[k]->parse(rd, NULL, snap, src, &err);
        assert_true(rc == DBP_OK || rc == DBP_ERR_FORMAT);
        dbp_reader_close(rd);
        dbp_snapshot_free(snap);
    }
}

/* other engines' logs from the corpus are not taken for PostgreSQL logs */
static void test_probes_reject_other_logs(void **state)
{
    (void)state;
    static const char *const files[] = {
        "mtools/logfiles/mongod_328.log",
        "mtools/logfiles/mongod_4.0.10_slowoplogs.log",
        "mongodb/logs/hatchet-mongod-6.0.11-slowquery-sample.log",
        "percona-toolkit/slowlogs/mysql5.7.log",
        "percona-toolkit/slowlogs/microslow001.txt",
        "pgbadger/fixtures/pgbouncer.log.gz",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", DBPERF_CORPUS, files[i]);
        struct dbp_reader *rd = NULL;
        struct dbp_error err;
        assert_int_equal(dbp_reader_open(path, &rd, &err), DBP_OK);
        size_t hl;
        const unsigned char *head = dbp_reader_head(rd, &hl);
        assert_true(hl > 0);
        if (dbp_pg_stderr_format.probe(head, hl) || dbp_pg_csv_format.probe(head, hl) ||
            dbp_pg_json_format.probe(head, hl))
            fail_msg("%s taken for a PostgreSQL log", files[i]);
        dbp_reader_close(rd);
    }
}

static void test_timestamps(void **state)
{
    (void)state;
    size_t used;
    assert_int_equal(dbp_pglog_parse_ts("1970-01-01 00:00:01 UTC", 23, &used), 1000000);
    assert_int_equal(used, 23);
    assert_int_equal(dbp_pglog_parse_ts("1970-01-01 01:00:01.5 +01", 25, &used), 1500000);
    assert_int_equal(dbp_pglog_parse_ts("1970-01-01 03:00:00 MSK", 23, &used), 0);
    assert_int_equal(used, 23);
    assert_int_equal(dbp_pglog_parse_ts("1970-01-01T00:00:00.000001Z", 27, &used), 1);
    dbp_pglog_parse_ts("Feb 11 13:15:39", 15, &used);
    assert_int_equal(used, 0);

    /* the minute's start is cached: same minute, other seconds and fractions */
    const int64_t m = 1764178800LL * 1000000; /* 2025-11-26 17:40:00 UTC */
    assert_int_equal(dbp_pglog_parse_ts("2025-11-26 17:40:52.290 UTC", 27, &used), m + 52290000);
    assert_int_equal(dbp_pglog_parse_ts("2025-11-26 17:40:07.5 UTC", 25, &used), m + 7500000);
    assert_int_equal(dbp_pglog_parse_ts("2025-11-26 17:40:00 UTC", 23, &used), m);
    assert_int_equal(dbp_pglog_parse_ts("2025-11-26 17:40:00.1234567 UTC", 31, &used), m + 123456);
    assert_int_equal(used, 31);
    assert_int_equal(dbp_pglog_parse_ts("2025-11-26 17:40:01 +01", 23, &used), m + 1000000 - 3600000000LL);
    /* a cached minute with bad seconds is still rejected */
    dbp_pglog_parse_ts("2025-11-26 17:40:7x UTC", 23, &used);
    assert_int_equal(used, 0);
    dbp_pglog_parse_ts("2025-11-26 17:40:61 UTC", 23, &used);
    assert_int_equal(used, 0);
    /* the next minute, another day, and back: not the cached value */
    assert_int_equal(dbp_pglog_parse_ts("2025-11-26 17:41:00 UTC", 23, &used), m + 60000000);
    assert_int_equal(dbp_pglog_parse_ts("2025-11-27 17:40:00 UTC", 23, &used), m + 86400000000LL);
    assert_int_equal(dbp_pglog_parse_ts("2025-11-26T17:40:00Z", 20, &used), m);
    assert_int_equal(dbp_pglog_parse_ts("2025-11-26 17:40:00 UTC", 23, &used), m);
    /* a bad minute is not cached */
    dbp_pglog_parse_ts("2025-13-26 17:40:00 UTC", 23, &used);
    assert_int_equal(used, 0);
    dbp_pglog_parse_ts("2025-13-26 17:40:00 UTC", 23, &used);
    assert_int_equal(used, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stderr_min_duration),
        cmocka_unit_test(test_stderr_log_statement_pairs),
        cmocka_unit_test(test_stderr_extended_protocol),
        cmocka_unit_test(test_stderr_auto_explain_not_counted),
        cmocka_unit_test(test_multi_statement_query),
        cmocka_unit_test(test_sql_prepare_execute),
        cmocka_unit_test(test_plan_goes_to_its_statement),
        cmocka_unit_test(test_stderr_given_prefix_and_q),
        cmocka_unit_test(test_stderr_detect_rds_prefix),
        cmocka_unit_test(test_stderr_malformed),
        cmocka_unit_test(test_sessions_events_and_end),
        cmocka_unit_test(test_many_sessions_bounded),
        cmocka_unit_test(test_huge_plan_not_held),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_malformed_and_unterminated),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_csv_fixture_statement_without_duration),
        cmocka_unit_test(test_json_malformed),
        cmocka_unit_test(test_garbage_never_crashes),
        cmocka_unit_test(test_probes_reject_other_logs),
        cmocka_unit_test(test_timestamps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
