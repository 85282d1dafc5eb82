/* rdb.c - the RDB format of Redis 7.0 (version 10): the writer and the loader (see rdb.h).
 *
 * File layout (all lengths in RDB's length encoding, strings as length + bytes, integers
 * or LZF blobs; multi-byte fixed fields little-endian except the length encodings):
 *
 *   "REDIS0010"
 *   AUX(250) name value ...        redis-ver, redis-bits, ctime, used-mem, [repl-*], aof-base
 *   SELECTDB(254) id  RESIZEDB(251) keys expires
 *     [EXPIRETIME_MS(252) ms]  type  key  value      one per key
 *   ...
 *   EOF(255)  crc64 (8 bytes LE; 0 when rdbchecksum is off)
 *
 * Length encoding (first byte's two top bits): 00 6-bit, 01 14-bit (big-endian with the next
 * byte), 10 000000 then 32-bit big-endian, 10 000001 then 64-bit big-endian, 11 a special
 * string encoding: 0 INT8, 1 INT16, 2 INT32 (little-endian), 3 LZF (compressed length,
 * original length, compressed bytes).
 *
 * The writer goes through RdbWriter (a 64 KB buffer over an fd, running CRC); the loader
 * through RdbReader (a 64 KB buffer, exact offsets for messages and for rdb_load_fd's
 * *consumed). Values are built through the type modules' own APIs so a loaded value obeys
 * the current *-max-listpack-* settings as if its elements had been added one by one. */
#include "server/rdb.h"

#include "common/hash.h"
#include "common/intset.h"
#include "common/listpack.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "common/vg.h"
#include "server/childproc.h"
#include "server/db.h"
#include "server/object.h"
#include "server/persist.h"
#include "server/quicklist.h"
#include "server/rdb_legacy.h"
#include "server/server.h"
#include "server/t_hash.h"
#include "server/t_set.h"
#include "server/t_zset.h"
#include "server/zset_skiplist.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lzf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Types and opcodes (Redis 7.0 rdb.h; 20 and 21 are Redis 7.2's). */
enum {
    RDB_TYPE_STRING = 0,
    RDB_TYPE_LIST = 1,
    RDB_TYPE_SET = 2,
    RDB_TYPE_ZSET = 3,
    RDB_TYPE_HASH = 4,
    RDB_TYPE_ZSET_2 = 5,
    RDB_TYPE_MODULE_PRE_GA = 6,
    RDB_TYPE_MODULE_2 = 7,
    RDB_TYPE_HASH_ZIPMAP = 9,
    RDB_TYPE_LIST_ZIPLIST = 10,
    RDB_TYPE_SET_INTSET = 11,
    RDB_TYPE_ZSET_ZIPLIST = 12,
    RDB_TYPE_HASH_ZIPLIST = 13,
    RDB_TYPE_LIST_QUICKLIST = 14,
    RDB_TYPE_STREAM_LISTPACKS = 15,
    RDB_TYPE_HASH_LISTPACK = 16,
    RDB_TYPE_ZSET_LISTPACK = 17,
    RDB_TYPE_LIST_QUICKLIST_2 = 18,
    RDB_TYPE_STREAM_LISTPACKS_2 = 19,
    RDB_TYPE_SET_LISTPACK = 20,
    RDB_TYPE_STREAM_LISTPACKS_3 = 21,
};

enum {
    RDB_OPCODE_FUNCTION2 = 245,
    RDB_OPCODE_FUNCTION_PRE_GA = 246,
    RDB_OPCODE_MODULE_AUX = 247,
    RDB_OPCODE_IDLE = 248,
    RDB_OPCODE_FREQ = 249,
    RDB_OPCODE_AUX = 250,
    RDB_OPCODE_RESIZEDB = 251,
    RDB_OPCODE_EXPIRETIME_MS = 252,
    RDB_OPCODE_EXPIRETIME = 253,
    RDB_OPCODE_SELECTDB = 254,
    RDB_OPCODE_EOF = 255,
};

enum {
    RDB_6BITLEN = 0,
    RDB_14BITLEN = 1,
    RDB_32BITLEN = 0x80,
    RDB_64BITLEN = 0x81,
    RDB_ENCVAL = 3,
    RDB_ENC_INT8 = 0,
    RDB_ENC_INT16 = 1,
    RDB_ENC_INT32 = 2,
    RDB_ENC_LZF = 3,
};

enum { QUICKLIST_NODE_CONTAINER_PLAIN = 1, QUICKLIST_NODE_CONTAINER_PACKED = 2 };

#define RDB_IO_BUF            (64 * 1024)
#define RDB_FSYNC_EVERY       (4 * 1024 * 1024)
#define RDB_PROGRESS_EVERY    1024

/* ==========================================================================================
 * Writing */

typedef struct RdbWriter {
    int fd;
    size_t used;
    uint64_t crc;
    bool checksum;
    bool incremental_fsync;
    long long written;          /* bytes handed to write() so far */
    long long since_fsync;
    unsigned char buf[RDB_IO_BUF];
} RdbWriter;

