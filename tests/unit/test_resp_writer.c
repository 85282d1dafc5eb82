/* test_resp_writer.c - check suite for common/resp_writer: every reply type in RESP2 and
 * RESP3 byte for byte (texts as redis-server 7.0.15 sends them), deferred aggregate headers,
 * and Redis's double formatting. */
#include "common/buf.h"
#include "common/resp_writer.h"

#include <check.h>

#include "check_main.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static Buf out;

static void setup(void) {
    buf_init(&out);
}

static void teardown(void) {
    buf_deinit(&out);
}

/* out must hold exactly want[0..len); then it is cleared for the next check. */
static void expect_n(const char *want, size_t len) {
    ck_assert_uint_eq(out.len, len);
    ck_assert_mem_eq(out.data, want, len);
    buf_clear(&out);
}

#define expect(lit) expect_n(lit, sizeof(lit) - 1)

/* ---- scalar types ------------------------------------------------------------------ */

START_TEST(test_simple_and_error) {
    resp_simple(&out, "OK", 2);
    expect("+OK\r\n");
    resp_error(&out, "ERR no such key", 15);
    expect("-ERR no such key\r\n");
    /* CR and LF inside would break the framing: they become spaces, as in Redis. */
    resp_error(&out, "ERR a\r\nb", 8);
    expect("-ERR a  b\r\n");
    resp_simple(&out, "x\ny", 3);
    expect("+x y\r\n");
    resp_simple(&out, "", 0);
    expect("+\r\n");
}
END_TEST

START_TEST(test_integers) {
    resp_int(&out, 0);
    expect(":0\r\n");
    resp_int(&out, -1);
    expect(":-1\r\n");
    resp_int(&out, LLONG_MAX);
    expect(":9223372036854775807\r\n");
    resp_int(&out, LLONG_MIN);
    expect(":-9223372036854775808\r\n");
}
END_TEST

START_TEST(test_bulks) {
    resp_bulk(&out, "hello", 5);
    expect("$5\r\nhello\r\n");
    resp_bulk(&out, "", 0);
    expect("$0\r\n\r\n");
    resp_bulk(&out, "a\0\r\nb", 5);
    expect("$5\r\na\0\r\nb\r\n");
    resp_bulk_cstr(&out, "abc");
    expect("$3\r\nabc\r\n");
    resp_bulk_ll(&out, -42);
    expect("$3\r\n-42\r\n");
    resp_bulk_ll(&out, LLONG_MIN);
    expect("$20\r\n-9223372036854775808\r\n");
    char big[1000];
    memset(big, 'x', sizeof(big));
    resp_bulk(&out, big, sizeof(big));
    ck_assert_uint_eq(out.len, 7 + 1000 + 2);
    ck_assert_mem_eq(out.data, "$1000\r\nx", 8);
    ck_assert_mem_eq(out.data + out.len - 3, "x\r\n", 3);
}
END_TEST

START_TEST(test_nulls) {
    resp_null(&out, 2);
    expect("$-1\r\n");
    resp_null(&out, 3);
    expect("_\r\n");
    resp_null_array(&out, 2);
    expect("*-1\r\n");
    resp_null_array(&out, 3);
    expect("_\r\n");
}
END_TEST

START_TEST(test_bool) {
    resp_bool(&out, 2, true);
    resp_bool(&out, 2, false);
    expect(":1\r\n:0\r\n");
    resp_bool(&out, 3, true);
    resp_bool(&out, 3, false);
    expect("#t\r\n#f\r\n");
}
END_TEST

START_TEST(test_verbatim_and_bignum) {
    resp_verbatim(&out, 3, "txt", "hi\r\n", 4);
    expect("=8\r\ntxt:hi\r\n\r\n");
    resp_verbatim(&out, 3, "mkd", "", 0);
    expect("=4\r\nmkd:\r\n");
    resp_verbatim(&out, 2, "txt", "hi", 2);
    expect("$2\r\nhi\r\n");
    resp_bignum(&out, 3, "1234567890123456789012345", 25);
    expect("(1234567890123456789012345\r\n");
    resp_bignum(&out, 2, "-12", 3);
    expect("$3\r\n-12\r\n");
}
END_TEST

