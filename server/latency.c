/* latency.c - placeholder until the LATENCY module lands. */
#include "server/latency.h"

#include "common/vg.h"

void latency_add_sample_if_needed(const char *event, int64_t ms) {
    VG_UNUSED(event);
    VG_UNUSED(ms);
}
