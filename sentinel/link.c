/* link.c - hiredis async links to monitored servers and peer sentinels.
 *
 * Every Instance owns one Link: a command connection (cc: PING, INFO, PUBLISH of hellos,
 * SENTINEL is-master-down-by-addr, the failover's transactions) and, for servers, a Pub/Sub
 * connection (pc) subscribed to __sentinel__:hello. Both are hiredis async contexts on the
 * libev default loop. Entry points: link_reconnect (each tick), link_send, link_close,
 * link_free, link_check_dead (the SDOWN step), link_local_ip (hello payloads).
 *
 * Lifetime (the part that crashes sentinels): hiredis frees a context after running the
 * callbacks still queued on it, possibly long after we dropped the Instance (a switch frees
 * replicas from inside a reply callback). So a context never points at a Link directly:
 * ac->data is a small Conn that points at the Link, and closing the link only detaches it
 * (conn->link = NULL) before asking hiredis to free the context. Callbacks that find a
 * detached Conn do nothing. The Conn itself is freed by the last callback hiredis makes for
 * its context:
 *   - connect failed          -> the connect callback (nothing else was queued)
 *   - was connected           -> the disconnect callback (also after our redisAsyncFree)
 *   - still connecting, and we free it -> right after redisAsyncFree (no callback comes)
 * Nothing is sent before the connect callback, so a context that never connected has no
 * reply callbacks to run. */
#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "sentinel/sentinel.h"

#include <hiredis/adapters/libev.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define HELLO_CHANNEL "__sentinel__:hello"

typedef struct Conn {
    Link *link; /* NULL once the link let go of this context */
    bool pubsub;
    bool connected; /* the connect callback ran with success */
} Conn;

/* One command's callback data on cc. */
typedef struct Req {
    LinkReplyFn fn;
    void *privdata;
} Req;

static Conn *conn_of(const struct redisAsyncContext *ac) {
    return ac ? (Conn *)ac->data : NULL;
}

static void update_disconnected(Link *l) {
    Conn *cc = conn_of(l->cc), *pc = conn_of(l->pc);
    bool cc_up = cc && cc->connected;
    bool pc_up = (l->owner->flags & SRI_SENTINEL) || (pc && pc->connected);
    l->disconnected = !(cc_up && pc_up);
}

/* Detach and free one context of the link (cc or pc). Safe inside that context's own
 * callbacks: hiredis then defers the free until the callback returns. */
static void close_ctx(Link *l, struct redisAsyncContext **slot) {
    redisAsyncContext *ac = *slot;
    if (!ac) return;
    *slot = NULL;
    Conn *c = conn_of(ac);
    c->link = NULL;
    bool was_connected = c->connected;
    redisAsyncFree(ac);
    /* a context that never connected gets no further callback: the Conn is ours to free */
    if (!was_connected) mem_free(c);
    update_disconnected(l);
}

void link_close(Link *l) {
    if (!l) return;
    close_ctx(l, &l->cc);
    close_ctx(l, &l->pc);
    l->pending_commands = 0;
    l->disconnected = true;
}

void link_free(Link *l) {
    if (!l) return;
    link_close(l);
    mem_free(l);
}

/* ---- callbacks ------------------------------------------------------------------------ */

static void cc_reply_cb(redisAsyncContext *ac, void *reply, void *privdata) {
    Req req = *(Req *)privdata;
    mem_free(privdata);
    Conn *c = conn_of(ac);
    Link *l = c ? c->link : NULL;
    if (!l) return;
    if (l->pending_commands > 0) l->pending_commands--;
    /* NULL: the context is going away; the owner learns it from the disconnect */
    if (!reply || !req.fn) return;
    req.fn(l->owner, reply, req.privdata); /* may free l: touch nothing after this */
}

static void pc_ignore_cb(redisAsyncContext *ac, void *reply, void *privdata) {
    VG_UNUSED(ac), VG_UNUSED(reply), VG_UNUSED(privdata);
}

/* Messages on __sentinel__:hello (and the subscribe confirmation). A sentinel hears its
 * own hellos too, so any traffic proves the link alive (link_check_dead). */
static void pc_message_cb(redisAsyncContext *ac, void *reply, void *privdata) {
    VG_UNUSED(privdata);
    Conn *c = conn_of(ac);
    Link *l = c ? c->link : NULL;
    redisReply *r = reply;
    if (!l || !r) return;
    l->pc_last_activity = clock_mono_ms();
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) return;
    for (int i = 0; i < 3; i++)
        if (r->element[i]->type != REDIS_REPLY_STRING) return;
    if (strcmp(r->element[0]->str, "message") != 0) return;
    monitor_hello_received(r->element[2]->str, r->element[2]->len); /* may free l */
}

