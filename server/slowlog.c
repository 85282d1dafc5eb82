/* slowlog.c - the slow log: the last slowlog-max-len commands that ran for at least
 * slowlog-log-slower-than microseconds.
 *
 *   slowlog_maybe_add()  dispatch calls it after every command (not for CMD_SKIP_SLOWLOG)
 *   slowlog_reply_get()  SLOWLOG GET; LEN and RESET are slowlog_len()/slowlog_reset()
 *   slowlog_trim()       the slowlog-max-len apply hook
 * The commands themselves are rows of server_commands[] (cmd_server.c).
 *
 * Entries sit in a doubly linked list, newest at the head, so adding is O(1) and trimming
 * drops from the tail. An entry copies what it shows, as Redis does: at most 32 arguments
 * (the 32nd becomes "... (N more arguments)") and at most 128 bytes of each
 * ("... (N more bytes)"), so a huge MSET costs the log a few KiB, not its payload. Ids keep
 * counting across SLOWLOG RESET. A negative threshold disables the log; 0 logs everything. */
#include "server/slowlog.h"

#include "common/clock.h"
#include "common/mem.h"
#include "common/net.h"
#include "server/client.h"
#include "server/reply.h"
#include "server/server.h"

#include <stdio.h>
#include <string.h>

#define SLOWLOG_MAX_ARGC 32  /* Redis's SLOWLOG_ENTRY_MAX_ARGC */
#define SLOWLOG_MAX_ARG  128 /* Redis's SLOWLOG_ENTRY_MAX_STRING */

typedef struct SlowArg {
    char *ptr; /* mem_alloc'd copy */
    size_t len;
} SlowArg;

typedef struct SlowEntry {
    struct SlowEntry *prev, *next; /* prev is newer, next is older */
    long long id;
    int64_t time_s;
    int64_t duration_us;
    char *name; /* NULL when the client had none */
    char addr[NET_ADDR_LEN];
    int argc;
    SlowArg argv[];
} SlowEntry;

static SlowEntry *newest, *oldest;
static long long entry_count;
static long long next_id;

/* Copy one argument, cut to SLOWLOG_MAX_ARG bytes with Redis's suffix. */
static void arg_copy(SlowArg *dst, const RespArg *a) {
    if (a->len <= SLOWLOG_MAX_ARG) {
        dst->ptr = mem_strndup(a->ptr, a->len);
        dst->len = a->len;
        return;
    }
    char suffix[64];
    int n = snprintf(suffix, sizeof(suffix), "... (%zu more bytes)", a->len - SLOWLOG_MAX_ARG);
    dst->len = SLOWLOG_MAX_ARG + (size_t)n;
    dst->ptr = mem_alloc(dst->len + 1);
    memcpy(dst->ptr, a->ptr, SLOWLOG_MAX_ARG);
    memcpy(dst->ptr + SLOWLOG_MAX_ARG, suffix, (size_t)n + 1);
}

static SlowEntry *entry_new(Client *c, int64_t duration_us) {
    int argc = c->argc > SLOWLOG_MAX_ARGC ? SLOWLOG_MAX_ARGC : c->argc;
    SlowEntry *e = mem_calloc(sizeof(*e) + sizeof(SlowArg) * (size_t)argc);
    e->id = next_id++;
    e->time_s = clock_wall_ms() / 1000;
    e->duration_us = duration_us;
    e->name = c->name ? mem_strdup(c->name) : NULL;
    snprintf(e->addr, sizeof(e->addr), "%s", c->addr);
    e->argc = argc;
    for (int i = 0; i < argc; i++) {
        if (argc < c->argc && i == argc - 1) {
            char more[64];
            int n = snprintf(more, sizeof(more), "... (%d more arguments)", c->argc - argc + 1);
            e->argv[i].ptr = mem_strndup(more, (size_t)n);
            e->argv[i].len = (size_t)n;
        } else {
            arg_copy(&e->argv[i], &c->argv[i]);
        }
    }
    return e;
}

static void entry_free(SlowEntry *e) {
    for (int i = 0; i < e->argc; i++)
        mem_free(e->argv[i].ptr);
    mem_free(e->name);
    mem_free(e);
}

static void drop_oldest(void) {
    SlowEntry *e = oldest;
    oldest = e->prev;
    if (oldest)
        oldest->next = NULL;
    else
        newest = NULL;
    entry_count--;
    entry_free(e);
}

void slowlog_trim(void) {
    long long max = cfg.slowlog_max_len < 0 ? 0 : cfg.slowlog_max_len;
    while (entry_count > max)
        drop_oldest();
}

void slowlog_maybe_add(Client *c, int64_t duration_us) {
    if (cfg.slowlog_log_slower_than_us < 0 || c->argc == 0) return;
    if (duration_us >= cfg.slowlog_log_slower_than_us) {
        SlowEntry *e = entry_new(c, duration_us);
        e->next = newest;
        if (newest)
            newest->prev = e;
        else
            oldest = e;
        newest = e;
        entry_count++;
    }
    slowlog_trim();
}

void slowlog_reset(void) {
    while (oldest)
        drop_oldest();
}

long long slowlog_len(void) {
    return entry_count;
}

static void reply_entry(Client *c, const SlowEntry *e) {
    reply_array(c, 6);
    reply_int(c, e->id);
    reply_int(c, e->time_s);
    reply_int(c, e->duration_us);
    reply_array(c, e->argc);
    for (int i = 0; i < e->argc; i++)
        reply_bulk(c, e->argv[i].ptr, e->argv[i].len);
    reply_bulk_cstr(c, e->addr);
    reply_bulk_cstr(c, e->name ? e->name : "");
}

void slowlog_reply_get(Client *c, long long count) {
    if (count < 0 || count > entry_count) count = entry_count;
    reply_array(c, count);
    const SlowEntry *e = newest;
    for (long long i = 0; i < count; i++, e = e->next)
        reply_entry(c, e);
}
