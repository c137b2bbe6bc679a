/*
 * fuzz_mongo_shape.c -- fuzz target for MongoDB query shapes: any bytes parsed
 * as a document (dbp_mdoc_parse), then read as a command (find, aggregate,
 * update, getMore with itself as the originating command, a legacy "query" /
 * "update" / "remove" chosen by the first byte) and turned into its shape text,
 * which is never missing.
 */
#include <stdint.h>
#include <string.h>

#include <dbperf/buf.h>

#include "mongodb/mongo_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {NULL, "query", "update", "remove", "command"};
    if (size == 0)
        return 0;
    const char *type = types[data[0] % (sizeof types / sizeof types[0])];
    struct dbp_mdoc d = {0};
    size_t end = 0;
    int root = dbp_mdoc_parse(&d, (const char *)data + 1, size - 1, &end);
    if (root >= 0) {
        if (end > size - 1)
            __builtin_trap();
        const struct dbp_mdoc_node *cmd = &d.n[root];
        struct dbp_mongo_op op;
        memset(&op, 0, sizeof op);
        dbp_mongo_op_from_command(&op, &d, cmd, data[0] & 0x80 ? cmd : NULL, type,
                                  type ? strlen(type) : 0);
        struct dbp_buf out = {0};
        dbp_mongo_shape(&op, &out);
        if (!out.data || out.data[out.len] != '\0')
            __builtin_trap();
        (void)dbp_mongo_cmd_coll(&d, cmd);
        dbp_buf_free(&out);
    } else if (d.error == NULL) {
        __builtin_trap(); /* a parse error says why */
    }
    dbp_mdoc_free(&d);
    return 0;
}
