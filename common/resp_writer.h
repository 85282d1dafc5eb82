/* resp_writer.h - RESP2/RESP3 reply encoding into a Buf.
 *
 * Only this file knows how RESP2 and RESP3 differ: callers say what they mean (a map, a
 * double, a null) and pass the connection's protocol version (2 or 3):
 *
 *   type       RESP3            RESP2 fallback
 *   null       _\r\n            $-1\r\n          (resp_null_array: *-1\r\n in RESP2)
 *   map n      %n\r\n           *<2n>\r\n
 *   set n      ~n\r\n           *n\r\n
 *   push n     >n\r\n           *n\r\n
 *   double     ,<d>\r\n         $<len>\r\n<d>\r\n  (formatted as Redis does, see below)
 *   bool       #t / #f          :1 / :0
 *   verbatim   =<len>\r\ntxt:.. $<len>\r\n...
 *   bignum     (<digits>\r\n    $<len>\r\n<digits>
 *
 * Every call appends to the Buf with at most one buffer growth and no other allocation, so
 * the common reply costs a memcpy. Doubles are printed like Redis 7.0's addReplyDouble:
 * "inf", "-inf", "nan" and otherwise "%.17g". */
#ifndef VIGIL_COMMON_RESP_WRITER_H
#define VIGIL_COMMON_RESP_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

void resp_simple(Buf *b, const char *s, size_t len);   /* +s */
void resp_error(Buf *b, const char *s, size_t len);    /* -s (s carries its prefix) */
void resp_int(Buf *b, long long v);                    /* :v */
void resp_bulk(Buf *b, const char *s, size_t len);     /* $len s */
void resp_bulk_cstr(Buf *b, const char *s);
void resp_bulk_ll(Buf *b, long long v);                /* integer as a bulk string */
void resp_null(Buf *b, int proto);                     /* null bulk */
void resp_null_array(Buf *b, int proto);               /* null multibulk */
void resp_array(Buf *b, long long n);
void resp_map(Buf *b, int proto, long long n);         /* n pairs */
void resp_set(Buf *b, int proto, long long n);
void resp_push(Buf *b, int proto, long long n);
void resp_double(Buf *b, int proto, double d);
void resp_bool(Buf *b, int proto, bool v);
void resp_verbatim(Buf *b, int proto, const char *fmt3, const char *s, size_t len);
void resp_bignum(Buf *b, int proto, const char *digits, size_t len);

/* Arrays whose length is known only after the elements: reserve a header, append the
 * elements, then patch it. `kind` is '*', '%', '~' or '>' (already mapped for RESP2 by the
 * caller via resp_agg_char). The patch may memmove the elements once. */
size_t resp_deferred_begin(Buf *b);
void resp_deferred_end(Buf *b, size_t handle, char kind, long long n);
/* The header char for an aggregate type under proto (e.g. '%' -> '*' in RESP2). */
char resp_agg_char(int proto, char kind3);

/* Formatting helpers shared with INFO and the commands. */
/* Decimal of v into buf (>= 21 bytes); returns the length. */
int resp_ll_to_str(char *buf, long long v);
/* Redis's %.17g formatting of a double into buf (>= 128 bytes); returns the length. */
int resp_fmt_double(char *buf, double d);

#endif
