/* test_resp_reader.c - check suite for common/resp_reader: framing (any split of a stream
 * gives the same requests), inline splitting, and every protocol limit with Redis 7.0's exact
 * error text (verified against redis-server 7.0.15). */
#include "common/buf.h"
#include "common/resp_reader.h"

#include <check.h>

#include "check_main.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static RespReader reader;
static RespReader *r = &reader;

static void setup(void) {
    resp_reader_init(r);
}

static void teardown(void) {
    resp_reader_deinit(r);
}

static void feed_str(const char *s) {
    resp_reader_feed(r, s, strlen(s));
}

/* Appends "<len>:<bytes>," per argument and ";" per request to out. */
static void serialize(Buf *out, int argc, const RespArg *argv) {
    for (int i = 0; i < argc; i++) {
        buf_printf(out, "%zu:", argv[i].len);
        buf_append(out, argv[i].ptr, argv[i].len);
        buf_append_char(out, ',');
    }
    buf_append_char(out, ';');
}

/* Runs next() until it stops producing requests; returns the final code. */
static int drain(RespReader *rd, Buf *out) {
    int argc, rc;
    RespArg *argv;
    while ((rc = resp_reader_next(rd, &argc, &argv)) == RESP_OK) {
        ck_assert_int_ge(argc, 1);
        for (int i = 0; i < argc; i++) {
            ck_assert(argv[i].ptr >= rd->buf.data);
            ck_assert(argv[i].ptr + argv[i].len <= rd->buf.data + rd->buf.len);
        }
        serialize(out, argc, argv);
    }
    return rc;
}

/* One request expected now: its serialized form must be want[0..len). */
static void expect_request_n(const char *want, size_t len) {
    Buf got = BUF_INIT;
    int argc;
    RespArg *argv;
    ck_assert_int_eq(resp_reader_next(r, &argc, &argv), RESP_OK);
    serialize(&got, argc, argv);
    ck_assert_uint_eq(got.len, len);
    ck_assert_mem_eq(got.data, want, len);
    buf_deinit(&got);
}

#define expect_request(lit) expect_request_n(lit, sizeof(lit) - 1)

static void expect_again(void) {
    int argc;
    RespArg *argv;
    ck_assert_int_eq(resp_reader_next(r, &argc, &argv), RESP_AGAIN);
}

/* Feeding `input` to a fresh reader must end in RESP_ERR with text `err`. */
static void expect_error(const char *input, size_t len, const char *err) {
    RespReader rd;
    resp_reader_init(&rd);
    rd.authenticated = r->authenticated;
    rd.max_bulk_len = r->max_bulk_len;
    resp_reader_feed(&rd, input, len);
    Buf out = BUF_INIT;
    ck_assert_int_eq(drain(&rd, &out), RESP_ERR);
    ck_assert_str_eq(rd.err, err);
    buf_deinit(&out);
    resp_reader_deinit(&rd);
}

#define EXPECT_ERROR(lit, err) expect_error(lit, sizeof(lit) - 1, err)

/* Feeding `input` to a fresh reader must produce nothing yet and no error. */
static void expect_waiting(const char *input, size_t len) {
    RespReader rd;
    resp_reader_init(&rd);
    rd.authenticated = r->authenticated;
    rd.max_bulk_len = r->max_bulk_len;
    resp_reader_feed(&rd, input, len);
    Buf out = BUF_INIT;
    ck_assert_int_eq(drain(&rd, &out), RESP_AGAIN);
    ck_assert_uint_eq(out.len, 0);
    buf_deinit(&out);
    resp_reader_deinit(&rd);
}

/* ---- framing ----------------------------------------------------------------------- */

/* Multibulk, binary bulks, inline with quotes, skipped "*0"/"*-1"/blank lines, a bulk whose
 * trailing two bytes are not CRLF, and a big-ish bulk. */
