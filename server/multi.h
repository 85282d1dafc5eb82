/* multi.h - transactions: MULTI/EXEC/DISCARD and optimistic locking with WATCH/UNWATCH.
 *
 * dispatch.c asks multi_should_queue() after its checks and hands the command to
 * multi_queue_command() instead of running it; a check that fails inside MULTI calls
 * multi_flag_error() so EXEC answers EXECABORT. db.c reports every key change through
 * multi_touch_key() and every FLUSHDB/FLUSHALL/SWAPDB through multi_touch_db(); both cost one
 * dict-size test while no key of that db is watched. networking.c calls multi_client_free()
 * when a client goes away, RESET calls multi_reset(). */
#ifndef VIGIL_SERVER_MULTI_H
#define VIGIL_SERVER_MULTI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Client Client;
typedef struct Command Command;
typedef struct Db Db;

/* Is c inside MULTI and is cmd one that gets queued (all but EXEC, DISCARD, MULTI, WATCH,
 * QUIT and RESET)? */
bool multi_should_queue(const Client *c, const Command *cmd);
/* Copy c's argv into its transaction and reply +QUEUED. */
void multi_queue_command(Client *c, Command *cmd);
/* Dispatch rejected c's command with the error reply written at c->out offset `mark`.
 * Inside MULTI the transaction will answer EXECABORT; a rejected EXEC itself (arity, NOAUTH,
 * OOM, ...) turns the error into "EXECABORT Transaction discarded because of: <error>" and
 * drops the transaction and the watches, as Redis does. */
void multi_flag_error(Client *c, size_t mark);
/* The flags dispatch checks for cmd: its own, plus for EXEC those of the queued commands
 * (so a paused-writes EXEC waits, and an EXEC of DENYOOM commands meets the OOM check). */
uint32_t multi_effective_flags(const Client *c, const Command *cmd);
/* Queued commands (CLIENT LIST multi=), -1 when not in MULTI. */
int multi_queued_count(const Client *c);
/* Bytes held by queued commands (CLIENT LIST multi-mem=). */
size_t multi_queued_bytes(const Client *c);

/* A key of db changed (or was deleted, or expired): watchers' EXEC will fail. */
void multi_touch_key(Db *db, const char *key, size_t len);
/* db is about to be emptied (replaced_with NULL: FLUSHDB/FLUSHALL) or to receive the
 * contents of replaced_with (SWAPDB): touch the watched keys that exist on either side. */
void multi_touch_db(Db *db, Db *replaced_with);

/* RESET: drop the transaction and the watches. */
void multi_reset(Client *c);
/* The client is going away. */
void multi_client_free(Client *c);

#endif
