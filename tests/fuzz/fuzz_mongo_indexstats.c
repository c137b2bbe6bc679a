/*
 * fuzz_mongo_indexstats.c -- fuzz target for the mongodb-indexstats ($indexStats output) format: probe and
 * parser on any bytes (tests/fuzz/fuzz_format_common.h).
 */
#include <stdint.h>

#include "fuzz_format_common.h"
#include "mongodb/mongo_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dbp_fuzz_format(&dbp_mongo_indexstats_format, data, size);
    return 0;
}
