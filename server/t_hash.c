/* t_hash.c - the hash type: its two encodings, TypeOps, and the H* commands.
 *
 * Encodings, as OBJECT ENCODING names them and as Redis 7.0 chooses them:
 *   ENC_LISTPACK   kv->v.ptr = listpack  <field> <value> <field> <value> ...
 *                  while the hash has <= hash-max-listpack-entries fields and every field
 *                  and value is <= hash-max-listpack-value bytes. Byte for byte Redis's
 *                  layout (integers stored as listpack integers), so RDB can copy it.
 *   ENC_HASHTABLE  kv->v.ptr = Dict of HashNode, one block per pair:
 *
 *       +----------------+--------+--------+--------------------------+
 *       | DictNode next  |  flen  |  vlen  | field bytes  value bytes |
 *       |      8 B       | u32    | u32    |  (no NULs)               |
 *       +----------------+--------+--------+--------------------------+
 *
 *                  flen == HN_LONG marks a pair with a length >= 4 GiB: then both lengths
 *                  are size_t at the start of the data. A 10-byte field with a 10-byte
 *                  value is one 40-byte block where Redis spends a dictEntry and two sds.
 * Conversion only goes listpack -> hashtable (as in Redis): before a write brings a field or
 * value over the byte limit (HSET/HMSET check all their arguments first, as Redis's
 * hashTypeTryConversion does, even pairs that only update; HSETNX only when it writes),
 * and after an insert takes the count over the entry limit. Empty hashes never stay in
 * the keyspace.
 *
 * Replies, errors and their order follow Redis 7.0.15 (compat/hashes.txt checks them). */
#include "server/t_hash.h"

#include "common/listpack.h"
#include "common/mem.h"
#include "common/util.h"
#include "common/vg.h"
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

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static_assert(HASH_NUMBUF == LP_INTBUF_SIZE, "t_hash.h's number buffer is listpack's");

/* ------------------------------------------------------------------------------------------
 * Hashtable nodes */

#define HN_LONG UINT32_MAX

typedef struct HashNode {
    DictNode node;
    uint32_t flen; /* HN_LONG: both lengths are size_t at the start of data */
    uint32_t vlen;
    char data[];
} HashNode;

static bool hn_is_long(const HashNode *n) {
    return n->flen == HN_LONG;
}

static const char *hn_field(const HashNode *n, size_t *len) {
    if (!hn_is_long(n)) {
        *len = n->flen;
        return n->data;
    }
    memcpy(len, n->data, sizeof(size_t));
    return n->data + 2 * sizeof(size_t);
}

static const char *hn_value(const HashNode *n, size_t *len) {
    if (!hn_is_long(n)) {
        *len = n->vlen;
        return n->data + n->flen;
    }
    size_t flen;
    memcpy(&flen, n->data, sizeof(size_t));
    memcpy(len, n->data + sizeof(size_t), sizeof(size_t));
    return n->data + 2 * sizeof(size_t) + flen;
}

static size_t hn_alloc_size(size_t flen, size_t vlen) {
    bool lng = flen >= HN_LONG || vlen >= HN_LONG;
    return sizeof(HashNode) + (lng ? 2 * sizeof(size_t) : 0) + flen + vlen;
}

/* Write field and value into a block of at least hn_alloc_size(flen, vlen) bytes. The
 * value may not overlap the block (callers pass bytes from arguments or another node). */
static HashNode *hn_fill(HashNode *n, const char *f, size_t flen, const char *v, size_t vlen) {
    char *d = n->data;
    if (flen >= HN_LONG || vlen >= HN_LONG) {
        n->flen = n->vlen = HN_LONG;
        memcpy(d, &flen, sizeof(size_t));
        memcpy(d + sizeof(size_t), &vlen, sizeof(size_t));
        d += 2 * sizeof(size_t);
    } else {
        n->flen = (uint32_t)flen;
        n->vlen = (uint32_t)vlen;
    }
    if (flen) memmove(d, f, flen);
    if (vlen) memcpy(d + flen, v, vlen);
    return n;
}

static HashNode *hn_new(const char *f, size_t flen, const char *v, size_t vlen) {
    HashNode *n = mem_alloc(hn_alloc_size(flen, vlen));
    n->node.next = NULL;
    return hn_fill(n, f, flen, v, vlen);
}

static const char *hn_node_key(const DictNode *dn, size_t *len) {
    return hn_field((const HashNode *)dn, len);
}

static const DictType hash_dict_type = {hn_node_key, false};

static void hn_free_cb(DictNode *n, void *ud) {
    VG_UNUSED(ud);
    mem_free(n);
}

static Dict *ht_new(void) {
    Dict *d = mem_alloc(sizeof(*d));
    dict_init(d, &hash_dict_type);
    return d;
}

