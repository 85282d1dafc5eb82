/* cmd_keys.c - the keyspace ("generic") commands: DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME,
 * RENAMENX, COPY, MOVE, the EXPIRE family, TTL/PTTL/EXPIRETIME/PEXPIRETIME, PERSIST, KEYS,
 * SCAN, RANDOMKEY, the whole-database commands DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, and the
 * OBJECT introspection subcommands.
 *
 * Every key access goes through db.c's lookups, so lazy expiry and keyspace_hits/misses
 * follow Redis 7.0 command by command: EXISTS, TYPE, TTL and OBJECT read without touching
 * the LRU clock; TOUCH and COPY's source read normally; the writers use db_lookup_write.
 * Two deliberate reads without expiry: KEYS skips logically expired keys without deleting
 * them, and DBSIZE counts them, both as Redis 7.0 does.
 *
 * srv.dirty follows Redis: one change per deleted key, one per RENAME/MOVE/COPY/SWAPDB,
 * and FLUSHDB/FLUSHALL count the keys they removed. UNLINK and FLUSH* ASYNC free
 * synchronously for now (the lazy-free thread arrives with its own issue); the replies are
 * the same. Propagation of relative TTLs as absolute ones is dispatch's job when it lands.
 * LFU bookkeeping (what OBJECT FREQ decodes) belongs to eviction. */
#include "common/buf.h"
#include "common/glob.h"
#include "common/mem.h"
#include "common/util.h"
#include "server/bgsave.h"
#include "server/childproc.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/notify.h"
#include "server/propagate.h"
#include "server/reply.h"
#include "server/scan.h"
#include "server/server.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>



/* ---------------------------------------------------------------- shared helpers */