/* ---- aggregates -------------------------------------------------------------------- */

START_TEST(test_aggregate_headers) {
    resp_array(&out, 3);
    expect("*3\r\n");
    resp_array(&out, 0);
    expect("*0\r\n");
    resp_map(&out, 3, 2);
    expect("%2\r\n");
    resp_map(&out, 2, 2);
    expect("*4\r\n");
    resp_set(&out, 3, 5);
    expect("~5\r\n");
    resp_set(&out, 2, 5);
    expect("*5\r\n");
    resp_push(&out, 3, 3);
    expect(">3\r\n");
    resp_push(&out, 2, 3);
    expect("*3\r\n");
}
END_TEST

START_TEST(test_agg_char) {
    ck_assert_int_eq(resp_agg_char(3, '%'), '%');
    ck_assert_int_eq(resp_agg_char(3, '~'), '~');
    ck_assert_int_eq(resp_agg_char(3, '>'), '>');
    ck_assert_int_eq(resp_agg_char(2, '%'), '*');
    ck_assert_int_eq(resp_agg_char(2, '~'), '*');
    ck_assert_int_eq(resp_agg_char(2, '>'), '*');
    ck_assert_int_eq(resp_agg_char(2, '*'), '*');
}
END_TEST

/* A deferred array of n ":i" elements after a "+pre" prefix, checked against the direct
 * encoding. */
static void check_deferred(long long n, char kind) {
    Buf want = BUF_INIT;
    resp_simple(&want, "pre", 3);
    buf_printf(&want, "%c%lld\r\n", kind, n);
    for (long long i = 0; i < n; i++)
        resp_int(&want, i);
    resp_simple(&want, "post", 4);

    resp_simple(&out, "pre", 3);
    size_t h = resp_deferred_begin(&out);
    for (long long i = 0; i < n; i++)
        resp_int(&out, i);
    resp_deferred_end(&out, h, kind, n);
    resp_simple(&out, "post", 4);
    ck_assert_uint_eq(out.len, want.len);
    ck_assert_mem_eq(out.data, want.data, want.len);
    buf_clear(&out);
    buf_deinit(&want);
}

START_TEST(test_deferred_counts) {
    check_deferred(0, '*');
    check_deferred(9, '*');
    check_deferred(10, '%');
    check_deferred(1000, '~');
    check_deferred(123456, '*'); /* header longer than the reservation */
}
END_TEST

START_TEST(test_deferred_nested) {
    size_t outer = resp_deferred_begin(&out);
    size_t inner = resp_deferred_begin(&out);
    resp_bulk(&out, "a", 1);
    resp_deferred_end(&out, inner, '*', 1);
    resp_bulk(&out, "b", 1);
    resp_deferred_end(&out, outer, '*', 2);
    expect("*2\r\n*1\r\n$1\r\na\r\n$1\r\nb\r\n");
}
END_TEST

START_TEST(test_deferred_empty_buffer_end) {
    /* nothing after the header: no move, just the header */
    size_t h = resp_deferred_begin(&out);
    resp_deferred_end(&out, h, '*', 0);
    expect("*0\r\n");
    h = resp_deferred_begin(&out);
    resp_deferred_end(&out, h, '*', 10000000000LL);
    expect("*10000000000\r\n");
}
END_TEST

/* ---- doubles ----------------------------------------------------------------------- */

START_TEST(test_double_resp2) {
    resp_double(&out, 2, 1.5);
    expect("$3\r\n1.5\r\n");
    resp_double(&out, 2, 0.1);
    expect("$19\r\n0.10000000000000001\r\n");
    resp_double(&out, 2, 1e300);
    expect("$23\r\n1.0000000000000001e+300\r\n");
    resp_double(&out, 2, INFINITY);
    expect("$3\r\ninf\r\n");
    resp_double(&out, 2, -INFINITY);
    expect("$4\r\n-inf\r\n");
    resp_double(&out, 2, 3.0);
    expect("$1\r\n3\r\n");
}
END_TEST

