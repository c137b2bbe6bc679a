/*
 * fuzz_fingerprint.c -- libFuzzer target for the fingerprint tokenizers: both
 * styles, every flag combination (chosen by the first byte), and the id.
 * Checks the output invariants: the returned length is out.len and the text
 * is NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>

#include <dbperf/buf.h>
#include <dbperf/fingerprint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dbp_buf out = {0}, again = {0};
    unsigned flags = size ? data[0] & 7u : 0;
    for (int style = DBP_FP_PT; style <= DBP_FP_PGSS; style++) {
        size_t n = dbp_fingerprint_ex((enum dbp_fp_style)style, flags, (const char *)data, size, &out);
        if (n != out.len || out.data[out.len] != '\0')
            abort();
        (void)dbp_fingerprint_id(out.data, out.len);
        /* the output of a fingerprint is itself valid input */
        dbp_fingerprint_ex((enum dbp_fp_style)style, flags, out.data, out.len, &again);
    }
    dbp_buf_free(&out);
    dbp_buf_free(&again);
    return 0;
}
