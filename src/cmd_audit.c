/*
 * cmd_audit.c -- `dbperf audit SOURCE...`: collect every source into one
 * snapshot, run the rules, write the report, and exit for CI.
 *
 * A source is a server target (URI or connection string, routed to the
 * driver that accepts it), a file ("-" for standard input), each recognised
 * automatically unless --type names the format. A source that cannot be read
 * is reported on stderr as one line naming it; the other sources are still
 * analysed and reported, and the exit code is then 3.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dbperf/arena.h>
#include <dbperf/config.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/reader.h>
#include <dbperf/report.h>
#include <dbperf/rules.h>

#include "cmd.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dbperf audit [OPTIONS] SOURCE...\n\n"
            "Analyse server logs, saved plans, saved reports and live servers; report\n"
            "statement classes, plans, indexes and findings.\n\n"
            "A SOURCE is a file (\"-\" for standard input; gzip is read directly) or a server:\n"
            "  postgresql://user@host:5432/db, \"host=... dbname=...\", mysql://..., mongodb://...\n"
            "Passwords in a SOURCE are never printed.\n\n"
            "Options:\n"
            "  -f, --format FMT      text (default), json or markdown\n"
            "  -o, --output FILE     write the report to FILE instead of standard output\n"
            "  -n, --top N           statements listed, by total time (default 20; 0 = all)\n"
            "      --fail-on SEV     exit 1 when a finding is at least SEV:\n"
            "                        info, warning or critical (default: never)\n"
            "  -t, --type FORMAT     read every file SOURCE as FORMAT (see --list-types)\n"
            "      --list-types      list the input formats and exit\n"
            "  -c, --config FILE     thresholds (default ~/.config/dbperf/dbperf.conf)\n"
            "      --log-prefix STR  PostgreSQL log_line_prefix of stderr logs\n"
            "      --show-literals   include one real example per statement (may hold data)\n"
            "      --no-color        no colour in text output (also NO_COLOR=1)\n"
            "      --analyze         live PostgreSQL: EXPLAIN ANALYZE (SELECT statements only)\n"
            "      --no-hypothetical never create hypopg hypothetical indexes\n"
            "      --statement-timeout MS  per query sent to a server (default 5000)\n"
            "  -h, --help            this help\n\n"
            "Exit status: 0 nothing reached --fail-on, 1 something did, 2 usage error,\n"
            "3 a source could not be read or data in it was skipped.\n");
}

static void list_types(void)
{
    size_t nd;
    const struct dbp_driver *const *drv = dbp_drivers(&nd);
    printf("%-22s %-9s %s\n", "FORMAT", "ENGINE", "DESCRIPTION");
    printf("%-22s %-9s %s\n", dbp_report_json_format.name, "any", dbp_report_json_format.summary);
    for (size_t d = 0; d < nd; d++)
        for (size_t f = 0; f < drv[d]->n_formats; f++)
            printf("%-22s %-9s %s\n", drv[d]->formats[f]->name, dbp_engine_name(drv[d]->engine),
                   drv[d]->formats[f]->summary);
}

struct audit_opts {
    struct dbp_report_opts report;
    const char *output;
    const char *type;
    const char *config_path;
    const char *log_prefix;
    int fail_on;
    bool no_color;
    struct dbp_conn_opts conn;
};

/* Read one file source into snap. Returns 0 or DBP_EXIT_SOURCE. */
static int audit_file(const char *path, const struct audit_opts *o,
                      const struct dbp_parse_opts *po, struct dbp_snapshot *snap)
{
    struct dbp_error err = {0};
    struct dbp_reader *r = NULL;
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (dbp_reader_open(path, &r, &err) != DBP_OK) {
        struct dbp_source *src = dbp_snapshot_add_source(snap, shown, "unreadable");
        src->status = err.code;
        src->error = dbp_arena_strdup(snap->arena, err.message);
        fprintf(stderr, "dbperf: %s\n", err.message);
        return DBP_EXIT_SOURCE;
    }
    const struct dbp_format *fmt;
    const struct dbp_driver *drv = NULL;
    if (o->type) {
        fmt = dbp_format_find(o->type, &drv);
    } else {
        size_t hl;
        const unsigned char *head = dbp_reader_head(r, &hl);
        if (hl == 0) {
            struct dbp_source *src = dbp_snapshot_add_source(snap, shown, "empty");
            src->status = DBP_ERR_UNKNOWN_FMT;
            src->error = dbp_arena_printf(snap->arena, "%s: empty input", shown);
            fprintf(stderr, "dbperf: %s: empty input, nothing to analyse\n", shown);
            dbp_reader_close(r);
            return DBP_EXIT_SOURCE;
        }
        fmt = dbp_format_detect(head, hl, &drv);
        if (!fmt) {
            struct dbp_source *src = dbp_snapshot_add_source(snap, shown, "unknown");
            src->status = DBP_ERR_UNKNOWN_FMT;
            src->error = dbp_arena_printf(snap->arena, "%s: format not recognised", shown);
            fprintf(stderr,
                    "dbperf: %s: not a recognised log, plan or report "
                    "(see `dbperf audit --list-types`; --type forces one)\n",
                    shown);
            dbp_reader_close(r);
            return DBP_EXIT_SOURCE;
        }
    }
    struct dbp_source *src = dbp_snapshot_add_source(snap, shown, fmt->name);
    src->engine = drv ? drv->engine : DBP_ENGINE_UNKNOWN;
    uint64_t diags_before = snap->n_diags;
    int rc = fmt->parse(r, po, snap, src, &err);
    src->bytes = dbp_reader_bytes(r);
    dbp_reader_close(r);
    if (rc != DBP_OK) {
        src->status = rc;
        src->error = dbp_arena_strdup(snap->arena, err.message);
        uint64_t more = snap->n_diags - diags_before;
        fprintf(stderr, "dbperf: %s%s\n", err.message[0] ? err.message : shown,
                more > 1 ? " (and more: see the report's diagnostics)" : "");
        return DBP_EXIT_SOURCE;
    }
    return 0;
}

