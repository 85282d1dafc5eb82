/* scan.h - the cursor and options SCAN, HSCAN, SSCAN and ZSCAN share (cmd_keys.c).
 *
 * Cursors are dict_scan's reverse-binary cursors (common/dict.h) for hashtable encodings;
 * a compact encoding (listpack, intset) answers the whole value in one call with cursor 0,
 * as Redis does. */
#ifndef VIGIL_SERVER_SCAN_H
#define VIGIL_SERVER_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/dict.h"
#include "common/resp_reader.h"
#include "server/object.h"

typedef struct Client Client;

typedef struct ScanOpts {
    long long count;     /* COUNT: table entries to visit per call, >= 1 (default 10) */
    const RespArg *pat;  /* MATCH, or NULL for all (also for "*") */
    const RespArg *type; /* TYPE (SCAN only), or NULL */
} ScanOpts;

/* The cursor argument, as Redis 7.0 reads it; replies "ERR invalid cursor" when bad. */
int scan_cursor_or_reply(Client *c, const RespArg *a, uint64_t *cursor);
/* Options from argv[first] on: COUNT, MATCH, and TYPE when allow_type. Replies with the
 * syntax error Redis gives and returns -1 when they do not parse. */
int scan_opts_or_reply(Client *c, int first, bool allow_type, ScanOpts *o);
/* The start HSCAN, SSCAN and ZSCAN share, in Redis's order: the cursor (parsed before the
 * lookup), the key, which must hold `type` (WRONGTYPE), then the options from argv[3] (a
 * missing key answers the empty scan [0, []] and ignores bad options, as Redis does). The
 * value to scan, or NULL when the reply is already made. */
Kv *scan_value_or_reply(Client *c, int type, uint64_t *cursor, ScanOpts *o);
/* Walk d from cursor with dict_scan until *visited (which fn advances) reaches COUNT, or
 * COUNT*10 buckets were walked, so a sparse table cannot stall the server. Returns the next
 * cursor (0 when the walk is complete). */
uint64_t scan_dict_walk(Dict *d, uint64_t cursor, const ScanOpts *o, DictScanFn fn, void *ud,
                        const long long *visited);
/* The reply's frame: the next cursor, then an array header of n elements. */
void scan_reply_head(Client *c, uint64_t cursor, long long n);

/* Does the element match the MATCH pattern (always true without one)? */
bool scan_match(const ScanOpts *o, const char *s, size_t len);

#endif
