/*
 * store_pg.c -- the PostgreSQL backend of the history store
 * (--store postgresql://...), for a fleet of hosts reporting into one place.
 *
 * This is the one place dbperf writes to a database: the user's own history
 * database, never an audited target (the driver's live sessions stay
 * read-only). Tables live in the schema dbperf. Migrations (the text of
 * sql/store/postgres_NNN_*.sql) run in one transaction under an advisory
 * lock, so hosts starting together migrate once; each snapshot is one
 * transaction.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include <dbperf/arena.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/store.h>

#include "store_int.h"

/* sql/store/postgres_001_init.sql (tests/unit/test_store.c checks the copy) */
static const char pg_001[] =
    "-- postgres_001_init.sql: the index-usage history store (dbperf check-indexes), PostgreSQL,\n"
    "-- version 1, in the schema dbperf of the user's own history database (never an audited\n"
    "-- target). Applied once, in one transaction under an advisory lock, when a store is opened;\n"
    "-- dbperf records each migration it applied in dbperf.schema_version (version, applied_us, "
    "file).\n"
    "-- One snapshot per instance and run; one sample per index in it. Index identities and\n"
    "-- definitions are kept once in index_def. Times are microseconds since the Unix epoch "
    "(UTC).\n"
    "CREATE TABLE dbperf.snapshot (\n"
    "    id bigserial PRIMARY KEY,\n"
    "    taken_us bigint NOT NULL,\n"
    "    engine text NOT NULL,\n"
    "    cluster text NOT NULL,\n"
    "    instance text NOT NULL,\n"
    "    source text,\n"
    "    tool_version text\n"
    ");\n"
    "CREATE INDEX snapshot_instance ON dbperf.snapshot (engine, cluster, instance, taken_us);\n"
    "CREATE TABLE dbperf.index_def (\n"
    "    id bigserial PRIMARY KEY,\n"
    "    engine text NOT NULL,\n"
    "    database_name text NOT NULL,\n"
    "    schema_name text NOT NULL,\n"
    "    table_name text NOT NULL,\n"
    "    index_name text NOT NULL,\n"
    "    definition text NOT NULL,\n"
    "    columns text NOT NULL,\n"
    "    method text NOT NULL\n"
    ");\n"
    "-- definitions can be long: the key holds their md5\n"
    "CREATE UNIQUE INDEX index_def_key ON dbperf.index_def\n"
    "    (engine, database_name, schema_name, table_name, index_name,\n"
    "     md5(definition || '|' || columns || '|' || method));\n"
    "CREATE TABLE dbperf.index_sample (\n"
    "    snapshot_id bigint NOT NULL REFERENCES dbperf.snapshot (id) ON DELETE CASCADE,\n"
    "    index_id bigint NOT NULL REFERENCES dbperf.index_def (id),\n"
    "    flags integer NOT NULL,\n"
    "    size_bytes bigint NOT NULL,\n"
    "    scans bigint NOT NULL,\n"
    "    counter_since_us bigint NOT NULL,\n"
    "    PRIMARY KEY (snapshot_id, index_id)\n"
    ");\n"
    "CREATE INDEX index_sample_index ON dbperf.index_sample (index_id);\n";

static const char *const migrations[] = {pg_001};
static const char *const migration_files[] = {"postgres_001_init.sql"};

/* the advisory lock key all dbperf stores take while migrating ("dbperf" in ASCII) */
#define MIGRATE_LOCK "646270657266"

struct pgs {
    PGconn *conn;
    char *shown; /* the spec, password removed */
};

static int accepts(const char *spec)
{
    return strncmp(spec, "postgres://", 11) == 0 || strncmp(spec, "postgresql://", 13) == 0;
}

/* The server's message on one line, without its trailing newline. */
static int pg_fail(struct pgs *s, struct dbp_error *err, const char *what, const PGresult *r)
{
    const char *m = r ? PQresultErrorMessage(r) : NULL;
    if (!m || !*m)
        m = PQerrorMessage(s->conn);
    char buf[400];
    snprintf(buf, sizeof buf, "%s", m ? m : "?");
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    int rc = dbp_error_set(err, DBP_ERR_SERVER, "store %s: %s: %s", s->shown, what, buf);
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (err && state)
        snprintf(err->sqlstate, sizeof err->sqlstate, "%s", state);
    return rc;
}