START_TEST(test_double_resp3) {
    resp_double(&out, 3, 1.5);
    expect(",1.5\r\n");
    resp_double(&out, 3, 0.1);
    expect(",0.10000000000000001\r\n");
    resp_double(&out, 3, 1e300);
    expect(",1.0000000000000001e+300\r\n");
    resp_double(&out, 3, 1e-300);
    expect(",1e-300\r\n");
    resp_double(&out, 3, INFINITY);
    expect(",inf\r\n");
    resp_double(&out, 3, -INFINITY);
    expect(",-inf\r\n");
    resp_double(&out, 3, NAN);
    expect(",nan\r\n");
    resp_double(&out, 3, -0.0);
    expect(",-0\r\n");
}
END_TEST

START_TEST(test_fmt_double) {
    char buf[128];
    ck_assert_int_eq(resp_fmt_double(buf, 1.5), 3);
    ck_assert_str_eq(buf, "1.5");
    resp_fmt_double(buf, -INFINITY);
    ck_assert_str_eq(buf, "-inf");
    resp_fmt_double(buf, INFINITY);
    ck_assert_str_eq(buf, "inf");
    resp_fmt_double(buf, -NAN);
    ck_assert_str_eq(buf, "nan");
    resp_fmt_double(buf, -1.7976931348623157e308);
    ck_assert_str_eq(buf, "-1.7976931348623157e+308");
    resp_fmt_double(buf, 5e-324);
    ck_assert_str_eq(buf, "4.9406564584124654e-324");
}
END_TEST

START_TEST(test_ll_to_str) {
    char buf[21];
    ck_assert_int_eq(resp_ll_to_str(buf, 0), 1);
    ck_assert_str_eq(buf, "0");
    ck_assert_int_eq(resp_ll_to_str(buf, LLONG_MIN), 20);
    ck_assert_str_eq(buf, "-9223372036854775808");
    ck_assert_int_eq(resp_ll_to_str(buf, 1234567), 7);
    ck_assert_str_eq(buf, "1234567");
}
END_TEST

/* Replies that fit in the room already reserved never reallocate. */
START_TEST(test_appends_reuse_capacity) {
    buf_reserve(&out, 4096);
    size_t cap = out.cap;
    char *data = out.data;
    for (int i = 0; i < 50; i++) {
        resp_int(&out, i);
        resp_bulk(&out, "abc", 3);
        resp_double(&out, 3, 0.25);
    }
    ck_assert_uint_eq(out.cap, cap);
    ck_assert_ptr_eq(out.data, data);
}
END_TEST

static Suite *resp_writer_suite(void) {
    Suite *s = suite_create("resp_writer");
    TCase *tc = tcase_create("scalars");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_simple_and_error);
    tcase_add_test(tc, test_integers);
    tcase_add_test(tc, test_bulks);
    tcase_add_test(tc, test_nulls);
    tcase_add_test(tc, test_bool);
    tcase_add_test(tc, test_verbatim_and_bignum);
    tcase_add_test(tc, test_appends_reuse_capacity);
    suite_add_tcase(s, tc);

    tc = tcase_create("aggregates");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_aggregate_headers);
    tcase_add_test(tc, test_agg_char);
    tcase_add_test(tc, test_deferred_counts);
    tcase_add_test(tc, test_deferred_nested);
    tcase_add_test(tc, test_deferred_empty_buffer_end);
    suite_add_tcase(s, tc);

    tc = tcase_create("doubles");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_double_resp2);
    tcase_add_test(tc, test_double_resp3);
    tcase_add_test(tc, test_fmt_double);
    tcase_add_test(tc, test_ll_to_str);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(resp_writer_suite());
}
