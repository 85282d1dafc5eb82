/* dict.c - chained hash table with incremental rehashing (see dict.h for the contract).
 *
 * Layout: table[0] is the live table; while a resize is in progress table[1] is the target
 * and rehash_idx is the first bucket of table[0] not yet moved (every bucket below it is
 * empty). Lookups search both tables; inserts go to table[1] while rehashing. Each
 * find/insert/unlink moves one bucket (dict_rehash_step) unless a safe iterator or a SCAN
 * callback paused rehashing.
 *
 * Sizing policy (the same numbers as Redis 7.0, with the force ratio the server expects):
 *   - sizes are powers of two, the first table has DICT_INITIAL_SIZE buckets;
 *   - an insert grows the table to the next power of two >= used*2 once used >= size, but
 *     while resize_allowed is false (a fork child shares pages) only when used/size > 4;
 *   - dict_resize_if_needed (server cron) shrinks to the next power of two >= used when
 *     used*8 < size; nothing shrinks on delete by itself.
 *
 * Randomness for dict_random/dict_sample comes from a small PRNG local to this file, seeded
 * with the hash seed, so the module links without the server's utilities. Dicts are used by
 * one thread at a time; the seed is set once at start-up before any thread exists. */
#include "common/dict.h"

#include "common/clock.h"
#include "common/hash.h"
#include "common/mem.h"
#include "common/vg.h"

#include <string.h>

#define DICT_INITIAL_SIZE       4
#define DICT_FORCE_RESIZE_RATIO 4  /* grow even when resizing is disallowed past this fill */
#define DICT_SHRINK_RATIO       8  /* shrink when used * 8 < size */
#define DICT_EMPTY_VISITS       10 /* empty buckets a rehash step may skip per bucket asked */

static uint8_t dict_seed[16] = {0x76, 0x69, 0x67, 0x69, 0x6c, 0x2d, 0x64, 0x69,
                                0x63, 0x74, 0x2d, 0x73, 0x65, 0x65, 0x64, 0x21};
static uint64_t rng_state = 0x853c49e6748fea9bULL;

/* splitmix64: fast, full-period, good enough for picking buckets. */
static uint64_t dict_rand(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void dict_set_seed(const uint8_t seed[16]) {
    memcpy(dict_seed, seed, sizeof(dict_seed));
    uint64_t mix = 0;
    for (int i = 0; i < 16; i++)
        mix = (mix << 8 | mix >> 56) ^ seed[i];
    rng_state ^= mix;
}

/* ---- basics ---------------------------------------------------------------------------- */

static void table_reset(Dict *d, int t) {
    d->table[t] = NULL;
    d->size[t] = 0;
    d->used[t] = 0;
}

void dict_init(Dict *d, const DictType *type) {
    d->type = type;
    table_reset(d, 0);
    table_reset(d, 1);
    d->rehash_idx = -1;
    d->pause_rehash = 0;
    d->resize_allowed = true;
}

void dict_deinit(Dict *d, void (*free_node)(DictNode *n, void *ud), void *ud) {
    for (int t = 0; t < 2; t++) {
        if (free_node) {
            for (uint64_t i = 0; i < d->size[t]; i++) {
                DictNode *n = d->table[t][i];
                while (n) {
                    DictNode *next = n->next;
                    free_node(n, ud);
                    n = next;
                }
            }
        }
        mem_free(d->table[t]);
        table_reset(d, t);
    }
    d->rehash_idx = -1;
}

uint64_t dict_size(const Dict *d) {
    return d->used[0] + d->used[1];
}

uint64_t dict_buckets(const Dict *d) {
    return d->size[0] + d->size[1];
}

bool dict_is_rehashing(const Dict *d) {
    return d->rehash_idx != -1;
}

uint64_t dict_hash(const Dict *d, const char *key, size_t len) {
    if (d->type->nocase) return hash_siphash_nocase(key, len, dict_seed);
    return hash_siphash(key, len, dict_seed);
}

static uint64_t node_hash(const Dict *d, const DictNode *n) {
    size_t len;
    const char *key = d->type->node_key(n, &len);
    return dict_hash(d, key, len);
}

static bool key_equal(const Dict *d, const DictNode *n, const char *key, size_t len) {
    size_t nlen;
    const char *nkey = d->type->node_key(n, &nlen);
    if (nlen != len) return false;
    if (!d->type->nocase) return memcmp(nkey, key, len) == 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char a = (unsigned char)nkey[i], b = (unsigned char)key[i];
        if (a >= 'A' && a <= 'Z') a = (unsigned char)(a + 32);
        if (b >= 'A' && b <= 'Z') b = (unsigned char)(b + 32);
        if (a != b) return false;
    }
    return true;
}

