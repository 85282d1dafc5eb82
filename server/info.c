/* info.c - the INFO report (see info.h).
 *
 * One function per section, listed once in `sections[]` in Redis's order. Field names and
 * value formats are Redis 7.0.15's, so tools that parse INFO (redis-cli --stat, exporters,
 * client libraries, our own sentinel) find what they look for; redis-cli --stat finds fields
 * by substring search, so the order matters as much as the names.
 *
 * Fields whose subsystem Vigil does not have yet (Lua, replication, AOF/RDB saves, pub/sub,
 * tracking, defrag, I/O threads) are printed with the value Redis prints when that subsystem
 * is idle; the modules that bring them will replace those constants. The latencystats
 * section reads the per-command histograms of latency_hist.c.
 *
 * Instantaneous rates (ops/sec, input/output kbps) follow Redis: info_cron() takes a
 * sample every 100 ms into a ring of 16, and INFO reports the ring's average. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "server/info.h"

#include "common/clock.h"
#include "common/hash.h"
#include "common/mem.h"
#include "common/util.h"
#include "server/blocked.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/latency_hist.h"
#include "server/persist.h"
#include "server/pubsub.h"
#include "server/repl_primary.h"
#include "server/replication.h"
#include "server/reply.h"
#include "server/server.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

/* ---- instantaneous metrics ---------------------------------------------------------- */

#define METRIC_SAMPLES   16  /* Redis's STATS_METRIC_SAMPLES */
#define METRIC_PERIOD_MS 100 /* sampled every 100 ms, as serverCron does */

enum {
    METRIC_COMMANDS,
    METRIC_NET_INPUT,
    METRIC_NET_OUTPUT,
    METRIC_NET_REPL_INPUT,
    METRIC_NET_REPL_OUTPUT,
    METRIC_COUNT
};

typedef struct Metric {
    long long samples[METRIC_SAMPLES];
    int idx;
    long long last_count;
    int64_t last_ms;
} Metric;

static Metric metrics[METRIC_COUNT];
static size_t startup_memory;

static long long metric_counter(int m) {
    switch (m) {
    case METRIC_COMMANDS: return srv.stats.total_commands_processed;
    case METRIC_NET_INPUT: return srv.stats.net_input_bytes;
    case METRIC_NET_REPL_INPUT: return srv.stats.net_repl_input_bytes;
    case METRIC_NET_REPL_OUTPUT: return srv.stats.net_repl_output_bytes;
    default: return srv.stats.net_output_bytes;
    }
}

static void metric_sample(Metric *m, long long count, int64_t now_ms) {
    int64_t dt = now_ms - m->last_ms;
    long long rate = dt > 0 ? (count - m->last_count) * 1000 / dt : 0;
    m->samples[m->idx] = rate < 0 ? 0 : rate;
    m->idx = (m->idx + 1) % METRIC_SAMPLES;
    m->last_ms = now_ms;
    m->last_count = count;
}

/* Average of the ring, dividing by the full ring size as Redis does. */
static long long metric_rate(int m) {
    long long sum = 0;
    for (int i = 0; i < METRIC_SAMPLES; i++)
        sum += metrics[m].samples[i];
    return sum / METRIC_SAMPLES;
}

void info_reset_stats(void) {
    int64_t now = clock_mono_ms();
    for (int m = 0; m < METRIC_COUNT; m++) {
        memset(&metrics[m], 0, sizeof(metrics[m]));
        metrics[m].last_ms = now;
        metrics[m].last_count = metric_counter(m);
    }
}

void info_init(void) {
    startup_memory = mem_used_bytes();
    info_reset_stats();
}

void info_cron(void) {
    int64_t now = clock_mono_ms();
    if (metrics[0].last_ms == 0) info_reset_stats();
    if (now - metrics[0].last_ms < METRIC_PERIOD_MS) return;
    for (int m = 0; m < METRIC_COUNT; m++)
        metric_sample(&metrics[m], metric_counter(m), now);
}

/* ---- small formatting helpers --------------------------------------------------------- */

static void put_human(Buf *out, const char *field, unsigned long long n) {
    char h[64];
    util_bytes_to_human(h, sizeof(h), n);
    buf_printf(out, "%s:%s\r\n", field, h);
}

