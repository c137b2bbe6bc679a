/*
 * test_my_slowlog.c -- the mysql-slow format on small inline logs: MySQL 5.6,
 * 5.7/8.0, Percona Server, MariaDB (with "# explain:" plans), restart
 * headers, multi-statement entries, administrator commands, missing fields,
 * garbage, truncated and over-long input; counts, totals, rows, databases,
 * users, timestamps, sessions and N+1 bursts, plans and diagnostics.
 */
/* cmocka.h needs these first */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "mysql/my_int.h"

struct run {
    struct dbp_snapshot *snap;
    struct dbp_source *src;
    struct dbp_error err;
    int rc;
};

static void parse_mem(struct run *r, const void *data, size_t len)
{
    r->snap = dbp_snapshot_new();
    r->src = dbp_snapshot_add_source(r->snap, "t.log", "mysql-slow");
    struct dbp_reader *rd = dbp_reader_open_mem(data, len, "t.log");
    struct dbp_parse_opts po = {0};
    memset(&r->err, 0, sizeof r->err);
    r->rc = dbp_my_slow_format.parse(rd, &po, r->snap, r->src, &r->err);
    dbp_reader_close(rd);
    dbp_snapshot_sessions_flush(r->snap);
}

static void parse_str(struct run *r, const char *log)
{
    parse_mem(r, log, strlen(log));
}

/* The class of sql (fingerprinted the way the parser does); NULL if none. */
static struct dbp_stmt *cls(struct run *r, const char *sql)
{
    struct dbp_buf b = {0};
    dbp_fingerprint(DBP_FP_PT, sql, strlen(sql), &b);
    uint64_t id = dbp_fingerprint_id(b.data ? b.data : "", b.len);
    dbp_buf_free(&b);
    return dbp_snapshot_find_fpid(r->snap, id);
}

/* Number of classes with this fingerprint id (one per database). */
static size_t n_classes(struct run *r, const char *sql)
{
    struct dbp_stmt *st = cls(r, sql);
    size_t n = 0;
    for (size_t i = 0; st && i < r->snap->stmts.n; i++)
        if (((struct dbp_stmt *)r->snap->stmts.items[i])->fpid == st->fpid)
            n++;
    return n;
}

static uint64_t total_calls(struct run *r)
{
    uint64_t n = 0;
    for (size_t i = 0; i < r->snap->stmts.n; i++)
        n += ((struct dbp_stmt *)r->snap->stmts.items[i])->agg.calls;
    return n;
}

static void done(struct run *r)
{
    dbp_snapshot_free(r->snap);
}

static bool near(double a, double b)
{
    return fabs(a - b) < 1e-6;
}

static void t_mysql56(void **state)
{
    (void)state;
    struct run r;
    parse_str(&r, "/usr/sbin/mysqld, Version: 5.6.19-log (MySQL Community Server (GPL)). "
                  "started with:\n"
                  "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock\n"
                  "Time                 Id Command    Argument\n"
                  "# Time: 121018 23:24:49\n"
                  "# User@Host: app[app] @ web1 [10.0.0.5]  Id:    42\n"
                  "# Query_time: 1.500000  Lock_time: 0.000100 Rows_sent: 3  Rows_examined: 1000\n"
                  "use shop;\n"
                  "SET timestamp=1350602689;\n"
                  "SELECT * FROM orders WHERE customer_id = 17;\n"
                  "# User@Host: app[app] @ web1 [10.0.0.5]  Id:    43\n"
                  "# Query_time: 0.250000  Lock_time: 0.000100 Rows_sent: 1  Rows_examined: 500\n"
                  "SET timestamp=1350602690;\n"
                  "SELECT * FROM orders WHERE customer_id = 99;\n");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 2);
    assert_int_equal(r.src->skipped, 0);
    assert_int_equal(r.snap->n_diags, 0);
    assert_string_equal(r.src->server_version, "5.6.19-log");
    struct dbp_stmt *st = cls(&r, "select * from orders where customer_id = 1");
    assert_non_null(st);
    assert_int_equal(n_classes(&r, "select * from orders where customer_id = 1"), 1);
    assert_int_equal(st->agg.calls, 2);
    assert_true(near(st->agg.total_ms, 1750));
    assert_true(near(st->agg.max_ms, 1500));
    assert_int_equal(st->agg.rows_examined, 1500);
    assert_int_equal(st->agg.rows_returned, 4);
    /* the second entry has no use line: MySQL wrote none because the database did not change */
    assert_string_equal(st->database, "shop");
    assert_string_equal(st->user, "app");
    assert_int_equal(st->engine, DBP_ENGINE_MYSQL);
    assert_int_equal(st->source, DBP_SRC_LOG);
    /* SET timestamp gives the time; the example is the slowest, without use/SET */
    assert_int_equal(st->agg.first_seen_us, 1350602689LL * 1000000);
    assert_int_equal(st->agg.last_seen_us, 1350602690LL * 1000000);
    assert_string_equal(st->example, "SELECT * FROM orders WHERE customer_id = 17");
    assert_true(near(st->example_ms, 1500));
    done(&r);
}

