/* propagate.h - the one path from an executed command to the AOF (and later the replicas).
 *
 * What Redis 7.0 propagates is what reaches aof_feed(): per top-level command (a command,
 * an EXEC with its queue, or a blocked client's re-run) the ops are collected, then emitted
 * by propagate_flush(): one op as is, several wrapped in MULTI ... EXEC (MULTI in the first
 * op's db, so any SELECT goes before it), except when the command only expired keys it
 * came across (SCAN, KEYS, RANDOMKEY). An op is:
 *   - a call's own command, when it is a write that changed the dataset (srv.dirty moved),
 *     verbatim unless its proc rewrote it into a deterministic form (propagate_rewrite) or
 *     prevented it (propagate_prevent);
 *   - an op added by a proc (propagate_also), whatever srv.dirty says;
 *   - a DEL for a key removed by expiry: lazy expiry during a command goes before the
 *     command's own op; active expiry (no command running) is emitted at once.
 * Nothing is collected while loading or for the AOF loader's client (CLIENT_AOF_LOADER).
 *
 * Ops are copied into a reused arena, so procs may pass argv built on the stack and a
 * verbatim op costs a copy but no allocation once the arena has grown. */
#ifndef VIGIL_SERVER_PROPAGATE_H
#define VIGIL_SERVER_PROPAGATE_H

#include <stddef.h>

#include "common/resp_reader.h"

typedef struct Client Client;
typedef struct Command Command;
typedef struct Db Db;

/* Targets of an op: the AOF, the replicas (PUBLISH goes to the replicas only). */
enum { PROPAGATE_AOF = 1 << 0, PROPAGATE_REPL = 1 << 1 };

/* dispatch.c: after every call (nested calls included), and once the top-level command is
 * over. blocked.c flushes after each re-run that serves a client. */
void propagate_after_call(Client *c, Command *cmd, long long dirty_before);
void propagate_flush(void);

/* For command procs, during the call. */
/* Propagate this argv instead of the call's own (still only if the call changed the
 * dataset). The last rewrite wins. */
void propagate_rewrite(Client *c, int argc, const RespArg *argv);
/* Add an op now, in db `dbid`, for the AOF and the replicas. */
void propagate_also(int dbid, int argc, const RespArg *argv);
/* Do not propagate the call's own command (its ops were added with propagate_also). */
void propagate_prevent(Client *c);
/* Propagate the call's own command to the replicas even though the dataset did not change
 * (PUBLISH); the AOF never gets it. */
void propagate_force_repl(Client *c);

/* Propagate the call's own command everywhere even though the dataset did not change
 * (FLUSHALL and FLUSHDB of empty databases, as Redis 7.0 forces them). */
void propagate_force(Client *c);
/* A key removed because its TTL passed (lazy or active expiry): a DEL. */
void propagate_expired_key(Db *db, const char *key, size_t len);

#endif
