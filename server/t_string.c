/* t_string.c - the string commands: SET and its variants, GET/GETSET/GETDEL/GETEX, the M*
 * batch forms, the INCR family, APPEND, STRLEN, SETRANGE/GETRANGE and LCS.
 *
 * Replies, argument checks and their order follow Redis 7.0, since clients and the compat
 * tests see every difference. Encodings follow Redis too, as OBJECT ENCODING reports them:
 *   SET/GETSET/MSET/APPEND on a new key   kv_new_string (int, embstr or raw)
 *   INCR/DECR family                       ENC_INT, incremented in place when already int
 *   INCRBYFLOAT                            embstr or raw, never int (Redis's createStringObject)
 *   APPEND/SETRANGE on an existing value   raw (db_make_raw)
 * TTLs: SET without KEEPTTL, GETSET and MSET drop them; INCR*, APPEND and SETRANGE keep them.
 * Relative TTLs (EX, PX, SETEX, PSETEX) become absolute unix ms before they are stored.
 * The bit commands, which also work on strings, are in t_bitops.c. */
#include "common/mem.h"
#include "common/util.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/notify.h"
#include "server/object.h"
#include "server/propagate.h"
#include "server/reply.h"
#include "server/server.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------
 * Shared helpers */

/* Option words compare as Redis compares them, as C strings: bytes after a NUL are ignored. */
static bool opt_is(const RespArg *a, const char *word) {
    const char *nul = memchr(a->ptr, '\0', a->len);
    RespArg s = {a->ptr, nul ? (size_t)(nul - a->ptr) : a->len};
    return arg_is(&s, word);
}

static void reply_string(Client *c, const Kv *kv) {
    char nb[32];
    size_t len;
    const char *s = kv_str(kv, &len, nb);
    reply_bulk(c, s, len);
}

/* Store a new value for a key whose current entry is `old` (NULL when absent). The TTL is
 * kept when keep_ttl, else dropped. Takes ownership of nkv. */
static void string_store(Db *db, Kv *old, Kv *nkv, bool keep_ttl) {
    if (!old) {
        db_add(db, nkv);
        return;
    }
    nkv->has_expire = keep_ttl ? old->has_expire : 0;
    db_replace(db, old, nkv);
}

/* Redis's checkStringLength: would a value of cur + add bytes pass proto-max-bulk-len?
 * The primary's stream is trusted, as Redis trusts it. */
