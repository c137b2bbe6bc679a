/*
 * tui_colors.c -- the TUI's theme: one attribute per role, with colours when
 * the terminal has them and the user did not opt out (NO_COLOR, --no-color),
 * else monochrome attributes (reverse, bold, underline) that read the same.
 * dbp_tui_theme is the one mutable global STYLE.md allows for the TUI.
 */
#include <curses.h>

#include "tui.h"

struct dbp_tui_theme dbp_tui_theme;

enum {
    PAIR_TITLE = 1,
    PAIR_TAB_SEL,
    PAIR_HEADER,
    PAIR_SELECTED,
    PAIR_HOT,
    PAIR_CRIT,
    PAIR_WARN,
    PAIR_INFO,
    PAIR_ERROR,
    PAIR_DIM
};

void dbp_tui_theme_init(bool want_color, bool utf8)
{
    struct dbp_tui_theme *t = &dbp_tui_theme;
    t->utf8 = utf8;
    t->color = want_color && has_colors() && start_color() == OK && COLORS >= 8;
    if (!t->color) {
        t->title = A_REVERSE;
        t->tab = A_REVERSE;
        t->tab_sel = A_BOLD;
        t->header = A_BOLD | A_UNDERLINE;
        t->sort_col = A_BOLD | A_UNDERLINE | A_REVERSE;
        t->selected = A_REVERSE;
        t->hot = A_BOLD;
        t->crit = A_BOLD;
        t->warn = A_BOLD;
        t->info = A_NORMAL;
        t->status = A_BOLD;
        t->error = A_BOLD | A_REVERSE;
        t->dim = A_NORMAL;
        return;
    }
    use_default_colors();
    init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
    init_pair(PAIR_TAB_SEL, COLOR_BLACK, COLOR_GREEN);
    init_pair(PAIR_HEADER, COLOR_BLACK, COLOR_GREEN);
    init_pair(PAIR_SELECTED, COLOR_BLACK, COLOR_CYAN);
    init_pair(PAIR_HOT, COLOR_RED, -1);
    init_pair(PAIR_CRIT, COLOR_RED, -1);
    init_pair(PAIR_WARN, COLOR_YELLOW, -1);
    init_pair(PAIR_INFO, COLOR_BLUE, -1);
    init_pair(PAIR_ERROR, COLOR_WHITE, COLOR_RED);
    init_pair(PAIR_DIM, COLOR_CYAN, -1);
    t->title = COLOR_PAIR(PAIR_TITLE);
    t->tab = COLOR_PAIR(PAIR_TITLE);
    t->tab_sel = COLOR_PAIR(PAIR_TAB_SEL) | A_BOLD;
    t->header = COLOR_PAIR(PAIR_HEADER);
    t->sort_col = COLOR_PAIR(PAIR_SELECTED) | A_BOLD;
    t->selected = COLOR_PAIR(PAIR_SELECTED);
    t->hot = COLOR_PAIR(PAIR_HOT) | A_BOLD;
    t->crit = COLOR_PAIR(PAIR_CRIT) | A_BOLD;
    t->warn = COLOR_PAIR(PAIR_WARN) | A_BOLD;
    t->info = COLOR_PAIR(PAIR_INFO);
    t->status = COLOR_PAIR(PAIR_DIM) | A_BOLD;
    t->error = COLOR_PAIR(PAIR_ERROR) | A_BOLD;
    t->dim = COLOR_PAIR(PAIR_DIM);
}
