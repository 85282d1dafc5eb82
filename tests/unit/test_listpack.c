/* test_listpack.c - the Redis 7 listpack: exact byte images (hand-computed and confirmed
 * against redis-server 7.0.15), navigation, search, validation of corrupt images, and a
 * randomized model test against a plain array.
 *
 * The REDIS_* constants were taken once from redis-server 7.0.15 (Debian) with
 * hash-max-listpack-value/entries raised and rdbcompression off: HSET, then DUMP, whose
 * payload carries the hash's listpack verbatim after the type byte (16) and an RDB length. */
#include "check_main.h"
#include "common/listpack.h"
#include "common/mem.h"
#include "common/util.h"
#include "common/vg.h"

#include <check.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------ */

static size_t hex_decode(const char *hex, unsigned char *out) {
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
    return n;
}

static void assert_image_hex(const unsigned char *lp, const char *hex) {
    unsigned char want[1024];
    size_t n = hex_decode(hex, want);
    ck_assert_uint_eq(lp_bytes(lp), n);
    ck_assert_mem_eq(lp, want, n);
    ck_assert(lp_validate(lp, n, true));
}

static unsigned char *append_str(unsigned char *lp, const char *s) {
    return lp_append(lp, s, strlen(s));
}

/* Element i's bytes equal s? */
static void assert_elem(unsigned char *lp, long i, const char *s, size_t len) {
    unsigned char *p = lp_seek(lp, i);
    ck_assert_ptr_nonnull(p);
    char buf[LP_INTBUF_SIZE];
    size_t n;
    const char *v = lp_get_str(p, &n, buf);
    ck_assert_uint_eq(n, len);
    if (len) ck_assert_mem_eq(v, s, len);
}

/* ---- byte images -------------------------------------------------------------------- */

START_TEST(test_empty_image) {
    unsigned char *lp = lp_new(0);
    assert_image_hex(lp, "07000000"
                         "0000"
                         "ff");
    ck_assert_uint_eq(lp_length(lp), 0);
    ck_assert_ptr_null(lp_first(lp));
    ck_assert_ptr_null(lp_last(lp));
    ck_assert_ptr_null(lp_seek(lp, 0));
    ck_assert_ptr_null(lp_seek(lp, -1));
    lp_free(lp);
    lp_free(NULL);
}
END_TEST

START_TEST(test_hello_image) {
    unsigned char *lp = append_str(lp_new(0), "hello");
    assert_image_hex(lp, "0e000000"
                         "0100"
                         "8568656c6c6f06"
                         "ff");
    lp_free(lp);
}
END_TEST

/* Hand-computed from the format rules, one entry per line. */
START_TEST(test_integer_and_short_string_images) {
    unsigned char *lp = lp_new(0);
    lp = append_str(lp, "hello");
    static const long long ints[] = {127,   128,     -1,         4095,     4096,
                                     32767, 8388607, 2147483647, LLONG_MIN};
    for (size_t i = 0; i < VG_ARRAY_LEN(ints); i++)
        lp = lp_append_int(lp, ints[i]);
    lp = append_str(lp, "-0");
    lp = append_str(lp, "007");
    assert_image_hex(lp, "3f000000"
                         "0c00"
                         "8568656c6c6f06"       /* "hello": 6-bit string */
                         "7f01"                 /* 127: 7-bit uint */
                         "c08002"               /* 128: 13-bit */
                         "dfff02"               /* -1: 13-bit 0x1fff */
                         "cfff02"               /* 4095 */
                         "f1001003"             /* 4096: int16 */
                         "f1ff7f03"             /* 32767 */
                         "f2ffff7f04"           /* 8388607: int24 */
                         "f3ffffff7f05"         /* 2147483647: int32 */
                         "f4000000000000008009" /* INT64_MIN: int64 */
                         "822d3003"             /* "-0" stays a string */
                         "8330303704"           /* "007" stays a string */
                         "ff");
    ck_assert_uint_eq(lp_length(lp), 12);
    lp_free(lp);
}
END_TEST