static int string_length_ok_or_reply(Client *c, size_t cur, size_t add) {
    if (c->flags & CLIENT_PRIMARY) return 0;
    unsigned long long total = (unsigned long long)cur + add;
    if (total > (unsigned long long)cfg.proto_max_bulk_len || total < cur) {
        reply_error(c, ERRT_STR_TOO_BIG);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * SET options, shared by SET, SETNX, SETEX, PSETEX and GETEX */

enum {
    OPT_NX = 1 << 0,
    OPT_XX = 1 << 1,
    OPT_GET = 1 << 2,
    OPT_KEEPTTL = 1 << 3,
    OPT_PERSIST = 1 << 4,
    OPT_EX = 1 << 5,
    OPT_PX = 1 << 6,
    OPT_EXAT = 1 << 7,
    OPT_PXAT = 1 << 8,
};
#define OPT_ANY_EXPIRE (OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT)

typedef struct SetOpts {
    unsigned flags;
    const RespArg *expire; /* the EX/PX/EXAT/PXAT argument, or NULL */
} SetOpts;

/* An expire word (EX, PX, EXAT, PXAT), or 0. */
static unsigned set_opt_expire_word(const RespArg *a) {
    if (opt_is(a, "ex")) return OPT_EX;
    if (opt_is(a, "px")) return OPT_PX;
    if (opt_is(a, "exat")) return OPT_EXAT;
    if (opt_is(a, "pxat")) return OPT_PXAT;
    return 0;
}

/* One option word at argv[*j]; false when it is not acceptable here. As in Redis, a word may
 * repeat (EX 1 EX 2: the last wins) but conflicting words are a syntax error. */
static bool set_opt_parse_one(Client *c, int *j, bool getex, SetOpts *o) {
    const RespArg *a = &c->argv[*j];
    unsigned f = o->flags, exp = set_opt_expire_word(a);
    if (opt_is(a, "nx")) {
        o->flags |= OPT_NX;
        return !getex && !(f & OPT_XX);
    }
    if (opt_is(a, "xx")) {
        o->flags |= OPT_XX;
        return !getex && !(f & OPT_NX);
    }
    if (opt_is(a, "get")) {
        o->flags |= OPT_GET;
        return !getex;
    }
    if (opt_is(a, "keepttl")) {
        o->flags |= OPT_KEEPTTL;
        return !getex && !(f & (OPT_PERSIST | OPT_ANY_EXPIRE));
    }
    if (opt_is(a, "persist")) {
        o->flags |= OPT_PERSIST;
        return getex && !(f & (OPT_KEEPTTL | OPT_ANY_EXPIRE));
    }
    if (!exp || *j + 1 >= c->argc) return false;
    if (f & (OPT_KEEPTTL | OPT_PERSIST | (OPT_ANY_EXPIRE & ~exp))) return false;
    o->flags |= exp;
    o->expire = &c->argv[++*j];
    return true;
}

/* Parse the options from argv[first] on. getex: GETEX's set (PERSIST, no NX/XX/GET/KEEPTTL). */
static int set_opts_parse_or_reply(Client *c, int first, bool getex, SetOpts *o) {
    o->flags = 0;
    o->expire = NULL;
    for (int j = first; j < c->argc; j++) {
        if (!set_opt_parse_one(c, &j, getex, o)) {
            reply_syntax_error(c);
            return -1;
        }
    }
    return 0;
}

/* The absolute unix-ms expiry the options ask for. Redis refuses values <= 0 and any that
 * overflow once converted to absolute milliseconds. */
static int set_opts_expire_or_reply(Client *c, const SetOpts *o, int64_t *when_ms) {
    long long v;
    if (arg_to_ll_or_reply(c, o->expire, &v, NULL) != 0) return -1;
    bool seconds = (o->flags & (OPT_EX | OPT_EXAT)) != 0;
    bool relative = (o->flags & (OPT_EX | OPT_PX)) != 0;
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) goto bad;
    if (seconds) v *= 1000;
    if (relative) {
        if (v > LLONG_MAX - server_now_ms()) goto bad;
        v += server_now_ms();
    }
    *when_ms = v;
    return 0;
bad:
    reply_error_fmt(c, ERRT_BAD_EXPIRE, c->cmd->fullname);
    return -1;
}

/* ------------------------------------------------------------------------------------------
 * SET and its variants */

/* GET's body, shared by SET ... GET, GETSET and GETDEL: replies the value or a null.
 * Nonzero after a WRONGTYPE reply; *found says whether the key existed. */
static int string_get_or_reply(Client *c, bool *found) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_STRING, &kv) != 0) return -1;
    if (kv)
        reply_string(c, kv);
    else
        reply_null(c);
    if (found) *found = kv != NULL;
    return 0;
}

/* How Redis 7.0 replays a SET that happened: with an expiry, as SET key value PXAT ms (the
 * other options dropped: NX/XX held, GET replies nothing to a replay); else without its GET
 * words. */
static void set_propagate(Client *c, const SetOpts *o, const RespArg *val, int64_t when_ms) {
    if (when_ms >= 0) {
        char ms[24];
        RespArg av[5] = {{"SET", 3}, c->argv[1], *val, {"PXAT", 4}, {ms, 0}};
        av[4].len = (size_t)util_ll_to_str(ms, when_ms);
        propagate_rewrite(c, 5, av);
        return;
    }
    if (!(o->flags & OPT_GET)) return;
    RespArg small[8], *av = c->argc <= 8 ? small : mem_alloc(sizeof(*av) * (size_t)c->argc);
    int n = 0;
    for (int j = 0; j < c->argc; j++)
        if (j < 3 || !opt_is(&c->argv[j], "get")) av[n++] = c->argv[j];
    propagate_rewrite(c, n, av);
    if (av != small) mem_free(av);
}

