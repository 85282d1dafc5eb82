/* persist.h - the persistence state every persistence module writes and INFO reads, and the
 * server's persistence entry points (start-up load, shutdown, the disk-error write guard).
 *
 * Who owns what:
 *   rdb.c       the RDB file format: writing a dataset, loading one (and the loading state)
 *   bgsave.c    SAVE, BGSAVE, save points, the last-bgsave status
 *   childproc.c fork(): one child at a time (RDB or AOF rewrite), its info pipe, reaping
 *   aof.c       the append-only file: feeding, writing, fsync, manifest, loading, rewrite
 *   propagate.c the one path from executed commands to the AOF (and, later, replicas)
 *   persist.c   start-up order, shutdown, MISCONF, and INFO's # Persistence section */
#ifndef VIGIL_SERVER_PERSIST_H
#define VIGIL_SERVER_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct Buf Buf;
typedef struct Client Client;

enum { AOF_OFF = 0, AOF_ON = 1, AOF_WAIT_REWRITE = 2 };

typedef struct PersistState {
    /* loading (rdb.c, aof.c) */
    bool loading;
    int64_t loading_start_s;          /* unix time */
    int64_t loading_start_mono_us;
    long long loading_total_bytes;
    long long loading_loaded_bytes;
    long long loading_rdb_used_mem;   /* the used-mem aux field of the file being loaded */
    long long rdb_last_load_keys_expired;
    long long rdb_last_load_keys_loaded;
    /* the child process (childproc.c) */
    pid_t child_pid;                  /* 0 when none */
    int child_type;                   /* CHILD_* (childproc.h) */
    int64_t child_start_mono_us;
    size_t current_cow_peak;
    size_t current_cow_size;
    int64_t current_cow_updated_mono_us; /* 0: never */
    double current_fork_perc;
    long long current_save_keys_processed;
    long long current_save_keys_total;
    long long latest_fork_usec;
    long long total_forks;
    /* RDB (bgsave.c) */
    bool rdb_last_bgsave_ok;
    long long rdb_last_bgsave_time_sec; /* -1: never */
    long long rdb_saves;
    size_t rdb_last_cow_size;
    long long dirty_before_bgsave;
    int64_t rdb_last_bgsave_try_s;    /* for the retry delay after a failure */
    bool bgsave_scheduled;            /* BGSAVE SCHEDULE while an AOF rewrite runs */
    /* AOF (aof.c) */
    int aof_state;                    /* AOF_OFF / AOF_ON / AOF_WAIT_REWRITE */
    bool aof_rewrite_scheduled;
    long long aof_last_rewrite_time_sec; /* -1: never */
    bool aof_last_bgrewrite_ok;
    long long aof_rewrites;
    long long aof_rewrites_consecutive_failures;
    bool aof_last_write_ok;           /* a write or an fsync failed: writes are refused */
    int aof_last_write_errno;
    size_t aof_last_cow_size;
    long long aof_current_size;
    long long aof_base_size;
    size_t aof_buffer_length;
    unsigned long aof_pending_bio_fsync;
    unsigned long aof_delayed_fsync;
} PersistState;

extern PersistState ps;

/* Start-up: load the AOF when appendonly is on, else the RDB file, processing events while
 * it loads (clients get -LOADING). 0, or -1 after logging why the server must not start. */
int persist_load_at_startup(void);

/* While loading: called by the loaders as bytes are consumed; every
 * loading-process-events-interval-bytes it serves pending events (INFO, -LOADING). */
void persist_loading_progress(long long loaded_bytes);
void persist_loading_begin(long long total_bytes);
void persist_loading_end(void);

/* Shutdown: save when SHUTDOWN SAVE asked or save points are set (unless NOSAVE), flush and
 * fsync the AOF, kill a running child. 0, or -1 when a requested save failed (the server
 * then keeps running unless forced). */
enum { PERSIST_SHUT_NOSAVE = 1 << 0, PERSIST_SHUT_SAVE = 1 << 1, PERSIST_SHUT_FORCE = 1 << 2 };
int persist_shutdown(int flags);

/* The disk-error guard for writes (and PING) on a primary: true after replying MISCONF. */
bool persist_refuse_write_or_reply(Client *c);

/* INFO # Persistence. */
void persist_info(Buf *out);

#endif
