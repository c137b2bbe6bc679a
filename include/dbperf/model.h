/*
 * model.h -- the common model every driver fills and every rule reads.
 *
 * One struct dbp_snapshot holds what was collected from all sources of one
 * run: statement classes with their aggregates, plan trees with normalized
 * node kinds, indexes, tables, N+1 burst summaries derived from session
 * events, findings and diagnostics. Everything hangs off the snapshot's arena
 * and is released by one dbp_snapshot_free(). Conventions:
 *   - strings are NUL-terminated, arena-owned, and NULL when unknown;
 *   - times are milliseconds (double) or microseconds since the Unix epoch,
 *     UTC (int64_t, 0 = unknown);
 *   - unknown counts are -1 (int64_t) and unknown measures NaN (double).
 * Nothing in here knows about a client library, a rule or an output format.
 */
#ifndef DBPERF_MODEL_H
#define DBPERF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dbperf/sketch.h>

struct dbp_arena;

enum dbp_engine {
    DBP_ENGINE_UNKNOWN = 0,
    DBP_ENGINE_POSTGRES,
    DBP_ENGINE_MYSQL, /* MySQL, Percona Server and MariaDB */
    DBP_ENGINE_MONGODB,
    DBP_ENGINE_COUNT
};

/* "postgres", "mysql", "mongodb" or "unknown". */
const char *dbp_engine_name(enum dbp_engine e);
/* Inverse of dbp_engine_name (also "postgresql", "pg", "mariadb", "mongo"); UNKNOWN if none. */
enum dbp_engine dbp_engine_parse(const char *name);

/* Where a statement class's numbers came from. */
enum dbp_stmt_source {
    DBP_SRC_LOG = 0,     /* a server log or slow log, one entry per execution */
    DBP_SRC_PGSS,        /* pg_stat_statements */
    DBP_SRC_PERFSCHEMA,  /* performance_schema digests */
    DBP_SRC_PROFILER,    /* MongoDB system.profile */
    DBP_SRC_PLAN,        /* a saved plan only: no execution statistics */
    DBP_SRC_REPORT       /* a saved dbperf JSON report */
};
const char *dbp_stmt_source_name(enum dbp_stmt_source s);

/* ---- aggregates ------------------------------------------------------- */

#define DBP_AGG_ROWS_EXAMINED 0x1u /* rows_examined is known */
#define DBP_AGG_ROWS_RETURNED 0x2u /* rows_returned is known */
#define DBP_AGG_QUANTILES     0x4u /* sketch holds every call (log sources) */

struct dbp_agg {
    uint64_t calls;
    double total_ms;
    double min_ms; /* NaN until the first call with a duration */
    double max_ms;
    uint64_t rows_examined;
    uint64_t rows_returned;
    int64_t first_seen_us; /* 0 = unknown */
    int64_t last_seen_us;
    unsigned flags;           /* DBP_AGG_* */
    struct dbp_sketch sketch; /* latency distribution when DBP_AGG_QUANTILES */
    /* p50/p95/p99 as a source reported them (a saved report); NaN when unknown.
     * Used only when the sketch is empty. */
    double fixed_q_ms[3];
};

/* ---- statement classes ------------------------------------------------ */

struct dbp_plan;

struct dbp_stmt {
    enum dbp_engine engine;
    enum dbp_stmt_source source;
    const char *database; /* NULL if unknown */
    const char *user;     /* first user seen; NULL if unknown */
    uint64_t fpid;        /* dbp_fingerprint_id(text) */
    const char *text;     /* normalized text: literals replaced */
    const char *example;  /* one real statement (slowest seen); may hold literals; NULL */
    double example_ms;    /* duration of the example; NaN if unknown */
    int64_t engine_id;    /* the engine's own id (pgss queryid, MySQL digest...) or 0 */
    const char *engine_id_text; /* the engine's id as text (MySQL digest hex); NULL */
    struct dbp_agg agg;
    struct dbp_plan *plan; /* most relevant plan (slowest example); NULL */
    size_t index;          /* position in snapshot->stmts */
};

/* ---- plans ------------------------------------------------------------ */

