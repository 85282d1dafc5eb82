/* repl_replica.c - a replica's side of replication (see replication.h).
 *
 * The link to the primary is an asynchronous state machine on the event loop, with Redis
 * 7.0's states (ROLE shows their names):
 *
 *   NONE (a primary)
 *   CONNECT ----cron / REPLICAOF----> CONNECTING --writable--> send PING
 *   RECV_PING --reply--> send [AUTH] REPLCONF listening-port [ip-address] capa (pipelined)
 *   RECV_AUTH -> RECV_PORT -> RECV_IP -> RECV_CAPA --> send PSYNC <id> <off+1> | ? -1
 *   RECV_PSYNC --+FULLRESYNC id off--> TRANSFER ("$len" or "$EOF:<mark>", into a temp file)
 *              --+CONTINUE [id]-----> CONNECTED (the cached primary is resurrected)
 *              ---NOMASTERLINK / -LOADING / error--> CONNECT (the cron retries)
 *   TRANSFER --payload complete--> load it, CONNECTED
 *
 * Once CONNECTED the socket belongs to a Client flagged CLIENT_PRIMARY (networking.c reads
 * it): its commands run through dispatch, their replies are dropped, and after each one
 * repl_replica_applied() moves the applied offset and proxies the exact bytes to this
 * instance's own replicas (repl_feed_raw; a MULTI ... EXEC block only once EXEC ran, as
 * Redis's replicationFeedStreamFromMasterStream). When that client goes away its id and
 * offset are kept (the cached primary) so that the next PSYNC can continue.
 *
 * Lines of the handshake are read asynchronously into `in`; bytes read past a line belong
 * to what follows (payload or stream) and are handed on, never dropped. */
#define _GNU_SOURCE /* memfd_create */
#include "server/replication.h"

#include "common/buf.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/net.h"
#include "common/sdnotify.h"
#include "common/vg.h"
#include "server/aof.h"
#include "server/blocked.h"
#include "server/client.h"
#include "server/db.h"
#include "server/networking.h"
#include "server/persist.h"
#include "server/rdb.h"
#include "server/repl_primary.h"
#include "server/reply.h"
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define EOF_MARK_LEN   40
#define IO_CHUNK       (16 * 1024)
#define MAX_LINE       4096
#define ACK_PERIOD_MS  1000

enum {
    RS_NONE,
    RS_CONNECT,
    RS_CONNECTING,
    RS_RECV_PING,
    RS_RECV_AUTH,
    RS_RECV_PORT,
    RS_RECV_IP,
    RS_RECV_CAPA,
    RS_RECV_PSYNC,
    RS_TRANSFER,
    RS_CONNECTED,
};

static struct {
    int state;
    int fd;              /* the socket until the primary client owns it; -1 */
    ev_io io;
    Buf in;              /* handshake bytes read but not consumed */
    int64_t last_io_ms;  /* handshake / transfer: last byte read (repl_transfer_lastio) */
    int64_t down_since_s; /* 0: never up */
    /* the primary, once connected */
    Client *master;
    long long reploff;      /* applied offset of the primary's stream */
    int64_t last_read_ms;   /* last byte from the primary (master_last_io_seconds_ago) */
    int64_t last_ack_ms;
    Buf multi_bytes;        /* the bytes of a MULTI block, fed once EXEC has run */
    /* the cached primary, for PSYNC */
    bool cached;
    char cached_replid[REPL_ID_LEN + 1];
    long long cached_off;
    int cached_db;
    /* full sync */
    char master_replid[REPL_ID_LEN + 1];
    long long initial_offset;
    int tmp_fd;
    char tmp_path[64];      /* "" when the payload goes to memory (tmp_fd a memfd) */
    bool to_memory;         /* repl-diskless-load: the payload never touches the disk */
    bool got_header;        /* the "$..." line was read */
    bool use_mark;
    char eofmark[EOF_MARK_LEN];
    char lastbytes[EOF_MARK_LEN];
    long long transfer_size; /* -1 with an EOF mark */
    long long transfer_read;
    bool loading;
} rs = {.fd = -1, .tmp_fd = -1};

static void link_io_cb(struct ev_loop *loop, ev_io *w, int revents);

/* ---------------------------------------------------------------- helpers */

static bool is_handshake(void) {
    return rs.state >= RS_RECV_PING && rs.state <= RS_RECV_PSYNC;
}

static void watch(int events) {
    if (ev_is_active(&rs.io)) ev_io_stop(srv.loop, &rs.io);
    if (rs.fd < 0) return;
    ev_io_init(&rs.io, link_io_cb, rs.fd, events);
    ev_io_start(srv.loop, &rs.io);
}

static void discard_cached(void) {
    rs.cached = false;
}

static void cache_myself(void) {
    memcpy(rs.cached_replid, repl.replid, sizeof(rs.cached_replid));
    rs.cached_off = repl.master_repl_offset;
    rs.cached_db = 0;
    rs.cached = true;
}

/* Abort a handshake or transfer in progress: the socket closes, a partial temp file goes;
 * the cron reconnects (state CONNECT). */
