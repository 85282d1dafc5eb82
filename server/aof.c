/* aof.c - the append-only file (see aof.h): Redis 7.0's multi-part layout, feeding, writing,
 * fsync, the manifest and the rewrite. Loading a file's commands is aof_load.c.
 *
 * Layout, in cfg.appenddirname under `dir` (names as Redis 7.0 writes them):
 *   appendonly.aof.<seq>.base.rdb|aof   the dataset when the last rewrite forked
 *   appendonly.aof.<seq>.incr.aof       the writes since, in order (the last is written to)
 *   appendonly.aof.manifest             "file <name> seq <n> type b|i|h" per line
 * The manifest is the truth: a file it does not name is not part of the AOF, so every layout
 * change writes a new manifest to a temp file, fsyncs it and renames it over the old one.
 *
 * Writes: aof_feed() appends RESP to `abuf`; aof_before_sleep() writes the buffer to the
 * last incr file before replies go out, and fsyncs it there under appendfsync always (so an
 * acknowledged write is on disk). Under everysec a background thread (bio_*) fsyncs at most
 * once a second; while one is still running a write is postponed up to 2 s, as Redis does,
 * so a slow disk does not pile writes behind a blocked fsync.
 *
 * Rewrite: the parent flushes, opens a new incr file (in the manifest) so writes made while
 * the child works land there, and forks. The child writes the dataset to a temp file (RDB
 * image marked aof-base, or commands) and exits; the done handler renames it to the next
 * base, marks the older base and incr files history in a new manifest, then deletes them. A
 * failed rewrite changes nothing but the temp file: every incr file stays listed. */
#include "server/aof.h"

#include "common/buf.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/resp_writer.h"
#include "common/vg.h"
#include "server/childproc.h"
#include "server/client.h"
#include "server/db.h"
#include "server/persist.h"
#include "server/quicklist.h"
#include "server/rdb.h"
#include "server/reply.h"
#include "server/server.h"
#include "server/t_hash.h"
#include "server/t_set.h"
#include "server/t_zset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- manifest */

typedef struct AofFile {
    char *name;
    long long seq;
    char type; /* 'b', 'i', 'h' */
} AofFile;

typedef struct Manifest {
    AofFile base;      /* name NULL when there is none */
    AofFile *incr;     /* in order; the last is the one written to */
    int nincr;
    AofFile *hist;     /* to delete */
    int nhist;
    long long base_seq; /* highest seq used so far for each kind */
    long long incr_seq;
} Manifest;

static Manifest man;
static bool man_ready; /* man was read from disk (or found absent) */

static void file_free(AofFile *f) {
    mem_free(f->name);
    f->name = NULL;
}

static void manifest_clear(Manifest *m) {
    file_free(&m->base);
    for (int i = 0; i < m->nincr; i++) file_free(&m->incr[i]);
    for (int i = 0; i < m->nhist; i++) file_free(&m->hist[i]);
    mem_free(m->incr);
    mem_free(m->hist);
    memset(m, 0, sizeof(*m));
}

static void list_push(AofFile **arr, int *n, const char *name, long long seq, char type) {
    *arr = mem_realloc(*arr, sizeof(AofFile) * (size_t)(*n + 1));
    (*arr)[*n] = (AofFile){.name = mem_strdup(name), .seq = seq, .type = type};
    (*n)++;
}

static void path_in_dir(char *out, size_t outlen, const char *name) {
    snprintf(out, outlen, "%s/%s", cfg.appenddirname, name);
}

static void manifest_name(char *out, size_t outlen) {
    snprintf(out, outlen, "%s.manifest", cfg.appendfilename);
}

/* Does a file name need quoting in the manifest (Redis's sdsneedsrepr)? */
static bool name_needs_quotes(const char *s) {
    for (; *s; s++)
        if (*s == '\\' || *s == '"' || *s == '\'' || *s <= ' ' || *s >= 127) return true;
    return false;
}

static void append_name(Buf *b, const char *s) {
    if (!name_needs_quotes(s)) {
        buf_append_str(b, s);
        return;
    }
    buf_append_char(b, '"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '\\' || ch == '"')
            buf_printf(b, "\\%c", ch);
        else if (ch == '\n')
            buf_append_str(b, "\\n");
        else if (ch == '\r')
            buf_append_str(b, "\\r");
        else if (ch == '\t')
            buf_append_str(b, "\\t");
        else if (ch < ' ' || ch >= 127)
            buf_printf(b, "\\x%02x", ch);
        else
            buf_append_char(b, (char)ch);
    }
    buf_append_char(b, '"');
}

static void append_file_line(Buf *b, const AofFile *f) {
    buf_append_str(b, "file ");
    append_name(b, f->name);
    buf_printf(b, " seq %lld type %c\n", f->seq, f->type);
}

/* Redis 7.0's order: base, history, then the incr files. */
static void manifest_format(const Manifest *m, Buf *b) {
    if (m->base.name) append_file_line(b, &m->base);
    for (int i = 0; i < m->nhist; i++) append_file_line(b, &m->hist[i]);
    for (int i = 0; i < m->nincr; i++) append_file_line(b, &m->incr[i]);
}

static int fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    int r = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

static int write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Write the manifest atomically: temp file, fsync, rename, fsync the directory. 0 or -1
 * (logged). */