enum dbp_node_kind {
    DBP_NODE_OTHER = 0,
    DBP_NODE_FULL_SCAN,       /* Seq Scan, access type ALL, COLLSCAN */
    DBP_NODE_INDEX_SCAN,      /* Index Scan, ref/range/eq_ref, IXSCAN, Bitmap Index Scan */
    DBP_NODE_INDEX_ONLY_SCAN, /* Index Only Scan, "using_index", covered IXSCAN */
    DBP_NODE_BITMAP_HEAP_SCAN,
    DBP_NODE_FETCH, /* heap/document fetch after an index (MongoDB FETCH) */
    DBP_NODE_JOIN,  /* Nested Loop, Hash Join, Merge Join, MySQL nested loop */
    DBP_NODE_SORT,
    DBP_NODE_AGGREGATE,
    DBP_NODE_LIMIT,
    DBP_NODE_HASH,
    DBP_NODE_MATERIALIZE,
    DBP_NODE_APPEND, /* Append, Merge Append, UNION */
    DBP_NODE_GATHER,
    DBP_NODE_SUBQUERY,
    DBP_NODE_MODIFY, /* Insert, Update, Delete */
    DBP_NODE_RESULT,
    DBP_NODE_KIND_COUNT
};
/* "full-scan", "index-scan", ... */
const char *dbp_node_kind_name(enum dbp_node_kind k);

enum dbp_pred_op {
    DBP_PRED_EQ = 0, /* col = value, col IS NULL */
    DBP_PRED_IN,     /* col IN (...), col = ANY(...) */
    DBP_PRED_RANGE,  /* <, <=, >, >=, BETWEEN, LIKE 'prefix%' */
    DBP_PRED_OTHER   /* anything an index on the column cannot serve directly */
};

/* One column a condition constrains. */
struct dbp_pred {
    const char *column; /* unqualified column (or MongoDB field path) */
    enum dbp_pred_op op;
};

struct dbp_sortkey {
    const char *column;
    bool desc;
};

struct dbp_plan_node {
    enum dbp_node_kind kind;
    const char *engine_name; /* the engine's own name: "Seq Scan", "ALL", "COLLSCAN" */
    const char *relation;    /* table / collection; NULL if none */
    const char *schema;      /* schema / database of the relation; NULL */
    const char *alias;       /* NULL */
    const char *index;       /* index used; NULL */
    const char *condition;   /* raw filter / index condition text (may hold literals); NULL */
    struct dbp_pred *preds;  /* columns constrained by the filter; arena array */
    size_t n_preds;
    struct dbp_pred *index_preds; /* columns constrained by the index condition */
    size_t n_index_preds;
    struct dbp_sortkey *sort_keys; /* for SORT nodes */
    size_t n_sort_keys;
    double est_rows;      /* planner's estimate per loop; NaN */
    double act_rows;      /* actual rows per loop (ANALYZE); NaN */
    double loops;         /* NaN */
    double startup_cost;  /* NaN */
    double total_cost;    /* NaN */
    double actual_ms;     /* actual total time per loop; NaN */
    double rows_examined; /* rows read to produce act_rows (docsExamined, rows removed + rows); NaN */
    struct dbp_plan_node **children; /* arena array */
    size_t n_children;
    /* columns of this node's relation that a driver saw the statement filter on while it
     * ran, beyond the plan's own text (pg_qualstats: quals evaluated as a filter, not by an
     * index), strongest use first; arena array, NULL when none */
    struct dbp_pred *observed_preds;
    size_t n_observed_preds;
    const char *observed_from; /* who saw them: "pg_qualstats"; NULL when none */
};

struct dbp_plan {
    enum dbp_engine engine;
    const char *format;        /* "postgres-json", "postgres-text", "mysql-json", ... */
    const char *origin;        /* file:line or server the plan came from */
    bool analyzed;             /* actual rows / times present */
    double planning_ms;        /* NaN */
    double execution_ms;       /* NaN */
    struct dbp_plan_node *root;
    struct dbp_stmt *stmt;     /* statement this plan belongs to; NULL for a bare plan */
};

/* ---- indexes and tables ----------------------------------------------- */

#define DBP_IDX_PRIMARY          0x001u /* backs the primary key (or MongoDB _id) */
#define DBP_IDX_UNIQUE           0x002u
#define DBP_IDX_CONSTRAINT       0x004u /* backs a unique or exclusion constraint */
#define DBP_IDX_EXCLUSION        0x008u
#define DBP_IDX_FOREIGN_KEY      0x010u /* needed by a foreign key (MySQL requires one) */
#define DBP_IDX_REPLICA_IDENTITY 0x020u
#define DBP_IDX_PARTIAL          0x040u
#define DBP_IDX_EXPRESSION       0x080u
#define DBP_IDX_INVALID          0x100u /* not valid / being built */
#define DBP_IDX_REPLICA          0x200u /* read from a replica / secondary */

