/* repl_primary.c - a primary's side of replication (see replication.h), as Redis 7.0's.
 *
 * The backlog is a circular buffer created when the first replica attaches (with a new
 * replid: there is no valid past history) and freed repl-backlog-ttl seconds after the last
 * one leaves. Every byte fed moves master_repl_offset and goes to the backlog and to the
 * replicas: online ones get it in their output buffer at once, those waiting for their RDB
 * in a side buffer that follows the RDB.
 *
 * Full resync: replicas wait in WAIT_BGSAVE_START until a child can fork (one child at a
 * time; a diskless batch also waits repl-diskless-sync-delay); at the fork each gets
 * "+FULLRESYNC <replid> <offset>" and moves to WAIT_BGSAVE_END. Disk: the child writes
 * dbfilename (with the repl aux fields), then each replica gets "$<len>\r\n" and the file,
 * read into its output buffer in chunks as the socket drains (SEND_BULK), then the stream
 * it missed meanwhile. Diskless: the child writes the RDB to a pipe; the parent forwards
 * it between "$EOF:<mark>\r\n" and the mark to every replica of the batch, pausing the pipe
 * while any of them has much unsent. Replies to the sync protocol go through the normal
 * reply buffer, so they stay in order with what follows. */
#include "server/repl_primary.h"

#include "common/buf.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/net.h"
#include "common/resp_writer.h"
#include "common/util.h"
#include "common/vg.h"
#include "server/bgsave.h"
#include "server/blocked.h"
#include "server/childproc.h"
#include "server/dispatch.h"
#include "server/client.h"
#include "server/networking.h"
#include "server/persist.h"
#include "server/pubsub.h"
#include "server/rdb.h"
#include "server/replication.h"
#include "server/reply.h"
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    RS_WAIT_BGSAVE_START, /* waiting for a child to fork */
    RS_WAIT_BGSAVE_END,   /* its child runs (diskless: the RDB is being forwarded) */
    RS_SEND_BULK,         /* disk: the file is being sent */
    RS_ONLINE,            /* streaming */
};

#define BULK_CHUNK        (64 * 1024)
#define BULK_AHEAD        (256 * 1024)      /* file bytes queued ahead of the socket */
#define PIPE_PAUSE_UNSENT (4 * 1024 * 1024) /* diskless: pause the pipe past this */
#define EOF_MARK_LEN      40

typedef struct Replica {
    Client *c;
    int state;
    bool capa_eof, capa_psync2;
    bool old_sync;    /* SYNC: no +FULLRESYNC line */
    bool diskless;    /* in the diskless batch of the running child */
    bool hold_stream; /* online after a diskless RDB: the stream waits in `pending`
                       * for its first ACK, since an EOF-marked RDB must end the
                       * bytes it reads (Redis's repl_start_cmd_stream_on_ack) */
    long long listening_port;
    char ip[256]; /* REPLCONF ip-address, "" when not sent */
    long long ack_off;
    int64_t ack_ms;
    int64_t wait_since_ms;  /* entered WAIT_BGSAVE_START */
    int64_t newline_ms;     /* last keep-alive newline sent while it waits */
    long long psync_offset; /* the offset its RDB corresponds to */
    Buf pending;            /* the stream fed while it waits for its RDB */
    int bulk_fd;            /* disk transfer: the file, -1 when none */
    long long bulk_left;
    struct Replica *next;
} Replica;

typedef struct Waiter {
    Client *c;
    long long target;
    long long numreplicas;
    int64_t deadline_ms; /* 0 = forever */
    struct Waiter *next;
} Waiter;

static Replica *replicas;
static int nreplicas;
static Waiter *waiters;
static bool get_ack_pending;

static struct {
    char *buf;
    long long size;
    long long idx; /* where the next byte goes */
    long long histlen;
    long long offset; /* replication offset of the oldest byte held */
} bl;
static bool bl_active;
static int64_t no_replicas_since_ms;
static int seldb = -1; /* the db the stream last selected (-1: the next op selects) */
static int64_t last_ping_ms;

/* the running replication child */
static pid_t sync_child_pid;
static bool sync_child_diskless;
static int pipe_fd = -1;
static ev_io pipe_io;
static bool pipe_eof, child_ok_pending;
static char eof_mark[EOF_MARK_LEN + 1];

static long long sync_full, sync_partial_ok, sync_partial_err;

static int64_t now_ms(void) {
    return server_now_ms();
}

static Replica *replica_of(const Client *c) {
    if (!(c->flags & CLIENT_REPLICA)) return NULL;
    for (Replica *r = replicas; r; r = r->next)
        if (r->c == c) return r;
    return NULL;
}

/* ---- the backlog ---------------------------------------------------------------------- */

static void backlog_create(void) {
    bl.size = cfg.repl_backlog_size > 0 ? cfg.repl_backlog_size : 1024 * 1024;
    bl.buf = mem_alloc((size_t)bl.size);
    bl.idx = bl.histlen = 0;
    bl.offset = repl.master_repl_offset + 1;
    bl_active = true;
}

static void backlog_free(void) {
    mem_free(bl.buf);
    bl.buf = NULL;
    bl.size = bl.idx = bl.histlen = 0;
    bl.offset = 0;
    bl_active = false;
}

