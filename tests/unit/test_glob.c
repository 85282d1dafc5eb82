/* test_glob.c - glob_match against Redis 7.0's stringmatchlen.
 *
 * The edge-case table was checked against redis-server 7.0.15 with SET + KEYS (CONFIG GET
 * for most case-insensitive rows), plus 12,000 random patterns over the syntax characters. */
#include "common/glob.h"

#include <check.h>

#include "check_main.h"

#include <stdlib.h>
#include <string.h>

typedef struct GlobCase {
    const char *pat;
    const char *str;
    bool match;
} GlobCase;

static void check_table(const GlobCase *cases, size_t n, bool nocase) {
    for (size_t i = 0; i < n; i++) {
        bool got = glob_match_cstr(cases[i].pat, cases[i].str, nocase);
        ck_assert_msg(got == cases[i].match, "pattern '%s' string '%s': got %d want %d",
                      cases[i].pat, cases[i].str, got, cases[i].match);
    }
}

/* clang-format off */
static const GlobCase basic_cases[] = {
    {"", "", true},          {"", "a", false},          {"?", "", false},
    {"*", "a", true},        {"**", "abc", true},       {"a*", "a", true},
    {"*a", "a", true},       {"*a*", "bab", true},      {"a*b*c", "abc", true},
    {"a*b*c", "axxbyyc", true}, {"a*b*c", "axxbyy", false},
    {"h?llo", "hello", true}, {"h*llo", "hllo", true},  {"h[ae]llo", "hallo", true},
    {"h[ae]llo", "hillo", false}, {"h[^e]llo", "hallo", true}, {"h[^e]llo", "hello", false},
    {"h[a-b]llo", "hbllo", true}, {"user:*", "user:1000", true}, {"user:*", "users", false},
};

/* Redis treats the pattern's end as closing an open class, ranges swap reversed ends, and a
 * range may end at ']' ("[a-]" is the range ']'..'a'). */
static const GlobCase class_cases[] = {
    {"[abc", "a", true},     {"[abc", "d", false},      {"[abc", "[", false},
    {"[abc", "ab", false},   {"x[abc", "xc", true},     {"[", "[", false},
    {"[", "a", false},       {"[]", "]", false},        {"[]", "a", false},
    {"[]]", "]", false},     {"[^]", "a", true},        {"[^]", "]", true},
    {"[^", "a", true},       {"[^a", "b", true},        {"[^a", "a", false},
    {"[z-a]", "m", true},    {"[z-a]", "A", false},     {"[a-z]", "-", false},
    {"[a-]", "-", false},    {"[a-]", "_", true},       {"[a-]", "]", true},
    {"[a-]x", "x", true},    {"[a-]x", "_x", false},    {"[-a]", "-", true},
    {"[-a]", "a", true},     {"[-]", "-", true},        {"[a-c-e]", "d", false},
    {"[a-c-e]", "-", true},  {"[ac-]", "-", false},     {"[^-]", "-", false},
    {"[^a-c]", "b", false},  {"[^a-c]", "d", true},     {"[*]", "*", true},
    {"[*]", "a", false},     {"[?]", "a", false},       {"*[", "ab", false},
};

static const GlobCase escape_cases[] = {
    {"[\\]]", "]", true},    {"[\\]", "]", true},       {"[\\]", "\\", false},
    {"[\\", "\\", true},     {"[a\\-z]", "-", true},    {"[a\\-z]", "m", false},
    {"\\", "\\", true},      {"a\\", "a\\", true},      {"\\*", "*", true},
    {"\\*", "a", false},     {"\\?", "?", true},        {"\\a", "a", true},
    {"\\[a]", "[a]", true},  {"\\[a]", "a", false},
};

/* Range ends compare as signed chars (x86 Redis): [a-\xff] is the range -1..'a'. */
static const GlobCase signed_cases[] = {
    {"[a-\xff]", "\x80", false}, {"[a-\xff]", "b", false}, {"[a-\xff]", "A", true},
    {"[\x01-\x80]", "a", false}, {"[\x01-\x80]", "\x90", true},
};

