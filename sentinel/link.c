/* link.c - hiredis async links to monitored servers and peer sentinels (skeleton: the
 * monitoring work fills it in). */
#include "common/mem.h"
#include "sentinel/sentinel.h"

void link_reconnect(Instance *ri) {
    VG_UNUSED(ri);
}

void link_close(Link *l) {
    VG_UNUSED(l);
}

void link_free(Link *l) {
    link_close(l);
    mem_free(l);
}

int link_send(Instance *ri, LinkReplyFn fn, void *privdata, int argc, const char **argv,
              const size_t *argvlen) {
    VG_UNUSED(ri), VG_UNUSED(fn), VG_UNUSED(privdata), VG_UNUSED(argc), VG_UNUSED(argv);
    VG_UNUSED(argvlen);
    return -1;
}

int link_sendv(Instance *ri, LinkReplyFn fn, void *privdata, int argc, const char **argv) {
    return link_send(ri, fn, privdata, argc, argv, NULL);
}

void link_check_dead(Instance *ri) {
    VG_UNUSED(ri);
}

bool link_local_ip(const Instance *ri, char out[SENTINEL_IP_LEN]) {
    VG_UNUSED(ri);
    out[0] = '\0';
    return false;
}
