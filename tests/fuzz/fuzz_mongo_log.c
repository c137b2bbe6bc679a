/*
 * fuzz_mongo_log.c -- libFuzzer target for the MongoDB log parsers: the same
 * bytes through the JSON log (4.4+) and the text log (<= 4.2) formats, with
 * rules run on the result. Checks that counts add up and nothing crashes.
 */
#include <stdint.h>
#include <stdlib.h>

#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>
#include <dbperf/rules.h>

#include "mongodb/mongo_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct dbp_format *formats[] = {&dbp_mongo_log_json_format, &dbp_mongo_log_text_format};
    for (size_t i = 0; i < 2; i++) {
        (void)formats[i]->probe(data, size);
        struct dbp_snapshot *snap = dbp_snapshot_new();
        struct dbp_source *src = dbp_snapshot_add_source(snap, "fuzz", formats[i]->name);
        struct dbp_reader *r = dbp_reader_open_mem(data, size, "fuzz");
        struct dbp_parse_opts po = {0};
        struct dbp_error err = {0};
        formats[i]->parse(r, &po, snap, src, &err);
        dbp_reader_close(r);
        uint64_t calls = 0;
        for (size_t k = 0; k < snap->stmts.n; k++)
            calls += ((struct dbp_stmt *)snap->stmts.items[k])->agg.calls;
        if (calls != src->entries)
            abort();
        dbp_rules_run(snap, NULL, NULL);
        dbp_snapshot_free(snap);
    }
    return 0;
}