static void ht_free(Dict *d) {
    dict_deinit(d, hn_free_cb, NULL);
    mem_free(d);
}

/* Set a field in the table; true if it was new. A new value that fits the node's block
 * (and does not leave most of it empty) is written in place; otherwise a new node takes
 * the old one's place in its bucket chain. */
static bool ht_set(Dict *d, const char *f, size_t flen, const char *v, size_t vlen) {
    HashNode *n = (HashNode *)dict_find(d, f, flen);
    if (!n) {
        dict_insert(d, &hn_new(f, flen, v, vlen)->node);
        return true;
    }
    size_t need = hn_alloc_size(flen, vlen), have = mem_usable_size(n);
    if (!hn_is_long(n) && vlen < HN_LONG && need <= have && need >= have / 2) {
        n->vlen = (uint32_t)vlen; /* the field stays where it is */
        if (vlen) memcpy(n->data + n->flen, v, vlen);
        return false;
    }
    size_t ofl;
    const char *of = hn_field(n, &ofl);
    HashNode *nn = hn_new(of, ofl, v, vlen);
    dict_replace(d, &n->node, &nn->node);
    mem_free(n);
    return false;
}

/* ------------------------------------------------------------------------------------------
 * Encoding-independent operations on a hash Kv */

unsigned long hash_length(const Kv *kv) {
    if (kv->encoding == ENC_LISTPACK) return lp_length(kv->v.ptr) / 2;
    return (unsigned long)dict_size(kv->v.ptr);
}

/* The value entry of `field` in a listpack hash, or NULL. */
static unsigned char *lp_hash_find(unsigned char *lp, const char *f, size_t flen) {
    unsigned char *fp = lp_find(lp, lp_first(lp), f, flen, 1);
    return fp ? lp_next(lp, fp) : NULL;
}

const char *
hash_get(const Kv *kv, const char *field, size_t flen, size_t *vlen, char numbuf[HASH_NUMBUF]) {
    if (kv->encoding == ENC_LISTPACK) {
        unsigned char *vp = lp_hash_find(kv->v.ptr, field, flen);
        return vp ? lp_get_str(vp, vlen, numbuf) : NULL;
    }
    HashNode *n = (HashNode *)dict_find(kv->v.ptr, field, flen);
    return n ? hn_value(n, vlen) : NULL;
}

void hash_iter_init(HashIter *it, Kv *kv) {
    it->kv = kv;
    it->p = NULL;
    if (kv->encoding == ENC_LISTPACK)
        it->p = lp_first(kv->v.ptr);
    else /* safe: a caller may look fields up in the same hash while it walks (SORT GET) */
        dict_iter_init(&it->di, kv->v.ptr, true);
}

bool hash_iter_next(
    HashIter *it, const char **field, size_t *flen, const char **val, size_t *vlen) {
    if (it->kv->encoding == ENC_LISTPACK) {
        if (!it->p) return false;
        unsigned char *lp = it->kv->v.ptr, *vp = lp_next(lp, it->p);
        *field = lp_get_str(it->p, flen, it->fbuf);
        *val = lp_get_str(vp, vlen, it->vbuf);
        it->p = lp_next(lp, vp);
        return true;
    }
    HashNode *n = (HashNode *)dict_iter_next(&it->di);
    if (!n) return false;
    *field = hn_field(n, flen);
    *val = hn_value(n, vlen);
    return true;
}

void hash_iter_deinit(HashIter *it) {
    if (it->kv->encoding != ENC_LISTPACK) dict_iter_deinit(&it->di);
}

Kv *hash_kv_new(const char *key, size_t klen) {
    return kv_new_ptr(key, klen, OBJ_HASH, ENC_LISTPACK, lp_new(0));
}

/* listpack -> hashtable, keeping every pair (Redis's hashTypeConvertListpack). */
void hash_convert(Kv *kv) {
    if (kv->encoding != ENC_LISTPACK) return;
    unsigned char *lp = kv->v.ptr;
    Dict *d = ht_new();
    dict_expand(d, lp_length(lp) / 2);
    char fb[LP_INTBUF_SIZE], vb[LP_INTBUF_SIZE];
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        unsigned char *vp = lp_next(lp, p);
        size_t flen, vlen;
        const char *f = lp_get_str(p, &flen, fb);
        const char *v = lp_get_str(vp, &vlen, vb);
        dict_insert(d, &hn_new(f, flen, v, vlen)->node);
        p = vp;
    }
    lp_free(lp);
    kv->v.ptr = d;
    kv->encoding = ENC_HASHTABLE;
}

static bool hash_value_too_long(size_t len) {
    return (long long)len > cfg.hash_max_listpack_value;
}

/* Redis's hashTypeTryConversion: before HSET/HMSET/HSETNX write, any argument in
 * argv[first..last] longer than the value limit (or a total the listpack cannot safely
 * take) converts the hash. */