/* Strings at each length-encoding boundary: header bytes, backlen, total size. */
START_TEST(test_long_string_images) {
    static const struct {
        size_t len;
        const char *head; /* encoding bytes */
        const char *back; /* backlen */
    } cases[] = {
        {63, "bf", "40"},
        {64, "e040", "42"},
        {4095, "efff", "2081"},
        {4096, "f000100000", "2085"},
    };
    unsigned char *lp = lp_new(0);
    char *s = mem_alloc(5000);
    memset(s, 'a', 5000);
    size_t off = LP_HDR_SIZE;
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        lp = lp_append(lp, s, cases[i].len);
        unsigned char head[8], back[8];
        size_t hl = hex_decode(cases[i].head, head), bl = hex_decode(cases[i].back, back);
        ck_assert_mem_eq(lp + off, head, hl);
        ck_assert_mem_eq(lp + off + hl + cases[i].len, back, bl);
        off += hl + cases[i].len + bl;
    }
    ck_assert_uint_eq(lp_bytes(lp), off + 1);
    ck_assert_uint_eq(lp_bytes(lp), 6 + 65 + 67 + 4099 + 4103 + 1);
    ck_assert_uint_eq(lp[off], 0xff);
    ck_assert_mem_eq(lp, "\x95\x20\x00\x00\x04\x00", 6); /* 8341 bytes, 4 elements */
    ck_assert(lp_validate(lp, lp_bytes(lp), true));
    for (long i = 0; i < 4; i++)
        assert_elem(lp, i, s, cases[i].len);
    lp_free(lp);
    mem_free(s);
}
END_TEST

/* redis-server 7.0.15: HSET h a 1 b hello. */
static const char REDIS_SMALL_HASH[] = "16000000040081610201018162028568656c6c6f06ff";

/* redis-server 7.0.15: HSET v f0 127 f1 128 ... f20 "" (values below, in order). */
static const char *const REDIS_VALUES[] = {
    "127",
    "128",
    "-1",
    "4095",
    "4096",
    "32767",
    "8388607",
    "2147483647",
    "-9223372036854775808",
    "-0",
    "007",
    "-4096",
    "-4097",
    "-32768",
    "-32769",
    "-8388608",
    "-8388609",
    "-2147483648",
    "-2147483649",
    "9223372036854775807",
    "",
};
static const char REDIS_VALUES_HASH[] =
    "ce0000002a00826630037f0182663103c0800282663203dfff0282663303cfff0282663403f10010038266"
    "3503f1ff7f0382663603f2ffff7f0482663703f3ffffff7f0582663803f4000000000000008009826639"
    "03822d3003836631300483303037048366313104d000028366313204f1ffef038366313304f100800383"
    "66313404f2ff7fff048366313504f2000080048366313604f3ffff7fff058366313704f3000000800583"
    "66313804f4ffffff7fffffffff098366313904f4ffffffffffffff7f0983663230048001ff";

START_TEST(test_matches_redis_small_hash) {
    unsigned char *lp = lp_new(0);
    lp = append_str(lp, "a");
    lp = append_str(lp, "1");
    lp = append_str(lp, "b");
    lp = append_str(lp, "hello");
    assert_image_hex(lp, REDIS_SMALL_HASH);
    lp_free(lp);
}
END_TEST

START_TEST(test_matches_redis_value_encodings) {
    unsigned char *lp = lp_new(0);
    for (size_t i = 0; i < VG_ARRAY_LEN(REDIS_VALUES); i++) {
        char f[16];
        snprintf(f, sizeof(f), "f%zu", i);
        lp = append_str(lp, f);
        lp = append_str(lp, REDIS_VALUES[i]);
    }
    assert_image_hex(lp, REDIS_VALUES_HASH);
    for (size_t i = 0; i < VG_ARRAY_LEN(REDIS_VALUES); i++)
        assert_elem(lp, (long)(2 * i + 1), REDIS_VALUES[i], strlen(REDIS_VALUES[i]));
    lp_free(lp);
}
END_TEST

/* redis-server 7.0.15: HSET sN x <N times 'a'>; the boundaries of the string length and
 * backlen encodings (16378: entry length 16383, which Redis gives a 3-byte backlen). */