/* Collect one server target into snap. Returns 0 or DBP_EXIT_SOURCE. */
static int audit_target(const char *target, const struct dbp_driver *drv,
                        const struct audit_opts *o, struct dbp_snapshot *snap)
{
    struct dbp_error err = {0};
    char *shown = dbp_target_redact(snap->arena, target);
    struct dbp_source *src = dbp_snapshot_add_source(snap, shown, drv->name);
    src->engine = drv->engine;
    struct dbp_conn_opts co = o->conn;
    co.target = target;
    void *ctx = NULL;
    int rc = drv->connect(&co, &ctx, &err);
    if (rc == DBP_OK)
        rc = drv->collect(ctx, snap, src, &err);
    if (rc == DBP_OK && drv->explain && (drv->caps & DBP_CAP_EXPLAIN)) {
        rc = drv->explain(ctx, snap, &err);
    }
    if (ctx)
        drv->disconnect(ctx);
    if (rc != DBP_OK) {
        src->status = rc;
        /* the driver's message names the server; make sure no password slips through */
        src->error = dbp_target_redact(snap->arena, err.message);
        fprintf(stderr, "dbperf: %s: %s\n", shown, src->error);
        return DBP_EXIT_SOURCE;
    }
    return 0;
}

static int is_file_like(const char *s)
{
    return strcmp(s, "-") == 0 || access(s, F_OK) == 0;
}