/* Write the buffer out (running the CRC over it first). 0, or -1 with errno set. */
static int wr_flush(RdbWriter *w) {
    if (w->used == 0) return 0;
    if (w->checksum) w->crc = hash_crc64(w->crc, w->buf, w->used);
    size_t off = 0;
    while (off < w->used) {
        ssize_t n = write(w->fd, w->buf + off, w->used - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        off += (size_t)n;
    }
    w->written += (long long)w->used;
    w->since_fsync += (long long)w->used;
    w->used = 0;
    if (w->incremental_fsync && w->since_fsync >= RDB_FSYNC_EVERY) {
        /* keep the kernel's dirty pages bounded so the final fsync does not stall */
        if (fsync(w->fd) != 0 && errno != EINVAL) return -1;
        w->since_fsync = 0;
    }
    return 0;
}

static int wr_raw(RdbWriter *w, const void *p, size_t len) {
    const unsigned char *s = p;
    while (len > 0) {
        if (w->used == RDB_IO_BUF && wr_flush(w) != 0) return -1;
        size_t room = RDB_IO_BUF - w->used;
        size_t n = len < room ? len : room;
        memcpy(w->buf + w->used, s, n);
        w->used += n;
        s += n;
        len -= n;
    }
    return 0;
}

static int wr_byte(RdbWriter *w, unsigned char b) {
    return wr_raw(w, &b, 1);
}

static int wr_len(RdbWriter *w, uint64_t len) {
    unsigned char b[9];
    size_t n;
    if (len < (1u << 6)) {
        b[0] = (unsigned char)(len | (RDB_6BITLEN << 6));
        n = 1;
    } else if (len < (1u << 14)) {
        b[0] = (unsigned char)(((len >> 8) & 0x3f) | (RDB_14BITLEN << 6));
        b[1] = (unsigned char)(len & 0xff);
        n = 2;
    } else if (len <= UINT32_MAX) {
        b[0] = RDB_32BITLEN;
        for (int i = 0; i < 4; i++)
            b[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        n = 5;
    } else {
        b[0] = RDB_64BITLEN;
        for (int i = 0; i < 8; i++)
            b[1 + i] = (unsigned char)(len >> (56 - 8 * i));
        n = 9;
    }
    return wr_raw(w, b, n);
}

/* Redis's rdbEncodeInteger: the INT8/16/32 special encodings, or 0 when v needs more. */
static size_t encode_integer(long long v, unsigned char *enc) {
    if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
        enc[1] = (unsigned char)(v & 0xff);
        return 2;
    }
    if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
        enc[1] = (unsigned char)(v & 0xff);
        enc[2] = (unsigned char)((v >> 8) & 0xff);
        return 3;
    }
    if (v >= -((long long)1 << 31) && v <= ((long long)1 << 31) - 1) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
        for (int i = 0; i < 4; i++)
            enc[1 + i] = (unsigned char)((v >> (8 * i)) & 0xff);
        return 5;
    }
    return 0;
}

/* An integer as Redis's rdbSaveLongLongAsStringObject: special encoding when it fits
 * 32 bits, else its decimal text. */
static int wr_ll_string(RdbWriter *w, long long v) {
    unsigned char enc[5];
    size_t n = encode_integer(v, enc);
    if (n > 0) return wr_raw(w, enc, n);
    char buf[32];
    int len = util_ll_to_str(buf, v);
    if (wr_len(w, (uint64_t)len) != 0) return -1;
    return wr_raw(w, buf, (size_t)len);
}

/* Redis's rdbSaveRawString: integer encoding for short canonical integers, LZF when
 * rdbcompression is on and it saves at least 4 bytes, else length + bytes. */
static int wr_string(RdbWriter *w, const void *p, size_t len) {
    if (len <= 11) {
        long long v;
        char canon[32];
        if (len > 0 && util_str_to_ll(p, len, &v) && (size_t)util_ll_to_str(canon, v) == len &&
            memcmp(canon, p, len) == 0) {
            unsigned char enc[5];
            size_t n = encode_integer(v, enc);
            if (n > 0) return wr_raw(w, enc, n);
        }
    }
    if (cfg.rdbcompression && len > 20) {
        size_t outlen = len - 4;
        unsigned char *out = mem_alloc(outlen + 1);
        unsigned int clen = lzf_compress(p, (unsigned int)len, out, (unsigned int)outlen);
        if (clen > 0 && len <= UINT_MAX) {
            int r = wr_byte(w, (RDB_ENCVAL << 6) | RDB_ENC_LZF);
            if (r == 0) r = wr_len(w, clen);
            if (r == 0) r = wr_len(w, len);
            if (r == 0) r = wr_raw(w, out, clen);
            mem_free(out);
            return r;
        }
        mem_free(out);
    }
    if (wr_len(w, len) != 0) return -1;
    return wr_raw(w, p, len);
}

static int wr_cstr(RdbWriter *w, const char *s) {
    return wr_string(w, s, strlen(s));
}

static int wr_aux(RdbWriter *w, const char *name, const char *val) {
    if (wr_byte(w, RDB_OPCODE_AUX) != 0 || wr_cstr(w, name) != 0) return -1;
    return wr_cstr(w, val);
}

static int wr_aux_ll(RdbWriter *w, const char *name, long long v) {
    char buf[32];
    util_ll_to_str(buf, v);
    return wr_aux(w, name, buf);
}

static int wr_binary_double(RdbWriter *w, double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(u >> (8 * i));
    return wr_raw(w, b, 8);
}

