/* test_intset.c - the intset: exact byte images (Redis's format), width upgrades, removal,
 * validation, and a randomized model test against a sorted array. */
#include "check_main.h"
#include "common/intset.h"
#include "common/mem.h"

#include <check.h>

#include <stdlib.h>
#include <string.h>

static void assert_image(const unsigned char *is, const unsigned char *want, size_t n) {
    ck_assert_uint_eq(intset_blob_len(is), n);
    ck_assert_mem_eq(is, want, n);
}

START_TEST(test_empty_image) {
    unsigned char *is = intset_new();
    static const unsigned char want[] = {2, 0, 0, 0, 0, 0, 0, 0};
    assert_image(is, want, sizeof(want));
    ck_assert(!intset_find(is, 0));
    ck_assert_uint_eq(intset_len(is), 0);
    intset_free(is);
    intset_free(NULL);
}
END_TEST

START_TEST(test_sorted_16bit_image) {
    unsigned char *is = intset_new();
    bool added;
    is = intset_add(is, 5, &added);
    ck_assert(added);
    is = intset_add(is, -2, &added);
    is = intset_add(is, 300, &added);
    is = intset_add(is, 5, &added);
    ck_assert(!added);
    static const unsigned char want[] = {2, 0, 0, 0, 3, 0, 0, 0, 0xfe, 0xff, 5, 0, 0x2c, 0x01};
    assert_image(is, want, sizeof(want));
    ck_assert_int_eq(intset_min(is), -2);
    ck_assert_int_eq(intset_max(is), 300);
    intset_free(is);
}
END_TEST

START_TEST(test_upgrade_to_32_and_64) {
    unsigned char *is = intset_new();
    is = intset_add(is, 1, NULL);
    is = intset_add(is, -1, NULL);
    is = intset_add(is, 65536, NULL); /* needs 32 bits: goes last */
    static const unsigned char want32[] = {4,    0,    0, 0, 3, 0, 0, 0, 0xff, 0xff,
                                           0xff, 0xff, 1, 0, 0, 0, 0, 0, 1,    0};
    assert_image(is, want32, sizeof(want32));
    is = intset_add(is, -4294967296LL, NULL); /* needs 64 bits: goes first */
    static const unsigned char want64[] = {
        8,    0,    0,    0,    4,    0,    0,    0,    /* header */
        0,    0,    0,    0,    0xff, 0xff, 0xff, 0xff, /* -2^32 */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* -1 */
        1,    0,    0,    0,    0,    0,    0,    0,    /* 1 */
        0,    0,    1,    0,    0,    0,    0,    0,    /* 65536 */
    };
    assert_image(is, want64, sizeof(want64));
    /* removals never downgrade */
    bool removed;
    is = intset_remove(is, -4294967296LL, &removed);
    ck_assert(removed);
    ck_assert_uint_eq(intset_encoding(is), INTSET_ENC_64);
    ck_assert_uint_eq(intset_blob_len(is), 8 + 3 * 8);
    is = intset_remove(is, 7, &removed);
    ck_assert(!removed);
    ck_assert(intset_find(is, 65536));
    ck_assert(!intset_find(is, INT64_MAX));
    intset_free(is);
}
END_TEST

START_TEST(test_extremes) {
    unsigned char *is = intset_new();
    is = intset_add(is, INT64_MAX, NULL);
    is = intset_add(is, INT64_MIN, NULL);
    is = intset_add(is, INT16_MIN, NULL);
    is = intset_add(is, INT32_MAX, NULL);
    ck_assert_int_eq(intset_get(is, 0), INT64_MIN);
    ck_assert_int_eq(intset_get(is, 1), INT16_MIN);
    ck_assert_int_eq(intset_get(is, 2), INT32_MAX);
    ck_assert_int_eq(intset_get(is, 3), INT64_MAX);
    ck_assert(intset_validate(is, intset_blob_len(is), true));
    unsigned char *copy = intset_dup(is);
    ck_assert_mem_eq(copy, is, intset_blob_len(is));
    intset_free(copy);
    intset_free(is);
}
END_TEST

