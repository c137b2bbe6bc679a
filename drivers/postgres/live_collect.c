/*
 * live_collect.c -- collect from a live PostgreSQL server: statement classes
 * from pg_stat_statements (its own normalized texts; 13+ and older column
 * names), tables from pg_class / pg_stat_user_tables and indexes from
 * pg_index / pg_stat_user_indexes with the flags the rules need to judge them
 * (primary, unique, constraint, exclusion, replica identity, partial,
 * expression, invalid, foreign key, replica), the instance they were read
 * from, the cluster a primary shares with its replicas and the time their
 * counters start from.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>

#include "live_int.h"
#include "pg_int.h"

/* "a.b" version strings: 1 if v >= major.minor */
static int version_at_least(const char *v, int major, int minor)
{
    if (!v)
        return 0;
    char *end = NULL;
    long ma = strtol(v, &end, 10);
    long mi = (end && *end == '.') ? strtol(end + 1, NULL, 10) : 0;
    return ma > major || (ma == major && mi >= minor);
}

static void remember_stmt(struct dbp_pg_ctx *c, struct dbp_stmt *st)
{
    if (c->n_stmts == c->cap_stmts) {
        c->cap_stmts = c->cap_stmts ? 2 * c->cap_stmts : 64;
        c->stmts = dbp_xrealloc(c->stmts, c->cap_stmts * sizeof *c->stmts);
    }
    c->stmts[c->n_stmts++] = st;
}

/* pg_stat_statements into statement classes. A missing or unloaded extension
 * is a diagnostic, not an error: catalogs are still worth collecting. */
static int collect_statements(struct dbp_pg_ctx *c, struct dbp_snapshot *snap,
                              struct dbp_source *src, struct dbp_error *err)
{
    if (!c->pgss_version) {
        dbp_snapshot_diag(snap,
                          "%s: pg_stat_statements is not installed in database %s "
                          "(CREATE EXTENSION pg_stat_statements): no statement statistics",
                          c->instance, c->database);
        return DBP_OK;
    }
    /* the *_exec_time names came with PostgreSQL 13 and extension 1.8; an
     * extension not updated after a server upgrade keeps the old view */
    bool v13 = c->server_version_num >= 130000 && version_at_least(c->pgss_version, 1, 8);
    const char *file = v13 ? "stat_statements.sql" : "stat_statements_pre13.sql";
    struct dbp_buf b = {0};
    PGresult *r = NULL;
    struct dbp_error e = {0};
    int rc = dbp_pg_sql(&b, file, c->pgss_schema, err);
    if (rc != DBP_OK)
        goto out;
    if (dbp_pg_exec(c, file, b.data, 0, NULL, &r, &e) != DBP_OK) {
        if (e.code == DBP_ERR_CONNECT) {
            rc = dbp_error_set(err, e.code, "%s", e.message);
            goto out;
        }
        dbp_snapshot_diag(snap, "%s: pg_stat_statements unreadable: %s", c->instance, e.message);
        goto out;
    }
    int f_qid = PQfnumber(r, "queryid"), f_db = PQfnumber(r, "datname"),
        f_role = PQfnumber(r, "rolname"), f_q = PQfnumber(r, "query"),
        f_calls = PQfnumber(r, "calls"), f_total = PQfnumber(r, "total_ms"),
        f_min = PQfnumber(r, "min_ms"), f_max = PQfnumber(r, "max_ms"),
        f_rows = PQfnumber(r, "rows");
    int n = PQntuples(r);
    uint64_t hidden = 0, mixed = 0;
    for (int i = 0; i < n; i++) {
        if (PQgetisnull(r, i, f_q)) {
            hidden++;
            continue;
        }
        const char *q = PQgetvalue(r, i, f_q);
        size_t qlen = (size_t)PQgetlength(r, i, f_q);
        if (strcmp(q, "<insufficient privilege>") == 0) {
            hidden++;
            continue;
        }
        const char *db = PQgetisnull(r, i, f_db) ? NULL : PQgetvalue(r, i, f_db);
        struct dbp_stmt *st = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, db, q, qlen);
        if (st->agg.calls > 0 && st->source != DBP_SRC_PGSS) {
            /* the same class from a log: its per-call data stays as it is */
            mixed++;
            continue;
        }
        int64_t calls = dbp_pg_int(r, i, f_calls, 0);
        double min_ms = dbp_pg_double(r, i, f_min, NAN);
        double max_ms = dbp_pg_double(r, i, f_max, NAN);
        int64_t rows = dbp_pg_int(r, i, f_rows, -1);
        if (st->agg.calls == 0) {
            /* first row of this class (the same text may come from several roles) */
            st->source = DBP_SRC_PGSS;
            st->engine_id = dbp_pg_int(r, i, f_qid, 0);
            st->user = dbp_pg_arena_str(snap, r, i, f_role);
            remember_stmt(c, st);
        }
        st->agg.calls += calls > 0 ? (uint64_t)calls : 0;
        st->agg.total_ms += dbp_pg_double(r, i, f_total, 0.0);
        if (!isnan(min_ms) && (isnan(st->agg.min_ms) || min_ms < st->agg.min_ms))
            st->agg.min_ms = min_ms;
        if (!isnan(max_ms) && (isnan(st->agg.max_ms) || max_ms > st->agg.max_ms))
            st->agg.max_ms = max_ms;
        if (rows >= 0) {
            st->agg.rows_returned += (uint64_t)rows;
            st->agg.flags |= DBP_AGG_ROWS_RETURNED;
        }
        src->entries++;
    }
    if (hidden)
        dbp_snapshot_diag(snap,
                          "%s: %llu pg_stat_statements texts hidden (<insufficient privilege>): "
                          "grant pg_read_all_stats to see them",
                          c->instance, (unsigned long long)hidden);
    if (mixed)
        dbp_snapshot_diag(snap,
                          "%s: %llu pg_stat_statements classes already came from a log: "
                          "their numbers were left as the log gave them",
                          c->instance, (unsigned long long)mixed);
    /* when pg_stat_statements was last reset (14+, extension 1.9+) */
    if (c->server_version_num >= 140000 && version_at_least(c->pgss_version, 1, 9)) {
        PQclear(r);
        r = NULL;
        dbp_buf_clear(&b);
        if (dbp_pg_sql(&b, "stat_statements_info.sql", c->pgss_schema, &e) == DBP_OK &&
            dbp_pg_exec(c, "stat_statements_info.sql", b.data, 0, NULL, &r, &e) == DBP_OK) {
            if (PQntuples(r) > 0)
                c->pgss_reset_us = dbp_pg_int(r, 0, 0, 0);
        } else if (e.code == DBP_ERR_CONNECT) {
            rc = dbp_error_set(err, e.code, "%s", e.message);
        }
    }