static void cancel_handshake(void) {
    bool had_link = rs.fd >= 0 || rs.state == RS_TRANSFER;
    if (ev_is_active(&rs.io)) ev_io_stop(srv.loop, &rs.io);
    if (rs.fd >= 0) close(rs.fd);
    rs.fd = -1;
    if (rs.tmp_fd >= 0) {
        close(rs.tmp_fd);
        if (rs.tmp_path[0]) unlink(rs.tmp_path);
        rs.tmp_fd = -1;
    }
    buf_clear(&rs.in);
    if (rs.state != RS_NONE && rs.state != RS_CONNECTED) rs.state = RS_CONNECT;
    /* the target of a FAILOVER could not be reached: a primary again (last: it re-enters
     * this through unset_master, with nothing left to cancel) */
    if (had_link && repl_failover_state() == FAILOVER_IN_PROGRESS)
        repl_failover_abort("Failover target handshake failed");
}

/* Small handshake writes: a fresh socket's buffer always takes them whole (Redis writes
 * them synchronously too); a short write fails the link. */
static bool send_all(const char *p, size_t len) {
    for (int tries = 0; len > 0 && tries < 100; tries++) {
        ssize_t w = write(rs.fd, p, len);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return false;
        }
        p += w;
        len -= (size_t)w;
    }
    return len == 0;
}

