/* dispatch.h - from a parsed request to an executed command. */
#ifndef VIGIL_SERVER_DISPATCH_H
#define VIGIL_SERVER_DISPATCH_H

#include <stdbool.h>

typedef struct Client Client;
typedef struct Command Command;

/* Look up, check and run c->argv. Returns false when the command must wait (CLIENT PAUSE):
 * the caller keeps the request and calls again later; true otherwise (executed or
 * rejected with an error reply). */
bool dispatch_command(Client *c);

/* Run cmd on c's current argv with the accounting of a dispatched call (commandstats,
 * latency, SLOWLOG), without the checks: for EXEC's queued commands, checked when queued. */
void dispatch_call(Client *c, Command *cmd);

/* Is a CLIENT PAUSE in force that holds writes? Expiry and eviction consult it so that the
 * dataset does not change while writes are paused (as Redis 7.0 does). */
bool dispatch_writes_paused(void);

#endif
