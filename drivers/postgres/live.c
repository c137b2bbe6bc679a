/*
 * live.c -- PLACEHOLDER: the live PostgreSQL collector is not implemented yet.
 */
#include <dbperf/error.h>

#include "pg_int.h"

int dbp_pg_accepts_target(const char *target)
{
    (void)target;
    return 0;
}

int dbp_pg_connect(const struct dbp_conn_opts *o, void **ctx, struct dbp_error *err)
{
    (void)o;
    *ctx = NULL;
    return dbp_error_set(err, DBP_ERR_UNSUPPORTED, "live PostgreSQL: not implemented yet");
}

void dbp_pg_disconnect(void *ctx)
{
    (void)ctx;
}

int dbp_pg_collect(void *ctx, struct dbp_snapshot *snap, struct dbp_source *src,
                   struct dbp_error *err)
{
    (void)ctx;
    (void)snap;
    (void)src;
    return dbp_error_set(err, DBP_ERR_UNSUPPORTED, "live PostgreSQL: not implemented yet");
}

int dbp_pg_explain(void *ctx, struct dbp_snapshot *snap, struct dbp_error *err)
{
    (void)ctx;
    (void)snap;
    (void)err;
    return 0;
}
