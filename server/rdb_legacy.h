/* rdb_legacy.h - the RDB encodings older Redis versions wrote and Redis 7.0 still loads:
 * ziplists (lists, hashes, sorted sets), zipmaps (hashes) and quicklists of ziplists. The
 * blobs are checked, then converted to Vigil's own encodings. rdb.c reads the blobs. */
#ifndef VIGIL_SERVER_RDB_LEGACY_H
#define VIGIL_SERVER_RDB_LEGACY_H

#include "server/object.h"

#include <stddef.h>
#include <stdint.h>

/* RDB types 9 (hash zipmap), 10 (list ziplist), 12 (zset ziplist), 13 (hash ziplist): a Kv
 * for key holding the blob's content in the encoding Redis 7.0 gives it after loading
 * (rdb_legacy.c lists the thresholds), or NULL with err set:
 *   err[0] == '\0'  the blob is a valid but empty ziplist: skip the key, as Redis does
 *                   ("rdbLoadObject skipping empty key"); not an error
 *   otherwise       the blob is malformed or holds a duplicate field/member ("duplicate
 *                   ..."); the load must fail. err names the problem, not the file or
 *                   offset, which the caller adds. */
Kv *rdb_legacy_blob_to_kv(int rdbtype,
                          const char *key,
                          size_t keylen,
                          const uint8_t *blob,
                          size_t len,
                          char *err,
                          size_t errlen);

/* RDB type 14 (quicklist of ziplists): append the entries of one ziplist node to the list
 * held by list_kv (an OBJ_LIST/ENC_QUICKLIST Kv the caller made, e.g. with
 * kv_new_ptr(key, klen, OBJ_LIST, ENC_QUICKLIST, ql_new(cfg.list_max_listpack_size))).
 * An empty node adds nothing, as in Redis: when every node was empty the caller must
 * drop the (still empty) list and skip the key. 0, or -1 with err set (malformed node). */
int rdb_legacy_list_append_ziplist(
    Kv *list_kv, const uint8_t *blob, size_t len, char *err, size_t errlen);

#endif
