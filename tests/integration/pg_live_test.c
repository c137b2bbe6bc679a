/*
 * pg_live_test.c -- integration tests of the live PostgreSQL driver against
 * the real server started by pg_live_server.sh (schema and workload of
 * sql/test/pg_problems.sql).
 *
 *   pg_live_test CASE STATE
 *
 * CASE is collect, readonly, explain, hypopg, errors, replica, pre13, midresult,
 * partial, or classify
 * (statement texts, no server). STATE is the file the
 * fixture wrote (DSN=...). The expected numbers come from the server itself,
 * read through a separate libpq connection, or from the workload's own
 * counts. Exit 0 when every check holds, 1 otherwise (never skipped).
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/config.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>

#include "postgres/live_int.h"
#include "postgres/pg_int.h"

static int failures;
static int checks;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
    checks++;
    if (ok)
        return;
    failures++;
    va_list ap;
    va_start(ap, fmt);
    fputs("FAIL: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static char dsn[512];
static char port[16];
static char replica_dsn[512];
static char replica_port[16];

static void read_state(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot read %s: the fixture did not start a server\n", path);
        exit(1);
    }
    char line[600];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "DSN=", 4) == 0)
            snprintf(dsn, sizeof dsn, "%.500s", line + 4);
        else if (strncmp(line, "PORT=", 5) == 0)
            snprintf(port, sizeof port, "%.8s", line + 5);
        else if (strncmp(line, "REPLICA_DSN=", 12) == 0)
            snprintf(replica_dsn, sizeof replica_dsn, "%.500s", line + 12);
        else if (strncmp(line, "REPLICA_PORT=", 13) == 0)
            snprintf(replica_port, sizeof replica_port, "%.8s", line + 13);
    }
    fclose(f);
    if (!dsn[0]) {
        fprintf(stderr, "%s: no DSN\n", path);
        exit(1);
    }
}

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

/* The test's own connection, to read what a server says. */
static PGconn *own_conn_to(const char *target)
{
    PGconn *c = PQconnectdb(target);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "test connection failed: %s", PQerrorMessage(c));
        exit(1);
    }
    PQsetNoticeProcessor(c, quiet, NULL);
    return c;
}

/* One value of a one-row query (heap), or NULL. */
static PGconn *own_conn(void)
{
    return own_conn_to(dsn);
}

static char *own_value(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    char *v = NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = dbp_xstrdup(PQgetvalue(r, 0, 0));
    else if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fprintf(stderr, "test query failed: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return v;
}

static int64_t own_int(PGconn *c, const char *sql)
{
    char *v = own_value(c, sql);
    int64_t n = v ? strtoll(v, NULL, 10) : -999;
    free(v);
    return n;
}

static void *connect_driver(const struct dbp_conn_opts *o)
{
    void *ctx = NULL;
    struct dbp_error e = {0};
    int rc = dbp_pg_connect(o, &ctx, &e);
    if (rc != DBP_OK) {
        fprintf(stderr, "dbp_pg_connect(%s) failed: %s\n", o->target, e.message);
        exit(1);
    }
    return ctx;
}

static struct dbp_conn_opts default_opts(void)
{
    struct dbp_conn_opts o = {0};
    o.target = dsn;
    o.statement_timeout_ms = 5000;
    o.top_n = 20;
    o.hypothetical = true;
    return o;
}

static struct dbp_stmt *find_stmt(struct dbp_snapshot *snap, const char *db, const char *text)
{
    for (size_t i = 0; i < snap->stmts.n; i++) {
        struct dbp_stmt *st = snap->stmts.items[i];
        if (strcmp(st->text, text) == 0 && st->database && strcmp(st->database, db) == 0)
            return st;
    }
    return NULL;
}

static struct dbp_index *find_index(struct dbp_snapshot *snap, const char *name)
{
    for (size_t i = 0; i < snap->indexes.n; i++) {
        struct dbp_index *ix = snap->indexes.items[i];
        if (strcmp(ix->name, name) == 0)
            return ix;
    }
    return NULL;
}

static struct dbp_table *find_table(struct dbp_snapshot *snap, const char *name)
{
    for (size_t i = 0; i < snap->tables.n; i++) {
        struct dbp_table *t = snap->tables.items[i];
        if (strcmp(t->name, name) == 0)
            return t;
    }
    return NULL;
}

static const char *const EMAIL_Q = "SELECT id, total FROM orders WHERE customer_email = $1";

/* ---- collect ----------------------------------------------------------- */

static void check_index(struct dbp_snapshot *snap, const char *name, unsigned flags,
                        const char *cols, PGconn *own)
{
    struct dbp_index *ix = find_index(snap, name);
    check(ix != NULL, "index %s collected", name);
    if (!ix)
        return;
    check(ix->flags == flags, "%s flags 0x%x, expected 0x%x", name, ix->flags, flags);
    char joined[256] = "";
    for (size_t i = 0; i < ix->n_columns; i++) {
        size_t l = strlen(joined);
        snprintf(joined + l, sizeof joined - l, "%s%s", i ? "," : "", ix->columns[i]);
    }
    check(strcmp(joined, cols) == 0, "%s columns '%s', expected '%s'", name, joined, cols);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = '%s'",
             name);
    int64_t scans = own_int(own, sql);
    check(ix->scans == scans, "%s scans %lld, server says %lld", name, (long long)ix->scans,
          (long long)scans);
    snprintf(sql, sizeof sql, "SELECT pg_relation_size('%s')", name);
    check(ix->size_bytes == own_int(own, sql), "%s size", name);
    check(ix->definition && strncmp(ix->definition, "CREATE ", 7) == 0, "%s definition", name);
    check(ix->engine == DBP_ENGINE_POSTGRES && ix->schema && strcmp(ix->schema, "public") == 0 &&
              ix->database && strcmp(ix->database, "bench") == 0,
          "%s engine/schema/database", name);
}