static void hash_try_conversion(Kv *kv, const RespArg *argv, int first, int last) {
    if (kv->encoding != ENC_LISTPACK) return;
    size_t sum = 0;
    for (int i = first; i <= last; i++) {
        if (hash_value_too_long(argv[i].len)) {
            hash_convert(kv);
            return;
        }
        sum += argv[i].len;
    }
    if (!lp_safe_to_add(kv->v.ptr, sum)) hash_convert(kv);
}

/* Set field to value; true if the field is new. Converts first when either is too long
 * for the listpack (HINCRBY* reach here without hash_try_conversion), and after an insert
 * that takes the count over the entry limit. */
bool hash_set(Kv *kv, const char *f, size_t flen, const char *v, size_t vlen) {
    if (kv->encoding == ENC_LISTPACK && (hash_value_too_long(flen) || hash_value_too_long(vlen)))
        hash_convert(kv);
    if (kv->encoding != ENC_LISTPACK) return ht_set(kv->v.ptr, f, flen, v, vlen);

    unsigned char *lp = kv->v.ptr;
    unsigned char *vp = lp_hash_find(lp, f, flen);
    if (vp) {
        kv->v.ptr = lp_replace(lp, &vp, v, vlen);
        return false;
    }
    lp = lp_append(lp, f, flen);
    kv->v.ptr = lp_append(lp, v, vlen);
    if ((long long)hash_length(kv) > cfg.hash_max_listpack_entries) hash_convert(kv);
    return true;
}

/* Remove a field; true if it was there. The table shrinks when mostly empty, as Redis's
 * hashTypeDelete resizes after every delete. */
bool hash_delete(Kv *kv, const char *f, size_t flen) {
    if (kv->encoding == ENC_LISTPACK) {
        unsigned char *lp = kv->v.ptr;
        unsigned char *fp = lp_find(lp, lp_first(lp), f, flen, 1);
        if (!fp) return false;
        kv->v.ptr = lp_delete_range_p(lp, &fp, 2);
        return true;
    }
    DictNode *n = dict_unlink(kv->v.ptr, f, flen);
    if (!n) return false;
    mem_free(n);
    dict_resize_if_needed(kv->v.ptr);
    return true;
}

/* ------------------------------------------------------------------------------------------
 * TypeOps */

static void hash_free_value(Kv *kv) {
    if (kv->encoding == ENC_LISTPACK)
        lp_free(kv->v.ptr);
    else
        ht_free(kv->v.ptr);
    kv->v.ptr = NULL;
}

static void *hash_dup_value(const Kv *kv) {
    if (kv->encoding == ENC_LISTPACK) {
        size_t n = lp_bytes(kv->v.ptr);
        unsigned char *lp = mem_alloc(n);
        memcpy(lp, kv->v.ptr, n);
        return lp;
    }
    Dict *src = kv->v.ptr, *d = ht_new();
    dict_expand(d, dict_size(src));
    DictIter it;
    dict_iter_init(&it, src, false);
    for (DictNode *dn; (dn = dict_iter_next(&it));) {
        const HashNode *n = (const HashNode *)dn;
        size_t flen, vlen;
        const char *f = hn_field(n, &flen), *v = hn_value(n, &vlen);
        dict_insert(d, &hn_new(f, flen, v, vlen)->node);
    }
    dict_iter_deinit(&it);
    return d;
}

/* Redis's objectComputeSize for hashes: the listpack block; or the table, its buckets and
 * the average node of the first `samples` (0 = all) times the count. */
static size_t hash_memory_usage(const Kv *kv, long long samples) {
    if (kv->encoding == ENC_LISTPACK) return mem_usable_size(kv->v.ptr);
    Dict *d = kv->v.ptr;
    size_t total = mem_usable_size(d) + dict_buckets(d) * sizeof(DictNode *);
    size_t elesize = 0;
    long long seen = 0;
    DictIter it;
    dict_iter_init(&it, d, false);
    for (DictNode *n; (samples == 0 || seen < samples) && (n = dict_iter_next(&it));) {
        elesize += mem_usable_size(n);
        seen++;
    }
    dict_iter_deinit(&it);
    if (seen) total += (size_t)((double)elesize / (double)seen * (double)dict_size(d));
    return total;
}

/* Redis's hash digest: per pair e = 0; mix(e, field); mix(e, value); then d ^= SHA1(e). */
static void hash_digest(const Kv *kv, ObjDigest d) {
    HashIter it;
    const char *f, *v;
    size_t flen, vlen;
    hash_iter_init(&it, (Kv *)kv);
    while (hash_iter_next(&it, &f, &flen, &v, &vlen)) {
        Digest e;
        memset(e, 0, sizeof(e));
        digest_mix(e, f, flen);
        digest_mix(e, v, vlen);
        digest_xor(d, e, sizeof(e));
    }
    hash_iter_deinit(&it);
}

