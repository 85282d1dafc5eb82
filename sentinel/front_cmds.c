/* front_cmds.c - the sentinel's command table and its connection-level commands: PING,
 * HELLO, AUTH, CLIENT, INFO, ROLE, COMMAND, ACL, SHUTDOWN, PUBLISH (SENTINEL is
 * cmd_sentinel.c's, the (P)(UN)SUBSCRIBE family front.c's).
 *
 * The table is Redis Sentinel 7.0.15's: the same 15 commands and their subcommands, arities,
 * flags, ACL categories and tips, so that COMMAND, arity errors ("client|setname") and the
 * subscribed-mode error ("client|id") read as Redis's do. Reply texts were taken from live
 * probes of Debian's redis-sentinel 7.0.15. Not emulated: QUIT (7.0.15's sentinel answers it
 * as an unknown command and keeps the connection, and so do we), COMMAND DOCS details (an
 * empty map), ACL user management (the default user is the only user). */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "common/clock.h"
#include "common/glob.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/resp_writer.h"
#include "common/util.h"
#include "sentinel/front.h"
#include "sentinel/sentinel.h"
#include "sentinel/sentinel_version.h"

#include <ev.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#define REDIS_COMPAT_VERSION "7.0.15"

static void cmd_ping(SClient *c, int argc, RespArg *argv);
static void cmd_hello(SClient *c, int argc, RespArg *argv);
static void cmd_auth(SClient *c, int argc, RespArg *argv);
static void cmd_client(SClient *c, int argc, RespArg *argv);
static void cmd_info(SClient *c, int argc, RespArg *argv);
static void cmd_role(SClient *c, int argc, RespArg *argv);
static void cmd_command(SClient *c, int argc, RespArg *argv);
static void cmd_acl(SClient *c, int argc, RespArg *argv);
static void cmd_shutdown(SClient *c, int argc, RespArg *argv);
static void cmd_publish(SClient *c, int argc, RespArg *argv);

/* Flag sets of the table, named as Redis's command JSON files group them. */
#define F_ADM (SCF_ADMIN | SCF_NOSCRIPT | SCF_LOADING | SCF_STALE)
#define F_CONN (SCF_NOSCRIPT | SCF_LOADING | SCF_STALE)
#define F_LS (SCF_LOADING | SCF_STALE)
#define F_PS (SCF_PUBSUB | SCF_NOSCRIPT | SCF_LOADING | SCF_STALE | SCF_PUBSUB_OK)
#define F_SADM SCF_ADMIN
#define A_ADM "@admin @slow @dangerous"
#define A_CADM "@admin @slow @dangerous @connection"
#define A_CONN "@slow @connection"

