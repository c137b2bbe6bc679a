/*
 * test_reader.c -- the line reader: plain, gzip (also concatenated and
 * truncated), CRLF, no final newline, over-long lines skipped with their line
 * number, head() not consuming, slurp, and errors for missing files and
 * directories.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <dbperf/error.h>
#include <dbperf/reader.h>

static char *tmpfile_with(const void *data, size_t len)
{
    char *path = strdup("/tmp/dbperf-test-reader-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

static char *gzip_of(const char *s, size_t len, size_t *out_len)
{
    z_stream zs = {0};
    deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&zs, len) + 64;
    char *out = malloc(cap);
    zs.next_in = (unsigned char *)s;
    zs.avail_in = (uInt)len;
    zs.next_out = (unsigned char *)out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

/* read every line, joined with '|' */
static char *read_all(struct dbp_reader *r, int *errors)
{
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    const char *line;
    size_t len;
    int rc;
    struct dbp_error err;
    *errors = 0;
    while ((rc = dbp_reader_line(r, &line, &len, &err)) != 0) {
        if (rc < 0) {
            (*errors)++;
            if (rc == -DBP_ERR_IO)
                break;
            continue;
        }
        while (n + len + 2 > cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        memcpy(out + n, line, len);
        n += len;
        out[n++] = '|';
    }
    out[n] = '\0';
    return out;
}

static void t_plain_lines(void **state)
{
    (void)state;
    const char text[] = "one\ntwo\r\n\nfour";
    struct dbp_reader *r = dbp_reader_open_mem(text, sizeof text - 1, "mem");
    int errors;
    char *all = read_all(r, &errors);
    assert_string_equal(all, "one|two\r||four|");
    assert_int_equal(errors, 0);
    assert_int_equal(dbp_reader_lineno(r), 4);
    assert_int_equal(dbp_reader_bytes(r), sizeof text - 1);
    free(all);
    dbp_reader_close(r);
}

static void t_head_does_not_consume(void **state)
{
    (void)state;
    const char text[] = "alpha\nbeta\n";
    struct dbp_reader *r = dbp_reader_open_mem(text, sizeof text - 1, "mem");
    size_t hl;
    const unsigned char *h = dbp_reader_head(r, &hl);
    assert_int_equal(hl, sizeof text - 1);
    assert_memory_equal(h, text, hl);
    int errors;
    char *all = read_all(r, &errors);
    assert_string_equal(all, "alpha|beta|");
    free(all);
    dbp_reader_close(r);
}

static void t_gzip_file(void **state)
{
    (void)state;
    /* big enough to need several refills of the inflate buffers */
    size_t n = 200000, len = 0;
    char *text = malloc(n * 16);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, 16, "line %zu\n", i);
    size_t gzlen;
    char *gz = gzip_of(text, len, &gzlen);
    char *path = tmpfile_with(gz, gzlen);
    struct dbp_reader *r = NULL;
    struct dbp_error err;
    assert_int_equal(dbp_reader_open(path, &r, &err), DBP_OK);
    size_t hl;
    const unsigned char *h = dbp_reader_head(r, &hl);
    assert_true(hl > 100);
    assert_memory_equal(h, "line 0\nline 1\n", 14);
    const char *line;
    size_t ll;
    size_t count = 0;
    int rc;
    while ((rc = dbp_reader_line(r, &line, &ll, &err)) == 1) {
        char want[16];
        int wl = snprintf(want, sizeof want, "line %zu", count);
        assert_int_equal(ll, (size_t)wl);
        assert_memory_equal(line, want, ll);
        count++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(count, n);
    assert_int_equal(dbp_reader_bytes(r), len);
    dbp_reader_close(r);
    unlink(path);
    free(path);
    free(gz);
    free(text);
}

static void t_gzip_concatenated_and_truncated(void **state)
{
    (void)state;
    size_t l1, l2;
    char *a = gzip_of("a1\na2\n", 6, &l1);
    char *b = gzip_of("b1\n", 3, &l2);
    char *both = malloc(l1 + l2);
    memcpy(both, a, l1);
    memcpy(both + l1, b, l2);
    struct dbp_reader *r = dbp_reader_open_mem(both, l1 + l2, "cat.gz");
    int errors;
    char *all = read_all(r, &errors);
    assert_string_equal(all, "a1|a2|b1|");
    assert_int_equal(errors, 0);
    free(all);
    dbp_reader_close(r);

    /* cut in the middle: what was inflated is returned, then one I/O error */
    r = dbp_reader_open_mem(a, l1 - 6, "cut.gz");
    all = read_all(r, &errors);
    assert_int_equal(errors, 1);
    free(all);
    dbp_reader_close(r);
    free(a);
    free(b);
    free(both);
}

static void t_overlong_line_skipped(void **state)
{
    (void)state;
    size_t big = DBP_READER_MAX_LINE + (1u << 20);
    size_t len = 0;
    char *text = malloc(big + 64);
    len += (size_t)snprintf(text, 64, "first\n");
    memset(text + len, 'x', big);
    len += big;
    len += (size_t)snprintf(text + len, 64, "\nlast\n");
    struct dbp_reader *r = dbp_reader_open_mem(text, len, "big.log");
    const char *line;
    size_t ll;
    struct dbp_error err;
    assert_int_equal(dbp_reader_line(r, &line, &ll, &err), 1);
    assert_int_equal(dbp_reader_line(r, &line, &ll, &err), -DBP_ERR_FORMAT);
    assert_non_null(strstr(err.message, "big.log:2:"));
    assert_int_equal(dbp_reader_line(r, &line, &ll, &err), 1);
    assert_int_equal(ll, 4);
    assert_memory_equal(line, "last", 4);
    assert_int_equal(dbp_reader_lineno(r), 3);
    assert_int_equal(dbp_reader_line(r, &line, &ll, &err), 0);
    dbp_reader_close(r);
    free(text);
}

static void t_errors(void **state)
{
    (void)state;
    struct dbp_reader *r = NULL;
    struct dbp_error err;
    assert_int_equal(dbp_reader_open("/nonexistent/dbperf.log", &r, &err), DBP_ERR_IO);
    assert_null(r);
    assert_non_null(strstr(err.message, "/nonexistent/dbperf.log"));
    assert_int_equal(dbp_reader_open("/tmp", &r, &err), DBP_ERR_IO);
    assert_non_null(strstr(err.message, "directory"));
}

static void t_slurp(void **state)
{
    (void)state;
    const char text[] = "{\"a\": 1}\n";
    struct dbp_reader *r = dbp_reader_open_mem(text, sizeof text - 1, "mem");
    const char *data;
    size_t len;
    struct dbp_error err;
    assert_int_equal(dbp_reader_slurp(r, 1024, &data, &len, &err), DBP_OK);
    assert_int_equal(len, sizeof text - 1);
    assert_string_equal(data, text);
    dbp_reader_close(r);
    r = dbp_reader_open_mem(text, sizeof text - 1, "mem");
    assert_int_equal(dbp_reader_slurp(r, 4, &data, &len, &err), DBP_ERR_FORMAT);
    dbp_reader_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_plain_lines),
        cmocka_unit_test(t_head_does_not_consume),
        cmocka_unit_test(t_gzip_file),
        cmocka_unit_test(t_gzip_concatenated_and_truncated),
        cmocka_unit_test(t_overlong_line_skipped),
        cmocka_unit_test(t_errors),
        cmocka_unit_test(t_slurp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
