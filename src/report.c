/*
 * report.c -- PLACEHOLDER: report writers land with the report module.
 */
#include <string.h>

#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/report.h>

int dbp_report_format_parse(const char *name)
{
    if (strcmp(name, "text") == 0)
        return DBP_REPORT_TEXT;
    if (strcmp(name, "json") == 0)
        return DBP_REPORT_JSON;
    if (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0)
        return DBP_REPORT_MARKDOWN;
    return -1;
}

int dbp_report_write(FILE *out, const struct dbp_snapshot *snap, const struct dbp_report_opts *o,
                     struct dbp_error *err)
{
    (void)o;
    (void)err;
    fprintf(out, "%zu statements, %zu findings\n", snap->stmts.n, snap->findings.n);
    return DBP_OK;
}

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
    return dbp_error_set(err, DBP_ERR_UNSUPPORTED, "not implemented");
}

const struct dbp_format dbp_report_json_format = {
    .name = "dbperf-json",
    .summary = "a saved dbperf JSON report",
    .probe = probe,
    .parse = parse,
};
