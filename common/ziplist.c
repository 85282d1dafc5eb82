/* ziplist.c - validation and iteration of Redis's ziplist and zipmap blobs (formats drawn
 * in ziplist.h). Read-only: the loader converts what it reads.
 *
 * Every read goes through one bounds-checked entry decoder, which the validator and the
 * iterators share, so a blob that lies about a length can never make either read past its
 * end; the validator then adds the cross-checks (back links, tail offset, counts). */
#include "common/ziplist.h"

#include <string.h>

#define ZL_HEADER_SIZE 10 /* zlbytes + zltail + zllen */
#define ZL_END         0xFF
#define ZL_BIGPREVLEN  0xFE
#define ZL_UNKNOWN_LEN 0xFFFF

#define ZM_BIGLEN 254
#define ZM_END    255

static uint32_t rd_u32le(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd_u16le(const uint8_t *p) {
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Little-endian two's complement of n bytes (2, 3, 4 or 8), sign-extended. */
static long long rd_intle(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    if (n < 8 && (v >> (8 * n - 1)) & 1) v |= ~(uint64_t)0 << (8 * n);
    return (long long)v;
}

/* The entry at offset pos, which must end at or before `end` (the end byte's offset).
 * *prevlen gets the stored back link, *rawlen the whole entry's length. False when the
 * entry's header or payload crosses `end` or its encoding is unknown. */
static bool zl_decode(
    const uint8_t *zl, size_t end, size_t pos, size_t *prevlen, size_t *rawlen, ZiplistEntry *e) {
    size_t p = pos;
    if (p >= end) return false;
    if (zl[p] < ZL_BIGPREVLEN) {
        *prevlen = zl[p];
        p += 1;
    } else if (zl[p] == ZL_BIGPREVLEN) {
        if (end - p < 5) return false;
        *prevlen = rd_u32le(zl + p + 1);
        p += 5;
    } else {
        return false; /* 0xFF is the end marker, never a back link */
    }
    if (p >= end) return false;

    uint8_t enc = zl[p];
    size_t hdr, payload;
    e->s = NULL;
    e->len = 0;
    e->ival = 0;
    switch (enc >> 6) {
    case 0:
        hdr = 1;
        payload = enc & 0x3F;
        break;
    case 1:
        hdr = 2;
        if (end - p < 2) return false;
        payload = (size_t)(enc & 0x3F) << 8 | zl[p + 1];
        break;
    case 2:
        if (enc != 0x80) return false; /* the low six bits are unused and zero */
        hdr = 5;
        if (end - p < 5) return false;
        payload =
            (size_t)zl[p + 1] << 24 | (size_t)zl[p + 2] << 16 | (size_t)zl[p + 3] << 8 | zl[p + 4];
        break;
    default:
        hdr = 1;
        switch (enc) {
        case 0xC0: payload = 2; break;
        case 0xD0: payload = 4; break;
        case 0xE0: payload = 8; break;
        case 0xF0: payload = 3; break;
        case 0xFE: payload = 1; break;
        default:
            if (enc >= 0xF1 && enc <= 0xFD) {
                payload = 0;
                e->ival = (enc & 0x0F) - 1;
                break;
            }
            return false; /* 0xFF here, or 11xx encodings Redis never wrote */
        }
    }
    if (end - p < hdr || end - p - hdr < payload) return false;
    const uint8_t *data = zl + p + hdr;
    if (enc >> 6 != 3) {
        e->s = data;
        e->len = payload;
    } else if (enc == 0xFE) {
        e->ival = (int8_t)data[0];
    } else if (payload > 1) {
        e->ival = rd_intle(data, (int)payload);
    }
    *rawlen = p + hdr + payload - pos;
    return true;
}

bool ziplist_validate(const uint8_t *zl, size_t size, size_t *count) {
    if (size < ZL_HEADER_SIZE + 1) return false;
    if (rd_u32le(zl) != size || zl[size - 1] != ZL_END) return false;
    size_t tail = rd_u32le(zl + 4);
    unsigned zllen = rd_u16le(zl + 8);
    size_t end = size - 1;

    size_t pos = ZL_HEADER_SIZE, prev_raw = 0, last = ZL_HEADER_SIZE, n = 0;
    while (pos < end) {
        size_t prevlen, rawlen;
        ZiplistEntry e;
        if (!zl_decode(zl, end, pos, &prevlen, &rawlen, &e)) return false;
        if (prevlen != prev_raw) return false;
        last = pos;
        prev_raw = rawlen;
        pos += rawlen;
        n++;
    }
    if (tail != last) return false;
    if (zllen != ZL_UNKNOWN_LEN && zllen != n) return false;
    if (count) *count = n;
    return true;
}

void ziplist_iter_init(ZiplistIter *it, const uint8_t *zl, size_t size) {
    it->zl = zl;
    it->size = size;
    it->pos = ZL_HEADER_SIZE;
}

bool ziplist_iter_next(ZiplistIter *it, ZiplistEntry *e) {
    if (it->size < ZL_HEADER_SIZE + 1) return false;
    size_t prevlen, rawlen;
    if (!zl_decode(it->zl, it->size - 1, it->pos, &prevlen, &rawlen, e)) return false;
    it->pos += rawlen;
    return true;
}

/* ---- zipmap -------------------------------------------------------------------------- */

/* A zipmap length at pos (below end): *len and *hdr (1 or 5 bytes). False when it crosses
 * end or is the end marker. */
static bool zm_len(const uint8_t *zm, size_t end, size_t pos, size_t *len, size_t *hdr) {
    if (pos >= end) return false;
    if (zm[pos] < ZM_BIGLEN) {
        *len = zm[pos];
        *hdr = 1;
        return true;
    }
    if (zm[pos] == ZM_END || end - pos < 5) return false;
    *len = rd_u32le(zm + pos + 1);
    *hdr = 5;
    return true;
}

/* The pair at pos, ending at or before end; *next gets the offset after it. */
static bool zm_decode(const uint8_t *zm,
                      size_t end,
                      size_t pos,
                      const uint8_t **f,
                      size_t *flen,
                      const uint8_t **v,
                      size_t *vlen,
                      size_t *next) {
    size_t hdr;
    if (!zm_len(zm, end, pos, flen, &hdr)) return false;
    pos += hdr;
    if (end - pos < *flen) return false;
    *f = zm + pos;
    pos += *flen;
    if (!zm_len(zm, end, pos, vlen, &hdr)) return false;
    pos += hdr;
    if (pos >= end) return false;
    size_t free_bytes = zm[pos++];
    if (end - pos < *vlen || end - pos - *vlen < free_bytes) return false;
    *v = zm + pos;
    *next = pos + *vlen + free_bytes;
    return true;
}

bool zipmap_validate(const uint8_t *zm, size_t size, size_t *count) {
    if (size < 2 || zm[size - 1] != ZM_END) return false;
    size_t end = size - 1, pos = 1, n = 0;
    while (pos < end) {
        const uint8_t *f, *v;
        size_t flen, vlen;
        if (!zm_decode(zm, end, pos, &f, &flen, &v, &vlen, &pos)) return false;
        n++;
    }
    if (zm[0] != ZM_BIGLEN && zm[0] != n) return false;
    if (count) *count = n;
    return true;
}

void zipmap_iter_init(ZipmapIter *it, const uint8_t *zm, size_t size) {
    it->zm = zm;
    it->size = size;
    it->pos = 1;
}

bool zipmap_iter_next(
    ZipmapIter *it, const uint8_t **field, size_t *flen, const uint8_t **val, size_t *vlen) {
    if (it->size < 2) return false;
    return zm_decode(it->zm, it->size - 1, it->pos, field, flen, val, vlen, &it->pos);
}
