/* networking.c - accept, read, parse, dispatch, write.
 *
 * Read path: a read event reads up to 16 KiB (more when a large bulk is announced) straight
 * into the client's RespReader, then runs every whole request it holds (pipelining) through
 * dispatch_command(). Write path: replies accumulate in c->out; the client joins the
 * pending-writes list, and net_before_sleep() tries one write() per client before the loop
 * sleeps, so a pipeline of 1000 requests costs one write. Only when the kernel buffer is
 * full does a write watcher get started. Limits enforced here: maxclients (Redis's error,
 * rejected_connections), client-query-buffer-limit (the client is closed and counted),
 * protected-mode, idle `timeout`. */
#include "server/networking.h"

#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/net.h"
#include "server/blocked.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/dispatch.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/repl_primary.h"
#include "server/reply.h"
#include "server/replication.h"
#include "server/server.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK          (16 * 1024)
#define MAX_WRITE_PER_EVENT (64 * 1024) /* as Redis: one client can't hog the loop */
#define OUT_KEEP_SIZE       (16 * 1024) /* reply buffer kept after a burst */
#define OUT_PEAK_PERIOD_MS  5000        /* how often the buffer's peak is reconsidered */
#define UNAUTH_OUT_LIMIT    1024        /* unsent bytes an unauthenticated client may pile */
#define ACCEPT_BACKOFF_MS   100         /* listeners pause this long when out of fds */

static Client *pending_writes;
static Client *paused_head, *paused_tail; /* clients holding a command (CLIENT PAUSE) */
static int64_t accept_resume_ms;          /* > 0 while listeners are stopped (EMFILE) */

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents);

static void pending_add(Client *c) {
    c->flags |= CLIENT_PENDING_WRITE;
    c->pw_prev = NULL;
    c->pw_next = pending_writes;
    if (pending_writes) pending_writes->pw_prev = c;
    pending_writes = c;
}

static void pending_remove(Client *c) {
    if (!(c->flags & CLIENT_PENDING_WRITE)) return;
    if (c->pw_prev)
        c->pw_prev->pw_next = c->pw_next;
    else
        pending_writes = c->pw_next;
    if (c->pw_next) c->pw_next->pw_prev = c->pw_prev;
    c->flags &= ~(uint32_t)CLIENT_PENDING_WRITE;
}

static void paused_append(Client *c) {
    c->flags |= CLIENT_PAUSED;
    c->ps_next = NULL;
    c->ps_prev = paused_tail;
    if (paused_tail)
        paused_tail->ps_next = c;
    else
        paused_head = c;
    paused_tail = c;
}

static void paused_remove(Client *c) {
    if (!(c->flags & CLIENT_PAUSED)) return;
    if (c->ps_prev)
        c->ps_prev->ps_next = c->ps_next;
    else
        paused_head = c->ps_next;
    if (c->ps_next)
        c->ps_next->ps_prev = c->ps_prev;
    else
        paused_tail = c->ps_prev;
    c->flags &= ~(uint32_t)CLIENT_PAUSED;
}

void client_queue_write(Client *c) {
    if (c->fd < 0 || (c->flags & CLIENT_PENDING_WRITE)) return;
    if (ev_is_active(&c->wio)) return; /* the write watcher will drain it */
    pending_add(c);
}

Client *client_new(int fd, uint32_t flags) {
    Client *c = mem_calloc(sizeof(*c));
    c->id = ++srv.next_client_id;
    c->fd = fd;
    c->flags = flags;
    c->resp = 2;
    c->db = &srv.dbs[0];
    c->authenticated = cfg.requirepass == NULL;
    resp_reader_init(&c->req);
    c->req.max_bulk_len = cfg.proto_max_bulk_len;
    c->req.authenticated = c->authenticated;
    buf_init(&c->out);
    c->ctime_ms = c->last_interaction_ms = c->out_peak_reset_ms = server_now_ms();
    if (fd >= 0) {
        net_peer_name(fd, c->addr, sizeof(c->addr));
        net_sock_name(fd, c->laddr, sizeof(c->laddr));
        ev_io_init(&c->rio, client_read_cb, fd, EV_READ);
        ev_io_init(&c->wio, client_write_cb, fd, EV_WRITE);
        c->rio.data = c->wio.data = c;
        ev_io_start(srv.loop, &c->rio);
    }
    c->next = srv.clients_head;
    if (srv.clients_head) srv.clients_head->prev = c;
    srv.clients_head = c;
    srv.nclients++;
    return c;
}

