/* t_zset.c - the sorted-set type: its two encodings behind one small API, and the Z*
 * commands (with BZPOPMIN/BZPOPMAX/BZMPOP, which wait through blocked.h).
 *
 * Encodings, as Redis 7.0 has them and OBJECT ENCODING names them:
 *   listpack  member, score, member, score ... sorted by score then member bytes. A score is
 *             stored as Redis writes it: an integral value within +-2^62 as an integer entry,
 *             anything else as its "%.17g" text ("1.5", "0.10000000000000001", "inf"), so an
 *             RDB can carry the bytes verbatim. Used while the set has at most
 *             zset-max-listpack-entries members, each at most zset-max-listpack-value bytes.
 *   skiplist  zset_skiplist.c: a skiplist with spans plus a member -> node dict.
 * Conversion is one way (listpack -> skiplist, when an insert would break a limit), except
 * that a result a command builds (ZRANGESTORE, ZUNIONSTORE ...) starts in the form that
 * fits it. A set never stays empty in the keyspace: the command that empties it deletes it.
 *
 * The commands, below the two "encoding layer" sections, read and write only through the
 * zset_* functions and the ZIter walk taking the Kv, so they never branch on the encoding;
 * ranges become (rank, count) spans first, which both encodings serve. Replies and errors,
 * including their order, follow Redis 7.0.15; scores are replied with reply_double ("%.17g", RESP3
 * double type). */
#include "server/t_zset.h"

#include "common/listpack.h"
#include "common/mem.h"
#include "common/resp_writer.h"
#include "common/util.h"
#include "server/blocked.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/digest.h"
#include "server/notify.h"
#include "server/object.h"
#include "server/propagate.h"
#include "server/reply.h"
#include "server/scan.h"
#include "server/server.h"
#include "server/t_set.h"
#include "server/zset_skiplist.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------
 * Encoding layer: listpack pairs */

#define SCORE_BUF 64

/* The listpack form of a score (Redis's d2string): integral values within +-2^62 as a
 * decimal integer (-0 becomes "0"), others as "%.17g". Returns the length. */
static int zl_fmt_score(char *buf, double d) {
    if (isnan(d)) return snprintf(buf, SCORE_BUF, "nan");
    if (isinf(d)) return snprintf(buf, SCORE_BUF, d > 0 ? "inf" : "-inf");
    const double lim = (double)(LLONG_MAX / 2);
    if (d >= -lim && d <= lim && d == (double)(long long)d)
        return util_ll_to_str(buf, (long long)d);
    return snprintf(buf, SCORE_BUF, "%.17g", d);
}

