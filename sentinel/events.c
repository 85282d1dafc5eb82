/* events.c - the sentinel's events: one log line and one Pub/Sub message each, with Redis
 * Sentinel's channel names and message layout, so that clients watching +switch-master and
 * operators grepping logs see what they know. */
#include "common/buf.h"
#include "sentinel/sentinel.h"

#include <stdarg.h>
#include <string.h>

static const char *type_word(const Instance *ri) {
    if (ri->flags & SRI_MASTER) return "master";
    if (ri->flags & SRI_SLAVE) return "slave";
    return "sentinel";
}

static void emit(LogLevel level, const char *type, const Instance *ri, const Instance *m,
                 const char *fmt, va_list ap) {
    Buf msg = BUF_INIT;
    if (ri) {
        buf_printf(&msg, "%s %s %s %d", type_word(ri), ri->name, ri->ip, ri->port);
        if (ri->master)
            buf_printf(&msg, " @ %s %s %d", ri->master->name, ri->master->ip,
                       ri->master->port);
    }
    if (fmt) {
        if (ri) buf_append_char(&msg, ' ');
        buf_vprintf(&msg, fmt, ap);
    }
    const char *text = buf_cstr(&msg);
    log_msg(level, "%s %s", type, text);
    if (level != LOG_DEBUG) front_publish(type, text, msg.len);
    scripts_on_event(level, type, m, text); /* notification-script (scripts.c) */
    buf_deinit(&msg);
}

void sentinel_event(LogLevel level, const char *type, const Instance *ri, const char *fmt,
                    ...) {
    va_list ap;
    va_start(ap, fmt);
    emit(level, type, ri, ri ? (ri->master ? ri->master : ri) : NULL, fmt, ap);
    va_end(ap);
}

void sentinel_event_about(LogLevel level, const char *type, const Instance *m,
                          const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    emit(level, type, NULL, m, fmt, ap);
    va_end(ap);
}
