/* test_ziplist.c - the read-only ziplist and zipmap decoders: blobs built here by a small
 * encoder that follows Redis's ziplist.c/zipmap.c byte layouts (every integer encoding,
 * every string length form, 5-byte back links), then garbled: wrong headers, truncations
 * and a mutation loop over every byte. Blobs are copied into exactly-sized heap blocks so
 * that ASan flags any read past the end. */
#include "check_main.h"
#include "common/mem.h"
#include "common/ziplist.h"

#include <check.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- a tiny encoder ------------------------------------------------------------------- */

typedef struct Blob {
    uint8_t *b;
    size_t n, cap;
    size_t last;     /* ziplist: offset of the last entry */
    size_t prev_raw; /* ziplist: raw length of the last entry */
    unsigned count;
} Blob;

static void put(Blob *z, const void *p, size_t n) {
    if (z->n + n > z->cap) {
        z->cap = (z->n + n) * 2 + 64;
        z->b = mem_realloc(z->b, z->cap);
    }
    memcpy(z->b + z->n, p, n);
    z->n += n;
}

static void put_u8(Blob *z, unsigned v) {
    uint8_t c = (uint8_t)v;
    put(z, &c, 1);
}

static void put_le(Blob *z, uint64_t v, int n) {
    for (int i = 0; i < n; i++)
        put_u8(z, (unsigned)(v >> (8 * i)) & 0xFF);
}

static void wr_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void zl_begin(Blob *z) {
    memset(z, 0, sizeof(*z));
    uint8_t hdr[10] = {0};
    put(z, hdr, sizeof(hdr));
    z->last = 10;
}

/* Back link; big forces the 5-byte form even for a small length (Redis's "forcelarge"). */
static void zl_prevlen(Blob *z, bool big) {
    z->last = z->n;
    if (z->prev_raw < 254 && !big) {
        put_u8(z, (unsigned)z->prev_raw);
    } else {
        put_u8(z, 0xFE);
        put_le(z, z->prev_raw, 4);
    }
}

/* form: 1, 2 or 5 header bytes for the length. */
static void zl_add_str_form(Blob *z, const char *s, size_t len, int form, bool bigprev) {
    size_t start = z->n;
    zl_prevlen(z, bigprev);
    if (form == 1) {
        put_u8(z, (unsigned)len);
    } else if (form == 2) {
        put_u8(z, 0x40 | (unsigned)(len >> 8));
        put_u8(z, len & 0xFF);
    } else {
        put_u8(z, 0x80);
        for (int i = 3; i >= 0; i--)
            put_u8(z, (unsigned)(len >> (8 * i)) & 0xFF);
    }
    put(z, s, len);
    z->prev_raw = z->n - start;
    z->count++;
}

static void zl_add_str(Blob *z, const char *s, size_t len) {
    zl_add_str_form(z, s, len, len <= 63 ? 1 : len <= 16383 ? 2 : 5, false);
}

/* enc: 0xFE int8, 0xC0 int16, 0xF0 int24, 0xD0 int32, 0xE0 int64, 0xF1..0xFD immediate. */
static void zl_add_int(Blob *z, long long v, unsigned enc) {
    size_t start = z->n;
    zl_prevlen(z, false);
    put_u8(z, enc);
    switch (enc) {
    case 0xFE: put_le(z, (uint64_t)v, 1); break;
    case 0xC0: put_le(z, (uint64_t)v, 2); break;
    case 0xF0: put_le(z, (uint64_t)v, 3); break;
    case 0xD0: put_le(z, (uint64_t)v, 4); break;
    case 0xE0: put_le(z, (uint64_t)v, 8); break;
    default: break; /* immediate */
    }
    z->prev_raw = z->n - start;
    z->count++;
}

static void zl_finish(Blob *z) {
    put_u8(z, 0xFF);
    wr_le32(z->b, (uint32_t)z->n);
    wr_le32(z->b + 4, (uint32_t)z->last);
    z->b[8] = (uint8_t)(z->count & 0xFF);
    z->b[9] = (uint8_t)(z->count >> 8);
}

