/*
 * report_int.h -- internal declarations shared by the report writers
 * (report.c, report_json.c, report_text.c, report_md.c) and the report
 * loader (report_load.c).
 *
 * The emitter is the one structured-output API of STYLE.md section 9:
 * open_group / prop_text / prop_num / close_group, with the output syntax
 * chosen by a switch on the emitter's format (as PostgreSQL's
 * explain_format.c does). JSON is its main backend; the text backend writes
 * indented "key: value" lines and is used for plan trees in the text report.
 */
#ifndef DBPERF_REPORT_INT_H
#define DBPERF_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <dbperf/buf.h>
#include <dbperf/model.h>
#include <dbperf/report.h>

#define DBP_EMIT_MAX_DEPTH 256

enum dbp_emit_format { DBP_EMIT_JSON = 0, DBP_EMIT_TEXT };

struct dbp_emit {
    enum dbp_emit_format format;
    struct dbp_buf *out; /* not owned */
    FILE *sink;          /* when set, out is written to it and cleared as it grows; NULL */
    bool sink_failed;    /* a write to sink failed */
    int depth;
    int indent;                         /* spaces per level */
    bool first[DBP_EMIT_MAX_DEPTH + 1]; /* nothing emitted yet at this level */
    bool array[DBP_EMIT_MAX_DEPTH + 1]; /* the group at this level is a list */
};

void dbp_emit_init(struct dbp_emit *w, enum dbp_emit_format format, struct dbp_buf *out);
/* Start a group: an object (array false) or a list (array true). name is NULL inside a list. */
void dbp_emit_open_group(struct dbp_emit *w, const char *name, bool array);
void dbp_emit_close_group(struct dbp_emit *w);
/* A string property; NULL is written as null. */
void dbp_emit_prop_text(struct dbp_emit *w, const char *name, const char *value);
/* A number; NaN and infinities are written as null. */
void dbp_emit_prop_num(struct dbp_emit *w, const char *name, double value);
/* An integer count; a negative value means unknown and is written as null. */
void dbp_emit_prop_int(struct dbp_emit *w, const char *name, int64_t value);
/* An unsigned count (never null). */
void dbp_emit_prop_uint(struct dbp_emit *w, const char *name, uint64_t value);
void dbp_emit_prop_bool(struct dbp_emit *w, const char *name, bool value);
/* An explicit null. */
void dbp_emit_prop_null(struct dbp_emit *w, const char *name);

/* s as a JSON string literal (quotes included) into b: control characters
 * escaped, invalid UTF-8 replaced by U+FFFD. */
void dbp_json_quote(struct dbp_buf *b, const char *s);

/* ---- helpers shared by the writers ------------------------------------ */

/* us since the epoch as ISO 8601 UTC ("2024-05-01T12:00:00Z", with ".uuuuuu" when
 * the microseconds are not zero) into out[32]. */
void dbp_report_iso8601(int64_t us, char out[32]);
/* Parse what dbp_report_iso8601 writes (also "+00:00" and fractions of any length).
 * Returns 0 and *us, or -1. */
int dbp_report_parse_iso8601(const char *s, int64_t *us);
/* fpid as 16 upper-case hex digits into out[17]. */
void dbp_report_fpid_hex(uint64_t fpid, char out[17]);
/* The time the report is "generated at": o->generated_us, else $DBPERF_NOW
 * (seconds since the epoch or ISO 8601), else now. */
int64_t dbp_report_now_us(const struct dbp_report_opts *o);

/* Statements sorted by total time (descending, then first appearance), limited to
 * o->top (0 = all). Returns a heap array (free()) of *n pointers. */
const struct dbp_stmt **dbp_report_top_stmts(const struct dbp_snapshot *snap,
                                             const struct dbp_report_opts *o, size_t *n);

/* A plan condition safe to print: the text itself with show_literals, else its
 * constants replaced: by $n for SQL (dbp_fingerprint, DBP_FP_PGSS), by ? for the
 * values of a MongoDB filter document (engine MONGODB or text starting with '{').
 * Result is in tmp (valid until tmp changes) or NULL when cond is NULL. */
const char *dbp_report_mask(const char *cond, enum dbp_engine engine, bool show_literals,
                            struct dbp_buf *tmp);

/* Index flags as names, in bit order ("primary", "unique", ...). */
const char *dbp_report_index_flag_name(unsigned bit);
#define DBP_REPORT_INDEX_FLAG_BITS 10

/* ---- text helpers (report_text.c), shared with the Markdown writer ---- */

/* Append s to out with control characters and whitespace runs collapsed to one
 * space, leading/trailing space dropped and invalid UTF-8 bytes shown as '?'. */
void dbp_report_clean(struct dbp_buf *out, const char *s);
/* Display columns of the UTF-8 string s (one per code point). */
size_t dbp_report_cols(const char *s);
/* Append at most cols columns of the clean string s to out, ending in "..." when cut.
 * Returns the columns appended. */
size_t dbp_report_fit(struct dbp_buf *out, const char *s, size_t cols);
/* Compact numbers for tables: milliseconds, counts, bytes, general values ("-" when
 * unknown) into out[24]. */
void dbp_report_fmt_ms(double ms, char out[24]);
void dbp_report_fmt_count(double n, char out[24]);
void dbp_report_fmt_bytes(double bytes, char out[24]);
void dbp_report_fmt_value(double v, char out[24]);

/* The JSON report into out; with sink != NULL, out is flushed to sink as it grows
 * (DBP_ERR_IO if a write failed), and what remains is left in out. */
int dbp_report_write_json(struct dbp_buf *out, FILE *sink, const struct dbp_snapshot *snap,
                          const struct dbp_report_opts *o);
/* The text and Markdown reports into out (sink unused: they are bounded by --top). */
int dbp_report_write_text(struct dbp_buf *out, FILE *sink, const struct dbp_snapshot *snap,
                          const struct dbp_report_opts *o);
int dbp_report_write_md(struct dbp_buf *out, FILE *sink, const struct dbp_snapshot *snap,
                        const struct dbp_report_opts *o);

#endif
