/*
 * test_scan.c -- dbp_find2(), dbp_quoted_end() and dbp_count_byte()
 * (include/dbperf/scan.h), the
 * SSE2 and the portable 8-byte versions, against a byte-by-byte reference on
 * every start offset of random buffers; each buffer is allocated at its exact
 * size, so AddressSanitizer and valgrind see any read past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/scan.h>

/* the same header again, built the portable way, under other names */
#undef DBPERF_SCAN_H
#define DBP_SCAN_PORTABLE
#define dbp_find2 portable_find2
#define dbp_quoted_end portable_quoted_end
#define dbp_count_byte portable_count_byte
#define dbp_json_ws portable_json_ws
#include <dbperf/scan.h>
#undef dbp_find2
#undef dbp_quoted_end
#undef dbp_count_byte
#undef dbp_json_ws

static size_t ref_find2(const char *s, size_t len, size_t i, char a, char b)
{
    while (i < len && s[i] != a && s[i] != b)
        i++;
    return i;
}

static size_t ref_quoted_end(const char *s, size_t len, size_t i, char q, bool *esc)
{
    *esc = false;
    for (i++; i < len; i++) {
        if (s[i] == '\\') {
            *esc = true;
            i++;
        } else if (s[i] == q)
            return i;
    }
    return SIZE_MAX;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static unsigned next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 32);
}

/* mostly plain bytes, some quotes, backslashes, NULs and bytes >= 0x80 */
static char *random_buf(size_t len, unsigned density)
{
    static const char special[] = {'"', '\\', '\'', 0, (char)0x80, (char)0xA2, (char)0xFF, '\n'};
    char *s = malloc(len ? len : 1);
    assert_non_null(s);
    for (size_t k = 0; k < len; k++)
        s[k] = next() % density == 0 ? special[next() % sizeof special] : (char)('a' + next() % 26);
    return s;
}

static size_t ref_count(const char *s, size_t n, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == c;
    return k;
}

static void check_all(const char *s, size_t len)
{
    static const char counted[] = {'"', 0, (char)0xFF, 'a'};
    for (size_t c = 0; c < sizeof counted; c++)
        for (size_t i = 0; i <= len; i += 1 + len / 7) {
            size_t want = ref_count(s + i, len - i, counted[c]);
            assert_int_equal(dbp_count_byte(s + i, len - i, counted[c]), want);
            assert_int_equal(portable_count_byte(s + i, len - i, counted[c]), want);
        }
    static const char pairs[][2] = {{'"', '\\'}, {'\'', '\\'}, {0, '\n'}, {(char)0xA2, 'z'}};
    for (size_t i = 0; i <= len; i++) {
        for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
            size_t want = ref_find2(s, len, i, pairs[p][0], pairs[p][1]);
            assert_int_equal(dbp_find2(s, len, i, pairs[p][0], pairs[p][1]), want);
            assert_int_equal(portable_find2(s, len, i, pairs[p][0], pairs[p][1]), want);
        }
        if (i < len && (s[i] == '"' || s[i] == '\'')) {
            bool e1, e2, e3;
            size_t want = ref_quoted_end(s, len, i, s[i], &e1);
            assert_int_equal(dbp_quoted_end(s, len, i, s[i], &e2), want);
            assert_int_equal(portable_quoted_end(s, len, i, s[i], &e3), want);
            if (want != SIZE_MAX) {
                assert_int_equal(e2, e1);
                assert_int_equal(e3, e1);
            }
        }
    }
}

static void test_random_buffers(void **state)
{
    (void)state;
    for (unsigned density = 2; density <= 64; density *= 2)
        for (size_t len = 0; len <= 80; len++)
            for (int rep = 0; rep < 8; rep++) {
                char *s = random_buf(len, density);
                check_all(s, len);
                free(s);
            }
}

static void test_long_strings(void **state)
{
    (void)state;
    for (size_t len = 200; len <= 5000; len += 397) {
        char *s = random_buf(len, 300);
        check_all(s, len);
        free(s);
    }
}

/* more than 255 x 16 bytes of the counted byte: the SSE2 counters must not wrap */
static void test_count_many(void **state)
{
    (void)state;
    size_t n = 255 * 16 * 3 + 37;
    char *s = malloc(n);
    assert_non_null(s);
    memset(s, '"', n);
    assert_int_equal(dbp_count_byte(s, n, '"'), n);
    assert_int_equal(portable_count_byte(s, n, '"'), n);
    s[5] = 'x';
    s[n - 1] = 'x';
    assert_int_equal(dbp_count_byte(s, n, '"'), n - 2);
    assert_int_equal(portable_count_byte(s, n, '"'), n - 2);
    free(s);
}

static void test_cases(void **state)
{
    (void)state;
    bool e;
    /* "ab\"c" then more: the escaped quote does not end it */
    const char a[] = "\"ab\\\"c\" tail";
    assert_int_equal(dbp_quoted_end(a, sizeof a - 1, 0, '"', &e), 6);
    assert_int_equal(e, 1);
    /* "x\\" : an escaped backslash, then the closing quote */
    const char b[] = "\"x\\\\\"";
    assert_int_equal(dbp_quoted_end(b, sizeof b - 1, 0, '"', &e), 4);
    /* a backslash as the last byte: no end */
    const char c[] = "\"abc\\";
    assert_true(dbp_quoted_end(c, sizeof c - 1, 0, '"', &e) == SIZE_MAX);
    assert_true(portable_quoted_end(c, sizeof c - 1, 0, '"', &e) == SIZE_MAX);
    /* no closing quote past 16 bytes */
    const char d[] = "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    assert_true(dbp_quoted_end(d, sizeof d - 1, 0, '"', &e) == SIZE_MAX);
    const char f[] = "\"\"";
    assert_int_equal(dbp_quoted_end(f, 2, 0, '"', &e), 1);
    assert_int_equal(e, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_buffers),
        cmocka_unit_test(test_long_strings),
        cmocka_unit_test(test_count_many),
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
