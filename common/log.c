/* log.c - Redis-format log lines to stdout or to a file reopened per line (see log.h). */
#include "common/log.h"

#include "common/clock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static LogLevel min_level = LOG_NOTICE;
static char role_char = 'M';
static char log_path[4096];

void log_set_level(LogLevel level) {
    min_level = level;
}

LogLevel log_get_level(void) {
    return min_level;
}

void log_set_file(const char *path) {
    snprintf(log_path, sizeof(log_path), "%s", path ? path : "");
}

void log_set_role(char role) {
    role_char = role;
}

bool log_enabled(LogLevel level) {
    return level >= min_level;
}

static void log_write_line(LogLevel level, const char *msg) {
    static const char level_chars[] = ".-*#";
    char tbuf[64];
    int64_t now_us = clock_wall_us();
    time_t secs = (time_t)(now_us / 1000000);
    struct tm tm;
    localtime_r(&secs, &tm);
    size_t off = strftime(tbuf, sizeof(tbuf), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(tbuf + off, sizeof(tbuf) - off, "%03d", (int)((now_us / 1000) % 1000));

    FILE *f = stdout;
    if (log_path[0]) {
        f = fopen(log_path, "a");
        if (!f) return; /* nowhere to report it: dropping the line is all we can do */
    }
    fprintf(f, "%d:%c %s %c %s\n", (int)getpid(), role_char, tbuf, level_chars[level], msg);
    fflush(f);
    if (f != stdout) fclose(f);
}

static void log_vmsg(LogLevel level, int err, const char *fmt, va_list ap) {
    char msg[1024];
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    if (n < 0) return;
    if (err && (size_t)n < sizeof(msg))
        snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(abs(err)));
    log_write_line(level, msg);
}

void log_msg(LogLevel level, const char *fmt, ...) {
    if (level < min_level) return;
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, 0, fmt, ap);
    va_end(ap);
}

void log_errno(LogLevel level, int err, const char *fmt, ...) {
    if (level < min_level) return;
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, err, fmt, ap);
    va_end(ap);
}

void vg_assert_fail(const char *expr, const char *file, int line) {
    log_warn("assertion failed: %s (%s:%d)", expr, file, line);
    abort();
}
