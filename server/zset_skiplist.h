/* zset_skiplist.h - the large sorted-set encoding ("skiplist"): a skiplist ordered by
 * (score, member bytes) whose nodes are also the entries of a member -> node Dict.
 *
 *   ZSet                    ZslNode (one allocation per member)
 *   +--------------+        +----------+-------+----------+-----+-------+---------------+
 *   | Dict dict  --+------> | DictNode | score | backward | len | level | lv[level] ... |
 *   | header, tail |        +----------+-------+----------+-----+-------+---------------+
 *   | length,level |        | member bytes (len), NUL                                    |
 *   +--------------+        +-----------------------------------------------------------+
 *
 * Each level link carries a span (how many nodes it jumps), so ranks and index ranges cost
 * O(log n). Levels follow Redis's distribution (p = 1/4, at most 32). Ranks here are
 * 1-based, as the skiplist counts them; t_zset.c turns them into 0-based indexes.
 *
 * The range types (ZRangeSpec by score, ZLexRange by member) and their comparisons are here
 * too: both encodings use them. Parsing the client's bounds lives in t_zset.c. */
#ifndef VIGIL_SERVER_ZSET_SKIPLIST_H
#define VIGIL_SERVER_ZSET_SKIPLIST_H

#include "common/dict.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZSL_MAXLEVEL 32

typedef struct ZslNode ZslNode;
typedef struct ZslLevel {
    ZslNode *forward;
    unsigned long span;
} ZslLevel;

struct ZslNode {
    DictNode dnode; /* first: the dict's entry is the node itself */
    double score;
    ZslNode *backward;
    uint32_t len;
    int level;
    ZslLevel lv[]; /* level links, then the member bytes and a NUL */
};

typedef struct ZSet {
    Dict dict;
    ZslNode *header, *tail;
    unsigned long length;
    int level;
} ZSet;

/* Score interval; minex/maxex: the bound itself is excluded. */
typedef struct ZRangeSpec {
    double min, max;
    bool minex, maxex;
} ZRangeSpec;

/* Member interval: inf -1 is "-" (below everything), +1 is "+", 0 a real bound of len
 * bytes at p (borrowed); ex: exclusive. */
typedef struct ZLexBound {
    const char *p;
    size_t len;
    int inf;
    bool ex;
} ZLexBound;
typedef struct ZLexRange {
    ZLexBound min, max;
} ZLexRange;

static inline const char *zsl_node_ele(const ZslNode *n) {
    return (const char *)(n->lv + n->level);
}

ZSet *zs_new(void);
void zs_free(ZSet *zs); /* zs_free(NULL) is a no-op */
ZSet *zs_dup(const ZSet *zs);

ZslNode *zs_find(ZSet *zs, const char *ele, size_t len);
/* Insert a member that is not present; returns its node. */
ZslNode *zs_insert(ZSet *zs, double score, const char *ele, size_t len);
/* Remove and free a member; false when absent. */
bool zs_delete(ZSet *zs, const char *ele, size_t len);
/* Unlink and free node n (a member of zs). */
void zs_delete_node(ZSet *zs, ZslNode *n);
/* Give node n a new score; returns the node now holding the member (n moved or reused). */
ZslNode *zs_update_score(ZSet *zs, ZslNode *n, double score);
/* 1-based rank of n. */
unsigned long zs_rank(const ZSet *zs, const ZslNode *n);
/* Node at 1-based rank, NULL out of range. */
ZslNode *zs_by_rank(const ZSet *zs, unsigned long rank);

/* Range tests and lookups: first/last node inside the range, NULL if none. */
bool zs_score_gte_min(double v, const ZRangeSpec *r);
bool zs_score_lte_max(double v, const ZRangeSpec *r);
bool zs_range_is_empty(const ZRangeSpec *r);
ZslNode *zs_first_in_range(const ZSet *zs, const ZRangeSpec *r);
ZslNode *zs_last_in_range(const ZSet *zs, const ZRangeSpec *r);
/* Byte order as memcmp then length (Redis's sdscmp). */
int zs_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen);
bool zs_lex_gte_min(const char *s, size_t len, const ZLexRange *r);
bool zs_lex_lte_max(const char *s, size_t len, const ZLexRange *r);
bool zs_lex_is_empty(const ZLexRange *r);
ZslNode *zs_first_in_lex(const ZSet *zs, const ZLexRange *r);
ZslNode *zs_last_in_lex(const ZSet *zs, const ZLexRange *r);

/* Bytes of the structure: exact when samples is 0, else extrapolated from that many nodes. */
size_t zs_memory_usage(const ZSet *zs, long long samples);

/* Random level with Redis's distribution (exposed for the unit test). */
int zs_random_level(void);

#endif
