/* test_server_hash.c - the hash type's storage (t_hash.c): both encodings against a simple
 * reference model under random sets and deletes, the conversion thresholds (entries and
 * value length, one way only), in-place and moved value updates in hashtable nodes, and
 * the TypeOps (dup, digest, memory usage) agreeing across encodings. */
#include "check_main.h"
#include "common/mem.h"
#include "common/util.h"
#include "server/digest.h"
#include "server/object.h"
#include "server/server.h"
#include "server/t_hash.h"

#include <check.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void setup(void) {
    cfg.hash_max_listpack_entries = 128;
    cfg.hash_max_listpack_value = 64;
    util_rand_seed(12345);
}

static bool set_s(Kv *kv, const char *f, const char *v) {
    return hash_set(kv, f, strlen(f), v, strlen(v));
}

/* The value of f as a NUL-terminated string in out, or NULL when absent. */
static const char *get_s(const Kv *kv, const char *f, char *out, size_t cap) {
    char nb[HASH_NUMBUF];
    size_t vlen;
    const char *v = hash_get(kv, f, strlen(f), &vlen, nb);
    if (!v) return NULL;
    snprintf(out, cap, "%.*s", (int)vlen, v);
    return out;
}

/* ---- the reference model: fields f0..f(N-1), each absent or holding a string */

#define NFIELDS 300
typedef struct Model {
    char *val[NFIELDS];
    unsigned long n;
} Model;

static void model_check(const Model *m, Kv *kv) {
    ck_assert_uint_eq(hash_length(kv), m->n);
    char f[16], buf[256];
    for (int i = 0; i < NFIELDS; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        const char *v = get_s(kv, f, buf, sizeof(buf));
        if (m->val[i])
            ck_assert_str_eq(v, m->val[i]);
        else
            ck_assert_ptr_null(v);
    }
    /* iteration: every pair once */
    bool seen[NFIELDS] = {false};
    unsigned long count = 0;
    HashIter it;
    const char *fp, *vp;
    size_t flen, vlen;
    hash_iter_init(&it, kv);
    while (hash_iter_next(&it, &fp, &flen, &vp, &vlen)) {
        ck_assert(flen > 1 && flen < 8 && fp[0] == 'f');
        char num[8]; /* fields are not NUL-terminated */
        memcpy(num, fp + 1, flen - 1);
        num[flen - 1] = '\0';
        int i = atoi(num);
        ck_assert(i >= 0 && i < NFIELDS && !seen[i] && m->val[i]);
        ck_assert_uint_eq(vlen, strlen(m->val[i]));
        ck_assert(memcmp(vp, m->val[i], vlen) == 0);
        seen[i] = true;
        count++;
    }
    hash_iter_deinit(&it);
    ck_assert_uint_eq(count, m->n);
}

static void random_value(char *out, size_t cap) {
    unsigned k = (unsigned)(util_rand64() % 10);
    if (k < 4) {
        snprintf(out, cap, "%lld", (long long)(util_rand64() % 2000000) - 1000000);
        return;
    }
    size_t len = k < 9 ? util_rand64() % 20 : 30 + util_rand64() % 200;
    if (len >= cap) len = cap - 1;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)('a' + util_rand64() % 26);
    out[len] = '\0';
}

static void model_run(long long entries, long long value_max, int nfields, int ops) {
    cfg.hash_max_listpack_entries = entries;
    cfg.hash_max_listpack_value = value_max;
    Model m = {{NULL}, 0};
    Kv *kv = hash_kv_new("k", 1);
    bool was_table = false;
    for (int op = 0; op < ops; op++) {
        int i = (int)(util_rand64() % (uint64_t)nfields);
        char f[16], v[256];
        snprintf(f, sizeof(f), "f%d", i);
        if (util_rand64() % 3 == 0) {
            bool had = m.val[i] != NULL;
            ck_assert(hash_delete(kv, f, strlen(f)) == had);
            if (had) {
                free(m.val[i]);
                m.val[i] = NULL;
                m.n--;
            }
        } else {
            random_value(v, sizeof(v));
            bool added = set_s(kv, f, v);
            ck_assert(added == (m.val[i] == NULL));
            if (added) m.n++;
            free(m.val[i]);
            m.val[i] = strdup(v);
            /* the encoding follows the rules: listpack only while both limits hold */
            if (kv->encoding == ENC_LISTPACK) {
                ck_assert((long long)m.n <= entries);
                ck_assert((long long)strlen(v) <= value_max);
            }
        }
        if (was_table) ck_assert_int_eq(kv->encoding, ENC_HASHTABLE);
        was_table = kv->encoding == ENC_HASHTABLE;
        if (op % 50 == 0) model_check(&m, kv);
    }
    model_check(&m, kv);
    kv_free(kv);
    for (int i = 0; i < NFIELDS; i++)
        free(m.val[i]);
}