static double ratio(size_t a, size_t b) {
    return b ? (double)a / (double)b : 0.0;
}

static long long diff(size_t a, size_t b) {
    return (long long)a - (long long)b;
}

/* ---- # Server -------------------------------------------------------------------------- */

static const char *os_name(void) {
    static char name[256];
    if (!name[0]) {
        struct utsname u;
        if (uname(&u) == 0)
            snprintf(name, sizeof(name), "%s %s %s", u.sysname, u.release, u.machine);
        else
            snprintf(name, sizeof(name), "unknown");
    }
    return name;
}

/* libev's backend under Redis's names for its own multiplexers. */
static const char *multiplexing_api(void) {
    unsigned b = srv.loop ? ev_backend(srv.loop) : 0;
    if (b & EVBACKEND_EPOLL) return "epoll";
    if (b & EVBACKEND_KQUEUE) return "kqueue";
    if (b & EVBACKEND_PORT) return "evport";
    if (b & EVBACKEND_POLL) return "poll";
    if (b & EVBACKEND_SELECT) return "select";
    return "unknown";
}

static const char *supervised_name(void) {
    switch (cfg.supervised) {
    case SUPERVISED_SYSTEMD: return "systemd";
    case SUPERVISED_AUTO: return getenv("NOTIFY_SOCKET") ? "systemd" : "no";
    case SUPERVISED_NO: return "no";
    default: return "upstart";
    }
}

/* Absolute path of the binary: argv[0] when it is one, else the kernel's answer. */
static const char *executable_path(void) {
    static char path[4096];
    if (srv.executable && srv.executable[0] == '/') return srv.executable;
    if (!path[0]) {
        ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
        if (n > 0)
            path[n] = '\0';
        else
            snprintf(path, sizeof(path), "%s", srv.executable ? srv.executable : "");
    }
    return path;
}

static unsigned long long build_id(void) {
    static const char what[] = "vigil-" VIGIL_VERSION;
    return (unsigned long long)hash_crc64(0, what, sizeof(what) - 1);
}

static void section_server(Buf *out) {
    long long uptime = server_uptime_s();
    buf_printf(out,
               "redis_version:%s\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
               "redis_build_id:%llx\r\nredis_mode:standalone\r\nos:%s\r\narch_bits:%d\r\n"
               "monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:%s\r\n"
               "atomicvar_api:c11-builtin\r\ngcc_version:%d.%d.%d\r\nprocess_id:%ld\r\n"
               "process_supervised:%s\r\nrun_id:%s\r\ntcp_port:%lld\r\n",
               VIGIL_REDIS_VERSION, build_id(), os_name(), (int)(sizeof(long) * 8),
               multiplexing_api(), __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__, (long)getpid(),
               supervised_name(), srv.run_id, cfg.port);
    buf_printf(out,
               "server_time_usec:%lld\r\nuptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\n"
               "hz:%lld\r\nconfigured_hz:%lld\r\nlru_clock:%u\r\nexecutable:%s\r\n"
               "config_file:%s\r\nio_threads_active:0\r\nvigil_version:%s\r\n",
               (long long)clock_wall_us(), uptime, uptime / 86400, cfg.hz, cfg.hz,
               (unsigned)obj_lru_clock(), executable_path(), srv.config_file ? srv.config_file : "",
               VIGIL_VERSION);
}

/* ---- # Clients ------------------------------------------------------------------------- */

typedef struct ClientTotals {
    long long normal, blocked;
    size_t max_in, max_out, mem_normal, mem_replicas;
    size_t replicas_out; /* replicas' unsent output (Redis 7.0's mem_clients_slaves: their
                          * share of the replication buffer; the backlog is not in it) */
} ClientTotals;

static size_t client_memory(const Client *c) {
    return sizeof(*c) + c->req.buf.cap + c->out.cap + (size_t)c->req.argv_cap * sizeof(RespArg);
}

static void clients_total(ClientTotals *t) {
    memset(t, 0, sizeof(*t));
    for (Client *c = srv.clients_head; c; c = c->next) {
        size_t in = resp_reader_pending(&c->req) + (size_t)c->argv_bytes;
        size_t pending_out = c->out.len - c->out_sent;
        if (in > t->max_in) t->max_in = in;
        if (pending_out > t->max_out) t->max_out = pending_out;
        if (c->flags & CLIENT_BLOCKED) t->blocked++;
        if (c->flags & CLIENT_REPLICA) {
            t->mem_replicas += client_memory(c);
            t->replicas_out += pending_out;
            continue;
        }
        t->normal++;
        t->mem_normal += client_memory(c);
    }
}

