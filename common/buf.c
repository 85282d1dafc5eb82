/* buf.c - growable byte buffer (see buf.h for the growth policy). */
#include "common/buf.h"

#include "common/mem.h"

#include <stdio.h>
#include <string.h>

#define BUF_DOUBLING_LIMIT (1024 * 1024)

void buf_init(Buf *b) {
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_deinit(Buf *b) {
    mem_free(b->data);
    buf_init(b);
}

/* Below 1 MiB: the next power of two (at least 16). Above: exactly what is needed plus
 * 1 MiB, computed directly (a loop would crawl for a huge announced bulk). */
static size_t grown_cap(const Buf *b, size_t need) {
    if (need >= BUF_DOUBLING_LIMIT) return need + BUF_DOUBLING_LIMIT;
    size_t cap = b->cap ? b->cap : 16;
    while (cap < need) cap *= 2;
    return cap;
}

char *buf_try_reserve(Buf *b, size_t extra) {
    size_t need = b->len + extra + 1; /* +1 keeps room for buf_cstr's NUL */
    if (need <= b->cap) return b->data + b->len;
    size_t cap = grown_cap(b, need);
    char *p = mem_try_realloc(b->data, cap);
    if (!p) return NULL;
    b->data = p;
    b->cap = cap;
    return b->data + b->len;
}

char *buf_reserve(Buf *b, size_t extra) {
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return b->data + b->len;
    size_t cap = grown_cap(b, need);
    b->data = mem_realloc(b->data, cap);
    b->cap = cap;
    return b->data + b->len;
}

void buf_append(Buf *b, const void *p, size_t n) {
    if (n == 0) return;
    char *w = buf_reserve(b, n);
    memcpy(w, p, n);
    b->len += n;
}

void buf_append_str(Buf *b, const char *s) {
    buf_append(b, s, strlen(s));
}

void buf_append_char(Buf *b, char ch) {
    char *w = buf_reserve(b, 1);
    *w = ch;
    b->len++;
}

void buf_vprintf(Buf *b, const char *fmt, va_list ap) {
    va_list cp;
    va_copy(cp, ap);
    char *w = buf_reserve(b, 64);
    int n = vsnprintf(w, b->cap - b->len, fmt, cp);
    va_end(cp);
    if (n < 0) return;
    if ((size_t)n >= b->cap - b->len) {
        w = buf_reserve(b, (size_t)n);
        vsnprintf(w, b->cap - b->len, fmt, ap);
    }
    b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_consume(Buf *b, size_t n) {
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void buf_clear(Buf *b) {
    b->len = 0;
}

void buf_shrink(Buf *b, size_t keep) {
    size_t want = VG_MAX(b->len + 1, keep);
    if (b->cap <= want) return;
    if (b->len == 0 && keep == 0) {
        buf_deinit(b);
        return;
    }
    b->data = mem_realloc(b->data, want);
    b->cap = want;
}

const char *buf_cstr(Buf *b) {
    buf_reserve(b, 0);
    b->data[b->len] = '\0';
    return b->data;
}

char *buf_steal(Buf *b, size_t *len) {
    buf_cstr(b);
    char *p = b->data;
    if (len) *len = b->len;
    buf_init(b);
    return p;
}