static int wr_type_and_value(RdbWriter *w, Kv *kv) {
    switch (kv->type) {
    case OBJ_STRING: {
        if (wr_byte(w, RDB_TYPE_STRING) != 0 || wr_string(w, kv->key, kv->keylen) != 0) return -1;
        if (kv->encoding == ENC_INT) return wr_ll_string(w, kv->v.ival);
        size_t len;
        char nb[32];
        const char *s = kv_str(kv, &len, nb);
        return wr_string(w, s, len);
    }
    case OBJ_LIST: {
        const Quicklist *ql = kv->v.ptr;
        if (wr_byte(w, RDB_TYPE_LIST_QUICKLIST_2) != 0 || wr_string(w, kv->key, kv->keylen) != 0 ||
            wr_len(w, ql->len) != 0)
            return -1;
        for (const QlNode *n = ql->head; n; n = n->next) {
            if (wr_len(w, QUICKLIST_NODE_CONTAINER_PACKED) != 0 ||
                wr_string(w, n->lp, lp_bytes(n->lp)) != 0)
                return -1;
        }
        return 0;
    }
    case OBJ_SET: {
        if (kv->encoding == ENC_INTSET) {
            if (wr_byte(w, RDB_TYPE_SET_INTSET) != 0 || wr_string(w, kv->key, kv->keylen) != 0)
                return -1;
            return wr_string(w, kv->v.ptr, intset_blob_len(kv->v.ptr));
        }
        /* Redis 7.0 has no listpack sets: a listpack set is written as a plain one */
        if (wr_byte(w, RDB_TYPE_SET) != 0 || wr_string(w, kv->key, kv->keylen) != 0 ||
            wr_len(w, set_size(kv)) != 0)
            return -1;
        SetIter it;
        const char *s;
        size_t len;
        long long v;
        int r = 0;
        set_iter_init(&it, kv);
        while (r == 0 && set_iter_next(&it, &s, &len, &v)) {
            if (s) {
                r = wr_string(w, s, len);
            } else {
                char buf[32];
                r = wr_string(w, buf, (size_t)util_ll_to_str(buf, v));
            }
        }
        set_iter_deinit(&it);
        return r;
    }
    case OBJ_HASH: {
        if (kv->encoding == ENC_LISTPACK) {
            if (wr_byte(w, RDB_TYPE_HASH_LISTPACK) != 0 || wr_string(w, kv->key, kv->keylen) != 0)
                return -1;
            return wr_string(w, kv->v.ptr, lp_bytes(kv->v.ptr));
        }
        if (wr_byte(w, RDB_TYPE_HASH) != 0 || wr_string(w, kv->key, kv->keylen) != 0 ||
            wr_len(w, hash_length(kv)) != 0)
            return -1;
        HashIter it;
        const char *f, *v;
        size_t flen, vlen;
        int r = 0;
        hash_iter_init(&it, kv);
        while (r == 0 && hash_iter_next(&it, &f, &flen, &v, &vlen)) {
            r = wr_string(w, f, flen);
            if (r == 0) r = wr_string(w, v, vlen);
        }
        hash_iter_deinit(&it);
        return r;
    }
    case OBJ_ZSET: {
        if (kv->encoding == ENC_LISTPACK) {
            if (wr_byte(w, RDB_TYPE_ZSET_LISTPACK) != 0 || wr_string(w, kv->key, kv->keylen) != 0)
                return -1;
            return wr_string(w, kv->v.ptr, lp_bytes(kv->v.ptr));
        }
        const ZSet *zs = kv->v.ptr;
        if (wr_byte(w, RDB_TYPE_ZSET_2) != 0 || wr_string(w, kv->key, kv->keylen) != 0 ||
            wr_len(w, zs->length) != 0)
            return -1;
        /* tail to head, as Redis does: loading then inserts each member at the head of the
         * skiplist, the cheap end */
        for (const ZslNode *n = zs->tail; n; n = n->backward) {
            if (wr_string(w, zsl_node_ele(n), n->len) != 0 || wr_binary_double(w, n->score) != 0)
                return -1;
        }
        return 0;
    }
    default:
        errno = EINVAL;
        return -1;
    }
}

static long long total_keys(void) {
    long long n = 0;
    for (int i = 0; i < srv.ndbs; i++)
        n += db_size(&srv.dbs[i]);
    return n;
}

int rdb_save_fd(int fd, const RdbSaveInfo *rsi, bool in_child) {
    RdbWriter *w = mem_alloc(sizeof(*w));
    w->fd = fd;
    w->used = 0;
    w->crc = 0;
    w->checksum = cfg.rdbchecksum != 0;
    w->incremental_fsync = cfg.rdb_save_incremental_fsync != 0;
    w->written = 0;
    w->since_fsync = 0;

    long long total = in_child ? total_keys() : 0, done = 0;
    char magic[16];
    snprintf(magic, sizeof(magic), "REDIS%04d", RDB_VERSION);
    int r = wr_raw(w, magic, 9);
    if (r == 0) r = wr_aux(w, "redis-ver", VIGIL_REDIS_VERSION);
    if (r == 0) r = wr_aux_ll(w, "redis-bits", (long long)(sizeof(void *) * 8));
    if (r == 0) r = wr_aux_ll(w, "ctime", (long long)time(NULL));
    if (r == 0) r = wr_aux_ll(w, "used-mem", (long long)mem_used_bytes());
    if (r == 0 && rsi && rsi->repl_id) {
        r = wr_aux_ll(w, "repl-stream-db", rsi->repl_stream_db);
        if (r == 0) r = wr_aux(w, "repl-id", rsi->repl_id);
        if (r == 0) r = wr_aux_ll(w, "repl-offset", rsi->repl_offset);
    }
    if (r == 0) r = wr_aux_ll(w, "aof-base", rsi && rsi->aof_base ? 1 : 0);

    for (int i = 0; r == 0 && i < srv.ndbs; i++) {
        Db *db = &srv.dbs[i];
        if (db_size(db) == 0) continue;
        r = wr_byte(w, RDB_OPCODE_SELECTDB);
        if (r == 0) r = wr_len(w, (uint64_t)i);
        if (r == 0) r = wr_byte(w, RDB_OPCODE_RESIZEDB);
        if (r == 0) r = wr_len(w, (uint64_t)db_size(db));
        if (r == 0) r = wr_len(w, (uint64_t)db_expires_size(db));
        DictIter it;
        dict_iter_init(&it, &db->keys, false);
        DictNode *n;
        while (r == 0 && (n = dict_iter_next(&it)) != NULL) {
            Kv *kv = (Kv *)n;
            if (kv->has_expire) {
                int64_t when = db_get_expire(db, kv);
                if (when >= 0) {
                    unsigned char b[9];
                    b[0] = RDB_OPCODE_EXPIRETIME_MS;
                    for (int k = 0; k < 8; k++)
                        b[1 + k] = (unsigned char)((uint64_t)when >> (8 * k));
                    r = wr_raw(w, b, 9);
                }
            }
            if (r == 0) r = wr_type_and_value(w, kv);
            if (in_child) {
                done++;
                if (done % RDB_PROGRESS_EVERY == 0) child_report_progress(done, total);
                if (cfg.rdb_key_save_delay_us > 0) usleep((useconds_t)cfg.rdb_key_save_delay_us);
            }
        }
        dict_iter_deinit(&it);
    }
    if (r == 0) r = wr_byte(w, RDB_OPCODE_EOF);
    if (r == 0) r = wr_flush(w);
    if (r == 0) {
        /* the trailer is not part of what it checks */
        unsigned char b[8];
        uint64_t crc = w->checksum ? w->crc : 0;
        for (int k = 0; k < 8; k++)
            b[k] = (unsigned char)(crc >> (8 * k));
        bool checksum = w->checksum;
        w->checksum = false;
        r = wr_raw(w, b, 8);
        if (r == 0) r = wr_flush(w);
        w->checksum = checksum;
    }
    if (in_child && r == 0) child_report_progress(done, total);
    int saved_errno = errno;
    mem_free(w);
    errno = saved_errno;
    return r == 0 ? 0 : -1;
}

