/*
 * tui_views.c -- the TUI's screens: statements, findings, indexes, a plan
 * tree and one finding in detail, plus the title bar, status line and help.
 * Screens only read the snapshot and the row arrays of tui_data.c; they draw
 * into stdscr and never refresh (the loop in tui_main.c owns that).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/model.h>

#include "report_int.h"
#include "tui.h"

int dbp_tui_page_rows(void)
{
    int r = LINES - 4;
    return r > 1 ? r : 1;
}

/* s with every UTF-8 sequence replaced by one '?' (ASCII terminals). */
static const char *ascii_only(struct dbp_buf *b, const char *s)
{
    dbp_buf_clear(b);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80)
            dbp_buf_putc(b, (char)*p);
        else if ((*p & 0xC0) != 0x80)
            dbp_buf_putc(b, '?');
    }
    dbp_buf_putc(b, '\0');
    return b->data;
}

/*
 * Append at most cols columns of s to out (one column per code point, control
 * characters as spaces, spaces kept), ending in "~" when cut. Returns the
 * columns appended.
 */
static size_t fit(struct dbp_buf *out, const char *s, size_t cols)
{
    size_t total = dbp_report_cols(s), used = 0;
    size_t room = total > cols ? (cols > 0 ? cols - 1 : 0) : cols;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t len = 1;
        if (*p >= 0xC0)
            while (p[len] && (p[len] & 0xC0) == 0x80 && len < 4)
                len++;
        if (used + 1 > room)
            break;
        if (*p < 0x20 || *p == 0x7F)
            dbp_buf_putc(out, ' ');
        else if (*p >= 0x80 && (*p < 0xC0 || len == 1))
            dbp_buf_putc(out, '?');
        else
            dbp_buf_append(out, p, len);
        used++;
        p += len;
    }
    if (total > cols && cols > 0) {
        dbp_buf_putc(out, '~');
        used++;
    }
    return used;
}

/*
 * Draw s at (y, x) in at most w columns (cut with "~"), padded to w columns
 * when pad. Returns the columns drawn.
 */
static int put(struct dbp_tui *t, int y, int x, int w, unsigned long attr, const char *s, bool pad)
{
    if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
        return 0;
    if (x + w > COLS)
        w = COLS - x;
    if (!s)
        s = "";
    if (strpbrk(s, "\n\t\r")) {
        /* multi-line SQL: whitespace runs become one space */
        dbp_buf_clear(&t->tmp2);
        dbp_report_clean(&t->tmp2, s);
        dbp_buf_putc(&t->tmp2, '\0');
        s = t->tmp2.data;
    }
    if (!dbp_tui_theme.utf8)
        s = ascii_only(&t->tmp, s);
    /* s may live in tmp now: build the cell in tmp2 */
    struct dbp_buf *o = s == t->tmp.data ? &t->tmp2 : &t->tmp;
    dbp_buf_clear(o);
    size_t cols = fit(o, s, (size_t)w);
    while (pad && cols < (size_t)w) {
        dbp_buf_putc(o, ' ');
        cols++;
    }
    attrset((attr_t)attr);
    if (o->len)
        mvaddnstr(y, x, o->data, (int)o->len);
    attrset(A_NORMAL);
    return (int)cols;
}

/* A right-aligned cell of width w followed by one space. */
static int cell(struct dbp_tui *t, int y, int x, int w, unsigned long attr, const char *s)
{
    char b[64];
    snprintf(b, sizeof b, "%*.*s ", w, w, s);
    put(t, y, x, w + 1, attr, b, false);
    return x + w + 1;
}

static void fill_line(int y, unsigned long attr)
{
    attrset((attr_t)attr);
    mvhline(y, 0, ' ', COLS);
    attrset(A_NORMAL);
}

/* ---- title, status and key lines ----------------------------------------- */

static const char *const view_names[] = {"Statements", "Findings", "Indexes", "Plan"};

