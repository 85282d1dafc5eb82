/* t_set.h - what other modules may read of a set value (t_set.c), whatever its encoding:
 * ZUNIONSTORE/ZINTERSTORE take set keys as inputs with score 1, SORT sorts sets, RDB will
 * save them. Writes stay inside t_set.c.
 *
 * A set Kv (type OBJ_SET) keeps its structure in kv->v.ptr, its encoding in kv->encoding:
 *   ENC_INTSET     common/intset.h block: every member a canonical integer (util_str_to_ll,
 *                  the listpack's rule), at most set-max-intset-entries members
 *   ENC_LISTPACK   common/listpack.h block of members (integers stored as integers), at most
 *                  set-max-listpack-entries members of at most set-max-listpack-value bytes
 *   ENC_HASHTABLE  a Dict of SetNode: one allocation per member (link + length + bytes)
 * Conversions only go up (intset -> listpack -> hashtable, intset -> hashtable) on insert,
 * as Redis 7.2 does; set-operation results start from the smallest encoding that fits.
 *
 * Usage:
 *     SetIter it;
 *     const char *s; size_t len; long long v;
 *     set_iter_init(&it, kv);
 *     while (set_iter_next(&it, &s, &len, &v))
 *         s ? use_bytes(s, len) : use_integer(v);
 *     set_iter_deinit(&it);
 * Members come in the encoding's order (ascending for an intset, insertion order for a
 * listpack, table order for a hashtable). The set must not change while an iterator is open;
 * returned pointers are valid until the next set_iter_next. */
#ifndef VIGIL_SERVER_T_SET_H
#define VIGIL_SERVER_T_SET_H

#include "common/dict.h"
#include "server/object.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SetIter {
    const Kv *kv;
    uint32_t pos;           /* ENC_INTSET: next index */
    unsigned char *lp_next; /* ENC_LISTPACK: next entry, NULL at the end */
    DictIter di;            /* ENC_HASHTABLE (unsafe iterator) */
} SetIter;

void set_iter_init(SetIter *it, const Kv *kv);
/* The next member: either bytes (*s, *len) or, when *s is set to NULL, the integer *ival
 * (intset members, listpack integer entries). False at the end. */
bool set_iter_next(SetIter *it, const char **s, size_t *len, long long *ival);
void set_iter_deinit(SetIter *it);

/* Is (s, len) a member? Integer-encoded members match their canonical decimal form. */
bool set_contains(const Kv *kv, const char *s, size_t len);
/* Number of members (O(1) for every encoding). */
unsigned long set_size(const Kv *kv);

/* Building a set (RDB loading): an empty set Kv about to receive size_hint members (intset,
 * or a hashtable past set-max-intset-entries), and adding members to it with SADD's
 * conversions. set_add_member returns false when the member was already there. The set must
 * get a member before it joins the keyspace. */
Kv *set_kv_new_for_load(const char *key, size_t klen, size_t size_hint);
bool set_add_member(Kv *kv, const char *s, size_t len);

#endif
