/* persist.c - start-up loading, shutdown persistence, the disk-error write guard and INFO's
 * # Persistence section (see persist.h for who owns what). */
#include "server/persist.h"

#include "common/buf.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "common/vg.h"
#include "server/aof.h"
#include "server/bgsave.h"
#include "server/childproc.h"
#include "server/client.h"
#include "server/rdb.h"
#include "server/reply.h"
#include "server/replication.h"
#include "server/server.h"

#include <errno.h>
#include <string.h>

PersistState ps = {
    .rdb_last_bgsave_ok = true,
    .rdb_last_bgsave_time_sec = -1,
    .aof_last_rewrite_time_sec = -1,
    .aof_last_bgrewrite_ok = true,
    .aof_last_write_ok = true,
};

/* ---------------------------------------------------------------- loading */

static int loading_depth;             /* an AOF base loaded through the RDB loader nests */
static long long loading_next_events; /* loaded-bytes mark of the next event round */

void persist_loading_begin(long long total_bytes) {
    if (loading_depth++ > 0) return;
    ps.loading = true;
    ps.loading_start_s = server_now_ms() / 1000;
    ps.loading_start_mono_us = clock_mono_us();
    ps.loading_total_bytes = total_bytes;
    ps.loading_loaded_bytes = 0;
    ps.loading_rdb_used_mem = 0;
    loading_next_events = cfg.loading_process_events_interval_bytes;
}

/* Serve what is pending (INFO answers, everything else -LOADING) without running the cron's
 * dataset work, which waits for the data. */
void persist_loading_progress(long long loaded_bytes) {
    if (!ps.loading) return;
    ps.loading_loaded_bytes = loaded_bytes;
    /* inside a command (DEBUG RELOAD) no other client may run */
    if (loaded_bytes < loading_next_events || srv.current_client) return;
    loading_next_events = loaded_bytes + cfg.loading_process_events_interval_bytes;
    server_update_time();
    ev_run(srv.loop, EVRUN_NOWAIT);
    if (srv.shutdown_asap) {
        /* never save a half-loaded dataset over the file it comes from */
        log_warn("Received shutdown signal during loading, exiting now.");
        server_shutdown_now(PERSIST_SHUT_NOSAVE);
    }
}

void persist_loading_end(void) {
    if (loading_depth == 0 || --loading_depth > 0) return;
    ps.loading = false;
}

int persist_load_at_startup(void) {
    int64_t start = clock_mono_us();
    sdnotify_status("Vigil is loading...");
    if (cfg.appendonly) {
        if (aof_load_at_startup() != 0) return -1;
        return aof_open_at_startup();
    }
    RdbLoadInfo info;
    memset(&info, 0, sizeof(info));
    char err[512];
    err[0] = '\0';
    int r = rdb_load_file(cfg.dbfilename, &info, err, sizeof(err));
    if (r == RDB_LOAD_NOT_FOUND) return 0;
    if (r != RDB_LOAD_OK) {
        log_warn("Fatal error loading the DB: %s. Exiting.", err);
        return -1;
    }
    if (info.has_repl) repl_replica_loaded_info(info.repl_id, info.repl_offset, info.repl_stream_db);
    ps.rdb_last_load_keys_loaded = info.keys_loaded;
    ps.rdb_last_load_keys_expired = info.keys_expired;
    log_notice("Done loading RDB, keys loaded: %lld, keys expired: %lld.", info.keys_loaded,
               info.keys_expired);
    log_notice("DB loaded from disk: %.3f seconds", (double)(clock_mono_us() - start) / 1e6);
    return 0;
}

/* ---------------------------------------------------------------- shutdown */

static bool save_points_set(void) {
    return cfg.save_params && cfg.save_params[0] != '\0';
}

/* Redis's prepareForShutdown, persistence part. A BGSAVE child is killed first: it could
 * otherwise rename its older snapshot over the final one. */
