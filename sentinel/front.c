/* front.c - the sentinel's own RESP server: accept, read, parse (common/resp_reader),
 * dispatch through the command table (front_cmds.c), write; and the sentinel's Pub/Sub.
 *
 * The sentinel's clients are few (client libraries asking where the primary is, operators,
 * peer sentinels), so this is simpler than vigil-server's networking: each read event runs
 * the requests it completed and then tries one write; a write watcher takes over only when
 * the kernel buffer is full. Pub/Sub lists are per client and front_publish() walks the
 * clients: a handful of subscribers and an event every few seconds at most.
 *
 * A client is freed only from its own watchers' callbacks (or at shutdown): anything else
 * (CLIENT KILL, an output-buffer limit hit inside front_publish, which runs from hiredis
 * callbacks and from other clients' commands) marks it SC_CLOSE_ASAP and feeds its write
 * watcher, so nobody's pointer dangles. */
#include "sentinel/front.h"

#include "common/clock.h"
#include "common/glob.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/resp_writer.h"
#include "common/sdnotify.h"
#include "sentinel/sentinel.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define READ_CHUNK (16 * 1024)
/* Redis's default client-output-buffer-limit for pubsub clients: 32mb 8mb 60. */
#define PUBSUB_HARD_LIMIT (32LL * 1024 * 1024)
#define PUBSUB_SOFT_LIMIT (8LL * 1024 * 1024)
#define PUBSUB_SOFT_SECONDS 60

static int listen_fd = -1;
static ev_io accept_watcher;
static ev_timer idle_timer;
static SClient *clients;
static long nclients;
static uint64_t next_client_id = 1;
FrontStats front_stats;

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents);

void sc_reply_ok(SClient *c) {
    resp_simple(&c->out, "OK", 2);
}

void sc_reply_error(SClient *c, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof(msg)) n = sizeof(msg) - 1;
    /* an error line must not break the framing */
    for (int i = 0; i < n; i++)
        if (msg[i] == '\r' || msg[i] == '\n') msg[i] = ' ';
    resp_error(&c->out, msg, (size_t)n);
    front_stats.error_replies++;
}

void sc_reply_arity(SClient *c, const char *cmd) {
    sc_reply_error(c, "ERR wrong number of arguments for '%s' command", cmd);
}

/* Redis's text for an unknown command: the name, then up to the first args quoted, with a
 * trailing space kept (clients compare it). */
static void reply_unknown(SClient *c, int argc, RespArg *argv) {
    Buf b = BUF_INIT;
    buf_printf(&b, "ERR unknown command '%.*s', with args beginning with: ",
               (int)VG_MIN(argv[0].len, 128), argv[0].ptr);
    for (int i = 1; i < argc && b.len < 400; i++)
        buf_printf(&b, "'%.*s' ", (int)VG_MIN(argv[i].len, 128), argv[i].ptr);
    sc_reply_error(c, "%s", buf_cstr(&b));
    buf_deinit(&b);
}

static bool name_is(const char *name, const RespArg *a) {
    return strlen(name) == a->len && !strncasecmp(name, a->ptr, a->len);
}

const SCommand *front_lookup_or_reply(SClient *c, int argc, RespArg *argv) {
    const SCommand *cmd = NULL;
    for (const SCommand *e = front_commands; e->name; e++)
        if (name_is(e->name, &argv[0])) cmd = e;
    if (!cmd) {
        reply_unknown(c, argc, argv);
        return NULL;
    }
    if (!cmd->subs || argc < 2) return cmd;
    size_t plen = strlen(cmd->name) + 1; /* "client|" */
    for (const SCommand *e = cmd->subs; e->name; e++)
        if (name_is(e->name + plen, &argv[1])) return e;
    char upper[16];
    size_t n = VG_MIN(strlen(cmd->name), sizeof(upper) - 1);
    for (size_t i = 0; i < n; i++)
        upper[i] = (char)(cmd->name[i] >= 'a' && cmd->name[i] <= 'z' ? cmd->name[i] - 32
                                                                      : cmd->name[i]);
    upper[n] = '\0';
    sc_reply_error(c, "ERR unknown subcommand '%.*s'. Try %s HELP.",
                   (int)VG_MIN(argv[1].len, 128), argv[1].ptr, upper);
    return NULL;
}

