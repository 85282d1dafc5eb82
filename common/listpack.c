/* listpack.c - Redis 7 listpack encoding (see listpack.h for the layout).
 *
 * Entry encodings (first byte), Redis listpack.md:
 *
 *   0xxxxxxx                     7-bit unsigned int          1 byte
 *   10xxxxxx <data>              string, 6-bit length        1 + len
 *   110xxxxx yyyyyyyy            13-bit signed int           2 bytes
 *   1110xxxx yyyyyyyy <data>     string, 12-bit length       2 + len
 *   11110000 <u32le len> <data>  string, 32-bit length       5 + len
 *   11110001 <2 bytes>           int16   11110011 <4 bytes>  int32
 *   11110010 <3 bytes>           int24   11110100 <8 bytes>  int64
 *   11111111                     end of listpack
 *
 * Integers are little-endian two's complement. A string that is a canonical int64
 * (util_str_to_ll, at most 20 chars) is stored with the smallest integer encoding.
 *
 * backlen follows each entry: L = length of encoding+data, written in 1-5 bytes of 7 bits,
 * highest bits leftmost, 0x80 set on every byte except the leftmost:
 *
 *   L <= 127       [L]
 *   L <  16383     [L>>7] [L&127|128]
 *   L <  2097151   [L>>14] [(L>>7)&127|128] [L&127|128]      ... up to 5 bytes
 *
 * The thresholds are Redis's (lpEncodeBacklen): L = 16383 takes 3 bytes although 2 would
 * do; we copy that so our bytes equal Redis's.
 *
 * Every mutation goes through lp_splice(): replace a byte range with at most one encoded
 * entry, memmove the tail, fix the header. Growth reallocs to the exact size only when the
 * allocator's usable size is exceeded; shrinking reallocs after the move (as Redis does, so
 * memory use matches). */
#include "common/listpack.h"

#include "common/mem.h"
#include "common/util.h"
#include "common/vg.h"

#include <stdint.h>
#include <string.h>

#define LP_EOF          0xFF
#define LP_MAX_INT_HEAD 9 /* 0xF4 + 8 bytes */
#define LP_MAX_BACKLEN  5

/* ---- header ------------------------------------------------------------------------- */

static uint32_t rd_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static unsigned hdr_count(const unsigned char *lp) {
    return (unsigned)lp[4] | (unsigned)lp[5] << 8;
}

static void hdr_set_count(unsigned char *lp, unsigned long n) {
    if (n > LP_COUNT_UNKNOWN) n = LP_COUNT_UNKNOWN;
    lp[4] = (unsigned char)n;
    lp[5] = (unsigned char)(n >> 8);
}

/* An unknown count stays unknown until lp_length() walks. */
static void hdr_add_count(unsigned char *lp, long delta) {
    unsigned c = hdr_count(lp);
    if (c == LP_COUNT_UNKNOWN) return;
    long n = (long)c + delta;
    VG_ASSERT(n >= 0);
    hdr_set_count(lp, (unsigned long)n);
}

size_t lp_bytes(const unsigned char *lp) {
    return rd_u32(lp);
}

/* ---- backlen ------------------------------------------------------------------------ */

static unsigned backlen_size(uint64_t l) {
    if (l <= 127) return 1;
    if (l < 16383) return 2;
    if (l < 2097151) return 3;
    if (l < 268435455) return 4;
    return 5;
}

/* Writes backlen_size(l) bytes. */
static void backlen_write(unsigned char *buf, uint64_t l) {
    unsigned n = backlen_size(l);
    for (unsigned i = n; i-- > 0;) {
        buf[i] = (unsigned char)((l & 127) | (i > 0 ? 128 : 0));
        l >>= 7;
    }
}

/* Start of the entry whose last backlen byte is at q (trusted bytes). */
static unsigned char *backlen_entry_start(unsigned char *q) {
    uint64_t v = 0;
    unsigned shift = 0;
    for (;;) {
        unsigned char b = *q;
        v |= (uint64_t)(b & 127) << shift;
        if (!(b & 128)) break;
        q--;
        shift += 7;
    }
    return q - v;
}

/* ---- entries ------------------------------------------------------------------------ */

static bool enc_is_string(unsigned char b) {
    return (b & 0xC0) == 0x80 || (b & 0xF0) == 0xE0 || b == 0xF0;
}