/* The directory part of path ("." when it has none). */
static void path_dir(const char *path, char *out, size_t cap) {
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(out, cap, ".");
    } else if (slash == path) {
        snprintf(out, cap, "/");
    } else {
        snprintf(out, cap, "%.*s", (int)(slash - path), path);
    }
}

static void fsync_dir(const char *dir) {
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd < 0) return;
    (void)fsync(dfd); /* best effort, as Redis's fsyncFileDir treats EBADF/EINVAL */
    close(dfd);
}

int rdb_save_file(const char *path, const RdbSaveInfo *rsi, bool in_child) {
    char dir[PATH_MAX], tmp[PATH_MAX + 64];
    path_dir(path, dir, sizeof(dir));
    snprintf(tmp, sizeof(tmp), "%s/temp-%d.rdb", dir, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd))) snprintf(cwd, sizeof(cwd), "unknown");
        log_warn("Failed opening the temp RDB file %s (in server root dir %s) for saving: %s", tmp,
                 cwd, strerror(e));
        errno = e;
        return -1;
    }
    if (rdb_save_fd(fd, rsi, in_child) != 0 || fsync(fd) != 0) {
        int e = errno;
        log_warn("Write error saving DB on disk: %s", strerror(e));
        close(fd);
        unlink(tmp);
        errno = e;
        return -1;
    }
    if (close(fd) != 0) {
        int e = errno;
        log_warn("Write error saving DB on disk: %s", strerror(e));
        unlink(tmp);
        errno = e;
        return -1;
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd))) snprintf(cwd, sizeof(cwd), "unknown");
        log_warn("Error moving temp DB file %s on the final destination %s (in server root dir "
                 "%s): %s",
                 tmp, path, cwd, strerror(e));
        unlink(tmp);
        errno = e;
        return -1;
    }
    fsync_dir(dir);
    if (!in_child) log_notice("DB saved on disk");
    return 0;
}

/* ==========================================================================================
 * Loading */

typedef struct RdbReader {
    int fd;
    const char *name;
    unsigned char *buf;
    size_t pos, len;     /* buf[pos..len) read from fd but not consumed yet */
    long long off;       /* bytes of the image consumed so far */
    long long base;      /* fd position where the image starts (progress reports) */
    long long avail;     /* bytes from the start of the image to the end of the file */
    long long item_off;  /* where the item being read starts: what messages name */
    uint64_t crc;
    bool checksum;
    bool eof;
    char *err;
    size_t errlen;
} RdbReader;

/* Record the first error, "<file> at offset <n>: <what>". Always returns -1. */
static int VG_PRINTF(2, 3) rd_fail(RdbReader *r, const char *fmt, ...) {
    if (r->err[0] != '\0') return -1;
    char what[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s at offset %lld: %s", r->name, r->item_off, what);
    return -1;
}

static int rd_fill(RdbReader *r) {
    if (r->pos > 0 && r->pos < r->len) memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->pos = 0;
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->len, RDB_IO_BUF - r->len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return rd_fail(r, "read error: %s", strerror(errno));
        if (n == 0) {
            r->eof = true;
            return rd_fail(r, "Unexpected EOF reading RDB file");
        }
        r->len += (size_t)n;
        return 0;
    }
}

static int rd_read(RdbReader *r, void *dst, size_t n) {
    unsigned char *d = dst;
    while (n > 0) {
        if (r->pos == r->len && rd_fill(r) != 0) return -1;
        size_t have = r->len - r->pos;
        size_t k = n < have ? n : have;
        memcpy(d, r->buf + r->pos, k);
        if (r->checksum) r->crc = hash_crc64(r->crc, d, k);
        r->pos += k;
        r->off += (long long)k;
        d += k;
        n -= k;
    }
    return 0;
}

static int rd_byte(RdbReader *r, unsigned char *b) {
    return rd_read(r, b, 1);
}

/* Bytes still in the file after what was consumed (a bound for claimed lengths). */
static uint64_t rd_remaining(const RdbReader *r) {
    return r->avail > r->off ? (uint64_t)(r->avail - r->off) : 0;
}

/* A length, or (*encoded set) a special string encoding number. */
static int rd_len_enc(RdbReader *r, uint64_t *len, bool *encoded) {
    unsigned char b[8];
    if (rd_byte(r, b) != 0) return -1;
    int kind = (b[0] & 0xc0) >> 6;
    if (encoded) *encoded = false;
    if (kind == RDB_ENCVAL) {
        if (!encoded) return rd_fail(r, "Unexpected string encoding where a length was expected");
        *encoded = true;
        *len = b[0] & 0x3f;
        return 0;
    }
    if (kind == RDB_6BITLEN) {
        *len = b[0] & 0x3f;
        return 0;
    }
    if (kind == RDB_14BITLEN) {
        unsigned char c;
        if (rd_byte(r, &c) != 0) return -1;
        *len = ((uint64_t)(b[0] & 0x3f) << 8) | c;
        return 0;
    }
    size_t n;
    if (b[0] == RDB_32BITLEN) {
        n = 4;
    } else if (b[0] == RDB_64BITLEN) {
        n = 8;
    } else {
        return rd_fail(r, "Unknown length encoding %d in rdbLoadLen()", b[0]);
    }
    if (rd_read(r, b, n) != 0) return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | b[i];
    *len = v;
    return 0;
}

