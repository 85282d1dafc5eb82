/* latency_hist.h - a compact log-linear histogram of durations in microseconds, one per
 * command, for INFO latencystats (see latency_hist.c for the bucket layout).
 *
 * Recording is O(1) and never allocates; a histogram is one fixed block of about 7 KB made
 * on the command's first call (dispatch.c) and freed by CONFIG RESETSTAT (commands.c).
 * Values are clamped into [LATENCY_HIST_MIN_US, LATENCY_HIST_MAX_US]; a percentile comes
 * back as its bucket's middle value, within 1/64 (1.6%) of the exact answer, and the 0th
 * and 100th percentiles are the exact minimum and maximum recorded. */
#ifndef VIGIL_SERVER_LATENCY_HIST_H
#define VIGIL_SERVER_LATENCY_HIST_H

#include <stddef.h>
#include <stdint.h>

#define LATENCY_HIST_MIN_US 1LL                    /* Redis's lower bound too */
#define LATENCY_HIST_MAX_US (3600LL * 1000 * 1000) /* one hour */

typedef struct LatencyHist LatencyHist;

/* An empty histogram (never NULL: mem_* aborts on exhaustion). */
LatencyHist *latency_hist_new(void);
/* NULL is a no-op. */
void latency_hist_free(LatencyHist *h);
/* Forget every sample; the block is kept. */
void latency_hist_reset(LatencyHist *h);
/* Count one duration; values outside the range count as its nearest end. */
void latency_hist_record(LatencyHist *h, int64_t duration_us);
/* Samples recorded since creation or the last reset. */
uint64_t latency_hist_count(const LatencyHist *h);
/* The value at `percentile` (0..100, clamped), with HdrHistogram's rank rule as Redis uses
 * it: the smallest recorded value v such that round(percentile% of count) samples (at least
 * one) are <= v, reported as v's bucket middle. 0 for an empty histogram. O(buckets). */
double latency_hist_percentile(const LatencyHist *h, double percentile);
/* Bytes one histogram takes (for memory reports and tests). */
size_t latency_hist_bytes(void);

/* A percentile as Redis names it in INFO and CONFIG GET: "%f" with trailing zeros and a
 * trailing '.' removed (50 -> "50", 99.9 -> "99.9", 12.3456789 -> "12.345679"). Writes at
 * most cap bytes including the NUL; returns the length. */
int latency_hist_format_percentile(char *buf, size_t cap, double percentile);

#endif
