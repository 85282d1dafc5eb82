/* blocked.c - clients blocked on keys (see blocked.h). Placeholder until the blocking
 * commands land: nothing ever blocks, so there is nothing to signal or serve. */
#include "server/blocked.h"

#include "common/vg.h"
#include "server/client.h"
#include "server/reply.h"

int blocked_parse_timeout_or_reply(Client *c, const RespArg *arg, int64_t *deadline_ms) {
    VG_UNUSED(arg);
    *deadline_ms = 0;
    reply_error(c, "ERR blocking commands are not available yet");
    return -1;
}

bool blocked_can_block(const Client *c) {
    VG_UNUSED(c);
    return false;
}

void blocked_wait_keys(Client *c, const RespArg *keys, int nkeys, int64_t deadline_ms,
                       bool null_array) {
    VG_UNUSED(keys);
    VG_UNUSED(nkeys);
    VG_UNUSED(deadline_ms);
    if (null_array)
        reply_null_array(c);
    else
        reply_null(c);
}

void blocked_signal_key(Db *db, const char *key, size_t len) {
    VG_UNUSED(db);
    VG_UNUSED(key);
    VG_UNUSED(len);
}

void blocked_signal_db(Db *db) {
    VG_UNUSED(db);
}

void blocked_serve_ready_keys(void) {}

void blocked_unblock(Client *c, int how) {
    VG_UNUSED(c);
    VG_UNUSED(how);
}

void blocked_client_free(Client *c) {
    VG_UNUSED(c);
}

long long blocked_clients_count(void) {
    return 0;
}
