/*
 * fuzz_my_target.c -- fuzz target for the live MySQL driver's target parser
 * (mysql:// and mariadb:// URIs, socket= lists): any bytes, cut at the first
 * NUL. A parse either fails leaving the target empty, or gives a port in range
 * and a target the driver accepts; never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/error.h>

#include "mysql/live_int.h"
#include "mysql/my_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct dbp_my_target t;
    struct dbp_error err = {0};
    int rc = dbp_my_target_parse(s, &t, &err);
    if (rc != DBP_OK) {
        if (rc != DBP_ERR_USAGE || !err.message[0] || strchr(err.message, '\n'))
            __builtin_trap();
        if (t.host || t.user || t.password || t.database || t.socket || t.defaults_file || t.port)
            __builtin_trap();
    } else {
        if (t.port > 65535 || t.connect_timeout_s < 0 || t.connect_timeout_s > 3600)
            __builtin_trap();
        if (!dbp_my_accepts_target(s))
            __builtin_trap();
    }
    dbp_my_target_free(&t);
    free(s);
    return 0;
}