static void draw_title(struct dbp_tui *t)
{
    fill_line(0, dbp_tui_theme.title);
    int x = put(t, 0, 0, COLS, dbp_tui_theme.title, "dbperf ", false);
    enum dbp_tui_view cur = t->view == DBP_TUI_VIEW_FINDING ? DBP_TUI_VIEW_FINDINGS : t->view;
    for (int v = 0; v < 4; v++) {
        char b[32];
        snprintf(b, sizeof b, " %d:%s ", v + 1, view_names[v]);
        x += put(t, 0, x, COLS - x, (int)cur == v ? dbp_tui_theme.tab_sel : dbp_tui_theme.tab, b,
                 false);
    }
    char right[96];
    if (t->live) {
        char when[16] = "--:--:--";
        time_t s = (time_t)(t->snap_time_us / 1000000);
        struct tm tm;
        if (t->snap_time_us && localtime_r(&s, &tm))
            strftime(when, sizeof when, "%H:%M:%S", &tm);
        snprintf(right, sizeof right, " live %gs @%s ", t->opts.delay_s, when);
    } else {
        snprintf(right, sizeof right, " %zu src ", t->snap->sources.n);
    }
    int rw = (int)strlen(right);
    if (x + rw < COLS)
        put(t, 0, COLS - rw, rw, dbp_tui_theme.title, right, false);
}

static void draw_bottom(struct dbp_tui *t)
{
    int y = LINES - 2;
    move(y, 0);
    clrtoeol();
    if (t->filtering || t->saving) {
        char b[300];
        snprintf(b, sizeof b, "%s%s", t->filtering ? "Filter: " : "Save to: ", t->input);
        int n = put(t, y, 0, COLS, dbp_tui_theme.status, b, false);
        if (n < COLS)
            put(t, y, n, 1, A_REVERSE, " ", false);
    } else if (t->status[0]) {
        put(t, y, 0, COLS, t->status_error ? dbp_tui_theme.error : dbp_tui_theme.status, t->status,
            false);
    }
    fill_line(LINES - 1, dbp_tui_theme.title);
    const char *keys = t->view == DBP_TUI_VIEW_PLAN
                           ? "?:help Tab:view Enter/+/-:fold Esc:back s:sort /:filter q:quit"
                       : t->view == DBP_TUI_VIEW_FINDING
                           ? "?:help Esc:back y:copy w:write q:quit"
                           : "?:help Tab:view Enter:open s:sort /:filter y:copy w:write q:quit";
    put(t, LINES - 1, 0, COLS, dbp_tui_theme.title, keys, false);
}

/* Keep the selection inside the list and on the page. */
static void clamp(struct dbp_tui *t, enum dbp_tui_view v, size_t n)
{
    size_t page = (size_t)dbp_tui_page_rows();
    if (v == DBP_TUI_VIEW_PLAN)
        page = page > 4 ? page - 4 : 1;
    if (n == 0) {
        t->sel[v] = t->top[v] = 0;
        return;
    }
    if (t->sel[v] >= n)
        t->sel[v] = n - 1;
    if (t->top[v] > t->sel[v])
        t->top[v] = t->sel[v];
    if (t->sel[v] >= t->top[v] + page)
        t->top[v] = t->sel[v] - page + 1;
    if (t->top[v] + page > n)
        t->top[v] = n > page ? n - page : 0;
}

static void empty_note(struct dbp_tui *t, const char *what)
{
    put(t, 3, 2, COLS - 2, dbp_tui_theme.dim, what, false);
}

/* ---- statements ---------------------------------------------------------- */

struct col {
    const char *name;
    int width;
    int drop; /* dropped first when the terminal is narrow: higher drops earlier */
    enum dbp_tui_sort sort;
    bool live;
};

static const struct col stmt_cols[] = {
    {"TOTAL ms", 9, 1, DBP_TUI_SORT_TOTAL, false}, {"CALLS", 7, 2, DBP_TUI_SORT_CALLS, false},
    {"MEAN ms", 8, 4, DBP_TUI_SORT_MEAN, false},   {"P95 ms", 8, 5, DBP_TUI_SORT_P95, false},
    {"ROWS", 7, 6, DBP_TUI_SORT_ROWS, false},      {"CALLS/s", 8, 3, DBP_TUI_SORT_CALLS_S, true},
    {"TIME/s", 8, 3, DBP_TUI_SORT_TIME_S, true},
};
#define N_STMT_COLS (sizeof stmt_cols / sizeof stmt_cols[0])