static const char stream[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\0\r\nx\r\n"
                             "PING\r\n"
                             "*0\r\n*-1\r\n\r\n   \n"
                             "set \"a b\" 'c\\'d' \"\\x41\\n\"\n"
                             "*2\r\n$4\r\necho\r\n$0\r\n\r\n"
                             "*1\r\n$4\r\nPINGxx"
                             "*1\r\n$4\r\nPING\r\n";

static const char stream_want[] = "3:SET,1:k,5:v\0\r\nx,;"
                                  "4:PING,;"
                                  "3:set,3:a b,3:c'd,2:A\n,;"
                                  "4:echo,0:,;"
                                  "4:PING,;"
                                  "4:PING,;";

START_TEST(test_whole_stream) {
    Buf out = BUF_INIT;
    resp_reader_feed(r, stream, sizeof(stream) - 1);
    ck_assert_int_eq(drain(r, &out), RESP_AGAIN);
    ck_assert_uint_eq(out.len, sizeof(stream_want) - 1);
    ck_assert_mem_eq(out.data, stream_want, out.len);
    ck_assert_uint_eq(resp_reader_pending(r), 0);
    buf_deinit(&out);
}
END_TEST

START_TEST(test_split_at_every_byte) {
    size_t n = sizeof(stream) - 1;
    for (size_t cut = 0; cut <= n; cut++) {
        RespReader rd;
        resp_reader_init(&rd);
        Buf out = BUF_INIT;
        resp_reader_feed(&rd, stream, cut);
        ck_assert_int_eq(drain(&rd, &out), RESP_AGAIN);
        resp_reader_compact(&rd);
        resp_reader_feed(&rd, stream + cut, n - cut);
        ck_assert_int_eq(drain(&rd, &out), RESP_AGAIN);
        ck_assert_uint_eq(out.len, sizeof(stream_want) - 1);
        ck_assert_mem_eq(out.data, stream_want, out.len);
        buf_deinit(&out);
        resp_reader_deinit(&rd);
    }
}
END_TEST

START_TEST(test_one_byte_at_a_time) {
    Buf out = BUF_INIT;
    for (size_t i = 0; i < sizeof(stream) - 1; i++) {
        resp_reader_feed(r, stream + i, 1);
        ck_assert_int_eq(drain(r, &out), RESP_AGAIN);
        resp_reader_compact(r);
    }
    ck_assert_uint_eq(out.len, sizeof(stream_want) - 1);
    ck_assert_mem_eq(out.data, stream_want, out.len);
    ck_assert_uint_eq(r->buf.len, 0);
    buf_deinit(&out);
}
END_TEST

START_TEST(test_split_then_error_at_every_byte) {
    static const char bad[] = "*1\r\n$4\r\nPING\r\nECHO x\r\n*1\r\nxfoo\r\n";
    size_t n = sizeof(bad) - 1;
    for (size_t cut = 0; cut <= n; cut++) {
        RespReader rd;
        resp_reader_init(&rd);
        Buf out = BUF_INIT;
        resp_reader_feed(&rd, bad, cut);
        int rc = drain(&rd, &out);
        if (rc == RESP_AGAIN) {
            resp_reader_feed(&rd, bad + cut, n - cut);
            rc = drain(&rd, &out);
        }
        ck_assert_int_eq(rc, RESP_ERR);
        ck_assert_str_eq(rd.err, "Protocol error: expected '$', got 'x'");
        ck_assert_str_eq(buf_cstr(&out), "4:PING,;4:ECHO,1:x,;");
        buf_deinit(&out);
        resp_reader_deinit(&rd);
    }
}
END_TEST

START_TEST(test_pipeline_1000) {
    Buf in = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
    for (int i = 0; i < 1000; i++) {
        char key[32];
        int klen = snprintf(key, sizeof(key), "key:%d", i);
        if (i % 2)
            buf_printf(&in, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n", klen, key);
        else
            buf_printf(&in, "SET %s v\r\n", key);
        buf_printf(&want, "3:SET,%d:%s,1:v,;", klen, key);
    }
    resp_reader_feed(r, in.data, in.len);
    ck_assert_int_eq(drain(r, &out), RESP_AGAIN);
    ck_assert_str_eq(buf_cstr(&out), buf_cstr(&want));
    resp_reader_compact(r);
    ck_assert_uint_eq(r->buf.len, 0);
    buf_deinit(&in);
    buf_deinit(&want);
    buf_deinit(&out);
}
END_TEST

START_TEST(test_split_bulk_waits_for_more) {
    feed_str("*1\r\n$5\r\nhel");
    expect_again();
    ck_assert(resp_reader_in_request(r));
    feed_str("lo\r");
    expect_again();
    feed_str("\n");
    expect_request("5:hello,;");
    expect_again();
    ck_assert(!resp_reader_in_request(r));
}
END_TEST

START_TEST(test_binary_safe_bulks) {
    static const char in[] = "*3\r\n$2\r\n\r\n\r\n$3\r\n\0\0\0\r\n$4\r\n*1\r\n\r\n";
    resp_reader_feed(r, in, sizeof(in) - 1);
    int argc;
    RespArg *argv;
    ck_assert_int_eq(resp_reader_next(r, &argc, &argv), RESP_OK);
    ck_assert_int_eq(argc, 3);
    ck_assert_uint_eq(argv[0].len, 2);
    ck_assert_mem_eq(argv[0].ptr, "\r\n", 2);
    ck_assert_uint_eq(argv[1].len, 3);
    ck_assert_mem_eq(argv[1].ptr, "\0\0\0", 3);
    ck_assert_mem_eq(argv[2].ptr, "*1\r\n", 4);
    expect_again();
}
END_TEST

START_TEST(test_missing_crlf_skips_two_bytes) {
    /* Redis skips the 2 bytes after a bulk unchecked: "xx" vanishes, "PING" then parses
     * as an inline request. */
    feed_str("*1\r\n$4\r\nPINGxxPING\r\n");
    expect_request("4:PING,;");
    expect_request("4:PING,;");
    expect_again();
    /* Same after the count line: the byte after '\r' is not checked either. */
    feed_str("*1\rX$4\r\nECHO\r\n");
    expect_request("4:ECHO,;");
}
END_TEST

START_TEST(test_empty_counts_skipped) {
    feed_str("*0\r\n*-1\r\n*-5\r\n");
    expect_again();
    ck_assert(!resp_reader_in_request(r));
    ck_assert_uint_eq(resp_reader_pending(r), 0);
    feed_str("*0\r\nPING\r\n");
    expect_request("4:PING,;");
}
END_TEST

START_TEST(test_zero_length_and_empty_args) {
    feed_str("*2\r\n$0\r\n\r\n$0\r\n\r\n");
    expect_request("0:,0:,;");
    feed_str("echo \"\" ''\n");
    expect_request("4:echo,0:,0:,;");
}
END_TEST

START_TEST(test_int_max_count_allocates_lazily) {
    feed_str("*2147483647\r\n$1\r\na\r\n");
    expect_again();
    ck_assert_int_le(r->argv_cap, 1024);
    ck_assert(resp_reader_in_request(r));
}
END_TEST

START_TEST(test_nul_before_line_end_waits) {
    /* Redis finds line ends with strchr: a NUL hides the CR until the 64 KiB limit. */
    static const char in[] = "*1\0\r\n$4\r\nPING\r\n";
    expect_waiting(in, sizeof(in) - 1);
    static const char in2[] = "pi\0ng\r\nping\r\n";
    expect_waiting(in2, sizeof(in2) - 1);
    Buf big = BUF_INIT;
    buf_append(&big, "x\0", 2);
    for (int i = 0; i < 65536; i++)
        buf_append_char(&big, '\n');
    expect_error(big.data, big.len, "Protocol error: too big inline request");
    buf_deinit(&big);
}
END_TEST

/* ---- buffer management ------------------------------------------------------------ */

START_TEST(test_space_and_commit) {
    static const char req[] = "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n";
    char *p = resp_reader_space(r, 16);
    ck_assert_uint_ge(r->buf.cap - r->buf.len - 1, 16);
    memcpy(p, req, 10);
    resp_reader_commit(r, 10);
    expect_again();
    p = resp_reader_space(r, sizeof(req));
    memcpy(p, req + 10, sizeof(req) - 1 - 10);
    resp_reader_commit(r, sizeof(req) - 1 - 10);
    expect_request("4:ECHO,2:hi,;");
}
END_TEST

START_TEST(test_pending_counts_current_request) {
    feed_str("PING\r\nPI");
    ck_assert_uint_eq(resp_reader_pending(r), 8);
    expect_request("4:PING,;");
    /* Like Redis's qbuf, the running command's bytes still count. */
    ck_assert_uint_eq(resp_reader_pending(r), 8);
    expect_again();
    ck_assert_uint_eq(resp_reader_pending(r), 2);
    ck_assert(resp_reader_in_request(r));
}
END_TEST

START_TEST(test_compact_resets_and_moves) {
    feed_str("PING\r\n");
    expect_request("4:PING,;");
    expect_again();
    resp_reader_compact(r);
    ck_assert_uint_eq(r->buf.len, 0);
    /* Consumed prefix shorter than the tail: nothing moves. */
    feed_str("PING\r\n*1\r\n$10\r\n01234");
    expect_request("4:PING,;");
    expect_again();
    resp_reader_compact(r);
    ck_assert_uint_eq(r->buf.len, 20);
    /* Consumed prefix at least as long as the tail: the tail moves to the front. */
    feed_str("56789\r\nPING\r\n*1\r\n$1");
    expect_request("10:0123456789,;");
    expect_request("4:PING,;");
    expect_again();
    resp_reader_compact(r);
    ck_assert_uint_eq(r->buf.len, 6);
    ck_assert_mem_eq(r->buf.data, "*1\r\n$1", 6);
    feed_str("\r\nx\r\n");
    expect_request("1:x,;");
}
END_TEST

START_TEST(test_compact_keeps_partial_args) {
    /* Compaction in the middle of a multibulk must keep the args already parsed. */
    feed_str("PING\r\nPING\r\nPING\r\n*3\r\n$1\r\na\r\n$1\r\nb");
    for (int i = 0; i < 3; i++)
        expect_request("4:PING,;");
    expect_again();
    resp_reader_compact(r);
    ck_assert_uint_eq(r->start, 0);
    feed_str("\r\n$1\r\nc\r\n");
    expect_request("1:a,1:b,1:c,;");
}
END_TEST

START_TEST(test_big_bulk_reserved_once) {
    const size_t size = 1024 * 1024 + 7;
    feed_str("PING\r\n*2\r\n$3\r\nSET\r\n$1048583\r\n");
    expect_request("4:PING,;");
    expect_again();
    /* The whole bulk is reserved at the $ line; the consumed PING was dropped first. */
    ck_assert_uint_eq(r->start, 0);
    ck_assert_uint_ge(r->buf.cap, r->buf.len + size + 2);
    char *data = r->buf.data;
    size_t cap = r->buf.cap;
    size_t sent = 0;
    while (sent < size + 2) {
        char *p = resp_reader_space(r, 16 * 1024);
        size_t room = r->buf.cap - r->buf.len - 1;
        size_t n = VG_MIN(room, VG_MIN((size_t)16 * 1024, size + 2 - sent));
        for (size_t i = 0; i < n; i++)
            p[i] = (sent + i < size) ? (char)('a' + (sent + i) % 26) : '\r';
        if (sent + n == size + 2) p[n - 1] = '\n';
        resp_reader_commit(r, n);
        sent += n;
        if (sent < size + 2) expect_again();
    }
    ck_assert_ptr_eq(r->buf.data, data);
    ck_assert_uint_eq(r->buf.cap, cap);
    int argc;
    RespArg *argv;
    ck_assert_int_eq(resp_reader_next(r, &argc, &argv), RESP_OK);
    ck_assert_int_eq(argc, 2);
    ck_assert_uint_eq(argv[1].len, size);
    ck_assert_int_eq(argv[1].ptr[size - 1], 'a' + (size - 1) % 26);
}
END_TEST

/* ---- inline ------------------------------------------------------------------------ */

START_TEST(test_inline_line_endings) {
    feed_str("PING\r\nECHO a\nset  k\t v \r\n");
    expect_request("4:PING,;");
    expect_request("4:ECHO,1:a,;");
    expect_request("3:set,1:k,1:v,;");
    /* Only one '\r' before '\n' is stripped; others separate words. */
    feed_str("echo a\rb\r\r\n");
    expect_request("4:echo,1:a,1:b,;");
    expect_again();
}
END_TEST

START_TEST(test_inline_empty_lines_skipped) {
    feed_str("\r\n\n");
    expect_again();
    ck_assert(r->inline_empty);
    feed_str("   \t\r\nPING\n");
    expect_request("4:PING,;");
    ck_assert(!r->inline_empty);
}
END_TEST

START_TEST(test_inline_quotes_and_escapes) {
    feed_str("echo \"a\\x41\\x4g\\n\\r\\t\\b\\a\\\\\\\"\\q\"\n");
    expect_request("4:echo,13:aAx4g\n\r\t\b\a\\\"q,;");
    feed_str("echo 'a\\'b\\n' x\n");
    expect_request("4:echo,5:a'b\\n,1:x,;");
    feed_str("echo a\"b c\"\n");
    expect_request("4:echo,4:ab c,;");
    feed_str("echo \"\\x00\\xfF\"\n");
    expect_request("4:echo,2:\0\xff,;");
    /* \v and \f are whitespace before a word and after a quote, but not inside a word. */
    feed_str("echo \vx a\vb \"q\"\v\n");
    expect_request("4:echo,1:x,3:a\vb,1:q,;");
}
END_TEST

START_TEST(test_inline_long_line_within_limit) {
    Buf line = BUF_INIT;
    buf_append_str(&line, "echo ");
    while (line.len < 65536)
        buf_append_char(&line, 'z');
    resp_reader_feed(r, line.data, line.len);
    expect_again();
    feed_str("\n");
    int argc;
    RespArg *argv;
    ck_assert_int_eq(resp_reader_next(r, &argc, &argv), RESP_OK);
    ck_assert_int_eq(argc, 2);
    ck_assert_uint_eq(argv[1].len, 65536 - 5);
    buf_deinit(&line);
}
END_TEST

START_TEST(test_split_args) {
    RespArg *args;
    static const char line[] = "set \"a\\x00b\" 'it\\'s' plain";
    int n = resp_split_args(line, sizeof(line) - 1, &args);
    ck_assert_int_eq(n, 4);
    ck_assert_uint_eq(args[1].len, 3);
    ck_assert_mem_eq(args[1].ptr, "a\0b", 3);
    ck_assert_str_eq(args[2].ptr, "it's");
    ck_assert_str_eq(args[3].ptr, "plain");
    resp_split_free(args, n);
    ck_assert_int_eq(resp_split_args("  \t ", 4, &args), 0);
    ck_assert_ptr_null(args);
    ck_assert_int_eq(resp_split_args("", 0, &args), 0);
    /* A NUL byte ends the line, as in Redis's C-string splitter. */
    ck_assert_int_eq(resp_split_args("a b\0c", 5, &args), 2);
    resp_split_free(args, 2);
}
END_TEST

START_TEST(test_split_args_unbalanced) {
    static const char *bad[] = {"\"abc",     "'abc",    "\"a\"b", "'a'b",
                                "x \"a\\\"", "\"a\\x4", "'a\\'",  "a \"\"\"\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        RespArg *args = (RespArg *)1;
        ck_assert_int_eq(resp_split_args(bad[i], strlen(bad[i]), &args), -1);
        ck_assert_ptr_null(args);
    }
    RespArg *args;
    /* A quoted NUL-terminated line: "\x" without two hex digits is just 'x'. */
    ck_assert_int_eq(resp_split_args("\"a\\x4\" \"\\\\\"", 11, &args), 2);
    ck_assert_str_eq(args[0].ptr, "ax4");
    ck_assert_str_eq(args[1].ptr, "\\");
    resp_split_free(args, 2);
}
END_TEST

/* ---- limits and errors ------------------------------------------------------------- */

START_TEST(test_invalid_multibulk_length) {
    const char *want = "Protocol error: invalid multibulk length";
    EXPECT_ERROR("*abc\r\n", want);
    EXPECT_ERROR("*2147483648\r\n", want);
    EXPECT_ERROR("*99999999999999999999\r\n", want);
    EXPECT_ERROR("*+1\r\n", want);
    EXPECT_ERROR("*01\r\n", want);
    EXPECT_ERROR("*-0\r\n", want);
    EXPECT_ERROR("* 1\r\n", want);
    EXPECT_ERROR("*1 \r\n", want);
    EXPECT_ERROR("*\r\n", want);
    EXPECT_ERROR("*1\n$4\r\nPING\r\n", want);
}
END_TEST

START_TEST(test_invalid_bulk_length) {
    const char *want = "Protocol error: invalid bulk length";
    EXPECT_ERROR("*1\r\n$abc\r\n", want);
    EXPECT_ERROR("*1\r\n$-1\r\n", want);
    EXPECT_ERROR("*1\r\n$-0\r\n", want);
    EXPECT_ERROR("*1\r\n$+4\r\n", want);
    EXPECT_ERROR("*1\r\n$04\r\n", want);
    EXPECT_ERROR("*1\r\n$\r\n", want);
    EXPECT_ERROR("*1\r\n$4\nPING\r\n", want);
    EXPECT_ERROR("*1\r\n$536870913\r\n", want);
    EXPECT_ERROR("*1\r\n$9223372036854775808\r\n", want);
}
END_TEST

START_TEST(test_bulk_longer_than_limit) {
    r->max_bulk_len = 100;
    EXPECT_ERROR("*1\r\n$101\r\n", "Protocol error: invalid bulk length");
    expect_waiting("*1\r\n$100\r\n", 10);
    /* the default is 512 MiB, inclusive */
    RespReader rd;
    resp_reader_init(&rd);
    ck_assert_int_eq(rd.max_bulk_len, 512LL * 1024 * 1024);
    resp_reader_deinit(&rd);
}
END_TEST

START_TEST(test_expected_dollar) {
    EXPECT_ERROR("*1\r\nxfoo\r\n", "Protocol error: expected '$', got 'x'");
    EXPECT_ERROR("*2\r\n$1\r\na\r\n:1\r\n", "Protocol error: expected '$', got ':'");
    /* CR/LF are shown as spaces, as Redis's formatted errors sanitize them. */
    EXPECT_ERROR("*1\r\n\r\n", "Protocol error: expected '$', got ' '");
    EXPECT_ERROR("*1\r\n\n\r\n", "Protocol error: expected '$', got ' '");
    /* without the line end the reader waits */
    expect_waiting("*1\r\nxfoo", 9);
}
END_TEST

/* prefix + filler bytes with no line end, the line starting at line_start: 64 KiB of line
 * waits, one byte more is the error. */
static void check_line_limit(const char *prefix, size_t line_start, char filler, const char *err) {
    Buf in = BUF_INIT;
    buf_append_str(&in, prefix);
    while (in.len - line_start < 65536)
        buf_append_char(&in, filler);
    expect_waiting(in.data, in.len);
    buf_append_char(&in, filler);
    expect_error(in.data, in.len, err);
    buf_deinit(&in);
}

START_TEST(test_too_big_lines) {
    check_line_limit("*", 0, '1', "Protocol error: too big mbulk count string");
    check_line_limit("*1\r\n$", 4, '1', "Protocol error: too big bulk count string");
    check_line_limit("a", 0, 'a', "Protocol error: too big inline request");
    /* A bulk's data is not a line: 70000 bytes into "$4" are a PING and a too-long
     * inline request, as Redis parses them. */
    Buf in = BUF_INIT;
    buf_append_str(&in, "*1\r\n$4\r\n");
    for (int i = 0; i < 70000; i++)
        buf_append_char(&in, 'x');
    resp_reader_feed(r, in.data, in.len);
    expect_request("4:xxxx,;");
    int argc;
    RespArg *argv;
    ck_assert_int_eq(resp_reader_next(r, &argc, &argv), RESP_ERR);
    ck_assert_str_eq(r->err, "Protocol error: too big inline request");
    buf_deinit(&in);
}
END_TEST

START_TEST(test_unbalanced_quotes) {
    const char *want = "Protocol error: unbalanced quotes in request";
    EXPECT_ERROR("ping \"a\r\n", want);
    EXPECT_ERROR("echo \"a\"b\r\n", want);
    EXPECT_ERROR("echo 'a\n", want);
    EXPECT_ERROR("echo \"a\\\"\r\n", want);
    EXPECT_ERROR("PING\r\nset \"k\r\n", want);
}
END_TEST

START_TEST(test_unauthenticated_limits) {
    r->authenticated = false;
    expect_waiting("*10\r\n", 5);
    EXPECT_ERROR("*11\r\n", "Protocol error: unauthenticated multibulk length");
    expect_waiting("*1\r\n$16384\r\n", 12);
    EXPECT_ERROR("*1\r\n$16385\r\n", "Protocol error: unauthenticated bulk length");
    /* the validity checks come first */
    EXPECT_ERROR("*2147483648\r\n", "Protocol error: invalid multibulk length");
    EXPECT_ERROR("*1\r\n$-1\r\n", "Protocol error: invalid bulk length");
    /* negative counts are still skipped, inline requests have no such limits */
    feed_str("*-20\r\nPING\r\na b c d e f g h i j k l\r\n");
    expect_request("4:PING,;");
    int argc;
    RespArg *argv;
    ck_assert_int_eq(resp_reader_next(r, &argc, &argv), RESP_OK);
    ck_assert_int_eq(argc, 12);
    /* once authenticated, the normal limits apply */
    r->authenticated = true;
    feed_str("*11\r\n");
    expect_again();
}
END_TEST

START_TEST(test_error_is_sticky) {
    feed_str("*x\r\n");
    int argc;
    RespArg *argv;
    ck_assert_int_eq(resp_reader_next(r, &argc, &argv), RESP_ERR);
    feed_str("PING\r\n");
    ck_assert_int_eq(resp_reader_next(r, &argc, &argv), RESP_ERR);
    ck_assert_str_eq(r->err, "Protocol error: invalid multibulk length");
}
END_TEST

static Suite *resp_reader_suite(void) {
    Suite *s = suite_create("resp_reader");
    TCase *tc = tcase_create("framing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_whole_stream);
    tcase_add_test(tc, test_split_at_every_byte);
    tcase_add_test(tc, test_one_byte_at_a_time);
    tcase_add_test(tc, test_split_then_error_at_every_byte);
    tcase_add_test(tc, test_pipeline_1000);
    tcase_add_test(tc, test_split_bulk_waits_for_more);
    tcase_add_test(tc, test_binary_safe_bulks);
    tcase_add_test(tc, test_missing_crlf_skips_two_bytes);
    tcase_add_test(tc, test_empty_counts_skipped);
    tcase_add_test(tc, test_zero_length_and_empty_args);
    tcase_add_test(tc, test_int_max_count_allocates_lazily);
    tcase_add_test(tc, test_nul_before_line_end_waits);
    suite_add_tcase(s, tc);

    tc = tcase_create("buffer");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_space_and_commit);
    tcase_add_test(tc, test_pending_counts_current_request);
    tcase_add_test(tc, test_compact_resets_and_moves);
    tcase_add_test(tc, test_compact_keeps_partial_args);
    tcase_add_test(tc, test_big_bulk_reserved_once);
    suite_add_tcase(s, tc);

    tc = tcase_create("inline");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_inline_line_endings);
    tcase_add_test(tc, test_inline_empty_lines_skipped);
    tcase_add_test(tc, test_inline_quotes_and_escapes);
    tcase_add_test(tc, test_inline_long_line_within_limit);
    tcase_add_test(tc, test_split_args);
    tcase_add_test(tc, test_split_args_unbalanced);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_invalid_multibulk_length);
    tcase_add_test(tc, test_invalid_bulk_length);
    tcase_add_test(tc, test_bulk_longer_than_limit);
    tcase_add_test(tc, test_expected_dollar);
    tcase_add_test(tc, test_too_big_lines);
    tcase_add_test(tc, test_unbalanced_quotes);
    tcase_add_test(tc, test_unauthenticated_limits);
    tcase_add_test(tc, test_error_is_sticky);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(resp_reader_suite());
}