static void t_mysql80(void **state)
{
    (void)state;
    struct run r;
    parse_str(&r, "# Time: 2019-03-12T10:00:00.123456Z\n"
                  "# User@Host: root[root] @ localhost []  Id:     8\n"
                  "# Query_time: 0.000212  Lock_time: 0.000003 Rows_sent: 1  Rows_examined: 0\n"
                  "use test;\n"
                  "SET timestamp=1552384800;\n"
                  "select @@version_comment limit 1;\n"
                  "# Time: 2019-03-12T10:00:01.500000+01:00\n"
                  "# User@Host: root[root] @ localhost []\n"
                  "# Query_time: 0.100000  Lock_time: 0.000003 Rows_sent: 2  Rows_examined: 7 "
                  "Thread_id: 9 Errno: 0 Killed: 0 Bytes_received: 0 Bytes_sent: 56 "
                  "Start: 2019-03-12T09:00:01.400000Z End: 2019-03-12T09:00:01.500000Z\n"
                  "SET timestamp=1552381201;\n"
                  "SELECT name FROM t WHERE id = 5;\n");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 2);
    struct dbp_stmt *a = cls(&r, "select @@version_comment limit 1");
    assert_non_null(a);
    /* the ISO time is exact (microseconds) and absolute */
    assert_int_equal(a->agg.first_seen_us, 1552384800LL * 1000000 + 123456);
    assert_true(near(a->agg.total_ms, 0.212));
    assert_string_equal(a->database, "test");
    struct dbp_stmt *b = cls(&r, "select name from t where id = 1");
    assert_non_null(b);
    /* +01:00 offset: 10:00:01.5 local is 09:00:01.5 UTC */
    assert_int_equal(b->agg.first_seen_us, 1552381201LL * 1000000 + 500000);
    assert_int_equal(b->agg.rows_examined, 7);
    assert_int_equal(b->agg.rows_returned, 2);
    assert_string_equal(b->database, "test");
    done(&r);
}

static void t_percona(void **state)
{
    (void)state;
    struct run r;
    parse_str(&r,
              "# Time: 131128  1:05:31\n"
              "# User@Host: user1[user1] @ localhost [127.0.0.1]  Id: 69194\n"
              "# Schema: maindb  Last_errno: 0  Killed: 0\n"
              "# Query_time: 0.000228  Lock_time: 0.000114  Rows_sent: 1  Rows_examined: 1  "
              "Rows_affected: 0\n"
              "# Bytes_sent: 545  Tmp_tables: 0  Tmp_disk_tables: 0  Tmp_table_sizes: 0\n"
              "# InnoDB_trx_id: 1A88583F\n"
              "# QC_Hit: No  Full_scan: No  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No\n"
              "# Filesort: No  Filesort_on_disk: No  Merge_passes: 0\n"
              "#   InnoDB_IO_r_ops: 0  InnoDB_IO_r_bytes: 0  InnoDB_IO_r_wait: 0.000000\n"
              "#   InnoDB_rec_lock_wait: 0.000000  InnoDB_queue_wait: 0.000000\n"
              "#   InnoDB_pages_distinct: 2\n"
              "# Log_slow_rate_type: query  Log_slow_rate_limit: 2\n"
              "SET timestamp=1385600731;\n"
              "SELECT foo FROM bar WHERE id=1;\n"
              "# User@Host: user1[user1] @ localhost [127.0.0.1]\n"
              "# Thread_id: 69195  Schema:   Last_errno: 0  Killed: 0\n"
              "# Query_time: 0.000237  Lock_time: 0.000122  Rows_sent: 1  Rows_examined: 1\n"
              "# No InnoDB statistics available for this query\n"
              "SET timestamp=1385600732;\n"
              "SELECT foo FROM bar WHERE id=2;\n"
              "# User@Host: [SQL_SLAVE] @  []\n"
              "# Thread_id: 10  Schema: other\n"
              "# Query_time: 0.5  Lock_time: 0.000122  Rows_sent: 0  Rows_examined: 9\n"
              "SELECT foo FROM bar WHERE id=3;\n");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 3);
    /* an empty Schema: ("Schema:   Last_errno: 0") inherits; another schema is another class */
    assert_int_equal(n_classes(&r, "select foo from bar where id=1"), 2);
    struct dbp_stmt *st = cls(&r, "select foo from bar where id=1");
    assert_string_equal(st->database, "maindb");
    assert_int_equal(st->agg.calls, 2);
    assert_true(near(st->agg.total_ms, 0.465));
    assert_string_equal(st->user, "user1");
    struct dbp_stmt *other = NULL;
    for (size_t i = 0; i < r.snap->stmts.n; i++) {
        struct dbp_stmt *s = r.snap->stmts.items[i];
        if (s->database && strcmp(s->database, "other") == 0)
            other = s;
    }
    assert_non_null(other);
    assert_string_equal(other->user, "SQL_SLAVE");
    assert_int_equal(other->agg.rows_examined, 9);
    /* no # Time and no SET timestamp: the last time seen */
    assert_int_equal(other->agg.first_seen_us, 1385600732LL * 1000000);
    done(&r);
}

