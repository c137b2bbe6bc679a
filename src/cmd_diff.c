/*
 * cmd_diff.c -- `dbperf diff BASE NEW`: what got faster and what got slower
 * between two audits (saved JSON reports, or any sources audit reads).
 *
 * Statement classes are matched by engine, database and fingerprint id and
 * compared by src/diff.c with the thresholds of the `regression` rule; the
 * rules run on both sides, and findings that appeared or were fixed are
 * listed. --fail-on regression exits 1 when a class regressed, so CI can
 * gate a migration or a release on it.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dbperf/buf.h>
#include <dbperf/config.h>
#include <dbperf/diff.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/report.h>
#include <dbperf/rules.h>

#include "cmd.h"
#include "report_int.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dbperf diff [OPTIONS] BASE NEW\n\n"
            "Compare two audits -- saved `dbperf audit --format json` reports, or any source\n"
            "audit reads -- statement class by statement class: calls, mean, p95, total time\n"
            "and rows examined before and after, classes that are new or gone, and findings\n"
            "that appeared or were fixed.\n\n"
            "  -f, --format FMT    text (default), json or markdown\n"
            "  -o, --output FILE   write to FILE\n"
            "  -n, --top N         changed classes listed per group (default 20; 0 = all)\n"
            "      --fail-on WHAT  exit 1 when: regression (a class got slower), or a new\n"
            "                      finding of at least info, warning or critical\n"
            "  -c, --config FILE   thresholds ([rule.regression] threshold, min_calls, alpha)\n"
            "  -t, --type FORMAT   read both sides as FORMAT\n"
            "      --no-color      no colour\n"
            "  -h, --help          this help\n\n"
            "Exit status: 0 nothing reached --fail-on, 1 something did, 2 usage error,\n"
            "3 a side could not be read.\n");
}

struct diff_ctx {
    struct dbp_snapshot *base, *cur;
    struct dbp_stmt_change *ch;
    size_t n;
    size_t counts[DBP_VERDICT_GONE + 1];
    struct dbp_vec appeared, fixed; /* const struct dbp_finding * */
    size_t top;
    bool color;
};

static bool same_finding(const struct dbp_finding *a, const struct dbp_finding *b)
{
    return !strcmp(a->rule, b->rule) && a->engine == b->engine &&
           !strcmp(a->object ? a->object : "", b->object ? b->object : "");
}

static void diff_findings(struct diff_ctx *d)
{
    for (size_t i = 0; i < d->cur->findings.n; i++) {
        const struct dbp_finding *f = d->cur->findings.items[i];
        if (!strcmp(f->rule, "regression"))
            continue; /* reported as statement changes */
        bool found = false;
        for (size_t j = 0; j < d->base->findings.n && !found; j++)
            found = same_finding(f, d->base->findings.items[j]);
        if (!found)
            dbp_vec_push(&d->appeared, (void *)f);
    }
    for (size_t i = 0; i < d->base->findings.n; i++) {
        const struct dbp_finding *f = d->base->findings.items[i];
        bool found = false;
        for (size_t j = 0; j < d->cur->findings.n && !found; j++)
            found = same_finding(f, d->cur->findings.items[j]);
        if (!found)
            dbp_vec_push(&d->fixed, (void *)f);
    }
}

static void emit_side(struct dbp_emit *w, const char *name, const struct dbp_stmt *s)
{
    if (!s) {
        dbp_emit_prop_null(w, name);
        return;
    }
    dbp_emit_open_group(w, name, false);
    dbp_emit_prop_uint(w, "calls", s->agg.calls);
    dbp_emit_prop_num(w, "total_ms", s->agg.total_ms);
    dbp_emit_prop_num(w, "mean_ms", dbp_agg_mean_ms(&s->agg));
    dbp_emit_prop_num(w, "p95_ms", dbp_agg_quantile_ms(&s->agg, 0.95));
    dbp_emit_prop_int(w, "rows_examined", (s->agg.flags & DBP_AGG_ROWS_EXAMINED)
                                              ? (int64_t)s->agg.rows_examined
                                              : -1);
    dbp_emit_prop_int(w, "rows_returned", (s->agg.flags & DBP_AGG_ROWS_RETURNED)
                                              ? (int64_t)s->agg.rows_returned
                                              : -1);
    dbp_emit_close_group(w);
}

