/* aof.c - the append-only file (see aof.h). Placeholder: the AOF lands in its own change. */
#include "server/aof.h"

#include "common/log.h"
#include "common/vg.h"
#include "server/reply.h"

const char *aof_apply_enabled(bool on) {
    VG_UNUSED(on);
    return on ? "appendonly yes is not available yet in this version of vigil-server" : NULL;
}

int aof_load_at_startup(void) {
    return 0;
}

int aof_open_at_startup(void) {
    return 0;
}

void aof_feed(int dbid, const RespArg *argv, int argc) {
    VG_UNUSED(dbid);
    VG_UNUSED(argv);
    VG_UNUSED(argc);
}

void aof_before_sleep(void) {}
void aof_cron(void) {}
void aof_shutdown(void) {}

void cmd_bgrewriteaof(Client *c) {
    reply_error(c, "ERR BGREWRITEAOF is not available yet");
}
