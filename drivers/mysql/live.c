/*
 * live.c -- PLACEHOLDER: the live MySQL collector is not implemented yet.
 */
#include <dbperf/error.h>

#include "my_int.h"

int dbp_my_accepts_target(const char *target)
{
    (void)target;
    return 0;
}

int dbp_my_connect(const struct dbp_conn_opts *o, void **ctx, struct dbp_error *err)
{
    (void)o;
    *ctx = NULL;
    return dbp_error_set(err, DBP_ERR_UNSUPPORTED, "live MySQL: not implemented yet");
}

void dbp_my_disconnect(void *ctx)
{
    (void)ctx;
}

int dbp_my_collect(void *ctx, struct dbp_snapshot *snap, struct dbp_source *src,
                   struct dbp_error *err)
{
    (void)ctx;
    (void)snap;
    (void)src;
    return dbp_error_set(err, DBP_ERR_UNSUPPORTED, "live MySQL: not implemented yet");
}

int dbp_my_explain(void *ctx, struct dbp_snapshot *snap, struct dbp_error *err)
{
    (void)ctx;
    (void)snap;
    (void)err;
    return 0;
}