/* ---- resizing and rehashing ------------------------------------------------------------ */

/* Smallest power of two >= n, at least DICT_INITIAL_SIZE; 0 when it would not fit. */
static uint64_t next_power(uint64_t n) {
    if (n <= DICT_INITIAL_SIZE) return DICT_INITIAL_SIZE;
    if (n > ((uint64_t)1 << 62)) return 0;
    return (uint64_t)1 << (64 - __builtin_clzll(n - 1));
}

/* Start moving to a table of `size` buckets (a power of two), or create the first table. */
static void resize_to(Dict *d, uint64_t size) {
    if (size == 0 || size > SIZE_MAX / sizeof(DictNode *)) return;
    if (size == d->size[0]) return;
    DictNode **buckets = mem_calloc((size_t)size * sizeof(DictNode *));
    if (d->table[0] == NULL) {
        d->table[0] = buckets;
        d->size[0] = size;
        return;
    }
    d->table[1] = buckets;
    d->size[1] = size;
    d->used[1] = 0;
    d->rehash_idx = 0;
}

/* Move up to n non-empty buckets from table 0 to table 1, skipping at most n*10 empty ones.
 * Finishes the rehash (table 1 becomes table 0) when table 0 runs dry. */
static bool rehash_buckets(Dict *d, int n) {
    if (!dict_is_rehashing(d)) return false;
    uint64_t empty_visits = (uint64_t)n * DICT_EMPTY_VISITS;
    uint64_t mask1 = d->size[1] - 1;
    while (n-- > 0 && d->used[0] != 0) {
        VG_ASSERT((uint64_t)d->rehash_idx < d->size[0]);
        while (d->table[0][d->rehash_idx] == NULL) {
            d->rehash_idx++;
            if (--empty_visits == 0) return true;
        }
        DictNode *node = d->table[0][d->rehash_idx];
        while (node) {
            DictNode *next = node->next;
            uint64_t idx = node_hash(d, node) & mask1;
            node->next = d->table[1][idx];
            d->table[1][idx] = node;
            d->used[0]--;
            d->used[1]++;
            node = next;
        }
        d->table[0][d->rehash_idx] = NULL;
        d->rehash_idx++;
    }
    if (d->used[0] != 0) return true;
    mem_free(d->table[0]);
    d->table[0] = d->table[1];
    d->size[0] = d->size[1];
    d->used[0] = d->used[1];
    table_reset(d, 1);
    d->rehash_idx = -1;
    return false;
}

bool dict_rehash_step(Dict *d, int n) {
    if (d->pause_rehash > 0) return dict_is_rehashing(d);
    return rehash_buckets(d, n);
}

bool dict_rehash_ms(Dict *d, int ms) {
    if (d->pause_rehash > 0) return dict_is_rehashing(d);
    int64_t deadline_us = clock_mono_us() + (int64_t)ms * 1000;
    while (rehash_buckets(d, 100)) {
        if (clock_mono_us() >= deadline_us) return true;
    }
    return false;
}

/* The one-bucket step every find/insert/unlink pays while a rehash is running. */
static void rehash_step_if_running(Dict *d) {
    if (dict_is_rehashing(d) && d->pause_rehash == 0) rehash_buckets(d, 1);
}

static void grow_if_needed(Dict *d) {
    if (dict_is_rehashing(d)) return;
    if (d->size[0] == 0) {
        resize_to(d, DICT_INITIAL_SIZE);
        return;
    }
    if (d->used[0] < d->size[0]) return;
    if (d->resize_allowed || d->used[0] / d->size[0] > DICT_FORCE_RESIZE_RATIO) {
        resize_to(d, next_power(d->used[0] * 2));
    }
}

void dict_expand(Dict *d, uint64_t n) {
    if (dict_is_rehashing(d) || n <= d->size[0] || n < d->used[0]) return;
    resize_to(d, next_power(n));
}