static int manifest_persist(const Manifest *m) {
    char name[512], path[1024], tmp[1024], tmpname[600];
    manifest_name(name, sizeof(name));
    path_in_dir(path, sizeof(path), name);
    snprintf(tmpname, sizeof(tmpname), "temp-%s", name);
    path_in_dir(tmp, sizeof(tmp), tmpname);
    Buf b;
    buf_init(&b);
    manifest_format(m, &b);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int r = -1;
    if (fd < 0) {
        log_errno(LOG_WARN, errno, "Can't open the AOF manifest file %s", tmpname);
        goto out;
    }
    if (write_all(fd, b.data, b.len) != 0 || fsync(fd) != 0) {
        log_errno(LOG_WARN, errno, "Can't persist the AOF manifest file %s", tmpname);
        close(fd);
        unlink(tmp);
        goto out;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        log_errno(LOG_WARN, errno, "Can't rename the temp AOF manifest file %s to %s", tmpname,
                  name);
        unlink(tmp);
        goto out;
    }
    fsync_dir(cfg.appenddirname);
    r = 0;
out:
    buf_deinit(&b);
    return r;
}

/* Split a manifest line into words (double-quoted words with \-escapes, as written by
 * append_name). Returns the count, or -1 on unbalanced quotes. Words point into `line`. */
static int split_words(char *line, char **words, int max) {
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
        if (!*p) return n;
        if (n == max) return -1;
        if (*p == '"') {
            char *w = ++p, *o = w;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1]) {
                    p++;
                    if (*p == 'n') *o++ = '\n';
                    else if (*p == 'r') *o++ = '\r';
                    else if (*p == 't') *o++ = '\t';
                    else if (*p == 'x' && p[1] && p[2]) {
                        char hex[3] = {p[1], p[2], 0};
                        *o++ = (char)strtol(hex, NULL, 16);
                        p += 2;
                    } else *o++ = *p;
                    p++;
                } else {
                    *o++ = *p++;
                }
            }
            if (*p != '"') return -1;
            p++;
            *o = '\0';
            words[n++] = w;
        } else {
            words[n++] = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') p++;
            if (*p) *p++ = '\0';
        }
    }
}

/* Read the manifest from disk into `m`. 0 (also when the directory or manifest does not
 * exist: m is left empty), -1 after logging a bad manifest. */
static int manifest_load(Manifest *m) {
    memset(m, 0, sizeof(*m));
    char name[512], path[1024];
    manifest_name(name, sizeof(name));
    path_in_dir(path, sizeof(path), name);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (errno == ENOENT) return 0;
        log_errno(LOG_WARN, errno, "Fatal error: can't open the AOF manifest %s for reading",
                  name);
        return -1;
    }
    char line[1100];
    int lineno = 0;
    const char *why = NULL;
    while (fgets(line, sizeof(line), fp)) {
        lineno++;
        if (line[0] == '#') continue;
        if (!strchr(line, '\n') && !feof(fp)) {
            why = "The AOF manifest file contains too long line";
            break;
        }
        char *w[16];
        int nw = split_words(line, w, 16);
        if (nw == 0) continue;
        if (nw < 0 || nw % 2 != 0) {
            why = "Invalid AOF manifest file format";
            break;
        }
        const char *fname = NULL, *type = NULL;
        long long seq = -1;
        for (int i = 0; i < nw; i += 2) {
            if (strcmp(w[i], "file") == 0) fname = w[i + 1];
            else if (strcmp(w[i], "seq") == 0) seq = strtoll(w[i + 1], NULL, 10);
            else if (strcmp(w[i], "type") == 0) type = w[i + 1];
        }
        if (!fname || !type || seq < 0 || strlen(type) != 1 || strchr(fname, '/')) {
            why = "Invalid AOF manifest file format";
            break;
        }
        if (type[0] == 'b') {
            if (m->base.name) {
                why = "Found duplicate base file information";
                break;
            }
            m->base = (AofFile){.name = mem_strdup(fname), .seq = seq, .type = 'b'};
            if (seq > m->base_seq) m->base_seq = seq;
        } else if (type[0] == 'i') {
            if (m->nincr && seq <= m->incr[m->nincr - 1].seq) {
                why = "Found a non-monotonic sequence number";
                break;
            }
            list_push(&m->incr, &m->nincr, fname, seq, 'i');
            m->incr_seq = seq;
        } else if (type[0] == 'h') {
            list_push(&m->hist, &m->nhist, fname, seq, 'h');
        } else {
            why = "Unknown AOF file type";
            break;
        }
    }
    fclose(fp);
    if (!why && !m->base.name && m->nincr == 0) why = "Found an empty AOF manifest";
    if (why) {
        log_warn("%s (%s line %d)", why, name, lineno);
        manifest_clear(m);
        return -1;
    }
    return 0;
}

static void manifest_ensure_loaded(void) {
    if (man_ready) return;
    manifest_clear(&man);
    if (manifest_load(&man) != 0) manifest_clear(&man);
    man_ready = true;
}

/* Remove the files marked history and forget them (after a manifest without them... no: a
 * manifest listing them as history was persisted, so a crash here leaves them marked). */
static void delete_history_files(void) {
    for (int i = 0; i < man.nhist; i++) {
        char path[1024];
        path_in_dir(path, sizeof(path), man.hist[i].name);
        if (unlink(path) == 0 || errno == ENOENT)
            log_notice("Removing the history file %s in the background", man.hist[i].name);
        file_free(&man.hist[i]);
    }
    man.nhist = 0;
    if (man_ready && cfg.appendonly) manifest_persist(&man);
}

