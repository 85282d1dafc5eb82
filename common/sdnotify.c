/* sdnotify.c - sd_notify(3) as a few socket calls (see sdnotify.h for the protocol and the
 * watchdog policy).
 *
 * Each notification opens a fresh SOCK_DGRAM unix socket, sends, and closes it: messages are
 * rare (start-up, role changes, shutdown, a watchdog ping every few seconds), and no
 * descriptor leaks into forked children or survives a socket the manager re-created.
 * Deliberately not here: deciding what the messages say (server.c, persist.c,
 * repl_replica.c; sentinel's main.c and front.c). */
#include "common/sdnotify.h"

#include "common/log.h"

#include <ev.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static struct {
    bool active;
    bool ready;          /* READY=1 sent: pings are WATCHDOG=1, not EXTEND_TIMEOUT_USEC */
    int last_errno;      /* the last send failure logged, so a dead socket logs once */
    int64_t watchdog_us; /* WATCHDOG_USEC as given (0: no watchdog) */
    char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
    struct ev_loop *loop;
    ev_timer ping;
} sdn;

int64_t
sdnotify_watchdog_interval_us(const char *watchdog_usec, const char *watchdog_pid, pid_t self) {
    if (!watchdog_usec || !*watchdog_usec) return 0;
    char *end;
    errno = 0;
    long long usec = strtoll(watchdog_usec, &end, 10);
    if (errno || *end || usec <= 0 || watchdog_usec[0] == '-' || watchdog_usec[0] == ' ') return 0;
    if (watchdog_pid && *watchdog_pid) {
        long long pid = strtoll(watchdog_pid, &end, 10);
        if (*end || pid != (long long)self) return 0;
    }
    return usec / 2 > 0 ? usec / 2 : 1;
}

/* Fills addr from a NOTIFY_SOCKET value; returns its length, or 0 when the value is not an
 * absolute path or an "@abstract" name (systemd's vsock form is not supported). */
static socklen_t notify_addr(const char *path, struct sockaddr_un *addr) {
    size_t n = strlen(path);
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (n < 2 || n > sizeof(addr->sun_path) || (path[0] != '/' && path[0] != '@')) return 0;
    if (path[0] == '/' && n == sizeof(addr->sun_path)) return 0; /* no room for the NUL */
    memcpy(addr->sun_path, path, n);
    if (path[0] == '@') addr->sun_path[0] = '\0'; /* abstract: length, not NUL, ends it */
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
}

int sdnotify_send(const char *msg) {
    if (!sdn.active) return 0;
    struct sockaddr_un addr;
    socklen_t alen = notify_addr(sdn.path, &addr);
    int err = EINVAL;
    if (alen > 0) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        err = fd < 0 ? errno : 0;
        if (fd >= 0) {
            ssize_t w = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&addr, alen);
            if (w < 0) err = errno;
            close(fd);
        }
    }
    if (err == 0) {
        sdn.last_errno = 0;
        return 0;
    }
    if (err != sdn.last_errno)
        log_errno(LOG_WARN, err, "Can't notify systemd through NOTIFY_SOCKET %s", sdn.path);
    sdn.last_errno = err;
    return -err;
}

int sdnotify_sendf(const char *fmt, ...) {
    if (!sdn.active) return 0;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return sdnotify_send(msg);
}

void sdnotify_status(const char *fmt, ...) {
    if (!sdn.active) return;
    char text[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    sdnotify_sendf("STATUS=%s", text);
}

void sdnotify_ready(const char *status) {
    if (!sdn.active) return;
    sdn.ready = true;
    sdnotify_sendf("READY=1\nSTATUS=%s", status);
}

void sdnotify_stopping(const char *status) {
    sdnotify_sendf("STOPPING=1\nSTATUS=%s", status);
}

static void ping_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    VG_UNUSED(loop);
    VG_UNUSED(w);
    VG_UNUSED(revents);
    if (sdn.ready)
        sdnotify_send("WATCHDOG=1");
    else /* still starting (loading): only a loop that runs keeps extending the deadline */
        sdnotify_sendf("EXTEND_TIMEOUT_USEC=%lld", (long long)sdn.watchdog_us);
}

static void start_watchdog(struct ev_loop *loop) {
    int64_t interval =
        sdnotify_watchdog_interval_us(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"), getpid());
    if (interval == 0 || !loop) return;
    sdn.watchdog_us = interval * 2;
    sdn.loop = loop;
    ev_timer_init(&sdn.ping, ping_cb, (double)interval / 1e6, (double)interval / 1e6);
    ev_timer_start(loop, &sdn.ping);
    ev_unref(loop); /* the ping alone never keeps a loop running */
    log_notice("systemd watchdog: %lld ms, pinging every %lld ms",
               (long long)(sdn.watchdog_us / 1000), (long long)(interval / 1000));
}

static void stop_watchdog(void) {
    if (!sdn.loop) return;
    ev_ref(sdn.loop);
    ev_timer_stop(sdn.loop, &sdn.ping);
    sdn.loop = NULL;
    sdn.watchdog_us = 0;
}

bool sdnotify_init(int mode, struct ev_loop *loop) {
    stop_watchdog();
    const char *path = getenv("NOTIFY_SOCKET");
    sdn.active = false;
    sdn.ready = false;
    sdn.last_errno = 0;
    if (mode == SDNOTIFY_UPSTART) {
        log_warn("upstart supervision is not supported; running unsupervised");
        return false;
    }
    if (mode == SDNOTIFY_NO || (mode == SDNOTIFY_AUTO && !path)) return false;
    if (!path || !*path) {
        log_warn("systemd supervision requested, but NOTIFY_SOCKET environment variable "
                 "not found!");
        return false;
    }
    snprintf(sdn.path, sizeof(sdn.path), "%s", path);
    sdn.active = true;
    log_notice("Supervised by systemd. Please make sure you set appropriate values for "
               "TimeoutStartSec and TimeoutStopSec in your service unit.");
    start_watchdog(loop);
    return true;
}

bool sdnotify_is_active(void) {
    return sdn.active;
}