/* Length of encoding+data of the entry at p; 0 for the terminator or an invalid byte.
 * Reads 1 byte, 2 for a 12-bit string, 5 for a 32-bit string. */
static uint64_t enc_len(const unsigned char *p) {
    unsigned char b = p[0];
    if (b < 0x80) return 1;
    if (b < 0xC0) return 1 + (uint64_t)(b & 0x3F);
    if (b < 0xE0) return 2;
    if (b < 0xF0) return 2 + ((uint64_t)(b & 0x0F) << 8 | p[1]);
    switch (b) {
    case 0xF0: return 5 + (uint64_t)rd_u32(p + 1);
    case 0xF1: return 3;
    case 0xF2: return 4;
    case 0xF3: return 5;
    case 0xF4: return 9;
    default: return 0;
    }
}

static size_t entry_size(const unsigned char *p) {
    uint64_t l = enc_len(p);
    return (size_t)(l + backlen_size(l));
}

/* String entry: its bytes and length. */
static const unsigned char *entry_str(const unsigned char *p, uint32_t *len) {
    unsigned char b = p[0];
    if ((b & 0xC0) == 0x80) {
        *len = b & 0x3F;
        return p + 1;
    }
    if ((b & 0xF0) == 0xE0) {
        *len = (uint32_t)(b & 0x0F) << 8 | p[1];
        return p + 2;
    }
    *len = rd_u32(p + 1);
    return p + 5;
}

/* n little-endian bytes, sign-extended. */
static long long rd_signed(const unsigned char *p, unsigned n) {
    uint64_t u = 0;
    for (unsigned i = 0; i < n; i++)
        u |= (uint64_t)p[i] << (8 * i);
    if (n < 8 && (u >> (8 * n - 1)) & 1) u |= ~0ULL << (8 * n);
    int64_t v;
    memcpy(&v, &u, sizeof(v));
    return v;
}

/* Integer entry's value. */
static long long entry_int(const unsigned char *p) {
    unsigned char b = p[0];
    if (b < 0x80) return b;
    if ((b & 0xE0) == 0xC0) {
        unsigned u = (unsigned)(b & 0x1F) << 8 | p[1];
        return u >= 4096 ? (long long)u - 8192 : (long long)u;
    }
    switch (b) {
    case 0xF1: return rd_signed(p + 1, 2);
    case 0xF2: return rd_signed(p + 1, 3);
    case 0xF3: return rd_signed(p + 1, 4);
    default: return rd_signed(p + 1, 8);
    }
}

/* ---- encoding a value --------------------------------------------------------------- */

/* One entry to write: head (encoding byte(s); for integers also the data), then string
 * bytes, then the backlen lp_splice() computes. */
typedef struct LpEnc {
    unsigned char head[LP_MAX_INT_HEAD];
    size_t head_len;
    const unsigned char *data; /* string bytes; NULL for integers */
    size_t data_len;
} LpEnc;