int persist_shutdown(int flags) {
    bool force = (flags & PERSIST_SHUT_FORCE) != 0;
    if (child_active_type() == CHILD_RDB) {
        log_warn("There is a child saving an .rdb. Killing it!");
        child_kill(); /* its done handler removes the temp file */
    }
    if (ps.aof_state != AOF_OFF) {
        if (child_active_type() == CHILD_AOF) {
            /* the first rewrite of a just enabled AOF is the only copy of the dataset */
            if (ps.aof_state == AOF_WAIT_REWRITE) {
                if (!force) {
                    log_warn("Writing initial AOF, can't exit.");
                    sdnotify_status("Writing initial AOF, can't exit.");
                    return -1;
                }
                log_warn("Writing initial AOF. Exit anyway.");
            }
            log_warn("There is a child rewriting the AOF. Killing it!");
            child_kill();
        }
        log_notice("Calling fsync() on the AOF file.");
        aof_shutdown();
    } else if (child_active()) {
        child_kill(); /* nothing else forks today; never leave a child behind */
    }
    if (!(flags & PERSIST_SHUT_NOSAVE) && ((flags & PERSIST_SHUT_SAVE) || save_points_set())) {
        log_notice("Saving the final RDB snapshot before exiting.");
        sdnotify_status("Saving the final RDB snapshot");
        if (bgsave_save_sync() != 0) {
            /* keep serving: the data exists nowhere else */
            if (!force) {
                log_warn("Error trying to save the DB, can't exit.");
                sdnotify_status("Error trying to save the DB, can't exit.");
                return -1;
            }
            log_warn("Error trying to save the DB. Exit anyway.");
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- MISCONF */

bool persist_refuse_write_or_reply(Client *c) {
    if (cfg.stop_writes_on_bgsave_error && save_points_set() && !ps.rdb_last_bgsave_ok) {
        reply_error(c, "MISCONF Redis is configured to save RDB snapshots, but it's currently "
                       "unable to persist to disk. Commands that may modify the data set are "
                       "disabled, because this instance is configured to report errors during "
                       "writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). "
                       "Please check the Redis logs for details about the RDB error.");
        return true;
    }
    if (ps.aof_state != AOF_OFF && !ps.aof_last_write_ok) {
        reply_error_fmt(c, "MISCONF Errors writing to the AOF file: %s",
                        strerror(ps.aof_last_write_errno));
        return true;
    }
    return false;
}

/* ---------------------------------------------------------------- INFO */

static long long seconds_since(int64_t mono_us) {
    return (clock_mono_us() - mono_us) / 1000000;
}

void persist_info(Buf *out) {
    bool rdb_child = child_active_type() == CHILD_RDB;
    bool aof_child = child_active_type() == CHILD_AOF;
    buf_printf(out,
               "loading:%d\r\nasync_loading:0\r\ncurrent_cow_peak:%zu\r\n"
               "current_cow_size:%zu\r\ncurrent_cow_size_age:%lld\r\n"
               "current_fork_perc:%.2f\r\ncurrent_save_keys_processed:%lld\r\n"
               "current_save_keys_total:%lld\r\n",
               ps.loading ? 1 : 0, ps.current_cow_peak, ps.current_cow_size,
               ps.current_cow_updated_mono_us ? seconds_since(ps.current_cow_updated_mono_us) : 0,
               ps.current_fork_perc, ps.current_save_keys_processed, ps.current_save_keys_total);
    buf_printf(out,
               "rdb_changes_since_last_save:%lld\r\nrdb_bgsave_in_progress:%d\r\n"
               "rdb_last_save_time:%lld\r\nrdb_last_bgsave_status:%s\r\n"
               "rdb_last_bgsave_time_sec:%lld\r\nrdb_current_bgsave_time_sec:%lld\r\n"
               "rdb_saves:%lld\r\nrdb_last_cow_size:%zu\r\nrdb_last_load_keys_expired:%lld\r\n"
               "rdb_last_load_keys_loaded:%lld\r\n",
               srv.dirty, rdb_child ? 1 : 0, (long long)srv.lastsave_s,
               ps.rdb_last_bgsave_ok ? "ok" : "err", ps.rdb_last_bgsave_time_sec,
               rdb_child ? seconds_since(ps.child_start_mono_us) : -1, ps.rdb_saves,
               ps.rdb_last_cow_size, ps.rdb_last_load_keys_expired, ps.rdb_last_load_keys_loaded);
    buf_printf(out,
               "aof_enabled:%d\r\naof_rewrite_in_progress:%d\r\naof_rewrite_scheduled:%d\r\n"
               "aof_last_rewrite_time_sec:%lld\r\naof_current_rewrite_time_sec:%lld\r\n"
               "aof_last_bgrewrite_status:%s\r\naof_rewrites:%lld\r\n"
               "aof_rewrites_consecutive_failures:%lld\r\naof_last_write_status:%s\r\n"
               "aof_last_cow_size:%zu\r\nmodule_fork_in_progress:0\r\n"
               "module_fork_last_cow_size:0\r\n",
               ps.aof_state != AOF_OFF ? 1 : 0, aof_child ? 1 : 0, ps.aof_rewrite_scheduled ? 1 : 0,
               ps.aof_last_rewrite_time_sec, aof_child ? seconds_since(ps.child_start_mono_us) : -1,
               ps.aof_last_bgrewrite_ok ? "ok" : "err", ps.aof_rewrites,
               ps.aof_rewrites_consecutive_failures, ps.aof_last_write_ok ? "ok" : "err",
               ps.aof_last_cow_size);
    if (cfg.appendonly) {
        buf_printf(out,
                   "aof_current_size:%lld\r\naof_base_size:%lld\r\naof_pending_rewrite:%d\r\n"
                   "aof_buffer_length:%zu\r\naof_pending_bio_fsync:%lu\r\n"
                   "aof_delayed_fsync:%lu\r\n",
                   ps.aof_current_size, ps.aof_base_size, ps.aof_rewrite_scheduled ? 1 : 0,
                   ps.aof_buffer_length, ps.aof_pending_bio_fsync, ps.aof_delayed_fsync);
    }
    if (ps.loading) {
        double perc = ps.loading_total_bytes > 0
                          ? 100.0 * (double)ps.loading_loaded_bytes / (double)ps.loading_total_bytes
                          : 0;
        long long elapsed = seconds_since(ps.loading_start_mono_us);
        long long eta = 1;
        if (elapsed > 0 && ps.loading_loaded_bytes > 0) {
            double rate = (double)ps.loading_loaded_bytes / (double)elapsed;
            eta = (long long)((double)(ps.loading_total_bytes - ps.loading_loaded_bytes) / rate);
        }
        buf_printf(out,
                   "loading_start_time:%lld\r\nloading_total_bytes:%lld\r\n"
                   "loading_rdb_used_mem:%lld\r\nloading_loaded_bytes:%lld\r\n"
                   "loading_loaded_perc:%.2f\r\nloading_eta_seconds:%lld\r\n",
                   (long long)ps.loading_start_s, ps.loading_total_bytes, ps.loading_rdb_used_mem,
                   ps.loading_loaded_bytes, perc, eta);
    }
}
