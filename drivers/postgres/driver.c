/*
 * driver.c -- the PostgreSQL driver's vtable: its offline formats and its
 * live collector (libpq).
 */
#include <dbperf/driver.h>

#include "pg_int.h"

static const struct dbp_format *const formats[] = {
    &dbp_pg_stderr_format,    &dbp_pg_csv_format,       &dbp_pg_json_format,
    &dbp_pg_plan_json_format, &dbp_pg_plan_text_format,
};

const struct dbp_driver dbp_pg_driver = {
    .abi = DBP_DRIVER_ABI,
    .name = "postgres",
    .engine = DBP_ENGINE_POSTGRES,
    .caps = DBP_CAP_STMT_STATS | DBP_CAP_INDEXES | DBP_CAP_EXPLAIN | DBP_CAP_HYPO_INDEX,
    .formats = formats,
    .n_formats = sizeof formats / sizeof formats[0],
    .accepts_target = dbp_pg_accepts_target,
    .connect = dbp_pg_connect,
    .disconnect = dbp_pg_disconnect,
    .collect = dbp_pg_collect,
    .explain = dbp_pg_explain,
    .verify = dbp_pg_verify,
};