static void send_auth(Link *l, redisAsyncContext *ac, redisCallbackFn *fn, bool counted) {
    Instance *ri = l->owner;
    const char *user = NULL, *pass = NULL;
    if (ri->flags & SRI_SENTINEL) {
        if (scfg.sentinel_pass && *scfg.sentinel_pass) {
            pass = scfg.sentinel_pass;
            user = scfg.sentinel_user;
        } else {
            pass = scfg.requirepass; /* one password for every sentinel, as Redis */
        }
    } else {
        Instance *m = (ri->flags & SRI_MASTER) ? ri : ri->master;
        pass = m->auth_pass;
        user = m->auth_user;
    }
    if (!pass || !*pass) return;
    int rc;
    if (user && *user)
        rc = redisAsyncCommand(ac, fn, fn == cc_reply_cb ? mem_calloc(sizeof(Req)) : NULL,
                               "AUTH %s %s", user, pass);
    else
        rc = redisAsyncCommand(ac, fn, fn == cc_reply_cb ? mem_calloc(sizeof(Req)) : NULL,
                               "AUTH %s", pass);
    if (rc == REDIS_OK && counted) l->pending_commands++;
}

static void send_setname(Link *l, redisAsyncContext *ac, bool pubsub) {
    char name[64];
    snprintf(name, sizeof(name), "sentinel-%.8s-%s", sentinel.myid, pubsub ? "pubsub" : "cmd");
    if (pubsub) {
        redisAsyncCommand(ac, pc_ignore_cb, NULL, "CLIENT SETNAME %s", name);
    } else if (redisAsyncCommand(ac, cc_reply_cb, mem_calloc(sizeof(Req)), "CLIENT SETNAME %s",
                                 name) == REDIS_OK) {
        l->pending_commands++;
    }
}

static void on_connect(const redisAsyncContext *cac, int status) {
    redisAsyncContext *ac = (redisAsyncContext *)cac; /* hiredis passes const; we send on it */
    Conn *c = conn_of(ac);
    Link *l = c->link;
    if (status != REDIS_OK) {
        if (l) {
            log_debug("-%s-link-reconnection %s %s %d #%s", c->pubsub ? "pubsub" : "cmd",
                      l->owner->name, l->owner->ip, l->owner->port, ac->errstr);
            if (c->pubsub)
                l->pc = NULL;
            else
                l->cc = NULL;
            update_disconnected(l);
        }
        mem_free(c); /* hiredis frees ac after this; nothing else was queued on it */
        return;
    }
    c->connected = true;
    if (!l) return;
    int64_t now = clock_mono_ms();
    Instance *ri = l->owner;
    if (c->pubsub) {
        l->pc_conn_time = now;
        l->pc_last_activity = now;
        send_auth(l, ac, pc_ignore_cb, false);
        send_setname(l, ac, true);
        redisAsyncCommand(ac, pc_message_cb, NULL, "SUBSCRIBE " HELLO_CHANNEL);
    } else {
        l->cc_conn_time = now;
        l->pending_commands = 0;
        if (l->restart_sdown_clock) {
            /* just switched to this address: the time spent reaching it is not downtime */
            l->restart_sdown_clock = false;
            l->act_ping_time = 0;
            l->last_avail_time = now;
        }
        send_auth(l, ac, cc_reply_cb, true);
        send_setname(l, ac, false);
        update_disconnected(l);
        monitor_link_connected(ri); /* first PING, and INFO for servers */
    }
    update_disconnected(l);
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
    Conn *c = conn_of(ac);
    Link *l = c->link;
    if (l) {
        log_debug("-%s-link-disconnected %s %s %d #%s", c->pubsub ? "pubsub" : "cmd",
                  l->owner->name, l->owner->ip, l->owner->port,
                  status == REDIS_OK ? "closed" : ac->errstr);
        if (c->pubsub) {
            l->pc = NULL;
        } else {
            l->cc = NULL;
            l->pending_commands = 0;
        }
        update_disconnected(l);
    }
    mem_free(c); /* the last callback hiredis makes for a context that was connected */
}

/* ---- connecting ----------------------------------------------------------------------- */

/* Outgoing connections leave from the address we listen on when it is a concrete one of
 * the same family, as Redis binds its links: on a multi-homed host the hello's address
 * (the link's local address) is then the one peers can reach. */
