/* test_it_basic.c - vigil-server end to end: framing, pipelining, inline commands, protocol
 * errors, client limits, AUTH/HELLO, idle timeout, unix socket, query-buffer limit, expiry
 * and shutdown, each against a real process started by the harness.
 *
 * Each TCase gets its own server through an unchecked fixture (started once per TCase in the
 * runner process, stopped in its teardown even when a test fails); tests of one TCase share
 * it, so they use their own keys. Expected replies are Redis 7.0's exact bytes. To run one
 * case against the reference: VIGIL_SERVER=/usr/bin/redis-server CK_RUN_CASE=auth ./test_it_basic
 * (the harness writes redis.conf syntax when the binary is a redis-server). */
#include "harness.h"

#include <check.h>
#include <hiredis/hiredis.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

static ItServer *srv; /* the current TCase's server */

static void start_with(const char *const *extra) {
    srv = it_server_start(IT_VIGIL, extra);
    ck_assert_msg(srv != NULL, "server did not start (see the log above)");
}

static void stop_server(void) {
    it_server_stop(srv);
    srv = NULL;
}

/* clang-format off */
static void setup_default(void) { start_with((const char *const[]){"--enable-debug-command", "yes", NULL}); }
static void setup_maxclients(void) { start_with((const char *const[]){"--maxclients", "2", NULL}); }
static void setup_auth(void) { start_with((const char *const[]){"--requirepass", "secret", NULL}); }
static void setup_timeout(void) { start_with((const char *const[]){"--timeout", "1", NULL}); }
static void setup_unixsocket(void) { start_with((const char *const[]){"--unixsocket", "@DIR@/vigil.sock", NULL}); }
static void setup_unixsocketperm(void) {
    start_with((const char *const[]){"--unixsocket", "@DIR@/vigil.sock", "--unixsocketperm", "700", NULL});
}
static void setup_querybuf(void) { start_with((const char *const[]){"--client-query-buffer-limit", "1mb", NULL}); }
/* clang-format on */

static ItConn *conn(void) {
    ItConn *c = it_conn_tcp(srv->port);
    ck_assert_msg(c != NULL, "cannot connect to port %d", srv->port);
    return c;
}

/* Asserts that raw reply bytes equal want (both shown escaped on failure). */
static void
assert_raw(const char *what, const char *got, size_t gotlen, const char *want, size_t wantlen) {
    if (gotlen == wantlen && memcmp(got, want, wantlen) == 0) return;
    char *g = it_escape(got, gotlen, 300), *w = it_escape(want, wantlen, 300);
    ck_abort_msg("%s: got \"%s\", want \"%s\"", what, g, w);
}

/* Sends a space-split command on c and asserts its exact reply. */
static void expect(ItConn *c, const char *cmdline, const char *want) {
    char *got = it_conn_cmd(c, cmdline);
    assert_raw(cmdline, got, strlen(got), want, strlen(want));
    free(got);
}

/* Sends raw bytes and asserts the exact reply. */
static void expect_raw(ItConn *c, const char *bytes, size_t n, const char *want) {
    char *got = NULL, *what = it_escape(bytes, n, 80);
    size_t gotlen = 0;
    ck_assert_msg(it_conn_send(c, bytes, n, 5000) == 0, "send %s failed", what);
    int rc = it_conn_read_reply(c, 5000, &got, &gotlen);
    ck_assert_msg(rc == IT_OK, "%s: no reply (rc %d)", what, rc);
    assert_raw(what, got, gotlen, want, strlen(want));
    free(got);
    free(what);
}

static bool starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- commands ---- */

START_TEST(test_ping_echo) {
    ItConn *c = conn();
    expect(c, "PING", "+PONG\r\n");
    expect(c, "PING hello", "$5\r\nhello\r\n");
    expect(c, "ECHO hi", "$2\r\nhi\r\n");
    expect(c, "ECHO", "-ERR wrong number of arguments for 'echo' command\r\n");
    const char *argv[] = {"ECHO", "a\0b\r\n"};
    size_t lens[] = {4, 5};
    ck_assert_int_eq(it_conn_send_argv(c, 2, argv, lens), 0);
    char *got;
    size_t n;
    ck_assert_int_eq(it_conn_read_reply(c, 5000, &got, &n), IT_OK);
    assert_raw("ECHO binary", got, n, "$5\r\na\0b\r\n\r\n", 11);
    free(got);
    it_conn_close(c);
}
END_TEST

