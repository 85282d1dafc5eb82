/* expire.h - active expiry: the timer-driven sampling of keys with a TTL. */
#ifndef VIGIL_SERVER_EXPIRE_H
#define VIGIL_SERVER_EXPIRE_H

/* From the cron: sample each db's expires index under a time budget of 25% of a cron tick. */
void expire_cycle_slow(void);
/* Before the loop sleeps: a short (1 ms) cycle when the last slow one ran out of time. */
void expire_cycle_fast(void);

#endif
