/* intset.c - sorted integer array in Redis's intset byte format (see intset.h).
 *
 * All reads and writes of header fields and elements go through explicit little-endian
 * helpers, so the image is the same on any host. */
#include "common/intset.h"

#include "common/mem.h"

#include <string.h>

static uint32_t rd_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr_u32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Element i of an array of width enc (sign-extended from its width). */
static int64_t elem_get(const unsigned char *is, uint32_t enc, uint32_t i) {
    const unsigned char *p = is + INTSET_HDR_SIZE + (size_t)i * enc;
    uint64_t u = 0;
    for (uint32_t b = 0; b < enc; b++)
        u |= (uint64_t)p[b] << (8 * b);
    if (enc < 8 && (u >> (8 * enc - 1)) & 1) u |= ~(uint64_t)0 << (8 * enc);
    return (int64_t)u;
}

static void elem_set(unsigned char *is, uint32_t enc, uint32_t i, int64_t v) {
    unsigned char *p = is + INTSET_HDR_SIZE + (size_t)i * enc;
    uint64_t u = (uint64_t)v;
    for (uint32_t b = 0; b < enc; b++)
        p[b] = (unsigned char)(u >> (8 * b));
}

static uint32_t width_for(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return INTSET_ENC_64;
    if (v < INT16_MIN || v > INT16_MAX) return INTSET_ENC_32;
    return INTSET_ENC_16;
}

uint32_t intset_encoding(const unsigned char *is) {
    return rd_u32(is);
}

uint32_t intset_len(const unsigned char *is) {
    return rd_u32(is + 4);
}

size_t intset_blob_len(const unsigned char *is) {
    return INTSET_HDR_SIZE + (size_t)intset_len(is) * intset_encoding(is);
}

int64_t intset_get(const unsigned char *is, uint32_t pos) {
    return elem_get(is, intset_encoding(is), pos);
}

int64_t intset_min(const unsigned char *is) {
    return intset_get(is, 0);
}

int64_t intset_max(const unsigned char *is) {
    return intset_get(is, intset_len(is) - 1);
}

unsigned char *intset_new(void) {
    unsigned char *is = mem_alloc(INTSET_HDR_SIZE);
    wr_u32(is, INTSET_ENC_16);
    wr_u32(is + 4, 0);
    return is;
}

void intset_free(unsigned char *is) {
    mem_free(is);
}

unsigned char *intset_dup(const unsigned char *is) {
    size_t n = intset_blob_len(is);
    unsigned char *copy = mem_alloc(n);
    memcpy(copy, is, n);
    return copy;
}

/* Binary search: true with *pos at v, or false with *pos where v would be inserted. */
static bool search(const unsigned char *is, int64_t v, uint32_t *pos) {
    uint32_t enc = intset_encoding(is), lo = 0, hi = intset_len(is);
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = elem_get(is, enc, mid);
        if (cur == v) {
            *pos = mid;
            return true;
        }
        if (cur < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return false;
}

bool intset_find(const unsigned char *is, int64_t v) {
    uint32_t pos;
    if (width_for(v) > intset_encoding(is)) return false;
    return search(is, v, &pos);
}

/* Rewrite every element at width `enc` and add v, which is outside the old range (it needed
 * the wider encoding): it goes first when negative, last otherwise. Elements are moved from
 * the end down so the widening never overwrites one not yet read. */
static unsigned char *upgrade_and_add(unsigned char *is, int64_t v, uint32_t enc) {
    uint32_t old = intset_encoding(is), len = intset_len(is);
    uint32_t shift = v < 0 ? 1 : 0;
    is = mem_realloc(is, INTSET_HDR_SIZE + (size_t)(len + 1) * enc);
    for (uint32_t i = len; i-- > 0;)
        elem_set(is, enc, i + shift, elem_get(is, old, i));
    elem_set(is, enc, v < 0 ? 0 : len, v);
    wr_u32(is, enc);
    wr_u32(is + 4, len + 1);
    return is;
}

unsigned char *intset_add(unsigned char *is, int64_t v, bool *added) {
    uint32_t enc = intset_encoding(is), len = intset_len(is), pos;
    if (added) *added = true;
    if (width_for(v) > enc) return upgrade_and_add(is, v, width_for(v));
    if (search(is, v, &pos)) {
        if (added) *added = false;
        return is;
    }
    is = mem_realloc(is, INTSET_HDR_SIZE + (size_t)(len + 1) * enc);
    unsigned char *at = is + INTSET_HDR_SIZE + (size_t)pos * enc;
    memmove(at + enc, at, (size_t)(len - pos) * enc);
    elem_set(is, enc, pos, v);
    wr_u32(is + 4, len + 1);
    return is;
}

unsigned char *intset_remove_at(unsigned char *is, uint32_t pos) {
    uint32_t enc = intset_encoding(is), len = intset_len(is);
    unsigned char *at = is + INTSET_HDR_SIZE + (size_t)pos * enc;
    memmove(at, at + enc, (size_t)(len - pos - 1) * enc);
    wr_u32(is + 4, len - 1);
    return mem_realloc(is, INTSET_HDR_SIZE + (size_t)(len - 1) * enc);
}

unsigned char *intset_remove(unsigned char *is, int64_t v, bool *removed) {
    uint32_t pos;
    bool found = width_for(v) <= intset_encoding(is) && search(is, v, &pos);
    if (removed) *removed = found;
    return found ? intset_remove_at(is, pos) : is;
}

bool intset_validate(const unsigned char *is, size_t size, bool deep) {
    if (size < INTSET_HDR_SIZE) return false;
    uint32_t enc = intset_encoding(is), len = intset_len(is);
    if (enc != INTSET_ENC_16 && enc != INTSET_ENC_32 && enc != INTSET_ENC_64) return false;
    if ((size - INTSET_HDR_SIZE) / enc < len) return false;
    if (INTSET_HDR_SIZE + (size_t)len * enc != size) return false;
    if (len == 0) return false; /* as Redis: an empty set is never stored */
    if (!deep) return true;
    for (uint32_t i = 1; i < len; i++)
        if (elem_get(is, enc, i - 1) >= elem_get(is, enc, i)) return false;
    return true;
}
