/*
 * my_live_test.c -- integration tests of the live MySQL/MariaDB collector
 * against the throwaway MariaDB of tests/integration/my_live_server.sh, loaded
 * with sql/test/my_problems.sql.
 *
 *   my_live_test CASE STATE    CASE: collect readonly explain errors options drop cut userstat
 *                                    nohistory limited
 *
 * Every expectation comes from the server itself (a second, independent
 * connection reads performance_schema and information_schema) or from the
 * known workload of my_problems.sql. Exit 0 when every check passed.
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
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include <dbperf/arena.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>

#include "mysql/live_int.h"
#include "mysql/my_int.h"

extern const struct dbp_driver dbp_my_driver;

static int failures;
static char g_dir[520], g_port[16], g_socket[620];
static bool g_analyze; /* run() asks for ANALYZE */

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static void read_state(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "my_live_test: no server state %s (did the fixture start?)\n", path);
        exit(1);
    }
    char line[690];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "DIR=", 4) == 0)
            snprintf(g_dir, sizeof g_dir, "%.500s", line + 4);
        else if (strncmp(line, "PORT=", 5) == 0)
            snprintf(g_port, sizeof g_port, "%.15s", line + 5);
        else if (strncmp(line, "SOCKET=", 7) == 0)
            snprintf(g_socket, sizeof g_socket, "%.600s", line + 7);
    }
    fclose(f);
    if (!g_port[0]) {
        fprintf(stderr, "my_live_test: %s has no PORT\n", path);
        exit(1);
    }
}

/* An independent connection for checking what the collector said. */
static MYSQL *checker(void)
{
    MYSQL *m = mysql_init(NULL);
    if (!mysql_real_connect(m, "127.0.0.1", "bench", "bench", "bench", (unsigned)atoi(g_port), NULL,
                            0)) {
        fprintf(stderr, "my_live_test: checker cannot connect: %s\n", mysql_error(m));
        exit(1);
    }
    return m;
}

/* The first column of the first row of sql, as a heap string ("" if none). */
static char *scalar(MYSQL *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *scalar(MYSQL *m, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (mysql_query(m, sql) != 0) {
        fprintf(stderr, "my_live_test: %s: %s\n", sql, mysql_error(m));
        exit(1);
    }
    MYSQL_RES *r = mysql_store_result(m);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    char *s = strdup(row && row[0] ? row[0] : "");
    mysql_free_result(r);
    return s;
}

static char *target_tcp(void)
{
    static char t[256];
    snprintf(t, sizeof t, "mysql://bench:bench@127.0.0.1:%s/bench", g_port);
    return t;
}

static void dump_node(const struct dbp_plan_node *n, int depth)
{
    fprintf(stderr, "plan: %*s%s %s rel=%s idx=%s est=%g act=%g loops=%g examined=%g\n", depth * 2,
            "", dbp_node_kind_name(n->kind), n->engine_name ? n->engine_name : "-",
            n->relation ? n->relation : "-", n->index ? n->index : "-", n->est_rows, n->act_rows,
            n->loops, n->rows_examined);
    for (size_t i = 0; i < n->n_children; i++)
        dump_node(n->children[i], depth + 1);
}

/* connect + collect (+ explain) into a new snapshot; exits on failure. */
static struct dbp_snapshot *run(const char *target, int top_n, bool explain, void **ctx_out)
{
    struct dbp_conn_opts o = {
        .target = target, .statement_timeout_ms = 5000, .top_n = top_n, .analyze = g_analyze};
    struct dbp_error err = {0};
    void *ctx = NULL;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    int rc = dbp_my_driver.connect(&o, &ctx, &err);
    if (rc != DBP_OK) {
        fprintf(stderr, "my_live_test: connect %s: %s\n", target, err.message);
        exit(1);
    }
    struct dbp_source *src = dbp_snapshot_add_source(snap, "live", "mysql");
    rc = dbp_my_driver.collect(ctx, snap, src, &err);
    CHECK(rc == DBP_OK, "collect: %s", err.message);
    if (explain) {
        rc = dbp_my_driver.explain(ctx, snap, &err);
        CHECK(rc == DBP_OK, "explain: %s", err.message);
    }
    if (getenv("DBPERF_TEST_VERBOSE")) {
        for (size_t i = 0; i < snap->diags.n; i++)
            fprintf(stderr, "diag: %s\n", (char *)snap->diags.items[i]);
        for (size_t i = 0; i < snap->stmts.n && i < 40; i++) {
            struct dbp_stmt *st = snap->stmts.items[i];
            fprintf(stderr, "stmt: %8llu %10.3f ms plan=%d %.70s\n",
                    (unsigned long long)st->agg.calls, st->agg.total_ms, st->plan != NULL,
                    st->text);
            if (st->plan && st->plan->root)
                dump_node(st->plan->root, 1);
        }
        for (size_t i = 0; i < snap->indexes.n; i++) {
            struct dbp_index *ix = snap->indexes.items[i];
            fprintf(stderr, "index: %s.%s.%s flags 0x%x scans %lld size %lld %s\n", ix->database,
                    ix->table, ix->name, ix->flags, (long long)ix->scans, (long long)ix->size_bytes,
                    ix->definition);
        }
    }
    if (ctx_out)
        *ctx_out = ctx;
    else
        dbp_my_driver.disconnect(ctx);
    return snap;
}

/* The first node of kind on relation in the tree under n, or NULL. */
static const struct dbp_plan_node *find_node(const struct dbp_plan_node *n, enum dbp_node_kind kind,
                                             const char *relation)
{
    if (!n)
        return NULL;
    if (n->kind == kind && n->relation && strcmp(n->relation, relation) == 0)
        return n;
    for (size_t i = 0; i < n->n_children; i++) {
        const struct dbp_plan_node *x = find_node(n->children[i], kind, relation);
        if (x)
            return x;
    }
    return NULL;
}

static struct dbp_stmt *find_stmt(struct dbp_snapshot *snap, const char *needle)
{
    for (size_t i = 0; i < snap->stmts.n; i++) {
        struct dbp_stmt *st = snap->stmts.items[i];
        /* the workload's own statements, not our EXPLAINs of them */
        if (strncmp(st->text, "EXPLAIN ", 8) != 0 && strncmp(st->text, "ANALYZE ", 8) != 0 &&
            strstr(st->text, needle))
            return st;
    }
    return NULL;
}

static struct dbp_index *find_index(struct dbp_snapshot *snap, const char *table, const char *name)
{
    for (size_t i = 0; i < snap->indexes.n; i++) {
        struct dbp_index *ix = snap->indexes.items[i];
        if (strcmp(ix->database, "bench") == 0 && strcmp(ix->table, table) == 0 &&
            strcmp(ix->name, name) == 0)
            return ix;
    }
    return NULL;
}

static struct dbp_table *find_table(struct dbp_snapshot *snap, const char *name)
{
    for (size_t i = 0; i < snap->tables.n; i++) {
        struct dbp_table *t = snap->tables.items[i];
        if (strcmp(t->database, "bench") == 0 && strcmp(t->name, name) == 0)
            return t;
    }
    return NULL;
}

/* ---- collect: statement classes, indexes, tables ------------------------ */

static void check_index(struct dbp_snapshot *snap, MYSQL *m, const char *table, const char *name,
                        unsigned flags, const char *cols, bool used)
{
    struct dbp_index *ix = find_index(snap, table, name);
    CHECK(ix != NULL, "index %s.%s missing", table, name);
    if (!ix)
        return;
    CHECK(ix->flags == flags, "%s.%s flags 0x%x, want 0x%x", table, name, ix->flags, flags);
    char joined[256] = "";
    for (size_t i = 0; i < ix->n_columns; i++)
        snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s", i ? "," : "",
                 ix->columns[i]);
    CHECK(strcmp(joined, cols) == 0, "%s.%s columns %s, want %s", table, name, joined, cols);
    /* performance_schema's own count (sys.schema_unused_indexes's logic) */
    char *ps =
        scalar(m,
               "SELECT COUNT_STAR FROM performance_schema.table_io_waits_summary_by_index_usage"
               " WHERE OBJECT_SCHEMA = 'bench' AND OBJECT_NAME = '%s' AND INDEX_NAME = '%s'",
               table, name);
    CHECK(used ? ix->scans > 0 : ix->scans == 0, "%s.%s scans %lld (used: %d)", table, name,
          (long long)ix->scans, used);
    CHECK(ix->scans >= atoll(ps), "%s.%s scans %lld below performance_schema's %s", table, name,
          (long long)ix->scans, ps);
    CHECK(ix->counter_since_us > 0, "%s.%s has no counter start", table, name);
    CHECK(ix->method && strcmp(ix->method, "BTREE") == 0, "%s.%s method %s", table, name,
          ix->method ? ix->method : "(null)");
    CHECK((ix->definition && strstr(ix->definition, name) != NULL) || (flags & DBP_IDX_PRIMARY),
          "%s.%s definition %s", table, name, ix->definition ? ix->definition : "(null)");
    CHECK(ix->size_bytes > 0, "%s.%s size %lld", table, name, (long long)ix->size_bytes);
    free(ps);
}

