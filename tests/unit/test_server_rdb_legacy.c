/* test_server_rdb_legacy.c - legacy RDB blobs (ziplist, zipmap) become lists, hashes and
 * sorted sets with the encodings Redis 7.0 gives them after a load; duplicates, odd pair
 * counts and garbled blobs are refused; empty ziplists mean "skip the key". */
#include "check_main.h"
#include "common/mem.h"
#include "server/object.h"
#include "server/quicklist.h"
#include "server/rdb_legacy.h"
#include "server/server.h"
#include "server/t_hash.h"
#include "server/t_zset.h"

#include <check.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void setup(void) {
    cfg.list_max_listpack_size = -2;
    cfg.hash_max_listpack_entries = 128;
    cfg.hash_max_listpack_value = 64;
    cfg.zset_max_listpack_entries = 128;
    cfg.zset_max_listpack_value = 64;
}

/* ---- a minimal ziplist / zipmap encoder (canonical forms; test_ziplist.c covers all) ---- */

typedef struct Blob {
    uint8_t b[65536];
    size_t n, last, prev_raw;
    unsigned count;
} Blob;

static void put(Blob *z, const void *p, size_t n) {
    ck_assert_uint_le(z->n + n, sizeof(z->b));
    memcpy(z->b + z->n, p, n);
    z->n += n;
}

static void put_u8(Blob *z, unsigned v) {
    uint8_t c = (uint8_t)v;
    put(z, &c, 1);
}

