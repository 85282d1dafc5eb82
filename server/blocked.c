/* blocked.c - clients blocked on keys (see blocked.h).
 *
 * State:
 *   waiting   Dict of KeyQueue, one per (db, key) some client waits on: a FIFO of Waiter.
 *   ready     keys signalled since the last serve (each once), in signal order.
 *   resume    ids of clients unblocked since the loop last slept: their buffered input runs
 *             from net_before_sleep (never nested inside the command that served them).
 * A blocked client owns a BlockState (c->bstate): a private copy of its argv, its deadline
 * timer and one Waiter per key it waits on.
 *
 * Serving re-runs the waiting command through dispatch_call() with CLIENT_BLOCKED_RERUN set,
 * so its reply and events are those of a fresh call; commandstats count the command once,
 * when it blocked, as Redis 7.0 does (dispatch.c adds the rerun's time, not another call).
 * blocked_ready_key() tells the command which key it is served for. A rerun that blocks
 * again (an earlier client took the element) keeps its Waiters, hence its place in every
 * queue. Timeouts are one ev_timer per client; the timeout reply is *-1 / RESP3 _. */
#include "server/blocked.h"

#include "common/mem.h"
#include "common/vg.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/dispatch.h"
#include "server/networking.h"
#include "server/object.h"
#include "server/propagate.h"
#include "server/reply.h"
#include "server/server.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct KeyQueue KeyQueue;

typedef struct Waiter {
    struct Waiter *prev, *next; /* in its KeyQueue */
    KeyQueue *q;
    Client *c;
} Waiter;

struct KeyQueue {
    DictNode node;
    Waiter *head, *tail;
    size_t keylen; /* of the dict key: 4-byte db id + key bytes */
    char key[];
};

typedef struct BlockState {
    int argc;
    RespArg *argv;
    char *argbuf;
    Command *cmd;
    int nkeys;
    Waiter *waiters; /* nkeys of them */
    ev_timer timer;
    bool has_timer;
    bool null_array;
    bool rerun;        /* being served right now */
    RespArg ready_key; /* the key it is served for, during the rerun */
    bool reblock;      /* the rerun found nothing and waits again */
} BlockState;

typedef struct ReadyKey {
    Db *db;
    char *key;
    size_t len;
} ReadyKey;

static const char *queue_node_key(const DictNode *n, size_t *len) {
    const KeyQueue *q = (const KeyQueue *)n;
    *len = q->keylen;
    return q->key;
}

static const DictType queue_dict_type = {queue_node_key, false};
static Dict waiting;
static bool waiting_ready;
static ReadyKey *ready;
static size_t nready, ready_cap;
static uint64_t *resume;
static size_t nresume, resume_cap;
static long long nblocked, ntimeouts;
static bool serving;

/* The dict key: the db id's 4 bytes, then the key. out needs 4 + len bytes. */
static size_t queue_key(char *out, const Db *db, const char *key, size_t len) {
    int32_t id = db->id;
    memcpy(out, &id, 4);
    memcpy(out + 4, key, len);
    return len + 4;
}

static KeyQueue *queue_find(const Db *db, const char *key, size_t len) {
    if (!waiting_ready || dict_size(&waiting) == 0) return NULL;
    char stackbuf[256];
    char *k = len + 4 <= sizeof(stackbuf) ? stackbuf : mem_alloc(len + 4);
    size_t klen = queue_key(k, db, key, len);
    KeyQueue *q = (KeyQueue *)dict_find(&waiting, k, klen);
    if (k != stackbuf) mem_free(k);
    return q;
}

static KeyQueue *queue_get(const Db *db, const char *key, size_t len) {
    if (!waiting_ready) {
        dict_init(&waiting, &queue_dict_type);
        waiting_ready = true;
    }
    KeyQueue *q = queue_find(db, key, len);
    if (q) return q;
    q = mem_calloc(sizeof(*q) + len + 4);
    q->keylen = queue_key(q->key, db, key, len);
    dict_insert(&waiting, &q->node);
    return q;
}

static void waiter_unlink(Waiter *w) {
    KeyQueue *q = w->q;
    if (!q) return;
    if (w->prev)
        w->prev->next = w->next;
    else
        q->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->tail = w->prev;
    w->q = NULL;
    if (!q->head) {
        dict_unlink(&waiting, q->key, q->keylen);
        mem_free(q);
    }
}

/* ------------------------------------------------------------------------------------------
 * Timeouts and arguments */

int blocked_parse_timeout_or_reply(Client *c, const RespArg *arg, int64_t *deadline_ms) {
    long double secs;
    if (arg_to_ldouble_or_reply(c, arg, &secs, "ERR timeout is not a float or out of range") != 0)
        return -1;
    long double ms = ceill(secs * 1000.0L);
    /* Redis 7.0.15 converts to long long unchecked: NaN was refused above; anything at or
     * beyond 2^63 (inf included) becomes LLONG_MIN on x86, hence "negative". */
    long long tval =
        (ms >= 9223372036854775808.0L || ms < -9223372036854775808.0L) ? LLONG_MIN : (long long)ms;
    if (tval < 0) {
        reply_error(c, "ERR timeout is negative");
        return -1;
    }
    /* A deadline past LLONG_MAX wraps in Redis 7.0.15 into one its timeout table never
     * reaches: such a client waits forever, as with 0. */
    if (tval > 0) tval = tval > LLONG_MAX - server_now_ms() ? 0 : tval + server_now_ms();
    *deadline_ms = tval;
    return 0;
}