static void test_collect(void)
{
    PGconn *own = own_conn();
    /* what pg_stat_statements holds now for the workload (every statement of
     * the workload has finished; this query itself is filtered out) */
    PGresult *expect = PQexec(own, "SELECT d.datname, s.query, sum(s.calls)::bigint, "
                                   "sum(s.rows)::bigint, min(s.min_exec_time), "
                                   "max(s.max_exec_time) "
                                   "FROM pg_stat_statements s JOIN pg_database d "
                                   "ON d.oid = s.dbid WHERE s.query NOT LIKE "
                                   "'%pg_stat_statements%' AND s.query NOT LIKE "
                                   "'%/* dbperf */%' AND s.calls > 0 GROUP BY 1, 2");
    check(PQresultStatus(expect) == PGRES_TUPLES_OK, "read pg_stat_statements");
    check(PQntuples(expect) >= 5, "workload statements in pg_stat_statements: %d",
          PQntuples(expect));

    struct dbp_conn_opts o = default_opts();
    void *ctx = connect_driver(&o);
    struct dbp_pg_ctx *c = ctx;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_source *src = dbp_snapshot_add_source(snap, "test", "postgres");
    struct dbp_error e = {0};
    int rc = dbp_pg_collect(ctx, snap, src, &e);
    check(rc == DBP_OK, "collect: %s", e.message);

    /* statements: calls, rows, min and max equal to pg_stat_statements */
    int matched = 0;
    for (int i = 0; i < PQntuples(expect); i++) {
        const char *db = PQgetvalue(expect, i, 0), *q = PQgetvalue(expect, i, 1);
        struct dbp_stmt *st = find_stmt(snap, db, q);
        check(st != NULL, "statement collected: %s", q);
        if (!st)
            continue;
        matched++;
        long long calls = strtoll(PQgetvalue(expect, i, 2), NULL, 10);
        long long rows = strtoll(PQgetvalue(expect, i, 3), NULL, 10);
        check((long long)st->agg.calls == calls, "%s: calls %llu, pgss %lld", q,
              (unsigned long long)st->agg.calls, calls);
        check((long long)st->agg.rows_returned == rows, "%s: rows %llu, pgss %lld", q,
              (unsigned long long)st->agg.rows_returned, rows);
        check(fabs(st->agg.min_ms - strtod(PQgetvalue(expect, i, 4), NULL)) < 1e-6 &&
                  fabs(st->agg.max_ms - strtod(PQgetvalue(expect, i, 5), NULL)) < 1e-6,
              "%s: min/max", q);
        check(st->source == DBP_SRC_PGSS && st->engine == DBP_ENGINE_POSTGRES, "%s: source", q);
        check((st->agg.flags & DBP_AGG_ROWS_RETURNED) && !(st->agg.flags & DBP_AGG_QUANTILES),
              "%s: agg flags 0x%x", q, st->agg.flags);
        check(st->engine_id != 0, "%s: queryid", q);
    }
    check(matched >= 5, "matched %d statements", matched);
    struct dbp_stmt *email = find_stmt(snap, "bench", EMAIL_Q);
    check(email && email->agg.calls == 30 && email->agg.rows_returned == 30,
          "e-mail lookup: 30 calls, 30 rows (the workload)");
    check(email && email->agg.total_ms > 0 && email->agg.min_ms <= email->agg.max_ms,
          "e-mail lookup times");
    check(email && email->user && strcmp(email->user, "postgres") == 0, "e-mail lookup user");
    struct dbp_stmt *pk =
        find_stmt(snap, "bench", "SELECT id, status, total FROM orders WHERE id = $1");
    check(pk && pk->agg.calls == 200, "primary-key lookup: 200 calls");
    for (size_t i = 0; i < snap->stmts.n; i++) {
        struct dbp_stmt *st = snap->stmts.items[i];
        check(strstr(st->text, "/* dbperf */") == NULL, "dbperf's own query left out: %s",
              st->text);
    }

    /* source */
    check(src->server_version && strstr(src->server_version, "PostgreSQL 15.") != NULL,
          "server version %s", src->server_version ? src->server_version : "(null)");
    int64_t reset_us = own_int(own, "SELECT (extract(epoch FROM stats_reset) * 1000000)::bigint "
                                    "FROM pg_stat_database WHERE datname = 'bench'");
    check(reset_us > 0 && src->counters_since_us == reset_us, "counters since the stats reset");
    check(src->entries >= (uint64_t)matched, "source entries %llu",
          (unsigned long long)src->entries);

    /* indexes and their flags */
    check_index(snap, "orders_pkey", DBP_IDX_PRIMARY | DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT, "id",
                own);
    check_index(snap, "orders_status_idx", 0, "status", own);
    check_index(snap, "orders_external_ref_key", DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT,
                "external_ref", own);
    check_index(snap, "orders_cust_idx", 0, "customer_id", own);
    check_index(snap, "orders_cust_created_idx", 0, "customer_id,created_at DESC", own);
    check_index(snap, "orders_pending_idx", DBP_IDX_PARTIAL, "created_at", own);
    check_index(snap, "orders_lower_ref_idx", DBP_IDX_EXPRESSION, "lower(external_ref)", own);
    check_index(snap, "order_items_order_idx", DBP_IDX_FOREIGN_KEY, "order_id", own);
    check_index(snap, "order_items_sku_idx", 0, "sku", own);
    check_index(snap, "bookings_no_overlap", DBP_IDX_CONSTRAINT | DBP_IDX_EXCLUSION, "during", own);
    struct dbp_index *ix = find_index(snap, "orders_status_idx");
    check(ix && ix->scans == 0, "orders_status_idx never scanned");
    ix = find_index(snap, "orders_external_ref_key");
    check(ix && ix->scans == 0, "orders_external_ref_key never scanned");
    ix = find_index(snap, "orders_pkey");
    check(ix && ix->scans >= 200, "orders_pkey scanned by the lookups");
    ix = find_index(snap, "orders_pending_idx");
    check(ix && ix->predicate && strstr(ix->predicate, "pending"), "partial predicate");
    ix = find_index(snap, "bookings_no_overlap");
    check(ix && ix->method && strcmp(ix->method, "gist") == 0, "exclusion index method");
    char *sysid = own_value(own, "SELECT system_identifier FROM pg_control_system()");
    char want_cluster[64], want_instance[64];
    snprintf(want_cluster, sizeof want_cluster, "pg-sysid:%s", sysid ? sysid : "?");
    snprintf(want_instance, sizeof want_instance, "127.0.0.1:%s", port);
    free(sysid);
    for (size_t i = 0; i < snap->indexes.n; i++) {
        ix = snap->indexes.items[i];
        check(ix->cluster && strcmp(ix->cluster, want_cluster) == 0, "%s cluster %s", ix->name,
              ix->cluster ? ix->cluster : "(null)");
        check(!port[0] || (ix->instance && strcmp(ix->instance, want_instance) == 0),
              "%s instance %s", ix->name, ix->instance ? ix->instance : "(null)");
        check(!(ix->flags & DBP_IDX_REPLICA), "%s: a primary's index is not a replica's", ix->name);
        check(ix->counter_since_us == reset_us, "%s counter since", ix->name);
    }
    check(snap->indexes.n == (size_t)own_int(own, "SELECT count(*) FROM pg_index i JOIN pg_class c "
                                                  "ON c.oid = i.indrelid JOIN pg_namespace n ON "
                                                  "n.oid = c.relnamespace WHERE n.nspname = "
                                                  "'public'"),
          "every index of the database (%zu)", snap->indexes.n);

    /* tables */
    struct dbp_table *t = find_table(snap, "orders");
    check(t && t->rows == 100000, "orders rows %lld", t ? (long long)t->rows : -1LL);
    check(t && t->seq_scans == own_int(own, "SELECT seq_scan FROM pg_stat_user_tables "
                                            "WHERE relname = 'orders'"),
          "orders seq_scan");
    check(t && t->seq_rows_read == own_int(own, "SELECT seq_tup_read FROM pg_stat_user_tables "
                                                "WHERE relname = 'orders'"),
          "orders seq_tup_read");
    check(t && t->idx_scans >= 240, "orders idx_scan");
    check(t && t->size_bytes == own_int(own, "SELECT pg_total_relation_size('orders')"),
          "orders size");
    check(t && !(t->flags & DBP_TBL_PARTITIONED), "orders is not partitioned");
    t = find_table(snap, "countries");
    check(t && t->rows == 20 && t->seq_scans >= 50, "countries: 20 rows, scanned");
    t = find_table(snap, "events");
    check(t && (t->flags & DBP_TBL_PARTITIONED), "events is partitioned");

    /* a second run gives the same numbers (nothing doubled) */
    struct dbp_snapshot *snap2 = dbp_snapshot_new();
    check(dbp_pg_collect(ctx, snap2, NULL, &e) == DBP_OK, "second collect");
    struct dbp_stmt *email2 = find_stmt(snap2, "bench", EMAIL_Q);
    check(email2 && email2->agg.calls == 30, "second collect: 30 calls");
    check(c->stmts_snap == snap2, "the context follows the last snapshot");
    dbp_snapshot_free(snap2);

    PQclear(expect);
    dbp_snapshot_free(snap);
    dbp_pg_disconnect(ctx);
    PQfinish(own);
}

/* ---- read-only session -------------------------------------------------- */