/* clang-format off */
static const SCommand sentinel_subs[] = {
    {"sentinel|myid", NULL, 2, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|is-master-down-by-addr", NULL, 6, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|failover", NULL, 3, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|config", NULL, -3, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|monitor", NULL, 6, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|get-master-addr-by-name", NULL, 3, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|replicas", NULL, 3, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|flushconfig", NULL, 2, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|info-cache", NULL, -3, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|slaves", NULL, 3, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|masters", NULL, 2, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|help", NULL, 2, F_LS, "@slow", NULL, NULL},
    {"sentinel|simulate-failure", NULL, -3, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|set", NULL, -5, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|reset", NULL, 3, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|remove", NULL, 3, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|ckquorum", NULL, 3, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|pending-scripts", NULL, 2, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|master", NULL, 3, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|debug", NULL, -2, F_SADM, A_ADM, NULL, NULL},
    {"sentinel|sentinels", NULL, 3, F_SADM, A_ADM, NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};

static const SCommand command_subs[] = {
    {"command|getkeysandflags", NULL, -4, F_LS, A_CONN, NULL, NULL},
    {"command|getkeys", NULL, -4, F_LS, A_CONN, NULL, NULL},
    {"command|list", NULL, -2, F_LS, A_CONN, "nondeterministic_output_order", NULL},
    {"command|count", NULL, 2, F_LS, A_CONN, NULL, NULL},
    {"command|help", NULL, 2, F_LS, A_CONN, NULL, NULL},
    {"command|docs", NULL, -2, F_LS, A_CONN, "nondeterministic_output_order", NULL},
    {"command|info", NULL, -2, F_LS, A_CONN, "nondeterministic_output_order", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};

static const SCommand client_subs[] = {
    {"client|unblock", NULL, -3, F_ADM, A_CADM, NULL, NULL},
    {"client|getredir", NULL, 2, F_CONN, A_CONN, NULL, NULL},
    {"client|kill", NULL, -3, F_ADM, A_CADM, NULL, NULL},
    {"client|tracking", NULL, -3, F_CONN, A_CONN, NULL, NULL},
    {"client|getname", NULL, 2, F_CONN, A_CONN, NULL, NULL},
    {"client|help", NULL, 2, F_LS, A_CONN, NULL, NULL},
    {"client|info", NULL, 2, F_CONN, A_CONN, "nondeterministic_output", NULL},
    {"client|unpause", NULL, 2, F_ADM, A_CADM, NULL, NULL},
    {"client|pause", NULL, -3, F_ADM, A_CADM, NULL, NULL},
    {"client|setname", NULL, 3, F_CONN, A_CONN, NULL, NULL},
    {"client|reply", NULL, 3, F_CONN, A_CONN, NULL, NULL},
    {"client|caching", NULL, 3, F_CONN, A_CONN, NULL, NULL},
    {"client|no-evict", NULL, 3, F_ADM, A_CADM, NULL, NULL},
    {"client|trackinginfo", NULL, 2, F_CONN, A_CONN, NULL, NULL},
    {"client|list", NULL, -2, F_ADM, A_CADM, "nondeterministic_output", NULL},
    {"client|id", NULL, 2, F_CONN, A_CONN, NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};

static const SCommand acl_subs[] = {
    {"acl|cat", NULL, -2, F_CONN, "@slow", NULL, NULL},
    {"acl|genpass", NULL, -2, F_CONN, "@slow", NULL, NULL},
    {"acl|getuser", NULL, 3, F_ADM, A_ADM, NULL, NULL},
    {"acl|log", NULL, -2, F_ADM, A_ADM, NULL, NULL},
    {"acl|deluser", NULL, -3, F_ADM, A_ADM, NULL, NULL},
    {"acl|users", NULL, 2, F_ADM, A_ADM, NULL, NULL},
    {"acl|dryrun", NULL, -4, F_ADM, A_ADM, NULL, NULL},
    {"acl|help", NULL, 2, F_LS, "@slow", NULL, NULL},
    {"acl|whoami", NULL, 2, F_CONN, "@slow", NULL, NULL},
    {"acl|save", NULL, 2, F_ADM, A_ADM, NULL, NULL},
    {"acl|setuser", NULL, -3, F_ADM, A_ADM, NULL, NULL},
    {"acl|list", NULL, 2, F_ADM, A_ADM, NULL, NULL},
    {"acl|load", NULL, 2, F_ADM, A_ADM, NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};

/* Redis Sentinel 7.0.15's table, in its order (COMMAND COUNT = 15). */
const SCommand front_commands[] = {
    {"auth", cmd_auth, -2, SCF_NOSCRIPT | F_LS | SCF_FAST | SCF_NO_AUTH | SCF_ALLOW_BUSY, "@fast @connection", NULL, NULL},
    {"client", cmd_client, -2, 0, "@slow", NULL, client_subs},
    {"hello", cmd_hello, -1, SCF_NOSCRIPT | F_LS | SCF_FAST | SCF_NO_AUTH | SCF_ALLOW_BUSY, "@fast @connection", NULL, NULL},
    {"ping", cmd_ping, -1, SCF_FAST | SCF_PUBSUB_OK, "@fast @connection", "request_policy:all_shards response_policy:all_succeeded", NULL},
    {"psubscribe", front_cmd_psubscribe, -2, F_PS, "@pubsub @slow", NULL, NULL},
    {"publish", cmd_publish, 3, SCF_PUBSUB | F_LS | SCF_FAST, "@pubsub @fast", NULL, NULL},
    {"punsubscribe", front_cmd_punsubscribe, -1, F_PS, "@pubsub @slow", NULL, NULL},
    {"subscribe", front_cmd_subscribe, -2, F_PS, "@pubsub @slow", NULL, NULL},
    {"unsubscribe", front_cmd_unsubscribe, -1, F_PS, "@pubsub @slow", NULL, NULL},
    {"sentinel", cmd_sentinel, -2, SCF_ADMIN, A_ADM, NULL, sentinel_subs},
    {"acl", cmd_acl, -2, 0, "@slow", NULL, acl_subs},
    {"command", cmd_command, -1, F_LS, A_CONN, "nondeterministic_output_order", command_subs},
    {"info", cmd_info, -1, F_LS, "@slow @dangerous", "nondeterministic_output request_policy:all_shards response_policy:special", NULL},
    {"role", cmd_role, 1, SCF_NOSCRIPT | F_LS | SCF_FAST, "@admin @fast @dangerous", NULL, NULL},
    {"shutdown", cmd_shutdown, -1, F_ADM | SCF_NO_MULTI | SCF_ALLOW_BUSY, A_ADM, NULL, NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};
/* clang-format on */

static bool arg_is(const RespArg *a, const char *s) {
    return strlen(s) == a->len && !strncasecmp(s, a->ptr, a->len);
}

static void reply_syntax(SClient *c) {
    sc_reply_error(c, "ERR syntax error");
}

/* Lines of a HELP reply: status strings, as Redis's addReplyHelp. */
static void reply_help(SClient *c, const char *const *lines) {
    size_t n = 0;
    while (lines[n]) n++;
    resp_array(&c->out, (long long)n);
    for (size_t i = 0; i < n; i++) resp_simple(&c->out, lines[i], strlen(lines[i]));
}

/* A text block: bulk in RESP2, verbatim "txt" in RESP3 (CLIENT LIST/INFO, INFO). */
static void reply_text(SClient *c, Buf *b) {
    resp_verbatim(&c->out, c->resp, "txt", b->data ? b->data : "", b->len);
}

/* ---- PING, HELLO, AUTH ----------------------------------------------------------------- */

static void cmd_ping(SClient *c, int argc, RespArg *argv) {
    if (argc > 2) {
        sc_reply_arity(c, "ping");
        return;
    }
    if ((c->flags & SC_PUBSUB) && c->resp == 2) { /* subscribed RESP2: ["pong", msg] */
        resp_array(&c->out, 2);
        resp_bulk(&c->out, "pong", 4);
        resp_bulk(&c->out, argc == 2 ? argv[1].ptr : "", argc == 2 ? argv[1].len : 0);
    } else if (argc == 2) {
        resp_bulk(&c->out, argv[1].ptr, argv[1].len);
    } else {
        resp_simple(&c->out, "PONG", 4);
    }
}

/* Constant-time for equal lengths: no early exit on the bytes. */
static bool password_matches(const RespArg *given) {
    const char *want = scfg.requirepass;
    size_t wl = strlen(want);
    unsigned char diff = (unsigned char)(given->len != wl);
    for (size_t i = 0; i < given->len && i < wl; i++)
        diff |= (unsigned char)(given->ptr[i] ^ want[i]);
    return diff == 0;
}

static bool has_requirepass(void) {
    return scfg.requirepass && scfg.requirepass[0];
}

/* Only "default" exists. Without requirepass it is a nopass user: AUTH default <anything>
 * succeeds, the one-argument form is Redis's "no password configured" error. */
static int auth_or_reply(SClient *c, const RespArg *user, const RespArg *pass) {
    if (!has_requirepass() && !user) {
        sc_reply_error(c, "ERR AUTH <password> called without any password configured for "
                          "the default user. Are you sure your configuration is correct?");
        return -1;
    }
    if ((user && !arg_is(user, "default")) || (has_requirepass() && !password_matches(pass))) {
        sc_reply_error(c, "WRONGPASS invalid username-password pair or user is disabled.");
        return -1;
    }
    c->authenticated = true;
    c->req.authenticated = true;
    return 0;
}

static void cmd_auth(SClient *c, int argc, RespArg *argv) {
    if (argc > 3) {
        reply_syntax(c);
        return;
    }
    if (auth_or_reply(c, argc == 3 ? &argv[1] : NULL, &argv[argc - 1]) == 0) sc_reply_ok(c);
}

static bool name_is_valid(const RespArg *a) {
    for (size_t i = 0; i < a->len; i++)
        if (a->ptr[i] < '!' || a->ptr[i] > '~') return false;
    return true;
}

static void set_name(SClient *c, const RespArg *a) {
    mem_free(c->name);
    c->name = NULL;
    if (!a->len) return;
    c->name = mem_alloc(a->len + 1);
    memcpy(c->name, a->ptr, a->len);
    c->name[a->len] = '\0';
}

/* HELLO [protover [AUTH user pass] [SETNAME name]]: the sentinel's map has no "role". */
static void cmd_hello(SClient *c, int argc, RespArg *argv) {
    long long ver = 0;
    int next = 1;
    if (argc >= 2) {
        if (!util_str_to_ll(argv[1].ptr, argv[1].len, &ver)) {
            sc_reply_error(c, "ERR Protocol version is not an integer or out of range");
            return;
        }
        next = 2;
        if (ver < 2 || ver > 3) {
            sc_reply_error(c, "NOPROTO unsupported protocol version");
            return;
        }
    }
    const RespArg *user = NULL, *pass = NULL, *name = NULL;
    for (int j = next; j < argc; j++) {
        int left = argc - j - 1;
        if (arg_is(&argv[j], "auth") && left >= 2) {
            user = &argv[j + 1];
            pass = &argv[j + 2];
            j += 2;
        } else if (arg_is(&argv[j], "setname") && left >= 1) {
            name = &argv[j + 1];
            j += 1;
        } else {
            sc_reply_error(c, "ERR Syntax error in HELLO option '%.*s'",
                           (int)VG_MIN(argv[j].len, 128), argv[j].ptr);
            return;
        }
    }
    if (pass && auth_or_reply(c, user, pass) != 0) return;
    if (!c->authenticated) {
        sc_reply_error(c, "NOAUTH HELLO must be called with the client already authenticated, "
                          "otherwise the HELLO AUTH <user> <pass> option can be used to "
                          "authenticate the client and select the RESP protocol version at "
                          "the same time");
        return;
    }
    if (name) {
        if (!name_is_valid(name)) {
            sc_reply_error(c, "ERR Client names cannot contain spaces, newlines or special "
                              "characters.");
            return;
        }
        set_name(c, name);
    }
    if (ver) c->resp = (int)ver;
    resp_map(&c->out, c->resp, 6);
    resp_bulk_cstr(&c->out, "server");
    resp_bulk_cstr(&c->out, "redis");
    resp_bulk_cstr(&c->out, "version");
    resp_bulk_cstr(&c->out, REDIS_COMPAT_VERSION);
    resp_bulk_cstr(&c->out, "proto");
    resp_int(&c->out, c->resp);
    resp_bulk_cstr(&c->out, "id");
    resp_int(&c->out, (long long)c->id);
    resp_bulk_cstr(&c->out, "mode");
    resp_bulk_cstr(&c->out, "sentinel");
    resp_bulk_cstr(&c->out, "modules");
    resp_array(&c->out, 0);
}

/* ---- CLIENT ---------------------------------------------------------------------------- */

static const char *const client_help[] = {
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
    NULL,
};

/* Client types as CLIENT KILL/LIST TYPE name them: -1 unknown, 0 normal, 1 pubsub, 2 the
 * replica/master types (never a sentinel client). */
static int client_type(const RespArg *a) {
    if (arg_is(a, "normal")) return 0;
    if (arg_is(a, "pubsub")) return 1;
    if (arg_is(a, "master") || arg_is(a, "replica") || arg_is(a, "slave")) return 2;
    return -1;
}

static bool client_is_type(const SClient *c, int type) {
    return type == ((c->flags & SC_PUBSUB) ? 1 : 0);
}

/* Walk clients oldest first (the list is kept newest first). */
static SClient *oldest_client(void) {
    SClient *c = front_first_client();
    while (c && c->next) c = c->next;
    return c;
}

static void client_list(SClient *c, int argc, RespArg *argv) {
    int type = -2; /* any */
    long long *ids = NULL;
    int nids = 0;
    if (argc == 4 && arg_is(&argv[2], "type")) {
        type = client_type(&argv[3]);
        if (type < 0) {
            sc_reply_error(c, "ERR Unknown client type '%.*s'", (int)VG_MIN(argv[3].len, 128),
                           argv[3].ptr);
            return;
        }
    } else if (argc > 3 && arg_is(&argv[2], "id")) {
        ids = mem_alloc(sizeof(long long) * (size_t)(argc - 3));
        for (int j = 3; j < argc; j++) {
            if (!util_str_to_ll(argv[j].ptr, argv[j].len, &ids[nids]) || ids[nids] <= 0) {
                mem_free(ids);
                sc_reply_error(c, "ERR Invalid client ID");
                return;
            }
            nids++;
        }
    } else if (argc != 2) {
        reply_syntax(c);
        return;
    }
    Buf b = BUF_INIT;
    for (SClient *o = oldest_client(); o; o = o->prev) {
        if (type >= 0 && !client_is_type(o, type)) continue;
        bool wanted = nids == 0;
        for (int i = 0; i < nids && !wanted; i++) wanted = (uint64_t)ids[i] == o->id;
        if (wanted) front_client_info(o, &b);
    }
    reply_text(c, &b);
    buf_deinit(&b);
    mem_free(ids);
}

typedef struct KillFilter {
    long long id;
    int type; /* -2 any */
    const RespArg *addr, *laddr, *user;
    bool skipme;
} KillFilter;

static bool kill_matches(const KillFilter *f, const SClient *self, const SClient *o) {
    if (f->skipme && o == self) return false;
    if (f->id && (uint64_t)f->id != o->id) return false;
    if (f->type != -2 && !client_is_type(o, f->type)) return false;
    if (f->addr && !arg_is(f->addr, o->addr)) return false;
    if (f->laddr && !arg_is(f->laddr, o->laddr)) return false;
    return true;
}

/* Parses the ID/TYPE/ADDR/LADDR/USER/SKIPME pairs; replies and returns -1 on errors. */
static int kill_parse_or_reply(SClient *c, int argc, RespArg *argv, KillFilter *f) {
    *f = (KillFilter){.type = -2, .skipme = true};
    if ((argc - 2) % 2 != 0) {
        reply_syntax(c);
        return -1;
    }
    for (int j = 2; j < argc; j += 2) {
        const RespArg *opt = &argv[j], *val = &argv[j + 1];
        if (arg_is(opt, "id")) {
            if (!util_str_to_ll(val->ptr, val->len, &f->id) || f->id <= 0) {
                sc_reply_error(c, "ERR client-id should be greater than 0");
                return -1;
            }
        } else if (arg_is(opt, "type")) {
            f->type = client_type(val);
            if (f->type < 0) {
                sc_reply_error(c, "ERR Unknown client type '%.*s'", (int)VG_MIN(val->len, 128),
                               val->ptr);
                return -1;
            }
        } else if (arg_is(opt, "addr")) {
            f->addr = val;
        } else if (arg_is(opt, "laddr")) {
            f->laddr = val;
        } else if (arg_is(opt, "user")) {
            if (!arg_is(val, "default")) {
                sc_reply_error(c, "ERR No such user '%.*s'", (int)VG_MIN(val->len, 128),
                               val->ptr);
                return -1;
            }
            f->user = val;
        } else if (arg_is(opt, "skipme")) {
            if (arg_is(val, "yes")) {
                f->skipme = true;
            } else if (arg_is(val, "no")) {
                f->skipme = false;
            } else {
                reply_syntax(c);
                return -1;
            }
        } else {
            reply_syntax(c);
            return -1;
        }
    }
    return 0;
}

static void kill_one(SClient *self, SClient *o) {
    if (o == self)
        o->flags |= SC_CLOSE_AFTER_REPLY; /* the reply first, as Redis */
    else
        front_close_client(o);
}

/* CLIENT KILL ip:port (old form: +OK or "No such client") or CLIENT KILL <filters> (count). */
static void client_kill(SClient *c, int argc, RespArg *argv) {
    if (argc == 3) {
        for (SClient *o = front_first_client(); o; o = o->next) {
            if (arg_is(&argv[2], o->addr) && !(o->flags & SC_CLOSE_ASAP)) {
                kill_one(c, o);
                sc_reply_ok(c);
                return;
            }
        }
        sc_reply_error(c, "ERR No such client");
        return;
    }
    KillFilter f;
    if (kill_parse_or_reply(c, argc, argv, &f) != 0) return;
    long long killed = 0;
    for (SClient *o = front_first_client(); o; o = o->next) {
        if ((o->flags & SC_CLOSE_ASAP) || !kill_matches(&f, c, o)) continue;
        kill_one(c, o);
        killed++;
    }
    resp_int(&c->out, killed);
}

static void client_reply(SClient *c, const RespArg *mode) {
    if (arg_is(mode, "on")) {
        c->reply_mode = SC_REPLY_ON;
        sc_reply_ok(c);
    } else if (arg_is(mode, "off")) {
        c->reply_mode = SC_REPLY_OFF;
    } else if (arg_is(mode, "skip")) {
        if (c->reply_mode != SC_REPLY_OFF) c->reply_mode = SC_REPLY_SKIP_NEXT;
    } else {
        reply_syntax(c);
    }
}

static void cmd_client(SClient *c, int argc, RespArg *argv) {
    const RespArg *sub = &argv[1];
    if (arg_is(sub, "id")) {
        resp_int(&c->out, (long long)c->id);
    } else if (arg_is(sub, "getname")) {
        if (c->name)
            resp_bulk_cstr(&c->out, c->name);
        else
            resp_null(&c->out, c->resp);
    } else if (arg_is(sub, "setname")) {
        if (!name_is_valid(&argv[2])) {
            sc_reply_error(c, "ERR Client names cannot contain spaces, newlines or special "
                              "characters.");
            return;
        }
        set_name(c, &argv[2]);
        sc_reply_ok(c);
    } else if (arg_is(sub, "info")) {
        Buf b = BUF_INIT;
        front_client_info(c, &b);
        reply_text(c, &b);
        buf_deinit(&b);
    } else if (arg_is(sub, "list")) {
        client_list(c, argc, argv);
    } else if (arg_is(sub, "kill")) {
        client_kill(c, argc, argv);
    } else if (arg_is(sub, "help")) {
        reply_help(c, client_help);
    } else if (arg_is(sub, "reply")) {
        client_reply(c, &argv[2]);
    } else if (arg_is(sub, "getredir")) {
        resp_int(&c->out, -1); /* no tracking on a sentinel */
    } else if (arg_is(sub, "unblock")) {
        resp_int(&c->out, 0); /* nobody blocks on a sentinel */
    } else if (arg_is(sub, "caching")) {
        sc_reply_error(c, "ERR CLIENT CACHING can be called only when the client is in "
                          "tracking mode with OPTIN or OPTOUT mode enabled");
    } else if (arg_is(sub, "trackinginfo")) {
        resp_map(&c->out, c->resp, 3);
        resp_bulk_cstr(&c->out, "flags");
        resp_set(&c->out, c->resp, 1);
        resp_bulk_cstr(&c->out, "off");
        resp_bulk_cstr(&c->out, "redirect");
        resp_int(&c->out, -1);
        resp_bulk_cstr(&c->out, "prefixes");
        resp_array(&c->out, 0);
    } else if (arg_is(sub, "unpause")) {
        sc_reply_ok(c); /* nothing is ever paused */
    } else if (arg_is(sub, "no-evict")) {
        if (arg_is(&argv[2], "on") || arg_is(&argv[2], "off"))
            sc_reply_ok(c); /* a sentinel never evicts clients */
        else
            reply_syntax(c);
    } else {
        /* PAUSE, TRACKING: a sentinel does not pause clients nor track keys. */
        sc_reply_error(c, "ERR CLIENT %.*s is not supported by vigil-sentinel",
                       (int)VG_MIN(sub->len, 64), sub->ptr);
    }
}

/* ---- INFO ------------------------------------------------------------------------------ */

static const char *run_id(void) {
    static char id[SENTINEL_ID_LEN + 1];
    if (!id[0]) util_random_hex(id, SENTINEL_ID_LEN); /* the process's, not the sentinel's */
    return id;
}

static const char *os_name(void) {
    static char name[256];
    struct utsname u;
    if (!name[0] && uname(&u) == 0)
        snprintf(name, sizeof(name), "%s %s %s", u.sysname, u.release, u.machine);
    return name;
}

static const char *executable_path(void) {
    static char path[4096];
    if (!path[0]) {
        ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
        path[n > 0 ? n : 0] = '\0';
    }
    return path;
}

static const char *multiplexing_api(void) {
    unsigned b = ev_backend(EV_DEFAULT);
    if (b & EVBACKEND_EPOLL) return "epoll";
    if (b & EVBACKEND_KQUEUE) return "kqueue";
    if (b & EVBACKEND_POLL) return "poll";
    if (b & EVBACKEND_SELECT) return "select";
    return "unknown";
}

static void section_server(Buf *out) {
    long long uptime = (clock_wall_ms() - sentinel.start_time_wall) / 1000;
    static const char *const supervised[] = {"no", "systemd", "auto", "upstart"};
    int sup = scfg.supervised >= 0 && scfg.supervised <= 3 ? scfg.supervised : 0;
    buf_printf(out,
               "redis_version:%s\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
               "redis_build_id:%llx\r\nredis_mode:sentinel\r\nos:%s\r\narch_bits:%d\r\n"
               "monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:%s\r\n"
               "atomicvar_api:c11-builtin\r\ngcc_version:%d.%d.%d\r\nprocess_id:%ld\r\n"
               "process_supervised:%s\r\nrun_id:%s\r\ntcp_port:%lld\r\n",
               REDIS_COMPAT_VERSION, 0x5e471e1ULL, os_name(), (int)(sizeof(long) * 8),
               multiplexing_api(), __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
               (long)getpid(), supervised[sup], run_id(), scfg.port);
    buf_printf(out,
               "server_time_usec:%lld\r\nuptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\n"
               "hz:10\r\nconfigured_hz:10\r\nlru_clock:%u\r\nexecutable:%s\r\n"
               "config_file:%s\r\nio_threads_active:0\r\nvigil_version:%s\r\n",
               (long long)clock_wall_us(), uptime, uptime / 86400,
               (unsigned)((clock_wall_ms() / 1000) & ((1 << 24) - 1)), executable_path(),
               sentinel.config_file ? sentinel.config_file : "", VIGIL_SENTINEL_VERSION);
}

static void section_clients(Buf *out) {
    buf_printf(out,
               "connected_clients:%ld\r\ncluster_connections:0\r\nmaxclients:%lld\r\n"
               "client_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\n"
               "blocked_clients:0\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n",
               front_clients(), scfg.maxclients);
}

static void put_cpu(Buf *out, const char *field, struct timeval tv) {
    buf_printf(out, "%s:%ld.%06ld\r\n", field, (long)tv.tv_sec, (long)tv.tv_usec);
}

static void section_cpu(Buf *out) {
    struct rusage self, children, thread;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    getrusage(RUSAGE_THREAD, &thread);
    put_cpu(out, "used_cpu_sys", self.ru_stime);
    put_cpu(out, "used_cpu_user", self.ru_utime);
    put_cpu(out, "used_cpu_sys_children", children.ru_stime);
    put_cpu(out, "used_cpu_user_children", children.ru_utime);
    put_cpu(out, "used_cpu_sys_main_thread", thread.ru_stime);
    put_cpu(out, "used_cpu_user_main_thread", thread.ru_utime);
}

/* Redis's field list; what a sentinel never does (keys, forks, defrag, tracking) stays 0. */
static void section_stats(Buf *out) {
    const FrontStats *s = &front_stats;
    buf_printf(out,
               "total_connections_received:%lld\r\ntotal_commands_processed:%lld\r\n"
               "instantaneous_ops_per_sec:0\r\ntotal_net_input_bytes:%lld\r\n"
               "total_net_output_bytes:%lld\r\ntotal_net_repl_input_bytes:0\r\n"
               "total_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:0.00\r\n"
               "instantaneous_output_kbps:0.00\r\ninstantaneous_input_repl_kbps:0.00\r\n"
               "instantaneous_output_repl_kbps:0.00\r\nrejected_connections:%lld\r\n",
               s->connections_received, s->commands_processed, s->net_input_bytes,
               s->net_output_bytes, s->rejected_connections);
    buf_append_str(out, "sync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n"
                        "expired_keys:0\r\nexpired_stale_perc:0.00\r\n"
                        "expired_time_cap_reached_count:0\r\nexpire_cycle_cpu_milliseconds:0\r\n"
                        "evicted_keys:0\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:0\r\n"
                        "current_eviction_exceeded_time:0\r\nkeyspace_hits:0\r\n"
                        "keyspace_misses:0\r\n");
    buf_printf(out, "pubsub_channels:%ld\r\npubsub_patterns:%ld\r\npubsubshard_channels:0\r\n",
               front_pubsub_channels(), front_pubsub_patterns());
    buf_append_str(out, "latest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\n"
                        "slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\n"
                        "active_defrag_misses:0\r\nactive_defrag_key_hits:0\r\n"
                        "active_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\n"
                        "current_active_defrag_time:0\r\ntracking_total_keys:0\r\n"
                        "tracking_total_items:0\r\ntracking_total_prefixes:0\r\n"
                        "unexpected_error_replies:0\r\n");
    buf_printf(out,
               "total_error_replies:%lld\r\ndump_payload_sanitizations:0\r\n"
               "total_reads_processed:%lld\r\ntotal_writes_processed:%lld\r\n"
               "io_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\n"
               "reply_buffer_shrinks:0\r\nreply_buffer_expands:0\r\n",
               s->error_replies, s->reads_processed, s->writes_processed);
}

static void section_sentinel(Buf *out) {
    sentinel_info_section(out);
}

typedef struct InfoSection {
    const char *name, *header;
    void (*fn)(Buf *out);
} InfoSection;

static const InfoSection info_sections[] = {
    {"server", "# Server\r\n", section_server},    {"clients", "# Clients\r\n", section_clients},
    {"stats", "# Stats\r\n", section_stats},       {"cpu", "# CPU\r\n", section_cpu},
    {"sentinel", "# Sentinel\r\n", section_sentinel},
};
#define NSECTIONS (sizeof(info_sections) / sizeof(info_sections[0]))

/* INFO [section ...]: the sentinel's five sections, always in Redis's order; "all",
 * "everything" and "default" (or no argument) mean all five, unknown names are dropped. */
static void cmd_info(SClient *c, int argc, RespArg *argv) {
    bool want[NSECTIONS] = {false};
    bool all = argc == 1;
    for (int j = 1; j < argc; j++) {
        if (arg_is(&argv[j], "all") || arg_is(&argv[j], "everything") ||
            arg_is(&argv[j], "default"))
            all = true;
        for (size_t i = 0; i < NSECTIONS; i++)
            if (arg_is(&argv[j], info_sections[i].name)) want[i] = true;
    }
    Buf b = BUF_INIT;
    for (size_t i = 0; i < NSECTIONS; i++) {
        if (!all && !want[i]) continue;
        if (b.len) buf_append_str(&b, "\r\n");
        buf_append_str(&b, info_sections[i].header);
        info_sections[i].fn(&b);
    }
    resp_bulk(&c->out, b.data ? b.data : "", b.len); /* a bulk even in RESP3, as 7.0 */
    buf_deinit(&b);
}

/* ---- ROLE, PUBLISH, SHUTDOWN ----------------------------------------------------------- */

static void cmd_role(SClient *c, int argc, RespArg *argv) {
    VG_UNUSED(argc);
    VG_UNUSED(argv);
    resp_array(&c->out, 2);
    resp_bulk_cstr(&c->out, "sentinel");
    resp_array(&c->out, sentinel.nmasters);
    for (int i = 0; i < sentinel.nmasters; i++) resp_bulk_cstr(&c->out, sentinel.masters[i]->name);
}

/* Peers send their hellos here; nothing else may be published on a sentinel. */
static void cmd_publish(SClient *c, int argc, RespArg *argv) {
    VG_UNUSED(argc);
    if (!(argv[1].len == 18 && !memcmp(argv[1].ptr, "__sentinel__:hello", 18))) {
        sc_reply_error(c, "ERR Only HELLO messages are accepted by Sentinel instances.");
        return;
    }
    monitor_hello_received(argv[2].ptr, argv[2].len);
    resp_int(&c->out, 1);
}

/* SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: the sentinel saves its state either way. */
static void cmd_shutdown(SClient *c, int argc, RespArg *argv) {
    bool abort_req = false, save = false, nosave = false;
    for (int j = 1; j < argc; j++) {
        if (arg_is(&argv[j], "nosave")) {
            nosave = true;
        } else if (arg_is(&argv[j], "save")) {
            save = true;
        } else if (arg_is(&argv[j], "abort")) {
            abort_req = true;
        } else if (!arg_is(&argv[j], "now") && !arg_is(&argv[j], "force")) {
            reply_syntax(c);
            return;
        }
    }
    if ((save && nosave) || (abort_req && argc != 2)) {
        reply_syntax(c);
        return;
    }
    if (abort_req) {
        sc_reply_error(c, "ERR No shutdown in progress.");
        return;
    }
    log_warn("User requested shutdown...");
    sentinel_shutdown(0);
}

/* ---- COMMAND --------------------------------------------------------------------------- */

static const char *const command_help[] = {
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Prints this help.",
    NULL,
};

static const char *const flag_names[] = {"admin", "pubsub", "noscript", "loading", "stale",
                                         "fast", "no_auth", "allow_busy", "no_multi"};

/* Words of a space-separated list, as a set of simple (status) or bulk strings. */
static void reply_words(SClient *c, const char *words, bool bulk) {
    size_t handle = resp_deferred_begin(&c->out);
    long long n = 0;
    for (const char *p = words; p && *p;) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (bulk)
            resp_bulk(&c->out, p, len);
        else
            resp_simple(&c->out, p, len);
        n++;
        p = e ? e + 1 : p + len;
    }
    resp_deferred_end(&c->out, handle, resp_agg_char(c->resp, '~'), n);
}

static void reply_command_entry(SClient *c, const SCommand *cmd) {
    resp_array(&c->out, 10);
    resp_bulk_cstr(&c->out, cmd->name);
    resp_int(&c->out, cmd->arity);
    /* flags in Redis's order (admin, pubsub, noscript, loading, stale, fast, no_auth, ...);
     * allow_busy is printed after no_multi by Redis, hence the two-pass order below */
    static const unsigned order[] = {SCF_ADMIN,   SCF_PUBSUB,  SCF_NOSCRIPT,
                                     SCF_LOADING, SCF_STALE,   SCF_FAST,
                                     SCF_NO_AUTH, SCF_NO_MULTI, SCF_ALLOW_BUSY};
    long long nflags = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (cmd->flags & order[i]) nflags++;
    resp_set(&c->out, c->resp, nflags);
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (!(cmd->flags & order[i])) continue;
        for (size_t k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++)
            if (order[i] == 1u << k) resp_simple(&c->out, flag_names[k], strlen(flag_names[k]));
    }
    resp_int(&c->out, 0);
    resp_int(&c->out, 0);
    resp_int(&c->out, 0);
    reply_words(c, cmd->acl, false);
    reply_words(c, cmd->tips, true);
    resp_set(&c->out, c->resp, 0); /* key specs: no sentinel command has keys */
    if (!cmd->subs) {
        resp_set(&c->out, c->resp, 0);
        return;
    }
    long long n = 0;
    while (cmd->subs[n].name) n++;
    resp_array(&c->out, n);
    for (long long i = 0; i < n; i++) reply_command_entry(c, &cmd->subs[i]);
}

/* The entry named a ("client" or "client|list"), NULL when none. */
static const SCommand *command_by_fullname(const RespArg *a) {
    for (const SCommand *e = front_commands; e->name; e++) {
        if (arg_is(a, e->name)) return e;
        for (const SCommand *s = e->subs; s && s->name; s++)
            if (arg_is(a, s->name)) return s;
    }
    return NULL;
}

static void command_list(SClient *c, int argc, RespArg *argv) {
    const RespArg *pattern = NULL, *aclcat = NULL;
    bool none = false;
    if (argc == 5 && arg_is(&argv[2], "filterby")) {
        if (arg_is(&argv[3], "pattern"))
            pattern = &argv[4];
        else if (arg_is(&argv[3], "aclcat"))
            aclcat = &argv[4];
        else if (arg_is(&argv[3], "module"))
            none = true; /* no modules */
        else {
            reply_syntax(c);
            return;
        }
    } else if (argc != 2) {
        reply_syntax(c);
        return;
    }
    size_t handle = resp_deferred_begin(&c->out);
    long long n = 0;
    for (const SCommand *e = front_commands; e->name && !none; e++) {
        for (const SCommand *s = e; s && s->name; s = (s == e ? e->subs : s + 1)) {
            bool ok = true;
            if (pattern)
                ok = glob_match(pattern->ptr, pattern->len, s->name, strlen(s->name), true);
            if (aclcat) {
                char cat[64];
                snprintf(cat, sizeof(cat), "@%.*s", (int)VG_MIN(aclcat->len, 60), aclcat->ptr);
                const char *hit = strstr(s->acl, cat);
                size_t cl = strlen(cat);
                ok = hit && (hit[cl] == ' ' || hit[cl] == '\0');
            }
            if (ok) {
                resp_bulk_cstr(&c->out, s->name);
                n++;
            }
            if (s == e && !e->subs) break;
        }
    }
    resp_deferred_end(&c->out, handle, '*', n);
}

static void command_getkeys(SClient *c, int argc, RespArg *argv) {
    const SCommand *cmd = NULL;
    for (const SCommand *e = front_commands; e->name; e++)
        if (arg_is(&argv[2], e->name)) cmd = e;
    int nargs = argc - 2;
    if (!cmd) {
        sc_reply_error(c, "ERR Invalid command specified");
    } else if ((cmd->arity > 0 && nargs != cmd->arity) || nargs < -cmd->arity) {
        sc_reply_error(c, "ERR Invalid number of arguments specified for command");
    } else {
        sc_reply_error(c, "ERR The command has no key arguments");
    }
}

static void cmd_command(SClient *c, int argc, RespArg *argv) {
    long long total = 0;
    for (const SCommand *e = front_commands; e->name; e++) total++;
    if (argc == 1) {
        resp_array(&c->out, total);
        for (const SCommand *e = front_commands; e->name; e++) reply_command_entry(c, e);
        return;
    }
    const RespArg *sub = &argv[1];
    if (arg_is(sub, "count")) {
        resp_int(&c->out, total);
    } else if (arg_is(sub, "list")) {
        command_list(c, argc, argv);
    } else if (arg_is(sub, "info")) {
        if (argc == 2) {
            resp_array(&c->out, total);
            for (const SCommand *e = front_commands; e->name; e++) reply_command_entry(c, e);
            return;
        }
        resp_array(&c->out, argc - 2);
        for (int j = 2; j < argc; j++) {
            const SCommand *e = command_by_fullname(&argv[j]);
            if (e)
                reply_command_entry(c, e);
            else
                resp_null(&c->out, c->resp);
        }
    } else if (arg_is(sub, "docs")) {
        resp_map(&c->out, c->resp, 0); /* no documentation is bundled */
    } else if (arg_is(sub, "getkeys") || arg_is(sub, "getkeysandflags")) {
        command_getkeys(c, argc, argv);
    } else {
        reply_help(c, command_help);
    }
}

/* ---- ACL: the default user is the only one --------------------------------------------- */

static const char *const acl_help[] = {
    "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
    "HELP",
    "    Prints this help.",
    NULL,
};

static const char *const acl_categories[] = {
    "keyspace", "read",     "write",     "set",        "sortedset",   "list",     "hash",
    "string",   "bitmap",   "hyperloglog", "geo",      "stream",      "pubsub",   "admin",
    "fast",     "slow",     "blocking",  "dangerous",  "connection",  "transaction",
    "scripting", NULL,
};

static void acl_getuser(SClient *c, const RespArg *user) {
    if (!arg_is(user, "default")) {
        resp_null(&c->out, c->resp);
        return;
    }
    resp_map(&c->out, c->resp, 6);
    resp_bulk_cstr(&c->out, "flags");
    resp_set(&c->out, c->resp, has_requirepass() ? 1 : 2);
    resp_bulk_cstr(&c->out, "on");
    if (!has_requirepass()) resp_bulk_cstr(&c->out, "nopass");
    resp_bulk_cstr(&c->out, "passwords");
    resp_array(&c->out, 0); /* Redis shows SHA-256 hashes; we show none */
    resp_bulk_cstr(&c->out, "commands");
    resp_bulk_cstr(&c->out, "+@all");
    resp_bulk_cstr(&c->out, "keys");
    resp_bulk_cstr(&c->out, "~*");
    resp_bulk_cstr(&c->out, "channels");
    resp_bulk_cstr(&c->out, "&*");
    resp_bulk_cstr(&c->out, "selectors");
    resp_array(&c->out, 0);
}

static void acl_genpass(SClient *c, int argc, RespArg *argv) {
    long long bits = 256;
    if (argc == 3 && (!util_str_to_ll(argv[2].ptr, argv[2].len, &bits) || bits <= 0 ||
                      bits > 4096)) {
        sc_reply_error(c, "ERR ACL GENPASS argument must be the number of bits for the "
                          "output password, a positive number up to 4096");
        return;
    }
    char hex[1025];
    size_t chars = (size_t)(bits + 3) / 4;
    util_random_hex(hex, chars);
    resp_bulk(&c->out, hex, chars);
}

static void cmd_acl(SClient *c, int argc, RespArg *argv) {
    const RespArg *sub = &argv[1];
    if (arg_is(sub, "whoami")) {
        resp_bulk_cstr(&c->out, "default");
    } else if (arg_is(sub, "users")) {
        resp_array(&c->out, 1);
        resp_bulk_cstr(&c->out, "default");
    } else if (arg_is(sub, "list")) {
        resp_array(&c->out, 1);
        resp_bulk_cstr(&c->out, has_requirepass() ? "user default on ~* &* +@all"
                                                  : "user default on nopass ~* &* +@all");
    } else if (arg_is(sub, "cat") && argc == 2) {
        long long n = 0;
        while (acl_categories[n]) n++;
        resp_array(&c->out, n);
        for (long long i = 0; i < n; i++) resp_bulk_cstr(&c->out, acl_categories[i]);
    } else if (arg_is(sub, "getuser")) {
        acl_getuser(c, &argv[2]);
    } else if (arg_is(sub, "genpass")) {
        acl_genpass(c, argc, argv);
    } else if (arg_is(sub, "log")) {
        if (argc == 3 && arg_is(&argv[2], "reset"))
            sc_reply_ok(c);
        else
            resp_array(&c->out, 0); /* nothing is denied, so nothing is logged */
    } else if (arg_is(sub, "help")) {
        reply_help(c, acl_help);
    } else {
        sc_reply_error(c, "ERR ACL %.*s is not supported by vigil-sentinel: its only user is "
                          "'default' (requirepass)", (int)VG_MIN(sub->len, 64), sub->ptr);
    }
}
