/* childproc.h - fork() for background saves: one child at a time, as in Redis.
 *
 * Parent side: child_fork() records the fork's duration (latest_fork_usec, the "fork"
 * LATENCY event) and opens a pipe the child reports on; the cron calls child_cron(), which
 * drains the pipe (copy-on-write size, keys processed) and reaps the child, then calls the
 * done handler registered for its type. Child side: child_fork() returns 0, the caller does
 * its work, calling child_report_progress() now and then, and ends with child_exit(). */
#ifndef VIGIL_SERVER_CHILDPROC_H
#define VIGIL_SERVER_CHILDPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum { CHILD_NONE = 0, CHILD_RDB = 1, CHILD_AOF = 2 };

/* Called in the parent once the child is reaped: ok = exited with status 0; by_signal =
 * killed (child_kill() or otherwise). */
typedef void (*ChildDoneFn)(bool ok, bool by_signal);
void child_set_done_handler(int type, ChildDoneFn fn);
/* Inside a done handler: the reaped child's pid (its temp files are named after it) and the
 * signal that killed it (0 when it exited). */
pid_t child_done_pid(void);
int child_done_signal(void);

/* Fork. Parent: the child's pid, or -1 with errno set (logged). Child: 0. Fails with EBUSY
 * when a child is already running. */
pid_t child_fork(int type);
bool child_active(void);
int child_active_type(void); /* CHILD_NONE when none */

/* Child side: report progress (keys done of total) and the current copy-on-write size; cheap
 * to call often (rate-limited to about once a second). */
void child_report_progress(long long keys_done, long long keys_total);
/* Child side: send the final copy-on-write size and _exit(ok ? 0 : 1). */
void child_exit(bool ok) __attribute__((noreturn));
/* Child side: the copy-on-write size so far (Private_Dirty of /proc/self/smaps_rollup). */
size_t child_cow_size(void);

/* Parent side, from the cron: drain reports, reap a finished child. */
void child_cron(void);
/* Parent side: kill the running child (SIGUSR1) and wait for it; its done handler runs
 * with by_signal = true. Used by SHUTDOWN, FLUSHALL, CONFIG SET appendonly no. */
void child_kill(void);

#endif