/* The core of SET, SETNX, SETEX and PSETEX. as_int: SETNX's :1/:0 instead of +OK/null. */
static void set_generic(Client *c, const SetOpts *o, const RespArg *val, bool as_int) {
    const RespArg *key = &c->argv[1];
    int64_t when_ms = -1;
    if (o->expire && set_opts_expire_or_reply(c, o, &when_ms) != 0) return;
    if ((o->flags & OPT_GET) && string_get_or_reply(c, NULL) != 0) return;
    Kv *old = db_lookup_write(c->db, key->ptr, key->len);
    if (((o->flags & OPT_NX) && old) || ((o->flags & OPT_XX) && !old)) {
        if (o->flags & OPT_GET) return;
        if (as_int)
            reply_int(c, 0);
        else
            reply_null(c);
        return;
    }
    Kv *kv = kv_new_string(key->ptr, key->len, val->ptr, val->len);
    string_store(c->db, old, kv, (o->flags & OPT_KEEPTTL) != 0);
    /* An EXAT/PXAT already in the past is stored as is: the key reads as absent at once and
     * expiry removes it (Redis 7.0 does the same). */
    if (when_ms >= 0) db_set_expire(c->db, kv, when_ms);
    db_signal_modified(c->db, key->ptr, key->len);
    set_propagate(c, o, val, when_ms);
    notify_keyspace_event(NOTIFY_STRING, "set", key->ptr, key->len, c->db->id);
    if (when_ms >= 0)
        notify_keyspace_event(NOTIFY_GENERIC, "expire", key->ptr, key->len, c->db->id);
    if (o->flags & OPT_GET) return;
    if (as_int)
        reply_int(c, 1);
    else
        reply_ok(c);
}

/* SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] */
static void cmd_set(Client *c) {
    SetOpts o;
    if (set_opts_parse_or_reply(c, 3, false, &o) != 0) return;
    set_generic(c, &o, &c->argv[2], false);
}

/* SETNX key value */
static void cmd_setnx(Client *c) {
    SetOpts o = {.flags = OPT_NX, .expire = NULL};
    set_generic(c, &o, &c->argv[2], true);
}

/* SETEX key seconds value */
static void cmd_setex(Client *c) {
    SetOpts o = {.flags = OPT_EX, .expire = &c->argv[2]};
    set_generic(c, &o, &c->argv[3], false);
}

/* PSETEX key milliseconds value */
static void cmd_psetex(Client *c) {
    SetOpts o = {.flags = OPT_PX, .expire = &c->argv[2]};
    set_generic(c, &o, &c->argv[3], false);
}

/* GET key */
static void cmd_get(Client *c) {
    string_get_or_reply(c, NULL);
}

/* GETSET key value: SET that replies the old value; drops the TTL. */
static void cmd_getset(Client *c) {
    const RespArg *key = &c->argv[1], *val = &c->argv[2];
    if (string_get_or_reply(c, NULL) != 0) return;
    Kv *old = db_lookup_write(c->db, key->ptr, key->len);
    string_store(c->db, old, kv_new_string(key->ptr, key->len, val->ptr, val->len), false);
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_STRING, "set", key->ptr, key->len, c->db->id);
}

/* GETDEL key */
static void cmd_getdel(Client *c) {
    const RespArg *key = &c->argv[1];
    bool found;
    if (string_get_or_reply(c, &found) != 0 || !found) return;
    if (!db_delete(c->db, key->ptr, key->len)) return;
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_GENERIC, "del", key->ptr, key->len, c->db->id);
    RespArg av[2] = {{"DEL", 3}, *key};
    propagate_rewrite(c, 2, av);
}

/* GETEX's write after the value was replied: expire, delete or persist. */
static void getex_apply(Client *c, Kv *kv, const SetOpts *o, int64_t when_ms) {
    const RespArg *key = &c->argv[1];
    const char *event;
    char ms[24];
    /* Replayed as DEL, PEXPIREAT with the absolute ms, or PERSIST. */
    RespArg av[3] = {{NULL, 0}, *key, {ms, 0}};
    int ac = 2;
    if ((o->flags & (OPT_EXAT | OPT_PXAT)) && when_ms <= server_now_ms()) {
        db_delete(c->db, key->ptr, key->len);
        event = "del";
        av[0] = (RespArg){"DEL", 3};
    } else if (o->expire) {
        db_set_expire(c->db, kv, when_ms);
        event = "expire";
        av[0] = (RespArg){"PEXPIREAT", 9};
        av[2].len = (size_t)util_ll_to_str(ms, when_ms);
        ac = 3;
    } else if (!(o->flags & OPT_PERSIST) || !db_remove_expire(c->db, kv)) {
        return;
    } else {
        event = "persist";
        av[0] = (RespArg){"PERSIST", 7};
    }
    propagate_rewrite(c, ac, av);
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_GENERIC, event, key->ptr, key->len, c->db->id);
}

/* GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]. Redis checks the expire value only once
 * the key is known to be a string, so a missing key replies null even with a bad one. */
static void cmd_getex(Client *c) {
    SetOpts o;
    Kv *kv;
    int64_t when_ms = -1;
    if (set_opts_parse_or_reply(c, 2, true, &o) != 0) return;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_STRING, &kv) != 0) return;
    if (!kv) {
        reply_null(c);
        return;
    }
    if (o.expire && set_opts_expire_or_reply(c, &o, &when_ms) != 0) return;
    reply_string(c, kv);
    getex_apply(c, kv, &o, when_ms);
}

/* MSET / MSETNX key value [key value ...] */
static void mset_generic(Client *c, bool nx) {
    if (c->argc % 2 == 0) {
        reply_arity_error(c);
        return;
    }
    for (int j = 1; nx && j < c->argc; j += 2) {
        if (db_lookup_write(c->db, c->argv[j].ptr, c->argv[j].len)) {
            reply_int(c, 0);
            return;
        }
    }
    for (int j = 1; j < c->argc; j += 2) {
        const RespArg *key = &c->argv[j], *val = &c->argv[j + 1];
        Kv *old = db_lookup_write(c->db, key->ptr, key->len);
        string_store(c->db, old, kv_new_string(key->ptr, key->len, val->ptr, val->len), false);
        db_signal_modified(c->db, key->ptr, key->len);
        notify_keyspace_event(NOTIFY_STRING, "set", key->ptr, key->len, c->db->id);
    }
    if (nx)
        reply_int(c, 1);
    else
        reply_ok(c);
}

static void cmd_mset(Client *c) {
    mset_generic(c, false);
}

static void cmd_msetnx(Client *c) {
    mset_generic(c, true);
}

/* MGET key [key ...]: a null for missing keys and for keys of other types. */
static void cmd_mget(Client *c) {
    reply_array(c, c->argc - 1);
    for (int j = 1; j < c->argc; j++) {
        Kv *kv = db_lookup_read(c->db, c->argv[j].ptr, c->argv[j].len, LOOKUP_NONE);
        if (kv && kv->type == OBJ_STRING)
            reply_string(c, kv);
        else
            reply_null(c);
    }
}

/* ------------------------------------------------------------------------------------------
 * Counters */

/* The body of INCR, DECR, INCRBY and DECRBY. The TTL survives. */
static void incr_by(Client *c, long long delta) {
    const RespArg *key = &c->argv[1];
    Kv *kv;
    long long cur = 0;
    if (db_write_typed_or_reply(c, key, OBJ_STRING, &kv) != 0) return;
    if (kv && !kv_get_ll(kv, &cur)) {
        reply_error(c, ERRT_NOT_INT);
        return;
    }
    long long v;
    if (__builtin_add_overflow(cur, delta, &v)) {
        reply_error(c, ERRT_OVERFLOW);
        return;
    }
    if (kv && kv->encoding == ENC_INT)
        kv_set_int(kv, v); /* in place: no allocation on the hot path */
    else
        string_store(c->db, kv, kv_new_int(key->ptr, key->len, v), true);
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_STRING, "incrby", key->ptr, key->len, c->db->id);
    reply_int(c, v);
}

static void cmd_incr(Client *c) {
    incr_by(c, 1);
}

static void cmd_decr(Client *c) {
    incr_by(c, -1);
}

/* INCRBY key increment */
static void cmd_incrby(Client *c) {
    long long delta;
    if (arg_to_ll_or_reply(c, &c->argv[2], &delta, NULL) != 0) return;
    incr_by(c, delta);
}

/* DECRBY key decrement: LLONG_MIN cannot be negated. */
static void cmd_decrby(Client *c) {
    long long delta;
    if (arg_to_ll_or_reply(c, &c->argv[2], &delta, NULL) != 0) return;
    if (delta == LLONG_MIN) {
        reply_error(c, "ERR decrement would overflow");
        return;
    }
    incr_by(c, -delta);
}

static bool kv_get_ldouble(const Kv *kv, long double *out) {
    char nb[32];
    size_t len;
    const char *s = kv_str(kv, &len, nb);
    return util_str_to_ldouble(s, len, out);
}