static void case_collect(void)
{
    MYSQL *m = checker();
    struct dbp_snapshot *snap = run(target_tcp(), 20, false, NULL);
    struct dbp_source *src = snap->sources.items[0];

    /* the server: version and the counters' start (now - Uptime) */
    CHECK(src->server_version && strstr(src->server_version, "MariaDB"), "version %s",
          src->server_version ? src->server_version : "(null)");
    char *up = scalar(m, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                         " WHERE VARIABLE_NAME = 'UPTIME'");
    double expect_since = (double)time(NULL) - atof(up);
    CHECK(fabs(src->counters_since_us / 1e6 - expect_since) < 5, "counters since %lld, want ~%.0f",
          (long long)src->counters_since_us, expect_since);
    free(up);

    /* the workload's classes: calls as my_problems.sql ran them and as performance_schema says */
    struct {
        const char *needle;
        uint64_t calls;
        bool no_index;
    } want[] = {
        {"FROM EVENTS WHERE `kind` = ?", 30, true},
        {"FROM `customers` WHERE ID = ?", 200, false},
        {"FROM `countries` WHERE NAME = ?", 20, true},
        {"FROM `orders` WHERE STATUS = ?", 25, false},
        {"FROM EVENTS ORDER BY `created_at` DESC", 15, false},
        {"FROM `customers` WHERE NAME = ?", 10, false},
        {"UPDATE `countries` SET NAME = ? WHERE CODE = ?", 5, false},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct dbp_stmt *st = find_stmt(snap, want[i].needle);
        CHECK(st != NULL, "no class for %s", want[i].needle);
        if (!st)
            continue;
        CHECK(st->agg.calls == want[i].calls, "%s: calls %llu, want %llu", want[i].needle,
              (unsigned long long)st->agg.calls, (unsigned long long)want[i].calls);
        CHECK(st->source == DBP_SRC_PERFSCHEMA, "%s: source %d", want[i].needle, st->source);
        CHECK(st->engine == DBP_ENGINE_MYSQL, "%s: engine", want[i].needle);
        CHECK(st->database && strcmp(st->database, "bench") == 0, "%s: database", want[i].needle);
        CHECK(st->engine_id_text && strlen(st->engine_id_text) == 32, "%s: digest", want[i].needle);
        CHECK(st->engine_id != 0, "%s: engine_id", want[i].needle);
        CHECK((st->agg.flags & (DBP_AGG_ROWS_EXAMINED | DBP_AGG_ROWS_RETURNED)) ==
                  (DBP_AGG_ROWS_EXAMINED | DBP_AGG_ROWS_RETURNED),
              "%s: row flags", want[i].needle);
        CHECK(!(st->agg.flags & DBP_AGG_QUANTILES), "%s: no sketch", want[i].needle);
        CHECK(st->agg.total_ms > 0 && st->agg.min_ms > 0 && st->agg.max_ms >= st->agg.min_ms &&
                  st->agg.total_ms >= st->agg.max_ms,
              "%s: times total %g min %g max %g", want[i].needle, st->agg.total_ms, st->agg.min_ms,
              st->agg.max_ms);
        CHECK(st->agg.first_seen_us > 0 && st->agg.last_seen_us >= st->agg.first_seen_us,
              "%s: first/last seen", want[i].needle);
        if (!st->engine_id_text)
            continue;
        /* performance_schema's own numbers for that digest */
        char *cnt = scalar(m,
                           "SELECT CONCAT_WS(' ', COUNT_STAR, SUM_ROWS_EXAMINED, SUM_ROWS_SENT,"
                           " SUM_TIMER_WAIT, SUM_NO_INDEX_USED) FROM"
                           " performance_schema.events_statements_summary_by_digest"
                           " WHERE DIGEST = '%s' AND SCHEMA_NAME = 'bench'",
                           st->engine_id_text);
        unsigned long long c = 0, ex = 0, sent = 0, timer = 0, noidx = 0;
        CHECK(sscanf(cnt, "%llu %llu %llu %llu %llu", &c, &ex, &sent, &timer, &noidx) == 5,
              "digest row %s", cnt);
        CHECK(st->agg.calls == c, "%s: calls %llu, performance_schema %llu", want[i].needle,
              (unsigned long long)st->agg.calls, c);
        CHECK(st->agg.rows_examined == ex && st->agg.rows_returned == sent,
              "%s: rows %llu/%llu, performance_schema %llu/%llu", want[i].needle,
              (unsigned long long)st->agg.rows_examined, (unsigned long long)st->agg.rows_returned,
              ex, sent);
        CHECK(fabs(st->agg.total_ms - timer / 1e9) < 1e-6, "%s: total %g ms, ps %g", want[i].needle,
              st->agg.total_ms, timer / 1e9);
        CHECK(want[i].no_index ? noidx == c : true, "%s: SUM_NO_INDEX_USED %llu", want[i].needle,
              noidx);
        free(cnt);
    }
    /* the scan examines the whole table for ~one row each time */
    struct dbp_stmt *scan = find_stmt(snap, "FROM EVENTS WHERE `kind` = ?");
    if (scan)
        CHECK(scan->agg.rows_examined == 30 * 20000ull && scan->agg.rows_returned < 100,
              "scan rows %llu/%llu", (unsigned long long)scan->agg.rows_examined,
              (unsigned long long)scan->agg.rows_returned);
    /* classes are ordered by total time as the server orders them */
    for (size_t i = 1; i < snap->stmts.n; i++) {
        struct dbp_stmt *a = snap->stmts.items[i - 1], *b = snap->stmts.items[i];
        CHECK(a->agg.total_ms >= b->agg.total_ms, "class %zu before %zu is faster", i - 1, i);
    }

    /* indexes: flags, columns in order, usage as performance_schema counts it */
    const unsigned PK = DBP_IDX_PRIMARY | DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT;
    const unsigned UQ = DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT;
    check_index(snap, m, "customers", "PRIMARY", PK | DBP_IDX_FOREIGN_KEY, "id", true);
    check_index(snap, m, "customers", "uq_customers_email", UQ, "email", false);
    check_index(snap, m, "customers", "idx_customers_name_prefix", 0, "name(12)", true);
    check_index(snap, m, "orders", "PRIMARY", PK | DBP_IDX_FOREIGN_KEY, "id", false);
    check_index(snap, m, "orders", "idx_orders_customer", DBP_IDX_FOREIGN_KEY, "customer_id",
                false);
    check_index(snap, m, "orders", "idx_orders_status", 0, "status", false);
    check_index(snap, m, "orders", "idx_orders_status_created", 0, "status,created_at", true);
    check_index(snap, m, "orders", "idx_orders_note", 0, "note", false);
    check_index(snap, m, "order_items", "PRIMARY", PK, "id", false);
    check_index(snap, m, "order_items", "fk_items_order", DBP_IDX_FOREIGN_KEY, "order_id", false);
    check_index(snap, m, "events", "PRIMARY", PK, "id", false);
    check_index(snap, m, "events", "idx_events_created", 0, "created_at DESC", true);
    char *n_idx = scalar(m, "SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM"
                            " information_schema.STATISTICS WHERE TABLE_SCHEMA = 'bench'");
    CHECK(snap->indexes.n == (size_t)atoi(n_idx), "%zu indexes, server has %s", snap->indexes.n,
          n_idx);
    free(n_idx);
    struct dbp_index *uq = find_index(snap, "customers", "uq_customers_email");
    if (uq)
        CHECK(uq->definition &&
                  strcmp(uq->definition, "CREATE UNIQUE INDEX `uq_customers_email` ON "
                                         "`bench`.`customers` (`email`)") == 0,
              "definition %s", uq->definition ? uq->definition : "(null)");

    /* tables: sizes as information_schema reports them */
    const char *tables[] = {"countries", "customers", "orders", "order_items", "events"};
    for (size_t i = 0; i < 5; i++) {
        struct dbp_table *t = find_table(snap, tables[i]);
        CHECK(t != NULL, "table %s missing", tables[i]);
        if (!t)
            continue;
        char *sz = scalar(m,
                          "SELECT CONCAT_WS(' ', TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH) FROM "
                          "information_schema.TABLES WHERE TABLE_SCHEMA = 'bench' AND "
                          "TABLE_NAME = '%s'",
                          tables[i]);
        long long rows = -2, bytes = -2;
        sscanf(sz, "%lld %lld", &rows, &bytes);
        CHECK(t->rows == rows && t->size_bytes == bytes && bytes > 0,
              "%s: rows %lld size %lld, server %s", tables[i], (long long)t->rows,
              (long long)t->size_bytes, sz);
        free(sz);
    }
    struct dbp_table *ev = find_table(snap, "events"), *co = find_table(snap, "countries");
    if (ev)
        CHECK(ev->rows > 15000 && ev->rows < 25000 && ev->seq_rows_read >= 30 * 20000,
              "events rows %lld seq_rows_read %lld", (long long)ev->rows,
              (long long)ev->seq_rows_read);
    if (co)
        CHECK(co->rows == 8, "countries rows %lld", (long long)co->rows);
    mysql_close(m);
    dbp_snapshot_free(snap);
}

