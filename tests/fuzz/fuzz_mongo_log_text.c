/*
 * fuzz_mongo_log_text.c -- fuzz target for the mongodb-log-text (mongod <= 4.2 text log) format: probe and
 * parser on any bytes (tests/fuzz/fuzz_format_common.h).
 */
#include <stdint.h>

#include "fuzz_format_common.h"
#include "mongodb/mongo_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dbp_fuzz_format(&dbp_mongo_log_text_format, data, size);
    return 0;
}
