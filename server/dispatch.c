/* dispatch.c - the one path every command takes: lookup, checks, call, accounting.
 *
 * Checks, in Redis 7.0's order (so the same bad request gets the same error): unknown
 * command, unknown subcommand, arity, protected commands (DEBUG behind
 * enable-debug-command), authentication, no-multi commands inside MULTI, CLIENT PAUSE,
 * maxmemory for DENYOOM commands, RESP2 subscribed mode (only (P)(UN)SUBSCRIBE, PING, QUIT,
 * RESET). Inside MULTI a failed check flags the transaction and a command that passes is
 * queued (multi.c) instead of run; EXEC runs the queue through dispatch_call(). Then the
 * proc runs with the clock cached, and its duration feeds commandstats, latencystats,
 * SLOWLOG and LATENCY. After each call propagate.c sees what the command changed, and after
 * the top-level command it hands the result to the AOF (and, later, the replicas): writes
 * reach them from here and nowhere else. Disk errors refuse writes with MISCONF (persist.c)
 * and, while the dataset loads, commands without the loading flag get -LOADING. */
#include "server/dispatch.h"

#include "common/clock.h"
#include "common/mem.h"
#include "common/net.h"
#include "server/blocked.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/latency.h"
#include "server/latency_hist.h"
#include "server/multi.h"
#include "server/persist.h"
#include "server/propagate.h"
#include "server/replication.h"
#include "server/reply.h"
#include "server/server.h"
#include "server/slowlog.h"

#include <stdio.h>
#include <string.h>

static void reject_unknown_command(Client *c) {
    char args[256];
    size_t used = 0;
    args[0] = '\0';
    for (int i = 1; i < c->argc && used < 128; i++) {
        int room = 128 - (int)used;
        int n = (int)VG_MIN(c->argv[i].len, (size_t)room);
        used += (size_t)snprintf(args + used, sizeof(args) - used, "'%.*s' ", n, c->argv[i].ptr);
    }
    int nlen = (int)VG_MIN(c->argv[0].len, 128);
    reply_error_fmt(c, "ERR unknown command '%.*s', with args beginning with: %s", nlen,
                    c->argv[0].ptr, args);
}

static bool arity_ok(const CmdSpec *spec, int argc) {
    return (spec->arity > 0 && argc == spec->arity) || (spec->arity < 0 && argc >= -spec->arity);
}

/* Resolve the command (and subcommand) or reply with the error. */
static Command *lookup_or_reply(Client *c) {
    Command *cmd = command_lookup(c->argv[0].ptr, c->argv[0].len);
    if (!cmd) {
        reject_unknown_command(c);
        return NULL;
    }
    if (cmd->has_subs && c->argc >= 2) {
        Command *sub = command_lookup_sub(cmd, c->argv[1].ptr, c->argv[1].len);
        if (!sub) {
            reply_subcommand_error(c); /* not counted as a rejected call, as in Redis */
            return NULL;
        }
        cmd = sub;
    }
    c->cmd = cmd;
    if (!arity_ok(cmd->spec, c->argc)) {
        reply_arity_error(c);
        return NULL;
    }
    return cmd;
}

/* While a pause is in force, held commands wait in order; the pause ends (and they resume)
 * in the server's before-sleep hook or cron, never in the middle of another command. */
static bool is_paused_for(const Client *c, const Command *cmd) {
    if (srv.client_pause_type == 0 && !srv.failover_pause) return false;
    if (srv.client_pause_type == 2) return true; /* PAUSE ALL */
    return (multi_effective_flags(c, cmd) & (CMD_WRITE | CMD_MAY_REPLICATE)) != 0;
}

bool dispatch_writes_paused(void) {
    return srv.client_pause_type != 0 || srv.failover_pause;
}

/* RESP2 subscribed mode: what a client with subscriptions may still send (Redis 7.0's
 * list; the shard commands are named for when they land). RESP3 clients may run anything. */
static bool is_allowed_while_subscribed(const Command *cmd) {
    static const char *const allowed[] = {"ping",         "subscribe",   "psubscribe",
                                          "ssubscribe",   "unsubscribe", "punsubscribe",
                                          "sunsubscribe", "quit",        "reset",
                                          NULL};
    if (cmd->parent) return false;
    for (int i = 0; allowed[i]; i++)
        if (strcmp(cmd->spec->name, allowed[i]) == 0) return true;
    return false;
}