static void client_free(Client *c) {
    if (srv.current_client == c) srv.current_client = NULL;
    if (c->flags & CLIENT_PRIMARY) repl_replica_primary_freed(c);
    pending_remove(c);
    paused_remove(c);
    pubsub_client_free(c);
    multi_client_free(c);
    blocked_client_free(c);
    repl_primary_client_free(c);
    if (c->fd >= 0) {
        ev_io_stop(srv.loop, &c->rio);
        ev_io_stop(srv.loop, &c->wio);
        close(c->fd);
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        srv.clients_head = c->next;
    if (c->next) c->next->prev = c->prev;
    srv.nclients--;
    resp_reader_deinit(&c->req);
    buf_deinit(&c->out);
    mem_free(c->name);
    mem_free(c->lib_name);
    mem_free(c->lib_ver);
    mem_free(c);
}

void client_close(Client *c) {
    if (c->flags & CLIENT_EXECUTING) {
        client_close_async(c);
        return;
    }
    client_free(c);
}

void client_close_async(Client *c) {
    if (c->flags & CLIENT_CLOSE_ASAP) return;
    c->flags |= CLIENT_CLOSE_ASAP;
    if (!(c->flags & CLIENT_PENDING_WRITE)) pending_add(c);
}

bool client_auth_required(const Client *c) {
    return cfg.requirepass != NULL && !c->authenticated;
}

Client *client_by_id(uint64_t id) {
    for (Client *c = srv.clients_head; c; c = c->next)
        if (c->id == id) return c;
    return NULL;
}

/* Write what we can, up to MAX_WRITE_PER_EVENT (the kernel may take less). A partly
 * written buffer is compacted once the written prefix is the larger half, so a client that
 * keeps pipelining while it reads never makes the buffer hold everything ever queued.
 * Returns -1 when the client was freed. */
static int client_write(Client *c) {
    size_t total = 0;
    if (c->out.len > c->out_peak) c->out_peak = c->out.len;
    while (c->out_sent < c->out.len && total < MAX_WRITE_PER_EVENT) {
        ssize_t w = write(c->fd, c->out.data + c->out_sent, c->out.len - c->out_sent);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            log_verbose("Error writing to client: %s", strerror(errno));
            client_free(c);
            return -1;
        }
        c->out_sent += (size_t)w;
        total += (size_t)w;
    }
    /* Redis 7.0.15: replication traffic is in the totals and, besides, in the repl ones */
    srv.stats.net_output_bytes += (long long)total;
    if (c->flags & CLIENT_REPLICA) srv.stats.net_repl_output_bytes += (long long)total;
    c->net_output_bytes += (long long)total;
    if (total) {
        srv.stats.total_writes_processed++;
        c->last_interaction_ms = server_now_ms(); /* a slow download is not idleness */
    }
    if (c->out_sent == c->out.len) {
        c->out.len = c->out_sent = 0;
        if (ev_is_active(&c->wio)) ev_io_stop(srv.loop, &c->wio);
        if (c->flags & CLIENT_CLOSE_AFTER_REPLY) {
            client_free(c);
            return -1;
        }
        /* a replica receiving an RDB from disk is topped up each time its output drains */
        if (c->flags & CLIENT_REPLICA) repl_primary_replica_wrote(c);
        return 0;
    }
    if (c->out_sent >= MAX_WRITE_PER_EVENT && c->out_sent >= c->out.len / 2) {
        buf_consume(&c->out, c->out_sent);
        c->out_sent = 0;
    }
    if (!ev_is_active(&c->wio)) ev_io_start(srv.loop, &c->wio);
    return 0;
}