out:
    PQclear(r);
    dbp_buf_free(&b);
    return rc;
}

static int collect_tables(struct dbp_pg_ctx *c, struct dbp_snapshot *snap, struct dbp_error *err)
{
    struct dbp_buf b = {0};
    PGresult *r = NULL;
    int rc = dbp_pg_sql(&b, "tables.sql", NULL, err);
    if (rc == DBP_OK)
        rc = dbp_pg_exec(c, "tables.sql", b.data, 0, NULL, &r, err);
    if (rc != DBP_OK)
        goto out;
    int f_ns = PQfnumber(r, "nspname"), f_rel = PQfnumber(r, "relname"),
        f_kind = PQfnumber(r, "relkind"), f_live = PQfnumber(r, "n_live_tup"),
        f_size = PQfnumber(r, "total_bytes"), f_seq = PQfnumber(r, "seq_scan"),
        f_seqread = PQfnumber(r, "seq_tup_read"), f_idx = PQfnumber(r, "idx_scan");
    const char *instance = dbp_arena_strdup(snap->arena, c->instance);
    const char *database = dbp_arena_strdup(snap->arena, c->database);
    for (int i = 0; i < PQntuples(r); i++) {
        struct dbp_table *t = dbp_snapshot_add_table(snap);
        t->engine = DBP_ENGINE_POSTGRES;
        t->instance = instance;
        t->database = database;
        t->schema = dbp_pg_arena_str(snap, r, i, f_ns);
        t->name = dbp_pg_arena_str(snap, r, i, f_rel);
        const char *kind = PQgetvalue(r, i, f_kind);
        if (kind[0] == 'p')
            t->flags |= DBP_TBL_PARTITIONED;
        t->rows = dbp_pg_int(r, i, f_live, -1);
        t->size_bytes = dbp_pg_int(r, i, f_size, -1);
        t->seq_scans = dbp_pg_int(r, i, f_seq, -1);
        t->seq_rows_read = dbp_pg_int(r, i, f_seqread, -1);
        t->idx_scans = dbp_pg_int(r, i, f_idx, -1);
    }
out:
    PQclear(r);
    dbp_buf_free(&b);
    return rc;
}

/* Split the chr(31)-joined key columns into an arena array. */
static void split_columns(struct dbp_snapshot *snap, struct dbp_index *ix, const char *s)
{
    if (!s || !*s)
        return;
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == '\x1f';
    const char **cols = dbp_arena_alloc(snap->arena, n * sizeof *cols);
    size_t k = 0;
    for (const char *p = s;;) {
        const char *e = strchr(p, '\x1f');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        cols[k++] = dbp_arena_strndup(snap->arena, p, len);
        if (!e)
            break;
        p = e + 1;
    }
    ix->columns = cols;
    ix->n_columns = k;
}

