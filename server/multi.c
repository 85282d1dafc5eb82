/* multi.c - transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0 semantics).
 *
 * Queueing: inside MULTI, dispatch runs its usual checks (unknown command, arity, auth,
 * no-multi, OOM, pause) and then, instead of calling the proc, hands the request here: the
 * argv is copied (the request buffer is reused) and +QUEUED is the reply. A failed check
 * flags the transaction (dirty_exec) and EXEC answers EXECABORT. EXEC runs the queue through
 * dispatch_call(), so each command counts in commandstats and SLOWLOG as if sent alone,
 * with nothing in between; runtime errors stay in the reply array (no rollback).
 *
 * WATCH: each db has a dict (watched[db->id]) from key to a WatchedKey holding the list of
 * its watchers; each client keeps its own list of Watch links to unwatch in O(own watches).
 * db.c calls multi_touch_key() on every change, expiry and delete: one dict-size test when
 * no key of that db is watched, one lookup otherwise, and a touched key marks its watchers
 * dirty_cas, so their EXEC replies a null array. As in Redis 7.0, a key that was already
 * logically expired when WATCHed is not "modified" when the expiry deletes it (Watch.expired),
 * while a key that expires after WATCH is (EXEC also checks for watched keys expired but not
 * yet deleted). FLUSHDB/FLUSHALL/SWAPDB touch the watched keys that exist on either side. */
#include "server/multi.h"

#include "common/mem.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/dispatch.h"
#include "server/reply.h"
#include "server/server.h"

#include <string.h>

typedef struct Queued {
    Command *cmd;
    int argc;
    RespArg *argv; /* one block: the RespArg array, then each argument's bytes + NUL */
    size_t bytes;
} Queued;

typedef struct Watch Watch;

typedef struct WatchedKey {
    DictNode node;
    Watch *watchers; /* linked through key_prev/key_next */
    size_t keylen;
    char key[];
} WatchedKey;

struct Watch {
    Watch *client_next; /* the client's watches */
    Watch *key_prev, *key_next;
    WatchedKey *wk;
    int dbid;
    Client *c;
    bool expired; /* the key was logically expired when WATCHed */
};

typedef struct MultiState {
    Queued *cmds;
    int count, cap;
    size_t bytes;
    uint32_t flags;  /* union of the queued commands' flags */
    bool dirty_exec; /* a queue-time error: EXEC answers EXECABORT */
    bool dirty_cas;  /* a watched key changed: EXEC answers a null array */
    Watch *watches;
} MultiState;

static Dict *watched; /* srv.ndbs dicts, allocated at the first WATCH */

static const char *watched_node_key(const DictNode *n, size_t *len) {
    const WatchedKey *wk = (const WatchedKey *)n;
    *len = wk->keylen;
    return wk->key;
}

static const DictType watched_type = {.node_key = watched_node_key, .nocase = false};

static MultiState *state_get(Client *c) {
    if (!c->mstate) c->mstate = mem_calloc(sizeof(MultiState));
    return c->mstate;
}

static void queue_clear(MultiState *ms) {
    for (int i = 0; i < ms->count; i++) mem_free(ms->cmds[i].argv);
    mem_free(ms->cmds);
    ms->cmds = NULL;
    ms->count = ms->cap = 0;
    ms->bytes = 0;
    ms->flags = 0;
    ms->dirty_exec = false;
}

static void unwatch_all(Client *c) {
    MultiState *ms = c->mstate;
    if (!ms) return;
    Watch *next;
    for (Watch *w = ms->watches; w; w = next) {
        next = w->client_next;
        WatchedKey *wk = w->wk;
        if (w->key_prev)
            w->key_prev->key_next = w->key_next;
        else
            wk->watchers = w->key_next;
        if (w->key_next) w->key_next->key_prev = w->key_prev;
        if (!wk->watchers) {
            dict_unlink(&watched[w->dbid], wk->key, wk->keylen);
            mem_free(wk);
        }
        mem_free(w);
    }
    ms->watches = NULL;
    ms->dirty_cas = false;
}

/* Free the state once it holds neither a transaction nor watches. */
static void state_release_if_idle(Client *c) {
    MultiState *ms = c->mstate;
    if (!ms || (c->flags & CLIENT_MULTI) || ms->watches) return;
    queue_clear(ms);
    mem_free(ms);
    c->mstate = NULL;
}

/* Redis's discardTransaction: drop the queue, leave MULTI, forget the watches. */
static void discard_transaction(Client *c) {
    if (c->mstate) queue_clear(c->mstate);
    c->flags &= ~(uint32_t)CLIENT_MULTI;
    unwatch_all(c);
    state_release_if_idle(c);
}

static bool key_is_expired(Db *db, const char *key, size_t len) {
    Kv *kv = db_find(db, key, len);
    return kv && db_key_is_expired(db, kv);
}

/* ---- hooks ------------------------------------------------------------------------- */

