/* pubsub.c - Pub/Sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB.
 *
 * State, all owned here:
 *   channels   dict channel -> Topic (its subscribers, in subscription order)
 *   patterns   dict pattern -> Topic (same shape; PUBLISH walks all of them)
 *   per client a PubsubClient (c->pubsub, made on the first subscription): two dicts of
 *              Sub nodes pointing at the Topics it is in, so UNSUBSCRIBE without arguments
 *              and client_free cost O(own subscriptions x subscribers per topic).
 * A Topic exists only while it has a subscriber, so dict sizes are INFO's pubsub_channels
 * and pubsub_patterns, and PUBSUB NUMPAT.
 *
 * Replies follow Redis 7.0: every (un)subscription confirmation is its own push frame
 * [kind, name, count] where count is the client's channels + patterns; message frames are
 * [message, channel, payload] and [pmessage, pattern, channel, payload]. Push frames are
 * '>' in RESP3 and '*' in RESP2 (resp_push). CLIENT_PUBSUB is set by (P)SUBSCRIBE and
 * cleared when the count drops to 0; dispatch.c refuses other commands to RESP2 clients
 * that carry it.
 *
 * Delivery appends to the receiver's reply buffer and queues its write; then the pubsub
 * class of client-output-buffer-limit is checked (pubsub_check_output_limit), so a
 * subscriber that never reads is closed instead of growing without bound. Shard channels
 * (SSUBSCRIBE, SPUBLISH) and keyspace notifications are not implemented. */
#include "server/pubsub.h"

#include "common/buf.h"
#include "common/dict.h"
#include "common/glob.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/resp_writer.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/networking.h"
#include "server/propagate.h"
#include "server/reply.h"
#include "server/server.h"

#include <string.h>

typedef struct Topic {
    DictNode node;
    Client **subs; /* subscribers in subscription order */
    size_t nsubs, cap;
    size_t len;
    char name[];
} Topic;

typedef struct Sub {
    DictNode node;
    Topic *topic; /* the key is the topic's name */
} Sub;

typedef struct PubsubClient {
    Dict channels; /* of Sub */
    Dict patterns; /* of Sub */
} PubsubClient;

static const char *topic_key(const DictNode *n, size_t *len) {
    const Topic *t = (const Topic *)n;
    *len = t->len;
    return t->name;
}

static const char *sub_key(const DictNode *n, size_t *len) {
    const Topic *t = ((const Sub *)n)->topic;
    *len = t->len;
    return t->name;
}

static const DictType topic_type = {.node_key = topic_key, .nocase = false};
static const DictType sub_type = {.node_key = sub_key, .nocase = false};

static Dict channels, patterns;
static bool initialized;

static void pubsub_init_once(void) {
    if (initialized) return;
    dict_init(&channels, &topic_type);
    dict_init(&patterns, &topic_type);
    initialized = true;
}

size_t pubsub_channel_count(void) {
    return initialized ? (size_t)dict_size(&channels) : 0;
}

size_t pubsub_pattern_count(void) {
    return initialized ? (size_t)dict_size(&patterns) : 0;
}

size_t pubsub_client_channel_count(const Client *c) {
    return c->pubsub ? (size_t)dict_size(&c->pubsub->channels) : 0;
}

size_t pubsub_client_pattern_count(const Client *c) {
    return c->pubsub ? (size_t)dict_size(&c->pubsub->patterns) : 0;
}

static long long subscription_count(const Client *c) {
    return (long long)(pubsub_client_channel_count(c) + pubsub_client_pattern_count(c));
}

/* ---- subscription bookkeeping ---------------------------------------------------------- */

static PubsubClient *client_state(Client *c) {
    if (!c->pubsub) {
        c->pubsub = mem_calloc(sizeof(*c->pubsub));
        dict_init(&c->pubsub->channels, &sub_type);
        dict_init(&c->pubsub->patterns, &sub_type);
    }
    return c->pubsub;
}

/* Add c to the topic `name` of `all`; false when it was already subscribed. */
static bool topic_subscribe(Dict *all, Dict *mine, Client *c, const char *name, size_t len) {
    if (dict_find(mine, name, len)) return false;
    Topic *t = (Topic *)dict_find(all, name, len);
    if (!t) {
        t = mem_calloc(sizeof(*t) + len + 1);
        t->len = len;
        memcpy(t->name, name, len);
        dict_insert(all, &t->node);
    }
    if (t->nsubs == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4;
        t->subs = mem_realloc(t->subs, t->cap * sizeof(*t->subs));
    }
    t->subs[t->nsubs++] = c;
    Sub *s = mem_alloc(sizeof(*s));
    s->node.next = NULL;
    s->topic = t;
    dict_insert(mine, &s->node);
    return true;
}

