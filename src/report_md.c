/*
 * report_md.c -- the Markdown report (GitHub-flavoured): the content of the
 * text report as headings and tables, for pull requests and wikis.
 *
 * Every piece of text from the snapshot goes through md_text(), which puts
 * it on one line and backslash-escapes Markdown's active characters (pipes
 * and backticks included), so no input can break a table or open a code span.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/buf.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/report.h>

#include "report_int.h"

#define MD_TEXT_COLS     200 /* statement text in the table */
#define MD_DIAGS_SHOWN   20

/* s on one line, cut to cols columns (0 = no limit), Markdown-escaped. */
static void md_text(struct dbp_buf *out, const char *s, size_t cols)
{
    struct dbp_buf c = {0};
    if (cols)
        dbp_report_fit(&c, s ? s : "", cols);
    else
        dbp_report_clean(&c, s ? s : "");
    for (const char *p = c.data; *p; p++) {
        switch (*p) {
        case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>':
        case '|': case '~': case '#': case '!': case '{': case '}':
            dbp_buf_putc(out, '\\');
            dbp_buf_putc(out, *p);
            break;
        case '&':
            dbp_buf_puts(out, "&amp;");
            break;
        default:
            dbp_buf_putc(out, *p);
        }
    }
    dbp_buf_free(&c);
}

static void md_cell(struct dbp_buf *out, const char *s)
{
    dbp_buf_puts(out, " ");
    if (s && *s)
        md_text(out, s, 0);
    else
        dbp_buf_puts(out, "-");
    dbp_buf_puts(out, " |");
}

static void write_sources(struct dbp_buf *out, const struct dbp_snapshot *snap)
{
    dbp_buf_printf(out, "\n## Sources (%zu)\n\n", snap->sources.n);
    if (!snap->sources.n) {
        dbp_buf_puts(out, "None.\n");
        return;
    }
    dbp_buf_puts(out, "| Source | Type | Engine | Bytes | Entries | Skipped | Status |\n"
                      "|---|---|---|--:|--:|--:|---|\n");
    for (size_t i = 0; i < snap->sources.n; i++) {
        const struct dbp_source *s = snap->sources.items[i];
        char b[24];
        dbp_report_fmt_bytes((double)s->bytes, b);
        dbp_buf_puts(out, "|");
        md_cell(out, s->name);
        md_cell(out, s->type);
        md_cell(out, dbp_engine_name(s->engine));
        dbp_buf_printf(out, " %s | %llu | %llu |", b, (unsigned long long)s->entries,
                       (unsigned long long)s->skipped);
        if (s->status == DBP_OK) {
            md_cell(out, "ok");
        } else {
            struct dbp_buf e = {0};
            dbp_buf_printf(&e, "failed: %s", s->error ? s->error : dbp_status_name(s->status));
            md_cell(out, e.data);
            dbp_buf_free(&e);
        }
        dbp_buf_putc(out, '\n');
    }
}