/* The checks run in Redis's order: lookup, arity, authentication, subscribed context. */
static void dispatch(SClient *c, int argc, RespArg *argv) {
    c->last_interaction_ms = clock_mono_ms();
    front_stats.commands_processed++;
    size_t out_before = c->out.len;
    int mode = c->reply_mode;
    const SCommand *cmd = front_lookup_or_reply(c, argc, argv);
    if (!cmd) goto done;
    c->last_cmd = cmd->name;
    if ((cmd->arity > 0 && argc != cmd->arity) || (cmd->arity < 0 && argc < -cmd->arity)) {
        sc_reply_arity(c, cmd->name);
        goto done;
    }
    if (!c->authenticated && !(cmd->flags & SCF_NO_AUTH)) {
        sc_reply_error(c, "NOAUTH Authentication required.");
        goto done;
    }
    if ((c->flags & SC_PUBSUB) && c->resp == 2 && !(cmd->flags & SCF_PUBSUB_OK)) {
        sc_reply_error(c, "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                          "PING / QUIT / RESET are allowed in this context", cmd->name);
        goto done;
    }
    if (cmd->fn) {
        cmd->fn(c, argc, argv);
    } else {
        for (const SCommand *e = front_commands; e->name; e++) /* its container runs it */
            if (name_is(e->name, &argv[0])) {
                e->fn(c, argc, argv);
                break;
            }
    }
done:
    /* CLIENT REPLY OFF/SKIP: drop what this command produced. "CLIENT REPLY ON" answers
     * +OK (the mode it set counts), "SKIP" skips the next command, not itself. */
    if ((mode == SC_REPLY_OFF && c->reply_mode == SC_REPLY_OFF) || mode == SC_REPLY_SKIP)
        c->out.len = out_before;
    if (mode == SC_REPLY_SKIP && c->reply_mode == SC_REPLY_SKIP) c->reply_mode = SC_REPLY_ON;
    if (c->reply_mode == SC_REPLY_SKIP_NEXT) c->reply_mode = SC_REPLY_SKIP;
}

static void client_free(SClient *c) {
    ev_io_stop(EV_DEFAULT, &c->rio);
    ev_io_stop(EV_DEFAULT, &c->wio);
    close(c->fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        clients = c->next;
    if (c->next) c->next->prev = c->prev;
    nclients--;
    resp_reader_deinit(&c->req);
    buf_deinit(&c->out);
    for (int i = 0; i < c->nchannels; i++) mem_free(c->channels[i]);
    for (int i = 0; i < c->npatterns; i++) mem_free(c->patterns[i]);
    mem_free(c->channels);
    mem_free(c->patterns);
    mem_free(c->name);
    mem_free(c);
}

void front_close_client(SClient *c) {
    c->flags |= SC_CLOSE_ASAP;
    ev_feed_event(EV_DEFAULT, &c->wio, EV_WRITE);
}

/* Write what the kernel takes; returns false when c was freed. */
static bool client_flush(SClient *c) {
    if (c->flags & SC_CLOSE_ASAP) {
        client_free(c);
        return false;
    }
    while (c->out_sent < c->out.len) {
        ssize_t n = write(c->fd, c->out.data + c->out_sent, c->out.len - c->out_sent);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            client_free(c);
            return false;
        }
        c->out_sent += (size_t)n;
        front_stats.net_output_bytes += n;
        front_stats.writes_processed++;
    }
    if (c->out_sent == c->out.len) {
        buf_clear(&c->out);
        c->out_sent = 0;
        c->obuf_soft_since_ms = 0;
        ev_io_stop(EV_DEFAULT, &c->wio);
        if (c->flags & SC_CLOSE_AFTER_REPLY) {
            client_free(c);
            return false;
        }
    } else if (!ev_is_active(&c->wio)) {
        ev_io_start(EV_DEFAULT, &c->wio);
    }
    return true;
}

static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(revents);
    client_flush((SClient *)w->data);
}

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(revents);
    SClient *c = w->data;
    char *p = resp_reader_space(&c->req, READ_CHUNK);
    if (!p) {
        client_free(c);
        return;
    }
    ssize_t n = read(c->fd, p, READ_CHUNK);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        client_free(c);
        return;
    }
    front_stats.net_input_bytes += n;
    front_stats.reads_processed++;
    resp_reader_commit(&c->req, (size_t)n);
    for (;;) {
        if (c->flags & (SC_CLOSE_AFTER_REPLY | SC_CLOSE_ASAP)) break;
        int argc;
        RespArg *argv;
        c->req.authenticated = c->authenticated;
        int rc = resp_reader_next(&c->req, &argc, &argv);
        if (rc == RESP_AGAIN) break;
        if (rc == RESP_ERR) {
            /* As Redis: the error, then the connection closes. */
            sc_reply_error(c, "ERR %s", c->req.err);
            log_verbose("Protocol error (%s) from client: id=%llu addr=%s", c->req.err,
                        (unsigned long long)c->id, c->addr);
            c->flags |= SC_CLOSE_AFTER_REPLY;
            break;
        }
        if (argc > 0) dispatch(c, argc, argv);
    }
    if (!(c->flags & SC_CLOSE_AFTER_REPLY)) resp_reader_compact(&c->req);
    client_flush(c);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents) {
    VG_UNUSED(revents);
    for (int i = 0; i < 16; i++) {
        char addr[NET_ADDR_LEN];
        int fd = net_accept(w->fd, addr, sizeof(addr));
        if (fd < 0) return;
        front_stats.connections_received++;
        if (scfg.maxclients > 0 && nclients >= scfg.maxclients) {
            static const char msg[] = "-ERR max number of clients reached\r\n";
            if (write(fd, msg, sizeof(msg) - 1) < 0) { /* best effort, as Redis */ }
            close(fd);
            front_stats.rejected_connections++;
            continue;
        }
        net_set_nonblock(fd);
        net_set_nodelay(fd);
        SClient *c = mem_calloc(sizeof(*c));
        c->id = next_client_id++;
        c->fd = fd;
        c->resp = 2;
        c->authenticated = scfg.requirepass == NULL || !scfg.requirepass[0];
        snprintf(c->addr, sizeof(c->addr), "%s", addr);
        net_sock_name(fd, c->laddr, sizeof(c->laddr));
        c->ctime_ms = c->last_interaction_ms = clock_mono_ms();
        resp_reader_init(&c->req);
        c->req.authenticated = c->authenticated;
        buf_init(&c->out);
        ev_io_init(&c->rio, client_read_cb, fd, EV_READ);
        ev_io_init(&c->wio, client_write_cb, fd, EV_WRITE);
        c->rio.data = c->wio.data = c;
        ev_io_start(loop, &c->rio);
        c->next = clients;
        if (clients) clients->prev = c;
        clients = c;
        nclients++;
    }
}