static void append_cmd(Buf *b, int argc, const char **argv) {
    buf_printf(b, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) buf_printf(b, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
}

/* One line ("\r\n" or "\n" ended) from `in` into line (NUL-terminated, without the end);
 * false when none is complete. */
static bool take_line(char *line, size_t cap) {
    char *nl = memchr(rs.in.data, '\n', rs.in.len);
    if (!nl) return false;
    size_t n = (size_t)(nl - rs.in.data);
    size_t keep = n;
    if (keep > 0 && rs.in.data[keep - 1] == '\r') keep--;
    if (keep >= cap) keep = cap - 1;
    memcpy(line, rs.in.data, keep);
    line[keep] = '\0';
    buf_consume(&rs.in, n + 1);
    return true;
}

/* ---------------------------------------------------------------- connecting */

static void connect_to_master(void) {
    int fd = net_connect_tcp(cfg.replicaof_host, (int)cfg.replicaof_port);
    if (fd < 0) {
        log_warn("Unable to connect to MASTER: %s", strerror(-fd));
        rs.state = RS_CONNECT;
        if (repl_failover_state() == FAILOVER_IN_PROGRESS)
            repl_failover_abort("Failover target handshake failed");
        return;
    }
    rs.fd = fd;
    rs.state = RS_CONNECTING;
    rs.last_io_ms = server_now_ms();
    buf_clear(&rs.in);
    watch(EV_WRITE);
    log_notice("MASTER <-> REPLICA sync started");
}

static void send_handshake(void) {
    Buf b;
    buf_init(&b);
    if (cfg.masterauth) {
        if (cfg.masteruser) {
            const char *a[] = {"AUTH", cfg.masteruser, cfg.masterauth};
            append_cmd(&b, 3, a);
        } else {
            const char *a[] = {"AUTH", cfg.masterauth};
            append_cmd(&b, 2, a);
        }
    }
    char port[24];
    snprintf(port, sizeof(port), "%lld",
             cfg.replica_announce_port ? cfg.replica_announce_port : cfg.port);
    const char *p[] = {"REPLCONF", "listening-port", port};
    append_cmd(&b, 3, p);
    if (cfg.replica_announce_ip) {
        const char *ip[] = {"REPLCONF", "ip-address", cfg.replica_announce_ip};
        append_cmd(&b, 3, ip);
    }
    const char *capa[] = {"REPLCONF", "capa", "eof", "capa", "psync2"};
    append_cmd(&b, 5, capa);
    bool ok = send_all(b.data, b.len);
    buf_deinit(&b);
    if (!ok) {
        log_warn("Error writing the handshake to MASTER: %s", strerror(errno));
        cancel_handshake();
        return;
    }
    rs.state = cfg.masterauth ? RS_RECV_AUTH : RS_RECV_PORT;
}

static void send_psync(void) {
    char off[24];
    const char *a[4] = {"PSYNC", "?", "-1", "FAILOVER"};
    if (rs.cached) {
        snprintf(off, sizeof(off), "%lld", rs.cached_off + 1);
        a[1] = rs.cached_replid;
        a[2] = off;
        log_notice("Trying a partial resynchronization (request %s:%s).", a[1], off);
    } else {
        log_notice("Partial resynchronization not possible (no cached master)");
    }
    Buf b;
    buf_init(&b);
    /* a primary handing its role over tells the target to take it (Redis 7.0's failover) */
    append_cmd(&b, repl_failover_state() == FAILOVER_IN_PROGRESS ? 4 : 3, a);
    bool ok = send_all(b.data, b.len);
    buf_deinit(&b);
    if (!ok) {
        log_warn("Error writing PSYNC to MASTER: %s", strerror(errno));
        cancel_handshake();
        return;
    }
    rs.state = RS_RECV_PSYNC;
}

/* ---------------------------------------------------------------- connected */

/* The socket becomes the primary client: from here networking.c reads it. `off` is the
 * applied offset the stream continues from, `dbid` the db it last selected. */
static void create_master_client(long long off, int dbid) {
    if (ev_is_active(&rs.io)) ev_io_stop(srv.loop, &rs.io);
    int fd = rs.fd;
    rs.fd = -1;
    Client *c = client_new(fd, CLIENT_PRIMARY);
    c->authenticated = true; /* the primary's commands are never refused for AUTH */
    c->req.authenticated = true;
    c->req.max_bulk_len = cfg.proto_max_bulk_len;
    c->db = &srv.dbs[dbid >= 0 && dbid < srv.ndbs ? dbid : 0];
    rs.master = c;
    rs.reploff = off;
    rs.last_read_ms = rs.last_ack_ms = server_now_ms();
    buf_clear(&rs.multi_bytes);
    rs.state = RS_CONNECTED;
    rs.down_since_s = 0;
    discard_cached();
    /* what arrived with the last line is the stream's beginning */
    if (rs.in.len) {
        resp_reader_feed(&c->req, rs.in.data, rs.in.len);
        buf_clear(&rs.in);
        client_resume_input(c);
    }
}

static void send_ack(Client *c) {
    char off[24];
    snprintf(off, sizeof(off), "%lld", rs.reploff);
    const char *a[] = {"REPLCONF", "ACK", off};
    append_cmd(&c->out, 3, a);
    client_queue_write(c);
}

bool repl_replica_intercept(Client *c) {
    if (c->argc < 2 || c->argv[0].len != 8 || strncasecmp(c->argv[0].ptr, "replconf", 8) != 0 ||
        c->argv[1].len != 6 || strncasecmp(c->argv[1].ptr, "getack", 6) != 0)
        return false;
    send_ack(c); /* the offset before this command, as Redis's replicationSendAck */
    return true;
}

void repl_replica_applied(Client *c, const char *raw, size_t len) {
    if (c != rs.master) return;
    if (c->flags & CLIENT_MULTI) {
        buf_append(&rs.multi_bytes, raw, len);
        return;
    }
    if (rs.multi_bytes.len) {
        buf_append(&rs.multi_bytes, raw, len);
        rs.reploff += (long long)rs.multi_bytes.len;
        repl_feed_raw(rs.multi_bytes.data, rs.multi_bytes.len);
        buf_clear(&rs.multi_bytes);
        return;
    }
    rs.reploff += (long long)len;
    repl_feed_raw(raw, len);
}

void repl_replica_on_read(Client *c) {
    if (c == rs.master) rs.last_read_ms = server_now_ms();
}

/* networking.c, as the primary client is freed: keep its id and offset for PSYNC (Redis's
 * replicationCacheMaster); a half-received MULTI block is dropped with it. */
void repl_replica_primary_freed(Client *c) {
    if (c != rs.master) return;
    log_notice("Connection with master lost.");
    log_notice("Caching the disconnected master state.");
    memcpy(rs.cached_replid, repl.replid, sizeof(rs.cached_replid));
    rs.cached_off = rs.reploff;
    rs.cached_db = c->db ? c->db->id : 0;
    rs.cached = true;
    rs.master = NULL;
    buf_clear(&rs.multi_bytes);
    if (rs.state == RS_CONNECTED) {
        rs.state = repl_is_replica() ? RS_CONNECT : RS_NONE;
        rs.down_since_s = server_now_ms() / 1000;
    }
}

/* ---------------------------------------------------------------- full sync */

static void zero_replid2(void) {
    memset(repl.replid2, '0', REPL_ID_LEN);
    repl.replid2[REPL_ID_LEN] = '\0';
    repl.second_repl_offset = -1;
}

/* repl-diskless-load swapdb: the dataset is moved aside while the payload loads, and
 * comes back if the load fails (Redis's disklessLoadInitTempDb / restore). */
static Db *backup_dataset(void) {
    Db *backup = mem_alloc(sizeof(Db) * (size_t)srv.ndbs);
    for (int i = 0; i < srv.ndbs; i++) {
        db_init(&backup[i], i);
        Db tmp = backup[i]; /* by value, as db_swap, but no db of the server is signalled */
        backup[i] = srv.dbs[i];
        srv.dbs[i] = tmp;
    }
    return backup;
}

static void drop_backup(Db *backup, bool restore) {
    for (int i = 0; i < srv.ndbs; i++) {
        if (restore) {
            db_flush(&srv.dbs[i]);
            Db tmp = srv.dbs[i];
            srv.dbs[i] = backup[i];
            backup[i] = tmp;
        }
        db_flush(&backup[i]);
        db_deinit(&backup[i]);
    }
    mem_free(backup);
}

/* Redis's useDisklessLoad(): swapdb always, on-empty-db when no db holds a key. */
static bool use_diskless_load(void) {
    if (cfg.repl_diskless_load == REPL_DISKLESS_LOAD_SWAPDB) return true;
    if (cfg.repl_diskless_load != REPL_DISKLESS_LOAD_ON_EMPTY_DB) return false;
    for (int i = 0; i < srv.ndbs; i++)
        if (db_size(&srv.dbs[i]) > 0) return false;
    return true;
}

/* The payload is complete: replace the dataset with it (Redis 7.0's load: stop the AOF,
 * drop the replicas, empty the dbs (swapdb: set them aside), load, adopt the primary's id
 * and offset, restart the AOF so it holds the new dataset). From disk the file is renamed
 * over dbfilename first; with repl-diskless-load the payload was kept in memory (a memfd,
 * so the transfer stays asynchronous) and no file is written. */
static void finish_full_sync(void) {
    if (ev_is_active(&rs.io)) ev_io_stop(srv.loop, &rs.io);
    bool mem = rs.to_memory;
    int fd = -1;
    if (mem) {
        fd = rs.tmp_fd; /* ours now: cancel_handshake must not close it */
        rs.tmp_fd = -1;
        lseek(fd, 0, SEEK_SET);
    } else {
        if (fsync(rs.tmp_fd) != 0)
            log_warn("Failed trying to sync the temp DB to disk: %s", strerror(errno));
        close(rs.tmp_fd);
        rs.tmp_fd = -1;
    }
    bool aof_was_on = ps.aof_state != AOF_OFF;
    if (aof_was_on) aof_apply_enabled(false);
    repl_disconnect_replicas();
    discard_cached();
    Db *backup = NULL;
    if (mem && cfg.repl_diskless_load == REPL_DISKLESS_LOAD_SWAPDB) {
        log_notice("MASTER <-> REPLICA sync: Backing up the current dataset (swapdb)");
        backup = backup_dataset();
    } else {
        log_notice("MASTER <-> REPLICA sync: Flushing old data");
        for (int i = 0; i < srv.ndbs; i++) db_flush(&srv.dbs[i]);
    }
    if (!mem && rename(rs.tmp_path, cfg.dbfilename) != 0) {
        log_warn("Failed trying to rename the temp DB into %s in MASTER <-> REPLICA "
                 "synchronization: %s",
                 cfg.dbfilename, strerror(errno));
        unlink(rs.tmp_path);
        cancel_handshake();
        if (aof_was_on) aof_apply_enabled(true);
        return;
    }
    log_notice("MASTER <-> REPLICA sync: Loading DB in memory");
    RdbLoadInfo info;
    memset(&info, 0, sizeof(info));
    char err[512];
    err[0] = '\0';
    int rc = RDB_LOAD_FAILED;
    if (!mem) fd = open(cfg.dbfilename, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        rs.loading = true;
        /* rdb_load_fd keeps keys whose TTL passed: a replica waits for the primary's DEL */
        rc = rdb_load_fd(fd, mem ? "the MASTER's payload" : cfg.dbfilename, &info, NULL, err,
                         sizeof(err));
        rs.loading = false;
        close(fd);
    } else {
        snprintf(err, sizeof(err), "%s", strerror(errno));
    }
    if (rc != RDB_LOAD_OK || rs.state != RS_TRANSFER) {
        log_warn("Failed trying to load the MASTER synchronization DB from %s: %s",
                 mem ? "socket" : "disk", err);
        for (int i = 0; i < srv.ndbs; i++) db_flush(&srv.dbs[i]);
        if (backup) {
            log_notice("MASTER <-> REPLICA sync: Restoring the backup of the old dataset");
            drop_backup(backup, true);
        }
        cancel_handshake();
        if (aof_was_on) aof_apply_enabled(true);
        return;
    }
    if (backup) {
        log_notice("MASTER <-> REPLICA sync: Discarding the old dataset");
        drop_backup(backup, false);
    }
    memcpy(repl.replid, rs.master_replid, sizeof(repl.replid));
    repl.master_repl_offset = rs.initial_offset;
    zero_replid2();
    repl_backlog_reset();
    create_master_client(rs.initial_offset, 0);
    /* A diskless primary starts the stream on the first ACK (so that the stream's bytes can
     * never be mistaken for the payload's): send it now, not on the next cron second. */
    if (rs.use_mark && rs.master) send_ack(rs.master);
    log_notice("MASTER <-> REPLICA sync: Finished with success");
    sdnotify_status("MASTER <-> REPLICA sync: Finished with success. Ready to accept "
                    "connections in %s mode.",
                    cfg.replica_read_only ? "read-only" : "read-write");
    if (aof_was_on || cfg.appendonly) {
        log_notice("MASTER <-> REPLICA sync: Starting AOF rewrite after the sync");
        const char *e = aof_apply_enabled(true);
        if (e) log_warn("%s", e);
    }
}

static void transfer_bytes(const char *p, size_t n) {
    if (n == 0) return;
    if (write(rs.tmp_fd, p, n) != (ssize_t)n) {
        log_warn("Write error or short write writing to the DB dump file needed for MASTER <-> "
                 "REPLICA synchronization: %s",
                 strerror(errno));
        cancel_handshake();
        return;
    }
    rs.transfer_read += (long long)n;
    if (rs.use_mark) {
        /* keep the last EOF_MARK_LEN bytes seen to spot the mark */
        if (n >= EOF_MARK_LEN) {
            memcpy(rs.lastbytes, p + n - EOF_MARK_LEN, EOF_MARK_LEN);
        } else {
            memmove(rs.lastbytes, rs.lastbytes + n, EOF_MARK_LEN - n);
            memcpy(rs.lastbytes + EOF_MARK_LEN - n, p, n);
        }
    }
}

static bool transfer_done(void) {
    if (rs.use_mark)
        return rs.transfer_read >= EOF_MARK_LEN &&
               memcmp(rs.lastbytes, rs.eofmark, EOF_MARK_LEN) == 0;
    return rs.transfer_read >= rs.transfer_size;
}

/* Bytes of the payload buffered in `in` (read with the header line). */
static void transfer_from_in(void) {
    size_t n = rs.in.len;
    if (!rs.use_mark && (long long)n > rs.transfer_size - rs.transfer_read)
        n = (size_t)(rs.transfer_size - rs.transfer_read);
    transfer_bytes(rs.in.data, n);
    if (rs.state == RS_TRANSFER) buf_consume(&rs.in, n);
}

static void transfer_header(const char *line) {
    if (line[0] == '-') {
        log_warn("MASTER aborted replication with an error: %s", line + 1);
        cancel_handshake();
        return;
    }
    if (line[0] != '$') {
        log_warn("Bad protocol from MASTER, the first byte is not '$' (we received '%s'), are "
                 "you sure the host and port are right?",
                 line);
        cancel_handshake();
        return;
    }
    if (strncmp(line + 1, "EOF:", 4) == 0 && strlen(line + 5) >= EOF_MARK_LEN) {
        rs.use_mark = true;
        memcpy(rs.eofmark, line + 5, EOF_MARK_LEN);
        memset(rs.lastbytes, 0, EOF_MARK_LEN);
        rs.transfer_size = 0; /* Redis shows 0 total bytes for a diskless transfer */
        log_notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to %s",
                   rs.to_memory ? "parser" : "disk");
    } else {
        rs.use_mark = false;
        rs.transfer_size = strtoll(line + 1, NULL, 10);
        log_notice("MASTER <-> REPLICA sync: receiving %lld bytes from master to %s",
                   rs.transfer_size, rs.to_memory ? "parser" : "disk");
    }
    rs.got_header = true;
}

