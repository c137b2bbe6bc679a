/*
 * fuzz_mongo_doc.c -- libFuzzer target for the MongoDB document formats
 * (system.profile, explain, $indexStats) and the document parser itself:
 * a parsed document's nodes stay inside the input and its shape is computed.
 */
#include <stdint.h>
#include <stdlib.h>

#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>
#include <dbperf/rules.h>

#include "mongodb/mongo_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dbp_mdoc d = {0};
    size_t end = 0;
    const char *s = (const char *)data;
    if (dbp_mdoc_parse(&d, s, size, &end) == 0) {
        if (end > size)
            abort();
        for (size_t i = 0; i < d.len; i++)
            if (d.n[i].val < s || d.n[i].val + d.n[i].val_len > s + size)
                abort();
        struct dbp_mongo_op op;
        dbp_mongo_op_from_command(&op, &d, &d.n[0], NULL, "query", 5);
        op.db = "db";
        op.coll = "c";
        struct dbp_buf b = {0};
        dbp_mongo_shape(&op, &b);
        dbp_buf_free(&b);
    }
    dbp_mdoc_free(&d);
    const struct dbp_format *formats[] = {&dbp_mongo_profile_format, &dbp_mongo_explain_format,
                                          &dbp_mongo_indexstats_format};
    for (size_t i = 0; i < 3; i++) {
        (void)formats[i]->probe(data, size);
        struct dbp_snapshot *snap = dbp_snapshot_new();
        struct dbp_source *src = dbp_snapshot_add_source(snap, "fuzz", formats[i]->name);
        struct dbp_reader *r = dbp_reader_open_mem(data, size, "fuzz");
        struct dbp_parse_opts po = {0};
        struct dbp_error err = {0};
        formats[i]->parse(r, &po, snap, src, &err);
        dbp_reader_close(r);
        dbp_rules_run(snap, NULL, NULL);
        dbp_snapshot_free(snap);
    }
    return 0;
}