static void stmt_cell(const struct dbp_tui_stmts *s, const struct dbp_stmt *st, size_t c,
                      char out[24])
{
    switch (stmt_cols[c].sort) {
    case DBP_TUI_SORT_TOTAL:
        dbp_report_fmt_ms(st->agg.total_ms, out);
        break;
    case DBP_TUI_SORT_CALLS:
        dbp_report_fmt_count((double)st->agg.calls, out);
        break;
    case DBP_TUI_SORT_MEAN:
        dbp_report_fmt_ms(dbp_agg_mean_ms(&st->agg), out);
        break;
    case DBP_TUI_SORT_P95:
        dbp_report_fmt_ms(dbp_agg_quantile_ms(&st->agg, 0.95), out);
        break;
    case DBP_TUI_SORT_ROWS:
        dbp_report_fmt_count(
            st->agg.flags & DBP_AGG_ROWS_RETURNED ? (double)st->agg.rows_returned : -1, out);
        break;
    case DBP_TUI_SORT_CALLS_S: {
        double v = s->calls_s ? s->calls_s[st->index] : NAN;
        if (isfinite(v))
            snprintf(out, 24, v < 10 ? "%.2f" : "%.0f", v);
        else
            snprintf(out, 24, "-");
        break;
    }
    case DBP_TUI_SORT_TIME_S:
        dbp_report_fmt_ms(s->time_s ? s->time_s[st->index] : NAN, out);
        break;
    default:
        snprintf(out, 24, "-");
    }
}

static void draw_stmts(struct dbp_tui *t)
{
    struct dbp_tui_stmts *s = &t->stmts;
    bool shown[N_STMT_COLS];
    int used = 0;
    for (size_t c = 0; c < N_STMT_COLS; c++) {
        shown[c] = !stmt_cols[c].live || s->calls_s || t->live;
        if (shown[c])
            used += stmt_cols[c].width + 1;
    }
    /* narrow terminal: drop columns until the statement gets 20 columns */
    for (int d = 6; d >= 2 && COLS - used < 20; d--)
        for (size_t c = 0; c < N_STMT_COLS; c++)
            if (shown[c] && stmt_cols[c].drop == d && stmt_cols[c].sort != s->sort) {
                shown[c] = false;
                used -= stmt_cols[c].width + 1;
            }
    fill_line(1, dbp_tui_theme.header);
    int x = 0;
    for (size_t c = 0; c < N_STMT_COLS; c++)
        if (shown[c])
            x = cell(t, 1, x, stmt_cols[c].width,
                     stmt_cols[c].sort == s->sort ? dbp_tui_theme.sort_col : dbp_tui_theme.header,
                     stmt_cols[c].name);
    put(t, 1, x, COLS - x, dbp_tui_theme.header,
        s->show_literals ? "STATEMENT (example)" : "STATEMENT", false);
    clamp(t, DBP_TUI_VIEW_STMTS, s->n_rows);
    if (s->n_rows == 0) {
        empty_note(t, s->n ? "no statement matches the filter" : "no statements in these sources");
        return;
    }
    int page = dbp_tui_page_rows();
    for (int r = 0; r < page; r++) {
        size_t i = t->top[DBP_TUI_VIEW_STMTS] + (size_t)r;
        if (i >= s->n_rows)
            break;
        const struct dbp_stmt *st = s->snap->stmts.items[s->rows[i]];
        bool sel = i == t->sel[DBP_TUI_VIEW_STMTS];
        unsigned long attr = sel ? dbp_tui_theme.selected : A_NORMAL;
        int y = 2 + r;
        if (sel)
            fill_line(y, attr);
        x = 0;
        for (size_t c = 0; c < N_STMT_COLS; c++) {
            if (!shown[c])
                continue;
            char v[24];
            stmt_cell(s, st, c, v);
            x = cell(t, y, x, stmt_cols[c].width, attr, v);
        }
        put(t, y, x, COLS - x, attr, dbp_tui_stmt_text(s, st), sel);
    }
}