static const char mariadb_log[] =
    "/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-log (MariaDB Server). started with:\n"
    "Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock\n"
    "Time\t\t    Id Command\tArgument\n" /* as MariaDB writes it, with tabs */
    "# Time: 240115 10:00:00\n"
    "# User@Host: shop[shop] @ localhost []\n"
    "# Thread_id: 31  Schema: shop  QC_hit: No\n"
    "# Query_time: %s  Lock_time: 0.000050  Rows_sent: 10  Rows_examined: 20000\n"
    "# Rows_affected: 0  Bytes_sent: 512\n"
    "# Full_scan: Yes  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No\n"
    "# Filesort: No  Filesort_on_disk: No  Merge_passes: 0  Priority_queue: No\n"
    "#\n"
    "# explain: id\tselect_type\ttable\ttype\tpossible_keys\tkey\tkey_len\tref\trows\tr_rows\t"
    "filtered\tr_filtered\tExtra\n"
    "# explain: 1\tSIMPLE\to\tALL\tNULL\tNULL\tNULL\tNULL\t10000\t10000.00\t100.00\t0.10\t"
    "Using where\n"
    "# explain: 1\tSIMPLE\tc\teq_ref\tPRIMARY\tPRIMARY\t4\tshop.o.customer_id\t1\t1.00\t100.00\t"
    "100.00\tUsing index\n"
    "#\n"
    "SET timestamp=1705312800;\n"
    "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.note = 'x%d';\n";

static void t_mariadb_explain(void **state)
{
    (void)state;
    struct dbp_buf log = {0};
    /* the slowest entry (2.5 s) must own the plan; 200 entries keep one plan */
    for (int i = 0; i < 200; i++) {
        const char *qt = i == 50 ? "2.500000" : (i % 2 ? "0.100000" : "0.200000");
        char qt_line[32];
        snprintf(qt_line, sizeof qt_line, "%s", qt);
        dbp_buf_printf(&log, mariadb_log, qt_line, i);
    }
    struct run r;
    parse_mem(&r, log.data, log.len);
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.snap->n_diags, 0);
    assert_int_equal(r.src->entries, 200);
    assert_string_equal(r.src->server_version, "10.11.6-MariaDB-log");
    struct dbp_stmt *st =
        cls(&r, "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id "
                "WHERE o.note = 'x1'");
    assert_non_null(st);
    assert_int_equal(st->agg.calls, 200);
    assert_string_equal(st->database, "shop");
    assert_int_equal(r.snap->plans.n, 1);
    struct dbp_plan *p = st->plan;
    assert_non_null(p);
    assert_ptr_equal(r.snap->plans.items[0], p);
    assert_ptr_equal(p->stmt, st);
    assert_int_equal(p->engine, DBP_ENGINE_MYSQL);
    assert_string_equal(p->format, "mariadb-slowlog-explain");
    assert_true(near(p->execution_ms, 2500));
    assert_true(near(st->example_ms, 2500));
    assert_non_null(strstr(st->example, "'x50'"));
    assert_true(p->analyzed);
    struct dbp_plan_node *root = p->root;
    assert_int_equal(root->kind, DBP_NODE_JOIN);
    assert_int_equal(root->n_children, 2);
    struct dbp_plan_node *o = root->children[0], *c = root->children[1];
    assert_int_equal(o->kind, DBP_NODE_FULL_SCAN);
    /* the alias in the EXPLAIN is resolved from the statement; "Using where" gets the
     * WHERE clause's columns */
    assert_string_equal(o->relation, "orders");
    assert_string_equal(o->alias, "o");
    assert_non_null(strstr(o->condition, "o.note = 'x50'"));
    assert_int_equal(o->n_preds, 1);
    assert_string_equal(o->preds[0].column, "note");
    assert_int_equal(o->preds[0].op, DBP_PRED_EQ);
    assert_string_equal(o->engine_name, "ALL");
    assert_null(o->index);
    assert_true(near(o->est_rows, 10000));
    assert_true(near(o->rows_examined, 10000));
    assert_true(near(o->act_rows, 10)); /* r_filtered 0.10% of the 10000 rows read */
    assert_int_equal(c->kind, DBP_NODE_INDEX_ONLY_SCAN);
    assert_string_equal(c->relation, "customers");
    assert_int_equal(c->n_preds, 0);
    assert_null(c->condition);
    assert_string_equal(c->index, "PRIMARY");
    assert_true(near(c->est_rows, 1));
    done(&r);
    dbp_buf_free(&log);
}

