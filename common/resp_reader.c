/* resp_reader.c - incremental parser of client requests (RESP multibulk and inline).
 *
 * Buffer layout (offsets into r->buf):
 *
 *   0 ........ start ............ pos ....... scan ........ len
 *   | consumed | current request  | unparsed  | searched for  |
 *              | (args so far)    |           | a line end    |
 *
 * `start` is where the request being parsed (or the one returned last) begins; compaction
 * only ever drops bytes before it, and argument offsets are kept relative to it, so moving
 * the buffer touches no argument. `scan` remembers how far the current line has been
 * searched for its end, so bytes arriving one at a time are each looked at once.
 *
 * Request states (r->kind, with mbulk_left/bulk_len for multibulk):
 *   0            between requests; the next byte decides: '*' multibulk, else inline
 *   '*' mbulk<0  waiting for the "*<count>\r\n" line
 *   '*' bulk<0   waiting for a "$<len>\r\n" line
 *   '*' bulk>=0  waiting for <len> bytes + 2 (the 2 are skipped unchecked, as in Redis)
 *   'i'          waiting for '\n'; the line is split in place with Redis's quoting rules
 *
 * The checks, their order and the error texts follow Redis 7.0's processMultibulkBuffer and
 * processInlineBuffer, verified against redis-server 7.0.15. Bulks of 32 KiB or more get
 * their whole size reserved when the $ line arrives (Redis's PROTO_MBULK_BIG_ARG), so a
 * large value is received without repeated reallocations. */
#include "common/resp_reader.h"

#include "common/mem.h"
#include "common/util.h"
#include "common/vg.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define INLINE_MAX       (64 * 1024) /* PROTO_INLINE_MAX_SIZE */
#define BIG_ARG          (32 * 1024) /* PROTO_MBULK_BIG_ARG */
#define UNAUTH_MAX_ARGS  10          /* multibulk count before AUTH */
#define UNAUTH_MAX_BULK  16384       /* bulk length before AUTH */
#define ARGV_FIRST_MAX   1024        /* argv preallocated for "*N" at most */
#define DEFAULT_MAX_BULK (512LL * 1024 * 1024)
#define NOT_FOUND        ((size_t)-1)

enum {
    KIND_NONE = 0,
    KIND_MULTIBULK = '*',
    KIND_INLINE = 'i',
};

/* Internal step result besides RESP_OK/AGAIN/ERR: the request was empty, go on. */
#define STEP_SKIP 2

void resp_reader_init(RespReader *r) {
    memset(r, 0, sizeof(*r));
    buf_init(&r->buf);
    r->bulk_len = -1;
    r->max_bulk_len = DEFAULT_MAX_BULK;
    r->authenticated = true;
}

void resp_reader_deinit(RespReader *r) {
    buf_deinit(&r->buf);
    mem_free(r->argv);
    mem_free(r->argoff);
    r->argv = NULL;
    r->argoff = NULL;
    r->argc = r->argv_cap = 0;
}

void resp_reader_feed(RespReader *r, const void *data, size_t len) {
    buf_append(&r->buf, data, len);
}

/* Bytes the bulk being received still lacks (its 2 trailing bytes included); 0 if none. */
static size_t big_bulk_missing(const RespReader *r) {
    if (r->kind != KIND_MULTIBULK || r->bulk_len < BIG_ARG) return 0;
    size_t end = r->pos + (size_t)r->bulk_len + 2;
    return end > r->buf.len ? end - r->buf.len : 0;
}

char *resp_reader_space(RespReader *r, size_t want) {
    size_t missing = big_bulk_missing(r);
    if (missing && r->buf.cap > r->buf.len + missing) return r->buf.data + r->buf.len;
    return buf_try_reserve(&r->buf, want);
}

void resp_reader_commit(RespReader *r, size_t n) {
    VG_ASSERT(r->buf.len + n < r->buf.cap || n == 0);
    r->buf.len += n;
}

size_t resp_reader_pending(const RespReader *r) {
    return r->buf.len - r->start;
}

bool resp_reader_in_request(const RespReader *r) {
    return r->kind != KIND_NONE || r->pos < r->buf.len;
}

/* Move the current request to the front of the buffer. */
static void shift_to_front(RespReader *r) {
    size_t n = r->start;
    if (n == 0) return;
    memmove(r->buf.data, r->buf.data + n, r->buf.len - n);
    r->buf.len -= n;
    r->pos -= n;
    r->scan -= n;
    r->start = 0;
}