START_TEST(test_matches_redis_long_strings) {
    static const struct {
        size_t len, total;
        const char *head, *tail; /* first 12 bytes, last 6 bytes */
    } cases[] = {
        {63, 75, "4b0000000200817802bf6161", "6161616140ff"},
        {64, 77, "4d0000000200817802e04061", "6161616142ff"},
        {4095, 4109, "0d1000000200817802efff61", "6161612081ff"},
        {4096, 4113, "111000000200817802f00010", "6161612085ff"},
        {16378, 16396, "0c4000000200817802f0fa3f", "616100ffffff"},
        {16379, 16397, "0d4000000200817802f0fb3f", "6161018080ff"},
    };
    char *s = mem_alloc(16379);
    memset(s, 'a', 16379);
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        unsigned char *lp = append_str(lp_new(0), "x");
        lp = lp_append(lp, s, cases[i].len);
        unsigned char head[12], tail[6];
        hex_decode(cases[i].head, head);
        hex_decode(cases[i].tail, tail);
        ck_assert_uint_eq(lp_bytes(lp), cases[i].total);
        ck_assert_mem_eq(lp, head, 12);
        ck_assert_mem_eq(lp + cases[i].total - 6, tail, 6);
        ck_assert(lp_validate(lp, cases[i].total, true));
        ck_assert_ptr_eq(lp_prev(lp, lp_last(lp)), lp_first(lp));
        lp_free(lp);
    }
    mem_free(s);
}
END_TEST

/* ---- navigation, values, search ----------------------------------------------------- */

START_TEST(test_seek_negative_and_navigation) {
    unsigned char *lp = lp_new(0);
    for (int i = 0; i < 10; i++)
        lp = lp_append_int(lp, i * 1000);
    for (long i = 0; i < 10; i++) {
        long long v;
        ck_assert(lp_get_int(lp_seek(lp, i), &v));
        ck_assert_int_eq(v, i * 1000);
        ck_assert_ptr_eq(lp_seek(lp, i - 10), lp_seek(lp, i));
    }
    ck_assert_ptr_eq(lp_seek(lp, -1), lp_last(lp));
    ck_assert_ptr_eq(lp_seek(lp, -10), lp_first(lp));
    ck_assert_ptr_null(lp_seek(lp, -11));
    ck_assert_ptr_null(lp_seek(lp, 10));
    ck_assert_ptr_null(lp_prev(lp, lp_first(lp)));
    ck_assert_ptr_null(lp_next(lp, lp_last(lp)));
    ck_assert_ptr_eq(lp_prev(lp, lp + lp_bytes(lp) - 1), lp_last(lp));
    lp_free(lp);
}
END_TEST

START_TEST(test_get_and_eq) {
    unsigned char *lp = lp_new(0);
    lp = lp_append_int(lp, 10);
    lp = append_str(lp, "010");
    lp = lp_append_int(lp, LLONG_MIN);
    lp = append_str(lp, "");
    unsigned char *p = lp_first(lp);
    uint32_t slen;
    long long v;
    ck_assert_ptr_null(lp_get(p, &slen, &v));
    ck_assert_int_eq(v, 10);
    ck_assert(lp_eq(p, "10", 2));
    ck_assert(!lp_eq(p, "010", 3));
    ck_assert(!lp_eq(p, "+10", 3));
    ck_assert(!lp_eq(p, "10 ", 3));
    ck_assert(!lp_eq(p, "", 0));
    p = lp_next(lp, p);
    ck_assert(lp_eq(p, "010", 3));
    ck_assert(!lp_eq(p, "10", 2));
    ck_assert(!lp_get_int(p, &v));
    p = lp_next(lp, p);
    char buf[LP_INTBUF_SIZE];
    size_t n;
    const char *s = lp_get_str(p, &n, buf);
    ck_assert_uint_eq(n, 20);
    ck_assert_str_eq(s, "-9223372036854775808");
    ck_assert(lp_eq(p, "-9223372036854775808", 20));
    p = lp_next(lp, p);
    ck_assert_ptr_nonnull(lp_get(p, &slen, &v));
    ck_assert_uint_eq(slen, 0);
    ck_assert(lp_eq(p, "", 0));
    lp_free(lp);
}
END_TEST

