/* notify.h - keyspace notifications (notify-keyspace-events): the event classes and the
 * one call a write command makes where its change happens (notify.c). */
#ifndef VIGIL_SERVER_NOTIFY_H
#define VIGIL_SERVER_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

/* Bits as Redis 7.0 numbers its NOTIFY_* flags (the option's letters in comments). */
enum {
    NOTIFY_KEYSPACE = 1 << 0,  /* K */
    NOTIFY_KEYEVENT = 1 << 1,  /* E */
    NOTIFY_GENERIC = 1 << 2,   /* g */
    NOTIFY_STRING = 1 << 3,    /* $ */
    NOTIFY_LIST = 1 << 4,      /* l */
    NOTIFY_SET = 1 << 5,       /* s */
    NOTIFY_HASH = 1 << 6,      /* h */
    NOTIFY_ZSET = 1 << 7,      /* z */
    NOTIFY_EXPIRED = 1 << 8,   /* x */
    NOTIFY_EVICTED = 1 << 9,   /* e */
    NOTIFY_STREAM = 1 << 10,   /* t */
    NOTIFY_KEY_MISS = 1 << 11, /* m (not part of A) */
    NOTIFY_MODULE = 1 << 12,   /* d */
    NOTIFY_NEW = 1 << 13,      /* n (not part of A) */
    NOTIFY_ALL = NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH |
                 NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE,
};

/* Parse the option's letters into flags; false on an unknown letter. */
bool notify_flags_parse(const char *s, int *flags);
/* The canonical letter string Redis's CONFIG GET prints ("KEA" -> "AKE"); out needs 20 bytes. */
void notify_flags_format(int flags, char *out);

/* Publish `event` about `key` in db `dbid` if type_class is enabled:
 * __keyspace@<db>__:<key> with message <event> (K) and __keyevent@<db>__:<event> with
 * message <key> (E). One flag test when the option is empty. */
void notify_keyspace_event(int type_class, const char *event, const char *key, size_t keylen,
                           int dbid);

#endif
