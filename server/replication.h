/* replication.h - Redis's replication protocol: the state both roles share and the
 * contracts between the three replication modules.
 *
 *   replication.c  the shared state (replication ids, offsets), promotion's id shift, the
 *                  dispatch checks (-NOREPLICAS, -READONLY, -MASTERDOWN), INFO # Replication
 *                  framing and ROLE; the command table rows
 *   repl_primary.c a primary's side: the backlog, feeding replicas (repl_feed, from
 *                  propagate.c), SYNC/PSYNC/REPLCONF, full resync (disk or diskless) and
 *                  partial resync, replica clients and their output limits, ACKs, WAIT,
 *                  min-replicas-to-write, pings and timeouts of replicas
 *   repl_replica.c a replica's side: REPLICAOF/SLAVEOF (and the replicaof option), the link
 *                  to the primary (handshake, RDB transfer and load, the command stream
 *                  applied through the master client), ACKs, repl-timeout, the cached
 *                  primary for PSYNC, promotion (REPLICAOF NO ONE)
 *
 * Offsets count bytes of the replication stream, as in Redis: a primary's
 * master_repl_offset grows by every byte it feeds; a replica's by every byte of the stream
 * it has applied (and proxies, byte for byte, to its own replicas). */
#ifndef VIGIL_SERVER_REPLICATION_H
#define VIGIL_SERVER_REPLICATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/resp_reader.h"

typedef struct Buf Buf;
typedef struct Client Client;

#define REPL_ID_LEN 40

typedef struct ReplState {
    char replid[REPL_ID_LEN + 1];  /* master_replid: the history this instance serves */
    char replid2[REPL_ID_LEN + 1]; /* master_replid2: the history it came from (PSYNC2) */
    long long master_repl_offset;
    long long second_repl_offset;  /* up to where replid2 is valid; -1 when none */
} ReplState;

extern ReplState repl;

/* ---- replication.c ----------------------------------------------------------------- */

/* Start-up: a fresh random replication id, offset 0, no replid2. */
void repl_init(void);
/* A new random replid (history starts afresh), replid2 cleared. */
void repl_change_replid(void);
/* Promotion: the current id becomes replid2, valid up to master_repl_offset + 1 (so
 * replicas of the old primary can continue with PSYNC); a new id is drawn. */
void repl_shift_replid(void);
/* Is this instance a replica (replicaof set)? */
bool repl_is_replica(void);
/* dispatch.c, in Redis 7.0's places: -NOREPLICAS / -READONLY for writes (before the
 * subscribed-mode check), -MASTERDOWN for commands not allowed on stale data (after it).
 * True after replying. `flags` are the command's (EXEC: with its queue's). */
bool repl_refuse_write_or_reply(Client *c, uint32_t flags);
bool repl_refuse_stale_or_reply(Client *c, uint32_t flags);
/* INFO # Replication. */
void repl_info(Buf *out);

/* ---- repl_primary.c ------------------------------------------------------------------ */

/* propagate.c: is there a replication stream to feed (a backlog exists, this is a
 * primary)? When false nothing is fed and the offset does not move (as Redis). */
bool repl_feed_active(void);
/* propagate.c: one command for the replicas, executed in db `dbid` (SELECT is added when
 * the stream's db differs). */
void repl_feed(int dbid, const RespArg *argv, int argc);
/* A replica's side: the bytes of its primary's stream, proxied as they are to this
 * instance's backlog and replicas (chained replication); moves master_repl_offset. */
void repl_feed_raw(const char *buf, size_t len);
/* Drop the backlog's history and start it at master_repl_offset + 1 (after a full sync
 * of this instance, or a new replid), creating it if absent. */
void repl_backlog_reset(void);
/* Start the backlog's repl-backlog-ttl clock now (promotion: a new primary keeps its
 * backlog for the replicas about to be repointed at it, as Redis does). */
