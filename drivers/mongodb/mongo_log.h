/*
 * mongo_log.h -- internal to the MongoDB driver: what the JSON and text log
 * parsers share (one execution into the snapshot, the read loop).
 */
#ifndef DBPERF_MONGO_LOG_H
#define DBPERF_MONGO_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dbperf/buf.h>
#include <dbperf/error.h>

#include "mongo_int.h"

struct dbp_reader;

struct dbp_mongo_log {
    struct dbp_snapshot *snap;
    struct dbp_source *src;
    const char *name;   /* reader name, for diagnostics */
    const char *format; /* plan format name */
    uint64_t lineno;
    struct dbp_mdoc doc;
    struct dbp_buf shape, db, coll, origin;
    size_t first_plan;      /* snap->plans.n when this input started */
    struct dbp_error first; /* first problem */
    bool bad_run;           /* inside a run of bad lines: one diagnostic per run */
    bool getlog;            /* the input is a getLog reply: log lines as JSON strings */
    struct dbp_buf unq;     /* a getLog line, unquoted */
};

/* One execution, as a log line tells it. */
struct dbp_mongo_entry {
    int64_t ts_us; /* end of the operation; 0 */
    const char *session;
    size_t session_len;
    const char *ns;
    size_t ns_len;
    const char *type; /* "command", "update", "remove", "query"... */
    size_t type_len;
    const struct dbp_mdoc *doc;
    const struct dbp_mdoc_node *cmd;  /* command or operation document; NULL */
    const struct dbp_mdoc_node *orig; /* originatingCommand; NULL */
    struct dbp_mongo_exec x;
    const char *query_hash; /* NULL */
    size_t query_hash_len;
};

/* Record e: statement class, aggregate, example, plan (when slowest), session event. */
void dbp_mongo_log_entry(struct dbp_mongo_log *L, const struct dbp_mongo_entry *e);

/* A malformed line: counted as skipped, one diagnostic per run of bad lines. */
void dbp_mongo_log_bad(struct dbp_mongo_log *L, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

typedef void (*dbp_mongo_line_fn)(struct dbp_mongo_log *L, const char *s, size_t n);

/* Read every line of r through fn; the format's parse(). */
int dbp_mongo_log_run(struct dbp_reader *r, struct dbp_snapshot *snap, struct dbp_source *src,
                      const char *format, dbp_mongo_line_fn fn, struct dbp_error *err);

/* Keep only each statement's chosen plan among the plans added since first (one per class). */
void dbp_mongo_prune_plans(struct dbp_snapshot *snap, size_t first);

#endif