/* An exactly-sized copy, so ASan catches a one-byte over-read. */
static uint8_t *exact_copy(const uint8_t *p, size_t n) {
    uint8_t *c = malloc(n ? n : 1);
    memcpy(c, p, n);
    return c;
}

static bool zl_valid_exact(const uint8_t *p, size_t n, size_t *count) {
    uint8_t *c = exact_copy(p, n);
    bool ok = ziplist_validate(c, n, count);
    free(c);
    return ok;
}

/* ---- ziplist: good blobs -------------------------------------------------------------- */

START_TEST(test_empty_ziplist) {
    Blob z;
    zl_begin(&z);
    zl_finish(&z);
    ck_assert_uint_eq(z.n, 11);
    size_t n = 99;
    ck_assert(zl_valid_exact(z.b, z.n, &n));
    ck_assert_uint_eq(n, 0);
    ZiplistIter it;
    ZiplistEntry e;
    ziplist_iter_init(&it, z.b, z.n);
    ck_assert(!ziplist_iter_next(&it, &e));
    mem_free(z.b);
}
END_TEST

static const struct {
    long long v;
    unsigned enc;
} int_cases[] = {
    {0, 0xF1},         {12, 0xFD},        {5, 0xF6},         {-128, 0xFE},
    {127, 0xFE},       {13, 0xFE},        {INT16_MIN, 0xC0}, {INT16_MAX, 0xC0},
    {-8388608, 0xF0},  {8388607, 0xF0},   {INT32_MIN, 0xD0}, {INT32_MAX, 0xD0},
    {LLONG_MIN, 0xE0}, {LLONG_MAX, 0xE0}, {-1, 0xF0},        {4294967296, 0xE0},
};

START_TEST(test_every_integer_encoding) {
    Blob z;
    zl_begin(&z);
    size_t nc = sizeof(int_cases) / sizeof(int_cases[0]);
    for (size_t i = 0; i < nc; i++)
        zl_add_int(&z, int_cases[i].v, int_cases[i].enc);
    zl_finish(&z);
    size_t n;
    ck_assert(zl_valid_exact(z.b, z.n, &n));
    ck_assert_uint_eq(n, nc);
    ZiplistIter it;
    ZiplistEntry e;
    ziplist_iter_init(&it, z.b, z.n);
    for (size_t i = 0; i < nc; i++) {
        ck_assert(ziplist_iter_next(&it, &e));
        ck_assert_ptr_null(e.s);
        ck_assert_int_eq(e.ival, int_cases[i].v);
    }
    ck_assert(!ziplist_iter_next(&it, &e));
    mem_free(z.b);
}
END_TEST

START_TEST(test_string_lengths_and_big_prevlen) {
    /* 6-bit, 14-bit and 32-bit lengths; the entry after the 300-byte one needs a 5-byte
     * back link, and one small entry uses the 5-byte form although it need not. */
    size_t lens[] = {0, 1, 63, 64, 300, 5, 16383, 16384, 70000, 2};
    char *buf = mem_alloc(70000);
    for (size_t i = 0; i < 70000; i++)
        buf[i] = (char)('a' + i % 26);
    Blob z;
    zl_begin(&z);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
        zl_add_str(&z, buf, lens[i]);
    zl_add_str_form(&z, "x", 1, 2, true); /* non-canonical 14-bit form + forced big link */
    zl_add_int(&z, 7, 0xF8);
    zl_finish(&z);
    size_t n;
    ck_assert(zl_valid_exact(z.b, z.n, &n));
    ck_assert_uint_eq(n, 12);
    ZiplistIter it;
    ZiplistEntry e;
    ziplist_iter_init(&it, z.b, z.n);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        ck_assert(ziplist_iter_next(&it, &e));
        ck_assert_ptr_nonnull(e.s);
        ck_assert_uint_eq(e.len, lens[i]);
        if (lens[i]) ck_assert_mem_eq(e.s, buf, lens[i]);
    }
    ck_assert(ziplist_iter_next(&it, &e));
    ck_assert_uint_eq(e.len, 1);
    ck_assert_mem_eq(e.s, "x", 1);
    ck_assert(ziplist_iter_next(&it, &e));
    ck_assert_int_eq(e.ival, 7);
    ck_assert(!ziplist_iter_next(&it, &e));
    mem_free(z.b);
    mem_free(buf);
}
END_TEST