/* +FULLRESYNC <replid> <offset>: prepare the temp file and wait for the payload. */
static void start_transfer(const char *line) {
    const char *id = line + strlen("+FULLRESYNC");
    while (*id == ' ') id++;
    const char *sp = strchr(id, ' ');
    if (!sp || sp - id != REPL_ID_LEN) {
        log_warn("Master replied with wrong +FULLRESYNC syntax.");
        memset(rs.master_replid, 0, sizeof(rs.master_replid));
        rs.initial_offset = -1;
    } else {
        memcpy(rs.master_replid, id, REPL_ID_LEN);
        rs.master_replid[REPL_ID_LEN] = '\0';
        rs.initial_offset = strtoll(sp + 1, NULL, 10);
        log_notice("Full resync from master: %s:%lld", rs.master_replid, rs.initial_offset);
    }
    discard_cached();
    rs.to_memory = use_diskless_load();
    if (rs.to_memory) {
        rs.tmp_path[0] = '\0';
        rs.tmp_fd = memfd_create("vigil-repl-payload", MFD_CLOEXEC);
    } else {
        snprintf(rs.tmp_path, sizeof(rs.tmp_path), "temp-%lld.%ld.rdb",
                 (long long)(server_now_ms() / 1000), (long)getpid());
        rs.tmp_fd = open(rs.tmp_path, O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, 0644);
    }
    if (rs.tmp_fd < 0) {
        log_warn("Opening the temp file needed for MASTER <-> REPLICA synchronization: %s",
                 strerror(errno));
        cancel_handshake();
        return;
    }
    rs.state = RS_TRANSFER;
    rs.got_header = false;
    rs.transfer_read = 0;
    rs.transfer_size = -1;
}