/* Case-insensitive: ranges are lowercased after their ends are ordered, so [Z-a] is empty. */
static const GlobCase nocase_cases[] = {
    {"MaxMemor?", "maxmemory", true},    {"[L-N]axmemory", "maxmemory", true},
    {"[Z-a]axmemory", "maxmemory", false}, {"[a-Z]axmemory", "maxmemory", false},
    {"[M-m]axmemory", "maxmemory", true}, {"[^M]axmemory", "maxmemory", false},
    {"[A-C]ind", "bind", true},          {"HELLO", "hello", true},
    {"h\\ELLO", "hello", true},          {"[[]", "[", true},
    {"@", "`", false},
};
/* clang-format on */

START_TEST(test_basic_wildcards) {
    check_table(basic_cases, sizeof(basic_cases) / sizeof(basic_cases[0]), false);
}
END_TEST

START_TEST(test_classes_match_redis_quirks) {
    check_table(class_cases, sizeof(class_cases) / sizeof(class_cases[0]), false);
}
END_TEST

START_TEST(test_escapes_inside_and_outside_classes) {
    check_table(escape_cases, sizeof(escape_cases) / sizeof(escape_cases[0]), false);
}
END_TEST

START_TEST(test_range_ends_compare_signed) {
    check_table(signed_cases, sizeof(signed_cases) / sizeof(signed_cases[0]), false);
}
END_TEST

START_TEST(test_nocase) {
    check_table(nocase_cases, sizeof(nocase_cases) / sizeof(nocase_cases[0]), true);
    ck_assert(!glob_match_cstr("HELLO", "hello", false));
}
END_TEST

START_TEST(test_empty_string_matches_only_empty_pattern) {
    ck_assert(glob_match("", 0, "", 0, false));
    ck_assert(!glob_match("*", 1, "", 0, false));
    ck_assert(!glob_match("**", 2, "", 0, false));
}
END_TEST

START_TEST(test_binary_safe) {
    ck_assert(glob_match("a\0*", 3, "a\0bc", 4, false));
    ck_assert(!glob_match("a\0*", 3, "a\1bc", 4, false));
    ck_assert(glob_match("?\0?", 3, "x\0y", 3, false));
    ck_assert(glob_match("[\0]", 3, "\0", 1, false));
}
END_TEST

static char *repeat_char(char c, size_t n) {
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

START_TEST(test_hostile_star_pattern_is_polynomial) {
    char *s = repeat_char('a', 10000);
    ck_assert(!glob_match_cstr("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s, false));
    ck_assert(glob_match_cstr("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", s, false));
    ck_assert(!glob_match_cstr("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b*", s, false));
    ck_assert(!glob_match_cstr("*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*[b]", s, true));
    free(s);
}
END_TEST

START_TEST(test_long_pattern_of_stars) {
    char *pat = repeat_char('*', 100000);
    char *s = repeat_char('x', 1000);
    ck_assert(glob_match_cstr(pat, s, false));
    pat[99999] = 'y';
    ck_assert(!glob_match_cstr(pat, s, false));
    free(pat);
    free(s);
}
END_TEST

static Suite *glob_suite(void) {
    Suite *s = suite_create("glob");
    TCase *syntax = tcase_create("syntax");
    tcase_add_test(syntax, test_basic_wildcards);
    tcase_add_test(syntax, test_classes_match_redis_quirks);
    tcase_add_test(syntax, test_escapes_inside_and_outside_classes);
    tcase_add_test(syntax, test_range_ends_compare_signed);
    tcase_add_test(syntax, test_nocase);
    tcase_add_test(syntax, test_empty_string_matches_only_empty_pattern);
    tcase_add_test(syntax, test_binary_safe);
    suite_add_tcase(s, syntax);
    TCase *cost = tcase_create("cost");
    tcase_add_test(cost, test_hostile_star_pattern_is_polynomial);
    tcase_add_test(cost, test_long_pattern_of_stars);
    suite_add_tcase(s, cost);
    return s;
}

int main(void) {
    return check_run_suite(glob_suite());
}