static void emit_finding(struct dbp_emit *w, const struct dbp_finding *f)
{
    char hex[17];
    dbp_emit_open_group(w, NULL, false);
    dbp_emit_prop_text(w, "rule", f->rule);
    dbp_emit_prop_text(w, "severity", dbp_severity_name(f->severity));
    dbp_emit_prop_text(w, "engine", dbp_engine_name(f->engine));
    dbp_emit_prop_text(w, "object", f->object);
    dbp_emit_prop_text(w, "message", f->message);
    dbp_emit_prop_text(w, "suggestion", f->suggestion);
    if (f->fpid) {
        dbp_report_fpid_hex(f->fpid, hex);
        dbp_emit_prop_text(w, "fingerprint", hex);
    }
    dbp_emit_close_group(w);
}

static void write_json(struct dbp_buf *out, struct diff_ctx *d)
{
    struct dbp_emit w;
    dbp_emit_init(&w, DBP_EMIT_JSON, out);
    dbp_emit_open_group(&w, NULL, false);
    dbp_emit_prop_text(&w, "tool", "dbperf");
    dbp_emit_prop_text(&w, "kind", "diff");
    dbp_emit_prop_int(&w, "version", DBP_REPORT_VERSION);
    dbp_emit_prop_text(&w, "tool_version", DBPERF_VERSION);
    const struct dbp_snapshot *sides[2] = {d->base, d->cur};
    const char *names[2] = {"base_sources", "new_sources"};
    for (int s = 0; s < 2; s++) {
        dbp_emit_open_group(&w, names[s], true);
        for (size_t i = 0; i < sides[s]->sources.n; i++) {
            const struct dbp_source *src = sides[s]->sources.items[i];
            dbp_emit_open_group(&w, NULL, false);
            dbp_emit_prop_text(&w, "name", src->name);
            dbp_emit_prop_text(&w, "type", src->type);
            dbp_emit_close_group(&w);
        }
        dbp_emit_close_group(&w);
    }
    dbp_emit_open_group(&w, "summary", false);
    for (int v = 0; v <= DBP_VERDICT_GONE; v++)
        dbp_emit_prop_uint(&w, dbp_verdict_name((enum dbp_verdict)v), d->counts[v]);
    dbp_emit_prop_uint(&w, "findings_appeared", d->appeared.n);
    dbp_emit_prop_uint(&w, "findings_fixed", d->fixed.n);
    dbp_emit_close_group(&w);
    dbp_emit_open_group(&w, "statements", true);
    for (size_t i = 0; i < d->n; i++) {
        const struct dbp_stmt_change *c = &d->ch[i];
        const struct dbp_stmt *s = c->after ? c->after : c->before;
        char hex[17];
        dbp_report_fpid_hex(s->fpid, hex);
        dbp_emit_open_group(&w, NULL, false);
        dbp_emit_prop_text(&w, "fingerprint", hex);
        dbp_emit_prop_text(&w, "engine", dbp_engine_name(s->engine));
        dbp_emit_prop_text(&w, "database", s->database);
        dbp_emit_prop_text(&w, "text", s->text);
        dbp_emit_prop_text(&w, "verdict", dbp_verdict_name(c->verdict));
        emit_side(&w, "before", c->before);
        emit_side(&w, "after", c->after);
        dbp_emit_prop_num(&w, "mean_change", c->mean_change);
        dbp_emit_prop_num(&w, "p95_change", c->p95_change);
        dbp_emit_prop_num(&w, "total_change", c->total_change);
        dbp_emit_prop_num(&w, "p_slower", c->p_slower);
        dbp_emit_prop_num(&w, "p_faster", c->p_faster);
        dbp_emit_close_group(&w);
    }
    dbp_emit_close_group(&w);
    dbp_emit_open_group(&w, "findings_appeared", true);
    for (size_t i = 0; i < d->appeared.n; i++)
        emit_finding(&w, d->appeared.items[i]);
    dbp_emit_close_group(&w);
    dbp_emit_open_group(&w, "findings_fixed", true);
    for (size_t i = 0; i < d->fixed.n; i++)
        emit_finding(&w, d->fixed.items[i]);
    dbp_emit_close_group(&w);
    dbp_emit_close_group(&w);
    dbp_buf_putc(out, '\n');
}

