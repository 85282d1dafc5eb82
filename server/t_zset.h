/* t_zset.h - what other modules (RDB, SORT, DEBUG, tests) need from the sorted-set type:
 * build a sorted-set value and read it without knowing its encoding (t_zset.c). */
#ifndef VIGIL_SERVER_T_ZSET_H
#define VIGIL_SERVER_T_ZSET_H

#include "server/object.h"

#include <stdbool.h>
#include <stddef.h>

/* A new, empty sorted-set Kv (listpack); not in any db. Additions convert it to a skiplist
 * past zset-max-listpack-entries/value, as ZADD does. */
Kv *zset_kv_new(const char *key, size_t klen);
/* Add a member or set its score (score must not be NaN). True when it was new. */
bool zset_set_member(Kv *kv, double score, const char *ele, size_t len);
/* Remove a member; true when it was there. */
bool zset_remove_member(Kv *kv, const char *ele, size_t len);
size_t zset_length(const Kv *kv);
bool zset_member_score(Kv *kv, const char *ele, size_t len, double *score);
/* 0-based rank in ascending order; false when absent. */
bool zset_member_rank(Kv *kv, const char *ele, size_t len, long *rank);
/* Element at a 0-based ascending rank: member bytes (valid until the set changes; integers
 * are formatted into buf, >= 21 bytes) and score. False out of range. */
bool zset_at_rank(Kv *kv, long rank, const char **ele, size_t *len, double *score, char *buf);
/* Force the skiplist encoding (DEBUG, tests; RDB when a loaded listpack is too large). */
void zset_convert_to_skiplist(Kv *kv);

#endif
