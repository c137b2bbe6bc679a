/*
 * hash.h -- internal fast non-cryptographic hash for in-memory tables.
 *
 * Not stable across versions and never shown to users (fingerprint ids use
 * dbp_fingerprint_id); only for hash tables.
 */
#ifndef DBPERF_HASH_H
#define DBPERF_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t dbp_hash_mix(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    return x;
}

/* Hash of n bytes, seeded. Reads 8 bytes at a time. */
static inline uint64_t dbp_hash_bytes(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ dbp_hash_mix(w)) * 0x9e3779b97f4a7c15ull;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)s[i] << (8 * i);
    h = (h ^ dbp_hash_mix(w + n)) * 0x9e3779b97f4a7c15ull;
    return dbp_hash_mix(h);
}

#endif