START_TEST(test_model_listpack_only) {
    model_run(1000, 1000, 60, 3000);
}
END_TEST

START_TEST(test_model_converting) {
    model_run(16, 24, 100, 5000);
}
END_TEST

START_TEST(test_model_hashtable_large) {
    model_run(0, 64, NFIELDS, 20000);
}
END_TEST

/* ---- thresholds */

START_TEST(test_entries_threshold) {
    cfg.hash_max_listpack_entries = 3;
    Kv *kv = hash_kv_new("k", 1);
    set_s(kv, "a", "1");
    set_s(kv, "b", "2");
    set_s(kv, "c", "3");
    ck_assert_int_eq(kv->encoding, ENC_LISTPACK);
    set_s(kv, "c", "33"); /* an update does not count */
    ck_assert_int_eq(kv->encoding, ENC_LISTPACK);
    set_s(kv, "d", "4");
    ck_assert_int_eq(kv->encoding, ENC_HASHTABLE);
    hash_delete(kv, "d", 1);
    hash_delete(kv, "c", 1);
    ck_assert_int_eq(kv->encoding, ENC_HASHTABLE); /* one way */
    char buf[32];
    ck_assert_str_eq(get_s(kv, "a", buf, sizeof(buf)), "1");
    ck_assert_uint_eq(hash_length(kv), 2);
    kv_free(kv);
}
END_TEST

START_TEST(test_value_threshold) {
    cfg.hash_max_listpack_value = 4;
    Kv *kv = hash_kv_new("k", 1);
    set_s(kv, "abcd", "wxyz");
    ck_assert_int_eq(kv->encoding, ENC_LISTPACK);
    set_s(kv, "f", "12345"); /* value one over */
    ck_assert_int_eq(kv->encoding, ENC_HASHTABLE);
    kv_free(kv);
    kv = hash_kv_new("k", 1);
    set_s(kv, "abcde", "v"); /* field one over */
    ck_assert_int_eq(kv->encoding, ENC_HASHTABLE);
    char buf[32];
    ck_assert_str_eq(get_s(kv, "abcde", buf, sizeof(buf)), "v");
    kv_free(kv);
}
END_TEST

/* Integers stored as listpack integers read back as their canonical text; non-canonical
 * numbers stay strings. */
START_TEST(test_listpack_integers) {
    Kv *kv = hash_kv_new("k", 1);
    const char *vals[] = {"0",  "-1", "127", "9223372036854775807", "-9223372036854775808", "007",
                          "+1", "-0", "1.0", "9223372036854775808"};
    char f[8], buf[64];
    for (int i = 0; i < 10; i++) {
        snprintf(f, sizeof(f), "%d", i); /* integer fields too */
        set_s(kv, f, vals[i]);
    }
    for (int i = 0; i < 10; i++) {
        snprintf(f, sizeof(f), "%d", i);
        ck_assert_str_eq(get_s(kv, f, buf, sizeof(buf)), vals[i]);
    }
    ck_assert_int_eq(kv->encoding, ENC_LISTPACK);
    hash_convert(kv);
    for (int i = 0; i < 10; i++) {
        snprintf(f, sizeof(f), "%d", i);
        ck_assert_str_eq(get_s(kv, f, buf, sizeof(buf)), vals[i]);
    }
    kv_free(kv);
}
END_TEST

/* Values grow and shrink in a table node: written in place when the block fits, moved to
 * a new node otherwise; the field and the other nodes stay intact. */
START_TEST(test_node_value_resize) {
    cfg.hash_max_listpack_entries = 0;
    Kv *kv = hash_kv_new("k", 1);
    set_s(kv, "other", "x");
    char big[5000], buf[5001];
    for (size_t len = 0; len < sizeof(big); len = len * 2 + 1) {
        memset(big, 'a' + (int)(len % 26), len);
        big[len] = '\0';
        ck_assert(!set_s(kv, "field", big) || len == 0);
        ck_assert_str_eq(get_s(kv, "field", buf, sizeof(buf)), big);
    }
    for (size_t len = sizeof(big) - 1; len > 0; len /= 3) {
        big[len] = '\0';
        set_s(kv, "field", big);
        ck_assert_str_eq(get_s(kv, "field", buf, sizeof(buf)), big);
    }
    set_s(kv, "field", "");
    ck_assert_str_eq(get_s(kv, "field", buf, sizeof(buf)), "");
    ck_assert_str_eq(get_s(kv, "other", buf, sizeof(buf)), "x");
    ck_assert_uint_eq(hash_length(kv), 2);
    kv_free(kv);
}
END_TEST