/* ---- readonly: the session refuses writes, and long statements are cut --- */

static void case_readonly(void)
{
    MYSQL *m = checker();
    struct dbp_conn_opts o = {.target = target_tcp(), .statement_timeout_ms = 1000, .top_n = 5};
    struct dbp_error err = {0};
    void *ctx = NULL;
    int rc = dbp_my_driver.connect(&o, &ctx, &err);
    CHECK(rc == DBP_OK, "connect: %s", err.message);
    if (rc != DBP_OK)
        exit(1);
    /* what the server says about the session */
    char v[64];
    rc = dbp_my_live_exec(ctx, "SELECT @@session.tx_read_only", v, sizeof v, &err);
    CHECK(rc == DBP_OK && strcmp(v, "1") == 0, "tx_read_only: %s %s", v, err.message);
    rc = dbp_my_live_exec(ctx, "SELECT @@session.max_statement_time", v, sizeof v, &err);
    CHECK(rc == DBP_OK && fabs(atof(v) - 1.0) < 1e-9, "max_statement_time: %s %s", v, err.message);
    rc = dbp_my_live_exec(ctx, "SELECT @@session.lock_wait_timeout", v, sizeof v, &err);
    CHECK(rc == DBP_OK && strcmp(v, "1") == 0, "lock_wait_timeout: %s %s", v, err.message);

    char *before = scalar(m, "SELECT COUNT(*) FROM bench.countries");
    dbp_error_clear(&err);
    rc = dbp_my_live_exec(ctx, "INSERT INTO bench.countries VALUES ('XX', 'Nowhere')", NULL, 0,
                          &err);
    CHECK(rc == DBP_ERR_SERVER, "insert in the collector's session: rc %d", rc);
    CHECK(strcmp(err.sqlstate, "25006") == 0 && strstr(err.message, "READ ONLY"),
          "insert refused with %s %s", err.sqlstate, err.message);
    dbp_error_clear(&err);
    rc = dbp_my_live_exec(ctx, "UPDATE bench.countries SET name = 'x' WHERE code = 'DE'", NULL, 0,
                          &err);
    CHECK(rc == DBP_ERR_SERVER && strcmp(err.sqlstate, "25006") == 0, "update: %d %s", rc,
          err.message);
    char *after = scalar(m, "SELECT COUNT(*) FROM bench.countries");
    char *name = scalar(m, "SELECT name FROM bench.countries WHERE code = 'DE'");
    CHECK(strcmp(before, after) == 0 && strcmp(name, "Germany") == 0, "table changed: %s -> %s",
          before, after);
    free(before);
    free(after);
    free(name);

    /* the statement timeout: the server cuts a 5 s statement after 1 s */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    dbp_error_clear(&err);
    rc =
        dbp_my_live_exec(ctx, "SELECT COUNT(*) FROM bench.events a, bench.events b", NULL, 0, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(rc == DBP_ERR_SERVER && strstr(err.message, "max_statement_time"),
          "long statement: rc %d %s", rc, err.message);
    CHECK(s < 3.0, "long statement ran %.1f s", s);
    dbp_my_driver.disconnect(ctx);
    mysql_close(m);
}

/* ---- explain: plans of the top SELECT classes ---------------------------- */

static void case_explain(void)
{
    void *ctx = NULL;
    struct dbp_snapshot *snap = run(target_tcp(), 20, true, &ctx);
    struct dbp_my_live *c = ctx;
    CHECK(c->plans_fetched >= 5, "%zu EXPLAIN documents fetched", c->plans_fetched);
    CHECK(c->last_plan_json && c->last_plan_json[0] == '{' &&
              strstr(c->last_plan_json, "\"query_block\""),
          "plan JSON %.80s", c->last_plan_json ? c->last_plan_json : "(null)");
    CHECK(c->examples_missing == 0, "%zu digests without an example", c->examples_missing);
    /* every document parsed into the common model and attached to its class */
    CHECK(c->plans_parsed == c->plans_fetched, "%zu of %zu plans parsed", c->plans_parsed,
          c->plans_fetched);
    CHECK(snap->plans.n == c->plans_parsed, "%zu plans in the snapshot", snap->plans.n);
    for (size_t i = 0; i < snap->plans.n; i++) {
        struct dbp_plan *p = snap->plans.items[i];
        CHECK(p->stmt && p->stmt->plan == p && p->engine == DBP_ENGINE_MYSQL && p->root,
              "plan %zu not attached to its class", i);
        CHECK(p->origin && strstr(p->origin, "127.0.0.1") && !strstr(p->origin, ":bench@"),
              "plan origin %s", p->origin ? p->origin : "(null)");
    }
    struct dbp_stmt *scan = find_stmt(snap, "FROM EVENTS WHERE `kind` = ?");
    CHECK(scan && scan->plan && find_node(scan->plan->root, DBP_NODE_FULL_SCAN, "events"),
          "no full scan of events in the scan's plan");
    struct dbp_stmt *pk = find_stmt(snap, "FROM `customers` WHERE ID = ?");
    CHECK(pk && pk->plan && find_node(pk->plan->root, DBP_NODE_INDEX_SCAN, "customers") &&
              find_node(pk->plan->root, DBP_NODE_INDEX_SCAN, "customers")->index &&
              strcmp(find_node(pk->plan->root, DBP_NODE_INDEX_SCAN, "customers")->index,
                     "PRIMARY") == 0,
          "the primary key lookup has no PRIMARY index scan");
    /* the top SELECT classes of the workload all have plans */
    const char *top[] = {"FROM `orders` WHERE STATUS = ?", "FROM `countries` WHERE NAME = ?",
                         "FROM EVENTS ORDER BY `created_at` DESC",
                         "FROM `customers` WHERE NAME = ?"};
    for (size_t i = 0; i < 4; i++) {
        struct dbp_stmt *st = find_stmt(snap, top[i]);
        CHECK(st && st->plan, "%s has no plan", top[i]);
    }
    /* the UPDATE is not explained in the read-only session, and the diagnostics say why */
    bool said = false;
    for (size_t i = 0; i < snap->diags.n; i++) {
        const char *d = snap->diags.items[i];
        said |= strstr(d, "UPDATE `countries`") && strstr(d, "read-only session") &&
                strstr(d, "not explained");
    }
    CHECK(said, "no diagnostic for the UPDATE");
    /* an example was offered to each explained class */
    CHECK(scan && scan->example && strstr(scan->example, "FROM events WHERE kind = '"),
          "scan example %s", scan && scan->example ? scan->example : "(null)");
    bool analyzed = false;
    for (size_t i = 0; i < snap->plans.n; i++)
        analyzed |= ((struct dbp_plan *)snap->plans.items[i])->analyzed;
    CHECK(!analyzed, "a plan claims actual figures without --analyze");
    dbp_my_driver.disconnect(ctx);
    dbp_snapshot_free(snap);

    /* --analyze: MariaDB runs the SELECT examples (ANALYZE FORMAT=JSON) */
    g_analyze = true;
    snap = run(target_tcp(), 20, true, &ctx);
    g_analyze = false;
    c = ctx;
    CHECK(c->plans_fetched >= 5, "analyze: %zu documents", c->plans_fetched);
    CHECK(c->last_plan_json && strstr(c->last_plan_json, "\"r_rows\""),
          "analyze: no actual rows in %.200s", c->last_plan_json ? c->last_plan_json : "(null)");
    scan = find_stmt(snap, "FROM EVENTS WHERE `kind` = ?");
    CHECK(scan && scan->plan && scan->plan->analyzed, "analyze: the scan's plan has no actuals");
    const struct dbp_plan_node *full =
        scan && scan->plan ? find_node(scan->plan->root, DBP_NODE_FULL_SCAN, "events") : NULL;
    CHECK(full && full->act_rows >= 0 && full->rows_examined >= 20000,
          "analyze: the full scan of events read %g rows for %g", full ? full->rows_examined : NAN,
          full ? full->act_rows : NAN);
    dbp_my_driver.disconnect(ctx);
    dbp_snapshot_free(snap);
}

/* ---- errors: unreachable servers, wrong passwords, bad targets ----------- */

static void expect_connect_error(const char *target, int code, const char *must, const char *secret)
{
    struct dbp_conn_opts o = {.target = target, .statement_timeout_ms = 2000, .top_n = 5};
    struct dbp_error err = {0};
    void *ctx = (void *)&err; /* must be reset */
    int rc = dbp_my_driver.connect(&o, &ctx, &err);
    CHECK(rc == code, "%s: rc %d, want %d (%s)", target, rc, code, err.message);
    CHECK(ctx == NULL, "%s: ctx left set", target);
    CHECK((int)err.code == code, "%s: err.code %d", target, (int)err.code);
    CHECK(strchr(err.message, '\n') == NULL && err.message[0], "%s: message not one line", target);
    CHECK(!must || strstr(err.message, must), "%s: message lacks %s: %s", target, must,
          err.message);
    CHECK(!secret || !strstr(err.message, secret), "%s: message shows the password: %s", target,
          err.message);
    if (ctx && ctx != (void *)&err)
        dbp_my_driver.disconnect(ctx);
}

static void case_errors(void)
{
    char t[1200];
    /* a port nobody listens on (the server's port + 1 is free or not a MySQL server) */
    int dead = 1;
    snprintf(t, sizeof t, "mysql://bench:s3cret-pw@127.0.0.1:%d/bench?connect_timeout=2", dead);
    expect_connect_error(t, DBP_ERR_CONNECT, "mysql://bench@127.0.0.1:1/bench", "s3cret-pw");
    snprintf(t, sizeof t, "mysql://bench:Wr0ng-pw-77@127.0.0.1:%s/bench", g_port);
    expect_connect_error(t, DBP_ERR_CONNECT, "Access denied", "Wr0ng-pw-77");
    char shown[300];
    snprintf(shown, sizeof shown, "mysql://bench@127.0.0.1:%s/bench", g_port);
    expect_connect_error(t, DBP_ERR_CONNECT, shown, NULL);
    snprintf(t, sizeof t, "socket=%s/nope.sock user=bench password=Hidden-9", g_dir);
    expect_connect_error(t, DBP_ERR_CONNECT, "password=***", "Hidden-9");
    snprintf(t, sizeof t, "mariadb://bench:bench@127.0.0.1:%s/no_such_db", g_port);
    expect_connect_error(t, DBP_ERR_CONNECT, "no_such_db", NULL);
    expect_connect_error("mysql://u:pw-1@h:99999/db", DBP_ERR_USAGE, "port", "pw-1");
    expect_connect_error("mysql://u:pw-2@h/db?sslmode=on", DBP_ERR_USAGE, "sslmode", "pw-2");
    expect_connect_error("mysql://u:pw%zz@h/db", DBP_ERR_USAGE, "escape", "pw%zz");

    /* what the driver accepts */
    CHECK(dbp_my_accepts_target("mysql://h/db"), "mysql://");
    CHECK(dbp_my_accepts_target("MariaDB://h"), "mariadb://");
    CHECK(dbp_my_accepts_target("socket=/run/mysqld/mysqld.sock"), "socket=");
    CHECK(dbp_my_accepts_target("user=a socket=/x.sock"), "user= socket=");
    CHECK(!dbp_my_accepts_target("host=/tmp dbname=x"), "PostgreSQL conninfo taken");
    CHECK(!dbp_my_accepts_target("postgresql://h/db"), "postgresql:// taken");
    CHECK(!dbp_my_accepts_target("mongodb://h/db"), "mongodb:// taken");
    CHECK(!dbp_my_accepts_target("mysql.log"), "a file name taken");
    CHECK(dbp_driver_for_target("mysql://h/db") == &dbp_my_driver, "registry routing");

    /* parsing */
    struct dbp_my_target pt;
    struct dbp_error err = {0};
    CHECK(dbp_my_target_parse("mysql://us%40er:p%3Ass@[::1]:3307/sh%2Fop?socket=/a%20b.sock"
                              "&connect_timeout=7&defaults-file=/etc/x.cnf",
                              &pt, &err) == DBP_OK,
          "parse: %s", err.message);
    CHECK(pt.user && strcmp(pt.user, "us@er") == 0, "user %s", pt.user ? pt.user : "(null)");
    CHECK(pt.password && strcmp(pt.password, "p:ss") == 0, "password");
    CHECK(pt.host && strcmp(pt.host, "::1") == 0, "host %s", pt.host ? pt.host : "(null)");
    CHECK(pt.port == 3307, "port %u", pt.port);
    CHECK(pt.database && strcmp(pt.database, "sh/op") == 0, "database");
    CHECK(pt.socket && strcmp(pt.socket, "/a b.sock") == 0, "socket");
    CHECK(pt.connect_timeout_s == 7, "connect_timeout");
    CHECK(pt.defaults_file && strcmp(pt.defaults_file, "/etc/x.cnf") == 0, "defaults-file");
    dbp_my_target_free(&pt);
    CHECK(dbp_my_target_parse("mysql://", &pt, &err) == DBP_OK, "empty URI: %s", err.message);
    CHECK(!pt.host && !pt.user && !pt.password && !pt.database && pt.port == 0, "empty URI parts");
    dbp_my_target_free(&pt);
    CHECK(dbp_my_target_parse("mysql://app:@db1", &pt, &err) == DBP_OK, "empty password");
    CHECK(pt.password && pt.password[0] == '\0' && strcmp(pt.host, "db1") == 0, "app:@db1");
    dbp_my_target_free(&pt);
    CHECK(dbp_my_target_parse("socket=/s.sock;user=u;database=d;port=3306", &pt, &err) == DBP_OK,
          "socket list: %s", err.message);
    CHECK(pt.socket && strcmp(pt.socket, "/s.sock") == 0 && strcmp(pt.user, "u") == 0 &&
              strcmp(pt.database, "d") == 0 && pt.port == 3306,
          "socket list parts");
    dbp_my_target_free(&pt);
    CHECK(dbp_my_target_parse("user=u database=d", &pt, &err) == DBP_ERR_USAGE, "no socket");
}

/* ---- options: sockets, ~/.my.cnf [client], MYSQL_PWD -------------------- */

static void count_classes(const char *target, const char *what)
{
    struct dbp_snapshot *snap = run(target, 5, false, NULL);
    CHECK(find_stmt(snap, "FROM `customers` WHERE ID = ?") != NULL, "%s: no workload class", what);
    CHECK(snap->indexes.n > 0 && snap->tables.n > 0, "%s: no indexes or tables", what);
    dbp_snapshot_free(snap);
}

static void case_options(void)
{
    char t[1200];
    snprintf(t, sizeof t, "socket=%s user=bench password=bench database=bench", g_socket);
    count_classes(t, "socket= list");
    snprintf(t, sizeof t, "mysql://bench:bench@localhost/bench?socket=%s", g_socket);
    count_classes(t, "URI with socket=");

    /* no database in the target: every schema but the system ones */
    snprintf(t, sizeof t, "mariadb://bench:bench@127.0.0.1:%s", g_port);
    struct dbp_snapshot *all = run(t, 5, false, NULL);
    size_t in_bench = 0, system = 0;
    for (size_t i = 0; i < all->indexes.n; i++) {
        struct dbp_index *ix = all->indexes.items[i];
        in_bench += strcmp(ix->database, "bench") == 0;
        system += strcmp(ix->database, "mysql") == 0 || strcmp(ix->database, "sys") == 0 ||
                  strcasecmp(ix->database, "performance_schema") == 0;
    }
    CHECK(in_bench == 13 && system == 0, "all schemas: %zu bench indexes, %zu system ones",
          in_bench, system);
    CHECK(find_stmt(all, "FROM `customers` WHERE ID = ?") != NULL, "all schemas: no class");
    dbp_snapshot_free(all);

    /* credentials and socket from ~/.my.cnf [client] */
    char home[600], cnf[620];
    snprintf(home, sizeof home, "%s/home", g_dir);
    mkdir(home, 0700);
    snprintf(cnf, sizeof cnf, "%s/.my.cnf", home);
    FILE *f = fopen(cnf, "w");
    if (!f) {
        fprintf(stderr, "my_live_test: cannot write %s\n", cnf);
        exit(1);
    }
    fprintf(f, "[client]\nuser = bench\npassword = bench\nsocket = %s\n", g_socket);
    fclose(f);
    setenv("HOME", home, 1);
    unsetenv("MYSQL_PWD");
    count_classes("mysql:///bench", "~/.my.cnf [client]");

    /* MYSQL_PWD when nothing else gives a password */
    f = fopen(cnf, "w");
    fprintf(f, "[client]\nuser = bench\n");
    fclose(f);
    setenv("MYSQL_PWD", "bench", 1);
    snprintf(t, sizeof t, "mysql://bench@127.0.0.1:%s/bench", g_port);
    count_classes(t, "MYSQL_PWD");
    /* and without it the same target is refused */
    unsetenv("MYSQL_PWD");
    expect_connect_error(t, DBP_ERR_CONNECT, "Access denied", NULL);

    /* --defaults-file given in the target */
    char other[620];
    snprintf(other, sizeof other, "%s/other.cnf", g_dir);
    f = fopen(other, "w");
    fprintf(f, "[client]\nuser = bench\npassword = bench\nport = %s\nhost = 127.0.0.1\n", g_port);
    fclose(f);
    snprintf(t, sizeof t, "mysql:///bench?defaults-file=%s", other);
    count_classes(t, "defaults-file");
    unlink(cnf);
    unlink(other);
    rmdir(home);
}

/* ---- drop: the server ends the session under the collector -------------- */

static void case_drop(void)
{
    MYSQL *m = checker();
    struct dbp_conn_opts o = {.target = target_tcp(), .statement_timeout_ms = 5000, .top_n = 5};
    struct dbp_error err = {0};
    void *ctx = NULL;
    int rc = dbp_my_driver.connect(&o, &ctx, &err);
    CHECK(rc == DBP_OK, "connect: %s", err.message);
    if (rc != DBP_OK)
        exit(1);
    char sql[64];
    snprintf(sql, sizeof sql, "KILL CONNECTION %lu", dbp_my_live_thread_id(ctx));
    CHECK(mysql_query(m, sql) == 0, "kill: %s", mysql_error(m));
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_source *src = dbp_snapshot_add_source(snap, "live", "mysql");
    dbp_error_clear(&err);
    rc = dbp_my_driver.collect(ctx, snap, src, &err);
    CHECK(rc == DBP_ERR_CONNECT, "collect after kill: rc %d %s", rc, err.message);
    CHECK(strstr(err.message, "connection lost") && strstr(err.message, "127.0.0.1") &&
              !strstr(err.message, ":bench@"),
          "message: %s", err.message);
    /* explain on the dead session: nothing collected, nothing to do, no crash */
    rc = dbp_my_driver.explain(ctx, snap, &err);
    CHECK(rc == DBP_OK, "explain after a failed collect: %d", rc);
    dbp_my_driver.disconnect(ctx);
    dbp_snapshot_free(snap);
    mysql_close(m);
}

/* ---- cut: a server (a proxy in front of it) that drops the connection mid-result ---- */

/*
 * A one-connection TCP proxy in a child process: forwards both ways between
 * its client and the server, and closes both sides once it has passed cut
 * bytes from the server (cut < 0: never). Returns the child's pid and sets
 * *port to where it listens.
 */
static pid_t proxy_start(int server_port, long cut, int *port)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &al) != 0) {
        perror("my_live_test: proxy");
        exit(1);
    }
    *port = ntohs(a.sin_port);
    pid_t pid = fork();
    if (pid < 0) {
        perror("my_live_test: fork");
        exit(1);
    }
    if (pid > 0) {
        close(ls);
        return pid;
    }
    alarm(30);
    int cl = accept(ls, NULL, NULL);
    int sv = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server_port)};
    s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (cl < 0 || sv < 0 || connect(sv, (struct sockaddr *)&s, sizeof s) != 0)
        _exit(1);
    long passed = 0;
    char buf[4096];
    for (;;) {
        struct pollfd p[2] = {{.fd = cl, .events = POLLIN}, {.fd = sv, .events = POLLIN}};
        if (poll(p, 2, -1) < 0)
            _exit(1);
        if (p[0].revents) {
            ssize_t n = read(cl, buf, sizeof buf);
            if (n <= 0 || write(sv, buf, (size_t)n) != n)
                break;
        }
        if (p[1].revents) {
            ssize_t n = read(sv, buf, sizeof buf);
            if (n <= 0)
                break;
            if (cut >= 0 && passed + n >= cut)
                n = cut - passed;
            if (n > 0 && write(cl, buf, (size_t)n) != n)
                break;
            passed += n;
            if (cut >= 0 && passed >= cut)
                break;
        }
    }
    close(cl);
    close(sv);
    _exit(0);
}