static void section_clients(Buf *out) {
    ClientTotals t;
    clients_total(&t);
    buf_printf(out,
               "connected_clients:%lld\r\ncluster_connections:0\r\nmaxclients:%lld\r\n"
               "client_recent_max_input_buffer:%zu\r\nclient_recent_max_output_buffer:%zu\r\n"
               "blocked_clients:%lld\r\ntracking_clients:0\r\nclients_in_timeout_table:%lld\r\n",
               t.normal, cfg.maxclients, t.max_in, t.max_out, t.blocked,
               blocked_timeout_count() + repl_primary_wait_timeouts());
}

/* ---- # Memory -------------------------------------------------------------------------- */

/* What Vigil keeps besides the data: start-up allocations, client buffers, and the bucket
 * arrays and expire entries of the keyspace (Kv nodes embed their links, so the data
 * itself carries no per-key overhead beyond its block). */
void info_db_overhead(const Db *db, size_t *main, size_t *expires) {
    *main = (size_t)dict_buckets(&db->keys) * sizeof(void *);
    *expires = (size_t)dict_buckets(&db->expires) * sizeof(void *) +
               (size_t)db_expires_size(db) * sizeof(ExpireEntry);
}

static size_t keyspace_overhead(void) {
    size_t n = 0;
    for (int i = 0; i < srv.ndbs; i++) {
        size_t main, expires;
        info_db_overhead(&srv.dbs[i], &main, &expires);
        n += main + expires;
    }
    return n;
}

void info_memory_report(MemReport *m) {
    ClientTotals t;
    clients_total(&t);
    m->used = mem_used_bytes();
    if (m->used > srv.stats.peak_memory) {
        srv.stats.peak_memory = m->used;
        srv.stats.peak_memory_time_ms = server_now_ms();
    }
    m->peak = srv.stats.peak_memory;
    m->rss = mem_rss_bytes();
    m->startup = startup_memory;
    m->clients = t.mem_normal;
    m->clients_replicas = t.replicas_out;
    m->overhead = m->startup + t.mem_normal + t.mem_replicas + keyspace_overhead();
    if (m->overhead > m->used) m->overhead = m->used;
    m->dataset = m->used - m->overhead;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    m->system = pages > 0 && page > 0 ? (size_t)pages * (size_t)page : 0;
    mem_stats(&m->alloc);
}

static void memory_usage_lines(Buf *out, const MemReport *m) {
    buf_printf(out, "used_memory:%zu\r\n", m->used);
    put_human(out, "used_memory_human", m->used);
    buf_printf(out, "used_memory_rss:%zu\r\n", m->rss);
    put_human(out, "used_memory_rss_human", m->rss);
    buf_printf(out, "used_memory_peak:%zu\r\n", m->peak);
    put_human(out, "used_memory_peak_human", m->peak);
    buf_printf(out,
               "used_memory_peak_perc:%.2f%%\r\nused_memory_overhead:%zu\r\n"
               "used_memory_startup:%zu\r\nused_memory_dataset:%zu\r\n"
               "used_memory_dataset_perc:%.2f%%\r\n",
               ratio(m->used, m->peak) * 100, m->overhead, m->startup, m->dataset,
               m->used > m->startup ? ratio(m->dataset, m->used - m->startup) * 100 : 0.0);
    buf_printf(out, "allocator_allocated:%zu\r\nallocator_active:%zu\r\nallocator_resident:%zu\r\n",
               m->alloc.allocated, m->alloc.active, m->alloc.resident);
    buf_printf(out, "total_system_memory:%zu\r\n", m->system);
    put_human(out, "total_system_memory_human", m->system);
}

