/* ziplist.h - read-only access to the two compact encodings of Redis before 7.0 that RDB
 * files may still hold: the ziplist (lists, hashes, sorted sets; RDB types 10, 12, 13, 14)
 * and the zipmap (hashes; RDB type 9). Nothing here writes either format: Vigil converts
 * them to listpacks or tables when it loads them (server/rdb_legacy.c).
 *
 * Ziplist (Redis's ziplist.c; all header integers little-endian):
 *
 *   <zlbytes:u32> <zltail:u32> <zllen:u16> <entry> ... <entry> <0xFF>
 *   entry = <prevlen> <encoding> <payload>
 *     prevlen  1 byte (< 254), or 0xFE + u32 LE: the raw length of the previous entry
 *     encoding 00pppppp                string of p (<= 63) bytes
 *              01pppppp qqqqqqqq       string, 14-bit length (big-endian)
 *              10000000 + u32 BE       string, 32-bit length
 *              0xC0 int16 | 0xD0 int32 | 0xE0 int64 | 0xF0 int24 | 0xFE int8  (LE payload)
 *              0xF1..0xFD              immediate integer 0..12 (low nibble - 1), no payload
 *   zltail is the offset of the last entry (10 when empty); zllen is the count, or 65535
 *   when the count must be found by walking.
 *
 * Zipmap (Redis's zipmap.c):
 *
 *   <zmlen:u8> <len>field <len><free>value<free bytes> ... <0xFF>
 *     len  1 byte (< 254), or 0xFE + u32 LE; zmlen is the pair count, 254 = "walk to count"
 *     free unused bytes after the value (one byte)
 *
 * Both validators are "deep": every byte of the blob is accounted for, every entry lies
 * inside it, the counts and back links agree, and nothing is read outside [blob, blob+size).
 * They return false on anything wrong. The iterators only run on a validated blob (and stay
 * inside it even if misused: they stop rather than read past the end). */
#ifndef VIGIL_COMMON_ZIPLIST_H
#define VIGIL_COMMON_ZIPLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One ziplist entry: bytes (s, len) when s != NULL, else the integer ival. */
typedef struct ZiplistEntry {
    const uint8_t *s;
    size_t len;
    long long ival;
} ZiplistEntry;

/* Deep check of a ziplist blob of `size` bytes; *count (may be NULL) gets the number of
 * entries when it is valid. */
bool ziplist_validate(const uint8_t *zl, size_t size, size_t *count);

typedef struct ZiplistIter {
    const uint8_t *zl;
    size_t size;
    size_t pos; /* offset of the next entry */
} ZiplistIter;

/* Iterate a blob ziplist_validate() accepted, head to tail. */
void ziplist_iter_init(ZiplistIter *it, const uint8_t *zl, size_t size);
/* The next entry; false at the end. Pointers point into the blob. */
bool ziplist_iter_next(ZiplistIter *it, ZiplistEntry *e);

/* Deep check of a zipmap blob; *count (may be NULL) gets the number of pairs. An empty
 * zipmap is valid here (Redis's own validator refuses it; rdb_legacy decides). */
bool zipmap_validate(const uint8_t *zm, size_t size, size_t *count);

typedef struct ZipmapIter {
    const uint8_t *zm;
    size_t size;
    size_t pos;
} ZipmapIter;

/* Iterate a blob zipmap_validate() accepted. */
void zipmap_iter_init(ZipmapIter *it, const uint8_t *zm, size_t size);
/* The next field/value pair; false at the end. Pointers point into the blob. */
bool zipmap_iter_next(
    ZipmapIter *it, const uint8_t **field, size_t *flen, const uint8_t **val, size_t *vlen);

#endif
