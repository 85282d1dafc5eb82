/* log.h - logging in Redis's line format.
 *
 *   <pid>:<role> <DD Mon YYYY HH:MM:SS.mmm> <level char> <message>
 *
 * role: M primary, S replica, C forked child, X sentinel; level chars: '.' debug,
 * '-' verbose, '*' notice, '#' warning. Output goes to stdout, or to `logfile`, which is
 * opened for append on every line, so logrotate can move the file away without
 * copytruncate and the next line lands in a new file (as Redis does). */
#ifndef VIGIL_COMMON_LOG_H
#define VIGIL_COMMON_LOG_H

#include <stdbool.h>

#include "common/vg.h"

typedef enum LogLevel {
    LOG_DEBUG = 0,
    LOG_VERBOSE = 1,
    LOG_NOTICE = 2,
    LOG_WARN = 3,
} LogLevel;

void log_set_level(LogLevel level);
LogLevel log_get_level(void);
/* path NULL or "" logs to stdout. The string is copied. */
void log_set_file(const char *path);
void log_set_role(char role);
bool log_enabled(LogLevel level);

void log_msg(LogLevel level, const char *fmt, ...) VG_PRINTF(2, 3);
/* Appends ": <strerror(err)>" to the message; err is a positive or negative errno. */
void log_errno(LogLevel level, int err, const char *fmt, ...) VG_PRINTF(3, 4);

#define log_debug(...)   log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_verbose(...) log_msg(LOG_VERBOSE, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warn(...)    log_msg(LOG_WARN, __VA_ARGS__)

#endif