/* `timeout` closes idle clients, except subscribers (they wait for events by design). */
static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(w);
    VG_UNUSED(revents);
    if (scfg.timeout <= 0) return;
    int64_t now = clock_mono_ms();
    for (SClient *c = clients; c; c = c->next) {
        if (c->nchannels || c->npatterns || (c->flags & SC_CLOSE_ASAP)) continue;
        if ((now - c->last_interaction_ms) / 1000 > scfg.timeout) {
            log_verbose("Closing idle client id=%llu", (unsigned long long)c->id);
            front_close_client(c);
        }
    }
}

int front_init(void) {
    listen_fd = net_listen_tcp(scfg.bind, (int)scfg.port, 511);
    if (listen_fd < 0) {
        log_errno(LOG_WARN, -listen_fd, "Could not create server TCP listening socket %s:%lld",
                  scfg.bind, scfg.port);
        return -1;
    }
    ev_io_init(&accept_watcher, accept_cb, listen_fd, EV_READ);
    ev_io_start(EV_DEFAULT, &accept_watcher);
    ev_timer_init(&idle_timer, idle_cb, 1.0, 1.0);
    ev_timer_start(EV_DEFAULT, &idle_timer);
    return 0;
}

/* ---- Pub/Sub --------------------------------------------------------------------------- */

static int find_str(char **list, int n, const RespArg *a) {
    for (int i = 0; i < n; i++)
        if (strlen(list[i]) == a->len && !memcmp(list[i], a->ptr, a->len)) return i;
    return -1;
}

