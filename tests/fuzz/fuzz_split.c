/*
 * fuzz_split.c -- fuzz target for audit -j (src/split.c): any bytes, detected as
 * whatever format they look like, written to a memory file and parsed in 2-7 chunks
 * of at least 64 bytes (DBPERF_SPLIT_MIN_BYTES), then merged; then the same bytes in
 * one pass. Finding split points in arbitrary bytes, the chunk parsers, the merge of
 * classes, sketches, plans and N+1 runs, and the fallback to one pass must never
 * crash or leak; a split parse must return a status the one-pass parse can return,
 * and count as many entries when both ran clean. (That the two reports are equal
 * field by field is tests/integration/split_equiv.py's job, on real and generated logs.)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int one_pass(const char *path, const struct dbp_format *fmt, uint64_t *entries)
{
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_reader *r = NULL;
    struct dbp_error err = {0};
    int rc = dbp_reader_open(path, &r, &err);
    if (rc == DBP_OK) {
        struct dbp_source *src = dbp_snapshot_add_source(snap, path, fmt->name);
        struct dbp_parse_opts po = {0};
        rc = fmt->parse(r, &po, snap, src, &err);
        *entries = src->entries;
        dbp_reader_close(r);
    }
    dbp_snapshot_sessions_flush(snap);
    dbp_snapshot_free(snap);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    setenv("DBPERF_SPLIT_MIN_BYTES", "64", 1);
    int jobs = 2 + data[0] % 6;
    data++;
    size--;
    const struct dbp_driver *drv = NULL;
    const struct dbp_format *fmt = dbp_format_detect(data, size < 65536 ? size : 65536, &drv);
    if (!fmt || !fmt->split_ok)
        return 0;
    int fd = memfd_create("fuzz-split", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_source *src = dbp_snapshot_add_source(snap, path, fmt->name);
    struct dbp_parse_opts po = {.jobs = jobs};
    struct dbp_error err = {0};
    int rc = dbp_parse_split(path, size, fmt, data, size < 65536 ? size : 65536, &po, snap, src,
                             &err);
    if (rc != -1 && rc != DBP_OK && rc != DBP_ERR_FORMAT && rc != DBP_ERR_IO)
        __builtin_trap();
    if (rc > 0 && err.message[0] == '\0')
        __builtin_trap(); /* every failure explains itself */
    uint64_t split_entries = src->entries;
    dbp_snapshot_sessions_flush(snap);
    dbp_snapshot_free(snap);

    uint64_t entries = 0;
    int rc1 = one_pass(path, fmt, &entries);
    if (rc == DBP_OK && rc1 == DBP_OK && split_entries != entries)
        __builtin_trap(); /* a clean split parse counts what one pass counts */
    close(fd);
    return 0;
}
