/* test_dict.c - the chained hash table: lookups, incremental rehashing, sizing policy, SCAN's
 * guarantee across resizes, random/sample, iterators and case-insensitive keys.
 *
 * Nodes are TNode (a DictNode followed by the key) allocated through mem_*; most tests keep
 * a shadow "present" array indexed by key number and compare the dict with it. */
#include "common/dict.h"
#include "common/mem.h"
#include "common/vg.h"

#include <check.h>

#include "check_main.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct TNode {
    DictNode node;
    int id;
    size_t len;
    char key[];
} TNode;

static const char *tnode_key(const DictNode *n, size_t *len) {
    const TNode *t = (const TNode *)n;
    *len = t->len;
    return t->key;
}

static const DictType tnode_type = {.node_key = tnode_key, .nocase = false};
static const DictType tnode_nocase_type = {.node_key = tnode_key, .nocase = true};

static TNode *tnode_new_str(const char *key, int id) {
    size_t len = strlen(key);
    TNode *t = mem_alloc(sizeof(TNode) + len + 1);
    t->node.next = NULL;
    t->id = id;
    t->len = len;
    memcpy(t->key, key, len + 1);
    return t;
}

static int key_for(char *buf, size_t cap, const char *prefix, int i) {
    return snprintf(buf, cap, "%s:%d", prefix, i);
}

static TNode *tnode_new(const char *prefix, int i) {
    char buf[64];
    key_for(buf, sizeof(buf), prefix, i);
    return tnode_new_str(buf, i);
}

static void tnode_free(DictNode *n, void *ud) {
    if (ud) (*(int *)ud)++;
    mem_free(n);
}

static TNode *find_key(Dict *d, const char *prefix, int i) {
    char buf[64];
    int len = key_for(buf, sizeof(buf), prefix, i);
    return (TNode *)dict_find(d, buf, (size_t)len);
}

static bool unlink_free(Dict *d, const char *prefix, int i) {
    char buf[64];
    int len = key_for(buf, sizeof(buf), prefix, i);
    DictNode *n = dict_unlink(d, buf, (size_t)len);
    if (n) mem_free(n);
    return n != NULL;
}

static void insert_key(Dict *d, const char *prefix, int i) {
    dict_insert(d, &tnode_new(prefix, i)->node);
}

static void finish_rehash(Dict *d) {
    while (dict_rehash_step(d, 100)) {
    }
}

/* ---- basics ---------------------------------------------------------------------------- */

