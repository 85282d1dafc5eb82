/* latency.h - LATENCY monitor: per-event latest/max and a 160-sample history of spikes at
 * or above latency-monitor-threshold milliseconds. */
#ifndef VIGIL_SERVER_LATENCY_H
#define VIGIL_SERVER_LATENCY_H

#include <stdint.h>

/* Record `ms` for `event` when the monitor is on and ms >= threshold. */
void latency_add_sample_if_needed(const char *event, int64_t ms);
void latency_add_sample(const char *event, int64_t ms);

#endif