void repl_primary_no_replicas_since_now(void);
/* Disconnect every replica of this instance (so they resync: a new history). */
void repl_disconnect_replicas(void);
/* Replicas with a lag <= min-replicas-max-lag (for -NOREPLICAS and INFO). */
long long repl_good_replicas(void);
/* INFO: "connected_slaves:..", "min_slaves_good_slaves:.." when enabled, "slaveN:..." */
void repl_primary_info(Buf *out);
/* INFO: "repl_backlog_active:.. repl_backlog_size:.. ..first_byte_offset:.. ..histlen:.." */
void repl_backlog_info(Buf *out);
/* ROLE on a primary: ["master", offset, [[ip, port, offset], ...]] */
void repl_primary_reply_role(Client *c);
/* From the cron (about every 100 ms): pings, timeouts, backlog ttl, WAIT timeouts... */
void repl_primary_cron(void);
/* Before the loop sleeps: REPLCONF GETACK for WAITers, replies to satisfied WAITs. */
void repl_primary_before_sleep(void);

/* ---- repl_replica.c ------------------------------------------------------------------ */

/* Start-up, after loading: connect to cfg.replicaof_host when set. */
void repl_replica_start(void);
/* Is the link to the primary up (for -MASTERDOWN)? */
bool repl_replica_link_up(void);
/* INFO: "master_host:" ... "replica_announced:" (only on a replica). */
void repl_replica_info(Buf *out);
/* ROLE on a replica: ["slave", host, port, state, offset] */
void repl_replica_reply_role(Client *c);
void repl_replica_cron(void);
/* persist.c, after loading an RDB at start-up that had repl-id/repl-offset aux fields: on a
 * replica they become the history it PSYNCs to continue. */
void repl_replica_loaded_info(const char *replid, long long offset, int stream_db);
/* bgsave.c: the repl aux fields for an RDB written on a replica (its primary's id and the
 * applied offset), so a restart can PSYNC; false when there is nothing to record. */
typedef struct RdbSaveInfo RdbSaveInfo;
bool repl_replica_save_info(RdbSaveInfo *rsi);
/* networking.c, for the primary client (CLIENT_PRIMARY) only: */
/* before dispatch: REPLCONF GETACK is answered here (the one reply a primary gets); true
 * when the request was consumed */
bool repl_replica_intercept(Client *c);
/* after each request ran: `raw` is its exact bytes in the stream (offset, sub-replicas) */
void repl_replica_applied(Client *c, const char *raw, size_t len);
/* on every read from its socket (master_last_io_seconds_ago, repl-timeout) */
void repl_replica_on_read(Client *c);
/* as it is freed: cache it for the next PSYNC */
void repl_replica_primary_freed(Client *c);

/* REPLICAOF host port / NO ONE, for FAILOVER (both roles) */
void repl_replica_set_master(const char *host, long long port);
void repl_replica_unset_master(void);

/* ---- repl_failover.c ------------------------------------------------------------------ */

/* Redis 7.0's coordinated FAILOVER, on the primary that hands its role over:
 *   NONE --FAILOVER--> WAIT_SYNC (writes paused; waits for a replica, or the TO target,
 *   to ack master_repl_offset) --synced, or TIMEOUT with FORCE--> IN_PROGRESS (a replica of
 *   the target; its PSYNC carries FAILOVER so the target promotes itself) --+CONTINUE or
 *   +FULLRESYNC--> NONE (writes resume, now a replica). TIMEOUT without FORCE, ABORT, a
 *   refused PSYNC or a failed handshake abort: back to NONE, a primary again. */
enum { FAILOVER_NONE, FAILOVER_WAIT_SYNC, FAILOVER_IN_PROGRESS };
int repl_failover_state(void);
/* INFO master_failover_state: no-failover / waiting-for-sync / failover-in-progress */
const char *repl_failover_state_name(void);
/* repl_primary.c, from the cron and before sleeping: the timeout, the target caught up */
void repl_failover_update(void);
/* repl_replica.c: the target accepted the PSYNC (the failover is complete) */
void repl_failover_done(void);
/* Back to the state before FAILOVER (logged with `why`); a primary again if it had
 * become a replica. No-op when no failover is in progress. */
void repl_failover_abort(const char *why);

/* Commands (rows in replication.c). */
void cmd_replicaof(Client *c); /* also SLAVEOF */
void cmd_sync(Client *c);      /* SYNC and PSYNC */
void cmd_replconf(Client *c);
void cmd_wait(Client *c);
void cmd_failover(Client *c);

#endif
