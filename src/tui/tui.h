/*
 * tui.h -- internal: `dbperf tui`, an ncurses browser of one snapshot
 * (statements, findings, indexes, plans), with live refresh.
 *
 * Structure (STYLE.md section 9, htop's Panel model): key handlers return
 * DBP_TUI_* flags and one loop (tui_main.c) owns redraw. Screens
 * (tui_views.c) read the snapshot and the sorted/filtered row arrays of
 * tui_data.c; they never call drivers. New snapshots in live mode come from
 * a refresh callback supplied by the subcommand (src/cmd_tui.c).
 *
 * ncurses is included only by the .c files under src/tui; this header does not need it.
 */
#ifndef DBPERF_TUI_H
#define DBPERF_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <dbperf/buf.h>
#include <dbperf/model.h>

/* What a key handler asks of the loop (htop's HandlerResult). */
#define DBP_TUI_OK      0x0u /* nothing changed */
#define DBP_TUI_REDRAW  0x1u /* the screen must be drawn again */
#define DBP_TUI_QUIT    0x2u
#define DBP_TUI_REFRESH 0x4u /* collect now (live mode) */

/* ---- theme (tui_colors.c) ------------------------------------------------ */

/* Attributes per role; ncurses attr_t values stored as unsigned long. */
struct dbp_tui_theme {
    bool color; /* colours in use */
    bool utf8;  /* the locale's codeset is UTF-8: tree drawing with box characters */
    unsigned long title, tab, tab_sel, header, sort_col, selected, hot, crit, warn, info, status,
        error, dim;
};
/* The one mutable theme (STYLE.md section 7). Set by dbp_tui_theme_init. */
extern struct dbp_tui_theme dbp_tui_theme;
/* Fill dbp_tui_theme after initscr: colours when want_color and the terminal has them. */
void dbp_tui_theme_init(bool want_color, bool utf8);

/* ---- data (tui_data.c): sorted index arrays and filters, no curses -------- */

enum dbp_tui_sort {
    DBP_TUI_SORT_TOTAL = 0,
    DBP_TUI_SORT_CALLS,
    DBP_TUI_SORT_MEAN,
    DBP_TUI_SORT_P95,
    DBP_TUI_SORT_ROWS,
    DBP_TUI_SORT_CALLS_S, /* live only */
    DBP_TUI_SORT_TIME_S,  /* live only */
    DBP_TUI_SORT_COUNT
};
const char *dbp_tui_sort_name(enum dbp_tui_sort s);

/*
 * The statement rows of one snapshot: per sort key an index array into
 * snap->stmts built once on first use (never re-sorted on redraw), and the
 * filtered row list of the current sort and filter.
 */
struct dbp_tui_stmts {
    const struct dbp_snapshot *snap; /* not owned */
    bool show_literals;
    size_t n;                             /* snap->stmts.n */
    uint32_t *sorted[DBP_TUI_SORT_COUNT]; /* heap, lazily built; NULL */
    double *calls_s;                      /* per stmt index; NULL without deltas */
    double *time_s;                       /* ms per second */
    uint32_t *rows;                       /* heap: the visible rows */
    size_t n_rows;
    enum dbp_tui_sort sort;
    char filter[128];
    /* what rows holds now: a longer filter with the same sort narrows rows in place */
    bool applied_valid;
    enum dbp_tui_sort applied_sort;
    char applied[128];
};

/* Set up for snap (no sorting yet). */
void dbp_tui_stmts_init(struct dbp_tui_stmts *s, const struct dbp_snapshot *snap,
                        bool show_literals);
void dbp_tui_stmts_free(struct dbp_tui_stmts *s);
/* Per-interval deltas of s->snap against prev (matched by engine/database/fpid) over dt_s. */
void dbp_tui_stmts_deltas(struct dbp_tui_stmts *s, const struct dbp_snapshot *prev, double dt_s);
/* Rebuild rows for s->sort and s->filter (case-insensitive substring of the shown text). */
void dbp_tui_stmts_apply(struct dbp_tui_stmts *s);
/* The text shown for a statement: normalized text, or the example with show_literals. */
const char *dbp_tui_stmt_text(const struct dbp_tui_stmts *s, const struct dbp_stmt *st);

/* Findings and indexes: small, sorted and filtered on each change. Heap arrays. */
struct dbp_tui_list {
    uint32_t *rows;
    size_t n_rows;
    int sort; /* indexes: 0 size, 1 scans, 2 name */
    char filter[128];
};
void dbp_tui_findings_apply(struct dbp_tui_list *l, const struct dbp_snapshot *snap);
void dbp_tui_indexes_apply(struct dbp_tui_list *l, const struct dbp_snapshot *snap);