static void backlog_append(const char *p, size_t len) {
    if (!bl_active) return;
    const char *src = p;
    size_t n = len;
    if ((long long)n > bl.size) { /* only the tail fits */
        src += n - (size_t)bl.size;
        n = (size_t)bl.size;
    }
    while (n > 0) {
        size_t room = (size_t)(bl.size - bl.idx);
        size_t k = n < room ? n : room;
        memcpy(bl.buf + bl.idx, src, k);
        bl.idx = (bl.idx + (long long)k) % bl.size;
        src += k;
        n -= k;
    }
    bl.histlen += (long long)len;
    if (bl.histlen > bl.size) bl.histlen = bl.size;
    bl.offset = repl.master_repl_offset + (long long)len - bl.histlen + 1;
}

/* Copy the backlog from replication offset `from` (inside it) to b. */
static void backlog_copy_from(long long from, Buf *b) {
    long long skip = from - bl.offset;
    long long n = bl.histlen - skip;
    long long start = (bl.idx - bl.histlen + skip + 2 * bl.size) % bl.size;
    while (n > 0) {
        long long k = VG_MIN(n, bl.size - start);
        buf_append(b, bl.buf + start, (size_t)k);
        n -= k;
        start = (start + k) % bl.size;
    }
}

/* CONFIG SET repl-backlog-size: Redis keeps the history only when it still fits; a
 * resize here keeps the newest bytes that fit. */
static void backlog_resize_if_needed(void) {
    if (!bl_active || cfg.repl_backlog_size <= 0 || cfg.repl_backlog_size == bl.size) return;
    Buf keep = BUF_INIT;
    long long newsize = cfg.repl_backlog_size;
    long long from = bl.offset + (bl.histlen > newsize ? bl.histlen - newsize : 0);
    backlog_copy_from(from, &keep);
    mem_free(bl.buf);
    bl.size = newsize;
    bl.buf = mem_alloc((size_t)bl.size);
    memcpy(bl.buf, keep.data, keep.len);
    bl.histlen = (long long)keep.len;
    bl.idx = bl.histlen % bl.size;
    bl.offset = repl.master_repl_offset - bl.histlen + 1;
    buf_deinit(&keep);
}

bool repl_feed_active(void) {
    return bl_active && !repl_is_replica();
}

void repl_backlog_reset(void) {
    if (!bl_active) {
        backlog_create();
        return;
    }
    bl.idx = bl.histlen = 0;
    bl.offset = repl.master_repl_offset + 1;
}

/* ---- feeding -------------------------------------------------------------------------- */

static void replica_out(Replica *r, const char *p, size_t len) {
    Client *c = r->c;
    if (c->flags & CLIENT_CLOSE_ASAP) return;
    buf_append(&c->out, p, len);
    client_queue_write(c);
    pubsub_check_output_limit(c);
}

static void feed_bytes(const char *p, size_t len) {
    backlog_append(p, len);
    repl.master_repl_offset += (long long)len;
    for (Replica *r = replicas; r; r = r->next) {
        if (r->state == RS_ONLINE && !r->hold_stream) {
            replica_out(r, p, len);
        } else if (r->state != RS_WAIT_BGSAVE_START) {
            buf_append(&r->pending, p, len);
            /* what piles up for a replica still loading counts against its limit too */
            Client *c = r->c;
            long long used = (long long)(c->out.len - c->out_sent + r->pending.len);
            const long long *lim = cfg.client_obuf_limits[OBUF_CLASS_REPLICA];
            if (!(c->flags & CLIENT_CLOSE_ASAP) && lim[0] > 0 && used >= lim[0]) {
                log_warn("Client id=%llu addr=%s (replica) scheduled to be closed ASAP for "
                         "overcoming of output buffer limits.",
                         (unsigned long long)c->id, c->addr);
                srv.stats.client_obuf_limit_disconnections++;
                client_close_async(c);
            }
        }
    }
}

static void encode_command(Buf *b, const RespArg *argv, int argc) {
    resp_array(b, argc);
    for (int i = 0; i < argc; i++)
        resp_bulk(b, argv[i].ptr, argv[i].len);
}

void repl_feed(int dbid, const RespArg *argv, int argc) {
    if (!repl_feed_active()) return;
    /* one encoding buffer for every command (this runs once per replicated write); a
     * huge command's buffer is not kept */
    static Buf b = BUF_INIT;
    buf_clear(&b);
    if (dbid >= 0 && dbid != seldb) {
        char num[24];
        int n = snprintf(num, sizeof(num), "%d", dbid);
        RespArg sel[2] = {{.ptr = "SELECT", .len = 6}, {.ptr = num, .len = (size_t)n}};
        encode_command(&b, sel, 2);
        seldb = dbid;
    }
    encode_command(&b, argv, argc);
    feed_bytes(b.data, b.len);
    if (b.cap > 64 * 1024) buf_deinit(&b);
}

void repl_feed_raw(const char *buf, size_t len) {
    if (!bl_active) {
        repl.master_repl_offset += (long long)len;
        return;
    }
    feed_bytes(buf, len);
}

/* ---- replicas come and go ------------------------------------------------------------- */

static void replica_free(Replica *r) {
    if (r->bulk_fd >= 0) close(r->bulk_fd);
    buf_deinit(&r->pending);
    mem_free(r);
}

