/* sort.c - SORT and SORT_RO: the elements of a list, set or sorted set, ordered by their
 * numeric value, as strings (ALPHA), or by the values of other keys (BY), with LIMIT,
 * GET (other keys' values in place of the elements) and STORE (the result as a list).
 *
 * Redis 7.0's rules, which clients and scripts depend on:
 *   - the options are parsed before the key is read (a syntax error wins over WRONGTYPE);
 *     a missing key sorts as an empty list;
 *   - numeric weights are read with strtod over the whole string (leading spaces, "" = 0
 *     and "inf" are accepted; an unreadable one fails the command with "One or more scores
 *     can't be converted into double"); equal weights are ordered by the elements' bytes,
 *     so the result is deterministic; DESC reverses the whole comparison;
 *   - ALPHA without BY compares the elements as C strings (strcoll in Redis, which in the C
 *     and C.UTF-8 locales is byte order up to the first NUL); ALPHA with BY compares the
 *     weights' bytes, a missing weight sorting first;
 *   - a BY pattern without '*' means "don't sort": lists and sorted sets keep their order
 *     (DESC reverses it, LIMIT picks the range directly); a set is sorted ALPHA anyway when
 *     the result is stored, so replicas and AOF see the same list;
 *   - a sorted set that is sorted becomes a skiplist (Redis converts it first);
 *   - a pattern "#" is the element itself; "prefix*suffix" is the string key with '*'
 *     replaced by the element; "prefix*->field" is a field of that hash. Anything else (no
 *     '*', a key of another type) is nil, which GET returns and STORE stores as "".
 */
#include "common/mem.h"
#include "common/util.h"
#include "common/vg.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/notify.h"
#include "server/quicklist.h"
#include "server/reply.h"
#include "server/server.h"
#include "server/t_hash.h"
#include "server/t_set.h"
#include "server/t_zset.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bytes that may have been produced on the fly (integers formatted, hash values copied):
 * every string SORT handles is owned by the SortItem or the Str that holds it. */
typedef struct Str {
    char *p; /* NUL-terminated; NULL = nil */
    size_t len;
} Str;

static Str str_copy(const char *p, size_t len) {
    Str s = {mem_alloc(len + 1), len};
    memcpy(s.p, p, len);
    s.p[len] = '\0';
    return s;
}

static Str str_of_ll(long long v) {
    char buf[LP_INTBUF_SIZE];
    return str_copy(buf, (size_t)util_ll_to_str(buf, v));
}

typedef struct SortItem {
    Str ele;
    Str weight; /* ALPHA with BY: the weight's bytes (p NULL when missing) */
    double score;
} SortItem;

typedef struct SortOpts {
    const RespArg *by;
    const RespArg **gets;
    int ngets;
    long long limit_start, limit_count;
    bool desc, alpha, dontsort;
    const RespArg *store;
} SortOpts;

/* ---- patterns ------------------------------------------------------------------------- */

/* The value a BY/GET pattern names for element `ele` (see the header). */
static Str pattern_lookup(Client *c, const RespArg *pat, const Str *ele) {
    Str none = {NULL, 0};
    size_t plen = arg_cstr_len(pat); /* Redis reads patterns as C strings */
    if (plen == 1 && pat->ptr[0] == '#') return str_copy(ele->p, ele->len);
    const char *star = memchr(pat->ptr, '*', plen);
    if (!star) return none;
    const char *after = star + 1, *end = pat->ptr + plen;
    const char *arrow = NULL;
    for (const char *q = after; q + 2 <= end; q++) {
        if (q[0] == '-' && q[1] == '>') {
            arrow = q;
            break;
        }
    }
    if (arrow && arrow + 2 == end) arrow = NULL; /* "->" with no field name is part of the key */
    size_t prefix = (size_t)(star - pat->ptr);
    size_t suffix = (size_t)((arrow ? arrow : end) - after);
    size_t klen = prefix + ele->len + suffix;
    char *key = mem_alloc(klen + 1);
    memcpy(key, pat->ptr, prefix);
    memcpy(key + prefix, ele->p, ele->len);
    memcpy(key + prefix + ele->len, after, suffix);
    Kv *kv = db_lookup_read(c->db, key, klen, LOOKUP_NONE);
    mem_free(key);
    if (!kv) return none;
    if (arrow) {
        if (kv->type != OBJ_HASH) return none;
        char num[HASH_NUMBUF];
        size_t vlen;
        const char *v = hash_get(kv, arrow + 2, (size_t)(end - arrow - 2), &vlen, num);
        return v ? str_copy(v, vlen) : none;
    }
    if (kv->type != OBJ_STRING) return none;
    char num[32];
    size_t vlen;
    const char *v = kv_str(kv, &vlen, num);
    return str_copy(v, vlen);
}