/* ---- findings ------------------------------------------------------------- */

static unsigned long sev_attr(enum dbp_severity s)
{
    return s == DBP_SEV_CRITICAL  ? dbp_tui_theme.crit
           : s == DBP_SEV_WARNING ? dbp_tui_theme.warn
                                  : dbp_tui_theme.info;
}

static void draw_findings(struct dbp_tui *t)
{
    const struct dbp_tui_list *l = &t->findings;
    fill_line(1, dbp_tui_theme.header);
    int wr = 15, wo = COLS >= 100 ? 30 : 22;
    put(t, 1, 0, 9, dbp_tui_theme.sort_col, "SEVERITY", false);
    put(t, 1, 9, wr + 1, dbp_tui_theme.header, "RULE", false);
    put(t, 1, 10 + wr, wo + 1, dbp_tui_theme.header, "OBJECT", false);
    put(t, 1, 11 + wr + wo, COLS, dbp_tui_theme.header, "MESSAGE", false);
    clamp(t, DBP_TUI_VIEW_FINDINGS, l->n_rows);
    if (l->n_rows == 0) {
        empty_note(t, t->snap->findings.n ? "no finding matches the filter" : "no findings");
        return;
    }
    int page = dbp_tui_page_rows();
    for (int r = 0; r < page; r++) {
        size_t i = t->top[DBP_TUI_VIEW_FINDINGS] + (size_t)r;
        if (i >= l->n_rows)
            break;
        const struct dbp_finding *f = t->snap->findings.items[l->rows[i]];
        bool sel = i == t->sel[DBP_TUI_VIEW_FINDINGS];
        unsigned long attr = sel ? dbp_tui_theme.selected : A_NORMAL;
        int y = 2 + r;
        if (sel)
            fill_line(y, attr);
        put(t, y, 0, 9, sel ? attr : sev_attr(f->severity), dbp_severity_name(f->severity), true);
        put(t, y, 9, wr, attr, f->rule, true);
        put(t, y, 10 + wr, wo, attr, f->object, true);
        put(t, y, 11 + wr + wo, COLS - (11 + wr + wo), attr, f->message, sel);
    }
}

/* Word-wrap text into lines of at most w columns, each appended with prefix to lines. */
static void wrap_into(struct dbp_buf *lines, const char *prefix, const char *text, int w)
{
    size_t pl = strlen(prefix);
    if (w <= (int)pl + 4)
        w = (int)pl + 4;
    size_t avail = (size_t)w - pl;
    const char *p = text ? text : "-";
    while (*p == ' ')
        p++;
    do {
        size_t n = strlen(p), cut = n;
        if (dbp_report_cols(p) > avail) {
            /* cut at the last space within avail columns (counting code points) */
            size_t cols = 0, last_space = 0, i = 0;
            for (; p[i] && cols < avail; i++) {
                if (((unsigned char)p[i] & 0xC0) != 0x80)
                    cols++;
                if (p[i] == ' ')
                    last_space = i;
            }
            while (p[i] && ((unsigned char)p[i] & 0xC0) == 0x80)
                i++;
            cut = last_space > 0 ? last_space : i;
        }
        dbp_buf_puts(lines, prefix);
        for (size_t i = 0; i < cut; i++)
            dbp_buf_putc(lines, p[i] == '\n' || p[i] == '\t' ? ' ' : p[i]);
        dbp_buf_putc(lines, '\n');
        p += cut;
        while (*p == ' ' || *p == '\n')
            p++;
        prefix = "  ";
        pl = 2;
        avail = (size_t)w - pl;
    } while (*p);
}

