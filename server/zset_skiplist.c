/* zset_skiplist.c - the skiplist + dict sorted-set encoding (see zset_skiplist.h).
 *
 * Invariants: nodes are ordered by (score, member bytes); header->lv[i].span counts the
 * nodes a link jumps (a link to NULL spans to the end); `length` is the node count and the
 * dict holds exactly the skiplist's nodes. Scores are never NaN (callers reject it). */
#include "server/zset_skiplist.h"

#include "common/mem.h"
#include "common/util.h"

#include <string.h>

static const char *node_key(const DictNode *n, size_t *len) {
    const ZslNode *z = (const ZslNode *)n;
    *len = z->len;
    return zsl_node_ele(z);
}

static const DictType zset_dict_type = {node_key, false};

static ZslNode *node_new(int level, double score, const char *ele, size_t len) {
    ZslNode *n = mem_alloc(sizeof(ZslNode) + (size_t)level * sizeof(ZslLevel) + len + 1);
    n->dnode.next = NULL;
    n->score = score;
    n->backward = NULL;
    n->len = (uint32_t)len;
    n->level = level;
    char *e = (char *)(n->lv + level);
    if (len) memcpy(e, ele, len);
    e[len] = '\0';
    return n;
}

ZSet *zs_new(void) {
    ZSet *zs = mem_alloc(sizeof(*zs));
    dict_init(&zs->dict, &zset_dict_type);
    zs->header = node_new(ZSL_MAXLEVEL, 0, NULL, 0);
    for (int i = 0; i < ZSL_MAXLEVEL; i++) {
        zs->header->lv[i].forward = NULL;
        zs->header->lv[i].span = 0;
    }
    zs->tail = NULL;
    zs->length = 0;
    zs->level = 1;
    return zs;
}

void zs_free(ZSet *zs) {
    if (!zs) return;
    dict_deinit(&zs->dict, NULL, NULL);
    ZslNode *n = zs->header->lv[0].forward;
    while (n) {
        ZslNode *next = n->lv[0].forward;
        mem_free(n);
        n = next;
    }
    mem_free(zs->header);
    mem_free(zs);
}

ZSet *zs_dup(const ZSet *zs) {
    ZSet *d = zs_new();
    for (ZslNode *n = zs->tail; n; n = n->backward)
        zs_insert(d, n->score, zsl_node_ele(n), n->len);
    return d;
}

int zs_random_level(void) {
    int level = 1;
    /* p = 1/4 per extra level: two random bits both zero */
    while (level < ZSL_MAXLEVEL && (util_rand64() & 0xFFFF) < (0xFFFF / 4))
        level++;
    return level;
}