static void pct(double v, char out[24])
{
    if (v != v)
        snprintf(out, 24, "-");
    else
        snprintf(out, 24, "%+.0f%%", 100 * v);
}

/* text and markdown share one layout: a summary, then one table per verdict group */
static void write_table_text(struct dbp_buf *out, struct diff_ctx *d, bool md)
{
    static const enum dbp_verdict groups[] = {DBP_VERDICT_REGRESSED, DBP_VERDICT_IMPROVED,
                                              DBP_VERDICT_NEW, DBP_VERDICT_GONE};
    static const char *const titles[] = {"Regressed", "Improved", "New", "Gone"};
    const char *red = d->color ? "\033[31m" : "", *green = d->color ? "\033[32m" : "",
               *off = d->color ? "\033[0m" : "";
    if (md)
        dbp_buf_puts(out, "# dbperf diff\n\n");
    else
        dbp_buf_puts(out, "dbperf diff\n");
    dbp_buf_printf(out,
                   "%s%zu regressed, %zu improved, %zu new, %zu gone, %zu unchanged, %zu with too "
                   "few calls; findings: %zu appeared, %zu fixed\n",
                   md ? "" : "  ", d->counts[DBP_VERDICT_REGRESSED],
                   d->counts[DBP_VERDICT_IMPROVED], d->counts[DBP_VERDICT_NEW],
                   d->counts[DBP_VERDICT_GONE], d->counts[DBP_VERDICT_SAME],
                   d->counts[DBP_VERDICT_TOO_FEW], d->appeared.n, d->fixed.n);
    struct dbp_buf tmp = {0};
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        if (!d->counts[groups[g]])
            continue;
        const char *col = groups[g] == DBP_VERDICT_REGRESSED  ? red
                          : groups[g] == DBP_VERDICT_IMPROVED ? green
                                                              : "";
        if (md)
            dbp_buf_printf(out, "\n## %s\n\n| mean before | mean after | change | p95 change | "
                                "calls before | calls after | statement |\n|---:|---:|---:|---:|"
                                "---:|---:|---|\n",
                           titles[g]);
        else
            dbp_buf_printf(out, "\n%s%s%s\n  %9s %9s %7s %7s %7s  %s\n", col, titles[g], off,
                           "mean bef", "mean aft", "change", "p95 chg", "calls", "statement");
        size_t shown = 0;
        for (size_t i = 0; i < d->n; i++) {
            const struct dbp_stmt_change *c = &d->ch[i];
            if (c->verdict != groups[g])
                continue;
            if (d->top && shown++ >= d->top) {
                dbp_buf_printf(out, "%s... and %zu more\n", md ? "\n" : "  ",
                               d->counts[groups[g]] - d->top);
                break;
            }
            const struct dbp_stmt *s = c->after ? c->after : c->before;
            char mb[24], ma[24], ch[24], p9[24], cb[24], ca[24];
            dbp_report_fmt_ms(c->before ? dbp_agg_mean_ms(&c->before->agg) : NAN, mb);
            dbp_report_fmt_ms(c->after ? dbp_agg_mean_ms(&c->after->agg) : NAN, ma);
            pct(c->mean_change, ch);
            pct(c->p95_change, p9);
            dbp_report_fmt_count(c->before ? (double)c->before->agg.calls : NAN, cb);
            dbp_report_fmt_count(c->after ? (double)c->after->agg.calls : NAN, ca);
            dbp_buf_clear(&tmp);
            if (md) {
                dbp_report_clean(&tmp, s->text);
                dbp_buf_printf(out, "| %s | %s | %s | %s | %s | %s | `", mb, ma, ch, p9, cb, ca);
                for (const char *p = tmp.data ? tmp.data : ""; *p; p++) {
                    if (*p == '|' || *p == '`')
                        dbp_buf_putc(out, '\\');
                    dbp_buf_putc(out, *p);
                }
                dbp_buf_puts(out, "` |\n");
            } else {
                dbp_report_fit(&tmp, s->text, 80 - 46);
                dbp_buf_printf(out, "  %9s %9s %7s %7s %7s  %s\n", mb, ma, ch, p9,
                               c->verdict == DBP_VERDICT_GONE ? cb : ca, tmp.data ? tmp.data : "");
            }
        }
    }
    const struct dbp_vec *lists[2] = {&d->appeared, &d->fixed};
    const char *ltitles[2] = {"Findings that appeared", "Findings that were fixed"};
    for (int l = 0; l < 2; l++) {
        if (!lists[l]->n)
            continue;
        dbp_buf_printf(out, md ? "\n## %s\n\n" : "\n%s\n", ltitles[l]);
        for (size_t i = 0; i < lists[l]->n; i++) {
            const struct dbp_finding *f = lists[l]->items[i];
            dbp_buf_clear(&tmp);
            dbp_report_clean(&tmp, f->message ? f->message : "");
            dbp_buf_printf(out, md ? "- **%s** %s `%s`: %s\n" : "  [%s] %s %s: %s\n",
                           dbp_severity_name(f->severity), f->rule, f->object ? f->object : "",
                           tmp.data ? tmp.data : "");
        }
    }
    dbp_buf_free(&tmp);
}