static void t_mariadb_single_table_plan(void **state)
{
    (void)state;
    struct run r;
    parse_str(&r, "# Time: 180214 16:18:07\n"
                  "# User@Host: root[root] @ localhost []\n"
                  "# Thread_id: 8  Schema: db  QC_hit: No\n"
                  "# Query_time: 0.000277  Lock_time: 0.000000  Rows_sent: 1  Rows_examined: 0\n"
                  "# explain: id\tselect_type\ttable\ttype\tpossible_keys\tkey\tkey_len\tref\t"
                  "rows\tExtra\n"
                  "# explain: 1\tSIMPLE\tt\tref\tk\tk\t5\tconst\t12\tUsing index condition\n"
                  "SET timestamp=1518625087;\n"
                  "SELECT * FROM t WHERE k = 3;\n"
                  "# Time: 180214 16:18:08\n"
                  "# User@Host: root[root] @ localhost []\n"
                  "# Thread_id: 8  Schema: db  QC_hit: No\n"
                  "# Query_time: 0.000100  Lock_time: 0.000000  Rows_sent: 1  Rows_examined: 0\n"
                  "# explain: id\tselect_type\ttable\ttype\tpossible_keys\tkey\tkey_len\tref\t"
                  "rows\tr_rows\tfiltered\tr_filtered\tExtra\n"
                  "# explain: 1\tSIMPLE\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\t"
                  "NULL\tNo tables used\n"
                  "SET timestamp=1518625088;\n"
                  "SELECT 1;\n"
                  "# Time: 180214 16:18:09\n"
                  "# User@Host: root[root] @ localhost []\n"
                  "# Thread_id: 8  Schema: db  QC_hit: No\n"
                  "# Query_time: 0.3  Lock_time: 0.000000  Rows_sent: 1  Rows_examined: 0\n"
                  "# explain: id\tselect_type\ttable\ttype\tpossible_keys\tkey\tkey_len\tref\t"
                  "rows\tExtra\n"
                  "# explain: 1\tPRIMARY\to\tALL\tNULL\tNULL\tNULL\tNULL\t900\tUsing where\n"
                  "# explain: 1\tPRIMARY\t<derived2>\tALL\tNULL\tNULL\tNULL\tNULL\t2\t"
                  "Using where; Using join buffer (flat, BNL join)\n"
                  "# explain: 2\tDERIVED\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\t"
                  "No tables used\n"
                  "SET timestamp=1518625089;\n"
                  "SELECT /* from here */ x FROM `shop`.`orders` AS o, (SELECT 1 AS x) d -- c\n"
                  "WHERE o.status = 'new' AND d.x > 1 AND o.total > 5 GROUP BY x;\n");
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *st = cls(&r, "SELECT * FROM t WHERE k = 3");
    assert_non_null(st->plan);
    assert_int_equal(st->plan->root->kind, DBP_NODE_INDEX_SCAN); /* "Using index condition" */
    assert_int_equal(st->plan->root->n_children, 0);
    assert_string_equal(st->plan->root->relation, "t");
    assert_null(st->plan->root->alias);
    assert_int_equal(st->plan->root->n_preds, 0); /* no "Using where" */
    assert_false(st->plan->analyzed);
    assert_true(isnan(st->plan->root->act_rows));
    struct dbp_stmt *one = cls(&r, "SELECT 1");
    assert_non_null(one->plan);
    assert_int_equal(one->plan->root->kind, DBP_NODE_RESULT);
    assert_null(one->plan->root->relation);
    struct dbp_stmt *j = cls(&r, "SELECT x FROM `shop`.`orders` AS o, (SELECT 1 AS x) d "
                                 "WHERE o.status = 'new' AND d.x > 1 AND o.total > 5 GROUP BY x");
    assert_non_null(j);
    assert_non_null(j->plan);
    struct dbp_plan_node *root = j->plan->root;
    assert_int_equal(root->kind, DBP_NODE_JOIN);
    assert_int_equal(root->n_children, 3);
    struct dbp_plan_node *o = root->children[0], *d = root->children[1];
    assert_string_equal(o->relation, "orders");
    assert_string_equal(o->schema, "shop");
    assert_string_equal(o->alias, "o");
    assert_int_equal(o->n_preds, 2); /* d.x belongs to the other table */
    assert_string_equal(o->preds[0].column, "status");
    assert_int_equal(o->preds[0].op, DBP_PRED_EQ);
    assert_string_equal(o->preds[1].column, "total");
    assert_int_equal(o->preds[1].op, DBP_PRED_RANGE);
    assert_null(d->relation); /* a derived table is no table */
    assert_string_equal(d->alias, "<derived2>");
    assert_int_equal(root->children[2]->kind, DBP_NODE_RESULT);
    assert_int_equal(r.snap->plans.n, 3);
    done(&r);
}

