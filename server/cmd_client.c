/* cmd_client.c - the CLIENT command family and the CLIENT LIST line.
 *
 *   ID SETNAME GETNAME SETINFO    the calling connection's identity
 *   LIST [TYPE t | ID id...] INFO one line per client (client_format_info)
 *   KILL addr | KILL <filter>...  close other connections
 *   PAUSE ms [WRITE|ALL] UNPAUSE  set srv.client_pause_*; dispatch defers the commands
 *                                 and the server cron (or UNPAUSE) resumes them
 *   NO-EVICT NO-TOUCH HELP
 * Replies and errors are Redis 7.0's; SETINFO and NO-TOUCH come from Redis 7.2 (clients
 * send SETINFO on connect), and CLIENT LIST ends with 7.2's lib-name= lib-ver= fields.
 *   UNBLOCK id [TIMEOUT|ERROR]    end another client's BLPOP & co. wait (blocked.c)
 * REPLY, TRACKING, CACHING, GETREDIR are not implemented (unknown subcommand).
 *
 * The CLIENT LIST fields map Vigil's single growable reply buffer onto Redis's static
 * buffer + reply list: rbs/rbp are its capacity and peak, obl the bytes not yet written,
 * oll/omem 0. sub/psub count the Pub/Sub subscriptions, ssub is 0 (no shard channels);
 * multi is the number of queued commands inside MULTI, -1 outside, and multi-mem the bytes
 * they hold (multi.c). */
#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "server/blocked.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/multi.h"
#include "server/networking.h"
#include "server/pubsub.h"
#include "server/repl_primary.h"
#include "server/reply.h"
#include "server/server.h"

#include <limits.h>
#include <string.h>

enum {
    CTYPE_NORMAL,
    CTYPE_REPLICA,
    CTYPE_PUBSUB,
    CTYPE_PRIMARY
};

static int client_type(const Client *c) {
    if (c->flags & CLIENT_PRIMARY) return CTYPE_PRIMARY;
    if (c->flags & CLIENT_REPLICA) return CTYPE_REPLICA;
    if (c->flags & CLIENT_PUBSUB) return CTYPE_PUBSUB;
    return CTYPE_NORMAL;
}

const char *client_type_name(const Client *c) {
    static const char *const names[] = {"normal", "replica", "pubsub", "master"};
    return names[client_type(c)];
}

/* TYPE argument of CLIENT LIST / KILL; -1 after replying. */
static int type_by_name_or_reply(Client *c, const RespArg *a) {
    if (arg_is(a, "normal")) return CTYPE_NORMAL;
    if (arg_is(a, "replica") || arg_is(a, "slave")) return CTYPE_REPLICA;
    if (arg_is(a, "pubsub")) return CTYPE_PUBSUB;
    if (arg_is(a, "master")) return CTYPE_PRIMARY;
    reply_error_fmt(c, "ERR Unknown client type '%.*s'", (int)VG_MIN(a->len, 128), a->ptr);
    return -1;
}

/* Flag letters in Redis's order; "N" when none applies. */
static void format_flags(const Client *c, char *out) {
    static const struct {
        uint32_t flag;
        char letter;
    } letters[] = {
        {CLIENT_REPLICA, 'S'},
        {CLIENT_PRIMARY, 'M'},
        {CLIENT_PUBSUB, 'P'},
        {CLIENT_MULTI, 'x'},
        {CLIENT_BLOCKED | CLIENT_PAUSED, 'b'},
        {CLIENT_CLOSE_AFTER_REPLY, 'c'},
        {CLIENT_CLOSE_ASAP, 'A'},
        {CLIENT_UNIX_SOCKET, 'U'},
        {CLIENT_NO_EVICT, 'e'},
        {CLIENT_NO_TOUCH, 'T'},
    };
    char *p = out;
    for (size_t i = 0; i < VG_ARRAY_LEN(letters); i++)
        if (c->flags & letters[i].flag) *p++ = letters[i].letter;
    if (p == out) *p++ = 'N';
    *p = '\0';
}