/* Binary fields and values, empty field. */
START_TEST(test_binary_safe) {
    for (int enc = 0; enc < 2; enc++) {
        cfg.hash_max_listpack_entries = enc ? 0 : 128;
        Kv *kv = hash_kv_new("k", 1);
        ck_assert(hash_set(kv, "a\0b", 3, "\0\xff", 2));
        ck_assert(hash_set(kv, "", 0, "", 0));
        ck_assert(!hash_set(kv, "", 0, "e", 1));
        char nb[HASH_NUMBUF];
        size_t vlen;
        const char *v = hash_get(kv, "a\0b", 3, &vlen, nb);
        ck_assert(v && vlen == 2 && memcmp(v, "\0\xff", 2) == 0);
        ck_assert_ptr_null(hash_get(kv, "a", 1, &vlen, nb));
        v = hash_get(kv, "", 0, &vlen, nb);
        ck_assert(v && vlen == 1 && v[0] == 'e');
        ck_assert(hash_delete(kv, "a\0b", 3));
        ck_assert(!hash_delete(kv, "a\0b", 3));
        ck_assert_uint_eq(hash_length(kv), 1);
        kv_free(kv);
    }
}
END_TEST

/* ---- TypeOps */

static Kv *filled(int n, bool table) {
    cfg.hash_max_listpack_entries = 128;
    Kv *kv = hash_kv_new("k", 1);
    char f[16], v[16];
    for (int i = 0; i < n; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        snprintf(v, sizeof(v), i % 2 ? "v%d" : "%d", i);
        set_s(kv, f, v);
    }
    if (table) hash_convert(kv);
    return kv;
}

START_TEST(test_digest_same_across_encodings) {
    Kv *a = filled(50, false), *b = filled(50, true);
    ck_assert_int_eq(a->encoding, ENC_LISTPACK);
    ck_assert_int_eq(b->encoding, ENC_HASHTABLE);
    ObjDigest da = {0}, db = {0};
    hash_type_ops.digest(a, da);
    hash_type_ops.digest(b, db);
    ck_assert(memcmp(da, db, sizeof(da)) == 0);
    set_s(b, "f3", "changed");
    memset(db, 0, sizeof(db));
    hash_type_ops.digest(b, db);
    ck_assert(memcmp(da, db, sizeof(da)) != 0);
    kv_free(a);
    kv_free(b);
}
END_TEST

START_TEST(test_dup_is_deep) {
    for (int t = 0; t < 2; t++) {
        Kv *a = filled(40, t == 1);
        Kv *b = kv_rekey(a, "copy", 4, true);
        ck_assert_int_eq(b->encoding, a->encoding);
        ck_assert_ptr_ne(b->v.ptr, a->v.ptr);
        set_s(a, "f1", "only-in-a");
        char buf[32];
        ck_assert_str_eq(get_s(b, "f1", buf, sizeof(buf)), "v1");
        ck_assert_uint_eq(hash_length(b), 40);
        ObjDigest da = {0}, db = {0};
        hash_delete(a, "f1", 2);
        hash_delete(b, "f1", 2);
        hash_type_ops.digest(a, da);
        hash_type_ops.digest(b, db);
        ck_assert(memcmp(da, db, sizeof(da)) == 0);
        kv_free(a);
        kv_free(b);
    }
}
END_TEST

START_TEST(test_memory_usage) {
    Kv *lp = filled(10, false), *ht = filled(1000, true);
    size_t lpm = hash_type_ops.memory_usage(lp, 0);
    ck_assert_uint_eq(lpm, mem_usable_size(lp->v.ptr));
    size_t all = hash_type_ops.memory_usage(ht, 0);
    size_t sampled = hash_type_ops.memory_usage(ht, 5);
    ck_assert_uint_gt(all, 1000 * 24);
    /* an estimate from 5 nodes of near-equal size lands close to the full count */
    ck_assert_uint_lt(sampled, all + all / 5);
    ck_assert_uint_gt(sampled, all - all / 5);
    kv_free(lp);
    kv_free(ht);
}
END_TEST

static Suite *hash_suite(void) {
    Suite *s = suite_create("server_hash");
    TCase *tc = tcase_create("model");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_model_listpack_only);
    tcase_add_test(tc, test_model_converting);
    tcase_add_test(tc, test_model_hashtable_large);
    suite_add_tcase(s, tc);
    tc = tcase_create("encodings");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_entries_threshold);
    tcase_add_test(tc, test_value_threshold);
    tcase_add_test(tc, test_listpack_integers);
    tcase_add_test(tc, test_node_value_resize);
    tcase_add_test(tc, test_binary_safe);
    suite_add_tcase(s, tc);
    tc = tcase_create("typeops");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_digest_same_across_encodings);
    tcase_add_test(tc, test_dup_is_deep);
    tcase_add_test(tc, test_memory_usage);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(hash_suite());
}