static void write_findings(struct dbp_buf *out, const struct dbp_snapshot *snap)
{
    size_t count[4] = {0};
    for (size_t i = 0; i < snap->findings.n; i++) {
        const struct dbp_finding *f = snap->findings.items[i];
        count[(unsigned)f->severity <= DBP_SEV_CRITICAL ? f->severity : DBP_SEV_NONE]++;
    }
    dbp_buf_printf(out, "\n## Findings (%zu)\n\n%zu critical, %zu warning, %zu info.\n",
                   snap->findings.n, count[DBP_SEV_CRITICAL], count[DBP_SEV_WARNING],
                   count[DBP_SEV_INFO]);
    static const enum dbp_severity order[] = {DBP_SEV_CRITICAL, DBP_SEV_WARNING, DBP_SEV_INFO,
                                              DBP_SEV_NONE};
    static const char *const titles[] = {"Other", "Info", "Warning", "Critical"};
    struct dbp_buf tmp = {0};
    for (size_t k = 0; k < 4; k++) {
        enum dbp_severity sev = order[k];
        if (!count[sev])
            continue;
        dbp_buf_printf(out, "\n### %s (%zu)\n\n", titles[sev], count[sev]);
        dbp_buf_puts(out, "| Rule | Object | Message | Evidence | Suggestion |\n"
                          "|---|---|---|---|---|\n");
        for (size_t i = 0; i < snap->findings.n; i++) {
            const struct dbp_finding *f = snap->findings.items[i];
            enum dbp_severity fs = (unsigned)f->severity <= DBP_SEV_CRITICAL ? f->severity
                                                                             : DBP_SEV_NONE;
            if (fs != sev)
                continue;
            dbp_buf_puts(out, "|");
            md_cell(out, f->rule);
            md_cell(out, f->object);
            dbp_buf_clear(&tmp);
            dbp_buf_puts(&tmp, f->message ? f->message : "");
            if (f->verified != DBP_VERIFY_NONE || isfinite(f->benefit)) {
                dbp_buf_printf(&tmp, " (verified: %s", dbp_verification_name(f->verified));
                if (isfinite(f->benefit))
                    dbp_buf_printf(&tmp, ", estimated benefit %.0f%%", f->benefit * 100);
                if (f->verify_note)
                    dbp_buf_printf(&tmp, "; %s", f->verify_note);
                dbp_buf_puts(&tmp, ")");
            }
            md_cell(out, tmp.data);
            dbp_buf_clear(&tmp);
            for (size_t e = 0; e < f->n_evidence; e++) {
                const struct dbp_evidence *ev = &f->evidence[e];
                char v[24];
                dbp_report_fmt_value(ev->value, v);
                dbp_buf_printf(&tmp, "%s%s=%s", e ? ", " : "", ev->key ? ev->key : "?",
                               ev->text ? ev->text : v);
            }
            md_cell(out, tmp.data);
            md_cell(out, f->suggestion);
            dbp_buf_putc(out, '\n');
        }
    }
    dbp_buf_free(&tmp);
}

static void write_statements(struct dbp_buf *out, const struct dbp_snapshot *snap,
                             const struct dbp_report_opts *o)
{
    size_t n;
    const struct dbp_stmt **top = dbp_report_top_stmts(snap, o, &n);
    dbp_buf_printf(out, "\n## Top statements by total time (%zu of %zu)\n\n", n, snap->stmts.n);
    if (n == 0) {
        dbp_buf_puts(out, "None.\n");
        free(top);
        return;
    }
    dbp_buf_puts(out, "| # | Total ms | Calls | Mean ms | P95 ms | Rows | Fingerprint | Statement |\n"
                      "|--:|--:|--:|--:|--:|--:|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const struct dbp_stmt *st = top[i];
        const struct dbp_agg *a = &st->agg;
        char t[24], c[24], m[24], p[24], r[24], hex[17];
        dbp_report_fmt_ms(a->calls ? a->total_ms : NAN, t);
        dbp_report_fmt_count((double)a->calls, c);
        dbp_report_fmt_ms(dbp_agg_mean_ms(a), m);
        dbp_report_fmt_ms(dbp_agg_quantile_ms(a, 0.95), p);
        dbp_report_fmt_count(a->flags & DBP_AGG_ROWS_RETURNED ? (double)a->rows_returned
                             : a->flags & DBP_AGG_ROWS_EXAMINED ? (double)a->rows_examined
                                                                : NAN,
                             r);
        dbp_report_fpid_hex(st->fpid, hex);
        dbp_buf_printf(out, "| %zu | %s | %s | %s | %s | %s | %s | ", i + 1, t, c, m, p, r, hex);
        md_text(out, st->text ? st->text : "", MD_TEXT_COLS);
        dbp_buf_puts(out, " |\n");
    }
    free(top);
}

