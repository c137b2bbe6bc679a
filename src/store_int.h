/*
 * store_int.h -- internal: the backends of the history store (store.h).
 *
 * A backend is a const vtable chosen by the store spec: SQLite
 * (src/store_sqlite.c) and, when the PostgreSQL driver is built, PostgreSQL
 * (drivers/postgres/store_pg.c, the only file that needs libpq). Each keeps
 * its migrations as the text of sql/store/<backend>_<NNN>_<name>.sql
 * (tests/unit/test_store.c checks that they are the same).
 */
#ifndef DBPERF_STORE_INT_H
#define DBPERF_STORE_INT_H

#include <stddef.h>

#include <dbperf/store.h>

struct dbp_store_backend {
    const char *name;                   /* "sqlite", "postgresql" */
    const char *const *migrations;      /* migrations[i] brings the schema to version i + 1 */
    const char *const *migration_files; /* their file names under sql/store/ */
    size_t n_migrations;
    /* 1 if spec names a store of this backend */
    int (*accepts)(const char *spec);
    /* open, create and migrate; *ctx is the backend's */
    int (*open)(const char *spec, void **ctx, struct dbp_error *err);
    void (*close)(void *ctx); /* NULL-safe */
    int (*schema_version)(void *ctx, int *version, struct dbp_error *err);
    int (*record)(void *ctx, const struct dbp_store_run *run, struct dbp_index *const *ix, size_t n,
                  struct dbp_error *err);
    int (*scan)(void *ctx, dbp_store_sample_fn fn, void *arg, struct dbp_error *err);
    int (*stats)(void *ctx, struct dbp_store_stats *out, struct dbp_error *err);
    /* delete the snapshots taken before before_us (with their samples) and the definitions
     * no sample uses any more, in one transaction; *n_deleted = snapshots deleted */
    int (*prune)(void *ctx, int64_t before_us, int64_t *n_deleted, struct dbp_error *err);
};

extern const struct dbp_store_backend dbp_store_sqlite;
#ifdef DBPERF_WITH_PG
extern const struct dbp_store_backend dbp_store_pg;
#endif

/* The backend called name, or NULL (for tests). */
const struct dbp_store_backend *dbp_store_backend_find(const char *name);

/* Key columns of ix joined by ", " into the arena ("" when none). */
const char *dbp_store_join_columns(struct dbp_arena *a, const struct dbp_index *ix);

#endif
