/* bgsave.c - SAVE, BGSAVE and the save points (see persist.h for the neighbours).
 *
 *   bgsave_save_sync()  the foreground save (SAVE, FLUSHALL, shutdown)
 *   bgsave_start()      fork a child that writes the snapshot; its end is handled in
 *                       bgsave_done(), called by childproc.c when the child is reaped
 *   bgsave_cron()       save points and BGSAVE SCHEDULE
 *
 * The last-bgsave status (ps.rdb_last_bgsave_ok) is what MISCONF looks at: a failed
 * background save sets it to err, any later successful save, foreground or background,
 * sets it back to ok. A failed foreground save leaves it as it was (Redis's rdbSave). */
#include "server/bgsave.h"

#include "common/log.h"
#include "common/mem.h"
#include "common/vg.h"
#include "server/aof.h"
#include "server/childproc.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/persist.h"
#include "server/replication.h"
#include "server/rdb.h"
#include "server/reply.h"
#include "server/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points and a scheduled
 * BGSAVE wait this long before trying again, so a full disk is not hammered every tick. */
#define BGSAVE_RETRY_DELAY_S 5

static int64_t bgsave_start_s; /* wall seconds, for rdb_last_bgsave_time_sec */
static bool child_to_disk = true; /* false: a diskless full sync's child (saves nothing) */

static int64_t now_s(void) {
    return server_now_ms() / 1000;
}

int bgsave_save_sync(void) {
    RdbSaveInfo rsi;
    bool with_repl = repl_replica_save_info(&rsi);
    if (rdb_save_file(cfg.dbfilename, with_repl ? &rsi : NULL, false) != 0) return -1; /* it logs either way */
    srv.dirty = 0;
    srv.lastsave_s = now_s();
    ps.rdb_last_bgsave_ok = true;
    return 0;
}

/* "temp-<pid>.rdb" beside dbfilename (rdb_save_file's temp name): a killed child leaves it. */
static void remove_child_temp_file(pid_t pid) {
    char path[4096];
    const char *slash = strrchr(cfg.dbfilename, '/');
    int dirlen = slash ? (int)(slash - cfg.dbfilename + 1) : 0;
    snprintf(path, sizeof(path), "%.*stemp-%d.rdb", dirlen, cfg.dbfilename, (int)pid);
    unlink(path);
}

/* Redis's backgroundSaveDoneHandler: the disk one's effects, or (a diskless sync's
 * child, repl_primary.c handles its end) only the duration. */
static void bgsave_done(bool ok, bool by_signal) {
    if (!child_to_disk) {
        child_to_disk = true;
        ps.rdb_last_bgsave_time_sec = now_s() - bgsave_start_s;
        return;
    }
    if (ok) {
        log_notice("Background saving terminated with success");
        srv.dirty -= ps.dirty_before_bgsave;
        srv.lastsave_s = now_s();
        ps.rdb_last_bgsave_ok = true;
    } else if (!by_signal) {
        log_warn("Background saving error");
        ps.rdb_last_bgsave_ok = false;
    } else {
        int sig = child_done_signal();
        log_warn("Background saving terminated by signal %d", sig);
        remove_child_temp_file(child_done_pid());
        /* SIGUSR1 is how we stop our own child (FLUSHALL, shutdown): not a disk error */
        if (sig != SIGUSR1) ps.rdb_last_bgsave_ok = false;
    }
    ps.rdb_last_bgsave_time_sec = now_s() - bgsave_start_s;
}

static void set_done_handler(void) {
    static bool handler_set;
    if (!handler_set) {
        child_set_done_handler(CHILD_RDB, bgsave_done);
        handler_set = true;
    }
}

void bgsave_note_sync_child(bool to_disk) {
    set_done_handler();
    child_to_disk = to_disk;
    bgsave_start_s = now_s();
    if (!to_disk) return;
    ps.rdb_saves++;
    ps.dirty_before_bgsave = srv.dirty;
    ps.rdb_last_bgsave_try_s = now_s();
}

void bgsave_sync_fork_failed(void) {
    if (child_to_disk) ps.rdb_last_bgsave_ok = false;
    child_to_disk = true;
}

int bgsave_start(void) {
    if (child_active()) {
        errno = EBUSY;
        return -1;
    }
    set_done_handler();
    child_to_disk = true;
    ps.rdb_saves++; /* Redis counts attempts, failed forks included */
    ps.dirty_before_bgsave = srv.dirty;
    ps.rdb_last_bgsave_try_s = now_s();
    pid_t pid = child_fork(CHILD_RDB);
    if (pid == 0) {
        RdbSaveInfo rsi;
        bool with_repl = repl_replica_save_info(&rsi);
        bool ok = rdb_save_file(cfg.dbfilename, with_repl ? &rsi : NULL, true) == 0;
        if (ok) log_notice("DB saved on disk"); /* rdb_save_file leaves the child's to us */
        child_exit(ok);
    }
    if (pid < 0) {
        int saved = errno;
        ps.rdb_last_bgsave_ok = false;
        log_warn("Can't save in background: fork: %s", strerror(saved));
        errno = saved;
        return -1;
    }
    log_notice("Background saving started by pid %ld", (long)pid);
    bgsave_start_s = now_s();
    return 0;
}