START_TEST(test_validate) {
    unsigned char *is = intset_new();
    ck_assert(!intset_validate(is, 8, false)); /* empty: Redis refuses it */
    is = intset_add(is, 1, NULL);
    is = intset_add(is, 2, NULL);
    ck_assert(intset_validate(is, 12, true));
    ck_assert(!intset_validate(is, 11, false));
    ck_assert(!intset_validate(is, 4, false));
    is[8] = 3; /* 3, 2: not ascending */
    ck_assert(intset_validate(is, 12, false));
    ck_assert(!intset_validate(is, 12, true));
    is[0] = 3; /* unknown encoding */
    ck_assert(!intset_validate(is, 12, false));
    is[0] = 2;
    is[4] = 0xff; /* a length that overflows the size */
    is[5] = 0xff;
    is[6] = 0xff;
    is[7] = 0xff;
    ck_assert(!intset_validate(is, 12, false));
    intset_free(is);
}
END_TEST

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int64_t random_value(void) {
    switch (rand() % 4) {
    case 0: return rand() % 200 - 100;
    case 1: return (int64_t)(rand() % 200000) - 100000;
    case 2: return ((int64_t)rand() << 20) - ((int64_t)rand() << 19);
    default: return (int64_t)(((uint64_t)rand() << 40) ^ ((uint64_t)rand() << 9) ^ rand());
    }
}

/* Width the model's elements need: the encoding the intset must report. */
static uint32_t model_width(const int64_t *m, size_t n) {
    uint32_t w = INTSET_ENC_16;
    for (size_t i = 0; i < n; i++) {
        if (m[i] < INT32_MIN || m[i] > INT32_MAX) return INTSET_ENC_64;
        if (m[i] < INT16_MIN || m[i] > INT16_MAX) w = INTSET_ENC_32;
    }
    return w;
}

START_TEST(test_random_model) {
    srand(1234 + (unsigned)_i);
    unsigned char *is = intset_new();
    int64_t model[600];
    size_t n = 0;
    uint32_t maxw = INTSET_ENC_16;
    for (int step = 0; step < 4000; step++) {
        int64_t v = (n > 0 && rand() % 3 == 0) ? model[rand() % n] : random_value();
        bool present = bsearch(&v, model, n, sizeof(int64_t), cmp_i64) != NULL;
        ck_assert(intset_find(is, v) == present);
        if (rand() % 2 && n < 600) {
            bool added;
            is = intset_add(is, v, &added);
            ck_assert(added == !present);
            if (!present) {
                model[n++] = v;
                qsort(model, n, sizeof(int64_t), cmp_i64);
            }
        } else {
            bool removed;
            is = intset_remove(is, v, &removed);
            ck_assert(removed == present);
            if (present) {
                int64_t *at = bsearch(&v, model, n, sizeof(int64_t), cmp_i64);
                memmove(at, at + 1, (size_t)(model + n - at - 1) * sizeof(int64_t));
                n--;
            }
        }
        uint32_t w = model_width(model, n);
        if (w > maxw) maxw = w;
        ck_assert_uint_eq(intset_encoding(is), maxw); /* upgrades stick */
        ck_assert_uint_eq(intset_len(is), n);
        ck_assert_uint_eq(intset_blob_len(is), 8 + n * maxw);
        ck_assert_uint_le(intset_blob_len(is), mem_usable_size(is));
        if (step % 97 == 0) {
            for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(intset_get(is, (uint32_t)i), model[i]);
            if (n > 0) ck_assert(intset_validate(is, intset_blob_len(is), true));
        }
    }
    /* the byte image: little-endian elements of the final width */
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = is + 8 + i * maxw;
        uint64_t u = 0;
        for (uint32_t k = 0; k < maxw; k++)
            u |= (uint64_t)p[k] << (8 * k);
        if (maxw < 8 && (u >> (8 * maxw - 1)) & 1) u |= ~(uint64_t)0 << (8 * maxw);
        ck_assert_int_eq((int64_t)u, model[i]);
    }
    intset_free(is);
}
END_TEST

static Suite *intset_suite(void) {
    Suite *s = suite_create("intset");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_empty_image);
    tcase_add_test(tc, test_sorted_16bit_image);
    tcase_add_test(tc, test_upgrade_to_32_and_64);
    tcase_add_test(tc, test_extremes);
    tcase_add_test(tc, test_validate);
    suite_add_tcase(s, tc);
    tc = tcase_create("model");
    tcase_add_loop_test(tc, test_random_model, 0, 8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(intset_suite());
}
