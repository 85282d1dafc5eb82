/* state.c - the sentinel's state file (skeleton: filled by the state work). Today it only
 * creates an id; nothing is persisted yet. */
#include "sentinel/sentinel.h"

int state_load(Buf *err) {
    VG_UNUSED(err);
    if (!sentinel.myid[0]) sentinel_random_id(sentinel.myid);
    return 0;
}

int state_save(void) {
    return 0;
}
