/* front.h - the sentinel's own RESP server: its clients and its command table.
 *
 * Commands are functions taking the client and the request's arguments; they append their
 * reply to c->out with common/resp_writer.h (c->resp is 2 or 3). The front writes c->out
 * after each read event's requests have run. */
#ifndef VIGIL_SENTINEL_FRONT_H
#define VIGIL_SENTINEL_FRONT_H

#include <ev.h>

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/net.h"
#include "common/resp_reader.h"

enum {
    SC_CLOSE_AFTER_REPLY = 1 << 0,
    SC_CLOSE_ASAP = 1 << 1,
    SC_PUBSUB = 1 << 2, /* subscribed to at least one channel or pattern */
};

typedef struct SClient {
    uint64_t id;
    int fd;
    unsigned flags;
    int resp;            /* 2 or 3 */
    bool authenticated;  /* true when requirepass is unset */
    char *name;          /* CLIENT SETNAME, NULL none */
    char addr[NET_ADDR_LEN];
    char laddr[NET_ADDR_LEN];
    int64_t ctime_ms, last_interaction_ms;
    const char *last_cmd; /* CLIENT LIST cmd= (a full name: "client|list"), NULL none */
    ev_io rio, wio;
    RespReader req;
    Buf out;
    size_t out_sent;
    char **channels;     /* subscribed channels */
    int nchannels;
    char **patterns;
    int npatterns;
    struct SClient *prev, *next;
    int64_t obuf_soft_since_ms; /* pubsub output over the soft limit since (0: not over) */
    int reply_mode;             /* CLIENT REPLY: SC_REPLY_ON / _OFF / _SKIP_NEXT / _SKIP */
} SClient;

enum { SC_REPLY_ON = 0, SC_REPLY_OFF, SC_REPLY_SKIP_NEXT, SC_REPLY_SKIP };

typedef void (*SCmdFn)(SClient *c, int argc, RespArg *argv);

/* Command flags as COMMAND INFO names them (SCF_NOAUTH: allowed before AUTH; SCF_PUBSUB_OK:
 * allowed in RESP2 subscribed mode). */
enum {
    SCF_ADMIN = 1 << 0,
    SCF_PUBSUB = 1 << 1,
    SCF_NOSCRIPT = 1 << 2,
    SCF_LOADING = 1 << 3,
    SCF_STALE = 1 << 4,
    SCF_FAST = 1 << 5,
    SCF_NO_AUTH = 1 << 6,
    SCF_ALLOW_BUSY = 1 << 7,
    SCF_NO_MULTI = 1 << 8,
    SCF_PUBSUB_OK = 1 << 16, /* not a COMMAND flag: RESP2 subscribed-mode allowance */
};

/* One entry of the sentinel's command table (Redis Sentinel 7.0.15's 15 commands and their
 * subcommands, which COMMAND shows). A subcommand entry with fn NULL runs its container's
 * fn (SENTINEL's subcommands all go to cmd_sentinel). */
typedef struct SCommand {
    const char *name;     /* "client" or, for a subcommand, "client|list" */
    SCmdFn fn;
    int arity;            /* Redis convention: > 0 exact, < 0 at least -arity */
    unsigned flags;       /* SCF_* */
    const char *acl;      /* ACL categories, space separated ("@admin @slow") */
    const char *tips;     /* command tips, space separated, NULL none */
    const struct SCommand *subs; /* NULL-name terminated, NULL when none */
} SCommand;

/* The command table (front_cmds.c): NULL-name terminated. */
extern const SCommand front_commands[];
/* The entry for argv (subcommand resolved): NULL and a reply sent when unknown. */
const SCommand *front_lookup_or_reply(SClient *c, int argc, RespArg *argv);

/* Reply helpers on c->out. */
void sc_reply_ok(SClient *c);
void sc_reply_error(SClient *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sc_reply_arity(SClient *c, const char *cmd); /* "ERR wrong number of arguments for 'x' command" */

/* Every connected client (CLIENT LIST / KILL walk this). */
SClient *front_first_client(void);
/* Close c as soon as possible (from the loop, never under the caller's feet). */
void front_close_client(SClient *c);
/* Pub/Sub (front.c): the command procs SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE. */
void front_cmd_subscribe(SClient *c, int argc, RespArg *argv);
void front_cmd_unsubscribe(SClient *c, int argc, RespArg *argv);
void front_cmd_psubscribe(SClient *c, int argc, RespArg *argv);
void front_cmd_punsubscribe(SClient *c, int argc, RespArg *argv);
/* Counters INFO shows. */
typedef struct FrontStats {
    long long connections_received, commands_processed, rejected_connections;
    long long net_input_bytes, net_output_bytes, error_replies;
    long long reads_processed, writes_processed;
} FrontStats;
extern FrontStats front_stats;
/* Number of distinct channels / patterns with subscribers (INFO pubsub_channels). */
long front_pubsub_channels(void);
long front_pubsub_patterns(void);
/* "id=... addr=... cmd=... resp=N\n" as CLIENT LIST prints it. */
void front_client_info(SClient *c, Buf *out);

#endif