const TypeOps hash_type_ops = {hash_free_value, hash_dup_value, hash_memory_usage, hash_digest};

/* ------------------------------------------------------------------------------------------
 * Command helpers */

/* Redis's hashTypeLookupWriteOrCreate: the hash at key, created empty (listpack) and added
 * to the db when absent. Every caller then writes at least one field, so the empty hash
 * never outlives the command. NULL after WRONGTYPE. */
static Kv *hash_lookup_create_or_reply(Client *c, const RespArg *key) {
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_HASH, &kv) != 0) return NULL;
    if (kv) return kv;
    kv = hash_kv_new(key->ptr, key->len);
    db_add(c->db, kv);
    return kv;
}

static void hash_signal(Client *c, const RespArg *key, const char *event, long long changes) {
    db_signal_modified(c->db, key->ptr, key->len);
    srv.dirty += changes - 1; /* Redis counts every field written (server.dirty += n) */
    notify_keyspace_event(NOTIFY_HASH, event, key->ptr, key->len, c->db->id);
}

static void reply_field_value(Client *c, const Kv *kv, const RespArg *field) {
    char nb[HASH_NUMBUF];
    size_t vlen;
    const char *v = hash_get(kv, field->ptr, field->len, &vlen, nb);
    if (v)
        reply_bulk(c, v, vlen);
    else
        reply_null(c);
}

/* ------------------------------------------------------------------------------------------
 * Writes */

/* HSET key field value [field value ...] / HMSET (same, replies +OK) */
static void hset_generic(Client *c, bool is_hmset) {
    if (c->argc % 2 == 1) {
        reply_arity_error(c);
        return;
    }
    Kv *kv = hash_lookup_create_or_reply(c, &c->argv[1]);
    if (!kv) return;
    hash_try_conversion(kv, c->argv, 2, c->argc - 1);
    long long created = 0;
    for (int i = 2; i < c->argc; i += 2) {
        const RespArg *f = &c->argv[i], *v = &c->argv[i + 1];
        created += hash_set(kv, f->ptr, f->len, v->ptr, v->len);
    }
    if (is_hmset)
        reply_ok(c);
    else
        reply_int(c, created);
    hash_signal(c, &c->argv[1], "hset", (c->argc - 2) / 2);
}

static void cmd_hset(Client *c) {
    hset_generic(c, false);
}

static void cmd_hmset(Client *c) {
    hset_generic(c, true);
}

/* HSETNX key field value: a long argument converts the hash only when the field is set
 * (Redis 7.0.15 checks for the field first). */
static void cmd_hsetnx(Client *c) {
    Kv *kv = hash_lookup_create_or_reply(c, &c->argv[1]);
    if (!kv) return;
    const RespArg *f = &c->argv[2], *v = &c->argv[3];
    char nb[HASH_NUMBUF];
    size_t vlen;
    if (hash_get(kv, f->ptr, f->len, &vlen, nb)) {
        reply_int(c, 0);
        return;
    }
    hash_try_conversion(kv, c->argv, 2, 3);
    hash_set(kv, f->ptr, f->len, v->ptr, v->len);
    reply_int(c, 1);
    hash_signal(c, &c->argv[1], "hset", 1);
}

/* HDEL key field [field ...]: events "hdel", then "del" when the hash emptied. */
static void cmd_hdel(Client *c) {
    const RespArg *key = &c->argv[1];
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_HASH, &kv) != 0) return;
    if (!kv) {
        reply_int(c, 0);
        return;
    }
    long long deleted = 0;
    bool removed = false;
    for (int j = 2; j < c->argc; j++) {
        if (!hash_delete(kv, c->argv[j].ptr, c->argv[j].len)) continue;
        deleted++;
        if (hash_length(kv) == 0) {
            db_delete(c->db, key->ptr, key->len);
            removed = true;
            break;
        }
    }
    if (deleted) {
        hash_signal(c, key, "hdel", deleted);
        if (removed) notify_keyspace_event(NOTIFY_GENERIC, "del", key->ptr, key->len, c->db->id);
    }
    reply_int(c, deleted);
}

/* HINCRBY key field increment */
static void cmd_hincrby(Client *c) {
    long long incr, value = 0;
    if (arg_to_ll_or_reply(c, &c->argv[3], &incr, NULL) != 0) return;
    Kv *kv = hash_lookup_create_or_reply(c, &c->argv[1]);
    if (!kv) return;
    const RespArg *f = &c->argv[2];
    char nb[HASH_NUMBUF];
    size_t vlen;
    const char *v = hash_get(kv, f->ptr, f->len, &vlen, nb);
    if (v && !util_str_to_ll(v, vlen, &value)) {
        reply_error(c, "ERR hash value is not an integer");
        return;
    }
    if (__builtin_add_overflow(value, incr, &value)) {
        reply_error(c, ERRT_OVERFLOW);
        return;
    }
    int n = util_ll_to_str(nb, value);
    hash_set(kv, f->ptr, f->len, nb, (size_t)n);
    reply_int(c, value);
    hash_signal(c, &c->argv[1], "hincrby", 1);
}