START_TEST(test_insert_find_unlink_100k) {
    Dict d;
    enum {
        N = 100000
    };
    dict_init(&d, &tnode_type);
    ck_assert_ptr_null(dict_find(&d, "nope", 4));
    ck_assert_ptr_null(dict_unlink(&d, "nope", 4));
    for (int i = 0; i < N; i++)
        insert_key(&d, "k", i);
    ck_assert_uint_eq(dict_size(&d), N);
    for (int i = 0; i < N; i++) {
        TNode *t = find_key(&d, "k", i);
        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(t->id, i);
    }
    ck_assert_ptr_null(find_key(&d, "k", N));
    ck_assert_ptr_null(find_key(&d, "x", 0));
    for (int i = 0; i < N; i += 2)
        ck_assert(unlink_free(&d, "k", i));
    ck_assert_uint_eq(dict_size(&d), N / 2);
    for (int i = 0; i < N; i++)
        ck_assert((find_key(&d, "k", i) != NULL) == (i % 2 == 1));
    ck_assert(!unlink_free(&d, "k", 0));
    for (int i = 1; i < N; i += 2)
        ck_assert(unlink_free(&d, "k", i));
    ck_assert_uint_eq(dict_size(&d), 0);
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

START_TEST(test_binary_keys_and_empty_key) {
    Dict d;
    dict_init(&d, &tnode_type);
    TNode *empty = tnode_new_str("", 1);
    TNode *bin = mem_alloc(sizeof(TNode) + 3);
    bin->id = 2;
    bin->len = 3;
    memcpy(bin->key, "a\0b", 3);
    dict_insert(&d, &empty->node);
    dict_insert(&d, &bin->node);
    ck_assert_ptr_eq(dict_find(&d, "", 0), &empty->node);
    ck_assert_ptr_eq(dict_find(&d, "a\0b", 3), &bin->node);
    ck_assert_ptr_null(dict_find(&d, "a\0c", 3));
    ck_assert_ptr_null(dict_find(&d, "a", 1));
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

START_TEST(test_replace_keeps_position) {
    Dict d;
    dict_init(&d, &tnode_type);
    for (int i = 0; i < 1000; i++)
        insert_key(&d, "k", i);
    ck_assert(dict_is_rehashing(&d) || dict_size(&d) == 1000);
    for (int i = 0; i < 1000; i += 3) {
        TNode *old = find_key(&d, "k", i);
        TNode *nw = tnode_new("k", i + 100000);
        nw->len = old->len;
        memcpy(nw->key, old->key, old->len + 1);
        dict_replace(&d, &old->node, &nw->node);
        mem_free(old);
    }
    ck_assert_uint_eq(dict_size(&d), 1000);
    for (int i = 0; i < 1000; i++) {
        TNode *t = find_key(&d, "k", i);
        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(t->id, i % 3 == 0 ? i + 100000 : i);
    }
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

START_TEST(test_deinit_frees_every_node) {
    Dict d;
    int freed = 0;
    dict_init(&d, &tnode_type);
    for (int i = 0; i < 777; i++)
        insert_key(&d, "k", i);
    dict_deinit(&d, tnode_free, &freed);
    ck_assert_int_eq(freed, 777);
    ck_assert_uint_eq(dict_size(&d), 0);
    ck_assert_uint_eq(dict_buckets(&d), 0);
    /* A deinit'd dict is an empty one and can be reused. */
    insert_key(&d, "k", 1);
    ck_assert_ptr_nonnull(find_key(&d, "k", 1));
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

START_TEST(test_nocase_type) {
    Dict d;
    dict_init(&d, &tnode_nocase_type);
    dict_insert(&d, &tnode_new_str("Hello", 1)->node);
    dict_insert(&d, &tnode_new_str("client|list", 2)->node);
    ck_assert_int_eq(((TNode *)dict_find(&d, "HELLO", 5))->id, 1);
    ck_assert_int_eq(((TNode *)dict_find(&d, "hello", 5))->id, 1);
    ck_assert_int_eq(((TNode *)dict_find(&d, "CLIENT|LIST", 11))->id, 2);
    ck_assert_ptr_null(dict_find(&d, "hell", 4));
    ck_assert_ptr_null(dict_find(&d, "hellp", 5));
    ck_assert_uint_eq(dict_hash(&d, "MiXeD", 5), dict_hash(&d, "mixed", 5));
    DictNode *n = dict_unlink(&d, "hELLO", 5);
    ck_assert_ptr_nonnull(n);
    mem_free(n);
    ck_assert_uint_eq(dict_size(&d), 1);
    dict_deinit(&d, tnode_free, NULL);

    Dict cs;
    dict_init(&cs, &tnode_type);
    dict_insert(&cs, &tnode_new_str("Hello", 1)->node);
    ck_assert_ptr_null(dict_find(&cs, "hello", 5));
    dict_deinit(&cs, tnode_free, NULL);
}
END_TEST

START_TEST(test_seed_changes_hashes) {
    Dict d;
    dict_init(&d, &tnode_type);
    uint64_t before = dict_hash(&d, "somekey", 7);
    uint8_t seed[16];
    for (int i = 0; i < 16; i++)
        seed[i] = (uint8_t)(i * 17 + 3);
    dict_set_seed(seed);
    ck_assert_uint_ne(dict_hash(&d, "somekey", 7), before);
    for (int i = 0; i < 1000; i++)
        insert_key(&d, "k", i);
    for (int i = 0; i < 1000; i++)
        ck_assert_ptr_nonnull(find_key(&d, "k", i));
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

/* ---- sizing and rehashing -------------------------------------------------------------- */

START_TEST(test_growth_policy) {
    Dict d;
    dict_init(&d, &tnode_type);
    ck_assert_uint_eq(dict_buckets(&d), 0);
    insert_key(&d, "k", 0);
    ck_assert_uint_eq(dict_buckets(&d), 4);
    for (int i = 1; i < 4; i++)
        insert_key(&d, "k", i);
    ck_assert(!dict_is_rehashing(&d));
    insert_key(&d, "k", 4); /* used 4 >= size 4: grow to next pow2 >= 8 */
    ck_assert(dict_is_rehashing(&d));
    ck_assert_uint_eq(d.size[1], 8);
    finish_rehash(&d);
    ck_assert_uint_eq(dict_buckets(&d), 8);
    for (int i = 0; i < 5; i++)
        ck_assert_ptr_nonnull(find_key(&d, "k", i));
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

START_TEST(test_growth_forced_when_resize_disallowed) {
    Dict d;
    dict_init(&d, &tnode_type);
    d.resize_allowed = false;
    for (int i = 0; i < 20; i++)
        insert_key(&d, "k", i); /* fill 20/4 = 5 is not yet > 4 */
    ck_assert_uint_eq(dict_buckets(&d), 4);
    ck_assert(!dict_is_rehashing(&d));
    insert_key(&d, "k", 20); /* 20/4 > 4 seen before inserting the 21st: forced */
    ck_assert(dict_is_rehashing(&d));
    ck_assert_uint_eq(d.size[1], 64);
    finish_rehash(&d);
    /* No shrink while disallowed. */
    for (int i = 0; i < 21; i++)
        ck_assert(unlink_free(&d, "k", i));
    dict_resize_if_needed(&d);
    ck_assert(!dict_is_rehashing(&d));
    ck_assert_uint_eq(dict_buckets(&d), 64);
    d.resize_allowed = true;
    dict_resize_if_needed(&d);
    ck_assert(dict_is_rehashing(&d));
    finish_rehash(&d);
    ck_assert_uint_eq(dict_buckets(&d), 4);
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

START_TEST(test_shrink_and_expand) {
    Dict d;
    dict_init(&d, &tnode_type);
    for (int i = 0; i < 1000; i++)
        insert_key(&d, "k", i);
    finish_rehash(&d);
    ck_assert_uint_eq(dict_buckets(&d), 1024);
    dict_resize_if_needed(&d); /* fill ~1: nothing to do */
    ck_assert(!dict_is_rehashing(&d));
    for (int i = 10; i < 1000; i++)
        ck_assert(unlink_free(&d, "k", i));
    ck_assert_uint_eq(dict_buckets(&d), 1024); /* deletes never shrink by themselves */
    dict_resize_if_needed(&d);
    ck_assert(dict_is_rehashing(&d));
    ck_assert_uint_eq(d.size[1], 16);
    ck_assert(!dict_rehash_ms(&d, 100));
    ck_assert_uint_eq(dict_buckets(&d), 16);
    for (int i = 0; i < 10; i++)
        ck_assert_ptr_nonnull(find_key(&d, "k", i));

    Dict e;
    dict_init(&e, &tnode_type);
    dict_expand(&e, 1000);
    ck_assert_uint_eq(dict_buckets(&e), 1024);
    for (int i = 0; i < 1000; i++)
        insert_key(&e, "k", i);
    ck_assert(!dict_is_rehashing(&e));
    ck_assert_uint_eq(dict_buckets(&e), 1024);
    dict_expand(&e, 10); /* never shrinks */
    ck_assert_uint_eq(dict_buckets(&e), 1024);
    dict_expand(&e, 3000);
    ck_assert(dict_is_rehashing(&e));
    ck_assert_uint_eq(e.size[1], 4096);
    dict_deinit(&e, tnode_free, NULL);
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

START_TEST(test_rehash_moves_one_bucket_per_op) {
    Dict d;
    dict_init(&d, &tnode_type);
    for (int i = 0; i < 64; i++)
        insert_key(&d, "k", i);
    finish_rehash(&d);
    dict_expand(&d, 1000);
    ck_assert(dict_is_rehashing(&d));
    int64_t idx = d.rehash_idx;
    find_key(&d, "k", 1);
    ck_assert_int_gt(d.rehash_idx, idx);
    /* Paused: operations leave the rehash where it is. */
    d.pause_rehash++;
    idx = d.rehash_idx;
    find_key(&d, "k", 1);
    insert_key(&d, "k", 1000);
    ck_assert(unlink_free(&d, "k", 1000));
    ck_assert(dict_rehash_step(&d, 10));
    ck_assert(dict_rehash_ms(&d, 1));
    ck_assert_int_eq(d.rehash_idx, idx);
    d.pause_rehash--;
    finish_rehash(&d);
    ck_assert_uint_eq(dict_buckets(&d), 1024);
    for (int i = 0; i < 64; i++)
        ck_assert_ptr_nonnull(find_key(&d, "k", i));
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

/* Random inserts, deletes, finds, replaces, resizes and rehash steps against a shadow set. */
START_TEST(test_interleaved_ops_match_model) {
    enum {
        KEYS = 20000,
        OPS = 300000
    };
    static bool present[KEYS];
    Dict d;
    uint64_t count = 0;
    bool saw_rehash = false;
    dict_init(&d, &tnode_type);
    srand(1234);
    for (int op = 0; op < OPS; op++) {
        int k = rand() % KEYS;
        int what = rand() % 100;
        saw_rehash |= dict_is_rehashing(&d);
        /* Phases: mostly inserts, then mostly deletes, so the table grows and shrinks. */
        bool grow_phase = (op / 50000) % 2 == 0;
        if (what < (grow_phase ? 45 : 15)) {
            if (!present[k]) {
                ck_assert_ptr_null(find_key(&d, "k", k));
                insert_key(&d, "k", k);
                present[k] = true;
                count++;
            }
        } else if (what < 60) {
            bool was = unlink_free(&d, "k", k);
            ck_assert(was == present[k]);
            if (was) count--;
            present[k] = false;
        } else if (what < 95) {
            TNode *t = find_key(&d, "k", k);
            ck_assert((t != NULL) == present[k]);
            if (t) ck_assert_int_eq(t->id, k);
        } else if (what < 97) {
            dict_resize_if_needed(&d);
        } else {
            dict_rehash_step(&d, 1 + rand() % 3);
        }
        ck_assert_uint_eq(dict_size(&d), count);
    }
    ck_assert(saw_rehash);
    DictIter it;
    uint64_t seen = 0;
    dict_iter_init(&it, &d, false);
    for (DictNode *n; (n = dict_iter_next(&it)) != NULL; seen++) {
        ck_assert(present[((TNode *)n)->id]);
    }
    dict_iter_deinit(&it);
    ck_assert_uint_eq(seen, count);
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

/* ---- SCAN ------------------------------------------------------------------------------ */

typedef struct ScanSeen {
    const char *prefix;
    size_t prefix_len;
    int *hits; /* per id of keys with the watched prefix */
    int calls;
} ScanSeen;

static void scan_record(DictNode *n, void *ud) {
    ScanSeen *s = ud;
    TNode *t = (TNode *)n;
    if (t->len > s->prefix_len && memcmp(t->key, s->prefix, s->prefix_len) == 0) s->hits[t->id]++;
}

START_TEST(test_scan_stable_table_returns_each_once) {
    enum {
        N = 5000
    };
    static int hits[N];
    Dict d;
    dict_init(&d, &tnode_type);
    ck_assert_uint_eq(dict_scan(&d, 0, scan_record, NULL), 0);
    for (int i = 0; i < N; i++)
        insert_key(&d, "base", i);
    finish_rehash(&d);
    ScanSeen s = {"base:", 5, hits, 0};
    uint64_t cursor = 0;
    do {
        cursor = dict_scan(&d, cursor, scan_record, &s);
        s.calls++;
    } while (cursor != 0);
    ck_assert_int_eq(s.calls, (int)dict_buckets(&d));
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(hits[i], 1);
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

/* Scan to the end while between calls `mutate` changes the table around the base keys. */
static void
scan_with_mutations(Dict *d, int nbase, int *hits, void (*mutate)(Dict *, int), bool *saw_rehash) {
    ScanSeen s = {"base:", 5, hits, 0};
    uint64_t cursor = 0;
    int step = 0;
    do {
        cursor = dict_scan(d, cursor, scan_record, &s);
        *saw_rehash |= dict_is_rehashing(d);
        mutate(d, step++);
        ck_assert_int_lt(step, 1000000);
    } while (cursor != 0);
    for (int i = 0; i < nbase; i++)
        ck_assert_msg(hits[i] >= 1, "base:%d never returned", i);
}

static int extra_next;

static void mutate_grow(Dict *d, int step) {
    for (int j = 0; j < 7; j++)
        insert_key(d, "extra", extra_next++);
    if (step % 3 == 0) dict_rehash_step(d, 1);
}

START_TEST(test_scan_while_growing) {
    enum {
        NBASE = 300
    };
    static int hits[NBASE];
    Dict d;
    bool saw_rehash = false;
    dict_init(&d, &tnode_type);
    for (int i = 0; i < NBASE; i++)
        insert_key(&d, "base", i);
    finish_rehash(&d);
    extra_next = 0;
    uint64_t start_buckets = dict_buckets(&d);
    scan_with_mutations(&d, NBASE, hits, mutate_grow, &saw_rehash);
    ck_assert(saw_rehash);
    ck_assert_uint_gt(dict_buckets(&d), start_buckets * 4);
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

static void mutate_shrink(Dict *d, int step) {
    VG_UNUSED(step);
    for (int j = 0; j < 40 && extra_next > 0; j++)
        unlink_free(d, "extra", --extra_next);
    dict_resize_if_needed(d);
    dict_rehash_step(d, 1);
}

START_TEST(test_scan_while_shrinking) {
    enum {
        NBASE = 200,
        NEXTRA = 20000
    };
    static int hits[NBASE];
    Dict d;
    bool saw_rehash = false;
    dict_init(&d, &tnode_type);
    for (int i = 0; i < NBASE; i++)
        insert_key(&d, "base", i);
    for (int i = 0; i < NEXTRA; i++)
        insert_key(&d, "extra", i);
    finish_rehash(&d);
    extra_next = NEXTRA;
    uint64_t start_buckets = dict_buckets(&d);
    scan_with_mutations(&d, NBASE, hits, mutate_shrink, &saw_rehash);
    ck_assert(saw_rehash);
    ck_assert_uint_lt(dict_buckets(&d), start_buckets);
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

static void mutate_random(Dict *d, int step) {
    VG_UNUSED(step);
    int r = rand() % 10;
    if (r < 4) { /* capped, so the table swings between 4 and ~4k buckets */
        for (int j = rand() % 60; j > 0 && extra_next < 2500; j--) {
            insert_key(d, "extra", extra_next++);
        }
    } else if (r < 8) {
        for (int j = rand() % 60; j > 0 && extra_next > 0; j--) {
            unlink_free(d, "extra", --extra_next);
        }
        dict_resize_if_needed(d);
    }
    dict_rehash_step(d, rand() % 3);
}

START_TEST(test_scan_with_random_resizes) {
    enum {
        NBASE = 100
    };
    static int hits[NBASE];
    srand(99);
    for (int round = 0; round < 20; round++) {
        Dict d;
        bool saw_rehash = false;
        dict_init(&d, &tnode_type);
        for (int i = 0; i < NBASE; i++)
            insert_key(&d, "base", i);
        extra_next = 0;
        memset(hits, 0, sizeof(hits));
        scan_with_mutations(&d, NBASE, hits, mutate_random, &saw_rehash);
        dict_deinit(&d, tnode_free, NULL);
    }
}
END_TEST

/* ---- random access --------------------------------------------------------------------- */

START_TEST(test_random_empty_small_large) {
    Dict d;
    DictNode *out[64];
    dict_init(&d, &tnode_type);
    ck_assert_ptr_null(dict_random(&d));
    ck_assert_uint_eq(dict_sample(&d, out, 10), 0);

    insert_key(&d, "k", 0);
    ck_assert_int_eq(((TNode *)dict_random(&d))->id, 0);
    ck_assert_uint_eq(dict_sample(&d, out, 10), 1);
    ck_assert_int_eq(((TNode *)out[0])->id, 0);

    insert_key(&d, "k", 1);
    insert_key(&d, "k", 2);
    int counts[3] = {0, 0, 0};
    for (int i = 0; i < 3000; i++)
        counts[((TNode *)dict_random(&d))->id]++;
    for (int i = 0; i < 3; i++)
        ck_assert_int_gt(counts[i], 500);
    unsigned got = dict_sample(&d, out, 10);
    ck_assert_uint_ge(got, 1);
    ck_assert_uint_le(got, 3);
    ck_assert_uint_eq(dict_sample(&d, out, 0), 0);

    for (int i = 3; i < 10000; i++)
        insert_key(&d, "k", i);
    ck_assert(dict_is_rehashing(&d) || dict_size(&d) == 10000);
    static int rcounts[10000];
    for (int i = 0; i < 100000; i++) {
        TNode *t = (TNode *)dict_random(&d);
        ck_assert_ptr_eq(find_key(&d, "k", t->id), t);
        rcounts[t->id]++;
    }
    int distinct = 0;
    for (int i = 0; i < 10000; i++)
        distinct += rcounts[i] > 0;
    ck_assert_int_gt(distinct, 9000);
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

START_TEST(test_random_while_rehashing) {
    Dict d;
    dict_init(&d, &tnode_type);
    for (int i = 0; i < 4096; i++)
        insert_key(&d, "k", i);
    finish_rehash(&d);
    dict_expand(&d, 100000); /* each dict_random below moves one of the 4096 old buckets */
    ck_assert(dict_is_rehashing(&d));
    bool seen_old = false, seen_new = false;
    for (int i = 0; i < 2000; i++) {
        DictNode *n = dict_random(&d);
        ck_assert_ptr_nonnull(n);
        if (dict_is_rehashing(&d)) {
            uint64_t h = dict_hash(&d, ((TNode *)n)->key, ((TNode *)n)->len);
            if (d.table[0][h & (d.size[0] - 1)] != NULL)
                seen_old = true;
            else
                seen_new = true;
        }
    }
    ck_assert(seen_old);
    ck_assert(seen_new);
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

START_TEST(test_sample_large_and_rehashing) {
    Dict d;
    DictNode *out[20];
    dict_init(&d, &tnode_type);
    for (int i = 0; i < 50000; i++)
        insert_key(&d, "k", i);
    ck_assert(dict_is_rehashing(&d)); /* 32768 -> 65536 is half done */
    for (int round = 0; round < 200; round++) {
        unsigned got = dict_sample(&d, out, 20);
        ck_assert_uint_eq(got, 20);
        for (unsigned j = 0; j < got; j++) {
            TNode *t = (TNode *)out[j];
            ck_assert_ptr_eq(find_key(&d, "k", t->id), t);
        }
    }
    /* Sparse table (after mass delete, before shrink): bounded work, so it may return fewer
     * or none, but only live nodes. */
    for (int i = 0; i < 50000; i++) {
        if (i % 1000 != 0) unlink_free(&d, "k", i);
    }
    for (int round = 0; round < 200; round++) {
        unsigned got = dict_sample(&d, out, 20);
        ck_assert_uint_le(got, 20);
        for (unsigned j = 0; j < got; j++)
            ck_assert_int_eq(((TNode *)out[j])->id % 1000, 0);
    }
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

/* ---- iterators ------------------------------------------------------------------------- */

START_TEST(test_safe_iterator_deletes) {
    enum {
        N = 3000
    };
    static int visits[N];
    Dict d;
    dict_init(&d, &tnode_type);
    for (int i = 0; i < N; i++)
        insert_key(&d, "k", i);
    finish_rehash(&d);
    dict_expand(&d, 100000); /* iterate across both tables of a rehash in progress */
    dict_rehash_step(&d, 3);
    ck_assert(dict_is_rehashing(&d));
    DictIter it;
    dict_iter_init(&it, &d, true);
    int64_t idx = d.rehash_idx;
    for (DictNode *n; (n = dict_iter_next(&it)) != NULL;) {
        TNode *t = (TNode *)n;
        visits[t->id]++;
        if (t->id % 2 == 0)
            ck_assert(unlink_free(&d, "k", t->id));
        else
            ck_assert_ptr_eq(find_key(&d, "k", t->id), t);
    }
    ck_assert_int_eq(d.rehash_idx, idx);
    dict_iter_deinit(&it);
    ck_assert_int_eq(d.pause_rehash, 0);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(visits[i], 1);
    ck_assert_uint_eq(dict_size(&d), N / 2);
    find_key(&d, "k", 1);
    ck_assert_int_gt(d.rehash_idx, idx);
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

START_TEST(test_unsafe_iterator_visits_all) {
    Dict d;
    DictIter it;
    dict_init(&d, &tnode_type);
    dict_iter_init(&it, &d, false);
    ck_assert_ptr_null(dict_iter_next(&it));
    dict_iter_deinit(&it);
    for (int i = 0; i < 1000; i++)
        insert_key(&d, "k", i);
    int seen = 0;
    dict_iter_init(&it, &d, false);
    while (dict_iter_next(&it))
        seen++;
    dict_iter_deinit(&it);
    ck_assert_int_eq(seen, 1000);
    dict_deinit(&d, tnode_free, NULL);
}
END_TEST

#ifndef NDEBUG
START_TEST(test_unsafe_iterator_modification_aborts) {
    Dict d;
    DictIter it;
    dict_init(&d, &tnode_type);
    for (int i = 0; i < 100; i++)
        insert_key(&d, "k", i);
    dict_iter_init(&it, &d, false);
    dict_iter_next(&it);
    insert_key(&d, "k", 1000);
    dict_iter_deinit(&it); /* fingerprint mismatch: VG_ASSERT aborts */
}
END_TEST
#endif

static Suite *dict_suite(void) {
    Suite *s = suite_create("dict");
    TCase *basics = tcase_create("basics");
    tcase_add_test(basics, test_insert_find_unlink_100k);
    tcase_add_test(basics, test_binary_keys_and_empty_key);
    tcase_add_test(basics, test_replace_keeps_position);
    tcase_add_test(basics, test_deinit_frees_every_node);
    tcase_add_test(basics, test_nocase_type);
    tcase_add_test(basics, test_seed_changes_hashes);
    suite_add_tcase(s, basics);
    TCase *rehash = tcase_create("rehash");
    tcase_add_test(rehash, test_growth_policy);
    tcase_add_test(rehash, test_growth_forced_when_resize_disallowed);
    tcase_add_test(rehash, test_shrink_and_expand);
    tcase_add_test(rehash, test_rehash_moves_one_bucket_per_op);
    tcase_add_test(rehash, test_interleaved_ops_match_model);
    suite_add_tcase(s, rehash);
    TCase *scan = tcase_create("scan");
    tcase_add_test(scan, test_scan_stable_table_returns_each_once);
    tcase_add_test(scan, test_scan_while_growing);
    tcase_add_test(scan, test_scan_while_shrinking);
    tcase_add_test(scan, test_scan_with_random_resizes);
    suite_add_tcase(s, scan);
    TCase *random = tcase_create("random");
    tcase_add_test(random, test_random_empty_small_large);
    tcase_add_test(random, test_random_while_rehashing);
    tcase_add_test(random, test_sample_large_and_rehashing);
    suite_add_tcase(s, random);
    TCase *iter = tcase_create("iterators");
    tcase_add_test(iter, test_safe_iterator_deletes);
    tcase_add_test(iter, test_unsafe_iterator_visits_all);
#ifndef NDEBUG
    tcase_add_test_raise_signal(iter, test_unsafe_iterator_modification_aborts, SIGABRT);
#endif
    suite_add_tcase(s, iter);
    return s;
}

int main(void) {
    return check_run_suite(dict_suite());
}