START_TEST(test_find_skip_and_int_matching) {
    /* fields k1, 10, 010, "" with values 10, v2, v3, x */
    static const char *const items[] = {"k1", "10", "10", "v2", "010", "v3", "", "x"};
    unsigned char *lp = lp_new(0);
    for (size_t i = 0; i < VG_ARRAY_LEN(items); i++)
        lp = append_str(lp, items[i]);
    unsigned char *first = lp_first(lp);
    ck_assert_ptr_eq(lp_find(lp, first, "10", 2, 0), lp_seek(lp, 1));
    ck_assert_ptr_eq(lp_find(lp, first, "10", 2, 1), lp_seek(lp, 2));
    ck_assert_ptr_eq(lp_find(lp, first, "010", 3, 0), lp_seek(lp, 4));
    ck_assert_ptr_eq(lp_find(lp, first, "010", 3, 1), lp_seek(lp, 4));
    ck_assert_ptr_null(lp_find(lp, first, "v2", 2, 1));
    ck_assert_ptr_eq(lp_find(lp, first, "v2", 2, 0), lp_seek(lp, 3));
    ck_assert_ptr_eq(lp_find(lp, lp_seek(lp, 1), "v2", 2, 1), lp_seek(lp, 3));
    ck_assert_ptr_eq(lp_find(lp, first, "", 0, 1), lp_seek(lp, 6));
    ck_assert_ptr_null(lp_find(lp, first, "+10", 3, 0));
    ck_assert_ptr_null(lp_find(lp, first, "x1", 2, 0));
    ck_assert_ptr_eq(lp_find(lp, lp_seek(lp, 2), "10", 2, 0), lp_seek(lp, 2));
    ck_assert_ptr_null(lp_find(lp, NULL, "10", 2, 0));
    lp_free(lp);
}
END_TEST

START_TEST(test_insert_positions_and_replace) {
    unsigned char *lp = lp_new(0);
    lp = append_str(lp, "b");
    unsigned char *p = lp_first(lp), *np;
    lp = lp_insert(lp, "a", 1, p, LP_BEFORE, &np);
    ck_assert(lp_eq(np, "a", 1));
    lp = lp_insert(lp, "c", 1, lp_last(lp), LP_AFTER, &np);
    ck_assert(lp_eq(np, "c", 1));
    lp = lp_prepend(lp, "0", 1);
    p = lp_seek(lp, 2);
    lp = lp_replace(lp, &p, "a much longer replacement value", 31);
    ck_assert(lp_eq(p, "a much longer replacement value", 31));
    lp = lp_replace_int(lp, &p, -70000);
    ck_assert(lp_eq(p, "-70000", 6));
    /* Inserting bytes that live inside the listpack itself. */
    uint32_t slen;
    long long v;
    p = lp_seek(lp, 3);
    const unsigned char *src = lp_get(p, &slen, &v);
    lp = lp_insert(lp, (const char *)src, slen, p, LP_AFTER, &np);
    ck_assert(lp_eq(np, "c", 1));
    static const char *const want[] = {"0", "a", "-70000", "c", "c"};
    ck_assert_uint_eq(lp_length(lp), 5);
    for (long i = 0; i < 5; i++)
        assert_elem(lp, i, want[i], strlen(want[i]));
    ck_assert(lp_validate(lp, lp_bytes(lp), true));
    lp_free(lp);
}
END_TEST

START_TEST(test_delete_next_and_ranges) {
    unsigned char *lp = lp_new(0);
    for (int i = 0; i < 10; i++)
        lp = lp_append_int(lp, i);
    unsigned char *next;
    lp = lp_delete(lp, lp_seek(lp, 0), &next);
    ck_assert(lp_eq(next, "1", 1));
    lp = lp_delete(lp, lp_last(lp), &next);
    ck_assert_ptr_null(next);
    lp = lp_delete_range(lp, -3, 2); /* 1..8 -> drop 6,7 */
    lp = lp_delete_range(lp, 100, 2);
    lp = lp_delete_range(lp, 0, 0);
    unsigned char *p = lp_seek(lp, 1);
    lp = lp_delete_range_p(lp, &p, 2); /* drop 2,3 */
    ck_assert(lp_eq(p, "4", 1));
    static const char *const want[] = {"1", "4", "5", "8"};
    ck_assert_uint_eq(lp_length(lp), 4);
    for (long i = 0; i < 4; i++)
        assert_elem(lp, i, want[i], 1);
    p = lp_seek(lp, 2);
    lp = lp_delete_range_p(lp, &p, 1000);
    ck_assert_ptr_null(p);
    ck_assert_uint_eq(lp_length(lp), 2);
    lp = lp_delete_range(lp, 0, 2);
    assert_image_hex(lp, "070000000000ff");
    lp_free(lp);
}
END_TEST

