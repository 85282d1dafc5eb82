/* rdb_legacy.c - the RDB encodings of Redis before 7.0 (see rdb_legacy.h): ziplist and
 * zipmap blobs become Vigil's lists, hashes and sorted sets.
 *
 * Every blob is first deep-validated (common/ziplist.h), so a hostile file can only make
 * the load fail, never make it read outside the blob. The resulting encodings follow what
 * Redis 7.0.15 does after loading the same file (checked against it by
 * tests/integration/test_rdb_legacy.py):
 *   type 9  zipmap -> hash     listpack, or hashtable when it has more than
 *                              hash-max-listpack-entries fields or a field/value longer than
 *                              hash-max-listpack-value
 *   type 10 ziplist -> list    quicklist (list-max-listpack-size applies)
 *   type 12 ziplist -> zset    listpack, or skiplist past zset-max-listpack-entries members
 *                              (long members do not convert: Redis keeps the listpack too)
 *   type 13 ziplist -> hash    listpack, or hashtable past hash-max-listpack-entries fields
 *                              (long values do not convert: Redis checks only the count)
 *   type 14 quicklist node     appended element by element (empty nodes add nothing)
 * Field and member duplicates make the blob invalid, as Redis's dup-checking validators do.
 * An empty ziplist is a key to skip (Redis logs "skipping empty key"); an empty zipmap is
 * refused, as Redis's zipmapValidateIntegrity refuses it. */
#include "server/rdb_legacy.h"

#include "common/listpack.h"
#include "common/mem.h"
#include "common/util.h"
#include "common/ziplist.h"
#include "server/quicklist.h"
#include "server/server.h"
#include "server/t_hash.h"
#include "server/t_zset.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    RDB_TYPE_HASH_ZIPMAP = 9,
    RDB_TYPE_LIST_ZIPLIST = 10,
    RDB_TYPE_ZSET_ZIPLIST = 12,
    RDB_TYPE_HASH_ZIPLIST = 13,
};

/* One decoded element: bytes, integers formatted into num (so s may point into it). */
typedef struct Item {
    const char *s;
    size_t len;
    double score; /* zsets: the score of the member this item is */
    char num[LP_INTBUF_SIZE];
} Item;

static void item_set(Item *it, const ZiplistEntry *e) {
    if (e->s) {
        it->s = (const char *)e->s;
        it->len = e->len;
    } else {
        it->len = (size_t)util_ll_to_str(it->num, e->ival);
        it->s = it->num;
    }
}

/* Validate and decode a ziplist into a new array of its *n items (NULL with err set when
 * invalid). Item pointers point into blob or into the array itself. */
static Item *decode_ziplist(const uint8_t *blob, size_t len, size_t *n, char *err, size_t errlen) {
    if (!ziplist_validate(blob, len, n)) {
        snprintf(err, errlen, "ziplist integrity check failed");
        return NULL;
    }
    Item *items = mem_alloc((*n ? *n : 1) * sizeof(Item));
    ZiplistIter zi;
    ZiplistEntry e;
    ziplist_iter_init(&zi, blob, len);
    for (size_t i = 0; i < *n && ziplist_iter_next(&zi, &e); i++)
        item_set(&items[i], &e);
    return items;
}

static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen) {
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c) return c;
    return alen < blen ? -1 : alen > blen;
}

static int cmp_item_ptr(const void *a, const void *b) {
    const Item *x = *(Item *const *)a, *y = *(Item *const *)b;
    return cmp_bytes(x->s, x->len, y->s, y->len);
}

/* Is any of the n items at items[0], items[step], items[2*step]... repeated? O(n log n). */
static bool has_duplicates(Item *items, size_t n, size_t step) {
    if (n < 2) return false;
    Item **sorted = mem_alloc(n * sizeof(*sorted));
    for (size_t i = 0; i < n; i++)
        sorted[i] = &items[i * step];
    qsort(sorted, n, sizeof(*sorted), cmp_item_ptr);
    bool dup = false;
    for (size_t i = 1; i < n && !dup; i++)
        dup = cmp_item_ptr(&sorted[i - 1], &sorted[i]) == 0;
    mem_free(sorted);
    return dup;
}

/* ---- lists ------------------------------------------------------------------------------ */

