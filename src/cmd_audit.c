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
#include <time.h>
#include <unistd.h>

#include <dbperf/arena.h>
#include <dbperf/config.h>
#include <dbperf/diff.h>
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
            "      --baseline FILE   compare with an earlier audit (a saved JSON report):\n"
            "                        the regression rule flags classes that got slower\n"
            "      --interval DUR    servers: measure a window instead of counters since\n"
            "                        reset: two snapshots DUR apart (e.g. 60s, 5min)\n"
            "  -j, --jobs N          parse each large log file (>= 16 MiB) in up to N\n"
            "                        chunks at once, one thread each (default 1); the\n"
            "                        result is the same as with -j 1\n"
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
    const char *baseline;
    double interval_s;
    int jobs;
    struct dbp_conn_opts conn;
};

/* An open server connection, kept until findings are verified. */
struct live {
    const struct dbp_driver *drv;
    void *ctx;
    struct dbp_source *src;
};

/*
 * Collect one server target into snap. On success the connection is kept in
 * *out (for verification after the rules ran). Returns 0 or DBP_EXIT_SOURCE.
 */
static int audit_target(const char *target, const struct dbp_driver *drv,
                        const struct audit_opts *o, struct dbp_snapshot *snap, struct live *out)
{
    struct dbp_error err = {0};
    char *shown = dbp_target_redact(snap->arena, target);
    struct dbp_source *src = dbp_snapshot_add_source(snap, shown, drv->name);
    src->engine = drv->engine;
    struct dbp_conn_opts co = o->conn;
    co.target = target;
    void *ctx = NULL;
    int rc = drv->connect(&co, &ctx, &err);
    struct dbp_snapshot *first = NULL;
    if (rc == DBP_OK && o->interval_s > 0) {
        /* counters since reset are no measurement window: take two snapshots */
        first = dbp_snapshot_new();
        struct dbp_source *tmp = dbp_snapshot_add_source(first, shown, drv->name);
        rc = drv->collect(ctx, first, tmp, &err);
        if (rc == DBP_OK) {
            struct timespec ts = {(time_t)o->interval_s,
                                  (long)((o->interval_s - (double)(time_t)o->interval_s) * 1e9)};
            while (nanosleep(&ts, &ts) != 0)
                ;
        }
    }
    if (rc == DBP_OK)
        rc = drv->collect(ctx, snap, src, &err);
    if (rc == DBP_OK && first)
        dbp_snapshot_subtract(snap, first);
    dbp_snapshot_free(first);
    if (rc == DBP_OK && drv->explain && (drv->caps & DBP_CAP_EXPLAIN))
        rc = drv->explain(ctx, snap, &err);
    if (rc != DBP_OK) {
        if (ctx)
            drv->disconnect(ctx);
        src->status = rc;
        /* the driver's message names the server; make sure no password slips through */
        src->error = dbp_target_redact(snap->arena, err.message);
        /* drivers usually name the server themselves: don't say it twice */
        if (strstr(src->error, shown))
            fprintf(stderr, "dbperf: %s\n", src->error);
        else
            fprintf(stderr, "dbperf: %s: %s\n", shown, src->error);
        return DBP_EXIT_SOURCE;
    }
    out->drv = drv;
    out->ctx = ctx;
    out->src = src;
    return 0;
}

/*
 * Let the drivers verify index candidates on their servers (hypopg), dropping
 * the findings whose verified improvement is too small. A finding goes to the
 * first connection of its engine (and of its database, when known).
 */
static void verify_findings(struct dbp_snapshot *snap, struct live *lives, size_t n_lives)
{
    size_t kept = 0;
    for (size_t i = 0; i < snap->findings.n; i++) {
        struct dbp_finding *f = snap->findings.items[i];
        bool keep = true;
        struct live *lv = NULL;
        for (size_t j = 0; f->candidate && j < n_lives; j++) {
            if (lives[j].drv->engine != f->engine || !lives[j].drv->verify)
                continue;
            if (!lv)
                lv = &lives[j];
            if (f->candidate->database && lives[j].src->name &&
                strstr(lives[j].src->name, f->candidate->database)) {
                lv = &lives[j];
                break;
            }
        }
        if (lv) {
            struct dbp_error err = {0};
            if (lv->drv->verify(lv->ctx, snap, f, &keep, &err) != DBP_OK) {
                keep = true;
                dbp_snapshot_diag(snap, "%s: could not verify %s: %s", lv->src->name,
                                  f->object ? f->object : f->rule, err.message);
            }
        }
        if (keep)
            snap->findings.items[kept++] = f;
    }
    snap->findings.n = kept;
}