/* No scripting engine yet: the values Redis reports with nothing loaded and no VM used. */
static void memory_script_lines(Buf *out) {
    buf_append_str(out, "used_memory_lua:0\r\nused_memory_vm_eval:0\r\n"
                        "used_memory_lua_human:0B\r\nused_memory_scripts_eval:0\r\n"
                        "number_of_cached_scripts:0\r\nnumber_of_functions:0\r\n"
                        "number_of_libraries:0\r\nused_memory_vm_functions:0\r\n"
                        "used_memory_vm_total:0\r\nused_memory_vm_total_human:0B\r\n"
                        "used_memory_functions:0\r\nused_memory_scripts:0\r\n"
                        "used_memory_scripts_human:0B\r\n");
}

static const char *const policy_names[] = {
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    "allkeys-lru",  "allkeys-lfu",  "allkeys-random",  "noeviction",
};

static void memory_frag_lines(Buf *out, const MemReport *m) {
    const MemStats *a = &m->alloc;
    buf_printf(out,
               "allocator_frag_ratio:%.2f\r\nallocator_frag_bytes:%lld\r\n"
               "allocator_rss_ratio:%.2f\r\nallocator_rss_bytes:%lld\r\n"
               "rss_overhead_ratio:%.2f\r\nrss_overhead_bytes:%lld\r\n"
               "mem_fragmentation_ratio:%.2f\r\nmem_fragmentation_bytes:%lld\r\n",
               ratio(a->active, a->allocated), diff(a->active, a->allocated),
               ratio(a->resident, a->active), diff(a->resident, a->active),
               ratio(m->rss, a->resident), diff(m->rss, a->resident), ratio(m->rss, m->used),
               diff(m->rss, m->used));
    buf_printf(out,
               "mem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\n"
               "mem_total_replication_buffers:0\r\nmem_clients_slaves:%zu\r\n"
               "mem_clients_normal:%zu\r\nmem_cluster_links:0\r\nmem_aof_buffer:0\r\n"
               "mem_allocator:%s\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\n"
               "lazyfreed_objects:0\r\n",
               m->clients_replicas, m->clients, mem_allocator_name());
}

static void section_memory(Buf *out) {
    MemReport m;
    info_memory_report(&m);
    memory_usage_lines(out, &m);
    memory_script_lines(out);
    buf_printf(out, "maxmemory:%lld\r\n", cfg.maxmemory);
    put_human(out, "maxmemory_human", (unsigned long long)cfg.maxmemory);
    int p = cfg.maxmemory_policy;
    buf_printf(out, "maxmemory_policy:%s\r\n",
               p >= 0 && p < (int)VG_ARRAY_LEN(policy_names) ? policy_names[p] : "noeviction");
    memory_frag_lines(out, &m);
}

/* ---- # Persistence ----------------------------------------------------------------------- */

static void section_persistence(Buf *out) {
    persist_info(out);
}

/* ---- # Stats ------------------------------------------------------------------------------ */

static void stats_traffic_lines(Buf *out) {
    const ServerStats *s = &srv.stats;
    long long sync_full, sync_ok, sync_err;
    repl_primary_sync_stats(&sync_full, &sync_ok, &sync_err);
    buf_printf(out,
               "total_connections_received:%lld\r\ntotal_commands_processed:%lld\r\n"
               "instantaneous_ops_per_sec:%lld\r\ntotal_net_input_bytes:%lld\r\n"
               "total_net_output_bytes:%lld\r\ntotal_net_repl_input_bytes:%lld\r\n"
               "total_net_repl_output_bytes:%lld\r\ninstantaneous_input_kbps:%.2f\r\n"
               "instantaneous_output_kbps:%.2f\r\ninstantaneous_input_repl_kbps:%.2f\r\n"
               "instantaneous_output_repl_kbps:%.2f\r\nrejected_connections:%lld\r\n"
               "sync_full:%lld\r\nsync_partial_ok:%lld\r\nsync_partial_err:%lld\r\n",
               s->total_connections_received, s->total_commands_processed,
               metric_rate(METRIC_COMMANDS), s->net_input_bytes, s->net_output_bytes,
               s->net_repl_input_bytes, s->net_repl_output_bytes,
               (double)metric_rate(METRIC_NET_INPUT) / 1024,
               (double)metric_rate(METRIC_NET_OUTPUT) / 1024,
               (double)metric_rate(METRIC_NET_REPL_INPUT) / 1024,
               (double)metric_rate(METRIC_NET_REPL_OUTPUT) / 1024, s->rejected_connections, sync_full,
               sync_ok, sync_err);
}