static void draw_finding(struct dbp_tui *t)
{
    const struct dbp_tui_list *l = &t->findings;
    fill_line(1, dbp_tui_theme.header);
    if (l->n_rows == 0) {
        empty_note(t, "no finding selected");
        return;
    }
    const struct dbp_finding *f =
        t->snap->findings
            .items[l->rows[t->sel[DBP_TUI_VIEW_FINDINGS] < l->n_rows ? t->sel[DBP_TUI_VIEW_FINDINGS]
                                                                     : 0]];
    char head[200];
    snprintf(head, sizeof head, "%s  %s  (%s)", dbp_severity_name(f->severity),
             f->rule ? f->rule : "-", dbp_engine_name(f->engine));
    put(t, 1, 0, COLS, dbp_tui_theme.header, head, false);
    struct dbp_buf lines = {0};
    int w = COLS - 1;
    wrap_into(&lines, "Object: ", f->object, w);
    wrap_into(&lines, "", f->message, w);
    dbp_buf_puts(&lines, "\n");
    if (f->suggestion) {
        dbp_buf_puts(&lines, "Suggestion (y: copy, w: write to a file):\n");
        wrap_into(&lines, "  ", f->suggestion, w);
    } else {
        dbp_buf_puts(&lines, "Suggestion: none\n");
    }
    dbp_buf_puts(&lines, "\nEvidence:\n");
    for (size_t i = 0; i < f->n_evidence; i++) {
        const struct dbp_evidence *e = &f->evidence[i];
        char v[24];
        dbp_report_fmt_value(e->value, v);
        struct dbp_buf one = {0};
        dbp_buf_printf(&one, "%s = %s", e->key ? e->key : "-", e->text ? e->text : v);
        wrap_into(&lines, "  ", one.data, w);
        dbp_buf_free(&one);
    }
    if (f->verified != DBP_VERIFY_NONE || f->verify_note) {
        struct dbp_buf one = {0};
        dbp_buf_printf(&one, "Verified: %s%s%s", dbp_verification_name(f->verified),
                       f->verify_note ? ": " : "", f->verify_note ? f->verify_note : "");
        dbp_buf_puts(&lines, "\n");
        wrap_into(&lines, "", one.data, w);
        dbp_buf_free(&one);
    }
    if (isfinite(f->benefit)) {
        char b[64];
        snprintf(b, sizeof b, "Estimated benefit: %.0f%%\n", f->benefit * 100);
        dbp_buf_puts(&lines, b);
    }
    /* scroll: sel of the detail view is the first line shown */
    size_t n_lines = 0;
    for (size_t i = 0; i < lines.len; i++)
        n_lines += lines.data[i] == '\n';
    size_t page = (size_t)dbp_tui_page_rows();
    size_t max_top = n_lines > page ? n_lines - page : 0;
    if (t->sel[DBP_TUI_VIEW_FINDING] > max_top)
        t->sel[DBP_TUI_VIEW_FINDING] = max_top;
    size_t ln = 0;
    int y = 2;
    bool in_sugg = false;
    for (const char *p = lines.data; p && *p && y < LINES - 2;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *one = dbp_xmalloc(len + 1);
        memcpy(one, p, len);
        one[len] = '\0';
        if (strncmp(one, "Suggestion", 10) == 0)
            in_sugg = true;
        else if (strncmp(one, "Evidence", 8) == 0 || !one[0])
            in_sugg = in_sugg && one[0];
        if (ln >= t->sel[DBP_TUI_VIEW_FINDING]) {
            unsigned long a = one[0] && one[0] != ' ' ? A_BOLD : A_NORMAL;
            if (in_sugg && one[0] == ' ')
                a = dbp_tui_theme.hot;
            put(t, y++, 0, COLS, a, one, false);
        }
        free(one);
        ln++;
        p = e ? e + 1 : p + len;
    }
    dbp_buf_free(&lines);
}

/* ---- indexes --------------------------------------------------------------- */

