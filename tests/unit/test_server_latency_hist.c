/* test_server_latency_hist.c - the per-command latency histogram: percentiles of known
 * distributions within the promised relative error, the empty histogram, reset, clamping
 * of out-of-range values, and the percentile names INFO and CONFIG GET print. */
#include "check_main.h"
#include "server/latency_hist.h"

#include <check.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REL_ERROR (1.0 / 64 + 1e-9) /* half a bucket, buckets at most 1/32 wide */

static LatencyHist *h;

static void setup(void) {
    h = latency_hist_new();
}

static void teardown(void) {
    latency_hist_free(h);
    h = NULL;
}

/* The exact answer under the histogram's rank rule, for a sorted sample array. */
static double exact_percentile(const int64_t *sorted, uint64_t n, double p) {
    uint64_t rank = (uint64_t)(p / 100.0 * (double)n + 0.5);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return (double)sorted[rank - 1];
}

static void assert_close(double got, double want, double p) {
    double rel = (got > want ? got - want : want - got) / want;
    ck_assert_msg(rel <= MAX_REL_ERROR, "p%g: got %.3f, want %.3f (error %.4f)", p, got, want, rel);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static const double checked[] = {0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};

static void check_against(int64_t *values, uint64_t n) {
    for (uint64_t i = 0; i < n; i++)
        latency_hist_record(h, values[i]);
    qsort(values, n, sizeof(*values), cmp_i64);
    ck_assert_uint_eq(latency_hist_count(h), n);
    for (size_t i = 0; i < sizeof(checked) / sizeof(checked[0]); i++)
        assert_close(latency_hist_percentile(h, checked[i]),
                     exact_percentile(values, n, checked[i]), checked[i]);
}

START_TEST(test_empty_answers_zero) {
    ck_assert_uint_eq(latency_hist_count(h), 0);
    ck_assert(latency_hist_percentile(h, 0) == 0.0);
    ck_assert(latency_hist_percentile(h, 50) == 0.0);
    ck_assert(latency_hist_percentile(h, 100) == 0.0);
}
END_TEST

START_TEST(test_single_value_is_exact) {
    latency_hist_record(h, 12345);
    for (size_t i = 0; i < sizeof(checked) / sizeof(checked[0]); i++)
        ck_assert(latency_hist_percentile(h, checked[i]) == 12345.0);
}
END_TEST

START_TEST(test_small_values_are_exact) {
    for (int64_t v = 1; v <= 63; v++)
        latency_hist_record(h, v);
    /* rank = round(p% of 63) */
    ck_assert(latency_hist_percentile(h, 50) == 32.0);
    ck_assert(latency_hist_percentile(h, 10) == 6.0);
    ck_assert(latency_hist_percentile(h, 90) == 57.0);
    ck_assert(latency_hist_percentile(h, 0) == 1.0);
    ck_assert(latency_hist_percentile(h, 100) == 63.0);
}
END_TEST

START_TEST(test_uniform_distribution) {
    enum {
        N = 100000
    };
    int64_t *v = malloc(sizeof(*v) * N);
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        v[i] = 1 + (int64_t)(x % 1000000); /* 1 us .. 1 s */
    }
    check_against(v, N);
    free(v);
}
END_TEST

START_TEST(test_log_uniform_distribution) {
    enum {
        N = 50000
    };
    int64_t *v = malloc(sizeof(*v) * N);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int e = (int)(x % 32); /* every power of two from 1 us to 2^32 us equally often */
        int64_t lo = (int64_t)1 << e;
        v[i] = lo + (int64_t)((x >> 8) % (uint64_t)lo);
        if (v[i] > LATENCY_HIST_MAX_US) v[i] = LATENCY_HIST_MAX_US;
    }
    check_against(v, N);
    free(v);
}
END_TEST

START_TEST(test_every_bucket_boundary) {
    /* One value per power of two and its neighbours: each alone must come back within
     * the bound whatever bucket it lands in. */
    for (int e = 0; e < 32; e++) {
        for (int d = -1; d <= 1; d++) {
            int64_t v = ((int64_t)1 << e) + d;
            if (v < 1 || v > LATENCY_HIST_MAX_US) continue;
            latency_hist_reset(h);
            latency_hist_record(h, v);
            latency_hist_record(h, v);
            latency_hist_record(h, LATENCY_HIST_MAX_US); /* keeps the clamp from helping */
            latency_hist_record(h, 1);
            assert_close(latency_hist_percentile(h, 50), (double)v, 50);
        }
    }
}
END_TEST

