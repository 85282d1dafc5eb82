/* hash.c - SipHash-1-2 for dict keys, SHA-1 for digests, CRC-64/Jones for RDB checksums.
 *
 * hash_siphash / hash_siphash_nocase   keyed 64-bit hash (SipHash with 1 compression and
 *                                      2 finalization rounds, as Redis uses for dicts)
 * sha1_init / sha1_update / sha1_final streaming SHA-1
 * hash_crc64                           slice-by-8 table CRC, tables built once on first use
 * All are pure functions of their inputs; only the CRC tables are shared state, and they are
 * built under pthread_once so background threads may checksum too. */
#include "common/hash.h"

#include "common/vg.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

/* ---- SipHash-1-2 ---------------------------------------------------------------------- */

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/* The four state words live in locals so the compiler keeps them in registers; SIPROUND is
 * a macro for the same reason (a function taking the state by pointer was 45% of a SET's
 * instructions under callgrind). */
#define SIPROUND(v0, v1, v2, v3)                                                               \
    do {                                                                                       \
        v0 += v1;                                                                              \
        v1 = ROTL64(v1, 13);                                                                   \
        v1 ^= v0;                                                                              \
        v0 = ROTL64(v0, 32);                                                                   \
        v2 += v3;                                                                              \
        v3 = ROTL64(v3, 16);                                                                   \
        v3 ^= v2;                                                                              \
        v0 += v3;                                                                              \
        v3 = ROTL64(v3, 21);                                                                   \
        v3 ^= v0;                                                                              \
        v2 += v1;                                                                              \
        v1 = ROTL64(v1, 17);                                                                   \
        v1 ^= v2;                                                                              \
        v2 = ROTL64(v2, 32);                                                                   \
    } while (0)

static inline uint8_t ascii_lower(uint8_t c) {
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Little-endian 64-bit word from 8 bytes (one unaligned load on x86-64). */
static inline uint64_t load_le64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint64_t ascii_lower64(uint64_t w) {
    uint8_t b[8];
    memcpy(b, &w, 8);
    for (int i = 0; i < 8; i++) b[i] = ascii_lower(b[i]);
    memcpy(&w, b, 8);
    return w;
}

/* The last 0..7 bytes, little-endian. */
static inline uint64_t load_tail(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static inline uint64_t siphash12(const uint8_t *in, size_t len, const uint8_t key[16],
                                 bool nocase) {
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
    uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
    uint64_t v3 = k1 ^ 0x7465646279746573ULL;
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = load_le64(in + i);
        if (nocase) m = ascii_lower64(m);
        v3 ^= m;
        SIPROUND(v0, v1, v2, v3); /* c = 1 */
        v0 ^= m;
    }
    /* Last block: the remaining bytes, with the length's low byte on top. */
    uint64_t m = load_tail(in + full, len - full);
    if (nocase) m = ascii_lower64(m);
    m |= (uint64_t)len << 56;
    v3 ^= m;
    SIPROUND(v0, v1, v2, v3);
    v0 ^= m;
    v2 ^= 0xff;
    SIPROUND(v0, v1, v2, v3); /* d = 2 */
    SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t hash_siphash(const void *in, size_t len, const uint8_t key[16]) {
    return siphash12(in, len, key, false);
}

uint64_t hash_siphash_nocase(const void *in, size_t len, const uint8_t key[16]) {
    return siphash12(in, len, key, true);
}

/* ---- SHA-1 ----------------------------------------------------------------------------- */

static uint32_t rotl32(uint32_t x, int b) {
    return (x << b) | (x >> (32 - b));
}

static uint32_t load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void sha1_block(uint32_t st[5], const uint8_t block[64]) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = load_be32(block + 4 * i);
    for (int i = 16; i < 80; i++)
        w[i] = rotl32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

    uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        uint32_t t = rotl32(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rotl32(b, 30);
        b = a;
        a = t;
    }
    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
    st[4] += e;
}

void sha1_init(Sha1 *s) {
    s->state[0] = 0x67452301;
    s->state[1] = 0xefcdab89;
    s->state[2] = 0x98badcfe;
    s->state[3] = 0x10325476;
    s->state[4] = 0xc3d2e1f0;
    s->count = 0;
    memset(s->buffer, 0, sizeof(s->buffer));
}

void sha1_update(Sha1 *s, const void *data, size_t len) {
    const uint8_t *p = data;
    size_t have = (size_t)(s->count & 63);
    s->count += len;
    if (have > 0) {
        size_t take = VG_MIN(64 - have, len);
        memcpy(s->buffer + have, p, take);
        p += take;
        len -= take;
        if (have + take < 64) return;
        sha1_block(s->state, s->buffer);
    }
    for (; len >= 64; p += 64, len -= 64)
        sha1_block(s->state, p);
    if (len > 0) memcpy(s->buffer, p, len);
}

void sha1_final(Sha1 *s, uint8_t digest[20]) {
    uint64_t bits = s->count * 8;
    uint8_t pad[72] = {0x80};
    size_t have = (size_t)(s->count & 63);
    size_t padlen = (have < 56) ? 56 - have : 120 - have;
    for (int i = 0; i < 8; i++)
        pad[padlen + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
    sha1_update(s, pad, padlen + 8);
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(s->state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(s->state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(s->state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)s->state[i];
    }
    memset(s, 0, sizeof(*s));
}

/* ---- CRC-64/Jones ---------------------------------------------------------------------- */

/* 0xad93d23594c935a9 bit-reversed: the reflected algorithm shifts right. */
#define CRC64_POLY_REFLECTED 0x95ac9329ac4bc9b5ULL

/* crc_table[0] is the classic byte table; crc_table[k][b] is the CRC contribution of byte b
 * followed by k zero bytes, which lets the loop fold eight input bytes per step. */
static uint64_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_tables_build(void) {
    for (unsigned i = 0; i < 256; i++) {
        uint64_t c = i;
        for (int b = 0; b < 8; b++)
            c = (c & 1) ? (c >> 1) ^ CRC64_POLY_REFLECTED : c >> 1;
        crc_table[0][i] = c;
    }
    for (int k = 1; k < 8; k++) {
        for (unsigned i = 0; i < 256; i++) {
            uint64_t prev = crc_table[k - 1][i];
            crc_table[k][i] = crc_table[0][prev & 0xff] ^ (prev >> 8);
        }
    }
}

uint64_t hash_crc64(uint64_t crc, const void *p, size_t len) {
    const uint8_t *b = p;
    pthread_once(&crc_once, crc_tables_build);
    while (len >= 8) {
        crc ^= load_le64(b);
        crc = crc_table[7][crc & 0xff] ^ crc_table[6][(crc >> 8) & 0xff] ^
              crc_table[5][(crc >> 16) & 0xff] ^ crc_table[4][(crc >> 24) & 0xff] ^
              crc_table[3][(crc >> 32) & 0xff] ^ crc_table[2][(crc >> 40) & 0xff] ^
              crc_table[1][(crc >> 48) & 0xff] ^ crc_table[0][crc >> 56];
        b += 8;
        len -= 8;
    }
    while (len-- > 0)
        crc = crc_table[0][(crc ^ *b++) & 0xff] ^ (crc >> 8);
    return crc;
}