/* The score held by listpack entry sp. */
static double zl_score(const unsigned char *sp) {
    uint32_t slen;
    long long iv;
    const unsigned char *s = lp_get(sp, &slen, &iv);
    if (!s) return (double)iv;
    char buf[SCORE_BUF * 2];
    size_t n = slen < sizeof(buf) - 1 ? slen : sizeof(buf) - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

/* The member entry ep's bytes (integers formatted into buf). */
static const char *zl_member(const unsigned char *ep, size_t *len, char *buf) {
    return lp_get_str(ep, len, buf);
}

/* Member entry of ele, or NULL; *score receives its score. */
static unsigned char *zl_find(unsigned char *lp, const char *ele, size_t len, double *score) {
    unsigned char *ep = lp_find(lp, lp_first(lp), ele, len, 1);
    if (ep && score) *score = zl_score(lp_next(lp, ep));
    return ep;
}

/* Insert (ele, score) at its sorted place; ele must be absent. Returns the new listpack. */
static unsigned char *zl_insert(unsigned char *lp, const char *ele, size_t len, double score) {
    unsigned char *ep = lp_first(lp);
    char buf[LP_INTBUF_SIZE];
    while (ep) {
        unsigned char *sp = lp_next(lp, ep);
        double s = zl_score(sp);
        if (s > score) break;
        if (s == score) {
            size_t mlen;
            const char *m = zl_member(ep, &mlen, buf);
            if (zs_cmp_bytes(m, mlen, ele, len) > 0) break;
        }
        ep = lp_next(lp, sp);
    }
    char sbuf[SCORE_BUF];
    int slen = zl_fmt_score(sbuf, score);
    if (!ep) {
        lp = lp_append(lp, ele, len);
        return lp_append(lp, sbuf, (size_t)slen);
    }
    unsigned char *mp;
    lp = lp_insert(lp, ele, len, ep, LP_BEFORE, &mp);
    return lp_insert(lp, sbuf, (size_t)slen, mp, LP_AFTER, NULL);
}

/* ------------------------------------------------------------------------------------------
 * Encoding layer: the API commands use */

static size_t zset_len(const Kv *kv) {
    if (kv->encoding == ENC_LISTPACK) return lp_length(kv->v.ptr) / 2;
    return ((const ZSet *)kv->v.ptr)->length;
}

/* A new empty sorted-set Kv (listpack; inserts convert it as needed). */
static Kv *zset_kv_new_value(const char *key, size_t klen) {
    return kv_new_ptr(key, klen, OBJ_ZSET, ENC_LISTPACK, lp_new(0));
}

static void zset_to_skiplist(Kv *kv) {
    if (kv->encoding != ENC_LISTPACK) return;
    unsigned char *lp = kv->v.ptr;
    ZSet *zs = zs_new();
    char buf[LP_INTBUF_SIZE];
    for (unsigned char *ep = lp_first(lp); ep; ep = lp_next(lp, lp_next(lp, ep))) {
        size_t len;
        const char *m = zl_member(ep, &len, buf);
        zs_insert(zs, zl_score(lp_next(lp, ep)), m, len);
    }
    lp_free(lp);
    kv->v.ptr = zs;
    kv->encoding = ENC_SKIPLIST;
}

static bool zset_score(Kv *kv, const char *ele, size_t len, double *score) {
    if (kv->encoding == ENC_LISTPACK) return zl_find(kv->v.ptr, ele, len, score) != NULL;
    ZslNode *n = zs_find(kv->v.ptr, ele, len);
    if (n) *score = n->score;
    return n != NULL;
}

/* ZADD flags in and out (Redis's zsetAdd contract). */
enum {
    ZADD_IN_INCR = 1 << 0,
    ZADD_IN_NX = 1 << 1,
    ZADD_IN_XX = 1 << 2,
    ZADD_IN_GT = 1 << 3,
    ZADD_IN_LT = 1 << 4,
    ZADD_OUT_NOP = 1 << 0,
    ZADD_OUT_NAN = 1 << 1,
    ZADD_OUT_ADDED = 1 << 2,
    ZADD_OUT_UPDATED = 1 << 3,
};

/* Add or update one member. Returns false (ZADD_OUT_NAN) when the resulting score would be
 * NaN; *newscore gets the stored score when the member was added or its score processed. */
static bool
zset_add(Kv *kv, double score, const char *ele, size_t len, int in, int *out, double *newscore) {
    *out = 0;
    if (isnan(score)) {
        *out = ZADD_OUT_NAN;
        return false;
    }
    double cur;
    bool found = zset_score(kv, ele, len, &cur);
    if (found) {
        if (in & ZADD_IN_NX) {
            *out = ZADD_OUT_NOP;
            return true;
        }
        if (in & ZADD_IN_INCR) {
            score += cur;
            if (isnan(score)) {
                *out = ZADD_OUT_NAN;
                return false;
            }
        }
        if (((in & ZADD_IN_LT) && score >= cur) || ((in & ZADD_IN_GT) && score <= cur)) {
            *out = ZADD_OUT_NOP;
            return true;
        }
        if (newscore) *newscore = score;
        if (score != cur) {
            if (kv->encoding == ENC_LISTPACK) {
                unsigned char *lp = kv->v.ptr, *ep = zl_find(lp, ele, len, NULL);
                lp = lp_delete_range_p(lp, &ep, 2);
                kv->v.ptr = zl_insert(lp, ele, len, score);
            } else {
                ZSet *zs = kv->v.ptr;
                zs_update_score(zs, zs_find(zs, ele, len), score);
            }
            *out = ZADD_OUT_UPDATED;
        }
        return true;
    }
    if (in & ZADD_IN_XX) {
        *out = ZADD_OUT_NOP;
        return true;
    }
    if (kv->encoding == ENC_LISTPACK &&
        (zset_len(kv) + 1 > (size_t)cfg.zset_max_listpack_entries ||
         len > (size_t)cfg.zset_max_listpack_value || !lp_safe_to_add(kv->v.ptr, len)))
        zset_to_skiplist(kv);
    if (kv->encoding == ENC_LISTPACK)
        kv->v.ptr = zl_insert(kv->v.ptr, ele, len, score);
    else
        zs_insert(kv->v.ptr, score, ele, len);
    if (newscore) *newscore = score;
    *out = ZADD_OUT_ADDED;
    return true;
}

static bool zset_del(Kv *kv, const char *ele, size_t len) {
    if (kv->encoding == ENC_SKIPLIST) return zs_delete(kv->v.ptr, ele, len);
    unsigned char *lp = kv->v.ptr, *ep = zl_find(lp, ele, len, NULL);
    if (!ep) return false;
    kv->v.ptr = lp_delete_range_p(lp, &ep, 2);
    return true;
}

/* 0-based rank of a member, counted from the top when rev. */
static bool zset_rank(Kv *kv, const char *ele, size_t len, bool rev, long *rank) {
    long r;
    if (kv->encoding == ENC_LISTPACK) {
        unsigned char *lp = kv->v.ptr;
        r = 0;
        unsigned char *ep = lp_first(lp);
        for (; ep; ep = lp_next(lp, lp_next(lp, ep)), r++)
            if (lp_eq(ep, ele, len)) break;
        if (!ep) return false;
    } else {
        ZSet *zs = kv->v.ptr;
        ZslNode *n = zs_find(zs, ele, len);
        if (!n) return false;
        r = (long)zs_rank(zs, n) - 1;
    }
    *rank = rev ? (long)zset_len(kv) - 1 - r : r;
    return true;
}

/* Delete count members from 0-based ascending index start on. */
static void zset_delete_ranks(Kv *kv, long start, long count) {
    if (count <= 0) return;
    if (kv->encoding == ENC_LISTPACK) {
        kv->v.ptr = lp_delete_range(kv->v.ptr, start * 2, (unsigned long)count * 2);
        return;
    }
    ZSet *zs = kv->v.ptr;
    ZslNode *n = zs_by_rank(zs, (unsigned long)start + 1);
    while (n && count--) {
        ZslNode *next = n->lv[0].forward;
        zs_delete_node(zs, n);
        n = next;
    }
}

/* One element as the iterator yields it: bytes valid until the set changes. */
typedef struct ZElem {
    const char *ele;
    size_t len;
    double score;
    char buf[LP_INTBUF_SIZE];
} ZElem;

/* In-order walk from a 0-based rank, ascending, or descending when rev (rank then counts
 * from the top). */
typedef struct ZIter {
    Kv *kv;
    bool rev;
    unsigned char *ep; /* listpack: current member entry */
    ZslNode *node;     /* skiplist: current node */
} ZIter;

static void zit_init(ZIter *it, Kv *kv, long rank, bool rev) {
    long len = (long)zset_len(kv);
    long idx = rev ? len - 1 - rank : rank;
    *it = (ZIter){.kv = kv, .rev = rev};
    if (idx < 0 || idx >= len) return;
    if (kv->encoding == ENC_LISTPACK)
        it->ep = lp_seek(kv->v.ptr, idx * 2);
    else
        it->node = zs_by_rank(kv->v.ptr, (unsigned long)idx + 1);
}

static bool zit_next(ZIter *it, ZElem *e) {
    if (it->kv->encoding == ENC_LISTPACK) {
        unsigned char *lp = it->kv->v.ptr;
        if (!it->ep) return false;
        unsigned char *sp = lp_next(lp, it->ep);
        e->ele = zl_member(it->ep, &e->len, e->buf);
        e->score = zl_score(sp);
        if (it->rev) {
            unsigned char *prev = lp_prev(lp, it->ep);
            it->ep = prev ? lp_prev(lp, prev) : NULL;
        } else {
            it->ep = lp_next(lp, sp);
        }
        return true;
    }
    if (!it->node) return false;
    e->ele = zsl_node_ele(it->node);
    e->len = it->node->len;
    e->score = it->node->score;
    it->node = it->rev ? it->node->backward : it->node->lv[0].forward;
    return true;
}

/* A score range or a lex range (ZRANGE BYSCORE/BYLEX, ZCOUNT, ZREMRANGEBY*...). */
typedef struct ZRange {
    bool lex;
    ZRangeSpec score;
    ZLexRange lexr;
} ZRange;

static bool zrange_gte_min(const ZRange *r, const ZElem *e) {
    return r->lex ? zs_lex_gte_min(e->ele, e->len, &r->lexr)
                  : zs_score_gte_min(e->score, &r->score);
}

static bool zrange_lte_max(const ZRange *r, const ZElem *e) {
    return r->lex ? zs_lex_lte_max(e->ele, e->len, &r->lexr)
                  : zs_score_lte_max(e->score, &r->score);
}

/* Walk from one end of a listpack (the tail when rev) as Redis's zzlFirstIn*Range /
 * zzlLastIn*Range then its range loop do: skip to the first element inside the near bound,
 * then count while inside the far one. Returns the count and the index where it started. */
static long zl_range_walk(Kv *kv, const ZRange *r, bool rev, long *first_idx) {
    ZIter it;
    ZElem e;
    long i = 0, n = 0;
    bool inside = false;
    zit_init(&it, kv, 0, rev);
    while (zit_next(&it, &e)) {
        bool near = rev ? zrange_lte_max(r, &e) : zrange_gte_min(r, &e);
        bool far = rev ? zrange_gte_min(r, &e) : zrange_lte_max(r, &e);
        if (!inside) {
            if (!near) {
                i++;
                continue;
            }
            inside = true;
            *first_idx = i;
        }
        if (!far) break;
        n++;
    }
    return n;
}

/* The members inside a score or lex range: [*start, *start + *count) in ascending ranks.
 * Sorted data gives one answer whichever end the walk starts from; a lex range over mixed
 * scores does not, and rev says which end Redis starts from for this command (only the
 * reversed range commands start at the tail). */
static void zset_range_span(Kv *kv, const ZRange *r, bool rev, long *start, long *count) {
    *start = 0;
    *count = 0;
    if (kv->encoding == ENC_SKIPLIST) {
        ZSet *zs = kv->v.ptr;
        ZslNode *first = r->lex ? zs_first_in_lex(zs, &r->lexr) : zs_first_in_range(zs, &r->score);
        if (!first) return;
        ZslNode *last = r->lex ? zs_last_in_lex(zs, &r->lexr) : zs_last_in_range(zs, &r->score);
        unsigned long a = zs_rank(zs, first), b = zs_rank(zs, last);
        *start = (long)a - 1;
        *count = (long)(b - a + 1);
        return;
    }
    /* Redis's zzlIs*InRange: nothing when the range is empty, the last element is below
     * min or the first is above max */
    long len = (long)zset_len(kv);
    if (len == 0 || (r->lex ? zs_lex_is_empty(&r->lexr) : zs_range_is_empty(&r->score))) return;
    ZIter it;
    ZElem e;
    zit_init(&it, kv, 0, true);
    if (!zit_next(&it, &e) || !zrange_gte_min(r, &e)) return;
    zit_init(&it, kv, 0, false);
    if (!zit_next(&it, &e) || !zrange_lte_max(r, &e)) return;
    long from = 0;
    long n = zl_range_walk(kv, r, rev, &from);
    if (n == 0) return;
    *start = rev ? len - from - n : from;
    *count = n;
}

/* ------------------------------------------------------------------------------------------
 * TypeOps */

static void zset_free_value(Kv *kv) {
    if (kv->encoding == ENC_LISTPACK)
        lp_free(kv->v.ptr);
    else
        zs_free(kv->v.ptr);
}

static void *zset_dup_value(const Kv *kv) {
    if (kv->encoding == ENC_SKIPLIST) return zs_dup(kv->v.ptr);
    size_t n = lp_bytes(kv->v.ptr);
    unsigned char *lp = mem_alloc(n);
    memcpy(lp, kv->v.ptr, n);
    return lp;
}

static size_t zset_memory_usage(const Kv *kv, long long samples) {
    if (kv->encoding == ENC_LISTPACK) return mem_usable_size(kv->v.ptr);
    return zs_memory_usage(kv->v.ptr, samples);
}

/* Redis's zset digest: per member, SHA1-mix its bytes then its score as "%.17g" into a
 * zeroed element digest, and xor that into the value's digest (order-free). */
static void zset_digest(const Kv *kv, ObjDigest d) {
    ZIter it;
    ZElem e;
    zit_init(&it, (Kv *)kv, 0, false);
    while (zit_next(&it, &e)) {
        Digest ed = {0};
        char buf[SCORE_BUF];
        digest_mix(ed, e.ele, e.len);
        int n = snprintf(buf, sizeof(buf), "%.17g", e.score);
        digest_mix(ed, buf, (size_t)n);
        digest_xor(d, ed, sizeof(ed));
    }
}

const TypeOps zset_type_ops = {zset_free_value, zset_dup_value, zset_memory_usage, zset_digest};

/* ------------------------------------------------------------------------------------------
 * Command helpers */

/* Option words compare as Redis compares them (strcasecmp on C strings): bytes after a NUL
 * are ignored. */
static bool opt_is(const RespArg *a, const char *word) {
    const char *nul = memchr(a->ptr, '\0', a->len);
    RespArg s = {a->ptr, nul ? (size_t)(nul - a->ptr) : a->len};
    return arg_is(&s, word);
}

/* Look a key up for a read (write when `write`): 0 with *out set (NULL when absent), or
 * nonzero after replying WRONGTYPE for another type. */
static int zset_lookup_or_reply(Client *c, const RespArg *key, bool write, Kv **out) {
    return write ? db_write_typed_or_reply(c, key, OBJ_ZSET, out)
                 : db_read_typed_or_reply(c, key, OBJ_ZSET, out);
}

/* After a write that may have emptied the set: delete it (with Redis's "del" event) and
 * signal the change. Call after the command's own event. */
static void zset_after_write(Client *c, const RespArg *key, Kv *kv) {
    if (zset_len(kv) == 0) {
        db_delete(c->db, key->ptr, key->len);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key->ptr, key->len, c->db->id);
    }
    db_signal_modified(c->db, key->ptr, key->len);
}

