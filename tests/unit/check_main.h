/* check_main.h - the one main() body every unit suite shares: run the suite, print check's
 * summary, exit non-zero when any test failed. */
#ifndef VIGIL_TESTS_CHECK_MAIN_H
#define VIGIL_TESTS_CHECK_MAIN_H

#include <check.h>

#include <stdio.h>
#include <stdlib.h>

/* The whole file as a NUL-terminated string (free() it), or NULL. */
static inline char *check_read_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)(n < 0 ? 0 : n) + 1);
    size_t got = s ? fread(s, 1, (size_t)(n < 0 ? 0 : n), f) : 0;
    if (s) s[got] = '\0';
    fclose(f);
    return s;
}

static inline int check_run_suite(Suite *s) {
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
