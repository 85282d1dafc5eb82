/* t_set.c - the set type: its three encodings, the read API of t_set.h, the TypeOps and the
 * S* commands.
 *
 * Encodings (t_set.h has the layout) follow Redis 7.2, which Redis 7.0 lacks for small
 * non-integer sets:
 *   intset     while every member is a canonical integer and size <= set-max-intset-entries
 *   listpack   small sets with a non-integer member (set-max-listpack-entries/-value)
 *   hashtable  everything else: a Dict of SetNode, one allocation per member
 * A new set starts in the smallest encoding its first member and the number of members
 * about to arrive allow (Redis 7.2's setTypeCreate); set_add() converts upwards only.
 *
 * Replies, errors, their order and keyspace events follow Redis 7.0.15. Empty sets are never
 * stored: the command that empties one deletes the key and emits "del". SPOP is not yet
 * propagated as SREM (propagation does not exist yet). */
#include "server/t_set.h"

#include "common/intset.h"
#include "common/listpack.h"
#include "common/mem.h"
#include "common/util.h"
#include "common/vg.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/digest.h"
#include "server/notify.h"
#include "server/reply.h"
#include "server/scan.h"
#include "server/server.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------
 * Hashtable encoding: one SetNode per member */

typedef struct SetNode {
    DictNode node;
    uint32_t len;
    char m[]; /* len bytes + NUL */
} SetNode;

static const char *setnode_key(const DictNode *n, size_t *len) {
    const SetNode *sn = (const SetNode *)n;
    *len = sn->len;
    return sn->m;
}

static const DictType set_dict_type = {.node_key = setnode_key, .nocase = false};

static SetNode *setnode_new(const char *s, size_t len) {
    SetNode *sn = mem_alloc(sizeof(SetNode) + len + 1);
    sn->node.next = NULL;
    sn->len = (uint32_t)len;
    memcpy(sn->m, s, len);
    sn->m[len] = '\0';
    return sn;
}

static void setnode_free(DictNode *n, void *ud) {
    VG_UNUSED(ud);
    mem_free(n);
}

static Dict *ht_new(size_t size_hint) {
    Dict *d = mem_alloc(sizeof(*d));
    dict_init(d, &set_dict_type);
    if (size_hint > 0) dict_expand(d, size_hint);
    return d;
}

static void ht_free(Dict *d) {
    if (!d) return;
    dict_deinit(d, setnode_free, NULL);
    mem_free(d);
}

static bool ht_add(Dict *d, const char *s, size_t len) {
    if (dict_find(d, s, len)) return false;
    dict_insert(d, &setnode_new(s, len)->node);
    return true;
}