static bool args_equal(const RespArg *a, const RespArg *b) {
    return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

/* The database named by a DB index argument (MOVE, COPY ... DB), or NULL after replying. */
static Db *target_db_or_reply(Client *c, const RespArg *a) {
    int id;
    if (arg_to_int_or_reply(c, a, &id, NULL) != 0) return NULL;
    if (id < 0 || id >= srv.ndbs) {
        reply_error(c, ERRT_DB_INDEX);
        return NULL;
    }
    return db_get(id);
}

/* Give a detached Kv a home in db, with its TTL (-1 = none). */
static void add_with_expire(Db *db, Kv *kv, int64_t when_ms) {
    db_add(db, kv);
    if (when_ms >= 0) db_set_expire(db, kv, when_ms);
}

/* ---------------------------------------------------------------- existence and deletion */

/* DEL key [key ...] / UNLINK key [key ...]: the number of keys removed. */
static void cmd_del(Client *c) {
    long long deleted = 0;
    for (int j = 1; j < c->argc; j++) {
        const RespArg *k = &c->argv[j];
        if (!db_lookup_write(c->db, k->ptr, k->len)) continue;
        db_delete(c->db, k->ptr, k->len);
        db_signal_modified(c->db, k->ptr, k->len);
        notify_keyspace_event(NOTIFY_GENERIC, "del", k->ptr, k->len, c->db->id);
        deleted++;
    }
    reply_int(c, deleted);
}

/* EXISTS key [key ...]: repeated keys count each time. */
static void cmd_exists(Client *c) {
    long long n = 0;
    for (int j = 1; j < c->argc; j++)
        if (db_lookup_read(c->db, c->argv[j].ptr, c->argv[j].len, LOOKUP_NOTOUCH)) n++;
    reply_int(c, n);
}

/* TOUCH key [key ...]: a normal read of each key (updates its LRU clock). */
static void cmd_touch(Client *c) {
    long long n = 0;
    for (int j = 1; j < c->argc; j++)
        if (db_lookup_read(c->db, c->argv[j].ptr, c->argv[j].len, LOOKUP_NONE)) n++;
    reply_int(c, n);
}

/* TYPE key: a status reply, "none" for a missing key. */
static void cmd_type(Client *c) {
    Kv *kv = db_lookup_read(c->db, c->argv[1].ptr, c->argv[1].len, LOOKUP_NOTOUCH);
    reply_simple(c, kv ? obj_type_name(kv->type) : "none");
}

/* ---------------------------------------------------------------- rename, copy, move */

/* RENAME/RENAMENX key newkey. The TTL moves with the value. Renaming a key onto itself
 * is a no-op that still fails on a missing key (OK, or 0 for RENAMENX). */
static void rename_generic(Client *c, bool nx) {
    const RespArg *src = &c->argv[1], *dst = &c->argv[2];
    if (!db_lookup_write(c->db, src->ptr, src->len)) {
        reply_error(c, ERRT_NO_KEY);
        return;
    }
    if (args_equal(src, dst)) {
        nx ? reply_int(c, 0) : reply_ok(c);
        return;
    }
    if (db_lookup_write(c->db, dst->ptr, dst->len)) {
        if (nx) {
            reply_int(c, 0);
            return;
        }
        db_delete(c->db, dst->ptr, dst->len);
    }
    int64_t when;
    Kv *kv = db_unlink(c->db, src->ptr, src->len, &when);
    add_with_expire(c->db, kv_rekey(kv, dst->ptr, dst->len, false), when);
    db_signal_modified(c->db, src->ptr, src->len);
    db_signal_modified(c->db, dst->ptr, dst->len);
    notify_keyspace_event(NOTIFY_GENERIC, "rename_from", src->ptr, src->len, c->db->id);
    notify_keyspace_event(NOTIFY_GENERIC, "rename_to", dst->ptr, dst->len, c->db->id);
    srv.dirty--; /* Redis counts a rename as one change, not two */
    nx ? reply_int(c, 1) : reply_ok(c);
}

static void cmd_rename(Client *c) {
    rename_generic(c, false);
}

static void cmd_renamenx(Client *c) {
    rename_generic(c, true);
}

typedef struct CopyOpts {
    Db *dst;      /* DB destination-db, default the client's */
    bool replace; /* REPLACE */
} CopyOpts;

/* COPY's options after the two keys; both may repeat (the last DB wins). */
static int copy_parse_or_reply(Client *c, CopyOpts *o) {
    for (int j = 3; j < c->argc; j++) {
        if (arg_is(&c->argv[j], "replace")) {
            o->replace = true;
        } else if (arg_is(&c->argv[j], "db") && j + 1 < c->argc) {
            o->dst = target_db_or_reply(c, &c->argv[++j]);
            if (!o->dst) return -1;
        } else {
            reply_syntax_error(c);
            return -1;
        }
    }
    return 0;
}

/* COPY source destination [DB destination-db] [REPLACE]: 1 copied, 0 when the source is
 * missing or the destination exists without REPLACE. The TTL is copied too. */
static void cmd_copy(Client *c) {
    CopyOpts o = {.dst = c->db, .replace = false};
    if (copy_parse_or_reply(c, &o) != 0) return;
    const RespArg *src = &c->argv[1], *dst = &c->argv[2];
    if (o.dst == c->db && args_equal(src, dst)) {
        reply_error(c, ERRT_SAME_OBJECT);
        return;
    }
    Kv *kv = db_lookup_read(c->db, src->ptr, src->len, LOOKUP_NONE);
    if (!kv) {
        reply_int(c, 0);
        return;
    }
    int64_t when = db_get_expire(c->db, kv);
    if (db_lookup_write(o.dst, dst->ptr, dst->len)) {
        if (!o.replace) {
            reply_int(c, 0);
            return;
        }
        db_delete(o.dst, dst->ptr, dst->len);
    }
    add_with_expire(o.dst, kv_rekey(kv, dst->ptr, dst->len, true), when);
    db_signal_modified(o.dst, dst->ptr, dst->len);
    notify_keyspace_event(NOTIFY_GENERIC, "copy_to", dst->ptr, dst->len, o.dst->id);
    reply_int(c, 1);
}

/* MOVE key db: 1 moved, 0 when the key is missing here or present there. */
static void cmd_move(Client *c) {
    const RespArg *key = &c->argv[1];
    Db *dst = target_db_or_reply(c, &c->argv[2]);
    if (!dst) return;
    if (dst == c->db) {
        reply_error(c, ERRT_SAME_OBJECT);
        return;
    }
    if (!db_lookup_write(c->db, key->ptr, key->len) || db_lookup_write(dst, key->ptr, key->len)) {
        reply_int(c, 0);
        return;
    }
    int64_t when;
    Kv *kv = db_unlink(c->db, key->ptr, key->len, &when);
    add_with_expire(dst, kv, when);
    db_signal_modified(c->db, key->ptr, key->len);
    db_signal_modified(dst, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_GENERIC, "move_from", key->ptr, key->len, c->db->id);
    notify_keyspace_event(NOTIFY_GENERIC, "move_to", key->ptr, key->len, dst->id);
    srv.dirty--; /* one change, as Redis counts it */
    reply_int(c, 1);
}

/* ---------------------------------------------------------------- whole databases */

/* DBSIZE: every key in the table, logically expired ones included (as Redis). */
static void cmd_dbsize(Client *c) {
    reply_int(c, db_size(c->db));
}

/* FLUSHDB/FLUSHALL [ASYNC|SYNC]: both modes free synchronously today. */
static int flush_parse_or_reply(Client *c) {
    if (c->argc == 1) return 0;
    if (c->argc == 2 && (arg_is(&c->argv[1], "sync") || arg_is(&c->argv[1], "async"))) return 0;
    reply_syntax_error(c);
    return -1;
}

static void cmd_flushdb(Client *c) {
    if (flush_parse_or_reply(c) != 0) return;
    srv.dirty += db_flush(c->db);
    propagate_force(c); /* even an empty db's flush reaches the AOF and replicas (7.0) */
    reply_ok(c);
}

/* Counts the removed keys as changes, as redis-server 7.0.15 reports them. A BGSAVE in
 * progress is stopped: it would write the data just flushed. With save points configured
 * Redis then writes the now empty dataset in the foreground, so that a restart does not
 * bring the keys back; that save leaves dirty at 0 (as 7.0.15 reports it), whether or not it
 * succeeded is not the command's concern (its log says). */
static void cmd_flushall(Client *c) {
    if (flush_parse_or_reply(c) != 0) return;
    for (int i = 0; i < srv.ndbs; i++)
        srv.dirty += db_flush(db_get(i));
    if (child_active_type() == CHILD_RDB) child_kill();
    if (cfg.save_params && cfg.save_params[0]) bgsave_save_sync();
    propagate_force(c); /* the save left dirty at 0: propagate all the same, as 7.0 does */
    reply_ok(c);
}

/* SWAPDB index1 index2: clients that selected either db see the other's keys. */
static void cmd_swapdb(Client *c) {
    int id1, id2;
    if (arg_to_int_or_reply(c, &c->argv[1], &id1, "ERR invalid first DB index") != 0) return;
    if (arg_to_int_or_reply(c, &c->argv[2], &id2, "ERR invalid second DB index") != 0) return;
    if (id1 < 0 || id1 >= srv.ndbs || id2 < 0 || id2 >= srv.ndbs) {
        reply_error(c, ERRT_DB_INDEX);
        return;
    }
    if (id1 != id2) db_swap(db_get(id1), db_get(id2));
    srv.dirty++;
    reply_ok(c);
}

/* ---------------------------------------------------------------- expiry */

enum {
    EXPIRE_NX = 1 << 0, /* only when the key has no TTL */
    EXPIRE_XX = 1 << 1, /* only when it has one */
    EXPIRE_GT = 1 << 2, /* only when the new TTL is greater (no TTL = infinite) */
    EXPIRE_LT = 1 << 3, /* only when the new TTL is less */
};

/* The NX|XX|GT|LT words after the time; repeats are allowed, conflicts are errors. */
static int expire_flags_parse_or_reply(Client *c, int *flags) {
    static const struct {
        const char *word;
        int flag;
    } words[] = {{"nx", EXPIRE_NX}, {"xx", EXPIRE_XX}, {"gt", EXPIRE_GT}, {"lt", EXPIRE_LT}};
    for (int j = 3; j < c->argc; j++) {
        size_t w = 0;
        while (w < VG_ARRAY_LEN(words) && !arg_is(&c->argv[j], words[w].word))
            w++;
        if (w == VG_ARRAY_LEN(words)) {
            reply_error_fmt(c, "ERR Unsupported option %.*s", (int)arg_cstr_len(&c->argv[j]),
                            c->argv[j].ptr);
            return -1;
        }
        *flags |= words[w].flag;
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        reply_error(c, "ERR NX and XX, GT or LT options at the same time are not compatible");
        return -1;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        reply_error(c, "ERR GT and LT options at the same time are not compatible");
        return -1;
    }
    return 0;
}

/* Do the flags let a TTL of `when` replace the current one (-1 = none, i.e. infinite)? */
static bool expire_flags_allow(int flags, int64_t cur, int64_t when) {
    if ((flags & EXPIRE_NX) && cur != -1) return false;
    if ((flags & EXPIRE_XX) && cur == -1) return false;
    if ((flags & EXPIRE_GT) && (cur == -1 || when <= cur)) return false;
    if ((flags & EXPIRE_LT) && cur != -1 && when >= cur) return false;
    return true;
}

/* The absolute expiry in ms from the time argument, or -1 after replying. The overflow
 * checks are Redis's: unit conversion, then adding the base time. */
static int expire_when_or_reply(Client *c, int64_t basetime_ms, bool seconds, int64_t *when) {
    long long v;
    if (arg_to_ll_or_reply(c, &c->argv[2], &v, NULL) != 0) return -1;
    if (seconds) {
        if (v > LLONG_MAX / 1000 || v < LLONG_MIN / 1000) goto invalid;
        v *= 1000;
    }
    if (v > LLONG_MAX - basetime_ms) goto invalid;
    *when = v + basetime_ms;
    return 0;
invalid:
    reply_error_fmt(c, ERRT_BAD_EXPIRE, c->cmd->fullname);
    return -1;
}

/* As Redis 7.0 replays an EXPIRE that took effect: DEL when the time was past, else
 * PEXPIREAT with the absolute ms and the same NX|XX|GT|LT words. */
static void expire_propagate(Client *c, bool past, int64_t when) {
    if (past) {
        RespArg av[2] = {{"DEL", 3}, c->argv[1]};
        propagate_rewrite(c, 2, av);
        return;
    }
    RespArg small[8], *av = c->argc <= 8 ? small : mem_alloc(sizeof(*av) * (size_t)c->argc);
    char ms[24];
    memcpy(av, c->argv, sizeof(*av) * (size_t)c->argc);
    av[0] = (RespArg){"PEXPIREAT", 9};
    av[2] = (RespArg){ms, (size_t)util_ll_to_str(ms, when)};
    propagate_rewrite(c, c->argc, av);
    if (av != small) mem_free(av);
}

/* EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT]: 1 when the TTL was set (or
 * the key deleted because the time is already past), 0 when the key is missing or the
 * condition failed. */
static void expire_generic(Client *c, int64_t basetime_ms, bool seconds) {
    const RespArg *key = &c->argv[1];
    int flags = 0;
    int64_t when;
    if (expire_flags_parse_or_reply(c, &flags) != 0) return;
    if (expire_when_or_reply(c, basetime_ms, seconds, &when) != 0) return;
    Kv *kv = db_lookup_write(c->db, key->ptr, key->len);
    if (!kv || !expire_flags_allow(flags, db_get_expire(c->db, kv), when)) {
        reply_int(c, 0);
        return;
    }
    bool past = when <= server_now_ms();
    if (past)
        db_delete(c->db, key->ptr, key->len);
    else
        db_set_expire(c->db, kv, when);
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_GENERIC, past ? "del" : "expire", key->ptr, key->len, c->db->id);
    reply_int(c, 1);
    expire_propagate(c, past, when);
}

