/*
 * store.h -- the index-usage history store behind `dbperf check-indexes`.
 *
 * Index usage counters reset (pg_stat_reset, restarts, failovers) and each
 * replica keeps its own, so "unused" only means something over time and over
 * every instance of a database. The store keeps one snapshot per instance
 * and run: every index's usage counter, size, flags and definition. The
 * analyzer then walks each index's samples per instance in time order,
 * treating a counter that went down (or a changed counter start) as a reset,
 * and says for how long no use was recorded on every instance.
 *
 * Two backends: SQLite (a file path, the default; WAL journal and a busy
 * timeout, every write one IMMEDIATE transaction, so concurrent runs never
 * lose a snapshot) and PostgreSQL (a postgresql:// or postgres:// URI: the
 * user's own history database, which a fleet of hosts reports into; it is the
 * one database dbperf writes to, never an audited target). Both carry a
 * schema version and apply their migrations (sql/store/) when opened.
 */
#ifndef DBPERF_STORE_H
#define DBPERF_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dbperf/model.h>

struct dbp_error;
struct dbp_arena;
struct dbp_store;

/* The schema version this build writes (the last migration). */
#define DBP_STORE_SCHEMA_VERSION 1

/*
 * Open (creating it if needed) the store named by spec: a postgresql:// or
 * postgres:// URI, or else a SQLite file path ("sqlite:PATH" also accepted).
 * Applies pending migrations. A store whose schema is newer than this build
 * is refused (DBP_ERR_UNSUPPORTED). *out is heap (dbp_store_close).
 */
int dbp_store_open(const char *spec, struct dbp_store **out, struct dbp_error *err);

/* Close and free. NULL-safe. */
void dbp_store_close(struct dbp_store *s);

/* "sqlite" or "postgresql". */
const char *dbp_store_kind(const struct dbp_store *s);

/* The schema version of the open store (after migrations). */
int dbp_store_schema_version(struct dbp_store *s, int *version, struct dbp_error *err);

/* One instance's snapshot as recorded. */
struct dbp_store_run {
    int64_t taken_us; /* when (the injectable clock) */
    enum dbp_engine engine;
    const char *instance; /* host:port the counters were read from */
    const char *cluster;  /* name shared by a primary and its replicas; NULL = instance */
    const char *source;   /* the target, password removed; NULL */
    const char *tool_version;
};

/*
 * Record run and its n indexes (each ix->database/schema/table/name; the
 * counter scans (-1 unknown), size_bytes, flags, definition, columns, method,
 * counter_since_us) in one transaction: all or nothing.
 */
int dbp_store_record(struct dbp_store *s, const struct dbp_store_run *run,
                     struct dbp_index *const *ix, size_t n, struct dbp_error *err);

/* One stored sample, as dbp_store_scan hands it out (strings valid during the callback). */
struct dbp_store_sample {
    int64_t snapshot_id;
    int64_t taken_us;
    enum dbp_engine engine;
    const char *cluster;
    const char *instance;
    const char *database;
    const char *schema; /* "" when none (MySQL, MongoDB) */
    const char *table;
    const char *name;
    const char *definition;   /* "" when unknown */
    const char *columns;      /* key columns joined by ", " */
    const char *method;       /* "" when unknown */
    unsigned flags;           /* DBP_IDX_* */
    int64_t size_bytes;       /* -1 unknown */
    int64_t scans;            /* -1 unknown */
    int64_t counter_since_us; /* 0 unknown */
};

/* Return non-zero to stop the scan (the scan then returns DBP_OK). */
typedef int (*dbp_store_sample_fn)(void *arg, const struct dbp_store_sample *s);

/*
 * Every sample, ordered by engine, cluster, database, schema, table, index
 * name, instance, then time.
 */
int dbp_store_scan(struct dbp_store *s, dbp_store_sample_fn fn, void *arg, struct dbp_error *err);

/* What the store holds overall. */
struct dbp_store_stats {
    int64_t n_snapshots;
    int64_t n_samples;
    int64_t n_instances;
    int64_t first_us; /* 0 when empty */
    int64_t last_us;
};
int dbp_store_stats(struct dbp_store *s, struct dbp_store_stats *out, struct dbp_error *err);

/*
 * Retention: delete the snapshots taken before before_us, their samples and the
 * index definitions no sample refers to any more, in one transaction.
 * *n_deleted (may be NULL) = snapshots deleted.
 */
