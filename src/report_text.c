/*
 * report_text.c -- the text report for terminals.
 *
 * Every line fits the width (o->width, 80 when 0, never below 60): long
 * words are broken, table cells are cut with "...". Widths count UTF-8 code
 * points; ANSI colour sequences (only when o->color) do not count. Sections:
 * header and sources, findings grouped by severity, top statements, indexes,
 * N+1 bursts, diagnostics. Statements appear by their normalized text; plan
 * conditions are never printed here.
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

#define MIN_WIDTH        60
#define DIAG_LINES_SHOWN 5
#define INDEXES_SHOWN    10
#define BURSTS_SHOWN     5

/* ---- helpers shared with report_md.c ---------------------------------- */

/* Bytes of the UTF-8 sequence at s if valid, else 0 (NUL stops every check). */
static size_t seq_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

void dbp_report_clean(struct dbp_buf *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    bool space = false, any = false;
    while (*s) {
        if (*s <= 0x20 || *s == 0x7F) {
            space = true;
            s++;
            continue;
        }
        if (space && any)
            dbp_buf_putc(out, ' ');
        space = false;
        any = true;
        size_t n = seq_len(s);
        if (n == 0) {
            dbp_buf_putc(out, '?');
            s++;
        } else {
            dbp_buf_append(out, s, n);
            s += n;
        }
    }
    if (!out->data)
        dbp_buf_puts(out, "");
}

size_t dbp_report_cols(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

/* Byte offset in s after `cols` code points (or strlen). */
static size_t byte_at_col(const char *s, size_t cols)
{
    size_t i = 0, c = 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (c == cols)
                break;
            c++;
        }
        i++;
    }
    return i;
}

size_t dbp_report_fit(struct dbp_buf *out, const char *s, size_t cols)
{
    struct dbp_buf c = {0};
    dbp_report_clean(&c, s);
    size_t have = dbp_report_cols(c.data);
    size_t used;
    if (have <= cols) {
        dbp_buf_puts(out, c.data);
        used = have;
    } else if (cols <= 3) {
        dbp_buf_append(out, "...", cols);
        used = cols;
    } else {
        dbp_buf_append(out, c.data, byte_at_col(c.data, cols - 3));
        dbp_buf_puts(out, "...");
        used = cols;
    }
    dbp_buf_free(&c);
    return used;
}

void dbp_report_fmt_ms(double ms, char out[24])
{
    if (!isfinite(ms) || ms < 0)
        snprintf(out, 24, "-");
    else if (ms < 100)
        snprintf(out, 24, "%.2f", ms);
    else if (ms < 1e7)
        snprintf(out, 24, "%.0f", ms);
    else
        snprintf(out, 24, "%.2e", ms);
}

void dbp_report_fmt_count(double n, char out[24])
{
    if (!isfinite(n) || n < 0)
        snprintf(out, 24, "-");
    else if (n < 1e6)
        snprintf(out, 24, "%.0f", n);
    else if (n < 1e9)
        snprintf(out, 24, "%.1fM", n / 1e6);
    else if (n < 1e12)
        snprintf(out, 24, "%.1fG", n / 1e9);
    else
        snprintf(out, 24, "%.1fT", n / 1e12);
}

void dbp_report_fmt_bytes(double b, char out[24])
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    if (!isfinite(b) || b < 0) {
        snprintf(out, 24, "-");
        return;
    }
    int u = 0;
    while (b >= 1024 && u < 5) {
        b /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(out, 24, "%.0f B", b);
    else
        snprintf(out, 24, "%.1f %s", b, units[u]);
}

void dbp_report_fmt_value(double v, char out[24])
{
    if (!isfinite(v))
        snprintf(out, 24, "-");
    else if ((v == floor(v) || fabs(v) >= 1000) && fabs(v) < 1e15)
        snprintf(out, 24, "%.0f", v);
    else
        snprintf(out, 24, "%.4g", v);
}

/* ---- layout ----------------------------------------------------------- */

struct tw {
    struct dbp_buf *out;
    size_t width;
    bool color;
};

static void spaces(struct dbp_buf *b, size_t n)
{
    while (n--)
        dbp_buf_putc(b, ' ');
}

