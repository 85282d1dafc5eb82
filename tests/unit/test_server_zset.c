/* test_server_zset.c - the sorted-set structures against a simple model.
 *
 *   skiplist   random inserts, deletes and score updates on zset_skiplist.c, checked after
 *              every step against a sorted array: order, spans (every level's spans add up
 *              to the length), backward links, tail, dict lookups, rank <-> node, and
 *              first/last node of random score and lex ranges
 *   encodings  the same random operations through t_zset.h on a Kv that starts as a
 *              listpack and converts at the threshold; its contents match the model in
 *              both encodings, and a forced conversion keeps them */
#include "check_main.h"
#include "common/mem.h"
#include "common/util.h"
#include "server/object.h"
#include "server/server.h"
#include "server/t_zset.h"
#include "server/zset_skiplist.h"

#include <check.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct MElem {
    char ele[16];
    size_t len;
    double score;
} MElem;

typedef struct Model {
    MElem v[512];
    int n;
} Model;

static int melem_cmp(const void *a, const void *b) {
    const MElem *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? -1 : 1;
    return zs_cmp_bytes(x->ele, x->len, y->ele, y->len);
}

static int model_find(const Model *m, const char *ele, size_t len) {
    for (int i = 0; i < m->n; i++)
        if (m->v[i].len == len && memcmp(m->v[i].ele, ele, len) == 0) return i;
    return -1;
}

static void model_sort(Model *m) {
    qsort(m->v, (size_t)m->n, sizeof(MElem), melem_cmp);
}

/* Scores from a small set so ties (ordered by member) are frequent; some inf. */
static double random_score(void) {
    static const double pool[] = {-INFINITY, -2.5, -1, 0, 0.1, 1, 1.5, 2, 3, 100, INFINITY};
    return pool[util_rand64() % (sizeof(pool) / sizeof(pool[0]))];
}

static size_t random_member(char *buf) {
    /* digits too, so the listpack stores some members as integers */
    int k = (int)(util_rand64() % 120);
    return (size_t)(k % 3 == 0 ? snprintf(buf, 16, "%d", k) : snprintf(buf, 16, "m%d", k));
}

static void check_skiplist(const ZSet *zs, const Model *m) {
    ck_assert_uint_eq(zs->length, (unsigned long)m->n);
    ck_assert_uint_eq(dict_size(&zs->dict), (uint64_t)m->n);
    /* every level: the spans walked so far equal the reached node's position at level 0 */
    const ZslNode **order = mem_alloc(sizeof(ZslNode *) * (size_t)(m->n + 1));
    int k = 0;
    for (const ZslNode *y = zs->header->lv[0].forward; y && k <= m->n; y = y->lv[0].forward)
        order[k++] = y;
    ck_assert_int_eq(k, m->n);
    for (int lv = 0; lv < zs->level; lv++) {
        unsigned long sum = 0;
        int pos = 0;
        const ZslNode *y = zs->header;
        while (y->lv[lv].forward) {
            sum += y->lv[lv].span;
            y = y->lv[lv].forward;
            while (pos < k && order[pos] != y)
                pos++;
            ck_assert_int_lt(pos, k);
            ck_assert_uint_eq(sum, (unsigned long)pos + 1);
        }
    }
    mem_free(order);
    const ZslNode *x = zs->header->lv[0].forward, *prev = NULL;
    for (int i = 0; i < m->n; i++, prev = x, x = x->lv[0].forward) {
        ck_assert_ptr_nonnull(x);
        ck_assert_uint_eq(x->len, m->v[i].len);
        ck_assert_mem_eq(zsl_node_ele(x), m->v[i].ele, x->len);
        ck_assert(x->score == m->v[i].score);
        ck_assert_ptr_eq(x->backward, prev);
        ck_assert_uint_eq(zs_rank(zs, x), (unsigned long)i + 1);
        ck_assert_ptr_eq(zs_by_rank(zs, (unsigned long)i + 1), x);
        ck_assert_ptr_eq(zs_find((ZSet *)zs, m->v[i].ele, m->v[i].len), x);
    }
    ck_assert_ptr_null(x);
    ck_assert_ptr_eq(zs->tail, prev);
    ck_assert_ptr_null(zs_by_rank(zs, (unsigned long)m->n + 1));
}