static void check_readonly_session(const char *target, const char *work_mem)
{
    struct dbp_conn_opts o = default_opts();
    o.target = target;
    o.statement_timeout_ms = 4000;
    void *ctx = connect_driver(&o);
    struct dbp_pg_ctx *c = ctx;
    PGconn *own = own_conn();
    PGresult *r = PQexec(c->conn, "SHOW default_transaction_read_only");
    check(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "on") == 0,
          "%s: default_transaction_read_only = on", target);
    PQclear(r);
    r = PQexec(c->conn, "SHOW statement_timeout");
    check(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "4s") == 0,
          "%s: statement_timeout = 4s (%s)", target, PQgetvalue(r, 0, 0));
    PQclear(r);
    if (work_mem) {
        r = PQexec(c->conn, "SHOW work_mem");
        check(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), work_mem) == 0,
              "%s: the user's own options kept (work_mem %s)", target, PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    r = PQexec(c->conn, "SHOW lock_timeout");
    check(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "0") != 0,
          "%s: lock_timeout set", target);
    PQclear(r);
    /* writes fail: SQLSTATE 25006 read_only_sql_transaction */
    r = PQexec(c->conn, "CREATE TABLE dbperf_must_not_exist (x int)");
    const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    check(PQresultStatus(r) == PGRES_FATAL_ERROR && st && strcmp(st, "25006") == 0,
          "%s: CREATE TABLE refused as read-only (%s)", target, st ? st : "no error");
    PQclear(r);
    r = PQexec(c->conn, "UPDATE countries SET name = 'x' WHERE id = 1");
    st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    check(st && strcmp(st, "25006") == 0, "%s: UPDATE refused as read-only", target);
    PQclear(r);
    check(own_int(own, "SELECT count(*) FROM pg_class WHERE relname = 'dbperf_must_not_exist'") ==
              0,
          "nothing was created");
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT application_name FROM pg_stat_activity WHERE pid = %d",
             PQbackendPID(c->conn));
    char *app = own_value(own, sql);
    check(app && strcmp(app, "dbperf") == 0,
          "%s: pg_stat_activity shows application_name "
          "dbperf (%s)",
          target, app ? app : "(none)");
    free(app);
    PQfinish(own);
    dbp_pg_disconnect(ctx);
}

static void test_readonly(void)
{
    check_readonly_session(dsn, NULL);
    /* statement_timeout holds for what dbperf sends (EXPLAIN ANALYZE included) */
    struct dbp_conn_opts o = default_opts();
    o.statement_timeout_ms = 300;
    void *ctx = connect_driver(&o);
    struct dbp_buf json = {0};
    struct dbp_error e = {0};
    bool analyzed = false;
    int rc = dbp_pg_explain_text(ctx, "SELECT count(*) FROM generate_series(1, 500000000)", true,
                                 &json, &analyzed, &e);
    check(rc == DBP_ERR_SERVER && strcmp(e.sqlstate, "57014") == 0 &&
              strstr(e.message, "statement timeout"),
          "EXPLAIN ANALYZE cancelled by statement_timeout (%s, %s)", e.sqlstate, e.message);
    dbp_buf_clear(&json);
    rc = dbp_pg_explain_text(ctx, "SELECT count(*) FROM countries", true, &json, &analyzed, &e);
    check(rc == DBP_OK && analyzed, "session usable after the timeout: %s", e.message);
    dbp_buf_free(&json);
    dbp_pg_disconnect(ctx);
    /* a target that asks for the opposite does not get it */
    char t[700];
    snprintf(t, sizeof t,
             "%s application_name=evil options='-c default_transaction_read_only=off "
             "-c work_mem=7MB'",
             dsn);
    check_readonly_session(t, "7MB");
    /* a URI */
    if (port[0]) {
        snprintf(t, sizeof t, "postgresql://postgres@127.0.0.1:%s/bench?application_name=x", port);
        check_readonly_session(t, NULL);
    }
}

/* ---- explain ------------------------------------------------------------ */

static const char *const WORKLOAD[] = {
    "SELECT id, total FROM orders WHERE customer_email = $1",
    "SELECT id, status, total FROM orders WHERE id = $1",
    "SELECT name FROM countries WHERE code = $1",
    "SELECT id FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2",
    "SELECT sku, qty FROM order_items WHERE order_id = $1",
};

