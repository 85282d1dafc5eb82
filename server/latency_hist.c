/* latency_hist.c - log-linear latency histogram (see latency_hist.h for the contract).
 *
 * Bucket layout, with SUB_BITS = 5 (32 linear sub-buckets per power of two):
 *
 *   value (us)            bucket width   buckets
 *   0 .. 63               1              0 .. 63        exact
 *   64 .. 127             2              64 .. 95
 *   128 .. 255            4              96 .. 127
 *   ...
 *   2^e .. 2^(e+1)-1      2^(e-5)        32 per power of two
 *   2^31 .. 2^32-1        2^26           864 .. 895     (the 1 h clamp sits in here)
 *
 * A value v >= 32 with highest set bit e falls in group g = e - 4 and sub-bucket
 * (v >> (e - 5)) - 32; below 32 the value is its own index. A bucket is never wider than
 * 1/32 of its lower bound, so its middle is within 1/64 of any value in it. Counts are
 * 64-bit: a busy GET passes 2^32 calls in about an hour at a million per second.
 *
 * The exact minimum and maximum are kept too: answers are clamped into [min, max], which
 * makes the extreme ranks (and a histogram of one repeated value) exact. */
#include "server/latency_hist.h"

#include "common/mem.h"

#include <stdio.h>
#include <string.h>

#define SUB_BITS  5
#define SUB_COUNT (1 << SUB_BITS)
#define TOP_BIT   31 /* highest bit of LATENCY_HIST_MAX_US */
#define NBUCKETS  ((TOP_BIT - SUB_BITS + 2) * SUB_COUNT)

_Static_assert(LATENCY_HIST_MAX_US < (1LL << (TOP_BIT + 1)), "clamp fits the top bucket group");
_Static_assert(LATENCY_HIST_MAX_US >= (1LL << TOP_BIT), "no unused bucket group");

struct LatencyHist {
    uint64_t total;
    int64_t min_us, max_us; /* exact, valid when total > 0 */
    uint64_t counts[NBUCKETS];
};

static int bucket_of(int64_t v) {
    if (v < SUB_COUNT) return (int)v;
    int e = 63 - __builtin_clzll((unsigned long long)v);
    int group = e - SUB_BITS + 1;
    return group * SUB_COUNT + (int)((v >> (e - SUB_BITS)) - SUB_COUNT);
}

/* Smallest value of bucket i and its width (how many integer values it holds). */
static void bucket_range(int i, int64_t *lower, int64_t *width) {
    if (i < SUB_COUNT) {
        *lower = i;
        *width = 1;
        return;
    }
    int group = i / SUB_COUNT;
    *lower = (int64_t)(SUB_COUNT + i % SUB_COUNT) << (group - 1);
    *width = (int64_t)1 << (group - 1);
}

LatencyHist *latency_hist_new(void) {
    return mem_calloc(sizeof(LatencyHist));
}

void latency_hist_free(LatencyHist *h) {
    mem_free(h);
}

void latency_hist_reset(LatencyHist *h) {
    memset(h, 0, sizeof(*h));
}

void latency_hist_record(LatencyHist *h, int64_t duration_us) {
    int64_t v = duration_us;
    if (v < LATENCY_HIST_MIN_US) v = LATENCY_HIST_MIN_US;
    if (v > LATENCY_HIST_MAX_US) v = LATENCY_HIST_MAX_US;
    h->counts[bucket_of(v)]++;
    if (h->total == 0 || v < h->min_us) h->min_us = v;
    if (h->total == 0 || v > h->max_us) h->max_us = v;
    h->total++;
}

uint64_t latency_hist_count(const LatencyHist *h) {
    return h->total;
}

double latency_hist_percentile(const LatencyHist *h, double percentile) {
    if (h->total == 0) return 0.0;
    double p = percentile < 0.0 ? 0.0 : percentile > 100.0 ? 100.0 : percentile;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)h->total + 0.5);
    if (rank <= 1) return (double)h->min_us;
    if (rank >= h->total) return (double)h->max_us;
    uint64_t seen = 0;
    int i = 0;
    for (; i < NBUCKETS - 1; i++) {
        seen += h->counts[i];
        if (seen >= rank) break;
    }
    int64_t lower, width;
    bucket_range(i, &lower, &width);
    double mid = (double)lower + (double)(width - 1) / 2.0;
    if (mid < (double)h->min_us) return (double)h->min_us;
    if (mid > (double)h->max_us) return (double)h->max_us;
    return mid;
}

size_t latency_hist_bytes(void) {
    return sizeof(LatencyHist);
}

int latency_hist_format_percentile(char *buf, size_t cap, double percentile) {
    if (cap == 0) return 0;
    int n = snprintf(buf, cap, "%f", percentile);
    if (n < 0) n = 0;
    if ((size_t)n >= cap) n = (int)cap - 1;
    buf[n] = '\0';
    if (!strchr(buf, '.')) return n;
    while (n > 0 && buf[n - 1] == '0')
        n--;
    if (n > 0 && buf[n - 1] == '.') n--;
    buf[n] = '\0';
    return n;
}
