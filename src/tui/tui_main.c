/*
 * tui_main.c -- the TUI's state, key handling and its one loop.
 *
 * dbp_tui_key() handles one key and returns DBP_TUI_* flags; dbp_tui_run()
 * owns the terminal: it reads keys, asks for live refreshes on schedule,
 * redraws when a handler asks for it, and restores the terminal on every way
 * out. Terminating signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT) are blocked
 * while the UI runs and polled with sigpending() once per loop turn, so no
 * handler ever runs curses code: the loop leaves, endwin() restores the
 * terminal, and the signal is then delivered with its default action (the
 * exit status says which signal ended us). SIGWINCH is ncurses' own
 * (KEY_RESIZE).
 *
 * dbp_tui_bench() replays a key script against a generated snapshot on an
 * 80x24 screen written to /dev/null and prints the time per key.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/fingerprint.h>
#include <dbperf/model.h>

#include "tui.h"

#define KEY_ESC 27

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_status(struct dbp_tui *t, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_status(struct dbp_tui *t, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->status, sizeof t->status, fmt, ap);
    va_end(ap);
    t->status_error = error;
}

/* The first plan of the snapshot that belongs to no statement (a saved EXPLAIN). */
static const struct dbp_plan *bare_plan(const struct dbp_snapshot *snap)
{
    for (size_t i = 0; i < snap->plans.n; i++) {
        const struct dbp_plan *p = snap->plans.items[i];
        if (!p->stmt && p->root)
            return p;
    }
    return NULL;
}

static void open_plan(struct dbp_tui *t, const struct dbp_stmt *st)
{
    dbp_tui_plan_free(&t->plan);
    t->plan_stmt = st;
    const struct dbp_plan *p = st ? st->plan : bare_plan(t->snap);
    dbp_tui_plan_init(&t->plan, p);
    t->sel[DBP_TUI_VIEW_PLAN] = t->top[DBP_TUI_VIEW_PLAN] = 0;
}

void dbp_tui_init(struct dbp_tui *t, struct dbp_snapshot *snap, const struct dbp_tui_opts *o)
{
    memset(t, 0, sizeof *t);
    t->opts = *o;
    t->snap = snap;
    t->live = o->delay_s > 0;
    t->snap_time_us = now_us();
    dbp_tui_stmts_init(&t->stmts, snap, o->show_literals);
    dbp_tui_stmts_apply(&t->stmts);
    dbp_tui_findings_apply(&t->findings, snap);
    dbp_tui_indexes_apply(&t->indexes, snap);
    open_plan(t, NULL);
    if (o->initial_status && o->initial_status[0]) {
        set_status(t, true, "%s", o->initial_status);
        return;
    }
    /* sources that failed: say so once */
    for (size_t i = 0; i < snap->sources.n; i++) {
        const struct dbp_source *s = snap->sources.items[i];
        if (s->status != 0 && s->error) {
            set_status(t, true, "%s", s->error);
            break;
        }
    }
}

void dbp_tui_free(struct dbp_tui *t)
{
    dbp_tui_stmts_free(&t->stmts);
    free(t->findings.rows);
    free(t->indexes.rows);
    dbp_tui_plan_free(&t->plan);
    dbp_buf_free(&t->tmp);
    dbp_buf_free(&t->tmp2);
    free((void *)t->osc52);
    dbp_snapshot_free(t->snap);
    memset(t, 0, sizeof *t);
}

/* The selected statement, or NULL. */
static const struct dbp_stmt *selected_stmt(const struct dbp_tui *t)
{
    const struct dbp_tui_stmts *s = &t->stmts;
    size_t i = t->sel[DBP_TUI_VIEW_STMTS];
    return i < s->n_rows ? s->snap->stmts.items[s->rows[i]] : NULL;
}

static const struct dbp_finding *selected_finding(const struct dbp_tui *t)
{
    size_t i = t->sel[DBP_TUI_VIEW_FINDINGS];
    return i < t->findings.n_rows ? t->snap->findings.items[t->findings.rows[i]] : NULL;
}

