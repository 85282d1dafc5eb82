/* harness.h - integration-test harness: real server processes on free loopback ports.
 *
 *   it_server_start()   picks a free port, writes a config into a fresh temp dir (INI for
 *                       vigil-server, redis.conf syntax for redis-server), starts the binary
 *                       with stdout/stderr in that dir and waits for a PING reply
 *   it_server_stop()    SIGTERM, bounded wait, SIGKILL; scans the logs for sanitizer reports;
 *                       removes the temp dir. Servers still running when the process exits
 *                       (a failed check test exits early) are stopped by an atexit handler,
 *                       and PR_SET_PDEATHSIG kills them if the test process itself dies.
 *   ItConn              a raw socket that sends bytes and reads ONE complete RESP reply as
 *                       raw bytes, with a timeout; RESP2 and RESP3 (hiredis 0.14's reader has
 *                       no RESP3, so the reply boundary scanner is our own: it_resp_scan)
 *   it_wait_until()     the only way tests wait: a condition polled with a deadline
 *
 * Binaries: VIGIL_SERVER (CMake passes $<TARGET_FILE:vigil-server>), REDIS_SERVER (default
 * /usr/bin/redis-server). Set IT_KEEP_DIR=1 to keep temp dirs for a post-mortem.
 * Failures the harness sees outside a test (sanitizer report, crash) are counted in
 * it_failures(); test mains add it to their exit status. */
#ifndef VIGIL_TESTS_INTEGRATION_HARNESS_H
#define VIGIL_TESTS_INTEGRATION_HARNESS_H

#include <hiredis/hiredis.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum {
    IT_VIGIL, /* $VIGIL_SERVER, INI config */
    IT_REDIS, /* $REDIS_SERVER, redis.conf config (the reference) */
} ItKind;

typedef struct ItServer {
    ItKind kind;
    pid_t pid;   /* 0 once reaped */
    pid_t owner; /* the process that started it; only it may stop it */
    int port;
    int exit_status; /* waitpid status after it_server_stop / it_server_wait_exit */
    bool exited;
    char dir[256]; /* temp dir: config, logs, unix socket, dumps */
    char conf[300];
    char out_path[300];
    char err_path[300];
} ItServer;

/* Result codes of ItConn reads. */
enum {
    IT_OK = 0,
    IT_CLOSED = -1,  /* peer closed (EOF or reset) before a complete reply */
    IT_TIMEOUT = -2, /* no complete reply within the timeout */
    IT_PROTO = -3,   /* bytes that are not RESP */
};

typedef struct ItConn {
    int fd;
    char *buf; /* received, not yet returned bytes: buf[0..len) */
    size_t len, cap;
} ItConn;

/* ---- time and waiting ---- */
int64_t it_now_ms(void);
/* Polls cond(ud) every few ms until it is true (returns true) or timeout_ms passes. */
bool it_wait_until(bool (*cond)(void *ud), void *ud, int timeout_ms);
/* A short pause between two polls of a condition; never a way to wait for an event. */
void it_pause_ms(int ms);

/* ---- servers ---- */
const char *it_binary(ItKind kind);
/* A port that was free a moment ago (bind 127.0.0.1:0, read it, close). 0 on failure. */
int it_free_port(void);
/* Starts a server; extra is a NULL-terminated list of command-line words ("--timeout", "1",
 * ...) appended after the config file. Any "@DIR@" inside a word becomes the temp dir.
 * Returns NULL (after printing why and the logs) if it does not answer PING within 10 s;
 * retries with a new port when the first one was taken meanwhile. */
ItServer *it_server_start(ItKind kind, const char *const *extra);
/* Stops (TERM, up to 10 s, then KILL), checks the logs, removes the temp dir, frees s.
 * Returns 0 if the server exited with status 0 and left no sanitizer report. Counts a
 * failure in it_failures() (and prints the logs) for a sanitizer report, a crash (death by
 * a signal other than TERM/KILL) or a hang on shutdown (needed KILL). NULL: no-op, 0. */
int it_server_stop(ItServer *s);
/* Sends sig to the server (by PID). */
int it_server_signal(ItServer *s, int sig);
/* Waits up to timeout_ms for the server to exit; true if it did (status in exit_status). */
bool it_server_wait_exit(ItServer *s, int timeout_ms);
/* true if the logs hold an AddressSanitizer/UBSan/LeakSanitizer report (printed). */
bool it_server_has_sanitizer_report(const ItServer *s);
/* Prints the last lines of the server's stdout/stderr to stderr. */
void it_server_dump_logs(const ItServer *s);
/* Failures the harness noticed outside assertions (sanitizer reports, crashes). */
int it_failures(void);

/* ---- hiredis (RESP2) clients ---- */
redisContext *it_redis_connect(const ItServer *s); /* 5 s timeouts; NULL on failure */

/* ---- raw connections ---- */
ItConn *it_conn_tcp(int port); /* NULL on failure */
ItConn *it_conn_unix(const char *path);
void it_conn_close(ItConn *c); /* NULL is a no-op */
/* Writes all bytes (up to timeout_ms). 0, or -1 if the peer closed / timeout. */
int it_conn_send(ItConn *c, const void *p, size_t n, int timeout_ms);
/* Sends argv as a RESP multibulk. */
int it_conn_send_argv(ItConn *c, int argc, const char *const *argv, const size_t *lens);
/* Reads one complete reply; on IT_OK *out (malloc'd, NUL-terminated for convenience) and
 * *outlen hold its exact bytes. */
int it_conn_read_reply(ItConn *c, int timeout_ms, char **out, size_t *outlen);
/* Splits a simple command on spaces (no quoting), sends it, reads one reply. Returns the
 * malloc'd raw reply, or a malloc'd "<closed>"/"<timeout>"/"<protocol error>" marker. */
char *it_conn_cmd(ItConn *c, const char *cmdline);
/* Bytes received but not yet returned as a reply, after taking in whatever is readable
 * right now (no waiting). Nonzero after a reply means the peer sent more than it was asked
 * for: its framing is broken (e.g. an array header that counts one element too few). */
size_t it_conn_pending(ItConn *c);
/* Reads and drops bytes until EOF; true if the peer closed within timeout_ms. */
bool it_conn_wait_closed(ItConn *c, int timeout_ms);

/* ---- RESP ---- */
/* Finds the end of one complete RESP2/RESP3 reply at p[0..n). Returns 1 and sets *used,
 * 0 if more bytes are needed, -1 if the bytes are not RESP. */
int it_resp_scan(const char *p, size_t n, size_t *used);
/* C-style escaped copy for messages ("+OK\r\n" -> "+OK\\r\\n"); malloc'd. Long inputs are
 * cut after max_bytes with a "...(N bytes)" note. */
char *it_escape(const char *p, size_t n, size_t max_bytes);

#endif