static void test_explain(void)
{
    /* the budget: top_n statements tried, the ones with the most time first */
    struct dbp_conn_opts o = default_opts();
    o.top_n = 2;
    void *ctx = connect_driver(&o);
    struct dbp_pg_ctx *c = ctx;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_error e = {0};
    check(dbp_pg_collect(ctx, snap, NULL, &e) == DBP_OK, "collect: %s", e.message);
    check(dbp_pg_explain(ctx, snap, &e) == DBP_OK, "explain: %s", e.message);
    check(c->n_explain_tried == 2, "top_n = 2: 2 statements tried (%u)", c->n_explain_tried);
    check(c->n_explain_json + snap->diags.n == 2, "each tried one explained or diagnosed");
    dbp_snapshot_free(snap);
    dbp_pg_disconnect(ctx);

    /* a statement of another database: collected (pg_stat_statements is
     * cluster-wide), never explained in this session */
    char other_dsn[700];
    snprintf(other_dsn, sizeof other_dsn, "%s dbname=postgres", dsn);
    PGconn *other = own_conn_to(other_dsn);
    PGresult * or = PQexec(other, "SELECT count(*) AS elsewhere FROM pg_class WHERE relpages > 0");
    PQclear(or);
    PQfinish(other);

    o.top_n = 1000;
    ctx = connect_driver(&o);
    c = ctx;
    snap = dbp_snapshot_new();
    check(dbp_pg_collect(ctx, snap, NULL, &e) == DBP_OK, "collect: %s", e.message);
    check(dbp_pg_explain(ctx, snap, &e) == DBP_OK, "explain: %s", e.message);
    for (size_t i = 0; i < snap->diags.n; i++)
        fprintf(stderr, "diag: %s\n", (const char *)snap->diags.items[i]);
    check(c->n_explain_json + snap->diags.n == c->n_explain_tried,
          "every statement tried is explained or diagnosed (%u + %zu of %u)", c->n_explain_json,
          snap->diags.n, c->n_explain_tried);
    check(c->n_explain_json >= 5, "the workload's statements explained (%u)", c->n_explain_json);
    check(c->n_explain_tried + c->n_explain_skipped == c->n_stmts, "every statement considered");
    check(c->explain_json_bytes > 500, "EXPLAIN JSON bytes %zu", c->explain_json_bytes);
    struct dbp_stmt *elsewhere = find_stmt(
        snap, "postgres", "SELECT count(*) AS elsewhere FROM pg_class WHERE relpages > $1");
    check(elsewhere && elsewhere->agg.calls >= 1 && elsewhere->plan == NULL,
          "another database's statement collected, not explained");

    /* plans: attached when the plan parser understands them */
    struct dbp_plan *probe = NULL;
    struct dbp_error pe = {0};
    const char *tiny = "[{\"Plan\": {\"Node Type\": \"Result\", \"Startup Cost\": 0.0, "
                       "\"Total Cost\": 0.01, \"Plan Rows\": 1, \"Plan Width\": 4}}]";
    int parser = dbp_pg_plan_from_json(snap, tiny, strlen(tiny), "probe", &probe, &pe);
    struct dbp_stmt *email = find_stmt(snap, "bench", EMAIL_Q);
    if (parser == DBP_OK) {
        check(c->n_plans_added == c->n_explain_json, "every plan attached (%u of %u)",
              c->n_plans_added, c->n_explain_json);
        check(email && email->plan && email->plan->stmt == email, "e-mail lookup has its plan");
        for (size_t i = 0; i < sizeof WORKLOAD / sizeof WORKLOAD[0]; i++) {
            struct dbp_stmt *w = find_stmt(snap, "bench", WORKLOAD[i]);
            check(w && w->plan && w->plan->format, "plan attached: %s", WORKLOAD[i]);
        }
        int seq = 0;
        for (size_t i = 0; email && email->plan && i < 1; i++) {
            struct dbp_plan_node *n = email->plan->root;
            /* the full scan is the root or under a Gather */
            while (n && n->kind != DBP_NODE_FULL_SCAN && n->n_children > 0)
                n = n->children[0];
            seq = n && n->kind == DBP_NODE_FULL_SCAN && n->relation &&
                  strcmp(n->relation, "orders") == 0;
        }
        check(seq, "e-mail lookup plan: a full scan of orders");
    } else {
        fprintf(stderr, "note: plan parser not available yet (%s): checking the JSON only\n",
                pe.message);
        check(c->n_plans_added == 0, "no plan without a parser");
    }

    /* the generic plan of the e-mail lookup: a Seq Scan with the parameter */
    struct dbp_buf json = {0};
    bool analyzed = true;
    check(dbp_pg_explain_text(c, EMAIL_Q, false, &json, &analyzed, &e) == DBP_OK,
          "generic plan of the e-mail lookup: %s", e.message);
    check(json.data && strstr(json.data, "\"Seq Scan\"") && strstr(json.data, "$1"),
          "generic plan: Seq Scan on $1");
    check(!analyzed, "a parameterized statement is not analyzed");
    double cost = dbp_pg_json_total_cost(json.data, json.len);
    check(cost > 1000, "seq scan cost %.1f", cost);

    /* EXPLAIN ANALYZE only for SELECT, rolled back */
    dbp_buf_clear(&json);
    check(dbp_pg_explain_text(c, "SELECT count(*) FROM countries", true, &json, &analyzed, &e) ==
              DBP_OK,
          "EXPLAIN ANALYZE of a SELECT: %s", e.message);
    check(analyzed && json.data && strstr(json.data, "\"Actual Rows\""), "SELECT analyzed");
    dbp_buf_clear(&json);
    check(dbp_pg_explain_text(c, "DELETE FROM countries WHERE id = 1", true, &json, &analyzed,
                              &e) == DBP_OK,
          "EXPLAIN of a DELETE: %s", e.message);
    check(!analyzed && json.data && !strstr(json.data, "\"Actual Rows\""),
          "DELETE explained, never analyzed");
    /* a SELECT calling a volatile function is explained, never run */
    PGconn *o2 = own_conn();
    char *reset_before = own_value(o2, "SELECT stats_reset FROM pg_stat_statements_info");
    dbp_buf_clear(&json);
    check(dbp_pg_explain_text(c, "SELECT pg_stat_statements_reset()", true, &json, &analyzed, &e) ==
                  DBP_OK &&
              !analyzed && json.data && !strstr(json.data, "\"Actual Rows\""),
          "SELECT pg_stat_statements_reset() explained, not analyzed: %s", e.message);
    char *reset_after = own_value(o2, "SELECT stats_reset FROM pg_stat_statements_info");
    check(reset_before && reset_after && strcmp(reset_before, reset_after) == 0,
          "pg_stat_statements was not reset (%s, %s)", reset_before ? reset_before : "-",
          reset_after ? reset_after : "-");
    free(reset_before);
    free(reset_after);
    PQfinish(o2);
    /* ... also when a view hides it */
    PGconn *o3 = own_conn();
    PGresult *vr = PQexec(o3, "CREATE OR REPLACE VIEW sneaky AS SELECT 1 AS one FROM countries "
                              "WHERE pg_stat_statements_reset() IS NULL");
    check(PQresultStatus(vr) == PGRES_COMMAND_OK, "view: %s", PQerrorMessage(o3));
    PQclear(vr);
    char *rb = own_value(o3, "SELECT stats_reset FROM pg_stat_statements_info");
    dbp_buf_clear(&json);
    check(dbp_pg_explain_text(c, "SELECT one FROM sneaky", true, &json, &analyzed, &e) == DBP_OK &&
              !analyzed,
          "a view calling a volatile function: not analyzed (%s)", e.message);
    char *ra = own_value(o3, "SELECT stats_reset FROM pg_stat_statements_info");
    check(rb && ra && strcmp(rb, ra) == 0, "pg_stat_statements was not reset through the view");
    free(rb);
    free(ra);
    vr = PQexec(o3, "DROP VIEW sneaky");
    PQclear(vr);
    PQfinish(o3);
    dbp_buf_clear(&json);
    check(dbp_pg_explain_text(c, "SELECT 1 FROM countries WHERE random() < 2", true, &json,
                              &analyzed, &e) == DBP_OK &&
              !analyzed,
          "random(): not analyzed");
    dbp_buf_clear(&json);
    check(dbp_pg_explain_text(c, "SELECT lower(name), count(*) FROM countries GROUP BY 1", true,
                              &json, &analyzed, &e) == DBP_OK &&
              analyzed,
          "immutable functions and aggregates: analyzed (%s)", e.message);
    PGconn *own = own_conn();
    check(own_int(own, "SELECT count(*) FROM countries") == 20, "countries untouched");
    PQfinish(own);
    /* not explained at all */
    dbp_buf_clear(&json);
    check(dbp_pg_explain_text(c, "VACUUM countries", false, &json, &analyzed, &e) ==
              DBP_ERR_UNSUPPORTED,
          "a utility statement is not explained");
    check(dbp_pg_explain_text(c, "SELECT 1; DROP TABLE countries", false, &json, &analyzed, &e) ==
              DBP_ERR_UNSUPPORTED,
          "several statements are not explained");
    check(dbp_pg_explain_text(c, "SELECT ';' || $1 -- ;x\n", false, &json, &analyzed, &e) !=
              DBP_ERR_UNSUPPORTED,
          "quoted and commented ';' are not statement ends");
    /* a failing EXPLAIN leaves the session usable */
    check(dbp_pg_explain_text(c, "SELECT * FROM no_such_table WHERE x = $1", false, &json,
                              &analyzed, &e) == DBP_ERR_SERVER &&
              strstr(e.message, "no_such_table"),
          "unknown table: server error (%s)", e.message);
    dbp_buf_clear(&json);
    check(dbp_pg_explain_text(c, EMAIL_Q, false, &json, &analyzed, &e) == DBP_OK,
          "session usable after an error: %s", e.message);
    dbp_buf_free(&json);
    dbp_snapshot_free(snap);
    dbp_pg_disconnect(ctx);
}

/* ---- hypopg ------------------------------------------------------------- */

static struct dbp_finding *candidate(struct dbp_snapshot *snap, struct dbp_stmt *st,
                                     const char *column)
{
    struct dbp_finding *f = dbp_snapshot_add_finding(snap);
    f->rule = "missing-index";
    f->engine = DBP_ENGINE_POSTGRES;
    struct dbp_index *ix = dbp_arena_alloc(snap->arena, sizeof *ix);
    ix->engine = DBP_ENGINE_POSTGRES;
    ix->schema = "public";
    ix->table = "orders";
    const char **cols = dbp_arena_alloc(snap->arena, sizeof *cols);
    cols[0] = column;
    ix->columns = cols;
    ix->n_columns = 1;
    f->candidate = ix;
    f->candidate_stmt = st;
    return f;
}

static double evidence(const struct dbp_finding *f, const char *key)
{
    for (size_t i = 0; i < f->n_evidence; i++)
        if (strcmp(f->evidence[i].key, key) == 0)
            return f->evidence[i].value;
    return NAN;
}