START_TEST(test_set_get_round_trip) {
    redisContext *r = it_redis_connect(srv);
    ck_assert_ptr_nonnull(r);
    redisReply *rep = redisCommand(r, "SET %s %s", "rt:key", "value");
    ck_assert_ptr_nonnull(rep);
    ck_assert_int_eq(rep->type, REDIS_REPLY_STATUS);
    ck_assert_str_eq(rep->str, "OK");
    freeReplyObject(rep);
    rep = redisCommand(r, "GET %s", "rt:key");
    ck_assert_int_eq(rep->type, REDIS_REPLY_STRING);
    ck_assert_str_eq(rep->str, "value");
    freeReplyObject(rep);
    rep = redisCommand(r, "GET %s", "rt:missing");
    ck_assert_int_eq(rep->type, REDIS_REPLY_NIL);
    freeReplyObject(rep);
    redisFree(r);
    ItConn *c = conn();
    expect(c, "GET rt:missing", "$-1\r\n");
    expect(c, "GET rt:key", "$5\r\nvalue\r\n");
    it_conn_close(c);
}
END_TEST

START_TEST(test_one_megabyte_binary_value) {
    size_t len = 1 << 20;
    char *v = malloc(len);
    for (size_t i = 0; i < len; i++)
        v[i] = (char)((i * 31 + 7) & 0xff);
    for (size_t i = 0; i + 2 < len; i += 4099) { /* CRLF and NUL scattered through it */
        v[i] = '\r';
        v[i + 1] = '\n';
        v[i + 2] = '\0';
    }
    memcpy(v + len - 2, "\r\n", 2);
    redisContext *r = it_redis_connect(srv);
    ck_assert_ptr_nonnull(r);
    redisReply *rep = redisCommand(r, "SET %s %b", "big:bin", v, len);
    ck_assert_ptr_nonnull(rep);
    ck_assert_int_eq(rep->type, REDIS_REPLY_STATUS);
    freeReplyObject(rep);
    rep = redisCommand(r, "GET %s", "big:bin");
    ck_assert_ptr_nonnull(rep);
    ck_assert_int_eq(rep->type, REDIS_REPLY_STRING);
    ck_assert_uint_eq(rep->len, len);
    ck_assert_msg(memcmp(rep->str, v, len) == 0, "1 MB value came back different");
    freeReplyObject(rep);
    rep = redisCommand(r, "STRLEN %s", "big:bin");
    ck_assert_int_eq(rep->type, REDIS_REPLY_INTEGER);
    ck_assert_int_eq(rep->integer, (long long)len);
    freeReplyObject(rep);
    redisFree(r);
    free(v);
}
END_TEST

START_TEST(test_pipeline_1000_in_one_write) {
    static const char one[] = "*2\r\n$4\r\nINCR\r\n$8\r\npipe:ctr\r\n";
    size_t n1 = sizeof(one) - 1;
    char *all = malloc(n1 * 1000);
    for (int i = 0; i < 1000; i++)
        memcpy(all + (size_t)i * n1, one, n1);
    ItConn *c = conn();
    ck_assert_int_eq(it_conn_send(c, all, n1 * 1000, 10000), 0);
    for (int i = 1; i <= 1000; i++) {
        char *got, want[32];
        size_t n;
        int rc = it_conn_read_reply(c, 5000, &got, &n);
        ck_assert_msg(rc == IT_OK, "reply %d of 1000 missing (rc %d)", i, rc);
        snprintf(want, sizeof(want), ":%d\r\n", i);
        assert_raw("pipelined INCR", got, n, want, strlen(want));
        free(got);
    }
    free(all);
    it_conn_close(c);
}
END_TEST