/* Re-apply the statements' sort or filter, keeping the selected statement selected. */
static void stmts_reapply(struct dbp_tui *t)
{
    const struct dbp_stmt *keep = selected_stmt(t);
    dbp_tui_stmts_apply(&t->stmts);
    t->sel[DBP_TUI_VIEW_STMTS] = 0;
    for (size_t i = 0; keep && i < t->stmts.n_rows; i++)
        if (t->stmts.snap->stmts.items[t->stmts.rows[i]] == keep) {
            t->sel[DBP_TUI_VIEW_STMTS] = i;
            break;
        }
}

void dbp_tui_replace(struct dbp_tui *t, struct dbp_snapshot *snap, double dt_s)
{
    const struct dbp_stmt *old_sel = selected_stmt(t);
    uint64_t sel_fpid = old_sel ? old_sel->fpid : 0;
    uint64_t plan_fpid = t->plan_stmt ? t->plan_stmt->fpid : 0;
    struct dbp_tui_stmts ns;
    dbp_tui_stmts_init(&ns, snap, t->opts.show_literals);
    dbp_tui_stmts_deltas(&ns, t->snap, dt_s);
    ns.sort = t->stmts.sort;
    memcpy(ns.filter, t->stmts.filter, sizeof ns.filter);
    dbp_tui_stmts_free(&t->stmts);
    t->stmts = ns;
    dbp_tui_stmts_apply(&t->stmts);
    /* plan view: the same statement class in the new snapshot */
    const struct dbp_stmt *pst = NULL;
    if (plan_fpid) {
        for (size_t i = 0; i < snap->stmts.n && !pst; i++) {
            const struct dbp_stmt *st = snap->stmts.items[i];
            if (st->fpid == plan_fpid)
                pst = st;
        }
    }
    size_t psel = t->sel[DBP_TUI_VIEW_PLAN], ptop = t->top[DBP_TUI_VIEW_PLAN];
    dbp_tui_plan_free(&t->plan);
    t->plan_stmt = NULL;
    dbp_snapshot_free(t->snap);
    t->snap = snap;
    open_plan(t, pst);
    t->sel[DBP_TUI_VIEW_PLAN] = psel;
    t->top[DBP_TUI_VIEW_PLAN] = ptop;
    dbp_tui_findings_apply(&t->findings, snap);
    dbp_tui_indexes_apply(&t->indexes, snap);
    t->sel[DBP_TUI_VIEW_STMTS] = 0;
    for (size_t i = 0; sel_fpid && i < t->stmts.n_rows; i++)
        if (((const struct dbp_stmt *)snap->stmts.items[t->stmts.rows[i]])->fpid == sel_fpid) {
            t->sel[DBP_TUI_VIEW_STMTS] = i;
            break;
        }
    t->live_dt_s = dt_s;
    t->snap_time_us = now_us();
    t->refreshes++;
}

/* ---- copying and saving a suggestion -------------------------------------- */

/* The text y and w act on: the finding's suggestion, else the statement. */
static const char *selected_text(const struct dbp_tui *t)
{
    if (t->view == DBP_TUI_VIEW_FINDINGS || t->view == DBP_TUI_VIEW_FINDING) {
        const struct dbp_finding *f = selected_finding(t);
        return f ? f->suggestion : NULL;
    }
    if (t->view == DBP_TUI_VIEW_STMTS || t->view == DBP_TUI_VIEW_PLAN) {
        const struct dbp_stmt *st = t->view == DBP_TUI_VIEW_PLAN ? t->plan_stmt : selected_stmt(t);
        return st ? dbp_tui_stmt_text(&t->stmts, st) : NULL;
    }
    return NULL;
}

static void copy_osc52(struct dbp_tui *t, const char *text)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    struct dbp_buf b = {0};
    dbp_buf_puts(&b, "\033]52;c;");
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        dbp_buf_putc(&b, b64[v >> 18 & 63]);
        dbp_buf_putc(&b, b64[v >> 12 & 63]);
        dbp_buf_putc(&b, i + 1 < n ? b64[v >> 6 & 63] : '=');
        dbp_buf_putc(&b, i + 2 < n ? b64[v & 63] : '=');
    }
    dbp_buf_puts(&b, "\a");
    free((void *)t->osc52);
    t->osc52 = b.data;
    set_status(t, false, "copied %zu bytes to the clipboard (OSC 52)", n);
}

