/* propagate.h - the one path from an executed command to the AOF (and later the replicas).
 *
 * dispatch.c calls propagate_after_call() after every call (nested calls included) and
 * propagate_flush() once the top-level command is over; a write command that changed the
 * dataset is propagated as it was given, unless its proc asked otherwise (rewrote its argv
 * into a deterministic form, added commands, or prevented propagation). Keys deleted by
 * expiry are propagated as DEL. */
#ifndef VIGIL_SERVER_PROPAGATE_H
#define VIGIL_SERVER_PROPAGATE_H

#include <stddef.h>

typedef struct Client Client;
typedef struct Command Command;
typedef struct Db Db;

void propagate_after_call(Client *c, Command *cmd, long long dirty_before);
void propagate_flush(void);

/* A key removed because its TTL passed (lazy or active expiry). */
void propagate_expired_key(Db *db, const char *key, size_t len);

#endif