void repl_primary_client_free(Client *c) {
    for (Waiter **pw = &waiters; *pw; pw = &(*pw)->next) {
        if ((*pw)->c == c) {
            Waiter *w = *pw;
            *pw = w->next;
            mem_free(w);
            break;
        }
    }
    if (!(c->flags & CLIENT_REPLICA)) return;
    for (Replica **pr = &replicas; *pr; pr = &(*pr)->next) {
        if ((*pr)->c == c) {
            Replica *r = *pr;
            *pr = r->next;
            log_notice("Connection with replica %s lost.", c->addr);
            replica_free(r);
            nreplicas--;
            break;
        }
    }
    if (nreplicas == 0) no_replicas_since_ms = now_ms();
}

void repl_disconnect_replicas(void) {
    for (Replica *r = replicas; r; r = r->next)
        client_close_async(r->c);
}

static void peer_ip(const Client *c, char *out, size_t outlen) {
    snprintf(out, outlen, "%s", c->addr);
    char *colon = strrchr(out, ':');
    if (colon) *colon = '\0';
}

static const char *replica_ip(const Replica *r, char *tmp, size_t tmplen) {
    if (r->ip[0]) return r->ip;
    peer_ip(r->c, tmp, tmplen);
    return tmp;
}

/* ---- full resync ----------------------------------------------------------------------- */

static void send_fullresync(Replica *r, long long offset) {
    r->psync_offset = offset;
    r->state = RS_WAIT_BGSAVE_END;
    if (r->old_sync) return;
    char line[128];
    int n = snprintf(line, sizeof(line), "+FULLRESYNC %s %lld\r\n", repl.replid, offset);
    replica_out(r, line, (size_t)n);
}

static void fail_waiting_replicas(void) {
    for (Replica *r = replicas; r; r = r->next) {
        if (r->state == RS_WAIT_BGSAVE_END && !(r->c->flags & CLIENT_CLOSE_ASAP)) {
            log_warn("SYNC failed. BGSAVE child returned an error");
            client_close_async(r->c);
        }
    }
}

static void pipe_cb(struct ev_loop *loop, ev_io *w, int revents);

static void finish_diskless(void) {
    for (Replica *r = replicas; r; r = r->next) {
        if (r->state != RS_WAIT_BGSAVE_END || !r->diskless) continue;
        replica_out(r, eof_mark, EOF_MARK_LEN);
        r->state = RS_ONLINE;
        r->diskless = false;
        r->hold_stream = true;
        r->ack_ms = now_ms();
        log_notice("Streamed RDB transfer with replica %s succeeded (socket). Waiting for "
                   "REPLCONF ACK from replica to enable streaming",
                   r->c->addr);
    }
}

/* Fork the child for every replica waiting to start: diskless when configured and every
 * one of them understands the EOF format (Redis's mincapa rule), else to dbfilename. */
static void start_sync_child(void) {
    bool all_eof = true;
    int n = 0;
    for (Replica *r = replicas; r; r = r->next) {
        if (r->state != RS_WAIT_BGSAVE_START) continue;
        n++;
        if (!r->capa_eof) all_eof = false;
    }
    if (n == 0) return;
    bool diskless = cfg.repl_diskless_sync && all_eof;
    int fds[2] = {-1, -1};
    if (diskless && pipe(fds) != 0) {
        log_warn("Can't create the pipe for a diskless sync: %s", strerror(errno));
        return;
    }
    RdbSaveInfo rsi = {.repl_id = repl.replid, .repl_offset = repl.master_repl_offset};
    bgsave_note_sync_child(!diskless); /* to disk it is a real BGSAVE (LASTSAVE...) */
    pid_t pid = child_fork(CHILD_RDB);
    if (pid == 0) {
        bool ok;
        if (diskless) {
            close(fds[0]);
            ok = rdb_save_fd(fds[1], &rsi, true) == 0;
            close(fds[1]);
        } else {
            ok = rdb_save_file(cfg.dbfilename, &rsi, true) == 0;
            if (ok) log_notice("DB saved on disk");
        }
        child_exit(ok);
    }
    if (pid < 0) {
        if (diskless) {
            close(fds[0]);
            close(fds[1]);
        }
        log_warn("Can't start the sync child: %s", strerror(errno));
        bgsave_sync_fork_failed();
        for (Replica *r = replicas; r; r = r->next)
            if (r->state == RS_WAIT_BGSAVE_START) client_close_async(r->c);
        return;
    }
    log_notice("Starting BGSAVE for SYNC with target: %s", diskless ? "replicas sockets" : "disk");
    sync_child_pid = pid;
    sync_child_diskless = diskless;
    seldb = -1; /* the stream after the snapshot starts with a SELECT (Redis's slaveseldb) */
    if (diskless) {
        close(fds[1]);
        pipe_fd = fds[0];
        fcntl(pipe_fd, F_SETFL, fcntl(pipe_fd, F_GETFL) | O_NONBLOCK);
        pipe_eof = child_ok_pending = false;
        util_random_hex(eof_mark, EOF_MARK_LEN);
        eof_mark[EOF_MARK_LEN] = '\0';
        ev_io_init(&pipe_io, pipe_cb, pipe_fd, EV_READ);
        ev_io_start(srv.loop, &pipe_io);
    }
    for (Replica *r = replicas; r; r = r->next) {
        if (r->state != RS_WAIT_BGSAVE_START) continue;
        send_fullresync(r, repl.master_repl_offset);
        r->diskless = diskless;
        if (diskless) {
            char pre[64];
            int k = snprintf(pre, sizeof(pre), "$EOF:%s\r\n", eof_mark);
            replica_out(r, pre, (size_t)k);
        }
    }
}

