/* object.h - Kv: one keyspace entry, holding its key and (for short strings) its value in a
 * single allocation.
 *
 *   +----------------+-----------------------+--------+----------------------------+
 *   | DictNode next  | type:3 shared_int:1   | keylen | v: ptr | ival | vlen      |
 *   |                | enc:4 lru:24          |        |                            |
 *   |      8 B       |  4 B (+ has_expire)   |  4 B   |           8 B              |
 *   +----------------+-----------------------+--------+----------------------------+
 *   | key bytes, NUL | (EMBSTR only) value bytes, NUL                               |
 *   +--------------------------------------------------------------------------------+
 *
 * A 16-byte key with a 16-byte value is one 64-byte jemalloc block, where a dictEntry, an
 * sds key and a robj take three. String encodings are reported as Redis names them:
 *   ENC_INT     the value is a decimal that fits a long long (<= 20 chars, canonical form);
 *               shared_int says whether Redis would hold one of its shared integer objects
 *               (0..9999) for it, which only OBJECT REFCOUNT shows
 *   ENC_EMBSTR  value of <= 44 bytes stored after the key
 *   ENC_RAW     value in a separate RawStr block (longer values, or grown by APPEND etc.)
 * Other types (lists, hashes, ...) keep a pointer to their own structure in v.ptr.
 *
 * A Kv's address changes when its value is replaced by one of another size: callers use
 * db_set_value()/db_replace(), which relink it in the db and its expires index. */
#ifndef VIGIL_SERVER_OBJECT_H
#define VIGIL_SERVER_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dict.h"

enum {
    OBJ_STRING = 0,
    OBJ_LIST = 1,
    OBJ_SET = 2,
    OBJ_ZSET = 3,
    OBJ_HASH = 4,
    OBJ_STREAM = 6,
};

enum {
    ENC_RAW = 0,
    ENC_INT = 1,
    ENC_HASHTABLE = 2,
    ENC_INTSET = 6,
    ENC_SKIPLIST = 7,
    ENC_EMBSTR = 8,
    ENC_QUICKLIST = 9,
    ENC_STREAM = 10,
    ENC_LISTPACK = 11,
};

#define OBJ_EMBSTR_LIMIT    44    /* Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT */
#define OBJ_SHARED_INTEGERS 10000 /* Redis shares the integer objects 0..9999 */
#define OBJ_SHARED_REFCOUNT 2147483647 /* what Redis reports for them */
#define LRU_CLOCK_MAX       ((1u << 24) - 1)

/* maxmemory-policy values (config_options.c keeps Redis's enum order). Under an LRU or LFU
 * policy with maxmemory set, Kv.lru is per key and Redis shares no integer objects. */
enum {
    POLICY_VOLATILE_LRU = 0,
    POLICY_VOLATILE_LFU = 1,
    POLICY_ALLKEYS_LRU = 4,
    POLICY_ALLKEYS_LFU = 5,
};

typedef struct RawStr {
    size_t len;
    char data[]; /* len bytes + NUL; capacity is the block's usable size */
} RawStr;

typedef struct Kv {
    DictNode node;
    uint32_t type : 3;       /* OBJ_* (0..6) */
    uint32_t shared_int : 1; /* ENC_INT: a shared integer in Redis (set by kv_new_int) */
    uint32_t encoding : 4;
    uint32_t lru : 24; /* LRU clock (seconds) or LFU data */
    uint32_t keylen : 31;
    uint32_t has_expire : 1;
    union {
        void *ptr;
        long long ival;
        size_t vlen; /* ENC_EMBSTR value length */
    } v;
    char key[]; /* keylen bytes + NUL, then the EMBSTR value + NUL */
} Kv;

static inline const char *kv_key(const Kv *kv) {
    return kv->key;
}

/* A string Kv with the best encoding for the value (int, embstr or raw). */
Kv *kv_new_string(const char *key, size_t klen, const char *val, size_t vlen);
/* Exactly these bytes as EMBSTR or RAW, never INT (INCRBYFLOAT's result is an embstr in
 * Redis even when it reads "3"). */