static bool ht_remove(Dict *d, const char *s, size_t len) {
    DictNode *n = dict_unlink(d, s, len);
    if (!n) return false;
    mem_free(n);
    dict_resize_if_needed(d); /* shrink after mass removals, as Redis's SREM/SPOP do */
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Members and the read API (t_set.h) */

/* A member as bytes, integers formatted into buf. */
typedef struct Member {
    const char *s;
    size_t len;
    char buf[LP_INTBUF_SIZE];
} Member;

static void member_from_ll(Member *m, long long v) {
    m->len = (size_t)util_ll_to_str(m->buf, v);
    m->s = m->buf;
}

/* Would this member be stored as an integer (intset, listpack integer)? */
static bool member_is_int(const char *s, size_t len, long long *v) {
    return len <= 20 && util_str_to_ll(s, len, v);
}

static unsigned char *set_is(const Kv *kv) {
    return (unsigned char *)kv->v.ptr;
}

static Dict *set_ht(const Kv *kv) {
    return (Dict *)kv->v.ptr;
}

unsigned long set_size(const Kv *kv) {
    switch (kv->encoding) {
    case ENC_INTSET: return intset_len(set_is(kv));
    case ENC_LISTPACK: return lp_length(set_is(kv));
    default: return (unsigned long)dict_size(set_ht(kv));
    }
}

bool set_contains(const Kv *kv, const char *s, size_t len) {
    long long v;
    switch (kv->encoding) {
    case ENC_INTSET: return member_is_int(s, len, &v) && intset_find(set_is(kv), v);
    case ENC_LISTPACK: {
        unsigned char *lp = set_is(kv);
        return lp_find(lp, lp_first(lp), s, len, 0) != NULL;
    }
    default: return dict_find(set_ht(kv), s, len) != NULL;
    }
}

/* set_contains for a member handed out by set_iter_next (bytes, or an integer when s is
 * NULL): integers are looked up in an intset without formatting. */
static bool set_contains_iv(const Kv *kv, const char *s, size_t len, long long v) {
    if (s) return set_contains(kv, s, len);
    if (kv->encoding == ENC_INTSET) return intset_find(set_is(kv), v);
    Member m;
    member_from_ll(&m, v);
    return set_contains(kv, m.s, m.len);
}

void set_iter_init(SetIter *it, const Kv *kv) {
    it->kv = kv;
    it->pos = 0;
    it->lp_next = NULL;
    if (kv->encoding == ENC_LISTPACK)
        it->lp_next = lp_first(set_is(kv));
    else if (kv->encoding == ENC_HASHTABLE)
        /* safe: callers look members up in the same set while they walk it (ZINTER with a
         * set given twice), and a lookup must not move buckets under the walk */
        dict_iter_init(&it->di, set_ht(kv), true);
}

bool set_iter_next(SetIter *it, const char **s, size_t *len, long long *ival) {
    const Kv *kv = it->kv;
    if (kv->encoding == ENC_INTSET) {
        if (it->pos >= intset_len(set_is(kv))) return false;
        *s = NULL;
        *ival = intset_get(set_is(kv), it->pos++);
        return true;
    }
    if (kv->encoding == ENC_LISTPACK) {
        unsigned char *p = it->lp_next;
        if (!p) return false;
        uint32_t slen;
        *s = (const char *)lp_get(p, &slen, ival);
        *len = slen;
        it->lp_next = lp_next(set_is(kv), p);
        return true;
    }
    DictNode *n = dict_iter_next(&it->di);
    if (!n) return false;
    *s = setnode_key(n, len);
    return true;
}

void set_iter_deinit(SetIter *it) {
    if (it->kv->encoding == ENC_HASHTABLE) dict_iter_deinit(&it->di);
}

/* The next member as bytes (integers formatted into m->buf). */
static bool set_iter_next_member(SetIter *it, Member *m) {
    long long v;
    if (!set_iter_next(it, &m->s, &m->len, &v)) return false;
    if (!m->s) member_from_ll(m, v);
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Writes: creation, conversion, add, remove */

/* A set Kv for `key` about to receive size_hint members (all_int: all of them canonical
 * integers), in the encoding they will end up in: Redis 7.2's setTypeCreate choice, except
 * that integers beyond set-max-intset-entries go straight to a hashtable, as they would
 * one by one (and as in Redis 7.0). No member is added. */
static Kv *set_kv_new(const char *key, size_t klen, bool all_int, size_t size_hint) {
    if (all_int && size_hint <= (size_t)cfg.set_max_intset_entries)
        return kv_new_ptr(key, klen, OBJ_SET, ENC_INTSET, intset_new());
    if (!all_int && size_hint <= (size_t)cfg.set_max_listpack_entries)
        return kv_new_ptr(key, klen, OBJ_SET, ENC_LISTPACK, lp_new(0));
    return kv_new_ptr(key, klen, OBJ_SET, ENC_HASHTABLE, ht_new(size_hint));
}

static void set_free_ptr(int encoding, void *ptr) {
    if (encoding == ENC_HASHTABLE)
        ht_free(ptr);
    else if (encoding == ENC_LISTPACK)
        lp_free(ptr);
    else
        intset_free(ptr);
}

/* Rewrite an intset or listpack set in encoding `enc` (listpack or hashtable), with room
 * for `size_hint` members. */
static void set_convert(Kv *kv, int enc, size_t size_hint) {
    SetIter it;
    Member m;
    void *np;
    set_iter_init(&it, kv);
    if (enc == ENC_LISTPACK) {
        unsigned char *lp = lp_new(0);
        while (set_iter_next_member(&it, &m))
            lp = lp_append(lp, m.s, m.len);
        np = lp;
    } else {
        Dict *d = ht_new(size_hint);
        while (set_iter_next_member(&it, &m))
            dict_insert(d, &setnode_new(m.s, m.len)->node);
        np = d;
    }
    set_iter_deinit(&it);
    set_free_ptr(kv->encoding, kv->v.ptr);
    kv->v.ptr = np;
    kv->encoding = (uint32_t)enc;
}

/* A non-integer member is about to join an intset: listpack when the result stays within
 * its limits (every integer member counted at the width of the widest), else hashtable. */
static void set_convert_intset_for(Kv *kv, size_t len) {
    unsigned char *is = set_is(kv);
    uint32_t n = intset_len(is);
    size_t maxlen = 0;
    if (n > 0) {
        Member lo, hi;
        member_from_ll(&lo, intset_min(is));
        member_from_ll(&hi, intset_max(is));
        maxlen = lo.len > hi.len ? lo.len : hi.len;
    }
    /* An integer entry costs at most 9 bytes of encoding plus one of backlen. */
    size_t est = (size_t)n * 10 + len;
    if (n < (unsigned long long)cfg.set_max_listpack_entries &&
        len <= (size_t)cfg.set_max_listpack_value && maxlen <= (size_t)cfg.set_max_listpack_value &&
        lp_safe_to_add(NULL, est))
        set_convert(kv, ENC_LISTPACK, n + 1);
    else
        set_convert(kv, ENC_HASHTABLE, n + 1);
}

/* Add a member; true if it was absent. Converts the encoding upwards when needed. */
static bool set_add(Kv *kv, const char *s, size_t len) {
    long long v;
    if (kv->encoding == ENC_INTSET) {
        if (member_is_int(s, len, &v)) {
            bool added;
            kv->v.ptr = intset_add(set_is(kv), v, &added);
            if (added && intset_len(set_is(kv)) > (unsigned long long)cfg.set_max_intset_entries)
                set_convert(kv, ENC_HASHTABLE, intset_len(set_is(kv)));
            return added;
        }
        set_convert_intset_for(kv, len);
    }
    if (kv->encoding == ENC_LISTPACK) {
        unsigned char *lp = set_is(kv);
        if (lp_find(lp, lp_first(lp), s, len, 0)) return false;
        unsigned long n = lp_length(lp);
        if (n < (unsigned long long)cfg.set_max_listpack_entries &&
            len <= (size_t)cfg.set_max_listpack_value && lp_safe_to_add(lp, len + 10)) {
            kv->v.ptr = lp_append(lp, s, len);
            return true;
        }
        set_convert(kv, ENC_HASHTABLE, n + 1);
    }
    return ht_add(set_ht(kv), s, len);
}

/* Remove a member; true if it was present. Never converts. */
static bool set_remove(Kv *kv, const char *s, size_t len) {
    long long v;
    if (kv->encoding == ENC_INTSET) {
        if (!member_is_int(s, len, &v)) return false;
        bool removed;
        kv->v.ptr = intset_remove(set_is(kv), v, &removed);
        return removed;
    }
    if (kv->encoding == ENC_LISTPACK) {
        unsigned char *lp = set_is(kv);
        unsigned char *p = lp_find(lp, lp_first(lp), s, len, 0);
        if (!p) return false;
        kv->v.ptr = lp_delete(lp, p, NULL);
        return true;
    }
    return ht_remove(set_ht(kv), s, len);
}

/* An empty set Kv (intset) to collect a set operation's result into; set_add converts it
 * to the smallest encoding that holds what arrives. */
static Kv *set_kv_new_empty(const char *key, size_t klen) {
    return kv_new_ptr(key, klen, OBJ_SET, ENC_INTSET, intset_new());
}

Kv *set_kv_new_for_load(const char *key, size_t klen, size_t size_hint) {
    return set_kv_new(key, klen, true, size_hint);
}

bool set_add_member(Kv *kv, const char *s, size_t len) {
    return set_add(kv, s, len);
}

/* ------------------------------------------------------------------------------------------
 * Random members */

/* A uniformly random member of a non-empty set, as bytes. */
static void set_random_member(const Kv *kv, Member *m) {
    if (kv->encoding == ENC_INTSET) {
        unsigned char *is = set_is(kv);
        member_from_ll(m, intset_get(is, (uint32_t)(util_rand64() % intset_len(is))));
    } else if (kv->encoding == ENC_LISTPACK) {
        unsigned char *p = lp_random_entry(set_is(kv), util_rand64, NULL);
        m->s = lp_get_str(p, &m->len, m->buf);
    } else {
        DictNode *n = dict_random(set_ht(kv));
        m->s = setnode_key(n, &m->len);
    }
}

/* Remove a random member of a non-empty set and reply it as a bulk string. */
static void set_pop_one_reply(Client *c, Kv *kv) {
    if (kv->encoding == ENC_INTSET) {
        unsigned char *is = set_is(kv);
        uint32_t pos = (uint32_t)(util_rand64() % intset_len(is));
        reply_bulk_ll(c, intset_get(is, pos));
        kv->v.ptr = intset_remove_at(is, pos);
    } else if (kv->encoding == ENC_LISTPACK) {
        unsigned char *lp = set_is(kv);
        unsigned char *p = lp_random_entry(lp, util_rand64, NULL);
        Member m;
        m.s = lp_get_str(p, &m.len, m.buf);
        reply_bulk(c, m.s, m.len);
        kv->v.ptr = lp_delete(lp, p, NULL);
    } else {
        Dict *d = set_ht(kv);
        DictNode *n = dict_random(d);
        size_t len;
        const char *s = setnode_key(n, &len);
        reply_bulk(c, s, len);
        ht_remove(d, s, len);
    }
}

/* ------------------------------------------------------------------------------------------
 * TypeOps */

static void set_free_value(Kv *kv) {
    set_free_ptr(kv->encoding, kv->v.ptr);
}

static void *set_dup_value(const Kv *kv) {
    if (kv->encoding == ENC_INTSET) return intset_dup(set_is(kv));
    if (kv->encoding == ENC_LISTPACK) {
        size_t n = lp_bytes(set_is(kv));
        unsigned char *lp = mem_alloc(n);
        memcpy(lp, set_is(kv), n);
        return lp;
    }
    Dict *src = set_ht(kv);
    Dict *d = ht_new(dict_size(src));
    DictIter it;
    DictNode *n;
    dict_iter_init(&it, src, false);
    while ((n = dict_iter_next(&it)) != NULL) {
        size_t len;
        const char *s = setnode_key(n, &len);
        dict_insert(d, &setnode_new(s, len)->node);
    }
    dict_iter_deinit(&it);
    return d;
}

/* Real block sizes: the intset/listpack block; for a hashtable the Dict, its bucket arrays
 * and the member nodes, `samples` of them measured (0 = all) and the rest extrapolated. */
static size_t set_memory_usage(const Kv *kv, long long samples) {
    if (kv->encoding != ENC_HASHTABLE) return mem_usable_size(kv->v.ptr);
    Dict *d = set_ht(kv);
    size_t total = mem_usable_size(d) + dict_buckets(d) * sizeof(DictNode *);
    uint64_t size = dict_size(d), seen = 0;
    size_t nodes = 0;
    DictIter it;
    DictNode *n;
    dict_iter_init(&it, d, false);
    while ((samples <= 0 || seen < (uint64_t)samples) && (n = dict_iter_next(&it)) != NULL) {
        nodes += mem_usable_size(n);
        seen++;
    }
    dict_iter_deinit(&it);
    if (seen > 0) total += (size_t)((double)nodes / (double)seen * (double)size);
    return total;
}

/* Redis's set digest: each member's string form xored in, so the order (and therefore the
 * encoding) does not matter. */
static void set_digest(const Kv *kv, ObjDigest d) {
    SetIter it;
    Member m;
    set_iter_init(&it, kv);
    while (set_iter_next_member(&it, &m))
        digest_xor(d, m.s, m.len);
    set_iter_deinit(&it);
}

const TypeOps set_type_ops = {set_free_value, set_dup_value, set_memory_usage, set_digest};

/* ------------------------------------------------------------------------------------------
 * Command helpers */

static void set_notify(Client *c, int cls, const char *event, const RespArg *key) {
    notify_keyspace_event(cls, event, key->ptr, key->len, c->db->id);
}

/* Delete the key when the last member went; emits "del" as Redis does. */
static void set_delete_if_empty(Client *c, Kv *kv, const RespArg *key) {
    if (set_size(kv) > 0) return;
    db_delete(c->db, key->ptr, key->len);
    set_notify(c, NOTIFY_GENERIC, "del", key);
}

/* Every member as a RESP3 set (RESP2 array) of bulk strings. */
static void reply_set_members(Client *c, const Kv *kv) {
    SetIter it;
    const char *s;
    size_t len;
    long long v;
    reply_set(c, (long long)set_size(kv));
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &s, &len, &v)) {
        if (s)
            reply_bulk(c, s, len);
        else
            reply_bulk_ll(c, v);
    }
    set_iter_deinit(&it);
}