START_TEST(test_request_one_byte_at_a_time) {
    static const char req[] = "*3\r\n$3\r\nSET\r\n$8\r\nbytewise\r\n$5\r\nhello\r\n";
    static const char inl[] = "ECHO abc\r\n";
    ItConn *c = conn();
    for (size_t i = 0; i < sizeof(req) - 1; i++)
        ck_assert_int_eq(it_conn_send(c, req + i, 1, 2000), 0);
    char *got;
    size_t n;
    ck_assert_int_eq(it_conn_read_reply(c, 5000, &got, &n), IT_OK);
    assert_raw("byte-wise SET", got, n, "+OK\r\n", 5);
    free(got);
    for (size_t i = 0; i < sizeof(inl) - 1; i++)
        ck_assert_int_eq(it_conn_send(c, inl + i, 1, 2000), 0);
    ck_assert_int_eq(it_conn_read_reply(c, 5000, &got, &n), IT_OK);
    assert_raw("byte-wise inline ECHO", got, n, "$3\r\nabc\r\n", 9);
    free(got);
    expect(c, "GET bytewise", "$5\r\nhello\r\n");
    it_conn_close(c);
}
END_TEST

START_TEST(test_inline_commands) {
    ItConn *c = conn();
    expect_raw(c, "PING\r\n", 6, "+PONG\r\n");
    expect_raw(c, "SET inl \"hello world\"\r\n", 23, "+OK\r\n");
    expect_raw(c, "GET inl\n", 8, "$11\r\nhello world\r\n"); /* a bare LF ends a line too */
    expect_raw(c, "ECHO \"a\\x41\\n\"\r\n", 16, "$3\r\naA\n\r\n");
    expect_raw(c, "ECHO 'it''s'\r\n", 14, "-ERR Protocol error: unbalanced quotes in request\r\n");
    ck_assert_msg(it_conn_wait_closed(c, 5000), "connection not closed after a protocol error");
    it_conn_close(c);
    c = conn();
    expect_raw(c, "\r\n\r\nPING\r\n", 10, "+PONG\r\n"); /* empty lines are skipped */
    expect_raw(c, "PING\r\nECHO x\r\n", 14, "+PONG\r\n");
    char *got;
    size_t n;
    ck_assert_int_eq(it_conn_read_reply(c, 5000, &got, &n), IT_OK);
    assert_raw("second inline command of one write", got, n, "$1\r\nx\r\n", 7);
    free(got);
    it_conn_close(c);
}
END_TEST

typedef struct {
    const char *name;
    const char *bytes; /* NULL: 70000 bytes of fill with no newline */
    char fill;
    const char *want;
} ProtoCase;

START_TEST(test_protocol_error_closes_only_that_connection) {
    static const ProtoCase cases[] = {
        {"expected $", "*1\r\nfoo\r\n", 0, "-ERR Protocol error: expected '$', got 'f'\r\n"},
        {"mbulk length", "*abc\r\n", 0, "-ERR Protocol error: invalid multibulk length\r\n"},
        {"bulk length", "*1\r\n$abc\r\n", 0, "-ERR Protocol error: invalid bulk length\r\n"},
        {"negative bulk", "*1\r\n$-5\r\n", 0, "-ERR Protocol error: invalid bulk length\r\n"},
        {"huge mbulk", "*2147483648\r\n", 0, "-ERR Protocol error: invalid multibulk length\r\n"},
        {"long inline", NULL, 'a', "-ERR Protocol error: too big inline request\r\n"},
        {"long mbulk count", NULL, '1', "-ERR Protocol error: too big mbulk count string\r\n"},
    };
    ItConn *other = conn();
    expect(other, "SET proto:other alive", "+OK\r\n");
    char *fill = malloc(70001);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const ProtoCase *pc = &cases[i];
        ItConn *c = conn();
        size_t n;
        const char *bytes = pc->bytes;
        if (bytes) {
            n = strlen(bytes);
        } else {
            memset(fill, pc->fill, 70000);
            if (pc->fill != 'a') fill[0] = '*';
            n = 70000;
            bytes = fill;
        }
        it_conn_send(c, bytes, n, 5000); /* may fail once the server has closed */
        char *got = NULL;
        size_t gotlen = 0;
        int rc = it_conn_read_reply(c, 5000, &got, &gotlen);
        ck_assert_msg(rc == IT_OK, "%s: no error reply (rc %d)", pc->name, rc);
        assert_raw(pc->name, got, gotlen, pc->want, strlen(pc->want));
        free(got);
        ck_assert_msg(it_conn_wait_closed(c, 5000), "%s: connection left open", pc->name);
        it_conn_close(c);
        expect(other, "GET proto:other", "$5\r\nalive\r\n");
    }
    free(fill);
    it_conn_close(other);
}
END_TEST