int zs_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen) {
    size_t m = alen < blen ? alen : blen;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* Does node n sort before (score, ele)? */
static bool node_before(const ZslNode *n, double score, const char *ele, size_t len) {
    return n->score < score ||
           (n->score == score && zs_cmp_bytes(zsl_node_ele(n), n->len, ele, len) < 0);
}

ZslNode *zs_find(ZSet *zs, const char *ele, size_t len) {
    return (ZslNode *)dict_find(&zs->dict, ele, len);
}

ZslNode *zs_insert(ZSet *zs, double score, const char *ele, size_t len) {
    ZslNode *update[ZSL_MAXLEVEL], *x = zs->header;
    unsigned long rank[ZSL_MAXLEVEL];
    for (int i = zs->level - 1; i >= 0; i--) {
        rank[i] = i == zs->level - 1 ? 0 : rank[i + 1];
        while (x->lv[i].forward && node_before(x->lv[i].forward, score, ele, len)) {
            rank[i] += x->lv[i].span;
            x = x->lv[i].forward;
        }
        update[i] = x;
    }
    int level = zs_random_level();
    if (level > zs->level) {
        for (int i = zs->level; i < level; i++) {
            rank[i] = 0;
            update[i] = zs->header;
            update[i]->lv[i].span = zs->length;
        }
        zs->level = level;
    }
    x = node_new(level, score, ele, len);
    for (int i = 0; i < level; i++) {
        x->lv[i].forward = update[i]->lv[i].forward;
        update[i]->lv[i].forward = x;
        x->lv[i].span = update[i]->lv[i].span - (rank[0] - rank[i]);
        update[i]->lv[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = level; i < zs->level; i++)
        update[i]->lv[i].span++;
    x->backward = update[0] == zs->header ? NULL : update[0];
    if (x->lv[0].forward)
        x->lv[0].forward->backward = x;
    else
        zs->tail = x;
    zs->length++;
    dict_insert(&zs->dict, &x->dnode);
    return x;
}

/* Unlink x from the skiplist given its predecessors at every level. */
static void unlink_node(ZSet *zs, ZslNode *x, ZslNode **update) {
    for (int i = 0; i < zs->level; i++) {
        if (update[i]->lv[i].forward == x) {
            update[i]->lv[i].span += x->lv[i].span - 1;
            update[i]->lv[i].forward = x->lv[i].forward;
        } else {
            update[i]->lv[i].span -= 1;
        }
    }
    if (x->lv[0].forward)
        x->lv[0].forward->backward = x->backward;
    else
        zs->tail = x->backward;
    while (zs->level > 1 && zs->header->lv[zs->level - 1].forward == NULL)
        zs->level--;
    zs->length--;
}

static void find_update(ZSet *zs, double score, const char *ele, size_t len, ZslNode **update) {
    ZslNode *x = zs->header;
    for (int i = zs->level - 1; i >= 0; i--) {
        while (x->lv[i].forward && node_before(x->lv[i].forward, score, ele, len))
            x = x->lv[i].forward;
        update[i] = x;
    }
}

void zs_delete_node(ZSet *zs, ZslNode *n) {
    ZslNode *update[ZSL_MAXLEVEL];
    find_update(zs, n->score, zsl_node_ele(n), n->len, update);
    unlink_node(zs, n, update);
    dict_unlink(&zs->dict, zsl_node_ele(n), n->len);
    mem_free(n);
}

bool zs_delete(ZSet *zs, const char *ele, size_t len) {
    ZslNode *n = zs_find(zs, ele, len);
    if (!n) return false;
    zs_delete_node(zs, n);
    return true;
}

ZslNode *zs_update_score(ZSet *zs, ZslNode *n, double score) {
    /* Stays in place when the order with its neighbours holds (the common ZINCRBY case). */
    bool after_prev = !n->backward || n->backward->score < score;
    ZslNode *next = n->lv[0].forward;
    bool before_next = !next || next->score > score;
    if (after_prev && before_next) {
        n->score = score;
        return n;
    }
    size_t len = n->len;
    char small[64];
    char *ele = len < sizeof(small) ? small : mem_alloc(len + 1);
    memcpy(ele, zsl_node_ele(n), len);
    zs_delete_node(zs, n);
    ZslNode *r = zs_insert(zs, score, ele, len);
    if (ele != small) mem_free(ele);
    return r;
}

unsigned long zs_rank(const ZSet *zs, const ZslNode *n) {
    unsigned long rank = 0;
    const ZslNode *x = zs->header;
    for (int i = zs->level - 1; i >= 0; i--) {
        /* advance while the next node sorts at or before n */
        while (x->lv[i].forward &&
               !node_before(n, x->lv[i].forward->score, zsl_node_ele(x->lv[i].forward),
                            x->lv[i].forward->len)) {
            rank += x->lv[i].span;
            x = x->lv[i].forward;
        }
        if (x == n) return rank;
    }
    return 0;
}

ZslNode *zs_by_rank(const ZSet *zs, unsigned long rank) {
    if (rank == 0 || rank > zs->length) return NULL;
    unsigned long traversed = 0;
    ZslNode *x = zs->header;
    for (int i = zs->level - 1; i >= 0; i--) {
        while (x->lv[i].forward && traversed + x->lv[i].span <= rank) {
            traversed += x->lv[i].span;
            x = x->lv[i].forward;
        }
        if (traversed == rank) return x;
    }
    return NULL;
}

bool zs_score_gte_min(double v, const ZRangeSpec *r) {
    return r->minex ? v > r->min : v >= r->min;
}

bool zs_score_lte_max(double v, const ZRangeSpec *r) {
    return r->maxex ? v < r->max : v <= r->max;
}

bool zs_range_is_empty(const ZRangeSpec *r) {
    return r->min > r->max || (r->min == r->max && (r->minex || r->maxex));
}

static bool zs_in_range(const ZSet *zs, const ZRangeSpec *r) {
    if (zs_range_is_empty(r)) return false;
    if (!zs->tail || !zs_score_gte_min(zs->tail->score, r)) return false;
    const ZslNode *first = zs->header->lv[0].forward;
    return first && zs_score_lte_max(first->score, r);
}

ZslNode *zs_first_in_range(const ZSet *zs, const ZRangeSpec *r) {
    if (!zs_in_range(zs, r)) return NULL;
    ZslNode *x = zs->header;
    for (int i = zs->level - 1; i >= 0; i--)
        while (x->lv[i].forward && !zs_score_gte_min(x->lv[i].forward->score, r))
            x = x->lv[i].forward;
    x = x->lv[0].forward;
    return x && zs_score_lte_max(x->score, r) ? x : NULL;
}

ZslNode *zs_last_in_range(const ZSet *zs, const ZRangeSpec *r) {
    if (!zs_in_range(zs, r)) return NULL;
    ZslNode *x = zs->header;
    for (int i = zs->level - 1; i >= 0; i--)
        while (x->lv[i].forward && zs_score_lte_max(x->lv[i].forward->score, r))
            x = x->lv[i].forward;
    return x != zs->header && zs_score_gte_min(x->score, r) ? x : NULL;
}

/* Compare a member with a lex bound: <0, 0, >0. */
static int lex_cmp(const char *s, size_t len, const ZLexBound *b) {
    if (b->inf) return -b->inf;
    return zs_cmp_bytes(s, len, b->p, b->len);
}

bool zs_lex_gte_min(const char *s, size_t len, const ZLexRange *r) {
    int c = lex_cmp(s, len, &r->min);
    return r->min.ex ? c > 0 : c >= 0;
}

bool zs_lex_lte_max(const char *s, size_t len, const ZLexRange *r) {
    int c = lex_cmp(s, len, &r->max);
    return r->max.ex ? c < 0 : c <= 0;
}

bool zs_lex_is_empty(const ZLexRange *r) {
    if (r->min.inf == 1 || r->max.inf == -1) return true;
    if (r->min.inf == -1 || r->max.inf == 1) return false;
    int c = zs_cmp_bytes(r->min.p, r->min.len, r->max.p, r->max.len);
    return c > 0 || (c == 0 && (r->min.ex || r->max.ex));
}

/* Redis's zslIsInLexRange: the range is not empty, the last member is not below min and
 * the first is not above max. */
static bool zs_in_lex(const ZSet *zs, const ZLexRange *r) {
    if (zs_lex_is_empty(r) || !zs->tail) return false;
    if (!zs_lex_gte_min(zsl_node_ele(zs->tail), zs->tail->len, r)) return false;
    const ZslNode *first = zs->header->lv[0].forward;
    return zs_lex_lte_max(zsl_node_ele(first), first->len, r);
}

ZslNode *zs_first_in_lex(const ZSet *zs, const ZLexRange *r) {
    if (!zs_in_lex(zs, r)) return NULL;
    ZslNode *x = zs->header;
    for (int i = zs->level - 1; i >= 0; i--)
        while (x->lv[i].forward &&
               !zs_lex_gte_min(zsl_node_ele(x->lv[i].forward), x->lv[i].forward->len, r))
            x = x->lv[i].forward;
    x = x->lv[0].forward;
    return x && zs_lex_lte_max(zsl_node_ele(x), x->len, r) ? x : NULL;
}

ZslNode *zs_last_in_lex(const ZSet *zs, const ZLexRange *r) {
    if (!zs_in_lex(zs, r)) return NULL;
    ZslNode *x = zs->header;
    for (int i = zs->level - 1; i >= 0; i--)
        while (x->lv[i].forward &&
               zs_lex_lte_max(zsl_node_ele(x->lv[i].forward), x->lv[i].forward->len, r))
            x = x->lv[i].forward;
    return x != zs->header && zs_lex_gte_min(zsl_node_ele(x), x->len, r) ? x : NULL;
}

size_t zs_memory_usage(const ZSet *zs, long long samples) {
    size_t n = mem_usable_size((void *)zs) + mem_usable_size(zs->header) +
               (size_t)dict_buckets(&zs->dict) * sizeof(DictNode *);
    size_t sum = 0;
    unsigned long seen = 0;
    for (const ZslNode *x = zs->header->lv[0].forward; x; x = x->lv[0].forward) {
        if (samples > 0 && seen >= (unsigned long long)samples) break;
        sum += mem_usable_size((void *)x);
        seen++;
    }
    if (seen) n += (size_t)((double)sum / (double)seen * (double)zs->length);
    return n;
}