/* INCRBYFLOAT key increment: long double arithmetic, stored and replied in Redis's
 * human-friendly form (%.17Lf without trailing zeros). Redis checks the stored value before
 * the increment. The TTL survives. */
static void cmd_incrbyfloat(Client *c) {
    const RespArg *key = &c->argv[1];
    Kv *kv;
    long double cur = 0, incr;
    if (db_write_typed_or_reply(c, key, OBJ_STRING, &kv) != 0) return;
    if (kv && !kv_get_ldouble(kv, &cur)) {
        reply_error(c, ERRT_NOT_FLOAT);
        return;
    }
    if (arg_to_ldouble_or_reply(c, &c->argv[2], &incr, NULL) != 0) return;
    cur += incr;
    if (isnan(cur) || isinf(cur)) {
        reply_error(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    char buf[UTIL_LD_STR_MAX];
    int n = util_ldouble_to_str(buf, sizeof(buf), cur);
    VG_ASSERT(n > 0); /* finite values always fit UTIL_LD_STR_MAX */
    string_store(c->db, kv, kv_new_string_noint(key->ptr, key->len, buf, (size_t)n), true);
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_STRING, "incrbyfloat", key->ptr, key->len, c->db->id);
    reply_bulk(c, buf, (size_t)n);
    /* The sum as computed here, so a replay cannot round differently. */
    RespArg av[4] = {{"SET", 3}, *key, {buf, (size_t)n}, {"KEEPTTL", 7}};
    propagate_rewrite(c, 4, av);
}

/* ------------------------------------------------------------------------------------------
 * Substrings */

/* APPEND key value: a new key takes the usual encoding; an existing value becomes raw. */
static void cmd_append(Client *c) {
    const RespArg *key = &c->argv[1], *val = &c->argv[2];
    Kv *kv;
    if (db_write_typed_or_reply(c, key, OBJ_STRING, &kv) != 0) return;
    size_t total = val->len;
    if (!kv) {
        db_add(c->db, kv_new_string(key->ptr, key->len, val->ptr, val->len));
    } else {
        size_t cur = kv_strlen(kv);
        if (string_length_ok_or_reply(c, cur, val->len) != 0) return;
        kv = db_make_raw(c->db, kv, cur + val->len);
        RawStr *s = kv_raw(kv);
        memcpy(s->data + s->len, val->ptr, val->len);
        s->len += val->len;
        s->data[s->len] = '\0';
        total = s->len;
    }
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_STRING, "append", key->ptr, key->len, c->db->id);
    reply_int(c, (long long)total);
}

/* STRLEN key */
static void cmd_strlen(Client *c) {
    Kv *kv;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_STRING, &kv) != 0) return;
    reply_int(c, kv ? (long long)kv_strlen(kv) : 0);
}

/* Write val at offset into the key's raw value (created when absent), zero-padding any gap. */
static size_t
setrange_write(Db *db, Kv *kv, const RespArg *key, size_t offset, const RespArg *val) {
    size_t need = offset + val->len;
    if (!kv) {
        kv = kv_new_raw(key->ptr, key->len, NULL, 0, need);
        db_add(db, kv);
    } else {
        kv = db_make_raw(db, kv, need);
    }
    RawStr *s = kv_raw(kv);
    if (offset > s->len) memset(s->data + s->len, 0, offset - s->len);
    memcpy(s->data + offset, val->ptr, val->len);
    if (need > s->len) {
        s->len = need;
        s->data[need] = '\0';
    }
    return s->len;
}

/* SETRANGE key offset value. An empty value changes nothing and replies the current
 * length (0 for a missing key, which is not created). */
static void cmd_setrange(Client *c) {
    const RespArg *key = &c->argv[1], *val = &c->argv[3];
    long long offset;
    Kv *kv;
    if (arg_to_ll_or_reply(c, &c->argv[2], &offset, NULL) != 0) return;
    if (offset < 0) {
        reply_error(c, ERRT_OFFSET);
        return;
    }
    if (db_write_typed_or_reply(c, key, OBJ_STRING, &kv) != 0) return;
    if (val->len == 0) {
        reply_int(c, kv ? (long long)kv_strlen(kv) : 0);
        return;
    }
    if (string_length_ok_or_reply(c, (size_t)offset, val->len) != 0) return;
    size_t len = setrange_write(c->db, kv, key, (size_t)offset, val);
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_STRING, "setrange", key->ptr, key->len, c->db->id);
    reply_int(c, (long long)len);
}