void dict_resize_if_needed(Dict *d) {
    if (dict_is_rehashing(d)) return;
    grow_if_needed(d);
    if (dict_is_rehashing(d) || !d->resize_allowed) return;
    if (d->size[0] > DICT_INITIAL_SIZE && d->used[0] * DICT_SHRINK_RATIO < d->size[0]) {
        resize_to(d, next_power(d->used[0]));
    }
}

/* ---- lookups and updates --------------------------------------------------------------- */

/* The link that points at the node with this key (or NULL), searching both tables. */
static DictNode **find_link(Dict *d, const char *key, size_t len, int *table_out) {
    if (dict_size(d) == 0) return NULL;
    uint64_t h = dict_hash(d, key, len);
    for (int t = 0; t <= 1; t++) {
        if (d->size[t] == 0) continue;
        DictNode **link = &d->table[t][h & (d->size[t] - 1)];
        for (; *link; link = &(*link)->next) {
            if (key_equal(d, *link, key, len)) {
                *table_out = t;
                return link;
            }
        }
        if (!dict_is_rehashing(d)) break;
    }
    return NULL;
}

DictNode *dict_find(Dict *d, const char *key, size_t len) {
    rehash_step_if_running(d);
    int t;
    DictNode **link = find_link(d, key, len, &t);
    return link ? *link : NULL;
}

void dict_insert(Dict *d, DictNode *n) {
    rehash_step_if_running(d);
    grow_if_needed(d);
    int t = dict_is_rehashing(d) ? 1 : 0;
    uint64_t idx = node_hash(d, n) & (d->size[t] - 1);
    n->next = d->table[t][idx];
    d->table[t][idx] = n;
    d->used[t]++;
}

DictNode *dict_unlink(Dict *d, const char *key, size_t len) {
    rehash_step_if_running(d);
    int t;
    DictNode **link = find_link(d, key, len, &t);
    if (!link) return NULL;
    DictNode *n = *link;
    *link = n->next;
    n->next = NULL;
    d->used[t]--;
    return n;
}

void dict_replace(Dict *d, DictNode *old_node, DictNode *new_node) {
    size_t len;
    const char *key = d->type->node_key(old_node, &len);
    int t;
    DictNode **link = find_link(d, key, len, &t);
    VG_ASSERT(link != NULL && *link == old_node);
    new_node->next = old_node->next;
    *link = new_node;
    old_node->next = NULL;
}

/* ---- random access --------------------------------------------------------------------- */

DictNode *dict_random(Dict *d) {
    if (dict_size(d) == 0) return NULL;
    rehash_step_if_running(d);
    DictNode *head;
    if (dict_is_rehashing(d)) {
        /* Buckets below rehash_idx in table 0 are empty: draw from the rest of both. */
        uint64_t lo = (uint64_t)d->rehash_idx, span = d->size[0] + d->size[1] - lo;
        do {
            uint64_t h = lo + dict_rand() % span;
            head = h >= d->size[0] ? d->table[1][h - d->size[0]] : d->table[0][h];
        } while (head == NULL);
    } else {
        uint64_t mask = d->size[0] - 1;
        do {
            head = d->table[0][dict_rand() & mask];
        } while (head == NULL);
    }
    /* Pick uniformly inside the chain; chains are short, so counting is cheap. */
    uint64_t len = 0;
    for (DictNode *n = head; n; n = n->next)
        len++;
    uint64_t pick = dict_rand() % len;
    while (pick--)
        head = head->next;
    return head;
}

unsigned dict_sample(Dict *d, DictNode **out, unsigned count) {
    uint64_t total = dict_size(d);
    if (total == 0 || count == 0) return 0;
    if (count > total) count = (unsigned)total;
    for (unsigned j = 0; j < count && dict_is_rehashing(d); j++)
        rehash_step_if_running(d);

    int tables = dict_is_rehashing(d) ? 2 : 1;
    uint64_t mask = d->size[0] - 1;
    if (tables == 2 && d->size[1] - 1 > mask) mask = d->size[1] - 1;
    uint64_t i = dict_rand() & mask;
    uint64_t max_steps = (uint64_t)count * 10, empty_run = 0;
    unsigned stored = 0;
    while (stored < count && max_steps-- > 0) {
        for (int t = 0; t < tables; t++) {
            /* Table 0 is empty below rehash_idx; if table 1 is too small to hold i either,
             * jump straight to the first bucket that can hold anything. */
            if (tables == 2 && t == 0 && i < (uint64_t)d->rehash_idx) {
                if (i >= d->size[1])
                    i = (uint64_t)d->rehash_idx;
                else
                    continue;
            }
            if (i >= d->size[t]) continue;
            DictNode *n = d->table[t][i];
            if (n == NULL) {
                /* A long empty run: restart somewhere else rather than crawl through it. */
                if (++empty_run >= 5 && empty_run > count) {
                    i = dict_rand() & mask;
                    empty_run = 0;
                }
                continue;
            }
            empty_run = 0;
            for (; n && stored < count; n = n->next)
                out[stored++] = n;
            if (stored == count) return stored;
        }
        i = (i + 1) & mask;
    }
    return stored;
}

