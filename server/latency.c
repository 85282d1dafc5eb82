/* latency.c - the latency monitor: latency spikes per event class ("command",
 * "fast-command", "expire-cycle", ...) as LATENCY LATEST/HISTORY/RESET report them.
 *
 *   latency_add_sample_if_needed()  the hot-path guard: only when latency-monitor-threshold
 *                                   is non-zero and the sample reaches it
 *   latency_add_sample()            unconditional record
 * The LATENCY command rows live in server_commands[] (cmd_server.c) and call the reply
 * functions here. DOCTOR and GRAPH are not implemented (they answer with an error).
 *
 * Each event keeps its all-time max and a ring of the last 160 samples, one per second at
 * most: a second spike within the same second only raises that second's sample, as Redis
 * does, so a burst cannot flush the history. Event names come from the code, never from
 * clients, so a small fixed table searched linearly is enough; its order is first-seen. */
#include "server/latency.h"

#include "common/clock.h"
#include "common/log.h"
#include "server/reply.h"
#include "server/server.h"

#include <stdio.h>
#include <string.h>

#define LATENCY_TS_LEN     160 /* samples per event, as Redis's LATENCY_TS_LEN */
#define LATENCY_MAX_EVENTS 64
#define LATENCY_NAME_MAX   64

typedef struct LatencySample {
    int64_t time_s; /* 0: slot unused */
    int64_t ms;
} LatencySample;

typedef struct LatencyEvent {
    char name[LATENCY_NAME_MAX];
    int64_t max_ms;
    int idx; /* next ring slot to write */
    LatencySample samples[LATENCY_TS_LEN];
} LatencyEvent;

static LatencyEvent events[LATENCY_MAX_EVENTS];
static int nevents;

static LatencyEvent *event_find(const char *name, size_t len) {
    for (int i = 0; i < nevents; i++)
        if (strlen(events[i].name) == len && memcmp(events[i].name, name, len) == 0)
            return &events[i];
    return NULL;
}

static LatencyEvent *event_get_or_create(const char *name) {
    size_t len = strlen(name);
    LatencyEvent *ev = event_find(name, len);
    if (ev) return ev;
    if (nevents == LATENCY_MAX_EVENTS || len >= LATENCY_NAME_MAX) {
        log_warn("Latency monitor: cannot track event '%s' (table full or name too long)", name);
        return NULL;
    }
    ev = &events[nevents++];
    memset(ev, 0, sizeof(*ev));
    memcpy(ev->name, name, len + 1);
    return ev;
}

void latency_add_sample(const char *event, int64_t ms) {
    LatencyEvent *ev = event_get_or_create(event);
    if (!ev) return;
    int64_t now_s = clock_wall_ms() / 1000;
    if (ms > ev->max_ms) ev->max_ms = ms;
    LatencySample *prev = &ev->samples[(ev->idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN];
    if (prev->time_s == now_s) {
        if (ms > prev->ms) prev->ms = ms;
        return;
    }
    ev->samples[ev->idx].time_s = now_s;
    ev->samples[ev->idx].ms = ms;
    ev->idx = (ev->idx + 1) % LATENCY_TS_LEN;
}

void latency_add_sample_if_needed(const char *event, int64_t ms) {
    if (cfg.latency_monitor_threshold_ms > 0 && ms >= cfg.latency_monitor_threshold_ms)
        latency_add_sample(event, ms);
}

void latency_reply_latest(Client *c) {
    reply_array(c, nevents);
    for (int i = 0; i < nevents; i++) {
        const LatencyEvent *ev = &events[i];
        const LatencySample *last = &ev->samples[(ev->idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN];
        reply_array(c, 4);
        reply_bulk_cstr(c, ev->name);
        reply_int(c, last->time_s);
        reply_int(c, last->ms);
        reply_int(c, ev->max_ms);
    }
}

void latency_reply_history(Client *c, const char *event, size_t len) {
    const LatencyEvent *ev = event_find(event, len);
    if (!ev) {
        reply_empty_array(c);
        return;
    }
    size_t handle = reply_deferred_begin(c);
    long long n = 0;
    for (int j = 0; j < LATENCY_TS_LEN; j++) {
        const LatencySample *s = &ev->samples[(ev->idx + j) % LATENCY_TS_LEN];
        if (s->time_s == 0) continue;
        reply_array(c, 2);
        reply_int(c, s->time_s);
        reply_int(c, s->ms);
        n++;
    }
    reply_deferred_array(c, handle, n);
}

bool latency_reset_event(const char *event, size_t len) {
    LatencyEvent *ev = event_find(event, len);
    if (!ev) return false;
    int i = (int)(ev - events);
    memmove(&events[i], &events[i + 1], sizeof(events[0]) * (size_t)(nevents - i - 1));
    nevents--;
    return true;
}

long long latency_reset_all(void) {
    long long n = nevents;
    nevents = 0;
    return n;
}