START_TEST(test_unknown_count_is_walked_and_cached) {
    const unsigned long n = 70000;
    unsigned char *lp = lp_new(2 * n + 7); /* 7-bit ints: 2 bytes each */
    for (unsigned long i = 0; i < n; i++)
        lp = lp_append_int(lp, (long long)(i % 100));
    ck_assert_mem_eq(lp + 4, "\xff\xff", 2);
    ck_assert_uint_eq(lp_length(lp), n);
    ck_assert_mem_eq(lp + 4, "\xff\xff", 2);
    ck_assert(lp_validate(lp, lp_bytes(lp), true));
    ck_assert_ptr_eq(lp_seek(lp, -1), lp_last(lp));
    ck_assert(lp_eq(lp_seek(lp, 69999), "99", 2));
    lp = lp_delete_range(lp, 1000, n);
    ck_assert_mem_eq(lp + 4, "\xff\xff", 2); /* deletes keep "unknown" */
    ck_assert_uint_eq(lp_length(lp), 1000);
    ck_assert_mem_eq(lp + 4, "\xe8\x03", 2); /* cached again */
    lp = lp_append_int(lp, 1);
    ck_assert_uint_eq(lp_length(lp), 1001);
    lp_free(lp);
}
END_TEST

START_TEST(test_safe_to_add_and_shrink) {
    unsigned char *lp = lp_new(4096);
    ck_assert(lp_safe_to_add(lp, 100));
    ck_assert(lp_safe_to_add(NULL, LP_MAX_SAFE_BYTES));
    ck_assert(!lp_safe_to_add(NULL, LP_MAX_SAFE_BYTES + 1));
    ck_assert(!lp_safe_to_add(lp, LP_MAX_SAFE_BYTES - 6));
    ck_assert(lp_safe_to_add(lp, LP_MAX_SAFE_BYTES - 7));
    lp = append_str(lp, "abc");
    ck_assert_uint_ge(mem_usable_size(lp), 4096);
    lp = lp_shrink_to_fit(lp);
    ck_assert_uint_lt(mem_usable_size(lp), 4096);
    ck_assert_uint_eq(lp_bytes(lp), 12);
    ck_assert(lp_eq(lp_first(lp), "abc", 3));
    lp_free(lp);
}
END_TEST

static uint64_t rnd_seq_state;
static uint64_t rnd_seq(void) {
    return rnd_seq_state++;
}

START_TEST(test_random_entry_and_pair) {
    unsigned char *lp = lp_new(0);
    long idx;
    ck_assert_ptr_null(lp_random_entry(lp, rnd_seq, &idx));
    ck_assert_ptr_null(lp_random_pair(lp, rnd_seq, NULL, &idx));
    static const char *const items[] = {"f0", "v0", "f1", "v1", "f2", "v2"};
    for (size_t i = 0; i < VG_ARRAY_LEN(items); i++)
        lp = append_str(lp, items[i]);
    rnd_seq_state = 0;
    for (long i = 0; i < 12; i++) {
        unsigned char *p = lp_random_entry(lp, rnd_seq, &idx);
        ck_assert_int_eq(idx, i % 6);
        ck_assert_ptr_eq(p, lp_seek(lp, idx));
    }
    rnd_seq_state = 0;
    for (long i = 0; i < 6; i++) {
        unsigned char *val;
        unsigned char *key = lp_random_pair(lp, rnd_seq, &val, &idx);
        ck_assert_int_eq(idx, i % 3);
        ck_assert_ptr_eq(key, lp_seek(lp, 2 * idx));
        ck_assert_ptr_eq(val, lp_seek(lp, 2 * idx + 1));
    }
    lp_free(lp);
}
END_TEST

/* ---- validation of corrupt images --------------------------------------------------- */

/* Validate an exact-size heap copy, so ASan sees any read past size. */
static bool validate_copy(const unsigned char *img, size_t size, bool deep) {
    unsigned char *c = mem_alloc(size ? size : 1);
    memcpy(c, img, size);
    bool ok = lp_validate(c, size, deep);
    mem_free(c);
    return ok;
}

static unsigned char *sample_listpack(void) {
    unsigned char *lp = lp_new(0);
    lp = append_str(lp, "hello");
    lp = lp_append_int(lp, 1234567);
    char big[300];
    memset(big, 'z', sizeof(big));
    lp = lp_append(lp, big, sizeof(big));
    lp = lp_append_int(lp, -5);
    return lp;
}