static void cmd_expire(Client *c) {
    expire_generic(c, server_now_ms(), true);
}

static void cmd_pexpire(Client *c) {
    expire_generic(c, server_now_ms(), false);
}

static void cmd_expireat(Client *c) {
    expire_generic(c, 0, true);
}

static void cmd_pexpireat(Client *c) {
    expire_generic(c, 0, false);
}

/* TTL/PTTL (remaining) and EXPIRETIME/PEXPIRETIME (absolute): -2 missing key, -1 no TTL.
 * Seconds round to nearest as Redis's (ttl+500)/1000, computed without overflow. */
static void ttl_generic(Client *c, bool ms, bool absolute) {
    Kv *kv = db_lookup_read(c->db, c->argv[1].ptr, c->argv[1].len, LOOKUP_NOTOUCH);
    if (!kv) {
        reply_int(c, -2);
        return;
    }
    int64_t when = db_get_expire(c->db, kv);
    if (when == -1) {
        reply_int(c, -1);
        return;
    }
    int64_t ttl = absolute ? when : when - server_now_ms();
    if (ttl < 0) ttl = 0;
    reply_int(c, ms ? ttl : (long long)(((uint64_t)ttl + 500) / 1000));
}

static void cmd_ttl(Client *c) {
    ttl_generic(c, false, false);
}