/* ------------------------------------------------------------------------------------------
 * SADD, SREM, SISMEMBER, SMISMEMBER, SCARD, SMEMBERS, SMOVE */

/* SADD key member [member ...] */
static void cmd_sadd(Client *c) {
    const RespArg *key = &c->argv[1];
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_SET, &kv) != 0) return;
    if (!kv) {
        bool all_int = true;
        long long v;
        for (int j = 2; j < c->argc && all_int; j++)
            all_int = member_is_int(c->argv[j].ptr, c->argv[j].len, &v);
        kv = set_kv_new(key->ptr, key->len, all_int, (size_t)(c->argc - 2));
        db_add(c->db, kv);
    }
    long long added = 0;
    for (int j = 2; j < c->argc; j++)
        added += set_add(kv, c->argv[j].ptr, c->argv[j].len);
    if (added) {
        db_signal_modified(c->db, key->ptr, key->len);
        set_notify(c, NOTIFY_SET, "sadd", key);
    }
    reply_int(c, added);
}

/* SREM key member [member ...] */
static void cmd_srem(Client *c) {
    const RespArg *key = &c->argv[1];
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_SET, &kv) != 0) return;
    long long removed = 0;
    if (kv) {
        for (int j = 2; j < c->argc && set_size(kv) > 0; j++)
            removed += set_remove(kv, c->argv[j].ptr, c->argv[j].len);
    }
    if (removed) {
        set_notify(c, NOTIFY_SET, "srem", key);
        set_delete_if_empty(c, kv, key);
        db_signal_modified(c->db, key->ptr, key->len);
    }
    reply_int(c, removed);
}