static int cmd(struct pgs *s, const char *sql, struct dbp_error *err)
{
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? DBP_OK : pg_fail(s, err, "query", r);
    PQclear(r);
    return rc;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int read_version(struct pgs *s, int *version, struct dbp_error *err)
{
    *version = 0;
    PGresult *r = PQexec(s->conn, "SELECT coalesce(max(version), 0) FROM dbperf.schema_version");
    int rc = DBP_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        rc = pg_fail(s, err, "schema version", r);
    else
        *version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

static int migrate(struct pgs *s, struct dbp_error *err)
{
    int n_mig = (int)(sizeof migrations / sizeof migrations[0]);
    int rc = cmd(s, "BEGIN", err);
    if (rc != DBP_OK)
        return rc;
    rc = cmd(s, "SELECT pg_advisory_xact_lock(x'" MIGRATE_LOCK "'::bigint)", err);
    if (rc == DBP_OK)
        rc = cmd(s,
                 "CREATE SCHEMA IF NOT EXISTS dbperf; "
                 "CREATE TABLE IF NOT EXISTS dbperf.schema_version (version integer PRIMARY KEY, "
                 "applied_us bigint NOT NULL, file text NOT NULL)",
                 err);
    int version = 0;
    if (rc == DBP_OK)
        rc = read_version(s, &version, err);
    if (rc == DBP_OK && version > n_mig)
        rc = dbp_error_set(err, DBP_ERR_UNSUPPORTED,
                           "store %s has schema version %d, newer than this dbperf's %d: "
                           "upgrade dbperf",
                           s->shown, version, DBP_STORE_SCHEMA_VERSION);
    for (int v = version; rc == DBP_OK && v < n_mig; v++) {
        rc = cmd(s, migrations[v], err);
        if (rc != DBP_OK)
            break;
        char ver[16], at[24];
        snprintf(ver, sizeof ver, "%d", v + 1);
        snprintf(at, sizeof at, "%lld", (long long)now_us());
        const char *params[3] = {ver, at, migration_files[v]};
        PGresult *r = PQexecParams(s->conn,
                                   "INSERT INTO dbperf.schema_version (version, applied_us, file) "
                                   "VALUES ($1, $2, $3)",
                                   3, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = pg_fail(s, err, "migration", r);
        PQclear(r);
    }
    if (rc != DBP_OK) {
        cmd(s, "ROLLBACK", NULL);
        return rc;
    }
    return cmd(s, "COMMIT", err);
}

static void pgs_close(void *ctx)
{
    struct pgs *s = ctx;
    if (!s)
        return;
    PQfinish(s->conn);
    free(s->shown);
    free(s);
}

static int pgs_open(const char *spec, void **ctx, struct dbp_error *err)
{
    struct pgs *s = dbp_xcalloc(1, sizeof *s);
    struct dbp_arena *a = dbp_arena_new();
    s->shown = dbp_xstrdup(dbp_target_redact(a, spec));
    dbp_arena_free(a);
    int rc = DBP_OK;
    s->conn = PQconnectdb(spec);
    if (PQstatus(s->conn) != CONNECTION_OK) {
        rc = pg_fail(s, err, "cannot connect", NULL);
        if (err)
            err->code = DBP_ERR_CONNECT;
        rc = DBP_ERR_CONNECT;
        goto fail;
    }
    rc = cmd(s, "SET client_min_messages = warning", err);
    if (rc == DBP_OK)
        rc = migrate(s, err);
    if (rc != DBP_OK)
        goto fail;
    *ctx = s;
    return DBP_OK;
fail:
    pgs_close(s);
    return rc;
}

static int pgs_schema_version(void *ctx, int *version, struct dbp_error *err)
{
    return read_version(ctx, version, err);
}

static const char *nn(const char *s)
{
    return s ? s : "";
}

static int pgs_record(void *ctx, const struct dbp_store_run *run, struct dbp_index *const *ix,
                      size_t n, struct dbp_error *err)
{
    struct pgs *s = ctx;
    struct dbp_arena *a = dbp_arena_new();
    PGresult *r = NULL;
    int rc = cmd(s, "BEGIN", err);
    if (rc != DBP_OK)
        goto out;
    char taken[24];
    snprintf(taken, sizeof taken, "%lld", (long long)run->taken_us);
    const char *sp[6] = {taken,
                         dbp_engine_name(run->engine),
                         run->cluster ? run->cluster : nn(run->instance),
                         nn(run->instance),
                         run->source,
                         run->tool_version};
    r = PQexecParams(s->conn,
                     "INSERT INTO dbperf.snapshot (taken_us, engine, cluster, instance, source, "
                     "tool_version) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                     6, NULL, sp, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        rc = pg_fail(s, err, "snapshot", r);
        goto rollback;
    }
    char snap_id[24];
    snprintf(snap_id, sizeof snap_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    r = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct dbp_index *x = ix[i];
        const char *dp[8] = {dbp_engine_name(x->engine),
                             nn(x->database),
                             nn(x->schema),
                             nn(x->table),
                             nn(x->name),
                             nn(x->definition),
                             dbp_store_join_columns(a, x),
                             nn(x->method)};
        /* the definition's id: the existing row, or a new one */
        for (int attempt = 0; attempt < 2; attempt++) {
            PQclear(r);
            r = PQexecParams(
                s->conn,
                "WITH ins AS (INSERT INTO dbperf.index_def (engine, database_name, schema_name, "
                "table_name, index_name, definition, columns, method) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id) "
                "SELECT id FROM ins UNION ALL SELECT id FROM dbperf.index_def WHERE engine = $1 "
                "AND database_name = $2 AND schema_name = $3 AND table_name = $4 AND "
                "index_name = $5 AND md5(definition || '|' || columns || '|' || method) = "
                "md5($6 || '|' || $7 || '|' || $8) LIMIT 1",
                8, NULL, dp, NULL, NULL, 0);
            /* 0 rows: a concurrent run inserted it after this statement's snapshot */
            if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 0)
                break;
        }
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            rc = pg_fail(s, err, "index definition", r);
            goto rollback;
        }
        char def_id[24], flags[16], size[24], scans[24], since[24];
        snprintf(def_id, sizeof def_id, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        snprintf(flags, sizeof flags, "%u", x->flags);
        snprintf(size, sizeof size, "%lld", (long long)x->size_bytes);
        snprintf(scans, sizeof scans, "%lld", (long long)x->scans);
        snprintf(since, sizeof since, "%lld", (long long)x->counter_since_us);
        const char *xp[6] = {snap_id, def_id, flags, size, scans, since};
        r = PQexecParams(s->conn,
                         "INSERT INTO dbperf.index_sample (snapshot_id, index_id, flags, "
                         "size_bytes, scans, counter_since_us) VALUES ($1, $2, $3, $4, $5, $6) "
                         "ON CONFLICT (snapshot_id, index_id) DO UPDATE SET flags = $3, "
                         "size_bytes = $4, scans = $5, counter_since_us = $6",
                         6, NULL, xp, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = pg_fail(s, err, "index sample", r);
            goto rollback;
        }
        PQclear(r);
        r = NULL;
    }
    rc = cmd(s, "COMMIT", err);
    goto out;
rollback:
    PQclear(r);
    r = NULL;
    cmd(s, "ROLLBACK", NULL);
out:
    dbp_arena_free(a);
    return rc;
}

static int64_t i64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Read through a cursor in batches, so that memory stays bounded on a large store. */
static int pgs_scan(void *ctx, dbp_store_sample_fn fn, void *arg, struct dbp_error *err)
{
    struct pgs *s = ctx;
    int rc = cmd(s, "BEGIN READ ONLY", err);
    if (rc != DBP_OK)
        return rc;
    rc = cmd(s,
             "DECLARE dbperf_scan NO SCROLL CURSOR FOR "
             "SELECT s.id, s.taken_us, s.engine, s.cluster, s.instance, d.database_name, "
             "d.schema_name, d.table_name, d.index_name, d.definition, d.columns, d.method, "
             "x.flags, x.size_bytes, x.scans, x.counter_since_us "
             "FROM dbperf.index_sample x JOIN dbperf.snapshot s ON s.id = x.snapshot_id "
             "JOIN dbperf.index_def d ON d.id = x.index_id "
             "ORDER BY s.engine COLLATE \"C\", s.cluster COLLATE \"C\", "
             "d.database_name COLLATE \"C\", d.schema_name COLLATE \"C\", "
             "d.table_name COLLATE \"C\", d.index_name COLLATE \"C\", s.instance COLLATE \"C\", "
             "s.taken_us, s.id",
             err);
    bool stop = false;
    while (rc == DBP_OK && !stop) {
        PGresult *r = PQexec(s->conn, "FETCH 5000 FROM dbperf_scan");
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            rc = pg_fail(s, err, "scan", r);
            PQclear(r);
            break;
        }
        int nr = PQntuples(r);
        for (int i = 0; i < nr && !stop; i++) {
            struct dbp_store_sample x = {
                .snapshot_id = i64(r, i, 0),
                .taken_us = i64(r, i, 1),
                .engine = dbp_engine_parse(PQgetvalue(r, i, 2)),
                .cluster = PQgetvalue(r, i, 3),
                .instance = PQgetvalue(r, i, 4),
                .database = PQgetvalue(r, i, 5),
                .schema = PQgetvalue(r, i, 6),
                .table = PQgetvalue(r, i, 7),
                .name = PQgetvalue(r, i, 8),
                .definition = PQgetvalue(r, i, 9),
                .columns = PQgetvalue(r, i, 10),
                .method = PQgetvalue(r, i, 11),
                .flags = (unsigned)i64(r, i, 12),
                .size_bytes = i64(r, i, 13),
                .scans = i64(r, i, 14),
                .counter_since_us = i64(r, i, 15),
            };
            stop = fn(arg, &x) != 0;
        }
        PQclear(r);
        if (nr == 0)
            break;
    }
    int rc2 = cmd(s, rc == DBP_OK ? "COMMIT" : "ROLLBACK", rc == DBP_OK ? err : NULL);
    return rc != DBP_OK ? rc : rc2;
}

static int pgs_stats(void *ctx, struct dbp_store_stats *out, struct dbp_error *err)
{
    struct pgs *s = ctx;
    memset(out, 0, sizeof *out);
    PGresult *r =
        PQexec(s->conn, "SELECT (SELECT count(*) FROM dbperf.snapshot), "
                        "(SELECT count(*) FROM dbperf.index_sample), "
                        "(SELECT count(DISTINCT (engine, instance)) FROM dbperf.snapshot), "
                        "(SELECT coalesce(min(taken_us), 0) FROM dbperf.snapshot), "
                        "(SELECT coalesce(max(taken_us), 0) FROM dbperf.snapshot)");
    int rc = DBP_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        rc = pg_fail(s, err, "stats", r);
    } else {
        out->n_snapshots = i64(r, 0, 0);
        out->n_samples = i64(r, 0, 1);
        out->n_instances = i64(r, 0, 2);
        out->first_us = i64(r, 0, 3);
        out->last_us = i64(r, 0, 4);
    }
    PQclear(r);
    return rc;
}

