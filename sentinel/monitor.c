/* monitor.c - the observing half of the sentinel (skeleton: filled by the monitoring work). */
#include "sentinel/sentinel.h"

void monitor_tick(void) {
    for (int i = 0; i < sentinel.nmasters; i++)
        if (!sentinel.tilt) failover_tick(sentinel.masters[i]);
}

int monitor_send_hello(Instance *ri) {
    VG_UNUSED(ri);
    return -1;
}

void monitor_force_hello(Instance *m) {
    VG_UNUSED(m);
}

void monitor_ask_master_state(Instance *m, bool force) {
    VG_UNUSED(m);
    VG_UNUSED(force);
}

bool monitor_is_odown(const Instance *m) {
    return (m->flags & SRI_O_DOWN) != 0;
}

long long monitor_tilt_since_seconds(void) {
    return -1;
}

void monitor_hello_received(const char *payload, size_t len) {
    VG_UNUSED(payload);
    VG_UNUSED(len);
}