static void stats_keyspace_lines(Buf *out) {
    const ServerStats *s = &srv.stats;
    buf_printf(out,
               "expired_keys:%lld\r\nexpired_stale_perc:%.2f\r\n"
               "expired_time_cap_reached_count:0\r\nexpire_cycle_cpu_milliseconds:%lld\r\n"
               "evicted_keys:%lld\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:0\r\n"
               "current_eviction_exceeded_time:0\r\nkeyspace_hits:%lld\r\n"
               "keyspace_misses:%lld\r\npubsub_channels:%zu\r\npubsub_patterns:%zu\r\n"
               "pubsubshard_channels:0\r\nlatest_fork_usec:%lld\r\ntotal_forks:%lld\r\n"
               "migrate_cached_sockets:0\r\nslave_expires_tracked_keys:0\r\n",
               s->expired_keys, (double)s->expired_stale_perc, s->expire_cycle_cpu_ms,
               s->evicted_keys, s->keyspace_hits, s->keyspace_misses, pubsub_channel_count(),
               pubsub_pattern_count(), ps.latest_fork_usec, ps.total_forks);
}

static void stats_misc_lines(Buf *out) {
    const ServerStats *s = &srv.stats;
    buf_printf(out,
               "active_defrag_hits:0\r\nactive_defrag_misses:0\r\nactive_defrag_key_hits:0\r\n"
               "active_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\n"
               "current_active_defrag_time:0\r\ntracking_total_keys:0\r\n"
               "tracking_total_items:0\r\ntracking_total_prefixes:0\r\n"
               "unexpected_error_replies:%lld\r\ntotal_error_replies:%lld\r\n"
               "dump_payload_sanitizations:0\r\ntotal_reads_processed:%lld\r\n"
               "total_writes_processed:%lld\r\nio_threaded_reads_processed:0\r\n"
               "io_threaded_writes_processed:0\r\nreply_buffer_shrinks:0\r\n"
               "reply_buffer_expands:0\r\n"
               /* Redis 7.2's names for the two limit counters; 7.0 has none, and tools that
                * find fields by name are unaffected by two more lines at the end. */
               "client_query_buffer_limit_disconnections:%lld\r\n"
               "client_output_buffer_limit_disconnections:%lld\r\n",
               s->unexpected_error_replies, s->total_error_replies, s->total_reads_processed,
               s->total_writes_processed, s->client_qbuf_limit_disconnections,
               s->client_obuf_limit_disconnections);
}

static void section_stats(Buf *out) {
    stats_traffic_lines(out);
    stats_keyspace_lines(out);
    stats_misc_lines(out);
}

/* ---- # Replication, # CPU, # Cluster ------------------------------------------------------ */

/* A primary without replicas; repl_backlog_size is Redis's default until the option lands. */
static void section_replication(Buf *out) {
    repl_info(out);
}

static void put_cpu(Buf *out, const char *field, struct timeval tv) {
    buf_printf(out, "%s:%ld.%06ld\r\n", field, (long)tv.tv_sec, (long)tv.tv_usec);
}

static void section_cpu(Buf *out) {
    struct rusage self, children, thread;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    getrusage(RUSAGE_THREAD, &thread); /* INFO runs on the main thread */
    put_cpu(out, "used_cpu_sys", self.ru_stime);
    put_cpu(out, "used_cpu_user", self.ru_utime);
    put_cpu(out, "used_cpu_sys_children", children.ru_stime);
    put_cpu(out, "used_cpu_user_children", children.ru_utime);
    put_cpu(out, "used_cpu_sys_main_thread", thread.ru_stime);
    put_cpu(out, "used_cpu_user_main_thread", thread.ru_utime);
}

static void section_modules(Buf *out) {
    VG_UNUSED(out);
}

static void put_cmdstat(Command *cmd, void *ud) {
    const CmdStats *s = &cmd->stats;
    if (!s->calls && !s->failed_calls && !s->rejected_calls) return;
    buf_printf(ud,
               "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,"
               "failed_calls=%lld\r\n",
               cmd->fullname, s->calls, s->usec,
               s->calls ? (double)s->usec / (double)s->calls : 0.0, s->rejected_calls,
               s->failed_calls);
}