static void save_text(struct dbp_tui *t, const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        set_status(t, true, "cannot write %s: %s", path, strerror(errno));
        return;
    }
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, f) == n && fputc('\n', f) != EOF;
    if (fclose(f) != 0)
        ok = false;
    if (ok)
        set_status(t, false, "wrote %s", path);
    else
        set_status(t, true, "cannot write %s: %s", path, strerror(errno));
}

/* ---- keys ------------------------------------------------------------------ */

static size_t list_len(const struct dbp_tui *t, enum dbp_tui_view v)
{
    switch (v) {
    case DBP_TUI_VIEW_STMTS:
        return t->stmts.n_rows;
    case DBP_TUI_VIEW_FINDINGS:
        return t->findings.n_rows;
    case DBP_TUI_VIEW_INDEXES:
        return t->indexes.n_rows;
    case DBP_TUI_VIEW_PLAN:
        return t->plan.n_vis;
    case DBP_TUI_VIEW_FINDING:
        return (size_t)-1 / 2; /* clamped by the screen */
    default:
        return 0;
    }
}

static char *filter_of(struct dbp_tui *t)
{
    switch (t->view) {
    case DBP_TUI_VIEW_STMTS:
        return t->stmts.filter;
    case DBP_TUI_VIEW_FINDINGS:
        return t->findings.filter;
    case DBP_TUI_VIEW_INDEXES:
        return t->indexes.filter;
    default:
        return NULL;
    }
}

static void apply_filter(struct dbp_tui *t)
{
    switch (t->view) {
    case DBP_TUI_VIEW_STMTS:
        stmts_reapply(t);
        break;
    case DBP_TUI_VIEW_FINDINGS:
        dbp_tui_findings_apply(&t->findings, t->snap);
        t->sel[t->view] = 0;
        break;
    case DBP_TUI_VIEW_INDEXES:
        dbp_tui_indexes_apply(&t->indexes, t->snap);
        t->sel[t->view] = 0;
        break;
    default:
        break;
    }
}

static void filter_status(struct dbp_tui *t)
{
    const char *f = filter_of(t);
    if (!f)
        return;
    size_t n = list_len(t, t->view);
    size_t all = t->view == DBP_TUI_VIEW_STMTS      ? t->stmts.n
                 : t->view == DBP_TUI_VIEW_FINDINGS ? t->snap->findings.n
                                                    : t->snap->indexes.n;
    if (f[0])
        set_status(t, false, "filter \"%s\": %zu of %zu", f, n, all);
    else
        t->status[0] = '\0';
}

/* Keys while a line is being typed (filter or file name). */
static unsigned input_key(struct dbp_tui *t, int key)
{
    char *f = t->filtering ? filter_of(t) : NULL;
    size_t cap = f ? 128 : sizeof t->input;
    if (key == KEY_ESC) {
        if (f) {
            f[0] = '\0';
            apply_filter(t);
            filter_status(t);
        }
        t->filtering = t->saving = false;
        return DBP_TUI_REDRAW;
    }
    if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        if (t->saving) {
            const char *text = selected_text(t);
            if (text && t->input[0])
                save_text(t, t->input, text);
        } else {
            filter_status(t);
        }
        t->filtering = t->saving = false;
        return DBP_TUI_REDRAW;
    }
    if (key == 21) { /* Ctrl-U: clear the line */
        t->input_len = 0;
    } else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        while (t->input_len > 0 && ((unsigned char)t->input[t->input_len - 1] & 0xC0) == 0x80)
            t->input_len--;
        if (t->input_len > 0)
            t->input_len--;
    } else if (key >= 32 && key < 256 && key != 127 && t->input_len + 1 < cap) {
        t->input[t->input_len++] = (char)key;
    } else {
        return DBP_TUI_OK;
    }
    t->input[t->input_len] = '\0';
    if (f) {
        /* incremental: the list follows every key */
        memcpy(f, t->input, t->input_len + 1);
        apply_filter(t);
        filter_status(t);
    }
    return DBP_TUI_REDRAW;
}

static void switch_view(struct dbp_tui *t, enum dbp_tui_view v)
{
    if (v == DBP_TUI_VIEW_PLAN && t->view == DBP_TUI_VIEW_STMTS) {
        const struct dbp_stmt *st = selected_stmt(t);
        if (st)
            open_plan(t, st);
    }
    if (v == DBP_TUI_VIEW_PLAN)
        t->back = t->view == DBP_TUI_VIEW_PLAN ? t->back : t->view;
    t->view = v;
    if (!t->status_error)
        filter_status(t);
}

