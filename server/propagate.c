/* propagate.c - from executed commands to the AOF (see propagate.h).
 *
 * First form: a write command that changed the dataset goes to the AOF verbatim, in the db
 * it ran in; expired keys go as DEL. */
#include "server/propagate.h"

#include "common/vg.h"
#include "server/aof.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/server.h"

void propagate_after_call(Client *c, Command *cmd, long long dirty_before) {
    if (!(cmd->spec->flags & CMD_WRITE) || srv.dirty == dirty_before) return;
    aof_feed(c->db->id, c->argv, c->argc);
}

void propagate_flush(void) {}

void propagate_expired_key(Db *db, const char *key, size_t len) {
    RespArg argv[2] = {{.ptr = "DEL", .len = 3}, {.ptr = key, .len = len}};
    aof_feed(db->id, argv, 2);
}