static bool pipe_should_pause(void) {
    for (Replica *r = replicas; r; r = r->next)
        if (r->diskless && r->state == RS_WAIT_BGSAVE_END &&
            r->c->out.len - r->c->out_sent > PIPE_PAUSE_UNSENT)
            return true;
    return false;
}

static void pipe_close(void) {
    if (pipe_fd < 0) return;
    ev_io_stop(srv.loop, &pipe_io);
    close(pipe_fd);
    pipe_fd = -1;
}

static void pipe_cb(struct ev_loop *loop, ev_io *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(w);
    VG_UNUSED(revents);
    char chunk[BULK_CHUNK];
    for (int i = 0; i < 16; i++) {
        if (pipe_should_pause()) {
            ev_io_stop(srv.loop, &pipe_io); /* before_sleep restarts it */
            return;
        }
        ssize_t n = read(pipe_fd, chunk, sizeof(chunk));
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            log_warn("Diskless sync: reading the child's pipe: %s", strerror(errno));
            n = 0;
        }
        if (n == 0) {
            pipe_close();
            pipe_eof = true;
            if (child_ok_pending) {
                child_ok_pending = false;
                finish_diskless();
            }
            return;
        }
        for (Replica *r = replicas; r; r = r->next)
            if (r->diskless && r->state == RS_WAIT_BGSAVE_END) replica_out(r, chunk, (size_t)n);
    }
}

/* A disk sync's file is ready: each waiting replica starts its transfer. */
static void start_bulk_transfers(void) {
    for (Replica *r = replicas; r; r = r->next) {
        if (r->state != RS_WAIT_BGSAVE_END || r->diskless) continue;
        int fd = open(cfg.dbfilename, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            log_warn("SYNC failed. Can't open/stat DB after BGSAVE: %s", strerror(errno));
            if (fd >= 0) close(fd);
            client_close_async(r->c);
            continue;
        }
        r->bulk_fd = fd;
        r->bulk_left = (long long)st.st_size;
        r->state = RS_SEND_BULK;
        char pre[32];
        int k = snprintf(pre, sizeof(pre), "$%lld\r\n", r->bulk_left);
        replica_out(r, pre, (size_t)k);
    }
}

/* Keep a SEND_BULK replica's output buffer topped up from its file; once the whole file
 * is queued the stream it missed follows and it is online. */
static void refill_bulk(Replica *r) {
    Client *c = r->c;
    char chunk[BULK_CHUNK];
    while (r->bulk_left > 0 && c->out.len - c->out_sent < BULK_AHEAD &&
           !(c->flags & CLIENT_CLOSE_ASAP)) {
        size_t want = (size_t)VG_MIN(r->bulk_left, (long long)sizeof(chunk));
        ssize_t n = read(r->bulk_fd, chunk, want);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            log_warn("Read error sending DB to replica: %s", n < 0 ? strerror(errno) : "EOF");
            client_close_async(c);
            return;
        }
        buf_append(&c->out, chunk, (size_t)n);
        r->bulk_left -= n;
        client_queue_write(c);
    }
    if (r->bulk_left == 0) {
        close(r->bulk_fd);
        r->bulk_fd = -1;
        r->state = RS_ONLINE;
        r->ack_ms = now_ms();
        if (r->pending.len) replica_out(r, r->pending.data, r->pending.len);
        buf_deinit(&r->pending);
        log_notice("Synchronization with replica %s succeeded", c->addr);
    }
}

void repl_primary_replica_wrote(Client *c) {
    Replica *r = replica_of(c);
    if (r && r->state == RS_SEND_BULK && !(c->flags & CLIENT_CLOSE_ASAP)) refill_bulk(r);
}

void repl_primary_rdb_child_done(pid_t pid, bool ok, bool by_signal) {
    VG_UNUSED(by_signal);
    if (pid != sync_child_pid || sync_child_pid == 0) return;
    sync_child_pid = 0;
    if (!ok) {
        pipe_close();
        fail_waiting_replicas();
        return;
    }
    if (sync_child_diskless) {
        log_notice("Background RDB transfer terminated with success");
        if (pipe_eof)
            finish_diskless();
        else
            child_ok_pending = true; /* the pipe still holds its last bytes */
    } else {
        start_bulk_transfers();
    }
}

/* ---- SYNC / PSYNC ---------------------------------------------------------------------- */