void resp_reader_compact(RespReader *r) {
    size_t consumed = r->start;
    if (consumed == 0) return;
    if (consumed == r->buf.len) {
        /* Nothing of the current request is buffered (so no argument offsets either). */
        r->buf.len = r->pos = r->scan = r->start = 0;
        return;
    }
    if (consumed >= r->buf.len - consumed) shift_to_front(r);
}

static int fail(RespReader *r, const char *msg) {
    r->err = msg;
    return RESP_ERR;
}

static void argv_ensure(RespReader *r, long long need) {
    if (need <= r->argv_cap) return;
    long long cap = VG_MAX(need, (long long)r->argv_cap * 2);
    if (cap > INT_MAX) cap = INT_MAX;
    r->argv = mem_realloc(r->argv, (size_t)cap * sizeof(*r->argv));
    r->argoff = mem_realloc(r->argoff, (size_t)cap * sizeof(*r->argoff));
    r->argv_cap = (int)cap;
}

/* Record an argument at absolute offset off. */
static void push_arg(RespReader *r, size_t off, size_t len) {
    argv_ensure(r, (long long)r->argc + 1);
    r->argoff[r->argc] = off - r->start;
    r->argv[r->argc].len = len;
    r->argc++;
}

/* Offset of the first `ch` of the current line, or NOT_FOUND while it is not buffered.
 * Resumes where the last search stopped. Redis looks for line ends with strchr on its
 * NUL-terminated buffer, so a NUL before `ch` hides it for good; such a line is marked
 * blocked and can only end with the "too big" error, exactly as in Redis. */
static size_t find_eol(RespReader *r, char ch) {
    size_t from = r->scan, n = r->buf.len - from;
    if (r->line_blocked || n == 0) return NOT_FOUND;
    const char *base = r->buf.data;
    const char *hit = memchr(base + from, ch, n);
    size_t upto = hit ? (size_t)(hit - (base + from)) : n;
    if (memchr(base + from, '\0', upto)) {
        r->line_blocked = true;
        return NOT_FOUND;
    }
    if (!hit) {
        r->scan = r->buf.len;
        return NOT_FOUND;
    }
    r->scan = (size_t)(hit - base); /* a retry finds it again at once */
    return r->scan;
}

/* A "*<n>" or "$<n>" line: the offset of its '\r' when the line and one byte after it are
 * buffered; NOT_FOUND to wait; RESP_ERR via *rc when the line is too long. */
static size_t count_line(RespReader *r, const char *too_big, int *rc) {
    *rc = RESP_AGAIN;
    size_t cr = find_eol(r, '\r');
    if (cr == NOT_FOUND) {
        if (r->buf.len - r->pos > INLINE_MAX) *rc = fail(r, too_big);
        return NOT_FOUND;
    }
    /* Redis wants one more byte after '\r' and skips it without checking it is '\n'. */
    if (cr + 1 >= r->buf.len) return NOT_FOUND;
    *rc = RESP_OK;
    return cr;
}

/* The common "*<n>" / "$<n>" line in one pass: 1 to 18 digits without sign or leading zero,
 * then '\r' and one more byte buffered. Anything else (signs, zero, partial lines, garbage)
 * returns false and takes the general path, which applies Redis's exact rules and errors;
 * for the lines taken here both paths agree. */
static bool count_line_fast(const RespReader *r, size_t *cr, long long *out) {
    const char *p = r->buf.data + r->pos + 1, *end = r->buf.data + r->buf.len;
    if (p >= end || *p < '1' || *p > '9') return false;
    const char *q = p;
    long long v = 0;
    while (q < end && q - p < 18 && *q >= '0' && *q <= '9') v = v * 10 + (*q++ - '0');
    if (q + 1 >= end || *q != '\r') return false;
    *cr = (size_t)(q - r->buf.data);
    *out = v;
    return true;
}

static int mb_count(RespReader *r) {
    long long n;
    size_t cr;
    if (!count_line_fast(r, &cr, &n)) {
        int rc;
        cr = count_line(r, "Protocol error: too big mbulk count string", &rc);
        if (cr == NOT_FOUND) return rc;
        const char *digits = r->buf.data + r->pos + 1;
        if (!util_str_to_ll(digits, cr - r->pos - 1, &n))
            return fail(r, "Protocol error: invalid multibulk length");
    }
    if (n > INT_MAX) return fail(r, "Protocol error: invalid multibulk length");
    if (n > UNAUTH_MAX_ARGS && !r->authenticated)
        return fail(r, "Protocol error: unauthenticated multibulk length");
    r->pos = r->scan = cr + 2;
    if (n <= 0) return STEP_SKIP; /* "*0" and "*-1": no request, no reply */
    r->mbulk_left = n;
    r->bulk_len = -1;
    argv_ensure(r, VG_MIN(n, ARGV_FIRST_MAX));
    return RESP_OK;
}

