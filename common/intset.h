/* intset.h - Redis's intset: a sorted array of distinct integers in one heap block.
 *
 * Byte for byte the format of Redis (intset.c), so RDB can store and load intsets verbatim
 * and memory use matches Redis:
 *
 *   +--------------------+--------------------+-------------------------------------+
 *   | encoding  u32le    | length  u32le      | length * encoding bytes, ascending  |
 *   | 2, 4 or 8          | element count      | little-endian two's complement      |
 *   +--------------------+--------------------+-------------------------------------+
 *
 * Every element uses the width of the widest one. Inserting a value that needs more bytes
 * rewrites the whole array at the new width ("upgrade"); removals never downgrade. The block
 * is exactly header + length * encoding bytes (reallocated on every insert and removal, as
 * Redis does), so the set costs what Redis's costs. Lookups are binary searches.
 *
 * An intset is a plain mem_* block; every mutating call returns its possibly moved address.
 * Functions other than intset_validate trust the bytes: validate anything read from
 * RDB/RESTORE first. */
#ifndef VIGIL_COMMON_INTSET_H
#define VIGIL_COMMON_INTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INTSET_HDR_SIZE 8
#define INTSET_ENC_16   2
#define INTSET_ENC_32   4
#define INTSET_ENC_64   8

/* An empty intset (encoding 2, length 0: an 8-byte block). */
unsigned char *intset_new(void);
/* intset_free(NULL) is a no-op. */
void intset_free(unsigned char *is);
/* A copy of the same bytes. */
unsigned char *intset_dup(const unsigned char *is);

/* Add v; *added (if non-NULL) says whether it was absent. */
unsigned char *intset_add(unsigned char *is, int64_t v, bool *added);
/* Remove v; *removed (if non-NULL) says whether it was present. */
unsigned char *intset_remove(unsigned char *is, int64_t v, bool *removed);
/* Remove the element at pos (< intset_len). */
unsigned char *intset_remove_at(unsigned char *is, uint32_t pos);
bool intset_find(const unsigned char *is, int64_t v);

uint32_t intset_len(const unsigned char *is);
/* Bytes of the block as Redis reports them (header + elements). */
size_t intset_blob_len(const unsigned char *is);
/* Width in bytes of every element (INTSET_ENC_*). */
uint32_t intset_encoding(const unsigned char *is);
/* Element at pos (< intset_len); ascending order. */
int64_t intset_get(const unsigned char *is, uint32_t pos);
/* Smallest and largest element; the intset must not be empty. */
int64_t intset_min(const unsigned char *is);
int64_t intset_max(const unsigned char *is);

/* Validation for untrusted bytes (RDB/RESTORE): a known encoding, a size that matches the
 * header exactly, at least one element (as Redis demands), and (deep) strictly ascending
 * elements. */
bool intset_validate(const unsigned char *is, size_t size, bool deep);

#endif
