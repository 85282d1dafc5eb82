/* server.c - wires the modules together: start-up order, the cron, signals, shutdown.
 *
 * Start-up: defaults -> config file -> command-line overrides -> apply hooks -> databases
 * and command table -> listeners -> loop. The cron runs `hz` times a second: active expiry,
 * client timeouts, table resizing, the LRU clock and peak-memory tracking. SIGTERM/SIGINT
 * request a graceful shutdown (the loop stops after the current iteration); a second signal
 * exits at once. */
#include "server/server.h"

#include "common/clock.h"
#include "common/dict.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/sdnotify.h"
#include "common/util.h"
#include "server/aof.h"
#include "server/bgsave.h"
#include "server/childproc.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/expire.h"
#include "server/info.h"
#include "server/networking.h"
#include "server/persist.h"
#include "server/replication.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Server srv;

static ev_timer cron_timer;
static ev_prepare before_sleep_watcher;
static ev_async signal_async;

/* Wall time is derived from the monotonic clock plus an offset the cron re-reads, so a
 * command costs one clock read for both its timing and its TTL arithmetic. */
void server_update_time_from(int64_t mono_us) {
    srv.now_mono_us = mono_us;
    srv.now_ms = (mono_us + srv.wall_offset_us) / 1000;
}

void server_update_time(void) {
    server_update_time_from(clock_mono_us());
}

static void resync_wall_clock(void) {
    srv.wall_offset_us = clock_wall_us() - clock_mono_us();
    server_update_time();
}

long long server_uptime_s(void) {
    return (clock_mono_us() - srv.mono_start_us) / 1000000;
}

static void update_lru_clock(void) {
    srv.lru_clock = (uint32_t)((srv.now_ms / 1000) & LRU_CLOCK_MAX);
}

static void end_pause_if_due(void) {
    if (srv.client_pause_type && srv.now_ms >= srv.client_pause_end_ms) {
        srv.client_pause_type = 0;
        net_unpause_clients();
    }
}

static void cron_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(revents);
    resync_wall_clock();
    update_lru_clock();
    size_t used = mem_used_bytes();
    if (used > srv.stats.peak_memory) {
        srv.stats.peak_memory = used;
        srv.stats.peak_memory_time_ms = srv.now_ms;
    }
    end_pause_if_due();
    info_cron();
    if (!ps.loading) { /* while loading, the data is not there yet */
        expire_cycle_slow();
        db_cron();
        child_cron();
        bgsave_cron();
        aof_cron();
        repl_primary_cron();
        repl_replica_cron();
    }
    net_clients_cron();
    /* hz may have changed through CONFIG SET */
    w->repeat = 1.0 / (double)cfg.hz;
    ev_timer_again(srv.loop, w);
}

static void before_sleep_cb(struct ev_loop *loop, ev_prepare *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(w);
    VG_UNUSED(revents);
    server_update_time();
    end_pause_if_due();
    if (!ps.loading) {
        expire_cycle_fast();
        aof_before_sleep(); /* before replies go out: appendfsync always acknowledges on disk */
        repl_primary_before_sleep();
    }
    net_before_sleep();
    if (srv.shutdown_asap) ev_break(srv.loop, EVBREAK_ALL);
}

/* SIGTERM/SIGINT: the handler only records the signal and wakes the loop (ev_async_send is
 * async-signal-safe); the loop then shuts down between commands. A second SIGINT while a
 * shutdown is pending exits at once, even from inside a long command, removing the pidfile
 * and unix socket with async-signal-safe calls only (as Redis does). */
static volatile sig_atomic_t pending_signal;

static void signal_handler(int sig) {
    if (pending_signal && sig == SIGINT) {
        static const char msg[] = "You insist... exiting now.\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        VG_UNUSED(w);
        if (cfg.pidfile) unlink(cfg.pidfile);
        if (cfg.unixsocket) unlink(cfg.unixsocket);
        _exit(1);
    }
    pending_signal = sig;
    ev_async_send(srv.loop, &signal_async);
}

static void signal_async_cb(struct ev_loop *loop, ev_async *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(w);
    VG_UNUSED(revents);
    if (srv.shutdown_asap) return;
    log_warn("Received %s scheduling shutdown...", pending_signal == SIGINT ? "SIGINT" : "SIGTERM");
    server_request_shutdown();
}

static void install_signal_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = signal_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Make room for maxclients plus the server's own descriptors, or lower maxclients to what
 * the limit allows, saying so, as Redis does at start-up. */