/* HINCRBYFLOAT key field increment: long double arithmetic and INCRBYFLOAT's formatting. */
static void cmd_hincrbyfloat(Client *c) {
    long double incr, value = 0;
    if (arg_to_ldouble_or_reply(c, &c->argv[3], &incr, NULL) != 0) return;
    if (isnan(incr) || isinf(incr)) {
        reply_error(c, "ERR value is NaN or Infinity");
        return;
    }
    Kv *kv = hash_lookup_create_or_reply(c, &c->argv[1]);
    if (!kv) return;
    const RespArg *f = &c->argv[2];
    char nb[HASH_NUMBUF];
    size_t vlen;
    const char *v = hash_get(kv, f->ptr, f->len, &vlen, nb);
    if (v && !util_str_to_ldouble(v, vlen, &value)) {
        reply_error(c, "ERR hash value is not a float");
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    char buf[UTIL_LD_STR_MAX];
    int n = util_ldouble_to_str(buf, sizeof(buf), value);
    VG_ASSERT(n > 0); /* finite values always fit UTIL_LD_STR_MAX */
    hash_set(kv, f->ptr, f->len, buf, (size_t)n);
    reply_bulk(c, buf, (size_t)n);
    hash_signal(c, &c->argv[1], "hincrbyfloat", 1);
    /* The sum as computed here, so a replay cannot round differently. */
    RespArg av[4] = {{"HSET", 4}, c->argv[1], *f, {buf, (size_t)n}};
    propagate_rewrite(c, 4, av);
}

/* ------------------------------------------------------------------------------------------
 * Reads */

static void cmd_hget(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_HASH, &kv) != 0) return;
    if (!kv) {
        reply_null(c);
        return;
    }
    reply_field_value(c, kv, &c->argv[2]);
}

static void cmd_hmget(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_HASH, &kv) != 0) return;
    reply_array(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        if (kv)
            reply_field_value(c, kv, &c->argv[j]);
        else
            reply_null(c);
    }
}

static void cmd_hexists(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_HASH, &kv) != 0) return;
    char nb[HASH_NUMBUF];
    size_t vlen;
    reply_int(c, kv && hash_get(kv, c->argv[2].ptr, c->argv[2].len, &vlen, nb) ? 1 : 0);
}

static void cmd_hlen(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_HASH, &kv) != 0) return;
    reply_int(c, kv ? (long long)hash_length(kv) : 0);
}

static void cmd_hstrlen(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_HASH, &kv) != 0) return;
    char nb[HASH_NUMBUF];
    size_t vlen = 0;
    if (kv && !hash_get(kv, c->argv[2].ptr, c->argv[2].len, &vlen, nb)) vlen = 0;
    reply_int(c, (long long)vlen);
}

enum {
    HGET_FIELDS = 1 << 0,
    HGET_VALUES = 1 << 1,
};

/* HKEYS, HVALS (arrays) and HGETALL (a RESP3 map). */
static void hgetall_generic(Client *c, int what) {
    Kv *kv;
    bool map = what == (HGET_FIELDS | HGET_VALUES);
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_HASH, &kv) != 0) return;
    long long n = kv ? (long long)hash_length(kv) : 0;
    if (map)
        reply_map(c, n);
    else
        reply_array(c, n);
    if (!kv) return;
    HashIter it;
    const char *f, *v;
    size_t flen, vlen;
    hash_iter_init(&it, kv);
    while (hash_iter_next(&it, &f, &flen, &v, &vlen)) {
        if (what & HGET_FIELDS) reply_bulk(c, f, flen);
        if (what & HGET_VALUES) reply_bulk(c, v, vlen);
    }
    hash_iter_deinit(&it);
}

static void cmd_hkeys(Client *c) {
    hgetall_generic(c, HGET_FIELDS);
}

static void cmd_hvals(Client *c) {
    hgetall_generic(c, HGET_VALUES);
}

static void cmd_hgetall(Client *c) {
    hgetall_generic(c, HGET_FIELDS | HGET_VALUES);
}

/* ------------------------------------------------------------------------------------------
 * HRANDFIELD */

/* One pair of the reply: RESP3 WITHVALUES nests each pair in a 2-array. */
static void hrand_reply_pair(
    Client *c, const char *f, size_t flen, const char *v, size_t vlen, bool withvalues) {
    if (withvalues && c->resp > 2) reply_array(c, 2);
    reply_bulk(c, f, flen);
    if (withvalues) reply_bulk(c, v, vlen);
}

