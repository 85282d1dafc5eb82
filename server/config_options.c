/* config_options.c - the table of every vigil-server option (names, defaults and bounds as
 * Redis 7.0 has them) and their apply hooks. Adding an option is one row here plus its
 * field in ServerConfig and a line in docs/OPERATIONS.md (a doc test checks it). */
#include "common/config.h"

#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "server/aof.h"
#include "server/client.h"
#include "server/latency_hist.h"
#include "server/notify.h"
#include "server/server.h"
#include "server/slowlog.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

ServerConfig cfg;

static const CfgEnum loglevel_names[] = {{"debug", LOG_DEBUG},
                                         {"verbose", LOG_VERBOSE},
                                         {"notice", LOG_NOTICE},
                                         {"warning", LOG_WARN},
                                         {NULL, 0}};

static const CfgEnum supervised_names[] = {{"upstart", 3},
                                           {"systemd", SUPERVISED_SYSTEMD},
                                           {"auto", SUPERVISED_AUTO},
                                           {"no", SUPERVISED_NO},
                                           {NULL, 0}};

static const CfgEnum debug_cmd_names[] = {
    {"no", DEBUG_CMD_NO}, {"yes", DEBUG_CMD_YES}, {"local", DEBUG_CMD_LOCAL}, {NULL, 0}};

/* Order and values as Redis's maxmemory-policy enum. */
static const CfgEnum maxmemory_policy_names[] = {{"volatile-lru", 0},
                                                 {"volatile-lfu", 1},
                                                 {"volatile-random", 2},
                                                 {"volatile-ttl", 3},
                                                 {"allkeys-lru", 4},
                                                 {"allkeys-lfu", 5},
                                                 {"allkeys-random", 6},
                                                 {"noeviction", 7},
                                                 {NULL, 0}};

static const CfgEnum fsync_names[] = {{"everysec", 1}, {"always", 0}, {"no", 2}, {NULL, 0}};

/* bind: one to SERVER_MAX_BIND addresses. */
static const char *bind_parse(void *base, const CfgOption *o, int argc, char **argv) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    if (argc > SERVER_MAX_BIND) return "Too many bind addresses specified.";
    if (argc == 0) return "wrong number of arguments";
    for (int i = 0; i < sc->bind_count; i++) mem_free(sc->bind_addrs[i]);
    for (int i = 0; i < argc; i++) sc->bind_addrs[i] = mem_strdup(argv[i]);
    sc->bind_count = argc;
    return NULL;
}

static void bind_format(void *base, const CfgOption *o, Buf *out) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    for (int i = 0; i < sc->bind_count; i++) {
        if (i) buf_append_char(out, ' ');
        buf_append_str(out, sc->bind_addrs[i]);
    }
}

/* save: "seconds changes" pairs, or "" for no snapshots. Words may come one per argument
 * or several in one (`--save "3600 1 300 100"` on the command line), as Redis accepts. */
static const char *save_parse(void *base, const CfgOption *o, int argc, char **argv) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    Buf b = BUF_INIT;
    int words = 0;
    for (int i = 0; i < argc; i++) {
        const char *p = argv[i];
        for (;;) {
            while (*p == ' ' || *p == '\t') p++;
            if (!*p) break;
            size_t n = strcspn(p, " \t");
            long long v;
            if (!util_str_to_ll(p, n, &v) || v < 0) {
                buf_deinit(&b);
                return "Invalid save parameters";
            }
            if (words++) buf_append_char(&b, ' ');
            buf_append(&b, p, n);
            p += n;
        }
    }
    if (words % 2) {
        buf_deinit(&b);
        return "Invalid save parameters";
    }
    mem_free(sc->save_params);
    sc->save_params = buf_steal(&b, NULL);
    return NULL;
}

static void save_format(void *base, const CfgOption *o, Buf *out) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    if (sc->save_params) buf_append_str(out, sc->save_params);
}

/* notify-keyspace-events: Redis's class letters, printed in its canonical order. */
static const char *notify_parse(void *base, const CfgOption *o, int argc, char **argv) {
    VG_UNUSED(o);
    int flags;
    if (argc != 1 || !notify_flags_parse(argv[0], &flags))
        return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    ((ServerConfig *)base)->notify_keyspace_events = flags;
    return NULL;
}

