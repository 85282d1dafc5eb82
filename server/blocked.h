/* blocked.h - clients blocked on keys: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
 * BZPOPMAX, BZMPOP.
 *
 * A blocking command that finds nothing to serve calls blocked_wait_keys(): the client keeps
 * its request (argv is copied out of the query buffer), runs no further commands, and waits
 * in each key's FIFO. When a key is created or replaced (db.c signals every db_add,
 * db_replace and db_set of a list or sorted set, SWAPDB and MOVE through blocked_signal_key),
 * the clients waiting on it are served once the current command (or the whole EXEC, or
 * script) has finished: first come, first served, each runs its command again from the
 * start exactly as if it had just arrived, and one that finds nothing again (an earlier
 * client took the element) keeps its place in the queue. During that re-run
 * blocked_ready_key() names the key being served, which a command waiting on several keys
 * tries first (Redis 7.0 pops from the signalled key, not the first non-empty one). The timeout, CLIENT UNBLOCK and
 * disconnection end the wait; nothing of the client stays behind.
 *
 * A blocking command called where it cannot block (inside MULTI/EXEC, a script) replies as
 * if its timeout had passed: blocked_can_block() says which. */
#ifndef VIGIL_SERVER_BLOCKED_H
#define VIGIL_SERVER_BLOCKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/resp_reader.h"

typedef struct Client Client;
typedef struct Db Db;

enum {
    UNBLOCK_TIMEOUT = 0, /* the timeout reply (null) */
    UNBLOCK_ERROR = 1,   /* CLIENT UNBLOCK ... ERROR: -UNBLOCKED */
};

/* A blocking timeout in seconds, fractional allowed, as an absolute deadline in server ms
 * (0 = wait forever). Replies with Redis's error and returns -1 when invalid. */
int blocked_parse_timeout_or_reply(Client *c, const RespArg *arg, int64_t *deadline_ms);
/* False inside MULTI/EXEC or a script: the caller replies its timeout reply instead. */
bool blocked_can_block(const Client *c);
/* Block c (the running client) on nkeys consecutive key arguments. The timeout reply is a
 * null array for every command: Redis 7.0.15 answers a timed-out BLMOVE/BRPOPLPUSH with *-1
 * too (null_array is kept for callers; only the can't-block path differs, the caller's). */
void blocked_wait_keys(Client *c, const RespArg *keys, int nkeys, int64_t deadline_ms,
                       bool null_array);
/* A key of db was created or replaced. O(1) when no client waits on any key. */
void blocked_signal_key(Db *db, const char *key, size_t len);
/* Every key of db (SWAPDB, FLUSHDB leave nothing to serve, but SWAPDB brings new keys). */
void blocked_signal_db(Db *db);
/* Serve the clients of the signalled keys (dispatch calls it after each top-level command). */
void blocked_serve_ready_keys(void);
/* End a client's wait: UNBLOCK_TIMEOUT or UNBLOCK_ERROR reply. */
void blocked_unblock(Client *c, int how);
/* The client is going away: drop it from every queue, no reply. */
void blocked_client_free(Client *c);
/* While a waiting client's command re-runs to be served: the key that became ready (NULL
 * otherwise). Redis 7.0 serves a client waiting on several keys from the key that was
 * signalled, not from the first of its keys that holds a value: a command may try it first. */
const RespArg *blocked_ready_key(const Client *c);
/* Bytes of the arguments a blocked client keeps (CLIENT LIST argv-mem); 0 when not blocked. */
long long blocked_argv_bytes(const Client *c);
/* INFO clients: blocked_clients, and clients_in_timeout_table (those with a deadline). */
long long blocked_clients_count(void);
long long blocked_timeout_count(void);
/* networking.c before the loop sleeps: serve what is ready (a CLIENT PAUSE may have ended),
 * then run the input that unblocked clients buffered meanwhile. */
void blocked_before_sleep(void);

#endif