Kv *kv_new_string_noint(const char *key, size_t klen, const char *val, size_t vlen);
/* A string Kv with ENC_INT. Like Redis's createStringObjectFromLongLongForValue, it marks
 * the value shared when Redis would hand out a shared integer object for it now. */
Kv *kv_new_int(const char *key, size_t klen, long long v);
/* Replace an ENC_INT value in place (INCR), with kv_new_int's sharing rule. */
void kv_set_int(Kv *kv, long long v);
/* A string Kv with ENC_RAW and room for `cap` value bytes (APPEND, SETRANGE, SETBIT). */
Kv *kv_new_raw(const char *key, size_t klen, const char *val, size_t vlen, size_t cap);
/* A Kv of another type owning ptr (the type module frees it through kv_free). */
Kv *kv_new_ptr(const char *key, size_t klen, int type, int encoding, void *ptr);
/* Same value, another key (RENAME, COPY dest, MOVE). `dup` deep-copies the value; otherwise
 * ownership of the value moves to the new Kv and `kv` is freed without its value. The
 * encoding never changes; a copy is never a shared integer (Redis's dupStringObject). */
Kv *kv_rekey(Kv *kv, const char *key, size_t klen, bool dup);
void kv_free(Kv *kv);

/* The string value's bytes: for ENC_INT formatted into numbuf (>= 21 bytes). */
const char *kv_str(const Kv *kv, size_t *len, char *numbuf);
size_t kv_strlen(const Kv *kv);
/* The value as a long long if it is a canonical integer string. */
bool kv_get_ll(const Kv *kv, long long *out);
/* A RawStr value guaranteed to have room for at least `need` bytes: converts INT/EMBSTR to
 * RAW. An EMBSTR Kv moves: the new address is returned, *moved is set and the old block is
 * left for the caller to relink and free. Commands use db_make_raw(), which does that. */
Kv *kv_make_raw(Kv *kv, size_t need, bool *moved);
static inline RawStr *kv_raw(const Kv *kv) {
    return (RawStr *)kv->v.ptr;
}
size_t rawstr_capacity(const RawStr *s);
/* Grow a raw value's room (the RawStr may move; kv->v.ptr is updated). */
void kv_raw_reserve(Kv *kv, size_t need);

/* What object.c needs from each aggregate type's module (t_list.c, t_hash.c, t_set.c,
 * t_zset.c): the value behind Kv.v.ptr in any of its encodings. */
typedef uint8_t ObjDigest[20]; /* server/digest.h's Digest */
typedef struct TypeOps {
    void (*free_value)(Kv *kv);               /* free kv->v.ptr (not the Kv) */
    void *(*dup_value)(const Kv *kv);         /* a deep copy of kv->v.ptr, same encoding */
    /* Bytes the value occupies beyond the Kv block, as MEMORY USAGE reports: exact for
     * compact encodings, estimated from `samples` elements (0 = all) for the large ones. */
    size_t (*memory_usage)(const Kv *kv, long long samples);
    void (*digest)(const Kv *kv, ObjDigest d); /* DEBUG DIGEST's value part (digest.h) */
} TypeOps;

extern const TypeOps list_type_ops, hash_type_ops, set_type_ops, zset_type_ops;
/* The ops of a non-string Kv. */
const TypeOps *kv_type_ops(const Kv *kv);

const char *obj_type_name(int type);
const char *obj_encoding_name(int encoding);
/* The refcount Redis would report for this value (OBJECT REFCOUNT, DEBUG OBJECT). */
long long kv_refcount(const Kv *kv);
/* Bytes this Kv (and its value) occupy, as MEMORY USAGE reports (`samples` elements of a
 * large aggregate are measured and the rest extrapolated; 0 = all). */
size_t kv_memory_usage(const Kv *kv, long long samples);

/* LRU clock in seconds, 24 bits (server cron keeps srv.lru_clock). */
uint32_t obj_lru_clock(void);
/* Seconds since the Kv was last touched. */
unsigned long long kv_idle_seconds(const Kv *kv);

#endif