START_TEST(test_unknown_count_is_walked) {
    Blob z;
    zl_begin(&z);
    zl_add_str(&z, "a", 1);
    zl_add_int(&z, 1000, 0xC0);
    zl_finish(&z);
    z.b[8] = z.b[9] = 0xFF; /* zllen 65535: count unknown */
    size_t n;
    ck_assert(zl_valid_exact(z.b, z.n, &n));
    ck_assert_uint_eq(n, 2);
    mem_free(z.b);
}
END_TEST

/* ---- ziplist: bad blobs --------------------------------------------------------------- */

static Blob sample_ziplist(void) {
    Blob z;
    zl_begin(&z);
    char big[300];
    memset(big, 'q', sizeof(big));
    zl_add_str(&z, "hello", 5);
    zl_add_int(&z, -5, 0xFE);
    zl_add_str(&z, big, sizeof(big));
    zl_add_int(&z, 123456789012LL, 0xE0);
    zl_add_int(&z, 3, 0xF4);
    zl_add_str(&z, big, 100);
    zl_finish(&z);
    return z;
}

START_TEST(test_bad_headers) {
    Blob z = sample_ziplist();
    ck_assert(zl_valid_exact(z.b, z.n, NULL));
    uint8_t *c = exact_copy(z.b, z.n);

    wr_le32(c, (uint32_t)z.n + 1); /* zlbytes lies */
    ck_assert(!ziplist_validate(c, z.n, NULL));
    memcpy(c, z.b, z.n);
    wr_le32(c + 4, (uint32_t)z.last - 1); /* tail off by one */
    ck_assert(!ziplist_validate(c, z.n, NULL));
    memcpy(c, z.b, z.n);
    c[8] = 5; /* count wrong */
    ck_assert(!ziplist_validate(c, z.n, NULL));
    memcpy(c, z.b, z.n);
    c[z.n - 1] = 0xFE; /* no end byte */
    ck_assert(!ziplist_validate(c, z.n, NULL));
    memcpy(c, z.b, z.n);
    c[10] = 1; /* first entry's back link must be 0 */
    ck_assert(!ziplist_validate(c, z.n, NULL));
    memcpy(c, z.b, z.n);
    c[11] = 0xC1; /* unknown integer encoding */
    ck_assert(!ziplist_validate(c, z.n, NULL));
    memcpy(c, z.b, z.n);
    c[11] = 0x81; /* 32-bit string form with stray bits */
    ck_assert(!ziplist_validate(c, z.n, NULL));
    ck_assert(!ziplist_validate(c, 10, NULL));
    ck_assert(!ziplist_validate(c, 0, NULL));
    free(c);
    mem_free(z.b);
}
END_TEST

/* Cut the blob anywhere, fix the header to match the cut and end it with 0xFF: the deep
 * walk, not the header check, must refuse it. */