/* +CONTINUE [newid]: the cached primary comes back (Redis's replicationResurrectCachedMaster);
 * a new id means the primary was promoted: ours becomes replid2 and our replicas must learn
 * the new one. */
static void continue_sync(const char *line) {
    const char *id = line + strlen("+CONTINUE");
    while (*id == ' ') id++;
    if (strlen(id) >= REPL_ID_LEN && strncmp(id, rs.cached_replid, REPL_ID_LEN) != 0) {
        memcpy(repl.replid2, rs.cached_replid, sizeof(repl.replid2));
        repl.second_repl_offset = repl.master_repl_offset + 1;
        memcpy(repl.replid, id, REPL_ID_LEN);
        repl.replid[REPL_ID_LEN] = '\0';
        memcpy(rs.cached_replid, repl.replid, sizeof(rs.cached_replid));
        log_notice("Master replication ID changed to %s", repl.replid);
        repl_disconnect_replicas();
    }
    log_notice("Successful partial resynchronization with master.");
    log_notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
    sdnotify_status("MASTER <-> REPLICA sync: Partial Resynchronization accepted. Ready to "
                    "accept connections in %s mode.",
                    cfg.replica_read_only ? "read-only" : "read-write");
    create_master_client(rs.cached_off, rs.cached_db);
}

