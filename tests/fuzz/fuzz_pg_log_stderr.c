/*
 * fuzz_pg_log_stderr.c -- fuzz target for the postgres-stderr log format: the probe
 * on any bytes, then the parser on a memory reader (with the prefix detected,
 * and for stderr also with a given log_line_prefix chosen by the first byte),
 * then the N+1 session flush. Any bytes must give DBP_OK or DBP_ERR_FORMAT
 * with a message, never a crash.
 */
#include <stdint.h>
#include <string.h>

#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "postgres/pg_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const uint8_t *data, size_t size, const char *prefix)
{
    const struct dbp_format *fmt = &dbp_pg_stderr_format;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_reader *r = dbp_reader_open_mem(data, size, "fuzz.log");
    struct dbp_source *src = dbp_snapshot_add_source(snap, "fuzz.log", fmt->name);
    struct dbp_parse_opts po = {.log_prefix = prefix};
    struct dbp_error err = {0};
    int rc = fmt->parse(r, &po, snap, src, &err);
    dbp_reader_close(r);
    if (rc != DBP_OK && rc != DBP_ERR_FORMAT && rc != DBP_ERR_IO)
        __builtin_trap();
    if (rc != DBP_OK && err.message[0] == '\0')
        __builtin_trap(); /* every failure explains itself */
    if (src->entries != 0 && snap->stmts.n == 0)
        __builtin_trap();
    dbp_snapshot_sessions_flush(snap);
    dbp_snapshot_free(snap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int score = dbp_pg_stderr_format.probe(data, size);
    if (score < 0 || score > 100)
        __builtin_trap();
    run(data, size, NULL);
    if (strcmp("stderr", "stderr") == 0 && size > 0) {
        static const char *const prefixes[] = {
            "%m [%p] ", "%t [%p]: [%l-1] user=%u,db=%d ", "%m [%p] %q%u@%d ",
            "%m [%p] %c %l user=%u,db=%d,app=%a,client=%h ", "%n|%e|%x|%v|%i|%b|%Q|%%|%s ",
            "%u%d%a", "", "%q",
        };
        run(data + 1, size - 1, prefixes[data[0] % (sizeof prefixes / sizeof prefixes[0])]);
    }
    return 0;
}