static void hrand_reply_lp(Client *c, unsigned char *lp, unsigned char *fp, bool withvalues) {
    char fb[LP_INTBUF_SIZE], vb[LP_INTBUF_SIZE];
    size_t flen, vlen = 0;
    const char *f = lp_get_str(fp, &flen, fb), *v = NULL;
    if (withvalues) v = lp_get_str(lp_next(lp, fp), &vlen, vb);
    hrand_reply_pair(c, f, flen, v, vlen, withvalues);
}

static void hrand_reply_node(Client *c, const DictNode *dn, bool withvalues) {
    const HashNode *n = (const HashNode *)dn;
    size_t flen, vlen;
    const char *f = hn_field(n, &flen), *v = hn_value(n, &vlen);
    hrand_reply_pair(c, f, flen, v, vlen, withvalues);
}

/* The field entries of a listpack hash, in order (caller frees). */
static unsigned char **lp_hash_fields(unsigned char *lp, unsigned long n) {
    unsigned char **fields = mem_alloc(n * sizeof(*fields));
    unsigned long i = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p)))
        fields[i++] = p;
    return fields;
}

static void reply_array_len(Client *c, unsigned long n, bool withvalues) {
    reply_array(c, (long long)(withvalues && c->resp == 2 ? n * 2 : n));
}

/* A random node, fairer than dict_random (which favours nodes alone in their bucket):
 * uniform among up to 15 nodes gathered from consecutive buckets at a random spot, as
 * Redis's dictGetFairRandomKey. A table of at most 15 fields is drawn from uniformly. */
static DictNode *ht_fair_random(Dict *d) {
    DictNode *some[15];
    unsigned n = dict_sample(d, some, 15);
    return n ? some[util_rand64() % n] : dict_random(d);
}

/* Negative count (or 1): `count` independent draws, repeats allowed, random order. The
 * loop stops early when the client is being closed (output limits), as Redis's does. */
static void hrand_with_repeats(Client *c, Kv *kv, unsigned long count, bool withvalues) {
    reply_array_len(c, count, withvalues);
    if (kv->encoding != ENC_LISTPACK) {
        while (count-- && !(c->flags & CLIENT_CLOSE_ASAP))
            hrand_reply_node(c, ht_fair_random(kv->v.ptr), withvalues);
        return;
    }
    unsigned char *lp = kv->v.ptr;
    unsigned long n = hash_length(kv);
    unsigned char **fields = lp_hash_fields(lp, n);
    while (count-- && !(c->flags & CLIENT_CLOSE_ASAP))
        hrand_reply_lp(c, lp, fields[util_rand64() % n], withvalues);
    mem_free(fields);
}

/* Positive count below the size of a listpack hash: a uniform subset of `count` pairs in
 * listpack order (selection sampling: one walk, each pair kept with probability
 * needed / remaining). */
static void hrand_unique_lp(Client *c, Kv *kv, unsigned long count, bool withvalues) {
    unsigned char *lp = kv->v.ptr;
    unsigned long remaining = hash_length(kv), needed = count;
    for (unsigned char *p = lp_first(lp); p && needed; p = lp_next(lp, lp_next(lp, p))) {
        if (util_rand64() % remaining < needed) {
            hrand_reply_lp(c, lp, p, withvalues);
            needed--;
        }
        remaining--;
    }
}

/* Positive count below the size of a table: a partial Fisher-Yates shuffle over the nodes
 * when the count is a large part of the hash, else random draws with duplicates rejected
 * through a small open-addressing set of node addresses. */
static void hrand_unique_ht(Client *c, Kv *kv, unsigned long count, bool withvalues) {
    Dict *d = kv->v.ptr;
    unsigned long size = (unsigned long)dict_size(d);
    if (count * 3 > size) {
        DictNode **all = mem_alloc(size * sizeof(*all));
        DictIter it;
        unsigned long n = 0;
        dict_iter_init(&it, d, false);
        for (DictNode *dn; (dn = dict_iter_next(&it));)
            all[n++] = dn;
        dict_iter_deinit(&it);
        for (unsigned long i = 0; i < count; i++) {
            unsigned long j = i + (unsigned long)(util_rand64() % (n - i));
            DictNode *t = all[i];
            all[i] = all[j];
            all[j] = t;
            hrand_reply_node(c, all[i], withvalues);
        }
        mem_free(all);
        return;
    }
    unsigned long cap = 16;
    while (cap < count * 2)
        cap *= 2;
    DictNode **seen = mem_calloc(cap * sizeof(*seen));
    for (unsigned long got = 0; got < count;) {
        DictNode *dn = ht_fair_random(d);
        unsigned long h = (unsigned long)(((uintptr_t)dn >> 4) * 0x9E3779B97F4A7C15ull);
        unsigned long i = h & (cap - 1);
        while (seen[i] && seen[i] != dn)
            i = (i + 1) & (cap - 1);
        if (seen[i]) continue;
        seen[i] = dn;
        got++;
        hrand_reply_node(c, dn, withvalues);
    }
    mem_free(seen);
}