/*
 * Word-wrap the clean form of text: the first line starts with `first` (already
 * counted as first_cols columns, written by this function), the following lines
 * are indented by `indent` spaces. Words longer than a line are broken.
 */
static void wrap(struct tw *t, const char *first, size_t first_cols, size_t indent,
                 const char *text)
{
    struct dbp_buf c = {0};
    dbp_report_clean(&c, text);
    dbp_buf_puts(t->out, first);
    size_t col = first_cols;
    bool line_empty = true;
    const char *p = c.data;
    while (*p) {
        const char *e = strchr(p, ' ');
        size_t wlen = e ? (size_t)(e - p) : strlen(p);
        struct dbp_buf word = {0};
        dbp_buf_append(&word, p, wlen);
        size_t wcols = dbp_report_cols(word.data);
        const char *w = word.data;
        for (;;) {
            size_t need = wcols + (line_empty ? 0 : 1);
            if (col + need <= t->width) {
                if (!line_empty)
                    dbp_buf_putc(t->out, ' ');
                dbp_buf_puts(t->out, w);
                col += need;
                line_empty = false;
                break;
            }
            if (!line_empty) { /* next line */
                dbp_buf_putc(t->out, '\n');
                spaces(t->out, indent);
                col = indent;
                line_empty = true;
                continue;
            }
            /* a word longer than a whole line: break it */
            size_t room = t->width > col ? t->width - col : 1;
            size_t cut = byte_at_col(w, room);
            dbp_buf_append(t->out, w, cut);
            dbp_buf_putc(t->out, '\n');
            spaces(t->out, indent);
            col = indent;
            w += cut;
            wcols -= room;
        }
        dbp_buf_free(&word);
        p += wlen;
        if (*p == ' ')
            p++;
    }
    dbp_buf_putc(t->out, '\n');
    dbp_buf_free(&c);
}

static const char *sev_color(enum dbp_severity s)
{
    switch (s) {
    case DBP_SEV_CRITICAL:
        return "\033[1;31m";
    case DBP_SEV_WARNING:
        return "\033[1;33m";
    case DBP_SEV_INFO:
        return "\033[1;36m";
    default:
        return "";
    }
}

static void section(struct tw *t, const char *title)
{
    dbp_buf_putc(t->out, '\n');
    dbp_report_fit(t->out, title, t->width);
    dbp_buf_putc(t->out, '\n');
}

/* ---- sections --------------------------------------------------------- */

static void write_header(struct tw *t, const struct dbp_snapshot *snap,
                         const struct dbp_report_opts *o)
{
    char when[32];
    dbp_report_iso8601(dbp_report_now_us(o), when);
    struct dbp_buf line = {0};
    dbp_buf_printf(&line, "dbperf %s audit report, generated %s",
                   o->tool_version ? o->tool_version : "", when);
    wrap(t, "", 0, 2, line.data);
    dbp_buf_clear(&line);

    dbp_buf_printf(&line, "Sources (%zu)", snap->sources.n);
    section(t, line.data);
    for (size_t i = 0; i < snap->sources.n; i++) {
        const struct dbp_source *s = snap->sources.items[i];
        char bytes[24];
        dbp_report_fmt_bytes((double)s->bytes, bytes);
        dbp_buf_puts(t->out, "  ");
        dbp_report_fit(t->out, s->name ? s->name : "-", t->width - 2);
        dbp_buf_putc(t->out, '\n');
        dbp_buf_clear(&line);
        dbp_buf_printf(&line, "%s, %s", s->type ? s->type : "-", dbp_engine_name(s->engine));
        if (s->server_version)
            dbp_buf_printf(&line, " %s", s->server_version);
        dbp_buf_printf(&line, ", %s, %llu entries", bytes, (unsigned long long)s->entries);
        if (s->skipped)
            dbp_buf_printf(&line, ", %llu skipped", (unsigned long long)s->skipped);
        dbp_buf_printf(&line, ", %s", s->status == DBP_OK ? "ok" : "FAILED");
        wrap(t, "    ", 4, 6, line.data);
        if (s->error) {
            dbp_buf_clear(&line);
            dbp_buf_printf(&line, "error: %s", s->error);
            wrap(t, "    ", 4, 6, line.data);
        }
    }
    dbp_buf_free(&line);
}

