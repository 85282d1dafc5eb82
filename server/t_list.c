/* t_list.c - the list type: its TypeOps and the list commands, blocking ones included.
 *
 * Every list is a quicklist (quicklist.h), as OBJECT ENCODING reports in Redis 7.0; a list
 * never exists empty: the command that removes the last element deletes the key and
 * publishes "del" after its own event. Replies, argument checks and their order, and the
 * keyspace events (names and order) follow Redis 7.0.15.
 *
 * Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) first try to serve like their
 * non-blocking forms; when nothing is there they wait through blocked.h, which runs the
 * whole command again when a key they wait on is pushed to. */
#include "common/mem.h"
#include "common/util.h"
#include "server/blocked.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/digest.h"
#include "server/notify.h"
#include "server/object.h"
#include "server/propagate.h"
#include "server/quicklist.h"
#include "server/reply.h"
#include "server/server.h"

#include <limits.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------
 * TypeOps */

static void list_free_value(Kv *kv) {
    ql_free(kv->v.ptr);
}

static void *list_dup_value(const Kv *kv) {
    return ql_dup(kv->v.ptr);
}

static size_t list_memory_usage(const Kv *kv, long long samples) {
    return ql_memory_usage(kv->v.ptr, samples);
}

/* Redis mixes each element's string form into the value digest, head to tail. */
static void list_digest(const Kv *kv, ObjDigest d) {
    QlIter it;
    char buf[LP_INTBUF_SIZE];
    for (ql_iter_at(kv->v.ptr, 0, true, &it); ql_iter_valid(&it); ql_iter_next(&it)) {
        size_t len;
        const char *s = ql_iter_get(&it, &len, buf);
        digest_mix(d, s, len);
    }
}

const TypeOps list_type_ops = {list_free_value, list_dup_value, list_memory_usage, list_digest};

/* ------------------------------------------------------------------------------------------
 * Helpers */

static inline Quicklist *list_ql(const Kv *kv) {
    return kv->v.ptr;
}

static inline unsigned long list_len(const Kv *kv) {
    return list_ql(kv)->count;
}

/* Option words compare as Redis's strcasecmp does: bytes after a NUL are ignored. */
static bool opt_is(const RespArg *a, const char *word) {
    const char *nul = memchr(a->ptr, '\0', a->len);
    RespArg s = {a->ptr, nul ? (size_t)(nul - a->ptr) : a->len};
    return arg_is(&s, word);
}

/* A new empty list under key (the caller pushes at once: lists never stay empty). */
static Kv *list_create(Db *db, const RespArg *key) {
    Quicklist *ql = ql_new((int)cfg.list_max_listpack_size);
    Kv *kv = kv_new_ptr(key->ptr, key->len, OBJ_LIST, ENC_QUICKLIST, ql);
    db_add(db, kv);
    return kv;
}

/* LEFT or RIGHT (Redis's getListPositionFromObjectOrReply). */
static int list_where_or_reply(Client *c, const RespArg *a, int *where) {
    if (opt_is(a, "left"))
        *where = QL_HEAD;
    else if (opt_is(a, "right"))
        *where = QL_TAIL;
    else {
        reply_syntax_error(c);
        return -1;
    }
    return 0;
}

/* Redis's getLongFromObjectOrReply (a long is a long long here). */
static int arg_long_or_reply(Client *c, const RespArg *a, long *out) {
    long long v;
    if (arg_to_ll_or_reply(c, a, &v, NULL) != 0) return -1;
    *out = (long)v;
    return 0;
}

/* getPositiveLongFromObjectOrReply: msg replaces both the parse and the range error. */
static int arg_positive_or_reply(Client *c, const RespArg *a, long *out, const char *msg) {
    long long v;
    if (!msg) msg = "ERR value is out of range, must be positive";
    if (arg_to_ll_range_or_reply(c, a, 0, LONG_MAX, &v, msg) != 0) return -1;
    *out = (long)v;
    return 0;
}