static void set_pubsub_flag(SClient *c) {
    if (c->nchannels || c->npatterns)
        c->flags |= SC_PUBSUB;
    else
        c->flags &= ~(unsigned)SC_PUBSUB;
}

/* [kind, name or null, count]: an array in RESP2, a push frame in RESP3. */
static void pubsub_ack(SClient *c, const char *kind, const char *name, size_t len) {
    resp_push(&c->out, c->resp, 3);
    resp_bulk_cstr(&c->out, kind);
    if (name)
        resp_bulk(&c->out, name, len);
    else
        resp_null(&c->out, c->resp);
    resp_int(&c->out, (long long)c->nchannels + c->npatterns);
}

static void subscribe(SClient *c, int argc, RespArg *argv, bool pattern) {
    char ***list = pattern ? &c->patterns : &c->channels;
    int *n = pattern ? &c->npatterns : &c->nchannels;
    for (int i = 1; i < argc; i++) {
        if (find_str(*list, *n, &argv[i]) < 0) {
            *list = mem_realloc(*list, sizeof(char *) * (size_t)(*n + 1));
            char *s = mem_alloc(argv[i].len + 1);
            memcpy(s, argv[i].ptr, argv[i].len);
            s[argv[i].len] = '\0';
            (*list)[(*n)++] = s;
        }
        set_pubsub_flag(c);
        pubsub_ack(c, pattern ? "psubscribe" : "subscribe", argv[i].ptr, argv[i].len);
    }
}

static void remove_at(char **list, int *n, int i) {
    mem_free(list[i]);
    memmove(&list[i], &list[i + 1], sizeof(char *) * (size_t)(*n - i - 1));
    (*n)--;
}

static void unsubscribe(SClient *c, int argc, RespArg *argv, bool pattern) {
    char **list = pattern ? c->patterns : c->channels;
    int *n = pattern ? &c->npatterns : &c->nchannels;
    const char *kind = pattern ? "punsubscribe" : "unsubscribe";
    if (argc == 1) {
        if (*n == 0) {
            pubsub_ack(c, kind, NULL, 0);
            return;
        }
        while (*n > 0) { /* oldest first */
            char *name = list[0];
            memmove(&list[0], &list[1], sizeof(char *) * (size_t)(*n - 1));
            (*n)--;
            set_pubsub_flag(c);
            pubsub_ack(c, kind, name, strlen(name));
            mem_free(name);
        }
        return;
    }
    for (int i = 1; i < argc; i++) {
        int at = find_str(list, *n, &argv[i]);
        if (at >= 0) remove_at(list, n, at);
        set_pubsub_flag(c);
        pubsub_ack(c, kind, argv[i].ptr, argv[i].len);
    }
}

void front_cmd_subscribe(SClient *c, int argc, RespArg *argv) {
    subscribe(c, argc, argv, false);
}

void front_cmd_psubscribe(SClient *c, int argc, RespArg *argv) {
    subscribe(c, argc, argv, true);
}

void front_cmd_unsubscribe(SClient *c, int argc, RespArg *argv) {
    unsubscribe(c, argc, argv, false);
}

void front_cmd_punsubscribe(SClient *c, int argc, RespArg *argv) {
    unsubscribe(c, argc, argv, true);
}

/* Redis's pubsub output-buffer limit: a subscriber that does not read is dropped rather than
 * let its queue grow without bound. */
static void check_pubsub_limit(SClient *c) {
    long long pending = (long long)(c->out.len - c->out_sent);
    bool over_soft = pending > PUBSUB_SOFT_LIMIT;
    int64_t now = clock_mono_ms();
    if (!over_soft) {
        c->obuf_soft_since_ms = 0;
        return;
    }
    if (!c->obuf_soft_since_ms) c->obuf_soft_since_ms = now;
    if (pending > PUBSUB_HARD_LIMIT ||
        now - c->obuf_soft_since_ms >= PUBSUB_SOFT_SECONDS * 1000LL) {
        log_warn("Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of output "
                 "buffer limits.", (unsigned long long)c->id, c->addr);
        front_close_client(c);
    }
}

