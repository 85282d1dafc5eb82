/* childproc.c - the single background child (RDB save or AOF rewrite) and its reports.
 *
 * The child writes fixed-size ChildReport records to a pipe; the parent reads them without
 * blocking from the cron. A report carries the child's copy-on-write size (Private_Dirty of
 * its own mappings: the pages it had to copy because the parent wrote to them, which is what
 * the fork really costs in memory) and its progress in keys.
 *
 * Reaping: the cron collects the child with waitpid(WNOHANG) and runs its done handler, as
 * Redis's serverCron does; child_kill() waits for it synchronously. (libev's default loop
 * would reap every child on SIGCHLD itself; server_init gives SIGCHLD back its default.) */
#include "server/childproc.h"

#include "common/clock.h"
#include "common/log.h"
#include "common/vg.h"
#include "server/db.h"
#include "server/latency.h"
#include "server/persist.h"
#include "server/repl_primary.h"
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct ChildReport {
    uint64_t cow_bytes;
    int64_t keys_done;
    int64_t keys_total;
    uint32_t final; /* the last report, sent by child_exit() */
} ChildReport;

static ChildDoneFn done_handlers[3];
static int report_pipe[2] = {-1, -1}; /* parent keeps [0], child keeps [1] */
static int64_t last_report_mono_us;   /* child side */
static bool got_final_report;         /* parent side: the child sent its exit report */
static pid_t done_pid;                /* the child being reaped, for its done handler */
static int done_signal;

void child_set_done_handler(int type, ChildDoneFn fn) {
    if (type > CHILD_NONE && type < (int)VG_ARRAY_LEN(done_handlers)) done_handlers[type] = fn;
}

pid_t child_done_pid(void) {
    return done_pid;
}

int child_done_signal(void) {
    return done_signal;
}

bool child_active(void) {
    return ps.child_pid > 0;
}

int child_active_type(void) {
    return ps.child_pid > 0 ? ps.child_type : CHILD_NONE;
}

static void close_pipe(void) {
    for (int i = 0; i < 2; i++) {
        if (report_pipe[i] >= 0) close(report_pipe[i]);
        report_pipe[i] = -1;
    }
}

/* In the child: nothing of the parent's event handling may run here. Signals get their
 * default actions (SIGUSR1 from the parent ends the child) and the listening sockets are
 * closed, so a child that outlives a dead parent does not hold the port. */
static void child_after_fork(void) {
    log_set_role('C');
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    for (int i = 0; i < srv.nlisten; i++) close(srv.listen_fds[i]);
    if (report_pipe[0] >= 0) close(report_pipe[0]);
    report_pipe[0] = -1;
    last_report_mono_us = 0;
}

pid_t child_fork(int type) {
    if (child_active()) {
        errno = EBUSY;
        return -1;
    }
    if (pipe(report_pipe) != 0) {
        log_errno(LOG_WARN, errno, "Can't open the pipe for the child's reports");
        report_pipe[0] = report_pipe[1] = -1; /* the child then works without reporting */
    } else {
        fcntl(report_pipe[0], F_SETFL, O_NONBLOCK);
        fcntl(report_pipe[0], F_SETFD, FD_CLOEXEC);
    }
    int64_t start = clock_mono_us();
    pid_t pid = fork();
    if (pid == 0) {
        child_after_fork();
        return 0;
    }
    int saved = errno;
    if (pid < 0) {
        close_pipe();
        log_errno(LOG_WARN, saved, "Can't fork");
        errno = saved;
        return -1;
    }
    if (report_pipe[1] >= 0) close(report_pipe[1]);
    report_pipe[1] = -1;
    int64_t took = clock_mono_us() - start;
    ps.latest_fork_usec = took;
    ps.total_forks++;
    latency_add_sample_if_needed("fork", took / 1000);
    ps.child_pid = pid;
    ps.child_type = type;
    ps.child_start_mono_us = start;
    ps.current_cow_peak = ps.current_cow_size = 0;
    ps.current_cow_updated_mono_us = 0;
    ps.current_fork_perc = 0;
    /* the total is known now (Redis sets it at fork), before the child's first report */
    long long keys = 0;
    for (int i = 0; i < srv.ndbs; i++) keys += db_size(db_get(i));
    ps.current_save_keys_processed = 0;
    ps.current_save_keys_total = keys;
    got_final_report = false;
    return pid;
}