/* ---- gathering the elements ----------------------------------------------------------- */

typedef struct Items {
    SortItem *v;
    size_t n, cap;
} Items;

static void items_push(Items *it, Str ele) {
    if (it->n == it->cap) {
        it->cap = it->cap ? it->cap * 2 : 16;
        it->v = mem_realloc(it->v, it->cap * sizeof(*it->v));
    }
    it->v[it->n++] = (SortItem){.ele = ele, .weight = {NULL, 0}, .score = 0};
}

static void items_free(Items *it) {
    for (size_t i = 0; i < it->n; i++) {
        mem_free(it->v[i].ele.p);
        mem_free(it->v[i].weight.p);
    }
    mem_free(it->v);
}

static unsigned long value_length(const Kv *kv) {
    if (!kv) return 0;
    switch (kv->type) {
    case OBJ_LIST: return ((const Quicklist *)kv->v.ptr)->count;
    case OBJ_SET: return set_size(kv);
    default: return (unsigned long)zset_length(kv);
    }
}

/* Elements [start, start+n) of a list or sorted set in their own order, or from the other
 * end when reverse (the "don't sort" path, which applies LIMIT while reading). */
static void gather_range(Kv *kv, long start, long n, bool reverse, Items *out) {
    if (kv->type == OBJ_LIST) {
        QlIter it;
        long index = reverse ? -start - 1 : start;
        if (n <= 0 || !ql_iter_at(kv->v.ptr, index, !reverse, &it)) return;
        for (long i = 0; i < n && ql_iter_valid(&it); i++, ql_iter_next(&it)) {
            char buf[LP_INTBUF_SIZE];
            size_t len;
            const char *s = ql_iter_get(&it, &len, buf);
            items_push(out, str_copy(s, len));
        }
        return;
    }
    long size = (long)zset_length(kv);
    for (long i = 0; i < n; i++) {
        long rank = reverse ? size - 1 - (start + i) : start + i;
        if (rank < 0 || rank >= size) break;
        const char *ele;
        size_t len;
        double score;
        char buf[LP_INTBUF_SIZE];
        if (!zset_at_rank(kv, rank, &ele, &len, &score, buf)) break;
        items_push(out, str_copy(ele, len));
    }
}

static void gather_all(Kv *kv, Items *out) {
    if (!kv) return;
    if (kv->type != OBJ_SET) {
        gather_range(kv, 0, (long)value_length(kv), false, out);
        return;
    }
    SetIter it;
    const char *s;
    size_t len;
    long long ival;
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &s, &len, &ival))
        items_push(out, s ? str_copy(s, len) : str_of_ll(ival));
    set_iter_deinit(&it);
}

/* ---- ordering ------------------------------------------------------------------------- */

