/*
 * cmd_tui.c -- `dbperf tui SOURCE...`: browse statements, findings, indexes
 * and plans in the terminal (src/tui/), refreshing live servers every -d
 * seconds.
 *
 * Sources are those of audit: files (logs, saved plans, saved JSON reports;
 * --from FILE names a saved report) and server targets. This file owns the
 * server connections; the TUI only receives finished snapshots through the
 * refresh callback, so screens never call a driver. A server that cannot be
 * reached during a refresh is reported on the status line, the last good
 * snapshot stays on screen, and the next tick reconnects.
 */
#include <fcntl.h>
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
#include <dbperf/report.h>
#include <dbperf/rules.h>

#include "cmd.h"
#include "tui/tui.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dbperf tui [OPTIONS] SOURCE...\n"
            "       dbperf tui [OPTIONS] --from REPORT.json\n\n"
            "Browse statement classes, findings, indexes and plans in the terminal.\n"
            "SOURCEs are those of `dbperf audit`: log files, saved plans, saved JSON reports\n"
            "and servers (postgresql://..., mysql://..., mongodb://...).\n\n"
            "Options:\n"
            "  -d, --delay SECS      live mode: collect again every SECS seconds and show\n"
            "                        per-interval deltas (calls/s, time/s)\n"
            "      --from FILE       browse a saved report (dbperf audit --format json)\n"
            "  -t, --type FORMAT     read every file SOURCE as FORMAT\n"
            "  -c, --config FILE     thresholds (default ~/.config/dbperf/dbperf.conf)\n"
            "      --log-prefix STR  PostgreSQL log_line_prefix of stderr logs\n"
            "      --show-literals   show each class's example instead of its normalized text\n"
            "      --no-color        no colour (also NO_COLOR=1)\n"
            "      --statement-timeout MS  per query sent to a server (default 5000)\n"
            "  -w, --write-to FILE   default file for the `w` key (dbperf-suggestion.sql)\n"
            "  -h, --help            this help\n\n"
            "Keys: Tab or 1-4 switch view, Enter drills down, Esc goes back, / filters,\n"
            "s sorts, y copies a suggestion (OSC 52), w writes it to a file, ? help, q quits.\n");
}

struct tui_conn {
    const char *target;
    const struct dbp_driver *drv;
    void *ctx; /* NULL while disconnected */
};

struct tui_sources {
    const char **files;
    size_t n_files;
    struct tui_conn *conns;
    size_t n_conns;
    const char *type;
    struct dbp_parse_opts po;
    struct dbp_conn_opts conn;
    const struct dbp_config *config;
};

/* One server into snap; on failure the connection is dropped and msg says why. */
static int collect_server(struct tui_sources *s, struct tui_conn *c, struct dbp_snapshot *snap,
                          char *msg, size_t msg_len)
{
    struct dbp_error err = {0};
    char *shown = dbp_target_redact(snap->arena, c->target);
    struct dbp_source *src = dbp_snapshot_add_source(snap, shown, c->drv->name);
    src->engine = c->drv->engine;
    int rc = DBP_OK;
    if (!c->ctx) {
        struct dbp_conn_opts co = s->conn;
        co.target = c->target;
        rc = c->drv->connect(&co, &c->ctx, &err);
        if (rc != DBP_OK)
            c->ctx = NULL;
    }
    if (rc == DBP_OK)
        rc = c->drv->collect(c->ctx, snap, src, &err);
    if (rc == DBP_OK && c->drv->explain && (c->drv->caps & DBP_CAP_EXPLAIN)) {
        struct dbp_error xerr = {0};
        /* plans are a bonus: a failed EXPLAIN keeps the statistics */
        if (c->drv->explain(c->ctx, snap, &xerr) != DBP_OK)
            dbp_snapshot_diag(snap, "%s: %s", shown, dbp_target_redact(snap->arena, xerr.message));
    }
    if (rc != DBP_OK) {
        c->drv->disconnect(c->ctx);
        c->ctx = NULL;
        const char *why = dbp_target_redact(snap->arena, err.message);
        snprintf(msg, msg_len, "%s %s; %s", shown, rc == DBP_ERR_CONNECT ? "unreachable" : "failed",
                 why);
        src->status = rc;
        src->error = why;
        return rc;
    }
    return DBP_OK;
}