struct dbp_index {
    enum dbp_engine engine;
    const char *instance; /* host:port (or file) the counters came from */
    const char *cluster;  /* name shared by a primary and its replicas; NULL = instance */
    const char *database;
    const char *schema; /* NULL for MySQL/MongoDB */
    const char *table;  /* table / collection */
    const char *name;
    const char **columns; /* key columns in order ("a", "b DESC", "lower(x)"); arena */
    size_t n_columns;
    const char *method;     /* "btree", "hash", "gin", "BTREE", "FULLTEXT", "2dsphere"... */
    const char *definition; /* CREATE INDEX ... or the key document; NULL */
    const char *predicate;  /* WHERE of a partial index; NULL */
    unsigned flags;         /* DBP_IDX_* */
    int64_t size_bytes;     /* -1 unknown */
    int64_t scans;          /* uses since counter_since_us; -1 unknown */
    int64_t counter_since_us; /* stats reset / server start; 0 unknown */
};

#define DBP_TBL_PARTITIONED 0x1u /* a partitioned parent (CONCURRENTLY fails on it) */

struct dbp_table {
    enum dbp_engine engine;
    unsigned flags; /* DBP_TBL_* */
    const char *instance;
    const char *database;
    const char *schema;
    const char *name;
    int64_t rows;          /* live rows / documents; -1 */
    int64_t size_bytes;    /* -1 */
    int64_t seq_scans;     /* full scans; -1 */
    int64_t seq_rows_read; /* rows read by full scans; -1 */
    int64_t idx_scans;     /* -1 */
};

/* ---- session events and N+1 bursts ------------------------------------ */

/*
 * One execution seen in one session, as a log parser knows it. Drivers pass
 * these to dbp_snapshot_session_event(); the snapshot keeps only the state of
 * sessions in flight and folds runs into struct dbp_burst summaries, so memory
 * does not grow with the log.
 */
struct dbp_session_event {
    const char *session; /* session / connection / thread id; copied if kept */
    size_t session_len;
    int64_t ts_us;       /* start or end time; 0 if unknown */
    struct dbp_stmt *stmt;
    double duration_ms; /* NaN if unknown */
    int64_t rows;       /* rows returned; -1 unknown */
};

/*
 * Runs of one statement class executed back to back in one session (no other
 * statement in between, each gap <= snapshot->burst_max_gap_ms) at least
 * snapshot->burst_min_repeats times, summed per (parent, child) pair. The
 * parent is the class that ran just before the run started in that session.
 */
struct dbp_burst {
    struct dbp_stmt *parent; /* NULL if the run opened the session */
    struct dbp_stmt *child;
    uint64_t runs;           /* qualifying runs */
    uint64_t calls;          /* child executions inside them */
    uint64_t max_run;        /* longest run */
    double total_ms;         /* child time inside them */
    double max_call_ms;      /* slowest single child call inside them */
    int64_t max_rows;        /* most rows one child call returned; -1 unknown */
    const char *example_session;
    int64_t example_ts_us;   /* start of the longest run */
};

/* ---- findings --------------------------------------------------------- */

enum dbp_severity {
    DBP_SEV_NONE = 0,
    DBP_SEV_INFO = 1,
    DBP_SEV_WARNING = 2,
    DBP_SEV_CRITICAL = 3
};
const char *dbp_severity_name(enum dbp_severity s); /* "info", "warning", "critical" */
/* Parse "info"/"warning"/"critical" (also "none"); returns -1 if unknown. */
int dbp_severity_parse(const char *s);

enum dbp_verification {
    DBP_VERIFY_NONE = 0,  /* not verified */
    DBP_VERIFY_HYPOPG,    /* hypothetical index, EXPLAIN before and after */
    DBP_VERIFY_EXPLAIN,   /* the server's own plan shows it */
    DBP_VERIFY_COUNTERS   /* usage counters of every instance */
};
const char *dbp_verification_name(enum dbp_verification v);

