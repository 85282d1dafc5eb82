/* rdb_legacy.c - older RDB encodings (see rdb_legacy.h). Placeholder. */
#include "server/rdb_legacy.h"

#include "common/vg.h"

#include <stdio.h>

Kv *rdb_legacy_blob_to_kv(int rdbtype, const char *key, size_t keylen, const uint8_t *blob,
                          size_t len, char *err, size_t errlen) {
    VG_UNUSED(key);
    VG_UNUSED(keylen);
    VG_UNUSED(blob);
    VG_UNUSED(len);
    snprintf(err, errlen, "RDB type %d (ziplist/zipmap) is not supported yet", rdbtype);
    return NULL;
}

int rdb_legacy_list_append_ziplist(Kv *list_kv, const uint8_t *blob, size_t len, char *err,
                                   size_t errlen) {
    VG_UNUSED(list_kv);
    VG_UNUSED(blob);
    VG_UNUSED(len);
    snprintf(err, errlen, "RDB type 14 (quicklist of ziplists) is not supported yet");
    return -1;
}
