/*
 * driver.c -- the MongoDB driver's vtable: its offline formats (JSON and
 * text logs, system.profile exports, explain() output, $indexStats output)
 * and its live collector (libmongoc).
 */
#include <dbperf/driver.h>

#include "mongo_int.h"

static const struct dbp_format *const formats[] = {
    &dbp_mongo_log_json_format, &dbp_mongo_log_text_format,   &dbp_mongo_profile_format,
    &dbp_mongo_explain_format,  &dbp_mongo_indexstats_format,
};

const struct dbp_driver dbp_mongo_driver = {
    .abi = DBP_DRIVER_ABI,
    .name = "mongodb",
    .engine = DBP_ENGINE_MONGODB,
    .caps = DBP_CAP_STMT_STATS | DBP_CAP_INDEXES | DBP_CAP_EXPLAIN,
    .formats = formats,
    .n_formats = sizeof formats / sizeof formats[0],
    .accepts_target = dbp_mongo_accepts_target,
    .connect = dbp_mongo_connect,
    .disconnect = dbp_mongo_disconnect,
    .collect = dbp_mongo_collect,
    .explain = dbp_mongo_explain,
    .verify = NULL,
};