static void test_hypopg(void)
{
    struct dbp_conn_opts o = default_opts();
    void *ctx = connect_driver(&o);
    struct dbp_pg_ctx *c = ctx;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_error e = {0};
    check(dbp_pg_collect(ctx, snap, NULL, &e) == DBP_OK, "collect: %s", e.message);
    struct dbp_stmt *email = find_stmt(snap, "bench", EMAIL_Q);
    check(email != NULL, "e-mail lookup collected");

    /* the right index: cost falls by far more than half */
    struct dbp_finding *good = candidate(snap, email, "customer_email");
    bool keep = false;
    check(dbp_pg_verify(ctx, snap, good, &keep, &e) == DBP_OK, "verify: %s", e.message);
    double before = evidence(good, "cost_before"), after = evidence(good, "cost_after");
    fprintf(stderr, "good candidate: %s\n", good->verify_note ? good->verify_note : "(none)");
    check(good->verified == DBP_VERIFY_HYPOPG, "verified with hypopg");
    check(keep, "a useful index is kept");
    check(before > 0 && after > 0 && after < before / 2, "cost %.1f -> %.1f", before, after);
    check(good->benefit > 0.5 && fabs(good->benefit - (1 - after / before)) < 1e-9, "benefit %.3f",
          good->benefit);
    check(fabs(evidence(good, "improvement") - good->benefit) < 1e-9, "improvement evidence");

    /* a useless one: the e-mail lookup cannot use an index on status */
    struct dbp_finding *useless = candidate(snap, email, "status");
    keep = true;
    check(dbp_pg_verify(ctx, snap, useless, &keep, &e) == DBP_OK, "verify: %s", e.message);
    fprintf(stderr, "useless candidate: %s\n", useless->verify_note ? useless->verify_note : "");
    check(useless->verified == DBP_VERIFY_HYPOPG, "useless candidate verified");
    check(!keep, "a useless index is dropped (keep=false)");
    check(useless->benefit < 0.5, "useless benefit %.3f", useless->benefit);
    check(fabs(evidence(useless, "cost_before") - before) < 1e-6, "same cost before");

    /* no hypothetical index is left behind in the session */
    PGresult *r = PQexec(c->conn, "SELECT count(*) FROM hypopg_list_indexes");
    check(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "0") == 0,
          "hypopg_reset after each verification");
    PQclear(r);
    dbp_snapshot_free(snap);
    dbp_pg_disconnect(ctx);

    /* [postgres] hypo_min_improvement = 100%: nothing is good enough */
    struct dbp_config *cfg = NULL;
    const char *text = "[postgres]\nhypo_min_improvement = 100%\n";
    check(dbp_config_parse(text, strlen(text), "test.conf", &cfg, &e) == DBP_OK, "config");
    o.config = cfg;
    ctx = connect_driver(&o);
    snap = dbp_snapshot_new();
    check(dbp_pg_collect(ctx, snap, NULL, &e) == DBP_OK, "collect");
    email = find_stmt(snap, "bench", EMAIL_Q);
    good = candidate(snap, email, "customer_email");
    keep = true;
    check(dbp_pg_verify(ctx, snap, good, &keep, &e) == DBP_OK && !keep &&
              good->verified == DBP_VERIFY_HYPOPG,
          "threshold 100%% from the config drops even a good index");
    dbp_snapshot_free(snap);
    dbp_pg_disconnect(ctx);
    dbp_config_free(cfg);

    /* a threshold that is no fraction: a usage error naming the file and line */
    const char *const bad[] = {"[postgres]\nhypo_min_improvement = lots\n",
                               "[postgres]\nhypo_min_improvement = 1.5\n",
                               "[postgres]\nhypo_min_improvement = 50%x\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg = NULL;
        check(dbp_config_parse(bad[i], strlen(bad[i]), "bad.conf", &cfg, &e) == DBP_OK, "config");
        o.config = cfg;
        void *bctx = (void *)1;
        int brc = dbp_pg_connect(&o, &bctx, &e);
        check(brc == DBP_ERR_USAGE && bctx == NULL && strstr(e.message, "bad.conf:2") &&
                  strstr(e.message, "hypo_min_improvement"),
              "bad threshold refused: %s", e.message);
        dbp_config_free(cfg);
    }
    const char *pct = "[postgres]\nhypo_min_improvement = 99.9 %\n";
    check(dbp_config_parse(pct, strlen(pct), "pct.conf", &cfg, &e) == DBP_OK, "config");
    o.config = cfg;
    ctx = connect_driver(&o);
    check(fabs(((struct dbp_pg_ctx *)ctx)->hypo_min_improvement - 0.999) < 1e-12,
          "a percentage threshold");
    dbp_pg_disconnect(ctx);
    dbp_config_free(cfg);

    /* hypothetical indexes turned off: kept, unverified, with a note */
    o.config = NULL;
    o.hypothetical = false;
    ctx = connect_driver(&o);
    snap = dbp_snapshot_new();
    check(dbp_pg_collect(ctx, snap, NULL, &e) == DBP_OK, "collect");
    email = find_stmt(snap, "bench", EMAIL_Q);
    good = candidate(snap, email, "customer_email");
    keep = false;
    check(dbp_pg_verify(ctx, snap, good, &keep, &e) == DBP_OK && keep &&
              good->verified == DBP_VERIFY_NONE && good->verify_note &&
              strstr(good->verify_note, "unverified"),
          "--no-hypothetical: kept and unverified");
    dbp_snapshot_free(snap);
    dbp_pg_disconnect(ctx);

    /* a database without hypopg: kept, unverified, the note says why */
    PGconn *own = own_conn();
    PGresult *dr = PQexec(own, "DROP DATABASE IF EXISTS nohypo");
    PQclear(dr);
    dr = PQexec(own, "CREATE DATABASE nohypo");
    check(PQresultStatus(dr) == PGRES_COMMAND_OK, "create database nohypo");
    PQclear(dr);
    char t[700];
    snprintf(t, sizeof t, "%s dbname=nohypo", dsn);
    o.target = t;
    o.hypothetical = true;
    ctx = connect_driver(&o);
    snap = dbp_snapshot_new();
    struct dbp_stmt *st =
        dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, "nohypo", EMAIL_Q, strlen(EMAIL_Q));
    good = candidate(snap, st, "customer_email");
    keep = false;
    check(dbp_pg_verify(ctx, snap, good, &keep, &e) == DBP_OK && keep &&
              good->verified == DBP_VERIFY_NONE && good->verify_note &&
              strstr(good->verify_note, "hypopg is not installed"),
          "without hypopg: kept, note '%s'", good->verify_note ? good->verify_note : "");
    dbp_snapshot_free(snap);
    dbp_pg_disconnect(ctx);
    dr = PQexec(own, "DROP DATABASE IF EXISTS nohypo");
    PQclear(dr);
    PQfinish(own);
}

/* ---- errors ------------------------------------------------------------- */

static void check_unreachable(const char *target)
{
    struct dbp_conn_opts o = default_opts();
    o.target = target;
    void *ctx = (void *)1;
    struct dbp_error e = {0};
    int rc = dbp_pg_connect(&o, &ctx, &e);
    fprintf(stderr, "unreachable: %s\n", e.message);
    check(rc == DBP_ERR_CONNECT && e.code == DBP_ERR_CONNECT, "%s: DBP_ERR_CONNECT", target);
    check(ctx == NULL, "no context on failure");
    check(strstr(e.message, "s3cretpw") == NULL, "the password is not in the message");
    check(strstr(e.message, "127.0.0.1") != NULL, "the message names the server");
    check(strchr(e.message, '\n') == NULL && strchr(e.message, '\t') == NULL, "one line");
    size_t n = strlen(e.message);
    check(n > 0 && e.message[n - 1] != ' ', "no trailing blank");
    check(strstr(e.message, "  ") == NULL, "no doubled blanks");
}

