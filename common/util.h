/* util.h - number parsing and formatting with Redis's exact rules.
 *
 * Redis is strict: "12" is an integer, " 12", "+12", "012", "1e3" are not (string2ll). These
 * functions give the same answers so replies and errors match byte for byte. */
#ifndef VIGIL_COMMON_UTIL_H
#define VIGIL_COMMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Strict decimal long long: optional '-', no leading zeros ("0" alone ok), no spaces,
 * within range; "-0" and "+1" are rejected. As Redis's string2ll. */
bool util_str_to_ll(const char *s, size_t len, long long *out);
/* As util_str_to_ll but for unsigned 64-bit: no sign at all, up to 2^64-1. (Redis 7.0's
 * SCAN itself parses cursors with strtoul, which also takes "+5", "007" and "-1"; a command
 * that wants that leniency does it itself.) */
bool util_str_to_ull(const char *s, size_t len, unsigned long long *out);
/* strtod-based with Redis's checks (string2d/string2ld): not empty, no leading space, whole
 * string consumed, not NaN, no overflow to +-HUGE_VAL and no underflow to zero ("1e400",
 * "1e-400"). "inf" and "-inf" are accepted as strtod takes them. ldouble rejects strings of
 * 5 KiB or more as Redis does. */
bool util_str_to_double(const char *s, size_t len, double *out);
bool util_str_to_ldouble(const char *s, size_t len, long double *out);
/* Decimal of v into buf (>= 21 bytes), returns length. */
int util_ll_to_str(char *buf, long long v);
int util_ull_to_str(char *buf, unsigned long long v);
/* Redis's ld2string "humanfriendly" form used by INCRBYFLOAT/HINCRBYFLOAT: %.17Lf with
 * trailing zeros (and a trailing '.') removed; "-0" becomes "0". Returns length, 0 on error
 * (inf/nan, or cap too small: huge values print every integer digit, up to ~4940 chars,
 * so pass UTIL_LD_STR_MAX bytes). buf is NUL-terminated on success. */
#define UTIL_LD_STR_MAX (5 * 1024)
int util_ldouble_to_str(char *buf, size_t cap, long double v);
/* "1.23K"/"4.56M"... as Redis's bytesToHuman (used_memory_human); cap >= 32 is enough. */
void util_bytes_to_human(char *buf, size_t cap, unsigned long long n);
/* Fill buf with len random hex chars (run ids); reads /dev/urandom once, then a PRNG. */
void util_random_hex(char *buf, size_t len);
void util_random_bytes(void *buf, size_t len);
/* Fast non-cryptographic PRNG for sampling (xorshift; seeded at start). */
uint64_t util_rand64(void);
/* Reseed this thread's PRNG (tests that want a repeatable sequence). */
void util_rand_seed(uint64_t seed);

#endif