static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(revents);
    client_write((Client *)w->data);
}

/* Run every whole request buffered for c. Stops early when the client must close, or when
 * CLIENT PAUSE holds its next command: then the parsed request stays in place (argv points
 * into the reader's buffer, so reading stops until net_unpause_clients runs it). */
static void client_process_input(Client *c) {
    bool primary = (c->flags & CLIENT_PRIMARY) != 0;
    while (!(c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP | CLIENT_BLOCKED))) {
        if (!c->argv) {
            int rc = resp_reader_next(&c->req, &c->argc, &c->argv);
            if (rc == RESP_AGAIN) break;
            if (rc == RESP_ERR && primary) {
                /* no reply goes to a primary: drop the link, the next PSYNC resumes */
                log_warn("Protocol error (%s) from MASTER, closing the link", c->req.err);
                c->argv = NULL;
                client_close_async(c);
                break;
            }
            if (rc == RESP_ERR) {
                log_verbose("Protocol error (%s) from client: id=%llu addr=%s", c->req.err,
                            (unsigned long long)c->id, c->addr);
                reply_error_fmt(c, "ERR %s", c->req.err);
                c->flags |= CLIENT_CLOSE_AFTER_REPLY;
                c->argv = NULL;
                break;
            }
        }
        if (primary) {
            /* A primary's command: no reply goes back (but REPLCONF GETACK's ACK), and its
             * exact bytes move the replication offset once it ran. */
            const char *raw = c->req.buf.data + c->req.start;
            size_t rawlen = c->req.pos - c->req.start;
            size_t out_mark = c->out.len;
            if (!repl_replica_intercept(c)) {
                if (!dispatch_command(c)) {
                    paused_append(c);
                    ev_io_stop(srv.loop, &c->rio);
                    break;
                }
                if (c->out.len > out_mark) c->out.len = out_mark;
            }
            repl_replica_applied(c, raw, rawlen);
        } else if (!dispatch_command(c)) {
            paused_append(c);
            ev_io_stop(srv.loop, &c->rio);
            break;
        }
        c->argc = 0;
        c->argv = NULL;
        if (!c->authenticated && cfg.requirepass &&
            c->out.len - c->out_sent > UNAUTH_OUT_LIMIT) {
            /* A stranger who pipelines without reading must not make us buffer NOAUTH
             * replies without bound (Redis closes such clients the same way). */
            log_warn("Client id=%llu addr=%s closed for overcoming of output buffer limits "
                     "while unauthenticated.",
                     (unsigned long long)c->id, c->addr);
            client_close_async(c);
            break;
        }
    }
    if (!c->argv) resp_reader_compact(&c->req);
    if (c->out.len > c->out_sent) client_queue_write(c);
}

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(revents);
    Client *c = w->data;
    char *p = resp_reader_space(&c->req, READ_CHUNK);
    if (!p) {
        log_warn("Closing client id=%llu addr=%s: no memory for its query buffer",
                 (unsigned long long)c->id, c->addr);
        client_free(c);
        return;
    }
    size_t room = c->req.buf.cap - c->req.buf.len - 1;
    ssize_t n = read(c->fd, p, room);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        log_verbose("Reading from client: %s", strerror(errno));
        client_free(c);
        return;
    }
    if (n == 0) {
        log_verbose("Client closed connection id=%llu addr=%s", (unsigned long long)c->id,
                    c->addr);
        client_free(c);
        return;
    }
    resp_reader_commit(&c->req, (size_t)n);
    srv.stats.net_input_bytes += n;
    if (c->flags & CLIENT_PRIMARY) srv.stats.net_repl_input_bytes += n;
    srv.stats.total_reads_processed++;
    c->net_input_bytes += n;
    c->last_interaction_ms = server_now_ms();
    if (c->flags & CLIENT_PRIMARY) repl_replica_on_read(c);
    if (!(c->flags & CLIENT_PRIMARY) &&
        resp_reader_pending(&c->req) > (size_t)cfg.client_query_buffer_limit) {
        log_warn("Closing client that reached max query buffer length: id=%llu addr=%s "
                 "(qbuf initial bytes: %zu)",
                 (unsigned long long)c->id, c->addr, resp_reader_pending(&c->req));
        srv.stats.client_qbuf_limit_disconnections++;
        client_free(c);
        return;
    }
    client_process_input(c);
}