static void check_score_range(const ZSet *zs, const Model *m) {
    ZRangeSpec r = {random_score(), random_score(), util_rand64() & 1, util_rand64() & 1};
    int first = -1, last = -1;
    for (int i = 0; i < m->n; i++) {
        if (zs_score_gte_min(m->v[i].score, &r) && zs_score_lte_max(m->v[i].score, &r)) {
            if (first < 0) first = i;
            last = i;
        }
    }
    ZslNode *f = zs_first_in_range(zs, &r), *l = zs_last_in_range(zs, &r);
    if (first < 0) {
        ck_assert_ptr_null(f);
        ck_assert_ptr_null(l);
        return;
    }
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(l);
    ck_assert_uint_eq(zs_rank(zs, f), (unsigned long)first + 1);
    ck_assert_uint_eq(zs_rank(zs, l), (unsigned long)last + 1);
}

static void random_lex_bound(ZLexBound *b, char *buf) {
    int k = (int)(util_rand64() % 10);
    *b = (ZLexBound){0};
    if (k == 0) {
        b->inf = -1;
    } else if (k == 1) {
        b->inf = 1;
    } else {
        b->len = random_member(buf);
        b->p = buf;
        b->ex = util_rand64() & 1;
    }
}

/* Lex ranges on a set whose scores are all equal (the only case they are defined for). */
static void check_lex_range(const ZSet *zs, const Model *m) {
    char a[16], b[16];
    ZLexRange r;
    random_lex_bound(&r.min, a);
    random_lex_bound(&r.max, b);
    int first = -1, last = -1;
    for (int i = 0; i < m->n; i++) {
        if (zs_lex_gte_min(m->v[i].ele, m->v[i].len, &r) &&
            zs_lex_lte_max(m->v[i].ele, m->v[i].len, &r)) {
            if (first < 0) first = i;
            last = i;
        }
    }
    ZslNode *f = zs_first_in_lex(zs, &r), *l = zs_last_in_lex(zs, &r);
    if (first < 0) {
        ck_assert_ptr_null(f);
        ck_assert_ptr_null(l);
        return;
    }
    ck_assert_uint_eq(zs_rank(zs, f), (unsigned long)first + 1);
    ck_assert_uint_eq(zs_rank(zs, l), (unsigned long)last + 1);
}

/* One random step on both the skiplist and the model. */
static void skiplist_step(ZSet *zs, Model *m, bool equal_scores) {
    char ele[16];
    size_t len = random_member(ele);
    double score = equal_scores ? 0 : random_score();
    int i = model_find(m, ele, len);
    int op = (int)(util_rand64() % 3);
    if (i < 0 && m->n < 512) {
        zs_insert(zs, score, ele, len);
        memcpy(m->v[m->n].ele, ele, len);
        m->v[m->n].len = len;
        m->v[m->n++].score = score;
    } else if (i >= 0 && op == 0) {
        ck_assert(zs_delete(zs, ele, len));
        m->v[i] = m->v[--m->n];
    } else if (i >= 0) {
        ZslNode *n = zs_update_score(zs, zs_find(zs, ele, len), score);
        ck_assert(n->score == score);
        m->v[i].score = score;
    }
    model_sort(m);
}

START_TEST(test_skiplist_random_model) {
    util_rand_seed(0x5eed + (uint64_t)_i);
    ZSet *zs = zs_new();
    Model *m = mem_calloc(sizeof(Model));
    for (int step = 0; step < 3000; step++) {
        skiplist_step(zs, m, false);
        if (step % 25 == 0) check_skiplist(zs, m);
        check_score_range(zs, m);
    }
    check_skiplist(zs, m);
    ck_assert(!zs_delete(zs, "absent", 6));
    ZSet *copy = zs_dup(zs);
    check_skiplist(copy, m);
    ck_assert_uint_gt(zs_memory_usage(copy, 0), 0);
    ck_assert_uint_gt(zs_memory_usage(copy, 5), 0);
    zs_free(copy);
    zs_free(zs);
    zs_free(NULL);
    mem_free(m);
}
END_TEST

START_TEST(test_skiplist_lex_ranges) {
    util_rand_seed(0x1e8 + (uint64_t)_i);
    ZSet *zs = zs_new();
    Model *m = mem_calloc(sizeof(Model));
    for (int step = 0; step < 2000; step++) {
        skiplist_step(zs, m, true);
        check_lex_range(zs, m);
    }
    check_skiplist(zs, m);
    zs_free(zs);
    mem_free(m);
}
END_TEST

