/* pubsub.h - Pub/Sub: channel and pattern subscriptions, PUBLISH delivery, and the pubsub
 * class of client-output-buffer-limit (pubsub.c). */
#ifndef VIGIL_SERVER_PUBSUB_H
#define VIGIL_SERVER_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct Client Client;

/* Drop every subscription of c without replying (RESET, and client_free through
 * pubsub_client_free). Clears CLIENT_PUBSUB. */
void pubsub_unsubscribe_all(Client *c);
/* Called by client_free: drop the subscriptions and the per-client state. */
void pubsub_client_free(Client *c);
/* CLIENT LIST sub= / psub=. */
size_t pubsub_client_channel_count(const Client *c);
size_t pubsub_client_pattern_count(const Client *c);
/* INFO stats pubsub_channels / pubsub_patterns: distinct channels and patterns with at
 * least one subscriber. */
size_t pubsub_channel_count(void);
size_t pubsub_pattern_count(void);
/* Deliver message to channel's subscribers and matching pattern subscribers; returns the
 * number of receivers (PUBLISH's reply). Exported for the sentinel hello channel and
 * future keyspace notifications. */
long long pubsub_publish(const char *channel, size_t clen, const char *msg, size_t mlen);
/* Apply client-output-buffer-limit to c's unsent output (its class by flags); schedules
 * the close and logs as Redis does when a limit is overcome. Returns true if c is closing. */
bool pubsub_check_output_limit(Client *c);

#endif