/* The refresh callback: every source into a new snapshot, or NULL and msg. */
static struct dbp_snapshot *collect_all(void *arg, char *msg, size_t msg_len)
{
    struct tui_sources *s = arg;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    double v = dbp_rule_param_lookup(s->config, "n-plus-one", "min_repeats");
    if (v == v && v >= 2)
        snap->burst_min_repeats = (uint64_t)v;
    v = dbp_rule_param_lookup(s->config, "n-plus-one", "max_gap_ms");
    if (v == v && v >= 0)
        snap->burst_max_gap_ms = v;
    bool failed = false;
    for (size_t i = 0; i < s->n_files; i++)
        dbp_cmd_read_file(s->files[i], s->type, &s->po, snap); /* failures: in snap->sources */
    for (size_t i = 0; i < s->n_conns; i++) {
        char one[512] = "";
        if (collect_server(s, &s->conns[i], snap, one, sizeof one) != DBP_OK) {
            if (!failed)
                snprintf(msg, msg_len, "%s", one);
            failed = true;
        }
    }
    if (failed) {
        dbp_snapshot_free(snap);
        return NULL;
    }
    dbp_snapshot_sessions_flush(snap);
    struct dbp_error err = {0};
    if (dbp_rules_run(snap, s->config, &err) != DBP_OK)
        dbp_snapshot_diag(snap, "rules: %s", err.message);
    return snap;
}

static int is_file_like(const char *s)
{
    return strcmp(s, "-") == 0 || access(s, F_OK) == 0;
}

