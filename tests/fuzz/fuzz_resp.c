/* fuzz_resp.c - fuzz target for common/resp_reader (client requests, RESP and inline).
 *
 * Each input is parsed under two limit settings (defaults; unauthenticated with a 1000-byte
 * bulk limit), each twice: fed whole, and fed in chunks whose sizes derive from the input
 * (through resp_reader_feed or space/commit, with compactions in between). Checked:
 *   - every RESP_OK has argc >= 1 and every argument lies inside the reader's buffer
 *   - the parse offsets stay ordered (start <= pos <= len)
 *   - an error has a "Protocol error: " text and stays sticky
 *   - the chunked run yields the same requests and the same final result as the whole run
 *     (for inputs up to 64 KiB: beyond that the "too big" limits legitimately depend on how
 *     much was buffered when a line was looked at, in Redis too)
 * The inputs are raw protocol bytes, so the seed corpus is readable. */
#include "common/buf.h"
#include "common/resp_reader.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                         \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "fuzz_resp: check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            abort();                                                                             \
        }                                                                                        \
    } while (0)

typedef struct Limits {
    bool authenticated;
    long long max_bulk_len;
} Limits;

/* Runs next() until AGAIN or ERR, appending every request to out; returns the last code. */
static int drain(RespReader *r, Buf *out) {
    int argc, rc;
    RespArg *argv;
    while ((rc = resp_reader_next(r, &argc, &argv)) == RESP_OK) {
        FUZZ_CHECK(argc >= 1);
        FUZZ_CHECK(r->start <= r->pos && r->pos <= r->buf.len);
        const char *lo = r->buf.data, *hi = r->buf.data + r->buf.len;
        for (int i = 0; i < argc; i++) {
            FUZZ_CHECK(argv[i].ptr >= lo && argv[i].ptr <= hi);
            FUZZ_CHECK(argv[i].len <= (size_t)(hi - argv[i].ptr));
            buf_printf(out, "%zu:", argv[i].len);
            buf_append(out, argv[i].ptr, argv[i].len);
        }
        buf_append_char(out, ';');
    }
    FUZZ_CHECK(r->start <= r->pos && r->pos <= r->buf.len);
    if (rc == RESP_ERR) {
        FUZZ_CHECK(r->err && strncmp(r->err, "Protocol error: ", 16) == 0);
        FUZZ_CHECK(resp_reader_next(r, &argc, &argv) == RESP_ERR); /* sticky */
    } else {
        FUZZ_CHECK(rc == RESP_AGAIN);
    }
    return rc;
}

static void reader_setup(RespReader *r, const Limits *lim) {
    resp_reader_init(r);
    r->authenticated = lim->authenticated;
    r->max_bulk_len = lim->max_bulk_len;
}

static int parse_whole(const uint8_t *data, size_t size, const Limits *lim, Buf *out) {
    RespReader r;
    reader_setup(&r, lim);
    resp_reader_feed(&r, data, size);
    int rc = drain(&r, out);
    if (rc == RESP_ERR) buf_append_str(out, r.err);
    resp_reader_deinit(&r);
    return rc;
}

static int
parse_chunked(const uint8_t *data, size_t size, const Limits *lim, Buf *out, uint32_t seed) {
    RespReader r;
    reader_setup(&r, lim);
    uint32_t h = seed | 1;
    size_t off = 0;
    int rc = RESP_AGAIN;
    while (off < size && rc == RESP_AGAIN) {
        h = h * 1103515245u + 12345u + data[off];
        size_t max_chunk = (h >> 28) & 1 ? 4 : 512;
        size_t chunk = 1 + (h >> 8) % max_chunk;
        if (chunk > size - off) chunk = size - off;
        if ((h >> 29) & 1) {
            char *p = resp_reader_space(&r, chunk);
            FUZZ_CHECK(r.buf.cap - r.buf.len - 1 >= 1);
            if (chunk > r.buf.cap - r.buf.len - 1) chunk = r.buf.cap - r.buf.len - 1;
            memcpy(p, data + off, chunk);
            resp_reader_commit(&r, chunk);
        } else {
            resp_reader_feed(&r, data + off, chunk);
        }
        off += chunk;
        rc = drain(&r, out);
        if ((h >> 30) & 1) {
            size_t pending = resp_reader_pending(&r);
            resp_reader_compact(&r);
            FUZZ_CHECK(resp_reader_pending(&r) == pending);
        }
    }
    if (rc == RESP_ERR) buf_append_str(out, r.err);
    resp_reader_deinit(&r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const Limits limits[] = {{true, 512LL * 1024 * 1024}, {false, 1000}};
    uint32_t seed = 2166136261u; /* FNV-1a of the input picks the chunking */
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 16777619u;
    for (size_t k = 0; k < sizeof(limits) / sizeof(limits[0]); k++) {
        Buf whole = BUF_INIT, chunked = BUF_INIT;
        int rc1 = parse_whole(data, size, &limits[k], &whole);
        int rc2 = parse_chunked(data, size, &limits[k], &chunked, seed);
        if (size <= 64 * 1024) {
            FUZZ_CHECK(rc1 == rc2);
            FUZZ_CHECK(whole.len == chunked.len);
            FUZZ_CHECK(whole.len == 0 || memcmp(whole.data, chunked.data, whole.len) == 0);
        }
        buf_deinit(&whole);
        buf_deinit(&chunked);
    }
    return 0;
}