static void notify_format(void *base, const CfgOption *o, Buf *out) {
    VG_UNUSED(o);
    char letters[24];
    notify_flags_format(((ServerConfig *)base)->notify_keyspace_events, letters);
    buf_append_str(out, letters);
}

/* unixsocketperm: octal permission bits, as Redis reads and prints them. */
static const char *perm_parse(void *base, const CfgOption *o, int argc, char **argv) {
    VG_UNUSED(o);
    char *end;
    if (argc != 1 || !argv[0][0]) return "argument must be an octal number";
    errno = 0;
    long v = strtol(argv[0], &end, 8);
    if (errno || *end || v < 0 || v > 0777) return "argument must be an octal number";
    ((ServerConfig *)base)->unixsocketperm = v;
    return NULL;
}

static void perm_format(void *base, const CfgOption *o, Buf *out) {
    VG_UNUSED(o);
    buf_printf(out, "%llo", (unsigned long long)((ServerConfig *)base)->unixsocketperm);
}

/* dir: changing it changes the process's working directory, as in Redis. */
static const char *dir_parse(void *base, const CfgOption *o, int argc, char **argv) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    if (argc != 1) return "wrong number of arguments";
    if (chdir(argv[0]) != 0) return strerror(errno);
    mem_free(sc->dir);
    sc->dir = mem_strdup(argv[0]);
    return NULL;
}

static void dir_format(void *base, const CfgOption *o, Buf *out) {
    VG_UNUSED(o);
    VG_UNUSED(base);
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd))) buf_append_str(out, cwd);
}

/* latency-tracking-info-percentiles: doubles in [0, 100], or "" for none. Redis's checks
 * and texts (string2d, then the range), element by element; the stored list only changes
 * when every word passes. */
static const char *percentiles_parse(void *base, const CfgOption *o, int argc, char **argv) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    double *list = argc > 0 ? mem_alloc(sizeof(double) * (size_t)argc) : NULL;
    for (int i = 0; i < argc; i++) {
        const char *err = NULL;
        if (!util_str_to_double(argv[i], strlen(argv[i]), &list[i]))
            err = "Invalid latency-tracking-info-percentiles parameters";
        else if (list[i] < 0.0 || list[i] > 100.0)
            err = "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
        if (err) {
            mem_free(list);
            return err;
        }
    }
    mem_free(sc->latency_tracking_info_percentiles);
    sc->latency_tracking_info_percentiles = list;
    sc->latency_tracking_info_percentiles_len = argc;
    return NULL;
}

/* As Redis prints them: "%f" without trailing zeros, space-separated ("50 99 99.9"). */
static void percentiles_format(void *base, const CfgOption *o, Buf *out) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    const double *list = sc->latency_tracking_info_percentiles;
    for (int i = 0; i < sc->latency_tracking_info_percentiles_len; i++) {
        char word[64];
        latency_hist_format_percentile(word, sizeof(word), list[i]);
        if (i) buf_append_char(out, ' ');
        buf_append_str(out, word);
    }
}

/* client-output-buffer-limit: "<class> <hard> <soft> <soft-seconds>" groups, any subset of
 * the classes (normal, replica or its old name slave, pubsub), Redis's texts and checks;
 * every group is checked before any is stored. pubsub.c enforces the limits. */
static int obuf_class_by_name(const char *s) {
    if (!strcasecmp(s, "normal")) return OBUF_CLASS_NORMAL;
    if (!strcasecmp(s, "slave") || !strcasecmp(s, "replica")) return OBUF_CLASS_REPLICA;
    if (!strcasecmp(s, "pubsub")) return OBUF_CLASS_PUBSUB;
    return -1;
}

