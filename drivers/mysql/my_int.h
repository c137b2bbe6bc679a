/*
 * my_int.h -- internal to the MySQL/MariaDB driver: the pieces driver.c assembles.
 */
#ifndef DBPERF_MY_INT_H
#define DBPERF_MY_INT_H

#include <stddef.h>

#include <dbperf/driver.h>

struct dbp_error;

/* slow query logs (slowlog.c): MySQL 5.6-8.x, Percona Server, MariaDB */
extern const struct dbp_format dbp_my_slow_format; /* "mysql-slow" */

/* saved plans (plan_json.c): EXPLAIN FORMAT=JSON / ANALYZE FORMAT=JSON */
extern const struct dbp_format dbp_my_plan_json_format; /* "mysql-plan-json" */

/*
 * Parse one EXPLAIN FORMAT=JSON document (MySQL's or MariaDB's dialect, with
 * or without ANALYZE figures) into a plan in snap's arena. Not added to the
 * snapshot: the caller sets plan->stmt and calls dbp_snapshot_add_plan.
 */
int dbp_my_plan_from_json(struct dbp_snapshot *snap, const char *text, size_t len,
                          const char *origin, struct dbp_plan **out, struct dbp_error *err);

/* live server (live.c) */
int dbp_my_accepts_target(const char *target);
int dbp_my_connect(const struct dbp_conn_opts *o, void **ctx, struct dbp_error *err);
void dbp_my_disconnect(void *ctx);
int dbp_my_collect(void *ctx, struct dbp_snapshot *snap, struct dbp_source *src,
                   struct dbp_error *err);
int dbp_my_explain(void *ctx, struct dbp_snapshot *snap, struct dbp_error *err);

#endif