/* A number (value) or, when text != NULL, a string. */
struct dbp_evidence {
    const char *key;
    double value;
    const char *text;
};

struct dbp_finding {
    const char *rule;
    enum dbp_severity severity;
    enum dbp_engine engine;
    const char *object;     /* "public.orders", "orders.idx_x", a statement's fingerprint */
    const char *message;    /* one line */
    struct dbp_evidence *evidence;
    size_t n_evidence;
    const char *suggestion; /* SQL or command to run; NULL */
    double benefit;         /* estimated improvement 0..1 (cost or time fraction); NaN */
    enum dbp_verification verified;
    const char *verify_note; /* how it was verified, or why not; NULL */
    uint64_t fpid;           /* related statement class, or 0 */
    /* missing-index: the candidate index (table, schema, columns in order; name NULL),
     * so that a driver can verify it (hypopg); NULL for other findings */
    struct dbp_index *candidate;
    /* for a candidate: the statement whose plan it should improve (NULL if none) */
    struct dbp_stmt *candidate_stmt;
};

/* ---- sources and diagnostics ------------------------------------------ */

struct dbp_source {
    const char *name;      /* path or server (password removed) */
    const char *type;      /* format or driver name: "postgres-stderr", "mysql-slow"... */
    enum dbp_engine engine;
    const char *server_version; /* NULL */
    int64_t counters_since_us;  /* stats reset / server start; 0 */
    uint64_t bytes;        /* bytes read */
    uint64_t entries;      /* statements / documents / plans taken */
    uint64_t skipped;      /* entries or lines skipped as malformed */
    int status;            /* enum dbp_status of the whole source */
    const char *error;     /* first error line; NULL */
    /* MySQL slow logs: the database current at the end of the input (for the next chunk
     * of a split input); NULL */
    const char *carry_db;
    /* a chunk of a split input whose result depends on its neighbours: DBP_CHUNK_* */
    unsigned chunk_open;
};

#define DBP_CHUNK_HEAD_OPEN 0x1u /* an entry near its start needs what came before */
#define DBP_CHUNK_TAIL_OPEN 0x2u /* it ended with entries waiting for what comes after */

#define DBP_MAX_DIAGS 200

/* ---- the snapshot ----------------------------------------------------- */

/* A growable array of pointers. Elements are arena-owned; `items` is heap. */
struct dbp_vec {
    void **items;
    size_t n;
    size_t cap;
};

struct dbp_session_tracker; /* private: src/session.c */
struct dbp_stmt_map;        /* private: src/snapshot.c */

struct dbp_snapshot {
    struct dbp_arena *arena;
    struct dbp_vec stmts;    /* struct dbp_stmt *, in order of first appearance */
    struct dbp_vec plans;    /* struct dbp_plan * (with or without a stmt) */
    struct dbp_vec indexes;  /* struct dbp_index * */
    struct dbp_vec tables;   /* struct dbp_table * */
    struct dbp_vec bursts;   /* struct dbp_burst * */
    struct dbp_vec findings; /* struct dbp_finding * */
    struct dbp_vec sources;  /* struct dbp_source * */
    struct dbp_vec diags;    /* char *: one line each, "file:line: message"; at most DBP_MAX_DIAGS */
    uint64_t n_diags;        /* all diagnostics, including those not kept */
    /* N+1 tracking parameters; set before events arrive (defaults 5 and 1000) */
    uint64_t burst_min_repeats;
    double burst_max_gap_ms;
    int64_t created_us;
    /* the snapshot to compare with (audit --baseline, diff); not owned; NULL */
    const struct dbp_snapshot *baseline;
    struct dbp_stmt_map *map;
    struct dbp_session_tracker *sessions;
};

/* A new empty snapshot with its own arena. Never NULL. */
struct dbp_snapshot *dbp_snapshot_new(void);

/* Free the snapshot, its arena and every sketch. NULL-safe. */
void dbp_snapshot_free(struct dbp_snapshot *snap);

/* Append p to v (heap-grown). */
void dbp_vec_push(struct dbp_vec *v, void *p);

/*
 * The statement class (engine, database, normalized text), created on first
 * use with agg zeroed, min_ms NaN and fpid = dbp_fingerprint_id(text, len).
 * text need not be NUL-terminated; it is copied into the arena when the class
 * is created. database may be NULL. Never NULL.
 */