static long long file_size(const char *name) {
    char path[1024];
    struct stat st;
    path_in_dir(path, sizeof(path), name);
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* ---------------------------------------------------------------- background fsync */

/* One thread, one job kind at a time: fsync (or close) an fd. Jobs run in order, so a close
 * queued after an fsync of the same fd waits for it. */
enum { BIO_FSYNC = 1, BIO_CLOSE = 2 };
typedef struct BioJob {
    int kind, fd;
} BioJob;

static pthread_mutex_t bio_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bio_cv = PTHREAD_COND_INITIALIZER;
static BioJob bio_q[64];
static int bio_head, bio_len;
static bool bio_started;
static atomic_ulong bio_pending;  /* fsync jobs queued or running */
static atomic_int bio_fsync_errno; /* 0: the last background fsync worked */

static void *bio_main(void *arg) {
    VG_UNUSED(arg);
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the main thread's */
    pthread_mutex_lock(&bio_mu);
    for (;;) {
        while (bio_len == 0) pthread_cond_wait(&bio_cv, &bio_mu);
        BioJob j = bio_q[bio_head];
        pthread_mutex_unlock(&bio_mu);
        if (j.kind == BIO_FSYNC) {
            int r = fdatasync(j.fd);
            atomic_store(&bio_fsync_errno, r == 0 || errno == EBADF || errno == EINVAL ? 0 : errno);
            atomic_fetch_sub(&bio_pending, 1);
        } else {
            close(j.fd);
        }
        pthread_mutex_lock(&bio_mu);
        bio_head = (bio_head + 1) % (int)VG_ARRAY_LEN(bio_q);
        bio_len--;
        pthread_cond_broadcast(&bio_cv);
    }
    return NULL;
}

static void bio_submit(int kind, int fd) {
    pthread_mutex_lock(&bio_mu);
    if (!bio_started) {
        pthread_t t;
        if (pthread_create(&t, NULL, bio_main, NULL) != 0) {
            pthread_mutex_unlock(&bio_mu);
            /* no thread: do it here rather than lose it */
            if (kind == BIO_FSYNC) fdatasync(fd);
            else close(fd);
            return;
        }
        pthread_detach(t);
        bio_started = true;
    }
    while (bio_len == (int)VG_ARRAY_LEN(bio_q)) pthread_cond_wait(&bio_cv, &bio_mu);
    bio_q[(bio_head + bio_len) % (int)VG_ARRAY_LEN(bio_q)] = (BioJob){kind, fd};
    bio_len++;
    if (kind == BIO_FSYNC) atomic_fetch_add(&bio_pending, 1);
    pthread_cond_broadcast(&bio_cv);
    pthread_mutex_unlock(&bio_mu);
}

/* Wait until the queue is empty (shutdown, before an fd is reused). */
static void bio_drain(void) {
    pthread_mutex_lock(&bio_mu);
    while (bio_len > 0) pthread_cond_wait(&bio_cv, &bio_mu);
    pthread_mutex_unlock(&bio_mu);
}

/* ---------------------------------------------------------------- feeding and writing */

static int aof_fd = -1;          /* the last incr file (or the temp incr while WAIT_REWRITE) */
static Buf abuf;                 /* fed, not yet written */
static int selected_db = -1;     /* the db of the last fed command */
static long long incr_size;      /* bytes in the current incr file */
static long long written_unsynced; /* bytes written since the last fsync was started */
static int64_t last_fsync_ms;
static int64_t postponed_since_ms; /* 0: no write postponed */
static bool inited;              /* the server runs: aof_apply_enabled acts */
static bool wait_rewrite_temp;   /* aof_fd is the temp incr of a first rewrite */

/* A command in the AOF is the request a client would send: the reply writer's multibulk
 * and bulk encoders produce exactly that (and without printf, on every write's path). */
static void append_command(Buf *b, const RespArg *argv, int argc) {
    resp_array(b, argc);
    for (int i = 0; i < argc; i++) resp_bulk(b, argv[i].ptr, argv[i].len);
}

void aof_feed(int dbid, const RespArg *argv, int argc) {
    if (ps.aof_state == AOF_OFF) return;
    /* before the first rewrite's child runs there is no base to add writes to */
    if (ps.aof_state == AOF_WAIT_REWRITE && child_active_type() != CHILD_AOF) return;
    if (dbid != selected_db) {
        char num[24];
        int n = snprintf(num, sizeof(num), "%d", dbid);
        RespArg sel[2] = {{.ptr = "SELECT", .len = 6}, {.ptr = num, .len = (size_t)n}};
        append_command(&abuf, sel, 2);
        selected_db = dbid;
    }
    append_command(&abuf, argv, argc);
    ps.aof_buffer_length = abuf.len;
}

static void start_bg_fsync(void) {
    bio_submit(BIO_FSYNC, aof_fd);
    last_fsync_ms = server_now_ms();
    written_unsynced = 0;
}

/* Write the buffer to the incr file and fsync per policy. force: write even while a
 * background fsync runs (shutdown, switching files). */
static void aof_flush(bool force) {
    if (aof_fd < 0) return;
    bool sync_in_progress = false;
    if (abuf.len == 0) {
        /* An everysec fsync may still be owed for bytes written by an earlier call. */
        if (cfg.appendfsync == AOF_FSYNC_EVERYSEC && written_unsynced > 0 &&
            atomic_load(&bio_pending) == 0 && server_now_ms() - last_fsync_ms >= 1000 &&
            !(cfg.no_appendfsync_on_rewrite && child_active()))
            start_bg_fsync();
        return;
    }
    if (cfg.appendfsync == AOF_FSYNC_EVERYSEC) sync_in_progress = atomic_load(&bio_pending) != 0;
    if (cfg.appendfsync == AOF_FSYNC_EVERYSEC && !force && sync_in_progress) {
        int64_t now = server_now_ms();
        if (postponed_since_ms == 0) {
            postponed_since_ms = now; /* the cron retries */
            return;
        }
        if (now - postponed_since_ms < 2000) return;
        ps.aof_delayed_fsync++;
        log_notice("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF "
                   "buffer without waiting for fsync to complete, this may slow down Redis.");
    }
    postponed_since_ms = 0;

    size_t done = 0;
    int err = 0;
    while (done < abuf.len) {
        ssize_t n = write(aof_fd, abuf.data + done, abuf.len - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        if (n == 0) {
            err = ENOSPC;
            break;
        }
        done += (size_t)n;
    }
    if (done != abuf.len) {
        /* the cron retries every tick: say it at most every 30 s, as Redis */
        static int64_t last_logged_ms;
        bool say = server_now_ms() - last_logged_ms >= 30000;
        if (say) last_logged_ms = server_now_ms();
        if (done == 0) {
            if (say) log_warn("Error writing to the AOF file: %s", strerror(err));
        } else {
            if (say)
                log_warn("Short write while writing to the AOF file: (nwritten=%zu, "
                         "expected=%zu)",
                         done, abuf.len);
            /* Take the half command back, so the file stays a sequence of whole commands;
             * if that fails, keep what went out and write only the rest later. */
            if (ftruncate(aof_fd, incr_size) == 0) {
                done = 0;
            } else {
                log_warn("Could not remove short write from the append-only file.  Redis may "
                         "refuse to load the AOF the next time it starts.  ftruncate: %s",
                         strerror(errno));
            }
            if (err == 0) err = ENOSPC;
        }
        if (cfg.appendfsync == AOF_FSYNC_ALWAYS) {
            /* the reply promised durability: nothing can keep that promise now */
            log_warn("Can't recover from AOF write error when the AOF fsync policy is 'always'. "
                     "Exiting...");
            exit(1);
        }
        if (done > 0) {
            buf_consume(&abuf, done);
            incr_size += (long long)done;
            ps.aof_current_size += (long long)done;
            written_unsynced += (long long)done;
        }
        ps.aof_last_write_ok = false;
        ps.aof_last_write_errno = err;
        ps.aof_buffer_length = abuf.len;
        return;
    }
    if (!ps.aof_last_write_ok && atomic_load(&bio_fsync_errno) == 0) {
        log_warn("AOF write error looks solved, Redis can write again.");
        ps.aof_last_write_ok = true;
    }
    incr_size += (long long)done;
    ps.aof_current_size += (long long)done;
    written_unsynced += (long long)done;
    if (abuf.cap > 4096 * 4 && abuf.len < 4096) {
        buf_clear(&abuf);
        buf_shrink(&abuf, 4096);
    } else {
        buf_clear(&abuf);
    }
    ps.aof_buffer_length = 0;

    if (cfg.no_appendfsync_on_rewrite && child_active()) return;
    if (cfg.appendfsync == AOF_FSYNC_ALWAYS) {
        if (fdatasync(aof_fd) != 0) {
            log_warn("Can't persist AOF for fsync error when the AOF fsync policy is 'always': "
                     "%s. Exiting...",
                     strerror(errno));
            exit(1);
        }
        last_fsync_ms = server_now_ms();
        written_unsynced = 0;
    } else if (cfg.appendfsync == AOF_FSYNC_EVERYSEC) {
        if (!sync_in_progress && server_now_ms() - last_fsync_ms >= 1000) start_bg_fsync();
    }
}

void aof_before_sleep(void) {
    if (ps.aof_state == AOF_OFF) return;
    aof_flush(false);
    ps.aof_pending_bio_fsync = atomic_load(&bio_pending);
}

/* Open an incr file for appending; fd or -1 (logged). */
static int open_incr(const char *name) {
    char path[1024];
    path_in_dir(path, sizeof(path), name);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) log_errno(LOG_WARN, errno, "Can't open the append-only file %s", name);
    return fd;
}

/* Hand the old fd to the background thread (after any fsync it still owes). */
static void close_aof_fd(void) {
    if (aof_fd < 0) return;
    if (cfg.appendfsync != AOF_FSYNC_NO && written_unsynced > 0) bio_submit(BIO_FSYNC, aof_fd);
    bio_submit(BIO_CLOSE, aof_fd);
    aof_fd = -1;
}

static void incr_name(char *out, size_t outlen, long long seq) {
    snprintf(out, outlen, "%s.%lld.incr.aof", cfg.appendfilename, seq);
}

/* Start a new incr file: listed in a persisted manifest before anything is written to it.
 * 0, or -1 (logged; the old file stays current). */
static int open_new_incr(void) {
    char name[600];
    incr_name(name, sizeof(name), man.incr_seq + 1);
    int fd = open_incr(name);
    if (fd < 0) return -1;
    list_push(&man.incr, &man.nincr, name, man.incr_seq + 1, 'i');
    man.incr_seq++;
    if (manifest_persist(&man) != 0) {
        close(fd);
        file_free(&man.incr[--man.nincr]);
        man.incr_seq--;
        return -1;
    }
    close_aof_fd();
    aof_fd = fd;
    incr_size = 0;
    written_unsynced = 0;
    selected_db = -1; /* each incr file names its db before its first command */
    return 0;
}

/* ---------------------------------------------------------------- the base writer */

static void batch_head(Buf *b, const char *cmd, const char *key, size_t klen, long n) {
    resp_array(b, n + 2);
    resp_bulk(b, cmd, strlen(cmd));
    resp_bulk(b, key, klen);
}

enum { REWRITE_BATCH = 64 }; /* Redis's AOF_REWRITE_ITEMS_PER_CMD */

static void rewrite_list(Buf *b, Kv *kv) {
    Quicklist *ql = kv->v.ptr;
    long left = (long)ql->count;
    QlIter it;
    char nb[LP_INTBUF_SIZE];
    long in_batch = 0;
    for (ql_iter_at(ql, 0, true, &it); ql_iter_valid(&it); ql_iter_next(&it)) {
        if (in_batch == 0) {
            long n = VG_MIN(left, (long)REWRITE_BATCH);
            batch_head(b, "RPUSH", kv->key, kv->keylen, n);
            in_batch = n;
        }
        size_t len;
        const char *s = ql_iter_get(&it, &len, nb);
        resp_bulk(b, s, len);
        in_batch--;
        left--;
    }
}

static void rewrite_set(Buf *b, Kv *kv) {
    long left = (long)set_size(kv), in_batch = 0;
    SetIter it;
    const char *s;
    size_t len;
    long long iv;
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &s, &len, &iv)) {
        if (in_batch == 0) {
            long n = VG_MIN(left, (long)REWRITE_BATCH);
            batch_head(b, "SADD", kv->key, kv->keylen, n);
            in_batch = n;
        }
        char nb[24];
        if (!s) {
            len = (size_t)snprintf(nb, sizeof(nb), "%lld", iv);
            s = nb;
        }
        resp_bulk(b, s, len);
        in_batch--;
        left--;
    }
    set_iter_deinit(&it);
}