static void adjust_open_files_limit(void) {
    const rlim_t reserved = 32;
    rlim_t want = (rlim_t)cfg.maxclients + reserved;
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= want) return;
    struct rlimit raised = {.rlim_cur = want, .rlim_max = VG_MAX(want, lim.rlim_max)};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
        log_notice("Increased maximum number of open files to %llu (it was originally set to "
                   "%llu).",
                   (unsigned long long)want, (unsigned long long)lim.rlim_cur);
        return;
    }
    if (lim.rlim_max > lim.rlim_cur) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    long long fit = lim.rlim_cur > reserved ? (long long)(lim.rlim_cur - reserved) : 1;
    log_warn("You requested maxclients of %lld requiring at least %llu max file descriptors. "
             "Server can't set maximum open files to %llu because of OS error: %s. Current "
             "maximum open files is %llu. maxclients has been reduced to %lld to compensate for "
             "low ulimit.",
             cfg.maxclients, (unsigned long long)want, (unsigned long long)want, strerror(errno),
             (unsigned long long)lim.rlim_cur, fit);
    cfg.maxclients = fit;
}

void server_request_shutdown(void) {
    srv.shutdown_asap = true;
}

static void write_pidfile(void) {
    if (!cfg.pidfile) return;
    FILE *f = fopen(cfg.pidfile, "w");
    if (!f) {
        log_errno(LOG_WARN, errno, "Failed to write PID file %s", cfg.pidfile);
        return;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
}

/* READY=1 once the data is loaded and the listeners are up, with Redis's STATUS lines: a
 * replica serves its (possibly stale) data read-only until its first sync says otherwise
 * (repl_replica.c). */
static void notify_ready(void) {
    if (repl_is_replica())
        sdnotify_ready("Ready to accept connections in read-only mode. Waiting for MASTER <-> "
                       "REPLICA sync");
    else
        sdnotify_ready("Ready to accept connections");
}

int server_init(void) {
    uint8_t seed[16];
    util_random_bytes(seed, sizeof(seed));
    dict_set_seed(seed);
    util_random_hex(srv.run_id, 40);
    srv.run_id[40] = '\0';
    srv.loop = ev_default_loop(EVFLAG_AUTO);
    sdnotify_init(cfg.supervised, srv.loop); /* before loading: the watchdog covers it */
    /* libev's default loop reaps every child on SIGCHLD (waitpid(-1)), which would steal the
     * exit status childproc.c reaps from the cron: take SIGCHLD back. */
    signal(SIGCHLD, SIG_DFL);
    srv.mono_start_us = clock_mono_us();
    resync_wall_clock();
    srv.start_wall_ms = srv.now_ms;
    srv.lastsave_s = srv.now_ms / 1000;
    update_lru_clock();
    srv.active_expire_enabled = true;
    /* Redis 7.0 hands ids 1 and 2 to internal clients, so its first connection is id 3;
     * starting at the same place keeps HELLO/CLIENT ID replies identical for tools that
     * compare the two. */
    srv.next_client_id = 2;
    srv.ndbs = (int)cfg.databases;
    srv.dbs = mem_calloc(sizeof(Db) * (size_t)srv.ndbs);
    for (int i = 0; i < srv.ndbs; i++) db_init(&srv.dbs[i], i);
    repl_init();
    commands_init();
    info_init();
    adjust_open_files_limit();
    if (net_init_listeners() != 0) return -1;
    install_signal_handlers();
    write_pidfile();
    ev_timer_init(&cron_timer, cron_cb, 1.0 / (double)cfg.hz, 1.0 / (double)cfg.hz);
    ev_timer_start(srv.loop, &cron_timer);
    ev_prepare_init(&before_sleep_watcher, before_sleep_cb);
    ev_prepare_start(srv.loop, &before_sleep_watcher);
    ev_async_init(&signal_async, signal_async_cb);
    ev_async_start(srv.loop, &signal_async);
    /* Clients may connect while the data loads: they get -LOADING (INFO works). */
    if (persist_load_at_startup() != 0) return -1;
    repl_replica_start();
    notify_ready();
    return 0;
}

void server_run(void) {
    for (;;) {
        ev_run(srv.loop, 0);
        if (server_shutdown_now(0) == 0) return;
        /* the final save failed: keep serving, as Redis does */
        log_warn("SIGTERM received but errors trying to shut down the server, check the logs "
                 "for more information");
        srv.shutdown_asap = false;
        pending_signal = 0;
    }
}

int server_shutdown_now(int flags) {
    log_warn("User requested shutdown...");
    sdnotify_stopping("Shutting down");
    if (persist_shutdown(flags) != 0) return -1;
    net_before_sleep(); /* flush what clients are owed */
    net_close_listeners();
    if (cfg.pidfile) unlink(cfg.pidfile);
    log_warn("Vigil is now ready to exit, bye bye...");
    exit(0);
}