START_TEST(test_validate_rejects_corruption) {
    unsigned char *lp = sample_listpack();
    size_t n = lp_bytes(lp);
    unsigned char img[512];
    ck_assert_uint_le(n, sizeof(img));
    ck_assert(validate_copy(lp, n, true));
    ck_assert(validate_copy(lp, n, false));
    /* truncated: header disagrees */
    for (size_t k = 0; k < n; k++)
        ck_assert(!validate_copy(lp, k, false));
    /* truncated with a consistent header and terminator: entries overrun */
    for (size_t k = 7; k < n - 1; k++) {
        memcpy(img, lp, k);
        img[0] = (unsigned char)k;
        img[1] = (unsigned char)(k >> 8);
        img[k - 1] = 0xff;
        ck_assert(!validate_copy(img, k, true));
    }
    /* bad backlen of "hello" (at offset 6 + 6) */
    memcpy(img, lp, n);
    img[12] ^= 1;
    ck_assert(!validate_copy(img, n, true));
    ck_assert(validate_copy(img, n, false));
    /* wrong count */
    memcpy(img, lp, n);
    img[4] = 5;
    ck_assert(!validate_copy(img, n, true));
    img[4] = 0xff;
    img[5] = 0xff;
    ck_assert(validate_copy(img, n, true)); /* "unknown" is fine */
    /* missing terminator */
    memcpy(img, lp, n);
    img[n - 1] = 0x00;
    ck_assert(!validate_copy(img, n, false));
    /* terminator in the middle */
    memcpy(img, lp, n);
    img[6] = 0xff;
    ck_assert(!validate_copy(img, n, true));
    /* invalid encoding byte */
    memcpy(img, lp, n);
    img[6] = 0xf5;
    ck_assert(!validate_copy(img, n, true));
    lp_free(lp);
}
END_TEST

START_TEST(test_validate_huge_string_length) {
    /* 32-bit string header claiming 0xfffffff0 bytes, and one cut in its length field. */
    static const unsigned char huge[] = {0x0e, 0,    0,    0,    1,    0,    0xf0,
                                         0xf0, 0xff, 0xff, 0xff, 0x05, 0x00, 0xff};
    ck_assert(!validate_copy(huge, sizeof(huge), true));
    static const unsigned char cut[] = {0x0a, 0, 0, 0, 1, 0, 0xf0, 0x01, 0x00, 0xff};
    ck_assert(!validate_copy(cut, sizeof(cut), true));
    static const unsigned char cut12[] = {0x08, 0, 0, 0, 1, 0, 0xe1, 0xff};
    ck_assert(!validate_copy(cut12, sizeof(cut12), true));
    static const unsigned char tiny[] = {0x06, 0, 0, 0, 0, 0};
    ck_assert(!validate_copy(tiny, sizeof(tiny), true));
}
END_TEST

/* Random byte flips: never crash; whatever validates can be walked both ways. */
START_TEST(test_validate_random_mutations) {
    unsigned char *lp = sample_listpack();
    size_t n = lp_bytes(lp);
    util_rand_seed(7);
    for (int iter = 0; iter < 20000; iter++) {
        unsigned char *c = mem_alloc(n);
        memcpy(c, lp, n);
        int flips = 1 + (int)(util_rand64() % 3);
        for (int f = 0; f < flips; f++)
            c[6 + util_rand64() % (n - 7)] = (unsigned char)util_rand64();
        if (lp_validate(c, n, true)) {
            unsigned long cnt = 0;
            for (unsigned char *p = lp_first(c); p; p = lp_next(c, p))
                cnt++;
            ck_assert_uint_eq(cnt, lp_length(c));
            for (unsigned char *p = lp_last(c); p; p = lp_prev(c, p))
                cnt--;
            ck_assert_uint_eq(cnt, 0);
        }
        mem_free(c);
    }
    lp_free(lp);
}
END_TEST

/* ---- randomized model test ---------------------------------------------------------- */

typedef struct Elem {
    char *b;
    size_t len;
} Elem;

typedef struct Model {
    Elem *v;
    size_t n, cap;
} Model;

static char *big_buf; /* random bytes values are sliced from */
#define BIG_BUF_LEN 6000

