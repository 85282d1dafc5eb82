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
#include "common/util.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/expire.h"
#include "server/info.h"
#include "server/networking.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Server srv;

static ev_timer cron_timer;
static ev_prepare before_sleep_watcher;
static ev_signal sigterm_watcher, sigint_watcher;

void server_update_time(void) {
    srv.now_ms = clock_wall_ms();
}

long long server_uptime_s(void) {
    return (clock_mono_us() - srv.mono_start_us) / 1000000;
}

static void update_lru_clock(void) {
    srv.lru_clock = (uint32_t)((srv.now_ms / 1000) & LRU_CLOCK_MAX);
}

static void cron_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(revents);
    server_update_time();
    update_lru_clock();
    size_t used = mem_used_bytes();
    if (used > srv.stats.peak_memory) {
        srv.stats.peak_memory = used;
        srv.stats.peak_memory_time_ms = srv.now_ms;
    }
    if (srv.client_pause_type && srv.now_ms >= srv.client_pause_end_ms) {
        srv.client_pause_type = 0;
        net_unpause_clients();
    }
    info_cron();
    expire_cycle_slow();
    net_clients_cron();
    db_cron();
    /* hz may have changed through CONFIG SET */
    w->repeat = 1.0 / (double)cfg.hz;
    ev_timer_again(srv.loop, w);
}

static void before_sleep_cb(struct ev_loop *loop, ev_prepare *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(w);
    VG_UNUSED(revents);
    server_update_time();
    expire_cycle_fast();
    net_before_sleep();
    if (srv.shutdown_asap) ev_break(srv.loop, EVBREAK_ALL);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(revents);
    if (srv.shutdown_asap) {
        log_warn("You insist... exiting now.");
        exit(1);
    }
    log_warn("Received %s scheduling shutdown...", w->signum == SIGINT ? "SIGINT" : "SIGTERM");
    server_request_shutdown();
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

int server_init(void) {
    uint8_t seed[16];
    util_random_bytes(seed, sizeof(seed));
    dict_set_seed(seed);
    util_random_hex(srv.run_id, 40);
    srv.run_id[40] = '\0';
    srv.loop = ev_default_loop(EVFLAG_AUTO);
    srv.mono_start_us = clock_mono_us();
    server_update_time();
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
    commands_init();
    info_init();
    signal(SIGPIPE, SIG_IGN);
    if (net_init_listeners() != 0) return -1;
    ev_timer_init(&cron_timer, cron_cb, 1.0 / (double)cfg.hz, 1.0 / (double)cfg.hz);
    ev_timer_start(srv.loop, &cron_timer);
    ev_prepare_init(&before_sleep_watcher, before_sleep_cb);
    ev_prepare_start(srv.loop, &before_sleep_watcher);
    ev_signal_init(&sigterm_watcher, signal_cb, SIGTERM);
    ev_signal_start(srv.loop, &sigterm_watcher);
    ev_signal_init(&sigint_watcher, signal_cb, SIGINT);
    ev_signal_start(srv.loop, &sigint_watcher);
    write_pidfile();
    return 0;
}

void server_run(void) {
    ev_run(srv.loop, 0);
}

void server_shutdown_now(int exit_code) {
    log_warn("User requested shutdown...");
    net_before_sleep(); /* flush what clients are owed */
    net_close_listeners();
    if (cfg.pidfile) unlink(cfg.pidfile);
    log_warn("Vigil is now ready to exit, bye bye...");
    exit(exit_code);
}