static bool is_true(const PGresult *r, int row, int col)
{
    return col >= 0 && !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

static int collect_indexes(struct dbp_pg_ctx *c, struct dbp_snapshot *snap, struct dbp_error *err)
{
    struct dbp_buf b = {0};
    PGresult *r = NULL;
    int rc = dbp_pg_sql(&b, "indexes.sql", NULL, err);
    if (rc == DBP_OK)
        rc = dbp_pg_exec(c, "indexes.sql", b.data, 0, NULL, &r, err);
    if (rc != DBP_OK)
        goto out;
    int f_ns = PQfnumber(r, "nspname"), f_tab = PQfnumber(r, "tablename"),
        f_name = PQfnumber(r, "indexname"), f_cols = PQfnumber(r, "columns"),
        f_am = PQfnumber(r, "amname"), f_def = PQfnumber(r, "definition"),
        f_pred = PQfnumber(r, "predicate"), f_pk = PQfnumber(r, "indisprimary"),
        f_uq = PQfnumber(r, "indisunique"), f_valid = PQfnumber(r, "indisvalid"),
        f_ri = PQfnumber(r, "indisreplident"), f_expr = PQfnumber(r, "is_expression"),
        f_con = PQfnumber(r, "contypes"), f_fk = PQfnumber(r, "backs_fk"),
        f_size = PQfnumber(r, "size_bytes"), f_scan = PQfnumber(r, "idx_scan");
    const char *instance = dbp_arena_strdup(snap->arena, c->instance);
    const char *cluster = dbp_arena_strdup(snap->arena, c->cluster);
    const char *database = dbp_arena_strdup(snap->arena, c->database);
    int64_t since = c->stats_reset_us ? c->stats_reset_us : c->postmaster_start_us;
    for (int i = 0; i < PQntuples(r); i++) {
        struct dbp_index *ix = dbp_snapshot_add_index(snap);
        ix->engine = DBP_ENGINE_POSTGRES;
        ix->instance = instance;
        ix->cluster = cluster;
        ix->database = database;
        ix->schema = dbp_pg_arena_str(snap, r, i, f_ns);
        ix->table = dbp_pg_arena_str(snap, r, i, f_tab);
        ix->name = dbp_pg_arena_str(snap, r, i, f_name);
        split_columns(snap, ix, PQgetisnull(r, i, f_cols) ? NULL : PQgetvalue(r, i, f_cols));
        ix->method = dbp_pg_arena_str(snap, r, i, f_am);
        ix->definition = dbp_pg_arena_str(snap, r, i, f_def);
        ix->predicate = dbp_pg_arena_str(snap, r, i, f_pred);
        unsigned fl = 0;
        if (is_true(r, i, f_pk))
            fl |= DBP_IDX_PRIMARY;
        if (is_true(r, i, f_uq))
            fl |= DBP_IDX_UNIQUE;
        if (!is_true(r, i, f_valid))
            fl |= DBP_IDX_INVALID;
        if (is_true(r, i, f_ri))
            fl |= DBP_IDX_REPLICA_IDENTITY;
        if (is_true(r, i, f_expr))
            fl |= DBP_IDX_EXPRESSION;
        if (ix->predicate)
            fl |= DBP_IDX_PARTIAL;
        if (is_true(r, i, f_fk))
            fl |= DBP_IDX_FOREIGN_KEY;
        const char *con = PQgetisnull(r, i, f_con) ? "" : PQgetvalue(r, i, f_con);
        if (strpbrk(con, "pux"))
            fl |= DBP_IDX_CONSTRAINT;
        if (strchr(con, 'x'))
            fl |= DBP_IDX_EXCLUSION;
        if (c->in_recovery)
            fl |= DBP_IDX_REPLICA;
        ix->flags = fl;
        ix->size_bytes = dbp_pg_int(r, i, f_size, -1);
        ix->scans = dbp_pg_int(r, i, f_scan, -1);
        ix->counter_since_us = since;
    }
out:
    PQclear(r);
    dbp_buf_free(&b);
    return rc;
}

int dbp_pg_collect(void *ctx, struct dbp_snapshot *snap, struct dbp_source *src,
                   struct dbp_error *err)
{
    struct dbp_pg_ctx *c = ctx;
    if (!c || !c->conn)
        return dbp_error_set(err, DBP_ERR_USAGE, "PostgreSQL: not connected");
    struct dbp_source dummy = {0};
    if (!src)
        src = &dummy;
    c->n_stmts = 0;
    c->stmts_snap = snap;
    if (src != &dummy) {
        src->engine = DBP_ENGINE_POSTGRES;
        src->server_version = dbp_arena_printf(snap->arena, "PostgreSQL %s",
                                               c->server_version ? c->server_version : "?");
        src->counters_since_us = c->stats_reset_us ? c->stats_reset_us : c->postmaster_start_us;
    }
    int rc = collect_statements(c, snap, src, err);
    /* a catalog query the server refuses (a timeout on a huge catalog, a
     * permission) costs its part, with a diagnostic; a lost connection ends it */
    static const char *const what[] = {"tables", "indexes"};
    for (int i = 0; i < 2 && rc == DBP_OK; i++) {
        struct dbp_error e = {0};
        int r = i == 0 ? collect_tables(c, snap, &e) : collect_indexes(c, snap, &e);
        if (r == DBP_ERR_SERVER)
            dbp_snapshot_diag(snap, "%s: %s not collected: %s", c->instance, what[i], e.message);
        else if (r != DBP_OK)
            rc = dbp_error_set(err, (enum dbp_status)r, "%s", e.message);
    }
    return rc;
}