static long long argv_mem(const Client *c) {
    long long sum = blocked_argv_bytes(c);
    if (c->argv)
        for (int i = 0; i < c->argc; i++)
            sum += (long long)c->argv[i].len;
    return sum;
}

/* An honest estimate of what the client holds: its struct, both buffers' capacities, the
 * parser's argv arrays and its strings. */
static size_t total_mem(const Client *c) {
    size_t n = sizeof(*c) + c->req.buf.cap + c->out.cap + multi_queued_bytes(c);
    n += (size_t)c->req.argv_cap * (sizeof(RespArg) + sizeof(size_t));
    if (c->name) n += strlen(c->name) + 1;
    if (c->lib_name) n += strlen(c->lib_name) + 1;
    if (c->lib_ver) n += strlen(c->lib_ver) + 1;
    return n;
}

/* The running command, or the one CLIENT PAUSE holds back (both shown as Redis does). */
static const char *last_command_name(const Client *c) {
    bool current = (c->flags & (CLIENT_EXECUTING | CLIENT_PAUSED)) && c->cmd;
    const Command *cmd = current ? c->cmd : c->lastcmd;
    return cmd ? cmd->fullname : "NULL";
}

void client_format_info(Client *c, Buf *out) {
    char flags[16], events[3] = "";
    format_flags(c, flags);
    if (c->fd >= 0 && ev_is_active(&c->rio)) strcat(events, "r");
    if (c->fd >= 0 && ev_is_active(&c->wio)) strcat(events, "w");
    int64_t now = server_now_ms();
    buf_printf(out,
               "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d "
               "sub=%zu psub=%zu ssub=0 multi=%d qbuf=%zu qbuf-free=%zu argv-mem=%lld "
               "multi-mem=%zu rbs=%zu rbp=%zu obl=%zu oll=0 omem=0 tot-mem=%zu events=%s cmd=%s "
               "user=default redir=-1 resp=%d lib-name=%s lib-ver=%s",
               (unsigned long long)c->id, c->addr, c->laddr, c->fd, c->name ? c->name : "",
               (long long)(now - c->ctime_ms) / 1000,
               (long long)(now - c->last_interaction_ms) / 1000, flags, c->db ? c->db->id : 0,
               pubsub_client_channel_count(c), pubsub_client_pattern_count(c),
               multi_queued_count(c), resp_reader_pending(&c->req),
               c->req.buf.cap - c->req.buf.len, argv_mem(c), multi_queued_bytes(c), c->out.cap,
               VG_MAX(c->out_peak, c->out.len), c->out.len - c->out_sent, total_mem(c), events,
               last_command_name(c), c->resp, c->lib_name ? c->lib_name : "",
               c->lib_ver ? c->lib_ver : "");
}

/* CLIENT ID */
static void cmd_client_id(Client *c) {
    reply_int(c, (long long)c->id);
}

/* Replace *slot with a copy of a (NULL when a is empty). */
static void set_attr(char **slot, const RespArg *a) {
    mem_free(*slot);
    *slot = a->len ? arg_dup(a) : NULL;
}

/* CLIENT SETNAME name: an empty name clears it. */
static void cmd_client_setname(Client *c) {
    if (!client_name_is_valid(&c->argv[2])) {
        reply_error(c, "ERR Client names cannot contain spaces, newlines or special characters.");
        return;
    }
    set_attr(&c->name, &c->argv[2]);
    reply_ok(c);
}

/* CLIENT GETNAME */
static void cmd_client_getname(Client *c) {
    reply_bulk_cstr(c, c->name);
}

/* CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2) */
static void cmd_client_setinfo(Client *c) {
    const RespArg *attr = &c->argv[2];
    char **slot;
    if (arg_is(attr, "lib-name")) {
        slot = &c->lib_name;
    } else if (arg_is(attr, "lib-ver")) {
        slot = &c->lib_ver;
    } else {
        reply_error_fmt(c, "ERR Unrecognized option '%.*s'", (int)VG_MIN(attr->len, 128),
                        attr->ptr);
        return;
    }
    if (!client_name_is_valid(&c->argv[3])) {
        reply_error_fmt(c, "ERR %.*s cannot contain spaces, newlines or special characters.",
                        (int)attr->len, attr->ptr);
        return;
    }
    set_attr(slot, &c->argv[3]);
    reply_ok(c);
}

