/* repl_failover.c - Redis 7.0's coordinated FAILOVER on the primary that hands its role
 * over (the states are in replication.h).
 *
 * Writes are paused with FAILOVER's own pause (srv.failover_pause: CLIENT UNPAUSE leaves it
 * alone, and its end leaves an operator's CLIENT PAUSE alone), so master_repl_offset stays
 * still and a replica can reach it: the replicas' periodic REPLCONF ACK tells us (no GETACK
 * nor PING is fed meanwhile, they would move the offset). Once the target acked the offset
 * this instance becomes its replica with its own history cached, and the PSYNC of that
 * handshake carries FAILOVER: the target promotes itself (replid shift) and answers
 * +CONTINUE, and we are done. The target side (PSYNC ... FAILOVER) is in cmd_sync. */
#include "server/replication.h"

#include "common/log.h"
#include "common/mem.h"
#include "server/client.h"
#include "server/networking.h"
#include "server/repl_primary.h"
#include "server/reply.h"
#include "server/server.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static struct {
    int state;
    char *host; /* the target; NULL until chosen (no TO: the first replica synced) */
    long long port;
    int64_t end_ms; /* 0: no TIMEOUT */
    bool force;
} fo;

int repl_failover_state(void) {
    return fo.state;
}

const char *repl_failover_state_name(void) {
    switch (fo.state) {
    case FAILOVER_WAIT_SYNC: return "waiting-for-sync";
    case FAILOVER_IN_PROGRESS: return "failover-in-progress";
    default: return "no-failover";
    }
}

/* Redis's clearFailoverState: the pause ends, held writes run (on a replica now, they get
 * -READONLY; after an abort they run on the primary). */
static void clear_state(void) {
    fo.state = FAILOVER_NONE;
    mem_free(fo.host);
    fo.host = NULL;
    fo.port = 0;
    fo.end_ms = 0;
    fo.force = false;
    srv.failover_pause = false;
    net_unpause_clients();
}

void repl_failover_abort(const char *why) {
    if (fo.state == FAILOVER_NONE) return;
    if (fo.host)
        log_notice("FAILOVER to %s:%lld aborted: %s", fo.host, fo.port, why);
    else
        log_notice("FAILOVER to any replica aborted: %s", why);
    bool was_replica = fo.state == FAILOVER_IN_PROGRESS;
    fo.state = FAILOVER_NONE; /* first: unset_master cancels the handshake, which asks */
    if (was_replica) repl_replica_unset_master();
    clear_state();
}

void repl_failover_done(void) {
    if (fo.state != FAILOVER_IN_PROGRESS) return;
    log_notice("FAILOVER to %s:%lld completed.", fo.host ? fo.host : "?", fo.port);
    clear_state();
}

static void start_handover(void) {
    fo.state = FAILOVER_IN_PROGRESS;
    /* a copy: set_master keeps its own, and an abort inside it frees ours */
    char host[256];
    snprintf(host, sizeof(host), "%s", fo.host);
    repl_replica_set_master(host, fo.port);
}

void repl_failover_update(void) {
    if (fo.state != FAILOVER_WAIT_SYNC) return;
    if (fo.end_ms && server_now_ms() >= fo.end_ms) {
        if (fo.force) {
            log_notice("FAILOVER to %s:%lld time out exceeded, failing over.", fo.host, fo.port);
            start_handover();
        } else {
            repl_failover_abort("Replica never caught up before timeout");
        }
        return;
    }
    bool synced = false;
    if (fo.host) {
        bool online;
        long long ack;
        synced = repl_primary_find_replica(fo.host, fo.port, &online, &ack) &&
                 ack == repl.master_repl_offset;
    } else {
        char host[256];
        long long port;
        if (repl_primary_synced_replica(host, sizeof(host), &port)) {
            fo.host = mem_strdup(host);
            fo.port = port;
            synced = true;
        }
    }
    if (!synced) return;
    log_notice("Failover target %s:%lld is synced, failing over.", fo.host, fo.port);
    start_handover();
}

/* FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds], with Redis 7.0.15's
 * checks in its order (ABORT only alone; a CLIENT PAUSE in force does not refuse it). */
void cmd_failover(Client *c) {
    if (c->argc == 2 && arg_is(&c->argv[1], "abort")) {
        if (fo.state == FAILOVER_NONE) {
            reply_error(c, "ERR No failover in progress.");
            return;
        }
        repl_failover_abort("Failover manually aborted");
        reply_ok(c);
        return;
    }
    long long timeout = 0, port = 0;
    bool force = false;
    const RespArg *host = NULL;
    for (int j = 1; j < c->argc; j++) {
        if (arg_is(&c->argv[j], "timeout") && j + 1 < c->argc && timeout == 0) {
            if (arg_to_ll_or_reply(c, &c->argv[j + 1], &timeout, NULL) != 0) return;
            if (timeout <= 0) {
                reply_error(c, "ERR FAILOVER timeout must be greater than 0");
                return;
            }
            j++;
        } else if (arg_is(&c->argv[j], "to") && j + 2 < c->argc && !host) {
            if (arg_to_ll_or_reply(c, &c->argv[j + 2], &port, NULL) != 0) return;
            host = &c->argv[j + 1];
            j += 2;
        } else if (arg_is(&c->argv[j], "force") && !force) {
            force = true;
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    if (fo.state != FAILOVER_NONE) {
        reply_error(c, "ERR FAILOVER already in progress.");
        return;
    }
    if (repl_is_replica()) {
        reply_error(c, "ERR FAILOVER is not valid when server is a replica.");
        return;
    }
    if (repl_primary_replica_count() == 0) {
        reply_error(c, "ERR FAILOVER requires connected replicas.");
        return;
    }
    if (force && (!timeout || !host)) {
        reply_error(c, "ERR FAILOVER with force option requires both a timeout and target HOST "
                       "and IP.");
        return;
    }
    if (host) {
        char h[256];
        size_t hl = host->len < sizeof(h) - 1 ? host->len : sizeof(h) - 1;
        memcpy(h, host->ptr, hl);
        h[hl] = '\0';
        bool online;
        long long ack;
        if (!repl_primary_find_replica(h, port, &online, &ack)) {
            reply_error(c, "ERR FAILOVER target HOST and PORT is not a replica.");
            return;
        }
        if (!online) {
            reply_error(c, "ERR FAILOVER target replica is not online.");
            return;
        }
        fo.host = mem_strdup(h);
        fo.port = port;
        log_notice("FAILOVER requested to %s:%lld.", h, port);
    } else {
        log_notice("FAILOVER requested to any replica.");
    }
    fo.end_ms = timeout ? server_now_ms() + timeout : 0;
    fo.force = force;
    fo.state = FAILOVER_WAIT_SYNC;
    srv.failover_pause = true;
    reply_ok(c);
}