static void deliver(SClient *c, const char *pattern, const char *channel, const char *msg,
                    size_t len) {
    resp_push(&c->out, c->resp, pattern ? 4 : 3);
    resp_bulk_cstr(&c->out, pattern ? "pmessage" : "message");
    if (pattern) resp_bulk_cstr(&c->out, pattern);
    resp_bulk_cstr(&c->out, channel);
    resp_bulk(&c->out, msg, len);
    if (!ev_is_active(&c->wio)) ev_io_start(EV_DEFAULT, &c->wio);
    check_pubsub_limit(c);
}

long front_publish(const char *channel, const char *msg, size_t len) {
    long receivers = 0;
    size_t clen = strlen(channel);
    for (SClient *c = clients; c; c = c->next) {
        if (c->flags & SC_CLOSE_ASAP) continue;
        RespArg ch = {channel, clen};
        if (find_str(c->channels, c->nchannels, &ch) >= 0) {
            deliver(c, NULL, channel, msg, len);
            receivers++;
        }
        for (int i = 0; i < c->npatterns && !(c->flags & SC_CLOSE_ASAP); i++) {
            if (glob_match(c->patterns[i], strlen(c->patterns[i]), channel, clen, false)) {
                deliver(c, c->patterns[i], channel, msg, len);
                receivers++;
            }
        }
    }
    return receivers;
}

static long count_distinct(bool patterns) {
    long n = 0;
    for (SClient *c = clients; c; c = c->next) {
        char **list = patterns ? c->patterns : c->channels;
        int cnt = patterns ? c->npatterns : c->nchannels;
        for (int i = 0; i < cnt; i++) {
            bool seen = false; /* counted already through an earlier client? */
            for (SClient *o = clients; o != c && !seen; o = o->next) {
                RespArg a = {list[i], strlen(list[i])};
                seen = find_str(patterns ? o->patterns : o->channels,
                                patterns ? o->npatterns : o->nchannels, &a) >= 0;
            }
            if (!seen) n++;
        }
    }
    return n;
}

long front_pubsub_channels(void) {
    return count_distinct(false);
}

long front_pubsub_patterns(void) {
    return count_distinct(true);
}

/* ---- clients --------------------------------------------------------------------------- */

void front_client_info(SClient *c, Buf *out) {
    int64_t now = clock_mono_ms();
    char events[3] = "";
    if (ev_is_active(&c->rio)) strcat(events, "r");
    if (ev_is_active(&c->wio)) strcat(events, "w");
    size_t qbuf = c->req.buf.len - c->req.start;
    buf_printf(out,
               "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=0 "
               "sub=%d psub=%d ssub=0 multi=-1 qbuf=%zu qbuf-free=%zu argv-mem=0 multi-mem=0 "
               "rbs=%zu rbp=%zu obl=0 oll=0 omem=%zu tot-mem=%zu events=%s cmd=%s "
               "user=default redir=-1 resp=%d\n",
               (unsigned long long)c->id, c->addr, c->laddr, c->fd, c->name ? c->name : "",
               (long long)(now - c->ctime_ms) / 1000,
               (long long)(now - c->last_interaction_ms) / 1000,
               (c->flags & SC_PUBSUB) ? "P" : "N", c->nchannels, c->npatterns, qbuf,
               c->req.buf.cap - c->req.buf.len, c->req.buf.cap, c->req.buf.cap,
               c->out.len - c->out_sent, sizeof(*c) + c->req.buf.cap + c->out.cap, events,
               c->last_cmd ? c->last_cmd : "NULL", c->resp);
}

long front_clients(void) {
    return nclients;
}

SClient *front_first_client(void) {
    return clients;
}

void front_close(void) {
    if (listen_fd >= 0) {
        ev_io_stop(EV_DEFAULT, &accept_watcher);
        ev_timer_stop(EV_DEFAULT, &idle_timer);
        close(listen_fd);
        listen_fd = -1;
    }
    while (clients) {
        SClient *c = clients;
        c->flags &= ~(unsigned)SC_CLOSE_ASAP;
        c->flags |= SC_CLOSE_AFTER_REPLY;
        if (client_flush(c)) client_free(c); /* a failed flush already freed it */
    }
}

void sentinel_shutdown(int code) {
    sdnotify_stopping("Shutting down");
    state_save();
    front_close();
    if (scfg.pidfile) unlink(scfg.pidfile);
    log_warn("Sentinel is now ready to exit, bye bye...");
    exit(code);
}