static bool try_partial_resync(Client *c, Replica *r, const RespArg *id, long long off) {
    bool id_ok =
        id->len == REPL_ID_LEN &&
        (!strncasecmp(id->ptr, repl.replid, REPL_ID_LEN) ||
         (!strncasecmp(id->ptr, repl.replid2, REPL_ID_LEN) && off <= repl.second_repl_offset));
    if (!id_ok) {
        if (!(id->len == 1 && id->ptr[0] == '?'))
            log_notice("Partial resynchronization not accepted: Replication ID mismatch "
                       "(Replica asked for '%.*s', my replication IDs are '%s' and '%s')",
                       (int)VG_MIN(id->len, 64), id->ptr, repl.replid, repl.replid2);
        else
            log_notice("Full resync requested by replica %s", c->addr);
        return false;
    }
    if (!bl_active || off < bl.offset || off > bl.offset + bl.histlen) {
        log_notice("Unable to partial resync with replica %s for lack of backlog (Replica "
                   "request was: %lld).",
                   c->addr, off);
        return false;
    }
    r->state = RS_ONLINE;
    r->ack_ms = now_ms();
    char line[80];
    int n = r->capa_psync2 ? snprintf(line, sizeof(line), "+CONTINUE %s\r\n", repl.replid)
                           : snprintf(line, sizeof(line), "+CONTINUE\r\n");
    Buf b = BUF_INIT;
    buf_append(&b, line, (size_t)n);
    backlog_copy_from(off, &b);
    replica_out(r, b.data, b.len);
    log_notice("Partial resynchronization request from %s accepted. Sending %lld bytes of "
               "backlog starting from offset %lld.",
               c->addr, (long long)b.len - n, off);
    buf_deinit(&b);
    return true;
}

/* REPLCONF sent before SYNC is remembered on the client in a Replica that is not in the
 * list yet: keep those settings aside until the client becomes a replica. */
typedef struct PreReplica {
    uint64_t client_id;
    long long listening_port;
    char ip[256];
    bool capa_eof, capa_psync2;
    struct PreReplica *next;
} PreReplica;
static PreReplica *prereplicas;

static PreReplica *prereplica_get(Client *c, bool create) {
    for (PreReplica *p = prereplicas; p; p = p->next)
        if (p->client_id == c->id) return p;
    if (!create) return NULL;
    /* forget entries of clients that are gone, so the list cannot grow without bound */
    for (PreReplica **pp = &prereplicas; *pp;) {
        if (!client_by_id((*pp)->client_id)) {
            PreReplica *dead = *pp;
            *pp = dead->next;
            mem_free(dead);
        } else {
            pp = &(*pp)->next;
        }
    }
    PreReplica *p = mem_calloc(sizeof(*p));
    p->client_id = c->id;
    p->next = prereplicas;
    prereplicas = p;
    return p;
}

static void prereplica_take(Client *c, Replica *r) {
    for (PreReplica **pp = &prereplicas; *pp; pp = &(*pp)->next) {
        PreReplica *p = *pp;
        if (p->client_id != c->id) continue;
        r->listening_port = p->listening_port;
        memcpy(r->ip, p->ip, sizeof(r->ip));
        r->capa_eof = p->capa_eof;
        r->capa_psync2 = p->capa_psync2;
        *pp = p->next;
        mem_free(p);
        return;
    }
}

void cmd_sync(Client *c) {
    if (c->flags & CLIENT_REPLICA) return; /* already one: ignore */
    /* PSYNC <replid> <offset> FAILOVER from our own primary (its FAILOVER chose us): take
     * the role first, as REPLICAOF NO ONE, so the PSYNC continues on the shifted history */
    if (c->argc > 3 && arg_is(&c->argv[0], "psync") && arg_is(&c->argv[3], "failover")) {
        log_notice("Failover request received for replid %.*s.", (int)VG_MIN(c->argv[1].len, 64),
                   c->argv[1].ptr);
        if (c->argv[1].len == REPL_ID_LEN && strncasecmp(c->argv[1].ptr, repl.replid,
                                                         REPL_ID_LEN) == 0) {
            repl_replica_unset_master();
            log_notice("MASTER MODE enabled (failover request from 'id=%llu addr=%s')",
                       (unsigned long long)c->id, c->addr);
        } else {
            reply_error(c, "ERR PSYNC FAILOVER replid must match my replid.");
            return;
        }
    }
    if (repl_failover_state() != FAILOVER_NONE) {
        reply_error(c, "NOMASTERLINK Can't SYNC while failing over");
        return;
    }
    if (repl_is_replica() && !repl_replica_link_up()) {
        reply_error(c, "NOMASTERLINK Can't SYNC while not connected with my master");
        return;
    }
    if (c->out.len > c->out_sent) {
        reply_error(c, "ERR SYNC and PSYNC are invalid with pending output");
        return;
    }
    bool is_psync = c->argc >= 3;
    long long off = 0;
    if (is_psync) {
        /* Redis: a PSYNC offset that is not a number just makes it a full resync */
        char tmp[32];
        size_t l = VG_MIN(c->argv[2].len, sizeof(tmp) - 1);
        memcpy(tmp, c->argv[2].ptr, l);
        tmp[l] = '\0';
        char *end;
        off = strtoll(tmp, &end, 10);
        if (*end || l == 0) off = -1;
    }
    Replica *r = mem_calloc(sizeof(*r));
    r->c = c;
    r->bulk_fd = -1;
    buf_init(&r->pending);
    prereplica_take(c, r);
    r->ack_ms = now_ms();
    c->flags |= CLIENT_REPLICA;
    r->next = replicas;
    replicas = r;
    nreplicas++;
    log_notice("Replica %s asks for synchronization", c->addr);

    if (is_psync) {
        if (try_partial_resync(c, r, &c->argv[1], off)) {
            sync_partial_ok++;
            return;
        }
        if (!(c->argv[1].len == 1 && c->argv[1].ptr[0] == '?')) sync_partial_err++;
    } else {
        r->old_sync = true;
    }
    sync_full++;
    r->state = RS_WAIT_BGSAVE_START;
    r->wait_since_ms = r->newline_ms = now_ms();
    if (nreplicas == 1 && !bl_active) {
        /* no valid past history: a new id, as Redis does when it creates the backlog */
        repl_change_replid();
        backlog_create();
        log_notice("Replication backlog created, my new replication IDs are '%s' and '%s'",
                   repl.replid, repl.replid2);
    }
    /* A disk sync already running for other replicas can be shared: this one gets the same
     * snapshot and the stream fed since its fork. */
    if (sync_child_pid && !sync_child_diskless && child_active()) {
        for (Replica *o = replicas; o; o = o->next) {
            if (o == r || o->state != RS_WAIT_BGSAVE_END || o->diskless) continue;
            send_fullresync(r, o->psync_offset);
            buf_append(&r->pending, o->pending.data, o->pending.len);
            log_notice("Waiting for end of BGSAVE for SYNC");
            return;
        }
    }
    if (!child_active() &&
        !(cfg.repl_diskless_sync && r->capa_eof && cfg.repl_diskless_sync_delay > 0))
        start_sync_child();
}

