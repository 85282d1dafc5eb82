/* object.c - Kv construction, string encodings and type/encoding names (see object.h). */
#include "server/object.h"

#include "common/mem.h"
#include "common/util.h"
#include "server/server.h"

#include <string.h>

static Kv *kv_alloc(const char *key, size_t klen, size_t extra) {
    Kv *kv = mem_alloc(sizeof(Kv) + klen + 1 + extra);
    kv->node.next = NULL;
    kv->type = OBJ_STRING;
    kv->shared_int = 0;
    kv->encoding = ENC_RAW;
    kv->lru = obj_lru_clock();
    kv->keylen = (uint32_t)klen;
    kv->has_expire = 0;
    memcpy(kv->key, key, klen);
    kv->key[klen] = '\0';
    return kv;
}

static RawStr *rawstr_new(const char *val, size_t vlen, size_t cap) {
    if (cap < vlen) cap = vlen;
    RawStr *s = mem_alloc(sizeof(RawStr) + cap + 1);
    s->len = vlen;
    if (vlen) memcpy(s->data, val, vlen);
    s->data[vlen] = '\0';
    return s;
}

size_t rawstr_capacity(const RawStr *s) {
    return mem_usable_size((void *)s) - sizeof(RawStr) - 1;
}

/* Would Redis use one of its shared integer objects for v right now? Not with maxmemory
 * set under an LRU/LFU policy, where every key needs its own access data. Decided when the
 * value is stored: changing the policy later leaves existing values as they are, in Redis
 * as here. */
static bool int_is_shared(long long v) {
    int p = cfg.maxmemory_policy;
    bool per_key = p == POLICY_VOLATILE_LRU || p == POLICY_VOLATILE_LFU ||
                   p == POLICY_ALLKEYS_LRU || p == POLICY_ALLKEYS_LFU;
    return v >= 0 && v < OBJ_SHARED_INTEGERS && (cfg.maxmemory == 0 || !per_key);
}

Kv *kv_new_int(const char *key, size_t klen, long long v) {
    Kv *kv = kv_alloc(key, klen, 0);
    kv->encoding = ENC_INT;
    kv_set_int(kv, v);
    return kv;
}

void kv_set_int(Kv *kv, long long v) {
    kv->v.ival = v;
    kv->shared_int = int_is_shared(v);
}

Kv *kv_new_raw(const char *key, size_t klen, const char *val, size_t vlen, size_t cap) {
    Kv *kv = kv_alloc(key, klen, 0);
    kv->encoding = ENC_RAW;
    kv->v.ptr = rawstr_new(val, vlen, cap);
    return kv;
}

Kv *kv_new_string(const char *key, size_t klen, const char *val, size_t vlen) {
    long long ll;
    if (vlen <= 20 && util_str_to_ll(val, vlen, &ll)) return kv_new_int(key, klen, ll);
    return kv_new_string_noint(key, klen, val, vlen);
}

Kv *kv_new_string_noint(const char *key, size_t klen, const char *val, size_t vlen) {
    if (vlen > OBJ_EMBSTR_LIMIT) return kv_new_raw(key, klen, val, vlen, vlen);
    Kv *kv = kv_alloc(key, klen, vlen + 1);
    kv->encoding = ENC_EMBSTR;
    kv->v.vlen = vlen;
    char *dst = kv->key + klen + 1;
    memcpy(dst, val, vlen);
    dst[vlen] = '\0';
    return kv;
}

Kv *kv_new_ptr(const char *key, size_t klen, int type, int encoding, void *ptr) {
    Kv *kv = kv_alloc(key, klen, 0);
    kv->type = (uint32_t)type;
    kv->encoding = (uint32_t)encoding;
    kv->v.ptr = ptr;
    return kv;
}

const char *kv_str(const Kv *kv, size_t *len, char *numbuf) {
    switch (kv->encoding) {
    case ENC_INT: *len = (size_t)util_ll_to_str(numbuf, kv->v.ival); return numbuf;
    case ENC_EMBSTR: *len = kv->v.vlen; return kv->key + kv->keylen + 1;
    default: *len = kv_raw(kv)->len; return kv_raw(kv)->data;
    }
}

size_t kv_strlen(const Kv *kv) {
    char nb[32];
    size_t len;
    kv_str(kv, &len, nb);
    return len;
}

bool kv_get_ll(const Kv *kv, long long *out) {
    if (kv->encoding == ENC_INT) {
        *out = kv->v.ival;
        return true;
    }
    char nb[32];
    size_t len;
    const char *s = kv_str(kv, &len, nb);
    return util_str_to_ll(s, len, out);
}

void kv_raw_reserve(Kv *kv, size_t need) {
    RawStr *s = kv_raw(kv);
    if (rawstr_capacity(s) >= need) return;
    /* Grow geometrically below 1 MiB, as APPEND loops would otherwise be quadratic. */
    size_t cap = need < 1024 * 1024 ? need * 2 : need + 1024 * 1024;
    kv->v.ptr = mem_realloc(s, sizeof(RawStr) + cap + 1);
}