/* One reply line of the handshake, in state order. */
static void handshake_line(const char *line) {
    switch (rs.state) {
    case RS_RECV_PING:
        if (line[0] == '-' && strncmp(line, "-NOAUTH", 7) != 0 &&
            strncmp(line, "-NOPERM", 7) != 0 &&
            strncmp(line, "-ERR operation not permitted", 28) != 0) {
            log_warn("Error reply to PING from master: '%s'", line);
            cancel_handshake();
            return;
        }
        log_notice("Master replied to PING, replication can continue...");
        send_handshake();
        return;
    case RS_RECV_AUTH:
        if (line[0] == '-') {
            log_warn("Unable to AUTH to MASTER: %s", line);
            cancel_handshake();
            return;
        }
        rs.state = RS_RECV_PORT;
        return;
    case RS_RECV_PORT:
        if (line[0] == '-')
            log_notice("(Non critical) Master does not understand REPLCONF listening-port: %s",
                       line);
        rs.state = cfg.replica_announce_ip ? RS_RECV_IP : RS_RECV_CAPA;
        return;
    case RS_RECV_IP:
        if (line[0] == '-')
            log_notice("(Non critical) Master does not understand REPLCONF ip-address: %s",
                       line);
        rs.state = RS_RECV_CAPA;
        return;
    case RS_RECV_CAPA:
        if (line[0] == '-')
            log_notice("(Non critical) Master does not understand REPLCONF capa: %s", line);
        send_psync();
        return;
    case RS_RECV_PSYNC:
        if (line[0] == '\0') return; /* keepalive newlines before the reply */
        if (repl_failover_state() == FAILOVER_IN_PROGRESS) {
            if (strncmp(line, "+FULLRESYNC", 11) == 0 || strncmp(line, "+CONTINUE", 9) == 0) {
                repl_failover_done();
            } else {
                log_notice("Master does not support PSYNC or is in error state (reply: %s)",
                           line);
                repl_failover_abort("Failover target rejected psync request");
                return;
            }
        }
        if (strncmp(line, "+FULLRESYNC", 11) == 0) {
            start_transfer(line);
        } else if (strncmp(line, "+CONTINUE", 9) == 0 && rs.cached) {
            continue_sync(line);
        } else {
            if (strncmp(line, "-NOMASTERLINK", 13) == 0 || strncmp(line, "-LOADING", 8) == 0)
                log_notice("Master is currently unable to PSYNC but should be in the future: %s",
                           line);
            else
                log_warn("Unexpected reply to PSYNC from master: %s", line);
            cancel_handshake();
        }
        return;
    default:
        return;
    }
}

static void link_io_cb(struct ev_loop *loop, ev_io *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(w);
    VG_UNUSED(revents);
    server_update_time();
    if (rs.state == RS_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(rs.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        if (err) {
            log_warn("Error condition on socket for SYNC: %s", strerror(err));
            cancel_handshake();
            return;
        }
        log_notice("Non blocking connect for SYNC fired the event.");
        static const char ping[] = "*1\r\n$4\r\nPING\r\n";
        if (!send_all(ping, sizeof(ping) - 1)) {
            cancel_handshake();
            return;
        }
        rs.state = RS_RECV_PING;
        rs.last_io_ms = server_now_ms();
        watch(EV_READ);
        return;
    }
    /* During the payload read straight into the file; otherwise into `in`. */
    char tmp[IO_CHUNK];
    size_t want = sizeof(tmp);
    if (rs.state == RS_TRANSFER && rs.got_header && !rs.use_mark &&
        (long long)want > rs.transfer_size - rs.transfer_read)
        want = (size_t)(rs.transfer_size - rs.transfer_read);
    if (rs.state != RS_TRANSFER || !rs.got_header) want = VG_MIN(want, (size_t)MAX_LINE);
    ssize_t n = want ? read(rs.fd, tmp, want) : 0;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        log_warn("I/O error reading from MASTER: %s", n == 0 ? "connection lost" : strerror(errno));
        cancel_handshake();
        return;
    }
    rs.last_io_ms = server_now_ms();
    /* Redis 7.0.15 counts the handshake and RDB in both */
    srv.stats.net_input_bytes += n;
    srv.stats.net_repl_input_bytes += n;
    if (rs.state == RS_TRANSFER && rs.got_header) {
        transfer_bytes(tmp, (size_t)n);
        if (rs.state == RS_TRANSFER && transfer_done()) finish_full_sync();
        return;
    }
    buf_append(&rs.in, tmp, (size_t)n);
    char line[MAX_LINE];
    while (rs.fd >= 0 && rs.state != RS_CONNECTED) {
        if (rs.state == RS_TRANSFER && rs.got_header) {
            transfer_from_in();
            if (rs.state == RS_TRANSFER && transfer_done()) finish_full_sync();
            return;
        }
        if (!take_line(line, sizeof(line))) {
            if (rs.in.len >= MAX_LINE) {
                log_warn("Too long a line from MASTER during the handshake");
                cancel_handshake();
            }
            return;
        }
        if (rs.state == RS_TRANSFER) {
            if (line[0] == '\0') continue; /* keepalive newlines while the primary saves */
            transfer_header(line);
        } else if (is_handshake()) {
            handshake_line(line);
        }
    }
}

/* ---------------------------------------------------------------- role changes */

/* Clients blocked on keys or in WAIT are told the instance changed and closed (Redis
 * 7.0's disconnectAllBlockedClients on REPLICAOF, and so on FAILOVER). */