static bool is_exec(const Command *cmd);

bool multi_should_queue(const Client *c, const Command *cmd) {
    if (!(c->flags & CLIENT_MULTI)) return false;
    const CmdSpec *s = cmd->parent ? cmd->parent->spec : cmd->spec;
    static const char *const direct[] = {"exec", "discard", "multi", "watch", "quit", "reset"};
    for (size_t i = 0; i < VG_ARRAY_LEN(direct); i++)
        if (strcmp(s->name, direct[i]) == 0) return false;
    return true;
}

void multi_queue_command(Client *c, Command *cmd) {
    MultiState *ms = state_get(c);
    /* As Redis: an aborted transaction does not waste memory on what it will never run. */
    if (!ms->dirty_exec && !ms->dirty_cas) {
        if (ms->count == ms->cap) {
            ms->cap = ms->cap ? ms->cap * 2 : 4;
            ms->cmds = mem_realloc(ms->cmds, (size_t)ms->cap * sizeof(*ms->cmds));
        }
        size_t bytes = (size_t)c->argc * sizeof(RespArg);
        for (int i = 0; i < c->argc; i++) bytes += c->argv[i].len + 1;
        RespArg *argv = mem_alloc(bytes);
        char *p = (char *)(argv + c->argc);
        for (int i = 0; i < c->argc; i++) {
            memcpy(p, c->argv[i].ptr, c->argv[i].len);
            p[c->argv[i].len] = '\0';
            argv[i].ptr = p;
            argv[i].len = c->argv[i].len;
            p += c->argv[i].len + 1;
        }
        ms->cmds[ms->count++] = (Queued){.cmd = cmd, .argc = c->argc, .argv = argv,
                                         .bytes = bytes};
        ms->bytes += bytes + sizeof(Queued);
        ms->flags |= cmd->spec->flags;
    }
    reply_simple(c, "QUEUED");
}

void multi_flag_error(Client *c, size_t mark) {
    if (c->cmd && is_exec(c->cmd)) {
        reply_error_rewrap(c, mark, "EXECABORT Transaction discarded because of: ");
        discard_transaction(c);
        return;
    }
    if (c->flags & CLIENT_MULTI) state_get(c)->dirty_exec = true;
}

uint32_t multi_effective_flags(const Client *c, const Command *cmd) {
    uint32_t flags = cmd->spec->flags;
    if (c->mstate && (c->flags & CLIENT_MULTI) && is_exec(cmd)) flags |= c->mstate->flags;
    return flags;
}

int multi_queued_count(const Client *c) {
    if (!(c->flags & CLIENT_MULTI)) return -1;
    return c->mstate ? c->mstate->count : 0;
}

size_t multi_queued_bytes(const Client *c) {
    return c->mstate ? c->mstate->bytes : 0;
}

void multi_touch_key(Db *db, const char *key, size_t len) {
    if (!watched || dict_size(&watched[db->id]) == 0) return;
    WatchedKey *wk = (WatchedKey *)dict_find(&watched[db->id], key, len);
    if (!wk) return;
    for (Watch *w = wk->watchers; w; w = w->key_next) {
        if (w->expired) {
            /* Deleting a key that was already expired when WATCHed is no logical change;
             * from now on it is an ordinary missing key. */
            if (!db_find(db, key, len)) {
                w->expired = false;
                continue;
            }
        }
        w->c->mstate->dirty_cas = true;
    }
}

void multi_touch_db(Db *db, Db *replaced_with) {
    if (!watched || dict_size(&watched[db->id]) == 0) return;
    DictIter it;
    dict_iter_init(&it, &watched[db->id], false);
    DictNode *n;
    while ((n = dict_iter_next(&it))) {
        WatchedKey *wk = (WatchedKey *)n;
        bool in_old = db_find(db, wk->key, wk->keylen) != NULL;
        bool in_new = replaced_with && db_find(replaced_with, wk->key, wk->keylen) != NULL;
        if (!in_old && !in_new) continue;
        for (Watch *w = wk->watchers; w; w = w->key_next) {
            if (w->expired) {
                if (!in_new) { /* the expired key is just gone: no logical change */
                    w->expired = false;
                    continue;
                }
                if (key_is_expired(replaced_with, wk->key, wk->keylen)) continue;
            } else if (!in_old && key_is_expired(replaced_with, wk->key, wk->keylen)) {
                w->expired = true; /* a missing key replaced by an already expired one */
                continue;
            }
            w->c->mstate->dirty_cas = true;
        }
    }
    dict_iter_deinit(&it);
}

void multi_reset(Client *c) {
    discard_transaction(c);
}

void multi_client_free(Client *c) {
    discard_transaction(c);
}

/* ---- commands ---------------------------------------------------------------------- */