static Elem random_value(bool *is_int, long long *iv) {
    Elem e;
    uint64_t r = util_rand64();
    *is_int = false;
    switch (r % 10) {
    case 0:
    case 1:
    case 2: { /* integers of every width, boundaries included */
        static const long long edges[] = {
            0,      127,   128,     -1,       4095,      4096,      -4096,     -4097,    32767,
            -32768, 32768, 8388607, -8388609, INT32_MAX, INT32_MIN, LLONG_MAX, LLONG_MIN};
        uint64_t k = util_rand64();
        if (k % 3 == 0)
            *iv = edges[k / 3 % VG_ARRAY_LEN(edges)];
        else {
            uint64_t u = util_rand64() >> (util_rand64() % 64);
            if (k & 8) u = 0 - u;
            memcpy(iv, &u, sizeof(*iv));
        }
        *is_int = true;
        e.b = mem_alloc(LP_INTBUF_SIZE);
        e.len = (size_t)util_ll_to_str(e.b, *iv);
        return e;
    }
    case 3: { /* integer-looking strings, canonical or not */
        static const char *const s[] = {"-0",
                                        "007",
                                        "+5",
                                        " 1",
                                        "10",
                                        "-10",
                                        "1e3",
                                        "9223372036854775808",
                                        "-9223372036854775809",
                                        "0"};
        const char *p = s[util_rand64() % VG_ARRAY_LEN(s)];
        e.len = strlen(p);
        e.b = mem_alloc(e.len + 1);
        memcpy(e.b, p, e.len);
        return e;
    }
    case 4: e.len = 0; break;
    case 5: e.len = 64 + util_rand64() % 4100; break;
    case 6: e.len = util_rand64() % 100 == 0 ? 4096 + util_rand64() % 1800 : 1 + r % 63; break;
    default: e.len = 1 + util_rand64() % 70; break;
    }
    e.b = mem_alloc(e.len + 1);
    if (e.len) memcpy(e.b, big_buf + util_rand64() % (BIG_BUF_LEN - e.len), e.len);
    return e;
}

static void model_insert(Model *m, size_t at, Elem e) {
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->v = mem_realloc(m->v, m->cap * sizeof(Elem));
    }
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof(Elem));
    m->v[at] = e;
    m->n++;
}

static void model_delete(Model *m, size_t at, size_t num) {
    for (size_t i = at; i < at + num; i++)
        mem_free(m->v[i].b);
    memmove(m->v + at, m->v + at + num, (m->n - at - num) * sizeof(Elem));
    m->n -= num;
}

static void model_compare(unsigned char *lp, const Model *m) {
    ck_assert_uint_eq(lp_length(lp), m->n);
    char buf[LP_INTBUF_SIZE];
    size_t i = 0, len;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p), i++) {
        const char *s = lp_get_str(p, &len, buf);
        ck_assert_uint_eq(len, m->v[i].len);
        if (len) ck_assert_mem_eq(s, m->v[i].b, len);
    }
    ck_assert_uint_eq(i, m->n);
    for (unsigned char *p = lp_last(lp); p; p = lp_prev(lp, p)) {
        ck_assert_uint_gt(i, 0);
        i--;
        ck_assert(lp_eq(p, m->v[i].b, m->v[i].len));
    }
    ck_assert_uint_eq(i, 0);
}

/* Insert/replace value e relative to element at; checks *newp points at it. */
static unsigned char *do_insert(unsigned char *lp, Model *m, size_t at, int where) {
    bool is_int;
    long long iv;
    Elem e = random_value(&is_int, &iv);
    unsigned char *p = at < m->n ? lp_seek(lp, (long)at) : lp + lp_bytes(lp) - 1;
    unsigned char *np;
    if (is_int && (util_rand64() & 1))
        lp = lp_insert_int(lp, iv, p, where, &np);
    else
        lp = lp_insert(lp, e.b, e.len, p, where, &np);
    ck_assert(lp_eq(np, e.b, e.len));
    if (where == LP_REPLACE) {
        model_delete(m, at, 1);
        model_insert(m, at, e);
    } else {
        model_insert(m, where == LP_AFTER && at < m->n ? at + 1 : at, e);
    }
    return lp;
}

