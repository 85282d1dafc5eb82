/* test_server_options.c - the server's option table: every default within its bounds, every
 * enum default a listed name, and every option documented in docs/OPERATIONS.md. */
#include <check.h>

#include "check_main.h"

#include "common/buf.h"
#include "common/config.h"
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_defaults_within_bounds) {
    cfg_defaults(&server_cfg_table);
    for (const CfgOption *o = server_options; o->name; o++) {
        if (o->type != CFG_T_INT && o->type != CFG_T_BYTES) continue;
        long long v = *(long long *)((char *)&cfg + o->offset);
        ck_assert_msg(v >= o->min && v <= o->max, "%s default %lld outside [%lld, %lld]",
                      o->name, v, o->min, o->max);
    }
}
END_TEST

START_TEST(test_enum_defaults_are_listed) {
    for (const CfgOption *o = server_options; o->name; o++) {
        if (o->type != CFG_T_ENUM) continue;
        bool found = false;
        for (const CfgEnum *e = o->names; e->name; e++) found |= e->value == o->def;
        ck_assert_msg(found, "%s default is not one of its names", o->name);
    }
}
END_TEST

START_TEST(test_defaults_format_back) {
    cfg_defaults(&server_cfg_table);
    for (const CfgOption *o = server_options; o->name; o++) {
        Buf b = BUF_INIT;
        cfg_format(&server_cfg_table, o, &b);
        if (o->def_str && strcmp(o->name, "dir") != 0)
            ck_assert_msg(!strcmp(buf_cstr(&b), o->def_str), "%s formats as '%s', not '%s'",
                          o->name, buf_cstr(&b), o->def_str);
        buf_deinit(&b);
    }
}
END_TEST

START_TEST(test_every_option_documented) {
    char *doc = check_read_file(VIGIL_SOURCE_DIR "/docs/OPERATIONS.md");
    ck_assert_ptr_nonnull(doc);
    for (const CfgOption *o = server_options; o->name; o++) {
        char needle[128];
        snprintf(needle, sizeof(needle), "`%s`", o->name);
        ck_assert_msg(strstr(doc, needle) != NULL, "docs/OPERATIONS.md does not name %s",
                      o->name);
    }
    free(doc);
}
END_TEST

int main(void) {
    Suite *s = suite_create("server_options");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, test_defaults_within_bounds);
    tcase_add_test(tc, test_enum_defaults_are_listed);
    tcase_add_test(tc, test_defaults_format_back);
    tcase_add_test(tc, test_every_option_documented);
    suite_add_tcase(s, tc);
    return check_run_suite(s);
}