static void test_errors(void)
{
    check_unreachable("postgresql://postgres:s3cretpw@127.0.0.1:1/bench");
    check_unreachable("host=127.0.0.1 port=1 user=postgres password=s3cretpw dbname=bench");
    check_unreachable("host=127.0.0.1 port=1 password='s3cretpw' dbname=bench");

    /* targets this driver takes */
    check(dbp_pg_accepts_target("postgresql://u@h/db") && dbp_pg_accepts_target("postgres://h") &&
              dbp_pg_accepts_target("POSTGRESQL://h/db") &&
              dbp_pg_accepts_target("host=h dbname=d") && dbp_pg_accepts_target("service=prod") &&
              dbp_pg_accepts_target("port=5433") && dbp_pg_accepts_target("dbname=bench"),
          "PostgreSQL targets accepted");
    check(!dbp_pg_accepts_target("mysql://u@h:3306/db?port=3306") &&
              !dbp_pg_accepts_target("mongodb://h/?dbname=x") &&
              !dbp_pg_accepts_target("mariadb://h") && !dbp_pg_accepts_target("/var/log/pg.log") &&
              !dbp_pg_accepts_target("myhost=x") && !dbp_pg_accepts_target(""),
          "other targets refused");

    /* a server that drops the connection: a clear error, no crash */
    struct dbp_conn_opts o = default_opts();
    void *ctx = connect_driver(&o);
    struct dbp_pg_ctx *c = ctx;
    PGconn *own = own_conn();
    char sql[100];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", PQbackendPID(c->conn));
    char *v = own_value(own, sql);
    check(v && strcmp(v, "t") == 0, "terminated dbperf's session");
    free(v);
    PQfinish(own);
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_error e = {0};
    int rc = dbp_pg_collect(ctx, snap, NULL, &e);
    fprintf(stderr, "dropped: %s\n", e.message);
    check(rc == DBP_ERR_CONNECT, "dropped connection: DBP_ERR_CONNECT (%d)", rc);
    check(strstr(e.message, "lost") != NULL && strchr(e.message, '\n') == NULL,
          "dropped connection: clear one-line message");
    rc = dbp_pg_explain(ctx, snap, &e);
    check(rc == DBP_OK || rc == DBP_ERR_CONNECT, "explain after the drop does not crash");
    dbp_snapshot_free(snap);
    dbp_pg_disconnect(ctx);
    dbp_pg_disconnect(NULL);
}

/* ---- a server that drops the connection in the middle of a result -------- */

/*
 * A TCP proxy in a child process: it forwards one client to the server and,
 * once the client sent the pg_stat_statements query (its "AS total_ms"), lets only cut_after
 * more bytes of the server's answer through before closing both sides. Returns
 * the child's pid; *port_out is where it listens.
 */
static pid_t start_cutting_proxy(int server_port, size_t cut_after, int *port_out)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t al = sizeof a;
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &al) != 0) {
        perror("proxy");
        exit(1);
    }
    *port_out = ntohs(a.sin_port);
    pid_t pid = fork();
    if (pid != 0) {
        close(ls);
        return pid;
    }
    int cl = accept(ls, NULL, NULL);
    int sv = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in s = {0};
    s.sin_family = AF_INET;
    s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s.sin_port = htons((unsigned short)server_port);
    if (cl < 0 || sv < 0 || connect(sv, (struct sockaddr *)&s, sizeof s) != 0)
        _exit(1);
    bool armed = false;
    size_t passed = 0;
    char buf[8192];
    char tail[64] = ""; /* the end of the previous chunk, for a match across chunks */
    for (;;) {
        struct pollfd p[2] = {{cl, POLLIN, 0}, {sv, POLLIN, 0}};
        if (poll(p, 2, 10000) <= 0)
            break;
        if (p[0].revents) {
            ssize_t n = read(cl, buf, sizeof buf - 1);
            if (n <= 0)
                break;
            buf[n] = '\0';
            char joined[sizeof tail + sizeof buf];
            size_t tl = strlen(tail);
            memcpy(joined, tail, tl);
            memcpy(joined + tl, buf, (size_t)n + 1);
            for (size_t i = 0; i + 11 <= tl + (size_t)n; i++)
                if (memcmp(joined + i, "AS total_ms", 11) == 0)
                    armed = true;
            size_t keep = (size_t)n < sizeof tail - 1 ? (size_t)n : sizeof tail - 1;
            memcpy(tail, buf + n - keep, keep);
            tail[keep] = '\0';
            if (write(sv, buf, (size_t)n) != n)
                break;
        }
        if (p[1].revents) {
            ssize_t n = read(sv, buf, sizeof buf);
            if (n <= 0)
                break;
            size_t w = (size_t)n;
            if (armed && passed + w > cut_after)
                w = cut_after - passed;
            if (w > 0 && write(cl, buf, w) != (ssize_t)w)
                break;
            passed += armed ? w : 0;
            if (armed && passed >= cut_after)
                break; /* the server "drops" the connection mid-result */
        }
    }
    close(cl);
    close(sv);
    _exit(0);
}

static void test_midresult(void)
{
    /* the proxy speaks TCP to 127.0.0.1 on the server's port */
    PGconn *pc = own_conn();
    int server_port = port[0] ? atoi(port) : atoi(PQport(pc));
    PQfinish(pc);
    /* enough statements that the answer is long: 150 distinct classes (IN
     * lists of 1 to 150 constants), about 56 kB of text */
    PGconn *own = own_conn();
    for (int i = 1; i <= 150; i++) {
        struct dbp_buf q = {0};
        dbp_buf_puts(&q, "SELECT id FROM countries WHERE id IN (0");
        for (int k = 1; k < i; k++)
            dbp_buf_printf(&q, ", %d", k);
        dbp_buf_puts(&q, ")");
        PGresult *r = PQexec(own, q.data);
        PQclear(r);
        dbp_buf_free(&q);
    }
    PQfinish(own);
    static const size_t cuts[] = {1, 700, 9000};
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        int pport = 0;
        pid_t pid = start_cutting_proxy(server_port, cuts[k], &pport);
        char target[200];
        snprintf(
            target, sizeof target,
            "host=127.0.0.1 port=%d user=postgres password=s3cretpw dbname=bench sslmode=disable",
            pport);
        struct dbp_conn_opts o = default_opts();
        o.target = target;
        void *ctx = connect_driver(&o);
        struct dbp_snapshot *snap = dbp_snapshot_new();
        struct dbp_error e = {0};
        int rc = dbp_pg_collect(ctx, snap, NULL, &e);
        fprintf(stderr, "cut after %zu bytes: %s\n", cuts[k], e.message);
        check(rc == DBP_ERR_CONNECT, "cut after %zu bytes: DBP_ERR_CONNECT (%d)", cuts[k], rc);
        check(strstr(e.message, "stat_statements.sql") && strstr(e.message, "lost") &&
                  strstr(e.message, "127.0.0.1") && !strstr(e.message, "s3cretpw") &&
                  !strchr(e.message, '\n'),
              "cut after %zu bytes: one clear line naming the query and the server", cuts[k]);
        check(snap->indexes.n == 0, "nothing half-read is kept as indexes");
        rc = dbp_pg_explain(ctx, snap, &e);
        check(rc == DBP_OK || rc == DBP_ERR_CONNECT, "explain after the drop: no crash");
        dbp_snapshot_free(snap);
        dbp_pg_disconnect(ctx);
        int status = 0;
        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
    }
}

/* ---- catalogs the server refuses ---------------------------------------- */

/* A role that may not read relation sizes: tables and indexes are left out
 * with a diagnostic each, the rest is collected, nothing fails. */