int dbp_store_prune(struct dbp_store *s, int64_t before_us, int64_t *n_deleted,
                    struct dbp_error *err);

/* ---- analysis ---------------------------------------------------------- */

enum dbp_idx_verdict {
    DBP_VERDICT_USED = 0,  /* a use was recorded within the window */
    DBP_VERDICT_PENDING,   /* no use recorded, but observed for less than min_days */
    DBP_VERDICT_UNUSED,    /* no use recorded for min_days on every instance: droppable */
    DBP_VERDICT_PROTECTED, /* unused that long but needed (primary key, constraint...) */
    DBP_VERDICT_NO_COUNTER /* an instance gives no usage counter: cannot tell */
};
/* "used", "pending", "unused", "protected", "no-counter". */
const char *dbp_idx_verdict_name(enum dbp_idx_verdict v);

/* One index (its rows over every instance of its cluster). Strings arena-owned. */
struct dbp_store_index {
    enum dbp_engine engine;
    const char *cluster, *database, *schema, *table, *name; /* schema NULL when none */
    const char *definition, *columns, *method;              /* latest; NULL when unknown */
    unsigned flags;                  /* protective flags of any instance, DBP_IDX_REPLICA if any */
    int64_t size_bytes;              /* largest latest size over instances; -1 */
    size_t n_instances;              /* instances holding it in their latest snapshot */
    size_t n_replicas;               /* of which flagged replica */
    int64_t unused_since_us;         /* the latest start of a no-use run over the instances */
    double unused_days;              /* shortest no-use run (to each instance's last sample) */
    int64_t last_use_us;             /* latest sample that recorded a use; 0 none */
    const char *last_use_instance;   /* where; NULL */
    unsigned n_resets;               /* counter resets seen (all instances) */
    double unobserved_days;          /* time between a sample and the reset after it, summed */
    const char *no_counter_instance; /* an instance without a counter; NULL */
    enum dbp_idx_verdict verdict;
    const char *reason; /* why protected (DBP_VERDICT_PROTECTED); NULL */
};

struct dbp_store_result {
    struct dbp_store_index **items; /* arena array, unused first (largest first) */
    size_t n;
    size_t n_unused, n_protected, n_pending, n_used, n_no_counter;
    int64_t unused_bytes; /* sum of the sizes of unused (droppable) indexes */
    int64_t now_us;
    double min_days;
    int64_t history_first_us; /* first sample in the store; 0 if none */
    int64_t history_last_us;
    double history_days;        /* now - first sample */
    size_t n_instances_ignored; /* instances silent for more than min_days: left out */
};

/*
 * The analyzer: feed samples in dbp_store_scan order, then finish. Pure (no
 * store needed), so tests can feed it by hand. The rules:
 *   - per index and instance, samples in time order; a use is recorded when
 *     the counter rose since the previous sample, or, after a reset (counter
 *     went down or its start changed), when it is above 0; the first sample
 *     records a use when its counter is above 0 (history starts there);
 *   - an instance whose last sample of the database is older than min_days
 *     before now is left out (gone); an index missing from an instance's
 *     latest snapshot of its database is not counted there (dropped);
 *   - the no-use run of an instance is from its last recorded use (or its
 *     first sample) to its last sample; the index's is the shortest over its
 *     instances, so a replica's use keeps it;
 *   - verdicts: unused when that run is at least min_days, protected instead
 *     when a primary key, unique or exclusion constraint, a foreign key
 *     (MySQL) or the replica identity needs the index.
 * min_days must be above 0. Returns a new analyzer (dbp_store_analyzer_free);
 * its results live in a.
 */
struct dbp_store_analyzer;
struct dbp_store_analyzer *dbp_store_analyzer_new(struct dbp_arena *a, int64_t now_us,
                                                  double min_days);
void dbp_store_analyzer_add(struct dbp_store_analyzer *an, const struct dbp_store_sample *s);
/* Fill out (arena-owned items) and sort. Call once. */
void dbp_store_analyzer_finish(struct dbp_store_analyzer *an, struct dbp_store_result *out);
void dbp_store_analyzer_free(struct dbp_store_analyzer *an); /* NULL-safe */

/* Scan s through an analyzer: the whole analysis. */
int dbp_store_analyze(struct dbp_store *s, struct dbp_arena *a, int64_t now_us, double min_days,
                      struct dbp_store_result *out, struct dbp_error *err);

#endif
