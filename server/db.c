/* db.c - keyspace storage and lookups with lazy expiry (see db.h). */
#include "server/db.h"

#include "common/mem.h"
#include "server/blocked.h"
#include "server/client.h"
#include "server/dispatch.h"
#include "server/multi.h"
#include "server/notify.h"
#include "server/persist.h"
#include "server/propagate.h"
#include "server/replication.h"
#include "server/reply.h"
#include "server/server.h"

#include <string.h>

static const char *kv_node_key(const DictNode *n, size_t *len) {
    const Kv *kv = (const Kv *)n;
    *len = kv->keylen;
    return kv->key;
}

static const char *expire_node_key(const DictNode *n, size_t *len) {
    const ExpireEntry *e = (const ExpireEntry *)n;
    *len = e->kv->keylen;
    return e->kv->key;
}

static const DictType keys_type = {.node_key = kv_node_key, .nocase = false};
static const DictType expires_type = {.node_key = expire_node_key, .nocase = false};

void db_init(Db *db, int id) {
    memset(db, 0, sizeof(*db));
    dict_init(&db->keys, &keys_type);
    dict_init(&db->expires, &expires_type);
    db->id = id;
}

static void free_kv_node(DictNode *n, void *ud) {
    VG_UNUSED(ud);
    kv_free((Kv *)n);
}

static void free_expire_node(DictNode *n, void *ud) {
    VG_UNUSED(ud);
    mem_free(n);
}

void db_deinit(Db *db) {
    dict_deinit(&db->expires, free_expire_node, NULL);
    dict_deinit(&db->keys, free_kv_node, NULL);
}

long long db_size(const Db *db) {
    return (long long)dict_size(&db->keys);
}

long long db_expires_size(const Db *db) {
    return (long long)dict_size(&db->expires);
}

Db *db_get(int id) {
    return &srv.dbs[id];
}

Kv *db_find(Db *db, const char *key, size_t len) {
    return (Kv *)dict_find(&db->keys, key, len);
}

static ExpireEntry *expire_entry(Db *db, const Kv *kv) {
    return (ExpireEntry *)dict_find(&db->expires, kv->key, kv->keylen);
}

int64_t db_get_expire(Db *db, const Kv *kv) {
    if (!kv->has_expire) return -1;
    ExpireEntry *e = expire_entry(db, kv);
    return e ? e->when_ms : -1;
}

void db_set_expire(Db *db, Kv *kv, int64_t when_ms) {
    ExpireEntry *e = kv->has_expire ? expire_entry(db, kv) : NULL;
    if (!e) {
        e = mem_alloc(sizeof(*e));
        e->kv = kv;
        dict_insert(&db->expires, &e->node);
        kv->has_expire = 1;
    }
    e->when_ms = when_ms;
}

bool db_remove_expire(Db *db, Kv *kv) {
    if (!kv->has_expire) return false;
    DictNode *n = dict_unlink(&db->expires, kv->key, kv->keylen);
    mem_free(n);
    kv->has_expire = 0;
    return n != NULL;
}

bool db_key_is_expired(Db *db, const Kv *kv) {
    if (!kv->has_expire) return false;
    int64_t when = db_get_expire(db, kv);
    return when >= 0 && when < server_now_ms();
}

/* Deletes a key whose TTL has passed. While CLIENT PAUSE holds writes the dataset must not
 * change (a failover may be copying it), so the key is only reported as expired and waits,
 * unless `force`: a write command that is allowed to run must not find a dead key in the
 * way of the one it creates. */
static bool expire_key(Db *db, Kv *kv, bool force) {
    /* While loading (an AOF replays its commands) keys stay as the file has them: the
     * file's own DELs remove what expired while it was written. */
    if (ps.loading || !db_key_is_expired(db, kv)) return false;
    if (repl_is_replica()) {
        /* Redis 7.0's expireIfNeeded on a replica: its primary's commands see keys as they
         * are (the primary's DEL is on its way); others see the key as missing but it stays,
         * except for a write on a writable replica, which must not find it in the way. */
        if (srv.current_client && (srv.current_client->flags & CLIENT_PRIMARY)) return false;
        if (!force || cfg.replica_read_only) return true;
    }
    if (!force && dispatch_writes_paused()) return true;
    db_delete_expired(db, kv);
    return true;
}

void db_delete_expired(Db *db, Kv *kv) {
    int64_t when;
    srv.stats.expired_keys++;
    propagate_expired_key(db, kv->key, kv->keylen); /* as a DEL, to the AOF and replicas */
    Kv *dead = db_unlink(db, kv->key, kv->keylen, &when);
    multi_touch_key(db, dead->key, dead->keylen); /* after the unlink: WATCH checks presence */
    notify_keyspace_event(NOTIFY_EXPIRED, "expired", dead->key, dead->keylen, db->id);
    kv_free(dead);
}

bool db_expire_if_needed(Db *db, Kv *kv) {
    return expire_key(db, kv, false);
}

