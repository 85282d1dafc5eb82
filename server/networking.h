/* networking.h - listeners, client connections, reading requests and writing replies. */
#ifndef VIGIL_SERVER_NETWORKING_H
#define VIGIL_SERVER_NETWORKING_H

#include <stdbool.h>
#include <stdint.h>

#include "server/client.h"

/* Open every `bind` address and the unix socket; 0 or -1 after logging why. */
int net_init_listeners(void);
void net_close_listeners(void);
/* Before the loop sleeps: write pending replies, free clients marked CLOSE_ASAP. */
void net_before_sleep(void);
/* Cron: idle timeouts, buffer shrinking. */
void net_clients_cron(void);

Client *client_new(int fd, uint32_t flags);
/* Free now, or mark CLOSE_ASAP when it is executing a command. */
void client_close(Client *c);
void client_close_async(Client *c);
/* Schedule the reply buffer for writing before the loop sleeps. */
void client_queue_write(Client *c);
Client *client_by_id(uint64_t id);
/* Resume reading on clients paused by CLIENT PAUSE once the pause ends. */
void net_unpause_clients(void);
/* Run the requests a client buffered while it was blocked (blocked.c, once unblocked). */
void client_resume_input(Client *c);

#endif