static int rd_len(RdbReader *r, uint64_t *len) {
    return rd_len_enc(r, len, NULL);
}

/* A string in any of its encodings: *out gets a mem_alloc'd, NUL-terminated copy the
 * caller frees (integers come back as their decimal text). */
static int rd_string(RdbReader *r, char **out, size_t *outlen) {
    uint64_t len = 0;
    bool encoded;
    *out = NULL;
    if (rd_len_enc(r, &len, &encoded) != 0) return -1;
    if (encoded) {
        unsigned char b[4];
        long long v;
        switch (len) {
        case RDB_ENC_INT8:
            if (rd_read(r, b, 1) != 0) return -1;
            v = (int8_t)b[0];
            break;
        case RDB_ENC_INT16:
            if (rd_read(r, b, 2) != 0) return -1;
            v = (int16_t)(uint16_t)(b[0] | (b[1] << 8));
            break;
        case RDB_ENC_INT32:
            if (rd_read(r, b, 4) != 0) return -1;
            v = (int32_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
                          ((uint32_t)b[3] << 24));
            break;
        case RDB_ENC_LZF: {
            uint64_t clen, ulen;
            if (rd_len(r, &clen) != 0 || rd_len(r, &ulen) != 0) return -1;
            if (clen > rd_remaining(r)) return rd_fail(r, "Unexpected EOF reading RDB file");
            /* LZF expands at most ~100x: a larger claim is garbage, not a reason to allocate */
            if (ulen == 0 || ulen > clen * 128 + 64 || ulen > UINT_MAX)
                return rd_fail(r, "Invalid LZF compressed string");
            char *c = mem_alloc(clen ? clen : 1);
            if (rd_read(r, c, clen) != 0) {
                mem_free(c);
                return -1;
            }
            char *u = mem_alloc(ulen + 1);
            unsigned int got = lzf_decompress(c, (unsigned int)clen, u, (unsigned int)ulen);
            mem_free(c);
            if (got != ulen) {
                mem_free(u);
                return rd_fail(r, "Invalid LZF compressed string");
            }
            u[ulen] = '\0';
            *out = u;
            *outlen = ulen;
            return 0;
        }
        default:
            return rd_fail(r, "Unknown RDB string encoding type %d", (int)len);
        }
        char *s = mem_alloc(24);
        *outlen = (size_t)util_ll_to_str(s, v);
        *out = s;
        return 0;
    }
    if (len > rd_remaining(r)) return rd_fail(r, "Unexpected EOF reading RDB file");
    char *s = mem_alloc(len + 1);
    if (rd_read(r, s, len) != 0) {
        mem_free(s);
        return -1;
    }
    s[len] = '\0';
    *out = s;
    *outlen = len;
    return 0;
}

static int rd_binary_double(RdbReader *r, double *d) {
    unsigned char b[8];
    if (rd_read(r, b, 8) != 0) return -1;
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = (u << 8) | b[i];
    memcpy(d, &u, sizeof(*d));
    return 0;
}

/* RDB_TYPE_ZSET's scores: a length byte, 253 nan, 254 +inf, 255 -inf, else that much text. */
static int rd_string_double(RdbReader *r, double *d) {
    unsigned char n;
    char buf[256];
    if (rd_byte(r, &n) != 0) return -1;
    if (n == 253) {
        *d = NAN;
        return 0;
    }
    if (n == 254) {
        *d = INFINITY;
        return 0;
    }
    if (n == 255) {
        *d = -INFINITY;
        return 0;
    }
    if (rd_read(r, buf, n) != 0) return -1;
    buf[n] = '\0';
    char *end;
    *d = strtod(buf, &end);
    if (n == 0 || *end != '\0') return rd_fail(r, "Invalid double value");
    return 0;
}

/* Number of elements of a loaded aggregate (legacy conversions may yield empty ones). */
static unsigned long kv_elements(const Kv *kv) {
    switch (kv->type) {
    case OBJ_LIST:
        return ((const Quicklist *)kv->v.ptr)->count;
    case OBJ_SET:
        return set_size(kv);
    case OBJ_HASH:
        return hash_length(kv);
    case OBJ_ZSET:
        return zset_length(kv);
    default:
        return 1;
    }
}

static Kv *list_kv_new(const char *key, size_t klen) {
    return kv_new_ptr(key, klen, OBJ_LIST, ENC_QUICKLIST,
                      ql_new((int)cfg.list_max_listpack_size));
}

/* A hint for a table's size from a count the file claims: never more than the bytes left,
 * so a garbled count cannot make us allocate a huge table. */
static uint64_t rd_hint(const RdbReader *r, uint64_t n) {
    uint64_t rem = rd_remaining(r);
    return n < rem ? n : rem;
}

/* Read a blob and check it as a listpack (deep). */
static int rd_listpack(RdbReader *r, unsigned char **lp, size_t *len) {
    char *s;
    if (rd_string(r, &s, len) != 0) return -1;
    if (!lp_validate((unsigned char *)s, *len, true)) {
        mem_free(s);
        return rd_fail(r, "Listpack integrity check failed.");
    }
    *lp = (unsigned char *)s;
    return 0;
}

/* Load the value of a key of RDB type `type`. 0 with *out set (NULL: an empty collection,
 * which Redis skips), or -1 after rd_fail. */