static void disconnect_blocked_clients(void) {
    for (Client *c = srv.clients_head; c; c = c->next) {
        if (!(c->flags & CLIENT_BLOCKED) || (c->flags & CLIENT_PAUSED)) continue;
        blocked_client_free(c);
        repl_primary_drop_waiter(c);
        c->flags &= ~(uint32_t)CLIENT_BLOCKED;
        reply_error(c, "UNBLOCKED force unblock from blocking operation, instance state "
                       "changed (master -> replica?)");
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;
        client_queue_write(c);
    }
}

static void set_master(const char *host, long long port) {
    bool was_master = !repl_is_replica();
    if (rs.master) client_close(rs.master); /* caches it */
    disconnect_blocked_clients();
    char *h = mem_strdup(host);
    mem_free(cfg.replicaof_host);
    cfg.replicaof_host = h;
    cfg.replicaof_port = port;
    rs.state = RS_CONNECT;
    cancel_handshake();
    if (was_master) {
        discard_cached();
        cache_myself(); /* PSYNC the new primary with our own history */
    }
    rs.state = RS_CONNECT;
    log_notice("Connecting to MASTER %s:%lld", cfg.replicaof_host, cfg.replicaof_port);
    sdnotify_status("Role: replica of %s:%lld. Waiting for MASTER <-> REPLICA sync",
                    cfg.replicaof_host, cfg.replicaof_port);
    connect_to_master();
}

static void unset_master(void) {
    if (!repl_is_replica()) return;
    mem_free(cfg.replicaof_host);
    cfg.replicaof_host = NULL;
    cfg.replicaof_port = 0;
    if (rs.master) client_close(rs.master);
    discard_cached();
    cancel_handshake();
    rs.state = RS_NONE;
    /* our replicas continue with PSYNC: the old history stays valid as replid2 */
    repl_shift_replid();
    repl_primary_no_replicas_since_now();
    log_notice("Setting secondary replication ID to %s, valid up to offset: %lld. New "
               "replication ID is %s",
               repl.replid2, repl.second_repl_offset, repl.replid);
    repl_disconnect_replicas();
    disconnect_blocked_clients();
    sdnotify_status("Role: master. Ready to accept connections");
}

void repl_replica_set_master(const char *host, long long port) {
    set_master(host, port);
}

void repl_replica_unset_master(void) {
    unset_master();
}

void cmd_replicaof(Client *c) {
    if (repl_failover_state() != FAILOVER_NONE) {
        reply_error(c, "ERR REPLICAOF not allowed while failing over.");
        return;
    }
    if (c->argv[1].len == 2 && strncasecmp(c->argv[1].ptr, "no", 2) == 0 &&
        c->argv[2].len == 3 && strncasecmp(c->argv[2].ptr, "one", 3) == 0) {
        if (repl_is_replica()) {
            unset_master();
            log_notice("MASTER MODE enabled (user request from 'id=%llu addr=%s')",
                       (unsigned long long)c->id, c->addr);
        }
        reply_ok(c);
        return;
    }
    if (c->flags & CLIENT_REPLICA) {
        reply_error(c, "ERR Command is not valid when client is a replica.");
        return;
    }
    char num[32];
    long long port = -1;
    char *end = NULL;
    if (c->argv[2].len > 0 && c->argv[2].len < sizeof(num)) {
        memcpy(num, c->argv[2].ptr, c->argv[2].len);
        num[c->argv[2].len] = '\0';
        errno = 0;
        port = strtoll(num, &end, 10);
        if (errno || *end || end == num || num[0] == ' ') port = -1;
    }
    if (port < 0 || port > 65535) {
        reply_error(c, "ERR Invalid master port");
        return;
    }
    char host[256];
    size_t hl = VG_MIN(c->argv[1].len, sizeof(host) - 1);
    memcpy(host, c->argv[1].ptr, hl);
    host[hl] = '\0';
    if (repl_is_replica() && strcasecmp(cfg.replicaof_host, host) == 0 &&
        cfg.replicaof_port == port) {
        log_notice("REPLICAOF would result into synchronization with the master we are "
                   "already connected with. No operation performed.");
        reply_simple(c, "OK Already connected to specified master");
        return;
    }
    set_master(host, port);
    log_notice("REPLICAOF %s:%lld enabled (user request from 'id=%llu addr=%s')", host, port,
               (unsigned long long)c->id, c->addr);
    reply_ok(c);
}

/* ---------------------------------------------------------------- start-up, cron */

static bool loaded_repl;
static char loaded_replid[REPL_ID_LEN + 1];
static long long loaded_off;
static int loaded_db;

void repl_replica_loaded_info(const char *replid, long long offset, int stream_db) {
    if (strlen(replid) != REPL_ID_LEN) return;
    memcpy(loaded_replid, replid, sizeof(loaded_replid));
    loaded_off = offset;
    loaded_db = stream_db;
    loaded_repl = true;
}

void repl_replica_start(void) {
    buf_init(&rs.in);
    buf_init(&rs.multi_bytes);
    if (!repl_is_replica()) return;
    if (loaded_repl) {
        /* Redis's loadDataFromDisk: the RDB's history is ours, PSYNC may continue it */
        memcpy(repl.replid, loaded_replid, sizeof(repl.replid));
        repl.master_repl_offset = loaded_off;
        cache_myself();
        rs.cached_db = loaded_db; /* the stream goes on in the db it last selected */
    }
    rs.state = RS_CONNECT;
    log_notice("Connecting to MASTER %s:%lld", cfg.replicaof_host, cfg.replicaof_port);
    connect_to_master();
}

