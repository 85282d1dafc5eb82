/* bgsave.h - SAVE, BGSAVE and the save points. */
#ifndef VIGIL_SERVER_BGSAVE_H
#define VIGIL_SERVER_BGSAVE_H

/* From the cron: start a BGSAVE when a save point is due (or one was scheduled). */
void bgsave_cron(void);

#endif
