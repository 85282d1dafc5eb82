/* quicklist.c - the list value (see quicklist.h).
 *
 * Node limits follow Redis 7.0's rules so node shapes (and MEMORY USAGE) resemble Redis's:
 * an insert of an element of `sz` bytes is allowed when the node's listpack would stay under
 * the byte limit of a negative fill, or, for a positive fill, under 8 KB and below `fill`
 * entries. Nodes are never empty: the last element's deletion frees its node. */
#include "server/quicklist.h"

#include "common/mem.h"

#include <string.h>

#define QL_SIZE_SAFETY_LIMIT  8192
#define QL_SIZE_ESTIMATE_OVER 8

static const size_t ql_byte_limits[] = {4096, 8192, 16384, 32768, 65536};

/* Would a listpack of new_sz bytes be within a negative fill's byte limit? */
static bool ql_size_meets_limit(size_t new_sz, int fill) {
    if (fill >= 0) return false;
    size_t i = (size_t)(-fill - 1);
    if (i >= sizeof(ql_byte_limits) / sizeof(ql_byte_limits[0])) i = 4;
    return new_sz <= ql_byte_limits[i];
}

static bool ql_node_allow_insert(const Quicklist *ql, const QlNode *n, size_t sz) {
    if (!n) return false;
    size_t new_sz = lp_bytes(n->lp) + sz + QL_SIZE_ESTIMATE_OVER;
    if (ql_size_meets_limit(new_sz, ql->fill)) return true;
    if (new_sz > QL_SIZE_SAFETY_LIMIT) return false;
    return ql->fill > 0 && n->count < (unsigned long)ql->fill;
}

static bool ql_node_allow_replace(const Quicklist *ql, size_t new_sz) {
    if (ql_size_meets_limit(new_sz, ql->fill)) return true;
    return new_sz <= QL_SIZE_SAFETY_LIMIT && ql->fill > 0;
}

Quicklist *ql_new(int fill) {
    Quicklist *ql = mem_calloc(sizeof(*ql));
    ql->fill = fill == 0 ? 1 : fill;
    return ql;
}

static QlNode *ql_node_new(void) {
    QlNode *n = mem_calloc(sizeof(*n));
    n->lp = lp_new(0);
    return n;
}

static void ql_node_free(QlNode *n) {
    lp_free(n->lp);
    mem_free(n);
}

void ql_free(Quicklist *ql) {
    if (!ql) return;
    QlNode *n = ql->head;
    while (n) {
        QlNode *next = n->next;
        ql_node_free(n);
        n = next;
    }
    mem_free(ql);
}

/* Link n next to `at` (after or before it); at NULL means an empty list. */
static void ql_link(Quicklist *ql, QlNode *at, QlNode *n, bool after) {
    if (!at) {
        ql->head = ql->tail = n;
    } else if (after) {
        n->prev = at;
        n->next = at->next;
        if (at->next)
            at->next->prev = n;
        else
            ql->tail = n;
        at->next = n;
    } else {
        n->next = at;
        n->prev = at->prev;
        if (at->prev)
            at->prev->next = n;
        else
            ql->head = n;
        at->prev = n;
    }
    ql->len++;
}

static void ql_unlink_free(Quicklist *ql, QlNode *n) {
    if (n->prev)
        n->prev->next = n->next;
    else
        ql->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        ql->tail = n->prev;
    ql->len--;
    ql->count -= n->count;
    ql_node_free(n);
}

Quicklist *ql_dup(const Quicklist *ql) {
    Quicklist *d = ql_new(ql->fill);
    for (const QlNode *n = ql->head; n; n = n->next) {
        QlNode *c = mem_calloc(sizeof(*c));
        size_t bytes = lp_bytes(n->lp);
        c->lp = mem_alloc(bytes);
        memcpy(c->lp, n->lp, bytes);
        c->count = n->count;
        ql_link(d, d->tail, c, true);
    }
    d->count = ql->count;
    return d;
}