/* One visible line of a plan tree. */
struct dbp_tui_plan_line {
    const struct dbp_plan_node *node;
    int depth;
    bool last;       /* last child of its parent */
    uint64_t branch; /* bit d: an ancestor at depth d has more siblings below */
    bool collapsed;
    bool has_children;
    int hot_rank; /* 1..3 for the costliest nodes (self time or self cost), else 0 */
    double self;  /* self time (ms) or self cost */
};

/* A plan's nodes in pre-order with their collapsed state. */
struct dbp_tui_plan {
    const struct dbp_plan *plan;   /* not owned; NULL */
    struct dbp_tui_plan_line *all; /* heap, pre-order */
    size_t *subtree;               /* heap: nodes in each subtree (itself included) */
    size_t n_all;
    size_t *vis; /* heap: indexes into all of the visible lines */
    size_t n_vis;
    bool by_time; /* hot ranks by actual time (else by cost) */
};
void dbp_tui_plan_init(struct dbp_tui_plan *p, const struct dbp_plan *plan);
void dbp_tui_plan_free(struct dbp_tui_plan *p);
/* Recompute vis after a collapse or expand. */
void dbp_tui_plan_visible(struct dbp_tui_plan *p);

/* ---- the browser (tui_main.c, tui_views.c) -------------------------------- */

enum dbp_tui_view {
    DBP_TUI_VIEW_STMTS = 0,
    DBP_TUI_VIEW_FINDINGS,
    DBP_TUI_VIEW_INDEXES,
    DBP_TUI_VIEW_PLAN,
    DBP_TUI_VIEW_FINDING, /* one finding: suggestion and evidence (drill-down) */
    DBP_TUI_VIEW_COUNT
};

struct dbp_tui_opts {
    bool show_literals;
    bool want_color;            /* not --no-color, no NO_COLOR */
    double delay_s;             /* live refresh period; 0 = static */
    const char *save_path;      /* where `w` writes a suggestion */
    const char *initial_status; /* shown on the status line at start (an error); NULL */
};

/*
 * Live refresh: collect a new snapshot from every source. Returns it (the
 * TUI owns it) or NULL with a one-line message in msg when a source failed;
 * the TUI then keeps the last good snapshot and retries on the next tick.
 */
typedef struct dbp_snapshot *(*dbp_tui_refresh_fn)(void *arg, char *msg, size_t msg_len);

/* Everything the loop and the screens share (not a global: passed around). */
struct dbp_tui {
    struct dbp_tui_opts opts;
    struct dbp_snapshot *snap; /* owned */
    struct dbp_tui_stmts stmts;
    struct dbp_tui_list findings, indexes;
    struct dbp_tui_plan plan;
    const struct dbp_stmt *plan_stmt; /* statement of the plan view; NULL */
    enum dbp_tui_view view, back;     /* back: where Esc returns from a drill-down */
    size_t sel[DBP_TUI_VIEW_COUNT], top[DBP_TUI_VIEW_COUNT];
    bool help;
    bool filtering; /* typing a filter after `/` */
    bool saving;    /* typing a file name after `w` */
    char input[256];
    size_t input_len;
    char status[512]; /* status line message */
    bool status_error;
    bool live;
    double live_dt_s;     /* length of the last interval */
    int64_t snap_time_us; /* when the shown snapshot was taken */
    unsigned refreshes;
    struct dbp_buf tmp, tmp2; /* scratch for drawing */
    const char *osc52;        /* pending OSC 52 sequence (heap) to write after the refresh */
};

/* Take ownership of snap and set the views up. */
void dbp_tui_init(struct dbp_tui *t, struct dbp_snapshot *snap, const struct dbp_tui_opts *o);
void dbp_tui_free(struct dbp_tui *t);
/* Replace the snapshot (live refresh): deltas against the old one, selection kept. */
void dbp_tui_replace(struct dbp_tui *t, struct dbp_snapshot *snap, double dt_s);
/* Handle one key (ncurses key code); returns DBP_TUI_* flags. */
unsigned dbp_tui_key(struct dbp_tui *t, int key);
/* Draw the whole screen into stdscr (no refresh). */
void dbp_tui_draw(struct dbp_tui *t);
/* Rows available to the list of the current view. */
int dbp_tui_page_rows(void);

/*
 * Run the browser on the terminal until q or a terminating signal; takes
 * ownership of snap. refresh may be NULL (static). Returns an exit code.
 */
int dbp_tui_run(struct dbp_snapshot *snap, const struct dbp_tui_opts *o, dbp_tui_refresh_fn refresh,
                void *refresh_arg);

/*
 * Benchmark (hidden `--bench-keys`): a generated snapshot of n_classes
 * statement classes, the key script replayed against an 80x24 screen written
 * to /dev/null; prints the time per key on out. Returns an exit code.
 */
int dbp_tui_bench(const char *script, size_t n_classes, FILE *out);

#endif