static int is_file_like(const char *s)
{
    return strcmp(s, "-") == 0 || access(s, F_OK) == 0;
}

int dbp_cmd_audit(int argc, char **argv)
{
    enum { OPT_FAIL_ON = 256, OPT_LIST_TYPES, OPT_LOG_PREFIX, OPT_SHOW_LITERALS, OPT_NO_COLOR,
           OPT_ANALYZE, OPT_NO_HYPO, OPT_TIMEOUT, OPT_BASELINE, OPT_INTERVAL };
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
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"jobs", required_argument, NULL, 'j'},
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
    while ((c = getopt_long(argc, argv, "f:o:n:t:c:j:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 256) {
                fprintf(stderr, "dbperf audit: --jobs needs a number from 1 to 256\n");
                return DBP_EXIT_USAGE;
            }
            o.jobs = (int)v;
            break;
        }
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
        case OPT_BASELINE:
            o.baseline = optarg;
            break;
        case OPT_INTERVAL: {
            char *end;
            double v = strtod(optarg, &end);
            double mul = !*end || !strcmp(end, "s") ? 1 : !strcmp(end, "ms") ? 0.001
                         : !strcmp(end, "min") || !strcmp(end, "m") ? 60
                         : !strcmp(end, "h") ? 3600 : -1;
            if (end == optarg || mul < 0 || !(v * mul > 0) || v * mul > 86400) {
                fprintf(stderr, "dbperf audit: --interval needs a duration such as 60s or 5min\n");
                return DBP_EXIT_USAGE;
            }
            o.interval_s = v * mul;
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

    struct dbp_parse_opts po = {.log_prefix = o.log_prefix, .config = config, .jobs = o.jobs};
    int exit_code = DBP_EXIT_OK;
    struct dbp_snapshot *base = NULL;
    if (o.baseline) {
        base = dbp_snapshot_new();
        if (dbp_cmd_read_file(o.baseline, NULL, &po, base))
            exit_code = DBP_EXIT_SOURCE;
        dbp_snapshot_sessions_flush(base);
        snap->baseline = base;
    }
    struct live *lives = dbp_xcalloc((size_t)argc, sizeof *lives);
    size_t n_lives = 0;
    for (int i = optind; i < argc; i++) {
        const char *s = argv[i];
        const struct dbp_driver *drv = NULL;
        int rc;
        if (!o.type && !is_file_like(s) && (drv = dbp_driver_for_target(s)) != NULL) {
            rc = audit_target(s, drv, &o, snap, &lives[n_lives]);
            if (rc == 0)
                n_lives++;
        } else {
            rc = dbp_cmd_read_file(s, o.type, &po, snap);
        }
        if (rc)
            exit_code = rc;
    }
    dbp_snapshot_sessions_flush(snap);

    int rrc = dbp_rules_run(snap, config, &err);
    if (rrc == DBP_OK)
        verify_findings(snap, lives, n_lives);
    for (size_t i = 0; i < n_lives; i++)
        lives[i].drv->disconnect(lives[i].ctx);
    free(lives);
    if (rrc != DBP_OK) {
        fprintf(stderr, "dbperf audit: %s\n", err.message);
        dbp_snapshot_free(snap);
        dbp_snapshot_free(base);
        dbp_config_free(config);
        return DBP_EXIT_USAGE;
    }

    FILE *out = stdout;
    if (o.output) {
        out = fopen(o.output, "w");
        if (!out) {
            perror(o.output);
            dbp_snapshot_free(snap);
            dbp_snapshot_free(base);
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
    dbp_snapshot_free(base);
    dbp_config_free(config);
    return exit_code;
}
