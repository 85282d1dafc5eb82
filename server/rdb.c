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
        r = wr_aux_ll(w, "repl-stream-db", 0);
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
 * Loading: see below */

int rdb_load_file(const char *path, RdbLoadInfo *info, char *err, size_t errlen) {
    VG_UNUSED(info);
    struct stat st;
    if (stat(path, &st) != 0) return RDB_LOAD_NOT_FOUND;
    snprintf(err, errlen, "%s: RDB loading is not implemented yet", path);
    return RDB_LOAD_FAILED;
}

int rdb_load_fd(int fd, const char *name, RdbLoadInfo *info, long long *consumed, char *err,
                size_t errlen) {
    VG_UNUSED(fd);
    VG_UNUSED(info);
    *consumed = 0;
    snprintf(err, errlen, "%s: RDB loading is not implemented yet", name);
    return RDB_LOAD_FAILED;
}
