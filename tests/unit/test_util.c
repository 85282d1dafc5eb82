/* test_util.c - check suite for common/util: Redis's integer and float parsing rules (the
 * accept/reject answers were checked against redis-server 7.0.15 with INCRBY, ZADD and
 * INCRBYFLOAT), INCRBYFLOAT's output format, bytesToHuman, and the PRNG helpers. */
#include "common/util.h"

#include <check.h>

#include "check_main.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LEN(lit) (sizeof(lit) - 1)

/* ---- integers ---------------------------------------------------------------------- */

static bool ll_ok(const char *s, long long want) {
    long long v = 12345;
    return util_str_to_ll(s, strlen(s), &v) && v == want;
}

static bool ll_rejects(const char *s, size_t len) {
    long long v = 12345;
    return !util_str_to_ll(s, len, &v) && v == 12345;
}

START_TEST(test_ll_accepts) {
    ck_assert(ll_ok("0", 0));
    ck_assert(ll_ok("12", 12));
    ck_assert(ll_ok("-1", -1));
    ck_assert(ll_ok("9223372036854775807", LLONG_MAX));
    ck_assert(ll_ok("-9223372036854775808", LLONG_MIN));
    /* length-delimited: the bytes after len are not looked at */
    long long v;
    ck_assert(util_str_to_ll("123abc", 3, &v));
    ck_assert_int_eq(v, 123);
}
END_TEST

START_TEST(test_ll_rejects) {
    static const char *bad[] = {"",
                                "-",
                                "+12",
                                "012",
                                " 12",
                                "12 ",
                                "-0",
                                "00",
                                "1e3",
                                "1.0",
                                "--1",
                                "0x1",
                                "9223372036854775808",
                                "-9223372036854775809",
                                "99999999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(ll_rejects(bad[i], strlen(bad[i])), "accepted '%s'", bad[i]);
    ck_assert(ll_rejects("1\0", 2));
}
END_TEST

START_TEST(test_ull) {
    unsigned long long v;
    ck_assert(util_str_to_ull("18446744073709551615", 20, &v));
    ck_assert(v == ULLONG_MAX);
    ck_assert(util_str_to_ull("0", 1, &v));
    ck_assert(v == 0);
    ck_assert(util_str_to_ull("9223372036854775808", 19, &v));
    ck_assert(v == 9223372036854775808ULL);
    ck_assert(!util_str_to_ull("18446744073709551616", 20, &v));
    ck_assert(!util_str_to_ull("-1", 2, &v));
    ck_assert(!util_str_to_ull("+1", 2, &v));
    ck_assert(!util_str_to_ull("01", 2, &v));
    ck_assert(!util_str_to_ull("", 0, &v));
}
END_TEST

START_TEST(test_ll_to_str) {
    char buf[21];
    ck_assert_int_eq(util_ll_to_str(buf, 0), 1);
    ck_assert_str_eq(buf, "0");
    ck_assert_int_eq(util_ll_to_str(buf, -7), 2);
    ck_assert_str_eq(buf, "-7");
    ck_assert_int_eq(util_ll_to_str(buf, LLONG_MAX), 19);
    ck_assert_str_eq(buf, "9223372036854775807");
    ck_assert_int_eq(util_ll_to_str(buf, LLONG_MIN), 20);
    ck_assert_str_eq(buf, "-9223372036854775808");
    ck_assert_int_eq(util_ull_to_str(buf, ULLONG_MAX), 20);
    ck_assert_str_eq(buf, "18446744073709551615");
    /* round trip */
    for (long long x = -100000; x <= 100000; x += 77) {
        long long back;
        int n = util_ll_to_str(buf, x);
        ck_assert(util_str_to_ll(buf, (size_t)n, &back));
        ck_assert(back == x);
    }
}
END_TEST

/* ---- floating point ---------------------------------------------------------------- */

static bool d_ok(const char *s, double want) {
    double v;
    return util_str_to_double(s, strlen(s), &v) && v == want;
}

START_TEST(test_double_accepts) {
    ck_assert(d_ok("1.5", 1.5));
    ck_assert(d_ok("+1.5", 1.5));
    ck_assert(d_ok(".5", 0.5));
    ck_assert(d_ok("-0", 0.0));
    ck_assert(d_ok("0x10", 16.0));
    ck_assert(d_ok("1e300", 1e300));
    ck_assert(d_ok("inf", INFINITY));
    ck_assert(d_ok("-inf", -INFINITY));
    ck_assert(d_ok("infinity", INFINITY));
    /* underflow to a denormal is fine, only underflow to zero is rejected */
    double v;
    ck_assert(util_str_to_double("4e-320", 6, &v));
    ck_assert(v > 0);
    /* length-delimited input, not NUL-terminated */
    ck_assert(util_str_to_double("2.5xyz", 3, &v));
    ck_assert(v == 2.5);
}
END_TEST

START_TEST(test_double_rejects) {
    static const char *bad[] = {"",    " 1",   "1 ",    "\t1",    "1e",     "abc",
                                "nan", "-nan", "1e400", "-1e400", "1e-400", "1.5.5"};
    double v;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!util_str_to_double(bad[i], strlen(bad[i]), &v), "accepted '%s'", bad[i]);
    ck_assert(!util_str_to_double("1\0", 2, &v));
    /* longer than the stack scratch buffer */
    char big[300];
    memset(big, '0', sizeof(big));
    big[0] = '1';
    big[1] = '.';
    ck_assert(util_str_to_double(big, sizeof(big), &v));
    ck_assert(v == 1.0);
}
END_TEST