static void test_partial(void)
{
    PGconn *own = own_conn();
    PGresult *r = PQexec(own, "DROP ROLE IF EXISTS dbp_limited; CREATE ROLE dbp_limited LOGIN; "
                              "REVOKE EXECUTE ON FUNCTION pg_total_relation_size(regclass), "
                              "pg_relation_size(regclass) FROM PUBLIC");
    check(PQresultStatus(r) == PGRES_COMMAND_OK, "limited role: %s", PQerrorMessage(own));
    PQclear(r);
    char t[700];
    snprintf(t, sizeof t, "%s user=dbp_limited", dsn);
    struct dbp_conn_opts o = default_opts();
    o.target = t;
    void *ctx = connect_driver(&o);
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_error e = {0};
    int rc = dbp_pg_collect(ctx, snap, NULL, &e);
    check(rc == DBP_OK, "collect goes on: %s", e.message);
    int tables = 0, indexes = 0, hidden = 0;
    for (size_t i = 0; i < snap->diags.n; i++) {
        const char *d = snap->diags.items[i];
        fprintf(stderr, "diag: %s\n", d);
        tables += strstr(d, "tables not collected") && strstr(d, "permission denied");
        indexes += strstr(d, "indexes not collected") && strstr(d, "permission denied");
        hidden += strstr(d, "insufficient privilege") != NULL;
    }
    check(tables == 1 && indexes == 1, "one diagnostic for tables, one for indexes");
    check(hidden == 1, "hidden statement texts diagnosed");
    check(snap->tables.n == 0 && snap->indexes.n == 0, "nothing half-collected");
    dbp_snapshot_free(snap);
    dbp_pg_disconnect(ctx);
    r = PQexec(own, "GRANT EXECUTE ON FUNCTION pg_total_relation_size(regclass), "
                    "pg_relation_size(regclass) TO PUBLIC; DROP ROLE dbp_limited");
    check(PQresultStatus(r) == PGRES_COMMAND_OK, "restore: %s", PQerrorMessage(own));
    PQclear(r);
    PQfinish(own);
}

/* ---- pg_stat_statements before 1.8 -------------------------------------- */

/*
 * The *_time column names of pg_stat_statements 1.7 and older: a view with
 * those names over the real one stands in for an old extension, and the
 * context is told the extension is 1.7 in that schema.
 */
static void test_pre13(void)
{
    PGconn *own = own_conn();
    PGresult *r = PQexec(own, "DROP SCHEMA IF EXISTS oldpgss CASCADE; CREATE SCHEMA oldpgss; "
                              "CREATE VIEW oldpgss.pg_stat_statements AS SELECT userid, dbid, "
                              "queryid, query, calls, total_exec_time AS total_time, "
                              "min_exec_time AS min_time, max_exec_time AS max_time, "
                              "mean_exec_time AS mean_time, stddev_exec_time AS stddev_time, "
                              "rows, shared_blks_hit, shared_blks_read "
                              "FROM public.pg_stat_statements");
    check(PQresultStatus(r) == PGRES_COMMAND_OK, "old-style view: %s", PQerrorMessage(own));
    PQclear(r);
    struct dbp_conn_opts o = default_opts();
    void *ctx = connect_driver(&o);
    struct dbp_pg_ctx *c = ctx;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_error e = {0};
    /* first the real extension */
    check(dbp_pg_collect(ctx, snap, NULL, &e) == DBP_OK, "collect: %s", e.message);
    struct dbp_stmt *email = find_stmt(snap, "bench", EMAIL_Q);
    uint64_t calls = email ? email->agg.calls : 0;
    double total = email ? email->agg.total_ms : 0;
    dbp_snapshot_free(snap);
    /* then the old names: only the pre-13 query can read that view */
    free(c->pgss_version);
    c->pgss_version = dbp_xstrdup("1.7");
    free(c->pgss_schema);
    c->pgss_schema = dbp_xstrdup("oldpgss");
    c->server_version_num = 120000; /* as a PostgreSQL 12 would say */
    snap = dbp_snapshot_new();
    check(dbp_pg_collect(ctx, snap, NULL, &e) == DBP_OK, "collect: %s", e.message);
    for (size_t i = 0; i < snap->diags.n; i++)
        fprintf(stderr, "diag: %s\n", (const char *)snap->diags.items[i]);
    check(snap->diags.n == 0, "no diagnostics with the old column names");
    email = find_stmt(snap, "bench", EMAIL_Q);
    check(email && email->agg.calls == calls && calls == 30 &&
              fabs(email->agg.total_ms - total) < 1e-6,
          "pre-13 names: same calls and time");
    dbp_snapshot_free(snap);
    /* and a 13+ server with an extension left at 1.7 uses them too */
    c->server_version_num = 150018;
    snap = dbp_snapshot_new();
    check(dbp_pg_collect(ctx, snap, NULL, &e) == DBP_OK && snap->diags.n == 0 &&
              find_stmt(snap, "bench", EMAIL_Q),
          "extension version decides on a new server");
    dbp_snapshot_free(snap);
    dbp_pg_disconnect(ctx);
    r = PQexec(own, "DROP SCHEMA oldpgss CASCADE");
    PQclear(r);
    PQfinish(own);
}

/* ---- statement texts (no server) ---------------------------------------- */

static void classify_is(const char *sql, enum dbp_pg_stmt_kind kind, int params, bool single)
{
    int np = -1;
    bool one = !single;
    enum dbp_pg_stmt_kind k = dbp_pg_classify(sql, &np, &one);
    check(k == kind && np == params && one == single,
          "classify '%s': kind %d params %d single %d (expected %d %d %d)", sql, (int)k, np,
          (int)one, (int)kind, params, (int)single);
}