static bool checks_pass_or_reply(Client *c, Command *cmd) {
    uint32_t flags = multi_effective_flags(c, cmd); /* EXEC: with its queued commands' */
    /* DEBUG is the only protected command (MODULE does not exist here); Redis checks it
     * before authentication. */
    if ((flags & CMD_PROTECTED) &&
        (cfg.enable_debug_cmd == DEBUG_CMD_NO ||
         (cfg.enable_debug_cmd == DEBUG_CMD_LOCAL && c->fd >= 0 &&
          !(c->flags & CLIENT_UNIX_SOCKET) && !net_is_loopback_peer(c->fd)))) {
        reply_error(c, "ERR DEBUG command not allowed. If the enable-debug-command option is "
                       "set to \"local\", you can run it from a local connection, otherwise you "
                       "need to set this option in the configuration file, and then restart the "
                       "server.");
        return false;
    }
    if (client_auth_required(c) && !(flags & CMD_NO_AUTH)) {
        reply_error(c, ERRT_NOAUTH);
        return false;
    }
    if ((c->flags & CLIENT_MULTI) && (flags & CMD_NO_MULTI)) {
        reply_error(c, "ERR Command not allowed inside a transaction");
        return false;
    }
    if (cfg.maxmemory > 0 && (flags & CMD_DENYOOM) && !(c->flags & CLIENT_PRIMARY) &&
        mem_used_bytes() > (size_t)cfg.maxmemory) {
        reply_error(c, "OOM command not allowed when used memory > 'maxmemory'.");
        return false;
    }
    /* Disk errors (a failed BGSAVE under stop-writes-on-bgsave-error, a failed AOF write)
     * stop writes, and PING, so that clients notice (Redis 7.0's rule). */
    if ((!ps.rdb_last_bgsave_ok || !ps.aof_last_write_ok) && !repl_is_replica() &&
        ((flags & CMD_WRITE) || (!cmd->parent && strcmp(cmd->spec->name, "ping") == 0)) &&
        persist_refuse_write_or_reply(c))
        return false;
    if (repl_refuse_write_or_reply(c, flags)) return false; /* NOREPLICAS, READONLY */
    if ((c->flags & CLIENT_PUBSUB) && c->resp == 2 && !is_allowed_while_subscribed(cmd)) {
        reply_error_fmt(c,
                        "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                        "PING / QUIT / RESET are allowed in this context",
                        cmd->fullname);
        return false;
    }
    if (repl_refuse_stale_or_reply(c, flags)) return false; /* MASTERDOWN */
    if (ps.loading && !(flags & CMD_LOADING)) {
        reply_error(c, "LOADING Redis is loading the dataset in memory");
        return false;
    }
    return true;
}

/* INFO latencystats, when latency-tracking is on (read after the call, so CONFIG SET
 * latency-tracking yes counts itself, as in Redis). A command that leaves its client blocked
 * is skipped: Redis records it when the client is unblocked, which is where the blocking
 * commands will have to record it too. The histogram is made on the first tracked call. */
static void track_latency(Client *c, Command *cmd, int64_t duration_us) {
    if (!cfg.latency_tracking || (c->flags & CLIENT_BLOCKED)) return;
    if (!cmd->latency_hist) cmd->latency_hist = latency_hist_new();
    latency_hist_record(cmd->latency_hist, duration_us);
}

/* Error replies not yet charged to a call. Nested calls (EXEC's queue) move the mark, so
 * EXEC itself counts as failed only for errors of its own (EXECABORT), as in Redis 7.0. */
static long long errors_mark;

static void call(Client *c, Command *cmd, int64_t start) {
    uint32_t was_executing = c->flags & CLIENT_EXECUTING;
    Client *outer = srv.current_client;
    long long dirty_before = srv.dirty;
    errors_mark = reply_error_count();
    c->flags |= CLIENT_EXECUTING;
    srv.current_client = c;
    cmd->spec->proc(c);
    int64_t duration = clock_mono_us() - start;
    srv.current_client = outer;
    c->flags = (c->flags & ~(uint32_t)CLIENT_EXECUTING) | was_executing;
    propagate_after_call(c, cmd, dirty_before); /* a call that blocked propagates nothing */

    /* Redis 7.0 counts a blocking command's call when it blocks; the re-run that serves it
     * (blocked.c) adds its time, latency and slowlog entry but is not another call, and one
     * that blocks again adds nothing. CLIENT UNBLOCK ERROR counts a failure (blocked.c). */
    bool rerun = (c->flags & CLIENT_BLOCKED_RERUN) != 0;
    if (rerun && (c->flags & CLIENT_BLOCKED)) {
        errors_mark = reply_error_count();
        return;
    }
    if (!rerun) {
        srv.stats.total_commands_processed++;
        c->commands_processed++;
        cmd->stats.calls++;
    }
    cmd->stats.usec += duration;
    if (c->flags & CLIENT_BLOCKED) return;
    if (reply_error_count() != errors_mark) cmd->stats.failed_calls++;
    errors_mark = reply_error_count();
    track_latency(c, cmd, duration);
    if (!(cmd->spec->flags & CMD_SKIP_SLOWLOG)) slowlog_maybe_add(c, duration);
    latency_add_sample_if_needed((cmd->spec->flags & CMD_FAST) ? "fast-command" : "command",
                                 duration / 1000);
}

void dispatch_call(Client *c, Command *cmd) {
    call(c, cmd, clock_mono_us());
}

bool dispatch_command(Client *c) {
    server_update_time_from(clock_mono_us());
    c->last_interaction_ms = server_now_ms();
    c->cmd = NULL;
    size_t mark = c->out.len; /* where a rejection's error reply starts (EXECABORT) */
    Command *cmd = lookup_or_reply(c);
    if (!cmd) {
        if (c->cmd) c->cmd->stats.rejected_calls++;
        multi_flag_error(c, mark);
        return true;
    }
    if (!checks_pass_or_reply(c, cmd)) {
        cmd->stats.rejected_calls++;
        multi_flag_error(c, mark);
        return true;
    }
    if (is_paused_for(c, cmd)) return false;
    if (multi_should_queue(c, cmd)) {
        multi_queue_command(c, cmd);
        return true;
    }
    long long off_before = repl.master_repl_offset;
    call(c, cmd, srv.now_mono_us); /* the clock dispatch_command read just before */
    c->lastcmd = cmd;
    propagate_flush(); /* the whole command (or EXEC) reaches the AOF as one unit */
    if (repl.master_repl_offset != off_before) c->woff = repl.master_repl_offset; /* WAIT */
    /* Clients waiting on keys this command (or this whole EXEC) pushed to are served now,
     * each running its command again, before anything else runs. */
    blocked_serve_ready_keys();
    return true;
}