/* Reply elements [start, end] (already normalised and in range), reversed when asked. */
static void list_reply_range(Client *c, Kv *kv, long start, long end, bool reverse) {
    long n = end - start + 1;
    reply_array(c, n);
    QlIter it;
    char buf[LP_INTBUF_SIZE];
    ql_iter_at(list_ql(kv), reverse ? end : start, !reverse, &it);
    for (long i = 0; i < n; i++) {
        size_t len;
        const char *s = ql_iter_get(&it, &len, buf);
        reply_bulk(c, s, len);
        ql_iter_next(&it);
    }
}

/* Redis's addListRangeReply: start/end as the user gave them (negative from the end). */
static void list_reply_user_range(Client *c, Kv *kv, long start, long end, bool reverse) {
    long llen = (long)list_len(kv);
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        reply_empty_array(c);
        return;
    }
    if (end >= llen) end = llen - 1;
    list_reply_range(c, kv, start, end, reverse);
}

/* After elements were popped from one end: the pop event, the key's deletion when empty,
 * WATCH and dirty (Redis's listElementsRemoved). kv is invalid afterwards. */
static void list_elements_removed(Client *c, const RespArg *key, int where, Kv *kv, long count) {
    notify_keyspace_event(NOTIFY_LIST, where == QL_HEAD ? "lpop" : "rpop", key->ptr, key->len,
                          c->db->id);
    if (list_len(kv) == 0) {
        db_delete(c->db, key->ptr, key->len);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key->ptr, key->len, c->db->id);
    }
    db_signal_modified(c->db, key->ptr, key->len);
    srv.dirty += count - 1;
}

/* Pop up to count elements from one end replying them as an array (LPOP/RPOP with count). */
static void list_pop_range_reply(Client *c, const RespArg *key, Kv *kv, int where, long count) {
    long llen = (long)list_len(kv);
    long n = count > llen ? llen : count;
    if (where == QL_HEAD)
        list_reply_range(c, kv, 0, n - 1, false);
    else
        list_reply_range(c, kv, llen - n, llen - 1, true);
    ql_delete_range(list_ql(kv), where == QL_HEAD ? 0 : (unsigned long)(llen - n),
                    (unsigned long)n);
    list_elements_removed(c, key, where, kv, n);
}

/* LMPOP/BLMPOP's reply: [key, [elements]]. */
static void list_pop_range_with_key(Client *c, const RespArg *key, Kv *kv, int where, long count) {
    reply_array(c, 2);
    reply_bulk_arg(c, key);
    list_pop_range_reply(c, key, kv, where, count);
}

/* Pop one element into a heap copy (the caller mem_free()s it). */
static char *list_pop_copy(Kv *kv, int where, size_t *len) {
    QlIter it;
    char buf[LP_INTBUF_SIZE];
    ql_iter_at(list_ql(kv), where == QL_HEAD ? 0 : -1, true, &it);
    const char *s = ql_iter_get(&it, len, buf);
    char *copy = mem_alloc(*len + 1);
    memcpy(copy, s, *len);
    copy[*len] = '\0';
    ql_iter_delete(&it);
    return copy;
}

/* ------------------------------------------------------------------------------------------
 * Push */

static void push_generic(Client *c, int where, bool xx) {
    const RespArg *key = &c->argv[1];
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_LIST, &kv) != 0) return;
    if (!kv) {
        if (xx) {
            reply_int(c, 0);
            return;
        }
        kv = list_create(c->db, key);
    }
    for (int j = 2; j < c->argc; j++)
        ql_push(list_ql(kv), c->argv[j].ptr, c->argv[j].len, where);
    reply_int(c, (long long)list_len(kv));
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_LIST, where == QL_HEAD ? "lpush" : "rpush", key->ptr, key->len,
                          c->db->id);
    srv.dirty += c->argc - 3;
}

/* LPUSH key element [element ...] */
static void cmd_lpush(Client *c) {
    push_generic(c, QL_HEAD, false);
}