static void append_info_line(Client *c, Buf *out) {
    client_format_info(c, out);
    buf_append_char(out, '\n');
}

/* CLIENT LIST ID id [id ...]: every id must be an integer; unknown ones are skipped. */
static int list_ids_or_reply(Client *c, Buf *out) {
    for (int i = 3; i < c->argc; i++) {
        long long id;
        if (!util_str_to_ll(c->argv[i].ptr, c->argv[i].len, &id)) {
            reply_error(c, "ERR Invalid client ID");
            return -1;
        }
    }
    for (int i = 3; i < c->argc; i++) {
        long long id;
        util_str_to_ll(c->argv[i].ptr, c->argv[i].len, &id);
        Client *t = id > 0 ? client_by_id((uint64_t)id) : NULL;
        if (t) append_info_line(t, out);
    }
    return 0;
}

/* CLIENT LIST [TYPE normal|master|replica|pubsub] | [ID id [id ...]] */
static void cmd_client_list(Client *c) {
    Buf out = BUF_INIT;
    if (c->argc == 2 || (c->argc == 4 && arg_is(&c->argv[2], "type"))) {
        int type = -1;
        if (c->argc == 4 && (type = type_by_name_or_reply(c, &c->argv[3])) < 0) return;
        /* oldest first, as Redis lists them (the list is newest first) */
        Client *t = srv.clients_head;
        while (t && t->next)
            t = t->next;
        for (; t; t = t->prev)
            if (type < 0 || client_type(t) == type) append_info_line(t, &out);
    } else if (c->argc >= 4 && arg_is(&c->argv[2], "id")) {
        if (list_ids_or_reply(c, &out) != 0) {
            buf_deinit(&out);
            return;
        }
    } else {
        reply_syntax_error(c);
        return;
    }
    reply_verbatim(c, out.len ? out.data : "", out.len, "txt");
    buf_deinit(&out);
}

/* CLIENT INFO */
static void cmd_client_info(Client *c) {
    Buf out = BUF_INIT;
    append_info_line(c, &out);
    reply_verbatim(c, out.data, out.len, "txt");
    buf_deinit(&out);
}

/* The filters of CLIENT KILL's new form; every given filter must match. */
typedef struct KillFilter {
    long long id;         /* 0: any */
    int type;             /* -1: any */
    const RespArg *addr;  /* NULL: any */
    const RespArg *laddr; /* NULL: any */
    bool skipme;
} KillFilter;

static bool arg_eq_str(const RespArg *a, const char *s) {
    return a->len == strlen(s) && memcmp(a->ptr, s, a->len) == 0;
}

/* Parse one "<filter> <value>" pair at argv[i]; 0, or -1 after replying. */
static int kill_filter_parse_one_or_reply(Client *c, int i, KillFilter *f) {
    const RespArg *opt = &c->argv[i], *val = &c->argv[i + 1];
    if (arg_is(opt, "id")) {
        return arg_to_ll_range_or_reply(c, val, 1, LLONG_MAX, &f->id,
                                        "ERR client-id should be greater than 0");
    } else if (arg_is(opt, "type")) {
        f->type = type_by_name_or_reply(c, val);
        return f->type < 0 ? -1 : 0;
    } else if (arg_is(opt, "addr")) {
        f->addr = val;
    } else if (arg_is(opt, "laddr")) {
        f->laddr = val;
    } else if (arg_is(opt, "user")) {
        if (arg_eq_str(val, "default")) return 0; /* the only user: matches everyone */
        reply_error_fmt(c, "ERR No such user '%.*s'", (int)VG_MIN(val->len, 128), val->ptr);
        return -1;
    } else if (arg_is(opt, "skipme") && (arg_is(val, "yes") || arg_is(val, "no"))) {
        f->skipme = arg_is(val, "yes");
    } else {
        reply_syntax_error(c);
        return -1;
    }
    return 0;
}

