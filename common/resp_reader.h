/* resp_reader.h - incremental parser of client requests (RESP multibulk and inline).
 *
 * Bytes are fed as they arrive; resp_reader_next() yields one whole request at a time as an
 * argv of (ptr, len) slices that point into the reader's own buffer (inline words are
 * unquoted in place). They stay valid until the next call to resp_reader_next(), _feed(),
 * _space() or _compact(). A request may arrive one byte at a time or a thousand pipelined
 * in one read; partial input costs no re-scan, since the parse position, the line-search
 * position and the current multibulk/bulk state are kept between calls.
 *
 * Limits, as Redis enforces them (texts are Redis's, after "-ERR "):
 *   multibulk count > INT_MAX (or not a number)  "Protocol error: invalid multibulk length"
 *   bulk length > max_bulk_len (proto-max-bulk-len)   "Protocol error: invalid bulk length"
 *   unauthenticated: count > 10 / bulk > 16384
 *       "Protocol error: unauthenticated multibulk length" / "... bulk length"
 *   a count/length line or an inline request without CRLF past 64 KiB
 *       "Protocol error: too big mbulk count string" / "too big bulk count string" /
 *       "too big inline request"
 *   inline with unbalanced quotes  "Protocol error: unbalanced quotes in request"
 * Quirks kept from Redis 7.0 on purpose: "*0" and "*-N" requests are skipped silently; the
 * two bytes after a bulk's data are skipped unchecked (as is the byte after a count line's
 * '\r'); a NUL byte before a line's end hides that end (Redis searches with strchr), so
 * such a line waits until it trips the 64 KiB limit.
 * After RESP_ERR the reader is poisoned: the caller replies with the error, closes the
 * connection after flushing, and never calls next again. */
#ifndef VIGIL_COMMON_RESP_READER_H
#define VIGIL_COMMON_RESP_READER_H

#include "common/buf.h"

#include <stdbool.h>
#include <stddef.h>

enum {
    RESP_OK = 0,    /* a request was produced */
    RESP_AGAIN = 1, /* need more bytes */
    RESP_ERR = -1,  /* protocol error; text in reader->err */
};

typedef struct RespArg {
    const char *ptr;
    size_t len;
} RespArg;

typedef struct RespReader {
    Buf buf;      /* unparsed (and current request's) bytes */
    size_t pos;   /* parse position inside buf */
    size_t start; /* first byte of the current request; bytes before it are consumed */
    size_t scan;  /* where the search for the current line's end resumes */
    /* state of the request being parsed */
    int kind;             /* 0 unknown, '*' multibulk, 'i' inline */
    long long mbulk_left; /* args still expected in this multibulk (-1: count line next) */
    long long bulk_len;   /* -1 when waiting for a $ line */
    RespArg *argv;
    size_t *argoff; /* offsets of args from `start` (argv is rebuilt from them) */
    int argc;
    int argv_cap;
    bool line_blocked; /* a NUL precedes the line end: it can only end in "too big" */
    /* limits */
    long long max_bulk_len; /* proto-max-bulk-len */
    bool authenticated;     /* false: the tighter unauthenticated limits apply */
    bool inline_empty;      /* the last next() skipped an empty inline line (replica ack) */
    const char *err;        /* static text (or errbuf) after RESP_ERR */
    char errbuf[48];        /* "Protocol error: expected '$', got 'X'" */
} RespReader;

/* Defaults: max_bulk_len 512 MiB, authenticated true; the server sets both per client. */
void resp_reader_init(RespReader *r);
void resp_reader_deinit(RespReader *r);
void resp_reader_feed(RespReader *r, const void *data, size_t len);
/* Room for a direct read(2) into the reader: returns a pointer to at least `want` writable
 * bytes (buf.cap - buf.len - 1 says how many there are) -- except while a bulk of 32 KiB or
 * more is being received: its exact size was reserved when its $ line arrived, and then the
 * room may be just what the bulk still lacks, so the reservation is never grown (as Redis
 * reads only the rest of a big argument). Call resp_reader_commit(r, n) after n bytes were
 * read into it. NULL when the allocator refuses (the caller drops the client). */
char *resp_reader_space(RespReader *r, size_t want);
void resp_reader_commit(RespReader *r, size_t n);
/* RESP_OK: *argc and *argv describe one request (argc >= 1). RESP_AGAIN: need more bytes.
 * RESP_ERR: r->err says why. Empty inline lines are skipped silently. */
int resp_reader_next(RespReader *r, int *argc, RespArg **argv);
/* Bytes buffered but not yet consumed, counting the request returned last (what CLIENT
 * LIST reports as qbuf: Redis's too includes the running command's bytes). */
size_t resp_reader_pending(const RespReader *r);
/* Release consumed bytes so the buffer does not grow without bound; cheap to call often:
 * it resets for free when everything was consumed, and otherwise moves the unconsumed tail
 * only once the consumed prefix is at least as long (so moves cost O(1) per byte read).
 * The request returned last stays buffered until the next call to next(), but it may move:
 * compact invalidates its argv, so call it only once done with the request. */
void resp_reader_compact(RespReader *r);
/* True when a partially received request is buffered (for idle/limit accounting). */
bool resp_reader_in_request(const RespReader *r);

/* Split an inline line into words with Redis's quoting rules ("..." with \n \r \t \b \a
 * \\ \" \xHH escapes, '...' with \' only; a closing quote must be followed by a space or
 * the end; a NUL byte ends the line, as Redis splits C strings). *out is set to a mem_alloc'd
 * array of words, each mem_alloc'd and NUL-terminated (not counted in len); the caller frees
 * both with resp_split_free. Returns the count (0 and *out NULL for a blank line), or -1 on
 * unbalanced quotes (*out NULL). Shared by the inline protocol and the config loader. */
int resp_split_args(const char *line, size_t len, RespArg **out);
void resp_split_free(RespArg *args, int n);

#endif