static void draw_indexes(struct dbp_tui *t)
{
    const struct dbp_tui_list *l = &t->indexes;
    fill_line(1, dbp_tui_theme.header);
    int wt = COLS >= 100 ? 26 : 18, wi = COLS >= 100 ? 30 : 22;
    int x = 0;
    x += put(t, 1, x, wt + 1, dbp_tui_theme.header, "TABLE", true);
    x += put(t, 1, x, wi + 1, l->sort == 2 ? dbp_tui_theme.sort_col : dbp_tui_theme.header, "INDEX",
             true);
    x = cell(t, 1, x, 9, l->sort == 0 ? dbp_tui_theme.sort_col : dbp_tui_theme.header, "SIZE");
    x = cell(t, 1, x, 8, l->sort == 1 ? dbp_tui_theme.sort_col : dbp_tui_theme.header, "SCANS");
    put(t, 1, x, COLS - x, dbp_tui_theme.header, "UNUSED SINCE", false);
    clamp(t, DBP_TUI_VIEW_INDEXES, l->n_rows);
    if (l->n_rows == 0) {
        empty_note(t, t->snap->indexes.n
                          ? "no index matches the filter"
                          : "no indexes in these sources (index data comes from live servers "
                            "or saved reports of them)");
        return;
    }
    int page = dbp_tui_page_rows();
    for (int r = 0; r < page; r++) {
        size_t i = t->top[DBP_TUI_VIEW_INDEXES] + (size_t)r;
        if (i >= l->n_rows)
            break;
        const struct dbp_index *ix = t->snap->indexes.items[l->rows[i]];
        bool sel = i == t->sel[DBP_TUI_VIEW_INDEXES];
        unsigned long attr = sel ? dbp_tui_theme.selected : A_NORMAL;
        int y = 2 + r;
        if (sel)
            fill_line(y, attr);
        char tbl[256];
        snprintf(tbl, sizeof tbl, "%s%s%s", ix->schema ? ix->schema : "", ix->schema ? "." : "",
                 ix->table ? ix->table : "-");
        x = 0;
        x += put(t, y, x, wt, attr, tbl, true) + 1;
        x += put(t, y, x, wi, attr, ix->name, true) + 1;
        char v[24];
        dbp_report_fmt_bytes((double)ix->size_bytes, v);
        x = cell(t, y, x, 9, attr, v);
        dbp_report_fmt_count((double)ix->scans, v);
        x = cell(t, y, x, 8, attr, v);
        char since[40] = "";
        if (ix->scans == 0) {
            if (ix->counter_since_us > 0) {
                time_t s = (time_t)(ix->counter_since_us / 1000000);
                struct tm tm;
                if (gmtime_r(&s, &tm))
                    strftime(since, sizeof since, "%Y-%m-%d %H:%M", &tm);
            } else {
                snprintf(since, sizeof since, "never used (since ?)");
            }
        }
        put(t, y, x, COLS - x, sel ? attr : (ix->scans == 0 ? dbp_tui_theme.warn : A_NORMAL), since,
            sel);
    }
}

/* ---- plan ------------------------------------------------------------------ */

static const struct dbp_plan *plan_of(const struct dbp_tui *t)
{
    return t->plan.plan;
}

static void tree_prefix(struct dbp_buf *b, const struct dbp_tui_plan_line *l)
{
    bool u = dbp_tui_theme.utf8;
    for (int d = 1; d < l->depth; d++)
        dbp_buf_puts(b, d < 64 && (l->branch >> d & 1) ? (u ? "\xe2\x94\x82  " : "|  ") : "   ");
    if (l->depth > 0)
        dbp_buf_puts(b, l->last ? (u ? "\xe2\x94\x94\xe2\x94\x80 " : "`- ")
                                : (u ? "\xe2\x94\x9c\xe2\x94\x80 " : "|- "));
    dbp_buf_puts(b, l->has_children ? (l->collapsed ? "[+] " : "[-] ") : "");
}