/* RPUSH key element [element ...] */
static void cmd_rpush(Client *c) {
    push_generic(c, QL_TAIL, false);
}

/* LPUSHX key element [element ...] */
static void cmd_lpushx(Client *c) {
    push_generic(c, QL_HEAD, true);
}

/* RPUSHX key element [element ...] */
static void cmd_rpushx(Client *c) {
    push_generic(c, QL_TAIL, true);
}

/* ------------------------------------------------------------------------------------------
 * Pop */

static void pop_generic(Client *c, int where) {
    const RespArg *key = &c->argv[1];
    bool hascount = c->argc == 3;
    long count = 0;
    if (c->argc > 3) {
        reply_arity_error(c);
        return;
    }
    if (hascount && arg_positive_or_reply(c, &c->argv[2], &count, NULL) != 0) return;
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_LIST, &kv) != 0) return;
    if (!kv) {
        if (hascount)
            reply_null_array(c);
        else
            reply_null(c);
        return;
    }
    if (hascount && count == 0) {
        reply_empty_array(c);
        return;
    }
    if (!hascount) {
        size_t len;
        char *v = list_pop_copy(kv, where, &len);
        reply_bulk(c, v, len);
        mem_free(v);
        list_elements_removed(c, key, where, kv, 1);
        return;
    }
    list_pop_range_reply(c, key, kv, where, count);
}

/* LPOP key [count] */
static void cmd_lpop(Client *c) {
    pop_generic(c, QL_HEAD);
}

/* RPOP key [count] */
static void cmd_rpop(Client *c) {
    pop_generic(c, QL_TAIL);
}

/* ------------------------------------------------------------------------------------------
 * Reads and in-place changes */

/* LRANGE key start stop */
static void cmd_lrange(Client *c) {
    long start, end;
    if (arg_long_or_reply(c, &c->argv[2], &start) != 0) return;
    if (arg_long_or_reply(c, &c->argv[3], &end) != 0) return;
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_LIST, &kv) != 0) return;
    if (!kv) {
        reply_empty_array(c);
        return;
    }
    list_reply_user_range(c, kv, start, end, false);
}

/* LINDEX key index */
static void cmd_lindex(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_LIST, &kv) != 0) return;
    if (!kv) {
        reply_null(c);
        return;
    }
    long index;
    if (arg_long_or_reply(c, &c->argv[2], &index) != 0) return;
    QlIter it;
    if (!ql_iter_at(list_ql(kv), index, true, &it)) {
        reply_null(c);
        return;
    }
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *s = ql_iter_get(&it, &len, buf);
    reply_bulk(c, s, len);
}

/* LLEN key */
static void cmd_llen(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_LIST, &kv) != 0) return;
    reply_int(c, kv ? (long long)list_len(kv) : 0);
}

/* LSET key index element */
static void cmd_lset(Client *c) {
    const RespArg *key = &c->argv[1];
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_LIST, &kv) != 0) return;
    if (!kv) {
        reply_error(c, ERRT_NO_KEY);
        return;
    }
    long index;
    if (arg_long_or_reply(c, &c->argv[2], &index) != 0) return;
    QlIter it;
    if (!ql_iter_at(list_ql(kv), index, true, &it)) {
        reply_error(c, "ERR index out of range");
        return;
    }
    ql_iter_replace(&it, c->argv[3].ptr, c->argv[3].len);
    reply_ok(c);
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_LIST, "lset", key->ptr, key->len, c->db->id);
}

/* LINSERT key BEFORE|AFTER pivot element */
static void cmd_linsert(Client *c) {
    const RespArg *key = &c->argv[1];
    bool after;
    if (opt_is(&c->argv[2], "after"))
        after = true;
    else if (opt_is(&c->argv[2], "before"))
        after = false;
    else {
        reply_syntax_error(c);
        return;
    }
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_LIST, &kv) != 0) return;
    if (!kv) {
        reply_int(c, 0);
        return;
    }
    QlIter it;
    const RespArg *pivot = &c->argv[3];
    for (ql_iter_at(list_ql(kv), 0, true, &it); ql_iter_valid(&it); ql_iter_next(&it))
        if (ql_iter_eq(&it, pivot->ptr, pivot->len)) break;
    if (!ql_iter_valid(&it)) {
        reply_int(c, -1);
        return;
    }
    ql_iter_insert(&it, c->argv[4].ptr, c->argv[4].len, after);
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_LIST, "linsert", key->ptr, key->len, c->db->id);
    reply_int(c, (long long)list_len(kv));
}