static void hrandfield_with_count(Client *c, long long l, bool withvalues) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_HASH, &kv) != 0) return;
    if (!kv) {
        reply_empty_array(c);
        return;
    }
    unsigned long count = l >= 0 ? (unsigned long)l : (unsigned long)-l;
    unsigned long size = hash_length(kv);
    if (count == 0) {
        reply_empty_array(c);
        return;
    }
    if (l < 0 || count == 1) {
        hrand_with_repeats(c, kv, count, withvalues);
        return;
    }
    if (count >= size) { /* the whole hash, in storage order */
        reply_array_len(c, size, withvalues);
        HashIter it;
        const char *f, *v;
        size_t flen, vlen;
        hash_iter_init(&it, kv);
        while (hash_iter_next(&it, &f, &flen, &v, &vlen))
            hrand_reply_pair(c, f, flen, v, vlen, withvalues);
        hash_iter_deinit(&it);
        return;
    }
    reply_array_len(c, count, withvalues);
    if (kv->encoding == ENC_LISTPACK)
        hrand_unique_lp(c, kv, count, withvalues);
    else
        hrand_unique_ht(c, kv, count, withvalues);
}

/* HRANDFIELD key [count [WITHVALUES]]: the count is parsed (and range-checked) before the
 * key is looked up, as in Redis. */
static void cmd_hrandfield(Client *c) {
    if (c->argc >= 3) {
        long long l;
        if (arg_to_ll_or_reply(c, &c->argv[2], &l, NULL) != 0) return;
        if (l < -LONG_MAX) { /* Redis's getRangeLongFromObjectOrReply wording */
            reply_error_fmt(c, "ERR value is out of range, value must between %ld and %ld",
                            -LONG_MAX, LONG_MAX);
            return;
        }
        bool withvalues = c->argc == 4;
        if (c->argc > 4 || (withvalues && !arg_is(&c->argv[3], "withvalues"))) {
            reply_syntax_error(c);
            return;
        }
        if (withvalues && (l < -LONG_MAX / 2 || l > LONG_MAX / 2)) {
            reply_error(c, "ERR value is out of range");
            return;
        }
        hrandfield_with_count(c, l, withvalues);
        return;
    }
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_HASH, &kv) != 0) return;
    if (!kv) {
        reply_null(c);
        return;
    }
    if (kv->encoding == ENC_LISTPACK) {
        char fb[LP_INTBUF_SIZE];
        size_t flen;
        unsigned char *fp = lp_random_pair(kv->v.ptr, util_rand64, NULL, NULL);
        const char *f = lp_get_str(fp, &flen, fb);
        reply_bulk(c, f, flen);
        return;
    }
    size_t flen;
    const char *f = hn_field((const HashNode *)ht_fair_random(kv->v.ptr), &flen);
    reply_bulk(c, f, flen);
}

/* ------------------------------------------------------------------------------------------
 * HSCAN */

typedef struct HscanBatch {
    const ScanOpts *opts;
    long long items;       /* fields and values visited, matching or not: what COUNT bounds */
    const HashNode **hits; /* matching nodes, replied once the cursor is known */
    size_t n, cap;
} HscanBatch;

static void hscan_collect(DictNode *dn, void *ud) {
    HscanBatch *b = ud;
    const HashNode *n = (const HashNode *)dn;
    size_t flen;
    const char *f = hn_field(n, &flen);
    b->items += 2;
    if (!scan_match(b->opts, f, flen)) return;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->hits = mem_realloc(b->hits, b->cap * sizeof(*b->hits));
    }
    b->hits[b->n++] = n;
}

static void hscan_reply_lp(Client *c, Kv *kv, const ScanOpts *o) {
    reply_array(c, 2);
    reply_bulk(c, "0", 1);
    size_t h = reply_deferred_begin(c);
    long long kept = 0;
    HashIter it;
    const char *f, *v;
    size_t flen, vlen;
    hash_iter_init(&it, kv);
    while (hash_iter_next(&it, &f, &flen, &v, &vlen)) {
        if (!scan_match(o, f, flen)) continue;
        reply_bulk(c, f, flen);
        reply_bulk(c, v, vlen);
        kept += 2;
    }
    hash_iter_deinit(&it);
    reply_deferred_array(c, h, kept);
}

