/* reply.h - what command procs call to answer: one function per reply shape, written into
 * the client's output buffer through common/resp_writer (which alone knows RESP2 vs RESP3).
 *
 * Error replies pass through reply_error(), which counts them per prefix for INFO
 * errorstats and total_error_replies, and lets dispatch mark the call as failed. Shared
 * error texts are the ERRT_* constants, spelled as Redis 7.0 spells them. */
#ifndef VIGIL_SERVER_REPLY_H
#define VIGIL_SERVER_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/resp_reader.h"
#include "common/vg.h"

typedef struct Client Client;

/* clang-format off */
#define ERRT_SYNTAX      "ERR syntax error"
#define ERRT_WRONGTYPE   "WRONGTYPE Operation against a key holding the wrong kind of value"
#define ERRT_NOT_INT     "ERR value is not an integer or out of range"
#define ERRT_NOT_FLOAT   "ERR value is not a valid float"
#define ERRT_OVERFLOW    "ERR increment or decrement would overflow"
#define ERRT_NO_KEY      "ERR no such key"
#define ERRT_DB_INDEX    "ERR DB index is out of range"
#define ERRT_NOAUTH      "NOAUTH Authentication required."
#define ERRT_BAD_EXPIRE  "ERR invalid expire time in '%s' command"
#define ERRT_SAME_OBJECT "ERR source and destination objects are the same"
#define ERRT_OFFSET      "ERR offset is out of range"
#define ERRT_BIT_OFFSET  "ERR bit offset is not an integer or out of range"
#define ERRT_BIT_VALUE   "ERR bit is not an integer or out of range"
#define ERRT_STR_TOO_BIG "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
/* clang-format on */

void reply_ok(Client *c);
void reply_simple(Client *c, const char *s);
void reply_error(Client *c, const char *msg); /* msg carries its prefix: "ERR ..." */
void reply_error_fmt(Client *c, const char *fmt, ...) VG_PRINTF(2, 3);
/* Replace the one error reply written at c->out offset `mark` with prefix + its text (a
 * leading "ERR " dropped), errorstats following: Redis's "EXECABORT Transaction discarded
 * because of: ..." for a rejected EXEC. */
void reply_error_rewrap(Client *c, size_t mark, const char *prefix);
void reply_int(Client *c, long long v);
void reply_bulk(Client *c, const char *s, size_t len);
void reply_bulk_cstr(Client *c, const char *s); /* NULL -> null bulk */
void reply_bulk_arg(Client *c, const RespArg *a);
void reply_bulk_ll(Client *c, long long v);
void reply_null(Client *c);
void reply_null_array(Client *c);
void reply_array(Client *c, long long n);
void reply_map(Client *c, long long n);
void reply_set(Client *c, long long n);
void reply_double(Client *c, double d);
void reply_bool(Client *c, bool v);
void reply_verbatim(Client *c, const char *s, size_t len, const char *ext3);
void reply_empty_array(Client *c);
/* Raw protocol bytes (pre-encoded replies). */
void reply_proto(Client *c, const char *p, size_t len);
/* Deferred-length aggregates: handle = reply_deferred_begin(c); ...;
 * reply_deferred_array(c, handle, n) / reply_deferred_map(c, handle, pairs). */
size_t reply_deferred_begin(Client *c);
void reply_deferred_array(Client *c, size_t handle, long long n);
void reply_deferred_map(Client *c, size_t handle, long long pairs);
void reply_deferred_set(Client *c, size_t handle, long long n);

/* Common error shapes. */
void reply_wrongtype(Client *c);
void reply_syntax_error(Client *c);
/* "ERR wrong number of arguments for '<name>' command" */
void reply_arity_error(Client *c);
/* "ERR unknown subcommand '<sub>'. Try <CMD> HELP." */
void reply_subcommand_error(Client *c);
/* "ERR unknown subcommand or wrong number of arguments for '<sub>'. Try <CMD> HELP." (for
 * commands that parse their own subcommands, as DEBUG and CLIENT do in Redis) */
void reply_subcommand_syntax_error(Client *c);
/* HELP replies: lines[] NULL-terminated; prefixed with "<CMD> <subcommand> arg arg ..." as
 * Redis's addReplyHelp does. */
void reply_help(Client *c, const char *const *lines);

/* Counters: INFO errorstats and stats. */
long long reply_error_count(void); /* monotonic, dispatch compares before/after a call */
void reply_errorstats_format(Buf *out);
void reply_errorstats_reset(void);

/* Arg helpers with Redis's error replies; _or_reply returns nonzero after replying. */
bool arg_is(const RespArg *a, const char *word); /* case-insensitive equality */
int arg_to_ll_or_reply(Client *c, const RespArg *a, long long *out, const char *msg);
/* An int (Redis's getIntFromObjectOrReply): not a number -> msg or ERRT_NOT_INT; outside
 * int -> msg or "value is out of range, value must between INT_MIN and INT_MAX". */
int arg_to_int_or_reply(Client *c, const RespArg *a, int *out, const char *msg);
int arg_to_ll_range_or_reply(Client *c, const RespArg *a, long long min, long long max,
                             long long *out, const char *msg);
int arg_to_double_or_reply(Client *c, const RespArg *a, double *out, const char *msg);
int arg_to_ldouble_or_reply(Client *c, const RespArg *a, long double *out, const char *msg);
/* Copy into a NUL-terminated scratch string (for CONFIG, names); caller mem_free()s. */
char *arg_dup(const RespArg *a);
/* Bytes of an argument up to its first NUL: where Redis formats or compares an argument as
 * a C string (%s, strcasecmp, strtoul, SORT's patterns), it stops there. */
size_t arg_cstr_len(const RespArg *a);

#endif