static const char *obuf_limit_parse(void *base, const CfgOption *o, int argc, char **argv) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    if (argc % 4) return "Wrong number of arguments in buffer limit configuration.";
    for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < argc; j += 4) {
            int cls = obuf_class_by_name(argv[j]);
            long long hard, soft, secs;
            if (cls < 0) return "Invalid client class specified in buffer limit configuration.";
            if (!cfg_parse_bytes(argv[j + 1], &hard) || !cfg_parse_bytes(argv[j + 2], &soft) ||
                !util_str_to_ll(argv[j + 3], strlen(argv[j + 3]), &secs) || hard < 0 ||
                soft < 0 || secs < 0 || argv[j + 1][0] == '-' || argv[j + 2][0] == '-')
                return "Error in hard, soft or soft_seconds setting in buffer limit "
                       "configuration.";
            if (pass == 1) {
                sc->client_obuf_limits[cls][0] = hard;
                sc->client_obuf_limits[cls][1] = soft;
                sc->client_obuf_limits[cls][2] = secs;
            }
        }
    }
    return NULL;
}

/* As Redis prints it: every class, the replica class under its old name. */
static void obuf_limit_format(void *base, const CfgOption *o, Buf *out) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    static const char *const names[OBUF_CLASS_COUNT] = {"normal", "slave", "pubsub"};
    for (int i = 0; i < OBUF_CLASS_COUNT; i++)
        buf_printf(out, "%s%s %lld %lld %lld", i ? " " : "", names[i],
                   sc->client_obuf_limits[i][0], sc->client_obuf_limits[i][1],
                   sc->client_obuf_limits[i][2]);
}

static const char *apply_loglevel(void *base, const CfgOption *o) {
    VG_UNUSED(o);
    log_set_level((LogLevel)((ServerConfig *)base)->loglevel);
    return NULL;
}

static const char *apply_logfile(void *base, const CfgOption *o) {
    VG_UNUSED(o);
    log_set_file(((ServerConfig *)base)->logfile);
    return NULL;
}

/* hz: any integer is accepted and clamped to 1..500, as Redis does. */
static const char *apply_hz(void *base, const CfgOption *o) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    if (sc->hz < 1) sc->hz = 1;
    if (sc->hz > 500) sc->hz = 500;
    return NULL;
}

static const char *apply_slowlog_len(void *base, const CfgOption *o) {
    VG_UNUSED(o);
    VG_UNUSED(base);
    slowlog_trim();
    return NULL;
}

static const char *apply_bulk_len(void *base, const CfgOption *o) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    for (Client *c = srv.clients_head; c; c = c->next) c->req.max_bulk_len = sc->proto_max_bulk_len;
    return NULL;
}

/* Like Redis, connections that were in before a password was set stay authenticated;
 * clearing the password lets waiting ones in. The readers' unauthenticated size limits
 * follow the same rule. */
static const char *apply_requirepass(void *base, const CfgOption *o) {
    VG_UNUSED(o);
    VG_UNUSED(base);
    for (Client *c = srv.clients_head; c; c = c->next) c->req.authenticated = !client_auth_required(c);
    return NULL;
}

static const char *apply_daemonize(void *base, const CfgOption *o) {
    VG_UNUSED(o);
    if (((ServerConfig *)base)->daemonize)
        return "daemonize yes is not supported: run vigil-server in the foreground "
               "(systemd Type=notify, see docs/OPERATIONS.md)";
    return NULL;
}

/* Turning the AOF on or off at run time starts or stops it (aof.c); at start-up the
 * loader reads the setting instead. */
static const char *apply_appendonly(void *base, const CfgOption *o) {
    VG_UNUSED(o);
    return aof_apply_enabled(((ServerConfig *)base)->appendonly != 0);
}

static const CfgEnum diskless_load_names[] = {{"disabled", REPL_DISKLESS_LOAD_DISABLED},
                                               {"on-empty-db", REPL_DISKLESS_LOAD_ON_EMPTY_DB},
                                               {"swapdb", REPL_DISKLESS_LOAD_SWAPDB},
                                               {NULL, 0}};

/* replicaof: "host port", or "no one" (and "" from CONFIG REWRITE's point of view) for a
 * primary. Changing it at run time is REPLICAOF's job (the apply hook). */