/* Remove c from the topic `name`; false when it was not subscribed. The topic goes away
 * with its last subscriber. O(subscribers) to keep delivery order, as Redis's list. */
static bool topic_unsubscribe(Dict *all, Dict *mine, Client *c, const char *name, size_t len) {
    Sub *s = (Sub *)dict_unlink(mine, name, len);
    if (!s) return false;
    Topic *t = s->topic;
    mem_free(s);
    for (size_t i = 0; i < t->nsubs; i++) {
        if (t->subs[i] != c) continue;
        memmove(&t->subs[i], &t->subs[i + 1], (t->nsubs - i - 1) * sizeof(*t->subs));
        t->nsubs--;
        break;
    }
    if (t->nsubs == 0) {
        dict_unlink(all, t->name, t->len);
        mem_free(t->subs);
        mem_free(t);
    }
    return true;
}

/* One confirmation frame: [kind, name or nil, count]. */
static void reply_confirmation(Client *c, const char *kind, const char *name, size_t len) {
    resp_push(&c->out, c->resp, 3);
    resp_bulk_cstr(&c->out, kind);
    if (name)
        resp_bulk(&c->out, name, len);
    else
        resp_null(&c->out, c->resp);
    resp_int(&c->out, subscription_count(c));
}

static void update_flag(Client *c) {
    if (subscription_count(c) == 0) c->flags &= ~(uint32_t)CLIENT_PUBSUB;
}

/* Unsubscribe from every channel (or pattern) of c; with notify, one confirmation each,
 * or a single [kind, nil, 0] when there were none (Redis 7.0's reply). */
static void unsubscribe_all_of(Client *c, bool pattern, bool notify) {
    const char *kind = pattern ? "punsubscribe" : "unsubscribe";
    Dict *all = pattern ? &patterns : &channels;
    size_t done = 0;
    if (c->pubsub) {
        Dict *mine = pattern ? &c->pubsub->patterns : &c->pubsub->channels;
        DictIter it; /* safe: the current node may be unlinked */
        dict_iter_init(&it, mine, true);
        DictNode *n;
        while ((n = dict_iter_next(&it))) {
            Topic *t = ((Sub *)n)->topic;
            char stack[128];
            size_t len = t->len;
            char *name = len < sizeof(stack) ? stack : mem_alloc(len);
            memcpy(name, t->name, len);
            topic_unsubscribe(all, mine, c, name, len);
            if (notify) reply_confirmation(c, kind, name, len);
            if (name != stack) mem_free(name);
            done++;
        }
        dict_iter_deinit(&it);
    }
    if (notify && done == 0) reply_confirmation(c, kind, NULL, 0);
}

void pubsub_unsubscribe_all(Client *c) {
    if (!c->pubsub) return;
    unsubscribe_all_of(c, false, false);
    unsubscribe_all_of(c, true, false);
    c->flags &= ~(uint32_t)CLIENT_PUBSUB;
}

void pubsub_client_free(Client *c) {
    if (!c->pubsub) return;
    pubsub_unsubscribe_all(c);
    dict_deinit(&c->pubsub->channels, NULL, NULL);
    dict_deinit(&c->pubsub->patterns, NULL, NULL);
    mem_free(c->pubsub);
    c->pubsub = NULL;
}

/* ---- output buffer limits -------------------------------------------------------------- */

/* Redis's class for client-output-buffer-limit: a primary counts as normal. */
static int obuf_class(const Client *c) {
    if (c->flags & CLIENT_REPLICA) return OBUF_CLASS_REPLICA;
    if (c->flags & CLIENT_PUBSUB) return OBUF_CLASS_PUBSUB;
    return OBUF_CLASS_NORMAL;
}

/* As Redis's checkClientOutputBufferLimits: the hard limit closes at once; the soft one
 * when it has been exceeded continuously for more than soft_seconds (measured when output
 * is added, so a silent channel does not close anybody). */
