/* client.h - a connected client: its socket, request parser, reply buffer and state.
 *
 * Lifecycle (networking.c): accept -> client_new -> read events feed the RespReader ->
 * dispatch runs each whole request -> replies accumulate in `out` -> before the loop sleeps
 * every client with pending output gets one write(); what the kernel does not take waits
 * for a write event. A client is freed at once when it is not executing a command, else
 * flagged CLIENT_CLOSE_ASAP and freed before the loop sleeps. */
#ifndef VIGIL_SERVER_CLIENT_H
#define VIGIL_SERVER_CLIENT_H

#include <ev.h>

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/net.h"
#include "common/resp_reader.h"

typedef struct Db Db;
typedef struct Command Command;
typedef struct PubsubClient PubsubClient;
typedef struct MultiState MultiState;
typedef struct BlockState BlockState;

/* clang-format off */
enum {
    CLIENT_CLOSE_AFTER_REPLY = 1 << 0, /* QUIT, protocol error: flush, then close */
    CLIENT_CLOSE_ASAP        = 1 << 1, /* close before the loop sleeps */
    CLIENT_PENDING_WRITE     = 1 << 2, /* in the pending-writes list */
    CLIENT_UNIX_SOCKET       = 1 << 3,
    CLIENT_MULTI             = 1 << 4,
    CLIENT_PUBSUB            = 1 << 5,
    CLIENT_BLOCKED           = 1 << 6,
    CLIENT_NO_EVICT          = 1 << 7,
    CLIENT_REPLICA           = 1 << 8,
    CLIENT_PRIMARY           = 1 << 9,
    CLIENT_EXECUTING         = 1 << 10,
    CLIENT_NO_TOUCH          = 1 << 11,
    CLIENT_PAUSED            = 1 << 12, /* input processing suspended by CLIENT PAUSE */
    CLIENT_BLOCKED_RERUN     = 1 << 13, /* a blocked command re-run to serve it (blocked.c) */
    CLIENT_AOF_LOADER        = 1 << 14, /* the AOF loader's fake client: never propagated */
};
/* clang-format on */

typedef struct Client {
    uint64_t id;
    int fd;
    uint32_t flags;
    int resp;          /* 2 or 3 */
    bool authenticated;
    Db *db;
    ev_io rio, wio;
    RespReader req;
    Buf out;           /* pending reply bytes */
    size_t out_sent;   /* bytes of `out` already written */
    size_t out_peak;   /* largest `out` since the last shrink check (CLIENT LIST rbp) */
    int64_t out_peak_reset_ms;
    /* the request being executed */
    int argc;
    RespArg *argv;
    Command *cmd, *lastcmd;
    /* identity */
    char *name;
    char *lib_name;
    char *lib_ver;
    char addr[NET_ADDR_LEN];
    char laddr[NET_ADDR_LEN];
    int64_t ctime_ms;
    int64_t last_interaction_ms;
    long long argv_bytes; /* CLIENT LIST argv-mem */
    long long net_input_bytes, net_output_bytes, commands_processed;
    /* Pub/Sub (pubsub.c): subscriptions, NULL until the first one */
    PubsubClient *pubsub;
    /* MULTI/WATCH (multi.c): queued commands and watched keys, NULL when neither */
    MultiState *mstate;
    /* blocking commands (blocked.c): what the client waits for, NULL when not blocked */
    BlockState *bstate;
    int64_t obuf_soft_since_ms; /* soft output limit exceeded since (0 = not now) */
    long long woff;             /* master_repl_offset after its last propagated write (WAIT) */
    /* links */
    struct Client *prev, *next;         /* srv.clients list */
    struct Client *pw_prev, *pw_next;   /* pending-writes list */
    struct Client *ps_prev, *ps_next;   /* paused-clients list (FIFO, CLIENT PAUSE) */
} Client;

/* The client list's field for a client (CLIENT LIST/INFO line, without "\n"). */
void client_format_info(Client *c, Buf *out);
/* Must this client still authenticate? (A password is set and it has not.) Checked live,
 * so clearing requirepass lets waiting clients in, as in Redis. */
bool client_auth_required(const Client *c);
/* Client names may not contain spaces, newlines or other special characters. */
bool client_name_is_valid(const RespArg *a);
/* Type name for CLIENT KILL TYPE / CLIENT LIST: normal, master, replica, pubsub. */
const char *client_type_name(const Client *c);

#endif
