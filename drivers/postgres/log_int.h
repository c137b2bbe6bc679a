/*
 * log_int.h -- internal to the PostgreSQL log parsers: the entry assembly
 * shared by the stderr, csvlog and jsonlog readers (log_common.c).
 *
 * Each format splits its input into records (one log message with its
 * prefix fields: session, time, user, database, severity, message) and hands
 * them to dbp_pglog_record(). The common code turns records into statement
 * executions: `duration: ... statement:` lines, log_statement lines paired
 * with their later `duration:` line, extended-protocol `execute` lines,
 * auto_explain plans (held per session until their statement's line
 * arrives), disconnections. It keeps per-session state only for sessions in
 * flight, bounded in number.
 */
#ifndef DBPERF_PG_LOG_INT_H
#define DBPERF_PG_LOG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dbp_snapshot;
struct dbp_source;
struct dbp_error;
struct dbp_reader;
struct dbp_pglog;

/* One log message. Pointers are borrowed for the duration of the call. */
struct dbp_pglog_rec {
    const char *session; /* session id (%c) or process id (%p); NULL if none */
    size_t session_len;
    int64_t ts_us;        /* 0 unknown */
    const char *user;     /* NULL or "" if unknown; "[unknown]" is treated as unknown */
    size_t user_len;
    const char *db;
    size_t db_len;
    const char *severity; /* "LOG", "ERROR", "DETAIL", "STATEMENT"... */
    size_t severity_len;
    const char *msg;      /* the message, newlines inside (no continuation tabs) */
    size_t msg_len;
    const char *detail;   /* csvlog/jsonlog DETAIL field; NULL */
    size_t detail_len;
    bool detail_inline;   /* the format carries DETAIL in the record (csv, json), not after it */
    uint64_t lineno;      /* first line of the record */
};

/* Parser state for one input; freed by dbp_pglog_finish. */
struct dbp_pglog *dbp_pglog_new(struct dbp_snapshot *snap, struct dbp_source *src,
                                const char *name);

/* The input is a chunk of a split file (o->head set): note state open at its edges. */
struct dbp_parse_opts;
void dbp_pglog_set_chunk(struct dbp_pglog *L, const struct dbp_parse_opts *o);

/* Feed one record. */
void dbp_pglog_record(struct dbp_pglog *L, const struct dbp_pglog_rec *rec);

/* A malformed line or record: diagnostic "name:line: why", counted as skipped. */
void dbp_pglog_malformed(struct dbp_pglog *L, uint64_t lineno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Handle a negative dbp_reader_line return: -DBP_ERR_FORMAT (over-long line,
 * skipped) is recorded as malformed and 1 is returned (go on); -DBP_ERR_IO is
 * remembered and 0 is returned (stop).
 */
int dbp_pglog_reader_error(struct dbp_pglog *L, int rc, const struct dbp_error *rerr);

/*
 * End of input: flush pending statements, close sessions, fill src (bytes,
 * entries, skipped, status, error) from the reader r, free L. Returns DBP_OK,
 * DBP_ERR_FORMAT (something skipped; err names the first problem) or
 * DBP_ERR_IO (input cut short).
 */
int dbp_pglog_finish(struct dbp_pglog *L, struct dbp_reader *r, struct dbp_error *err);

/*
 * Parse a timestamp "YYYY-MM-DD HH:MM:SS[.ffffff][ TZ]" (TZ: UTC, GMT, a
 * few common abbreviations, or +HH[MM]/-HH[MM]); also the jsonlog/ISO form
 * with 'T'. Returns microseconds since the epoch (UTC) and sets *used to the
 * bytes consumed, or returns 0 with *used = 0 when s does not start with one.
 */
int64_t dbp_pglog_parse_ts(const char *s, size_t len, size_t *used);

/*
 * 1 if s starts with "YYYY-MM-DD HH:MM:SS" (or 'T' between date and time): a
 * line that opens a record in the stderr and csv logs (with a timestamp first
 * in the prefix), where a chunk of a split input may start.
 */
int dbp_pglog_ts_start(const char *s, size_t len);

/* Counters of the assembly, for tests. */
struct dbp_pglog_stats {
    uint64_t executions; /* statements counted */
    uint64_t plans_seen; /* auto_explain plans */
    uint64_t plans_attached;
    uint64_t plans_failed; /* the plan parser refused them */
    uint64_t plans_dropped; /* too large to hold (MAX_PLAN, or all held buffers at their budget) */
    uint64_t plans_unmatched; /* their Query Text is not the statement's: not attached */
};
void dbp_pglog_get_stats(const struct dbp_pglog *L, struct dbp_pglog_stats *out);

#endif