static const char *replicaof_parse(void *base, const CfgOption *o, int argc, char **argv) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    char *words[2];
    char *copy = NULL;
    if (argc == 1 && argv[0][0] == '\0') argc = 0;
    if (argc == 1 && strchr(argv[0], ' ')) { /* --replicaof "host port" */
        copy = mem_strdup(argv[0]);
        char *save = NULL;
        argc = 0;
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            if (argc < 2) words[argc] = w;
            argc++; /* more than two: refused below */
        }
        argv = words;
    }
    const char *err = NULL;
    long long port = 0;
    if (argc == 0 || (argc == 2 && !strcasecmp(argv[0], "no") && !strcasecmp(argv[1], "one"))) {
        mem_free(sc->replicaof_host);
        sc->replicaof_host = NULL;
        sc->replicaof_port = 0;
    } else if (argc != 2) {
        err = "wrong number of arguments";
    } else if (!util_str_to_ll(argv[1], strlen(argv[1]), &port) || port < 0 || port > 65535) {
        err = "Invalid master port";
    } else {
        mem_free(sc->replicaof_host);
        sc->replicaof_host = mem_strdup(argv[0]);
        sc->replicaof_port = port;
    }
    mem_free(copy);
    return err;
}

static void replicaof_format(void *base, const CfgOption *o, Buf *out) {
    VG_UNUSED(o);
    ServerConfig *sc = base;
    if (sc->replicaof_host) buf_printf(out, "%s %lld", sc->replicaof_host, sc->replicaof_port);
}

