/*
 * fuzz_reader.c -- fuzz target for the line reader (dbp_reader_open_mem, head,
 * line, slurp), plain and gzip: the input is read line by line, then the same
 * bytes compressed here with zlib (gzip framing) must read back as the same
 * lines. Input that itself starts with the gzip magic exercises inflating
 * corrupt or truncated streams, which must end in DBP_ERR_IO with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/error.h>
#include <dbperf/reader.h>

#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FNV-1a over every line and its length: what a read produced. */
static uint64_t read_all(const void *p, size_t n, size_t *lines, int *status)
{
    struct dbp_reader *r = dbp_reader_open_mem(p, n, "fuzz.input");
    size_t hl = 0;
    const unsigned char *head = dbp_reader_head(r, &hl);
    if (hl > 0 && !head)
        __builtin_trap();
    uint64_t h = 1469598103934665603ull;
    const char *line;
    size_t len;
    int rc;
    *lines = 0;
    struct dbp_error err = {0};
    while ((rc = dbp_reader_line(r, &line, &len, &err)) != 0) {
        if (rc == -DBP_ERR_FORMAT)
            continue;
        if (rc < 0) {
            if (err.message[0] == '\0')
                __builtin_trap();
            break;
        }
        if (memchr(line, '\n', len))
            __builtin_trap(); /* lines come without their '\n' */
        for (size_t i = 0; i < len; i++)
            h = (h ^ (unsigned char)line[i]) * 1099511628211ull;
        h = (h ^ len) * 1099511628211ull;
        if (dbp_reader_lineno(r) != ++*lines)
            __builtin_trap();
    }
    *status = rc;
    (void)dbp_reader_bytes(r);
    dbp_reader_close(r);
    return h;
}

static void slurp_all(const void *p, size_t n)
{
    struct dbp_reader *r = dbp_reader_open_mem(p, n, "fuzz.input");
    const char *d;
    size_t len;
    struct dbp_error err = {0};
    int rc = dbp_reader_slurp(r, 1u << 20, &d, &len, &err);
    if (rc != DBP_OK && err.message[0] == '\0')
        __builtin_trap();
    dbp_reader_close(r);
}

/* data gzip-compressed into a heap buffer (*out, caller frees); 0 on failure. */
static size_t gzip_mem(const uint8_t *data, size_t size, unsigned char **out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    size_t cap = deflateBound(&zs, (uLong)size) + 32;
    *out = malloc(cap);
    if (!*out)
        abort();
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)size;
    zs.next_out = *out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    size_t n = zs.total_out;
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? n : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n_plain = 0, n_gz = 0;
    int st_plain = 0, st_gz = 0;
    uint64_t plain = read_all(data, size, &n_plain, &st_plain);
    slurp_all(data, size);
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        return 0; /* already gzip: the plain read above inflated it */
    unsigned char *gz = NULL;
    size_t gz_len = gzip_mem(data, size, &gz);
    if (gz_len > 0) {
        uint64_t h = read_all(gz, gz_len, &n_gz, &st_gz);
        if (st_plain == 0 && (st_gz != 0 || h != plain || n_gz != n_plain))
            __builtin_trap(); /* gzip reads the same lines */
        slurp_all(gz, gz_len);
    }
    free(gz);
    return 0;
}
