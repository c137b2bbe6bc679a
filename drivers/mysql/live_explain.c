/*
 * live_explain.c -- plans of the top MySQL/MariaDB statement classes:
 * EXPLAIN FORMAT=JSON of one real example of each digest (the slowest one
 * left in events_statements_history_long, else in events_statements_history
 * of the sessions still connected, else MySQL 8's QUERY_SAMPLE_TEXT),
 * parsed by dbp_my_plan_from_json into the common plan model. EXPLAIN does
 * not run the statement, and the session is read-only besides.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mysql.h>

#include <dbperf/arena.h>
#include <dbperf/error.h>

#include "live_int.h"
#include "my_int.h"

/* The first 60 characters of a statement's text, for diagnostics. */
static const char *short_text(const struct dbp_stmt *st, char *buf, size_t n)
{
    snprintf(buf, n, "%.60s%s", st->text, strlen(st->text) > 60 ? "..." : "");
    return buf;
}

struct example {
    char *sql;    /* heap */
    char *schema; /* heap; NULL */
    double ms;    /* NaN */
    bool truncated;
};

static void example_free(struct example *e)
{
    free(e->sql);
    free(e->schema);
    memset(e, 0, sizeof *e);
}

/* The example of digest from file into *ex (sql NULL if none). */
static int fetch_example(struct dbp_my_live *c, const char *file, const char *digest, long max_len,
                         struct example *ex, struct dbp_error *err)
{
    struct dbp_my_bind b[] = {{"digest", digest, DBP_MY_BIND_STR}};
    MYSQL_RES *r = NULL;
    int rc = dbp_my_query(c, file, b, 1, &r, err);
    if (rc != DBP_OK)
        return rc;
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    if (row && row[0]) {
        unsigned long *lens = mysql_fetch_lengths(r);
        ex->sql = dbp_xmalloc(lens[0] + 1);
        memcpy(ex->sql, row[0], lens[0]);
        ex->sql[lens[0]] = '\0';
        ex->schema = row[1] ? dbp_xstrdup(row[1]) : NULL;
        long bytes = (long)dbp_my_u64(row[2]);
        ex->truncated = max_len > 0 && bytes >= max_len;
        ex->ms = mysql_num_fields(r) > 3 ? dbp_my_f64(row[3]) / 1e9 : NAN;
    }
    mysql_free_result(r);
    return DBP_OK;
}

