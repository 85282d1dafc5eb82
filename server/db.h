/* db.h - the databases: keys (a Dict of Kv) and the expires index.
 *
 * Every read and write of a key goes through the lookup functions here, so lazy expiry,
 * keyspace_hits/misses and the LRU clock are handled in one place:
 *   db_lookup_read()   a read command's lookup: expires the key if due, counts hit/miss,
 *                      touches the LRU clock
 *   db_lookup_write()  a write command's lookup: expires the key if due, no hit/miss
 *   db_find()          raw presence, no side effects (SCAN filters, DEBUG, tests)
 * The expires index holds an ExpireEntry per key with a TTL; a Kv's has_expire bit says
 * whether to look there, so keys without a TTL cost one lookup. Active expiry lives in
 * expire.c. */
#ifndef VIGIL_SERVER_DB_H
#define VIGIL_SERVER_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "common/dict.h"
#include "common/resp_reader.h"
#include "server/object.h"

typedef struct ExpireEntry {
    DictNode node;
    Kv *kv;
    int64_t when_ms; /* absolute unix time in ms */
} ExpireEntry;

typedef struct Db Db;
typedef struct Client Client;

struct Db {
    Dict keys;
    Dict expires;
    int id;
    uint64_t expire_cursor; /* active expiry's SCAN cursor over `expires` */
    long long avg_ttl_ms;
};

enum {
    LOOKUP_NONE = 0,
    LOOKUP_NOTOUCH = 1 << 0, /* don't update the LRU clock (TYPE, OBJECT, TTL) */
    LOOKUP_NOSTATS = 1 << 1, /* don't count keyspace hits/misses */
};

void db_init(Db *db, int id);
void db_deinit(Db *db);
long long db_size(const Db *db);
long long db_expires_size(const Db *db);

Kv *db_lookup_read(Db *db, const char *key, size_t len, int flags);
Kv *db_lookup_write(Db *db, const char *key, size_t len);
Kv *db_find(Db *db, const char *key, size_t len);

/* A command's lookup of a key it needs of one type: 0 with *out set (NULL when the key is
 * missing), or -1 after replying WRONGTYPE when it holds another type. The read form counts
 * keyspace hits/misses like db_lookup_read; the write form is db_lookup_write. */
int db_read_typed_or_reply(Client *c, const RespArg *key, int type, Kv **out);
int db_write_typed_or_reply(Client *c, const RespArg *key, int type, Kv **out);

/* Add a Kv whose key is absent. Takes ownership. */
void db_add(Db *db, Kv *kv);
/* Put `nkv` in the place of `old` (same key). Takes ownership of nkv and frees old. The
 * expire entry follows if nkv->has_expire, else it is removed. */
void db_replace(Db *db, Kv *old, Kv *nkv);
/* The string value of kv as a RAW string with room for `need` bytes (APPEND, SETRANGE,
 * SETBIT); returns the Kv's possibly new address, relinked in the db and expires index. */
Kv *db_make_raw(Db *db, Kv *kv, size_t need);
/* SET semantics: add or overwrite the key with kv (ownership taken); the TTL is dropped
 * unless keep_ttl. */
void db_set(Db *db, Kv *kv, bool keep_ttl);
/* Delete a key; true if it existed. */
bool db_delete(Db *db, const char *key, size_t len);
/* Unlink without freeing (RENAME, MOVE); the caller owns the returned Kv, whose TTL is in
 * *when_ms (-1 if none) and whose has_expire bit is cleared. */
Kv *db_unlink(Db *db, const char *key, size_t len, int64_t *when_ms);

int64_t db_get_expire(Db *db, const Kv *kv); /* -1 when none */
void db_set_expire(Db *db, Kv *kv, int64_t when_ms);
bool db_remove_expire(Db *db, Kv *kv);
/* Is the key logically expired now? (no deletion) */
bool db_key_is_expired(Db *db, const Kv *kv);
/* True when the key's TTL has passed: then it is deleted, except while CLIENT PAUSE holds
 * writes, when it stays (and callers treat it as missing). */
bool db_expire_if_needed(Db *db, Kv *kv);
/* Delete a key whose TTL has passed (lazy and active expiry): counts expired_keys and
 * touches WATCHers. */
void db_delete_expired(Db *db, Kv *kv);

/* Remove every key; returns how many there were. */
long long db_flush(Db *db);
/* Exchange the contents of two databases (SWAPDB). Both touch WATCHed keys (multi.c). */
void db_swap(Db *a, Db *b);

/* Called after every change to a key's value (WATCH, keyspace notifications and client-side
 * caching hook in here as they arrive), and counts srv.dirty. */
void db_signal_modified(Db *db, const char *key, size_t len);

/* Server cron: resize tables and rehash a little (activerehashing). */
void db_cron(void);

Db *db_get(int id);

#endif