/* connect, collect and explain through a proxy cutting at cut; returns 1 if all of it worked. */
static int cut_run(long cut, char *seen, size_t seen_len)
{
    int port;
    pid_t pid = proxy_start(atoi(g_port), cut, &port);
    char t[256], shown[128];
    snprintf(t, sizeof t, "mysql://bench:bench@127.0.0.1:%d/bench", port);
    snprintf(shown, sizeof shown, "mysql://bench@127.0.0.1:%d/bench", port);
    struct dbp_conn_opts o = {.target = t, .statement_timeout_ms = 5000, .top_n = 20};
    struct dbp_error err = {0};
    void *ctx = NULL;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    int rc = dbp_my_driver.connect(&o, &ctx, &err);
    const char *stage = "connect";
    if (rc == DBP_OK) {
        struct dbp_source *src = dbp_snapshot_add_source(snap, "live", "mysql");
        stage = "collect";
        rc = dbp_my_driver.collect(ctx, snap, src, &err);
        if (rc == DBP_OK) {
            stage = "explain";
            rc = dbp_my_driver.explain(ctx, snap, &err);
        }
    }
    if (rc != DBP_OK) {
        CHECK(rc == DBP_ERR_CONNECT, "cut at %ld: %s: rc %d %s", cut, stage, rc, err.message);
        CHECK(strstr(err.message, shown) != NULL, "cut at %ld: %s: message does not name %s: %s",
              cut, stage, shown, err.message);
        CHECK(strstr(err.message, ":bench@") == NULL, "cut at %ld: password shown: %s", cut,
              err.message);
        CHECK(strchr(err.message, '\n') == NULL, "cut at %ld: not one line", cut);
        snprintf(seen, seen_len, "%s: %s", stage, err.message);
    }
    dbp_my_driver.disconnect(ctx);
    dbp_snapshot_free(snap);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return rc == DBP_OK;
}