int rdb_legacy_list_append_ziplist(
    Kv *list_kv, const uint8_t *blob, size_t len, char *err, size_t errlen) {
    size_t n;
    Item *items = decode_ziplist(blob, len, &n, err, errlen);
    if (!items) return -1;
    Quicklist *ql = list_kv->v.ptr;
    for (size_t i = 0; i < n; i++)
        ql_push(ql, items[i].s, items[i].len, QL_TAIL);
    mem_free(items);
    return 0;
}

/* Type 10: one ziplist is a whole list (an empty one means: skip the key). */
static Kv *list_from_ziplist(
    const char *key, size_t keylen, const uint8_t *blob, size_t len, char *err, size_t errlen) {
    Quicklist *ql = ql_new((int)cfg.list_max_listpack_size);
    Kv *kv = kv_new_ptr(key, keylen, OBJ_LIST, ENC_QUICKLIST, ql);
    int r = rdb_legacy_list_append_ziplist(kv, blob, len, err, errlen);
    if (r == 0 && ql->count > 0) return kv;
    if (r == 0) err[0] = '\0';
    kv_free(kv);
    return NULL;
}

/* ---- hashes ----------------------------------------------------------------------------- */

/* A listpack hash of the npairs pairs in items (field, value, field, value ...), in that
 * order, converted to a hashtable when convert. */
static Kv *
hash_from_items(const char *key, size_t keylen, Item *items, size_t npairs, bool convert) {
    unsigned char *lp = lp_new(0);
    for (size_t i = 0; i < 2 * npairs; i++)
        lp = lp_append(lp, items[i].s, items[i].len);
    Kv *kv = kv_new_ptr(key, keylen, OBJ_HASH, ENC_LISTPACK, lp);
    if (convert) hash_convert(kv);
    return kv;
}

static Kv *hash_from_ziplist(
    const char *key, size_t keylen, const uint8_t *blob, size_t len, char *err, size_t errlen) {
    size_t n;
    Item *items = decode_ziplist(blob, len, &n, err, errlen);
    if (!items) return NULL;
    Kv *kv = NULL;
    if (n % 2) {
        snprintf(err, errlen, "hash ziplist with an odd number of entries (%zu)", n);
    } else if (n == 0) {
        err[0] = '\0';
    } else if (has_duplicates(items, n / 2, 2)) {
        snprintf(err, errlen, "duplicate field in hash ziplist");
    } else {
        bool convert = (long long)(n / 2) > cfg.hash_max_listpack_entries;
        kv = hash_from_items(key, keylen, items, n / 2, convert);
    }
    mem_free(items);
    return kv;
}

static Kv *hash_from_zipmap(
    const char *key, size_t keylen, const uint8_t *blob, size_t len, char *err, size_t errlen) {
    size_t n;
    if (!zipmap_validate(blob, len, &n)) {
        snprintf(err, errlen, "zipmap integrity check failed");
        return NULL;
    }
    if (n == 0) {
        snprintf(err, errlen, "empty zipmap");
        return NULL;
    }
    Item *items = mem_alloc(2 * n * sizeof(Item));
    ZipmapIter zi;
    zipmap_iter_init(&zi, blob, len);
    size_t maxlen = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *f, *v;
        size_t flen, vlen;
        if (!zipmap_iter_next(&zi, &f, &flen, &v, &vlen)) break; /* validated: cannot */
        items[2 * i] = (Item){.s = (const char *)f, .len = flen};
        items[2 * i + 1] = (Item){.s = (const char *)v, .len = vlen};
        if (flen > maxlen) maxlen = flen;
        if (vlen > maxlen) maxlen = vlen;
    }
    Kv *kv = NULL;
    if (has_duplicates(items, n, 2)) {
        snprintf(err, errlen, "duplicate field in hash zipmap");
    } else {
        bool convert = (long long)n > cfg.hash_max_listpack_entries ||
                       (long long)maxlen > cfg.hash_max_listpack_value;
        kv = hash_from_items(key, keylen, items, n, convert);
    }
    mem_free(items);
    return kv;
}

/* ---- sorted sets ------------------------------------------------------------------------ */

/* A score as Redis's zzlStrtod reads one from a ziplist: strtod over at most 127 bytes. A
 * text strtod cannot start on, or NaN, is an error here (Redis would take 0 or NaN). */