/* ---- REPLCONF --------------------------------------------------------------------------- */

void cmd_replconf(Client *c) {
    if (c->argc % 2 == 0) {
        reply_syntax_error(c);
        return;
    }
    Replica *r = replica_of(c);
    for (int j = 1; j < c->argc; j += 2) {
        const RespArg *opt = &c->argv[j], *val = &c->argv[j + 1];
        if (arg_is(opt, "listening-port")) {
            long long port;
            if (arg_to_ll_or_reply(c, val, &port, NULL) != 0) return;
            if (r)
                r->listening_port = port;
            else
                prereplica_get(c, true)->listening_port = port;
        } else if (arg_is(opt, "ip-address")) {
            if (val->len >= 256) { /* Redis's NET_HOST_STR_LEN */
                reply_error_fmt(c,
                                "ERR REPLCONF ip-address provided by replica instance is "
                                "too long: %zu bytes",
                                val->len);
                return;
            }
            char *dst = r ? r->ip : prereplica_get(c, true)->ip;
            memcpy(dst, val->ptr, val->len);
            dst[val->len] = '\0';
        } else if (arg_is(opt, "capa")) {
            bool eof = arg_is(val, "eof"), psync2 = arg_is(val, "psync2");
            if (r) {
                r->capa_eof |= eof;
                r->capa_psync2 |= psync2;
            } else if (eof || psync2) {
                PreReplica *p = prereplica_get(c, true);
                p->capa_eof |= eof;
                p->capa_psync2 |= psync2;
            }
        } else if (arg_is(opt, "ack")) {
            /* a replica's offset: no reply, ever */
            if (!r) return;
            char tmp[32];
            size_t l = VG_MIN(val->len, sizeof(tmp) - 1);
            memcpy(tmp, val->ptr, l);
            tmp[l] = '\0';
            char *end;
            long long off = strtoll(tmp, &end, 10);
            if (l == 0 || *end) return;
            if (off > r->ack_off) r->ack_off = off;
            r->ack_ms = now_ms();
            if (r->hold_stream) {
                r->hold_stream = false;
                if (r->pending.len) replica_out(r, r->pending.data, r->pending.len);
                buf_deinit(&r->pending);
                log_notice("Synchronization with replica %s succeeded", c->addr);
            }
            return;
        } else if (arg_is(opt, "getack")) {
            return; /* answered by a replica to its primary (repl_replica.c) */
        } else if (arg_is(opt, "rdb-only")) {
            long long v;
            if (arg_to_ll_or_reply(c, val, &v, NULL) != 0) return;
            if (v != 0 && v != 1) {
                reply_error(c, "ERR value is out of range, value must between 0 and 1");
                return;
            }
        } else {
            reply_error_fmt(c, "ERR Unrecognized REPLCONF option: %.*s", (int)VG_MIN(opt->len, 128),
                            opt->ptr);
            return;
        }
    }
    reply_ok(c);
}

/* ---- WAIT -------------------------------------------------------------------------------- */

static long long count_acks(long long offset) {
    long long n = 0;
    for (Replica *r = replicas; r; r = r->next)
        if (r->state == RS_ONLINE && r->ack_off >= offset) n++;
    return n;
}

void cmd_wait(Client *c) {
    if (repl_is_replica()) {
        reply_error(c, "ERR WAIT cannot be used with replica instances. Please also note that "
                       "since Redis 4.0 if a replica is configured to be writable (which is "
                       "not the default) writes to replicas are just local and are not "
                       "propagated.");
        return;
    }
    long long numreplicas, timeout;
    if (arg_to_ll_or_reply(c, &c->argv[1], &numreplicas, NULL) != 0) return;
    if (arg_to_ll_or_reply(c, &c->argv[2], &timeout,
                           "ERR timeout is not an integer or out of "
                           "range") != 0)
        return;
    if (timeout < 0) {
        reply_error(c, "ERR timeout is negative");
        return;
    }
    long long acks = count_acks(c->woff);
    if (acks >= numreplicas || !blocked_can_block(c)) {
        reply_int(c, acks);
        return;
    }
    Waiter *w = mem_calloc(sizeof(*w));
    w->c = c;
    w->target = c->woff;
    w->numreplicas = numreplicas;
    w->deadline_ms = timeout > 0 ? now_ms() + timeout : 0;
    w->next = waiters;
    waiters = w;
    c->flags |= CLIENT_BLOCKED;
    get_ack_pending = true;
}