/* SISMEMBER key member */
static void cmd_sismember(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_SET, &kv) != 0) return;
    reply_int(c, kv && set_contains(kv, c->argv[2].ptr, c->argv[2].len));
}

/* SMISMEMBER key member [member ...] */
static void cmd_smismember(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_SET, &kv) != 0) return;
    reply_array(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++)
        reply_int(c, kv && set_contains(kv, c->argv[j].ptr, c->argv[j].len));
}

/* SCARD key */
static void cmd_scard(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_SET, &kv) != 0) return;
    reply_int(c, kv ? (long long)set_size(kv) : 0);
}

/* SMEMBERS key: a set reply (Redis runs it as a one-key SINTER). */
static void cmd_smembers(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_SET, &kv) != 0) return;
    if (!kv) {
        reply_set(c, 0);
        return;
    }
    reply_set_members(c, kv);
}

/* SMOVE source destination member. A missing source answers 0 before any type check. */
static void cmd_smove(Client *c) {
    const RespArg *src = &c->argv[1], *dst = &c->argv[2], *m = &c->argv[3];
    Kv *skv = db_lookup_write(c->db, src->ptr, src->len);
    Kv *dkv = db_lookup_write(c->db, dst->ptr, dst->len);
    if (!skv) {
        reply_int(c, 0);
        return;
    }
    if (skv->type != OBJ_SET || (dkv && dkv->type != OBJ_SET)) {
        reply_wrongtype(c);
        return;
    }
    if (skv == dkv) {
        reply_int(c, set_contains(skv, m->ptr, m->len));
        return;
    }
    if (!set_remove(skv, m->ptr, m->len)) {
        reply_int(c, 0);
        return;
    }
    set_notify(c, NOTIFY_SET, "srem", src);
    set_delete_if_empty(c, skv, src);
    if (!dkv) {
        long long v;
        dkv = set_kv_new(dst->ptr, dst->len, member_is_int(m->ptr, m->len, &v), 1);
        db_add(c->db, dkv);
    }
    db_signal_modified(c->db, src->ptr, src->len);
    if (set_add(dkv, m->ptr, m->len)) {
        db_signal_modified(c->db, dst->ptr, dst->len);
        set_notify(c, NOTIFY_SET, "sadd", dst);
    }
    reply_int(c, 1);
}