static void rewrite_zset(Buf *b, Kv *kv) {
    long total = (long)zset_length(kv), in_batch = 0;
    char eb[LP_INTBUF_SIZE];
    for (long r = 0; r < total; r++) {
        const char *ele;
        size_t len;
        double score;
        if (!zset_at_rank(kv, r, &ele, &len, &score, eb)) break;
        if (in_batch == 0) {
            long n = VG_MIN(total - r, (long)REWRITE_BATCH);
            batch_head(b, "ZADD", kv->key, kv->keylen, n * 2);
            in_batch = n;
        }
        char sb[64];
        int sl = snprintf(sb, sizeof(sb), "%.17g", score);
        resp_bulk(b, sb, (size_t)sl);
        resp_bulk(b, ele, len);
        in_batch--;
    }
}

static void rewrite_hash(Buf *b, Kv *kv) {
    long left = (long)hash_length(kv), in_batch = 0;
    HashIter it;
    const char *f, *v;
    size_t fl, vl;
    hash_iter_init(&it, kv);
    while (hash_iter_next(&it, &f, &fl, &v, &vl)) {
        if (in_batch == 0) {
            long n = VG_MIN(left, (long)REWRITE_BATCH);
            batch_head(b, "HSET", kv->key, kv->keylen, n * 2);
            in_batch = n;
        }
        resp_bulk(b, f, fl);
        resp_bulk(b, v, vl);
        in_batch--;
        left--;
    }
    hash_iter_deinit(&it);
}