int dbp_cmd_diff(int argc, char **argv)
{
    enum { OPT_FAIL_ON = 256, OPT_NO_COLOR };
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"top", required_argument, NULL, 'n'},
                                             {"fail-on", required_argument, NULL, OPT_FAIL_ON},
                                             {"config", required_argument, NULL, 'c'},
                                             {"type", required_argument, NULL, 't'},
                                             {"no-color", no_argument, NULL, OPT_NO_COLOR},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int format = DBP_REPORT_TEXT, c;
    const char *output = NULL, *cpath = NULL, *type = NULL;
    int fail_sev = DBP_SEV_NONE;
    bool fail_regression = false, no_color = false;
    size_t top = 20;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:n:c:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            format = dbp_report_format_parse(optarg);
            if (format < 0) {
                fprintf(stderr, "dbperf diff: --format must be text, json or markdown\n");
                return DBP_EXIT_USAGE;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case 'n':
            top = (size_t)strtoul(optarg, NULL, 10);
            break;
        case 'c':
            cpath = optarg;
            break;
        case 't':
            if (!dbp_format_find(optarg, NULL)) {
                fprintf(stderr, "dbperf diff: unknown --type `%s`\n", optarg);
                return DBP_EXIT_USAGE;
            }
            type = optarg;
            break;
        case OPT_FAIL_ON:
            if (strcmp(optarg, "regression") == 0) {
                fail_regression = true;
            } else if ((fail_sev = dbp_severity_parse(optarg)) < 0) {
                fprintf(stderr, "dbperf diff: --fail-on must be regression, info, warning, "
                                "critical or none\n");
                return DBP_EXIT_USAGE;
            }
            break;
        case OPT_NO_COLOR:
            no_color = true;
            break;
        case 'h':
            usage(stdout);
            return DBP_EXIT_OK;
        default:
            fprintf(stderr, "Try `dbperf diff --help`.\n");
            return DBP_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "dbperf diff: need exactly two inputs, BASE and NEW\n");
        usage(stderr);
        return DBP_EXIT_USAGE;
    }
    struct dbp_error err = {0};
    struct dbp_config *config = NULL;
    char *def = cpath ? NULL : dbp_config_default_path();
    if (cpath || def) {
        if (dbp_config_load(cpath ? cpath : def, cpath != NULL, &config, &err) != DBP_OK) {
            fprintf(stderr, "dbperf diff: %s\n", err.message);
            free(def);
            return DBP_EXIT_USAGE;
        }
    } else {
        config = dbp_config_empty();
    }
    free(def);

    struct diff_ctx d = {0};
    d.top = top;
    d.base = dbp_snapshot_new();
    d.cur = dbp_snapshot_new();
    struct dbp_parse_opts po = {.config = config};
    int exit_code = DBP_EXIT_OK;
    if (dbp_cmd_read_file(argv[optind], type, &po, d.base))
        exit_code = DBP_EXIT_SOURCE;
    if (dbp_cmd_read_file(argv[optind + 1], type, &po, d.cur))
        exit_code = DBP_EXIT_SOURCE;
    dbp_snapshot_sessions_flush(d.base);
    dbp_snapshot_sessions_flush(d.cur);
    d.cur->baseline = d.base;
    if (dbp_rules_run(d.base, config, &err) != DBP_OK ||
        dbp_rules_run(d.cur, config, &err) != DBP_OK) {
        fprintf(stderr, "dbperf diff: %s\n", err.message);
        exit_code = DBP_EXIT_USAGE;
        goto out;
    }
    struct dbp_compare_opts co = {dbp_rule_param_lookup(config, "regression", "threshold"),
                                  dbp_rule_param_lookup(config, "regression", "min_calls"),
                                  dbp_rule_param_lookup(config, "regression", "alpha"),
                                  dbp_rule_param_lookup(config, "regression", "min_delta_ms")};
    d.ch = dbp_compare_snapshots(d.base, d.cur, &co, &d.n);
    for (size_t i = 0; i < d.n; i++)
        d.counts[d.ch[i].verdict]++;
    diff_findings(&d);

    FILE *out = stdout;
    if (output && !(out = fopen(output, "w"))) {
        perror(output);
        exit_code = DBP_EXIT_USAGE;
        goto out;
    }
    const char *nc = getenv("NO_COLOR");
    d.color = !no_color && !(nc && *nc) && format == DBP_REPORT_TEXT && isatty(fileno(out));
    struct dbp_buf buf = {0};
    if (format == DBP_REPORT_JSON)
        write_json(&buf, &d);
    else
        write_table_text(&buf, &d, format == DBP_REPORT_MARKDOWN);
    if (buf.len)
        fwrite(buf.data, 1, buf.len, out);
    dbp_buf_free(&buf);
    if ((output && fclose(out) != 0) || (!output && fflush(out) != 0)) {
        perror(output ? output : "stdout");
        exit_code = DBP_EXIT_USAGE;
    }
    if (exit_code == DBP_EXIT_OK) {
        if (fail_regression && d.counts[DBP_VERDICT_REGRESSED])
            exit_code = DBP_EXIT_FINDINGS;
        for (size_t i = 0; fail_sev > DBP_SEV_NONE && i < d.appeared.n; i++)
            if ((int)((const struct dbp_finding *)d.appeared.items[i])->severity >= fail_sev)
                exit_code = DBP_EXIT_FINDINGS;
    }
out:
    free(d.ch);
    free(d.appeared.items);
    free(d.fixed.items);
    dbp_snapshot_free(d.base);
    dbp_snapshot_free(d.cur);
    dbp_config_free(config);
    return exit_code;
}