bool blocked_can_block(const Client *c) {
    return !(c->flags & CLIENT_MULTI);
}

/* ------------------------------------------------------------------------------------------
 * Ending a wait */

static void resume_later(Client *c) {
    if (nresume == resume_cap) {
        resume_cap = resume_cap ? resume_cap * 2 : 16;
        resume = mem_realloc(resume, resume_cap * sizeof(*resume));
    }
    resume[nresume++] = c->id;
}

static void state_free(Client *c) {
    BlockState *b = c->bstate;
    if (!b) return;
    for (int i = 0; i < b->nkeys; i++)
        waiter_unlink(&b->waiters[i]);
    if (b->has_timer) {
        ev_timer_stop(srv.loop, &b->timer);
        ntimeouts--;
    }
    mem_free(b->waiters);
    mem_free(b->argv);
    mem_free(b->argbuf);
    mem_free(b);
    c->bstate = NULL;
    c->flags &= ~(uint32_t)CLIENT_BLOCKED;
    nblocked--;
}

void blocked_unblock(Client *c, int how) {
    BlockState *b = c->bstate;
    if (!b) return;
    /* The call was counted when it blocked (dispatch.c); an ERROR makes it a failed one. */
    if (how == UNBLOCK_ERROR) {
        reply_error(c, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
        b->cmd->stats.failed_calls++;
    } else {
        reply_null_array(c); /* Redis 7.0.15: BLMOVE and BRPOPLPUSH time out with *-1 too */
    }
    state_free(c);
    client_queue_write(c);
    resume_later(c);
}

static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(revents);
    Client *c = w->data;
    server_update_time();
    blocked_unblock(c, UNBLOCK_TIMEOUT);
}

void blocked_client_free(Client *c) {
    state_free(c);
}

long long blocked_clients_count(void) {
    return nblocked;
}

long long blocked_argv_bytes(const Client *c) {
    long long sum = 0;
    if (c->bstate)
        for (int i = 0; i < c->bstate->argc; i++) sum += (long long)c->bstate->argv[i].len;
    return sum;
}

long long blocked_timeout_count(void) {
    return ntimeouts;
}

/* ------------------------------------------------------------------------------------------
 * Blocking */

/* Copy c's argv into memory the state owns (it outlives the query buffer). */
static void state_copy_argv(BlockState *b, const Client *c) {
    size_t total = 0;
    for (int i = 0; i < c->argc; i++)
        total += c->argv[i].len + 1;
    b->argbuf = mem_alloc(total ? total : 1);
    b->argv = mem_alloc(sizeof(RespArg) * (size_t)(c->argc ? c->argc : 1));
    b->argc = c->argc;
    char *p = b->argbuf;
    for (int i = 0; i < c->argc; i++) {
        memcpy(p, c->argv[i].ptr, c->argv[i].len);
        p[c->argv[i].len] = '\0';
        b->argv[i].ptr = p;
        b->argv[i].len = c->argv[i].len;
        p += c->argv[i].len + 1;
    }
}

void blocked_wait_keys(
    Client *c, const RespArg *keys, int nkeys, int64_t deadline_ms, bool null_array) {
    if (c->bstate && c->bstate->rerun) {
        /* Served but nothing left for it: it keeps its place, deadline and queues. */
        c->bstate->reblock = true;
        c->flags |= CLIENT_BLOCKED;
        return;
    }
    BlockState *b = mem_calloc(sizeof(*b));
    c->bstate = b;
    c->flags |= CLIENT_BLOCKED;
    nblocked++;
    b->cmd = c->cmd;
    b->null_array = null_array;
    /* keys point into c->argv: remember their positions before copying */
    state_copy_argv(b, c);
    b->waiters = mem_calloc(sizeof(Waiter) * (size_t)(nkeys ? nkeys : 1));
    for (int i = 0; i < nkeys; i++) {
        /* A key named twice waits once: the first Waiter is enough. */
        bool dup = false;
        for (int j = 0; j < i && !dup; j++)
            dup = keys[j].len == keys[i].len && memcmp(keys[j].ptr, keys[i].ptr, keys[i].len) == 0;
        if (dup) continue;
        Waiter *w = &b->waiters[i];
        KeyQueue *q = queue_get(c->db, keys[i].ptr, keys[i].len);
        w->c = c;
        w->q = q;
        w->prev = q->tail;
        if (q->tail)
            q->tail->next = w;
        else
            q->head = w;
        q->tail = w;
    }
    b->nkeys = nkeys;
    if (deadline_ms > 0) {
        double delay = (double)(deadline_ms - server_now_ms()) / 1000.0;
        if (delay < 0) delay = 0;
        ev_timer_init(&b->timer, timeout_cb, delay, 0);
        b->timer.data = c;
        ev_timer_start(srv.loop, &b->timer);
        b->has_timer = true;
        ntimeouts++;
    }
}