/* ------------------------------------------------------------------------------------------
 * SPOP, SRANDMEMBER */

/* SPOP key count (count >= 0 already checked): a set reply of distinct members. */
static void spop_with_count(Client *c, long long count) {
    const RespArg *key = &c->argv[1];
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_SET, &kv) != 0) return;
    if (!kv || count == 0) {
        reply_set(c, 0);
        return;
    }
    unsigned long size = set_size(kv);
    set_notify(c, NOTIFY_SET, "spop", key);
    if ((unsigned long long)count >= size) {
        /* Redis answers this case with its SUNION code, whose read lookup counts a hit. */
        db_lookup_read(c->db, key->ptr, key->len, LOOKUP_NONE);
        reply_set_members(c, kv);
        db_delete(c->db, key->ptr, key->len);
        set_notify(c, NOTIFY_GENERIC, "del", key);
    } else {
        reply_set(c, count);
        for (long long i = 0; i < count; i++)
            set_pop_one_reply(c, kv);
    }
    db_signal_modified(c->db, key->ptr, key->len);
}

/* SPOP key [count] */
static void cmd_spop(Client *c) {
    const RespArg *key = &c->argv[1];
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    if (c->argc == 3) {
        long long count;
        if (arg_to_ll_range_or_reply(c, &c->argv[2], 0, LLONG_MAX, &count,
                                     "ERR value is out of range, must be positive") != 0)
            return;
        spop_with_count(c, count);
        return;
    }
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_SET, &kv) != 0) return;
    if (!kv) {
        reply_null(c);
        return;
    }
    set_pop_one_reply(c, kv);
    set_notify(c, NOTIFY_SET, "spop", key);
    set_delete_if_empty(c, kv, key);
    db_signal_modified(c->db, key->ptr, key->len);
}

/* Reply every node of a scratch Dict as bulk strings (already counted) and free it. */
static void reply_and_free_dict(Client *c, Dict *d) {
    DictIter it;
    DictNode *n;
    dict_iter_init(&it, d, false);
    while ((n = dict_iter_next(&it)) != NULL) {
        size_t len;
        const char *s = setnode_key(n, &len);
        reply_bulk(c, s, len);
    }
    dict_iter_deinit(&it);
    ht_free(d);
}

/* `count` distinct random members (0 < count < size) as an array. A count near the size
 * copies the set and drops random members (cheap when most stay); a small one draws random
 * members into a scratch table until it holds `count` (few repeats when count << size). */
static void srandmember_distinct(Client *c, const Kv *kv, unsigned long count) {
    unsigned long size = set_size(kv);
    Member m;
    Dict *d = ht_new(0);
    if (count * 3 > size) {
        SetIter it;
        set_iter_init(&it, kv);
        while (set_iter_next_member(&it, &m))
            dict_insert(d, &setnode_new(m.s, m.len)->node);
        set_iter_deinit(&it);
        while (dict_size(d) > count) {
            DictNode *n = dict_random(d);
            size_t len;
            const char *s = setnode_key(n, &len);
            ht_remove(d, s, len);
        }
    } else {
        while (dict_size(d) < count) {
            set_random_member(kv, &m);
            ht_add(d, m.s, m.len);
        }
    }
    reply_array(c, (long long)count);
    reply_and_free_dict(c, d);
}

/* SRANDMEMBER key count: positive = distinct members (at most the size), negative = exactly
 * |count| members with repeats, 0 = empty array. Always an array, even in RESP3. */