static int bytes_cmp(const Str *a, const Str *b) {
    size_t n = VG_MIN(a->len, b->len);
    int cmp = memcmp(a->p, b->p, n);
    if (cmp) return cmp;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* qsort has no context argument: the comparison's options live here while it runs. */
static const SortOpts *cmp_opts;

static int item_cmp(const void *pa, const void *pb) {
    const SortItem *a = pa, *b = pb;
    int cmp;
    if (!cmp_opts->alpha) {
        cmp = a->score > b->score ? 1 : a->score < b->score ? -1 : bytes_cmp(&a->ele, &b->ele);
    } else if (cmp_opts->by) {
        if (!a->weight.p || !b->weight.p)
            cmp = a->weight.p == b->weight.p ? 0 : !a->weight.p ? -1 : 1;
        else
            cmp = bytes_cmp(&a->weight, &b->weight);
    } else {
        cmp = strcmp(a->ele.p, b->ele.p);
    }
    return cmp_opts->desc ? -cmp : cmp;
}

/* Weights for every item; false (and the error replied) when one is not a number. */
static bool compute_weights(Client *c, const SortOpts *o, Items *items) {
    bool bad = false;
    for (size_t i = 0; i < items->n; i++) {
        SortItem *it = &items->v[i];
        Str w = o->by ? pattern_lookup(c, o->by, &it->ele) : it->ele;
        if (o->alpha) {
            if (o->by) it->weight = w;
            continue;
        }
        if (w.p) {
            char *end;
            errno = 0;
            it->score = strtod(w.p, &end);
            if (*end != '\0' || errno == ERANGE || isnan(it->score)) bad = true;
        }
        if (o->by) mem_free(w.p);
    }
    if (bad) reply_error(c, "ERR One or more scores can't be converted into double");
    return !bad;
}

/* ---- the command ---------------------------------------------------------------------- */

static int parse_or_reply(Client *c, bool readonly, SortOpts *o) {
    *o = (SortOpts){.limit_start = 0, .limit_count = -1};
    o->gets = mem_alloc(sizeof(*o->gets) * (size_t)c->argc);
    for (int j = 2; j < c->argc; j++) {
        int left = c->argc - j - 1;
        const RespArg *a = &c->argv[j];
        if (arg_is(a, "asc")) {
            o->desc = false;
        } else if (arg_is(a, "desc")) {
            o->desc = true;
        } else if (arg_is(a, "alpha")) {
            o->alpha = true;
        } else if (arg_is(a, "limit") && left >= 2) {
            if (arg_to_ll_or_reply(c, &c->argv[j + 1], &o->limit_start, NULL) != 0 ||
                arg_to_ll_or_reply(c, &c->argv[j + 2], &o->limit_count, NULL) != 0)
                return -1;
            j += 2;
        } else if (arg_is(a, "store") && left >= 1 && !readonly) {
            o->store = &c->argv[++j];
        } else if (arg_is(a, "by") && left >= 1) {
            o->by = &c->argv[++j];
            /* without '*' there is nothing to look up: keep the value's own order */
            if (!memchr(o->by->ptr, '*', arg_cstr_len(o->by))) o->dontsort = true;
        } else if (arg_is(a, "get") && left >= 1) {
            o->gets[o->ngets++] = &c->argv[++j];
        } else {
            reply_syntax_error(c);
            return -1;
        }
    }
    return 0;
}

/* The window LIMIT selects out of len items, as [*start, *end] (end < start: none). */
static void limit_window(const SortOpts *o, long len, long *start, long *end) {
    long long s = o->limit_start < 0 ? 0 : o->limit_start, e;
    if (s >= len) {
        s = len - 1;
        e = len - 2;
    } else {
        /* s < len here, so a count past the end cannot overflow the sum */
        e = o->limit_count < 0 || o->limit_count > len ? len - 1 : s + o->limit_count - 1;
    }
    if (e >= len) e = len - 1;
    *start = (long)s;
    *end = (long)e;
}

static void store_result(Client *c, const SortOpts *o, Items *items, long start, long end) {
    Quicklist *ql = ql_new((int)cfg.list_max_listpack_size);
    for (long i = start; i <= end; i++) {
        if (o->ngets == 0) {
            ql_push(ql, items->v[i].ele.p, items->v[i].ele.len, QL_TAIL);
            continue;
        }
        for (int g = 0; g < o->ngets; g++) {
            Str v = pattern_lookup(c, o->gets[g], &items->v[i].ele);
            ql_push(ql, v.p ? v.p : "", v.len, QL_TAIL);
            mem_free(v.p);
        }
    }
    long long n = (long long)ql->count;
    const RespArg *dst = o->store;
    if (n) {
        db_set(c->db, kv_new_ptr(dst->ptr, dst->len, OBJ_LIST, ENC_QUICKLIST, ql), false);
        db_signal_modified(c->db, dst->ptr, dst->len);
        notify_keyspace_event(NOTIFY_LIST, "sortstore", dst->ptr, dst->len, c->db->id);
        srv.dirty += n - 1; /* Redis counts one change per stored element */
    } else {
        ql_free(ql);
        if (db_delete(c->db, dst->ptr, dst->len)) {
            db_signal_modified(c->db, dst->ptr, dst->len);
            notify_keyspace_event(NOTIFY_GENERIC, "del", dst->ptr, dst->len, c->db->id);
        }
    }
    reply_int(c, n);
}

static void reply_result(Client *c, const SortOpts *o, Items *items, long start, long end) {
    long n = end >= start ? end - start + 1 : 0;
    reply_array(c, (long long)n * (o->ngets ? o->ngets : 1));
    for (long i = start; i <= end; i++) {
        if (o->ngets == 0) {
            reply_bulk(c, items->v[i].ele.p, items->v[i].ele.len);
            continue;
        }
        for (int g = 0; g < o->ngets; g++) {
            Str v = pattern_lookup(c, o->gets[g], &items->v[i].ele);
            if (v.p)
                reply_bulk(c, v.p, v.len);
            else
                reply_null(c);
            mem_free(v.p);
        }
    }
}

static void sort_generic(Client *c, bool readonly) {
    SortOpts o;
    Items items = {NULL, 0, 0};
    if (parse_or_reply(c, readonly, &o) != 0) goto done;
    Kv *kv = db_lookup_read(c->db, c->argv[1].ptr, c->argv[1].len, LOOKUP_NONE);
    if (kv && kv->type != OBJ_LIST && kv->type != OBJ_SET && kv->type != OBJ_ZSET) {
        reply_wrongtype(c);
        goto done;
    }
    /* Redis converts a sorted set it sorts to the skiplist encoding, for good: OBJECT
     * ENCODING shows it afterwards, so do the same. */
    if (kv && kv->type == OBJ_ZSET && kv->encoding == ENC_LISTPACK) zset_convert_to_skiplist(kv);
    /* A stored set must come out the same everywhere (replicas, AOF): sort it by value. */
    if (o.dontsort && kv && kv->type == OBJ_SET && o.store) {
        o.dontsort = false;
        o.alpha = true;
        o.by = NULL;
    }
    long len = (long)value_length(kv), start, end;
    limit_window(&o, len, &start, &end);
    if (o.dontsort && kv && kv->type != OBJ_SET) {
        /* the value's own order, LIMIT applied while reading */
        gather_range(kv, start, end >= start ? end - start + 1 : 0, o.desc, &items);
        start = 0;
        end = (long)items.n - 1;
    } else {
        gather_all(kv, &items);
        if (!o.dontsort) {
            if (!compute_weights(c, &o, &items)) goto done;
            cmp_opts = &o;
            if (items.n > 1) qsort(items.v, items.n, sizeof(*items.v), item_cmp);
        }
    }
    if (o.store)
        store_result(c, &o, &items, start, end);
    else
        reply_result(c, &o, &items, start, end);
done:
    items_free(&items);
    mem_free(o.gets);
}

/* SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
 *      [STORE destination] */
static void cmd_sort(Client *c) {
    sort_generic(c, false);
}

/* SORT_RO: SORT without STORE (a read-only command scripts and replicas may run). */
static void cmd_sort_ro(Client *c) {
    sort_generic(c, true);
}

/* clang-format off */
const CmdSpec sort_commands[] = {
    {"sort",    cmd_sort,    -2, CMD_WRITE | CMD_DENYOOM, KEYS(1, 1, 1), "generic", NULL, "Sort the elements in a list, set or sorted set", "1.0.0", "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA] [STORE destination]"},
    {"sort_ro", cmd_sort_ro, -2, CMD_READONLY,            KEYS(1, 1, 1), "generic", NULL, "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", "7.0.0", "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]"},
    CMD_SPEC_END,
};
/* clang-format on */