/* HSCAN key cursor [MATCH pattern] [COUNT count]: the cursor is parsed before the lookup
 * and the options after it (a missing key ignores bad options, as in Redis). A listpack
 * answers everything at once with cursor 0; a table is walked with dict_scan until COUNT
 * fields+values (Redis counts both) were visited or COUNT*10 buckets were. */
static void cmd_hscan(Client *c) {
    uint64_t cursor;
    ScanOpts o;
    Kv *kv = scan_value_or_reply(c, OBJ_HASH, &cursor, &o);
    if (!kv) return;
    if (kv->encoding == ENC_LISTPACK) {
        hscan_reply_lp(c, kv, &o);
        return;
    }
    HscanBatch b = {.opts = &o};
    cursor = scan_dict_walk(kv->v.ptr, cursor, &o, hscan_collect, &b, &b.items);
    scan_reply_head(c, cursor, (long long)b.n * 2);
    for (size_t i = 0; i < b.n; i++) {
        size_t flen, vlen;
        const char *f = hn_field(b.hits[i], &flen), *v = hn_value(b.hits[i], &vlen);
        reply_bulk(c, f, flen);
        reply_bulk(c, v, vlen);
    }
    mem_free(b.hits);
}

/* ------------------------------------------------------------------------------------------
 * The command table (flags, arity and key specs as Redis 7.0's COMMAND INFO) */

#define W_DENY_FAST (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define RO_FAST     (CMD_READONLY | CMD_FAST)

/* clang-format off */
const CmdSpec hash_commands[] = {
    {"hset",         cmd_hset,         -4, W_DENY_FAST,          KEYS(1, 1, 1), "hash", NULL, "Set the string value of a hash field", "2.0.0", "key field value [field value ...]"},
    {"hsetnx",       cmd_hsetnx,        4, W_DENY_FAST,          KEYS(1, 1, 1), "hash", NULL, "Set the value of a hash field, only if the field does not exist", "2.0.0", "key field value"},
    {"hget",         cmd_hget,          3, RO_FAST,              KEYS(1, 1, 1), "hash", NULL, "Get the value of a hash field", "2.0.0", "key field"},
    {"hmget",        cmd_hmget,        -3, RO_FAST,              KEYS(1, 1, 1), "hash", NULL, "Get the values of all the given hash fields", "2.0.0", "key field [field ...]"},
    {"hmset",        cmd_hmset,        -4, W_DENY_FAST,          KEYS(1, 1, 1), "hash", NULL, "Set multiple hash fields to multiple values", "2.0.0", "key field value [field value ...]"},
    {"hdel",         cmd_hdel,         -3, CMD_WRITE | CMD_FAST, KEYS(1, 1, 1), "hash", NULL, "Delete one or more hash fields", "2.0.0", "key field [field ...]"},
    {"hexists",      cmd_hexists,       3, RO_FAST,              KEYS(1, 1, 1), "hash", NULL, "Determine if a hash field exists", "2.0.0", "key field"},
    {"hlen",         cmd_hlen,          2, RO_FAST,              KEYS(1, 1, 1), "hash", NULL, "Get the number of fields in a hash", "2.0.0", "key"},
    {"hkeys",        cmd_hkeys,         2, CMD_READONLY,         KEYS(1, 1, 1), "hash", NULL, "Get all the fields in a hash", "2.0.0", "key"},
    {"hvals",        cmd_hvals,         2, CMD_READONLY,         KEYS(1, 1, 1), "hash", NULL, "Get all the values in a hash", "2.0.0", "key"},
    {"hgetall",      cmd_hgetall,       2, CMD_READONLY,         KEYS(1, 1, 1), "hash", NULL, "Get all the fields and values in a hash", "2.0.0", "key"},
    {"hincrby",      cmd_hincrby,       4, W_DENY_FAST,          KEYS(1, 1, 1), "hash", NULL, "Increment the integer value of a hash field by the given number", "2.0.0", "key field increment"},
    {"hincrbyfloat", cmd_hincrbyfloat,  4, W_DENY_FAST,          KEYS(1, 1, 1), "hash", NULL, "Increment the float value of a hash field by the given amount", "2.6.0", "key field increment"},
    {"hstrlen",      cmd_hstrlen,       3, RO_FAST,              KEYS(1, 1, 1), "hash", NULL, "Get the length of the value of a hash field", "3.2.0", "key field"},
    {"hrandfield",   cmd_hrandfield,   -2, CMD_READONLY,         KEYS(1, 1, 1), "hash", NULL, "Get one or multiple random fields from a hash", "6.2.0", "key [count [WITHVALUES]]"},
    {"hscan",        cmd_hscan,        -3, CMD_READONLY,         KEYS(1, 1, 1), "hash", NULL, "Incrementally iterate hash fields and associated values", "2.8.0", "key cursor [MATCH pattern] [COUNT count]"},
    CMD_SPEC_END,
};
/* clang-format on */