static bool parse_score(const Item *it, double *out) {
    char buf[128];
    size_t n = it->len < sizeof(buf) - 1 ? it->len : sizeof(buf) - 1;
    memcpy(buf, it->s, n);
    buf[n] = '\0';
    char *end;
    double d = strtod(buf, &end);
    if (end == buf || isnan(d)) return false;
    *out = d;
    return true;
}

/* Listpack order: by score, then member bytes (Redis's zzlInsert order). */
static int cmp_member_score(const void *a, const void *b) {
    const Item *x = *(Item *const *)a, *y = *(Item *const *)b;
    if (x->score != y->score) return x->score < y->score ? -1 : 1;
    return cmp_bytes(x->s, x->len, y->s, y->len);
}

/* The listpack form of a score (Redis's d2string, as t_zset.c stores it). */
static int fmt_score(char *buf, size_t cap, double d) {
    if (isinf(d)) return snprintf(buf, cap, d > 0 ? "inf" : "-inf");
    const double lim = (double)(LLONG_MAX / 2);
    if (d >= -lim && d <= lim && d == (double)(long long)d)
        return util_ll_to_str(buf, (long long)d);
    return snprintf(buf, cap, "%.17g", d);
}

static Kv *zset_from_members(const char *key, size_t keylen, Item *items, size_t nmembers) {
    if ((long long)nmembers > cfg.zset_max_listpack_entries) {
        Kv *kv = zset_kv_new(key, keylen);
        zset_convert_to_skiplist(kv);
        for (size_t i = 0; i < nmembers; i++)
            zset_set_member(kv, items[2 * i].score, items[2 * i].s, items[2 * i].len);
        return kv;
    }
    /* A listpack whatever the members' lengths, as Redis keeps the converted ziplist. */
    Item **order = mem_alloc(nmembers * sizeof(*order));
    for (size_t i = 0; i < nmembers; i++)
        order[i] = &items[2 * i];
    qsort(order, nmembers, sizeof(*order), cmp_member_score);
    unsigned char *lp = lp_new(0);
    for (size_t i = 0; i < nmembers; i++) {
        char sbuf[64];
        int slen = fmt_score(sbuf, sizeof(sbuf), order[i]->score);
        lp = lp_append(lp, order[i]->s, order[i]->len);
        lp = lp_append(lp, sbuf, (size_t)slen);
    }
    mem_free(order);
    return kv_new_ptr(key, keylen, OBJ_ZSET, ENC_LISTPACK, lp);
}

static Kv *zset_from_ziplist(
    const char *key, size_t keylen, const uint8_t *blob, size_t len, char *err, size_t errlen) {
    size_t n;
    Item *items = decode_ziplist(blob, len, &n, err, errlen);
    if (!items) return NULL;
    Kv *kv = NULL;
    if (n % 2) {
        snprintf(err, errlen, "zset ziplist with an odd number of entries (%zu)", n);
        goto done;
    }
    if (n == 0) {
        err[0] = '\0';
        goto done;
    }
    for (size_t i = 0; i < n; i += 2) {
        if (!parse_score(&items[i + 1], &items[i].score)) {
            snprintf(err, errlen, "invalid score in zset ziplist");
            goto done;
        }
    }
    if (has_duplicates(items, n / 2, 2)) {
        snprintf(err, errlen, "duplicate member in zset ziplist");
        goto done;
    }
    kv = zset_from_members(key, keylen, items, n / 2);
done:
    mem_free(items);
    return kv;
}

Kv *rdb_legacy_blob_to_kv(int rdbtype,
                          const char *key,
                          size_t keylen,
                          const uint8_t *blob,
                          size_t len,
                          char *err,
                          size_t errlen) {
    switch (rdbtype) {
    case RDB_TYPE_HASH_ZIPMAP: return hash_from_zipmap(key, keylen, blob, len, err, errlen);
    case RDB_TYPE_LIST_ZIPLIST: return list_from_ziplist(key, keylen, blob, len, err, errlen);
    case RDB_TYPE_ZSET_ZIPLIST: return zset_from_ziplist(key, keylen, blob, len, err, errlen);
    case RDB_TYPE_HASH_ZIPLIST: return hash_from_ziplist(key, keylen, blob, len, err, errlen);
    default: snprintf(err, errlen, "RDB type %d is not a ziplist or zipmap type", rdbtype);
    }
    return NULL;
}
