/*
 * fuzz_format_common.h -- shared body of the fuzz targets that drive one input
 * format (struct dbp_format): the probe on any bytes, then the parser on a
 * memory reader, then the N+1 session flush. Any bytes must give DBP_OK,
 * DBP_ERR_FORMAT or DBP_ERR_IO, a message with every failure, never a crash.
 */
#ifndef DBPERF_FUZZ_FORMAT_COMMON_H
#define DBPERF_FUZZ_FORMAT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

static inline void dbp_fuzz_format(const struct dbp_format *fmt, const uint8_t *data, size_t size)
{
    int score = fmt->probe(data, size);
    if (score < 0 || score > 100)
        __builtin_trap();
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_reader *r = dbp_reader_open_mem(data, size, "fuzz.input");
    struct dbp_source *src = dbp_snapshot_add_source(snap, "fuzz.input", fmt->name);
    struct dbp_parse_opts po = {0};
    struct dbp_error err = {0};
    int rc = fmt->parse(r, &po, snap, src, &err);
    dbp_reader_close(r);
    if (rc != DBP_OK && rc != DBP_ERR_FORMAT && rc != DBP_ERR_IO)
        __builtin_trap();
    if (rc != DBP_OK && err.message[0] == '\0')
        __builtin_trap(); /* every failure explains itself */
    dbp_snapshot_sessions_flush(snap);
    dbp_snapshot_free(snap);
}

#endif
