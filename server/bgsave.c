/* bgsave.c - SAVE, BGSAVE and the save points (see persist.h for the neighbours). */
#include "server/bgsave.h"

#include "common/log.h"
#include "common/vg.h"
#include "server/aof.h"
#include "server/childproc.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/persist.h"
#include "server/rdb.h"
#include "server/reply.h"
#include "server/server.h"

/* SAVE: write the snapshot in the foreground; clients wait. */
static void cmd_save(Client *c) {
    if (child_active_type() == CHILD_RDB) {
        reply_error(c, "ERR Background save already in progress");
        return;
    }
    if (rdb_save_file(cfg.dbfilename, NULL, false) != 0) {
        reply_error(c, "ERR");
        return;
    }
    srv.dirty = 0;
    srv.lastsave_s = server_now_ms() / 1000;
    ps.rdb_last_bgsave_ok = true;
    ps.rdb_saves++;
    reply_ok(c);
}

static void cmd_bgsave(Client *c) {
    reply_error(c, "ERR BGSAVE is not available yet");
}

void bgsave_cron(void) {}

/* clang-format off */
const CmdSpec persistence_commands[] = {
    {"save", cmd_save, 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_MULTI, NO_KEYS, "server", NULL, "Synchronously save the dataset to disk", "1.0.0", ""},
    {"bgsave", cmd_bgsave, -1, CMD_ADMIN | CMD_NOSCRIPT, NO_KEYS, "server", NULL, "Asynchronously save the dataset to disk", "1.0.0", "[SCHEDULE]"},
    {"bgrewriteaof", cmd_bgrewriteaof, 1, CMD_ADMIN | CMD_NOSCRIPT, NO_KEYS, "server", NULL, "Asynchronously rewrite the append-only file", "1.0.0", ""},
    CMD_SPEC_END,
};
/* clang-format on */