static unsigned char *do_delete(unsigned char *lp, Model *m, unsigned op) {
    size_t at = util_rand64() % m->n;
    if (op == 0) {
        unsigned char *next;
        lp = lp_delete(lp, lp_seek(lp, (long)at), &next);
        model_delete(m, at, 1);
        if (at < m->n)
            ck_assert(lp_eq(next, m->v[at].b, m->v[at].len));
        else
            ck_assert_ptr_null(next);
        return lp;
    }
    size_t num = util_rand64() % 4;
    size_t real = VG_MIN(num, m->n - at);
    if (op == 1) {
        long idx = (util_rand64() & 1) ? (long)at : (long)at - (long)m->n;
        lp = lp_delete_range(lp, idx, num);
    } else {
        unsigned char *p = lp_seek(lp, (long)at);
        lp = lp_delete_range_p(lp, &p, num);
        if (num == 0 || at + real < m->n)
            ck_assert(lp_eq(p, m->v[at + real].b, m->v[at + real].len));
        else
            ck_assert_ptr_null(p);
    }
    model_delete(m, at, real);
    return lp;
}

/* Inserts slightly outnumber deletions, so the listpack grows to ~250 elements and then
 * hovers there (deletions take over above that). */
static unsigned char *random_op(unsigned char *lp, Model *m) {
    unsigned op = (unsigned)(util_rand64() % 14);
    if (m->n > 250 && op < 9) op = 9 + op % 5;
    if (m->n == 0 && op >= 9) op = 0;
    switch (op) {
    case 0: return do_insert(lp, m, m->n, LP_BEFORE); /* append */
    case 1: return do_insert(lp, m, 0, LP_BEFORE);    /* prepend (or append when empty) */
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 8: {
        size_t at = util_rand64() % (m->n + 1);
        int where = at == m->n ? LP_BEFORE : (int)(util_rand64() % 3);
        return do_insert(lp, m, at, where);
    }
    case 9:
    case 10: return do_delete(lp, m, 0);
    case 11: return do_delete(lp, m, 1);
    case 12: return do_delete(lp, m, 2);
    default: return do_insert(lp, m, util_rand64() % m->n, LP_REPLACE);
    }
}

START_TEST(test_random_ops_match_model) {
    util_rand_seed(12345);
    big_buf = mem_alloc(BIG_BUF_LEN);
    util_random_bytes(big_buf, BIG_BUF_LEN);
    Model m = {0};
    unsigned char *lp = lp_new(0);
    for (int i = 0; i < 20000; i++) {
        lp = random_op(lp, &m);
        ck_assert(lp_validate(lp, lp_bytes(lp), true));
        if (i % 50 == 49) model_compare(lp, &m);
    }
    model_compare(lp, &m);
    lp_free(lp);
    model_delete(&m, 0, m.n);
    mem_free(m.v);
    mem_free(big_buf);
}
END_TEST

static Suite *listpack_suite(void) {
    Suite *s = suite_create("listpack");
    TCase *images = tcase_create("images");
    tcase_add_test(images, test_empty_image);
    tcase_add_test(images, test_hello_image);
    tcase_add_test(images, test_integer_and_short_string_images);
    tcase_add_test(images, test_long_string_images);
    tcase_add_test(images, test_matches_redis_small_hash);
    tcase_add_test(images, test_matches_redis_value_encodings);
    tcase_add_test(images, test_matches_redis_long_strings);
    suite_add_tcase(s, images);
    TCase *ops = tcase_create("operations");
    tcase_add_test(ops, test_seek_negative_and_navigation);
    tcase_add_test(ops, test_get_and_eq);
    tcase_add_test(ops, test_find_skip_and_int_matching);
    tcase_add_test(ops, test_insert_positions_and_replace);
    tcase_add_test(ops, test_delete_next_and_ranges);
    tcase_add_test(ops, test_unknown_count_is_walked_and_cached);
    tcase_add_test(ops, test_safe_to_add_and_shrink);
    tcase_add_test(ops, test_random_entry_and_pair);
    suite_add_tcase(s, ops);
    TCase *validate = tcase_create("validate");
    tcase_add_test(validate, test_validate_rejects_corruption);
    tcase_add_test(validate, test_validate_huge_string_length);
    tcase_add_test(validate, test_validate_random_mutations);
    suite_add_tcase(s, validate);
    TCase *model = tcase_create("model");
    tcase_set_timeout(model, 60);
    tcase_add_test(model, test_random_ops_match_model);
    suite_add_tcase(s, model);
    return s;
}

int main(void) {
    return check_run_suite(listpack_suite());
}
