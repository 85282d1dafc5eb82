/* notify.c - keyspace notifications.
 *
 * Write commands call notify_keyspace_event() at the place their change happens, with the
 * event name Redis uses (set, expire, del, rename_from, ...); expiry reports "expired".
 * Delivery is plain Pub/Sub (pubsub_publish), so subscribers see them as messages on
 * __keyspace@<db>__:<key> and __keyevent@<db>__:<event>. Which classes publish is
 * cfg.notify_keyspace_events (the notify-keyspace-events option, parsed here). Eviction
 * events ("evicted", class e) arrive with eviction. */
#include "server/notify.h"

#include "common/buf.h"
#include "server/pubsub.h"
#include "server/server.h"

#include <string.h>

/* Letters in the order Redis prints them when not all of A is set. */
static const struct {
    char letter;
    int flag;
} class_letters[] = {
    {'g', NOTIFY_GENERIC}, {'$', NOTIFY_STRING}, {'l', NOTIFY_LIST},    {'s', NOTIFY_SET},
    {'h', NOTIFY_HASH},    {'z', NOTIFY_ZSET},   {'x', NOTIFY_EXPIRED}, {'e', NOTIFY_EVICTED},
    {'t', NOTIFY_STREAM},  {'d', NOTIFY_MODULE}, {'n', NOTIFY_NEW},
};

bool notify_flags_parse(const char *s, int *flags) {
    int f = 0;
    for (; *s; s++) {
        switch (*s) {
        case 'A': f |= NOTIFY_ALL; break;
        case 'K': f |= NOTIFY_KEYSPACE; break;
        case 'E': f |= NOTIFY_KEYEVENT; break;
        case 'm': f |= NOTIFY_KEY_MISS; break;
        default: {
            size_t i;
            for (i = 0; i < sizeof(class_letters) / sizeof(class_letters[0]); i++)
                if (class_letters[i].letter == *s) break;
            if (i == sizeof(class_letters) / sizeof(class_letters[0])) return false;
            f |= class_letters[i].flag;
        }
        }
    }
    *flags = f;
    return true;
}

/* As Redis: "A" stands for the whole of NOTIFY_ALL (and then n is not printed), followed
 * by K, E and m. */
void notify_flags_format(int flags, char *out) {
    char *p = out;
    if ((flags & NOTIFY_ALL) == NOTIFY_ALL) {
        *p++ = 'A';
    } else {
        for (size_t i = 0; i < sizeof(class_letters) / sizeof(class_letters[0]); i++)
            if (flags & class_letters[i].flag) *p++ = class_letters[i].letter;
    }
    if (flags & NOTIFY_KEYSPACE) *p++ = 'K';
    if (flags & NOTIFY_KEYEVENT) *p++ = 'E';
    if (flags & NOTIFY_KEY_MISS) *p++ = 'm';
    *p = '\0';
}

void notify_keyspace_event(int type_class, const char *event, const char *key, size_t keylen,
                           int dbid) {
    int flags = cfg.notify_keyspace_events;
    if (!(flags & type_class)) return;
    Buf ch = BUF_INIT;
    size_t elen = strlen(event);
    if (flags & NOTIFY_KEYSPACE) {
        buf_printf(&ch, "__keyspace@%d__:", dbid);
        buf_append(&ch, key, keylen);
        pubsub_publish(ch.data, ch.len, event, elen);
    }
    if (flags & NOTIFY_KEYEVENT) {
        buf_clear(&ch);
        buf_printf(&ch, "__keyevent@%d__:%s", dbid, event);
        pubsub_publish(ch.data, ch.len, key, keylen);
    }
    buf_deinit(&ch);
}