static int pgs_prune(void *ctx, int64_t before_us, int64_t *n_deleted, struct dbp_error *err)
{
    struct pgs *s = ctx;
    char before[24];
    snprintf(before, sizeof before, "%lld", (long long)before_us);
    const char *p[1] = {before};
    int rc = cmd(s, "BEGIN", err);
    if (rc != DBP_OK)
        return rc;
    /* samples go with their snapshot (ON DELETE CASCADE) */
    PGresult *r = PQexecParams(s->conn, "DELETE FROM dbperf.snapshot WHERE taken_us < $1", 1, NULL,
                               p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = pg_fail(s, err, "prune", r);
        PQclear(r);
        cmd(s, "ROLLBACK", NULL);
        return rc;
    }
    *n_deleted = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    rc = cmd(s,
             "DELETE FROM dbperf.index_def d WHERE NOT EXISTS "
             "(SELECT 1 FROM dbperf.index_sample x WHERE x.index_id = d.id)",
             err);
    if (rc != DBP_OK) {
        cmd(s, "ROLLBACK", NULL);
        return rc;
    }
    return cmd(s, "COMMIT", err);
}

const struct dbp_store_backend dbp_store_pg = {
    .name = "postgresql",
    .migrations = migrations,
    .migration_files = migration_files,
    .n_migrations = sizeof migrations / sizeof migrations[0],
    .accepts = accepts,
    .open = pgs_open,
    .close = pgs_close,
    .schema_version = pgs_schema_version,
    .record = pgs_record,
    .scan = pgs_scan,
    .stats = pgs_stats,
    .prune = pgs_prune,
};