/* ---------------------------------------------------------------- child side */

size_t child_cow_size(void) {
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (!f) f = fopen("/proc/self/smaps", "r");
    if (!f) return 0;
    char line[256];
    unsigned long long total_kb = 0;
    while (fgets(line, sizeof(line), f)) {
        unsigned long long kb;
        if (sscanf(line, "Private_Dirty: %llu kB", &kb) == 1) total_kb += kb;
    }
    fclose(f);
    return (size_t)(total_kb * 1024);
}

static void send_report(long long keys_done, long long keys_total, bool final) {
    if (report_pipe[1] < 0) return;
    ChildReport r = {.cow_bytes = child_cow_size(),
                     .keys_done = keys_done,
                     .keys_total = keys_total,
                     .final = final};
    /* A pipe write of less than PIPE_BUF bytes is atomic; if the parent is not reading,
     * a full pipe only loses progress reports, never blocks the child for long. */
    ssize_t w = write(report_pipe[1], &r, sizeof(r));
    VG_UNUSED(w);
}

void child_report_progress(long long keys_done, long long keys_total) {
    int64_t now = clock_mono_us();
    if (now - last_report_mono_us < 1000000) return;
    last_report_mono_us = now;
    send_report(keys_done, keys_total, false);
}

void child_exit(bool ok) {
    if (ok) send_report(-1, -1, true);
    _exit(ok ? 0 : 1);
}

/* ---------------------------------------------------------------- parent side */

static void drain_reports(void) {
    if (report_pipe[0] < 0) return;
    ChildReport r;
    while (read(report_pipe[0], &r, sizeof(r)) == (ssize_t)sizeof(r)) {
        ps.current_cow_size = (size_t)r.cow_bytes;
        if (ps.current_cow_size > ps.current_cow_peak) ps.current_cow_peak = ps.current_cow_size;
        ps.current_cow_updated_mono_us = clock_mono_us();
        if (r.final) got_final_report = true;
        if (r.keys_done >= 0 && r.keys_total >= 0) {
            ps.current_save_keys_processed = r.keys_done;
            ps.current_save_keys_total = r.keys_total;
            ps.current_fork_perc =
                r.keys_total > 0 ? 100.0 * (double)r.keys_done / (double)r.keys_total : 0;
        }
    }
}

static void reap(int status) {
    drain_reports();
    close_pipe();
    int type = ps.child_type;
    done_pid = ps.child_pid;
    done_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    ps.child_pid = 0;
    ps.child_type = CHILD_NONE;
    bool by_signal = WIFSIGNALED(status);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    /* As Redis: the last copy-on-write size is the one a successful child sends on exit;
     * a failed or killed child leaves the previous figure. */
    if (ok && got_final_report) {
        if (type == CHILD_RDB)
            ps.rdb_last_cow_size = ps.current_cow_size;
        else if (type == CHILD_AOF)
            ps.aof_last_cow_size = ps.current_cow_size;
    }
    got_final_report = false;
    ps.current_cow_peak = ps.current_cow_size = 0;
    ps.current_cow_updated_mono_us = 0;
    ps.current_fork_perc = 0;
    ps.current_save_keys_processed = ps.current_save_keys_total = 0;
    if (type > CHILD_NONE && type < (int)VG_ARRAY_LEN(done_handlers) && done_handlers[type])
        done_handlers[type](ok, by_signal);
    if (type == CHILD_RDB) repl_primary_rdb_child_done(done_pid, ok, by_signal);
    done_pid = 0;
    done_signal = 0;
}

void child_cron(void) {
    if (!child_active()) return;
    drain_reports();
    int status;
    pid_t r = waitpid(ps.child_pid, &status, WNOHANG);
    if (r == ps.child_pid) {
        reap(status);
    } else if (r < 0 && errno == ECHILD) {
        log_warn("The background child %d vanished", (int)ps.child_pid);
        reap(1 << 8); /* as a failed exit */
    }
}

void child_kill(void) {
    if (!child_active()) return;
    pid_t pid = ps.child_pid;
    kill(pid, SIGUSR1);
    int status = SIGUSR1; /* as killed, should waitpid fail */
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    reap(status);
}
