/*
 * pg_int.h -- internal to the PostgreSQL driver: the pieces driver.c assembles.
 */
#ifndef DBPERF_PG_INT_H
#define DBPERF_PG_INT_H

#include <stddef.h>

#include <dbperf/driver.h>

struct dbp_error;

/* log files (log_stderr.c, log_csv.c, log_json.c) */
extern const struct dbp_format dbp_pg_stderr_format; /* "postgres-stderr" */
extern const struct dbp_format dbp_pg_csv_format;    /* "postgres-csv" */
extern const struct dbp_format dbp_pg_json_format;   /* "postgres-json" (jsonlog, 15+) */

/* saved plans (plan_json.c, plan_text.c) */
extern const struct dbp_format dbp_pg_plan_json_format; /* "postgres-plan-json" */
extern const struct dbp_format dbp_pg_plan_text_format; /* "postgres-plan-text" */

/*
 * Parse one EXPLAIN (FORMAT JSON) document -- as EXPLAIN prints it (an array
 * of one object with "Plan") or as auto_explain logs it (an object with
 * "Query Text" and "Plan") -- into a plan in snap's arena. The plan is not
 * added to the snapshot; the caller sets plan->stmt and calls
 * dbp_snapshot_add_plan. DBP_ERR_FORMAT with a message on malformed input.
 */
int dbp_pg_plan_from_json(struct dbp_snapshot *snap, const char *text, size_t len,
                          const char *origin, struct dbp_plan **out, struct dbp_error *err);

/* The same for EXPLAIN's default text format (as auto_explain logs it). */
int dbp_pg_plan_from_text(struct dbp_snapshot *snap, const char *text, size_t len,
                          const char *origin, struct dbp_plan **out, struct dbp_error *err);

/* live server (live.c) */
int dbp_pg_accepts_target(const char *target);
int dbp_pg_connect(const struct dbp_conn_opts *o, void **ctx, struct dbp_error *err);
void dbp_pg_disconnect(void *ctx);
int dbp_pg_collect(void *ctx, struct dbp_snapshot *snap, struct dbp_source *src,
                   struct dbp_error *err);
int dbp_pg_explain(void *ctx, struct dbp_snapshot *snap, struct dbp_error *err);
int dbp_pg_verify(void *ctx, struct dbp_snapshot *snap, struct dbp_finding *f, bool *keep,
                  struct dbp_error *err);

#endif