#define S ServerConfig
#define MB (1024LL * 1024)
/* clang-format off */
const CfgOption server_options[] = {
    /* [server] */
    CFG_CUSTOM("bind", CFG_MULTI_ARG | CFG_IMMUTABLE, "server", "* -::*", bind_parse, bind_format, NULL),
    CFG_INT("port", CFG_IMMUTABLE, "server", S, port, 6379, 0, 65535, NULL),
    CFG_STRING("unixsocket", CFG_IMMUTABLE | CFG_NULLABLE, "server", S, unixsocket, "", NULL),
    CFG_CUSTOM("unixsocketperm", CFG_IMMUTABLE, "server", "0", perm_parse, perm_format, NULL),
    CFG_INT("tcp-backlog", CFG_IMMUTABLE, "server", S, tcp_backlog, 511, 0, INT_MAX, NULL),
    CFG_INT("timeout", CFG_MUTABLE, "server", S, timeout_s, 0, 0, INT_MAX, NULL),
    CFG_INT("tcp-keepalive", CFG_MUTABLE, "server", S, tcp_keepalive_s, 300, 0, INT_MAX, NULL),
    CFG_BOOL("protected-mode", CFG_MUTABLE, "server", S, protected_mode, 1, NULL),
    CFG_INT("maxclients", CFG_MUTABLE, "server", S, maxclients, 10000, 1, INT_MAX, NULL),
    CFG_STRING("requirepass", CFG_MUTABLE | CFG_SENSITIVE | CFG_NULLABLE, "server", S, requirepass, "", apply_requirepass),
    CFG_INT("databases", CFG_IMMUTABLE, "server", S, databases, 16, 1, INT_MAX, NULL),
    CFG_INT("hz", CFG_MUTABLE, "server", S, hz, 10, INT_MIN, INT_MAX, apply_hz),
    CFG_ENUM("loglevel", CFG_MUTABLE, "server", S, loglevel, LOG_NOTICE, loglevel_names, apply_loglevel),
    CFG_STRING("logfile", CFG_IMMUTABLE, "server", S, logfile, "", apply_logfile),
    CFG_CUSTOM("dir", CFG_MUTABLE, "server", NULL, dir_parse, dir_format, NULL),
    CFG_STRING("pidfile", CFG_IMMUTABLE | CFG_NULLABLE, "server", S, pidfile, "", NULL),
    CFG_BOOL("daemonize", CFG_IMMUTABLE, "server", S, daemonize, 0, apply_daemonize),
    CFG_ENUM("supervised", CFG_IMMUTABLE, "server", S, supervised, SUPERVISED_NO, supervised_names, NULL),
    CFG_ENUM("enable-debug-command", CFG_IMMUTABLE, "server", S, enable_debug_cmd, DEBUG_CMD_NO, debug_cmd_names, NULL),
    CFG_CUSTOM("notify-keyspace-events", CFG_MUTABLE, "server", "", notify_parse, notify_format, NULL),
    CFG_BOOL("activerehashing", CFG_MUTABLE, "server", S, activerehashing, 1, NULL),
    CFG_BYTES("proto-max-bulk-len", CFG_MUTABLE, "server", S, proto_max_bulk_len, 512 * MB, 1 * MB, LLONG_MAX, apply_bulk_len),
    CFG_CUSTOM("client-output-buffer-limit", CFG_MUTABLE | CFG_MULTI_ARG, "server", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", obuf_limit_parse, obuf_limit_format, NULL),
    CFG_BYTES("client-query-buffer-limit", CFG_MUTABLE, "server", S, client_query_buffer_limit, 1024 * MB, 1 * MB, LLONG_MAX, NULL),
    CFG_INT("slowlog-log-slower-than", CFG_MUTABLE, "server", S, slowlog_log_slower_than_us, 10000, -1, LLONG_MAX, NULL),
    CFG_INT("slowlog-max-len", CFG_MUTABLE, "server", S, slowlog_max_len, 128, 0, LONG_MAX, apply_slowlog_len),
    CFG_INT("latency-monitor-threshold", CFG_MUTABLE, "server", S, latency_monitor_threshold_ms, 0, 0, LLONG_MAX, NULL),
    CFG_BOOL("latency-tracking", CFG_MUTABLE, "server", S, latency_tracking, 1, NULL),
    CFG_CUSTOM("latency-tracking-info-percentiles", CFG_MUTABLE | CFG_MULTI_ARG, "server", "50 99 99.9", percentiles_parse, percentiles_format, NULL),
    /* [memory] */
    CFG_BYTES("maxmemory", CFG_MUTABLE, "memory", S, maxmemory, 0, 0, LLONG_MAX, NULL),
    CFG_ENUM("maxmemory-policy", CFG_MUTABLE, "memory", S, maxmemory_policy, 7, maxmemory_policy_names, NULL),
    CFG_INT("maxmemory-samples", CFG_MUTABLE, "memory", S, maxmemory_samples, 5, 1, INT_MAX, NULL),
    CFG_BOOL("lazyfree-lazy-user-flush", CFG_MUTABLE, "memory", S, lazyfree_lazy_user_flush, 0, NULL),
    /* encodings of small values (Redis's names; the ziplist spellings are aliases) */
    {.name = "list-max-listpack-size", .alias = "list-max-ziplist-size", .type = CFG_T_INT, .flags = CFG_MUTABLE, .section = "memory", .offset = offsetof(S, list_max_listpack_size), .def = -2, .min = INT_MIN, .max = INT_MAX},
    CFG_INT("list-compress-depth", CFG_MUTABLE, "memory", S, list_compress_depth, 0, 0, INT_MAX, NULL),
    {.name = "hash-max-listpack-entries", .alias = "hash-max-ziplist-entries", .type = CFG_T_INT, .flags = CFG_MUTABLE, .section = "memory", .offset = offsetof(S, hash_max_listpack_entries), .def = 512, .min = 0, .max = LONG_MAX},
    {.name = "hash-max-listpack-value", .alias = "hash-max-ziplist-value", .type = CFG_T_INT, .flags = CFG_MUTABLE, .section = "memory", .offset = offsetof(S, hash_max_listpack_value), .def = 64, .min = 0, .max = LONG_MAX},
    CFG_INT("set-max-intset-entries", CFG_MUTABLE, "memory", S, set_max_intset_entries, 512, 0, LONG_MAX, NULL),
    CFG_INT("set-max-listpack-entries", CFG_MUTABLE, "memory", S, set_max_listpack_entries, 128, 0, LONG_MAX, NULL),
    CFG_INT("set-max-listpack-value", CFG_MUTABLE, "memory", S, set_max_listpack_value, 64, 0, LONG_MAX, NULL),
    {.name = "zset-max-listpack-entries", .alias = "zset-max-ziplist-entries", .type = CFG_T_INT, .flags = CFG_MUTABLE, .section = "memory", .offset = offsetof(S, zset_max_listpack_entries), .def = 128, .min = 0, .max = LONG_MAX},
    {.name = "zset-max-listpack-value", .alias = "zset-max-ziplist-value", .type = CFG_T_INT, .flags = CFG_MUTABLE, .section = "memory", .offset = offsetof(S, zset_max_listpack_value), .def = 64, .min = 0, .max = LONG_MAX},
    /* [persistence] */
    CFG_STRING("dbfilename", CFG_MUTABLE | CFG_PROTECTED, "persistence", S, dbfilename, "dump.rdb", NULL),
    CFG_CUSTOM("save", CFG_MUTABLE | CFG_MULTI_ARG, "persistence", "3600 1 300 100 60 10000", save_parse, save_format, NULL),
    CFG_BOOL("stop-writes-on-bgsave-error", CFG_MUTABLE, "persistence", S, stop_writes_on_bgsave_error, 1, NULL),
    CFG_BOOL("rdbcompression", CFG_MUTABLE, "persistence", S, rdbcompression, 1, NULL),
    CFG_BOOL("rdbchecksum", CFG_MUTABLE, "persistence", S, rdbchecksum, 1, NULL),
    CFG_BOOL("rdb-save-incremental-fsync", CFG_MUTABLE, "persistence", S, rdb_save_incremental_fsync, 1, NULL),
    CFG_INT("rdb-key-save-delay", CFG_MUTABLE, "persistence", S, rdb_key_save_delay_us, 0, INT_MIN, INT_MAX, NULL),
    CFG_INT("key-load-delay", CFG_MUTABLE, "persistence", S, key_load_delay_us, 0, INT_MIN, INT_MAX, NULL),
    CFG_INT("loading-process-events-interval-bytes", CFG_MUTABLE, "persistence", S, loading_process_events_interval_bytes, 2 * MB, 1024, INT_MAX, NULL),
    CFG_BOOL("appendonly", CFG_MUTABLE, "persistence", S, appendonly, 0, apply_appendonly),
    CFG_ENUM("appendfsync", CFG_MUTABLE, "persistence", S, appendfsync, AOF_FSYNC_EVERYSEC, fsync_names, NULL),
    CFG_STRING("appendfilename", CFG_IMMUTABLE, "persistence", S, appendfilename, "appendonly.aof", NULL),
    CFG_STRING("appenddirname", CFG_IMMUTABLE, "persistence", S, appenddirname, "appendonlydir", NULL),
    CFG_BOOL("no-appendfsync-on-rewrite", CFG_MUTABLE, "persistence", S, no_appendfsync_on_rewrite, 0, NULL),
    CFG_INT("auto-aof-rewrite-percentage", CFG_MUTABLE, "persistence", S, auto_aof_rewrite_percentage, 100, 0, INT_MAX, NULL),
    CFG_BYTES("auto-aof-rewrite-min-size", CFG_MUTABLE, "persistence", S, auto_aof_rewrite_min_size, 64 * MB, 0, LLONG_MAX, NULL),
    CFG_BOOL("aof-load-truncated", CFG_MUTABLE, "persistence", S, aof_load_truncated, 1, NULL),
    CFG_BOOL("aof-use-rdb-preamble", CFG_MUTABLE, "persistence", S, aof_use_rdb_preamble, 1, NULL),
    CFG_BOOL("aof-rewrite-incremental-fsync", CFG_MUTABLE, "persistence", S, aof_rewrite_incremental_fsync, 1, NULL),
    CFG_BOOL("aof-timestamp-enabled", CFG_MUTABLE, "persistence", S, aof_timestamp_enabled, 0, NULL),
    /* [replication] */
    {.name = "replicaof", .alias = "slaveof", .type = CFG_T_CUSTOM, .flags = CFG_IMMUTABLE | CFG_MULTI_ARG, .section = "replication", .parse = replicaof_parse, .format = replicaof_format},
    CFG_STRING("masterauth", CFG_MUTABLE | CFG_SENSITIVE | CFG_NULLABLE, "replication", S, masterauth, "", NULL),
    CFG_STRING("masteruser", CFG_MUTABLE | CFG_NULLABLE, "replication", S, masteruser, "", NULL),
    CFG_BOOL("repl-diskless-sync", CFG_MUTABLE, "replication", S, repl_diskless_sync, 1, NULL),
    CFG_INT("repl-diskless-sync-delay", CFG_MUTABLE, "replication", S, repl_diskless_sync_delay, 5, 0, INT_MAX, NULL),
    CFG_INT("repl-diskless-sync-max-replicas", CFG_MUTABLE, "replication", S, repl_diskless_sync_max_replicas, 0, 0, INT_MAX, NULL),
    CFG_ENUM("repl-diskless-load", CFG_MUTABLE, "replication", S, repl_diskless_load, REPL_DISKLESS_LOAD_DISABLED, diskless_load_names, NULL),
    CFG_BYTES("repl-backlog-size", CFG_MUTABLE, "replication", S, repl_backlog_size, 1 * MB, 1, LLONG_MAX, NULL),
    CFG_INT("repl-backlog-ttl", CFG_MUTABLE, "replication", S, repl_backlog_ttl, 3600, 0, LONG_MAX, NULL),
    {.name = "repl-ping-replica-period", .alias = "repl-ping-slave-period", .type = CFG_T_INT, .flags = CFG_MUTABLE, .section = "replication", .offset = offsetof(S, repl_ping_replica_period), .def = 10, .min = 1, .max = INT_MAX},
    CFG_INT("repl-timeout", CFG_MUTABLE, "replication", S, repl_timeout, 60, 1, INT_MAX, NULL),
    CFG_BOOL("repl-disable-tcp-nodelay", CFG_MUTABLE, "replication", S, repl_disable_tcp_nodelay, 0, NULL),
    {.name = "replica-serve-stale-data", .alias = "slave-serve-stale-data", .type = CFG_T_BOOL, .flags = CFG_MUTABLE, .section = "replication", .offset = offsetof(S, replica_serve_stale_data), .def = 1, .min = 0, .max = 1},
    {.name = "replica-read-only", .alias = "slave-read-only", .type = CFG_T_BOOL, .flags = CFG_MUTABLE, .section = "replication", .offset = offsetof(S, replica_read_only), .def = 1, .min = 0, .max = 1},
    {.name = "replica-priority", .alias = "slave-priority", .type = CFG_T_INT, .flags = CFG_MUTABLE, .section = "replication", .offset = offsetof(S, replica_priority), .def = 100, .min = 0, .max = INT_MAX},
    {.name = "replica-announce-ip", .alias = "slave-announce-ip", .type = CFG_T_STRING, .flags = CFG_MUTABLE | CFG_NULLABLE, .section = "replication", .offset = offsetof(S, replica_announce_ip), .def_str = ""},
    {.name = "replica-announce-port", .alias = "slave-announce-port", .type = CFG_T_INT, .flags = CFG_MUTABLE, .section = "replication", .offset = offsetof(S, replica_announce_port), .def = 0, .min = 0, .max = 65535},
    CFG_BOOL("replica-announced", CFG_MUTABLE, "replication", S, replica_announced, 1, NULL),
    {.name = "replica-lazy-flush", .alias = "slave-lazy-flush", .type = CFG_T_BOOL, .flags = CFG_MUTABLE, .section = "replication", .offset = offsetof(S, replica_lazy_flush), .def = 0, .min = 0, .max = 1},
    {.name = "min-replicas-to-write", .alias = "min-slaves-to-write", .type = CFG_T_INT, .flags = CFG_MUTABLE, .section = "replication", .offset = offsetof(S, min_replicas_to_write), .def = 0, .min = 0, .max = INT_MAX},
    {.name = "min-replicas-max-lag", .alias = "min-slaves-max-lag", .type = CFG_T_INT, .flags = CFG_MUTABLE, .section = "replication", .offset = offsetof(S, min_replicas_max_lag), .def = 10, .min = 0, .max = INT_MAX},
    CFG_END,
};
/* clang-format on */
#undef S
#undef MB

const CfgTable server_cfg_table = {server_options, &cfg};