static void case_cut(void)
{
    char seen[600] = "";
    CHECK(cut_run(-1, seen, sizeof seen), "uncut run failed: %s", seen);
    /* cut everywhere: the handshake, the session setup, inside results, between queries */
    long total = 0;
    int ok_runs = 0, failed_runs = 0, stages[3] = {0, 0, 0};
    long step = 1;
    for (long cut = 0; cut < 400000 && ok_runs == 0; cut += step) {
        seen[0] = '\0';
        if (cut_run(cut, seen, sizeof seen)) {
            ok_runs++;
            total = cut;
            break;
        }
        failed_runs++;
        stages[strncmp(seen, "connect", 7) == 0 ? 0 : strncmp(seen, "collect", 7) == 0 ? 1 : 2]++;
        step = cut < 200 ? 23 : 197;
    }
    fprintf(stderr, "cut: %d runs cut (connect %d, collect %d, explain %d), whole run ~%ld bytes\n",
            failed_runs, stages[0], stages[1], stages[2], total);
    CHECK(ok_runs == 1 && stages[0] > 3 && stages[1] > 3 && stages[2] > 3,
          "cuts did not reach every stage");
}

/* ---- userstat: MariaDB's INDEX_STATISTICS counts when performance_schema forgot ---- */

static void case_userstat(void)
{
    MYSQL *m = checker();
    /* performance_schema's index counters back to zero; userstat keeps its own */
    if (mysql_query(m, "TRUNCATE TABLE performance_schema.table_io_waits_summary_by_index_usage")) {
        fprintf(stderr, "my_live_test: truncate: %s\n", mysql_error(m));
        exit(1);
    }
    struct dbp_snapshot *snap = run(target_tcp(), 5, false, NULL);
    struct {
        const char *table, *index;
    } used[] = {{"orders", "idx_orders_status_created"},
                {"customers", "PRIMARY"},
                {"events", "idx_events_created"},
                {"customers", "idx_customers_name_prefix"}},
      unused[] = {{"orders", "idx_orders_note"},
                  {"orders", "idx_orders_status"},
                  {"customers", "uq_customers_email"},
                  {"order_items", "fk_items_order"}};
    for (size_t i = 0; i < 4; i++) {
        struct dbp_index *ix = find_index(snap, used[i].table, used[i].index);
        char *rr = scalar(m,
                          "SELECT ROWS_READ FROM information_schema.INDEX_STATISTICS WHERE "
                          "TABLE_SCHEMA = 'bench' AND TABLE_NAME = '%s' AND INDEX_NAME = '%s'",
                          used[i].table, used[i].index);
        CHECK(ix && atoll(rr) > 0 && ix->scans == atoll(rr), "%s.%s: scans %lld, userstat %s",
              used[i].table, used[i].index, ix ? (long long)ix->scans : -9LL, rr);
        free(rr);
        ix = find_index(snap, unused[i].table, unused[i].index);
        CHECK(ix && ix->scans == 0, "%s.%s: scans %lld", unused[i].table, unused[i].index,
              ix ? (long long)ix->scans : -9LL);
    }
    dbp_snapshot_free(snap);
    mysql_close(m);
}

