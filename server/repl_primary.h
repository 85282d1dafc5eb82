/* repl_primary.h - hooks of the primary's side of replication that other modules call
 * (the rest of its interface is in replication.h). */
#ifndef VIGIL_SERVER_REPL_PRIMARY_H
#define VIGIL_SERVER_REPL_PRIMARY_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct Client Client;

/* networking.c: a client is being freed (a replica leaves, a WAITer goes away). */
void repl_primary_client_free(Client *c);
/* networking.c, when a replica's output has drained: queue more of a disk RDB transfer. */
void repl_primary_replica_wrote(Client *c);
/* childproc.c: a CHILD_RDB child was reaped (after its type's done handler ran); the
 * replicas waiting for the RDB it wrote (to disk or to the pipe) go on or are dropped. */
void repl_primary_rdb_child_done(pid_t pid, bool ok, bool by_signal);
/* INFO # Stats: sync_full, sync_partial_ok, sync_partial_err. */
void repl_primary_sync_stats(long long *full, long long *partial_ok, long long *partial_err);

/* repl_failover.c: how many replicas are attached (in any state). */
int repl_primary_replica_count(void);
/* repl_failover.c: the replica announced as host:port (Redis's findReplica: its
 * ip-address or peer ip, and listening port); false when none. */
bool repl_primary_find_replica(const char *host, long long port, bool *online,
                               long long *ack_off);
/* repl_failover.c: a replica whose acked offset is master_repl_offset (the first one, as
 * Redis's updateFailoverStatus); its announced address into host/port. */
bool repl_primary_synced_replica(char *host, size_t cap, long long *port);
/* CLIENT UNBLOCK of a client blocked in WAIT: TIMEOUT replies the replicas that acked so
 * far, ERROR -UNBLOCKED (how: blocked.h's UNBLOCK_*). False when c is not waiting. */
bool repl_primary_unblock_waiter(Client *c, int how);
/* The instance changed role: a WAITer is told so by the caller; its wait just ends. */
void repl_primary_drop_waiter(Client *c);
/* INFO clients_in_timeout_table: WAITs with a timeout. */
long long repl_primary_wait_timeouts(void);

#endif
