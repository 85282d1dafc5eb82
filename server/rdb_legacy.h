/* rdb_legacy.h - the RDB encodings older Redis versions wrote and Redis 7.0 still loads:
 * ziplists (lists, hashes, sorted sets), zipmaps (hashes) and quicklists of ziplists. The
 * blobs are checked, then converted to Vigil's own encodings. rdb.c reads the blobs. */
#ifndef VIGIL_SERVER_RDB_LEGACY_H
#define VIGIL_SERVER_RDB_LEGACY_H

#include <stddef.h>
#include <stdint.h>

#include "server/object.h"

/* RDB types 9 (hash zipmap), 10 (list ziplist), 12 (zset ziplist), 13 (hash ziplist): a Kv
 * for key holding the blob's content in the encoding Vigil uses for it (thresholds
 * applied), or NULL with err set when the blob is malformed (or holds duplicates). */
Kv *rdb_legacy_blob_to_kv(int rdbtype, const char *key, size_t keylen, const uint8_t *blob,
                          size_t len, char *err, size_t errlen);

/* RDB type 14 (quicklist of ziplists): append the entries of one ziplist node to the list
 * held by list_kv. 0, or -1 with err set. */
int rdb_legacy_list_append_ziplist(Kv *list_kv, const uint8_t *blob, size_t len, char *err,
                                   size_t errlen);

#endif