/* ------------------------------------------------------------------------------------------
 * Serving */

void blocked_signal_key(Db *db, const char *key, size_t len) {
    if (!queue_find(db, key, len)) return;
    for (size_t i = 0; i < nready; i++)
        if (ready[i].db == db && ready[i].len == len && memcmp(ready[i].key, key, len) == 0) return;
    if (nready == ready_cap) {
        ready_cap = ready_cap ? ready_cap * 2 : 8;
        ready = mem_realloc(ready, ready_cap * sizeof(*ready));
    }
    ready[nready].db = db;
    ready[nready].key = mem_alloc(len ? len : 1);
    memcpy(ready[nready].key, key, len);
    ready[nready].len = len;
    nready++;
}

void blocked_signal_db(Db *db) {
    if (!waiting_ready || dict_size(&waiting) == 0) return;
    DictIter it;
    dict_iter_init(&it, &waiting, true);
    DictNode *n;
    while ((n = dict_iter_next(&it))) {
        KeyQueue *q = (KeyQueue *)n;
        int32_t id;
        memcpy(&id, q->key, 4);
        if (id != db->id) continue;
        const char *k = q->key + 4;
        size_t len = q->keylen - 4;
        Kv *kv = db_find(db, k, len);
        if (kv && (kv->type == OBJ_LIST || kv->type == OBJ_ZSET)) blocked_signal_key(db, k, len);
    }
    dict_iter_deinit(&it);
}

/* The value type a blocked command pops from: lists for the list group, else sorted sets. */
static int wanted_type(const Command *cmd) {
    return strcmp(cmd->spec->group, "list") == 0 ? OBJ_LIST : OBJ_ZSET;
}

const RespArg *blocked_ready_key(const Client *c) {
    return c->bstate && c->bstate->rerun ? &c->bstate->ready_key : NULL;
}

/* Run c's command again for the ready key. True when it was served (no longer blocked). */
static bool rerun(Client *c, const char *key, size_t len) {
    BlockState *b = c->bstate;
    b->ready_key.ptr = key;
    b->ready_key.len = len;
    int argc = c->argc;
    RespArg *argv = c->argv;
    Command *cmd = c->cmd;
    c->argc = b->argc;
    c->argv = b->argv;
    c->cmd = b->cmd;
    b->rerun = true;
    b->reblock = false;
    c->flags &= ~(uint32_t)CLIENT_BLOCKED;
    c->flags |= CLIENT_BLOCKED_RERUN;
    dispatch_call(c, b->cmd);
    propagate_flush(); /* each served client is its own unit, after the push that woke it */
    c->flags &= ~(uint32_t)CLIENT_BLOCKED_RERUN;
    c->argc = argc;
    c->argv = argv;
    c->cmd = cmd;
    b->rerun = false;
    if (b->reblock) {
        c->flags |= CLIENT_BLOCKED;
        return false;
    }
    state_free(c);
    client_queue_write(c);
    resume_later(c);
    return true;
}

/* Serve the clients waiting on one ready key, first come first served, while it holds a
 * value of the type they pop. */
static void serve_key(Db *db, const char *key, size_t len) {
    KeyQueue *q = queue_find(db, key, len);
    if (!q) return;
    size_t n = 0;
    for (Waiter *w = q->head; w; w = w->next)
        n++;
    uint64_t *ids = mem_alloc(sizeof(*ids) * n);
    n = 0;
    for (Waiter *w = q->head; w; w = w->next)
        ids[n++] = w->c->id;
    for (size_t i = 0; i < n; i++) {
        Client *c = client_by_id(ids[i]);
        if (!c || !c->bstate || (c->flags & CLIENT_CLOSE_ASAP)) continue;
        if (c->db != db) continue;
        Kv *kv = db_find(db, key, len);
        if (!kv || db_key_is_expired(db, kv)) break;
        if ((int)kv->type != wanted_type(c->bstate->cmd)) continue;
        rerun(c, key, len);
    }
    mem_free(ids);
}

void blocked_serve_ready_keys(void) {
    if (serving || nready == 0 || dispatch_writes_paused()) return;
    serving = true;
    while (nready > 0) {
        ReadyKey *batch = ready;
        size_t nbatch = nready;
        ready = NULL;
        nready = ready_cap = 0;
        for (size_t i = 0; i < nbatch; i++) {
            serve_key(batch[i].db, batch[i].key, batch[i].len);
            mem_free(batch[i].key);
        }
        mem_free(batch);
    }
    serving = false;
}

void blocked_before_sleep(void) {
    blocked_serve_ready_keys();
    while (nresume > 0) {
        uint64_t *ids = resume;
        size_t n = nresume;
        resume = NULL;
        nresume = resume_cap = 0;
        for (size_t i = 0; i < n; i++) {
            Client *c = client_by_id(ids[i]);
            if (c && !(c->flags & CLIENT_BLOCKED)) client_resume_input(c);
        }
        mem_free(ids);
        blocked_serve_ready_keys();
    }
}
