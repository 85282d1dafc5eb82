/* glob.c - Redis-compatible glob matching (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET).
 *
 * Semantics follow Redis's stringmatchlen, quirks included, because users' patterns were
 * written against it:
 *   - '*' matches any run of bytes, '?' exactly one byte, '\x' the byte x.
 *   - "[...]" matches one byte: '^' first negates, "a-z" is a range (ends swapped when
 *     reversed, compared as signed chars as Redis does), '\x' inside is the byte x, and the
 *     end of the pattern closes an unterminated class. "[]" matches nothing, "[^]" anything.
 *   - an empty string matches only the empty pattern (Redis never enters its loop for it).
 * Each token but '*' consumes exactly one byte, so the classic single-backtrack scheme is
 * exact: on a mismatch, resume after the most recent '*' one byte further along. That makes
 * the cost O(pattern * string) with O(1) stack for any pattern. */
#include "common/glob.h"

#include <string.h>

static int lower_int(int c) {
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static bool byte_eq(char a, char b, bool nocase) {
    if (!nocase) return a == b;
    return lower_int((unsigned char)a) == lower_int((unsigned char)b);
}

/* Does byte c match the class opening at pat[p] == '['? *next gets the index after it. */
static bool class_match(const char *pat, size_t plen, size_t p, char c, bool nocase, size_t *next) {
    bool negate = false, match = false;
    p++;
    if (p < plen && pat[p] == '^') {
        negate = true;
        p++;
    }
    for (;;) {
        if (p >= plen) break; /* unterminated: the end of the pattern closes the class */
        if (pat[p] == '\\' && p + 1 < plen) {
            p++;
            if (byte_eq(pat[p], c, nocase)) match = true;
        } else if (pat[p] == ']') {
            p++;
            break;
        } else if (p + 2 < plen && pat[p + 1] == '-') {
            /* Redis compares plain (signed) chars and lowercases after ordering the ends. */
            int lo = (signed char)pat[p], hi = (signed char)pat[p + 2], v = (signed char)c;
            if (lo > hi) {
                int t = lo;
                lo = hi;
                hi = t;
            }
            if (nocase) {
                lo = lower_int(lo);
                hi = lower_int(hi);
                v = lower_int(v);
            }
            if (v >= lo && v <= hi) match = true;
            p += 2;
        } else if (byte_eq(pat[p], c, nocase)) {
            match = true;
        }
        p++;
    }
    *next = p;
    return negate ? !match : match;
}

/* Does the single-byte token at pat[p] (not '*') match c? *next gets the following index. */
static bool token_match(const char *pat, size_t plen, size_t p, char c, bool nocase, size_t *next) {
    switch (pat[p]) {
    case '?': *next = p + 1; return true;
    case '[': return class_match(pat, plen, p, c, nocase, next);
    case '\\':
        if (p + 1 < plen) p++; /* a trailing '\' is itself */
        *next = p + 1;
        return byte_eq(pat[p], c, nocase);
    default: *next = p + 1; return byte_eq(pat[p], c, nocase);
    }
}

bool glob_match(const char *pat, size_t plen, const char *str, size_t slen, bool nocase) {
    size_t p = 0, s = 0;
    size_t star_p = 0, star_s = 0; /* resume point after the latest '*' */
    bool have_star = false;

    if (slen == 0) return plen == 0;
    while (s < slen) {
        if (p < plen && pat[p] == '*') {
            while (p < plen && pat[p] == '*')
                p++;
            if (p == plen) return true;
            have_star = true;
            star_p = p;
            star_s = s;
            continue;
        }
        size_t next;
        if (p < plen && token_match(pat, plen, p, str[s], nocase, &next)) {
            p = next;
            s++;
            continue;
        }
        if (!have_star) return false;
        /* Let the latest '*' swallow one more byte and retry the rest from there. */
        star_s++;
        s = star_s;
        p = star_p;
    }
    while (p < plen && pat[p] == '*')
        p++;
    return p == plen;
}

bool glob_match_cstr(const char *pat, const char *str, bool nocase) {
    return glob_match(pat, strlen(pat), str, strlen(str), nocase);
}
