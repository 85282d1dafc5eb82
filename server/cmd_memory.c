/* cmd_memory.c - MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE and HELP.
 *
 * USAGE reports what a key really occupies: its Kv block (which holds the key, and short
 * string values) plus the blocks of its value, as the allocator sized them. Large
 * aggregates are measured on SAMPLES elements (default 5, 0 = all) and extrapolated, as
 * Redis does, so the command stays cheap on a million-element set. STATS gives Redis 7.0's
 * fields in its order, from the same figures as INFO memory. */
#include "common/buf.h"
#include "common/mem.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/info.h"
#include "server/reply.h"
#include "server/server.h"

#include <limits.h>
#include <stdio.h>

#define USAGE_DEFAULT_SAMPLES 5 /* Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES */

/* MEMORY USAGE key [SAMPLES count] */
static void cmd_memory_usage(Client *c) {
    long long samples = USAGE_DEFAULT_SAMPLES;
    for (int j = 3; j < c->argc; j += 2) {
        if (!arg_is(&c->argv[j], "samples") || j + 1 >= c->argc) {
            reply_syntax_error(c);
            return;
        }
        if (arg_to_ll_or_reply(c, &c->argv[j + 1], &samples, NULL) != 0) return;
        if (samples < 0) {
            reply_syntax_error(c);
            return;
        }
    }
    Kv *kv = db_lookup_read(c->db, c->argv[2].ptr, c->argv[2].len, LOOKUP_NOTOUCH);
    if (!kv) {
        reply_null(c);
        return;
    }
    reply_int(c, (long long)kv_memory_usage(kv, samples));
}

static double ratio(size_t a, size_t b) {
    return b ? (double)a / (double)b : 0;
}

static long long diff(size_t a, size_t b) {
    return (long long)a - (long long)b;
}

/* MEMORY STATS's map is sent with a deferred header, so its size is whatever was added. */
typedef struct Stats {
    Client *c;
    long long pairs;
} Stats;

static void stat_int(Stats *st, const char *name, long long v) {
    reply_bulk_cstr(st->c, name);
    reply_int(st->c, v);
    st->pairs++;
}

static void stat_double(Stats *st, const char *name, double v) {
    reply_bulk_cstr(st->c, name);
    reply_double(st->c, v);
    st->pairs++;
}

/* MEMORY STATS: Redis 7.0's map, in its order; db.N entries for the non-empty databases. */
static void cmd_memory_stats(Client *c) {
    MemReport m;
    info_memory_report(&m);
    long long keys = 0;
    for (int i = 0; i < srv.ndbs; i++)
        keys += db_size(&srv.dbs[i]);
    Stats st = {c, 0};
    size_t head = reply_deferred_begin(c);
    stat_int(&st, "peak.allocated", (long long)m.peak);
    stat_int(&st, "total.allocated", (long long)m.used);
    stat_int(&st, "startup.allocated", (long long)m.startup);
    stat_int(&st, "replication.backlog", 0);
    stat_int(&st, "clients.slaves", 0);
    stat_int(&st, "clients.normal", (long long)m.clients);
    stat_int(&st, "cluster.links", 0);
    stat_int(&st, "aof.buffer", 0);
    stat_int(&st, "lua.caches", 0);
    stat_int(&st, "functions.caches", 0);
    for (int i = 0; i < srv.ndbs; i++) {
        if (!db_size(&srv.dbs[i])) continue;
        char name[32];
        size_t main, expires;
        info_db_overhead(&srv.dbs[i], &main, &expires);
        snprintf(name, sizeof(name), "db.%d", i);
        reply_bulk_cstr(c, name);
        reply_map(c, 3);
        Stats db = {c, 0};
        stat_int(&db, "overhead.hashtable.main", (long long)main);
        stat_int(&db, "overhead.hashtable.expires", (long long)expires);
        stat_int(&db, "overhead.hashtable.slot-to-keys", 0);
        st.pairs++;
    }
    stat_int(&st, "overhead.total", (long long)m.overhead);
    stat_int(&st, "keys.count", keys);
    stat_int(&st, "keys.bytes-per-key", keys ? (long long)(m.dataset / (size_t)keys) : 0);
    stat_int(&st, "dataset.bytes", (long long)m.dataset);
    stat_double(&st, "dataset.percentage", m.used ? 100.0 * ratio(m.dataset, m.used) : 0);
    stat_double(&st, "peak.percentage", m.peak ? 100.0 * ratio(m.used, m.peak) : 0);
    stat_int(&st, "allocator.allocated", (long long)m.alloc.allocated);
    stat_int(&st, "allocator.active", (long long)m.alloc.active);
    stat_int(&st, "allocator.resident", (long long)m.alloc.resident);
    stat_double(&st, "allocator-fragmentation.ratio", ratio(m.alloc.active, m.alloc.allocated));
    stat_int(&st, "allocator-fragmentation.bytes", diff(m.alloc.active, m.alloc.allocated));
    stat_double(&st, "allocator-rss.ratio", ratio(m.alloc.resident, m.alloc.active));
    stat_int(&st, "allocator-rss.bytes", diff(m.alloc.resident, m.alloc.active));
    stat_double(&st, "rss-overhead.ratio", ratio(m.rss, m.alloc.resident));
    stat_int(&st, "rss-overhead.bytes", diff(m.rss, m.alloc.resident));
    stat_double(&st, "fragmentation", ratio(m.rss, m.used));
    stat_int(&st, "fragmentation.bytes", diff(m.rss, m.used));
    reply_deferred_map(c, head, st.pairs);
}