static void t_restart_header(void **state)
{
    (void)state;
    struct run r;
    parse_str(&r, "/usr/sbin/mysqld, Version: 5.7.12-log ((Ubuntu)). started with:\n"
                  "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock\n"
                  "Time                 Id Command    Argument\n"
                  "# Time: 2016-07-20T18:13:25.698433Z\n"
                  "# User@Host: root[root] @ localhost [127.0.0.1]  Id:     3\n"
                  "# Query_time: 2  Lock_time: 0 Rows_sent: 1  Rows_examined: 0\n"
                  "use a;\n"
                  "SET timestamp=1469038405;\n"
                  "select sleep(2) from n;\n"
                  "/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-log (MariaDB Server). "
                  "started with:\n"
                  "Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock\n"
                  "Time                Id Command  Argument\n"
                  "# Time: 2016-07-20T18:14:25.000000Z\n"
                  "# User@Host: root[root] @ localhost [127.0.0.1]  Id:     3\n"
                  "# Query_time: 2  Lock_time: 0 Rows_sent: 1  Rows_examined: 0\n"
                  "SET timestamp=1469038465;\n"
                  "select sleep(3) from n;\n");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 2);
    assert_int_equal(r.snap->n_diags, 0);
    /* the last header wins */
    assert_string_equal(r.src->server_version, "10.11.6-MariaDB-log");
    /* a restart forgets the database: the second entry's is unknown */
    assert_int_equal(n_classes(&r, "select sleep(1) from n"), 2);
    done(&r);
}

static void t_multi_statement(void **state)
{
    (void)state;
    struct run r;
    parse_str(&r, "# Time: 071015 21:43:52\n"
                  "# User@Host: root[root] @ localhost []\n"
                  "# Query_time: 2  Lock_time: 0  Rows_sent: 1  Rows_examined: 0\n"
                  "uSe test;\n"
                  "select sleep(2) from n;\n"
                  "select 1;\n"
                  "# a comment after a statement, not a header field\n"
                  "select 2;\n"
                  "# Time: 071015 21:43:53\n"
                  "# User@Host: root[root] @ localhost []\n"
                  "# Query_time: 1  Lock_time: 0  Rows_sent: 1  Rows_examined: 0\n"
                  "SET timestamp=1197996507;\n"
                  "### Channels ###\n"
                  "SELECT c FROM ch;\n");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 2);
    assert_int_equal(total_calls(&r), 2);
    const char *multi = "uSe test;\nselect sleep(2) from n;\nselect 1;\n"
                        "# a comment after a statement, not a header field\nselect 2";
    struct dbp_stmt *st = cls(&r, multi);
    assert_non_null(st);
    assert_string_equal(st->example, multi);
    assert_true(near(st->agg.total_ms, 2000));
    /* a statement may start with a '#' comment line after SET timestamp */
    struct dbp_stmt *c = cls(&r, "### Channels ###\nSELECT c FROM ch");
    assert_non_null(c);
    assert_true(near(c->agg.total_ms, 1000));
    done(&r);
}

