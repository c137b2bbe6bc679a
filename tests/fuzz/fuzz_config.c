/*
 * fuzz_config.c -- fuzz target for the configuration file parser
 * (dbp_config_parse): any bytes give a config or DBP_ERR_USAGE naming
 * name:line, never a crash; every key found can be read back, with a where.
 */
#include <stdint.h>
#include <string.h>

#include <dbperf/config.h>
#include <dbperf/error.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_entry(void *arg, const char *section, const char *key, const char *value,
                        const char *where)
{
    const struct dbp_config *c = arg;
    if (!key || !value || !where)
        __builtin_trap();
    if (dbp_config_get(c, section, key) == NULL)
        __builtin_trap(); /* every walked key can be looked up */
    if (dbp_config_where(c, section, key) == NULL)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dbp_config *c = NULL;
    struct dbp_error err = {0};
    int rc = dbp_config_parse((const char *)data, size, "fuzz.conf", &c, &err);
    if (rc == DBP_OK) {
        if (!c)
            __builtin_trap();
        dbp_config_walk(c, check_entry, c);
        (void)dbp_config_get(c, "rule.seq-scan", "min_rows");
    } else {
        if (c)
            __builtin_trap(); /* NULL on failure */
        if (rc != DBP_ERR_USAGE && rc != DBP_ERR_FORMAT)
            __builtin_trap();
        if (strncmp(err.message, "fuzz.conf", 9) != 0)
            __builtin_trap(); /* the message names the file (and line) */
    }
    dbp_config_free(c);
    return 0;
}