static void section_commandstats(Buf *out) {
    commands_each(put_cmdstat, out, true);
}

static void section_errorstats(Buf *out) {
    reply_errorstats_format(out);
}

/* latency_percentiles_usec_<fullname>:p50=4.000,p99=...,p99.9=... for every command with a
 * histogram (called with latency-tracking on since the last RESETSTAT), in commandstats'
 * order; the percentiles are latency-tracking-info-percentiles, named as CONFIG GET prints
 * them, values in microseconds with three decimals as Redis prints them. With tracking off
 * Redis prints the header alone, even when histograms exist. */
static void put_latency_percentiles(Command *cmd, void *ud) {
    if (!cmd->latency_hist) return;
    Buf *out = ud;
    buf_printf(out, "latency_percentiles_usec_%s:", cmd->fullname);
    for (int i = 0; i < cfg.latency_tracking_info_percentiles_len; i++) {
        double p = cfg.latency_tracking_info_percentiles[i];
        char name[64];
        latency_hist_format_percentile(name, sizeof(name), p);
        buf_printf(out, "%sp%s=%.3f", i ? "," : "", name,
                   latency_hist_percentile(cmd->latency_hist, p));
    }
    buf_append_str(out, "\r\n");
}

static void section_latencystats(Buf *out) {
    if (!cfg.latency_tracking) return;
    commands_each(put_latency_percentiles, out, true);
}

static void section_cluster(Buf *out) {
    buf_append_str(out, "cluster_enabled:0\r\n");
}

static void section_keyspace(Buf *out) {
    for (int i = 0; i < srv.ndbs; i++) {
        Db *db = &srv.dbs[i];
        long long keys = db_size(db);
        if (!keys) continue;
        buf_printf(out, "db%d:keys=%lld,expires=%lld,avg_ttl=%lld\r\n", i, keys,
                   db_expires_size(db), db->avg_ttl_ms);
    }
}

/* ---- selection and assembly ------------------------------------------------------------ */

typedef struct InfoSection {
    const char *name;  /* lower case, as selected */
    const char *title; /* the "# Title" line */
    void (*fn)(Buf *out);
    bool in_default;
} InfoSection;

/* clang-format off */
static const InfoSection sections[] = {
    {"server",       "Server",       section_server,       true},
    {"clients",      "Clients",      section_clients,      true},
    {"memory",       "Memory",       section_memory,       true},
    {"persistence",  "Persistence",  section_persistence,  true},
    {"stats",        "Stats",        section_stats,        true},
    {"replication",  "Replication",  section_replication,  true},
    {"cpu",          "CPU",          section_cpu,          true},
    {"modules",      "Modules",      section_modules,      true},
    {"commandstats", "Commandstats", section_commandstats, false},
    {"errorstats",   "Errorstats",   section_errorstats,   true},
    {"latencystats", "Latencystats", section_latencystats, false},
    {"cluster",      "Cluster",      section_cluster,      true},
    {"keyspace",     "Keyspace",     section_keyspace,     true},
};
/* clang-format on */

#define NSECTIONS VG_ARRAY_LEN(sections)

/* Mark the sections argv selects: names are case-insensitive; "default", "all" and
 * "everything" (all + module sections, of which there are none) select groups. */
static void select_sections(int argc, const RespArg *argv, bool *want) {
    if (argc == 0) {
        for (size_t s = 0; s < NSECTIONS; s++)
            want[s] = sections[s].in_default;
        return;
    }
    for (int i = 0; i < argc; i++) {
        const RespArg *a = &argv[i];
        bool all = arg_is(a, "all") || arg_is(a, "everything");
        bool def = arg_is(a, "default");
        for (size_t s = 0; s < NSECTIONS; s++) {
            if (all || (def && sections[s].in_default) || arg_is(a, sections[s].name))
                want[s] = true;
        }
    }
}

void info_generate(Buf *out, int argc, const RespArg *argv) {
    bool want[NSECTIONS] = {false};
    select_sections(argc, argv, want);
    int emitted = 0;
    for (size_t s = 0; s < NSECTIONS; s++) {
        if (!want[s]) continue;
        if (emitted++) buf_append_str(out, "\r\n");
        buf_printf(out, "# %s\r\n", sections[s].title);
        sections[s].fn(out);
    }
}
