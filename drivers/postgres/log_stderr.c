/*
 * log_stderr.c -- PLACEHOLDER: the postgres-stderr format is not implemented yet.
 */
#include <dbperf/error.h>

#include "pg_int.h"

static int probe(const unsigned char *head, size_t len)
{
    (void)head;
    (void)len;
    return 0;
}

static int parse(struct dbp_reader *r, const struct dbp_parse_opts *o, struct dbp_snapshot *snap,
                 struct dbp_source *src, struct dbp_error *err)
{
    (void)r;
    (void)o;
    (void)snap;
    (void)src;
    return dbp_error_set(err, DBP_ERR_UNSUPPORTED, "postgres-stderr: not implemented yet");
}

const struct dbp_format dbp_pg_stderr_format = {
    .name = "postgres-stderr",
    .summary = "not implemented yet",
    .probe = probe,
    .parse = parse,
};
