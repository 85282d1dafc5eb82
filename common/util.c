/* util.c - number parsing/formatting with Redis's exact rules, and the fast PRNG.
 *
 *   util_str_to_ll/ull      strict integers (Redis string2ll): the only accepted forms are
 *                           "0" and [-]<1-9><digits>, in range
 *   util_str_to_(l)double   strtod/strtold plus Redis's rejections (space, garbage, NaN,
 *                           overflow, underflow to zero)
 *   util_ldouble_to_str     INCRBYFLOAT's "%.17Lf without trailing zeros"
 *   util_bytes_to_human     INFO's *_human fields
 *   util_rand64 & co        xoshiro256** per thread, seeded once from /dev/urandom
 *
 * Parsers take (ptr, len) slices that need not be NUL-terminated; the floating point ones
 * copy into a NUL-terminated scratch buffer because strtod has no length argument. */
#include "common/util.h"

#include "common/mem.h"
#include "common/vg.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- integers ---------------------------------------------------------------------- */

/* Digits of an unsigned magnitude: s[0] must be 1-9 unless the whole string is "0".
 * Returns false on any non-digit, a leading zero, or a value above max. */
static bool
parse_magnitude(const char *s, size_t len, unsigned long long max, unsigned long long *out) {
    if (len == 0) return false;
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return true;
    }
    if (s[0] < '1' || s[0] > '9') return false;
    unsigned long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool util_str_to_ll(const char *s, size_t len, long long *out) {
    unsigned long long mag;
    if (len == 0) return false;
    if (s[0] == '-') {
        /* "-0" fails here: parse_magnitude wants "0" alone, and 1-9 otherwise. */
        if (len < 2 || s[1] == '0') return false;
        if (!parse_magnitude(s + 1, len - 1, (unsigned long long)LLONG_MAX + 1, &mag)) return false;
        /* -(2^63) has no positive counterpart: build it without overflow. */
        *out = mag == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)mag;
        return true;
    }
    if (!parse_magnitude(s, len, LLONG_MAX, &mag)) return false;
    *out = (long long)mag;
    return true;
}

bool util_str_to_ull(const char *s, size_t len, unsigned long long *out) {
    return parse_magnitude(s, len, ULLONG_MAX, out);
}

int util_ull_to_str(char *buf, unsigned long long v) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

int util_ll_to_str(char *buf, long long v) {
    if (v >= 0) return util_ull_to_str(buf, (unsigned long long)v);
    buf[0] = '-';
    /* 0 - (unsigned)v is the magnitude even for LLONG_MIN. */
    return 1 + util_ull_to_str(buf + 1, 0ULL - (unsigned long long)v);
}

/* ---- floating point ---------------------------------------------------------------- */

/* A NUL-terminated copy of (s, len) in stack storage when small, else on the heap. */
typedef struct CStr {
    char small[128];
    char *p;
} CStr;

static char *cstr_make(CStr *c, const char *s, size_t len) {
    c->p = len < sizeof(c->small) ? c->small : mem_alloc(len + 1);
    memcpy(c->p, s, len);
    c->p[len] = '\0';
    return c->p;
}

static void cstr_done(CStr *c) {
    if (c->p != c->small) mem_free(c->p);
}

bool util_str_to_double(const char *s, size_t len, double *out) {
    if (len == 0 || isspace((unsigned char)s[0])) return false;
    CStr c;
    char *str = cstr_make(&c, s, len);
    char *end;
    errno = 0;
    double v = strtod(str, &end);
    bool ok = (size_t)(end - str) == len && !isnan(v) &&
              !(errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0.0));
    cstr_done(&c);
    if (ok) *out = v;
    return ok;
}

bool util_str_to_ldouble(const char *s, size_t len, long double *out) {
    /* Redis: string2ld copies into a MAX_LONG_DOUBLE_CHARS (5k) buffer, longer is an error. */
    if (len == 0 || len >= UTIL_LD_STR_MAX || isspace((unsigned char)s[0])) return false;
    CStr c;
    char *str = cstr_make(&c, s, len);
    char *end;
    errno = 0;
    long double v = strtold(str, &end);
    bool ok =
        (size_t)(end - str) == len && !isnan(v) && !(errno == ERANGE && (isinf(v) || v == 0.0L));
    cstr_done(&c);
    if (ok) *out = v;
    return ok;
}

int util_ldouble_to_str(char *buf, size_t cap, long double v) {
    if (isnan(v) || isinf(v) || cap == 0) return 0;
    int n = snprintf(buf, cap, "%.17Lf", v);
    if (n < 0 || (size_t)n + 1 > cap) return 0;
    /* %.17Lf always prints a '.', so there is one to stop at. */
    if (memchr(buf, '.', (size_t)n)) {
        while (buf[n - 1] == '0')
            n--;
        if (buf[n - 1] == '.') n--;
    }
    if (n == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        n = 1;
    }
    buf[n] = '\0';
    return n;
}

void util_bytes_to_human(char *buf, size_t cap, unsigned long long n) {
    static const char units[] = "KMGTP";
    if (n < 1024) {
        snprintf(buf, cap, "%lluB", n);
        return;
    }
    unsigned long long scale = 1024;
    for (size_t u = 0; u < sizeof(units) - 1; u++, scale *= 1024) {
        if (n < scale * 1024) {
            snprintf(buf, cap, "%.2f%c", (double)n / (double)scale, units[u]);
            return;
        }
    }
    /* 1024 PiB and above: Redis falls back to plain bytes too. */
    snprintf(buf, cap, "%lluB", n);
}

/* ---- randomness -------------------------------------------------------------------- */

/* xoshiro256** (Blackman & Vigna): fast, 256-bit state, good enough for sampling and run
 * ids. Each thread has its own state, derived from one process-wide seed plus a thread
 * counter, so background threads never contend or share a stream. */
typedef struct Rng {
    uint64_t s[4];
    bool seeded;
} Rng;

static _Thread_local Rng rng;
static _Atomic uint64_t rng_threads;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t seed_from_os(void) {
    uint64_t seed = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, &seed, sizeof(seed));
        close(fd);
        if (n == (ssize_t)sizeof(seed)) return seed;
    }
    /* No /dev/urandom (chroot): time, pid and an address still differ between runs. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40) ^
           (uint64_t)(uintptr_t)&ts;
}

static uint64_t process_seed(void) {
    static _Atomic uint64_t seed;
    static _Atomic bool have_seed;
    if (!atomic_load(&have_seed)) {
        /* Two threads racing here both read urandom; either value is fine. */
        atomic_store(&seed, seed_from_os());
        atomic_store(&have_seed, true);
    }
    return atomic_load(&seed);
}

void util_rand_seed(uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng.s[i] = splitmix64(&x);
    rng.seeded = true;
}

static inline uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

uint64_t util_rand64(void) {
    if (VG_UNLIKELY(!rng.seeded))
        util_rand_seed(process_seed() ^
                       (atomic_fetch_add(&rng_threads, 1) * 0xd1b54a32d192ed03ULL));
    uint64_t *s = rng.s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void util_random_bytes(void *buf, size_t len) {
    unsigned char *p = buf;
    while (len) {
        uint64_t r = util_rand64();
        size_t n = VG_MIN(len, sizeof(r));
        memcpy(p, &r, n);
        p += n;
        len -= n;
    }
}

void util_random_hex(char *buf, size_t len) {
    static const char hex[] = "0123456789abcdef";
    uint64_t r = 0;
    for (size_t i = 0; i < len; i++) {
        if (i % 16 == 0) r = util_rand64();
        buf[i] = hex[r & 15];
        r >>= 4;
    }
}
