/* scripts.c - running the notification and client-reconfig scripts, as Redis Sentinel 7.0.15.
 *
 *   scripts_on_event()      events.c: a WARNING event about a master with a
 *                           notification-script queues `<script> <event> <message>`
 *   scripts_client_reconfig() failover.c (leader) / monitor.c (observer): queues
 *                           `<script> <name> <leader|observer> start <from-ip> <from-port>
 *                           <to-ip> <to-port>`
 *   scripts_list(), scripts_running(), scripts_queue_length()  PENDING-SCRIPTS and INFO
 *
 * A FIFO queue of at most 256 jobs, at most 16 running at once. A job is an argv exec'd
 * directly (fork + execve, no shell) in its own process group with fds beyond 2 closed.
 * Exit 0 ends it; exit 1 or death by a signal (a timeout's SIGKILL included) means "retry"
 * (Redis's contract): it runs again after script-retry-delay, doubled at each try, until it
 * has run 10 times; anything else (exit >= 2, exec failure = exit 2, the 10th failed try)
 * ends it with `-script-error <path> <signal> <exit code>`. A job running longer than
 * script-max-runtime gets `-script-timeout <path> <pid>` and SIGKILL (to its process group,
 * unlike Redis, so that a shell script's `sleep` does not outlive it). A full queue drops
 * its oldest job that is not running, as Redis does, and says so in the log.
 *
 * Children are collected with ev_child watchers: libev's default loop reaps every child on
 * SIGCHLD itself (waitpid(-1)), so a waitpid of ours would only see ECHILD. A private
 * timer (100 ms, running only while the queue is non-empty) starts due jobs and enforces
 * the runtime limit; it keeps running in TILT, as Redis's script handling does. */
#define _GNU_SOURCE /* close_range */
#include "common/buf.h"
#include "common/clock.h"
#include "common/mem.h"
#include "sentinel/sentinel.h"

#include <ev.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct ScriptJob {
    char **argv;          /* NULL-terminated; argv[0] is the script's path */
    int argc;
    bool running;
    bool timeout_sent;    /* -script-timeout already emitted for this run */
    pid_t pid;            /* while running, else 0 */
    int retry_num;        /* how many times it was started */
    int64_t start_time;   /* running: when it started; scheduled: not before (0 = now) */
    ev_child child;
    struct ScriptJob *next;
} ScriptJob;

static ScriptJob *queue_head, *queue_tail;
static int queue_len, running_count;
static ev_timer scripts_timer;
static bool timer_on;

static void job_free(ScriptJob *j) {
    for (int i = 0; i < j->argc; i++) mem_free(j->argv[i]);
    mem_free(j->argv);
    mem_free(j);
}

static void queue_unlink(ScriptJob *j) {
    ScriptJob **pp = &queue_head, *prev = NULL;
    while (*pp && *pp != j) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp) return;
    *pp = j->next;
    if (queue_tail == j) queue_tail = prev;
    queue_len--;
}

/* Redis's delay before try n+1: script-retry-delay * 2^(n-1). */
static int64_t retry_delay_ms(int retry_num) {
    int64_t d = sentinel.t.script_retry_delay;
    while (retry_num-- > 1 && d < INT64_MAX / 2) d *= 2;
    return d;
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents);

static void timer_update(void) {
    if (queue_len > 0 && !timer_on) {
        ev_timer_init(&scripts_timer, timer_cb, 0.0, 0.1);
        ev_timer_start(EV_DEFAULT, &scripts_timer);
        timer_on = true;
    } else if (queue_len == 0 && timer_on) {
        ev_timer_stop(EV_DEFAULT, &scripts_timer);
        timer_on = false;
    }
}

static void child_cb(struct ev_loop *loop, ev_child *w, int revents) {
    VG_UNUSED(revents);
    ScriptJob *j = (ScriptJob *)((char *)w - offsetof(ScriptJob, child));
    ev_child_stop(loop, w);
    int status = w->rstatus;
    int exitcode = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    int bysignal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    log_debug("-script-child %ld %d %d", (long)j->pid, exitcode, bysignal);
    running_count--;
    j->running = false;
    j->pid = 0;
    if ((bysignal || exitcode == 1) && j->retry_num != SCRIPTS_MAX_RETRY) {
        j->start_time = clock_mono_ms() + retry_delay_ms(j->retry_num);
        return;
    }
    if (bysignal || exitcode != 0)
        sentinel_event(LOG_WARN, "-script-error", NULL, "%s %d %d", j->argv[0], bysignal,
                       exitcode);
    queue_unlink(j);
    job_free(j);
    timer_update();
}

