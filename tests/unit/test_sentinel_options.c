/* test_sentinel_options.c - the sentinel's option table and its [monitor NAME] sections:
 * the table is consistent, every option is documented in docs/OPERATIONS.md, and config
 * files with monitor sections load (or fail with file:line) as documented. */
#include <check.h>

#include "check_main.h"

#include "common/buf.h"
#include "common/config.h"
#include "sentinel/sentinel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const monitor_options[] = {
    "host", "port", "quorum", "down-after-milliseconds", "failover-timeout", "parallel-syncs",
    "auth-pass", "auth-user", "master-reboot-down-after-period", NULL};

/* Loads `text` as a config file; returns cfg_load_file's result, message in err. */
static int load_text(const char *text, Buf *err) {
    char path[] = "/tmp/vigil-sentinel-opt-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    while (sentinel.nmasters) sentinel_remove_master(sentinel.masters[0]);
    sentinel_timers_defaults(&sentinel.t);
    cfg_defaults(&sentinel_cfg_table);
    int rc = cfg_load_file(&sentinel_cfg_table, path, "monitor", sconfig_monitor_option, NULL,
                           err);
    if (rc == 0) {
        const char *m = sconfig_check_masters();
        if (m) {
            buf_append_str(err, m);
            rc = -1;
        }
    }
    unlink(path);
    return rc;
}

START_TEST(test_table_is_consistent) {
    Buf err = BUF_INIT;
    ck_assert_msg(cfg_check_table(&sentinel_cfg_table, &err) == 0, "%s", buf_cstr(&err));
    buf_deinit(&err);
}
END_TEST

START_TEST(test_every_option_documented) {
    char *doc = check_read_file(VIGIL_SOURCE_DIR "/docs/OPERATIONS.md");
    ck_assert_ptr_nonnull(doc);
    char *sec = strstr(doc, "## Running vigil-sentinel");
    ck_assert_msg(sec != NULL, "docs/OPERATIONS.md has no 'Running vigil-sentinel' section");
    char needle[128];
    for (const CfgOption *o = sentinel_cfg_table.options; o->name; o++) {
        snprintf(needle, sizeof(needle), "`%s`", o->name);
        ck_assert_msg(strstr(sec, needle) != NULL, "OPERATIONS.md's sentinel part lacks %s",
                      o->name);
    }
    for (int i = 0; monitor_options[i]; i++) {
        snprintf(needle, sizeof(needle), "`%s`", monitor_options[i]);
        ck_assert_msg(strstr(sec, needle) != NULL, "OPERATIONS.md's sentinel part lacks %s",
                      monitor_options[i]);
    }
    free(doc);
}
END_TEST

START_TEST(test_monitor_sections) {
    Buf err = BUF_INIT;
    int rc = load_text("[sentinel]\nport = 26400\n"
                       "[monitor mymaster]\nhost = 127.0.0.1\nport = 7379\nquorum = 2\n"
                       "down-after-milliseconds = 1500\nparallel-syncs = 3\n"
                       "[monitor other]\nhost = ::1\nport = 7400\nquorum = 1\n",
                       &err);
    ck_assert_msg(rc == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(sentinel.nmasters, 2);
    Instance *m = sentinel_master_by_name("mymaster");
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->ip, "127.0.0.1");
    ck_assert_int_eq(m->port, 7379);
    ck_assert_uint_eq(m->quorum, 2);
    ck_assert_int_eq(m->down_after_period, 1500);
    ck_assert_int_eq(m->parallel_syncs, 3);
    ck_assert_int_eq(m->failover_timeout, 180000);
    ck_assert_ptr_nonnull(sentinel_master_by_addr("::1", 7400));
    ck_assert_int_eq(scfg.port, 26400);
    buf_deinit(&err);
}
END_TEST

START_TEST(test_monitor_errors) {
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"[monitor m]\nhost = 127.0.0.1\nport = 1\n", "needs quorum"},
        {"[monitor m]\nport = 1\nquorum = 1\n", "needs host and port"},
        {"[monitor m]\nhost = not an ip\nport = 1\nquorum = 1\n", ":2:"},
        {"[monitor m]\nhost = 127.0.0.1\nport = 70000\nquorum = 1\n", ":3:"},
        {"[monitor m]\nhost = 127.0.0.1\nport = 1\nquorum = 0\n", ":4:"},
        {"[monitor m]\nhost = 127.0.0.1\nport = 1\nquorum = 1\nbogus = 2\n", ":5:"},
        {"[monitor]\nhost = 127.0.0.1\n", ":2:"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        Buf err = BUF_INIT;
        ck_assert_msg(load_text(cases[i].text, &err) != 0, "case %zu loaded", i);
        ck_assert_msg(strstr(buf_cstr(&err), cases[i].want) != NULL, "case %zu: '%s'", i,
                      buf_cstr(&err));
        buf_deinit(&err);
    }
}
END_TEST

int main(void) {
    Suite *s = suite_create("sentinel_options");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, test_table_is_consistent);
    tcase_add_test(tc, test_every_option_documented);
    tcase_add_test(tc, test_monitor_sections);
    tcase_add_test(tc, test_monitor_errors);
    suite_add_tcase(s, tc);
    return check_run_suite(s);
}