static void cmd_pttl(Client *c) {
    ttl_generic(c, true, false);
}

static void cmd_expiretime(Client *c) {
    ttl_generic(c, false, true);
}

static void cmd_pexpiretime(Client *c) {
    ttl_generic(c, true, true);
}

/* PERSIST key: 1 when a TTL was removed. */
static void cmd_persist(Client *c) {
    const RespArg *key = &c->argv[1];
    Kv *kv = db_lookup_write(c->db, key->ptr, key->len);
    if (!kv || !db_remove_expire(c->db, kv)) {
        reply_int(c, 0);
        return;
    }
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(NOTIFY_GENERIC, "persist", key->ptr, key->len, c->db->id);
    reply_int(c, 1);
}

/* ---------------------------------------------------------------- iteration */

/* KEYS pattern: a full walk; expired keys are skipped but left for the expiry paths. */
static void cmd_keys(Client *c) {
    const RespArg *pat = &c->argv[1];
    bool all = pat->len == 1 && pat->ptr[0] == '*';
    long long n = 0;
    size_t h = reply_deferred_begin(c);
    DictIter it;
    dict_iter_init(&it, &c->db->keys, false);
    for (DictNode *node; (node = dict_iter_next(&it));) {
        Kv *kv = (Kv *)node;
        if (!all && !glob_match(pat->ptr, pat->len, kv->key, kv->keylen, false)) continue;
        if (db_key_is_expired(c->db, kv)) continue;
        reply_bulk(c, kv->key, kv->keylen);
        n++;
    }
    dict_iter_deinit(&it);
    reply_deferred_array(c, h, n);
}

