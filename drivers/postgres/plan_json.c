/*
 * plan_json.c -- PLACEHOLDER: the postgres-plan-json format is not implemented yet.
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
    return dbp_error_set(err, DBP_ERR_UNSUPPORTED, "postgres-plan-json: not implemented yet");
}

const struct dbp_format dbp_pg_plan_json_format = {
    .name = "postgres-plan-json",
    .summary = "not implemented yet",
    .probe = probe,
    .parse = parse,
};

int dbp_pg_plan_from_json(struct dbp_snapshot *snap, const char *text, size_t len, const char *origin,
                          struct dbp_plan **out, struct dbp_error *err)
{
    (void)snap;
    (void)text;
    (void)len;
    (void)origin;
    *out = NULL;
    return dbp_error_set(err, DBP_ERR_UNSUPPORTED, "plan parser not implemented yet");
}
