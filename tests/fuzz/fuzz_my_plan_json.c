/*
 * fuzz_my_plan_json.c -- fuzz target for the my_plan_json_format plan parser: the probe on
 * any bytes, dbp_my_plan_from_json() on the bytes, then the saved-plan format's parse on a
 * memory reader. Any bytes must give DBP_OK (with a tree) or DBP_ERR_FORMAT
 * with a one-line message, never a crash.
 */
#include <stdint.h>
#include <string.h>

#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "mysql/my_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walk the tree: every node readable, children counted right. */
static size_t walk(const struct dbp_plan_node *n, int depth)
{
    if (!n || depth > 100000 || n->kind >= DBP_NODE_KIND_COUNT || !n->engine_name)
        __builtin_trap();
    size_t count = 1;
    for (size_t i = 0; i < n->n_preds; i++)
        if (!n->preds[i].column || n->preds[i].op > DBP_PRED_OTHER)
            __builtin_trap();
    for (size_t i = 0; i < n->n_index_preds; i++)
        if (!n->index_preds[i].column)
            __builtin_trap();
    for (size_t i = 0; i < n->n_sort_keys; i++)
        if (!n->sort_keys[i].column)
            __builtin_trap();
    for (size_t i = 0; i < n->n_children; i++)
        count += walk(n->children[i], depth + 1);
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct dbp_format *fmt = &dbp_my_plan_json_format;
    int score = fmt->probe(data, size);
    if (score < 0 || score > 100)
        __builtin_trap();
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *plan = NULL;
    struct dbp_error err = {0};
    int rc = dbp_my_plan_from_json(snap, (const char *)data, size, "fuzz", &plan, &err);
    if (rc == DBP_OK) {
        if (!plan || !plan->root)
            __builtin_trap();
        walk(plan->root, 0);
    } else if (rc != DBP_ERR_FORMAT || plan || err.message[0] == '\0' ||
               strchr(err.message, '\n')) {
        __builtin_trap();
    }
    struct dbp_reader *r = dbp_reader_open_mem(data, size, "fuzz.plan");
    struct dbp_source *src = dbp_snapshot_add_source(snap, "fuzz.plan", fmt->name);
    struct dbp_error perr = {0};
    rc = fmt->parse(r, NULL, snap, src, &perr);
    dbp_reader_close(r);
    if (rc != DBP_OK && rc != DBP_ERR_FORMAT && rc != DBP_ERR_IO)
        __builtin_trap();
    if (rc != DBP_OK && perr.message[0] == '\0')
        __builtin_trap();
    if (snap->plans.n != src->entries)
        __builtin_trap(); /* every plan taken is in the snapshot */
    for (size_t i = 0; i < snap->plans.n; i++)
        walk(((struct dbp_plan *)snap->plans.items[i])->root, 0);
    dbp_snapshot_free(snap);
    return 0;
}
