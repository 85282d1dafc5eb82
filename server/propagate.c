/* propagate.c - from executed commands to the AOF (see propagate.h).
 *
 * The ops of the running top-level command live in one arena: the bytes of every argument
 * in `bytes`, (offset, length) pairs in `args`, and per op its db, argc, first argument and
 * targets. Offsets rather than pointers, because the arena grows. It is emptied, never
 * freed, by each flush. */
#include "server/propagate.h"

#include <string.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/vg.h"
#include "server/aof.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/persist.h"
#include "server/replication.h"
#include "server/server.h"

typedef struct ArgRef {
    size_t off, len;
} ArgRef;

typedef struct Op {
    int dbid, argc, targets;
    size_t first; /* index in args */
} Op;

static Buf bytes;
static ArgRef *args;
static size_t nargs, args_cap;
static Op *ops;
static size_t nops, ops_cap;
static RespArg *emit_argv; /* one op's argv, rebuilt from the arena when emitting */
static size_t emit_cap;

/* The current call's requests (propagate_rewrite / _prevent / _force_repl), consumed by the
 * propagate_after_call that ends it. Procs do not nest, except EXEC, which asks none. */
static bool rewritten, prevented;
static int forced; /* PROPAGATE_* targets the call propagates to even unchanged */
static int rw_argc;
static size_t rw_first;
/* No MULTI around this command's ops: it only expired keys it came across. */
static bool no_wrap;

/* Where ops can go now. Replication does not exist yet: Redis drops replica-only ops when
 * there is neither a replica nor a backlog, so PUBLISH reaches no one. */
static int active_targets(void) {
    if (ps.loading) return 0;
    return (ps.aof_state != AOF_OFF ? PROPAGATE_AOF : 0) |
           (repl_feed_active() ? PROPAGATE_REPL : 0);
}

static size_t push_args(int argc, const RespArg *argv) {
    size_t first = nargs;
    if (nargs + (size_t)argc > args_cap) {
        args_cap = (nargs + (size_t)argc) * 2 + 8;
        args = mem_realloc(args, args_cap * sizeof(*args));
    }
    for (int i = 0; i < argc; i++) {
        args[nargs].off = bytes.len;
        args[nargs].len = argv[i].len;
        buf_append(&bytes, argv[i].ptr, argv[i].len);
        nargs++;
    }
    return first;
}

static void push_op(int dbid, int argc, size_t first, int targets) {
    if (nops == ops_cap) {
        ops_cap = ops_cap * 2 + 8;
        ops = mem_realloc(ops, ops_cap * sizeof(*ops));
    }
    ops[nops++] = (Op){.dbid = dbid, .argc = argc, .targets = targets, .first = first};
}

static void add_op(int dbid, int argc, const RespArg *argv, int targets) {
    targets &= active_targets();
    if (!targets) return;
    push_op(dbid, argc, push_args(argc, argv), targets);
}

static void emit(int dbid, int argc, const RespArg *argv, int targets) {
    if (targets & PROPAGATE_AOF) aof_feed(dbid, argv, argc);
    if (targets & PROPAGATE_REPL) repl_feed(dbid, argv, argc);
}

static void emit_op(const Op *op) {
    if ((size_t)op->argc > emit_cap) {
        emit_cap = (size_t)op->argc * 2;
        emit_argv = mem_realloc(emit_argv, emit_cap * sizeof(*emit_argv));
    }
    for (int i = 0; i < op->argc; i++) {
        const ArgRef *a = &args[op->first + (size_t)i];
        emit_argv[i].ptr = bytes.data + a->off;
        emit_argv[i].len = a->len;
    }
    emit(op->dbid, op->argc, emit_argv, op->targets);
}

static void reset_call_requests(void) {
    rewritten = prevented = false;
    forced = 0;
}

static bool is_arbitrary_keys_reader(const Command *cmd) {
    const char *n = cmd->spec->name;
    return strcmp(n, "scan") == 0 || strcmp(n, "keys") == 0 || strcmp(n, "randomkey") == 0;
}

void propagate_after_call(Client *c, Command *cmd, long long dirty_before) {
    /* only a command that expired several keys can need this (and then costs the names) */
    no_wrap = nops > 1 && is_arbitrary_keys_reader(cmd);
    bool blocked = (c->flags & CLIENT_BLOCKED) != 0;
    bool loader = (c->flags & CLIENT_AOF_LOADER) != 0;
    int targets = 0;
    /* Only write commands: EXEC's dirty counts its queue's, which propagated themselves. */
    if ((cmd->spec->flags & CMD_WRITE) && srv.dirty != dirty_before && !prevented)
        targets = PROPAGATE_AOF | PROPAGATE_REPL;
    targets |= forced;
    targets &= active_targets();
    if (blocked || loader || !targets) {
        reset_call_requests();
        return;
    }
    if (rewritten)
        push_op(c->db->id, rw_argc, rw_first, targets);
    else
        add_op(c->db->id, c->argc, c->argv, targets);
    reset_call_requests();
}

void propagate_flush(void) {
    reset_call_requests();
    if (nops == 0) goto out;
    if (nops == 1 || no_wrap) {
        for (size_t i = 0; i < nops; i++)
            emit_op(&ops[i]);
    } else {
        /* MULTI/EXEC go wherever any op goes; MULTI in the first op's db, EXEC in the
         * last's, so the only SELECTs are the ops' own. */
        int all = 0;
        for (size_t i = 0; i < nops; i++)
            all |= ops[i].targets;
        RespArg multi = {.ptr = "MULTI", .len = 5}, exec = {.ptr = "EXEC", .len = 4};
        emit(ops[0].dbid, 1, &multi, all);
        for (size_t i = 0; i < nops; i++)
            emit_op(&ops[i]);
        emit(ops[nops - 1].dbid, 1, &exec, all);
    }
out:
    nops = nargs = 0;
    buf_clear(&bytes);
    no_wrap = false;
}

void propagate_rewrite(Client *c, int argc, const RespArg *argv) {
    if ((c->flags & CLIENT_AOF_LOADER) || !active_targets()) return;
    rw_first = push_args(argc, argv);
    rw_argc = argc;
    rewritten = true;
}

void propagate_also(int dbid, int argc, const RespArg *argv) {
    Client *c = srv.current_client;
    if (c && (c->flags & CLIENT_AOF_LOADER)) return;
    add_op(dbid, argc, argv, PROPAGATE_AOF | PROPAGATE_REPL);
}

/* Like the rewrite, these are ignored while loading: the AOF loader calls procs without
 * propagate_after_call, which would leave them set for the next command. */
void propagate_prevent(Client *c) {
    if (!(c->flags & CLIENT_AOF_LOADER) && active_targets()) prevented = true;
}

void propagate_force_repl(Client *c) {
    if (!(c->flags & CLIENT_AOF_LOADER) && active_targets()) forced |= PROPAGATE_REPL;
}

void propagate_force(Client *c) {
    if (!(c->flags & CLIENT_AOF_LOADER) && active_targets())
        forced |= PROPAGATE_AOF | PROPAGATE_REPL;
}

void propagate_expired_key(Db *db, const char *key, size_t len) {
    Client *c = srv.current_client;
    if (c && (c->flags & CLIENT_AOF_LOADER)) return;
    RespArg argv[2] = {{.ptr = "DEL", .len = 3}, {.ptr = key, .len = len}};
    add_op(db->id, 2, argv, PROPAGATE_AOF | PROPAGATE_REPL);
    /* Active expiry, or a lookup outside any command: its own unit, at once. */
    if (!c) propagate_flush();
}
