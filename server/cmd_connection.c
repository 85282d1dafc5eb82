/* cmd_connection.c - connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET.
 *
 * HELLO negotiates the protocol (2 or 3) and may authenticate and name the client in the
 * same call; its reply is a map, so RESP3 clients see it as one. */
#include "common/resp_writer.h"
#include "common/util.h"
#include "common/mem.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/reply.h"
#include "server/server.h"

#include <string.h>

/* PING [message] */
static void cmd_ping(Client *c) {
    if (c->argc > 2) {
        reply_arity_error(c);
        return;
    }
    if (c->flags & CLIENT_PUBSUB && c->resp == 2) {
        reply_array(c, 2);
        reply_bulk(c, "pong", 4);
        if (c->argc == 2)
            reply_bulk_arg(c, &c->argv[1]);
        else
            reply_bulk(c, "", 0);
        return;
    }
    if (c->argc == 2)
        reply_bulk_arg(c, &c->argv[1]);
    else
        reply_proto(c, "+PONG\r\n", 7);
}

/* ECHO message */
static void cmd_echo(Client *c) {
    reply_bulk_arg(c, &c->argv[1]);
}

/* QUIT: reply OK, then close once the reply is written. */
static void cmd_quit(Client *c) {
    reply_ok(c);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

/* SELECT index */
static void cmd_select(Client *c) {
    int id;
    if (arg_to_int_or_reply(c, &c->argv[1], &id, NULL) != 0) return;
    if (id < 0 || id >= srv.ndbs) {
        reply_error(c, ERRT_DB_INDEX);
        return;
    }
    c->db = &srv.dbs[id];
    reply_ok(c);
}

/* Compare a password in constant time for equal lengths (no early exit on the bytes). */
static bool password_matches(const RespArg *given) {
    const char *want = cfg.requirepass;
    size_t wl = strlen(want);
    unsigned char diff = (unsigned char)(given->len != wl);
    for (size_t i = 0; i < given->len && i < wl; i++)
        diff |= (unsigned char)(given->ptr[i] ^ want[i]);
    return diff == 0;
}

/* Authenticate as `user` (only "default" exists) with pass; replies on failure. Without a
 * password the default user takes any password when named explicitly (AUTH default x), as
 * Redis 7.0's nopass user does; the one-argument form is the legacy error. */
static int auth_or_reply(Client *c, const RespArg *user, const RespArg *pass) {
    bool user_ok = !user || arg_is(user, "default");
    if (!cfg.requirepass && !user) {
        reply_error(c, "ERR AUTH <password> called without any password configured for the "
                       "default user. Are you sure your configuration is correct?");
        return -1;
    }
    if (!user_ok || (cfg.requirepass && !password_matches(pass))) {
        reply_error(c, "WRONGPASS invalid username-password pair or user is disabled.");
        return -1;
    }
    c->authenticated = true;
    c->req.authenticated = true;
    return 0;
}

/* AUTH [username] password */
static void cmd_auth(Client *c) {
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    const RespArg *user = c->argc == 3 ? &c->argv[1] : NULL;
    if (auth_or_reply(c, user, &c->argv[c->argc - 1]) == 0) reply_ok(c);
}

static void hello_reply(Client *c) {
    reply_map(c, 7);
    reply_bulk_cstr(c, "server");
    reply_bulk_cstr(c, "redis");
    reply_bulk_cstr(c, "version");
    reply_bulk_cstr(c, VIGIL_REDIS_VERSION);
    reply_bulk_cstr(c, "proto");
    reply_int(c, c->resp);
    reply_bulk_cstr(c, "id");
    reply_int(c, (long long)c->id);
    reply_bulk_cstr(c, "mode");
    reply_bulk_cstr(c, "standalone");
    reply_bulk_cstr(c, "role");
    reply_bulk_cstr(c, "master");
    reply_bulk_cstr(c, "modules");
    reply_empty_array(c);
}

/* Checks a client name: no spaces, newlines or other special characters. */
bool client_name_is_valid(const RespArg *a) {
    for (size_t i = 0; i < a->len; i++)
        if (a->ptr[i] < '!' || a->ptr[i] > '~') return false;
    return true;
}

/* HELLO [protover [AUTH username password] [SETNAME clientname]] */
static void cmd_hello(Client *c) {
    long long ver = 0;
    int next = 1;
    if (c->argc >= 2) {
        if (arg_to_ll_or_reply(c, &c->argv[1], &ver,
                               "ERR Protocol version is not an integer or out of range") != 0)
            return;
        next = 2;
        if (ver < 2 || ver > 3) {
            reply_error(c, "NOPROTO unsupported protocol version");
            return;
        }
    }
    const RespArg *user = NULL, *pass = NULL, *name = NULL;
    for (int j = next; j < c->argc; j++) {
        int left = c->argc - j - 1;
        if (arg_is(&c->argv[j], "auth") && left >= 2) {
            user = &c->argv[j + 1];
            pass = &c->argv[j + 2];
            j += 2;
        } else if (arg_is(&c->argv[j], "setname") && left >= 1) {
            name = &c->argv[j + 1];
            j += 1;
        } else {
            reply_error_fmt(c, "ERR Syntax error in HELLO option '%.*s'", (int)c->argv[j].len,
                            c->argv[j].ptr);
            return;
        }
    }
    if (pass && auth_or_reply(c, user, pass) != 0) return;
    if (client_auth_required(c)) {
        reply_error(c, "NOAUTH HELLO must be called with the client already authenticated, "
                       "otherwise the HELLO AUTH <user> <pass> option can be used to "
                       "authenticate the client and select the RESP protocol version at the "
                       "same time");
        return;
    }
    if (name) {
        if (!client_name_is_valid(name)) {
            reply_error(c, "ERR Client names cannot contain spaces, newlines or special "
                           "characters.");
            return;
        }
        mem_free(c->name);
        c->name = name->len ? arg_dup(name) : NULL;
    }
    if (ver) c->resp = (int)ver;
    hello_reply(c);
}

/* RESET: back to a fresh connection's state (db 0, RESP2, no name, no transaction or
 * watches, no subscriptions,
 * unauthenticated when a password is set). */
static void cmd_reset(Client *c) {
    multi_reset(c);
    pubsub_unsubscribe_all(c);
    c->db = &srv.dbs[0];
    c->resp = 2;
    mem_free(c->name);
    c->name = NULL;
    c->flags &= ~(uint32_t)(CLIENT_NO_EVICT | CLIENT_NO_TOUCH);
    c->authenticated = cfg.requirepass == NULL;
    c->req.authenticated = c->authenticated;
    reply_simple(c, "RESET");
}

/* clang-format off */
const CmdSpec connection_commands[] = {
    {"ping",   cmd_ping,   -1, CMD_FAST | CMD_SENTINEL, NO_KEYS, "connection", NULL, "Ping the server", "1.0.0", "[message]"},
    {"echo",   cmd_echo,    2, CMD_LOADING | CMD_STALE | CMD_FAST, NO_KEYS, "connection", NULL, "Echo the given string", "1.0.0", "message"},
    {"quit",   cmd_quit,   -1, CMD_NOSCRIPT | CMD_NO_AUTH | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_ALLOW_BUSY, NO_KEYS, "connection", NULL, "Close the connection", "1.0.0", ""},
    {"select", cmd_select,  2, CMD_LOADING | CMD_STALE | CMD_FAST, NO_KEYS, "connection", NULL, "Change the selected database for the current connection", "1.0.0", "index"},
    {"auth",   cmd_auth,   -2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL | CMD_ALLOW_BUSY, NO_KEYS, "connection", NULL, "Authenticate to the server", "1.0.0", "[username] password"},
    {"hello",  cmd_hello,  -1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL | CMD_ALLOW_BUSY, NO_KEYS, "connection", NULL, "Handshake with Redis", "6.0.0", "[protover [AUTH username password] [SETNAME clientname]]"},
    {"reset",  cmd_reset,   1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY, NO_KEYS, "connection", NULL, "Reset the connection", "6.2.0", ""},
    CMD_SPEC_END,
};
/* clang-format on */