struct dbp_stmt *dbp_snapshot_stmt(struct dbp_snapshot *snap, enum dbp_engine engine,
                                   const char *database, const char *text, size_t len);

/* Find a class by fingerprint id (any engine/database); NULL if none. */
struct dbp_stmt *dbp_snapshot_find_fpid(const struct dbp_snapshot *snap, uint64_t fpid);

/*
 * Record one execution: calls += 1, duration into total/min/max and the
 * sketch (sets DBP_AGG_QUANTILES), rows when >= 0 (setting the matching
 * DBP_AGG_ROWS_* flag), ts_us (if non-zero) into first/last seen.
 * duration_ms may be NaN (counted, no time).
 */
void dbp_agg_add(struct dbp_agg *a, double duration_ms, int64_t rows_examined,
                 int64_t rows_returned, int64_t ts_us);

/* Mean time per call; NaN when calls == 0. */
double dbp_agg_mean_ms(const struct dbp_agg *a);

/* Quantile q of the class's latency (q = 0.5, 0.95, 0.99 also from fixed_q_ms);
 * NaN when unknown (no per-call data). */
double dbp_agg_quantile_ms(const struct dbp_agg *a, double q);

/* Keep raw as the class's example if it is the first one or slower than the current one. */
void dbp_stmt_offer_example(struct dbp_snapshot *snap, struct dbp_stmt *st, const char *raw,
                            size_t len, double duration_ms);

/* Attach a plan to the snapshot (and to plan->stmt, replacing a faster example's plan). */
void dbp_snapshot_add_plan(struct dbp_snapshot *snap, struct dbp_plan *plan);

/* A zeroed node in the arena with every double set to NaN. */
struct dbp_plan_node *dbp_plan_node_new(struct dbp_snapshot *snap);
/* Append child to parent->children (arena-grown). */
void dbp_plan_node_add_child(struct dbp_snapshot *snap, struct dbp_plan_node *parent,
                             struct dbp_plan_node *child);

/* Zeroed index / table with every count -1, owned by the arena and appended to the snapshot. */
struct dbp_index *dbp_snapshot_add_index(struct dbp_snapshot *snap);
struct dbp_table *dbp_snapshot_add_table(struct dbp_snapshot *snap);

/* A source record for name, appended; status DBP_OK. */
struct dbp_source *dbp_snapshot_add_source(struct dbp_snapshot *snap, const char *name,
                                           const char *type);

/* A zeroed finding in the arena (benefit NaN), appended to snap->findings. */
struct dbp_finding *dbp_snapshot_add_finding(struct dbp_snapshot *snap);
/* Append one evidence item (text NULL for a number) to f. */
void dbp_finding_add_evidence(struct dbp_snapshot *snap, struct dbp_finding *f, const char *key,
                              double value, const char *text);

/*
 * A diagnostic line ("file:line: message") kept for the user; the first
 * DBP_MAX_DIAGS are kept, all are counted in n_diags.
 */
void dbp_snapshot_diag(struct dbp_snapshot *snap, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Add b's calls, times, rows, seen times and latency sketch to a. */
void dbp_agg_merge(struct dbp_agg *a, const struct dbp_agg *b);

/*
 * Fold part -- a later chunk of the same input, parsed into its own snapshot
 * (audit -j) -- into snap, as if snap had read it after what it holds:
 * classes merge exactly (a database of DBP_CHUNK_UNKNOWN_DB becomes
 * carry_db), plans follow their classes, N+1 runs that cross the boundary
 * are rejoined. Line numbers in part's diagnostics and plan origins
 * ("name:N: ...") are shifted by line_base. part's arena moves into snap's;
 * part is freed. Sources are the caller's to merge.
 */
void dbp_snapshot_absorb(struct dbp_snapshot *snap, struct dbp_snapshot *part, const char *name,
                         uint64_t line_base, const char *carry_db);

/* Feed one session event to the N+1 tracker. */
void dbp_snapshot_session_event(struct dbp_snapshot *snap, const struct dbp_session_event *ev);
/* The session ended (disconnection): close its open run. */
void dbp_snapshot_session_end(struct dbp_snapshot *snap, const char *session, size_t len);
/* Close every open run (end of input). Safe to call more than once. */
void dbp_snapshot_sessions_flush(struct dbp_snapshot *snap);

#endif