static int kill_filter_parse_or_reply(Client *c, KillFilter *f) {
    *f = (KillFilter){.id = 0, .type = -1, .skipme = true};
    for (int i = 2; i < c->argc; i += 2) {
        if (i + 1 >= c->argc) {
            reply_syntax_error(c);
            return -1;
        }
        if (kill_filter_parse_one_or_reply(c, i, f) != 0) return -1;
    }
    return 0;
}

static bool kill_filter_matches(const KillFilter *f, const Client *me, const Client *t) {
    if (f->id && t->id != (uint64_t)f->id) return false;
    if (f->type >= 0 && client_type(t) != f->type) return false;
    if (f->addr && !arg_eq_str(f->addr, t->addr)) return false;
    if (f->laddr && !arg_eq_str(f->laddr, t->laddr)) return false;
    if (f->skipme && t == me) return false;
    return true;
}

/* Close t; the caller itself is closed only once its reply is written. */
static void kill_client(Client *c, Client *t) {
    if (t == c)
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    else
        client_close(t);
}

/* CLIENT KILL ip:port (old form: OK or "No such client") */
static void client_kill_by_addr(Client *c) {
    for (Client *t = srv.clients_head; t; t = t->next) {
        if (arg_eq_str(&c->argv[2], t->addr)) {
            kill_client(c, t);
            reply_ok(c);
            return;
        }
    }
    reply_error(c, "ERR No such client");
}

/* CLIENT KILL <ip:port> | <filter> <value> [...]: the new form replies the count. */
static void cmd_client_kill(Client *c) {
    if (c->argc == 3) {
        client_kill_by_addr(c);
        return;
    }
    KillFilter f;
    if (kill_filter_parse_or_reply(c, &f) != 0) return;
    long long killed = 0;
    Client *next;
    for (Client *t = srv.clients_head; t; t = next) {
        next = t->next;
        if (!kill_filter_matches(&f, c, t)) continue;
        kill_client(c, t);
        killed++;
    }
    reply_int(c, killed);
}