START_TEST(test_ldouble) {
    long double v;
    ck_assert(util_str_to_ldouble("10.5", 4, &v));
    ck_assert(v == 10.5L);
    ck_assert(util_str_to_ldouble("1e400", 5, &v)); /* fits a long double */
    ck_assert(util_str_to_ldouble("0x1p3", 5, &v));
    ck_assert(v == 8.0L);
    ck_assert(util_str_to_ldouble("inf", 3, &v));
    ck_assert(isinf(v));
    ck_assert(!util_str_to_ldouble("1e4933", 6, &v));
    ck_assert(!util_str_to_ldouble("1e-5000", 7, &v));
    ck_assert(!util_str_to_ldouble(" 1", 2, &v));
    ck_assert(!util_str_to_ldouble("nan", 3, &v));
    ck_assert(!util_str_to_ldouble("", 0, &v));
    ck_assert(!util_str_to_ldouble("1x", 2, &v));
    /* Redis refuses 5 KiB or more before parsing */
    char *big = malloc(UTIL_LD_STR_MAX);
    memset(big, '0', UTIL_LD_STR_MAX);
    big[0] = '1';
    ck_assert(!util_str_to_ldouble(big, UTIL_LD_STR_MAX, &v));
    big[1] = '.';
    ck_assert(util_str_to_ldouble(big, UTIL_LD_STR_MAX - 1, &v));
    free(big);
}
END_TEST

/* INCRBYFLOAT: parse both operands as Redis does, add, format. */
static const char *incrbyfloat(const char *cur, const char *incr) {
    static char buf[UTIL_LD_STR_MAX];
    long double a, b;
    ck_assert(util_str_to_ldouble(cur, strlen(cur), &a));
    ck_assert(util_str_to_ldouble(incr, strlen(incr), &b));
    int n = util_ldouble_to_str(buf, sizeof(buf), a + b);
    ck_assert_int_gt(n, 0);
    ck_assert_uint_eq(strlen(buf), (size_t)n);
    return buf;
}

START_TEST(test_ldouble_to_str) {
    /* outputs of redis-server 7.0.15's INCRBYFLOAT */
    ck_assert_str_eq(incrbyfloat("10.5", "0.1"), "10.6");
    ck_assert_str_eq(incrbyfloat("0", "5.0e3"), "5000");
    ck_assert_str_eq(incrbyfloat("0", "3e-5"), "0.00003");
    ck_assert_str_eq(incrbyfloat("0", "1e20"), "100000000000000000000");
    ck_assert_str_eq(incrbyfloat("0", "-0"), "0");
    ck_assert_str_eq(incrbyfloat("0", "1e-20"), "0");
    ck_assert_str_eq(incrbyfloat("0", "-1.5"), "-1.5");
    ck_assert_str_eq(incrbyfloat("0", "3.0"), "3");
    ck_assert_str_eq(incrbyfloat("5", "-5"), "0");
    ck_assert_str_eq(incrbyfloat("0", "1.23456789012345678"), "1.23456789012345678");
    ck_assert_str_eq(incrbyfloat("0", "0x10"), "16");
    const char *big = incrbyfloat("0", "1e400");
    ck_assert_uint_eq(strlen(big), 401);
    ck_assert_mem_eq(big, "10000000000000000000281880683947586514586453433629052038625910", 62);
}
END_TEST