static void wr_le(unsigned char *p, uint64_t u, unsigned n) {
    for (unsigned i = 0; i < n; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

static void enc_int(LpEnc *e, long long v) {
    unsigned char *h = e->head;
    uint64_t u = (uint64_t)v;
    e->data = NULL;
    e->data_len = 0;
    if (v >= 0 && v <= 127) {
        h[0] = (unsigned char)v;
        e->head_len = 1;
    } else if (v >= -4096 && v <= 4095) {
        unsigned t = (unsigned)(v < 0 ? v + 8192 : v);
        h[0] = (unsigned char)(0xC0 | t >> 8);
        h[1] = (unsigned char)t;
        e->head_len = 2;
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
        h[0] = 0xF1;
        wr_le(h + 1, u, 2);
        e->head_len = 3;
    } else if (v >= -8388608 && v <= 8388607) {
        h[0] = 0xF2;
        wr_le(h + 1, u, 3);
        e->head_len = 4;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        h[0] = 0xF3;
        wr_le(h + 1, u, 4);
        e->head_len = 5;
    } else {
        h[0] = 0xF4;
        wr_le(h + 1, u, 8);
        e->head_len = 9;
    }
}

/* Strings that are canonical integers (at most 20 chars) become integer entries. */
static void enc_str(LpEnc *e, const char *s, size_t len) {
    long long v;
    if (len <= 20 && util_str_to_ll(s, len, &v)) {
        enc_int(e, v);
        return;
    }
    VG_ASSERT(len <= UINT32_MAX);
    unsigned char *h = e->head;
    if (len < 64) {
        h[0] = (unsigned char)(0x80 | len);
        e->head_len = 1;
    } else if (len < 4096) {
        h[0] = (unsigned char)(0xE0 | len >> 8);
        h[1] = (unsigned char)len;
        e->head_len = 2;
    } else {
        h[0] = 0xF0;
        wr_u32(h + 1, (uint32_t)len);
        e->head_len = 5;
    }
    e->data = (const unsigned char *)s;
    e->data_len = len;
}

/* ---- the one mutation primitive ----------------------------------------------------- */

/* Replace del bytes at offset off with entry e (NULL: insert nothing) and add delta to the
 * element count. Returns the new address; offsets stay valid. e->data must not point into
 * lp. Cost: O(bytes after off) for the memmove. */
static unsigned char *
lp_splice(unsigned char *lp, size_t off, size_t del, const LpEnc *e, long delta) {
    size_t old_bytes = lp_bytes(lp);
    size_t elen = 0, ins = 0;
    if (e) {
        elen = e->head_len + e->data_len;
        ins = elen + backlen_size(elen);
    }
    size_t tail = old_bytes - off - del;
    size_t new_bytes = old_bytes - del + ins;
    VG_ASSERT(new_bytes <= UINT32_MAX);
    if (new_bytes > old_bytes && new_bytes > mem_usable_size(lp)) lp = mem_realloc(lp, new_bytes);
    if (ins != del) memmove(lp + off + ins, lp + off + del, tail);
    if (e) {
        unsigned char *dst = lp + off;
        memcpy(dst, e->head, e->head_len);
        if (e->data_len) memcpy(dst + e->head_len, e->data, e->data_len);
        backlen_write(dst + elen, elen);
    }
    if (new_bytes < old_bytes) lp = mem_realloc(lp, new_bytes);
    wr_u32(lp, (uint32_t)new_bytes);
    hdr_add_count(lp, delta);
    return lp;
}

/* Place e relative to p (see lp_insert). */
static unsigned char *
insert_enc(unsigned char *lp, const LpEnc *e, unsigned char *p, int where, unsigned char **newp) {
    size_t off = (size_t)(p - lp);
    size_t del = 0;
    long delta = 1;
    if (where == LP_AFTER) {
        if (*p != LP_EOF) off += entry_size(p);
    } else if (where == LP_REPLACE) {
        VG_ASSERT(*p != LP_EOF);
        del = entry_size(p);
        delta = 0;
    } else {
        VG_ASSERT(where == LP_BEFORE);
    }
    lp = lp_splice(lp, off, del, e, delta);
    if (newp) *newp = lp + off;
    return lp;
}

/* ---- lifecycle and size ------------------------------------------------------------- */

unsigned char *lp_new(size_t capacity) {
    unsigned char *lp = mem_alloc(capacity > LP_EMPTY_BYTES ? capacity : LP_EMPTY_BYTES);
    wr_u32(lp, LP_EMPTY_BYTES);
    hdr_set_count(lp, 0);
    lp[LP_HDR_SIZE] = LP_EOF;
    return lp;
}

void lp_free(unsigned char *lp) {
    if (lp) mem_free(lp);
}

unsigned long lp_length(unsigned char *lp) {
    unsigned c = hdr_count(lp);
    if (c != LP_COUNT_UNKNOWN) return c;
    unsigned long n = 0;
    for (unsigned char *p = lp + LP_HDR_SIZE; *p != LP_EOF; p += entry_size(p))
        n++;
    if (n < LP_COUNT_UNKNOWN) hdr_set_count(lp, n);
    return n;
}

bool lp_safe_to_add(const unsigned char *lp, size_t add) {
    size_t len = lp ? lp_bytes(lp) : 0;
    return add <= LP_MAX_SAFE_BYTES && len + add <= LP_MAX_SAFE_BYTES;
}

unsigned char *lp_shrink_to_fit(unsigned char *lp) {
    size_t bytes = lp_bytes(lp);
    if (mem_usable_size(lp) > bytes) lp = mem_realloc(lp, bytes);
    return lp;
}

/* ---- navigation --------------------------------------------------------------------- */

unsigned char *lp_first(unsigned char *lp) {
    unsigned char *p = lp + LP_HDR_SIZE;
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lp_next(unsigned char *lp, unsigned char *p) {
    VG_UNUSED(lp);
    if (*p == LP_EOF) return NULL;
    p += entry_size(p);
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lp_prev(unsigned char *lp, unsigned char *p) {
    if (p == lp + LP_HDR_SIZE) return NULL;
    return backlen_entry_start(p - 1);
}

unsigned char *lp_last(unsigned char *lp) {
    return lp_prev(lp, lp + lp_bytes(lp) - 1);
}

unsigned char *lp_seek(unsigned char *lp, long index) {
    unsigned long n = lp_length(lp);
    if (index < 0) index += (long)n;
    if (index < 0 || (unsigned long)index >= n) return NULL;
    unsigned long i = (unsigned long)index;
    if (i <= n / 2) {
        unsigned char *p = lp + LP_HDR_SIZE;
        while (i--)
            p += entry_size(p);
        return p;
    }
    unsigned char *p = lp_last(lp);
    for (unsigned long k = n - 1 - i; k > 0; k--)
        p = lp_prev(lp, p);
    return p;
}

/* ---- reading values ----------------------------------------------------------------- */

const unsigned char *lp_get(const unsigned char *p, uint32_t *slen, long long *ival) {
    if (enc_is_string(p[0])) return entry_str(p, slen);
    *ival = entry_int(p);
    return NULL;
}

const char *lp_get_str(const unsigned char *p, size_t *len, char buf[LP_INTBUF_SIZE]) {
    uint32_t slen = 0;
    long long v = 0; /* set by lp_get for integer entries (zeroed for -Wmaybe-uninitialized) */
    const unsigned char *s = lp_get(p, &slen, &v);
    if (s) {
        *len = slen;
        return (const char *)s;
    }
    int n = util_ll_to_str(buf, v);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

bool lp_get_int(const unsigned char *p, long long *v) {
    if (enc_is_string(p[0])) return false;
    *v = entry_int(p);
    return true;
}

bool lp_eq(const unsigned char *p, const char *s, size_t len) {
    if (enc_is_string(p[0])) {
        uint32_t slen;
        const unsigned char *d = entry_str(p, &slen);
        return slen == len && (len == 0 || memcmp(d, s, len) == 0);
    }
    long long v;
    return len <= 20 && util_str_to_ll(s, len, &v) && v == entry_int(p);
}

/* ---- insertion ---------------------------------------------------------------------- */

unsigned char *lp_insert(unsigned char *lp,
                         const char *s,
                         size_t len,
                         unsigned char *p,
                         int where,
                         unsigned char **newp) {
    /* s inside lp would move under the memmove/realloc: work from a copy. */
    char *copy = NULL;
    uintptr_t a = (uintptr_t)s, base = (uintptr_t)lp;
    if (len && a >= base && a < base + lp_bytes(lp)) {
        copy = mem_alloc(len);
        memcpy(copy, s, len);
        s = copy;
    }
    LpEnc e;
    enc_str(&e, s, len);
    lp = insert_enc(lp, &e, p, where, newp);
    if (copy) mem_free(copy);
    return lp;
}

unsigned char *
lp_insert_int(unsigned char *lp, long long v, unsigned char *p, int where, unsigned char **newp) {
    LpEnc e;
    enc_int(&e, v);
    return insert_enc(lp, &e, p, where, newp);
}

unsigned char *lp_append(unsigned char *lp, const char *s, size_t len) {
    return lp_insert(lp, s, len, lp + lp_bytes(lp) - 1, LP_BEFORE, NULL);
}

unsigned char *lp_prepend(unsigned char *lp, const char *s, size_t len) {
    return lp_insert(lp, s, len, lp + LP_HDR_SIZE, LP_BEFORE, NULL);
}

unsigned char *lp_append_int(unsigned char *lp, long long v) {
    return lp_insert_int(lp, v, lp + lp_bytes(lp) - 1, LP_BEFORE, NULL);
}

unsigned char *lp_prepend_int(unsigned char *lp, long long v) {
    return lp_insert_int(lp, v, lp + LP_HDR_SIZE, LP_BEFORE, NULL);
}

unsigned char *lp_replace(unsigned char *lp, unsigned char **p, const char *s, size_t len) {
    return lp_insert(lp, s, len, *p, LP_REPLACE, p);
}

unsigned char *lp_replace_int(unsigned char *lp, unsigned char **p, long long v) {
    return lp_insert_int(lp, v, *p, LP_REPLACE, p);
}

/* ---- deletion ----------------------------------------------------------------------- */

unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned char **next) {
    VG_ASSERT(*p != LP_EOF);
    size_t off = (size_t)(p - lp);
    lp = lp_splice(lp, off, entry_size(p), NULL, -1);
    if (next) *next = lp[off] == LP_EOF ? NULL : lp + off;
    return lp;
}

unsigned char *lp_delete_range_p(unsigned char *lp, unsigned char **p, unsigned long num) {
    unsigned char *start = *p;
    if (!start) return lp;
    unsigned char *q = start;
    unsigned long deleted = 0;
    while (deleted < num && *q != LP_EOF) {
        q += entry_size(q);
        deleted++;
    }
    size_t off = (size_t)(start - lp);
    if (deleted) lp = lp_splice(lp, off, (size_t)(q - start), NULL, -(long)deleted);
    *p = lp[off] == LP_EOF ? NULL : lp + off;
    return lp;
}

unsigned char *lp_delete_range(unsigned char *lp, long index, unsigned long num) {
    unsigned char *p = lp_seek(lp, index);
    if (!p || num == 0) return lp;
    return lp_delete_range_p(lp, &p, num);
}

/* ---- search ------------------------------------------------------------------------- */

unsigned char *
lp_find(unsigned char *lp, unsigned char *p, const char *s, size_t len, unsigned skip) {
    VG_UNUSED(lp);
    if (!p) return NULL;
    long long sv = 0;
    bool s_is_int = len <= 20 && util_str_to_ll(s, len, &sv);
    unsigned skipcnt = 0;
    while (*p != LP_EOF) {
        uint64_t el = enc_len(p);
        if (skipcnt == 0) {
            if (enc_is_string(p[0])) {
                /* Length first: most entries are rejected without touching their bytes. */
                uint32_t slen;
                const unsigned char *d = entry_str(p, &slen);
                if (slen == len && (len == 0 || memcmp(d, s, len) == 0)) return p;
            } else if (s_is_int && entry_int(p) == sv) {
                return p;
            }
            skipcnt = skip;
        } else {
            skipcnt--;
        }
        p += el + backlen_size(el);
    }
    return NULL;
}

/* ---- validation --------------------------------------------------------------------- */

/* Size of the entry at p if it is well formed and ends before end (the terminator's
 * address); 0 otherwise. Reads nothing at or past end. */
static size_t validate_entry(const unsigned char *p, const unsigned char *end) {
    size_t avail = (size_t)(end - p);
    unsigned char b = p[0];
    size_t need = 1;
    if ((b & 0xF0) == 0xE0)
        need = 2;
    else if (b == 0xF0)
        need = 5;
    if (need > avail) return 0;
    uint64_t el = enc_len(p);
    if (el == 0 || el > avail) return 0;
    unsigned bl = backlen_size(el);
    if (el + bl > avail) return 0;
    unsigned char want[LP_MAX_BACKLEN];
    backlen_write(want, el);
    if (memcmp(p + el, want, bl) != 0) return 0;
    return (size_t)(el + bl);
}

bool lp_validate(const unsigned char *lp, size_t size, bool deep) {
    if (!lp || size < LP_EMPTY_BYTES) return false;
    if (rd_u32(lp) != size) return false;
    if (lp[size - 1] != LP_EOF) return false;
    if (!deep) return true;
    const unsigned char *end = lp + size - 1;
    const unsigned char *p = lp + LP_HDR_SIZE;
    unsigned long n = 0;
    while (p < end) {
        size_t sz = validate_entry(p, end);
        if (sz == 0) return false;
        p += sz;
        n++;
    }
    unsigned c = hdr_count(lp);
    return c == LP_COUNT_UNKNOWN || c == n;
}

/* ---- random access ------------------------------------------------------------------ */

unsigned char *lp_random_entry(unsigned char *lp, uint64_t (*rnd)(void), long *index) {
    unsigned long n = lp_length(lp);
    if (n == 0) return NULL;
    long i = (long)(rnd() % n);
    if (index) *index = i;
    return lp_seek(lp, i);
}

unsigned char *
lp_random_pair(unsigned char *lp, uint64_t (*rnd)(void), unsigned char **val, long *index) {
    unsigned long pairs = lp_length(lp) / 2;
    if (pairs == 0) return NULL;
    long i = (long)(rnd() % pairs);
    unsigned char *key = lp_seek(lp, 2 * i);
    if (val) *val = lp_next(lp, key);
    if (index) *index = i;
    return key;
}
