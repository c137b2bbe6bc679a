/*
 * cmd_sources.c -- reading a file source into a snapshot, shared by the
 * subcommands (audit, diff): detection, one clear stderr line per problem.
 */
#include <stdio.h>
#include <string.h>
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
    int rc = fmt->parse(r, po, snap, src, &err);
    src->bytes = dbp_reader_bytes(r);
    dbp_reader_close(r);
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