static void write_finding(struct tw *t, const struct dbp_finding *f)
{
    struct dbp_buf line = {0};
    dbp_buf_printf(&line, "%s: %s", f->rule ? f->rule : "-", f->object ? f->object : "-");
    wrap(t, "  * ", 4, 4, line.data);
    if (f->message)
        wrap(t, "    ", 4, 4, f->message);
    if (f->n_evidence) {
        dbp_buf_clear(&line);
        dbp_buf_puts(&line, "evidence:");
        for (size_t i = 0; i < f->n_evidence; i++) {
            const struct dbp_evidence *e = &f->evidence[i];
            char v[24];
            dbp_report_fmt_value(e->value, v);
            dbp_buf_printf(&line, " %s=%s%s", e->key ? e->key : "?", e->text ? e->text : v,
                           i + 1 < f->n_evidence ? "," : "");
        }
        wrap(t, "    ", 4, 6, line.data);
    }
    if (f->verified != DBP_VERIFY_NONE || f->verify_note || isfinite(f->benefit)) {
        dbp_buf_clear(&line);
        dbp_buf_printf(&line, "verified: %s", dbp_verification_name(f->verified));
        if (isfinite(f->benefit))
            dbp_buf_printf(&line, ", estimated benefit %.0f%%", f->benefit * 100);
        if (f->verify_note)
            dbp_buf_printf(&line, " (%s)", f->verify_note);
        wrap(t, "    ", 4, 6, line.data);
    }
    if (f->suggestion) {
        dbp_buf_puts(t->out, "    suggestion:\n");
        wrap(t, "      ", 6, 6, f->suggestion);
    }
    dbp_buf_free(&line);
}

static void write_findings(struct tw *t, const struct dbp_snapshot *snap)
{
    size_t count[4] = {0};
    for (size_t i = 0; i < snap->findings.n; i++) {
        const struct dbp_finding *f = snap->findings.items[i];
        count[(unsigned)f->severity <= DBP_SEV_CRITICAL ? f->severity : DBP_SEV_NONE]++;
    }
    struct dbp_buf line = {0};
    dbp_buf_printf(&line, "Findings (%zu): %zu critical, %zu warning, %zu info", snap->findings.n,
                   count[DBP_SEV_CRITICAL], count[DBP_SEV_WARNING], count[DBP_SEV_INFO]);
    section(t, line.data);
    if (snap->findings.n == 0)
        dbp_buf_puts(t->out, "  none\n");
    static const enum dbp_severity order[] = {DBP_SEV_CRITICAL, DBP_SEV_WARNING, DBP_SEV_INFO,
                                              DBP_SEV_NONE};
    static const char *const tags[] = {"NONE", "INFO", "WARNING", "CRITICAL"};
    for (size_t k = 0; k < 4; k++) {
        enum dbp_severity sev = order[k];
        if (!count[sev])
            continue;
        dbp_buf_putc(t->out, '\n');
        if (t->color && sev != DBP_SEV_NONE)
            dbp_buf_printf(t->out, "%s%s\033[0m (%zu)\n", sev_color(sev), tags[sev], count[sev]);
        else
            dbp_buf_printf(t->out, "%s (%zu)\n", tags[sev], count[sev]);
        for (size_t i = 0; i < snap->findings.n; i++) {
            const struct dbp_finding *f = snap->findings.items[i];
            enum dbp_severity fs = (unsigned)f->severity <= DBP_SEV_CRITICAL ? f->severity
                                                                             : DBP_SEV_NONE;
            if (fs == sev)
                write_finding(t, f);
        }
    }
    dbp_buf_free(&line);
}

/* Right-align s in a cell of w columns followed by one space. */
static void cell(struct dbp_buf *b, const char *s, size_t w)
{
    size_t n = dbp_report_cols(s);
    if (n < w)
        spaces(b, w - n);
    dbp_buf_puts(b, s);
    dbp_buf_putc(b, ' ');
}