START_TEST(test_truncated_ziplists) {
    Blob z = sample_ziplist();
    for (size_t cut = 11; cut < z.n; cut++) {
        uint8_t *c = exact_copy(z.b, cut);
        wr_le32(c, (uint32_t)cut);
        c[cut - 1] = 0xFF;
        size_t n;
        bool ok = ziplist_validate(c, cut, &n);
        /* Only a cut right after a whole entry can be valid, and then not with the
         * original tail and count. */
        ck_assert_msg(!ok, "cut at %zu accepted", cut);
        free(c);
    }
    mem_free(z.b);
}
END_TEST

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Walk whatever the validator accepted: entries must lie inside the blob. */
static void walk_ziplist(const uint8_t *c, size_t n, size_t count) {
    ZiplistIter it;
    ZiplistEntry e;
    size_t seen = 0;
    ziplist_iter_init(&it, c, n);
    while (ziplist_iter_next(&it, &e)) {
        if (e.s) ck_assert(e.s >= c && e.s + e.len <= c + n);
        seen++;
    }
    ck_assert_uint_eq(seen, count);
}

START_TEST(test_mutated_ziplists) {
    Blob z = sample_ziplist();
    const uint8_t vals[] = {0x00, 0x01, 0x3F, 0x40, 0x7F, 0x80, 0xC0,
                            0xD0, 0xE0, 0xF0, 0xF1, 0xFD, 0xFE, 0xFF};
    int accepted = 0;
    for (size_t i = 0; i < z.n; i++) {
        for (size_t k = 0; k < sizeof(vals) + 4; k++) {
            uint8_t *c = exact_copy(z.b, z.n);
            uint8_t v = k < sizeof(vals) ? vals[k] : (uint8_t)rng();
            if (c[i] == v) {
                free(c);
                continue;
            }
            c[i] = v;
            size_t n;
            if (ziplist_validate(c, z.n, &n)) {
                accepted++;
                walk_ziplist(c, z.n, n);
            }
            free(c);
        }
    }
    /* Payload bytes of strings may change freely; structure bytes may not. */
    ck_assert_int_gt(accepted, 0);
    /* Random multi-byte damage, iterated whether or not it validates. */
    for (int round = 0; round < 20000; round++) {
        uint8_t *c = exact_copy(z.b, z.n);
        int flips = 1 + (int)(rng() % 4);
        for (int f = 0; f < flips; f++)
            c[rng() % z.n] = (uint8_t)rng();
        size_t n;
        if (ziplist_validate(c, z.n, &n)) walk_ziplist(c, z.n, n);
        ZiplistIter it;
        ZiplistEntry e;
        ziplist_iter_init(&it, c, z.n);
        for (int guard = 0; guard < 100 && ziplist_iter_next(&it, &e); guard++)
            if (e.s) ck_assert(e.s >= c && e.s + e.len <= c + z.n);
        free(c);
    }
    mem_free(z.b);
}
END_TEST

/* ---- zipmap --------------------------------------------------------------------------- */

static void zm_len(Blob *z, size_t len) {
    if (len < 254) {
        put_u8(z, (unsigned)len);
    } else {
        put_u8(z, 254);
        put_le(z, len, 4);
    }
}

static void zm_add(Blob *z, const char *f, size_t flen, const char *v, size_t vlen, unsigned fr) {
    zm_len(z, flen);
    put(z, f, flen);
    zm_len(z, vlen);
    put_u8(z, fr);
    put(z, v, vlen);
    for (unsigned i = 0; i < fr; i++)
        put_u8(z, 0);
    z->count++;
}

static Blob sample_zipmap(void) {
    Blob z;
    memset(&z, 0, sizeof(z));
    put_u8(&z, 0);
    char big[400];
    memset(big, 'v', sizeof(big));
    zm_add(&z, "f1", 2, "v1", 2, 0);
    zm_add(&z, "f2", 2, "", 0, 3); /* free bytes after the value */
    zm_add(&z, "long", 4, big, sizeof(big), 1);
    zm_add(&z, big, 300, "x", 1, 0);
    put_u8(&z, 0xFF);
    z.b[0] = (uint8_t)z.count;
    return z;
}