void client_resume_input(Client *c) {
    if (c->flags & (CLIENT_PAUSED | CLIENT_BLOCKED)) return;
    client_process_input(c);
}

void net_before_sleep(void) {
    blocked_before_sleep();
    while (pending_writes) {
        Client *c = pending_writes;
        pending_remove(c);
        if (c->flags & CLIENT_CLOSE_ASAP) {
            client_free(c);
            continue;
        }
        if (c->out.len > c->out_sent) client_write(c);
    }
}

static const char protected_mode_msg[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you may "
    "adopt one of the following solutions: 1) Just disable protected mode sending the "
    "command 'CONFIG SET protected-mode no' from the loopback interface by connecting to "
    "Redis from the same host the server is running, however MAKE SURE Redis is not publicly "
    "accessible from internet if you do so. Use CONFIG REWRITE to make this change "
    "permanent. 2) Alternatively you can just disable the protected mode by editing the "
    "Redis configuration file, and setting the protected mode option to 'no', and then "
    "restarting the server. 3) If you started the server manually just for testing, restart "
    "it with the '--protected-mode no' option. 4) Setup a an authentication password for the "
    "default user. NOTE: You only need to do one of the above things in order for the server "
    "to start accepting connections from the outside.\r\n";

static void accept_one(int fd, bool is_unix) {
    if (srv.nclients >= cfg.maxclients) {
        static const char msg[] = "-ERR max number of clients reached\r\n";
        ssize_t w = write(fd, msg, sizeof(msg) - 1);
        VG_UNUSED(w);
        srv.stats.rejected_connections++;
        close(fd);
        return;
    }
    if (!is_unix && cfg.protected_mode && !cfg.requirepass && !net_is_loopback_peer(fd)) {
        ssize_t w = write(fd, protected_mode_msg, sizeof(protected_mode_msg) - 1);
        VG_UNUSED(w);
        srv.stats.rejected_connections++;
        close(fd);
        return;
    }
    if (!is_unix) {
        net_set_nodelay(fd);
        if (cfg.tcp_keepalive_s > 0) net_set_keepalive(fd, (int)cfg.tcp_keepalive_s);
    }
    srv.stats.total_connections_received++;
    Client *c = client_new(fd, is_unix ? CLIENT_UNIX_SOCKET : 0);
    log_verbose("Accepted %s", c->addr);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(revents);
    bool is_unix = w->data != NULL;
    /* Accept a bounded batch per event, as Redis does, so a connect storm can't starve
     * the clients already connected. */
    for (int i = 0; i < 1000; i++) {
        char addr[NET_ADDR_LEN];
        int fd = net_accept(w->fd, addr, sizeof(addr));
        if (fd == -EAGAIN || fd == -EWOULDBLOCK) return;
        if (fd == -EMFILE || fd == -ENFILE) {
            /* Out of descriptors: the pending connection stays in the backlog, so a level-
             * triggered watcher would spin. Stop listening for a moment (the cron resumes). */
            log_errno(LOG_WARN, fd, "Accepting client connection (listeners paused %d ms)",
                      ACCEPT_BACKOFF_MS);
            for (int j = 0; j < srv.nlisten; j++) ev_io_stop(srv.loop, &srv.listen_io[j]);
            accept_resume_ms = server_now_ms() + ACCEPT_BACKOFF_MS;
            return;
        }
        if (fd < 0) {
            if (fd != -EINTR && fd != -ECONNABORTED)
                log_errno(LOG_WARN, fd, "Accepting client connection");
            return;
        }
        accept_one(fd, is_unix);
    }
}

static void add_listener(int fd, bool is_unix) {
    int i = srv.nlisten++;
    srv.listen_fds[i] = fd;
    ev_io_init(&srv.listen_io[i], accept_cb, fd, EV_READ);
    srv.listen_io[i].data = is_unix ? (void *)1 : NULL;
    ev_io_start(srv.loop, &srv.listen_io[i]);
}

int net_init_listeners(void) {
    if (cfg.port != 0) {
        for (int i = 0; i < cfg.bind_count; i++) {
            const char *addr = cfg.bind_addrs[i];
            bool optional = addr[0] == '-'; /* "-::1": skip if the address is unavailable */
            if (optional) addr++;
            int fd = net_listen_tcp(addr, (int)cfg.port, (int)cfg.tcp_backlog);
            if (fd < 0) {
                if (optional) continue;
                log_errno(LOG_WARN, fd, "Failed listening on port %lld (tcp) %s", cfg.port,
                          addr);
                return -1;
            }
            add_listener(fd, false);
        }
    }
    if (cfg.unixsocket) {
        int fd = net_listen_unix(cfg.unixsocket, (unsigned)cfg.unixsocketperm,
                                 (int)cfg.tcp_backlog);
        if (fd < 0) {
            log_errno(LOG_WARN, fd, "Failed opening Unix socket %s", cfg.unixsocket);
            return -1;
        }
        add_listener(fd, true);
    }
    if (srv.nlisten == 0) {
        log_warn("Configured to not listen anywhere, exiting.");
        return -1;
    }
    return 0;
}

void net_close_listeners(void) {
    for (int i = 0; i < srv.nlisten; i++) {
        ev_io_stop(srv.loop, &srv.listen_io[i]);
        close(srv.listen_fds[i]);
    }
    srv.nlisten = 0;
    if (cfg.unixsocket) unlink(cfg.unixsocket);
}

/* Give back reply-buffer memory a burst left behind: every OUT_PEAK_PERIOD_MS, an idle
 * buffer much larger than its recent peak shrinks to that peak (not on every drain, which
 * would make each large reply pay a grow and a shrink). */
static void client_shrink_buffers(Client *c, int64_t now) {
    if (now - c->out_peak_reset_ms < OUT_PEAK_PERIOD_MS) return;
    if (c->out.len == 0 && c->out.cap > OUT_KEEP_SIZE && c->out_peak < c->out.cap / 2)
        buf_shrink(&c->out, VG_MAX(c->out_peak, (size_t)OUT_KEEP_SIZE));
    c->out_peak = c->out.len;
    c->out_peak_reset_ms = now;
    if (!c->argv && !resp_reader_in_request(&c->req) && c->req.buf.cap > 64 * 1024 &&
        resp_reader_pending(&c->req) == 0)
        buf_shrink(&c->req.buf, 0);
}

void net_clients_cron(void) {
    int64_t now = server_now_ms();
    if (accept_resume_ms && now >= accept_resume_ms) {
        accept_resume_ms = 0;
        for (int j = 0; j < srv.nlisten; j++) ev_io_start(srv.loop, &srv.listen_io[j]);
    }
    Client *next;
    for (Client *c = srv.clients_head; c; c = next) {
        next = c->next;
        bool exempt = c->flags & (CLIENT_REPLICA | CLIENT_PRIMARY | CLIENT_BLOCKED |
                                  CLIENT_PUBSUB | CLIENT_PAUSED);
        if (cfg.timeout_s > 0 && !exempt && now - c->last_interaction_ms > cfg.timeout_s * 1000) {
            log_verbose("Closing idle client id=%llu", (unsigned long long)c->id);
            client_close(c);
            continue;
        }
        client_shrink_buffers(c, now);
    }
}

/* Resume held clients in the order they were held. A held command may close other clients
 * (CLIENT KILL) or pause again (CLIENT PAUSE), so the list head is re-read every time and
 * the loop stops as soon as a pause is back in force. */
void net_unpause_clients(void) {
    while (paused_head && srv.client_pause_type == 0 && !srv.failover_pause) {
        Client *c = paused_head;
        paused_remove(c);
        ev_io_start(srv.loop, &c->rio);
        client_process_input(c);
    }
}
