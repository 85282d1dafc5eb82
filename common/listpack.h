/* listpack.h - Redis 7 listpack: a compact byte array of strings and integers.
 *
 * Byte for byte the format of Redis 7.0 (listpack.md in the Redis repository), so RDB can
 * store and load our listpacks verbatim and memory use matches Redis:
 *
 *   <total-bytes u32le> <num-elements u16le> <entry> ... <entry> <0xFF>
 *   entry = <encoding+data> <backlen>
 *
 * num-elements 65535 means "unknown, count by walking" (lp_length caches the count again
 * once it fits). backlen is the length of encoding+data in 1-5 bytes of 7 bits, readable
 * right to left: the rightmost byte holds the lowest 7 bits, 0x80 marks "more to the left".
 *
 * A listpack is a plain heap block (mem_*); every mutating call returns its possibly moved
 * address. Entry pointers (p) are valid until the next mutation. Functions other than
 * lp_validate trust the bytes: validate anything read from RDB/RESTORE first. */
#ifndef VIGIL_COMMON_LISTPACK_H
#define VIGIL_COMMON_LISTPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LP_INTBUF_SIZE    21 /* room for a formatted int64 and its NUL */
#define LP_HDR_SIZE       6
#define LP_EMPTY_BYTES    7 /* header + terminator */
#define LP_COUNT_UNKNOWN  65535
#define LP_MAX_SAFE_BYTES (1u << 30) /* Redis LISTPACK_MAX_SAFETY_SIZE */

enum {
    LP_BEFORE = 0,
    LP_AFTER = 1,
    LP_REPLACE = 2
};

/* An empty listpack in a block of max(capacity, 7) bytes (room reserved for later inserts,
 * which grow in place while the allocator's usable size allows). */
unsigned char *lp_new(size_t capacity);
/* lp_free(NULL) is a no-op. */
void lp_free(unsigned char *lp);
/* Total bytes from the header. */
size_t lp_bytes(const unsigned char *lp);
/* Element count; walks (O(bytes)) only when the header says 65535, and stores the walked
 * count back when it fits in the header again. */
unsigned long lp_length(unsigned char *lp);
/* May lp (NULL counts as empty) grow by add bytes and stay within LP_MAX_SAFE_BYTES? */
bool lp_safe_to_add(const unsigned char *lp, size_t add);

/* Navigation. lp_first/lp_last return NULL on an empty listpack; lp_next returns NULL past
 * the last element, lp_prev before the first. lp_prev accepts the terminator (returns the
 * last element). */
unsigned char *lp_first(unsigned char *lp);
unsigned char *lp_last(unsigned char *lp);
unsigned char *lp_next(unsigned char *lp, unsigned char *p);
unsigned char *lp_prev(unsigned char *lp, unsigned char *p);
/* Element at index (negative counts from the end, -1 is the last); NULL out of range.
 * Walks from the nearer end. */
unsigned char *lp_seek(unsigned char *lp, long index);

/* The entry's value: a string (returns a pointer into the listpack, *slen set; an empty
 * string gives a non-NULL pointer) or an integer (returns NULL, *ival set). */
const unsigned char *lp_get(const unsigned char *p, uint32_t *slen, long long *ival);
/* The entry's value as bytes: integers are formatted into buf (NUL-terminated). */
const char *lp_get_str(const unsigned char *p, size_t *len, char buf[LP_INTBUF_SIZE]);
/* Is the entry's value the integer v? (string entries never match) */
bool lp_get_int(const unsigned char *p, long long *v);
/* Does the entry equal these bytes? Integer entries compare by value against s parsed as a
 * canonical integer, without formatting. */
bool lp_eq(const unsigned char *p, const char *s, size_t len);

/* Insertion. Each returns the listpack's new address. where is LP_BEFORE/LP_AFTER/LP_REPLACE
 * relative to p; p may also be the terminator with LP_BEFORE (append). *newp (if non-NULL)
 * receives the inserted/replaced element in the new listpack. s may point into lp itself.
 * Canonical integer strings are stored with the smallest integer encoding. */
unsigned char *lp_insert(unsigned char *lp,
                         const char *s,
                         size_t len,
                         unsigned char *p,
                         int where,
                         unsigned char **newp);
unsigned char *
lp_insert_int(unsigned char *lp, long long v, unsigned char *p, int where, unsigned char **newp);
unsigned char *lp_append(unsigned char *lp, const char *s, size_t len);
unsigned char *lp_prepend(unsigned char *lp, const char *s, size_t len);
unsigned char *lp_append_int(unsigned char *lp, long long v);
unsigned char *lp_prepend_int(unsigned char *lp, long long v);
/* Replace the element at *p; *p is updated to it in the new listpack. */
unsigned char *lp_replace(unsigned char *lp, unsigned char **p, const char *s, size_t len);
unsigned char *lp_replace_int(unsigned char *lp, unsigned char **p, long long v);

/* Deletion. *next (if non-NULL) receives the element that followed (NULL if p was last). */
unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned char **next);
/* Delete up to num elements from index on (negative index counts from the end); an index
 * out of range deletes nothing. */
unsigned char *lp_delete_range(unsigned char *lp, long index, unsigned long num);
/* Delete up to num elements from *p on; *p receives the element that followed the range in
 * the new listpack (NULL when the range reached the end). */
unsigned char *lp_delete_range_p(unsigned char *lp, unsigned char **p, unsigned long num);

/* First entry from p on (p included; NULL p means none) equal to s, comparing only every
 * (skip+1)-th entry: skip=1 searches the fields of a field/value listpack. NULL when absent.
 * s is parsed as an integer once; other entries are stepped over without decoding. */
unsigned char *
lp_find(unsigned char *lp, unsigned char *p, const char *s, size_t len, unsigned skip);

/* Give back allocator slack beyond lp_bytes(). */
unsigned char *lp_shrink_to_fit(unsigned char *lp);

/* Validation for untrusted bytes (RDB/RESTORE): the header's size equals size and the last
 * byte is the terminator; with deep, every entry's encoding and backlen are consistent and
 * inside the buffer and the count matches the header (unless 65535). Never reads outside
 * [lp, lp+size) on any input. */
bool lp_validate(const unsigned char *lp, size_t size, bool deep);

/* A uniformly random element (HRANDFIELD/SRANDMEMBER/ZRANDMEMBER) drawn with rnd; *index
 * (if non-NULL) receives its position. NULL when empty. */
unsigned char *lp_random_entry(unsigned char *lp, uint64_t (*rnd)(void), long *index);
/* For listpacks of pairs (field/value, member/score): a uniformly random pair; returns its
 * first element, *val (if non-NULL) the second, *index (if non-NULL) the pair number.
 * NULL when empty. */
unsigned char *
lp_random_pair(unsigned char *lp, uint64_t (*rnd)(void), unsigned char **val, long *index);

#endif