static void write_statements(struct tw *t, const struct dbp_snapshot *snap,
                             const struct dbp_report_opts *o)
{
    size_t n;
    const struct dbp_stmt **top = dbp_report_top_stmts(snap, o, &n);
    uint64_t calls = 0;
    double total = 0;
    for (size_t i = 0; i < snap->stmts.n; i++) {
        const struct dbp_stmt *st = snap->stmts.items[i];
        calls += st->agg.calls;
        total += st->agg.total_ms;
    }
    struct dbp_buf line = {0};
    dbp_buf_printf(&line, "Top statements by total time (%zu of %zu)", n, snap->stmts.n);
    section(t, line.data);
    char c1[24], c2[24];
    dbp_report_fmt_count((double)calls, c1);
    dbp_report_fmt_ms(total, c2);
    dbp_buf_clear(&line);
    dbp_buf_printf(&line, "%s calls, %s ms in all statements", c1, c2);
    wrap(t, "  ", 2, 2, line.data);
    if (n == 0) {
        free(top);
        dbp_buf_free(&line);
        return;
    }
    /* total(9) calls(7) mean(8) p95(8) rows(7), one space after each, then the text */
    static const size_t w[] = {9, 7, 8, 8, 7};
    size_t text_cols = t->width - (9 + 7 + 8 + 8 + 7 + 5) - 1;
    dbp_buf_putc(t->out, '\n');
    cell(t->out, "total ms", w[0]);
    cell(t->out, "calls", w[1]);
    cell(t->out, "mean ms", w[2]);
    cell(t->out, "p95 ms", w[3]);
    cell(t->out, "rows", w[4]);
    dbp_buf_puts(t->out, " statement\n");
    for (size_t i = 0; i < n; i++) {
        const struct dbp_stmt *st = top[i];
        const struct dbp_agg *a = &st->agg;
        char v[24];
        dbp_report_fmt_ms(a->calls ? a->total_ms : NAN, v);
        cell(t->out, v, w[0]);
        dbp_report_fmt_count((double)a->calls, v);
        cell(t->out, v, w[1]);
        dbp_report_fmt_ms(dbp_agg_mean_ms(a), v);
        cell(t->out, v, w[2]);
        dbp_report_fmt_ms(dbp_agg_quantile_ms(a, 0.95), v);
        cell(t->out, v, w[3]);
        dbp_report_fmt_count(a->flags & DBP_AGG_ROWS_RETURNED ? (double)a->rows_returned
                             : a->flags & DBP_AGG_ROWS_EXAMINED ? (double)a->rows_examined
                                                                : NAN,
                             v);
        cell(t->out, v, w[4]);
        dbp_buf_putc(t->out, ' ');
        dbp_report_fit(t->out, st->text ? st->text : "", text_cols);
        dbp_buf_putc(t->out, '\n');
    }
    free(top);
    dbp_buf_free(&line);
}

static void write_indexes(struct tw *t, const struct dbp_snapshot *snap)
{
    size_t unused = 0, invalid = 0;
    double bytes = 0;
    for (size_t i = 0; i < snap->indexes.n; i++) {
        const struct dbp_index *ix = snap->indexes.items[i];
        if (ix->scans == 0)
            unused++;
        if (ix->flags & DBP_IDX_INVALID)
            invalid++;
        if (ix->size_bytes > 0)
            bytes += (double)ix->size_bytes;
    }
    char sz[24];
    dbp_report_fmt_bytes(bytes, sz);
    struct dbp_buf line = {0};
    if (snap->indexes.n == 0) {
        section(t, "Indexes (0)");
        dbp_buf_puts(t->out, "  none read (a live server or a saved report lists them)\n");
        dbp_buf_free(&line);
        return;
    }
    dbp_buf_printf(&line, "Indexes (%zu, %s): %zu with no scans, %zu invalid", snap->indexes.n, sz,
                   unused, invalid);
    section(t, line.data);
    size_t shown = snap->indexes.n < INDEXES_SHOWN ? snap->indexes.n : INDEXES_SHOWN;
    if (shown) {
        /* scans(9) size(9), then table.index */
        cell(t->out, "scans", 9);
        cell(t->out, "size", 9);
        dbp_buf_puts(t->out, " index\n");
    }
    for (size_t i = 0; i < shown; i++) {
        const struct dbp_index *ix = snap->indexes.items[i];
        char v[24];
        dbp_report_fmt_count((double)ix->scans, v);
        cell(t->out, v, 9);
        dbp_report_fmt_bytes((double)ix->size_bytes, v);
        cell(t->out, v, 9);
        dbp_buf_clear(&line);
        if (ix->schema)
            dbp_buf_printf(&line, "%s.", ix->schema);
        dbp_buf_printf(&line, "%s.%s", ix->table ? ix->table : "?", ix->name ? ix->name : "?");
        dbp_buf_putc(t->out, ' ');
        dbp_report_fit(t->out, line.data, t->width - 21);
        dbp_buf_putc(t->out, '\n');
    }
    if (snap->indexes.n > shown)
        dbp_buf_printf(t->out, "  ... and %zu more (see the JSON report)\n",
                       snap->indexes.n - shown);
    dbp_buf_free(&line);
}