static void draw_plan(struct dbp_tui *t)
{
    const struct dbp_plan *p = plan_of(t);
    const struct dbp_stmt *st = t->plan_stmt;
    fill_line(1, dbp_tui_theme.header);
    if (st) {
        put(t, 1, 0, COLS, dbp_tui_theme.header, dbp_tui_stmt_text(&t->stmts, st), false);
    } else if (p) {
        put(t, 1, 0, COLS, dbp_tui_theme.header, p->origin ? p->origin : "plan", false);
    }
    if (!p || !t->plan.n_all) {
        empty_note(t, st ? "no plan for this statement (plans come from auto_explain logs, saved "
                           "EXPLAIN output, or live servers)"
                         : "no statement selected: pick one in the Statements view and press "
                           "Enter");
        return;
    }
    char info[256];
    char ms[24];
    dbp_report_fmt_ms(p->execution_ms, ms);
    snprintf(info, sizeof info, "%s%s%s, %s, execution %s ms%s", p->format ? p->format : "plan",
             p->origin ? " from " : "", p->origin ? p->origin : "",
             p->analyzed ? "actual rows" : "estimates only", ms,
             t->plan.by_time ? "; hot = self time" : "; hot = self cost");
    put(t, 2, 0, COLS, dbp_tui_theme.dim, info, false);
    bool by_time = t->plan.by_time;
    int wn = COLS - 4 * 10;
    if (wn < 20)
        wn = 20;
    fill_line(3, dbp_tui_theme.header);
    put(t, 3, 0, wn, dbp_tui_theme.header, "NODE", false);
    int x = wn;
    x = cell(t, 3, x, 9, dbp_tui_theme.header, "EST ROWS");
    x = cell(t, 3, x, 9, dbp_tui_theme.header, "ACT ROWS");
    x = cell(t, 3, x, 9, dbp_tui_theme.header, "LOOPS");
    cell(t, 3, x, 9, dbp_tui_theme.header, by_time ? "SELF ms" : "SELF COST");
    clamp(t, DBP_TUI_VIEW_PLAN, t->plan.n_vis);
    int page = dbp_tui_page_rows() - 4;
    if (page < 1)
        page = 1;
    struct dbp_buf line = {0};
    for (int r = 0; r < page; r++) {
        size_t i = t->top[DBP_TUI_VIEW_PLAN] + (size_t)r;
        if (i >= t->plan.n_vis)
            break;
        const struct dbp_tui_plan_line *l = &t->plan.all[t->plan.vis[i]];
        const struct dbp_plan_node *n = l->node;
        bool sel = i == t->sel[DBP_TUI_VIEW_PLAN];
        unsigned long attr = sel           ? dbp_tui_theme.selected
                             : l->hot_rank ? dbp_tui_theme.hot
                                           : A_NORMAL;
        int y = 4 + r;
        if (sel)
            fill_line(y, attr);
        dbp_buf_clear(&line);
        tree_prefix(&line, l);
        if (l->hot_rank)
            dbp_buf_printf(&line, "#%d ", l->hot_rank);
        dbp_buf_puts(&line, n->engine_name ? n->engine_name : dbp_node_kind_name(n->kind));
        if (n->relation)
            dbp_buf_printf(&line, " on %s", n->relation);
        if (n->alias && n->relation && strcmp(n->alias, n->relation) != 0)
            dbp_buf_printf(&line, " %s", n->alias);
        if (n->index)
            dbp_buf_printf(&line, " using %s", n->index);
        put(t, y, 0, wn, attr, line.data, true);
        x = wn;
        char v[24];
        dbp_report_fmt_count(n->est_rows, v);
        x = cell(t, y, x, 9, attr, v);
        dbp_report_fmt_count(n->act_rows, v);
        /* estimate off by 10x or more: worth a look */
        bool off = isfinite(n->est_rows) && isfinite(n->act_rows) &&
                   (n->act_rows > 10 * (n->est_rows + 1) || n->est_rows > 10 * (n->act_rows + 1));
        x = cell(t, y, x, 9, sel || !off ? attr : dbp_tui_theme.warn, v);
        dbp_report_fmt_count(n->loops, v);
        x = cell(t, y, x, 9, attr, v);
        if (by_time)
            dbp_report_fmt_ms(l->self, v);
        else
            dbp_report_fmt_value(l->self, v);
        cell(t, y, x, 9, attr, v);
    }
    /* the selected node's condition, masked as the report masks it */
    if (t->plan.n_vis && LINES > 8) {
        const struct dbp_plan_node *n = t->plan.all[t->plan.vis[t->sel[DBP_TUI_VIEW_PLAN]]].node;
        dbp_buf_clear(&line);
        struct dbp_buf mtmp = {0};
        const char *c = dbp_report_mask(n->condition, p->engine, t->opts.show_literals, &mtmp);
        dbp_buf_printf(&line, "Condition: %s", c ? c : "-");
        move(LINES - 3, 0);
        clrtoeol();
        put(t, LINES - 3, 0, COLS, dbp_tui_theme.dim, line.data, false);
        dbp_buf_free(&mtmp);
    }
    dbp_buf_free(&line);
}

