/* t_hash.h - what other modules may ask of a hash value (SORT's GET key->field, RDB, DEBUG):
 * the length, one field's value, iteration over field/value pairs in either encoding, and
 * building a hash field by field (RDB loading, tests).
 *
 * Encodings (t_hash.c has the details):
 *   ENC_LISTPACK   kv->v.ptr is a listpack "field value field value ..." (Redis 7.0's bytes)
 *   ENC_HASHTABLE  kv->v.ptr is a Dict of nodes each holding field and value in one block
 *
 * Returned pointers point into the hash (or into a caller/iterator number buffer for
 * integer-encoded listpack entries) and are valid until the hash is next modified. */
#ifndef VIGIL_SERVER_T_HASH_H
#define VIGIL_SERVER_T_HASH_H

#include "common/dict.h"
#include "server/object.h"

#include <stdbool.h>
#include <stddef.h>

#define HASH_NUMBUF 21 /* room for a formatted int64 and its NUL (listpack's LP_INTBUF_SIZE) */

/* A new empty hash Kv (listpack). It must get a field before it joins the keyspace. */
Kv *hash_kv_new(const char *key, size_t klen);
/* Set field to value; true if the field is new. Applies the conversion rules: a field or
 * value over hash-max-listpack-value converts first, a count over
 * hash-max-listpack-entries after the insert. */
bool hash_set(Kv *kv, const char *field, size_t flen, const char *val, size_t vlen);
/* Remove a field; true if it was there. An emptied hash stays (callers delete the key). */
bool hash_delete(Kv *kv, const char *field, size_t flen);
/* listpack -> hashtable (no-op on a hashtable); conversion never goes back. */
void hash_convert(Kv *kv);

/* Number of fields of a hash Kv. */
unsigned long hash_length(const Kv *kv);

/* The value of `field`, or NULL when absent; *vlen receives its length. numbuf holds the
 * bytes when the listpack stored the value as an integer. */
const char *
hash_get(const Kv *kv, const char *field, size_t flen, size_t *vlen, char numbuf[HASH_NUMBUF]);

/* Iteration in storage order (listpack order, or the table's bucket order). The hash must
 * not be modified while an iterator is live. */
typedef struct HashIter {
    Kv *kv;
    unsigned char *p; /* listpack: the next field entry (NULL at the end) */
    DictIter di;      /* hashtable */
    char fbuf[HASH_NUMBUF], vbuf[HASH_NUMBUF];
} HashIter;

void hash_iter_init(HashIter *it, Kv *kv);
/* The next pair; false at the end. */
bool hash_iter_next(HashIter *it, const char **field, size_t *flen, const char **val, size_t *vlen);
void hash_iter_deinit(HashIter *it);

#endif
