/* server.h - the server's settings (ServerConfig, written only by the config layer) and the
 * process-wide runtime state every module reaches through `srv`.
 *
 * Modules keep their own counters behind functions where they can (slowlog.c, latency.c);
 * what lives here is what several modules read: the databases, the client list, the loop,
 * the cached clocks and the stats INFO prints. server.c wires modules together (init order,
 * signals, shutdown) and owns the cron; it holds no command logic. */
#ifndef VIGIL_SERVER_SERVER_H
#define VIGIL_SERVER_SERVER_H

#include <ev.h>

#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"

#define VIGIL_VERSION       "0.1.0"
#define VIGIL_REDIS_VERSION "7.0.15" /* the Redis version whose protocol and replies we match */

typedef struct Db Db;
typedef struct Client Client;

enum { DEBUG_CMD_NO = 0, DEBUG_CMD_YES = 1, DEBUG_CMD_LOCAL = 2 };
enum { REPL_DISKLESS_LOAD_DISABLED = 0, REPL_DISKLESS_LOAD_ON_EMPTY_DB = 1, REPL_DISKLESS_LOAD_SWAPDB = 2 };
enum { AOF_FSYNC_ALWAYS = 0, AOF_FSYNC_EVERYSEC = 1, AOF_FSYNC_NO = 2 };
enum { SUPERVISED_NO = 0, SUPERVISED_SYSTEMD = 1, SUPERVISED_AUTO = 2 };
/* client-output-buffer-limit classes, in the order CONFIG GET prints them */
enum {
    OBUF_CLASS_NORMAL = 0,
    OBUF_CLASS_REPLICA = 1,
    OBUF_CLASS_PUBSUB = 2,
    OBUF_CLASS_COUNT = 3,
};

#define SERVER_MAX_BIND 16

/* Every option of vigil-server (config_options.c is the table that fills it). */
typedef struct ServerConfig {
    /* network */
    char *bind_addrs[SERVER_MAX_BIND];
    int bind_count;
    long long port;
    char *unixsocket;
    long long unixsocketperm;
    long long tcp_backlog;
    long long timeout_s;
    long long tcp_keepalive_s;
    int protected_mode;
    long long maxclients;
    char *requirepass;
    /* general */
    long long databases;
    long long hz;
    int loglevel;
    char *logfile;
    char *dir;
    char *pidfile;
    int daemonize;
    int supervised;
    int enable_debug_cmd;
    int activerehashing;
    /* limits */
    long long proto_max_bulk_len;
    long long client_query_buffer_limit;
    long long maxmemory;
    int maxmemory_policy;
    long long maxmemory_samples;
    /* notify-keyspace-events as NOTIFY_* flags (notify.h); 0 = off */
    int notify_keyspace_events;
    /* observability */
    long long slowlog_log_slower_than_us;
    long long slowlog_max_len;
    long long latency_monitor_threshold_ms;
    int latency_tracking;                      /* INFO latencystats histograms */
    double *latency_tracking_info_percentiles; /* NULL when the list is empty */
    int latency_tracking_info_percentiles_len;
    /* persistence: RDB (bgsave.c, rdb.c) */
    char *dbfilename;
    char *save_params; /* "3600 1 300 100 60 10000" or "" */
    int stop_writes_on_bgsave_error;
    int rdbcompression;
    int rdbchecksum;
    int rdb_save_incremental_fsync;
    long long rdb_key_save_delay_us;          /* testing: sleep per key saved (Redis's) */
    long long key_load_delay_us;              /* testing: sleep per key loaded (Redis's) */
    long long loading_process_events_interval_bytes;
    /* persistence: AOF (aof.c) */
    int appendonly;
    int appendfsync; /* AOF_FSYNC_* */
    char *appendfilename;
    char *appenddirname;
    int no_appendfsync_on_rewrite;
    long long auto_aof_rewrite_percentage;
    long long auto_aof_rewrite_min_size;
    int aof_load_truncated;
    int aof_use_rdb_preamble;
    int aof_rewrite_incremental_fsync;
    int aof_timestamp_enabled; /* accepted; no timestamp annotations are written */
    int lazyfree_lazy_user_flush;
    /* replication (replication.c, repl_primary.c, repl_replica.c) */
    char *replicaof_host;   /* NULL: a primary */
    long long replicaof_port;
    char *masterauth;
    char *masteruser;
    int repl_diskless_sync;
    long long repl_diskless_sync_delay;
    long long repl_diskless_sync_max_replicas;
    int repl_diskless_load; /* REPL_DISKLESS_LOAD_* */
    long long repl_backlog_size;
    long long repl_backlog_ttl;
    long long repl_ping_replica_period;
    long long repl_timeout;
    int repl_disable_tcp_nodelay;
    int replica_serve_stale_data;
    int replica_read_only;
    long long replica_priority;
    char *replica_announce_ip;
    long long replica_announce_port;
    int replica_announced;
    int replica_lazy_flush;
    long long min_replicas_to_write;
    long long min_replicas_max_lag;
    /* encodings of small values: past these a listpack/intset converts to the large form */
    long long list_max_listpack_size; /* > 0: entries per quicklist node; -1..-5: 4..64 KB */
    long long list_compress_depth;    /* accepted; nodes are not compressed */
    long long hash_max_listpack_entries, hash_max_listpack_value;
    long long set_max_intset_entries;
    long long set_max_listpack_entries, set_max_listpack_value;
    long long zset_max_listpack_entries, zset_max_listpack_value;
    /* client-output-buffer-limit: per class, {hard bytes, soft bytes, soft seconds} */
    long long client_obuf_limits[OBUF_CLASS_COUNT][3];
} ServerConfig;

