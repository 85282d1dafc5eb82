/* test_buf.c - Buf: growth, appends, printf, consume, shrink and steal. */
#include <check.h>

#include "check_main.h"

#include "common/buf.h"
#include "common/mem.h"

#include <string.h>

START_TEST(test_empty_buf_has_no_storage) {
    Buf b = BUF_INIT;
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_str_eq(buf_cstr(&b), "");
    buf_deinit(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_append_grows_and_keeps_bytes) {
    Buf b = BUF_INIT;
    for (int i = 0; i < 10000; i++) buf_append(&b, "0123456789", 10);
    ck_assert_uint_eq(b.len, 100000);
    ck_assert_uint_ge(b.cap, b.len + 1);
    for (size_t i = 0; i < b.len; i++) ck_assert_int_eq(b.data[i], '0' + (int)(i % 10));
    buf_deinit(&b);
}
END_TEST

START_TEST(test_binary_safe) {
    Buf b = BUF_INIT;
    buf_append(&b, "a\0b\r\n", 5);
    buf_append_char(&b, '\0');
    ck_assert_uint_eq(b.len, 6);
    ck_assert_mem_eq(b.data, "a\0b\r\n\0", 6);
    buf_deinit(&b);
}
END_TEST

START_TEST(test_printf_long_and_short) {
    Buf b = BUF_INIT;
    buf_printf(&b, "%d-%s", 42, "x");
    ck_assert_str_eq(buf_cstr(&b), "42-x");
    char big[5000];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    buf_printf(&b, "[%s]", big);
    ck_assert_uint_eq(b.len, 4 + 2 + sizeof(big) - 1);
    ck_assert_int_eq(b.data[4], '[');
    ck_assert_int_eq(b.data[b.len - 1], ']');
    buf_deinit(&b);
}
END_TEST

START_TEST(test_consume_front) {
    Buf b = BUF_INIT;
    buf_append_str(&b, "hello world");
    buf_consume(&b, 6);
    ck_assert_str_eq(buf_cstr(&b), "world");
    buf_consume(&b, 100);
    ck_assert_uint_eq(b.len, 0);
    buf_deinit(&b);
}
END_TEST

START_TEST(test_reserve_returns_write_position) {
    Buf b = BUF_INIT;
    buf_append_str(&b, "ab");
    char *w = buf_reserve(&b, 3);
    memcpy(w, "cde", 3);
    b.len += 3;
    ck_assert_str_eq(buf_cstr(&b), "abcde");
    buf_deinit(&b);
}
END_TEST

START_TEST(test_shrink_releases_memory) {
    Buf b = BUF_INIT;
    buf_reserve(&b, 1 << 20);
    buf_append_str(&b, "tiny");
    size_t before = mem_used_bytes();
    buf_shrink(&b, 64);
    ck_assert_uint_lt(b.cap, 1 << 20);
    ck_assert_uint_lt(mem_used_bytes(), before);
    ck_assert_str_eq(buf_cstr(&b), "tiny");
    buf_clear(&b);
    buf_shrink(&b, 0);
    ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_steal_transfers_ownership) {
    Buf b = BUF_INIT;
    buf_append_str(&b, "mine");
    size_t len;
    char *p = buf_steal(&b, &len);
    ck_assert_uint_eq(len, 4);
    ck_assert_str_eq(p, "mine");
    ck_assert_ptr_null(b.data);
    mem_free(p);
}
END_TEST

START_TEST(test_mem_accounting_balances) {
    size_t before = mem_used_bytes();
    void *p = mem_alloc(1000);
    ck_assert_uint_ge(mem_used_bytes(), before + 1000);
    p = mem_realloc(p, 100000);
    ck_assert_uint_ge(mem_used_bytes(), before + 100000);
    mem_free(p);
    ck_assert_uint_eq(mem_used_bytes(), before);
}
END_TEST

int main(void) {
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("buf");
    tcase_add_test(tc, test_empty_buf_has_no_storage);
    tcase_add_test(tc, test_append_grows_and_keeps_bytes);
    tcase_add_test(tc, test_binary_safe);
    tcase_add_test(tc, test_printf_long_and_short);
    tcase_add_test(tc, test_consume_front);
    tcase_add_test(tc, test_reserve_returns_write_position);
    tcase_add_test(tc, test_shrink_releases_memory);
    tcase_add_test(tc, test_steal_transfers_ownership);
    tcase_add_test(tc, test_mem_accounting_balances);
    suite_add_tcase(s, tc);
    return check_run_suite(s);
}
