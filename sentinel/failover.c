/* failover.c - the acting half of the sentinel (skeleton: filled by the failover work). */
#include "sentinel/sentinel.h"

#include <stddef.h>

static const char *const state_names[] = {"none", "wait_start", "select_slave",
                                          "send_slaveof_noone", "wait_promotion",
                                          "reconf_slaves", "update_config"};

const char *failover_state_name(FailoverState s) {
    return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

void failover_tick(Instance *m) {
    VG_UNUSED(m);
}

void failover_on_info(Instance *ri) {
    VG_UNUSED(ri);
}

void failover_vote(Instance *m, uint64_t req_epoch, const char *req_runid,
                   const char **leader, uint64_t *leader_epoch) {
    VG_UNUSED(m), VG_UNUSED(req_epoch), VG_UNUSED(req_runid);
    *leader = NULL;
    *leader_epoch = 0;
}

int failover_force(Instance *m, const char **err) {
    VG_UNUSED(m);
    *err = "NOGOODSLAVE No suitable replica to promote";
    return -1;
}

Instance *failover_select_replica(Instance *m) {
    VG_UNUSED(m);
    return NULL;
}