/* ---- help ------------------------------------------------------------------ */

static const char *const help_lines[] = {
    "dbperf tui -- keys",
    "",
    "Tab, Shift-Tab, 1-4  switch view: statements, findings, indexes, plan",
    "Up/Down j/k PgUp/PgDn Home/End  move",
    "Enter     drill down: statement -> plan, finding -> details;",
    "          in the plan: fold or unfold the node (also + - Left Right)",
    "Esc       back (or clear the filter)",
    "/         filter (substring, any case); Enter keeps it, Esc clears",
    "s         change the sort (statements: total, calls, mean, p95, rows,",
    "          calls/s, time/s live; indexes: size, scans, name)",
    "y         copy the selected suggestion (or statement) to the clipboard",
    "          (OSC 52: the terminal must allow it)",
    "w         write the selected suggestion (or statement) to a file",
    "r         refresh now (live mode)",
    "q         quit",
    "",
    "Plan: #1-#3 mark the costliest nodes (self time, else self cost);",
    "actual rows 10x off the estimate are highlighted.",
    "Press any key to close this help.",
};

static void draw_help(struct dbp_tui *t)
{
    int n = (int)(sizeof help_lines / sizeof help_lines[0]);
    int w = 74 < COLS - 2 ? 74 : COLS - 2;
    int h = n + 2 < LINES - 1 ? n + 2 : LINES - 1;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    if (w < 10 || h < 3)
        return;
    for (int y = y0; y < y0 + h; y++) {
        move(y, x0);
        for (int x = 0; x < w; x++)
            addch(' ');
    }
    if (dbp_tui_theme.utf8) {
        mvhline(y0, x0, ACS_HLINE, w);
        mvhline(y0 + h - 1, x0, ACS_HLINE, w);
        mvvline(y0, x0, ACS_VLINE, h);
        mvvline(y0, x0 + w - 1, ACS_VLINE, h);
        mvaddch(y0, x0, ACS_ULCORNER);
        mvaddch(y0, x0 + w - 1, ACS_URCORNER);
        mvaddch(y0 + h - 1, x0, ACS_LLCORNER);
        mvaddch(y0 + h - 1, x0 + w - 1, ACS_LRCORNER);
    } else {
        mvhline(y0, x0, '-', w);
        mvhline(y0 + h - 1, x0, '-', w);
        mvvline(y0, x0, '|', h);
        mvvline(y0, x0 + w - 1, '|', h);
        mvaddch(y0, x0, '+');
        mvaddch(y0, x0 + w - 1, '+');
        mvaddch(y0 + h - 1, x0, '+');
        mvaddch(y0 + h - 1, x0 + w - 1, '+');
    }
    for (int i = 0; i < n && i < h - 2; i++)
        put(t, y0 + 1 + i, x0 + 2, w - 4, i == 0 ? dbp_tui_theme.header : A_NORMAL, help_lines[i],
            false);
}

void dbp_tui_draw(struct dbp_tui *t)
{
    erase();
    draw_title(t);
    switch (t->view) {
    case DBP_TUI_VIEW_STMTS:
        draw_stmts(t);
        break;
    case DBP_TUI_VIEW_FINDINGS:
        draw_findings(t);
        break;
    case DBP_TUI_VIEW_INDEXES:
        draw_indexes(t);
        break;
    case DBP_TUI_VIEW_PLAN:
        draw_plan(t);
        break;
    case DBP_TUI_VIEW_FINDING:
        draw_finding(t);
        break;
    default:
        break;
    }
    draw_bottom(t);
    if (t->help)
        draw_help(t);
}