static void srandmember_with_count(Client *c) {
    long long l;
    if (arg_to_ll_or_reply(c, &c->argv[2], &l, NULL) != 0) return;
    if (l < -LLONG_MAX) {
        reply_error(c, "ERR value is out of range, value must between -9223372036854775807 and "
                       "9223372036854775807");
        return;
    }
    bool uniq = l >= 0;
    unsigned long long count = uniq ? (unsigned long long)l : (unsigned long long)-l;
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_SET, &kv) != 0) return;
    if (!kv || count == 0) {
        reply_empty_array(c);
        return;
    }
    unsigned long size = set_size(kv);
    if (!uniq || count == 1) {
        Member m;
        reply_array(c, (long long)count);
        for (unsigned long long i = 0; i < count; i++) {
            set_random_member(kv, &m);
            reply_bulk(c, m.s, m.len);
        }
        return;
    }
    if (count >= size) {
        SetIter it;
        Member m;
        reply_array(c, (long long)size);
        set_iter_init(&it, kv);
        while (set_iter_next_member(&it, &m))
            reply_bulk(c, m.s, m.len);
        set_iter_deinit(&it);
        return;
    }
    srandmember_distinct(c, kv, (unsigned long)count);
}

/* SRANDMEMBER key [count] */
static void cmd_srandmember(Client *c) {
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    if (c->argc == 3) {
        srandmember_with_count(c);
        return;
    }
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_SET, &kv) != 0) return;
    if (!kv) {
        reply_null(c);
        return;
    }
    Member m;
    set_random_member(kv, &m);
    reply_bulk(c, m.s, m.len);
}

/* ------------------------------------------------------------------------------------------
 * SINTER, SINTERCARD, SUNION, SDIFF and the STORE forms */

/* The source sets of a set operation: keys[0..n) looked up in order, as reads even for the
 * STORE forms (keyspace hits/misses count as in Redis 7.0). A missing key is a NULL entry; a key of
 * another type replies WRONGTYPE and returns NULL. The caller frees the array. */
static Kv **sets_lookup_or_reply(Client *c, const RespArg *keys, int n) {
    Kv **sets = mem_alloc(sizeof(Kv *) * (size_t)n);
    for (int j = 0; j < n; j++) {
        Kv *kv = db_lookup_read(c->db, keys[j].ptr, keys[j].len, LOOKUP_NONE);
        if (kv && kv->type != OBJ_SET) {
            reply_wrongtype(c);
            mem_free(sets);
            return NULL;
        }
        sets[j] = kv;
    }
    return sets;
}

static int cmp_set_size(const void *a, const void *b) {
    unsigned long x = set_size(*(Kv *const *)a), y = set_size(*(Kv *const *)b);
    return x < y ? -1 : x > y;
}

/* Is the member (from set_iter_next) in every set after the first? */
static bool in_all_others(Kv **sets, int n, const char *s, size_t len, long long v) {
    for (int j = 1; j < n; j++) {
        if (sets[j] == sets[0]) continue;
        if (!set_contains_iv(sets[j], s, len, v)) return false;
    }
    return true;
}

/* Store a set operation's result at dst (replacing any value and TTL), or delete dst when
 * the result is empty; replies the cardinality. Takes ownership of res. */
static void store_result(Client *c, const RespArg *dst, Kv *res, const char *event) {
    unsigned long size = set_size(res);
    if (size > 0) {
        db_set(c->db, res, false);
        reply_int(c, (long long)size);
        db_signal_modified(c->db, dst->ptr, dst->len);
        set_notify(c, NOTIFY_SET, event, dst);
        return;
    }
    kv_free(res);
    reply_int(c, 0);
    if (db_delete(c->db, dst->ptr, dst->len)) {
        db_signal_modified(c->db, dst->ptr, dst->len);
        set_notify(c, NOTIFY_GENERIC, "del", dst);
    }
}

/* SINTER/SINTERSTORE/SINTERCARD: members of the smallest set found in all others. dst is
 * the STORE destination (or NULL); limit applies to SINTERCARD (card_only; 0 = none). */
static void sinter_generic(
    Client *c, const RespArg *keys, int n, const RespArg *dst, bool card_only, long long limit) {
    Kv **sets = sets_lookup_or_reply(c, keys, n);
    if (!sets) return;
    bool empty = false;
    for (int j = 0; j < n; j++)
        empty |= sets[j] == NULL;
    if (empty) {
        mem_free(sets);
        if (dst)
            store_result(c, dst, set_kv_new_empty(dst->ptr, dst->len), "sinterstore");
        else if (card_only)
            reply_int(c, 0);
        else
            reply_set(c, 0);
        return;
    }
    qsort(sets, (size_t)n, sizeof(*sets), cmp_set_size);
    Kv *res = dst ? set_kv_new_empty(dst->ptr, dst->len) : NULL;
    size_t h = (!dst && !card_only) ? reply_deferred_begin(c) : 0;
    long long card = 0;
    SetIter it;
    const char *s;
    size_t len;
    long long v;
    set_iter_init(&it, sets[0]);
    while (set_iter_next(&it, &s, &len, &v)) {
        if (!in_all_others(sets, n, s, len, v)) continue;
        card++;
        if (card_only) {
            if (limit && card >= limit) break;
        } else if (dst) {
            Member m;
            if (!s) member_from_ll(&m, v);
            set_add(res, s ? s : m.s, s ? len : m.len);
        } else if (s) {
            reply_bulk(c, s, len);
        } else {
            reply_bulk_ll(c, v);
        }
    }
    set_iter_deinit(&it);
    mem_free(sets);
    if (dst)
        store_result(c, dst, res, "sinterstore");
    else if (card_only)
        reply_int(c, card);
    else
        reply_deferred_set(c, h, card);
}

