/*
 * fingerprint.c -- PLACEHOLDER until the fingerprint module lands: ids only.
 */
#include <string.h>

#include <dbperf/buf.h>
#include <dbperf/fingerprint.h>

int dbp_fp_style_parse(const char *name)
{
    if (strcmp(name, "pt") == 0)
        return DBP_FP_PT;
    if (strcmp(name, "pgss") == 0)
        return DBP_FP_PGSS;
    return -1;
}

size_t dbp_fingerprint(enum dbp_fp_style style, const char *sql, size_t len, struct dbp_buf *out)
{
    (void)style;
    dbp_buf_clear(out);
    dbp_buf_append(out, sql, len);
    return out->len;
}

uint64_t dbp_fingerprint_id(const char *fp, size_t len)
{
    unsigned char d[16];
    dbp_md5(fp, len, d);
    uint64_t id = 0;
    for (int i = 8; i < 16; i++)
        id = id << 8 | d[i];
    return id;
}
