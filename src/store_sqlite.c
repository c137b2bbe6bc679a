/*
 * store_sqlite.c -- the SQLite backend of the history store (the default).
 *
 * The store is one file. It is opened in WAL mode with a busy timeout, and
 * every write -- migrations, one snapshot with its samples -- is a single
 * BEGIN IMMEDIATE transaction, so that runs started at the same time queue
 * for the write lock instead of failing or interleaving: no snapshot is lost
 * and the file stays consistent. Migrations are the text of
 * sql/store/sqlite_NNN_*.sql, recorded in dbperf_schema_version.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dbperf/arena.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/store.h>

#include "store_int.h"

#define BUSY_TIMEOUT_MS 60000

/* sql/store/sqlite_001_init.sql (tests/unit/test_store.c checks the copy) */
static const char sqlite_001[] =
    "-- sqlite_001_init.sql: the index-usage history store (dbperf check-indexes), SQLite, version "
    "1.\n"
    "-- Applied once, in one IMMEDIATE transaction, when a store is opened; dbperf records each\n"
    "-- migration it applied in dbperf_schema_version (version, applied_us, file).\n"
    "-- One snapshot per instance and run; one sample per index in it. Index identities and\n"
    "-- definitions are kept once in index_def. Times are microseconds since the Unix epoch "
    "(UTC).\n"
    "CREATE TABLE snapshot (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    taken_us INTEGER NOT NULL,\n"
    "    engine TEXT NOT NULL,\n"
    "    cluster TEXT NOT NULL,\n"
    "    instance TEXT NOT NULL,\n"
    "    source TEXT,\n"
    "    tool_version TEXT\n"
    ");\n"
    "CREATE INDEX snapshot_instance ON snapshot (engine, cluster, instance, taken_us);\n"
    "CREATE TABLE index_def (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    engine TEXT NOT NULL,\n"
    "    database_name TEXT NOT NULL,\n"
    "    schema_name TEXT NOT NULL,\n"
    "    table_name TEXT NOT NULL,\n"
    "    index_name TEXT NOT NULL,\n"
    "    definition TEXT NOT NULL,\n"
    "    columns TEXT NOT NULL,\n"
    "    method TEXT NOT NULL,\n"
    "    UNIQUE (engine, database_name, schema_name, table_name, index_name, definition, columns,\n"
    "            method)\n"
    ");\n"
    "CREATE TABLE index_sample (\n"
    "    snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,\n"
    "    index_id INTEGER NOT NULL REFERENCES index_def (id),\n"
    "    flags INTEGER NOT NULL,\n"
    "    size_bytes INTEGER NOT NULL,\n"
    "    scans INTEGER NOT NULL,\n"
    "    counter_since_us INTEGER NOT NULL,\n"
    "    PRIMARY KEY (snapshot_id, index_id)\n"
    ");\n"
    "CREATE INDEX index_sample_index ON index_sample (index_id);\n";

static const char *const migrations[] = {sqlite_001};
static const char *const migration_files[] = {"sqlite_001_init.sql"};

static const char version_table[] =
    "CREATE TABLE IF NOT EXISTS dbperf_schema_version (version INTEGER PRIMARY KEY, "
    "applied_us INTEGER NOT NULL, file TEXT NOT NULL)";

struct sq {
    sqlite3 *db;
    char *path;
};

static int sq_fail(struct sq *s, struct dbp_error *err, const char *what)
{
    return dbp_error_set(err, DBP_ERR_IO, "store %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int accepts(const char *spec)
{
    return strncmp(spec, "postgres://", 11) != 0 && strncmp(spec, "postgresql://", 13) != 0;
}

static const char *path_of(const char *spec)
{
    return strncmp(spec, "sqlite:", 7) == 0 ? spec + 7 : spec;
}

/* Run sql (no rows). */
static int exec(struct sq *s, const char *sql, struct dbp_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = dbp_error_set(err, DBP_ERR_IO, "store %s: %s", s->path,
                               msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return rc;
    }
    return DBP_OK;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int read_version(struct sq *s, int *version, struct dbp_error *err)
{
    sqlite3_stmt *st = NULL;
    *version = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(version), 0) FROM dbperf_schema_version", -1,
                           &st, NULL) != SQLITE_OK)
        return sq_fail(s, err, "schema version");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? DBP_OK : sq_fail(s, err, "schema version");
}

