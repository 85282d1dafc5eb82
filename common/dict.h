/* dict.h - chained hash table with incremental rehashing and a stateless SCAN cursor.
 *
 * Intrusive: the caller's entry struct starts with a DictNode, so one allocation holds the
 * link, the key and (for the keyspace) the value. Keys are byte strings the caller exposes
 * through DictType.node_key; the table hashes them with SipHash-1-2 under a per-process seed.
 *
 * Growing and shrinking move buckets a few at a time: every find/insert/delete moves one
 * bucket while a rehash is in progress (and dict_rehash_ms lets a timer move more), so no
 * single operation stalls on a million-entry table. Table sizes are powers of two.
 *
 * dict_scan follows Redis's reverse-binary cursor, so a full iteration returns every entry
 * that was present from start to end at least once, even if the table grows, shrinks or
 * rehashes between calls (entries may be returned more than once). */
#ifndef VIGIL_COMMON_DICT_H
#define VIGIL_COMMON_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct DictNode {
    struct DictNode *next;
} DictNode;

typedef struct DictType {
    /* The key bytes of a stored node. */
    const char *(*node_key)(const DictNode *n, size_t *len);
    bool nocase; /* compare and hash keys ASCII-case-insensitively (command names) */
} DictType;

typedef struct Dict {
    const DictType *type;
    DictNode **table[2];
    uint64_t size[2]; /* 0 or a power of two */
    uint64_t used[2];
    int64_t rehash_idx; /* -1 when not rehashing */
    int pause_rehash;   /* > 0 while a safe iterator runs */
    bool resize_allowed; /* false while a fork child shares pages: only grow when forced */
} Dict;

void dict_init(Dict *d, const DictType *type);
/* Frees the bucket arrays; calls free_node on every node when non-NULL. */
void dict_deinit(Dict *d, void (*free_node)(DictNode *n, void *ud), void *ud);
uint64_t dict_size(const Dict *d);
uint64_t dict_buckets(const Dict *d); /* total buckets of both tables */
bool dict_is_rehashing(const Dict *d);

uint64_t dict_hash(const Dict *d, const char *key, size_t len);
DictNode *dict_find(Dict *d, const char *key, size_t len);
/* Insert a node whose key is not present (callers check with dict_find first). */
void dict_insert(Dict *d, DictNode *n);
/* Unlink and return the node with this key, or NULL. The caller frees it. */
DictNode *dict_unlink(Dict *d, const char *key, size_t len);
/* Replace old (present) with a new node carrying the same key, in place. */
void dict_replace(Dict *d, DictNode *old_node, DictNode *new_node);
/* A random node (NULL when empty); fair enough for RANDOMKEY and eviction sampling. */
DictNode *dict_random(Dict *d);
/* Visit up to `count` nodes sampled from random buckets (for active expiry/eviction). */
unsigned dict_sample(Dict *d, DictNode **out, unsigned count);

/* Called by the server's cron: shrink when fill < 1/8, grow when fill >= 1. */
void dict_resize_if_needed(Dict *d);
/* Rehash for up to `ms` milliseconds; returns true if more work remains. */
bool dict_rehash_ms(Dict *d, int ms);
/* Move up to n buckets; returns true if more work remains. */
bool dict_rehash_step(Dict *d, int n);
/* Ensure room for `n` entries without further growth (RESIZEDB, DEBUG POPULATE). */
void dict_expand(Dict *d, uint64_t n);

typedef void (*DictScanFn)(DictNode *n, void *ud);
/* One SCAN step starting at cursor v; calls fn for each node in the visited bucket(s);
 * returns the next cursor (0 = done). fn must not insert or delete. */
uint64_t dict_scan(Dict *d, uint64_t v, DictScanFn fn, void *ud);

/* Iteration over every node. A safe iterator pauses rehashing so the caller may delete the
 * current node; an unsafe one must not see any modification (asserted in debug builds). */
typedef struct DictIter {
    Dict *d;
    int table;
    int64_t index;
    bool safe;
    DictNode *entry, *next_entry;
    uint64_t fingerprint; /* unsafe iterators: the table's shape at init (checked in debug) */
} DictIter;
void dict_iter_init(DictIter *it, Dict *d, bool safe);
DictNode *dict_iter_next(DictIter *it);
void dict_iter_deinit(DictIter *it);

/* Seed the hash function (16 random bytes at start-up). */
void dict_set_seed(const uint8_t seed[16]);

#endif
