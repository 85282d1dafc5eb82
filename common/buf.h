/* buf.h - growable byte buffer, the one string/bytes container of Vigil.
 *
 * A Buf is embedded in its owner and mutated through a pointer (buf_append(&c->query, ...)),
 * so the handle never moves. Data is binary-safe (ptr, len); buf_cstr() NUL-terminates for
 * C-API edges. Growth doubles up to 1 MiB, then leaves 1 MiB of headroom past what is
 * needed (as Redis's sds does), so a huge buffer never wastes half its size; jemalloc grows
 * large blocks in place where it can. */
#ifndef VIGIL_COMMON_BUF_H
#define VIGIL_COMMON_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/vg.h"

typedef struct Buf {
    char *data; /* NULL when cap == 0 */
    size_t len;
    size_t cap;
} Buf;

#define BUF_INIT {NULL, 0, 0}

void buf_init(Buf *b);
void buf_deinit(Buf *b);
/* Make room for at least `extra` more bytes after len; returns the write position. */
char *buf_reserve(Buf *b, size_t extra);
/* As buf_reserve, but NULL instead of aborting when memory is exhausted. */
char *buf_try_reserve(Buf *b, size_t extra);
void buf_append(Buf *b, const void *p, size_t n);
void buf_append_str(Buf *b, const char *s);
void buf_append_char(Buf *b, char ch);
void buf_printf(Buf *b, const char *fmt, ...) VG_PRINTF(2, 3);
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
/* Drop the first n bytes (memmove of the rest). */
void buf_consume(Buf *b, size_t n);
void buf_clear(Buf *b);
/* Shrink capacity to at most max(len, keep) bytes. */
void buf_shrink(Buf *b, size_t keep);
/* NUL-terminated view (the NUL is not counted in len). */
const char *buf_cstr(Buf *b);
/* Take the buffer's storage: the caller owns the returned pointer; b becomes empty. */
char *buf_steal(Buf *b, size_t *len);

#endif
