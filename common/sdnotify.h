/* sdnotify.h - systemd's readiness protocol (sd_notify(3)) without libsystemd.
 *
 * A notification is one datagram of newline-separated assignments ("READY=1\nSTATUS=...")
 * sent to the unix socket named by $NOTIFY_SOCKET: a path, or "@name" for an abstract
 * socket. Both programs call sdnotify_init() once with their `supervised` option; when
 * supervision is off every other call is a no-op, so the hooks in the programs are single
 * unconditional lines.
 *
 * Watchdog: when systemd passes WATCHDOG_USEC (WatchdogSec= in the unit), a libev timer on
 * the program's loop sends a ping every half of it. Before READY=1 the ping is
 * EXTEND_TIMEOUT_USEC (a long dataset load that keeps serving events keeps extending the
 * start timeout; a stuck one does not); after it, WATCHDOG=1. A stuck event loop sends
 * nothing, and systemd restarts the service. */
#ifndef VIGIL_COMMON_SDNOTIFY_H
#define VIGIL_COMMON_SDNOTIFY_H

#include "common/vg.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ev_loop;

/* The values of both programs' `supervised` option (Redis's names). */
enum {
    SDNOTIFY_NO = 0,
    SDNOTIFY_SYSTEMD = 1,
    SDNOTIFY_AUTO = 2,
    SDNOTIFY_UPSTART = 3,
};

/* Decides once, at start-up, whether notifications go out: `systemd`, or `auto` with
 * NOTIFY_SOCKET set. `no` sends nothing; `upstart` is not supported (logged, nothing sent);
 * `systemd` without NOTIFY_SOCKET logs a warning and sends nothing. When active and
 * WATCHDOG_USEC is valid (and WATCHDOG_PID, if set, is ours), starts the ping timer on
 * `loop`. Returns whether notifications are active. Calling it again re-reads the
 * environment (tests). */
bool sdnotify_init(int mode, struct ev_loop *loop);
bool sdnotify_is_active(void);

/* Sends msg as one datagram. Returns 0 (also when inactive) or -errno; a failure is logged
 * once per errno value, never fatal: the service manager's view is advisory to us. */
int sdnotify_send(const char *msg);
int sdnotify_sendf(const char *fmt, ...) VG_PRINTF(1, 2);

/* "STATUS=<text>". */
void sdnotify_status(const char *fmt, ...) VG_PRINTF(1, 2);
/* "READY=1\nSTATUS=<status>": start-up is complete; the watchdog switches to WATCHDOG=1. */
void sdnotify_ready(const char *status);
/* "STOPPING=1\nSTATUS=<status>": shutdown has begun. */
void sdnotify_stopping(const char *status);

/* The ping interval for a WATCHDOG_USEC value, in microseconds: half of it, or 0 when the
 * value is missing, malformed or zero, or when watchdog_pid (WATCHDOG_PID, may be NULL)
 * names another process than self. Pure: no environment access. */
int64_t
sdnotify_watchdog_interval_us(const char *watchdog_usec, const char *watchdog_pid, pid_t self);

#endif