int dbp_cmd_tui(int argc, char **argv)
{
    enum {
        OPT_FROM = 256,
        OPT_LOG_PREFIX,
        OPT_SHOW_LITERALS,
        OPT_NO_COLOR,
        OPT_TIMEOUT,
        OPT_BENCH_KEYS,
        OPT_BENCH_CLASSES
    };
    static const struct option longopts[] = {
        {"delay", required_argument, NULL, 'd'},
        {"from", required_argument, NULL, OPT_FROM},
        {"type", required_argument, NULL, 't'},
        {"config", required_argument, NULL, 'c'},
        {"log-prefix", required_argument, NULL, OPT_LOG_PREFIX},
        {"show-literals", no_argument, NULL, OPT_SHOW_LITERALS},
        {"no-color", no_argument, NULL, OPT_NO_COLOR},
        {"statement-timeout", required_argument, NULL, OPT_TIMEOUT},
        {"write-to", required_argument, NULL, 'w'},
        /* hidden: the keystroke benchmark (bench/tui/) */
        {"bench-keys", required_argument, NULL, OPT_BENCH_KEYS},
        {"bench-classes", required_argument, NULL, OPT_BENCH_CLASSES},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct dbp_tui_opts to = {0};
    to.want_color = true;
    const char *from = NULL, *config_path = NULL, *bench_keys = NULL;
    size_t bench_classes = 100000;
    struct tui_sources s = {0};
    s.conn.statement_timeout_ms = 5000;
    s.conn.top_n = 20;
    s.conn.hypothetical = false; /* the TUI never verifies: read-only browsing */
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:t:c:w:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': {
            char *end;
            double d = strtod(optarg, &end);
            if (end == optarg || *end || !(d >= 0.2) || d > 86400) {
                fprintf(stderr, "dbperf tui: -d needs seconds (0.2 to 86400)\n");
                return DBP_EXIT_USAGE;
            }
            to.delay_s = d;
            break;
        }
        case OPT_FROM:
            from = optarg;
            break;
        case 't':
            if (!dbp_format_find(optarg, NULL)) {
                fprintf(stderr, "dbperf tui: unknown --type `%s` (see dbperf audit --list-types)\n",
                        optarg);
                return DBP_EXIT_USAGE;
            }
            s.type = optarg;
            break;
        case 'c':
            config_path = optarg;
            break;
        case OPT_LOG_PREFIX:
            s.po.log_prefix = optarg;
            break;
        case OPT_SHOW_LITERALS:
            to.show_literals = true;
            break;
        case OPT_NO_COLOR:
            to.want_color = false;
            break;
        case OPT_TIMEOUT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v <= 0 || v > 3600000) {
                fprintf(stderr, "dbperf tui: --statement-timeout needs milliseconds\n");
                return DBP_EXIT_USAGE;
            }
            s.conn.statement_timeout_ms = (int)v;
            break;
        }
        case 'w':
            to.save_path = optarg;
            break;
        case OPT_BENCH_KEYS:
            bench_keys = optarg;
            break;
        case OPT_BENCH_CLASSES: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 10000000) {
                fprintf(stderr, "dbperf tui: --bench-classes needs 1..10000000\n");
                return DBP_EXIT_USAGE;
            }
            bench_classes = (size_t)v;
            break;
        }
        case 'h':
            usage(stdout);
            return DBP_EXIT_OK;
        default:
            fprintf(stderr, "Try `dbperf tui --help`.\n");
            return DBP_EXIT_USAGE;
        }
    }
    if (bench_keys)
        return dbp_tui_bench(bench_keys, bench_classes, stdout);
    if (optind >= argc && !from) {
        fprintf(stderr, "dbperf tui: no SOURCE given (a log file, plan, report or server)\n");
        usage(stderr);
        return DBP_EXIT_USAGE;
    }
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        to.want_color = false;

    struct dbp_error err = {0};
    struct dbp_config *config = NULL;
    char *default_path = config_path ? NULL : dbp_config_default_path();
    const char *cpath = config_path ? config_path : default_path;
    if (cpath) {
        if (dbp_config_load(cpath, config_path != NULL, &config, &err) != DBP_OK) {
            fprintf(stderr, "dbperf tui: %s\n", err.message);
            free(default_path);
            return DBP_EXIT_USAGE;
        }
    } else {
        config = dbp_config_empty();
    }
    free(default_path);
    s.config = config;
    s.po.config = config;
    s.conn.config = config;

    int n = argc - optind + (from ? 1 : 0);
    s.files = dbp_xcalloc((size_t)n, sizeof *s.files);
    s.conns = dbp_xcalloc((size_t)n, sizeof *s.conns);
    const char *saved_type = s.type;
    if (from) {
        if (optind < argc || s.type) {
            fprintf(stderr, "dbperf tui: --from takes a saved report and no other SOURCE\n");
            free(s.files);
            free(s.conns);
            dbp_config_free(config);
            return DBP_EXIT_USAGE;
        }
        s.files[s.n_files++] = from;
        s.type = dbp_report_json_format.name;
    }
    for (int i = optind; i < argc; i++) {
        const struct dbp_driver *drv = NULL;
        if (!saved_type && !is_file_like(argv[i]) && (drv = dbp_driver_for_target(argv[i]))) {
            s.conns[s.n_conns].target = argv[i];
            s.conns[s.n_conns++].drv = drv;
        } else {
            s.files[s.n_files++] = argv[i];
        }
    }

    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "dbperf tui: needs a terminal on standard input and output\n");
        free(s.files);
        free(s.conns);
        dbp_config_free(config);
        return DBP_EXIT_USAGE;
    }
    /* first collection: problems are printed before the screen takes over */
    char msg[512] = "";
    struct dbp_snapshot *snap = collect_all(&s, msg, sizeof msg);
    int rc = DBP_EXIT_OK;
    if (!snap && to.delay_s <= 0) {
        fprintf(stderr, "dbperf tui: %s\n", msg);
        rc = DBP_EXIT_SOURCE;
    } else {
        if (!snap) {
            /* live: come up anyway, say why it is empty, and keep retrying */
            snap = dbp_snapshot_new();
            to.initial_status = msg;
        }
        /* nothing may write over the screen: stderr goes nowhere while it is up */
        fflush(stderr);
        int saved = dup(STDERR_FILENO);
        int devnull = open("/dev/null", O_WRONLY);
        if (saved >= 0 && devnull >= 0)
            dup2(devnull, STDERR_FILENO);
        if (devnull >= 0)
            close(devnull);
        rc = dbp_tui_run(snap, &to, to.delay_s > 0 ? collect_all : NULL, &s);
        if (saved >= 0) {
            dup2(saved, STDERR_FILENO);
            close(saved);
        }
        if (rc == DBP_EXIT_USAGE) {
            const char *term = getenv("TERM");
            fprintf(stderr, "dbperf tui: cannot drive the terminal (TERM=%s)\n",
                    term ? term : "");
        }
    }
    for (size_t i = 0; i < s.n_conns; i++)
        if (s.conns[i].ctx)
            s.conns[i].drv->disconnect(s.conns[i].ctx);
    free(s.files);
    free(s.conns);
    dbp_config_free(config);
    return rc;
}
