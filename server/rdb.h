/* rdb.h - the RDB file format of Redis 7.0 (version 10): writing the dataset, loading it.
 *
 * Written: header "REDIS0010", aux fields (redis-ver, redis-bits, ctime, used-mem, repl-id,
 * repl-offset, aof-base), per non-empty db SELECTDB + RESIZEDB, each key with its expiry in
 * ms, the types in the encodings Redis 7.0 writes (strings as int/LZF/plain, lists as
 * quicklist-2 of listpacks, sets as intset or plain, hashes and sorted sets as listpack or
 * plain), EOF and the CRC-64 (zero when rdbchecksum is off). Loaded: all of that plus the
 * older encodings a Redis 7.0 still reads (ziplist, zipmap, quicklist of ziplists, linked
 * lists, zsets with string scores). */
#ifndef VIGIL_SERVER_RDB_H
#define VIGIL_SERVER_RDB_H

#include <stdbool.h>
#include <stddef.h>

#define RDB_VERSION 10

typedef struct RdbSaveInfo {
    const char *repl_id;   /* 40 hex chars, or NULL to leave the repl aux fields out */
    long long repl_offset;
    int repl_stream_db;    /* the db the replication stream last selected */
    bool aof_base;         /* write the aof-base aux field as 1 */
} RdbSaveInfo;

/* Write the whole dataset in RDB format to fd (buffered; no fsync). In a child
 * (in_child), progress goes to child_report_progress() and rdb-key-save-delay applies.
 * 0, or -1 with errno set. */
int rdb_save_fd(int fd, const RdbSaveInfo *rsi, bool in_child);

/* Write the dataset to `path` safely: to "temp-<pid>.rdb" beside it, fsync, rename over
 * path, fsync the directory. A crash at any point leaves the previous file whole.
 * 0, or -1 after logging why (errno set). */
int rdb_save_file(const char *path, const RdbSaveInfo *rsi, bool in_child);

enum { RDB_LOAD_OK = 0, RDB_LOAD_NOT_FOUND = 1, RDB_LOAD_FAILED = -1 };

typedef struct RdbLoadInfo {
    bool has_repl;         /* repl-id and repl-offset aux fields were present */
    char repl_id[41];
    long long repl_offset;
    int repl_stream_db;    /* 0 when the field is absent */
    bool aof_base;
    long long keys_loaded;
    long long keys_expired; /* skipped because their TTL had passed */
} RdbLoadInfo;

/* Load `path` into the databases (expected empty). Keys already expired are skipped.
 * Progress is reported with persist_loading_progress(). On a bad file returns
 * RDB_LOAD_FAILED with err naming the file, the byte offset and what was wrong; the
 * databases may then hold part of the file (the caller refuses to start). */
int rdb_load_file(const char *path, RdbLoadInfo *info, char *err, size_t errlen);

/* The same from an open fd positioned at the start of an RDB image (an AOF base file or an
 * RDB preamble); *consumed gets the exact number of bytes the image took, so the caller can
 * go on reading after it. `name` is used in messages. Unlike rdb_load_file, keys whose TTL
 * has passed are kept (Redis's RDB-preamble rule: the commands that follow may touch them);
 * they expire as usual afterwards. A regular file is read ahead in blocks and the fd is
 * seeked back to just after the image. */
int rdb_load_fd(int fd, const char *name, RdbLoadInfo *info, long long *consumed, char *err,
                size_t errlen);

#endif