/* SAVE: write the snapshot in the foreground; clients wait. Allowed while an AOF rewrite
 * runs (the two write different files), refused while a BGSAVE does. */
static void cmd_save(Client *c) {
    if (child_active_type() == CHILD_RDB) {
        reply_error(c, "ERR Background save already in progress");
        return;
    }
    ps.rdb_saves++;
    if (bgsave_save_sync() != 0) {
        reply_error(c, "ERR");
        return;
    }
    reply_ok(c);
}

/* BGSAVE [SCHEDULE]. Inside EXEC the save is scheduled rather than forked mid-transaction,
 * as Redis does (the client stays flagged MULTI while its queue runs). */
static void cmd_bgsave(Client *c) {
    bool schedule = false;
    if (c->argc > 1) {
        if (c->argc == 2 && arg_is(&c->argv[1], "schedule")) {
            schedule = true;
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    bool in_exec = (c->flags & CLIENT_MULTI) != 0;
    if (child_active_type() == CHILD_RDB) {
        reply_error(c, "ERR Background save already in progress");
    } else if (child_active() || in_exec) {
        if (schedule || in_exec) {
            ps.bgsave_scheduled = true;
            reply_simple(c, "Background saving scheduled");
        } else {
            reply_error(c, "ERR Another child process is active (AOF?): can't BGSAVE right now. "
                           "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
        }
    } else if (bgsave_start() == 0) {
        reply_simple(c, "Background saving started");
    } else {
        reply_error(c, "ERR"); /* Redis's shared.err; the log says why */
    }
}

/* ---------------------------------------------------------------- save points */

typedef struct SavePoint {
    long long seconds;
    long long changes;
} SavePoint;

static char *parsed_params; /* the cfg.save_params string the points below come from */
static SavePoint *points;
static int npoints;

/* Re-read cfg.save_params when it changed (CONFIG SET save); the config layer has already
 * checked it is "sec changes" pairs of non-negative integers. */
static void refresh_save_points(void) {
    const char *cur = cfg.save_params ? cfg.save_params : "";
    if (parsed_params && strcmp(parsed_params, cur) == 0) return;
    mem_free(parsed_params);
    parsed_params = mem_strdup(cur);
    mem_free(points);
    points = NULL;
    npoints = 0;
    long long vals[2];
    int nv = 0;
    const char *p = cur;
    for (;;) {
        while (*p == ' ') p++;
        if (!*p) break;
        char *end;
        vals[nv++] = strtoll(p, &end, 10);
        if (end == p) break; /* not a number: the config layer lets none through */
        p = end;
        if (nv == 2) {
            points = mem_realloc(points, sizeof(*points) * (size_t)(npoints + 1));
            points[npoints++] = (SavePoint){.seconds = vals[0], .changes = vals[1]};
            nv = 0;
        }
    }
}

static bool retry_allowed(int64_t now) {
    return ps.rdb_last_bgsave_ok || now - ps.rdb_last_bgsave_try_s > BGSAVE_RETRY_DELAY_S;
}

void bgsave_cron(void) {
    if (child_active()) return;
    refresh_save_points();
    int64_t now = now_s();
    for (int i = 0; i < npoints; i++) {
        const SavePoint *sp = &points[i];
        if (srv.dirty >= sp->changes && now - srv.lastsave_s > sp->seconds &&
            retry_allowed(now)) {
            log_notice("%lld changes in %lld seconds. Saving...", sp->changes, sp->seconds);
            bgsave_start();
            break;
        }
    }
    /* BGSAVE SCHEDULE (or a BGSAVE inside EXEC) waits for the other child to finish */
    if (!child_active() && ps.bgsave_scheduled && retry_allowed(now) && bgsave_start() == 0)
        ps.bgsave_scheduled = false;
}

/* clang-format off */
const CmdSpec persistence_commands[] = {
    {"save", cmd_save, 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_MULTI, NO_KEYS, "server", NULL, "Synchronously save the dataset to disk", "1.0.0", ""},
    {"bgsave", cmd_bgsave, -1, CMD_ADMIN | CMD_NOSCRIPT, NO_KEYS, "server", NULL, "Asynchronously save the dataset to disk", "1.0.0", "[SCHEDULE]"},
    {"bgrewriteaof", cmd_bgrewriteaof, 1, CMD_ADMIN | CMD_NOSCRIPT, NO_KEYS, "server", NULL, "Asynchronously rewrite the append-only file", "1.0.0", ""},
    CMD_SPEC_END,
};
/* clang-format on */