static void write_bursts(struct tw *t, const struct dbp_snapshot *snap)
{
    if (snap->bursts.n == 0)
        return;
    struct dbp_buf line = {0};
    dbp_buf_printf(&line, "Repeated statements in one session (N+1 bursts: %zu)",
                   snap->bursts.n);
    section(t, line.data);
    size_t shown = snap->bursts.n < BURSTS_SHOWN ? snap->bursts.n : BURSTS_SHOWN;
    for (size_t i = 0; i < shown; i++) {
        const struct dbp_burst *b = snap->bursts.items[i];
        char c[24], ms[24];
        dbp_report_fmt_count((double)b->calls, c);
        dbp_report_fmt_ms(b->total_ms, ms);
        dbp_buf_clear(&line);
        dbp_buf_printf(&line, "%llu runs, %s calls, longest run %llu, %s ms",
                       (unsigned long long)b->runs, c, (unsigned long long)b->max_run, ms);
        wrap(t, "  * ", 4, 4, line.data);
        dbp_buf_puts(t->out, "    after: ");
        dbp_report_fit(t->out, b->parent && b->parent->text ? b->parent->text : "(session start)",
                       t->width - 11);
        dbp_buf_puts(t->out, "\n    runs:  ");
        dbp_report_fit(t->out, b->child && b->child->text ? b->child->text : "?", t->width - 11);
        dbp_buf_putc(t->out, '\n');
    }
    if (snap->bursts.n > shown)
        dbp_buf_printf(t->out, "  ... and %zu more\n", snap->bursts.n - shown);
    dbp_buf_free(&line);
}

static void write_diags(struct tw *t, const struct dbp_snapshot *snap)
{
    struct dbp_buf line = {0};
    dbp_buf_printf(&line, "Diagnostics (%llu)", (unsigned long long)snap->n_diags);
    section(t, line.data);
    size_t shown = snap->diags.n < DIAG_LINES_SHOWN ? snap->diags.n : DIAG_LINES_SHOWN;
    if (snap->n_diags == 0)
        dbp_buf_puts(t->out, "  none\n");
    for (size_t i = 0; i < shown; i++) {
        dbp_buf_puts(t->out, "  ");
        dbp_report_fit(t->out, snap->diags.items[i], t->width - 2);
        dbp_buf_putc(t->out, '\n');
    }
    if (snap->n_diags > shown)
        dbp_buf_printf(t->out, "  ... and %llu more (see the JSON report)\n",
                       (unsigned long long)(snap->n_diags - shown));
    dbp_buf_free(&line);
}

int dbp_report_write_text(struct dbp_buf *out, FILE *sink, const struct dbp_snapshot *snap,
                          const struct dbp_report_opts *o)
{
    (void)sink;
    struct tw t = {.out = out, .width = o->width > 0 ? (size_t)o->width : 80, .color = o->color};
    if (t.width < MIN_WIDTH)
        t.width = MIN_WIDTH;
    write_header(&t, snap, o);
    write_findings(&t, snap);
    write_statements(&t, snap, o);
    write_indexes(&t, snap);
    write_bursts(&t, snap);
    write_diags(&t, snap);
    return DBP_OK;
}
