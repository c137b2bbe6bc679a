/*
 * fuzz_mongo_profile.c -- fuzz target for the mongodb-profile (system.profile documents) format: probe and
 * parser on any bytes (tests/fuzz/fuzz_format_common.h).
 */
#include <stdint.h>

#include "fuzz_format_common.h"
#include "mongodb/mongo_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dbp_fuzz_format(&dbp_mongo_profile_format, data, size);
    return 0;
}