extern ServerConfig cfg;
extern const CfgOption server_options[];
extern const CfgTable server_cfg_table;

typedef struct ServerStats {
    long long total_connections_received;
    long long total_commands_processed;
    long long rejected_connections;
    long long expired_keys;
    long long expired_stale_perc; /* unused until replicas */
    long long expire_cycle_cpu_ms;
    long long evicted_keys;
    long long keyspace_hits;
    long long keyspace_misses;
    long long net_input_bytes;
    long long net_output_bytes;
    /* replication traffic (Redis 7.0.15 counts it in the totals above too): a replica's
     * reads from its primary (handshake, RDB, stream), a primary's writes to its replicas */
    long long net_repl_input_bytes;
    long long net_repl_output_bytes;
    long long total_error_replies;
    long long unexpected_error_replies;
    long long total_reads_processed;
    long long total_writes_processed;
    long long client_qbuf_limit_disconnections;
    long long client_obuf_limit_disconnections; /* client-output-buffer-limit closes */
    size_t peak_memory;
    int64_t peak_memory_time_ms;
} ServerStats;

typedef struct Server {
    struct ev_loop *loop;
    Db *dbs;
    int ndbs;
    /* clients */
    Client *clients_head; /* doubly linked list of every connected client */
    long long nclients;
    uint64_t next_client_id;
    Client *current_client; /* the client whose command is executing, or NULL */
    /* listeners */
    int listen_fds[SERVER_MAX_BIND + 1];
    ev_io listen_io[SERVER_MAX_BIND + 1];
    int nlisten;
    /* time, cached once per event-loop iteration and per command */
    int64_t now_ms;       /* wall clock, ms */
    int64_t now_mono_us;  /* the monotonic reading now_ms was derived from */
    int64_t wall_offset_us; /* wall - monotonic, refreshed by the cron */
    int64_t mono_start_us;
    int64_t start_wall_ms;
    uint32_t lru_clock;   /* seconds-resolution clock for OBJECT IDLETIME */
    /* identity */
    char run_id[41];
    char *config_file;    /* absolute path or NULL */
    char *executable;
    /* state */
    long long dirty;      /* writes since the last save */
    int64_t lastsave_s;
    bool shutdown_asap;
    int shutdown_signals;
    int64_t client_pause_end_ms;
    int client_pause_type; /* 0 none, 1 write, 2 all */
    /* FAILOVER's own write pause (Redis 7.0's PAUSE_DURING_FAILOVER purpose): CLIENT UNPAUSE
     * does not end it, and its end does not end an operator's CLIENT PAUSE */
    bool failover_pause;
    bool active_expire_enabled;
    ServerStats stats;
} Server;

extern Server srv;

/* Cached wall clock in ms (refreshed before each command and each loop iteration). */
static inline int64_t server_now_ms(void) {
    return srv.now_ms;
}
/* Read the clock (one clock_gettime) and refresh now_ms/now_mono_us. */
void server_update_time(void);
/* Refresh now_ms from a monotonic reading the caller already has. */
void server_update_time_from(int64_t mono_us);

/* Build the runtime from the loaded config: databases, command table, listeners, timers.
 * 0, or -1 after logging why (the caller exits non-zero). */
int server_init(void);
/* Run the event loop until a shutdown is requested. */
void server_run(void);

/* Start a graceful shutdown from a command or signal: returns when the loop should stop. */
void server_request_shutdown(void);
/* Persist (PERSIST_SHUT_* flags, persist.h), flush, close and exit: SHUTDOWN and signals.
 * Returns -1 only when a required final save failed (the server keeps running). */
int server_shutdown_now(int flags);

/* For tests and INFO. */
long long server_uptime_s(void);

#endif
