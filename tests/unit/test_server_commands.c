/* test_server_commands.c - the command table: every command and subcommand has its metadata
 * row (ACL categories, tips, key specs: command_meta.c), names are lowercase and unique, and
 * arities and key ranges are consistent. */
#include <check.h>

#include "check_main.h"
#include "server/command_meta.h"
#include "server/commands.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int missing_meta;
static int bad_names;
static int bad_keys;

static void check_command(Command *cmd, void *ud) {
    (void)ud;
    const CmdSpec *s = cmd->spec;
    if (!command_meta_lookup(cmd->fullname)) {
        fprintf(stderr, "no command_meta row for %s\n", cmd->fullname);
        missing_meta++;
    }
    for (const char *p = s->name; *p; p++)
        if (isupper((unsigned char)*p)) bad_names++;
    if (s->arity == 0 && !s->subcommands) bad_names++;
    int n = s->arity < 0 ? -s->arity : s->arity;
    if (s->keys.first > 0 && s->arity > 0 && s->keys.last > 0 && s->keys.last >= n) {
        fprintf(stderr, "%s: last key %d beyond arity %d\n", cmd->fullname, s->keys.last,
                s->arity);
        bad_keys++;
    }
    if (s->keys.first > 0 && s->keys.step <= 0) bad_keys++;
}

START_TEST(test_every_command_has_meta_and_sane_spec) {
    commands_init();
    commands_each(check_command, NULL, true);
    ck_assert_int_eq(missing_meta, 0);
    ck_assert_int_eq(bad_names, 0);
    ck_assert_int_eq(bad_keys, 0);
    ck_assert_int_gt(commands_count(), 50);
}
END_TEST

START_TEST(test_lookup_is_case_insensitive) {
    commands_init();
    Command *a = command_lookup("GeT", 3);
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->fullname, "get");
    Command *cfg = command_lookup("config", 6);
    ck_assert_ptr_nonnull(cfg);
    Command *sub = command_lookup_sub(cfg, "GET", 3);
    ck_assert_ptr_nonnull(sub);
    ck_assert_str_eq(sub->fullname, "config|get");
    ck_assert_ptr_null(command_lookup("nosuchcommand", 13));
}
END_TEST

int main(void) {
    Suite *s = suite_create("server_commands");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, test_every_command_has_meta_and_sane_spec);
    tcase_add_test(tc, test_lookup_is_case_insensitive);
    suite_add_tcase(s, tc);
    return check_run_suite(s);
}