/* Create the version table and apply pending migrations, in one write transaction. */
static int migrate(struct sq *s, struct dbp_error *err)
{
    int rc = exec(s, "BEGIN IMMEDIATE", err);
    if (rc != DBP_OK)
        return rc;
    int version = 0;
    rc = exec(s, version_table, err);
    if (rc == DBP_OK)
        rc = read_version(s, &version, err);
    if (rc == DBP_OK && version > (int)(sizeof migrations / sizeof migrations[0]))
        rc = dbp_error_set(err, DBP_ERR_UNSUPPORTED,
                           "store %s has schema version %d, newer than this dbperf's %d: "
                           "upgrade dbperf",
                           s->path, version, DBP_STORE_SCHEMA_VERSION);
    for (int v = version; rc == DBP_OK && v < (int)(sizeof migrations / sizeof migrations[0]);
         v++) {
        rc = exec(s, migrations[v], err);
        if (rc != DBP_OK)
            break;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db,
                               "INSERT INTO dbperf_schema_version (version, applied_us, file) "
                               "VALUES (?, ?, ?)",
                               -1, &st, NULL) != SQLITE_OK) {
            rc = sq_fail(s, err, "migration");
            break;
        }
        sqlite3_bind_int(st, 1, v + 1);
        sqlite3_bind_int64(st, 2, now_us());
        sqlite3_bind_text(st, 3, migration_files[v], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sq_fail(s, err, "migration");
        sqlite3_finalize(st);
    }
    if (rc != DBP_OK) {
        exec(s, "ROLLBACK", NULL);
        return rc;
    }
    return exec(s, "COMMIT", err);
}