/* ---- nohistory: no example statement left: not explained, and said so ---- */

static void case_nohistory(void)
{
    MYSQL *m = checker();
    /* one class still has an example in the history of a connected session (the checker's) */
    const char *prep[] = {"UPDATE performance_schema.setup_consumers SET ENABLED = 'YES'"
                          " WHERE NAME = 'events_statements_history'",
                          "SELECT id, email FROM customers WHERE name = 'customer00042'",
                          "TRUNCATE TABLE performance_schema.events_statements_history_long"};
    for (size_t i = 0; i < 3; i++) {
        MYSQL_RES *r = NULL;
        if (mysql_query(m, prep[i]) != 0) {
            fprintf(stderr, "my_live_test: %s: %s\n", prep[i], mysql_error(m));
            exit(1);
        }
        r = mysql_store_result(m);
        mysql_free_result(r);
    }
    void *ctx = NULL;
    struct dbp_snapshot *snap = run(target_tcp(), 20, true, &ctx);
    struct dbp_my_live *c = ctx;
    struct dbp_stmt *scan = find_stmt(snap, "FROM EVENTS WHERE `kind` = ?");
    CHECK(scan && !scan->plan, "the scan has a plan without an example");
    CHECK(c->examples_missing >= 5, "%zu classes without an example", c->examples_missing);
    struct dbp_stmt *byname = find_stmt(snap, "FROM `customers` WHERE NAME = ?");
    CHECK(byname && byname->plan && byname->example && strstr(byname->example, "customer00042"),
          "no plan from events_statements_history: example %s",
          byname && byname->example ? byname->example : "(null)");
    bool said = false;
    for (size_t i = 0; scan && scan->engine_id_text && i < snap->diags.n; i++) {
        const char *d = snap->diags.items[i];
        if (strstr(d, scan->engine_id_text) && strstr(d, "no example statement") &&
            strstr(d, "30 of 30 executions used no index") && strstr(d, "127.0.0.1") &&
            !strstr(d, ":bench@"))
            said = true;
    }
    CHECK(said, "no diagnostic for the scan's missing example (%zu diagnostics)", snap->diags.n);
    dbp_my_driver.disconnect(ctx);
    dbp_snapshot_free(snap);
    mysql_close(m);
}