/* Redis's getPositiveLongFromObjectOrReply: one message for "not a number" and "negative". */
static int arg_to_positive_or_reply(Client *c, const RespArg *a, long long *out, const char *msg) {
    long long v;
    if (!util_str_to_ll(a->ptr, a->len, &v) || v < 0) {
        reply_error(c, msg ? msg : "ERR value is out of range, must be positive");
        return -1;
    }
    *out = v;
    return 0;
}

/* Redis's getRangeLongFromObjectOrReply. */
static int arg_to_range_or_reply(
    Client *c, const RespArg *a, long long min, long long max, long long *out, const char *msg) {
    long long v;
    if (!util_str_to_ll(a->ptr, a->len, &v)) {
        reply_error(c, msg ? msg : ERRT_NOT_INT);
        return -1;
    }
    if (v < min || v > max) {
        if (msg)
            reply_error(c, msg);
        else
            reply_error_fmt(c, "ERR value is out of range, value must between %lld and %lld", min,
                            max);
        return -1;
    }
    *out = v;
    return 0;
}

/* One score bound as Redis's zslParseRange reads it: an optional '(' then strtod, which
 * must consume the rest of the C string (so "" and "(" read as 0, as in Redis). */
static bool score_bound_parse(const RespArg *a, double *v, bool *ex) {
    char small[128];
    char *buf = a->len < sizeof(small) ? small : mem_alloc(a->len + 1);
    memcpy(buf, a->ptr, a->len);
    buf[a->len] = '\0';
    const char *s = buf;
    *ex = false;
    if (s[0] == '(') {
        s++;
        *ex = true;
    }
    char *end;
    *v = strtod(s, &end);
    bool ok = *end == '\0' && !isnan(*v);
    if (buf != small) mem_free(buf);
    return ok;
}

static int score_range_or_reply(Client *c, const RespArg *min, const RespArg *max, ZRangeSpec *r) {
    if (score_bound_parse(min, &r->min, &r->minex) && score_bound_parse(max, &r->max, &r->maxex))
        return 0;
    reply_error(c, "ERR min or max is not a float");
    return -1;
}

/* "-", "+", "[bytes" or "(bytes" (zslParseLexRangeItem). */
static bool lex_bound_parse(const RespArg *a, ZLexBound *b) {
    *b = (ZLexBound){0};
    if (a->len == 0) return false;
    switch (a->ptr[0]) {
    case '+':
    case '-':
        if (a->len > 1 && a->ptr[1] != '\0') return false;
        b->inf = a->ptr[0] == '+' ? 1 : -1;
        b->ex = true;
        return true;
    case '(':
    case '[':
        b->p = a->ptr + 1;
        b->len = a->len - 1;
        b->ex = a->ptr[0] == '(';
        return true;
    default: return false;
    }
}

static int lex_range_or_reply(Client *c, const RespArg *min, const RespArg *max, ZLexRange *r) {
    if (lex_bound_parse(min, &r->min) && lex_bound_parse(max, &r->max)) return 0;
    reply_error(c, "ERR min or max not valid string range item");
    return -1;
}

/* An element of a reply: member, then its score when withscores; in RESP3 a pair is its own
 * 2-array (the caller sized the outer array accordingly). */
static void reply_elem(Client *c, const char *ele, size_t len, double score, bool withscores) {
    if (withscores && c->resp > 2) reply_array(c, 2);
    reply_bulk(c, ele, len);
    if (withscores) reply_double(c, score);
}

static void reply_elems_header(Client *c, long long n, bool withscores) {
    reply_array(c, withscores && c->resp == 2 ? n * 2 : n);
}

/* ------------------------------------------------------------------------------------------
 * ZADD, ZINCRBY */

typedef struct ZaddOpts {
    int flags; /* ZADD_IN_* */
    bool ch;
    int scoreidx;
} ZaddOpts;

static void zadd_parse_flags(Client *c, ZaddOpts *o) {
    int j = 2;
    for (; j < c->argc; j++) {
        const RespArg *a = &c->argv[j];
        if (opt_is(a, "nx"))
            o->flags |= ZADD_IN_NX;
        else if (opt_is(a, "xx"))
            o->flags |= ZADD_IN_XX;
        else if (opt_is(a, "ch"))
            o->ch = true;
        else if (opt_is(a, "incr"))
            o->flags |= ZADD_IN_INCR;
        else if (opt_is(a, "gt"))
            o->flags |= ZADD_IN_GT;
        else if (opt_is(a, "lt"))
            o->flags |= ZADD_IN_LT;
        else
            break;
    }
    o->scoreidx = j;
}

static int zadd_check_or_reply(Client *c, const ZaddOpts *o, int elements) {
    int f = o->flags;
    if (elements % 2 || elements == 0) {
        reply_syntax_error(c);
        return -1;
    }
    bool nx = f & ZADD_IN_NX, xx = f & ZADD_IN_XX, gt = f & ZADD_IN_GT, lt = f & ZADD_IN_LT;
    if (nx && xx) {
        reply_error(c, "ERR XX and NX options at the same time are not compatible");
        return -1;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        reply_error(c, "ERR GT, LT, and/or NX options at the same time are not compatible");
        return -1;
    }
    if ((f & ZADD_IN_INCR) && elements > 2) {
        reply_error(c, "ERR INCR option supports a single increment-element pair");
        return -1;
    }
    return 0;
}

static void zadd_generic(Client *c, int flags) {
    ZaddOpts o = {.flags = flags};
    zadd_parse_flags(c, &o);
    int elements = c->argc - o.scoreidx;
    if (zadd_check_or_reply(c, &o, elements) != 0) return;
    int npairs = elements / 2;
    double *scores = mem_alloc(sizeof(double) * (size_t)npairs);
    for (int j = 0; j < npairs; j++) {
        if (arg_to_double_or_reply(c, &c->argv[o.scoreidx + j * 2], &scores[j], NULL) != 0)
            goto done;
    }
    const RespArg *key = &c->argv[1];
    Kv *kv;
    if (zset_lookup_or_reply(c, key, true, &kv) != 0) goto done;
    bool incr = o.flags & ZADD_IN_INCR;
    long long added = 0, updated = 0, processed = 0;
    double score = 0;
    if (!kv) {
        if (o.flags & ZADD_IN_XX) {
            if (incr)
                reply_null(c);
            else
                reply_int(c, 0);
            goto done;
        }
        kv = zset_kv_new_value(key->ptr, key->len);
        db_add(c->db, kv);
    }
    bool nan_error = false;
    for (int j = 0; j < npairs; j++) {
        const RespArg *m = &c->argv[o.scoreidx + j * 2 + 1];
        int out;
        double newscore = 0;
        if (!zset_add(kv, scores[j], m->ptr, m->len, o.flags, &out, &newscore)) {
            nan_error = true;
            break;
        }
        if (out & ZADD_OUT_ADDED) added++;
        if (out & ZADD_OUT_UPDATED) updated++;
        if (!(out & ZADD_OUT_NOP)) processed++;
        score = newscore;
    }
    if (nan_error)
        reply_error(c, "ERR resulting score is not a number (NaN)");
    else if (incr && processed)
        reply_double(c, score);
    else if (incr)
        reply_null(c);
    else
        reply_int(c, o.ch ? added + updated : added);
    if (added || updated) {
        notify_keyspace_event(NOTIFY_ZSET, incr ? "zincr" : "zadd", key->ptr, key->len, c->db->id);
    }
    /* A new key that got nothing (only a NaN error can do that) is not left empty. */
    if (zset_len(kv) == 0)
        db_delete(c->db, key->ptr, key->len);
    else if (added || updated)
        db_signal_modified(c->db, key->ptr, key->len);
done:
    mem_free(scores);
}

/* ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] */
static void cmd_zadd(Client *c) {
    zadd_generic(c, 0);
}

/* ZINCRBY key increment member */
static void cmd_zincrby(Client *c) {
    zadd_generic(c, ZADD_IN_INCR);
}

/* ------------------------------------------------------------------------------------------
 * ZSCORE, ZMSCORE, ZCARD, ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK */

static void cmd_zscore(Client *c) {
    Kv *kv;
    double s;
    if (zset_lookup_or_reply(c, &c->argv[1], false, &kv) != 0) return;
    if (kv && zset_score(kv, c->argv[2].ptr, c->argv[2].len, &s))
        reply_double(c, s);
    else
        reply_null(c);
}

static void cmd_zmscore(Client *c) {
    Kv *kv;
    if (zset_lookup_or_reply(c, &c->argv[1], false, &kv) != 0) return;
    reply_array(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double s;
        if (kv && zset_score(kv, c->argv[j].ptr, c->argv[j].len, &s))
            reply_double(c, s);
        else
            reply_null(c);
    }
}

static void cmd_zcard(Client *c) {
    Kv *kv;
    if (zset_lookup_or_reply(c, &c->argv[1], false, &kv) != 0) return;
    reply_int(c, kv ? (long long)zset_len(kv) : 0);
}

static void zcount_generic(Client *c, bool lex) {
    ZRange r = {.lex = lex};
    if (lex ? lex_range_or_reply(c, &c->argv[2], &c->argv[3], &r.lexr) != 0
            : score_range_or_reply(c, &c->argv[2], &c->argv[3], &r.score) != 0)
        return;
    Kv *kv;
    if (zset_lookup_or_reply(c, &c->argv[1], false, &kv) != 0) return;
    long start = 0, count = 0;
    if (kv) zset_range_span(kv, &r, false, &start, &count);
    reply_int(c, count);
}