/* The cursor as Redis 7.0 reads it with strtoul: an optional sign, decimal digits, no
 * spaces; "" is 0, "-1" wraps around, and the text ends at an embedded NUL. */
static bool scan_cursor_parse(const RespArg *a, uint64_t *out) {
    size_t n = arg_cstr_len(a), i = 0;
    const char *s = a->ptr;
    *out = 0;
    if (n == 0) return true;
    bool neg = s[0] == '-';
    if (s[0] == '-' || s[0] == '+') i++;
    if (i == n) return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = neg ? (uint64_t)0 - v : v;
    return true;
}

int scan_cursor_or_reply(Client *c, const RespArg *a, uint64_t *cursor) {
    if (scan_cursor_parse(a, cursor)) return 0;
    reply_error(c, "ERR invalid cursor");
    return -1;
}

int scan_opts_or_reply(Client *c, int first, bool allow_type, ScanOpts *o) {
    *o = (ScanOpts){.count = 10, .pat = NULL, .type = NULL};
    for (int j = first; j < c->argc; j += 2) {
        if (j + 1 == c->argc) { /* every option takes a value */
            reply_syntax_error(c);
            return -1;
        }
        const RespArg *opt = &c->argv[j], *val = &c->argv[j + 1];
        if (arg_is(opt, "count")) {
            if (arg_to_ll_or_reply(c, val, &o->count, NULL) != 0) return -1;
            if (o->count < 1) {
                reply_syntax_error(c);
                return -1;
            }
        } else if (arg_is(opt, "match")) {
            o->pat = (val->len == 1 && val->ptr[0] == '*') ? NULL : val;
        } else if (allow_type && arg_is(opt, "type")) {
            o->type = val;
        } else {
            reply_syntax_error(c);
            return -1;
        }
    }
    return 0;
}

/* Keys gathered by one SCAN call: copies, since filtering may expire (free) their Kv. */
typedef struct ScanBatch {
    const ScanOpts *opts;
    long long visited; /* entries seen, matching or not: what COUNT bounds */
    Buf keys;          /* key bytes, back to back */
    size_t *ends;      /* ends[i]: end offset of key i in keys */
    size_t n, cap;
} ScanBatch;

Kv *scan_value_or_reply(Client *c, int type, uint64_t *cursor, ScanOpts *o) {
    Kv *kv;
    if (scan_cursor_or_reply(c, &c->argv[2], cursor) != 0) return NULL;
    if (db_read_typed_or_reply(c, &c->argv[1], type, &kv) != 0) return NULL;
    if (!kv) {
        scan_reply_head(c, 0, 0);
        return NULL;
    }
    if (scan_opts_or_reply(c, 3, false, o) != 0) return NULL;
    return kv;
}

uint64_t scan_dict_walk(Dict *d, uint64_t cursor, const ScanOpts *o, DictScanFn fn, void *ud,
                        const long long *visited) {
    long long budget = o->count > LLONG_MAX / 10 ? LLONG_MAX : o->count * 10;
    do {
        cursor = dict_scan(d, cursor, fn, ud);
    } while (cursor && budget-- && *visited < o->count);
    return cursor;
}

