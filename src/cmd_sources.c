/*
 * cmd_sources.c -- reading a file source into a snapshot, shared by the
 * subcommands (audit, diff): detection, one clear stderr line per problem.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dbperf/arena.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/reader.h>
#include <dbperf/report.h>

#include "cmd.h"

/* Read one file source into snap. Returns 0 or DBP_EXIT_SOURCE. */
int dbp_cmd_read_file(const char *path, const char *type, const struct dbp_parse_opts *po,
                      struct dbp_snapshot *snap)
{
    struct dbp_error err = {0};
    struct dbp_reader *r = NULL;
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (!type && strcmp(path, "-") != 0 && access(path, F_OK) != 0 &&
        (strstr(path, "://") || strchr(path, '='))) {
        /* looks like a server, but no compiled-in driver takes it: never echo a password */
        char *safe = dbp_target_redact(snap->arena, path);
        struct dbp_source *src = dbp_snapshot_add_source(snap, safe, "unreadable");
        src->status = DBP_ERR_UNSUPPORTED;
        src->error = dbp_arena_printf(snap->arena,
                                      "%s: not a file, and no driver in this build accepts it "
                                      "as a server",
                                      safe);
        fprintf(stderr, "dbperf: %s\n", src->error);
        return DBP_EXIT_SOURCE;
    }
    if (dbp_reader_open(path, &r, &err) != DBP_OK) {
        struct dbp_source *src = dbp_snapshot_add_source(snap, shown, "unreadable");
        src->status = err.code;
        src->error = dbp_arena_strdup(snap->arena, err.message);
        fprintf(stderr, "dbperf: %s\n", err.message);
        return DBP_EXIT_SOURCE;
    }
    const struct dbp_format *fmt;
    const struct dbp_driver *drv = NULL;
    if (type) {
        fmt = dbp_format_find(type, &drv);
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
    size_t plans_before = snap->plans.n;
    int rc = -1;
    struct stat st;
    if (po->jobs > 1 && fmt->split_ok && strcmp(path, "-") != 0 && !dbp_reader_is_gzip(r) &&
        stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        size_t hl;
        const unsigned char *head = dbp_reader_head(r, &hl);
        rc = dbp_parse_split(path, (uint64_t)st.st_size, fmt, head, hl, po, snap, src, &err);
        if (rc != -1)
            dbp_reader_close(r);
    }
    if (rc == -1) {
        rc = fmt->parse(r, po, snap, src, &err);
        src->bytes = dbp_reader_bytes(r);
        dbp_reader_close(r);
    }
    if (fmt->split_ok) {
        /* a log keeps one plan per class, its slowest example's: the same whether or not
         * the input was split (a split one may hold one per chunk until here) */
        size_t k = plans_before;
        for (size_t i = plans_before; i < snap->plans.n; i++) {
            struct dbp_plan *p = snap->plans.items[i];
            if (!p->stmt || p->stmt->plan == p)
                snap->plans.items[k++] = p;
        }
        snap->plans.n = k;
    }
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