/* LREM key count element: count > 0 from the head, < 0 from the tail, 0 all. */
static void cmd_lrem(Client *c) {
    const RespArg *key = &c->argv[1], *ele = &c->argv[3];
    long toremove;
    if (arg_long_or_reply(c, &c->argv[2], &toremove) != 0) return;
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_LIST, &kv) != 0) return;
    if (!kv) {
        reply_int(c, 0);
        return;
    }
    bool forward = toremove >= 0;
    unsigned long limit = forward ? (unsigned long)toremove : 0UL - (unsigned long)toremove;
    long removed = 0;
    QlIter it;
    ql_iter_at(list_ql(kv), forward ? 0 : -1, forward, &it);
    while (ql_iter_valid(&it)) {
        if (ql_iter_eq(&it, ele->ptr, ele->len)) {
            ql_iter_delete(&it);
            removed++;
            if (limit && (unsigned long)removed == limit) break;
        } else {
            ql_iter_next(&it);
        }
    }
    if (removed) {
        db_signal_modified(c->db, key->ptr, key->len);
        notify_keyspace_event(NOTIFY_LIST, "lrem", key->ptr, key->len, c->db->id);
    }
    if (list_len(kv) == 0) {
        db_delete(c->db, key->ptr, key->len);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key->ptr, key->len, c->db->id);
    }
    reply_int(c, removed);
}

/* LTRIM key start stop */
static void cmd_ltrim(Client *c) {
    const RespArg *key = &c->argv[1];
    long start, end;
    if (arg_long_or_reply(c, &c->argv[2], &start) != 0) return;
    if (arg_long_or_reply(c, &c->argv[3], &end) != 0) return;
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_LIST, &kv) != 0) return;
    if (!kv) {
        reply_ok(c);
        return;
    }
    long llen = (long)list_len(kv), ltrim, rtrim;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        ltrim = llen;
        rtrim = 0;
    } else {
        if (end >= llen) end = llen - 1;
        ltrim = start;
        rtrim = llen - end - 1;
    }
    ql_delete_range(list_ql(kv), 0, (unsigned long)ltrim);
    ql_delete_range(list_ql(kv), list_len(kv) - (unsigned long)rtrim, (unsigned long)rtrim);
    notify_keyspace_event(NOTIFY_LIST, "ltrim", key->ptr, key->len, c->db->id);
    if (list_len(kv) == 0) {
        db_delete(c->db, key->ptr, key->len);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key->ptr, key->len, c->db->id);
    }
    db_signal_modified(c->db, key->ptr, key->len);
    reply_ok(c);
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
static void cmd_lpos(Client *c) {
    const RespArg *ele = &c->argv[2];
    long rank = 1, count = -1, maxlen = 0;
    for (int j = 3; j < c->argc; j++) {
        const RespArg *opt = &c->argv[j];
        bool more = j + 1 < c->argc;
        long long v;
        if (opt_is(opt, "rank") && more) {
            if (arg_to_ll_or_reply(c, &c->argv[++j], &v, NULL) != 0) return;
            if (v == 0) {
                reply_error(c, "ERR RANK can't be zero: use 1 to start from the first match, 2 "
                               "from the second ... or use negative to start from the end of "
                               "the list");
                return;
            }
            rank = (long)v;
        } else if (opt_is(opt, "count") && more) {
            if (arg_positive_or_reply(c, &c->argv[++j], &count, "ERR COUNT can't be negative") != 0)
                return;
        } else if (opt_is(opt, "maxlen") && more) {
            if (arg_positive_or_reply(c, &c->argv[++j], &maxlen, "ERR MAXLEN can't be negative") !=
                0)
                return;
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    bool forward = rank > 0;
    /* Redis 7.0.15 negates LONG_MIN as is: it stays negative, so every match qualifies and
     * matches - rank + 1 wraps below any COUNT, which therefore never stops the search. */
    if (rank == LONG_MIN) {
        rank = 1;
        if (count > 0) count = 0;
    } else if (rank < 0) {
        rank = -rank;
    }
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_LIST, &kv) != 0) return;
    if (!kv) {
        if (count != -1)
            reply_empty_array(c);
        else
            reply_null(c);
        return;
    }
    long llen = (long)list_len(kv);
    size_t handle = 0;
    if (count != -1) handle = reply_deferred_begin(c);
    long index = 0, matches = 0, matchindex = -1, arraylen = 0;
    QlIter it;
    ql_iter_at(list_ql(kv), forward ? 0 : -1, forward, &it);
    for (; ql_iter_valid(&it) && (maxlen == 0 || index < maxlen); ql_iter_next(&it)) {
        if (ql_iter_eq(&it, ele->ptr, ele->len)) {
            matches++;
            matchindex = forward ? index : llen - index - 1;
            if (matches >= rank) {
                if (count == -1) break;
                arraylen++;
                reply_int(c, matchindex);
                if (count && matches - rank + 1 >= count) break;
            }
        }
        index++;
        matchindex = -1;
    }
    if (count != -1)
        reply_deferred_array(c, handle, arraylen);
    else if (matchindex != -1)
        reply_int(c, matchindex);
    else
        reply_null(c);
}