static void t_admin_and_sessions(void **state)
{
    (void)state;
    struct dbp_buf log = {0};
    /* thread 7: one order, then 6 item lookups 10 ms apart (an N+1), then Quit */
    dbp_buf_puts(&log, "# Time: 2020-01-01T00:00:00.000000Z\n"
                       "# User@Host: app[app] @ web [10.0.0.1]  Id: 7\n"
                       "# Query_time: 0.001000  Lock_time: 0 Rows_sent: 1  Rows_examined: 1\n"
                       "use shop;\n"
                       "SET timestamp=1577836800;\n"
                       "SELECT * FROM orders WHERE id = 1;\n");
    for (int i = 0; i < 6; i++)
        dbp_buf_printf(&log,
                       "# Time: 2020-01-01T00:00:00.%06dZ\n"
                       "# User@Host: app[app] @ web [10.0.0.1]  Id: 7\n"
                       "# Query_time: 0.000500  Lock_time: 0 Rows_sent: 2  Rows_examined: 2\n"
                       "SET timestamp=1577836800;\n"
                       "SELECT * FROM items WHERE order_id = %d;\n",
                       10000 * (i + 1), 100 + i);
    dbp_buf_puts(&log, "# Time: 2020-01-01T00:00:00.090000Z\n"
                       "# User@Host: app[app] @ web [10.0.0.1]  Id: 7\n"
                       "# Query_time: 0.000002  Lock_time: 0 Rows_sent: 5  Rows_examined: 3\n"
                       "SET timestamp=1577836800;\n"
                       "# administrator command: Quit;\n"
                       "# Time: 2020-01-01T00:00:00.095000Z\n"
                       "# User@Host: app[app] @ web [10.0.0.1]  Id: 8\n"
                       "# Query_time: 0.000010  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\n"
                       "SET timestamp=1577836800;\n"
                       "# administrator command: Ping;\n");
    struct run r;
    parse_mem(&r, log.data, log.len);
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 9);
    struct dbp_stmt *quit = cls(&r, "administrator command: Quit");
    assert_non_null(quit);
    assert_string_equal(quit->example, "administrator command: Quit");
    assert_int_equal(quit->agg.calls, 1);
    /* as pt-query-digest, administrator commands have zero rows */
    assert_int_equal(quit->agg.rows_returned, 0);
    assert_int_equal(quit->agg.rows_examined, 0);
    assert_string_equal(quit->database, "shop");
    assert_non_null(cls(&r, "administrator command: Ping"));
    struct dbp_stmt *items = cls(&r, "SELECT * FROM items WHERE order_id = 1");
    struct dbp_stmt *orders = cls(&r, "SELECT * FROM orders WHERE id = 1");
    assert_int_equal(items->agg.calls, 6);
    assert_int_equal(r.snap->bursts.n, 1);
    struct dbp_burst *b = r.snap->bursts.items[0];
    assert_ptr_equal(b->child, items);
    assert_ptr_equal(b->parent, orders);
    assert_int_equal(b->calls, 6);
    assert_int_equal(b->max_run, 6);
    assert_int_equal(b->max_rows, 2);
    assert_true(near(b->total_ms, 3));
    assert_string_equal(b->example_session, "7");
    done(&r);
    dbp_buf_free(&log);
}

static void t_missing_fields(void **state)
{
    (void)state;
    struct run r;
    parse_str(&r, "# administrator command: Quit;\n" /* the tail of a rotated entry */
                  "# Time: 091205 19:55:11\n"
                  "# User@Host: guest[guest] @ localhost []\n"
                  "# Query_time: 0.000613  Lock_time: 0.000107\n"
                  "show status;\n"
                  "# Query_time: 1\n"
                  "foo=\"bar\";\n");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 3);
    struct dbp_stmt *quit = cls(&r, "administrator command: Quit");
    assert_int_equal(quit->agg.calls, 1);
    assert_true(isnan(quit->agg.min_ms)); /* counted, no time */
    assert_true(quit->agg.total_ms == 0);
    struct dbp_stmt *show = cls(&r, "show status");
    assert_int_equal(show->agg.calls, 1);
    assert_true(near(show->agg.total_ms, 0.613));
    assert_false(show->agg.flags & DBP_AGG_ROWS_EXAMINED);
    assert_false(show->agg.flags & DBP_AGG_ROWS_RETURNED);
    assert_null(show->database);
    struct dbp_stmt *foo = cls(&r, "foo=\"bar\"");
    assert_non_null(foo);
    assert_null(foo->user);
    /* no time of its own: the last one seen */
    assert_int_equal(foo->agg.first_seen_us, show->agg.first_seen_us);
    done(&r);
}

