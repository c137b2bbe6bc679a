/*
 * driver.c -- the MySQL/MariaDB driver's vtable: its offline formats and its
 * live collector (MariaDB Connector/C or libmysqlclient).
 */
#include <dbperf/driver.h>

#include "my_int.h"

static const struct dbp_format *const formats[] = {&dbp_my_slow_format, &dbp_my_plan_json_format};

const struct dbp_driver dbp_my_driver = {
    .abi = DBP_DRIVER_ABI,
    .name = "mysql",
    .engine = DBP_ENGINE_MYSQL,
    .caps = DBP_CAP_STMT_STATS | DBP_CAP_INDEXES | DBP_CAP_EXPLAIN,
    .formats = formats,
    .n_formats = sizeof formats / sizeof formats[0],
    .accepts_target = dbp_my_accepts_target,
    .connect = dbp_my_connect,
    .disconnect = dbp_my_disconnect,
    .collect = dbp_my_collect,
    .explain = dbp_my_explain,
};