/* ------------------------------------------------------------------------------------------
 * Move */

/* LMOVE's body once src is known to be a non-empty list: push to dst first (its event and
 * the reply), then the pop's event and src's deletion when it emptied (Redis's order). */
static void list_move(Client *c, Kv *src, int wherefrom, int whereto) {
    const RespArg *skey = &c->argv[1], *dkey = &c->argv[2];
    Kv *dst = db_lookup_write(c->db, dkey->ptr, dkey->len);
    if (dst && dst->type != OBJ_LIST) {
        reply_wrongtype(c);
        return;
    }
    size_t len;
    char *v = list_pop_copy(src, wherefrom, &len);
    if (!dst) dst = list_create(c->db, dkey);
    db_signal_modified(c->db, dkey->ptr, dkey->len);
    ql_push(list_ql(dst), v, len, whereto);
    notify_keyspace_event(NOTIFY_LIST, whereto == QL_HEAD ? "lpush" : "rpush", dkey->ptr, dkey->len,
                          c->db->id);
    reply_bulk(c, v, len);
    mem_free(v);
    list_elements_removed(c, skey, wherefrom, src, 1);
}

static void lmove_generic(Client *c, int wherefrom, int whereto) {
    Kv *src;
    if (db_write_typed_or_reply(c, &c->argv[1], OBJ_LIST, &src) != 0) return;
    if (!src) {
        reply_null(c);
        return;
    }
    list_move(c, src, wherefrom, whereto);
}

/* LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
static void cmd_lmove(Client *c) {
    int from, to;
    if (list_where_or_reply(c, &c->argv[3], &from) != 0) return;
    if (list_where_or_reply(c, &c->argv[4], &to) != 0) return;
    lmove_generic(c, from, to);
}

/* RPOPLPUSH source destination */
static void cmd_rpoplpush(Client *c) {
    lmove_generic(c, QL_TAIL, QL_HEAD);
}

/* ------------------------------------------------------------------------------------------
 * LMPOP and the blocking pops */

typedef struct MpopArgs {
    const RespArg *keys;
    int numkeys;
    int where;
    long count;
} MpopArgs;

