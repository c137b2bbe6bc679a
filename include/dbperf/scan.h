/*
 * scan.h -- byte search for the log scanners (PostgreSQL jsonlog and csvlog, mongod logs).
 *
 * Strings in these logs are mostly short (keys, severities, timestamps), where a
 * memchr call per string costs more than the search itself, with a few long
 * ones (the statement). dbp_find2() looks for either of two bytes 16 at a time
 * with SSE2 (every x86-64), 8 at a time elsewhere, inline, and never reads
 * outside s[0..len). DBP_SCAN_PORTABLE (tests) selects the 8-byte version.
 */
#ifndef DBPERF_SCAN_H
#define DBPERF_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && !defined(DBP_SCAN_PORTABLE)
#include <emmintrin.h>
#endif

/* The index of the first byte of s[i..len) equal to a or b, or len. */
static inline size_t dbp_find2(const char *s, size_t len, size_t i, char a, char b)
{
#if defined(__SSE2__) && !defined(DBP_SCAN_PORTABLE)
    const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
    while (i + 16 <= len) {
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(w, va), _mm_cmpeq_epi8(w, vb)));
        if (m)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t ma = ones * (unsigned char)a, mb = ones * (unsigned char)b;
    while (i + 8 <= len) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t xa = w ^ ma, xb = w ^ mb;
        /* the lowest flagged byte is always a true match (borrows only run upwards) */
        uint64_t t = (((xa - ones) & ~xa) | ((xb - ones) & ~xb)) & highs;
        if (t)
            return i + (size_t)(__builtin_ctzll(t) >> 3);
        i += 8;
    }
#endif
    while (i < len && s[i] != a && s[i] != b)
        i++;
    return i;
}

/* How many bytes of s[0..n) equal c. */
static inline size_t dbp_count_byte(const char *s, size_t n, char c)
{
    size_t k = 0, i = 0;
#if defined(__SSE2__) && !defined(DBP_SCAN_PORTABLE)
    const __m128i vc = _mm_set1_epi8(c), zero = _mm_setzero_si128();
    while (i + 16 <= n) {
        /* per-byte counters (a match is -1), summed with psadbw before they can wrap */
        __m128i acc = zero;
        for (int r = 0; r < 255 && i + 16 <= n; r++, i += 16) {
            __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(w, vc));
        }
        __m128i sum = _mm_sad_epu8(acc, zero);
        k += (size_t)_mm_cvtsi128_si32(sum) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
    }
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t lo7 = 0x7F7F7F7F7F7F7F7FULL, mc = 0x0101010101010101ULL * (unsigned char)c;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t x = w ^ mc;
        /* exact: the high bit of each byte that is zero, no borrows */
        uint64_t z = ~(((x & lo7) + lo7) | x | lo7);
        k += (size_t)(((z >> 7) * 0x0101010101010101ULL) >> 56);
    }
#endif
    for (; i < n; i++)
        k += s[i] == c;
    return k;
}

/* The index of the first byte of s[i..len) that is not JSON white space, or len. */
static inline size_t dbp_json_ws(const char *s, size_t len, size_t i)
{
    /* by table: one test per byte (most calls find none) */
    static const bool ws[256] = {[' '] = true, ['\t'] = true, ['\n'] = true, ['\r'] = true};
    while (i < len && ws[(unsigned char)s[i]])
        i++;
    return i;
}

/*
 * At s[i] == q (the opening quote): the index of the closing quote, a backslash
 * escaping the byte after it; *escaped tells whether the string holds one.
 * SIZE_MAX when the string does not end before len.
 */
static inline size_t dbp_quoted_end(const char *s, size_t len, size_t i, char q, bool *escaped)
{
    *escaped = false;
    i++;
    for (;;) {
        size_t k = dbp_find2(s, len, i, q, '\\');
        if (k >= len)
            return SIZE_MAX;
        if (s[k] == q)
            return k;
        *escaped = true;
        i = k + 2;
        if (i > len)
            return SIZE_MAX;
    }
}

#endif