static void t_use_statement(void **state)
{
    (void)state;
    struct run r;
    parse_str(&r, "# User@Host: backup[backup] @ localhost []  Id: 56458\n"
                  "# Query_time: 0.000558  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\n"
                  "SET timestamp=1415210700;\n"
                  "use `dbnameb`;\n"
                  "# User@Host: backup[backup] @ localhost []  Id: 56458\n"
                  "# Query_time: 0.000204  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 0\n"
                  "SET timestamp=1415210700;\n"
                  "select @@collation_database;\n");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 2);
    struct dbp_stmt *use = cls(&r, "use `dbnameb`");
    assert_non_null(use);
    assert_string_equal(use->example, "use `dbnameb`");
    assert_string_equal(use->database, "dbnameb");
    struct dbp_stmt *sel = cls(&r, "select @@collation_database");
    assert_non_null(sel);
    assert_string_equal(sel->database, "dbnameb");
    done(&r);
}

static void t_garbage_and_malformed(void **state)
{
    (void)state;
    static const char log[] = "INSERT INTO t VALUES (1);\n" /* line 1: no header */
                              "\x01\x02\xff\xfe binary junk\n"
                              "# Time: 071015 21:43:52\n" /* line 3 */
                              "# User@Host: root[root] @ localhost []\n"
                              "# Query_time: 2  Lock_time: 0  Rows_sent: 1  Rows_examined: 0\n"
                              "select 1;\n"
                              "-- noise between entries\n" /* part of the statement */
                              "# Time: 081116 15:07:11\n"  /* line 8 */
                              "# Query_time: 18446744073708.796870.000036  Lock_time: 0.000036\n"
                              "SELECT * FROM mytbl;\n"
                              "# Time: 081116 15:07:12\n" /* line 11 */
                              "# User@Host: root[root] @ localhost []\n"
                              "# Query_time: 3  Lock_time: 0  Rows_sent: 1  Rows_examined: 0\n"
                              "# Time: 081116 15:07:13\n" /* line 14: 11 lost its text */
                              "# Query_time: 4  Lock_time: 0  Rows_sent: 1  Rows_examined: 0\n"
                              "select 2;\n"
                              "# Time: 081114 13:04:02\n" /* line 17 */
                              "# User@Host: truncated";
    struct run r;
    parse_str(&r, log);
    assert_int_equal(r.rc, DBP_ERR_FORMAT);
    assert_string_equal(r.err.message,
                        "t.log:1: text outside a slow log entry: skipped up to the next entry");
    assert_int_equal(r.src->entries, 2);
    assert_int_equal(r.src->skipped, 4);
    assert_int_equal(r.snap->n_diags, 4);
    assert_non_null(strstr(r.snap->diags.items[1], "t.log:8: malformed Query_time"));
    assert_non_null(strstr(r.snap->diags.items[2], "t.log:11: slow log entry without a statement"));
    assert_non_null(strstr(r.snap->diags.items[3], "t.log:17: "));
    assert_non_null(strstr(r.snap->diags.items[3], "truncated"));
    struct dbp_stmt *one = cls(&r, "select 1;\n-- noise between entries");
    assert_non_null(one);
    assert_true(near(one->agg.total_ms, 2000));
    struct dbp_stmt *two = cls(&r, "select 2");
    assert_true(near(two->agg.total_ms, 4000));
    done(&r);
}

static void t_overlong_line(void **state)
{
    (void)state;
    const char *head = "# Time: 071015 21:43:52\n"
                       "# Query_time: 2  Lock_time: 0  Rows_sent: 1  Rows_examined: 0\n"
                       "INSERT INTO t VALUES ";
    const char *tail = ";\n# Time: 071015 21:43:53\n"
                       "# Query_time: 1  Lock_time: 0  Rows_sent: 1  Rows_examined: 0\n"
                       "select 3;\n";
    size_t big = DBP_READER_MAX_LINE + (1u << 20);
    size_t hl = strlen(head), tl = strlen(tail);
    char *buf = malloc(hl + big + tl);
    assert_non_null(buf);
    memcpy(buf, head, hl);
    memset(buf + hl, '1', big);
    memcpy(buf + hl + big, tail, tl);
    struct run r;
    parse_mem(&r, buf, hl + big + tl);
    assert_int_equal(r.rc, DBP_ERR_FORMAT);
    assert_non_null(strstr(r.err.message, "t.log:3:"));
    assert_int_equal(r.src->entries, 1);
    assert_int_equal(r.src->skipped, 1);
    assert_non_null(cls(&r, "select 3"));
    assert_int_equal(r.snap->stmts.n, 1);
    done(&r);
    free(buf);
}