enum {
    SETOP_UNION,
    SETOP_DIFF
};

/* Add every member of src to res. */
static void set_add_all(Kv *res, const Kv *src) {
    SetIter it;
    Member m;
    set_iter_init(&it, src);
    while (set_iter_next_member(&it, &m))
        set_add(res, m.s, m.len);
    set_iter_deinit(&it);
}

/* Members of sets[0] in none of the others (a missing first set gives nothing). */
static void set_diff_into(Kv *res, Kv **sets, int n) {
    if (!sets[0]) return;
    for (int j = 1; j < n; j++)
        if (sets[j] == sets[0]) return; /* A - A = {} */
    SetIter it;
    Member m;
    set_iter_init(&it, sets[0]);
    while (set_iter_next_member(&it, &m)) {
        bool found = false;
        for (int j = 1; j < n && !found; j++)
            found = sets[j] && set_contains(sets[j], m.s, m.len);
        if (!found) set_add(res, m.s, m.len);
    }
    set_iter_deinit(&it);
}

/* SUNION/SDIFF and their STORE forms: the result is built as a new set (smallest fitting
 * encoding), then replied or stored. */
static void sunion_diff_generic(Client *c, const RespArg *keys, int n, const RespArg *dst, int op) {
    Kv **sets = sets_lookup_or_reply(c, keys, n);
    if (!sets) return;
    Kv *res = dst ? set_kv_new_empty(dst->ptr, dst->len) : set_kv_new_empty("", 0);
    if (op == SETOP_UNION) {
        for (int j = 0; j < n; j++)
            if (sets[j]) set_add_all(res, sets[j]);
    } else {
        set_diff_into(res, sets, n);
    }
    mem_free(sets);
    if (dst) {
        store_result(c, dst, res, op == SETOP_UNION ? "sunionstore" : "sdiffstore");
        return;
    }
    reply_set_members(c, res);
    kv_free(res);
}

/* SINTER key [key ...] */
static void cmd_sinter(Client *c) {
    sinter_generic(c, &c->argv[1], c->argc - 1, NULL, false, 0);
}

/* SINTERSTORE destination key [key ...] */
static void cmd_sinterstore(Client *c) {
    sinter_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], false, 0);
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit] */
static void cmd_sintercard(Client *c) {
    long long numkeys, limit = 0;
    if (arg_to_ll_range_or_reply(c, &c->argv[1], 1, LONG_MAX, &numkeys,
                                 "ERR numkeys should be greater than 0") != 0)
        return;
    if (numkeys > c->argc - 2) {
        reply_error(c, "ERR Number of keys can't be greater than number of args");
        return;
    }
    for (int j = 2 + (int)numkeys; j < c->argc; j++) {
        if (arg_is(&c->argv[j], "limit") && j + 1 < c->argc) {
            j++;
            if (arg_to_ll_range_or_reply(c, &c->argv[j], 0, LONG_MAX, &limit,
                                         "ERR LIMIT can't be negative") != 0)
                return;
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    sinter_generic(c, &c->argv[2], (int)numkeys, NULL, true, limit);
}

/* SUNION key [key ...] */
static void cmd_sunion(Client *c) {
    sunion_diff_generic(c, &c->argv[1], c->argc - 1, NULL, SETOP_UNION);
}

/* SUNIONSTORE destination key [key ...] */
static void cmd_sunionstore(Client *c) {
    sunion_diff_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], SETOP_UNION);
}

/* SDIFF key [key ...] */
static void cmd_sdiff(Client *c) {
    sunion_diff_generic(c, &c->argv[1], c->argc - 1, NULL, SETOP_DIFF);
}

/* SDIFFSTORE destination key [key ...] */
static void cmd_sdiffstore(Client *c) {
    sunion_diff_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], SETOP_DIFF);
}

/* ------------------------------------------------------------------------------------------
 * SSCAN */

typedef struct SscanCollect {
    const ScanOpts *opts;
    Dict *out;         /* matching members (a table: a member seen twice is sent once) */
    long long visited; /* members visited, matching or not: COUNT compares with this */
} SscanCollect;

static void sscan_gather(DictNode *n, void *ud) {
    SscanCollect *sc = ud;
    size_t len;
    const char *s = setnode_key(n, &len);
    sc->visited++;
    if (scan_match(sc->opts, s, len)) ht_add(sc->out, s, len);
}