static void serve_waiters(bool timeouts) {
    int64_t now = now_ms();
    for (Waiter **pw = &waiters; *pw;) {
        Waiter *w = *pw;
        long long acks = count_acks(w->target);
        bool done = acks >= w->numreplicas || (timeouts && w->deadline_ms && now >= w->deadline_ms);
        if (!done) {
            pw = &w->next;
            continue;
        }
        *pw = w->next;
        Client *c = w->c;
        mem_free(w);
        c->flags &= ~(uint32_t)CLIENT_BLOCKED;
        reply_int(c, acks);
        client_queue_write(c);
        client_resume_input(c);
    }
}

bool repl_primary_unblock_waiter(Client *c, int how) {
    for (Waiter **pw = &waiters; *pw; pw = &(*pw)->next) {
        Waiter *w = *pw;
        if (w->c != c) continue;
        *pw = w->next;
        long long target = w->target;
        mem_free(w);
        c->flags &= ~(uint32_t)CLIENT_BLOCKED;
        if (how == UNBLOCK_ERROR)
            reply_error(c, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
        else
            reply_int(c, count_acks(target));
        client_queue_write(c);
        client_resume_input(c);
        return true;
    }
    return false;
}

void repl_primary_drop_waiter(Client *c) {
    for (Waiter **pw = &waiters; *pw; pw = &(*pw)->next) {
        if ((*pw)->c != c) continue;
        Waiter *w = *pw;
        *pw = w->next;
        mem_free(w);
        return;
    }
}

long long repl_primary_wait_timeouts(void) {
    long long n = 0;
    for (Waiter *w = waiters; w; w = w->next)
        if (w->deadline_ms) n++;
    return n;
}

void repl_primary_sync_stats(long long *full, long long *partial_ok, long long *partial_err) {
    *full = sync_full;
    *partial_ok = sync_partial_ok;
    *partial_err = sync_partial_err;
}

/* ---- FAILOVER's questions --------------------------------------------------------------- */

int repl_primary_replica_count(void) {
    return nreplicas;
}

bool repl_primary_find_replica(const char *host, long long port, bool *online,
                               long long *ack_off) {
    for (Replica *r = replicas; r; r = r->next) {
        char tmp[NET_ADDR_LEN];
        if (strcasecmp(host, replica_ip(r, tmp, sizeof(tmp))) != 0 || r->listening_port != port)
            continue;
        *online = r->state == RS_ONLINE;
        *ack_off = r->ack_off;
        return true;
    }
    return false;
}

bool repl_primary_synced_replica(char *host, size_t cap, long long *port) {
    /* the oldest first, as Redis walks its list */
    Replica *found = NULL;
    for (Replica *r = replicas; r; r = r->next)
        if (r->ack_off == repl.master_repl_offset && !(r->c->flags & CLIENT_CLOSE_ASAP))
            found = r;
    if (!found) return false;
    char tmp[NET_ADDR_LEN];
    snprintf(host, cap, "%s", replica_ip(found, tmp, sizeof(tmp)));
    *port = found->listening_port;
    return true;
}

/* ---- INFO, ROLE ---------------------------------------------------------------------------- */

long long repl_good_replicas(void) {
    int64_t now_s = now_ms() / 1000;
    long long n = 0;
    for (Replica *r = replicas; r; r = r->next)
        if (r->state == RS_ONLINE && now_s - r->ack_ms / 1000 <= cfg.min_replicas_max_lag) n++;
    return n;
}

static const char *state_name(int st) {
    switch (st) {
    case RS_WAIT_BGSAVE_START:
    case RS_WAIT_BGSAVE_END: return "wait_bgsave";
    case RS_SEND_BULK: return "send_bulk";
    default: return "online";
    }
}

void repl_primary_info(Buf *out) {
    buf_printf(out, "connected_slaves:%d\r\n", nreplicas);
    if (cfg.min_replicas_to_write > 0 && cfg.min_replicas_max_lag > 0)
        buf_printf(out, "min_slaves_good_slaves:%lld\r\n", repl_good_replicas());
    /* in the order they attached, as Redis's list (ours is newest first) */
    Replica *order[256];
    int n = 0;
    for (Replica *r = replicas; r && n < 256; r = r->next)
        order[n++] = r;
    int64_t now_s = now_ms() / 1000;
    for (int i = n - 1, id = 0; i >= 0; i--, id++) {
        Replica *r = order[i];
        char tmp[NET_ADDR_LEN];
        buf_printf(out, "slave%d:ip=%s,port=%lld,state=%s,offset=%lld,lag=%lld\r\n", id,
                   replica_ip(r, tmp, sizeof(tmp)), r->listening_port, state_name(r->state),
                   r->ack_off, (long long)(now_s - r->ack_ms / 1000));
    }
}

void repl_backlog_info(Buf *out) {
    buf_printf(out,
               "repl_backlog_active:%d\r\nrepl_backlog_size:%lld\r\n"
               "repl_backlog_first_byte_offset:%lld\r\nrepl_backlog_histlen:%lld\r\n",
               bl_active ? 1 : 0, cfg.repl_backlog_size, bl_active ? bl.offset : 0,
               bl_active ? bl.histlen : 0);
}

void repl_primary_reply_role(Client *c) {
    reply_array(c, 3);
    reply_bulk_cstr(c, "master");
    reply_int(c, repl.master_repl_offset);
    Replica *order[256];
    int n = 0;
    for (Replica *r = replicas; r && n < 256; r = r->next)
        if (r->state == RS_ONLINE) order[n++] = r;
    reply_array(c, n);
    for (int i = n - 1; i >= 0; i--) {
        Replica *r = order[i];
        char tmp[NET_ADDR_LEN];
        reply_array(c, 3);
        reply_bulk_cstr(c, replica_ip(r, tmp, sizeof(tmp)));
        reply_bulk_ll(c, r->listening_port);
        reply_bulk_ll(c, r->ack_off);
    }
}

/* ---- timers ---------------------------------------------------------------------------------- */

void repl_primary_cron(void) {
    int64_t now = now_ms();
    backlog_resize_if_needed();
    repl_failover_update();
    /* no PING while FAILOVER waits: it would move the offset the target must reach */
    if (!repl_is_replica() && nreplicas > 0 && cfg.repl_ping_replica_period > 0 &&
        !srv.failover_pause &&
        now - last_ping_ms >= cfg.repl_ping_replica_period * 1000) {
        last_ping_ms = now;
        RespArg ping = {.ptr = "PING", .len = 4};
        repl_feed(-1, &ping, 1);
    }
    for (Replica *r = replicas; r; r = r->next) {
        Client *c = r->c;
        if (c->flags & CLIENT_CLOSE_ASAP) continue;
        if (r->state == RS_ONLINE && cfg.repl_timeout > 0 &&
            now - r->ack_ms > cfg.repl_timeout * 1000) {
            log_warn("Disconnecting timedout replica (streaming sync): %s", c->addr);
            client_close_async(c);
            continue;
        }
        /* a replica waiting for its RDB gets newlines so its link does not time out */
        if ((r->state == RS_WAIT_BGSAVE_START ||
             (r->state == RS_WAIT_BGSAVE_END && !r->diskless)) &&
            c->out.len == c->out_sent && now - r->newline_ms >= 1000) {
            r->newline_ms = now;
            ssize_t w = write(c->fd, "\n", 1);
            VG_UNUSED(w);
        }
    }
    /* start a pending sync when no child runs (diskless: after the delay or when enough
     * replicas wait) */
    if (!child_active()) {
        int waiting = 0;
        int64_t longest = 0;
        bool all_eof = true;
        for (Replica *r = replicas; r; r = r->next) {
            if (r->state != RS_WAIT_BGSAVE_START || (r->c->flags & CLIENT_CLOSE_ASAP)) continue;
            waiting++;
            longest = VG_MAX(longest, now - r->wait_since_ms);
            if (!r->capa_eof) all_eof = false;
        }
        if (waiting) {
            bool wait_more = cfg.repl_diskless_sync && all_eof &&
                             longest < cfg.repl_diskless_sync_delay * 1000 &&
                             !(cfg.repl_diskless_sync_max_replicas > 0 &&
                               waiting >= cfg.repl_diskless_sync_max_replicas);
            if (!wait_more) start_sync_child();
        }
    }
    /* the clock starts at start-up, when the last replica leaves, and at promotion */
    if (no_replicas_since_ms == 0) no_replicas_since_ms = now;
    if (bl_active && nreplicas == 0 && cfg.repl_backlog_ttl > 0 && !repl_is_replica() &&
        now - no_replicas_since_ms >= cfg.repl_backlog_ttl * 1000) {
        repl_change_replid();
        backlog_free();
        log_notice("Replication backlog freed after %lld seconds without connected replicas.",
                   cfg.repl_backlog_ttl);
    }
    serve_waiters(true);
}

void repl_primary_no_replicas_since_now(void) {
    no_replicas_since_ms = now_ms();
}

void repl_primary_before_sleep(void) {
    for (Replica *r = replicas; r; r = r->next)
        if (r->state == RS_SEND_BULK && !(r->c->flags & CLIENT_CLOSE_ASAP)) refill_bulk(r);
    if (pipe_fd >= 0 && !ev_is_active(&pipe_io) && !pipe_should_pause())
        ev_io_start(srv.loop, &pipe_io);
    repl_failover_update();
    /* Not while writes are paused (Redis 7.0): GETACK moves the offset, which a paused
     * primary keeps still (FAILOVER waits for a replica to reach it); sent after the pause. */
    if (get_ack_pending && waiters && !dispatch_writes_paused()) {
        RespArg getack[3] = {
            {.ptr = "REPLCONF", .len = 8}, {.ptr = "GETACK", .len = 6}, {.ptr = "*", .len = 1}};
        repl_feed(-1, getack, 3);
        get_ack_pending = false;
    }
    if (!waiters) get_ack_pending = false;
    if (waiters) serve_waiters(false);
}
