/*
 * report.h -- writing a snapshot and its findings as text, JSON or Markdown,
 * and reading a saved JSON report back.
 *
 * The JSON report follows docs/report.schema.json, whose "version" is
 * DBP_REPORT_VERSION. Literals never appear unless show_literals is set:
 * statements are reported by their normalized text.
 */
#ifndef DBPERF_REPORT_H
#define DBPERF_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <dbperf/model.h>

struct dbp_error;

#define DBP_REPORT_VERSION 1

enum dbp_report_format { DBP_REPORT_TEXT = 0, DBP_REPORT_JSON, DBP_REPORT_MARKDOWN };

/* "text", "json", "markdown" (or "md"); -1 if unknown. */
int dbp_report_format_parse(const char *name);

struct dbp_report_opts {
    enum dbp_report_format format;
    size_t top;          /* statements listed (by total time); 0 = all */
    bool color;          /* ANSI colour in text (the caller decides: tty and no NO_COLOR) */
    bool show_literals;  /* include raw examples */
    int width;           /* text width; 80 if 0 */
    const char *tool_version;
    /* "generated_at" in us since the epoch; 0 = $DBPERF_NOW if set (seconds since
     * the epoch or ISO 8601 UTC, for reproducible output), else the current time */
    int64_t generated_us;
};

/*
 * The input format "dbperf-json": a saved JSON report read back as a source
 * (statements with their aggregates, plans, indexes, tables; findings are
 * recomputed). Registered with the core formats in src/driver_registry.c.
 */
struct dbp_format;
extern const struct dbp_format dbp_report_json_format;

/* Write the report. DBP_ERR_IO if writing failed. */
int dbp_report_write(FILE *out, const struct dbp_snapshot *snap,
                     const struct dbp_report_opts *o, struct dbp_error *err);

#endif
