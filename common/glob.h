/* glob.h - Redis-style glob matching (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET).
 *
 * Syntax: * ? [abc] [^abc] [a-z] and \x escapes, as stringmatchlen in Redis. The matcher is
 * iterative, with one backtrack point per '*', so hostile patterns ("a*a*a*a*...b" against a
 * long string) cost O(pattern * string) time and O(1) stack, never exponential.
 *
 * As stringmatchlen, an empty string matches only the empty pattern (not even "*"); KEYS and
 * SCAN in Redis skip matching when the pattern is exactly "*", so callers must do the same. */
#ifndef VIGIL_COMMON_GLOB_H
#define VIGIL_COMMON_GLOB_H

#include <stdbool.h>
#include <stddef.h>

bool glob_match(const char *pat, size_t plen, const char *str, size_t slen, bool nocase);
bool glob_match_cstr(const char *pat, const char *str, bool nocase);

#endif