START_TEST(test_bimodal_tail) {
    /* 990 fast calls at 10 us, 10 slow at 20 ms: p99 is still fast, p99.9 is slow. */
    for (int i = 0; i < 990; i++)
        latency_hist_record(h, 10);
    for (int i = 0; i < 10; i++)
        latency_hist_record(h, 20000);
    ck_assert(latency_hist_percentile(h, 50) == 10.0);
    ck_assert(latency_hist_percentile(h, 99) == 10.0);
    assert_close(latency_hist_percentile(h, 99.9), 20000.0, 99.9);
    ck_assert(latency_hist_percentile(h, 100) == 20000.0);
}
END_TEST

START_TEST(test_reset_forgets_everything) {
    for (int i = 1; i <= 1000; i++)
        latency_hist_record(h, i * 7);
    latency_hist_reset(h);
    ck_assert_uint_eq(latency_hist_count(h), 0);
    ck_assert(latency_hist_percentile(h, 50) == 0.0);
    latency_hist_record(h, 5);
    ck_assert_uint_eq(latency_hist_count(h), 1);
    ck_assert(latency_hist_percentile(h, 0) == 5.0);
    ck_assert(latency_hist_percentile(h, 99.9) == 5.0);
}
END_TEST

START_TEST(test_huge_values_are_clamped) {
    latency_hist_record(h, INT64_MAX);
    latency_hist_record(h, LATENCY_HIST_MAX_US + 1);
    latency_hist_record(h, (int64_t)24 * 3600 * 1000 * 1000);
    ck_assert_uint_eq(latency_hist_count(h), 3);
    ck_assert(latency_hist_percentile(h, 50) == (double)LATENCY_HIST_MAX_US);
    ck_assert(latency_hist_percentile(h, 100) == (double)LATENCY_HIST_MAX_US);
}
END_TEST

START_TEST(test_tiny_values_count_as_one_us) {
    latency_hist_record(h, 0);
    latency_hist_record(h, -42);
    latency_hist_record(h, INT64_MIN);
    ck_assert_uint_eq(latency_hist_count(h), 3);
    ck_assert(latency_hist_percentile(h, 0) == 1.0);
    ck_assert(latency_hist_percentile(h, 100) == 1.0);
}
END_TEST

START_TEST(test_out_of_range_percentiles_clamp) {
    for (int i = 1; i <= 100; i++)
        latency_hist_record(h, i);
    ck_assert(latency_hist_percentile(h, -5) == 1.0);
    ck_assert(latency_hist_percentile(h, 250) == 100.0);
}
END_TEST

START_TEST(test_memory_is_a_few_kb) {
    ck_assert_uint_le(latency_hist_bytes(), 8 * 1024);
}
END_TEST

START_TEST(test_percentile_names) {
    char b[64];
    struct {
        double p;
        const char *name;
    } cases[] = {{50, "50"},
                 {99, "99"},
                 {99.9, "99.9"},
                 {0, "0"},
                 {100, "100"},
                 {0.0001, "0.0001"},
                 {12.3456789, "12.345679"},
                 {99.99, "99.99"},
                 {10.5, "10.5"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int n = latency_hist_format_percentile(b, sizeof(b), cases[i].p);
        ck_assert_str_eq(b, cases[i].name);
        ck_assert_int_eq(n, (int)strlen(cases[i].name));
    }
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("latency_hist");
    TCase *tc = tcase_create("percentiles");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_empty_answers_zero);
    tcase_add_test(tc, test_single_value_is_exact);
    tcase_add_test(tc, test_small_values_are_exact);
    tcase_add_test(tc, test_uniform_distribution);
    tcase_add_test(tc, test_log_uniform_distribution);
    tcase_add_test(tc, test_every_bucket_boundary);
    tcase_add_test(tc, test_bimodal_tail);
    suite_add_tcase(s, tc);

    tc = tcase_create("lifecycle");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_reset_forgets_everything);
    tcase_add_test(tc, test_huge_values_are_clamped);
    tcase_add_test(tc, test_tiny_values_count_as_one_us);
    tcase_add_test(tc, test_out_of_range_percentiles_clamp);
    tcase_add_test(tc, test_memory_is_a_few_kb);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, test_percentile_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(suite());
}