static void write_indexes(struct dbp_buf *out, const struct dbp_snapshot *snap)
{
    dbp_buf_printf(out, "\n## Indexes (%zu)\n\n", snap->indexes.n);
    if (!snap->indexes.n) {
        dbp_buf_puts(out, "None.\n");
        return;
    }
    dbp_buf_puts(out, "| Index | Table | Columns | Scans | Size | Flags |\n"
                      "|---|---|---|--:|--:|---|\n");
    struct dbp_buf tmp = {0};
    for (size_t i = 0; i < snap->indexes.n; i++) {
        const struct dbp_index *ix = snap->indexes.items[i];
        char s[24], b[24];
        dbp_buf_puts(out, "|");
        md_cell(out, ix->name);
        dbp_buf_clear(&tmp);
        if (ix->schema)
            dbp_buf_printf(&tmp, "%s.", ix->schema);
        dbp_buf_puts(&tmp, ix->table ? ix->table : "?");
        md_cell(out, tmp.data);
        dbp_buf_clear(&tmp);
        for (size_t c = 0; c < ix->n_columns; c++)
            dbp_buf_printf(&tmp, "%s%s", c ? ", " : "", ix->columns[c] ? ix->columns[c] : "");
        md_cell(out, tmp.data);
        dbp_report_fmt_count((double)ix->scans, s);
        dbp_report_fmt_bytes((double)ix->size_bytes, b);
        dbp_buf_printf(out, " %s | %s |", s, b);
        dbp_buf_clear(&tmp);
        for (unsigned bit = 0; bit < DBP_REPORT_INDEX_FLAG_BITS; bit++)
            if (ix->flags & (1u << bit))
                dbp_buf_printf(&tmp, "%s%s", tmp.len ? ", " : "", dbp_report_index_flag_name(bit));
        md_cell(out, tmp.data);
        dbp_buf_putc(out, '\n');
    }
    dbp_buf_free(&tmp);
}

static void write_bursts(struct dbp_buf *out, const struct dbp_snapshot *snap)
{
    if (!snap->bursts.n)
        return;
    dbp_buf_printf(out, "\n## N+1 bursts (%zu)\n\n", snap->bursts.n);
    dbp_buf_puts(out, "| Runs | Calls | Longest run | Total ms | After | Repeated |\n"
                      "|--:|--:|--:|--:|---|---|\n");
    for (size_t i = 0; i < snap->bursts.n; i++) {
        const struct dbp_burst *b = snap->bursts.items[i];
        char ms[24];
        dbp_report_fmt_ms(b->total_ms, ms);
        dbp_buf_printf(out, "| %llu | %llu | %llu | %s |", (unsigned long long)b->runs,
                       (unsigned long long)b->calls, (unsigned long long)b->max_run, ms);
        dbp_buf_putc(out, ' ');
        md_text(out, b->parent && b->parent->text ? b->parent->text : "(session start)",
                MD_TEXT_COLS);
        dbp_buf_puts(out, " | ");
        md_text(out, b->child && b->child->text ? b->child->text : "?", MD_TEXT_COLS);
        dbp_buf_puts(out, " |\n");
    }
}

static void write_diags(struct dbp_buf *out, const struct dbp_snapshot *snap)
{
    dbp_buf_printf(out, "\n## Diagnostics (%llu)\n\n", (unsigned long long)snap->n_diags);
    if (!snap->n_diags) {
        dbp_buf_puts(out, "None.\n");
        return;
    }
    size_t shown = snap->diags.n < MD_DIAGS_SHOWN ? snap->diags.n : MD_DIAGS_SHOWN;
    for (size_t i = 0; i < shown; i++) {
        dbp_buf_puts(out, "- ");
        md_text(out, snap->diags.items[i], 0);
        dbp_buf_putc(out, '\n');
    }
    if (snap->n_diags > shown)
        dbp_buf_printf(out, "- ... and %llu more (see the JSON report)\n",
                       (unsigned long long)(snap->n_diags - shown));
}

int dbp_report_write_md(struct dbp_buf *out, FILE *sink, const struct dbp_snapshot *snap,
                        const struct dbp_report_opts *o)
{
    (void)sink;
    char when[32];
    dbp_report_iso8601(dbp_report_now_us(o), when);
    dbp_buf_puts(out, "# dbperf audit report\n\nGenerated ");
    md_text(out, when, 0);
    dbp_buf_puts(out, " by dbperf ");
    md_text(out, o->tool_version ? o->tool_version : "", 0);
    dbp_buf_puts(out, ".\n");
    write_sources(out, snap);
    write_findings(out, snap);
    write_statements(out, snap, o);
    write_indexes(out, snap);
    write_bursts(out, snap);
    write_diags(out, snap);
    return DBP_OK;
}