START_TEST(test_skiplist_levels_distribution) {
    util_rand_seed(42);
    long counts[ZSL_MAXLEVEL + 1] = {0};
    for (int i = 0; i < 100000; i++) {
        int l = zs_random_level();
        ck_assert_int_ge(l, 1);
        ck_assert_int_le(l, ZSL_MAXLEVEL);
        counts[l]++;
    }
    /* p = 1/4: about 75% at level 1, 19% at level 2 */
    ck_assert_int_gt(counts[1], 73000);
    ck_assert_int_lt(counts[1], 77000);
    ck_assert_int_gt(counts[2], 17000);
    ck_assert_int_lt(counts[2], 21000);
}
END_TEST

/* The Kv's contents equal the model's, element by element. */
static void check_kv(Kv *kv, const Model *m) {
    ck_assert_uint_eq(zset_length(kv), (size_t)m->n);
    for (int i = 0; i < m->n; i++) {
        const char *ele;
        size_t len;
        double score;
        char buf[32];
        ck_assert(zset_at_rank(kv, i, &ele, &len, &score, buf));
        ck_assert_uint_eq(len, m->v[i].len);
        ck_assert_mem_eq(ele, m->v[i].ele, len);
        ck_assert(score == m->v[i].score);
        long rank;
        ck_assert(zset_member_rank(kv, m->v[i].ele, m->v[i].len, &rank));
        ck_assert_int_eq(rank, i);
        ck_assert(zset_member_score(kv, m->v[i].ele, m->v[i].len, &score));
        ck_assert(score == m->v[i].score);
    }
}

START_TEST(test_encodings_convert_at_threshold) {
    util_rand_seed(7 + (uint64_t)_i);
    cfg.zset_max_listpack_entries = 16;
    cfg.zset_max_listpack_value = 64;
    Kv *kv = zset_kv_new("k", 1);
    Model *m = mem_calloc(sizeof(Model));
    ck_assert_int_eq(kv->encoding, ENC_LISTPACK);
    for (int step = 0; step < 400; step++) {
        char ele[16];
        size_t len = random_member(ele);
        double score = random_score();
        int i = model_find(m, ele, len);
        if (i >= 0 && (util_rand64() & 1)) {
            ck_assert(zset_remove_member(kv, ele, len));
            m->v[i] = m->v[--m->n];
        } else {
            ck_assert(zset_set_member(kv, score, ele, len) == (i < 0));
            if (i < 0) i = m->n++;
            memcpy(m->v[i].ele, ele, len);
            m->v[i].len = len;
            m->v[i].score = score;
        }
        model_sort(m);
        if (m->n > 16) ck_assert_int_eq(kv->encoding, ENC_SKIPLIST);
        check_kv(kv, m);
    }
    kv_free(kv);

    /* a forced conversion keeps every member and score; a long member converts too */
    kv = zset_kv_new("k", 1);
    m->n = 0;
    for (int i = 0; i < 10; i++) {
        char ele[16];
        size_t len = random_member(ele);
        double score = random_score();
        if (model_find(m, ele, len) >= 0) continue;
        zset_set_member(kv, score, ele, len);
        memcpy(m->v[m->n].ele, ele, len);
        m->v[m->n].len = len;
        m->v[m->n++].score = score;
    }
    model_sort(m);
    ck_assert_int_eq(kv->encoding, ENC_LISTPACK);
    check_kv(kv, m);
    zset_convert_to_skiplist(kv);
    ck_assert_int_eq(kv->encoding, ENC_SKIPLIST);
    check_kv(kv, m);
    kv_free(kv);

    kv = zset_kv_new("k", 1);
    char big[100];
    memset(big, 'x', sizeof(big));
    zset_set_member(kv, 1, "a", 1);
    ck_assert_int_eq(kv->encoding, ENC_LISTPACK);
    zset_set_member(kv, 2, big, sizeof(big));
    ck_assert_int_eq(kv->encoding, ENC_SKIPLIST);
    ck_assert_uint_eq(zset_length(kv), 2);
    kv_free(kv);
    mem_free(m);
}
END_TEST

static Suite *zset_suite(void) {
    Suite *s = suite_create("zset");
    TCase *sl = tcase_create("skiplist");
    tcase_set_timeout(sl, 60);
    tcase_add_loop_test(sl, test_skiplist_random_model, 0, 3);
    tcase_add_loop_test(sl, test_skiplist_lex_ranges, 0, 3);
    tcase_add_test(sl, test_skiplist_levels_distribution);
    suite_add_tcase(s, sl);
    TCase *enc = tcase_create("encodings");
    tcase_set_timeout(enc, 60);
    tcase_add_loop_test(enc, test_encodings_convert_at_threshold, 0, 3);
    suite_add_tcase(s, enc);
    return s;
}

int main(void) {
    return check_run_suite(zset_suite());
}