static void plan_fold(struct dbp_tui *t, int how) /* -1 collapse, 1 expand, 0 toggle */
{
    if (!t->plan.n_vis)
        return;
    size_t i = t->plan.vis[t->sel[DBP_TUI_VIEW_PLAN]];
    struct dbp_tui_plan_line *l = &t->plan.all[i];
    if (!l->has_children)
        return;
    l->collapsed = how == 0 ? !l->collapsed : how < 0;
    dbp_tui_plan_visible(&t->plan);
}

unsigned dbp_tui_key(struct dbp_tui *t, int key)
{
    if (key == KEY_RESIZE)
        return DBP_TUI_REDRAW;
    if (t->help) {
        t->help = false;
        return DBP_TUI_REDRAW;
    }
    if (t->filtering || t->saving)
        return input_key(t, key);
    enum dbp_tui_view v = t->view;
    size_t n = list_len(t, v);
    size_t page = (size_t)dbp_tui_page_rows();
    size_t *sel = &t->sel[v];
    switch (key) {
    case 'q':
    case 'Q':
    case KEY_F(10):
        return DBP_TUI_QUIT;
    case '?':
    case 'h':
    case KEY_F(1):
        t->help = true;
        return DBP_TUI_REDRAW;
    case '\t':
        switch_view(t, v == DBP_TUI_VIEW_FINDING ? DBP_TUI_VIEW_INDEXES
                                                 : (enum dbp_tui_view)((v + 1) % 4));
        return DBP_TUI_REDRAW;
    case KEY_BTAB:
        switch_view(t, v == DBP_TUI_VIEW_FINDING ? DBP_TUI_VIEW_STMTS
                                                 : (enum dbp_tui_view)((v + 3) % 4));
        return DBP_TUI_REDRAW;
    case '1':
    case '2':
    case '3':
    case '4':
        switch_view(t, (enum dbp_tui_view)(key - '1'));
        return DBP_TUI_REDRAW;
    case KEY_UP:
    case 'k':
        if (*sel > 0)
            (*sel)--;
        return DBP_TUI_REDRAW;
    case KEY_DOWN:
    case 'j':
        if (*sel + 1 < n)
            (*sel)++;
        return DBP_TUI_REDRAW;
    case KEY_PPAGE:
        *sel = *sel > page ? *sel - page : 0;
        return DBP_TUI_REDRAW;
    case KEY_NPAGE:
        *sel = n == 0 ? 0 : *sel + page < n ? *sel + page : n - 1;
        return DBP_TUI_REDRAW;
    case KEY_HOME:
    case 'g':
        *sel = 0;
        return DBP_TUI_REDRAW;
    case KEY_END:
    case 'G':
        *sel = n ? n - 1 : 0;
        return DBP_TUI_REDRAW;
    case '\n':
    case '\r':
    case KEY_ENTER:
        if (v == DBP_TUI_VIEW_STMTS && selected_stmt(t)) {
            switch_view(t, DBP_TUI_VIEW_PLAN);
        } else if (v == DBP_TUI_VIEW_FINDINGS && selected_finding(t)) {
            t->back = v;
            t->view = DBP_TUI_VIEW_FINDING;
            t->sel[DBP_TUI_VIEW_FINDING] = 0;
        } else if (v == DBP_TUI_VIEW_PLAN) {
            plan_fold(t, 0);
        }
        return DBP_TUI_REDRAW;
    case '+':
    case KEY_RIGHT:
    case 'l':
        if (v == DBP_TUI_VIEW_PLAN)
            plan_fold(t, 1);
        return DBP_TUI_REDRAW;
    case '-':
    case KEY_LEFT:
        if (v == DBP_TUI_VIEW_PLAN)
            plan_fold(t, -1);
        return DBP_TUI_REDRAW;
    case ' ':
        if (v == DBP_TUI_VIEW_PLAN)
            plan_fold(t, 0);
        return DBP_TUI_REDRAW;
    case KEY_ESC:
    case KEY_BACKSPACE:
        if (v == DBP_TUI_VIEW_PLAN || v == DBP_TUI_VIEW_FINDING) {
            t->view = t->back == DBP_TUI_VIEW_PLAN ? DBP_TUI_VIEW_STMTS : t->back;
        } else if (filter_of(t) && filter_of(t)[0]) {
            filter_of(t)[0] = '\0';
            apply_filter(t);
        }
        if (!t->status_error)
            filter_status(t);
        return DBP_TUI_REDRAW;
    case '/':
        if (!filter_of(t))
            return DBP_TUI_OK;
        t->filtering = true;
        snprintf(t->input, sizeof t->input, "%s", filter_of(t));
        t->input_len = strlen(t->input);
        return DBP_TUI_REDRAW;
    case 's':
        if (v == DBP_TUI_VIEW_STMTS) {
            int ns = DBP_TUI_SORT_COUNT - (t->stmts.calls_s ? 0 : 2);
            t->stmts.sort = (enum dbp_tui_sort)((t->stmts.sort + 1) % ns);
            stmts_reapply(t);
            set_status(t, false, "sorted by %s", dbp_tui_sort_name(t->stmts.sort));
        } else if (v == DBP_TUI_VIEW_INDEXES) {
            static const char *const names[] = {"size", "scans (fewest first)", "name"};
            t->indexes.sort = (t->indexes.sort + 1) % 3;
            dbp_tui_indexes_apply(&t->indexes, t->snap);
            set_status(t, false, "sorted by %s", names[t->indexes.sort]);
        }
        return DBP_TUI_REDRAW;
    case 'y': {
        const char *text = selected_text(t);
        if (text)
            copy_osc52(t, text);
        else
            set_status(t, true, "nothing to copy here (no suggestion)");
        return DBP_TUI_REDRAW;
    }
    case 'w':
        if (!selected_text(t)) {
            set_status(t, true, "nothing to write here (no suggestion)");
            return DBP_TUI_REDRAW;
        }
        t->saving = true;
        snprintf(t->input, sizeof t->input, "%s",
                 t->opts.save_path ? t->opts.save_path : "dbperf-suggestion.sql");
        t->input_len = strlen(t->input);
        return DBP_TUI_REDRAW;
    case 'r':
    case KEY_F(5):
        return t->live ? DBP_TUI_REFRESH | DBP_TUI_REDRAW : DBP_TUI_OK;
    default:
        return DBP_TUI_OK;
    }
}