void scan_reply_head(Client *c, uint64_t cursor, long long n) {
    char num[24];
    reply_array(c, 2);
    reply_bulk(c, num, (size_t)util_ull_to_str(num, cursor));
    reply_array(c, n);
}

bool scan_match(const ScanOpts *o, const char *s, size_t len) {
    return !o->pat || glob_match(o->pat->ptr, o->pat->len, s, len, false);
}

static void scan_collect(DictNode *node, void *ud) {
    ScanBatch *b = ud;
    const Kv *kv = (const Kv *)node;
    b->visited++;
    if (!scan_match(b->opts, kv->key, kv->keylen)) return;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->ends = mem_realloc(b->ends, b->cap * sizeof(*b->ends));
    }
    buf_append(&b->keys, kv->key, kv->keylen);
    b->ends[b->n++] = b->keys.len;
}

/* Filters applied after the walk, as Redis orders them: TYPE looks the key up (a counted
 * read that may expire it, leaving type "none"), then expired keys are dropped. */
static bool scan_keep(Client *c, const ScanOpts *o, const char *key, size_t len) {
    if (o->type) {
        Kv *kv = db_lookup_read(c->db, key, len, LOOKUP_NOTOUCH);
        const char *name = kv ? obj_type_name(kv->type) : "none";
        size_t tlen = arg_cstr_len(o->type);
        if (tlen != strlen(name) || strncasecmp(o->type->ptr, name, tlen) != 0) return false;
    }
    Kv *kv = db_find(c->db, key, len);
    return !(kv && db_expire_if_needed(c->db, kv));
}

static void scan_reply(Client *c, const ScanOpts *o, ScanBatch *b, uint64_t cursor) {
    char num[24];
    reply_array(c, 2);
    reply_bulk(c, num, (size_t)util_ull_to_str(num, cursor));
    size_t h = reply_deferred_begin(c);
    long long kept = 0;
    /* When the only keys collected are empty ("" is a valid key) the buffer was never
     * allocated: its data is NULL, which must not reach pointer arithmetic or memcmp. */
    const char *base = b->keys.data ? b->keys.data : "";
    for (size_t i = 0, start = 0; i < b->n; start = b->ends[i++]) {
        const char *key = base + start;
        size_t len = b->ends[i] - start;
        if (!scan_keep(c, o, key, len)) continue;
        reply_bulk(c, key, len);
        kept++;
    }
    reply_deferred_array(c, h, kept);
}

/* SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: dict_scan's cursor guarantees a
 * full iteration returns every key present throughout, across resizes. At most COUNT*10
 * buckets are visited per call so a sparse table cannot stall the server. */
static void cmd_scan(Client *c) {
    uint64_t cursor;
    ScanOpts o;
    if (scan_cursor_or_reply(c, &c->argv[1], &cursor) != 0) return;
    if (scan_opts_or_reply(c, 2, true, &o) != 0) return;
    ScanBatch b = {.opts = &o, .keys = BUF_INIT, .ends = NULL};
    cursor = scan_dict_walk(&c->db->keys, cursor, &o, scan_collect, &b, &b.visited);
    scan_reply(c, &o, &b, cursor);
    buf_deinit(&b.keys);
    mem_free(b.ends);
}

/* RANDOMKEY: a random live key or nil. Each expired pick is deleted before retrying, so
 * the loop ends within the db's size. When expired keys are not deleted (CLIENT PAUSE now,
 * replicas later) the retries are bounded and an expired key may be returned, as Redis
 * does on replicas. */
static void cmd_randomkey(Client *c) {
    for (int tries = 100;; tries--) {
        Kv *kv = (Kv *)dict_random(&c->db->keys);
        if (!kv) {
            reply_null(c);
            return;
        }
        if (tries == 0 || !db_expire_if_needed(c->db, kv)) {
            reply_bulk(c, kv->key, kv->keylen);
            return;
        }
    }
}

/* ---------------------------------------------------------------- OBJECT */

static bool policy_is_lfu(void) {
    return cfg.maxmemory_policy == POLICY_VOLATILE_LFU ||
           cfg.maxmemory_policy == POLICY_ALLKEYS_LFU;
}

