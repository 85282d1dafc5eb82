/* scan.h - the cursor and options SCAN, HSCAN, SSCAN and ZSCAN share (cmd_keys.c).
 *
 * Cursors are dict_scan's reverse-binary cursors (common/dict.h) for hashtable encodings;
 * a compact encoding (listpack, intset) answers the whole value in one call with cursor 0,
 * as Redis does. */
#ifndef VIGIL_SERVER_SCAN_H
#define VIGIL_SERVER_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/resp_reader.h"

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
/* Does the element match the MATCH pattern (always true without one)? */
bool scan_match(const ScanOpts *o, const char *s, size_t len);

#endif