START_TEST(test_ldouble_to_str_errors) {
    char buf[64];
    ck_assert_int_eq(util_ldouble_to_str(buf, sizeof(buf), INFINITY), 0);
    ck_assert_int_eq(util_ldouble_to_str(buf, sizeof(buf), -INFINITY), 0);
    ck_assert_int_eq(util_ldouble_to_str(buf, sizeof(buf), NAN), 0);
    ck_assert_int_eq(util_ldouble_to_str(buf, sizeof(buf), 1e100L), 0); /* no room */
    ck_assert_int_eq(util_ldouble_to_str(buf, 5, 1.5L), 0);             /* "1.50000..." needs 20 */
    ck_assert_int_eq(util_ldouble_to_str(buf, 21, 1.5L), 3);
    ck_assert_str_eq(buf, "1.5");
}
END_TEST

/* ---- bytes_to_human ---------------------------------------------------------------- */

static const char *human(unsigned long long n) {
    static char buf[64];
    util_bytes_to_human(buf, sizeof(buf), n);
    return buf;
}

START_TEST(test_bytes_to_human) {
    ck_assert_str_eq(human(0), "0B");
    ck_assert_str_eq(human(200), "200B");
    ck_assert_str_eq(human(1023), "1023B");
    ck_assert_str_eq(human(1024), "1.00K");
    ck_assert_str_eq(human(32768), "32.00K");
    ck_assert_str_eq(human(1536), "1.50K");
    ck_assert_str_eq(human(1024 * 1024 - 1), "1024.00K");
    ck_assert_str_eq(human(1363148), "1.30M");
    ck_assert_str_eq(human(1ULL << 30), "1.00G");
    ck_assert_str_eq(human(25275846656ULL), "23.54G");
    ck_assert_str_eq(human(1ULL << 40), "1.00T");
    ck_assert_str_eq(human(3ULL << 50), "3.00P");
    ck_assert_str_eq(human(1ULL << 60), "1152921504606846976B");
    char small[4];
    util_bytes_to_human(small, sizeof(small), 123456); /* truncated, still terminated */
    ck_assert_str_eq(small, "120");
}
END_TEST

/* ---- randomness -------------------------------------------------------------------- */

START_TEST(test_random_hex) {
    char a[41], b[41];
    memset(a, '#', sizeof(a));
    util_random_hex(a, 40);
    ck_assert_int_eq(a[40], '#'); /* writes exactly len chars */
    a[40] = '\0';
    ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 40);
    util_random_hex(b, 40);
    b[40] = '\0';
    ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_random_bytes) {
    unsigned char buf[37];
    memset(buf, 0, sizeof(buf));
    util_random_bytes(buf, sizeof(buf));
    int zeros = 0;
    for (size_t i = 0; i < sizeof(buf); i++)
        zeros += buf[i] == 0;
    ck_assert_int_lt(zeros, 10);
}
END_TEST

START_TEST(test_rand64_seeded_and_spread) {
    util_rand_seed(42);
    uint64_t first[8];
    for (int i = 0; i < 8; i++)
        first[i] = util_rand64();
    util_rand_seed(42);
    for (int i = 0; i < 8; i++)
        ck_assert(util_rand64() == first[i]);
    /* every bit is set in some draws and clear in others */
    uint64_t ored = 0, anded = ~0ULL;
    int buckets[16] = {0};
    for (int i = 0; i < 16000; i++) {
        uint64_t x = util_rand64();
        ored |= x;
        anded &= x;
        buckets[x % 16]++;
    }
    ck_assert(ored == ~0ULL);
    ck_assert(anded == 0);
    for (int i = 0; i < 16; i++)
        ck_assert_int_gt(buckets[i], 800);
}
END_TEST

static Suite *util_suite(void) {
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("integers");
    tcase_add_test(tc, test_ll_accepts);
    tcase_add_test(tc, test_ll_rejects);
    tcase_add_test(tc, test_ull);
    tcase_add_test(tc, test_ll_to_str);
    suite_add_tcase(s, tc);

    tc = tcase_create("floats");
    tcase_add_test(tc, test_double_accepts);
    tcase_add_test(tc, test_double_rejects);
    tcase_add_test(tc, test_ldouble);
    tcase_add_test(tc, test_ldouble_to_str);
    tcase_add_test(tc, test_ldouble_to_str_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    tcase_add_test(tc, test_bytes_to_human);
    suite_add_tcase(s, tc);

    tc = tcase_create("random");
    tcase_add_test(tc, test_random_hex);
    tcase_add_test(tc, test_random_bytes);
    tcase_add_test(tc, test_rand64_seeded_and_spread);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(util_suite());
}