/* The key of OBJECT <sub> key, read without touching it; NULL after a nil reply. */
static Kv *object_lookup_or_reply(Client *c) {
    Kv *kv = db_lookup_read(c->db, c->argv[2].ptr, c->argv[2].len, LOOKUP_NOTOUCH);
    if (!kv) reply_null(c);
    return kv;
}

static void cmd_object_encoding(Client *c) {
    Kv *kv = object_lookup_or_reply(c);
    if (kv) reply_bulk_cstr(c, obj_encoding_name(kv->encoding));
}

static void cmd_object_refcount(Client *c) {
    Kv *kv = object_lookup_or_reply(c);
    if (kv) reply_int(c, kv_refcount(kv));
}

static void cmd_object_idletime(Client *c) {
    Kv *kv = object_lookup_or_reply(c);
    if (!kv) return;
    if (policy_is_lfu()) {
        reply_error(c, "ERR An LFU maxmemory policy is selected, idle time not tracked. Please "
                       "note that when switching between policies at runtime LRU and LFU data "
                       "will take some time to adjust.");
        return;
    }
    reply_int(c, (long long)kv_idle_seconds(kv));
}

/* Under an LFU policy the 24-bit lru field holds, as in Redis, 16 bits of minutes at the
 * last decrement and an 8-bit logarithmic counter, which decays one step per minute
 * (lfu-decay-time 1) since then. */
static long long lfu_counter_now(const Kv *kv) {
    uint32_t ldt = kv->lru >> 8, counter = kv->lru & 255;
    uint32_t now = (uint32_t)(server_now_ms() / 60000) & 65535;
    uint32_t elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
    return elapsed >= counter ? 0 : counter - elapsed;
}

static void cmd_object_freq(Client *c) {
    Kv *kv = object_lookup_or_reply(c);
    if (!kv) return;
    if (!policy_is_lfu()) {
        reply_error(c, "ERR An LFU maxmemory policy is not selected, access frequency not "
                       "tracked. Please note that when switching between policies at runtime "
                       "LRU and LFU data will take some time to adjust.");
        return;
    }
    reply_int(c, lfu_counter_now(kv));
}

static void cmd_object_help(Client *c) {
    static const char *const lines[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL,
    };
    reply_help(c, lines);
}

/* ---------------------------------------------------------------- the table */

#define RO          CMD_READONLY
#define RW          CMD_WRITE
#define EXP_HINT(t) "key " t " [NX|XX|GT|LT]"

/* clang-format off */
static const CmdSpec object_subcommands[] = {
    {"encoding", cmd_object_encoding, 3, RO, KEYS(2, 2, 1), "generic", NULL, "Inspect the internal encoding of a Redis object", "2.2.3", "key"},
    {"freq",     cmd_object_freq,     3, RO, KEYS(2, 2, 1), "generic", NULL, "Get the logarithmic access frequency counter of a Redis object", "4.0.0", "key"},
    {"idletime", cmd_object_idletime, 3, RO, KEYS(2, 2, 1), "generic", NULL, "Get the time since a Redis object was last accessed", "2.2.3", "key"},
    {"refcount", cmd_object_refcount, 3, RO, KEYS(2, 2, 1), "generic", NULL, "Get the number of references to the value of the key", "2.2.3", "key"},
    {"help",     cmd_object_help,     2, CMD_LOADING | CMD_STALE, NO_KEYS, "generic", NULL, "Show helpful text about the different subcommands", "6.2.0", ""},
    CMD_SPEC_END,
};