int dbp_cmd_audit(int argc, char **argv)
{
    enum { OPT_FAIL_ON = 256, OPT_LIST_TYPES, OPT_LOG_PREFIX, OPT_SHOW_LITERALS, OPT_NO_COLOR,
           OPT_ANALYZE, OPT_NO_HYPO, OPT_TIMEOUT };
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"top", required_argument, NULL, 'n'},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"type", required_argument, NULL, 't'},
        {"list-types", no_argument, NULL, OPT_LIST_TYPES},
        {"config", required_argument, NULL, 'c'},
        {"log-prefix", required_argument, NULL, OPT_LOG_PREFIX},
        {"show-literals", no_argument, NULL, OPT_SHOW_LITERALS},
        {"no-color", no_argument, NULL, OPT_NO_COLOR},
        {"analyze", no_argument, NULL, OPT_ANALYZE},
        {"no-hypothetical", no_argument, NULL, OPT_NO_HYPO},
        {"statement-timeout", required_argument, NULL, OPT_TIMEOUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct audit_opts o = {0};
    o.report.format = DBP_REPORT_TEXT;
    o.report.top = 20;
    o.report.tool_version = DBPERF_VERSION;
    o.fail_on = DBP_SEV_NONE;
    o.conn.statement_timeout_ms = 5000;
    o.conn.top_n = 20;
    o.conn.hypothetical = true;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:n:t:c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': {
            int f = dbp_report_format_parse(optarg);
            if (f < 0) {
                fprintf(stderr, "dbperf audit: --format must be text, json or markdown\n");
                return DBP_EXIT_USAGE;
            }
            o.report.format = (enum dbp_report_format)f;
            break;
        }
        case 'o':
            o.output = optarg;
            break;
        case 'n': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0) {
                fprintf(stderr, "dbperf audit: --top needs a number >= 0\n");
                return DBP_EXIT_USAGE;
            }
            o.report.top = (size_t)v;
            o.conn.top_n = v > 0 && v < 1000 ? (int)v : 20;
            break;
        }
        case OPT_FAIL_ON:
            o.fail_on = dbp_severity_parse(optarg);
            if (o.fail_on < 0) {
                fprintf(stderr, "dbperf audit: --fail-on must be info, warning, critical or none\n");
                return DBP_EXIT_USAGE;
            }
            break;
        case 't':
            if (!dbp_format_find(optarg, NULL)) {
                fprintf(stderr, "dbperf audit: unknown --type `%s` (see --list-types)\n", optarg);
                return DBP_EXIT_USAGE;
            }
            o.type = optarg;
            break;
        case OPT_LIST_TYPES:
            list_types();
            return DBP_EXIT_OK;
        case 'c':
            o.config_path = optarg;
            break;
        case OPT_LOG_PREFIX:
            o.log_prefix = optarg;
            break;
        case OPT_SHOW_LITERALS:
            o.report.show_literals = true;
            break;
        case OPT_NO_COLOR:
            o.no_color = true;
            break;
        case OPT_ANALYZE:
            o.conn.analyze = true;
            break;
        case OPT_NO_HYPO:
            o.conn.hypothetical = false;
            break;
        case OPT_TIMEOUT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v <= 0 || v > 3600000) {
                fprintf(stderr, "dbperf audit: --statement-timeout needs milliseconds (1..3600000)\n");
                return DBP_EXIT_USAGE;
            }
            o.conn.statement_timeout_ms = (int)v;
            break;
        }
        case 'h':
            usage(stdout);
            return DBP_EXIT_OK;
        default:
            fprintf(stderr, "Try `dbperf audit --help`.\n");
            return DBP_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "dbperf audit: no SOURCE given (a log file, plan, report or server)\n");
        usage(stderr);
        return DBP_EXIT_USAGE;
    }

    /* configuration: --config must exist; the default path may not */
    struct dbp_error err = {0};
    struct dbp_config *config = NULL;
    char *default_path = o.config_path ? NULL : dbp_config_default_path();
    const char *cpath = o.config_path ? o.config_path : default_path;
    if (cpath) {
        if (dbp_config_load(cpath, o.config_path != NULL, &config, &err) != DBP_OK) {
            fprintf(stderr, "dbperf audit: %s\n", err.message);
            free(default_path);
            return DBP_EXIT_USAGE;
        }
    } else {
        config = dbp_config_empty();
    }
    free(default_path);
    o.conn.config = config;

    struct dbp_snapshot *snap = dbp_snapshot_new();
    double v = dbp_rule_param_lookup(config, "n-plus-one", "min_repeats");
    if (v == v && v >= 2)
        snap->burst_min_repeats = (uint64_t)v;
    v = dbp_rule_param_lookup(config, "n-plus-one", "max_gap_ms");
    if (v == v && v >= 0)
        snap->burst_max_gap_ms = v;

    struct dbp_parse_opts po = {.log_prefix = o.log_prefix, .config = config};
    int exit_code = DBP_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        const char *s = argv[i];
        const struct dbp_driver *drv = NULL;
        int rc;
        if (!o.type && !is_file_like(s) && (drv = dbp_driver_for_target(s)) != NULL) {
            rc = audit_target(s, drv, &o, snap);
        } else {
            rc = audit_file(s, &o, &po, snap);
        }
        if (rc)
            exit_code = rc;
    }
    dbp_snapshot_sessions_flush(snap);

    if (dbp_rules_run(snap, config, &err) != DBP_OK) {
        fprintf(stderr, "dbperf audit: %s\n", err.message);
        dbp_snapshot_free(snap);
        dbp_config_free(config);
        return DBP_EXIT_USAGE;
    }

    FILE *out = stdout;
    if (o.output) {
        out = fopen(o.output, "w");
        if (!out) {
            perror(o.output);
            dbp_snapshot_free(snap);
            dbp_config_free(config);
            return DBP_EXIT_USAGE;
        }
    }
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    o.report.color = !o.no_color && !(nc && *nc) && isatty(fileno(out)) &&
                     !(term && strcmp(term, "dumb") == 0);
    if (dbp_report_write(out, snap, &o.report, &err) != DBP_OK) {
        fprintf(stderr, "dbperf audit: %s\n", err.message);
        exit_code = DBP_EXIT_USAGE;
    }
    if (o.output && fclose(out) != 0) {
        perror(o.output);
        exit_code = DBP_EXIT_USAGE;
    } else if (!o.output && fflush(out) != 0) {
        exit_code = DBP_EXIT_USAGE;
    }

    if (exit_code == DBP_EXIT_OK && o.fail_on > DBP_SEV_NONE) {
        for (size_t i = 0; i < snap->findings.n; i++) {
            const struct dbp_finding *f = snap->findings.items[i];
            if ((int)f->severity >= o.fail_on) {
                exit_code = DBP_EXIT_FINDINGS;
                break;
            }
        }
    }
    dbp_snapshot_free(snap);
    dbp_config_free(config);
    return exit_code;
}
