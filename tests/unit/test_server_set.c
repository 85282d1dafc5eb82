/* test_server_set.c - the read API other modules use on set values (t_set.h) and the set
 * TypeOps, on intset and listpack values built directly (the commands, conversions and the
 * hashtable encoding are exercised end to end by tests/integration/test_sets.py). */
#include "check_main.h"
#include "common/intset.h"
#include "common/listpack.h"
#include "common/mem.h"
#include "server/digest.h"
#include "server/object.h"
#include "server/t_set.h"

#include <check.h>

#include <stdio.h>
#include <string.h>

static Kv *intset_kv(const long long *v, int n) {
    unsigned char *is = intset_new();
    for (int i = 0; i < n; i++)
        is = intset_add(is, v[i], NULL);
    return kv_new_ptr("k", 1, OBJ_SET, ENC_INTSET, is);
}

static Kv *listpack_kv(const char *const *m, int n) {
    unsigned char *lp = lp_new(0);
    for (int i = 0; i < n; i++)
        lp = lp_append(lp, m[i], strlen(m[i]));
    return kv_new_ptr("k", 1, OBJ_SET, ENC_LISTPACK, lp);
}

/* The members as one comma-joined string, in iteration order. */
static void joined(const Kv *kv, char *out, size_t cap) {
    SetIter it;
    const char *s;
    size_t len;
    long long v;
    out[0] = '\0';
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &s, &len, &v)) {
        char buf[32];
        if (s)
            snprintf(buf, sizeof(buf), "%.*s,", (int)len, s);
        else
            snprintf(buf, sizeof(buf), "%lld,", v);
        strncat(out, buf, cap - strlen(out) - 1);
    }
    set_iter_deinit(&it);
}

START_TEST(test_intset_iteration_and_membership) {
    const long long v[] = {5, -3, 70000, 0};
    Kv *kv = intset_kv(v, 4);
    char out[128];
    joined(kv, out, sizeof(out));
    ck_assert_str_eq(out, "-3,0,5,70000,");
    ck_assert_uint_eq(set_size(kv), 4);
    ck_assert(set_contains(kv, "70000", 5));
    ck_assert(set_contains(kv, "-3", 2));
    ck_assert(!set_contains(kv, "-03", 3));
    ck_assert(!set_contains(kv, "x", 1));
    ck_assert(!set_contains(kv, "99999999999999999999", 20));
    kv_free(kv);
}
END_TEST

START_TEST(test_listpack_iteration_and_membership) {
    const char *const m[] = {"b", "12", "", "01"};
    Kv *kv = listpack_kv(m, 4);
    char out[128];
    joined(kv, out, sizeof(out));
    ck_assert_str_eq(out, "b,12,,01,");
    ck_assert_uint_eq(set_size(kv), 4);
    ck_assert(set_contains(kv, "12", 2));
    ck_assert(set_contains(kv, "", 0));
    ck_assert(set_contains(kv, "01", 2));
    ck_assert(!set_contains(kv, "1", 1));
    kv_free(kv);
}
END_TEST

START_TEST(test_dup_and_memory_usage) {
    const long long v[] = {1, 2, 3};
    const char *const m[] = {"x", "1"};
    Kv *kvs[2] = {intset_kv(v, 3), listpack_kv(m, 2)};
    for (int i = 0; i < 2; i++) {
        Kv *kv = kvs[i];
        Kv *copy = kv_rekey(kv, "c", 1, true);
        ck_assert_ptr_ne(copy->v.ptr, kv->v.ptr);
        ck_assert_uint_eq(copy->encoding, kv->encoding);
        char a[64], b[64];
        joined(kv, a, sizeof(a));
        joined(copy, b, sizeof(b));
        ck_assert_str_eq(a, b);
        ck_assert_uint_eq(set_type_ops.memory_usage(kv, 0), mem_usable_size(kv->v.ptr));
        kv_free(copy);
        kv_free(kv);
    }
}
END_TEST

/* The digest xors members' string forms: equal member sets, equal digests, any encoding. */
START_TEST(test_digest_is_encoding_free) {
    const long long v[] = {3, 1, 2};
    const char *const m[] = {"2", "3", "1"};
    Kv *is = intset_kv(v, 3), *lp = listpack_kv(m, 3);
    ObjDigest a = {0}, b = {0}, want = {0};
    set_type_ops.digest(is, a);
    set_type_ops.digest(lp, b);
    digest_xor(want, "1", 1);
    digest_xor(want, "2", 1);
    digest_xor(want, "3", 1);
    ck_assert_mem_eq(a, want, sizeof(want));
    ck_assert_mem_eq(b, want, sizeof(want));
    kv_free(is);
    kv_free(lp);
}
END_TEST

static Suite *set_suite(void) {
    Suite *s = suite_create("server_set");
    TCase *tc = tcase_create("read_api");
    tcase_add_test(tc, test_intset_iteration_and_membership);
    tcase_add_test(tc, test_listpack_iteration_and_membership);
    tcase_add_test(tc, test_dup_and_memory_usage);
    tcase_add_test(tc, test_digest_is_encoding_free);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(set_suite());
}