/* ---- the loop ----------------------------------------------------------------- */

static const int term_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static bool locale_utf8(void)
{
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static void screen_setup(void)
{
    cbreak(); /* Ctrl-C still raises SIGINT, polled below */
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    timeout(100);
}

int dbp_tui_run(struct dbp_snapshot *snap, const struct dbp_tui_opts *o, dbp_tui_refresh_fn collect,
                void *collect_arg)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "dbperf tui: needs a terminal on standard input and output\n");
        dbp_snapshot_free(snap);
        return 2;
    }
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof term_signals / sizeof term_signals[0]; i++)
        sigaddset(&block, term_signals[i]);
    sigprocmask(SIG_BLOCK, &block, &old);

    bool utf8 = locale_utf8();
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        fprintf(stderr, "dbperf tui: cannot use terminal type `%s`\n",
                getenv("TERM") ? getenv("TERM") : "");
        dbp_snapshot_free(snap);
        return 2;
    }
    screen_setup();
    dbp_tui_theme_init(o->want_color, utf8);

    struct dbp_tui t;
    dbp_tui_init(&t, snap, o);
    double last = mono_s();
    double next = o->delay_s > 0 && collect ? last + o->delay_s : INFINITY;
    int quit_sig = 0;
    unsigned flags = DBP_TUI_REDRAW;
    for (;;) {
        if (flags & DBP_TUI_REDRAW) {
            dbp_tui_draw(&t);
            refresh();
            if (t.osc52) {
                /* after curses' own output, straight to the terminal */
                fputs(t.osc52, stdout);
                fflush(stdout);
                free((void *)t.osc52);
                t.osc52 = NULL;
            }
        }
        flags = DBP_TUI_OK;
        int key = getch();
        sigset_t pend;
        if (sigpending(&pend) == 0)
            for (size_t i = 0; i < sizeof term_signals / sizeof term_signals[0]; i++)
                if (sigismember(&pend, term_signals[i]))
                    quit_sig = term_signals[i];
        if (quit_sig)
            break;
        if (key != ERR) {
            flags = dbp_tui_key(&t, key);
            if (flags & DBP_TUI_QUIT)
                break;
        }
        double now = mono_s();
        if (collect && o->delay_s > 0 && (now >= next || (flags & DBP_TUI_REFRESH))) {
            char msg[512] = "";
            struct dbp_snapshot *ns = collect(collect_arg, msg, sizeof msg);
            double after = mono_s();
            if (ns) {
                dbp_tui_replace(&t, ns, now - last);
                last = now;
                if (t.status_error || strstr(t.status, "unreachable"))
                    t.status[0] = '\0', t.status_error = false;
                if (!t.status[0] || strncmp(t.status, "refreshed:", 10) == 0)
                    set_status(&t, false, "refreshed: %zu statements, interval %.1fs",
                               t.snap->stmts.n, t.live_dt_s);
            } else {
                char when[16] = "--:--:--";
                time_t s = (time_t)(t.snap_time_us / 1000000);
                struct tm tm;
                if (localtime_r(&s, &tm))
                    strftime(when, sizeof when, "%H:%M:%S", &tm);
                /* "SERVER unreachable; why": the verdict first, what we do next, then why */
                const char *semi = strstr(msg, "; ");
                int head = semi ? (int)(semi - msg) : (int)strlen(msg);
                set_status(&t, true, "%.*s, retrying every %gs (data from %s)%s%s", head, msg,
                           o->delay_s, when, semi ? "; " : "", semi ? semi + 2 : "");
            }
            next = after + o->delay_s;
            flags |= DBP_TUI_REDRAW;
        }
    }
    endwin();
    delscreen(scr);
    dbp_tui_free(&t);
    if (quit_sig) {
        /* the terminal is restored: now let the signal do what it always does */
        signal(quit_sig, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        raise(quit_sig);
        return 128 + quit_sig;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return 0;
}

/* ---- benchmark ------------------------------------------------------------------ */

/* A snapshot of n statement classes with a few calls each (log-like: sketches filled). */
static struct dbp_snapshot *bench_snapshot(size_t n)
{
    static const char *const verbs[] = {"SELECT a, b FROM t%zu WHERE id = $1",
                                        "UPDATE orders_%zu SET status = $1 WHERE id = $2",
                                        "SELECT count(*) FROM events_%zu WHERE created_at > $1",
                                        "INSERT INTO log_%zu (a, b, c) VALUES ($1, $2, $3)"};
    struct dbp_snapshot *snap = dbp_snapshot_new();
    char text[160];
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        snprintf(text, sizeof text, verbs[i % 4], i);
        struct dbp_stmt *st =
            dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, "bench", text, strlen(text));
        int calls = 1 + (int)(i % 5);
        for (int c = 0; c < calls; c++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            double ms = (double)(x % 100000) / 100.0;
            dbp_agg_add(&st->agg, ms, -1, (int64_t)(x % 1000), 0);
        }
    }
    return snap;
}