static int rd_object(RdbReader *r, int type, const char *key, size_t klen, Kv **out) {
    Kv *kv = NULL;
    char *s = NULL, *s2 = NULL;
    size_t len, len2;
    uint64_t n;
    *out = NULL;
    switch (type) {
    case RDB_TYPE_STRING:
        if (rd_string(r, &s, &len) != 0) return -1;
        kv = kv_new_string(key, klen, s, len);
        break;
    case RDB_TYPE_LIST:
        if (rd_len(r, &n) != 0) return -1;
        kv = list_kv_new(key, klen);
        for (uint64_t i = 0; i < n; i++) {
            if (rd_string(r, &s, &len) != 0) goto fail;
            ql_push(kv->v.ptr, s, len, QL_TAIL);
            mem_free(s);
            s = NULL;
        }
        break;
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2:
        if (rd_len(r, &n) != 0) return -1;
        kv = list_kv_new(key, klen);
        for (uint64_t i = 0; i < n; i++) {
            uint64_t container = QUICKLIST_NODE_CONTAINER_PACKED;
            if (type == RDB_TYPE_LIST_QUICKLIST_2) {
                if (rd_len(r, &container) != 0) goto fail;
                if (container != QUICKLIST_NODE_CONTAINER_PACKED &&
                    container != QUICKLIST_NODE_CONTAINER_PLAIN) {
                    rd_fail(r, "Quicklist integrity check failed.");
                    goto fail;
                }
            }
            if (rd_string(r, &s, &len) != 0) goto fail;
            if (type == RDB_TYPE_LIST_QUICKLIST) {
                char e[256];
                if (rdb_legacy_list_append_ziplist(kv, (unsigned char *)s, len, e, sizeof(e)) !=
                    0) {
                    rd_fail(r, "%s", e);
                    goto fail;
                }
            } else if (container == QUICKLIST_NODE_CONTAINER_PLAIN) {
                ql_push(kv->v.ptr, s, len, QL_TAIL);
            } else {
                unsigned char *lp = (unsigned char *)s;
                if (!lp_validate(lp, len, true)) {
                    rd_fail(r, "Listpack integrity check failed.");
                    goto fail;
                }
                char nb[LP_INTBUF_SIZE];
                for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
                    size_t el;
                    const char *e = lp_get_str(p, &el, nb);
                    ql_push(kv->v.ptr, e, el, QL_TAIL);
                }
            }
            mem_free(s);
            s = NULL;
        }
        break;
    case RDB_TYPE_SET:
    case RDB_TYPE_SET_LISTPACK:
    case RDB_TYPE_SET_INTSET: {
        if (type == RDB_TYPE_SET_INTSET) {
            if (rd_string(r, &s, &len) != 0) return -1;
            unsigned char *is = (unsigned char *)s;
            if (!intset_validate(is, len, true)) {
                rd_fail(r, "Intset integrity check failed.");
                goto fail;
            }
            if (intset_len(is) <= (unsigned long long)cfg.set_max_intset_entries) {
                kv = kv_new_ptr(key, klen, OBJ_SET, ENC_INTSET, is);
                s = NULL;
                break;
            }
            kv = set_kv_new_for_load(key, klen, intset_len(is));
            for (uint32_t i = 0; i < intset_len(is); i++) {
                char nb[24];
                set_add_member(kv, nb, (size_t)util_ll_to_str(nb, intset_get(is, i)));
            }
            break;
        }
        if (type == RDB_TYPE_SET_LISTPACK) {
            unsigned char *lp = NULL;
            if (rd_listpack(r, &lp, &len) != 0) return -1;
            s = (char *)lp;
            kv = set_kv_new_for_load(key, klen, lp_length(lp));
            char nb[LP_INTBUF_SIZE];
            for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
                size_t el;
                const char *e = lp_get_str(p, &el, nb);
                if (!set_add_member(kv, e, el)) {
                    rd_fail(r, "Duplicate set members detected");
                    goto fail;
                }
            }
            break;
        }
        if (rd_len(r, &n) != 0) return -1;
        kv = set_kv_new_for_load(key, klen, (size_t)rd_hint(r, n));
        for (uint64_t i = 0; i < n; i++) {
            if (rd_string(r, &s, &len) != 0) goto fail;
            if (!set_add_member(kv, s, len)) {
                rd_fail(r, "Duplicate set members detected");
                goto fail;
            }
            mem_free(s);
            s = NULL;
        }
        break;
    }
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
        if (rd_len(r, &n) != 0) return -1;
        kv = zset_kv_new(key, klen);
        for (uint64_t i = 0; i < n; i++) {
            double d;
            if (rd_string(r, &s, &len) != 0) goto fail;
            int rr = type == RDB_TYPE_ZSET_2 ? rd_binary_double(r, &d) : rd_string_double(r, &d);
            if (rr != 0) goto fail;
            if (isnan(d)) {
                rd_fail(r, "Zset with NAN score detected");
                goto fail;
            }
            if (!zset_set_member(kv, d, s, len)) {
                rd_fail(r, "Duplicate zset fields detected");
                goto fail;
            }
            mem_free(s);
            s = NULL;
        }
        break;
    case RDB_TYPE_HASH:
        if (rd_len(r, &n) != 0) return -1;
        kv = hash_kv_new(key, klen);
        for (uint64_t i = 0; i < n; i++) {
            if (rd_string(r, &s, &len) != 0 || rd_string(r, &s2, &len2) != 0) goto fail;
            if (!hash_set(kv, s, len, s2, len2)) {
                rd_fail(r, "Duplicate hash fields detected");
                goto fail;
            }
            mem_free(s);
            mem_free(s2);
            s = s2 = NULL;
        }
        break;
    case RDB_TYPE_HASH_LISTPACK:
    case RDB_TYPE_ZSET_LISTPACK: {
        unsigned char *lp = NULL;
        if (rd_listpack(r, &lp, &len) != 0) return -1;
        s = (char *)lp;
        if (lp_length(lp) % 2 != 0) {
            rd_fail(r, "%s listpack integrity check failed.",
                    type == RDB_TYPE_HASH_LISTPACK ? "Hash" : "Zset");
            goto fail;
        }
        kv = type == RDB_TYPE_HASH_LISTPACK ? hash_kv_new(key, klen) : zset_kv_new(key, klen);
        char fb[LP_INTBUF_SIZE], vb[LP_INTBUF_SIZE];
        for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) {
            size_t fl, vl;
            const char *f = lp_get_str(p, &fl, fb);
            const char *v = lp_get_str(lp_next(lp, p), &vl, vb);
            if (type == RDB_TYPE_HASH_LISTPACK) {
                if (!hash_set(kv, f, fl, v, vl)) {
                    rd_fail(r, "Duplicate hash fields detected");
                    goto fail;
                }
                continue;
            }
            double d;
            if (!util_str_to_double(v, vl, &d) || isnan(d)) {
                rd_fail(r, "Zset listpack integrity check failed.");
                goto fail;
            }
            if (!zset_set_member(kv, d, f, fl)) {
                rd_fail(r, "Duplicate zset fields detected");
                goto fail;
            }
        }
        break;
    }
    case RDB_TYPE_HASH_ZIPMAP:
    case RDB_TYPE_LIST_ZIPLIST:
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_HASH_ZIPLIST: {
        if (rd_string(r, &s, &len) != 0) return -1;
        char e[256];
        e[0] = '\0';
        kv = rdb_legacy_blob_to_kv(type, key, klen, (unsigned char *)s, len, e, sizeof(e));
        if (!kv && e[0] != '\0') { /* NULL with "" = an empty ziplist: skip the key */
            rd_fail(r, "%s", e);
            goto fail;
        }
        break;
    }
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
        return rd_fail(r, "the file contains streams, not supported by this version");
    case RDB_TYPE_MODULE_PRE_GA:
    case RDB_TYPE_MODULE_2:
        return rd_fail(r, "the file contains module data, not supported by this version");
    default:
        return rd_fail(r, "Unknown RDB encoding type %d", type);
    }
    mem_free(s);
    if (kv && kv_elements(kv) == 0) {
        kv_free(kv);
        kv = NULL;
    }
    *out = kv;
    return 0;