static const char *source_addr(const char *ip) {
    const char *b = scfg.bind;
    if (!b || !*b || !strcmp(b, "*") || !strcmp(b, "0.0.0.0") || !strcmp(b, "::") || strchr(b, ' '))
        return NULL;
    if ((strchr(b, ':') != NULL) != (strchr(ip, ':') != NULL)) return NULL;
    return b;
}

static redisAsyncContext *open_ctx(Link *l, bool pubsub) {
    Instance *ri = l->owner;
    const char *src = source_addr(ri->ip);
    redisAsyncContext *ac =
        src ? redisAsyncConnectBind(ri->ip, ri->port, src) : redisAsyncConnect(ri->ip, ri->port);
    if (!ac) return NULL;
    if (ac->err) {
        log_debug("-%s-link-reconnection %s %s %d #%s", pubsub ? "pubsub" : "cmd", ri->name, ri->ip,
                  ri->port, ac->errstr);
        redisAsyncFree(ac);
        return NULL;
    }
    Conn *c = mem_calloc(sizeof(*c));
    c->link = l;
    c->pubsub = pubsub;
    ac->data = c;
    if (redisLibevAttach(EV_DEFAULT, ac) != REDIS_OK) {
        ac->data = NULL;
        mem_free(c);
        redisAsyncFree(ac);
        return NULL;
    }
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    return ac;
}

void link_reconnect(Instance *ri) {
    Link *l = ri->link;
    if (ri->port == 0) return; /* an address known to be invalid (hello conflicts) */
    bool want_pc = !(ri->flags & SRI_SENTINEL);
    if (l->cc && (l->pc || !want_pc)) return;
    int64_t now = clock_mono_ms();
    if (now - l->last_reconn_time < sentinel.t.ping_period) return;
    l->last_reconn_time = now;
    /* the conn times start at creation, as Redis: link_check_dead measures from them */
    if (!l->cc) {
        l->cc = open_ctx(l, false);
        l->pending_commands = 0;
        l->cc_conn_time = now;
    }
    if (want_pc && !l->pc) {
        l->pc = open_ctx(l, true);
        l->pc_conn_time = now;
        l->pc_last_activity = now;
    }
    update_disconnected(l);
}

int link_send(Instance *ri,
              LinkReplyFn fn,
              void *privdata,
              int argc,
              const char **argv,
              const size_t *argvlen) {
    Link *l = ri->link;
    Conn *c = conn_of(l->cc);
    if (!c || !c->connected) return -1;
    Req *req = mem_alloc(sizeof(*req));
    req->fn = fn;
    req->privdata = privdata;
    if (redisAsyncCommandArgv(l->cc, cc_reply_cb, req, argc, argv, argvlen) != REDIS_OK) {
        mem_free(req);
        return -1;
    }
    l->pending_commands++;
    return 0;
}

int link_sendv(Instance *ri, LinkReplyFn fn, void *privdata, int argc, const char **argv) {
    return link_send(ri, fn, privdata, argc, argv, NULL);
}

/* Reference §1: a command link up for a while whose oldest PING and last reply are both
 * older than half the down-after period is rebuilt (a half-open TCP connection never
 * errors); so is a Pub/Sub link silent for three publish periods (we hear our own hellos,
 * so silence means the link is dead). */
void link_check_dead(Instance *ri) {
    Link *l = ri->link;
    int64_t now = clock_mono_ms();
    long long half = ri->down_after_period / 2;
    if (l->cc && now - l->cc_conn_time > sentinel.t.min_link_reconnect_period && l->act_ping_time &&
        now - l->act_ping_time > half && now - l->last_pong_time > half) {
        close_ctx(l, &l->cc);
        l->pending_commands = 0;
    }
    if (l->pc && now - l->pc_conn_time > sentinel.t.min_link_reconnect_period &&
        now - l->pc_last_activity > sentinel.t.publish_period * 3)
        close_ctx(l, &l->pc);
}

bool link_local_ip(const Instance *ri, char out[SENTINEL_IP_LEN]) {
    out[0] = '\0';
    Conn *c = conn_of(ri->link->cc);
    if (!c || !c->connected) return false;
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    if (getsockname(ri->link->cc->c.fd, (struct sockaddr *)&sa, &len) != 0) return false;
    const void *a;
    if (sa.ss_family == AF_INET)
        a = &((struct sockaddr_in *)&sa)->sin_addr;
    else if (sa.ss_family == AF_INET6)
        a = &((struct sockaddr_in6 *)&sa)->sin6_addr;
    else
        return false;
    return inet_ntop(sa.ss_family, a, out, SENTINEL_IP_LEN) != NULL;
}
