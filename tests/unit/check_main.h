/* check_main.h - the one main() body every unit suite shares: run the suite, print check's
 * summary, exit non-zero when any test failed. */
#ifndef VIGIL_TESTS_CHECK_MAIN_H
#define VIGIL_TESTS_CHECK_MAIN_H

#include <check.h>

#include <stdlib.h>

static inline int check_run_suite(Suite *s) {
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