const CmdSpec keyspace_commands[] = {
    {"del",         cmd_del,        -2, RW,                  KEYS(1, -1, 1), "generic", NULL, "Delete a key", "1.0.0", "key [key ...]"},
    {"unlink",      cmd_del,        -2, RW | CMD_FAST,       KEYS(1, -1, 1), "generic", NULL, "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", "4.0.0", "key [key ...]"},
    {"exists",      cmd_exists,     -2, RO | CMD_FAST,       KEYS(1, -1, 1), "generic", NULL, "Determine if a key exists", "1.0.0", "key [key ...]"},
    {"type",        cmd_type,        2, RO | CMD_FAST,       KEYS(1, 1, 1),  "generic", NULL, "Determine the type stored at key", "1.0.0", "key"},
    {"touch",       cmd_touch,      -2, RO | CMD_FAST,       KEYS(1, -1, 1), "generic", NULL, "Alters the last access time of a key(s). Returns the number of existing keys specified.", "3.2.1", "key [key ...]"},
    {"rename",      cmd_rename,      3, RW,                  KEYS(1, 2, 1),  "generic", NULL, "Rename a key", "1.0.0", "key newkey"},
    {"renamenx",    cmd_renamenx,    3, RW | CMD_FAST,       KEYS(1, 2, 1),  "generic", NULL, "Rename a key, only if the new key does not exist", "1.0.0", "key newkey"},
    {"copy",        cmd_copy,       -3, RW | CMD_DENYOOM,    KEYS(1, 2, 1),  "generic", NULL, "Copy a key", "6.2.0", "source destination [DB destination-db] [REPLACE]"},
    {"move",        cmd_move,        3, RW | CMD_FAST,       KEYS(1, 1, 1),  "generic", NULL, "Move a key to another database", "1.0.0", "key db"},
    {"expire",      cmd_expire,     -3, RW | CMD_FAST,       KEYS(1, 1, 1),  "generic", NULL, "Set a key's time to live in seconds", "1.0.0", EXP_HINT("seconds")},
    {"pexpire",     cmd_pexpire,    -3, RW | CMD_FAST,       KEYS(1, 1, 1),  "generic", NULL, "Set a key's time to live in milliseconds", "2.6.0", EXP_HINT("milliseconds")},
    {"expireat",    cmd_expireat,   -3, RW | CMD_FAST,       KEYS(1, 1, 1),  "generic", NULL, "Set the expiration for a key as a UNIX timestamp", "1.2.0", EXP_HINT("unix-time-seconds")},
    {"pexpireat",   cmd_pexpireat,  -3, RW | CMD_FAST,       KEYS(1, 1, 1),  "generic", NULL, "Set the expiration for a key as a UNIX timestamp specified in milliseconds", "2.6.0", EXP_HINT("unix-time-milliseconds")},
    {"expiretime",  cmd_expiretime,  2, RO | CMD_FAST,       KEYS(1, 1, 1),  "generic", NULL, "Get the expiration Unix timestamp for a key", "7.0.0", "key"},
    {"pexpiretime", cmd_pexpiretime, 2, RO | CMD_FAST,       KEYS(1, 1, 1),  "generic", NULL, "Get the expiration Unix timestamp for a key in milliseconds", "7.0.0", "key"},
    {"persist",     cmd_persist,     2, RW | CMD_FAST,       KEYS(1, 1, 1),  "generic", NULL, "Remove the expiration from a key", "2.2.0", "key"},
    {"ttl",         cmd_ttl,         2, RO | CMD_FAST,       KEYS(1, 1, 1),  "generic", NULL, "Get the time to live for a key in seconds", "1.0.0", "key"},
    {"pttl",        cmd_pttl,        2, RO | CMD_FAST,       KEYS(1, 1, 1),  "generic", NULL, "Get the time to live for a key in milliseconds", "2.6.0", "key"},
    {"keys",        cmd_keys,        2, RO,                  NO_KEYS,        "generic", NULL, "Find all keys matching the given pattern", "1.0.0", "pattern"},
    {"scan",        cmd_scan,       -2, RO,                  NO_KEYS,        "generic", NULL, "Incrementally iterate the keys space", "2.8.0", "cursor [MATCH pattern] [COUNT count] [TYPE type]"},
    {"randomkey",   cmd_randomkey,   1, RO,                  NO_KEYS,        "generic", NULL, "Return a random key from the keyspace", "1.0.0", ""},
    {"dbsize",      cmd_dbsize,      1, RO | CMD_FAST,       NO_KEYS,        "server",  NULL, "Return the number of keys in the selected database", "1.0.0", ""},
    {"flushdb",     cmd_flushdb,    -1, RW,                  NO_KEYS,        "server",  NULL, "Remove all keys from the current database", "1.0.0", "[ASYNC|SYNC]"},
    {"flushall",    cmd_flushall,   -1, RW,                  NO_KEYS,        "server",  NULL, "Remove all keys from all databases", "1.0.0", "[ASYNC|SYNC]"},
    {"swapdb",      cmd_swapdb,      3, RW | CMD_FAST,       NO_KEYS,        "server",  NULL, "Swaps two Redis databases", "4.0.0", "index1 index2"},
    {"object",      NULL,           -2, 0,                   NO_KEYS,        "generic", object_subcommands, "A container for object introspection commands", "2.2.3", "subcommand [arguments ...]"},
    CMD_SPEC_END,
};
/* clang-format on */
