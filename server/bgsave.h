/* bgsave.h - SAVE, BGSAVE and the save points. */
#ifndef VIGIL_SERVER_BGSAVE_H
#define VIGIL_SERVER_BGSAVE_H

#include <stdbool.h>

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

/* repl_primary.c, just before a full sync's child forks. To disk it is a real BGSAVE for
 * Redis (rdb_saves, and on its end LASTSAVE, changes since the last save, the last-bgsave
 * status); to the replicas' sockets it saves nothing, only rdb_last_bgsave_time_sec moves.
 * bgsave_sync_fork_failed() after a failed fork (a disk one's status becomes err). */
void bgsave_note_sync_child(bool to_disk);
void bgsave_sync_fork_failed(void);

#endif