size_t ql_memory_usage(const Quicklist *ql, long long samples) {
    size_t total = mem_usable_size((void *)ql), nodes = 0;
    long long seen = 0;
    for (const QlNode *n = ql->head; n && (samples <= 0 || seen < samples); n = n->next) {
        nodes += mem_usable_size((void *)n) + mem_usable_size(n->lp);
        seen++;
    }
    if (seen > 0 && (unsigned long)seen < ql->len) nodes = nodes / (size_t)seen * ql->len;
    return total + nodes;
}

void ql_push(Quicklist *ql, const char *s, size_t len, int where) {
    QlNode *n = where == QL_HEAD ? ql->head : ql->tail;
    if (!ql_node_allow_insert(ql, n, len)) {
        QlNode *nn = ql_node_new();
        ql_link(ql, n, nn, where == QL_TAIL);
        n = nn;
    }
    n->lp = where == QL_HEAD ? lp_prepend(n->lp, s, len) : lp_append(n->lp, s, len);
    n->count++;
    ql->count++;
}

bool ql_iter_at(Quicklist *ql, long index, bool forward, QlIter *it) {
    it->ql = ql;
    it->forward = forward;
    it->node = NULL;
    it->p = NULL;
    unsigned long idx;
    if (index < 0) {
        if ((unsigned long)(-(index + 1)) >= ql->count) return false;
        idx = ql->count - (unsigned long)(-(index + 1)) - 1;
    } else {
        if ((unsigned long)index >= ql->count) return false;
        idx = (unsigned long)index;
    }
    QlNode *n;
    unsigned long off;
    if (idx < ql->count / 2) {
        n = ql->head;
        while (idx >= n->count) {
            idx -= n->count;
            n = n->next;
        }
        off = idx;
    } else {
        unsigned long back = ql->count - 1 - idx; /* position counted from the tail */
        n = ql->tail;
        while (back >= n->count) {
            back -= n->count;
            n = n->prev;
        }
        off = n->count - 1 - back;
    }
    it->node = n;
    it->p = lp_seek(n->lp, (long)off);
    return true;
}

const char *ql_iter_get(const QlIter *it, size_t *len, char buf[LP_INTBUF_SIZE]) {
    return lp_get_str(it->p, len, buf);
}

bool ql_iter_eq(const QlIter *it, const char *s, size_t len) {
    return lp_eq(it->p, s, len);
}

void ql_iter_next(QlIter *it) {
    QlNode *n = it->node;
    it->p = it->forward ? lp_next(n->lp, it->p) : lp_prev(n->lp, it->p);
    while (!it->p) {
        n = it->forward ? n->next : n->prev;
        it->node = n;
        if (!n) return;
        it->p = it->forward ? lp_first(n->lp) : lp_last(n->lp);
    }
}

void ql_iter_delete(QlIter *it) {
    Quicklist *ql = it->ql;
    QlNode *n = it->node;
    if (n->count == 1) {
        QlNode *next = it->forward ? n->next : n->prev;
        ql_unlink_free(ql, n);
        it->node = next;
        if (next) it->p = it->forward ? lp_first(next->lp) : lp_last(next->lp);
        return;
    }
    unsigned char *prev = lp_prev(n->lp, it->p);
    size_t prev_off = prev ? (size_t)(prev - n->lp) : 0;
    unsigned char *next;
    n->lp = lp_delete(n->lp, it->p, &next);
    n->count--;
    ql->count--;
    if (it->forward) {
        it->p = next;
        if (!next) {
            it->node = n->next;
            if (it->node) it->p = lp_first(it->node->lp);
        }
    } else if (prev) {
        it->p = n->lp + prev_off;
    } else {
        it->node = n->prev;
        if (it->node) it->p = lp_last(it->node->lp);
    }
}