static void cmd_zcount(Client *c) {
    zcount_generic(c, false);
}

static void cmd_zlexcount(Client *c) {
    zcount_generic(c, true);
}

static void zrank_generic(Client *c, bool rev) {
    Kv *kv;
    long rank;
    if (zset_lookup_or_reply(c, &c->argv[1], false, &kv) != 0) return;
    if (kv && zset_rank(kv, c->argv[2].ptr, c->argv[2].len, rev, &rank))
        reply_int(c, rank);
    else
        reply_null(c);
}

static void cmd_zrank(Client *c) {
    zrank_generic(c, false);
}

static void cmd_zrevrank(Client *c) {
    zrank_generic(c, true);
}

/* ------------------------------------------------------------------------------------------
 * ZRANGE and its family */

enum {
    ZR_AUTO,
    ZR_RANK,
    ZR_SCORE,
    ZR_LEX
};
enum {
    ZD_AUTO,
    ZD_FORWARD,
    ZD_REVERSE
};

typedef struct ZrangeArgs {
    int type, dir;
    bool withscores;
    long long offset, limit; /* LIMIT; limit -1 = none */
    long long start, end;    /* ZR_RANK */
    ZRange range;            /* ZR_SCORE, ZR_LEX */
} ZrangeArgs;

/* Step 1 of Redis's zrangeGenericCommand: options after <src> <min> <max>. */
static int zrange_opts_or_reply(Client *c, int first, bool store, ZrangeArgs *a) {
    for (int j = first + 3; j < c->argc; j++) {
        int left = c->argc - j - 1;
        const RespArg *o = &c->argv[j];
        if (!store && opt_is(o, "withscores")) {
            a->withscores = true;
        } else if (opt_is(o, "limit") && left >= 2) {
            if (arg_to_ll_or_reply(c, &c->argv[j + 1], &a->offset, NULL) != 0 ||
                arg_to_ll_or_reply(c, &c->argv[j + 2], &a->limit, NULL) != 0)
                return -1;
            j += 2;
        } else if (a->dir == ZD_AUTO && opt_is(o, "rev")) {
            a->dir = ZD_REVERSE;
        } else if (a->type == ZR_AUTO && opt_is(o, "bylex")) {
            a->type = ZR_LEX;
        } else if (a->type == ZR_AUTO && opt_is(o, "byscore")) {
            a->type = ZR_SCORE;
        } else {
            reply_syntax_error(c);
            return -1;
        }
    }
    if (a->dir == ZD_AUTO) a->dir = ZD_FORWARD;
    if (a->type == ZR_AUTO) a->type = ZR_RANK;
    if (a->limit != -1 && a->type == ZR_RANK) {
        reply_error(c, "ERR syntax error, LIMIT is only supported in combination with either "
                       "BYSCORE or BYLEX");
        return -1;
    }
    if (a->withscores && a->type == ZR_LEX) {
        reply_error(c, "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return -1;
    }
    return 0;
}

/* Step 2: the range itself ([max, min] order for reversed score/lex ranges). */
static int zrange_bounds_or_reply(Client *c, int first, ZrangeArgs *a) {
    const RespArg *min = &c->argv[first + 1], *max = &c->argv[first + 2];
    if (a->dir == ZD_REVERSE && a->type != ZR_RANK) {
        const RespArg *t = min;
        min = max;
        max = t;
    }
    switch (a->type) {
    case ZR_SCORE: a->range.lex = false; return score_range_or_reply(c, min, max, &a->range.score);
    case ZR_LEX: a->range.lex = true; return lex_range_or_reply(c, min, max, &a->range.lexr);
    default:
        if (arg_to_ll_or_reply(c, min, &a->start, NULL) != 0 ||
            arg_to_ll_or_reply(c, max, &a->end, NULL) != 0)
            return -1;
        return 0;
    }
}

/* The selected elements as (rank in the walk's direction, count). */
static void zrange_select(Kv *kv, const ZrangeArgs *a, long *rank, long *count) {
    long len = (long)zset_len(kv);
    *rank = 0;
    *count = 0;
    if (a->type == ZR_RANK) {
        long long s = a->start, e = a->end;
        if (s < 0) s += len;
        if (e < 0) e += len;
        if (s < 0) s = 0;
        if (s > e || s >= len) return;
        if (e >= len) e = len - 1;
        *rank = (long)s;
        *count = (long)(e - s + 1);
        return;
    }
    bool rev = a->dir == ZD_REVERSE;
    long start, n;
    zset_range_span(kv, &a->range, rev, &start, &n);
    /* Redis finds the first element in range, skips `offset` elements blindly (a negative
     * offset never stops skipping), then emits while the far bound holds. */
    if (n == 0 || a->offset < 0 || a->offset >= len) return;
    long from = (rev ? len - start - n : start) + (long)a->offset;
    if (kv->encoding == ENC_LISTPACK) {
        /* Walk it: over mixed scores a lex range need not be one run, so elements past the
         * skipped ones may be back inside it, as in Redis. */
        ZIter it;
        ZElem e;
        zit_init(&it, kv, from, rev);
        while ((a->limit < 0 || *count < a->limit) && zit_next(&it, &e)) {
            if (!(rev ? zrange_gte_min(&a->range, &e) : zrange_lte_max(&a->range, &e))) break;
            (*count)++;
        }
    } else {
        if (a->offset >= n) return;
        *count = n - (long)a->offset;
        if (a->limit >= 0 && a->limit < *count) *count = (long)a->limit;
    }
    *rank = from;
}

/* Store the selected elements of src (NULL = none) under dst: ZRANGESTORE's result. */
static void zrange_store(
    Client *c, const RespArg *dst, Kv *src, long rank, long count, bool rev, bool by_rank) {
    if (count == 0) {
        reply_int(c, 0);
        if (db_delete(c->db, dst->ptr, dst->len)) {
            db_signal_modified(c->db, dst->ptr, dst->len);
            notify_keyspace_event(NOTIFY_GENERIC, "del", dst->ptr, dst->len, c->db->id);
        }
        return;
    }
    Kv *nkv = zset_kv_new_value(dst->ptr, dst->len);
    /* Redis sizes a rank range's result up front (zsetTypeCreate(count)): past the limit it
     * is a skiplist from the first element, which keeps a -0 score that a listpack would
     * have stored as 0. Score and lex ranges start as a listpack. */
    if (by_rank && count > cfg.zset_max_listpack_entries) zset_to_skiplist(nkv);
    ZIter it;
    ZElem e;
    int out;
    zit_init(&it, src, rank, rev);
    for (long i = 0; i < count && zit_next(&it, &e); i++)
        zset_add(nkv, e.score, e.ele, e.len, 0, &out, NULL);
    db_set(c->db, nkv, false);
    db_signal_modified(c->db, dst->ptr, dst->len);
    reply_int(c, count);
    notify_keyspace_event(NOTIFY_ZSET, "zrangestore", dst->ptr, dst->len, c->db->id);
}

/* Redis's zrangeGenericCommand: `first` is the index of <src>; dst is argv[1] when store. */
static void zrange_generic(Client *c, int first, bool store, int type, int dir) {
    ZrangeArgs a = {.type = type, .dir = dir, .limit = -1};
    if (zrange_opts_or_reply(c, first, store, &a) != 0) return;
    if (zrange_bounds_or_reply(c, first, &a) != 0) return;
    Kv *kv;
    if (zset_lookup_or_reply(c, &c->argv[first], false, &kv) != 0) return;
    long rank = 0, count = 0;
    if (kv) zrange_select(kv, &a, &rank, &count);
    bool rev = a.dir == ZD_REVERSE;
    if (store) {
        zrange_store(c, &c->argv[1], kv, rank, count, rev, a.type == ZR_RANK);
        return;
    }
    reply_elems_header(c, count, a.withscores);
    if (!count) return;
    ZIter it;
    ZElem e;
    zit_init(&it, kv, rank, rev);
    for (long i = 0; i < count && zit_next(&it, &e); i++)
        reply_elem(c, e.ele, e.len, e.score, a.withscores);
}

static void cmd_zrange(Client *c) {
    zrange_generic(c, 1, false, ZR_AUTO, ZD_AUTO);
}

static void cmd_zrangestore(Client *c) {
    zrange_generic(c, 2, true, ZR_AUTO, ZD_AUTO);
}

static void cmd_zrevrange(Client *c) {
    zrange_generic(c, 1, false, ZR_RANK, ZD_REVERSE);
}

static void cmd_zrangebyscore(Client *c) {
    zrange_generic(c, 1, false, ZR_SCORE, ZD_FORWARD);
}

static void cmd_zrevrangebyscore(Client *c) {
    zrange_generic(c, 1, false, ZR_SCORE, ZD_REVERSE);
}

static void cmd_zrangebylex(Client *c) {
    zrange_generic(c, 1, false, ZR_LEX, ZD_FORWARD);
}

static void cmd_zrevrangebylex(Client *c) {
    zrange_generic(c, 1, false, ZR_LEX, ZD_REVERSE);
}

/* ------------------------------------------------------------------------------------------
 * ZREM, ZREMRANGEBYRANK/SCORE/LEX */

static void cmd_zrem(Client *c) {
    const RespArg *key = &c->argv[1];
    Kv *kv;
    if (zset_lookup_or_reply(c, key, true, &kv) != 0) return;
    if (!kv) {
        reply_int(c, 0);
        return;
    }
    long long deleted = 0;
    for (int j = 2; j < c->argc; j++) {
        if (zset_del(kv, c->argv[j].ptr, c->argv[j].len)) deleted++;
        if (zset_len(kv) == 0) break;
    }
    if (deleted) {
        notify_keyspace_event(NOTIFY_ZSET, "zrem", key->ptr, key->len, c->db->id);
        zset_after_write(c, key, kv);
    }
    reply_int(c, deleted);
}

static void zremrange_generic(Client *c, int type) {
    static const char *const events[] = {"", "zremrangebyrank", "zremrangebyscore",
                                         "zremrangebylex"};
    const RespArg *key = &c->argv[1];
    ZrangeArgs a = {.type = type, .dir = ZD_FORWARD, .limit = -1};
    if (zrange_bounds_or_reply(c, 1, &a) != 0) return;
    Kv *kv;
    if (zset_lookup_or_reply(c, key, true, &kv) != 0) return;
    if (!kv) {
        reply_int(c, 0);
        return;
    }
    long start = 0, count = 0;
    if (type == ZR_RANK)
        zrange_select(kv, &a, &start, &count);
    else
        zset_range_span(kv, &a.range, false, &start, &count);
    if (count) {
        zset_delete_ranks(kv, start, count);
        notify_keyspace_event(NOTIFY_ZSET, events[type], key->ptr, key->len, c->db->id);
        zset_after_write(c, key, kv);
    }
    reply_int(c, count);
}

static void cmd_zremrangebyrank(Client *c) {
    zremrange_generic(c, ZR_RANK);
}

static void cmd_zremrangebyscore(Client *c) {
    zremrange_generic(c, ZR_SCORE);
}

static void cmd_zremrangebylex(Client *c) {
    zremrange_generic(c, ZR_LEX);
}

/* ------------------------------------------------------------------------------------------
 * ZPOPMIN, ZPOPMAX, ZMPOP and the blocking forms */

/* Reply shapes of Redis's genericZpopCommand. */
enum {
    ZPOP_FLAT = 0,       /* ZPOPMIN/ZPOPMAX (RESP2, or no count) */
    ZPOP_NESTED = 1,     /* ZPOPMIN/ZPOPMAX with count in RESP3: pairs as 2-arrays */
    ZPOP_KEY_FLAT = 2,   /* BZPOPMIN/BZPOPMAX: key, member, score */
    ZPOP_KEY_NESTED = 3, /* ZMPOP/BZMPOP: key, [[member, score] ...] */
};

/* Pop up to count (>= 1) members from kv (non-empty) under key and reply in `shape`. */
static void
zpop_reply(Client *c, const RespArg *key, Kv *kv, bool max, long long count, int shape) {
    long long len = (long long)zset_len(kv);
    long long n = count > len ? len : count;
    switch (shape) {
    case ZPOP_FLAT: reply_array(c, n * 2); break;
    case ZPOP_NESTED: reply_array(c, n); break;
    case ZPOP_KEY_FLAT:
        reply_array(c, n * 2 + 1);
        reply_bulk(c, key->ptr, key->len);
        break;
    default:
        reply_array(c, 2);
        reply_bulk(c, key->ptr, key->len);
        reply_array(c, n);
    }
    bool nested = shape == ZPOP_NESTED || shape == ZPOP_KEY_NESTED;
    /* BZPOPMIN/BZPOPMAX replay as ZPOPMIN/ZPOPMAX key, [B]ZMPOP with the number popped;
     * ZPOPMIN/ZPOPMAX as given. */
    if (shape == ZPOP_KEY_FLAT || shape == ZPOP_KEY_NESTED) {
        char nb[24];
        RespArg av[3] = {{max ? "ZPOPMAX" : "ZPOPMIN", 7}, *key, {nb, 0}};
        av[2].len = (size_t)util_ll_to_str(nb, n);
        propagate_rewrite(c, shape == ZPOP_KEY_FLAT ? 2 : 3, av);
    }
    ZIter it;
    ZElem e;
    zit_init(&it, kv, 0, max);
    for (long long i = 0; i < n && zit_next(&it, &e); i++) {
        if (nested) reply_array(c, 2);
        reply_bulk(c, e.ele, e.len);
        reply_double(c, e.score);
    }
    zset_delete_ranks(kv, max ? (long)(len - n) : 0, (long)n);
    notify_keyspace_event(NOTIFY_ZSET, max ? "zpopmax" : "zpopmin", key->ptr, key->len, c->db->id);
    zset_after_write(c, key, kv);
}

/* The first existing key of keys[0..nkeys) (NULL if none): -1 after WRONGTYPE. */
static int zpop_first_or_reply(Client *c, const RespArg *keys, int nkeys, int *idx, Kv **out) {
    *out = NULL;
    for (int j = 0; j < nkeys; j++) {
        Kv *kv;
        if (zset_lookup_or_reply(c, &keys[j], true, &kv) != 0) return -1;
        if (kv) {
            *idx = j;
            *out = kv;
            return 0;
        }
    }
    return 0;
}

static void zpop_command(Client *c, bool max) {
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    long long count = -1;
    if (c->argc == 3 && arg_to_positive_or_reply(c, &c->argv[2], &count, NULL) != 0) return;
    Kv *kv;
    int idx;
    if (zpop_first_or_reply(c, &c->argv[1], 1, &idx, &kv) != 0) return;
    if (!kv || count == 0) {
        reply_empty_array(c);
        return;
    }
    int shape = c->resp > 2 && count != -1 ? ZPOP_NESTED : ZPOP_FLAT;
    zpop_reply(c, &c->argv[1], kv, max, count == -1 ? 1 : count, shape);
}

static void cmd_zpopmin(Client *c) {
    zpop_command(c, false);
}

static void cmd_zpopmax(Client *c) {
    zpop_command(c, true);
}

/* The blocking pop: serve the first non-empty key, else time out or wait (blocked.h). The
 * timeout is parsed before any key is looked at, as Redis does. */
static void zpop_blocking(Client *c,
                          const RespArg *keys,
                          int nkeys,
                          const RespArg *timeout,
                          bool max,
                          long long count,
                          int shape) {
    int64_t deadline_ms;
    if (blocked_parse_timeout_or_reply(c, timeout, &deadline_ms) != 0) return;
    Kv *kv;
    int idx;
    if (zpop_first_or_reply(c, keys, nkeys, &idx, &kv) != 0) return;
    if (kv) {
        zpop_reply(c, &keys[idx], kv, max, count, shape);
        return;
    }
    if (!blocked_can_block(c)) {
        reply_null_array(c);
        return;
    }
    blocked_wait_keys(c, keys, nkeys, deadline_ms, true);
}

/* BZPOPMIN key [key ...] timeout */
static void cmd_bzpopmin(Client *c) {
    zpop_blocking(c, &c->argv[1], c->argc - 2, &c->argv[c->argc - 1], false, 1, ZPOP_KEY_FLAT);
}

static void cmd_bzpopmax(Client *c) {
    zpop_blocking(c, &c->argv[1], c->argc - 2, &c->argv[c->argc - 1], true, 1, ZPOP_KEY_FLAT);
}

/* [B]ZMPOP: numkeys at argv[nkidx], then the keys, MIN|MAX, [COUNT count]. */
static void zmpop_generic(Client *c, int nkidx, bool blocking) {
    long long numkeys, count = -1;
    if (arg_to_range_or_reply(c, &c->argv[nkidx], 1, LONG_MAX, &numkeys,
                              "ERR numkeys should be greater than 0") != 0)
        return;
    if (numkeys >= c->argc - nkidx) { /* Redis's where_idx >= argc */
        reply_syntax_error(c);
        return;
    }
    int where = nkidx + (int)numkeys + 1;
    bool max;
    if (opt_is(&c->argv[where], "min")) {
        max = false;
    } else if (opt_is(&c->argv[where], "max")) {
        max = true;
    } else {
        reply_syntax_error(c);
        return;
    }
    for (int j = where + 1; j < c->argc; j++) {
        bool more = j < c->argc - 1;
        if (count == -1 && opt_is(&c->argv[j], "count") && more) {
            j++;
            if (arg_to_range_or_reply(c, &c->argv[j], 1, LONG_MAX, &count,
                                      "ERR count should be greater than 0") != 0)
                return;
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    if (count == -1) count = 1;
    const RespArg *keys = &c->argv[nkidx + 1];
    if (blocking) {
        zpop_blocking(c, keys, (int)numkeys, &c->argv[1], max, count, ZPOP_KEY_NESTED);
        return;
    }
    Kv *kv;
    int idx;
    if (zpop_first_or_reply(c, keys, (int)numkeys, &idx, &kv) != 0) return;
    if (!kv) {
        reply_null_array(c);
        return;
    }
    zpop_reply(c, &keys[idx], kv, max, count, ZPOP_KEY_NESTED);
}

/* ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
static void cmd_zmpop(Client *c) {
    zmpop_generic(c, 1, false);
}

/* BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
static void cmd_bzmpop(Client *c) {
    zmpop_generic(c, 2, true);
}

/* ------------------------------------------------------------------------------------------
 * ZRANDMEMBER */

static void reply_at_rank(Client *c, Kv *kv, long rank, bool withscores) {
    ZIter it;
    ZElem e;
    zit_init(&it, kv, rank, false);
    if (zit_next(&it, &e)) reply_elem(c, e.ele, e.len, e.score, withscores);
}

/* count distinct random ranks (count < len) into out, in random order. */
static void random_distinct_ranks(long len, long count, long *out) {
    if (count * 3 > len) { /* dense: partial Fisher-Yates over every rank */
        long *all = mem_alloc(sizeof(long) * (size_t)len);
        for (long i = 0; i < len; i++)
            all[i] = i;
        for (long i = 0; i < count; i++) {
            long j = i + (long)(util_rand64() % (uint64_t)(len - i));
            long t = all[i];
            all[i] = all[j];
            all[j] = t;
            out[i] = all[i];
        }
        mem_free(all);
        return;
    }
    /* sparse: draw and reject repeats with a small open-addressing set */
    size_t cap = 16;
    while (cap < (size_t)count * 2)
        cap *= 2;
    long *seen = mem_alloc(sizeof(long) * cap);
    for (size_t i = 0; i < cap; i++)
        seen[i] = -1;
    for (long n = 0; n < count;) {
        long r = (long)(util_rand64() % (uint64_t)len);
        size_t h = ((uint64_t)r * 0x9E3779B97F4A7C15ull) & (cap - 1);
        while (seen[h] != -1 && seen[h] != r)
            h = (h + 1) & (cap - 1);
        if (seen[h] == r) continue;
        seen[h] = r;
        out[n++] = r;
    }
    mem_free(seen);
}

static void zrandmember_count(Client *c, long long count, bool withscores) {
    Kv *kv;
    if (zset_lookup_or_reply(c, &c->argv[1], false, &kv) != 0) return;
    if (!kv || count == 0) {
        reply_empty_array(c);
        return;
    }
    long len = (long)zset_len(kv);
    if (count < 0 || count == 1) { /* repeats allowed */
        long long n = count < 0 ? -count : count;
        reply_elems_header(c, n, withscores);
        for (long long i = 0; i < n; i++)
            reply_at_rank(c, kv, (long)(util_rand64() % (uint64_t)len), withscores);
        return;
    }
    if (count >= len) { /* the whole set, as Redis walks it: highest score first */
        reply_elems_header(c, len, withscores);
        ZIter it;
        ZElem e;
        zit_init(&it, kv, 0, true);
        while (zit_next(&it, &e))
            reply_elem(c, e.ele, e.len, e.score, withscores);
        return;
    }
    long *ranks = mem_alloc(sizeof(long) * (size_t)count);
    random_distinct_ranks(len, (long)count, ranks);
    reply_elems_header(c, count, withscores);
    for (long i = 0; i < count; i++)
        reply_at_rank(c, kv, ranks[i], withscores);
    mem_free(ranks);
}

/* ZRANDMEMBER key [count [WITHSCORES]] */
static void cmd_zrandmember(Client *c) {
    if (c->argc >= 3) {
        long long n;
        if (arg_to_range_or_reply(c, &c->argv[2], -LONG_MAX, LONG_MAX, &n, NULL) != 0) return;
        if (c->argc > 4 || (c->argc == 4 && !opt_is(&c->argv[3], "withscores"))) {
            reply_syntax_error(c);
            return;
        }
        bool withscores = c->argc == 4;
        if (withscores && (n < -LONG_MAX / 2 || n > LONG_MAX / 2)) {
            reply_error(c, "ERR value is out of range");
            return;
        }
        zrandmember_count(c, n, withscores);
        return;
    }
    Kv *kv;
    if (zset_lookup_or_reply(c, &c->argv[1], false, &kv) != 0) return;
    if (!kv) {
        reply_null(c);
        return;
    }
    reply_at_rank(c, kv, (long)(util_rand64() % zset_len(kv)), false);
}

/* ------------------------------------------------------------------------------------------
 * ZSCAN */

typedef struct ZscanBatch {
    const ScanOpts *opts;
    Buf out;     /* member, score, member, score ... as bulk replies */
    long long n; /* strings in out */
    long long visited;
} ZscanBatch;

static void zscan_add(ZscanBatch *b, const char *ele, size_t len, const char *score, size_t slen) {
    if (!scan_match(b->opts, ele, len)) return;
    resp_bulk(&b->out, ele, len);
    resp_bulk(&b->out, score, slen);
    b->n += 2;
}

static void zscan_collect(DictNode *node, void *ud) {
    ZscanBatch *b = ud;
    const ZslNode *z = (const ZslNode *)node;
    char buf[SCORE_BUF * 2];
    int n;
    /* Redis's createStringObjectFromLongDouble(score, 0): "%.17Lg", inf spelled out */
    if (isinf(z->score))
        n = snprintf(buf, sizeof(buf), z->score > 0 ? "inf" : "-inf");
    else
        n = snprintf(buf, sizeof(buf), "%.17Lg", (long double)z->score);
    b->visited++; /* Redis 7.0 bounds COUNT by elements seen, matching or not */
    zscan_add(b, zsl_node_ele(z), z->len, buf, (size_t)n);
}

/* ZSCAN key cursor [MATCH pattern] [COUNT count]: a listpack answers whole with cursor 0,
 * its scores as stored; a skiplist walks its dict with SCAN's cursor. */
static void cmd_zscan(Client *c) {
    uint64_t cursor;
    ScanOpts o;
    Kv *kv = scan_value_or_reply(c, OBJ_ZSET, &cursor, &o);
    if (!kv) return;
    ZscanBatch b = {.opts = &o, .out = BUF_INIT};
    if (kv->encoding == ENC_LISTPACK) {
        unsigned char *lp = kv->v.ptr;
        char mb[LP_INTBUF_SIZE], sb[LP_INTBUF_SIZE];
        for (unsigned char *ep = lp_first(lp); ep; ep = lp_next(lp, lp_next(lp, ep))) {
            size_t mlen, slen;
            const char *m = lp_get_str(ep, &mlen, mb);
            const char *s = lp_get_str(lp_next(lp, ep), &slen, sb);
            zscan_add(&b, m, mlen, s, slen);
        }
        cursor = 0;
    } else {
        ZSet *zs = kv->v.ptr;
        cursor = scan_dict_walk(&zs->dict, cursor, &o, zscan_collect, &b, &b.visited);
    }
    scan_reply_head(c, cursor, b.n);
    if (b.out.len) reply_proto(c, b.out.data, b.out.len);
    buf_deinit(&b.out);
}

/* ------------------------------------------------------------------------------------------
 * ZUNION, ZINTER, ZDIFF (+STORE), ZINTERCARD
 *
 * Every input is read through a ZInput: its length, a membership test with the score, and
 * a walk over (member, score). A missing key is an empty input; a plain set is an input
 * whose members all score 1, as in Redis (set_input_ops, picked in zinput_open()). */

typedef void (*ZInputFn)(const char *ele, size_t len, double score, void *ud);

typedef struct ZInputOps {
    unsigned long (*len)(Kv *kv);
    bool (*find)(Kv *kv, const char *ele, size_t len, double *score);
    void (*each)(Kv *kv, ZInputFn fn, void *ud);
} ZInputOps;

typedef struct ZInput {
    Kv *kv;               /* NULL: missing key, an empty input */
    const ZInputOps *ops; /* how to read kv */
    double weight;        /* WEIGHTS, default 1 */
} ZInput;

static unsigned long zset_input_len(Kv *kv) {
    return (unsigned long)zset_len(kv);
}

static void zset_input_each(Kv *kv, ZInputFn fn, void *ud) {
    ZIter it;
    ZElem e;
    zit_init(&it, kv, 0, false);
    while (zit_next(&it, &e))
        fn(e.ele, e.len, e.score, ud);
}

static const ZInputOps zset_input_ops = {zset_input_len, zset_score, zset_input_each};

/* A plain set as an input: every member with score 1 (t_set.h). */
static unsigned long set_input_len(Kv *kv) {
    return set_size(kv);
}

static bool set_input_find(Kv *kv, const char *ele, size_t len, double *score) {
    if (!set_contains(kv, ele, len)) return false;
    *score = 1.0;
    return true;
}

static void set_input_each(Kv *kv, ZInputFn fn, void *ud) {
    SetIter it;
    const char *s;
    size_t len;
    long long ival;
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &s, &len, &ival)) {
        char buf[LP_INTBUF_SIZE];
        if (!s) {
            len = (size_t)util_ll_to_str(buf, ival);
            s = buf;
        }
        fn(s, len, 1.0, ud);
    }
    set_iter_deinit(&it);
}

static const ZInputOps set_input_ops = {set_input_len, set_input_find, set_input_each};

static unsigned long zinput_len(const ZInput *in) {
    return in->kv ? in->ops->len(in->kv) : 0;
}

static bool zinput_find(const ZInput *in, const char *ele, size_t len, double *score) {
    return in->kv && in->ops->find(in->kv, ele, len, score);
}

static void zinput_each(const ZInput *in, ZInputFn fn, void *ud) {
    if (in->kv) in->ops->each(in->kv, fn, ud);
}

/* Open input key `key`: 0, or -1 after WRONGTYPE (a key neither a sorted set nor a set). */
static int zinput_open(Client *c, const RespArg *key, ZInput *in) {
    Kv *kv = db_lookup_read(c->db, key->ptr, key->len, LOOKUP_NONE);
    *in = (ZInput){.kv = kv, .ops = &zset_input_ops, .weight = 1};
    if (!kv || kv->type == OBJ_ZSET) return 0;
    if (kv->type == OBJ_SET) {
        in->ops = &set_input_ops;
        return 0;
    }
    reply_wrongtype(c);
    return -1;
}

enum {
    ZOP_UNION,
    ZOP_INTER,
    ZOP_DIFF
};
enum {
    AGG_SUM,
    AGG_MIN,
    AGG_MAX
};

static void aggregate(double *target, double val, int agg) {
    if (agg == AGG_SUM) {
        *target += val;
        if (isnan(*target)) *target = 0.0; /* inf + -inf: Redis's convention */
    } else if (agg == AGG_MIN) {
        *target = val < *target ? val : *target;
    } else {
        *target = val > *target ? val : *target;
    }
}

typedef struct ZsetOp {
    int op, agg;
    ZInput *in;
    long n;
    ZSet *result;
    double weight;             /* the input being walked */
    unsigned long card, limit; /* ZINTERCARD */
    bool card_only, stop;
} ZsetOp;

static void union_visit(const char *ele, size_t len, double score, void *ud) {
    ZsetOp *z = ud;
    score *= z->weight;
    if (isnan(score)) score = 0;
    ZslNode *n = zs_find(z->result, ele, len);
    if (!n) {
        zs_insert(z->result, score, ele, len);
        return;
    }
    double s = n->score;
    aggregate(&s, score, z->agg);
    if (s == n->score)
        n->score = s; /* 0 and -0 sort alike, but the result keeps the sign Redis keeps */
    else
        zs_update_score(z->result, n, s);
}

static void inter_visit(const char *ele, size_t len, double score, void *ud) {
    ZsetOp *z = ud;
    if (z->stop) return;
    double acc = z->in[0].weight * score;
    if (isnan(acc)) acc = 0;
    for (long j = 1; j < z->n; j++) {
        double v;
        if (!zinput_find(&z->in[j], ele, len, &v)) return;
        aggregate(&acc, v * z->in[j].weight, z->agg);
    }
    if (z->card_only) {
        z->card++;
        if (z->limit && z->card >= z->limit) z->stop = true;
        return;
    }
    zs_insert(z->result, acc, ele, len);
}

static void diff_visit(const char *ele, size_t len, double score, void *ud) {
    ZsetOp *z = ud;
    double v;
    for (long j = 1; j < z->n; j++)
        if (zinput_find(&z->in[j], ele, len, &v)) return;
    zs_insert(z->result, score, ele, len);
}

static void zsetop_run(ZsetOp *z) {
    if (z->op != ZOP_DIFF) { /* smallest first, stable like glibc's qsort (a merge sort) */
        for (long i = 1; i < z->n; i++) {
            ZInput t = z->in[i];
            long j = i - 1;
            for (; j >= 0 && zinput_len(&z->in[j]) > zinput_len(&t); j--)
                z->in[j + 1] = z->in[j];
            z->in[j + 1] = t;
        }
    }
    if (z->op == ZOP_UNION) {
        for (long i = 0; i < z->n; i++) {
            z->weight = z->in[i].weight;
            zinput_each(&z->in[i], union_visit, z);
        }
    } else if (z->op == ZOP_INTER) {
        if (zinput_len(&z->in[0]) > 0) zinput_each(&z->in[0], inter_visit, z);
    } else {
        zinput_each(&z->in[0], diff_visit, z);
    }
}

/* Options after the keys: WEIGHTS, AGGREGATE, WITHSCORES, LIMIT as the command allows. */
static int zsetop_opts_or_reply(Client *c, int j, bool store, ZsetOp *z, bool *withscores) {
    while (j < c->argc) {
        int left = c->argc - j;
        const RespArg *o = &c->argv[j];
        bool weighted = z->op != ZOP_DIFF && !z->card_only;
        if (weighted && left >= z->n + 1 && opt_is(o, "weights")) {
            j++;
            for (long i = 0; i < z->n; i++, j++) {
                if (arg_to_double_or_reply(c, &c->argv[j], &z->in[i].weight,
                                           "ERR weight value is not a float") != 0)
                    return -1;
            }
        } else if (weighted && left >= 2 && opt_is(o, "aggregate")) {
            const RespArg *v = &c->argv[j + 1];
            if (opt_is(v, "sum")) {
                z->agg = AGG_SUM;
            } else if (opt_is(v, "min")) {
                z->agg = AGG_MIN;
            } else if (opt_is(v, "max")) {
                z->agg = AGG_MAX;
            } else {
                reply_syntax_error(c);
                return -1;
            }
            j += 2;
        } else if (!store && !z->card_only && opt_is(o, "withscores")) {
            *withscores = true;
            j++;
        } else if (z->card_only && left >= 2 && opt_is(o, "limit")) {
            long long lim;
            if (arg_to_positive_or_reply(c, &c->argv[j + 1], &lim, "ERR LIMIT can't be negative") !=
                0)
                return -1;
            z->limit = (unsigned long)lim;
            j += 2;
        } else {
            reply_syntax_error(c);
            return -1;
        }
    }
    return 0;
}

/* Store a computed result under dst in the encoding that fits it, or delete dst. */
static void zsetop_store(Client *c, const RespArg *dst, ZSet *zs, const char *event) {
    if (zs->length == 0) {
        zs_free(zs);
        reply_int(c, 0);
        if (db_delete(c->db, dst->ptr, dst->len)) {
            db_signal_modified(c->db, dst->ptr, dst->len);
            notify_keyspace_event(NOTIFY_GENERIC, "del", dst->ptr, dst->len, c->db->id);
        }
        return;
    }
    bool fits = zs->length <= (unsigned long)cfg.zset_max_listpack_entries;
    size_t total = 0;
    for (ZslNode *n = zs->header->lv[0].forward; n && fits; n = n->lv[0].forward) {
        total += n->len;
        if (n->len > (size_t)cfg.zset_max_listpack_value) fits = false;
    }
    if (fits && !lp_safe_to_add(NULL, total)) fits = false;
    Kv *kv;
    if (fits) {
        unsigned char *lp = lp_new(0);
        char sbuf[SCORE_BUF];
        for (ZslNode *n = zs->header->lv[0].forward; n; n = n->lv[0].forward) {
            lp = lp_append(lp, zsl_node_ele(n), n->len);
            lp = lp_append(lp, sbuf, (size_t)zl_fmt_score(sbuf, n->score));
        }
        zs_free(zs);
        kv = kv_new_ptr(dst->ptr, dst->len, OBJ_ZSET, ENC_LISTPACK, lp);
    } else {
        kv = kv_new_ptr(dst->ptr, dst->len, OBJ_ZSET, ENC_SKIPLIST, zs);
    }
    long long len = (long long)zset_len(kv);
    db_set(c->db, kv, false);
    db_signal_modified(c->db, dst->ptr, dst->len);
    reply_int(c, len);
    notify_keyspace_event(NOTIFY_ZSET, event, dst->ptr, dst->len, c->db->id);
}

/* Redis's zunionInterDiffGenericCommand: numkeys at argv[nkidx]; dst is argv[1] when
 * storing. */
static void zsetop_generic(Client *c, int nkidx, int op, bool store, bool card_only) {
    static const char *const events[] = {"zunionstore", "zinterstore", "zdiffstore"};
    long long nkeys;
    if (arg_to_ll_or_reply(c, &c->argv[nkidx], &nkeys, NULL) != 0) return;
    if (nkeys < 1) {
        reply_error_fmt(c, "ERR at least 1 input key is needed for '%s' command", c->cmd->fullname);
        return;
    }
    if (nkeys > c->argc - (nkidx + 1)) {
        reply_syntax_error(c);
        return;
    }
    ZsetOp z = {.op = op, .agg = AGG_SUM, .n = (long)nkeys, .card_only = card_only};
    z.in = mem_alloc(sizeof(ZInput) * (size_t)nkeys);
    bool withscores = false;
    for (long i = 0; i < z.n; i++)
        if (zinput_open(c, &c->argv[nkidx + 1 + i], &z.in[i]) != 0) goto done;
    if (zsetop_opts_or_reply(c, nkidx + 1 + (int)nkeys, store, &z, &withscores) != 0) goto done;
    z.result = zs_new();
    zsetop_run(&z);
    if (store) {
        zsetop_store(c, &c->argv[1], z.result, events[op]);
        z.result = NULL;
    } else if (card_only) {
        reply_int(c, (long long)z.card);
    } else {
        reply_elems_header(c, (long long)z.result->length, withscores);
        for (ZslNode *n = z.result->header->lv[0].forward; n; n = n->lv[0].forward)
            reply_elem(c, zsl_node_ele(n), n->len, n->score, withscores);
    }
done:
    zs_free(z.result);
    mem_free(z.in);
}

static void cmd_zunion(Client *c) {
    zsetop_generic(c, 1, ZOP_UNION, false, false);
}

static void cmd_zinter(Client *c) {
    zsetop_generic(c, 1, ZOP_INTER, false, false);
}

static void cmd_zdiff(Client *c) {
    zsetop_generic(c, 1, ZOP_DIFF, false, false);
}

static void cmd_zunionstore(Client *c) {
    zsetop_generic(c, 2, ZOP_UNION, true, false);
}

static void cmd_zinterstore(Client *c) {
    zsetop_generic(c, 2, ZOP_INTER, true, false);
}

static void cmd_zdiffstore(Client *c) {
    zsetop_generic(c, 2, ZOP_DIFF, true, false);
}

/* ZINTERCARD numkeys key [key ...] [LIMIT limit] */
static void cmd_zintercard(Client *c) {
    zsetop_generic(c, 1, ZOP_INTER, false, true);
}

/* ------------------------------------------------------------------------------------------
 * The command table (flags, arity and key specs as Redis 7.0's COMMAND INFO, from
 * tools/cmdgen.py) */

/* clang-format off */
const CmdSpec zset_commands[] = {
    {"zadd", cmd_zadd, -4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Add one or more members to a sorted set, or update its score if it already exists", "1.2.0", "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"},
    {"zincrby", cmd_zincrby, 4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Increment the score of a member in a sorted set", "1.2.0", "key increment member"},
    {"zscore", cmd_zscore, 3, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Get the score associated with the given member in a sorted set", "1.2.0", "key member"},
    {"zmscore", cmd_zmscore, -3, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Get the score associated with the given members in a sorted set", "6.2.0", "key member [member ...]"},
    {"zcard", cmd_zcard, 2, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Get the number of members in a sorted set", "1.2.0", "key"},
    {"zcount", cmd_zcount, 4, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Count the members in a sorted set with scores within the given values", "2.0.0", "key min max"},
    {"zlexcount", cmd_zlexcount, 4, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Count the number of members in a sorted set between a given lexicographical range", "2.8.9", "key min max"},
    {"zrank", cmd_zrank, 3, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Determine the index of a member in a sorted set", "2.0.0", "key member"},
    {"zrevrank", cmd_zrevrank, 3, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Determine the index of a member in a sorted set, with scores ordered from high to low", "2.0.0", "key member"},
    {"zrange", cmd_zrange, -4, CMD_READONLY, KEYS(1, 1, 1), "sorted-set", NULL, "Return a range of members in a sorted set", "1.2.0", "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]"},
    {"zrangebyscore", cmd_zrangebyscore, -4, CMD_READONLY, KEYS(1, 1, 1), "sorted-set", NULL, "Return a range of members in a sorted set, by score", "1.0.5", "key min max [WITHSCORES] [LIMIT offset count]"},
    {"zrevrangebyscore", cmd_zrevrangebyscore, -4, CMD_READONLY, KEYS(1, 1, 1), "sorted-set", NULL, "Return a range of members in a sorted set, by score, with scores ordered from high to low", "2.2.0", "key max min [WITHSCORES] [LIMIT offset count]"},
    {"zrangebylex", cmd_zrangebylex, -4, CMD_READONLY, KEYS(1, 1, 1), "sorted-set", NULL, "Return a range of members in a sorted set, by lexicographical range", "2.8.9", "key min max [LIMIT offset count]"},
    {"zrevrangebylex", cmd_zrevrangebylex, -4, CMD_READONLY, KEYS(1, 1, 1), "sorted-set", NULL, "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", "2.8.9", "key max min [LIMIT offset count]"},
    {"zrevrange", cmd_zrevrange, -4, CMD_READONLY, KEYS(1, 1, 1), "sorted-set", NULL, "Return a range of members in a sorted set, by index, with scores ordered from high to low", "1.2.0", "key start stop [WITHSCORES]"},
    {"zrangestore", cmd_zrangestore, -5, CMD_WRITE | CMD_DENYOOM, KEYS(1, 2, 1), "sorted-set", NULL, "Store a range of members from sorted set into another key", "6.2.0", "dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]"},
    {"zrem", cmd_zrem, -3, CMD_WRITE | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Remove one or more members from a sorted set", "1.2.0", "key member [member ...]"},
    {"zremrangebyrank", cmd_zremrangebyrank, 4, CMD_WRITE, KEYS(1, 1, 1), "sorted-set", NULL, "Remove all members in a sorted set within the given indexes", "2.0.0", "key start stop"},
    {"zremrangebyscore", cmd_zremrangebyscore, 4, CMD_WRITE, KEYS(1, 1, 1), "sorted-set", NULL, "Remove all members in a sorted set within the given scores", "1.2.0", "key min max"},
    {"zremrangebylex", cmd_zremrangebylex, 4, CMD_WRITE, KEYS(1, 1, 1), "sorted-set", NULL, "Remove all members in a sorted set between the given lexicographical range", "2.8.9", "key min max"},
    {"zpopmin", cmd_zpopmin, -2, CMD_WRITE | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Remove and return members with the lowest scores in a sorted set", "5.0.0", "key [count]"},
    {"zpopmax", cmd_zpopmax, -2, CMD_WRITE | CMD_FAST, KEYS(1, 1, 1), "sorted-set", NULL, "Remove and return members with the highest scores in a sorted set", "5.0.0", "key [count]"},
    {"zmpop", cmd_zmpop, -4, CMD_WRITE, NO_KEYS, "sorted-set", NULL, "Remove and return members with scores in a sorted set", "7.0.0", "numkeys key [key ...] MIN|MAX [COUNT count]"},
    {"zrandmember", cmd_zrandmember, -2, CMD_READONLY, KEYS(1, 1, 1), "sorted-set", NULL, "Get one or multiple random elements from a sorted set", "6.2.0", "key [count [WITHSCORES]]"},
    {"zunion", cmd_zunion, -3, CMD_READONLY, NO_KEYS, "sorted-set", NULL, "Add multiple sorted sets", "6.2.0", "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"},
    {"zinter", cmd_zinter, -3, CMD_READONLY, NO_KEYS, "sorted-set", NULL, "Intersect multiple sorted sets", "6.2.0", "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"},
    {"zdiff", cmd_zdiff, -3, CMD_READONLY, NO_KEYS, "sorted-set", NULL, "Subtract multiple sorted sets", "6.2.0", "numkeys key [key ...] [WITHSCORES]"},
    {"zunionstore", cmd_zunionstore, -4, CMD_WRITE | CMD_DENYOOM, KEYS(1, 1, 1), "sorted-set", NULL, "Add multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]"},
    {"zinterstore", cmd_zinterstore, -4, CMD_WRITE | CMD_DENYOOM, KEYS(1, 1, 1), "sorted-set", NULL, "Intersect multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]"},
    {"zdiffstore", cmd_zdiffstore, -4, CMD_WRITE | CMD_DENYOOM, KEYS(1, 1, 1), "sorted-set", NULL, "Subtract multiple sorted sets and store the resulting sorted set in a new key", "6.2.0", "destination numkeys key [key ...]"},
    {"zintercard", cmd_zintercard, -3, CMD_READONLY, NO_KEYS, "sorted-set", NULL, "Intersect multiple sorted sets and return the cardinality of the result", "7.0.0", "numkeys key [key ...] [LIMIT limit]"},
    {"zscan", cmd_zscan, -3, CMD_READONLY, KEYS(1, 1, 1), "sorted-set", NULL, "Incrementally iterate sorted sets elements and associated scores", "2.8.0", "key cursor [MATCH pattern] [COUNT count]"},
    {"bzpopmin", cmd_bzpopmin, -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST, KEYS(1, -2, 1), "sorted-set", NULL, "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", "5.0.0", "key [key ...] timeout"},
    {"bzpopmax", cmd_bzpopmax, -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST, KEYS(1, -2, 1), "sorted-set", NULL, "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", "5.0.0", "key [key ...] timeout"},
    {"bzmpop", cmd_bzmpop, -5, CMD_WRITE | CMD_BLOCKING, NO_KEYS, "sorted-set", NULL, "Remove and return members with scores in a sorted set or block until one is available", "7.0.0", "timeout numkeys key [key ...] MIN|MAX [COUNT count]"},
    CMD_SPEC_END,
};
/* clang-format on */

/* ------------------------------------------------------------------------------------------
 * The API of t_zset.h */

Kv *zset_kv_new(const char *key, size_t klen) {
    return zset_kv_new_value(key, klen);
}

bool zset_set_member(Kv *kv, double score, const char *ele, size_t len) {
    int out;
    zset_add(kv, score, ele, len, 0, &out, NULL);
    return (out & ZADD_OUT_ADDED) != 0;
}

bool zset_remove_member(Kv *kv, const char *ele, size_t len) {
    return zset_del(kv, ele, len);
}

size_t zset_length(const Kv *kv) {
    return zset_len(kv);
}

bool zset_member_score(Kv *kv, const char *ele, size_t len, double *score) {
    return zset_score(kv, ele, len, score);
}

bool zset_member_rank(Kv *kv, const char *ele, size_t len, long *rank) {
    return zset_rank(kv, ele, len, false, rank);
}

bool zset_at_rank(Kv *kv, long rank, const char **ele, size_t *len, double *score, char *buf) {
    ZIter it;
    ZElem e;
    zit_init(&it, kv, rank, false);
    if (!zit_next(&it, &e)) return false;
    *len = e.len;
    *score = e.score;
    if (e.ele == e.buf) {
        memcpy(buf, e.buf, e.len + 1);
        *ele = buf;
    } else {
        *ele = e.ele;
    }
    return true;
}

void zset_convert_to_skiplist(Kv *kv) {
    zset_to_skiplist(kv);
}
