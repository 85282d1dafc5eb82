/* bgsave.h - SAVE, BGSAVE and the save points. */
#ifndef VIGIL_SERVER_BGSAVE_H
#define VIGIL_SERVER_BGSAVE_H

/* From the cron: start a BGSAVE when a save point is due (or one was scheduled). */
void bgsave_cron(void);

/* Redis's rdbSave(): write the dataset to dbfilename in the foreground. On success the
 * dataset counts as saved: dirty 0, LASTSAVE now, the last-bgsave status ok (which clears
 * MISCONF). A failure changes none of these. 0, or -1 after logging why. Used by SAVE,
 * FLUSHALL and the shutdown. */
int bgsave_save_sync(void);

/* Redis's rdbSaveBackground(): fork a child that writes dbfilename. 0 when the child is
 * running, -1 when a child already runs (errno EBUSY) or fork failed (logged; the
 * last-bgsave status becomes err, as in Redis). */
int bgsave_start(void);

#endif
