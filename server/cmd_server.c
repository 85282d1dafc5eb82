/* cmd_server.c - server commands: TIME, LASTSAVE, SHUTDOWN, DEBUG, and the SLOWLOG and
 * LATENCY families (whose state lives in slowlog.c and latency.c).
 *
 * DEBUG is one command with its own subcommand table, as in Redis (COMMAND INFO shows no
 * subcommands, and a bad name or arity answers "unknown subcommand or wrong number of
 * arguments"). It is CMD_PROTECTED: dispatch refuses it unless enable-debug-command allows.
 * Implemented: SLEEP, OBJECT, SET-ACTIVE-EXPIRE, DIGEST, DIGEST-VALUE, POPULATE, PROTOCOL,
 * LOG, ERROR, RELOAD, HELP.
 *
 * DEBUG DIGEST follows Redis's scheme, so equal datasets give equal digests whatever the
 * insertion order (and, for strings, the very digest Redis computes):
 *   mix(d, data)  d ^= SHA1(data); d = SHA1(d)        order-sensitive, within one key
 *   xor(d, data)  d ^= SHA1(data)                     order-free, across keys
 *   key digest    k = 0; mix(k, key); mix(k, be32(type)); mix(k, value);
 *                 if it has a TTL: xor(k, "!!expire!!")
 *   dataset       D = 0; per non-empty db: mix(D, be32(db id)); per key: xor(D, k)
 * An empty dataset is 40 zeros. DIGEST-VALUE is the key digest without the key name.
 *
 * SHUTDOWN saves per SAVE/NOSAVE and the save points (persist.c) and exits; the client sees
 * the connection close without a reply, as with Redis, or an error when the save failed. */
#include "common/clock.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/resp_writer.h"
#include "common/util.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/digest.h"
#include "server/latency.h"
#include "server/persist.h"
#include "server/rdb.h"
#include "server/reply.h"
#include "server/server.h"
#include "server/slowlog.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An argument as a NUL-terminated string in buf (cut to the buffer), for strtod/strtoll
 * leniency where Redis parses with them. */
static const char *arg_cstr(const RespArg *a, char *buf, size_t cap) {
    size_t n = VG_MIN(a->len, cap - 1);
    memcpy(buf, a->ptr, n);
    buf[n] = '\0';
    return buf;
}

/* ---------------------------------------------------------------- TIME, LASTSAVE */

/* TIME: [unix seconds, microseconds] as bulk strings. */
static void cmd_time(Client *c) {
    int64_t us = clock_wall_us();
    reply_array(c, 2);
    reply_bulk_ll(c, us / 1000000);
    reply_bulk_ll(c, us % 1000000);
}

/* LASTSAVE */
static void cmd_lastsave(Client *c) {
    reply_int(c, srv.lastsave_s);
}

/* ---------------------------------------------------------------- SHUTDOWN */

enum {
    SHUT_NOSAVE = PERSIST_SHUT_NOSAVE,
    SHUT_SAVE = PERSIST_SHUT_SAVE,
    SHUT_FORCE = PERSIST_SHUT_FORCE,
    SHUT_NOW = 1 << 3, /* nothing to wait for until replicas exist */
};

/* SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT] */
static void cmd_shutdown(Client *c) {
    int flags = 0;
    bool abort_req = false;
    for (int i = 1; i < c->argc; i++) {
        const RespArg *a = &c->argv[i];
        if (arg_is(a, "nosave")) {
            flags |= SHUT_NOSAVE;
        } else if (arg_is(a, "save")) {
            flags |= SHUT_SAVE;
        } else if (arg_is(a, "now")) {
            flags |= SHUT_NOW;
        } else if (arg_is(a, "force")) {
            flags |= SHUT_FORCE;
        } else if (arg_is(a, "abort")) {
            abort_req = true;
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    if ((abort_req && flags) || ((flags & SHUT_NOSAVE) && (flags & SHUT_SAVE))) {
        reply_syntax_error(c);
        return;
    }
    if (abort_req) {
        /* Our shutdown is synchronous: there is never one in progress to abort. */
        reply_error(c, "ERR No shutdown in progress.");
        return;
    }
    /* a dataset still loading is never saved over the file it comes from */
    if (ps.loading) flags = (flags & ~SHUT_SAVE) | SHUT_NOSAVE;
    server_shutdown_now(flags & (SHUT_NOSAVE | SHUT_SAVE | SHUT_FORCE));
    reply_error(c, "ERR Errors trying to SHUTDOWN. Check logs.");
}

/* ---------------------------------------------------------------- DEBUG DIGEST */

/* The value part of a key's digest: type, value (each type module digests its elements),
 * TTL marker. */
static void digest_value(const Kv *kv, Digest d) {
    digest_mix_u32(d, kv->type);
    if (kv->type == OBJ_STRING) {
        char num[32];
        size_t len;
        const char *s = kv_str(kv, &len, num);
        digest_mix(d, s, len);
    } else {
        kv_type_ops(kv)->digest(kv, d);
    }
    if (kv->has_expire) digest_xor(d, "!!expire!!", 10);
}

static void digest_dataset(Digest total) {
    memset(total, 0, sizeof(Digest));
    for (int j = 0; j < srv.ndbs; j++) {
        Db *db = &srv.dbs[j];
        if (db_size(db) == 0) continue;
        digest_mix_u32(total, (uint32_t)j);
        DictIter it;
        dict_iter_init(&it, &db->keys, false);
        DictNode *n;
        while ((n = dict_iter_next(&it))) {
            const Kv *kv = (const Kv *)n;
            Digest k = {0};
            digest_mix(k, kv_key(kv), kv->keylen);
            digest_value(kv, k);
            digest_xor(total, k, sizeof(k));
        }
        dict_iter_deinit(&it);
    }
}

static void reply_digest(Client *c, const Digest d) {
    static const char hex[] = "0123456789abcdef";
    char out[41];
    for (int i = 0; i < 20; i++) {
        out[i * 2] = hex[d[i] >> 4];
        out[i * 2 + 1] = hex[d[i] & 15];
    }
    out[40] = '\0';
    reply_simple(c, out);
}

/* DEBUG DIGEST */
static void debug_digest(Client *c) {
    Digest d;
    digest_dataset(d);
    reply_digest(c, d);
}

/* DEBUG DIGEST-VALUE key [key ...]: 40 zeros for a missing key. */
static void debug_digest_value(Client *c) {
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        Digest d = {0};
        Kv *kv = db_find(c->db, c->argv[i].ptr, c->argv[i].len); /* no expiry, no stats */
        if (kv) digest_value(kv, d);
        reply_digest(c, d);
    }
}

/* ---------------------------------------------------------------- DEBUG OBJECT */

/* Bytes of an RDB length prefix (RDB format: 6-bit, 14-bit, 32-bit, 64-bit forms). */
static size_t rdb_len_bytes(size_t len) {
    if (len < (1u << 6)) return 1;
    if (len < (1u << 14)) return 2;
    if (len <= UINT32_MAX) return 5;
    return 9;
}

/* What RDB would write for the value (no type byte), as DEBUG OBJECT's serializedlength.
 * Strings that fit 8/16/32-bit integers use the integer encodings; LZF compression of
 * strings over 20 bytes is not accounted for, so those report their uncompressed size.
 * Other types report 0 until the RDB module can measure them. */
static size_t serialized_length(const Kv *kv) {
    if (kv->type != OBJ_STRING) return 0;
    char num[32];
    size_t len;
    const char *s = kv_str(kv, &len, num);
    long long v;
    if (len <= 11 && util_str_to_ll(s, len, &v)) {
        if (v >= INT8_MIN && v <= INT8_MAX) return 2;
        if (v >= INT16_MIN && v <= INT16_MAX) return 3;
        if (v >= INT32_MIN && v <= INT32_MAX) return 5;
    }
    return rdb_len_bytes(len) + len;
}

/* DEBUG OBJECT key */
static void debug_object(Client *c) {
    Kv *kv = db_find(c->db, c->argv[2].ptr, c->argv[2].len);
    if (!kv) {
        reply_error(c, ERRT_NO_KEY);
        return;
    }
    char line[256];
    snprintf(line, sizeof(line),
             "Value at:%p refcount:%lld encoding:%s serializedlength:%zu lru:%u "
             "lru_seconds_idle:%llu",
             (void *)kv, kv_refcount(kv), obj_encoding_name(kv->encoding), serialized_length(kv), (unsigned)kv->lru,
             kv_idle_seconds(kv));
    reply_simple(c, line);
}

/* ---------------------------------------------------------------- DEBUG misc */

/* DEBUG SLEEP seconds: blocks the whole server. The number is read as strtod reads it, so
 * junk sleeps 0 and negatives return at once, as in Redis. */
static void debug_sleep(Client *c) {
    char buf[64];
    double secs = strtod(arg_cstr(&c->argv[2], buf, sizeof(buf)), NULL);
    if (secs > 0) {
        if (secs > 1e9) secs = 1e9;
        long long us = (long long)(secs * 1e6);
        struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
    reply_ok(c);
}

/* DEBUG SET-ACTIVE-EXPIRE 0|1: any non-zero number (as atoi reads it) enables. */
static void debug_set_active_expire(Client *c) {
    char buf[32];
    srv.active_expire_enabled = strtoll(arg_cstr(&c->argv[2], buf, sizeof(buf)), NULL, 10) != 0;
    reply_ok(c);
}

/* DEBUG LOG message */
static void debug_log(Client *c) {
    log_warn("DEBUG LOG: %.*s", (int)c->argv[2].len, c->argv[2].ptr);
    reply_ok(c);
}

/* DEBUG ERROR string: the string is the whole error line (no ERR prefix added). */
static void debug_error(Client *c) {
    reply_error_fmt(c, "%.*s", (int)c->argv[2].len, c->argv[2].ptr);
}

/* ---------------------------------------------------------------- DEBUG POPULATE */

#define ERR_POSITIVE         "ERR value is out of range, must be positive"
#define POPULATE_PRESIZE_MAX (16LL * 1024 * 1024)

/* "value:<n>", or with size > 0 exactly size bytes: that text cut or NUL-padded. */
static void populate_value(Buf *val, long long n, long long size) {
    val->len = 0;
    buf_printf(val, "value:%lld", n);
    if (size <= 0) return;
    size_t want = (size_t)size;
    if (val->len < want) memset(buf_reserve(val, want - val->len), 0, want - val->len);
    val->len = want;
}

/* DEBUG POPULATE count [prefix] [size]: keys "<prefix>:<n>" (prefix "key") with values
 * "value:<n>"; existing keys are left alone. */
static void debug_populate(Client *c) {
    long long count, size = 0;
    if (arg_to_ll_range_or_reply(c, &c->argv[2], 0, LLONG_MAX, &count, ERR_POSITIVE) != 0) return;
    if (c->argc == 5 &&
        arg_to_ll_range_or_reply(c, &c->argv[4], 0, LLONG_MAX, &size, ERR_POSITIVE) != 0)
        return;
    RespArg prefix = c->argc >= 4 ? c->argv[3] : (RespArg){"key", 3};
    Buf key = BUF_INIT, val = BUF_INIT;
    if (size > 0 && !buf_try_reserve(&val, (size_t)size + 32)) {
        reply_error(c, "ERR OOM allocating the value for DEBUG POPULATE");
        return;
    }
    /* Pre-size the table for reasonable counts; past that it grows as any write would. */
    if (count <= POPULATE_PRESIZE_MAX)
        dict_expand(&c->db->keys, dict_size(&c->db->keys) + (uint64_t)count);
    for (long long n = 0; n < count; n++) {
        key.len = 0;
        buf_append(&key, prefix.ptr, prefix.len);
        buf_printf(&key, ":%lld", n);
        if (db_lookup_write(c->db, key.data, key.len)) continue;
        populate_value(&val, n, size);
        db_add(c->db, kv_new_string(key.data, key.len, val.data, val.len));
    }
    buf_deinit(&key);
    buf_deinit(&val);
    reply_ok(c);
}

/* ---------------------------------------------------------------- DEBUG PROTOCOL */

/* The scalar types; false when `t` names none of them. */
static bool protocol_scalar(Client *c, const RespArg *t) {
    if (arg_is(t, "string")) {
        reply_bulk_cstr(c, "Hello World");
    } else if (arg_is(t, "integer")) {
        reply_int(c, 12345);
    } else if (arg_is(t, "double")) {
        reply_double(c, 3.141);
    } else if (arg_is(t, "bignum")) {
        resp_bignum(&c->out, c->resp, "1234567999999999999999999999999999999", 37);
    } else if (arg_is(t, "null")) {
        reply_null(c);
    } else if (arg_is(t, "verbatim")) {
        reply_verbatim(c, "This is a verbatim\nstring", 25, "txt");
    } else if (arg_is(t, "true") || arg_is(t, "false")) {
        reply_bool(c, arg_is(t, "true"));
    } else {
        return false;
    }
    return true;
}

/* The aggregate types; false when `t` names none of them. RESP3 "attrib" sends an
 * attribute map before the reply (RESP2 sees the reply alone); "push" sends a push message
 * and then the reply, as Redis does, and is refused in RESP2. */
static bool protocol_aggregate(Client *c, const RespArg *t) {
    if (arg_is(t, "array") || arg_is(t, "set") || arg_is(t, "map")) {
        bool map = arg_is(t, "map");
        if (map)
            reply_map(c, 3);
        else if (arg_is(t, "set"))
            reply_set(c, 3);
        else
            reply_array(c, 3);
        for (int i = 0; i < 3; i++) {
            reply_int(c, i);
            if (map) reply_bool(c, i == 1);
        }
    } else if (arg_is(t, "attrib")) {
        if (c->resp == 3) {
            reply_proto(c, "|1\r\n", 4);
            reply_bulk_cstr(c, "key-popularity");
            reply_array(c, 2);
            reply_bulk_cstr(c, "key:123");
            reply_int(c, 90);
        }
        reply_bulk_cstr(c, "Some real reply following the attribute");
    } else if (arg_is(t, "push")) {
        if (c->resp != 3) {
            reply_error(c, "ERR RESP2 is not supported by this command");
            return true;
        }
        resp_push(&c->out, c->resp, 2);
        reply_bulk_cstr(c, "server-cpu-usage");
        reply_int(c, 42);
        reply_bulk_cstr(c, "Some real reply following the push reply");
    } else {
        return false;
    }
    return true;
}

/* DEBUG PROTOCOL type */
static void debug_protocol(Client *c) {
    const RespArg *t = &c->argv[2];
    if (protocol_scalar(c, t) || protocol_aggregate(c, t)) return;
    reply_error(c, "ERR Wrong protocol type name. Please use one of the following: "
                   "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|"
                   "true|false");
}

/* ---------------------------------------------------------------- DEBUG dispatch */

/* DEBUG RELOAD [NOSAVE] [NOFLUSH]: save the RDB, empty the dataset and load the file back
 * (tests use it to prove a dataset survives the round trip). Loading here runs inside a
 * command, so it serves no other client meanwhile. */
static void debug_reload(Client *c) {
    bool save = true, flush = true;
    for (int i = 2; i < c->argc; i++) {
        if (arg_is(&c->argv[i], "nosave")) {
            save = false;
        } else if (arg_is(&c->argv[i], "noflush")) {
            flush = false;
        } else {
            reply_error(c, "ERR DEBUG RELOAD only supports the NOSAVE and NOFLUSH options.");
            return;
        }
    }
    if (save && rdb_save_file(cfg.dbfilename, NULL, false) != 0) {
        reply_error(c, "ERR Error trying to save the dataset, check server logs.");
        return;
    }
    if (flush)
        for (int i = 0; i < srv.ndbs; i++) db_flush(&srv.dbs[i]);
    RdbLoadInfo info;
    memset(&info, 0, sizeof(info));
    char err[512];
    err[0] = '\0';
    if (rdb_load_file(cfg.dbfilename, &info, err, sizeof(err)) != RDB_LOAD_OK) {
        log_warn("DEBUG RELOAD: %s", err[0] ? err : "no RDB file to load");
        reply_error(c, "ERR Error trying to load the RDB dump, check server logs.");
        return;
    }
    log_notice("DB reloaded by DEBUG RELOAD");
    reply_ok(c);
}

static void debug_help(Client *c);

typedef struct DebugSub {
    const char *name;
    int min_argc, max_argc; /* counting DEBUG and the subcommand; -1: no maximum */
    void (*fn)(Client *c);
} DebugSub;

/* clang-format off */
static const DebugSub debug_subs[] = {
    {"help",              2,  2, debug_help},
    {"sleep",             3,  3, debug_sleep},
    {"object",            3,  3, debug_object},
    {"set-active-expire", 3,  3, debug_set_active_expire},
    {"digest",            2,  2, debug_digest},
    {"digest-value",      2, -1, debug_digest_value},
    {"populate",          3,  5, debug_populate},
    {"protocol",          3,  3, debug_protocol},
    {"log",               3,  3, debug_log},
    {"error",             3,  3, debug_error},
    {"reload",            2,  4, debug_reload},
};
/* clang-format on */

static void debug_help(Client *c) {
    static const char *const lines[] = {
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "RELOAD [NOSAVE] [NOFLUSH]",
        "    Save the RDB on disk and reload it back to memory. NOSAVE loads the existing",
        "    file; NOFLUSH keeps the current dataset (a key in both is an error).",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        NULL,
    };
    reply_help(c, lines);
}

/* DEBUG <subcommand> [args...] */
static void cmd_debug(Client *c) {
    for (size_t i = 0; i < VG_ARRAY_LEN(debug_subs); i++) {
        const DebugSub *s = &debug_subs[i];
        if (!arg_is(&c->argv[1], s->name)) continue;
        if (c->argc < s->min_argc || (s->max_argc >= 0 && c->argc > s->max_argc)) break;
        s->fn(c);
        return;
    }
    reply_subcommand_syntax_error(c);
}

/* ---------------------------------------------------------------- SLOWLOG */

/* SLOWLOG GET [count]: default 10, -1 for all. */
static void cmd_slowlog_get(Client *c) {
    long long count = 10;
    if (c->argc > 3) {
        reply_subcommand_syntax_error(c);
        return;
    }
    if (c->argc == 3 &&
        arg_to_ll_range_or_reply(c, &c->argv[2], -1, LLONG_MAX, &count,
                                 "ERR count should be greater than or equal to -1") != 0)
        return;
    slowlog_reply_get(c, count);
}

/* SLOWLOG LEN */
static void cmd_slowlog_len(Client *c) {
    reply_int(c, slowlog_len());
}

/* SLOWLOG RESET */
static void cmd_slowlog_reset(Client *c) {
    slowlog_reset();
    reply_ok(c);
}

/* SLOWLOG HELP */
static void cmd_slowlog_help(Client *c) {
    static const char *const lines[] = {
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        NULL,
    };
    reply_help(c, lines);
}

/* ---------------------------------------------------------------- LATENCY */

/* LATENCY LATEST */
static void cmd_latency_latest(Client *c) {
    latency_reply_latest(c);
}

/* LATENCY HISTORY event */
static void cmd_latency_history(Client *c) {
    latency_reply_history(c, c->argv[2].ptr, c->argv[2].len);
}

/* LATENCY RESET [event ...]: replies how many events were reset. */
static void cmd_latency_reset(Client *c) {
    if (c->argc == 2) {
        reply_int(c, latency_reset_all());
        return;
    }
    long long n = 0;
    for (int i = 2; i < c->argc; i++)
        n += latency_reset_event(c->argv[i].ptr, c->argv[i].len);
    reply_int(c, n);
}

/* LATENCY DOCTOR and GRAPH are not implemented: an explicit error rather than a fake report. */
static void cmd_latency_doctor(Client *c) {
    reply_error(c, "ERR LATENCY DOCTOR is not supported by Vigil");
}

static void cmd_latency_graph(Client *c) {
    reply_error(c, "ERR LATENCY GRAPH is not supported by Vigil");
}

/* LATENCY HELP */
static void cmd_latency_help(Client *c) {
    static const char *const lines[] = {
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        NULL,
    };
    reply_help(c, lines);
}

/* ---------------------------------------------------------------- the table */

#define ADM   (CMD_ADMIN | CMD_LOADING | CMD_STALE)
#define ADMNS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

/* clang-format off */
static const CmdSpec slowlog_subcommands[] = {
    {"get",   cmd_slowlog_get,   -2, ADM, NO_KEYS, "server", NULL, "Get the slow log's entries", "2.2.12", "[count]"},
    {"len",   cmd_slowlog_len,    2, ADM, NO_KEYS, "server", NULL, "Get the slow log's length", "2.2.12", ""},
    {"reset", cmd_slowlog_reset,  2, ADM, NO_KEYS, "server", NULL, "Clear all entries from the slow log", "2.2.12", ""},
    {"help",  cmd_slowlog_help,   2, CMD_LOADING | CMD_STALE, NO_KEYS, "server", NULL, "Show helpful text about the different subcommands", "6.2.0", ""},
    CMD_SPEC_END,
};

static const CmdSpec latency_subcommands[] = {
    {"latest",  cmd_latency_latest,      2, ADMNS, NO_KEYS, "server", NULL, "Return the latest latency samples for all events.", "2.8.13", ""},
    {"history", cmd_latency_history,     3, ADMNS, NO_KEYS, "server", NULL, "Return timestamp-latency samples for the event.", "2.8.13", "event"},
    {"reset",   cmd_latency_reset,      -2, ADMNS, NO_KEYS, "server", NULL, "Reset latency data for one or more events.", "2.8.13", "[event [event ...]]"},
    {"doctor",  cmd_latency_doctor,      2, ADMNS, NO_KEYS, "server", NULL, "Return a human readable latency analysis report.", "2.8.13", ""},
    {"graph",   cmd_latency_graph,       3, ADMNS, NO_KEYS, "server", NULL, "Return a latency graph for the event.", "2.8.13", "event"},
    {"help",    cmd_latency_help,        2, CMD_LOADING | CMD_STALE, NO_KEYS, "server", NULL, "Show helpful text about the different subcommands.", "2.8.13", ""},
    CMD_SPEC_END,
};

const CmdSpec server_commands[] = {
    {"time",     cmd_time,     1, CMD_LOADING | CMD_STALE | CMD_FAST, NO_KEYS, "server", NULL, "Return the current server time", "2.6.0", ""},
    {"lastsave", cmd_lastsave, 1, CMD_LOADING | CMD_STALE | CMD_FAST, NO_KEYS, "server", NULL, "Get the UNIX time stamp of the last successful save to disk", "1.0.0", ""},
    {"shutdown", cmd_shutdown, -1, ADMNS | CMD_NO_MULTI | CMD_ALLOW_BUSY, NO_KEYS, "server", NULL, "Synchronously save the dataset to disk and then shut down the server", "1.0.0", "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]"},
    {"debug",    cmd_debug,    -2, ADMNS | CMD_PROTECTED, NO_KEYS, "server", NULL, "A container for debugging commands", "1.0.0", "subcommand [argument ...]"},
    {"slowlog",  NULL,         -2, 0, NO_KEYS, "server", slowlog_subcommands, "A container for slow log commands", "2.2.12", ""},
    {"latency",  NULL,         -2, 0, NO_KEYS, "server", latency_subcommands, "A container for latency diagnostics commands", "2.8.13", ""},
    CMD_SPEC_END,
};
/* clang-format on */
