/* resp_writer.c - RESP2/RESP3 reply encoding (see resp_writer.h for the type table).
 *
 * Every function computes its worst-case size, calls buf_reserve once and writes straight
 * into the reserved room; integers are formatted by hand (snprintf is only used for
 * doubles). Simple strings and errors have '\r' and '\n' replaced by spaces, as Redis's
 * addReplyErrorFormat/StatusFormat do, so a message built from client input can never
 * break the framing.
 *
 * Deferred headers: resp_deferred_begin() leaves DEFERRED_ROOM bytes of room; the real
 * header ("*<n>\r\n") is written there by resp_deferred_end(), and when its length differs
 * the elements after it are moved once (left for short counts, right for counts past 5
 * digits). */
#include "common/resp_writer.h"

#include "common/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* "*99999\r\n": counts up to 5 digits fit without moving anything right. */
#define DEFERRED_ROOM 8
/* type char + 20 digits (or "-" and 19) + CRLF */
#define HDR_MAX 23

/* Decimal of v at w, no NUL; returns the end. */
static char *put_ll(char *w, long long v) {
    char tmp[24];
    unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    int n = 0;
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (v < 0) *w++ = '-';
    while (n)
        *w++ = tmp[--n];
    return w;
}

static char *put_crlf(char *w) {
    w[0] = '\r';
    w[1] = '\n';
    return w + 2;
}

/* "<type><n>\r\n" at w; returns the end. */
static char *put_hdr(char *w, char type, long long n) {
    *w++ = type;
    return put_crlf(put_ll(w, n));
}

static void append_hdr(Buf *b, char type, long long n) {
    char *w = buf_reserve(b, HDR_MAX);
    b->len += (size_t)(put_hdr(w, type, n) - w);
}

/* A constant reply such as "_\r\n"; len excludes the NUL. */
static void append_lit(Buf *b, const char *s, size_t len) {
    buf_append(b, s, len);
}

/* +s / -s with CR and LF turned into spaces. */
static void append_line(Buf *b, char type, const char *s, size_t len) {
    char *w = buf_reserve(b, len + 3);
    *w++ = type;
    for (size_t i = 0; i < len; i++)
        w[i] = (s[i] == '\r' || s[i] == '\n') ? ' ' : s[i];
    put_crlf(w + len);
    b->len += len + 3;
}

void resp_simple(Buf *b, const char *s, size_t len) {
    append_line(b, '+', s, len);
}

void resp_error(Buf *b, const char *s, size_t len) {
    append_line(b, '-', s, len);
}

void resp_int(Buf *b, long long v) {
    append_hdr(b, ':', v);
}

void resp_bulk(Buf *b, const char *s, size_t len) {
    char *w = buf_reserve(b, HDR_MAX + len + 2);
    char *p = put_hdr(w, '$', (long long)len);
    if (len) memcpy(p, s, len);
    p = put_crlf(p + len);
    b->len += (size_t)(p - w);
}

void resp_bulk_cstr(Buf *b, const char *s) {
    resp_bulk(b, s, strlen(s));
}

void resp_bulk_ll(Buf *b, long long v) {
    char digits[24];
    size_t n = (size_t)(put_ll(digits, v) - digits);
    resp_bulk(b, digits, n);
}

void resp_null(Buf *b, int proto) {
    if (proto == 3)
        append_lit(b, "_\r\n", 3);
    else
        append_lit(b, "$-1\r\n", 5);
}

void resp_null_array(Buf *b, int proto) {
    if (proto == 3)
        append_lit(b, "_\r\n", 3);
    else
        append_lit(b, "*-1\r\n", 5);
}

void resp_array(Buf *b, long long n) {
    append_hdr(b, '*', n);
}

void resp_map(Buf *b, int proto, long long n) {
    if (proto == 3)
        append_hdr(b, '%', n);
    else
        append_hdr(b, '*', n * 2);
}

void resp_set(Buf *b, int proto, long long n) {
    append_hdr(b, proto == 3 ? '~' : '*', n);
}

void resp_push(Buf *b, int proto, long long n) {
    append_hdr(b, proto == 3 ? '>' : '*', n);
}

int resp_fmt_double(char *buf, double d) {
    /* Spelled out rather than left to libc, as Redis does, so every platform agrees. */
    if (isinf(d)) {
        const char *s = d > 0 ? "inf" : "-inf";
        size_t n = strlen(s);
        memcpy(buf, s, n + 1);
        return (int)n;
    }
    if (isnan(d)) {
        memcpy(buf, "nan", 4);
        return 3;
    }
    return snprintf(buf, 128, "%.17g", d);
}

void resp_double(Buf *b, int proto, double d) {
    char num[128];
    size_t n = (size_t)resp_fmt_double(num, d);
    if (proto != 3) {
        resp_bulk(b, num, n);
        return;
    }
    char *w = buf_reserve(b, n + 3);
    w[0] = ',';
    memcpy(w + 1, num, n);
    put_crlf(w + 1 + n);
    b->len += n + 3;
}

void resp_bool(Buf *b, int proto, bool v) {
    if (proto == 3)
        append_lit(b, v ? "#t\r\n" : "#f\r\n", 4);
    else
        append_lit(b, v ? ":1\r\n" : ":0\r\n", 4);
}

void resp_verbatim(Buf *b, int proto, const char *fmt3, const char *s, size_t len) {
    if (proto != 3) {
        resp_bulk(b, s, len);
        return;
    }
    /* RESP3 verbatim string: "=<len>\r\n" + 3-char format + ':' + text + "\r\n". */
    char *w = buf_reserve(b, HDR_MAX + 4 + len + 2);
    char *p = put_hdr(w, '=', (long long)len + 4);
    memcpy(p, fmt3 ? fmt3 : "txt", 3);
    p[3] = ':';
    p += 4;
    if (len) memcpy(p, s, len);
    p = put_crlf(p + len);
    b->len += (size_t)(p - w);
}

void resp_bignum(Buf *b, int proto, const char *digits, size_t len) {
    if (proto != 3) {
        resp_bulk(b, digits, len);
        return;
    }
    char *w = buf_reserve(b, len + 3);
    w[0] = '(';
    memcpy(w + 1, digits, len);
    put_crlf(w + 1 + len);
    b->len += len + 3;
}

size_t resp_deferred_begin(Buf *b) {
    size_t handle = b->len;
    buf_reserve(b, DEFERRED_ROOM);
    b->len += DEFERRED_ROOM;
    return handle;
}

void resp_deferred_end(Buf *b, size_t handle, char kind, long long n) {
    char hdr[HDR_MAX];
    size_t hlen = (size_t)(put_hdr(hdr, kind, n) - hdr);
    size_t body = handle + DEFERRED_ROOM; /* where the elements start now */
    size_t body_len = b->len - body;
    if (hlen > DEFERRED_ROOM) buf_reserve(b, hlen - DEFERRED_ROOM);
    if (hlen != DEFERRED_ROOM && body_len)
        memmove(b->data + handle + hlen, b->data + body, body_len);
    memcpy(b->data + handle, hdr, hlen);
    b->len = handle + hlen + body_len;
}

char resp_agg_char(int proto, char kind3) {
    if (proto == 3) return kind3;
    switch (kind3) {
    case '%':
    case '~':
    case '>': return '*';
    default: return kind3;
    }
}

int resp_ll_to_str(char *buf, long long v) {
    return util_ll_to_str(buf, v);
}