/* The dataset as commands (aof-use-rdb-preamble no), written to fd as it goes. */
static int write_base_commands(int fd, bool in_child) {
    Buf b;
    buf_init(&b);
    long long done = 0, total = 0;
    for (int i = 0; i < srv.ndbs; i++) total += db_size(&srv.dbs[i]);
    int r = 0;
    for (int i = 0; i < srv.ndbs && r == 0; i++) {
        Db *db = &srv.dbs[i];
        if (db_size(db) == 0) continue;
        char num[16];
        int nl = snprintf(num, sizeof(num), "%d", i);
        RespArg sel[2] = {{.ptr = "SELECT", .len = 6}, {.ptr = num, .len = (size_t)nl}};
        append_command(&b, sel, 2);
        DictIter it;
        dict_iter_init(&it, &db->keys, false);
        DictNode *n;
        while ((n = dict_iter_next(&it)) != NULL) {
            Kv *kv = (Kv *)n;
            switch (kv->type) {
            case OBJ_STRING: {
                char nb[24];
                size_t len;
                const char *s = kv_str(kv, &len, nb);
                buf_append_str(&b, "*3\r\n$3\r\nSET\r\n");
                resp_bulk(&b, kv->key, kv->keylen);
                resp_bulk(&b, s, len);
                break;
            }
            case OBJ_LIST: rewrite_list(&b, kv); break;
            case OBJ_SET: rewrite_set(&b, kv); break;
            case OBJ_ZSET: rewrite_zset(&b, kv); break;
            case OBJ_HASH: rewrite_hash(&b, kv); break;
            default: break;
            }
            if (kv->has_expire) {
                char ts[24];
                int tl = snprintf(ts, sizeof(ts), "%lld", (long long)db_get_expire(db, kv));
                buf_append_str(&b, "*3\r\n$9\r\nPEXPIREAT\r\n");
                resp_bulk(&b, kv->key, kv->keylen);
                resp_bulk(&b, ts, (size_t)tl);
            }
            done++;
            if (b.len >= 64 * 1024) {
                if (write_all(fd, b.data, b.len) != 0) {
                    r = -1;
                    break;
                }
                buf_clear(&b);
            }
            if (in_child) {
                child_report_progress(done, total);
                if (cfg.rdb_key_save_delay_us > 0) usleep((useconds_t)cfg.rdb_key_save_delay_us);
            }
        }
        dict_iter_deinit(&it);
    }
    if (r == 0 && b.len && write_all(fd, b.data, b.len) != 0) r = -1;
    buf_deinit(&b);
    return r;
}

