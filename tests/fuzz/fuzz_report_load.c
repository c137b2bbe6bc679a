/*
 * fuzz_report_load.c -- fuzz target for the dbperf-json input format: the
 * probe on any bytes, then the parser (whatever the probe said) on a memory
 * reader, then every report writer on what was loaded, so that anything a
 * saved report can put into the model is also written back safely.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/reader.h>
#include <dbperf/report.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int score = dbp_report_json_format.probe(data, size);
    if (score < 0 || score > 100)
        __builtin_trap();
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_reader *r = dbp_reader_open_mem(data, size, "fuzz.json");
    struct dbp_source *src = dbp_snapshot_add_source(snap, "fuzz.json", "dbperf-json");
    struct dbp_parse_opts po = {0};
    struct dbp_error err = {0};
    int rc = dbp_report_json_format.parse(r, &po, snap, src, &err);
    dbp_reader_close(r);
    if (rc != DBP_OK && err.message[0] == '\0')
        __builtin_trap(); /* every failure explains itself */
    FILE *out = fopen("/dev/null", "w");
    if (out) {
        static const enum dbp_report_format fmts[] = {DBP_REPORT_TEXT, DBP_REPORT_JSON,
                                                      DBP_REPORT_MARKDOWN};
        for (size_t i = 0; i < 3; i++) {
            struct dbp_report_opts o = {0};
            o.format = fmts[i];
            o.show_literals = i == 1;
            o.tool_version = "fuzz";
            o.generated_us = 1;
            dbp_report_write(out, snap, &o, &err);
        }
        fclose(out);
    }
    dbp_snapshot_free(snap);
    return 0;
}