/* GETRANGE key start end (and its old name SUBSTR): inclusive, negative from the end. */
static void cmd_getrange(Client *c) {
    long long start, end;
    Kv *kv;
    if (arg_to_ll_or_reply(c, &c->argv[2], &start, NULL) != 0) return;
    if (arg_to_ll_or_reply(c, &c->argv[3], &end, NULL) != 0) return;
    if (db_read_typed_or_reply(c, &c->argv[1], OBJ_STRING, &kv) != 0) return;
    char nb[32];
    size_t slen = 0;
    const char *s = kv ? kv_str(kv, &slen, nb) : "";
    long long len = (long long)slen;
    if (start < 0 && end < 0 && start > end) len = 0;
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= len) end = len - 1;
    if (len == 0 || start > end)
        reply_bulk(c, "", 0);
    else
        reply_bulk(c, s + start, (size_t)(end - start + 1));
}

/* ------------------------------------------------------------------------------------------
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
 *
 * The classic dynamic-programming table T[i][j] = LCS length of a[0..i) and b[0..j), then a
 * walk back from T[alen][blen] that collects the common subsequence and, for IDX, the
 * matching ranges from the end of the strings towards their start (Redis's order). */

typedef struct LcsOpts {
    bool len, idx, withmatchlen;
    long long minmatchlen;
} LcsOpts;

static int lcs_opts_parse_or_reply(Client *c, LcsOpts *o) {
    memset(o, 0, sizeof(*o));
    for (int j = 3; j < c->argc; j++) {
        const RespArg *a = &c->argv[j];
        if (opt_is(a, "idx")) {
            o->idx = true;
        } else if (opt_is(a, "len")) {
            o->len = true;
        } else if (opt_is(a, "withmatchlen")) {
            o->withmatchlen = true;
        } else if (opt_is(a, "minmatchlen") && j + 1 < c->argc) {
            if (arg_to_ll_or_reply(c, &c->argv[++j], &o->minmatchlen, NULL) != 0) return -1;
            if (o->minmatchlen < 0) o->minmatchlen = 0;
        } else {
            reply_syntax_error(c);
            return -1;
        }
    }
    if (o->idx && o->len) {
        reply_error(c, "ERR If you want both the length and indexes, please just use IDX.");
        return -1;
    }
    return 0;
}

typedef struct LcsInput {
    const char *a, *b;
    uint32_t alen, blen;
    uint32_t *t; /* (alen + 1) x (blen + 1) */
} LcsInput;

#define LCS_T(in, i, j) ((in)->t[(size_t)(i) * ((in)->blen + 1) + (j)])

/* Allocate and fill the table; nonzero after an error reply (the limits are Redis's). */
static int lcs_table_or_reply(Client *c, LcsInput *in) {
    unsigned long long cells = (unsigned long long)(in->alen + 1ull) * (in->blen + 1ull);
    unsigned long long bytes = cells * sizeof(uint32_t);
    if (bytes > (unsigned long long)cfg.proto_max_bulk_len) {
        reply_error(c, "ERR Insufficient memory, transient memory for LCS exceeds "
                       "proto-max-bulk-len");
        return -1;
    }
    in->t = bytes < SIZE_MAX ? mem_try_alloc((size_t)bytes) : NULL;
    if (!in->t) {
        reply_error(c, "ERR Insufficient memory, failed allocating transient memory for LCS");
        return -1;
    }
    for (uint32_t j = 0; j <= in->blen; j++)
        LCS_T(in, 0, j) = 0;
    for (uint32_t i = 1; i <= in->alen; i++) {
        LCS_T(in, i, 0) = 0;
        for (uint32_t j = 1; j <= in->blen; j++) {
            uint32_t up = LCS_T(in, i - 1, j), left = LCS_T(in, i, j - 1);
            if (in->a[i - 1] == in->b[j - 1])
                LCS_T(in, i, j) = LCS_T(in, i - 1, j - 1) + 1;
            else
                LCS_T(in, i, j) = up > left ? up : left;
        }
    }
    return 0;
}