Kv *kv_make_raw(Kv *kv, size_t need, bool *moved) {
    *moved = false;
    if (kv->encoding == ENC_RAW) {
        kv_raw_reserve(kv, need);
        return kv;
    }
    char nb[32];
    size_t len;
    const char *s = kv_str(kv, &len, nb);
    RawStr *raw = rawstr_new(s, len, VG_MAX(need, len));
    if (kv->encoding == ENC_EMBSTR) {
        /* The value lived inside the Kv: shrink it to a key-only block. */
        Kv *nkv = kv_alloc(kv->key, kv->keylen, 0);
        nkv->lru = kv->lru;
        nkv->has_expire = kv->has_expire;
        kv = nkv; /* the caller relinks and frees the old block (db_make_raw) */
        *moved = true;
    }
    kv->encoding = ENC_RAW;
    kv->shared_int = 0;
    kv->v.ptr = raw;
    return kv;
}

const TypeOps *kv_type_ops(const Kv *kv) {
    switch (kv->type) {
    case OBJ_LIST: return &list_type_ops;
    case OBJ_HASH: return &hash_type_ops;
    case OBJ_SET: return &set_type_ops;
    case OBJ_ZSET: return &zset_type_ops;
    default: vg_assert_fail("kv->type is an aggregate type", __FILE__, __LINE__);
    }
}

static void *value_dup(const Kv *kv) {
    if (kv->type == OBJ_STRING) {
        RawStr *s = kv_raw(kv); /* ENC_RAW: the only string encoding with its own block */
        return rawstr_new(s->data, s->len, s->len);
    }
    return kv_type_ops(kv)->dup_value(kv);
}

Kv *kv_rekey(Kv *kv, const char *key, size_t klen, bool dup) {
    Kv *nkv;
    if (kv->encoding == ENC_EMBSTR) {
        /* Stays EMBSTR even when the bytes read as an integer (an INCRBYFLOAT result):
         * Redis moves or duplicates the object as it is, never re-encoding it. */
        nkv = kv_new_string_noint(key, klen, kv->key + kv->keylen + 1, kv->v.vlen);
    } else {
        nkv = kv_alloc(key, klen, 0);
        nkv->type = kv->type;
        nkv->encoding = kv->encoding;
        nkv->shared_int = dup ? 0 : kv->shared_int;
        nkv->v = kv->v;
        if (dup) nkv->v.ptr = kv->encoding == ENC_INT ? kv->v.ptr : value_dup(kv);
    }
    nkv->lru = kv->lru;
    if (!dup) {
        if (kv->encoding != ENC_EMBSTR && kv->encoding != ENC_INT) kv->v.ptr = NULL;
        kv_free(kv);
    }
    return nkv;
}

void kv_free(Kv *kv) {
    if (!kv) return;
    if (kv->type == OBJ_STRING) {
        if (kv->encoding == ENC_RAW) mem_free(kv->v.ptr);
    } else if (kv->v.ptr) {
        kv_type_ops(kv)->free_value(kv);
    }
    mem_free(kv);
}

const char *obj_type_name(int type) {
    switch (type) {
    case OBJ_STRING: return "string";
    case OBJ_LIST: return "list";
    case OBJ_SET: return "set";
    case OBJ_ZSET: return "zset";
    case OBJ_HASH: return "hash";
    case OBJ_STREAM: return "stream";
    default: return "unknown";
    }
}

const char *obj_encoding_name(int encoding) {
    switch (encoding) {
    case ENC_RAW: return "raw";
    case ENC_INT: return "int";
    case ENC_HASHTABLE: return "hashtable";
    case ENC_INTSET: return "intset";
    case ENC_SKIPLIST: return "skiplist";
    case ENC_EMBSTR: return "embstr";
    case ENC_QUICKLIST: return "quicklist";
    case ENC_STREAM: return "stream";
    case ENC_LISTPACK: return "listpack";
    default: return "unknown";
    }
}

/* Redis keeps one object for each integer 0..9999 with a sentinel refcount, unless the
 * maxmemory policy forbade sharing when the value was stored or the value is a COPY
 * (kv_new_int, kv_rekey); every other value has a single owner here. */
long long kv_refcount(const Kv *kv) {
    bool shared = kv->type == OBJ_STRING && kv->encoding == ENC_INT && kv->shared_int;
    return shared ? OBJ_SHARED_REFCOUNT : 1;
}

size_t kv_memory_usage(const Kv *kv, long long samples) {
    size_t n = mem_usable_size((void *)kv);
    if (kv->type != OBJ_STRING)
        n += kv_type_ops(kv)->memory_usage(kv, samples);
    else if (kv->encoding == ENC_RAW)
        n += mem_usable_size(kv->v.ptr);
    return n;
}

uint32_t obj_lru_clock(void) {
    return srv.lru_clock;
}

unsigned long long kv_idle_seconds(const Kv *kv) {
    uint32_t now = obj_lru_clock();
    if (now >= kv->lru) return now - kv->lru;
    return (unsigned long long)(LRU_CLOCK_MAX - kv->lru) + now;
}