/* Write a base to `path` (created), fsynced. *rdb says which format was written. */
static int write_base_file(const char *path, bool in_child, bool *rdb) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    int r;
    *rdb = false;
    if (cfg.aof_use_rdb_preamble) {
        RdbSaveInfo rsi = {.repl_id = NULL, .repl_offset = 0, .aof_base = true};
        r = rdb_save_fd(fd, &rsi, in_child);
        if (r == 0) *rdb = true;
    } else {
        r = write_base_commands(fd, in_child);
    }
    if (r == 0 && fsync(fd) != 0) r = -1;
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

static void base_name(char *out, size_t outlen, long long seq, bool rdb) {
    snprintf(out, outlen, "%s.%lld.base.%s", cfg.appendfilename, seq, rdb ? "rdb" : "aof");
}

/* Put a written base file (at tmp_path) in place as the next base and make every incr file
 * but the last history. The caller persists the manifest. */
static int install_base(const char *tmp_path, bool rdb) {
    char name[600], path[1024];
    base_name(name, sizeof(name), man.base_seq + 1, rdb);
    path_in_dir(path, sizeof(path), name);
    if (rename(tmp_path, path) != 0) {
        log_errno(LOG_WARN, errno, "Error trying to rename the temporary AOF base file %s into %s",
                  tmp_path, name);
        return -1;
    }
    if (man.base.name) {
        list_push(&man.hist, &man.nhist, man.base.name, man.base.seq, 'h');
        file_free(&man.base);
    }
    man.base = (AofFile){.name = mem_strdup(name), .seq = ++man.base_seq, .type = 'b'};
    /* the last incr file took the writes made since the fork: it stays */
    int keep = man.nincr > 0 ? 1 : 0;
    for (int i = 0; i < man.nincr - keep; i++) {
        list_push(&man.hist, &man.nhist, man.incr[i].name, man.incr[i].seq, 'h');
        file_free(&man.incr[i]);
    }
    if (man.nincr > keep) {
        man.incr[0] = man.incr[man.nincr - 1];
        man.nincr = 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- start-up */

int aof_load_at_startup(void) {
    manifest_clear(&man);
    if (manifest_load(&man) != 0) return -1;
    man_ready = true;
    if (!man.base.name && man.nincr == 0) return 0;
    /* every listed file must exist before anything is loaded */
    const AofFile *files[1 + 4096];
    int nf = 0;
    if (man.base.name) files[nf++] = &man.base;
    for (int i = 0; i < man.nincr && nf < (int)VG_ARRAY_LEN(files); i++) files[nf++] = &man.incr[i];
    long long total = 0;
    for (int i = 0; i < nf; i++) {
        char path[1024];
        struct stat st;
        path_in_dir(path, sizeof(path), files[i]->name);
        if (stat(path, &st) != 0) {
            log_warn("The AOF file %s doesn't exist", files[i]->name);
            return -1;
        }
        total += st.st_size;
    }
    int64_t start = clock_mono_us();
    ps.aof_state = AOF_OFF; /* commands replayed from the files are not fed back */
    persist_loading_begin(total);
    long long offset = 0;
    int r = 0;
    for (int i = 0; i < nf && r == 0; i++) {
        char path[1024];
        path_in_dir(path, sizeof(path), files[i]->name);
        bool is_base = files[i] == &man.base;
        long long sz = 0;
        r = aof_load_file(path, files[i]->name, is_base, i == nf - 1, offset, &sz);
        offset += sz;
        if (r == 0 && is_base) ps.aof_base_size = sz;
    }
    persist_loading_end();
    if (r != 0) return -1;
    ps.aof_current_size = offset;
    srv.dirty = 0; /* replayed writes are already on disk */
    log_notice("DB loaded from append only file: %.3f seconds",
               (double)(clock_mono_us() - start) / 1e6);
    return 0;
}

int aof_open_at_startup(void) {
    inited = true;
    manifest_ensure_loaded();
    if (mkdir(cfg.appenddirname, 0755) != 0 && errno != EEXIST) {
        log_errno(LOG_WARN, errno, "Can't open or create append-only dir %s",
                  cfg.appenddirname);
        return -1;
    }
    bool changed = false;
    if (!man.base.name && man.nincr == 0) {
        /* Redis 7.0: a first start writes a base of the (empty) dataset right away */
        char tmp[1024], name[600];
        snprintf(tmp, sizeof(tmp), "%s/temp-base-%d.aof", cfg.appenddirname, (int)getpid());
        bool rdb;
        if (write_base_file(tmp, false, &rdb) != 0 || install_base(tmp, rdb) != 0) {
            log_errno(LOG_WARN, errno, "Can't create the AOF base file");
            unlink(tmp);
            return -1;
        }
        base_name(name, sizeof(name), man.base.seq, rdb);
        log_notice("Creating AOF base file %s on server start", name);
        changed = true;
    }
    char name[600];
    if (man.nincr == 0) {
        incr_name(name, sizeof(name), man.incr_seq + 1);
        list_push(&man.incr, &man.nincr, name, ++man.incr_seq, 'i');
        log_notice("Creating AOF incr file %s on server start", name);
        changed = true;
    }
    const char *cur = man.incr[man.nincr - 1].name;
    aof_fd = open_incr(cur);
    if (aof_fd < 0) return -1;
    if (changed && manifest_persist(&man) != 0) return -1;
    incr_size = file_size(cur);
    selected_db = -1;
    last_fsync_ms = server_now_ms();
    ps.aof_state = AOF_ON;
    if (man.nhist) delete_history_files();
    return 0;
}

/* ---------------------------------------------------------------- rewrite */

static char rewrite_tmp[600];  /* the child's temp base, in the parent */
static bool rewrite_rdb;       /* the format the child was asked to write */

static void rewrite_done(bool ok, bool by_signal);

/* Fork the rewrite child. 0 started, -1 (logged) not. */
static int rewrite_start(void) {
    if (child_active()) {
        errno = EBUSY;
        return -1;
    }
    if (mkdir(cfg.appenddirname, 0755) != 0 && errno != EEXIST) return -1;
    aof_flush(true);
    if (ps.aof_state == AOF_WAIT_REWRITE) {
        /* Writes made while the first base is written go to a temp incr file, which only
         * becomes part of the AOF (in the manifest) once that base exists. */
        char path[1024], name[600];
        snprintf(name, sizeof(name), "temp-%s.incr", cfg.appendfilename);
        path_in_dir(path, sizeof(path), name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            log_errno(LOG_WARN, errno, "Can't open the append-only file %s", name);
            return -1;
        }
        close_aof_fd();
        aof_fd = fd;
        wait_rewrite_temp = true;
        incr_size = 0;
        written_unsynced = 0;
        selected_db = -1;
    } else if (open_new_incr() != 0) {
        return -1;
    }
    rewrite_rdb = cfg.aof_use_rdb_preamble != 0;
    child_set_done_handler(CHILD_AOF, rewrite_done);
    pid_t pid = child_fork(CHILD_AOF);
    if (pid < 0) {
        log_errno(LOG_WARN, errno, "Can't rewrite append only file in background: fork");
        ps.aof_last_bgrewrite_ok = false;
        return -1;
    }
    if (pid == 0) {
        char tmp[600], fin[600];
        snprintf(tmp, sizeof(tmp), "temp-rewriteaof-%d.aof", (int)getpid());
        snprintf(fin, sizeof(fin), "temp-rewriteaof-bg-%d.aof", (int)getpid());
        bool rdb;
        if (write_base_file(tmp, true, &rdb) != 0 || rename(tmp, fin) != 0) {
            log_errno(LOG_WARN, errno, "Write error writing append only file on disk");
            unlink(tmp);
            child_exit(false);
        }
        /* tell the parent which format it got: a .aof base when the RDB writer fell back */
        if (!rdb && rewrite_rdb) {
            char flag[640];
            snprintf(flag, sizeof(flag), "%s.cmds", fin);
            int fd = open(flag, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) close(fd);
        }
        log_notice("Successfully created the temporary AOF base file %s", fin);
        child_exit(true);
    }
    snprintf(rewrite_tmp, sizeof(rewrite_tmp), "temp-rewriteaof-bg-%d.aof", (int)pid);
    ps.aof_rewrite_scheduled = false;
    log_notice("Background append only file rewriting started by pid %d", (int)pid);
    return 0;
}

static int64_t rewrite_started_ms;

static void rewrite_done(bool ok, bool by_signal) {
    char flag[640];
    snprintf(flag, sizeof(flag), "%s.cmds", rewrite_tmp);
    bool rdb = rewrite_rdb;
    if (access(flag, F_OK) == 0) {
        rdb = false;
        unlink(flag);
    }
    ps.aof_last_cow_size = ps.current_cow_size;
    if (ok && !by_signal) {
        aof_flush(true);
        int r = 0;
        if (wait_rewrite_temp) {
            /* the temp incr becomes the first incr file after the new base */
            char tname[600], tpath[1024], name[600], path[1024];
            snprintf(tname, sizeof(tname), "temp-%s.incr", cfg.appendfilename);
            path_in_dir(tpath, sizeof(tpath), tname);
            incr_name(name, sizeof(name), man.incr_seq + 1);
            path_in_dir(path, sizeof(path), name);
            for (int i = 0; i < man.nincr; i++) {
                list_push(&man.hist, &man.nhist, man.incr[i].name, man.incr[i].seq, 'h');
                file_free(&man.incr[i]);
            }
            man.nincr = 0;
            if (rename(tpath, path) != 0) {
                log_errno(LOG_WARN, errno, "Error trying to rename the temporary AOF incr file");
                r = -1;
            } else {
                list_push(&man.incr, &man.nincr, name, ++man.incr_seq, 'i');
            }
        }
        if (r == 0) r = install_base(rewrite_tmp, rdb);
        if (r == 0) r = manifest_persist(&man);
        if (r == 0) {
            fsync_dir(cfg.appenddirname);
            wait_rewrite_temp = false;
            ps.aof_state = AOF_ON;
            ps.aof_last_bgrewrite_ok = true;
            ps.aof_rewrites++;
            ps.aof_rewrites_consecutive_failures = 0;
            ps.aof_base_size = file_size(man.base.name);
            ps.aof_current_size = ps.aof_base_size + incr_size;
            ps.aof_last_rewrite_time_sec = (server_now_ms() - rewrite_started_ms) / 1000;
            log_notice("Background AOF rewrite terminated with success");
            log_notice("Background AOF rewrite finished successfully");
            delete_history_files();
            return;
        }
        /* the manifest on disk still names the old files: forget what we changed */
        man_ready = false;
        manifest_ensure_loaded();
    } else if (by_signal) {
        log_warn("Background AOF rewrite terminated by signal");
    } else {
        log_warn("Background AOF rewrite terminated with error");
    }
    unlink(rewrite_tmp);
    char tmp[600];
    snprintf(tmp, sizeof(tmp), "temp-rewriteaof-%s", rewrite_tmp + strlen("temp-rewriteaof-bg-"));
    unlink(tmp);
    ps.aof_last_bgrewrite_ok = false;
    ps.aof_rewrites_consecutive_failures++;
    ps.aof_last_rewrite_time_sec = (server_now_ms() - rewrite_started_ms) / 1000;
    if (ps.aof_state == AOF_WAIT_REWRITE) ps.aof_rewrite_scheduled = true; /* try again */
}

static int rewrite_begin(void) {
    int r = rewrite_start();
    if (r == 0) rewrite_started_ms = server_now_ms();
    return r;
}

void cmd_bgrewriteaof(Client *c) {
    if (child_active_type() == CHILD_AOF) {
        reply_error(c, "ERR Background append only file rewriting already in progress");
        return;
    }
    if (child_active()) {
        ps.aof_rewrite_scheduled = true;
        reply_simple(c, "Background append only file rewriting scheduled");
        return;
    }
    if (!man_ready) manifest_ensure_loaded();
    if (rewrite_begin() != 0) {
        reply_error(c, "ERR Can't execute an AOF background rewriting. Please check the server "
                       "logs for more information.");
        return;
    }
    reply_simple(c, "Background append only file rewriting started");
}

/* ---------------------------------------------------------------- cron, config, shutdown */

void aof_cron(void) {
    int e = atomic_load(&bio_fsync_errno);
    if (e != 0 && ps.aof_state != AOF_OFF) {
        if (ps.aof_last_write_ok)
            log_warn("Error writing to the AOF file: %s", strerror(e));
        ps.aof_last_write_ok = false;
        ps.aof_last_write_errno = e;
        atomic_store(&bio_fsync_errno, 0);
    }
    if (ps.aof_state != AOF_OFF && (postponed_since_ms || !ps.aof_last_write_ok || abuf.len))
        aof_flush(false);
    ps.aof_pending_bio_fsync = atomic_load(&bio_pending);
    if (child_active()) return;
    if (ps.aof_rewrite_scheduled) {
        rewrite_begin(); /* on failure it stays scheduled for the next round */
        return;
    }
    if (ps.aof_state == AOF_ON && cfg.auto_aof_rewrite_percentage > 0 &&
        ps.aof_current_size > cfg.auto_aof_rewrite_min_size) {
        long long base = ps.aof_base_size ? ps.aof_base_size : 1;
        long long growth = (ps.aof_current_size * 100 / base) - 100;
        if (growth >= cfg.auto_aof_rewrite_percentage) {
            log_notice("Starting automatic rewriting of AOF on %lld%% growth", growth);
            rewrite_begin();
        }
    }
}

const char *aof_apply_enabled(bool on) {
    if (!inited && (!srv.loop || ps.loading)) return NULL; /* start-up: persist.c opens it */
    inited = true;
    if (on && ps.aof_state == AOF_OFF) {
        manifest_ensure_loaded();
        ps.aof_state = AOF_WAIT_REWRITE;
        if (child_active()) {
            ps.aof_rewrite_scheduled = true;
        } else if (rewrite_begin() != 0) {
            ps.aof_state = AOF_OFF;
            return "Unable to turn on AOF. Check server logs.";
        }
    } else if (!on && ps.aof_state != AOF_OFF) {
        if (child_active_type() == CHILD_AOF) child_kill();
        aof_flush(true);
        if (aof_fd >= 0) {
            if (cfg.appendfsync != AOF_FSYNC_NO) fdatasync(aof_fd);
            close(aof_fd);
            aof_fd = -1;
        }
        if (wait_rewrite_temp) {
            char tname[600], tpath[1024];
            snprintf(tname, sizeof(tname), "temp-%s.incr", cfg.appendfilename);
            path_in_dir(tpath, sizeof(tpath), tname);
            unlink(tpath);
            wait_rewrite_temp = false;
        }
        buf_clear(&abuf);
        ps.aof_buffer_length = 0;
        ps.aof_rewrite_scheduled = false;
        ps.aof_state = AOF_OFF;
    }
    return NULL;
}

void aof_shutdown(void) {
    if (aof_fd < 0) return;
    aof_flush(true);
    bio_drain();
    if (fdatasync(aof_fd) != 0) log_errno(LOG_WARN, errno, "Error syncing the AOF on shutdown");
    close(aof_fd);
    aof_fd = -1;
}
