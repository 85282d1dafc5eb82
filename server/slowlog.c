/* slowlog.c - placeholder until the SLOWLOG module lands. */
#include "server/slowlog.h"

#include "common/vg.h"

void slowlog_maybe_add(Client *c, int64_t duration_us) {
    VG_UNUSED(c);
    VG_UNUSED(duration_us);
}

void slowlog_trim(void) {
}