/* numkeys key [key ...] LEFT|RIGHT [COUNT count] from argv[idx] on. */
static int mpop_parse_or_reply(Client *c, int idx, MpopArgs *a) {
    long long numkeys, count = -1;
    if (arg_to_ll_range_or_reply(c, &c->argv[idx], 1, LONG_MAX, &numkeys,
                                 "ERR numkeys should be greater than 0") != 0)
        return -1;
    if (numkeys >= c->argc - idx - 1) {
        reply_syntax_error(c);
        return -1;
    }
    int where_idx = idx + (int)numkeys + 1;
    if (list_where_or_reply(c, &c->argv[where_idx], &a->where) != 0) return -1;
    for (int j = where_idx + 1; j < c->argc; j++) {
        if (count == -1 && opt_is(&c->argv[j], "count") && j + 1 < c->argc) {
            if (arg_to_ll_range_or_reply(c, &c->argv[++j], 1, LONG_MAX, &count,
                                         "ERR count should be greater than 0") != 0)
                return -1;
        } else {
            reply_syntax_error(c);
            return -1;
        }
    }
    a->keys = &c->argv[idx + 1];
    a->numkeys = (int)numkeys;
    a->count = count == -1 ? 1 : (long)count;
    return 0;
}

/* The blocking pops and LMPOP replay as the LPOP/RPOP they did: key alone for BLPOP/BRPOP,
 * key and the number popped for LMPOP/BLMPOP. */
static void pop_propagate(Client *c, const RespArg *key, int where, long n) {
    char nb[24];
    RespArg av[3] = {{where == QL_HEAD ? "LPOP" : "RPOP", 4}, *key, {nb, 0}};
    if (n >= 0) av[2].len = (size_t)util_ll_to_str(nb, n);
    propagate_rewrite(c, n >= 0 ? 3 : 2, av);
}

/* Pop from the first non-empty list among keys. count -1: BLPOP's [key, element] reply;
 * else LMPOP's [key, [elements]]. 1 when served, 0 when every key is empty, -1 after an
 * error reply (WRONGTYPE). */
static int pop_first_nonempty(Client *c, const RespArg *keys, int numkeys, int where, long count) {
    /* Served for a key that became ready: that key first, as Redis 7.0 serves (blocked.h). */
    const RespArg *ready = blocked_ready_key(c);
    int first = -1;
    for (int j = 0; ready && j < numkeys && first < 0; j++)
        if (keys[j].len == ready->len && memcmp(keys[j].ptr, ready->ptr, ready->len) == 0)
            first = j;
    if (first >= 0) {
        Kv *kv = db_lookup_write(c->db, keys[first].ptr, keys[first].len);
        if (!kv || kv->type != OBJ_LIST) first = -1;
    }
    for (int j = first >= 0 ? -1 : 0; j < numkeys; j++) {
        const RespArg *key = &keys[j < 0 ? first : j];
        Kv *kv = db_lookup_write(c->db, key->ptr, key->len);
        if (!kv) continue;
        if (kv->type != OBJ_LIST) {
            reply_wrongtype(c);
            return -1;
        }
        pop_propagate(c, key, where, count == -1 ? -1 : VG_MIN(count, (long)list_len(kv)));
        if (count != -1) {
            list_pop_range_with_key(c, key, kv, where, count);
            return 1;
        }
        size_t len;
        char *v = list_pop_copy(kv, where, &len);
        reply_array(c, 2);
        reply_bulk_arg(c, key);
        reply_bulk(c, v, len);
        mem_free(v);
        list_elements_removed(c, key, where, kv, 1);
        return 1;
    }
    return 0;
}

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
static void cmd_lmpop(Client *c) {
    MpopArgs a;
    if (mpop_parse_or_reply(c, 1, &a) != 0) return;
    if (pop_first_nonempty(c, a.keys, a.numkeys, a.where, a.count) == 0) reply_null_array(c);
}

/* The blocking form of pop_first_nonempty: serve, or wait on the keys. */
static void blocking_pop(
    Client *c, const RespArg *keys, int numkeys, int where, long count, int64_t deadline_ms) {
    if (pop_first_nonempty(c, keys, numkeys, where, count) != 0) return;
    if (!blocked_can_block(c)) {
        reply_null_array(c);
        return;
    }
    blocked_wait_keys(c, keys, numkeys, deadline_ms, true);
}

