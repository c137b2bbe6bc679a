/*
 * driver.h -- how an engine plugs into dbperf.
 *
 * A driver is a const vtable. Offline it offers input formats (log files,
 * saved plans, exported documents), each with a probe that scores the first
 * bytes of an input and a parser that streams the input into the snapshot.
 * Live it connects to a server target, collects statement statistics,
 * indexes and tables, and explains statements. Drivers know their engine and
 * nothing about rules; they never write to a target database (read-only
 * sessions, timeouts, bounded results; hypopg's session-local hypothetical
 * indexes are the one exception and can be turned off).
 *
 * Drivers are listed in src/driver_registry.c; adding an engine means adding
 * a folder under drivers/ and one line there.
 */
#ifndef DBPERF_DRIVER_H
#define DBPERF_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dbperf/model.h>

struct dbp_error;
struct dbp_reader;
struct dbp_config;

#define DBP_DRIVER_ABI 1

/* Options for parsing an input. */
struct dbp_parse_opts {
    const char *log_prefix; /* PostgreSQL log_line_prefix (--log-prefix); NULL = detect */
    const struct dbp_config *config;
    /* parse a large plain file in this many chunks at once (audit -j); <= 1: one pass */
    int jobs;
    /*
     * Set by the core for a chunk of a split input (see dbp_format.split_ok):
     * chunk is its number (0 = the chunk that starts the file), head/head_len
     * the first bytes of the whole file, for detection that must not depend
     * on where the chunk starts (PostgreSQL's log_line_prefix).
     */
    int chunk;
    const unsigned char *head;
    size_t head_len;
};

/*
 * A database name no server accepts: a chunk parser that starts inside the
 * input and does not know the database that earlier entries made current
 * (MySQL's "use db;" carries over) files statements under it; the core
 * replaces it with the database the previous chunk left (dbp_source.carry_db).
 */
#define DBP_CHUNK_UNKNOWN_DB "\x01?"


struct dbp_format {
    const char *name;    /* "postgres-stderr", "mysql-slow", "postgres-plan-json"... (--type) */
    const char *summary; /* one line for --help */
    /*
     * Score 0..100 for how surely head[0..len) (the first decompressed bytes of
     * the input) is this format. 0 = no. Must accept any bytes.
     */
    int (*probe)(const unsigned char *head, size_t len);
    /*
     * Stream the input into snap, updating src (bytes, entries, skipped,
     * server_version...). Malformed entries are skipped with a diagnostic
     * (dbp_snapshot_diag naming file:line) and parsing goes on; the return
     * is then DBP_ERR_FORMAT with err describing the first problem. DBP_OK
     * when nothing was skipped. DBP_ERR_IO when the input could not be read
     * to its end (what was read is kept).
     */
    int (*parse)(struct dbp_reader *r, const struct dbp_parse_opts *o, struct dbp_snapshot *snap,
                 struct dbp_source *src, struct dbp_error *err);
    /*
     * May be NULL. 1 if a chunk of the input may start at line (prev is the
     * line before it): a line that opens an entry, so that every entry lies
     * whole in one chunk and `audit -j N` can parse the chunks at once. The
     * core merges the chunks' statement classes exactly and rejoins N+1
     * runs that cross a chunk boundary.
     */
    int (*split_ok)(const char *line, size_t len, const char *prev, size_t prev_len);
};

/* Options for a live target. */
struct dbp_conn_opts {
    const char *target;          /* URI or conninfo as given (may hold a password) */
    int statement_timeout_ms;    /* per statement sent; default 5000 */
    int top_n;                   /* statements to explain; default 20 */
    bool analyze;                /* EXPLAIN ANALYZE (SELECT only) */
    bool hypothetical;           /* allow hypopg hypothetical indexes */
    const struct dbp_config *config;
};

#define DBP_CAP_STMT_STATS 0x1u
#define DBP_CAP_INDEXES    0x2u
#define DBP_CAP_EXPLAIN    0x4u
#define DBP_CAP_HYPO_INDEX 0x8u

struct dbp_driver {
    int abi;              /* DBP_DRIVER_ABI; always first */
    const char *name;     /* "postgres" */
    enum dbp_engine engine;
    unsigned caps;        /* DBP_CAP_* of the live side */
    const struct dbp_format *const *formats; /* offline formats; may be NULL */
    size_t n_formats;
    /* 1 if target looks like one of this driver's server targets (URI scheme, conninfo). */
    int (*accepts_target)(const char *target);
    int (*connect)(const struct dbp_conn_opts *o, void **ctx, struct dbp_error *err);
    void (*disconnect)(void *ctx); /* NULL-safe */
    /* Statements, indexes, tables (and their counters' start) into snap. */
    int (*collect)(void *ctx, struct dbp_snapshot *snap, struct dbp_source *src,
                   struct dbp_error *err);
    /* Plans for the statements worth explaining; may be NULL. */
    int (*explain)(void *ctx, struct dbp_snapshot *snap, struct dbp_error *err);
    /*
     * Verify a missing-index finding (f->candidate, f->candidate_stmt) on the
     * server, e.g. with a hypopg hypothetical index: fill f->verified,
     * f->benefit, evidence (cost before/after) and f->verify_note. Sets
     * *keep = false when the improvement is below the driver's threshold.
     * Called after the rules ran, only for findings of this driver's engine
     * while the connection is still open. May be NULL.
     */
    int (*verify)(void *ctx, struct dbp_snapshot *snap, struct dbp_finding *f, bool *keep,
                  struct dbp_error *err);
};

/*
 * Parse the plain regular file path (size bytes, format fmt, head/head_len
 * its first bytes) in up to o->jobs chunks at once (threads) into snap and
 * src, exactly as one pass would (see src/split.c). Returns the parse
 * status, or -1 when the file was not split -- too small (chunks of at least
 * 8 MiB; DBPERF_SPLIT_MIN_BYTES lowers it for tests), no split point, or
 * state open across a chunk edge -- and then snap and src are untouched.
 */
int dbp_parse_split(const char *path, uint64_t size, const struct dbp_format *fmt,
                    const unsigned char *head, size_t head_len, const struct dbp_parse_opts *o,
                    struct dbp_snapshot *snap, struct dbp_source *src, struct dbp_error *err);

/* The compiled-in drivers, in detection order. */
const struct dbp_driver *const *dbp_drivers(size_t *n);

/* The format called name in any driver (or the core), or NULL. */
const struct dbp_format *dbp_format_find(const char *name, const struct dbp_driver **drv);

/*
 * The best-scoring format for head (score > 0), or NULL when no format
 * recognises it. *drv is its driver (NULL for core formats).
 */
const struct dbp_format *dbp_format_detect(const unsigned char *head, size_t len,
                                           const struct dbp_driver **drv);

/* The driver that accepts target as a server, or NULL. */
const struct dbp_driver *dbp_driver_for_target(const char *target);

/*
 * target with any password removed (URI userinfo, password=..., ) into an
 * arena string: safe to print. Never NULL.
 */
char *dbp_target_redact(struct dbp_arena *a, const char *target);

/* The text of sql/<name> ("postgres/stat_statements.sql") embedded at build time, or NULL. */
const char *dbp_sql_get(const char *name);

#endif