/* ---- limited: a user without performance_schema: what can be read still is ---- */

static void case_limited(void)
{
    char t[256];
    snprintf(t, sizeof t, "mysql://limited:limited@127.0.0.1:%s/bench", g_port);
    struct dbp_snapshot *snap = run(t, 5, true, NULL);
    size_t workload = 0;
    for (size_t i = 0; i < snap->stmts.n; i++)
        workload++;
    CHECK(workload == 0, "%zu statement classes without performance_schema", workload);
    bool said = false;
    for (size_t i = 0; i < snap->diags.n; i++) {
        const char *d = snap->diags.items[i];
        if (strstr(d, "digests.sql") && strstr(d, "statement statistics unknown") &&
            strstr(d, "mysql://limited@127.0.0.1"))
            said = true;
    }
    CHECK(said, "no diagnostic about the statement statistics (%zu diagnostics)", snap->diags.n);
    CHECK(snap->diags.n == 3, "%zu diagnostics, want 3 (digests, index usage, sizes)",
          snap->diags.n);
    CHECK(snap->indexes.n == 13 && snap->tables.n == 5, "%zu indexes, %zu tables", snap->indexes.n,
          snap->tables.n);
    struct dbp_index *fk = find_index(snap, "order_items", "fk_items_order");
    CHECK(fk && (fk->flags & DBP_IDX_FOREIGN_KEY), "fk_items_order not flagged");
    struct dbp_index *note = find_index(snap, "orders", "idx_orders_note");
    struct dbp_index *used = find_index(snap, "orders", "idx_orders_status_created");
    /* usage from userstat alone: INDEX_STATISTICS shows the tables the user may read */
    CHECK(note && used && note->scans == 0 && used->scans > 0,
          "usage: note %lld, status_created %lld", note ? (long long)note->scans : -9LL,
          used ? (long long)used->scans : -9LL);
    dbp_snapshot_free(snap);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(
            stderr,
            "usage: my_live_test "
            "collect|readonly|explain|errors|options|drop|cut|userstat|nohistory|limited STATE\n");
        return 2;
    }
    read_state(argv[2]);
    const char *c = argv[1];
    if (strcmp(c, "collect") == 0)
        case_collect();
    else if (strcmp(c, "readonly") == 0)
        case_readonly();
    else if (strcmp(c, "explain") == 0)
        case_explain();
    else if (strcmp(c, "errors") == 0)
        case_errors();
    else if (strcmp(c, "options") == 0)
        case_options();
    else if (strcmp(c, "drop") == 0)
        case_drop();
    else if (strcmp(c, "cut") == 0)
        case_cut();
    else if (strcmp(c, "userstat") == 0)
        case_userstat();
    else if (strcmp(c, "nohistory") == 0)
        case_nohistory();
    else if (strcmp(c, "limited") == 0)
        case_limited();
    else {
        fprintf(stderr, "my_live_test: unknown case %s\n", c);
        return 2;
    }
    mysql_library_end();
    if (failures)
        fprintf(stderr, "%s: %d check(s) failed\n", c, failures);
    return failures ? 1 : 0;
}