bool repl_replica_save_info(RdbSaveInfo *rsi) {
    if (!repl_is_replica()) return false;
    if (rs.master) {
        rsi->repl_id = repl.replid;
        rsi->repl_offset = rs.reploff;
        rsi->repl_stream_db = rs.master->db ? rs.master->db->id : 0;
    } else if (rs.cached) {
        rsi->repl_id = rs.cached_replid;
        rsi->repl_offset = rs.cached_off;
        rsi->repl_stream_db = rs.cached_db;
    } else {
        return false;
    }
    rsi->aof_base = false;
    return true;
}

void repl_replica_cron(void) {
    if (!repl_is_replica() || rs.loading) return;
    int64_t now = server_now_ms();
    int64_t timeout_ms = cfg.repl_timeout * 1000;
    if ((rs.state == RS_CONNECTING || is_handshake()) && now - rs.last_io_ms > timeout_ms) {
        log_warn("Timeout connecting to the MASTER...");
        cancel_handshake();
    }
    if (rs.state == RS_TRANSFER && now - rs.last_io_ms > timeout_ms) {
        log_warn("Timeout receiving bulk data from MASTER... If the problem persists try to set "
                 "the 'repl-timeout' parameter in redis.conf to a larger value.");
        cancel_handshake();
    }
    if (rs.state == RS_CONNECTED && rs.master && now - rs.last_read_ms > timeout_ms) {
        log_warn("MASTER timeout: no data nor PING received...");
        client_close(rs.master);
    }
    static int64_t last_connect_ms;
    if (rs.state == RS_CONNECT && now - last_connect_ms >= 1000) {
        last_connect_ms = now;
        log_notice("Connecting to MASTER %s:%lld", cfg.replicaof_host, cfg.replicaof_port);
        connect_to_master();
    }
    if (rs.state == RS_CONNECTED && rs.master && now - rs.last_ack_ms >= ACK_PERIOD_MS) {
        rs.last_ack_ms = now;
        send_ack(rs.master);
    }
}

/* ---------------------------------------------------------------- INFO, ROLE */

bool repl_replica_link_up(void) {
    return rs.state == RS_CONNECTED;
}

void repl_replica_info(Buf *out) {
    int64_t now_s = server_now_ms() / 1000;
    long long off = 1, read_off = 1;
    if (rs.master) {
        off = rs.reploff;
        read_off = off + (long long)resp_reader_pending(&rs.master->req);
    } else if (rs.cached) {
        off = read_off = rs.cached_off;
    }
    buf_printf(out,
               "master_host:%s\r\nmaster_port:%lld\r\nmaster_link_status:%s\r\n"
               "master_last_io_seconds_ago:%d\r\nmaster_sync_in_progress:%d\r\n"
               "slave_read_repl_offset:%lld\r\nslave_repl_offset:%lld\r\n",
               cfg.replicaof_host, cfg.replicaof_port,
               rs.state == RS_CONNECTED ? "up" : "down",
               rs.master ? (int)(now_s - rs.last_read_ms / 1000) : -1,
               rs.state == RS_TRANSFER, read_off, off);
    if (rs.state == RS_TRANSFER) {
        long long size = rs.transfer_size < 0 ? 0 : rs.transfer_size;
        double perc = size ? (double)rs.transfer_read / (double)size * 100 : 0;
        buf_printf(out,
                   "master_sync_total_bytes:%lld\r\nmaster_sync_read_bytes:%lld\r\n"
                   "master_sync_left_bytes:%lld\r\nmaster_sync_perc:%.2f\r\n"
                   "master_sync_last_io_seconds_ago:%d\r\n",
                   size, rs.transfer_read, size - rs.transfer_read, perc,
                   (int)(now_s - rs.last_io_ms / 1000));
    }
    if (rs.state != RS_CONNECTED)
        buf_printf(out, "master_link_down_since_seconds:%lld\r\n",
                   rs.down_since_s ? (long long)(now_s - rs.down_since_s) : -1LL);
    buf_printf(out, "slave_priority:%lld\r\nslave_read_only:%d\r\nreplica_announced:%d\r\n",
               cfg.replica_priority, cfg.replica_read_only ? 1 : 0,
               cfg.replica_announced ? 1 : 0);
}

void repl_replica_reply_role(Client *c) {
    const char *state = "unknown";
    if (rs.state == RS_CONNECT)
        state = "connect";
    else if (rs.state == RS_CONNECTING)
        state = "connecting";
    else if (is_handshake())
        state = "handshake";
    else if (rs.state == RS_TRANSFER)
        state = "sync";
    else if (rs.state == RS_CONNECTED)
        state = "connected";
    reply_array(c, 5);
    reply_bulk_cstr(c, "slave");
    reply_bulk_cstr(c, cfg.replicaof_host);
    reply_int(c, cfg.replicaof_port);
    reply_bulk_cstr(c, state);
    reply_int(c, rs.master ? rs.reploff : -1);
}

