/* latency.h - LATENCY monitor: per-event latest/max and a 160-sample history of spikes at
 * or above latency-monitor-threshold milliseconds. */
#ifndef VIGIL_SERVER_LATENCY_H
#define VIGIL_SERVER_LATENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Client Client;

/* Record `ms` for `event` when the monitor is on and ms >= threshold. */
void latency_add_sample_if_needed(const char *event, int64_t ms);
void latency_add_sample(const char *event, int64_t ms);

/* LATENCY LATEST's reply: [event, unix time s, latest ms, all-time max ms] per event. */
void latency_reply_latest(Client *c);
/* LATENCY HISTORY's reply: [unix time s, ms] per stored sample, oldest first; an empty
 * array for an unknown event. */
void latency_reply_history(Client *c, const char *event, size_t len);
/* LATENCY RESET: forget one event (true if it existed) or every event (returns how many). */
bool latency_reset_event(const char *event, size_t len);
long long latency_reset_all(void);

#endif