static void test_classify(void)
{
    classify_is("SELECT 1", DBP_PG_STMT_SELECT, 0, true);
    classify_is("  /* c /* nested */ */ (SELECT $1)", DBP_PG_STMT_SELECT, 1, true);
    classify_is("-- why\nselect a from t where b = $2 and c = $1", DBP_PG_STMT_SELECT, 2, true);
    classify_is("WITH x AS (SELECT 1) SELECT * FROM x", DBP_PG_STMT_SELECT, 0, true);
    classify_is("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", DBP_PG_STMT_DML, 0, true);
    classify_is("insert into t values ($1, $12)", DBP_PG_STMT_DML, 12, true);
    classify_is("UPDATE t SET a = $1", DBP_PG_STMT_DML, 1, true);
    classify_is("DELETE FROM t", DBP_PG_STMT_DML, 0, true);
    classify_is("SELECT '$5', \"a$3\", $$ $9 ; $$, $tag$ ; $7 $tag$ FROM t WHERE x = $2",
                DBP_PG_STMT_SELECT, 2, true);
    classify_is("SELECT E'it\\'s ; $4', $1", DBP_PG_STMT_SELECT, 1, true);
    classify_is("SELECT 'a''b;$3'", DBP_PG_STMT_SELECT, 0, true);
    classify_is("SELECT 1; SELECT 2", DBP_PG_STMT_SELECT, 0, false);
    classify_is("SELECT 1; DROP TABLE t", DBP_PG_STMT_SELECT, 0, false);
    classify_is("SELECT 1;  -- trailing\n;", DBP_PG_STMT_SELECT, 0, true);
    classify_is("SELECT $1::text /* ; */", DBP_PG_STMT_SELECT, 1, true);
    classify_is("VACUUM t", DBP_PG_STMT_OTHER, 0, true);
    classify_is("CREATE TABLE t (a int)", DBP_PG_STMT_OTHER, 0, true);
    classify_is("SET work_mem = $1", DBP_PG_STMT_OTHER, 1, true);
    classify_is("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", DBP_PG_STMT_OTHER, 0,
                true);
    classify_is("EXPLAIN SELECT 1", DBP_PG_STMT_OTHER, 0, true);
    classify_is("", DBP_PG_STMT_OTHER, 0, true);
    classify_is("SELECT x FROM t WHERE y = $70000", DBP_PG_STMT_SELECT, 0, true);
    /* unterminated pieces end the text without reading past it */
    classify_is("SELECT 'abc", DBP_PG_STMT_SELECT, 0, true);
    classify_is("SELECT \"abc", DBP_PG_STMT_SELECT, 0, true);
    classify_is("SELECT $q$ abc", DBP_PG_STMT_SELECT, 0, true);
    classify_is("SELECT 1 /* abc", DBP_PG_STMT_SELECT, 0, true);
    classify_is("SELECT E'\\", DBP_PG_STMT_SELECT, 0, true);

    struct dbp_buf names = {0};
    bool quoted = false;
    size_t n = dbp_pg_called_names(
        "SELECT count(*), pg_catalog.LOWER (x), 'f(' FROM t WHERE a IN (1) -- g(\n", &names,
        &quoted);
    check(n == 3 && names.data && strcmp(names.data, "\"count\",\"lower\",\"in\"") == 0 && !quoted,
          "called names %s", names.data ? names.data : "(none)");
    dbp_buf_free(&names);
    n = dbp_pg_called_names("SELECT \"Odd\"(1) FROM t", &names, &quoted);
    check(n == 0 && quoted && names.data == NULL, "a quoted function name is unknown");
    quoted = false;
    n = dbp_pg_called_names("SELECT a$b(1)", &names, &quoted);
    check(n == 0 && quoted, "a $ in a function name is unknown");
    quoted = false;
    n = dbp_pg_called_names("SELECT a FROM t", &names, &quoted);
    check(n == 0 && !quoted && names.data == NULL, "no calls");
    n = dbp_pg_called_names("SELECT f(1)", &names, &quoted);
    n += dbp_pg_called_names("SELECT g(1)", &names, &quoted);
    check(n == 2 && names.data && strcmp(names.data, "\"f\",\"g\"") == 0, "names accumulate: %s",
          names.data ? names.data : "(none)");
    dbp_buf_free(&names);

    const char *doc = "[{\"Plan\": {\"Node Type\": \"Seq Scan\", \"Total Cost\": 12.5, "
                      "\"Plans\": [{\"Total Cost\": 99}]}}]";
    check(dbp_pg_json_total_cost(doc, strlen(doc)) == 12.5, "root Total Cost");
    const char *obj = "{\"Query Text\": \"x\", \"Plan\": {\"Total Cost\": 3}}";
    check(dbp_pg_json_total_cost(obj, strlen(obj)) == 3, "Total Cost of an auto_explain object");
    check(isnan(dbp_pg_json_total_cost("[{", 2)) && isnan(dbp_pg_json_total_cost("[]", 2)) &&
              isnan(dbp_pg_json_total_cost("[{\"Plan\": 1}]", 13)),
          "no Total Cost in broken documents");
}

/* ---- replica ------------------------------------------------------------ */

static void test_replica(void)
{
    if (!replica_dsn[0]) {
        fprintf(stderr, "no replica in the fixture's state file\n");
        failures++;
        return;
    }
    PGconn *own = own_conn();
    PGconn *rown = own_conn_to(replica_dsn);
    char *sysid = own_value(own, "SELECT system_identifier FROM pg_control_system()");
    char want_cluster[64];
    snprintf(want_cluster, sizeof want_cluster, "pg-sysid:%s", sysid ? sysid : "?");
    free(sysid);
    check(own_int(rown, "SELECT pg_is_in_recovery()::int") == 1, "the replica is in recovery");
    /* the replica replays the primary: wait until it has the problems' tables */
    for (int i = 0; i < 100 && own_int(rown, "SELECT count(*) FROM pg_class WHERE relname = "
                                             "'bookings_no_overlap'") != 1;
         i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }

    struct dbp_conn_opts o = default_opts();
    o.target = replica_dsn;
    void *ctx = connect_driver(&o);
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_source *src = dbp_snapshot_add_source(snap, "replica", "postgres");
    struct dbp_error e = {0};
    check(dbp_pg_collect(ctx, snap, src, &e) == DBP_OK, "collect from the replica: %s", e.message);
    check(snap->indexes.n >= 13, "replica indexes: %zu", snap->indexes.n);
    char want_instance[64];
    snprintf(want_instance, sizeof want_instance, "127.0.0.1:%s", replica_port);
    for (size_t i = 0; i < snap->indexes.n; i++) {
        struct dbp_index *ix = snap->indexes.items[i];
        check(ix->flags & DBP_IDX_REPLICA, "%s read from a replica is flagged", ix->name);
        check(ix->cluster && strcmp(ix->cluster, want_cluster) == 0,
              "%s: the replica shares the primary's cluster (%s)", ix->name,
              ix->cluster ? ix->cluster : "(null)");
        check(!replica_port[0] || (ix->instance && strcmp(ix->instance, want_instance) == 0),
              "%s: instance %s", ix->name, ix->instance ? ix->instance : "(null)");
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(idx_scan, -1) FROM pg_stat_user_indexes WHERE indexrelname = "
                 "'%s'",
                 ix->name);
        int64_t scans = own_int(rown, sql);
        check(ix->scans == scans || (scans == -999 && ix->scans == -1),
              "%s: the replica's own counter (%lld vs %lld)", ix->name, (long long)ix->scans,
              (long long)scans);
    }
    struct dbp_index *pk = find_index(snap, "orders_pkey");
    check(pk && (pk->flags & ~DBP_IDX_REPLICA) ==
                    (DBP_IDX_PRIMARY | DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT),
          "flags on the replica as on the primary");
    /* hypopg works on a standby (nothing is written) */
    struct dbp_stmt *st =
        dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, "bench", EMAIL_Q, strlen(EMAIL_Q));
    struct dbp_finding *f = candidate(snap, st, "customer_email");
    bool keep = false;
    check(dbp_pg_verify(ctx, snap, f, &keep, &e) == DBP_OK && keep &&
              f->verified == DBP_VERIFY_HYPOPG,
          "hypopg verification on the replica: %s", f->verify_note ? f->verify_note : e.message);
    dbp_snapshot_free(snap);
    dbp_pg_disconnect(ctx);
    PQfinish(rown);
    PQfinish(own);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: pg_live_test "
                        "collect|readonly|explain|hypopg|errors|replica|pre13|midresult|partial|"
                        "classify STATE\n");
        return 2;
    }
    const char *t = argv[1];
    if (strcmp(t, "classify") == 0) {
        test_classify();
        fprintf(stderr, "%s: %d checks, %d failed\n", t, checks, failures);
        return failures ? 1 : 0;
    }
    read_state(argv[2]);
    if (strcmp(t, "collect") == 0)
        test_collect();
    else if (strcmp(t, "readonly") == 0)
        test_readonly();
    else if (strcmp(t, "explain") == 0)
        test_explain();
    else if (strcmp(t, "hypopg") == 0)
        test_hypopg();
    else if (strcmp(t, "errors") == 0)
        test_errors();
    else if (strcmp(t, "replica") == 0)
        test_replica();
    else if (strcmp(t, "pre13") == 0)
        test_pre13();
    else if (strcmp(t, "midresult") == 0)
        test_midresult();
    else if (strcmp(t, "partial") == 0)
        test_partial();
    else {
        fprintf(stderr, "unknown case %s\n", t);
        return 2;
    }
    fprintf(stderr, "%s: %d checks, %d failed\n", t, checks, failures);
    return failures ? 1 : 0;
}
