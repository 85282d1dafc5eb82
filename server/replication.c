/* replication.c - the replication state both roles share, the dispatch checks, INFO
 * # Replication and ROLE (see replication.h for the split between the three modules). */
#include "server/replication.h"

#include "common/buf.h"
#include "common/util.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/reply.h"
#include "server/server.h"

#include <string.h>

ReplState repl;

static void zero_id(char *id) {
    memset(id, '0', REPL_ID_LEN);
    id[REPL_ID_LEN] = '\0';
}

void repl_change_replid(void) {
    util_random_hex(repl.replid, REPL_ID_LEN);
    repl.replid[REPL_ID_LEN] = '\0';
    zero_id(repl.replid2);
    repl.second_repl_offset = -1;
}

void repl_init(void) {
    repl_change_replid();
    repl.master_repl_offset = 0;
}

void repl_shift_replid(void) {
    memcpy(repl.replid2, repl.replid, sizeof(repl.replid2));
    /* the old history's bytes are valid up to the current offset; PSYNC asks for the next */
    repl.second_repl_offset = repl.master_repl_offset + 1;
    util_random_hex(repl.replid, REPL_ID_LEN);
    repl.replid[REPL_ID_LEN] = '\0';
}

bool repl_is_replica(void) {
    return cfg.replicaof_host != NULL;
}

/* Redis 7.0's order: NOREPLICAS and READONLY come before the subscribed-mode check,
 * MASTERDOWN after it (dispatch.c calls the two halves in their places). */
bool repl_refuse_write_or_reply(Client *c, uint32_t flags) {
    if (!(flags & CMD_WRITE)) return false;
    if (!repl_is_replica()) {
        if (cfg.min_replicas_to_write > 0 && cfg.min_replicas_max_lag > 0 &&
            repl_good_replicas() < cfg.min_replicas_to_write) {
            reply_error(c, "NOREPLICAS Not enough good replicas to write.");
            return true;
        }
        return false;
    }
    if (cfg.replica_read_only && !(c->flags & CLIENT_PRIMARY)) {
        reply_error(c, "READONLY You can't write against a read only replica.");
        return true;
    }
    return false;
}

bool repl_refuse_stale_or_reply(Client *c, uint32_t flags) {
    if (!repl_is_replica() || cfg.replica_serve_stale_data || (flags & CMD_STALE) ||
        repl_replica_link_up())
        return false;
    reply_error(c, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to "
                   "'no'.");
    return true;
}

void repl_info(Buf *out) {
    buf_printf(out, "role:%s\r\n", repl_is_replica() ? "slave" : "master");
    if (repl_is_replica()) repl_replica_info(out);
    repl_primary_info(out);
    buf_printf(out,
               "master_failover_state:%s\r\nmaster_replid:%s\r\nmaster_replid2:%s\r\n"
               "master_repl_offset:%lld\r\nsecond_repl_offset:%lld\r\n",
               repl_failover_state_name(), repl.replid, repl.replid2, repl.master_repl_offset, repl.second_repl_offset);
    repl_backlog_info(out);
}

static void cmd_role(Client *c) {
    if (repl_is_replica())
        repl_replica_reply_role(c);
    else
        repl_primary_reply_role(c);
}

/* clang-format off */
const CmdSpec replication_commands[] = {
    {"role", cmd_role, 1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST, NO_KEYS, "server", NULL, "Return the role of the instance in the context of replication", "2.8.12", ""},
    {"replicaof", cmd_replicaof, 3, CMD_ADMIN | CMD_NOSCRIPT | CMD_STALE, NO_KEYS, "server", NULL, "Make the server a replica of another instance, or promote it as master.", "5.0.0", "host port|NO ONE"},
    {"slaveof", cmd_replicaof, 3, CMD_ADMIN | CMD_NOSCRIPT | CMD_STALE, NO_KEYS, "server", NULL, "Make the server a replica of another instance, or promote it as master.", "1.0.0", "host port|NO ONE"},
    {"psync", cmd_sync, -3, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_MULTI, NO_KEYS, "server", NULL, "Internal command used for replication", "2.8.0", "replicationid offset"},
    {"sync", cmd_sync, 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_MULTI, NO_KEYS, "server", NULL, "Internal command used for replication", "1.0.0", ""},
    {"replconf", cmd_replconf, -1, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_ALLOW_BUSY, NO_KEYS, "server", NULL, "An internal command for configuring the replication stream", "3.0.0", ""},
    {"wait", cmd_wait, 3, CMD_NOSCRIPT, NO_KEYS, "generic", NULL, "Wait for the synchronous replication of all the write commands sent in the context of the current connection", "3.0.0", "numreplicas timeout"},
    {"failover", cmd_failover, -1, CMD_ADMIN | CMD_NOSCRIPT | CMD_STALE, NO_KEYS, "server", NULL, "Start a coordinated failover between this server and one of its replicas.", "6.2.0", "[TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]"},
    CMD_SPEC_END,
};
/* clang-format on */