START_TEST(test_zipmap_roundtrip) {
    Blob z = sample_zipmap();
    uint8_t *c = exact_copy(z.b, z.n);
    size_t n;
    ck_assert(zipmap_validate(c, z.n, &n));
    ck_assert_uint_eq(n, 4);
    ZipmapIter it;
    const uint8_t *f, *v;
    size_t flen, vlen;
    zipmap_iter_init(&it, c, z.n);
    ck_assert(zipmap_iter_next(&it, &f, &flen, &v, &vlen));
    ck_assert_mem_eq(f, "f1", 2);
    ck_assert_mem_eq(v, "v1", 2);
    ck_assert(zipmap_iter_next(&it, &f, &flen, &v, &vlen));
    ck_assert_uint_eq(vlen, 0);
    ck_assert(zipmap_iter_next(&it, &f, &flen, &v, &vlen));
    ck_assert_uint_eq(flen, 4);
    ck_assert_uint_eq(vlen, 400);
    ck_assert(zipmap_iter_next(&it, &f, &flen, &v, &vlen));
    ck_assert_uint_eq(flen, 300);
    ck_assert_mem_eq(v, "x", 1);
    ck_assert(!zipmap_iter_next(&it, &f, &flen, &v, &vlen));

    c[0] = 254; /* "count unknown" */
    ck_assert(zipmap_validate(c, z.n, &n));
    c[0] = 3;
    ck_assert(!zipmap_validate(c, z.n, NULL));
    free(c);

    uint8_t empty[2] = {0, 0xFF};
    ck_assert(zipmap_validate(empty, 2, &n));
    ck_assert_uint_eq(n, 0);
    uint8_t bad[2] = {1, 0xFF};
    ck_assert(!zipmap_validate(bad, 2, NULL));
    ck_assert(!zipmap_validate(bad, 1, NULL));
    mem_free(z.b);
}
END_TEST

START_TEST(test_garbled_zipmaps) {
    Blob z = sample_zipmap();
    for (size_t cut = 1; cut < z.n; cut++) {
        uint8_t *c = exact_copy(z.b, cut);
        c[cut - 1] = 0xFF;
        ck_assert_msg(!zipmap_validate(c, cut, NULL), "cut at %zu accepted", cut);
        free(c);
    }
    for (int round = 0; round < 20000; round++) {
        uint8_t *c = exact_copy(z.b, z.n);
        int flips = 1 + (int)(rng() % 3);
        for (int f = 0; f < flips; f++)
            c[rng() % z.n] = (uint8_t)rng();
        size_t n;
        bool ok = zipmap_validate(c, z.n, &n);
        ZipmapIter it;
        const uint8_t *fp, *vp;
        size_t flen, vlen, seen = 0;
        zipmap_iter_init(&it, c, z.n);
        while (seen < 1000 && zipmap_iter_next(&it, &fp, &flen, &vp, &vlen)) {
            ck_assert(fp >= c && fp + flen <= c + z.n);
            ck_assert(vp >= c && vp + vlen <= c + z.n);
            seen++;
        }
        if (ok) ck_assert_uint_eq(seen, n);
        free(c);
    }
    mem_free(z.b);
}
END_TEST

static Suite *ziplist_suite(void) {
    Suite *s = suite_create("ziplist");
    TCase *tc = tcase_create("ziplist");
    tcase_add_test(tc, test_empty_ziplist);
    tcase_add_test(tc, test_every_integer_encoding);
    tcase_add_test(tc, test_string_lengths_and_big_prevlen);
    tcase_add_test(tc, test_unknown_count_is_walked);
    tcase_add_test(tc, test_bad_headers);
    tcase_add_test(tc, test_truncated_ziplists);
    tcase_add_test(tc, test_mutated_ziplists);
    suite_add_tcase(s, tc);
    TCase *zm = tcase_create("zipmap");
    tcase_add_test(zm, test_zipmap_roundtrip);
    tcase_add_test(zm, test_garbled_zipmaps);
    suite_add_tcase(s, zm);
    return s;
}

int main(void) {
    return check_run_suite(ziplist_suite());
}
