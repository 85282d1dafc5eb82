/* quicklist.h - the list value: a doubly linked list of nodes, each a listpack (Redis 7.0's
 * quicklist, which OBJECT ENCODING reports for every list).
 *
 *   Quicklist {head, tail, count, len, fill}
 *      head -> QlNode{lp: [e e e e]} <-> QlNode{lp: [e e]} <-> ... <- tail
 *
 * `fill` is list-max-listpack-size: > 0 caps the entries per node (and a node never grows
 * past 8 KB unless it holds a single entry); -1..-5 cap the node's listpack at 4/8/16/32/64 KB.
 * A push that does not fit its end node starts a new node; an insert into a full node goes to
 * a neighbour with room or splits the node. Deletions free nodes that become empty, so no
 * node is ever empty. Elements are stored by listpack's rules (canonical integers as ints).
 *
 * Positions are handled through QlIter: an element (node + entry pointer) and a direction.
 * A QlIter stays valid across ql_iter_delete/ql_iter_replace of its own element only; any
 * other mutation of the list invalidates it. */
#ifndef VIGIL_SERVER_QUICKLIST_H
#define VIGIL_SERVER_QUICKLIST_H

#include "common/listpack.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct QlNode {
    struct QlNode *prev, *next;
    unsigned char *lp;
    unsigned long count; /* entries in lp */
} QlNode;

typedef struct Quicklist {
    QlNode *head, *tail;
    unsigned long count; /* elements in all nodes */
    unsigned long len;   /* nodes */
    int fill;
} Quicklist;

enum {
    QL_HEAD = 0,
    QL_TAIL = 1
};

typedef struct QlIter {
    Quicklist *ql;
    QlNode *node;     /* NULL when the iteration is over */
    unsigned char *p; /* the current entry in node->lp */
    bool forward;     /* head to tail */
} QlIter;

Quicklist *ql_new(int fill);
void ql_free(Quicklist *ql); /* NULL is a no-op */
Quicklist *ql_dup(const Quicklist *ql);
/* Bytes allocated for the list (allocator's usable sizes), measuring `samples` nodes (0 =
 * all) and extrapolating to the rest. */
size_t ql_memory_usage(const Quicklist *ql, long long samples);

void ql_push(Quicklist *ql, const char *s, size_t len, int where);

/* Position it on element `index` (negative counts from the tail), iterating towards the
 * tail when forward. False (and an ended iterator) when out of range. */
bool ql_iter_at(Quicklist *ql, long index, bool forward, QlIter *it);
static inline bool ql_iter_valid(const QlIter *it) {
    return it->node != NULL;
}
/* The current element's bytes (integers formatted into buf). */
const char *ql_iter_get(const QlIter *it, size_t *len, char buf[LP_INTBUF_SIZE]);
/* Does the current element equal these bytes? */
bool ql_iter_eq(const QlIter *it, const char *s, size_t len);
void ql_iter_next(QlIter *it);
/* Remove the current element; the iterator moves to the following one in its direction. */
void ql_iter_delete(QlIter *it);
/* Replace the current element; the iterator stays on it. */
void ql_iter_replace(QlIter *it, const char *s, size_t len);
/* Insert next to the current element (after = towards the tail). Invalidates it. */
void ql_iter_insert(QlIter *it, const char *s, size_t len, bool after);

/* Delete `n` elements from index `start` (>= 0) on. */
void ql_delete_range(Quicklist *ql, unsigned long start, unsigned long n);

#endif