static void bpop_generic(Client *c, int where) {
    int64_t deadline;
    if (blocked_parse_timeout_or_reply(c, &c->argv[c->argc - 1], &deadline) != 0) return;
    blocking_pop(c, &c->argv[1], c->argc - 2, where, -1, deadline);
}

/* BLPOP key [key ...] timeout */
static void cmd_blpop(Client *c) {
    bpop_generic(c, QL_HEAD);
}

/* BRPOP key [key ...] timeout */
static void cmd_brpop(Client *c) {
    bpop_generic(c, QL_TAIL);
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
static void cmd_blmpop(Client *c) {
    MpopArgs a;
    int64_t deadline;
    if (mpop_parse_or_reply(c, 2, &a) != 0) return;
    if (blocked_parse_timeout_or_reply(c, &c->argv[1], &deadline) != 0) return;
    blocking_pop(c, a.keys, a.numkeys, a.where, a.count, deadline);
}

/* BLMOVE replays as LMOVE, BRPOPLPUSH as RPOPLPUSH. Served after blocking, Redis 7.0
 * spells the directions in lower case; at once, as the client gave them. */
static void blmove_propagate(Client *c, int from, int to) {
    RespArg av[5] = {{"LMOVE", 5}, c->argv[1], c->argv[2], {NULL, 0}, {NULL, 0}};
    if (c->argc == 4) { /* BRPOPLPUSH source destination timeout */
        av[0] = (RespArg){"RPOPLPUSH", 9};
        propagate_rewrite(c, 3, av);
        return;
    }
    if (blocked_ready_key(c)) {
        av[3] = from == QL_HEAD ? (RespArg){"left", 4} : (RespArg){"right", 5};
        av[4] = to == QL_HEAD ? (RespArg){"left", 4} : (RespArg){"right", 5};
    } else {
        av[3] = c->argv[3];
        av[4] = c->argv[4];
    }
    propagate_rewrite(c, 5, av);
}

static void blmove_generic(Client *c, int from, int to, const RespArg *timeout) {
    int64_t deadline;
    if (blocked_parse_timeout_or_reply(c, timeout, &deadline) != 0) return;
    Kv *src = db_lookup_write(c->db, c->argv[1].ptr, c->argv[1].len);
    if (src) {
        lmove_generic(c, from, to);
        blmove_propagate(c, from, to);
        return;
    }
    if (!blocked_can_block(c)) {
        reply_null(c);
        return;
    }
    blocked_wait_keys(c, &c->argv[1], 1, deadline, false);
}

/* BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
static void cmd_blmove(Client *c) {
    int from, to;
    if (list_where_or_reply(c, &c->argv[3], &from) != 0) return;
    if (list_where_or_reply(c, &c->argv[4], &to) != 0) return;
    blmove_generic(c, from, to, &c->argv[5]);
}

/* BRPOPLPUSH source destination timeout */
static void cmd_brpoplpush(Client *c) {
    blmove_generic(c, QL_TAIL, QL_HEAD, &c->argv[3]);
}

/* clang-format off */
const CmdSpec list_commands[] = {
    {"lpush", cmd_lpush, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEYS(1, 1, 1), "list", NULL, "Prepend one or multiple elements to a list", "1.0.0", "key element [element ...]"},
    {"rpush", cmd_rpush, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEYS(1, 1, 1), "list", NULL, "Append one or multiple elements to a list", "1.0.0", "key element [element ...]"},
    {"lpushx", cmd_lpushx, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEYS(1, 1, 1), "list", NULL, "Prepend an element to a list, only if the list exists", "2.2.0", "key element [element ...]"},
    {"rpushx", cmd_rpushx, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEYS(1, 1, 1), "list", NULL, "Append an element to a list, only if the list exists", "2.2.0", "key element [element ...]"},
    {"lpop", cmd_lpop, -2, CMD_WRITE | CMD_FAST, KEYS(1, 1, 1), "list", NULL, "Remove and get the first elements in a list", "1.0.0", "key [count]"},
    {"rpop", cmd_rpop, -2, CMD_WRITE | CMD_FAST, KEYS(1, 1, 1), "list", NULL, "Remove and get the last elements in a list", "1.0.0", "key [count]"},
    {"lrange", cmd_lrange, 4, CMD_READONLY, KEYS(1, 1, 1), "list", NULL, "Get a range of elements from a list", "1.0.0", "key start stop"},
    {"lindex", cmd_lindex, 3, CMD_READONLY, KEYS(1, 1, 1), "list", NULL, "Get an element from a list by its index", "1.0.0", "key index"},
    {"lset", cmd_lset, 4, CMD_WRITE | CMD_DENYOOM, KEYS(1, 1, 1), "list", NULL, "Set the value of an element in a list by its index", "1.0.0", "key index element"},
    {"linsert", cmd_linsert, 5, CMD_WRITE | CMD_DENYOOM, KEYS(1, 1, 1), "list", NULL, "Insert an element before or after another element in a list", "2.2.0", "key BEFORE|AFTER pivot element"},
    {"lrem", cmd_lrem, 4, CMD_WRITE, KEYS(1, 1, 1), "list", NULL, "Remove elements from a list", "1.0.0", "key count element"},
    {"ltrim", cmd_ltrim, 4, CMD_WRITE, KEYS(1, 1, 1), "list", NULL, "Trim a list to the specified range", "1.0.0", "key start stop"},
    {"llen", cmd_llen, 2, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1), "list", NULL, "Get the length of a list", "1.0.0", "key"},
    {"lpos", cmd_lpos, -3, CMD_READONLY, KEYS(1, 1, 1), "list", NULL, "Return the index of matching elements on a list", "6.0.6", "key element [RANK rank] [COUNT num-matches] [MAXLEN len]"},
    {"lmove", cmd_lmove, 5, CMD_WRITE | CMD_DENYOOM, KEYS(1, 2, 1), "list", NULL, "Pop an element from a list, push it to another list and return it", "6.2.0", "source destination LEFT|RIGHT LEFT|RIGHT"},
    {"rpoplpush", cmd_rpoplpush, 3, CMD_WRITE | CMD_DENYOOM, KEYS(1, 2, 1), "list", NULL, "Remove the last element in a list, prepend it to another list and return it", "1.2.0", "source destination"},
    {"lmpop", cmd_lmpop, -4, CMD_WRITE, NO_KEYS, "list", NULL, "Pop elements from a list", "7.0.0", "numkeys key [key ...] LEFT|RIGHT [COUNT count]"},
    {"blpop", cmd_blpop, -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING, KEYS(1, -2, 1), "list", NULL, "Remove and get the first element in a list, or block until one is available", "2.0.0", "key [key ...] timeout"},
    {"brpop", cmd_brpop, -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING, KEYS(1, -2, 1), "list", NULL, "Remove and get the last element in a list, or block until one is available", "2.0.0", "key [key ...] timeout"},
    {"blmove", cmd_blmove, 6, CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT | CMD_BLOCKING, KEYS(1, 2, 1), "list", NULL, "Pop an element from a list, push it to another list and return it; or block until one is available", "6.2.0", "source destination LEFT|RIGHT LEFT|RIGHT timeout"},
    {"brpoplpush", cmd_brpoplpush, 4, CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT | CMD_BLOCKING, KEYS(1, 2, 1), "list", NULL, "Pop an element from a list, push it to another list and return it; or block until one is available", "2.2.0", "source destination timeout"},
    {"blmpop", cmd_blmpop, -5, CMD_WRITE | CMD_BLOCKING, NO_KEYS, "list", NULL, "Pop elements from a list, or block until one is available", "7.0.0", "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]"},
    CMD_SPEC_END,
};
/* clang-format on */