static void watch_key(Client *c, const RespArg *key) {
    if (!watched) {
        watched = mem_calloc((size_t)srv.ndbs * sizeof(*watched));
        for (int i = 0; i < srv.ndbs; i++) dict_init(&watched[i], &watched_type);
    }
    Dict *d = &watched[c->db->id];
    WatchedKey *wk = (WatchedKey *)dict_find(d, key->ptr, key->len);
    if (wk) {
        for (Watch *w = wk->watchers; w; w = w->key_next)
            if (w->c == c) return; /* already watched */
    } else {
        wk = mem_alloc(sizeof(*wk) + key->len);
        wk->node.next = NULL;
        wk->watchers = NULL;
        wk->keylen = key->len;
        memcpy(wk->key, key->ptr, key->len);
        dict_insert(d, &wk->node);
    }
    MultiState *ms = state_get(c);
    Watch *w = mem_calloc(sizeof(*w));
    w->wk = wk;
    w->dbid = c->db->id;
    w->c = c;
    w->expired = key_is_expired(c->db, key->ptr, key->len);
    w->key_next = wk->watchers;
    if (wk->watchers) wk->watchers->key_prev = w;
    wk->watchers = w;
    w->client_next = ms->watches;
    ms->watches = w;
}

/* WATCH key [key ...] */
static void cmd_watch(Client *c) {
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, "ERR WATCH inside MULTI is not allowed");
        return;
    }
    /* No point in watching more once the transaction is known to fail. */
    if (c->mstate && c->mstate->dirty_cas) {
        reply_ok(c);
        return;
    }
    for (int i = 1; i < c->argc; i++) watch_key(c, &c->argv[i]);
    reply_ok(c);
}

/* UNWATCH */
static void cmd_unwatch(Client *c) {
    unwatch_all(c);
    state_release_if_idle(c);
    reply_ok(c);
}

/* MULTI */
static void cmd_multi(Client *c) {
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, "ERR MULTI calls can not be nested");
        return;
    }
    state_get(c);
    c->flags |= CLIENT_MULTI;
    reply_ok(c);
}

/* DISCARD */
static void cmd_discard(Client *c) {
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, "ERR DISCARD without MULTI");
        return;
    }
    discard_transaction(c);
    reply_ok(c);
}

/* Has a watched key (alive when WATCHed) passed its TTL without being deleted yet? */
static bool watched_key_expired(Client *c) {
    for (Watch *w = c->mstate->watches; w; w = w->client_next)
        if (!w->expired && key_is_expired(db_get(w->dbid), w->wk->key, w->wk->keylen))
            return true;
    return false;
}

/* EXEC: run the queue, or answer EXECABORT (queue-time errors) / a null array (a watched
 * key changed). The client stays in MULTI while the queue runs (CLIENT LIST shows flag x
 * and the count, as in Redis) and leaves it afterwards. */
static void cmd_exec(Client *c) {
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, "ERR EXEC without MULTI");
        return;
    }
    MultiState *ms = c->mstate;
    if (watched_key_expired(c)) ms->dirty_cas = true;
    if (ms->dirty_exec || ms->dirty_cas) {
        if (ms->dirty_exec)
            reply_error(c, "EXECABORT Transaction discarded because of previous errors.");
        else
            reply_null_array(c);
        discard_transaction(c);
        return;
    }
    unwatch_all(c); /* nothing can fail the transaction any more: stop paying for touches */
    int argc = c->argc;
    RespArg *argv = c->argv;
    Command *self = c->cmd;
    reply_array(c, ms->count);
    for (int i = 0; i < ms->count; i++) {
        c->argc = ms->cmds[i].argc;
        c->argv = ms->cmds[i].argv;
        c->cmd = ms->cmds[i].cmd;
        dispatch_call(c, ms->cmds[i].cmd);
    }
    c->argc = argc;
    c->argv = argv;
    c->cmd = self;
    discard_transaction(c);
}

static bool is_exec(const Command *cmd) {
    return cmd->spec->proc == cmd_exec;
}

/* clang-format off */
#define TX_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_ALLOW_BUSY)
const CmdSpec multi_commands[] = {
    {"multi",   cmd_multi,    1, TX_FLAGS, NO_KEYS, "transactions", NULL, "Mark the start of a transaction block", "1.2.0", ""},
    {"exec",    cmd_exec,     1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_SKIP_SLOWLOG, NO_KEYS, "transactions", NULL, "Execute all commands issued after MULTI", "1.2.0", ""},
    {"discard", cmd_discard,  1, TX_FLAGS, NO_KEYS, "transactions", NULL, "Discard all commands issued after MULTI", "2.0.0", ""},
    {"watch",   cmd_watch,   -2, TX_FLAGS, KEYS(1, -1, 1), "transactions", NULL, "Watch the given keys to determine execution of the MULTI/EXEC block", "2.2.0", "key [key ...]"},
    {"unwatch", cmd_unwatch,  1, TX_FLAGS, NO_KEYS, "transactions", NULL, "Forget about all watched keys", "2.2.0", ""},
    CMD_SPEC_END,
};
/* clang-format on */