bool pubsub_check_output_limit(Client *c) {
    if (c->flags & CLIENT_CLOSE_ASAP) return true;
    if (c->fd < 0) return false;
    const long long *lim = cfg.client_obuf_limits[obuf_class(c)];
    long long used = (long long)(c->out.len - c->out_sent);
    bool hard = lim[0] > 0 && used >= lim[0];
    bool soft = lim[1] > 0 && used >= lim[1];
    int64_t now = server_now_ms();
    if (soft) {
        if (c->obuf_soft_since_ms == 0) {
            c->obuf_soft_since_ms = now;
            soft = false;
        } else if ((now - c->obuf_soft_since_ms) / 1000 <= lim[2]) {
            soft = false;
        }
    } else {
        c->obuf_soft_since_ms = 0;
    }
    if (!hard && !soft) return false;
    Buf info = BUF_INIT;
    client_format_info(c, &info);
    log_warn("Client %.*s scheduled to be closed ASAP for overcoming of output buffer limits.",
             (int)info.len, info.data ? info.data : "");
    buf_deinit(&info);
    srv.stats.client_obuf_limit_disconnections++;
    client_close_async(c);
    return true;
}

/* ---- delivery --------------------------------------------------------------------------- */

static void deliver(Client *c, const Topic *pattern, const char *channel, size_t clen,
                    const char *msg, size_t mlen) {
    if (c->flags & CLIENT_CLOSE_ASAP) return;
    if (pattern) {
        resp_push(&c->out, c->resp, 4);
        resp_bulk(&c->out, "pmessage", 8);
        resp_bulk(&c->out, pattern->name, pattern->len);
    } else {
        resp_push(&c->out, c->resp, 3);
        resp_bulk(&c->out, "message", 7);
    }
    resp_bulk(&c->out, channel, clen);
    resp_bulk(&c->out, msg, mlen);
    client_queue_write(c);
    pubsub_check_output_limit(c);
}

long long pubsub_publish(const char *channel, size_t clen, const char *msg, size_t mlen) {
    if (!initialized) return 0;
    long long receivers = 0;
    Topic *t = (Topic *)dict_find(&channels, channel, clen);
    if (t) {
        for (size_t i = 0; i < t->nsubs; i++) deliver(t->subs[i], NULL, channel, clen, msg, mlen);
        receivers += (long long)t->nsubs;
    }
    if (dict_size(&patterns) == 0) return receivers;
    DictIter it;
    dict_iter_init(&it, &patterns, false);
    DictNode *n;
    while ((n = dict_iter_next(&it))) {
        Topic *p = (Topic *)n;
        if (!glob_match(p->name, p->len, channel, clen, false)) continue;
        for (size_t i = 0; i < p->nsubs; i++) deliver(p->subs[i], p, channel, clen, msg, mlen);
        receivers += (long long)p->nsubs;
    }
    dict_iter_deinit(&it);
    return receivers;
}

/* ---- commands --------------------------------------------------------------------------- */

/* SUBSCRIBE channel [channel ...] / PSUBSCRIBE pattern [pattern ...] */
static void subscribe_generic(Client *c, bool pattern) {
    pubsub_init_once();
    PubsubClient *ps = client_state(c);
    Dict *all = pattern ? &patterns : &channels;
    Dict *mine = pattern ? &ps->patterns : &ps->channels;
    for (int j = 1; j < c->argc; j++) {
        topic_subscribe(all, mine, c, c->argv[j].ptr, c->argv[j].len);
        reply_confirmation(c, pattern ? "psubscribe" : "subscribe", c->argv[j].ptr,
                           c->argv[j].len);
    }
    c->flags |= CLIENT_PUBSUB;
}

/* UNSUBSCRIBE [channel ...] / PUNSUBSCRIBE [pattern ...] */
static void unsubscribe_generic(Client *c, bool pattern) {
    pubsub_init_once();
    if (c->argc == 1) {
        unsubscribe_all_of(c, pattern, true);
    } else {
        Dict *all = pattern ? &patterns : &channels;
        for (int j = 1; j < c->argc; j++) {
            if (c->pubsub) {
                Dict *mine = pattern ? &c->pubsub->patterns : &c->pubsub->channels;
                topic_unsubscribe(all, mine, c, c->argv[j].ptr, c->argv[j].len);
            }
            reply_confirmation(c, pattern ? "punsubscribe" : "unsubscribe", c->argv[j].ptr,
                               c->argv[j].len);
        }
    }
    update_flag(c);
}

static void cmd_subscribe(Client *c) {
    subscribe_generic(c, false);
}

static void cmd_psubscribe(Client *c) {
    subscribe_generic(c, true);
}

static void cmd_unsubscribe(Client *c) {
    unsubscribe_generic(c, false);
}

static void cmd_punsubscribe(Client *c) {
    unsubscribe_generic(c, true);
}

