/* vg.h - tiny shared macros: VG_UNUSED, VG_ASSERT, branch hints, array sizes.
 *
 * VG_ASSERT is for invariants only (never for bad input), stays on in release builds, and
 * logs the failed expression with its place before aborting. */
#ifndef VIGIL_COMMON_VG_H
#define VIGIL_COMMON_VG_H

#include <stddef.h>

#define VG_UNUSED(x)     ((void)(x))
#define VG_ARRAY_LEN(a)  (sizeof(a) / sizeof((a)[0]))
#define VG_LIKELY(x)     __builtin_expect(!!(x), 1)
#define VG_UNLIKELY(x)   __builtin_expect(!!(x), 0)
#define VG_PRINTF(f, a)  __attribute__((format(printf, f, a)))
#define VG_NORETURN      __attribute__((noreturn))
#define VG_MIN(a, b)     ((a) < (b) ? (a) : (b))
#define VG_MAX(a, b)     ((a) > (b) ? (a) : (b))

/* Logs "assertion failed: expr (file:line)" at warning level and aborts. */
VG_NORETURN void vg_assert_fail(const char *expr, const char *file, int line);

#define VG_ASSERT(e) (VG_LIKELY(e) ? (void)0 : vg_assert_fail(#e, __FILE__, __LINE__))

#endif