static void wr_le(uint8_t *p, uint64_t v, int n) {
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static Blob *zl_new(void) {
    Blob *z = mem_calloc(sizeof(Blob));
    z->n = 10;
    z->last = 10;
    return z;
}

static void zl_entry_start(Blob *z) {
    z->last = z->n;
    if (z->prev_raw < 254) {
        put_u8(z, (unsigned)z->prev_raw);
    } else {
        uint8_t p[5] = {0xFE};
        wr_le(p + 1, z->prev_raw, 4);
        put(z, p, 5);
    }
}

static void zl_str(Blob *z, const char *s) {
    size_t start = z->n, len = strlen(s);
    zl_entry_start(z);
    if (len <= 63) {
        put_u8(z, (unsigned)len);
    } else {
        put_u8(z, 0x40 | (unsigned)(len >> 8));
        put_u8(z, len & 0xFF);
    }
    put(z, s, len);
    z->prev_raw = z->n - start;
    z->count++;
}

static void zl_int(Blob *z, long long v) {
    size_t start = z->n;
    zl_entry_start(z);
    if (v >= 0 && v <= 12) {
        put_u8(z, 0xF1 + (unsigned)v);
    } else {
        uint8_t p[9] = {0xE0};
        wr_le(p + 1, (uint64_t)v, 8);
        put(z, p, 9);
    }
    z->prev_raw = z->n - start;
    z->count++;
}

static void zl_end(Blob *z) {
    put_u8(z, 0xFF);
    wr_le(z->b, z->n, 4);
    wr_le(z->b + 4, z->last, 4);
    wr_le(z->b + 8, z->count, 2);
}

static Kv *load(int type, Blob *z, char *err) {
    return rdb_legacy_blob_to_kv(type, "k", 1, z->b, z->n, err, 128);
}

static void assert_hash_field(Kv *kv, const char *f, const char *v) {
    char nb[HASH_NUMBUF];
    size_t vlen;
    const char *got = hash_get(kv, f, strlen(f), &vlen, nb);
    ck_assert_msg(got != NULL, "field %s missing", f);
    ck_assert_uint_eq(vlen, strlen(v));
    ck_assert_mem_eq(got, v, vlen);
}

/* ---- lists ------------------------------------------------------------------------------ */

START_TEST(test_list_ziplist) {
    Blob *z = zl_new();
    zl_str(z, "a");
    zl_int(z, 7);
    zl_int(z, -123456789012LL);
    char big[301];
    memset(big, 'b', 300);
    big[300] = '\0';
    zl_str(z, big);
    zl_str(z, "");
    zl_end(z);
    char err[128];
    Kv *kv = load(10, z, err);
    ck_assert_ptr_nonnull(kv);
    ck_assert_int_eq(kv->type, OBJ_LIST);
    ck_assert_int_eq(kv->encoding, ENC_QUICKLIST);
    Quicklist *ql = kv->v.ptr;
    ck_assert_uint_eq(ql->count, 5);
    const char *want[] = {"a", "7", "-123456789012", big, ""};
    QlIter it;
    ql_iter_at(ql, 0, true, &it);
    for (int i = 0; i < 5; i++) {
        ck_assert(ql_iter_valid(&it));
        ck_assert(ql_iter_eq(&it, want[i], strlen(want[i])));
        ql_iter_next(&it);
    }
    kv_free(kv);

    /* Type 14: nodes appended in order; an empty node adds nothing. */
    Blob *z2 = zl_new();
    zl_int(z2, 1000);
    zl_end(z2);
    Blob *empty = zl_new();
    zl_end(empty);
    kv = kv_new_ptr("q", 1, OBJ_LIST, ENC_QUICKLIST, ql_new(-2));
    ck_assert_int_eq(rdb_legacy_list_append_ziplist(kv, z->b, z->n, err, sizeof(err)), 0);
    ck_assert_int_eq(rdb_legacy_list_append_ziplist(kv, empty->b, empty->n, err, sizeof(err)), 0);
    ck_assert_int_eq(rdb_legacy_list_append_ziplist(kv, z2->b, z2->n, err, sizeof(err)), 0);
    ck_assert_uint_eq(((Quicklist *)kv->v.ptr)->count, 6);
    ql_iter_at(kv->v.ptr, -1, true, &it);
    ck_assert(ql_iter_eq(&it, "1000", 4));
    z2->b[z2->n - 1] = 0; /* no end byte */
    ck_assert_int_eq(rdb_legacy_list_append_ziplist(kv, z2->b, z2->n, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "ziplist integrity check failed");
    kv_free(kv);

    /* An empty ziplist: skip the key (NULL, empty err). */
    strcpy(err, "x");
    ck_assert_ptr_null(load(10, empty, err));
    ck_assert_str_eq(err, "");
    mem_free(z);
    mem_free(z2);
    mem_free(empty);
}
END_TEST

/* ---- hashes ----------------------------------------------------------------------------- */

START_TEST(test_hash_ziplist_count_converts) {
    /* A 100-byte value keeps the listpack (Redis 7.0 checks only the count after
     * converting the ziplist); 129 fields make a hashtable. */
    Blob *z = zl_new();
    char f[32], v[128];
    for (int i = 0; i < 200; i++) {
        if (i == 128) {
            Blob *at128 = mem_alloc(sizeof(Blob));
            *at128 = *z;
            zl_end(at128);
            char err[128];
            Kv *kv = load(13, at128, err);
            ck_assert_ptr_nonnull(kv);
            ck_assert_int_eq(kv->encoding, ENC_LISTPACK);
            ck_assert_uint_eq(hash_length(kv), 128);
            kv_free(kv);
            mem_free(at128);
        }
        snprintf(f, sizeof(f), "f%d", i);
        zl_str(z, f);
        if (i == 5) {
            memset(v, 'v', 100);
            v[100] = '\0';
            zl_str(z, v);
        } else {
            zl_int(z, i);
        }
    }
    zl_end(z);
    char err[128];
    Kv *kv = load(13, z, err);
    ck_assert_ptr_nonnull(kv);
    ck_assert_int_eq(kv->type, OBJ_HASH);
    ck_assert_int_eq(kv->encoding, ENC_HASHTABLE);
    ck_assert_uint_eq(hash_length(kv), 200);
    assert_hash_field(kv, "f0", "0");
    assert_hash_field(kv, "f199", "199");
    assert_hash_field(kv, "f5", v);
    kv_free(kv);
    mem_free(z);
}
END_TEST

START_TEST(test_hash_ziplist_refusals) {
    char err[128];
    Blob *z = zl_new();
    zl_str(z, "a");
    zl_str(z, "1");
    zl_int(z, 5);
    zl_str(z, "2");
    zl_str(z, "5"); /* the same field as the integer 5 */
    zl_str(z, "3");
    zl_end(z);
    ck_assert_ptr_null(load(13, z, err));
    ck_assert_str_eq(err, "duplicate field in hash ziplist");
    mem_free(z);

    z = zl_new();
    zl_str(z, "a");
    zl_end(z);
    ck_assert_ptr_null(load(13, z, err));
    ck_assert_str_eq(err, "hash ziplist with an odd number of entries (1)");
    mem_free(z);

    z = zl_new();
    zl_end(z);
    strcpy(err, "x");
    ck_assert_ptr_null(load(13, z, err));
    ck_assert_str_eq(err, "");
    ck_assert_ptr_null(load(12, z, err));
    ck_assert_str_eq(err, "");
    mem_free(z);
}
END_TEST

START_TEST(test_zipmap) {
    /* <zmlen> <len>f <len><free>v ... 0xFF */
    uint8_t small[] = {2, 1, 'a', 2, 0, 'x', 'y', 1, 'b', 0, 3, 0, 0, 0, 0xFF};
    char err[128];
    Kv *kv = rdb_legacy_blob_to_kv(9, "k", 1, small, sizeof(small), err, sizeof(err));
    ck_assert_ptr_nonnull(kv);
    ck_assert_int_eq(kv->encoding, ENC_LISTPACK);
    ck_assert_uint_eq(hash_length(kv), 2);
    assert_hash_field(kv, "a", "xy");
    assert_hash_field(kv, "b", "");
    kv_free(kv);

    uint8_t big[80];
    memset(big, 'z', sizeof(big));
    big[0] = 1;
    big[1] = 1;
    big[2] = 'f';
    big[3] = 70; /* value length */
    big[4] = 0;  /* free */
    big[75] = 0xFF;
    kv = rdb_legacy_blob_to_kv(9, "k", 1, big, 76, err, sizeof(err));
    ck_assert_ptr_nonnull(kv);
    ck_assert_int_eq(kv->encoding, ENC_HASHTABLE); /* 70 > hash-max-listpack-value */
    ck_assert_uint_eq(hash_length(kv), 1);
    kv_free(kv);

    uint8_t dup[] = {2, 1, 'a', 1, 0, 'x', 1, 'a', 1, 0, 'y', 0xFF};
    ck_assert_ptr_null(rdb_legacy_blob_to_kv(9, "k", 1, dup, sizeof(dup), err, sizeof(err)));
    ck_assert_str_eq(err, "duplicate field in hash zipmap");
    uint8_t empty[] = {0, 0xFF};
    ck_assert_ptr_null(rdb_legacy_blob_to_kv(9, "k", 1, empty, sizeof(empty), err, sizeof(err)));
    ck_assert_str_eq(err, "empty zipmap");
    small[0] = 3;
    ck_assert_ptr_null(rdb_legacy_blob_to_kv(9, "k", 1, small, sizeof(small), err, sizeof(err)));
    ck_assert_str_eq(err, "zipmap integrity check failed");
}
END_TEST

/* ---- sorted sets ------------------------------------------------------------------------ */

START_TEST(test_zset_ziplist) {
    Blob *z = zl_new();
    /* Deliberately out of order: the loader sorts by score then member. */
    zl_str(z, "top");
    zl_str(z, "inf");
    zl_str(z, "b");
    zl_str(z, "1.5");
    zl_int(z, 42);
    zl_int(z, -3);
    zl_str(z, "a");
    zl_str(z, "1.5");
    zl_str(z, "e");
    zl_str(z, "1e3");
    zl_end(z);
    char err[128];
    Kv *kv = load(12, z, err);
    ck_assert_ptr_nonnull(kv);
    ck_assert_int_eq(kv->type, OBJ_ZSET);
    ck_assert_int_eq(kv->encoding, ENC_LISTPACK);
    ck_assert_uint_eq(zset_length(kv), 5);
    const char *order[] = {"42", "a", "b", "e", "top"};
    double scores[] = {-3, 1.5, 1.5, 1000, INFINITY};
    for (long r = 0; r < 5; r++) {
        const char *m;
        size_t len;
        double sc;
        char buf[32];
        ck_assert(zset_at_rank(kv, r, &m, &len, &sc, buf));
        ck_assert_uint_eq(len, strlen(order[r]));
        ck_assert_mem_eq(m, order[r], len);
        ck_assert(sc == scores[r]);
    }
    kv_free(kv);
    mem_free(z);

    /* Past zset-max-listpack-entries: skiplist. */
    z = zl_new();
    char m[16];
    for (int i = 0; i < 129; i++) {
        snprintf(m, sizeof(m), "m%03d", i);
        zl_str(z, m);
        zl_int(z, i);
    }
    zl_end(z);
    kv = load(12, z, err);
    ck_assert_ptr_nonnull(kv);
    ck_assert_int_eq(kv->encoding, ENC_SKIPLIST);
    ck_assert_uint_eq(zset_length(kv), 129);
    double sc;
    ck_assert(zset_member_score(kv, "m128", 4, &sc));
    ck_assert(sc == 128);
    kv_free(kv);
    mem_free(z);

    z = zl_new();
    zl_int(z, 5);
    zl_str(z, "1");
    zl_str(z, "5");
    zl_str(z, "2");
    zl_end(z);
    ck_assert_ptr_null(load(12, z, err));
    ck_assert_str_eq(err, "duplicate member in zset ziplist");
    mem_free(z);

    z = zl_new();
    zl_str(z, "a");
    zl_str(z, "nan");
    zl_end(z);
    ck_assert_ptr_null(load(12, z, err));
    ck_assert_str_eq(err, "invalid score in zset ziplist");
    mem_free(z);
}
END_TEST

/* ---- garbled blobs: refused or loaded, never a bad read (ASan) --------------------------- */

START_TEST(test_garbled_blobs) {
    Blob *z = zl_new();
    for (int i = 0; i < 6; i++) {
        zl_str(z, i % 2 ? "val" : "field");
        zl_int(z, i * 1000);
    }
    zl_end(z);
    uint64_t r = 88172645463325252ULL;
    int types[] = {10, 12, 13, 9};
    char err[128];
    for (int round = 0; round < 6000; round++) {
        uint8_t *c = malloc(z->n);
        memcpy(c, z->b, z->n);
        for (int f = 0; f < 2; f++) {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            c[r % z->n] = (uint8_t)(r >> 32);
        }
        int type = types[round % 4];
        Kv *kv = rdb_legacy_blob_to_kv(type, "k", 1, c, z->n, err, sizeof(err));
        if (!kv) ck_assert(strlen(err) < sizeof(err));
        kv_free(kv);
        free(c);
    }
    mem_free(z);
}
END_TEST

static Suite *rdb_legacy_suite(void) {
    Suite *s = suite_create("rdb_legacy");
    TCase *tc = tcase_create("convert");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_list_ziplist);
    tcase_add_test(tc, test_hash_ziplist_count_converts);
    tcase_add_test(tc, test_hash_ziplist_refusals);
    tcase_add_test(tc, test_zipmap);
    tcase_add_test(tc, test_zset_ziplist);
    tcase_add_test(tc, test_garbled_blobs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(rdb_legacy_suite());
}