/* The next key of the script: tokens separated by spaces; "Name*N" repeats. */
struct bench_tok {
    const char *name;
    int key;
};

static const struct bench_tok bench_names[] = {
    {"Tab", '\t'},    {"Enter", '\n'},       {"Esc", KEY_ESC},    {"Down", KEY_DOWN},
    {"Up", KEY_UP},   {"PgDn", KEY_NPAGE},   {"PgUp", KEY_PPAGE}, {"Home", KEY_HOME},
    {"End", KEY_END}, {"BS", KEY_BACKSPACE}, {"Space", ' '},
};

int dbp_tui_bench(const char *script, size_t n_classes, FILE *out)
{
    /* parse the script first: keys and their labels */
    size_t cap = 64, nk = 0;
    int *keys = dbp_xmalloc(cap * sizeof *keys);
    const char *p = script;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *e = p;
        while (*e && *e != ' ' && *e != '*')
            e++;
        int key = -1;
        if (e - p == 1) {
            key = (unsigned char)*p;
        } else {
            for (size_t i = 0; i < sizeof bench_names / sizeof bench_names[0]; i++)
                if (strlen(bench_names[i].name) == (size_t)(e - p) &&
                    strncmp(bench_names[i].name, p, (size_t)(e - p)) == 0)
                    key = bench_names[i].key;
        }
        if (key < 0) {
            fprintf(stderr, "dbperf tui: unknown key `%.*s` in the bench script\n", (int)(e - p),
                    p);
            free(keys);
            return 2;
        }
        long rep = 1;
        if (*e == '*') {
            char *end;
            rep = strtol(e + 1, &end, 10);
            if (rep < 1 || rep > 100000)
                rep = 1;
            e = end;
        }
        while (*e && *e != ' ')
            e++;
        for (long r = 0; r < rep; r++) {
            if (nk == cap)
                keys = dbp_xrealloc(keys, (cap *= 2) * sizeof *keys);
            keys[nk++] = key;
        }
        p = e;
    }

    double t0 = mono_s();
    struct dbp_snapshot *snap = bench_snapshot(n_classes);
    double t_gen = mono_s() - t0;

    FILE *devnull_out = fopen("/dev/null", "w"), *devnull_in = fopen("/dev/null", "r");
    if (!devnull_out || !devnull_in) {
        fprintf(stderr, "dbperf tui: cannot open /dev/null\n");
        if (devnull_out)
            fclose(devnull_out);
        if (devnull_in)
            fclose(devnull_in);
        dbp_snapshot_free(snap);
        free(keys);
        return 2;
    }
    setenv("LINES", "24", 1);
    setenv("COLUMNS", "80", 1);
    const char *term = getenv("TERM");
    if (!term || !*term || strcmp(term, "dumb") == 0)
        term = "xterm-256color";
    bool utf8 = locale_utf8();
    SCREEN *scr = newterm(term, devnull_out, devnull_in);
    if (!scr) {
        fprintf(stderr, "dbperf tui: cannot use terminal type `%s`\n", term);
        fclose(devnull_out);
        fclose(devnull_in);
        dbp_snapshot_free(snap);
        free(keys);
        return 2;
    }
    set_term(scr);
    dbp_tui_theme_init(true, utf8);

    struct dbp_tui_opts o = {0};
    struct dbp_tui t;
    t0 = mono_s();
    dbp_tui_init(&t, snap, &o); /* sorts by total time once */
    dbp_tui_draw(&t);
    doupdate();
    double t_first = mono_s() - t0;

    double *per = dbp_xmalloc((nk ? nk : 1) * sizeof *per);
    size_t *rows_after = dbp_xmalloc((nk ? nk : 1) * sizeof *rows_after);
    const char **what = dbp_xmalloc((nk ? nk : 1) * sizeof *what);
    double sum = 0, max = 0;
    for (size_t i = 0; i < nk; i++) {
        double a = mono_s();
        unsigned fl = dbp_tui_key(&t, keys[i]);
        if (fl & DBP_TUI_REDRAW) {
            dbp_tui_draw(&t);
            wnoutrefresh(stdscr);
            doupdate();
        }
        per[i] = (mono_s() - a) * 1000;
        rows_after[i] = t.stmts.n_rows;
        what[i] = t.view == DBP_TUI_VIEW_STMTS ? dbp_tui_sort_name(t.stmts.sort) : "other view";
        sum += per[i];
        if (per[i] > max)
            max = per[i];
    }
    fprintf(out, "classes %zu, generated in %.0f ms, first screen (sort by total) %.1f ms\n",
            n_classes, t_gen * 1000, t_first * 1000);
    for (size_t i = 0; i < nk; i++) {
        const char *name = NULL;
        for (size_t j = 0; j < sizeof bench_names / sizeof bench_names[0]; j++)
            if (bench_names[j].key == keys[i])
                name = bench_names[j].name;
        char label[16];
        if (name)
            snprintf(label, sizeof label, "%s", name);
        else
            snprintf(label, sizeof label, "%c", keys[i]);
        fprintf(out, "key %4zu %-6s %8.3f ms  (%s, %zu rows)\n", i + 1, label, per[i], what[i],
                rows_after[i]);
    }
    fprintf(out, "keys %zu, mean %.3f ms per key, max %.3f ms\n", nk, nk ? sum / (double)nk : 0.0,
            max);
    endwin();
    delscreen(scr);
    fclose(devnull_out);
    fclose(devnull_in);
    dbp_tui_free(&t);
    free(per);
    free(rows_after);
    free(what);
    free(keys);
    return 0;
}