/* MEMORY DOCTOR: the conditions Redis's report looks for, in plain words. Below 5 MB there
 * is too little data to judge, as in Redis. */
static void cmd_memory_doctor(Client *c) {
    MemReport m;
    info_memory_report(&m);
    Buf out = BUF_INIT;
    if (m.used < 5u * 1024 * 1024) {
        buf_append_str(&out, "Hi Sam, this instance is empty or is using very little memory, my "
                             "issues detector can't be used in these conditions. Please, leave "
                             "for your mission on Earth and fill it with some data. The new Sam "
                             "and I will be back to our programming as soon as I finished "
                             "rebooting.");
    } else {
        int issues = 0;
        if (m.peak > m.used + m.used / 2) {
            buf_printf(&out, " * Peak memory: at some point the server used %.2f times the "
                             "memory it uses now (peak %zu bytes). Allocators cannot always "
                             "give freed memory back, so RSS may stay near the peak.\n\n",
                       ratio(m.peak, m.used), m.peak);
            issues++;
        }
        double frag = ratio(m.alloc.active, m.alloc.allocated);
        if (frag > 1.1 && diff(m.alloc.active, m.alloc.allocated) > 10 * 1024 * 1024) {
            buf_printf(&out, " * High allocator fragmentation: %.2f (active %zu bytes for %zu "
                             "allocated). MEMORY PURGE may return part of it.\n\n",
                       frag, m.alloc.active, m.alloc.allocated);
            issues++;
        }
        if (m.clients > 200u * 1024 * 1024) {
            buf_printf(&out, " * Client buffers use %zu bytes: look for clients that read "
                             "replies slowly or send huge pipelines (CLIENT LIST omem, qbuf).\n\n",
                       m.clients);
            issues++;
        }
        if (issues == 0) {
            buf_append_str(&out, "Hi Sam, I can't find any memory issue in your instance. I can "
                                 "only account for what occurs on this base.");
        } else {
            buf_append_str(&out, "I'm here to keep you safe, Sam. I want to help you.\n");
        }
    }
    reply_verbatim(c, out.data, out.len, "txt");
    buf_deinit(&out);
}

static void cmd_memory_malloc_stats(Client *c) {
    Buf out = BUF_INIT;
    mem_malloc_stats(&out);
    reply_verbatim(c, out.data ? out.data : "", out.len, "txt");
    buf_deinit(&out);
}

static void cmd_memory_purge(Client *c) {
    if (!mem_purge()) {
        reply_error(c, "ERR Error purging dirty pages");
        return;
    }
    reply_ok(c);
}

static void cmd_memory_help(Client *c) {
    static const char *const lines[] = {
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        NULL,
    };
    reply_help(c, lines);
}

/* clang-format off */
static const CmdSpec memory_subcommands[] = {
    {"doctor",       cmd_memory_doctor,       2, 0,                        NO_KEYS,       "server", NULL, "Outputs memory problems report", "4.0.0", ""},
    {"help",         cmd_memory_help,         2, CMD_LOADING | CMD_STALE,  NO_KEYS,       "server", NULL, "Show helpful text about the different subcommands", "4.0.0", ""},
    {"malloc-stats", cmd_memory_malloc_stats, 2, 0,                        NO_KEYS,       "server", NULL, "Show allocator internal stats", "4.0.0", ""},
    {"purge",        cmd_memory_purge,        2, 0,                        NO_KEYS,       "server", NULL, "Ask the allocator to release memory", "4.0.0", ""},
    {"stats",        cmd_memory_stats,        2, 0,                        NO_KEYS,       "server", NULL, "Show memory usage details", "4.0.0", ""},
    {"usage",        cmd_memory_usage,       -3, CMD_READONLY,             KEYS(2, 2, 1), "server", NULL, "Estimate the memory usage of a key", "4.0.0", "key [SAMPLES count]"},
    CMD_SPEC_END,
};

const CmdSpec memory_commands[] = {
    {"memory", NULL, -2, 0, NO_KEYS, "server", memory_subcommands, "A container for memory diagnostics commands", "4.0.0", ""},
    CMD_SPEC_END,
};
/* clang-format on */