/* Make the whole of a big bulk fit without further growth: one move of the current request
 * to the front (so the consumed prefix is not carried along), one exact reservation. */
static bool reserve_big_bulk(RespReader *r, long long len) {
    size_t need = (size_t)len + 2, have = r->buf.len - r->pos;
    if (have >= need) return true;
    shift_to_front(r);
    return buf_try_reserve(&r->buf, need - have) != NULL;
}

static int mb_bulk_header(RespReader *r) {
    long long len;
    size_t cr;
    bool dollar = r->pos < r->buf.len && r->buf.data[r->pos] == '$';
    if (!dollar || !count_line_fast(r, &cr, &len)) {
        int rc;
        cr = count_line(r, "Protocol error: too big bulk count string", &rc);
        if (cr == NOT_FOUND) return rc;
        char first = r->buf.data[r->pos];
        if (first != '$') {
            /* Redis sanitizes CR/LF in formatted errors to spaces. */
            char shown = (first == '\r' || first == '\n') ? ' ' : first;
            snprintf(r->errbuf, sizeof(r->errbuf), "Protocol error: expected '$', got '%c'",
                     shown);
            return fail(r, r->errbuf);
        }
        const char *digits = r->buf.data + r->pos + 1;
        if (!util_str_to_ll(digits, cr - r->pos - 1, &len) || len < 0)
            return fail(r, "Protocol error: invalid bulk length");
    }
    if (len > r->max_bulk_len) return fail(r, "Protocol error: invalid bulk length");
    if (len > UNAUTH_MAX_BULK && !r->authenticated)
        return fail(r, "Protocol error: unauthenticated bulk length");
    r->pos = r->scan = cr + 2;
    /* A client-sized allocation: when the allocator refuses, this client's request fails,
     * the server does not abort. */
    if (len >= BIG_ARG && !reserve_big_bulk(r, len))
        return fail(r, "Protocol error: not enough memory for the bulk length");
    r->bulk_len = len;
    return RESP_OK;
}

static int parse_multibulk(RespReader *r) {
    if (r->mbulk_left < 0) {
        int rc = mb_count(r);
        if (rc != RESP_OK) return rc;
    }
    while (r->mbulk_left > 0) {
        if (r->bulk_len < 0) {
            int rc = mb_bulk_header(r);
            if (rc != RESP_OK) return rc;
        }
        size_t len = (size_t)r->bulk_len;
        if (r->buf.len - r->pos < len + 2) return RESP_AGAIN;
        push_arg(r, r->pos, len);
        r->pos = r->scan = r->pos + len + 2;
        r->bulk_len = -1;
        r->mbulk_left--;
    }
    return RESP_OK;
}

/* ---- inline requests and sdssplitargs-style splitting ---------------------------------- */

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int hex_val(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* s[i], or NUL past the end: the splitter reads the line as Redis reads a C string. */
static char at(const char *s, size_t len, size_t i) {
    return i < len ? s[i] : '\0';
}

static char unescape(char c) {
    switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\a';
    default: return c;
    }
}

/* After a closing quote: the end, or whitespace, must follow. */
static bool quote_closes(const char *s, size_t len, size_t p) {
    char next = at(s, len, p + 1);
    return next == '\0' || is_space(next);
}

/* Next word of s[*pp..len), unquoted in place: its bytes end up at s[*start..+*wlen), which
 * is safe because every output byte consumes at least one input byte before it is written.
 * Returns 1 for a word, 0 at the end of the line, -1 on unbalanced quotes. */
