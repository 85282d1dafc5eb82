/* repl_replica.c - a replica's side of replication (see replication.h). First form: the
 * replicaof option is refused at start-up and REPLICAOF answers an error. */
#include "server/replication.h"

#include "common/buf.h"
#include "common/log.h"
#include "common/vg.h"
#include "server/client.h"
#include "server/reply.h"
#include "server/server.h"

void repl_replica_start(void) {}

bool repl_replica_link_up(void) {
    return false;
}

void repl_replica_info(Buf *out) {
    VG_UNUSED(out);
}

void repl_replica_reply_role(Client *c) {
    reply_array(c, 5);
    reply_bulk_cstr(c, "slave");
    reply_bulk_cstr(c, cfg.replicaof_host);
    reply_int(c, cfg.replicaof_port);
    reply_bulk_cstr(c, "connect");
    reply_int(c, -1);
}

void repl_replica_cron(void) {}

void cmd_replicaof(Client *c) {
    reply_error(c, "ERR REPLICAOF is not available yet");
}

void cmd_failover(Client *c) {
    reply_error(c, "ERR FAILOVER is not available yet");
}