static void lcs_reply_range(Client *c, const LcsOpts *o, const uint32_t r[4]) {
    reply_array(c, o->withmatchlen ? 3 : 2);
    reply_array(c, 2);
    reply_int(c, r[0]);
    reply_int(c, r[1]);
    reply_array(c, 2);
    reply_int(c, r[2]);
    reply_int(c, r[3]);
    if (o->withmatchlen) reply_int(c, (long long)(r[1] - r[0] + 1));
}

/* Walk the table back, writing the subsequence into out (T[alen][blen] bytes) and, when
 * ranges, replying each matching range {a_start, a_end, b_start, b_end} of at least
 * minmatchlen bytes. A range closes at a mismatch step or at the start of either string.
 * Returns how many ranges were replied. */
static long long lcs_walk(Client *c, const LcsInput *in, const LcsOpts *o, char *out, bool ranges) {
    uint32_t i = in->alen, j = in->blen, k = LCS_T(in, in->alen, in->blen);
    uint32_t r[4] = {0, 0, 0, 0};
    bool open = false, close;
    long long emitted = 0;
    while (i > 0 && j > 0) {
        if (in->a[i - 1] == in->b[j - 1]) {
            out[--k] = in->a[i - 1];
            if (!open) {
                r[1] = i - 1; /* a range grows backwards from its end */
                r[3] = j - 1;
                open = true;
            }
            i--;
            j--;
            r[0] = i;
            r[2] = j;
            close = i == 0 || j == 0;
        } else {
            if (LCS_T(in, i - 1, j) > LCS_T(in, i, j - 1))
                i--;
            else
                j--;
            close = open;
        }
        if (!close) continue;
        if (ranges && (o->minmatchlen == 0 || r[1] - r[0] + 1 >= o->minmatchlen)) {
            lcs_reply_range(c, o, r);
            emitted++;
        }
        open = false;
    }
    return emitted;
}

static void lcs_reply(Client *c, const LcsInput *in, const LcsOpts *o) {
    uint32_t total = LCS_T(in, in->alen, in->blen);
    if (o->len) {
        reply_int(c, total);
        return;
    }
    char *out = mem_alloc((size_t)total + 1);
    if (o->idx) {
        reply_map(c, 2);
        reply_bulk(c, "matches", 7);
        size_t h = reply_deferred_begin(c);
        reply_deferred_array(c, h, lcs_walk(c, in, o, out, true));
        reply_bulk(c, "len", 3);
        reply_int(c, total);
    } else {
        lcs_walk(c, in, o, out, false);
        reply_bulk(c, out, total);
    }
    mem_free(out);
}

static void cmd_lcs(Client *c) {
    Kv *ka = db_lookup_read(c->db, c->argv[1].ptr, c->argv[1].len, LOOKUP_NONE);
    Kv *kb = db_lookup_read(c->db, c->argv[2].ptr, c->argv[2].len, LOOKUP_NONE);
    if ((ka && ka->type != OBJ_STRING) || (kb && kb->type != OBJ_STRING)) {
        reply_error(c, "ERR The specified keys must contain string values");
        return;
    }
    LcsOpts o;
    if (lcs_opts_parse_or_reply(c, &o) != 0) return;
    char nba[32], nbb[32];
    size_t alen = 0, blen = 0;
    LcsInput in = {.a = ka ? kv_str(ka, &alen, nba) : "", .b = kb ? kv_str(kb, &blen, nbb) : ""};
    if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
        reply_error(c, "ERR String too long for LCS");
        return;
    }
    in.alen = (uint32_t)alen;
    in.blen = (uint32_t)blen;
    if (lcs_table_or_reply(c, &in) != 0) return;
    lcs_reply(c, &in, &o);
    mem_free(in.t);
}

/* ------------------------------------------------------------------------------------------
 * The command table (flags, arity and key specs as Redis 7.0's COMMAND INFO) */

#define W_DENY      (CMD_WRITE | CMD_DENYOOM)
#define W_DENY_FAST (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define EXPIRE_HINT "EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds"