/* SSCAN key cursor [MATCH pattern] [COUNT count]. The cursor is parsed before the lookup
 * and the options after it, as Redis does (a missing key hides bad options). A compact
 * encoding answers everything at once with cursor 0. A hashtable visits at most COUNT*10
 * buckets per call and stops once COUNT members were visited (matching or not), as Redis. */
static void cmd_sscan(Client *c) {
    uint64_t cursor;
    ScanOpts o;
    Kv *kv = scan_value_or_reply(c, OBJ_SET, &cursor, &o);
    if (!kv) return;
    if (kv->encoding != ENC_HASHTABLE) {
        SetIter it;
        Member m;
        reply_array(c, 2);
        reply_bulk(c, "0", 1);
        size_t h = reply_deferred_begin(c);
        long long n = 0;
        set_iter_init(&it, kv);
        while (set_iter_next_member(&it, &m)) {
            if (!scan_match(&o, m.s, m.len)) continue;
            reply_bulk(c, m.s, m.len);
            n++;
        }
        set_iter_deinit(&it);
        reply_deferred_array(c, h, n);
        return;
    }
    /* The next cursor is replied first but known only after the walk: collect, then send. */
    Dict *found = ht_new(0);
    SscanCollect sc = {.opts = &o, .out = found, .visited = 0};
    cursor = scan_dict_walk(set_ht(kv), cursor, &o, sscan_gather, &sc, &sc.visited);
    scan_reply_head(c, cursor, (long long)dict_size(found));
    reply_and_free_dict(c, found);
}

/* ------------------------------------------------------------------------------------------
 * The command table (rows from tools/cmdgen.py: COMMAND INFO as Redis 7.0) */

/* clang-format off */
const CmdSpec set_commands[] = {
    {"sadd", cmd_sadd, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEYS(1, 1, 1), "set", NULL, "Add one or more members to a set", "1.0.0", "key member [member ...]"},
    {"srem", cmd_srem, -3, CMD_WRITE | CMD_FAST, KEYS(1, 1, 1), "set", NULL, "Remove one or more members from a set", "1.0.0", "key member [member ...]"},
    {"sismember", cmd_sismember, 3, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1), "set", NULL, "Determine if a given value is a member of a set", "1.0.0", "key member"},
    {"smismember", cmd_smismember, -3, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1), "set", NULL, "Returns the membership associated with the given elements for a set", "6.2.0", "key member [member ...]"},
    {"scard", cmd_scard, 2, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1), "set", NULL, "Get the number of members in a set", "1.0.0", "key"},
    {"smembers", cmd_smembers, 2, CMD_READONLY, KEYS(1, 1, 1), "set", NULL, "Get all the members in a set", "1.0.0", "key"},
    {"spop", cmd_spop, -2, CMD_WRITE | CMD_FAST, KEYS(1, 1, 1), "set", NULL, "Remove and return one or multiple random members from a set", "1.0.0", "key [count]"},
    {"srandmember", cmd_srandmember, -2, CMD_READONLY, KEYS(1, 1, 1), "set", NULL, "Get one or multiple random members from a set", "1.0.0", "key [count]"},
    {"smove", cmd_smove, 4, CMD_WRITE | CMD_FAST, KEYS(1, 2, 1), "set", NULL, "Move a member from one set to another", "1.0.0", "source destination member"},
    {"sinter", cmd_sinter, -2, CMD_READONLY, KEYS(1, -1, 1), "set", NULL, "Intersect multiple sets", "1.0.0", "key [key ...]"},
    {"sintercard", cmd_sintercard, -3, CMD_READONLY, NO_KEYS, "set", NULL, "Intersect multiple sets and return the cardinality of the result", "7.0.0", "numkeys key [key ...] [LIMIT limit]"},
    {"sunion", cmd_sunion, -2, CMD_READONLY, KEYS(1, -1, 1), "set", NULL, "Add multiple sets", "1.0.0", "key [key ...]"},
    {"sdiff", cmd_sdiff, -2, CMD_READONLY, KEYS(1, -1, 1), "set", NULL, "Subtract multiple sets", "1.0.0", "key [key ...]"},
    {"sinterstore", cmd_sinterstore, -3, CMD_WRITE | CMD_DENYOOM, KEYS(1, -1, 1), "set", NULL, "Intersect multiple sets and store the resulting set in a key", "1.0.0", "destination key [key ...]"},
    {"sunionstore", cmd_sunionstore, -3, CMD_WRITE | CMD_DENYOOM, KEYS(1, -1, 1), "set", NULL, "Add multiple sets and store the resulting set in a key", "1.0.0", "destination key [key ...]"},
    {"sdiffstore", cmd_sdiffstore, -3, CMD_WRITE | CMD_DENYOOM, KEYS(1, -1, 1), "set", NULL, "Subtract multiple sets and store the resulting set in a key", "1.0.0", "destination key [key ...]"},
    {"sscan", cmd_sscan, -3, CMD_READONLY, KEYS(1, 1, 1), "set", NULL, "Incrementally iterate Set elements", "2.8.0", "key cursor [MATCH pattern] [COUNT count]"},
    CMD_SPEC_END,
};
/* clang-format on */