START_TEST(test_hello_3_then_2) {
    ItConn *c = conn();
    char *got = it_conn_cmd(c, "HELLO 3");
    ck_assert_msg(starts_with(got, "%7\r\n$6\r\nserver\r\n"), "HELLO 3: %s",
                  it_escape(got, strlen(got), 200));
    ck_assert_msg(strstr(got, "$5\r\nproto\r\n:3\r\n") != NULL, "HELLO 3 lacks proto 3");
    free(got);
    expect(c, "GET hello:missing", "_\r\n");
    expect(c, "PING", "+PONG\r\n");
    got = it_conn_cmd(c, "HELLO 2");
    ck_assert_msg(starts_with(got, "*14\r\n$6\r\nserver\r\n"), "HELLO 2: %s",
                  it_escape(got, strlen(got), 200));
    free(got);
    expect(c, "GET hello:missing", "$-1\r\n");
    expect(c, "HELLO 4", "-NOPROTO unsupported protocol version\r\n");
    it_conn_close(c);
}
END_TEST

/* ---- expiry (same server: debug commands on) ---- */

typedef struct {
    ItConn *c;
    const char *cmd;
    const char *want;
} ReplyIs;

static bool reply_is(void *ud) {
    ReplyIs *ri = ud;
    char *got = it_conn_cmd(ri->c, ri->cmd);
    bool ok = strcmp(got, ri->want) == 0;
    free(got);
    return ok;
}

START_TEST(test_px_expiry) {
    ItConn *c = conn();
    expect(c, "SET exp:k v PX 100", "+OK\r\n");
    expect(c, "GET exp:k", "$1\r\nv\r\n");
    ReplyIs ri = {c, "GET exp:k", "$-1\r\n"};
    ck_assert_msg(it_wait_until(reply_is, &ri, 3000), "key with PX 100 still there after 3 s");
    it_conn_close(c);
}
END_TEST

START_TEST(test_active_expiry) {
    ItConn *c = conn();
    expect(c, "SELECT 9", "+OK\r\n");
    expect(c, "DEBUG SET-ACTIVE-EXPIRE 1", "+OK\r\n");
    size_t cap = 1000 * 64, n = 0;
    char *all = malloc(cap);
    for (int i = 0; i < 1000; i++) {
        char key[16];
        int kl = snprintf(key, sizeof(key), "ae:%d", i);
        n += (size_t)snprintf(all + n, cap - n,
                              "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n$2\r\nPX\r\n$2\r\n50\r\n",
                              kl, key);
    }
    ck_assert_int_eq(it_conn_send(c, all, n, 10000), 0);
    free(all);
    for (int i = 0; i < 1000; i++) {
        char *got;
        size_t gl;
        ck_assert_int_eq(it_conn_read_reply(c, 5000, &got, &gl), IT_OK);
        assert_raw("SET PX 50", got, gl, "+OK\r\n", 5);
        free(got);
    }
    ReplyIs ri = {c, "DBSIZE", ":0\r\n"};
    ck_assert_msg(it_wait_until(reply_is, &ri, 5000),
                  "active expiry left keys after 5 s (never read)");
    it_conn_close(c);
}
END_TEST

/* ---- maxclients 2 ---- */

/* A connection that got a slot: the server may not have seen the harness's readiness
 * probe close yet, so a refused attempt is retried until the deadline. */
static ItConn *conn_with_slot(int timeout_ms) {
    int64_t deadline = it_now_ms() + timeout_ms;
    while (it_now_ms() < deadline) {
        ItConn *c = conn();
        char *got = it_conn_cmd(c, "PING");
        bool ok = strcmp(got, "+PONG\r\n") == 0;
        free(got);
        if (ok) return c;
        it_conn_close(c);
        it_pause_ms(10);
    }
    return NULL;
}

