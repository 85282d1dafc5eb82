/* main.c - vigil-sentinel: command line, config file (read only), state file, then the
 * event loop: the front's sockets, the hiredis links and one tick timer whose period is
 * drawn between 50 and 100 ms each time (sentinels started together must not stay in
 * lock-step, or their elections can split votes forever). */
#include "common/buf.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/sdnotify.h"
#include "common/util.h"
#include "sentinel/sentinel.h"
#include "sentinel/sentinel_version.h"

#include <ev.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ev_timer tick_timer;
static ev_signal sig_term, sig_int;

static void usage(FILE *out) {
    fprintf(out, "Usage: vigil-sentinel CONFIG.ini [--name value ...]\n"
                 "       vigil-sentinel --version\n"
                 "       vigil-sentinel --help\n"
                 "       vigil-sentinel CONFIG.ini [--name value ...] --check-config\n"
                 "\n"
                 "Global options (port, bind, dir, announce-ip, ...) go in [sentinel]; each\n"
                 "monitored primary is a [monitor NAME] section (host, port, quorum,\n"
                 "down-after-milliseconds, failover-timeout, parallel-syncs, auth-pass, ...).\n"
                 "What the sentinel learns is kept in <dir>/sentinel-state; the config file\n"
                 "is never written.\n");
}

static int load_config(int argc, char **argv, Buf *err) {
    cfg_defaults(&sentinel_cfg_table);
    if (argc < 2 || !strncmp(argv[1], "--", 2)) {
        buf_printf(err, "vigil-sentinel needs a config file (it names the monitored "
                        "primaries and the state directory)");
        return -1;
    }
    char path[PATH_MAX];
    sentinel.config_file = mem_strdup(realpath(argv[1], path) ? path : argv[1]);
    if (cfg_load_file(&sentinel_cfg_table, sentinel.config_file, "monitor",
                      sconfig_monitor_option, NULL, err) != 0)
        return -1;
    if (cfg_apply_args(&sentinel_cfg_table, argc, argv, 2, err) != 0) return -1;
    const char *m = sconfig_check_masters();
    if (m) {
        buf_printf(err, "%s: %s", sentinel.config_file, m);
        return -1;
    }
    if (cfg_run_apply_hooks(&sentinel_cfg_table, err) != 0) return -1;
    return 0;
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    VG_UNUSED(revents);
    monitor_tick();
    w->repeat = (50 + (double)(util_rand64() % 50)) / 1000.0;
    ev_timer_again(loop, w);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(revents);
    log_warn("Received %s scheduling shutdown...", w->signum == SIGINT ? "SIGINT" : "SIGTERM");
    sentinel_shutdown(0);
}

static void write_pidfile(void) {
    if (!scfg.pidfile) return;
    FILE *f = fopen(scfg.pidfile, "w");
    if (!f) {
        log_errno(LOG_WARN, errno, "Failed to write PID file %s", scfg.pidfile);
        return;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v"))) {
        printf("vigil-sentinel v=%s\n", sentinel_version());
        return 0;
    }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    bool check_only = cfg_take_flag(&argc, argv, "--check-config");
    log_set_role('X');
    sentinel_timers_defaults(&sentinel.t);
    Buf err = BUF_INIT;
    if (load_config(argc, argv, &err) != 0) {
        fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (vigil-sentinel %s) ***\n%s\n",
                sentinel_version(), buf_cstr(&err));
        buf_deinit(&err); /* LeakSanitizer reports it otherwise */
        return 1;
    }
    if (check_only) {
        printf("%s: configuration OK\n", sentinel.config_file);
        return 0;
    }
    if (chdir(scfg.dir) != 0) {
        fprintf(stderr, "Can't chdir to '%s': %s\n", scfg.dir, strerror(errno));
        return 1;
    }
    char cwd[PATH_MAX];
    Buf sp = BUF_INIT;
    buf_printf(&sp, "%s/sentinel-state", getcwd(cwd, sizeof(cwd)) ? cwd : ".");
    sentinel.state_file = buf_steal(&sp, NULL);
    if (state_load(&err) != 0) {
        fprintf(stderr, "\n*** FATAL STATE FILE ERROR (vigil-sentinel %s) ***\n%s\n",
                sentinel_version(), buf_cstr(&err));
        buf_deinit(&err); /* LeakSanitizer reports it otherwise */
        return 1;
    }
    buf_deinit(&err);
    signal(SIGPIPE, SIG_IGN);
    sdnotify_init(scfg.supervised, EV_DEFAULT);
    log_notice("vigil-sentinel %s starting, pid=%d", sentinel_version(), (int)getpid());
    log_notice("Configuration loaded from %s, state in %s", sentinel.config_file,
               sentinel.state_file);
    if (front_init() != 0) return 1;
    if (state_save() != 0) {
        log_warn("Sentinel can't write its state file %s: exiting", sentinel.state_file);
        return 1;
    }
    write_pidfile();
    sentinel.start_time_wall = clock_wall_ms();
    sentinel.previous_time = clock_wall_ms();
    log_notice("Sentinel ID is %s", sentinel.myid);
    for (int i = 0; i < sentinel.nmasters; i++)
        sentinel_event(LOG_WARN, "+monitor", sentinel.masters[i], "quorum %u",
                       sentinel.masters[i]->quorum);
    log_notice("Ready to accept connections tcp, port %lld", scfg.port);
    sdnotify_ready("Ready to accept connections");

    struct ev_loop *loop = EV_DEFAULT;
    ev_timer_init(&tick_timer, tick_cb, 0.0, 0.1);
    ev_timer_again(loop, &tick_timer);
    ev_signal_init(&sig_term, signal_cb, SIGTERM);
    ev_signal_init(&sig_int, signal_cb, SIGINT);
    ev_signal_start(loop, &sig_term);
    ev_signal_start(loop, &sig_int);
    ev_run(loop, 0);
    return 0;
}
