/* front.c - the sentinel's own RESP server: accept, read, parse (common/resp_reader),
 * dispatch through the command table below, write.
 *
 * The sentinel's clients are few (client libraries asking where the primary is, operators,
 * peer sentinels), so this is simpler than vigil-server's networking: each read event runs
 * the requests it completed and then tries one write; a write watcher takes over only when
 * the kernel buffer is full. */
#include "sentinel/front.h"

#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/resp_writer.h"
#include "sentinel/sentinel.h"

#include <stdlib.h>
#include <unistd.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define READ_CHUNK (16 * 1024)

static int listen_fd = -1;
static ev_io accept_watcher;
static SClient *clients;
static long nclients;
static uint64_t next_client_id = 1;

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents);

static void cmd_ping(SClient *c, int argc, RespArg *argv);

/* The command table. Entries are added by the modules owning them (declared here). */
static const SCommand command_table[] = {
    {"ping", cmd_ping, -1, false, true},
    {"sentinel", cmd_sentinel, -2, false, false},
};

static const SCommand *lookup(const RespArg *name) {
    for (size_t i = 0; i < sizeof(command_table) / sizeof(command_table[0]); i++) {
        if (strlen(command_table[i].name) == name->len &&
            !strncasecmp(command_table[i].name, name->ptr, name->len))
            return &command_table[i];
    }
    return NULL;
}

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
}

void sc_reply_arity(SClient *c, const char *cmd) {
    sc_reply_error(c, "ERR wrong number of arguments for '%s' command", cmd);
}

static void cmd_ping(SClient *c, int argc, RespArg *argv) {
    if (argc > 2) {
        sc_reply_arity(c, "ping");
        return;
    }
    if (argc == 2)
        resp_bulk(&c->out, argv[1].ptr, argv[1].len);
    else
        resp_simple(&c->out, "PONG", 4);
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

static void dispatch(SClient *c, int argc, RespArg *argv) {
    const SCommand *cmd = lookup(&argv[0]);
    c->last_interaction_ms = clock_mono_ms();
    if (!cmd) {
        reply_unknown(c, argc, argv);
        return;
    }
    c->last_cmd = cmd->name;
    if ((cmd->arity > 0 && argc != cmd->arity) || (cmd->arity < 0 && argc < -cmd->arity)) {
        sc_reply_arity(c, cmd->name);
        return;
    }
    if (!c->authenticated && !cmd->noauth) {
        sc_reply_error(c, "NOAUTH Authentication required.");
        return;
    }
    if ((c->flags & SC_PUBSUB) && c->resp == 2 && !cmd->pubsub_ok) {
        sc_reply_error(c, "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                          "PING / QUIT / RESET are allowed in this context", cmd->name);
        return;
    }
    cmd->fn(c, argc, argv);
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
}

/* Write what the kernel takes; returns false when c was freed. */
static bool client_flush(SClient *c) {
    while (c->out_sent < c->out.len) {
        ssize_t n = write(c->fd, c->out.data + c->out_sent, c->out.len - c->out_sent);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            client_free(c);
            return false;
        }
        c->out_sent += (size_t)n;
    }
    if (c->out_sent == c->out.len) {
        buf_clear(&c->out);
        c->out_sent = 0;
        ev_io_stop(EV_DEFAULT, &c->wio);
        if (c->flags & (SC_CLOSE_AFTER_REPLY | SC_CLOSE_ASAP)) {
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
    ssize_t n = read(c->fd, p, READ_CHUNK);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        client_free(c);
        return;
    }
    resp_reader_commit(&c->req, (size_t)n);
    for (;;) {
        if (c->flags & (SC_CLOSE_AFTER_REPLY | SC_CLOSE_ASAP)) break;
        int argc;
        RespArg *argv;
        int rc = resp_reader_next(&c->req, &argc, &argv);
        if (rc == RESP_AGAIN) break;
        if (rc == RESP_ERR) {
            sc_reply_error(c, "ERR Protocol error: %s", c->req.err);
            c->flags |= SC_CLOSE_AFTER_REPLY;
            break;
        }
        if (argc > 0) dispatch(c, argc, argv);
    }
    resp_reader_compact(&c->req);
    if (c->flags & SC_CLOSE_ASAP) {
        client_free(c);
        return;
    }
    client_flush(c);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents) {
    VG_UNUSED(revents);
    for (int i = 0; i < 16; i++) {
        char addr[NET_ADDR_LEN];
        int fd = net_accept(w->fd, addr, sizeof(addr));
        if (fd < 0) return;
        if (scfg.maxclients > 0 && nclients >= scfg.maxclients) {
            static const char msg[] = "-ERR max number of clients reached\r\n";
            if (write(fd, msg, sizeof(msg) - 1) < 0) { /* best effort */ }
            close(fd);
            continue;
        }
        net_set_nonblock(fd);
        net_set_nodelay(fd);
        SClient *c = mem_calloc(sizeof(*c));
        c->id = next_client_id++;
        c->fd = fd;
        c->resp = 2;
        c->authenticated = scfg.requirepass == NULL;
        snprintf(c->addr, sizeof(c->addr), "%s", addr);
        net_sock_name(fd, c->laddr, sizeof(c->laddr));
        c->ctime_ms = c->last_interaction_ms = clock_mono_ms();
        resp_reader_init(&c->req);
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

int front_init(void) {
    listen_fd = net_listen_tcp(scfg.bind, (int)scfg.port, 511);
    if (listen_fd < 0) {
        log_errno(LOG_WARN, errno, "Could not create server TCP listening socket %s:%lld",
                  scfg.bind, scfg.port);
        return -1;
    }
    ev_io_init(&accept_watcher, accept_cb, listen_fd, EV_READ);
    ev_io_start(EV_DEFAULT, &accept_watcher);
    return 0;
}

long front_publish(const char *channel, const char *msg, size_t len) {
    VG_UNUSED(channel);
    VG_UNUSED(msg);
    VG_UNUSED(len);
    return 0; /* Pub/Sub arrives with the front's full command set */
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
        close(listen_fd);
        listen_fd = -1;
    }
    while (clients) {
        SClient *c = clients;
        if (client_flush(c)) client_free(c); /* a failed flush already freed it */
    }
}

void sentinel_shutdown(int code) {
    state_save();
    front_close();
    if (scfg.pidfile) unlink(scfg.pidfile);
    log_warn("Sentinel is now ready to exit, bye bye...");
    exit(code);
}