Kv *db_lookup_read(Db *db, const char *key, size_t len, int flags) {
    Kv *kv = db_find(db, key, len);
    if (kv && db_expire_if_needed(db, kv)) kv = NULL;
    if (!(flags & LOOKUP_NOSTATS)) {
        if (kv)
            srv.stats.keyspace_hits++;
        else
            srv.stats.keyspace_misses++;
    }
    if (kv && !(flags & LOOKUP_NOTOUCH)) kv->lru = obj_lru_clock();
    return kv;
}

Kv *db_lookup_write(Db *db, const char *key, size_t len) {
    Kv *kv = db_find(db, key, len);
    if (kv && expire_key(db, kv, true)) return NULL;
    if (kv) kv->lru = obj_lru_clock();
    return kv;
}

static int typed_or_reply(Client *c, Kv *kv, int type, Kv **out) {
    if (kv && kv->type != type) {
        reply_wrongtype(c);
        return -1;
    }
    *out = kv;
    return 0;
}

int db_read_typed_or_reply(Client *c, const RespArg *key, int type, Kv **out) {
    return typed_or_reply(c, db_lookup_read(c->db, key->ptr, key->len, LOOKUP_NONE), type, out);
}

int db_write_typed_or_reply(Client *c, const RespArg *key, int type, Kv **out) {
    return typed_or_reply(c, db_lookup_write(c->db, key->ptr, key->len), type, out);
}

/* Clients may wait for a list or sorted set to appear under this key (blocked.h). */
static void signal_if_awaited(Db *db, const Kv *kv) {
    if (kv->type == OBJ_LIST || kv->type == OBJ_ZSET) blocked_signal_key(db, kv->key, kv->keylen);
}

void db_add(Db *db, Kv *kv) {
    kv->has_expire = 0;
    dict_insert(&db->keys, &kv->node);
    signal_if_awaited(db, kv);
}

Kv *db_make_raw(Db *db, Kv *kv, size_t need) {
    bool moved;
    Kv *nkv = kv_make_raw(kv, need, &moved);
    if (!moved) return nkv;
    dict_replace(&db->keys, &kv->node, &nkv->node);
    if (nkv->has_expire) {
        ExpireEntry *e = expire_entry(db, nkv);
        if (e) e->kv = nkv;
    }
    mem_free(kv); /* the old EMBSTR block: its value was copied into the RawStr */
    return nkv;
}

void db_replace(Db *db, Kv *old, Kv *nkv) {
    bool keep = nkv->has_expire && old->has_expire;
    nkv->has_expire = 0;
    if (old->has_expire) {
        if (keep) {
            ExpireEntry *e = expire_entry(db, old);
            e->kv = nkv;
            nkv->has_expire = 1;
        } else {
            db_remove_expire(db, old);
        }
    }
    dict_replace(&db->keys, &old->node, &nkv->node);
    kv_free(old);
    signal_if_awaited(db, nkv);
}

void db_set(Db *db, Kv *kv, bool keep_ttl) {
    Kv *old = db_find(db, kv->key, kv->keylen);
    if (!old) {
        db_add(db, kv);
        return;
    }
    kv->has_expire = keep_ttl ? old->has_expire : 0;
    db_replace(db, old, kv);
}

Kv *db_unlink(Db *db, const char *key, size_t len, int64_t *when_ms) {
    Kv *kv = db_find(db, key, len);
    if (!kv) return NULL;
    *when_ms = db_get_expire(db, kv);
    db_remove_expire(db, kv);
    dict_unlink(&db->keys, key, len);
    return kv;
}

bool db_delete(Db *db, const char *key, size_t len) {
    int64_t when;
    Kv *kv = db_unlink(db, key, len, &when);
    if (!kv) return false;
    kv_free(kv);
    return true;
}

long long db_flush(Db *db) {
    multi_touch_db(db, NULL);
    long long n = db_size(db);
    int id = db->id;
    db_deinit(db);
    db_init(db, id);
    return n;
}

void db_swap(Db *a, Db *b) {
    multi_touch_db(a, b);
    multi_touch_db(b, a);
    Db tmp = *a;
    int ida = a->id, idb = b->id;
    *a = *b;
    *b = tmp;
    a->id = ida;
    b->id = idb;
    blocked_signal_db(a);
    blocked_signal_db(b);
}

void db_signal_modified(Db *db, const char *key, size_t len) {
    multi_touch_key(db, key, len);
    srv.dirty++;
}

void db_cron(void) {
    for (int i = 0; i < srv.ndbs; i++) {
        Db *db = &srv.dbs[i];
        dict_resize_if_needed(&db->keys);
        dict_resize_if_needed(&db->expires);
    }
    if (!cfg.activerehashing) return;
    /* One millisecond of rehashing per cron tick, for the first db that needs it (Redis
     * does the same), so a large table finishes its rehash even when no command touches it. */
    for (int i = 0; i < srv.ndbs; i++) {
        Db *db = &srv.dbs[i];
        if (dict_is_rehashing(&db->keys)) {
            dict_rehash_ms(&db->keys, 1);
            return;
        }
        if (dict_is_rehashing(&db->expires)) {
            dict_rehash_ms(&db->expires, 1);
            return;
        }
    }
}