static int split_word(char *s, size_t len, size_t *pp, size_t *start, size_t *wlen) {
    size_t p = *pp;
    while (p < len && is_space(s[p]))
        p++;
    if (at(s, len, p) == '\0') {
        *pp = p;
        return 0;
    }
    size_t w = *start = p;
    bool dq = false, sq = false;
    for (;;) {
        char c = at(s, len, p);
        if (dq) {
            if (c == '\\' && at(s, len, p + 1) == 'x' && hex_val(at(s, len, p + 2)) >= 0 &&
                hex_val(at(s, len, p + 3)) >= 0) {
                s[w++] = (char)(hex_val(s[p + 2]) * 16 + hex_val(s[p + 3]));
                p += 4;
            } else if (c == '\\' && at(s, len, p + 1) != '\0') {
                s[w++] = unescape(s[p + 1]);
                p += 2;
            } else if (c == '"') {
                if (!quote_closes(s, len, p)) return -1;
                p++;
                break;
            } else if (c == '\0') {
                return -1;
            } else {
                s[w++] = c;
                p++;
            }
        } else if (sq) {
            if (c == '\\' && at(s, len, p + 1) == '\'') {
                s[w++] = '\'';
                p += 2;
            } else if (c == '\'') {
                if (!quote_closes(s, len, p)) return -1;
                p++;
                break;
            } else if (c == '\0') {
                return -1;
            } else {
                s[w++] = c;
                p++;
            }
        } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0') {
            if (c != '\0') p++; /* a NUL stays put and ends the line at the next call */
            break;
        } else {
            if (c == '"')
                dq = true;
            else if (c == '\'')
                sq = true;
            else
                s[w++] = c;
            p++;
        }
    }
    *wlen = w - *start;
    *pp = p;
    return 1;
}

static int parse_inline(RespReader *r) {
    size_t nl = find_eol(r, '\n');
    if (nl == NOT_FOUND) {
        if (r->buf.len - r->pos > INLINE_MAX)
            return fail(r, "Protocol error: too big inline request");
        return RESP_AGAIN;
    }
    size_t end = nl;
    if (end > r->pos && r->buf.data[end - 1] == '\r') end--;
    char *line = r->buf.data + r->pos;
    size_t line_len = end - r->pos, p = 0, wstart, wlen;
    int rc;
    while ((rc = split_word(line, line_len, &p, &wstart, &wlen)) == 1)
        push_arg(r, r->pos + wstart, wlen);
    if (rc < 0) return fail(r, "Protocol error: unbalanced quotes in request");
    r->pos = r->scan = nl + 1;
    if (r->argc == 0) {
        if (line_len == 0) r->inline_empty = true;
        return STEP_SKIP;
    }
    return RESP_OK;
}

/* ---- driver -------------------------------------------------------------------------- */

static void begin_request(RespReader *r) {
    r->start = r->scan = r->pos;
    r->argc = 0;
    r->line_blocked = false;
    r->mbulk_left = -1;
    r->bulk_len = -1;
    r->kind = r->buf.data[r->pos] == '*' ? KIND_MULTIBULK : KIND_INLINE;
}

int resp_reader_next(RespReader *r, int *argc, RespArg **argv) {
    if (r->err) return RESP_ERR;
    r->inline_empty = false;
    for (;;) {
        if (r->kind == KIND_NONE) {
            if (r->pos == r->buf.len) {
                r->start = r->scan = r->pos; /* the request returned last is consumed */
                return RESP_AGAIN;
            }
            begin_request(r);
        }
        int rc = r->kind == KIND_MULTIBULK ? parse_multibulk(r) : parse_inline(r);
        if (rc == STEP_SKIP) {
            r->kind = KIND_NONE;
            continue;
        }
        if (rc != RESP_OK) return rc;
        r->kind = KIND_NONE;
        for (int i = 0; i < r->argc; i++)
            r->argv[i].ptr = r->buf.data + r->start + r->argoff[i];
        *argc = r->argc;
        *argv = r->argv;
        return RESP_OK;
    }
}

int resp_split_args(const char *line, size_t len, RespArg **out) {
    *out = NULL;
    char *copy = mem_alloc(len + 1);
    if (len) memcpy(copy, line, len);
    RespArg *args = NULL;
    int n = 0, cap = 0, rc;
    size_t p = 0, wstart, wlen;
    while ((rc = split_word(copy, len, &p, &wstart, &wlen)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            args = mem_realloc(args, (size_t)cap * sizeof(*args));
        }
        char *word = mem_alloc(wlen + 1); /* not strndup: "\x00" makes NULs inside words */
        memcpy(word, copy + wstart, wlen);
        word[wlen] = '\0';
        args[n].ptr = word;
        args[n].len = wlen;
        n++;
    }
    mem_free(copy);
    if (rc < 0) {
        resp_split_free(args, n);
        return -1;
    }
    *out = args;
    return n;
}

void resp_split_free(RespArg *args, int n) {
    if (!args) return;
    for (int i = 0; i < n; i++)
        mem_free((void *)args[i].ptr);
    mem_free(args);
}
