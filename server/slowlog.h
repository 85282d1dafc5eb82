/* slowlog.h - SLOWLOG: commands slower than slowlog-log-slower-than microseconds. */
#ifndef VIGIL_SERVER_SLOWLOG_H
#define VIGIL_SERVER_SLOWLOG_H

#include <stdint.h>

typedef struct Client Client;

/* Called by dispatch after every call; records it when slow enough. */
void slowlog_maybe_add(Client *c, int64_t duration_us);
void slowlog_reset(void);
long long slowlog_len(void);
/* Trim to slowlog-max-len (CONFIG SET apply hook). */
void slowlog_trim(void);
/* SLOWLOG GET's reply: the `count` newest entries, newest first (count < 0: all). Each is
 * [id, unix time s, duration us, [args...], "ip:port", name]. */
void slowlog_reply_get(Client *c, long long count);

#endif