fail:
    mem_free(s);
    mem_free(s2);
    if (kv) kv_free(kv);
    return -1;
}

static bool is_type_byte(int t) {
    return (t >= RDB_TYPE_STRING && t <= RDB_TYPE_MODULE_2) ||
           (t >= RDB_TYPE_HASH_ZIPMAP && t <= RDB_TYPE_STREAM_LISTPACKS_3);
}

static void rd_aux(RdbReader *r, RdbLoadInfo *info, const char *name, const char *val,
                   size_t vlen) {
    long long v;
    if (strcmp(name, "repl-id") == 0) {
        if (vlen == 40) {
            memcpy(info->repl_id, val, 40);
            info->repl_id[40] = '\0';
            info->has_repl = true;
        }
    } else if (strcmp(name, "repl-offset") == 0) {
        if (util_str_to_ll(val, vlen, &v)) info->repl_offset = v;
    } else if (strcmp(name, "repl-stream-db") == 0) {
        if (util_str_to_ll(val, vlen, &v) && v >= 0 && v <= INT_MAX) info->repl_stream_db = (int)v;
    } else if (strcmp(name, "aof-base") == 0) {
        info->aof_base = util_str_to_ll(val, vlen, &v) && v != 0;
    } else if (strcmp(name, "used-mem") == 0) {
        if (util_str_to_ll(val, vlen, &v)) ps.loading_rdb_used_mem = v;
    } else if (strcmp(name, "redis-ver") == 0) {
        log_notice("Loading RDB produced by version %s", val);
    } else if (strcmp(name, "ctime") == 0) {
        if (util_str_to_ll(val, vlen, &v)) {
            long long age = (long long)time(NULL) - v;
            log_notice("RDB age %lld seconds", age < 0 ? 0 : age);
        }
    } else {
        VG_UNUSED(r);
        /* lua, redis-bits, aof-preamble and unknown fields: nothing to do */
    }
}

/* The body of both loaders. keep_expired: an AOF base keeps keys whose TTL passed, as Redis
 * does for an RDB preamble (the commands after it may still touch them). */