/* PUBLISH channel message */
static void cmd_publish(Client *c) {
    reply_int(c, pubsub_publish(c->argv[1].ptr, c->argv[1].len, c->argv[2].ptr,
                                c->argv[2].len));
    propagate_force_repl(c); /* to the replicas only, as Redis does */
}

/* PUBSUB CHANNELS [pattern] */
static void cmd_pubsub_channels(Client *c) {
    if (c->argc > 3) {
        reply_subcommand_syntax_error(c);
        return;
    }
    const RespArg *pat = c->argc == 3 ? &c->argv[2] : NULL;
    size_t handle = reply_deferred_begin(c);
    long long n = 0;
    if (initialized) {
        DictIter it;
        dict_iter_init(&it, &channels, false);
        DictNode *node;
        while ((node = dict_iter_next(&it))) {
            Topic *t = (Topic *)node;
            if (pat && !glob_match(pat->ptr, pat->len, t->name, t->len, false)) continue;
            reply_bulk(c, t->name, t->len);
            n++;
        }
        dict_iter_deinit(&it);
    }
    reply_deferred_array(c, handle, n);
}

/* PUBSUB NUMSUB [channel ...]: flat channel, count pairs (an array even in RESP3). */
static void cmd_pubsub_numsub(Client *c) {
    reply_array(c, (long long)(c->argc - 2) * 2);
    for (int j = 2; j < c->argc; j++) {
        Topic *t = initialized ? (Topic *)dict_find(&channels, c->argv[j].ptr, c->argv[j].len)
                               : NULL;
        reply_bulk_arg(c, &c->argv[j]);
        reply_int(c, t ? (long long)t->nsubs : 0);
    }
}

/* PUBSUB NUMPAT: distinct patterns with subscribers. */
static void cmd_pubsub_numpat(Client *c) {
    reply_int(c, (long long)pubsub_pattern_count());
}

static void cmd_pubsub_help(Client *c) {
    static const char *const lines[] = {
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        NULL,
    };
    reply_help(c, lines);
}

/* clang-format off */
#define PS_FLAGS (CMD_PUBSUB | CMD_LOADING | CMD_STALE)
static const CmdSpec pubsub_subcommands[] = {
    {"channels", cmd_pubsub_channels, -2, PS_FLAGS, NO_KEYS, "pubsub", NULL, "List active channels", "2.8.0", "[pattern]"},
    {"numsub",   cmd_pubsub_numsub,   -2, PS_FLAGS, NO_KEYS, "pubsub", NULL, "Get the count of subscribers for channels", "2.8.0", "[channel [channel ...]]"},
    {"numpat",   cmd_pubsub_numpat,    2, PS_FLAGS, NO_KEYS, "pubsub", NULL, "Get the count of unique patterns pattern subscriptions", "2.8.0", ""},
    {"help",     cmd_pubsub_help,      2, CMD_LOADING | CMD_STALE, NO_KEYS, "pubsub", NULL, "Show helpful text about the different subcommands", "6.2.0", ""},
    CMD_SPEC_END,
};

const CmdSpec pubsub_commands[] = {
    {"subscribe",    cmd_subscribe,    -2, PS_FLAGS | CMD_NOSCRIPT, NO_KEYS, "pubsub", NULL, "Listen for messages published to the given channels", "2.0.0", "channel [channel ...]"},
    {"unsubscribe",  cmd_unsubscribe,  -1, PS_FLAGS | CMD_NOSCRIPT, NO_KEYS, "pubsub", NULL, "Stop listening for messages posted to the given channels", "2.0.0", "[channel [channel ...]]"},
    {"psubscribe",   cmd_psubscribe,   -2, PS_FLAGS | CMD_NOSCRIPT, NO_KEYS, "pubsub", NULL, "Listen for messages published to channels matching the given patterns", "2.0.0", "pattern [pattern ...]"},
    {"punsubscribe", cmd_punsubscribe, -1, PS_FLAGS | CMD_NOSCRIPT, NO_KEYS, "pubsub", NULL, "Stop listening for messages posted to channels matching the given patterns", "2.0.0", "[pattern [pattern ...]]"},
    {"publish",      cmd_publish,       3, PS_FLAGS | CMD_FAST, NO_KEYS, "pubsub", NULL, "Post a message to a channel", "2.0.0", "channel message"},
    {"pubsub",       NULL,             -2, 0, NO_KEYS, "pubsub", pubsub_subcommands, "A container for Pub/Sub commands", "2.8.0", ""},
    CMD_SPEC_END,
};
/* clang-format on */