/* clang-format off */
const CmdSpec string_commands[] = {
    {"set",         cmd_set,        -3, W_DENY,                  KEYS(1, 1, 1),  "string", NULL, "Set the string value of a key", "1.0.0", "key value [NX|XX] [GET] [" EXPIRE_HINT "|KEEPTTL]"},
    {"setnx",       cmd_setnx,       3, W_DENY_FAST,             KEYS(1, 1, 1),  "string", NULL, "Set the value of a key, only if the key does not exist", "1.0.0", "key value"},
    {"setex",       cmd_setex,       4, W_DENY,                  KEYS(1, 1, 1),  "string", NULL, "Set the value and expiration of a key", "2.0.0", "key seconds value"},
    {"psetex",      cmd_psetex,      4, W_DENY,                  KEYS(1, 1, 1),  "string", NULL, "Set the value and expiration in milliseconds of a key", "2.6.0", "key milliseconds value"},
    {"get",         cmd_get,         2, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1),  "string", NULL, "Get the value of a key", "1.0.0", "key"},
    {"getset",      cmd_getset,      3, W_DENY_FAST,             KEYS(1, 1, 1),  "string", NULL, "Set the string value of a key and return its old value", "1.0.0", "key value"},
    {"getdel",      cmd_getdel,      2, CMD_WRITE | CMD_FAST,    KEYS(1, 1, 1),  "string", NULL, "Get the value of a key and delete the key", "6.2.0", "key"},
    {"getex",       cmd_getex,      -2, CMD_WRITE | CMD_FAST,    KEYS(1, 1, 1),  "string", NULL, "Get the value of a key and optionally set its expiration", "6.2.0", "key [" EXPIRE_HINT "|PERSIST]"},
    {"mset",        cmd_mset,       -3, W_DENY,                  KEYS(1, -1, 2), "string", NULL, "Set multiple keys to multiple values", "1.0.1", "key value [key value ...]"},
    {"msetnx",      cmd_msetnx,     -3, W_DENY,                  KEYS(1, -1, 2), "string", NULL, "Set multiple keys to multiple values, only if none of the keys exist", "1.0.1", "key value [key value ...]"},
    {"mget",        cmd_mget,       -2, CMD_READONLY | CMD_FAST, KEYS(1, -1, 1), "string", NULL, "Get the values of all the given keys", "1.0.0", "key [key ...]"},
    {"incr",        cmd_incr,        2, W_DENY_FAST,             KEYS(1, 1, 1),  "string", NULL, "Increment the integer value of a key by one", "1.0.0", "key"},
    {"decr",        cmd_decr,        2, W_DENY_FAST,             KEYS(1, 1, 1),  "string", NULL, "Decrement the integer value of a key by one", "1.0.0", "key"},
    {"incrby",      cmd_incrby,      3, W_DENY_FAST,             KEYS(1, 1, 1),  "string", NULL, "Increment the integer value of a key by the given amount", "1.0.0", "key increment"},
    {"decrby",      cmd_decrby,      3, W_DENY_FAST,             KEYS(1, 1, 1),  "string", NULL, "Decrement the integer value of a key by the given number", "1.0.0", "key decrement"},
    {"incrbyfloat", cmd_incrbyfloat, 3, W_DENY_FAST,             KEYS(1, 1, 1),  "string", NULL, "Increment the float value of a key by the given amount", "2.6.0", "key increment"},
    {"append",      cmd_append,      3, W_DENY_FAST,             KEYS(1, 1, 1),  "string", NULL, "Append a value to a key", "2.0.0", "key value"},
    {"strlen",      cmd_strlen,      2, CMD_READONLY | CMD_FAST, KEYS(1, 1, 1),  "string", NULL, "Get the length of the value stored in a key", "2.2.0", "key"},
    {"setrange",    cmd_setrange,    4, W_DENY,                  KEYS(1, 1, 1),  "string", NULL, "Overwrite part of a string at key starting at the specified offset", "2.2.0", "key offset value"},
    {"getrange",    cmd_getrange,    4, CMD_READONLY,            KEYS(1, 1, 1),  "string", NULL, "Get a substring of the string stored at a key", "2.4.0", "key start end"},
    {"substr",      cmd_getrange,    4, CMD_READONLY,            KEYS(1, 1, 1),  "string", NULL, "Get a substring of the string stored at a key", "1.0.0", "key start end"},
    {"lcs",         cmd_lcs,        -3, CMD_READONLY,            KEYS(1, 2, 1),  "string", NULL, "Find longest common substring", "7.0.0", "key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]"},
    CMD_SPEC_END,
};
/* clang-format on */