static void t_crlf_and_empty(void **state)
{
    (void)state;
    struct run r;
    parse_str(&r, "# Time: 071015 21:43:52\r\n"
                  "# User@Host: root[root] @ localhost []\r\n"
                  "# Query_time: 2  Lock_time: 0  Rows_sent: 1  Rows_examined: 0\r\n"
                  "select 1;\r\n"
                  "# Time: 071015 21:43:52\r\n"
                  "# Query_time: 1  Lock_time: 0  Rows_sent: 1  Rows_examined: 0\r\n"
                  "select 2;\r\n");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 2);
    struct dbp_stmt *st = cls(&r, "select 1");
    assert_int_equal(st->agg.calls, 2);
    assert_string_equal(st->example, "select 1");
    done(&r);
    parse_str(&r, "");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 0);
    done(&r);
}

static void t_probe(void **state)
{
    (void)state;
    const struct dbp_format *f = &dbp_my_slow_format;
    assert_string_equal(f->name, "mysql-slow");
#define P(s) f->probe((const unsigned char *)(s), sizeof(s) - 1)
    assert_true(P("# Time: 071015 21:43:52\n# User@Host: root[root] @ localhost []\n") >= 80);
    assert_true(P("# User@Host: a[a] @ b []\n# Query_time: 1  Lock_time: 0\nselect 1;\n") >= 90);
    assert_true(P("/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-log (MariaDB Server). "
                  "started with:\nTcp port: 3306  Unix socket: /run/mysqld/mysqld.sock\n"
                  "Time                Id Command  Argument\n") >= 50);
    assert_int_equal(P("2024-01-15 10:00:00.123 UTC [123] LOG:  duration: 1.0 ms  statement: "
                       "select 1\n"),
                     0);
    assert_int_equal(P("{\"t\":{\"$date\":\"2024-01-01T00:00:00Z\"},\"s\":\"I\"}\n"), 0);
    assert_int_equal(P("[{\"Plan\": {\"Node Type\": \"Seq Scan\"}}]"), 0);
    assert_int_equal(f->probe((const unsigned char *)"", 0), 0);
    unsigned char junk[4096];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (unsigned char)(x >> 16);
    }
    assert_int_equal(f->probe(junk, sizeof junk), 0);
    /* the format is found by detection and by name */
    const struct dbp_driver *drv = NULL;
    const char *head = "# Time: 2019-03-12T10:00:00.123456Z\n# User@Host: a[a] @ b []\n"
                       "# Query_time: 1\nselect 1;\n";
    assert_ptr_equal(dbp_format_detect((const unsigned char *)head, strlen(head), &drv), f);
    assert_ptr_equal(dbp_format_find("mysql-slow", &drv), f);
#undef P
}

static void t_binary_garbage(void **state)
{
    (void)state;
    /* random bytes with '#', ';' and newlines sprinkled in: never a crash */
    size_t n = 1 << 18;
    unsigned char *buf = malloc(n);
    assert_non_null(buf);
    unsigned x = 42;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        unsigned v = (x >> 16) & 0xff;
        buf[i] = v < 20 ? '\n' : v < 30 ? '#' : v < 40 ? ';' : v < 50 ? ' ' : (unsigned char)v;
    }
    struct run r;
    parse_mem(&r, buf, n);
    assert_true(r.rc == DBP_OK || r.rc == DBP_ERR_FORMAT);
    assert_true(r.snap->n_diags >= r.src->skipped || r.src->skipped > 0);
    done(&r);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_mysql56),
        cmocka_unit_test(t_mysql80),
        cmocka_unit_test(t_percona),
        cmocka_unit_test(t_mariadb_explain),
        cmocka_unit_test(t_mariadb_single_table_plan),
        cmocka_unit_test(t_restart_header),
        cmocka_unit_test(t_multi_statement),
        cmocka_unit_test(t_admin_and_sessions),
        cmocka_unit_test(t_missing_fields),
        cmocka_unit_test(t_use_statement),
        cmocka_unit_test(t_garbage_and_malformed),
        cmocka_unit_test(t_overlong_line),
        cmocka_unit_test(t_crlf_and_empty),
        cmocka_unit_test(t_probe),
        cmocka_unit_test(t_binary_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