void ql_iter_replace(QlIter *it, const char *s, size_t len) {
    QlNode *n = it->node;
    /* the old entry's encoded bytes, the new one's upper estimate */
    unsigned char *after = lp_next(n->lp, it->p);
    size_t oldsz = (size_t)((after ? after : n->lp + lp_bytes(n->lp) - 1) - it->p);
    size_t new_sz = lp_bytes(n->lp) - oldsz + len + QL_SIZE_ESTIMATE_OVER;
    if (n->count == 1 || ql_node_allow_replace(it->ql, new_sz)) {
        n->lp = lp_replace(n->lp, &it->p, s, len);
        return;
    }
    /* Too big for this node: put the new element after the old one, then drop the old. */
    size_t off = (size_t)(it->p - n->lp);
    QlIter ins = *it;
    ql_iter_insert(&ins, s, len, true);
    /* The node may have been split or the element placed in a neighbour; find the old
     * element again: it is still at `off` in `n`, which keeps the elements before it. */
    QlIter del = {it->ql, n, n->lp + off, true};
    ql_iter_delete(&del);
    *it = del;
    if (!it->node) {
        it->node = it->ql->tail;
        it->p = lp_last(it->node->lp);
    }
}

/* Add an element at one end of a node (the list's count is the caller's). */
static void ql_push_node(QlNode *n, const char *s, size_t len, bool at_head) {
    n->lp = at_head ? lp_prepend(n->lp, s, len) : lp_append(n->lp, s, len);
    n->count++;
}

/* Split n so that the entries from offset `at` on move to a new node after it. */
static QlNode *ql_node_split(Quicklist *ql, QlNode *n, unsigned long at) {
    QlNode *nn = ql_node_new();
    unsigned long moved = n->count - at;
    for (unsigned char *p = lp_seek(n->lp, (long)at); p; p = lp_next(n->lp, p)) {
        size_t len;
        char buf[LP_INTBUF_SIZE];
        const char *s = lp_get_str(p, &len, buf);
        nn->lp = lp_append(nn->lp, s, len);
    }
    n->lp = lp_delete_range(n->lp, (long)at, moved);
    n->count = at;
    nn->count = moved;
    ql_link(ql, n, nn, true);
    return nn;
}

void ql_iter_insert(QlIter *it, const char *s, size_t len, bool after) {
    Quicklist *ql = it->ql;
    QlNode *n = it->node;
    if (ql_node_allow_insert(ql, n, len)) {
        n->lp = lp_insert(n->lp, s, len, it->p, after ? LP_AFTER : LP_BEFORE, NULL);
        n->count++;
        ql->count++;
        return;
    }
    bool at_tail = lp_next(n->lp, it->p) == NULL;
    bool at_head = lp_prev(n->lp, it->p) == NULL;
    if (after && at_tail) {
        if (ql_node_allow_insert(ql, n->next, len)) {
            ql_push_node(n->next, s, len, true);
        } else {
            QlNode *nn = ql_node_new();
            ql_link(ql, n, nn, true);
            ql_push_node(nn, s, len, true);
        }
    } else if (!after && at_head) {
        if (ql_node_allow_insert(ql, n->prev, len)) {
            ql_push_node(n->prev, s, len, false);
        } else {
            QlNode *nn = ql_node_new();
            ql_link(ql, n, nn, false);
            ql_push_node(nn, s, len, false);
        }
    } else {
        /* Split: the entries after the insertion point move to a new node; the element
         * goes at the end of the first half, or starts the second half. */
        unsigned long off = 0;
        for (unsigned char *p = lp_first(n->lp); p != it->p; p = lp_next(n->lp, p))
            off++;
        QlNode *second = ql_node_split(ql, n, after ? off + 1 : off);
        if (ql_node_allow_insert(ql, n, len))
            ql_push_node(n, s, len, false);
        else if (ql_node_allow_insert(ql, second, len))
            ql_push_node(second, s, len, true);
        else {
            QlNode *nn = ql_node_new();
            ql_link(ql, n, nn, true);
            ql_push_node(nn, s, len, true);
        }
    }
    ql->count++;
}

void ql_delete_range(Quicklist *ql, unsigned long start, unsigned long n) {
    QlNode *node = ql->head;
    while (node && start >= node->count) {
        start -= node->count;
        node = node->next;
    }
    while (node && n > 0) {
        QlNode *next = node->next;
        unsigned long take = node->count - start;
        if (take > n) take = n;
        if (take == node->count) {
            ql_unlink_free(ql, node);
        } else {
            node->lp = lp_delete_range(node->lp, (long)start, take);
            node->count -= take;
            ql->count -= take;
        }
        n -= take;
        start = 0;
        node = next;
    }
}