/* CLIENT PAUSE timeout [WRITE|ALL]: a new pause sets the mode and keeps the later end. */
static void cmd_client_pause(Client *c) {
    if (c->argc > 4) {
        reply_subcommand_syntax_error(c);
        return;
    }
    long long timeout;
    if (arg_to_ll_or_reply(c, &c->argv[2], &timeout,
                           "ERR timeout is not an integer or out of range") != 0)
        return;
    if (timeout < 0) {
        reply_error(c, "ERR timeout is negative");
        return;
    }
    int type = 2;
    if (c->argc == 4) {
        if (arg_is(&c->argv[3], "write")) {
            type = 1;
        } else if (!arg_is(&c->argv[3], "all")) {
            reply_error(c, "ERR CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    }
    int64_t now = server_now_ms();
    int64_t end = timeout > INT64_MAX - now ? INT64_MAX : now + timeout;
    srv.client_pause_type = type;
    if (end > srv.client_pause_end_ms) srv.client_pause_end_ms = end;
    reply_ok(c);
}

/* CLIENT UNPAUSE: the deferred commands run now. */
static void cmd_client_unpause(Client *c) {
    srv.client_pause_type = 0;
    srv.client_pause_end_ms = 0;
    net_unpause_clients();
    reply_ok(c);
}

/* ON|OFF for NO-EVICT / NO-TOUCH. */
static void set_flag_from_arg(Client *c, uint32_t flag) {
    if (arg_is(&c->argv[2], "on")) {
        c->flags |= flag;
    } else if (arg_is(&c->argv[2], "off")) {
        c->flags &= ~flag;
    } else {
        reply_syntax_error(c);
        return;
    }
    reply_ok(c);
}

/* CLIENT NO-EVICT ON|OFF */
static void cmd_client_no_evict(Client *c) {
    set_flag_from_arg(c, CLIENT_NO_EVICT);
}

/* CLIENT NO-TOUCH ON|OFF (Redis 7.2) */
static void cmd_client_no_touch(Client *c) {
    set_flag_from_arg(c, CLIENT_NO_TOUCH);
}

/* CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: 1 when that client was blocked on keys (it gets
 * its timeout reply, or -UNBLOCKED), else 0. Redis checks the reason before the id. */
static void cmd_client_unblock(Client *c) {
    if (c->argc > 4) {
        reply_subcommand_syntax_error(c);
        return;
    }
    int how = UNBLOCK_TIMEOUT;
    if (c->argc == 4) {
        if (arg_is(&c->argv[3], "timeout")) {
            how = UNBLOCK_TIMEOUT;
        } else if (arg_is(&c->argv[3], "error")) {
            how = UNBLOCK_ERROR;
        } else {
            reply_error(c, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    long long id;
    if (arg_to_ll_or_reply(c, &c->argv[2], &id, NULL) != 0) return;
    Client *t = id > 0 ? client_by_id((uint64_t)id) : NULL;
    if (t && t->bstate) {
        blocked_unblock(t, how);
        reply_int(c, 1);
    } else if (t && repl_primary_unblock_waiter(t, how)) { /* blocked in WAIT */
        reply_int(c, 1);
    } else {
        reply_int(c, 0);
    }
}

/* CLIENT HELP */
static void cmd_client_help(Client *c) {
    static const char *const lines[] = {
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
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "NO-TOUCH (ON|OFF)",
        "    Will not touch LRU/LFU stats when this mode is on.",
        NULL,
    };
    reply_help(c, lines);
}

#define CL (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define CA (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

/* clang-format off */
static const CmdSpec client_subcommands[] = {
    {"id",       cmd_client_id,        2, CL, NO_KEYS, "connection", NULL, "Returns the client ID for the current connection", "5.0.0", ""},
    {"setname",  cmd_client_setname,   3, CL, NO_KEYS, "connection", NULL, "Set the current connection name", "2.6.9", "connection-name"},
    {"getname",  cmd_client_getname,   2, CL, NO_KEYS, "connection", NULL, "Get the current connection name", "2.6.9", ""},
    {"setinfo",  cmd_client_setinfo,   4, CL, NO_KEYS, "connection", NULL, "Set client or connection specific info", "7.2.0", "LIB-NAME libname|LIB-VER libver"},
    {"list",     cmd_client_list,     -2, CA, NO_KEYS, "connection", NULL, "Get the list of client connections", "2.4.0", "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]"},
    {"info",     cmd_client_info,      2, CL, NO_KEYS, "connection", NULL, "Returns information about the current client connection.", "6.2.0", ""},
    {"kill",     cmd_client_kill,     -3, CA, NO_KEYS, "connection", NULL, "Kill the connection of a client", "2.4.0", "ip:port|[ID client-id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME yes/no]"},
    {"pause",    cmd_client_pause,    -3, CA, NO_KEYS, "connection", NULL, "Stop processing commands from clients for some time", "2.9.50", "timeout [WRITE|ALL]"},
    {"unpause",  cmd_client_unpause,   2, CA, NO_KEYS, "connection", NULL, "Resume processing of clients that were paused", "6.2.0", ""},
    {"no-evict", cmd_client_no_evict,  3, CA, NO_KEYS, "connection", NULL, "Set client eviction mode for the current connection", "7.0.0", "ON|OFF"},
    {"no-touch", cmd_client_no_touch,  3, CL, NO_KEYS, "connection", NULL, "Controls whether commands sent by the client will alter the LRU/LFU of the keys they access.", "7.2.0", "ON|OFF"},
    {"unblock",  cmd_client_unblock,  -3, CA, NO_KEYS, "connection", NULL, "Unblock a client blocked in a blocking command from a different connection", "5.0.0", "client-id [TIMEOUT|ERROR]"},
    {"help",     cmd_client_help,      2, CMD_LOADING | CMD_STALE, NO_KEYS, "connection", NULL, "Show helpful text about the different subcommands", "5.0.0", ""},
    CMD_SPEC_END,
};

const CmdSpec client_commands[] = {
    {"client", NULL, -2, 0, NO_KEYS, "connection", client_subcommands, "A container for client connection commands", "2.4.0", ""},
    CMD_SPEC_END,
};
/* clang-format on */