/* In the child: what a script should inherit is the environment and fds 0-2 only. */
static void child_exec(ScriptJob *j) {
    setpgid(0, 0); /* its own group: a timeout kills the script and what it started */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL); /* libev may block signals it watches */
    signal(SIGPIPE, SIG_DFL);              /* the sentinel ignores it; exec keeps SIG_IGN */
    if (close_range(3, ~0U, 0) != 0) {
        struct rlimit rl;
        long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                       ? (long)rl.rlim_cur
                       : 1024;
        for (long fd = 3; fd < max; fd++) close((int)fd);
    }
    execve(j->argv[0], j->argv, environ);
    _exit(2); /* as Redis: an exec failure is not retried */
}

static void run_pending(int64_t now) {
    for (ScriptJob *j = queue_head; j && running_count < SCRIPTS_MAX_RUNNING; j = j->next) {
        if (j->running || (j->start_time && j->start_time > now)) continue;
        j->running = true;
        j->timeout_sent = false;
        j->start_time = now;
        j->retry_num++;
        pid_t pid = fork();
        if (pid == 0) child_exec(j);
        if (pid < 0) {
            /* Redis reports a fork failure as signal 99 and keeps the job for later */
            log_errno(LOG_WARN, errno, "Can't fork to run script %s", j->argv[0]);
            sentinel_event(LOG_WARN, "-script-error", NULL, "%s %d %d", j->argv[0], 99, 0);
            j->running = false;
            continue;
        }
        j->pid = pid;
        running_count++;
        ev_child_init(&j->child, child_cb, pid, 0);
        ev_child_start(EV_DEFAULT, &j->child);
        log_debug("+script-child %ld", (long)pid);
    }
}

static void kill_timedout(int64_t now) {
    for (ScriptJob *j = queue_head; j; j = j->next) {
        if (!j->running || j->timeout_sent || now - j->start_time <= sentinel.t.script_max_runtime)
            continue;
        sentinel_event(LOG_WARN, "-script-timeout", NULL, "%s %ld", j->argv[0], (long)j->pid);
        if (kill(-j->pid, SIGKILL) != 0) kill(j->pid, SIGKILL);
        j->timeout_sent = true;
    }
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    VG_UNUSED(loop), VG_UNUSED(w), VG_UNUSED(revents);
    int64_t now = clock_mono_ms();
    run_pending(now);
    kill_timedout(now);
    timer_update();
}

void scripts_schedule(const char *path, ...) {
    ScriptJob *j = mem_calloc(sizeof(*j));
    va_list ap;
    va_start(ap, path);
    int n = 1;
    while (va_arg(ap, const char *)) n++;
    va_end(ap);
    j->argv = mem_alloc((size_t)(n + 1) * sizeof(char *));
    j->argv[0] = mem_strdup(path);
    va_start(ap, path);
    for (int i = 1; i < n; i++) j->argv[i] = mem_strdup(va_arg(ap, const char *));
    va_end(ap);
    j->argv[n] = NULL;
    j->argc = n;
    if (queue_tail)
        queue_tail->next = j;
    else
        queue_head = j;
    queue_tail = j;
    queue_len++;
    if (queue_len > SCRIPTS_MAX_QUEUE) {
        for (ScriptJob *old = queue_head; old; old = old->next) {
            if (old->running) continue;
            log_warn("Script queue full (%d jobs): dropping the oldest pending one, %s %s",
                     SCRIPTS_MAX_QUEUE, old->argv[0], old->argc > 1 ? old->argv[1] : "");
            queue_unlink(old);
            job_free(old);
            break;
        }
    }
    timer_update();
}

void scripts_on_event(LogLevel level, const char *type, const Instance *m, const char *msg) {
    if (level != LOG_WARN || !m || !m->notification_script) return;
    scripts_schedule(m->notification_script, type, msg, NULL);
}

void scripts_client_reconfig(const Instance *m, bool leader, const char *from_ip,
                             int from_port, const char *to_ip, int to_port) {
    if (!m->client_reconfig_script) return;
    char fp[16], tp[16];
    snprintf(fp, sizeof(fp), "%d", from_port);
    snprintf(tp, sizeof(tp), "%d", to_port);
    scripts_schedule(m->client_reconfig_script, m->name, leader ? "leader" : "observer",
                     "start", from_ip, fp, to_ip, tp, NULL);
}

int scripts_list(ScriptView *out, int max) {
    int64_t now = clock_mono_ms();
    int n = 0;
    for (const ScriptJob *j = queue_head; j && n < max; j = j->next, n++) {
        ScriptView *v = &out[n];
        v->argv = (const char *const *)j->argv;
        v->argc = j->argc;
        v->running = j->running;
        v->pid = (long)j->pid;
        v->retry_num = j->retry_num;
        if (j->running) {
            v->ms = now - j->start_time;
        } else {
            v->ms = j->start_time ? j->start_time - now : 0;
            if (v->ms < 0) v->ms = 0;
        }
    }
    return n;
}

int scripts_running(void) {
    return running_count;
}

int scripts_queue_length(void) {
    return queue_len;
}