static int rd_load(RdbReader *r, RdbLoadInfo *info, bool keep_expired) {
    unsigned char magic[9];
    r->item_off = 0;
    if (rd_read(r, magic, 9) != 0) return -1;
    if (memcmp(magic, "REDIS", 5) != 0) return rd_fail(r, "Wrong signature trying to load DB from file");
    int ver = 0;
    for (int i = 5; i < 9; i++) {
        if (magic[i] < '0' || magic[i] > '9') return rd_fail(r, "Wrong signature trying to load DB from file");
        ver = ver * 10 + (magic[i] - '0');
    }
    if (ver < 1 || ver > RDB_VERSION) return rd_fail(r, "Can't handle RDB format version %d", ver);

    Db *db = &srv.dbs[0];
    int64_t expire = -1;
    long long skipped_empty = 0;
    for (;;) {
        unsigned char t;
        r->item_off = r->off;
        if (rd_byte(r, &t) != 0) return -1;
        if (t == RDB_OPCODE_EOF) break;
        if (t == RDB_OPCODE_EXPIRETIME) {
            unsigned char b[4];
            if (rd_read(r, b, 4) != 0) return -1;
            uint32_t sec = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
                           ((uint32_t)b[3] << 24);
            expire = (int64_t)(int32_t)sec * 1000;
            continue;
        }
        if (t == RDB_OPCODE_EXPIRETIME_MS) {
            unsigned char b[8];
            if (rd_read(r, b, 8) != 0) return -1;
            uint64_t ms = 0;
            for (int i = 7; i >= 0; i--)
                ms = (ms << 8) | b[i];
            expire = (int64_t)ms;
            continue;
        }
        if (t == RDB_OPCODE_FREQ) {
            unsigned char b;
            if (rd_byte(r, &b) != 0) return -1;
            continue;
        }
        if (t == RDB_OPCODE_IDLE) {
            uint64_t idle;
            if (rd_len(r, &idle) != 0) return -1;
            continue;
        }
        if (t == RDB_OPCODE_SELECTDB) {
            uint64_t id;
            if (rd_len(r, &id) != 0) return -1;
            if (id >= (uint64_t)srv.ndbs)
                return rd_fail(r, "DB index %llu is out of range: the server is configured "
                                  "with %d databases",
                               (unsigned long long)id, srv.ndbs);
            db = &srv.dbs[id];
            continue;
        }
        if (t == RDB_OPCODE_RESIZEDB) {
            uint64_t keys, expires;
            if (rd_len(r, &keys) != 0 || rd_len(r, &expires) != 0) return -1;
            if (db_size(db) == 0) dict_expand(&db->keys, rd_hint(r, keys));
            if (db_expires_size(db) == 0) dict_expand(&db->expires, rd_hint(r, expires));
            continue;
        }
        if (t == RDB_OPCODE_AUX) {
            char *name, *val;
            size_t nlen, vlen;
            if (rd_string(r, &name, &nlen) != 0) return -1;
            if (rd_string(r, &val, &vlen) != 0) {
                mem_free(name);
                return -1;
            }
            rd_aux(r, info, name, val, vlen);
            mem_free(name);
            mem_free(val);
            continue;
        }
        if (t == RDB_OPCODE_MODULE_AUX)
            return rd_fail(r, "the file contains module data, not supported by this version");
        if (t == RDB_OPCODE_FUNCTION2 || t == RDB_OPCODE_FUNCTION_PRE_GA)
            return rd_fail(r, "the file contains functions, not supported by this version");
        if (!is_type_byte(t)) return rd_fail(r, "Unknown RDB encoding type %d", t);

        char *key;
        size_t klen;
        Kv *kv;
        if (rd_string(r, &key, &klen) != 0) return -1;
        if (rd_object(r, t, key, klen, &kv) != 0) {
            mem_free(key);
            return -1;
        }
        if (!kv) {
            if (skipped_empty++ < 10) log_warn("rdbLoadObject skipping empty key: %s", key);
        } else if (!keep_expired && expire != -1 && expire < server_now_ms()) {
            kv_free(kv);
            info->keys_expired++;
        } else if (db_find(db, key, klen)) {
            kv_free(kv);
            int rr = rd_fail(r, "Duplicate key '%.*s' in DB %d", (int)(klen > 128 ? 128 : klen),
                             key, db->id);
            mem_free(key);
            return rr;
        } else {
            db_add(db, kv);
            if (expire != -1) db_set_expire(db, kv, expire);
            info->keys_loaded++;
        }
        mem_free(key);
        expire = -1;
        persist_loading_progress(r->base + r->off);
        if (cfg.key_load_delay_us > 0) usleep((useconds_t)cfg.key_load_delay_us);
    }
    if (ver >= 5) {
        uint64_t computed = r->crc;
        bool checking = r->checksum;
        r->checksum = false;
        unsigned char b[8];
        r->item_off = r->off;
        if (rd_read(r, b, 8) != 0) return -1;
        uint64_t expected = 0;
        for (int i = 7; i >= 0; i--)
            expected = (expected << 8) | b[i];
        if (checking && expected != 0 && expected != computed)
            return rd_fail(r, "Wrong RDB checksum expected: (%llx) got (%llx)",
                           (unsigned long long)expected, (unsigned long long)computed);
    }
    return 0;
}

static int rd_run(int fd, const char *name, RdbLoadInfo *info, long long *consumed, char *err,
                  size_t errlen, bool keep_expired) {
    RdbReader r;
    memset(&r, 0, sizeof(r));
    r.fd = fd;
    r.name = name;
    r.err = err;
    r.errlen = errlen;
    err[0] = '\0';
    r.checksum = cfg.rdbchecksum != 0;
    off_t start = lseek(fd, 0, SEEK_CUR);
    r.base = start > 0 ? (long long)start : 0;
    struct stat st;
    long long size = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
    r.avail = size >= 0 ? size - r.base : LLONG_MAX;
    r.buf = mem_alloc(RDB_IO_BUF);
    persist_loading_begin(size >= 0 ? size : 0);
    int rc = rd_load(&r, info, keep_expired);
    persist_loading_end();
    /* give back what was read past the image so the caller can go on from there */
    if (r.len > r.pos && start >= 0) (void)lseek(fd, -(off_t)(r.len - r.pos), SEEK_CUR);
    mem_free(r.buf);
    if (consumed) *consumed = r.off;
    if (rc == 0) {
        ps.rdb_last_load_keys_loaded = info->keys_loaded;
        ps.rdb_last_load_keys_expired = info->keys_expired;
    }
    return rc == 0 ? RDB_LOAD_OK : RDB_LOAD_FAILED;
}

int rdb_load_file(const char *path, RdbLoadInfo *info, char *err, size_t errlen) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return RDB_LOAD_NOT_FOUND;
        snprintf(err, errlen, "%s: can't open the RDB file: %s", path, strerror(errno));
        return RDB_LOAD_FAILED;
    }
    int rc = rd_run(fd, path, info, NULL, err, errlen, false);
    close(fd);
    return rc;
}

int rdb_load_fd(int fd, const char *name, RdbLoadInfo *info, long long *consumed, char *err,
                size_t errlen) {
    return rd_run(fd, name, info, consumed, err, errlen, true);
}