/* A plain SELECT (not SELECT ... FOR UPDATE, INTO, or a write): safe to run. */
static bool is_select(const char *sql)
{
    while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' || *sql == '(')
        sql++;
    if (strncasecmp(sql, "SELECT", 6) != 0)
        return false;
    return !strcasestr(sql, "FOR UPDATE") && !strcasestr(sql, "LOCK IN SHARE MODE") &&
           !strcasestr(sql, " INTO ");
}

/* A problem that skips one statement: kept as a diagnostic. */
static void skip(struct dbp_snapshot *snap, struct dbp_my_live *c, const struct dbp_my_digest *d,
                 const char *why)
{
    char t[80];
    if (d->no_index_used > 0 || d->no_good_index > 0)
        dbp_snapshot_diag(snap,
                          "%s: digest %s (%s): not explained: %s; %llu of %llu executions used no "
                          "index (SUM_NO_INDEX_USED), %llu no good one (SUM_NO_GOOD_INDEX_USED)",
                          c->shown, d->digest, short_text(d->stmt, t, sizeof t), why,
                          (unsigned long long)d->no_index_used, (unsigned long long)d->calls,
                          (unsigned long long)d->no_good_index);
    else
        dbp_snapshot_diag(snap, "%s: digest %s (%s): not explained: %s", c->shown, d->digest,
                          short_text(d->stmt, t, sizeof t), why);
}

int dbp_my_explain(void *ctx, struct dbp_snapshot *snap, struct dbp_error *err)
{
    struct dbp_my_live *c = ctx;
    if (!c)
        return dbp_error_set(err, DBP_ERR_INTERNAL, "live MySQL: not connected");
    if (c->collected != snap || c->n_digests == 0)
        return DBP_OK; /* nothing collected into this snapshot */

    long max_len = 0;
    MYSQL_RES *r = NULL;
    struct dbp_error e2 = {0};
    if (dbp_my_query(c, "sql_text_length.sql", NULL, 0, &r, &e2) == DBP_OK) {
        MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
        max_len = row ? (long)dbp_my_u64(row[0]) : 0;
    } else if (dbp_my_conn_lost(c)) {
        if (err)
            *err = e2;
        return e2.code;
    }
    mysql_free_result(r);
    r = NULL;
    bool mysql8 = !c->mariadb && c->version_num >= 80003;
    char *origin = dbp_arena_strdup(snap->arena, c->shown);
    int explained = 0;
    for (size_t i = 0; i < c->n_digests && explained < c->top_n; i++) {
        struct dbp_my_digest *d = &c->digests[i];
        explained++;
        struct example ex = {0};
        int rc = fetch_example(c, "example.sql", d->digest, max_len, &ex, &e2);
        if (rc == DBP_OK && !ex.sql)
            rc = fetch_example(c, "example_recent.sql", d->digest, max_len, &ex, &e2);
        if (rc == DBP_OK && !ex.sql && mysql8)
            rc = fetch_example(c, "example_mysql8.sql", d->digest, max_len, &ex, &e2);
        if (rc != DBP_OK) {
            example_free(&ex);
            if (dbp_my_conn_lost(c)) {
                if (err)
                    *err = e2;
                return e2.code;
            }
            skip(snap, c, d, e2.message);
            continue;
        }
        if (!ex.sql) {
            c->examples_missing++;
            skip(snap, c, d,
                 "no example statement in performance_schema.events_statements_history_long "
                 "or events_statements_history (their consumers, and "
                 "events_statements_current, must be enabled)");
            continue;
        }
        if (ex.truncated) {
            example_free(&ex);
            skip(snap, c, d, "its example was cut at performance_schema_max_sql_text_length");
            continue;
        }
        dbp_stmt_offer_example(snap, d->stmt, ex.sql, strlen(ex.sql), ex.ms);
        if (ex.schema && mysql_select_db(c->conn, ex.schema) != 0) {
            char why[300];
            snprintf(why, sizeof why, "cannot use database %s: %s", ex.schema,
                     mysql_error(c->conn));
            bool lost = dbp_my_conn_lost(c);
            example_free(&ex);
            if (lost)
                return dbp_error_set(err, DBP_ERR_CONNECT, "%s: connection lost: %s", c->shown,
                                     why);
            skip(snap, c, d, why);
            continue;
        }
        struct dbp_my_bind b[] = {{"statement", ex.sql, DBP_MY_BIND_RAW}};
        /* --analyze runs the statement: MariaDB's ANALYZE FORMAT=JSON, SELECT only */
        bool analyze = c->analyze && c->mariadb && is_select(ex.sql);
        rc = dbp_my_query(c, analyze ? "analyze_mariadb.sql" : "explain.sql", b, 1, &r, &e2);
        if (rc != DBP_OK && analyze && !dbp_my_conn_lost(c)) {
            char t[80];
            dbp_snapshot_diag(snap, "%s: digest %s (%s): ANALYZE failed, plain EXPLAIN used: %s",
                              c->shown, d->digest, short_text(d->stmt, t, sizeof t), e2.message);
            rc = dbp_my_query(c, "explain.sql", b, 1, &r, &e2);
        }
        example_free(&ex);
        if (rc != DBP_OK) {
            if (dbp_my_conn_lost(c)) {
                if (err)
                    *err = e2;
                return e2.code;
            }
            if (strcmp(e2.sqlstate, "25006") == 0) /* ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION */
                skip(snap, c, d,
                     "the server does not EXPLAIN a write in a read-only session, and dbperf "
                     "never leaves one");
            else
                skip(snap, c, d, e2.message);
            continue;
        }
        MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
        if (!row || !row[0]) {
            mysql_free_result(r);
            r = NULL;
            skip(snap, c, d, "EXPLAIN returned no plan");
            continue;
        }
        size_t len = mysql_fetch_lengths(r)[0];
        c->plans_fetched++;
        free(c->last_plan_json);
        c->last_plan_json = dbp_xmalloc(len + 1);
        memcpy(c->last_plan_json, row[0], len);
        c->last_plan_json[len] = '\0';
        mysql_free_result(r);
        r = NULL;
        struct dbp_plan *plan = NULL;
        if (dbp_my_plan_from_json(snap, c->last_plan_json, len, origin, &plan, &e2) != DBP_OK ||
            !plan) {
            skip(snap, c, d, e2.message[0] ? e2.message : "its plan could not be parsed");
            continue;
        }
        plan->stmt = d->stmt;
        dbp_snapshot_add_plan(snap, plan);
        c->plans_parsed++;
    }
    return DBP_OK;
}
