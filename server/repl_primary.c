/* repl_primary.c - a primary's side of replication (see replication.h). First form: no
 * replica can attach yet, so there is no backlog and nothing is fed. */
#include "server/replication.h"

#include "common/buf.h"
#include "common/vg.h"
#include "server/client.h"
#include "server/reply.h"
#include "server/server.h"

bool repl_feed_active(void) {
    return false;
}

void repl_feed(int dbid, const RespArg *argv, int argc) {
    VG_UNUSED(dbid);
    VG_UNUSED(argv);
    VG_UNUSED(argc);
}

void repl_feed_raw(const char *buf, size_t len) {
    VG_UNUSED(buf);
    repl.master_repl_offset += (long long)len;
}

void repl_backlog_reset(void) {}
void repl_disconnect_replicas(void) {}

long long repl_good_replicas(void) {
    return 0;
}

void repl_primary_info(Buf *out) {
    buf_append_str(out, "connected_slaves:0\r\n");
    if (cfg.min_replicas_to_write > 0 && cfg.min_replicas_max_lag > 0)
        buf_append_str(out, "min_slaves_good_slaves:0\r\n");
}

void repl_backlog_info(Buf *out) {
    buf_printf(out,
               "repl_backlog_active:0\r\nrepl_backlog_size:%lld\r\n"
               "repl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n",
               cfg.repl_backlog_size);
}

void repl_primary_reply_role(Client *c) {
    reply_array(c, 3);
    reply_bulk_cstr(c, "master");
    reply_int(c, repl.master_repl_offset);
    reply_array(c, 0);
}

void repl_primary_cron(void) {}
void repl_primary_before_sleep(void) {}

void cmd_sync(Client *c) {
    reply_error(c, "ERR replicas cannot attach to this version of vigil-server yet");
}

void cmd_replconf(Client *c) {
    reply_ok(c);
}

void cmd_wait(Client *c) {
    reply_error(c, "ERR WAIT is not available yet");
}
