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
    const char *last_cmd; /* CLIENT LIST cmd= */
    ev_io rio, wio;
    RespReader req;
    Buf out;
    size_t out_sent;
    char **channels;     /* subscribed channels */
    int nchannels;
    char **patterns;
    int npatterns;
    struct SClient *prev, *next;
} SClient;

typedef void (*SCmdFn)(SClient *c, int argc, RespArg *argv);

typedef struct SCommand {
    const char *name;
    SCmdFn fn;
    int arity;           /* Redis convention: > 0 exact, < 0 at least -arity */
    bool noauth;         /* allowed before AUTH (AUTH, HELLO) */
    bool pubsub_ok;      /* allowed in RESP2 subscribed mode */
} SCommand;

/* Reply helpers on c->out. */
void sc_reply_ok(SClient *c);
void sc_reply_error(SClient *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sc_reply_arity(SClient *c, const char *cmd); /* "ERR wrong number of arguments for 'x' command" */

/* Every connected client (CLIENT LIST / KILL walk this). */
SClient *front_first_client(void);
/* Close c now (or after the current command when it is running). */
void front_close_client(SClient *c);

#endif