START_TEST(test_third_client_refused) {
    ItConn *a = conn_with_slot(5000), *b = conn_with_slot(5000);
    ck_assert_msg(a && b, "two clients should fit in maxclients 2");
    ItConn *c = conn();
    char *got;
    size_t n;
    int rc = it_conn_read_reply(c, 5000, &got, &n);
    ck_assert_msg(rc == IT_OK, "third client: no error reply (rc %d)", rc);
    assert_raw("third client", got, n, "-ERR max number of clients reached\r\n", 36);
    free(got);
    ck_assert_msg(it_conn_wait_closed(c, 5000), "third client left open");
    it_conn_close(c);
    expect(a, "PING", "+PONG\r\n");
    it_conn_close(a);
    ItConn *d = conn_with_slot(5000); /* the freed slot is reusable */
    ck_assert_msg(d != NULL, "slot not freed after a client left");
    it_conn_close(d);
    it_conn_close(b);
}
END_TEST

/* ---- requirepass secret ---- */

#define WRONGPASS "-WRONGPASS invalid username-password pair or user is disabled.\r\n"

START_TEST(test_noauth_then_auth) {
    ItConn *c = conn();
    expect(c, "GET k", "-NOAUTH Authentication required.\r\n");
    expect(c, "AUTH wrong", WRONGPASS);
    expect(c, "AUTH default wrong", WRONGPASS);
    expect(c, "GET k", "-NOAUTH Authentication required.\r\n");
    expect(c, "AUTH secret", "+OK\r\n");
    expect(c, "GET k", "$-1\r\n");
    it_conn_close(c);
    c = conn();
    expect(c, "AUTH default secret", "+OK\r\n");
    expect(c, "PING", "+PONG\r\n");
    it_conn_close(c);
}
END_TEST

START_TEST(test_unauthenticated_big_requests_rejected) {
    ItConn *c = conn();
    expect_raw(c, "*100\r\n", 6, "-ERR Protocol error: unauthenticated multibulk length\r\n");
    ck_assert_msg(it_conn_wait_closed(c, 5000), "connection left open");
    it_conn_close(c);
    c = conn();
    expect_raw(c, "*1\r\n$100000\r\n", 13, "-ERR Protocol error: unauthenticated bulk length\r\n");
    ck_assert_msg(it_conn_wait_closed(c, 5000), "connection left open");
    it_conn_close(c);
}
END_TEST

START_TEST(test_hello_auth) {
    ItConn *c = conn();
    expect(c, "HELLO 3",
           "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
           "HELLO AUTH <user> <pass> option can be used to authenticate the client and "
           "select the RESP protocol version at the same time\r\n");
    expect(c, "HELLO 3 AUTH default wrong", WRONGPASS);
    char *got = it_conn_cmd(c, "HELLO 3 AUTH default secret");
    ck_assert_msg(starts_with(got, "%7\r\n"), "HELLO 3 AUTH: %s", it_escape(got, strlen(got), 200));
    free(got);
    expect(c, "GET hello:missing", "_\r\n");
    it_conn_close(c);
}
END_TEST

/* ---- timeout 1 ---- */

START_TEST(test_idle_client_disconnected) {
    ItConn *c = conn();
    expect(c, "PING", "+PONG\r\n");
    int64_t t0 = it_now_ms();
    ck_assert_msg(it_conn_wait_closed(c, 5000), "idle client still connected after 5 s");
    int64_t idle = it_now_ms() - t0;
    ck_assert_msg(idle >= 900, "idle client closed after only %lld ms", (long long)idle);
    it_conn_close(c);
}
END_TEST

/* ---- unixsocket ---- */

START_TEST(test_unix_socket) {
    char path[400];
    snprintf(path, sizeof(path), "%s/vigil.sock", srv->dir);
    ItConn *c = it_conn_unix(path);
    ck_assert_msg(c != NULL, "cannot connect to %s", path);
    expect(c, "PING", "+PONG\r\n");
    expect(c, "SET unix:k v", "+OK\r\n");
    it_conn_close(c);
    c = conn();
    expect(c, "GET unix:k", "$1\r\nv\r\n"); /* same keyspace over TCP */
    it_conn_close(c);
}
END_TEST