static void sq_close(void *ctx)
{
    struct sq *s = ctx;
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

static int sq_open(const char *spec, void **ctx, struct dbp_error *err)
{
    struct sq *s = dbp_xcalloc(1, sizeof *s);
    s->path = dbp_xstrdup(path_of(spec));
    int rc = DBP_OK;
    if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = dbp_error_set(err, DBP_ERR_IO, "store %s: %s", s->path,
                           s->db ? sqlite3_errmsg(s->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    /* switching to WAL needs a moment alone with the file: retry while another opener has it */
    for (int i = 0;; i++) {
        sqlite3_stmt *st = NULL;
        int r = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
        if (r == SQLITE_OK)
            r = sqlite3_step(st);
        const char *mode = r == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        bool wal = mode && strcmp(mode, "wal") == 0;
        sqlite3_finalize(st);
        if (wal)
            break;
        if ((r != SQLITE_BUSY && r != SQLITE_LOCKED) || i >= 600) {
            rc = r == SQLITE_ROW ? dbp_error_set(err, DBP_ERR_IO,
                                                 "store %s: cannot use the WAL journal", s->path)
                                 : sq_fail(s, err, "journal mode");
            goto fail;
        }
        usleep(100000);
    }
    rc = exec(s, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL", err);
    if (rc == DBP_OK)
        rc = migrate(s, err);
    if (rc != DBP_OK)
        goto fail;
    *ctx = s;
    return DBP_OK;
fail:
    sq_close(s);
    return rc;
}

static int sq_schema_version(void *ctx, int *version, struct dbp_error *err)
{
    return read_version(ctx, version, err);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_TRANSIENT);
}

static int sq_record(void *ctx, const struct dbp_store_run *run, struct dbp_index *const *ix,
                     size_t n, struct dbp_error *err)
{
    struct sq *s = ctx;
    sqlite3_stmt *snap = NULL, *def = NULL, *defid = NULL, *sample = NULL;
    struct dbp_arena *a = dbp_arena_new();
    int rc = exec(s, "BEGIN IMMEDIATE", err);
    if (rc != DBP_OK)
        goto out;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO snapshot (taken_us, engine, cluster, instance, source, "
                           "tool_version) VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &snap, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT OR IGNORE INTO index_def (engine, database_name, schema_name, "
                           "table_name, index_name, definition, columns, method) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &def, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "SELECT id FROM index_def WHERE engine = ? AND database_name = ? AND "
                           "schema_name = ? AND table_name = ? AND index_name = ? AND "
                           "definition = ? AND columns = ? AND method = ?",
                           -1, &defid, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO index_sample (snapshot_id, index_id, flags, "
                           "size_bytes, scans, counter_since_us) VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &sample, NULL) != SQLITE_OK) {
        rc = sq_fail(s, err, "prepare");
        goto rollback;
    }
    sqlite3_bind_int64(snap, 1, run->taken_us);
    bind_text(snap, 2, dbp_engine_name(run->engine));
    bind_text(snap, 3, run->cluster ? run->cluster : run->instance);
    bind_text(snap, 4, run->instance);
    bind_text(snap, 5, run->source);
    bind_text(snap, 6, run->tool_version);
    if (sqlite3_step(snap) != SQLITE_DONE) {
        rc = sq_fail(s, err, "snapshot");
        goto rollback;
    }
    sqlite3_int64 snap_id = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < n; i++) {
        const struct dbp_index *x = ix[i];
        const char *vals[8] = {
            dbp_engine_name(x->engine),   x->database, x->schema, x->table, x->name, x->definition,
            dbp_store_join_columns(a, x), x->method};
        sqlite3_reset(def);
        sqlite3_reset(defid);
        for (int k = 0; k < 8; k++) {
            bind_text(def, k + 1, vals[k]);
            bind_text(defid, k + 1, vals[k]);
        }
        if (sqlite3_step(def) != SQLITE_DONE || sqlite3_step(defid) != SQLITE_ROW) {
            rc = sq_fail(s, err, "index definition");
            goto rollback;
        }
        sqlite3_reset(sample);
        sqlite3_bind_int64(sample, 1, snap_id);
        sqlite3_bind_int64(sample, 2, sqlite3_column_int64(defid, 0));
        sqlite3_bind_int64(sample, 3, x->flags);
        sqlite3_bind_int64(sample, 4, x->size_bytes);
        sqlite3_bind_int64(sample, 5, x->scans);
        sqlite3_bind_int64(sample, 6, x->counter_since_us);
        if (sqlite3_step(sample) != SQLITE_DONE) {
            rc = sq_fail(s, err, "index sample");
            goto rollback;
        }
    }
    sqlite3_finalize(snap);
    sqlite3_finalize(def);
    sqlite3_finalize(defid);
    sqlite3_finalize(sample);
    snap = def = defid = sample = NULL;
    rc = exec(s, "COMMIT", err);
    if (rc == DBP_OK)
        goto out;
rollback:
    sqlite3_finalize(snap);
    sqlite3_finalize(def);
    sqlite3_finalize(defid);
    sqlite3_finalize(sample);
    exec(s, "ROLLBACK", NULL);
out:
    dbp_arena_free(a);
    return rc;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static int sq_scan(void *ctx, dbp_store_sample_fn fn, void *arg, struct dbp_error *err)
{
    struct sq *s = ctx;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            s->db,
            "SELECT s.id, s.taken_us, s.engine, s.cluster, s.instance, d.database_name, "
            "d.schema_name, d.table_name, d.index_name, d.definition, d.columns, d.method, "
            "x.flags, x.size_bytes, x.scans, x.counter_since_us "
            "FROM index_sample x JOIN snapshot s ON s.id = x.snapshot_id "
            "JOIN index_def d ON d.id = x.index_id "
            "ORDER BY s.engine, s.cluster, d.database_name, d.schema_name, d.table_name, "
            "d.index_name, s.instance, s.taken_us, s.id",
            -1, &st, NULL) != SQLITE_OK)
        return sq_fail(s, err, "scan");
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        struct dbp_store_sample x = {
            .snapshot_id = sqlite3_column_int64(st, 0),
            .taken_us = sqlite3_column_int64(st, 1),
            .engine = dbp_engine_parse(col_text(st, 2)),
            .cluster = col_text(st, 3),
            .instance = col_text(st, 4),
            .database = col_text(st, 5),
            .schema = col_text(st, 6),
            .table = col_text(st, 7),
            .name = col_text(st, 8),
            .definition = col_text(st, 9),
            .columns = col_text(st, 10),
            .method = col_text(st, 11),
            .flags = (unsigned)sqlite3_column_int64(st, 12),
            .size_bytes = sqlite3_column_int64(st, 13),
            .scans = sqlite3_column_int64(st, 14),
            .counter_since_us = sqlite3_column_int64(st, 15),
        };
        if (fn(arg, &x)) {
            r = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? DBP_OK : sq_fail(s, err, "scan");
}

static int sq_stats(void *ctx, struct dbp_store_stats *out, struct dbp_error *err)
{
    struct sq *s = ctx;
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT count(*) FROM snapshot), "
                           "(SELECT count(*) FROM index_sample), "
                           "(SELECT count(DISTINCT engine || ' ' || instance) FROM snapshot), "
                           "(SELECT coalesce(min(taken_us), 0) FROM snapshot), "
                           "(SELECT coalesce(max(taken_us), 0) FROM snapshot)",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_fail(s, err, "stats");
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        out->n_snapshots = sqlite3_column_int64(st, 0);
        out->n_samples = sqlite3_column_int64(st, 1);
        out->n_instances = sqlite3_column_int64(st, 2);
        out->first_us = sqlite3_column_int64(st, 3);
        out->last_us = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? DBP_OK : sq_fail(s, err, "stats");
}

static int sq_prune(void *ctx, int64_t before_us, int64_t *n_deleted, struct dbp_error *err)
{
    struct sq *s = ctx;
    sqlite3_stmt *st = NULL;
    int rc = exec(s, "BEGIN IMMEDIATE", err);
    if (rc != DBP_OK)
        return rc;
    /* samples go with their snapshot (ON DELETE CASCADE, foreign_keys is on) */
    if (sqlite3_prepare_v2(s->db, "DELETE FROM snapshot WHERE taken_us < ?", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = sq_fail(s, err, "prune");
        goto fail;
    }
    sqlite3_bind_int64(st, 1, before_us);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = sq_fail(s, err, "prune");
        goto fail;
    }
    *n_deleted = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    st = NULL;
    rc = exec(s,
              "DELETE FROM index_def WHERE NOT EXISTS "
              "(SELECT 1 FROM index_sample x WHERE x.index_id = index_def.id)",
              err);
    if (rc != DBP_OK)
        goto fail;
    return exec(s, "COMMIT", err);
fail:
    sqlite3_finalize(st);
    exec(s, "ROLLBACK", NULL);
    return rc;
}

const struct dbp_store_backend dbp_store_sqlite = {
    .name = "sqlite",
    .migrations = migrations,
    .migration_files = migration_files,
    .n_migrations = sizeof migrations / sizeof migrations[0],
    .accepts = accepts,
    .open = sq_open,
    .close = sq_close,
    .schema_version = sq_schema_version,
    .record = sq_record,
    .scan = sq_scan,
    .stats = sq_stats,
    .prune = sq_prune,
};