/* ---- SCAN ------------------------------------------------------------------------------ */

static uint64_t reverse_bits(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    return __builtin_bswap64(v);
}

static void scan_bucket(DictNode *n, DictScanFn fn, void *ud) {
    while (n) {
        DictNode *next = n->next;
        fn(n, ud);
        n = next;
    }
}

/* Increment the cursor counting from its high bits down (only bits under mask matter):
 * set the bits above the mask, reverse, add one, reverse back. Because the cursor counts in
 * reversed order, bucket i of a table of size 2^k and buckets i, i+2^k, ... of any larger
 * table are visited consecutively, which is what keeps the guarantee across resizes. */
static uint64_t cursor_next(uint64_t v, uint64_t mask) {
    v |= ~mask;
    v = reverse_bits(v);
    v++;
    return reverse_bits(v);
}

uint64_t dict_scan(Dict *d, uint64_t v, DictScanFn fn, void *ud) {
    if (dict_size(d) == 0) return 0;
    d->pause_rehash++; /* fn may look keys up; no bucket may move under the walk */
    if (!dict_is_rehashing(d)) {
        uint64_t m0 = d->size[0] - 1;
        scan_bucket(d->table[0][v & m0], fn, ud);
        v = cursor_next(v, m0);
    } else {
        int small = d->size[0] <= d->size[1] ? 0 : 1, large = 1 - small;
        uint64_t m0 = d->size[small] - 1, m1 = d->size[large] - 1;
        scan_bucket(d->table[small][v & m0], fn, ud);
        /* Then every bucket of the larger table that expands the small one's bucket. */
        do {
            scan_bucket(d->table[large][v & m1], fn, ud);
            v = cursor_next(v, m1);
        } while (v & (m0 ^ m1));
    }
    d->pause_rehash--;
    return v;
}

/* ---- iterators ------------------------------------------------------------------------- */

static uint64_t fingerprint(const Dict *d) {
    uint64_t parts[6] = {(uint64_t)(uintptr_t)d->table[0], d->size[0], d->used[0],
                         (uint64_t)(uintptr_t)d->table[1], d->size[1], d->used[1]};
    uint64_t h = 0;
    for (int i = 0; i < 6; i++) {
        h = (h + parts[i]) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    return h;
}

void dict_iter_init(DictIter *it, Dict *d, bool safe) {
    it->d = d;
    it->table = 0;
    it->index = -1;
    it->safe = safe;
    it->entry = NULL;
    it->next_entry = NULL;
    it->fingerprint = 0;
    if (safe)
        d->pause_rehash++;
    else
        it->fingerprint = fingerprint(d);
}

DictNode *dict_iter_next(DictIter *it) {
    Dict *d = it->d;
    for (;;) {
        if (it->entry == NULL) {
            it->index++;
            if ((uint64_t)it->index >= d->size[it->table]) {
                if (it->table == 1 || !dict_is_rehashing(d)) return NULL;
                it->table = 1;
                it->index = 0;
                if (d->size[1] == 0) return NULL;
            }
            it->entry = d->table[it->table][it->index];
        } else {
            it->entry = it->next_entry;
        }
        if (it->entry) {
            /* Saved now so the caller may unlink the node it was just handed. */
            it->next_entry = it->entry->next;
            return it->entry;
        }
    }
}

void dict_iter_deinit(DictIter *it) {
    if (it->safe) {
        VG_ASSERT(it->d->pause_rehash > 0);
        it->d->pause_rehash--;
    } else {
#ifndef NDEBUG
        VG_ASSERT(it->fingerprint == fingerprint(it->d));
#endif
    }
    it->d = NULL;
}