/* unixsocketperm is octal, as in Redis ("700" = rwx------). */
START_TEST(test_unix_socket_perm_is_octal) {
    char path[400];
    struct stat st;
    snprintf(path, sizeof(path), "%s/vigil.sock", srv->dir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_msg((st.st_mode & 0777) == 0700, "mode %o, want 700", (unsigned)(st.st_mode & 0777));
    ItConn *c = it_conn_unix(path);
    ck_assert_ptr_nonnull(c);
    expect(c, "PING", "+PONG\r\n");
    it_conn_close(c);
}
END_TEST

/* ---- client-query-buffer-limit 1mb ---- */

START_TEST(test_query_buffer_limit_closes) {
    static const char hdr[] = "*3\r\n$3\r\nSET\r\n$5\r\nqb:k1\r\n$4194304\r\n";
    size_t n = 2u << 20;
    char *data = malloc(n);
    memset(data, 'x', n);
    ItConn *c = conn();
    ck_assert_int_eq(it_conn_send(c, hdr, sizeof(hdr) - 1, 5000), 0);
    it_conn_send(c, data, n, 5000); /* the server may close before it has read all */
    free(data);
    ck_assert_msg(it_conn_wait_closed(c, 5000),
                  "2 MB of an unfinished request did not close the connection");
    it_conn_close(c);
    c = conn();
    expect(c, "EXISTS qb:k1", ":0\r\n");
    it_conn_close(c);
}
END_TEST

/* ---- shutdown ---- */

START_TEST(test_sigterm_exits_zero) {
    ItServer *s = it_server_start(IT_VIGIL, NULL);
    ck_assert_ptr_nonnull(s);
    ItConn *c = it_conn_tcp(s->port);
    ck_assert_ptr_nonnull(c);
    expect(c, "SET shutdown:k v", "+OK\r\n");
    int64_t t0 = it_now_ms();
    ck_assert_int_eq(it_server_signal(s, SIGTERM), 0);
    bool gone = it_server_wait_exit(s, 5000);
    int64_t took = it_now_ms() - t0;
    it_conn_close(c);
    int st = s->exit_status;
    int stop_rc = it_server_stop(s);
    ck_assert_msg(gone, "server still running 5 s after SIGTERM");
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "SIGTERM: %s %d (after %lld ms)",
                  WIFEXITED(st) ? "exit status" : "killed by signal",
                  WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), (long long)took);
    ck_assert_int_eq(stop_rc, 0);
}
END_TEST

static TCase *tcase(Suite *s, const char *name, void (*setup)(void)) {
    TCase *tc = tcase_create(name);
    if (setup) tcase_add_unchecked_fixture(tc, setup, stop_server);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *basic_suite(void) {
    Suite *s = suite_create("it_basic");
    TCase *tc = tcase(s, "commands", setup_default);
    tcase_add_test(tc, test_ping_echo);
    tcase_add_test(tc, test_set_get_round_trip);
    tcase_add_test(tc, test_one_megabyte_binary_value);
    tcase_add_test(tc, test_pipeline_1000_in_one_write);
    tcase_add_test(tc, test_request_one_byte_at_a_time);
    tcase_add_test(tc, test_inline_commands);
    tcase_add_test(tc, test_protocol_error_closes_only_that_connection);
    tcase_add_test(tc, test_hello_3_then_2);
    tcase_add_test(tc, test_px_expiry);
    tcase_add_test(tc, test_active_expiry);
    tcase_add_test(tcase(s, "maxclients", setup_maxclients), test_third_client_refused);
    tc = tcase(s, "auth", setup_auth);
    tcase_add_test(tc, test_noauth_then_auth);
    tcase_add_test(tc, test_unauthenticated_big_requests_rejected);
    tcase_add_test(tc, test_hello_auth);
    tcase_add_test(tcase(s, "timeout", setup_timeout), test_idle_client_disconnected);
    tcase_add_test(tcase(s, "unixsocket", setup_unixsocket), test_unix_socket);
    tcase_add_test(tcase(s, "unixsocketperm", setup_unixsocketperm),
                   test_unix_socket_perm_is_octal);
    tcase_add_test(tcase(s, "querybuf", setup_querybuf), test_query_buffer_limit_closes);
    tcase_add_test(tcase(s, "shutdown", NULL), test_sigterm_exits_zero);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(basic_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (it_failures()) fprintf(stderr, "%d server failure(s) seen by the harness\n", it_failures());
    return (failed || it_failures()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
