/* test_sdnotify.c - sd_notify without libsystemd: which modes send, the datagrams a unix
 * dgram socket receives (path and abstract names), WATCHDOG_USEC parsing, and the watchdog
 * timer's pings from a real libev loop (EXTEND_TIMEOUT_USEC before READY=1, WATCHDOG=1
 * after). */
#include "check_main.h"
#include "common/sdnotify.h"

#include <check.h>
#include <ev.h>

#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char sock_dir[64];
static char sock_path[128];
static int sock_fd = -1;

/* A unix dgram socket bound to a fresh path (or abstract name); NOTIFY_SOCKET names it. */
static void listen_at(bool abstract) {
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    socklen_t len;
    if (abstract) {
        snprintf(sock_path, sizeof(sock_path), "@vigil-sdnotify-test-%d", (int)getpid());
        memcpy(a.sun_path, sock_path, strlen(sock_path));
        a.sun_path[0] = '\0';
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sock_path));
    } else {
        snprintf(sock_dir, sizeof(sock_dir), "/tmp/vigil-sdn-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(sock_dir));
        snprintf(sock_path, sizeof(sock_path), "%s/notify", sock_dir);
        memcpy(a.sun_path, sock_path, strlen(sock_path) + 1);
        len = sizeof(a);
    }
    sock_fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    ck_assert_int_ge(sock_fd, 0);
    ck_assert_int_eq(bind(sock_fd, (struct sockaddr *)&a, len), 0);
    setenv("NOTIFY_SOCKET", sock_path, 1);
}

static void setup(void) {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    sock_dir[0] = '\0';
}

static void teardown(void) {
    if (sock_fd >= 0) close(sock_fd);
    sock_fd = -1;
    if (sock_dir[0]) {
        unlink(sock_path);
        rmdir(sock_dir);
    }
}

/* The next datagram as a string, or "" when none arrives within timeout_ms. */
static const char *next_msg(int timeout_ms) {
    static char buf[2048];
    struct pollfd p = {.fd = sock_fd, .events = POLLIN};
    buf[0] = '\0';
    if (poll(&p, 1, timeout_ms) != 1) return buf;
    ssize_t n = recv(sock_fd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

START_TEST(test_watchdog_interval_is_half) {
    ck_assert_int_eq(sdnotify_watchdog_interval_us("30000000", NULL, 42), 15000000);
    ck_assert_int_eq(sdnotify_watchdog_interval_us("200000", "", 42), 100000);
    ck_assert_int_eq(sdnotify_watchdog_interval_us("200000", "42", 42), 100000);
    ck_assert_int_eq(sdnotify_watchdog_interval_us("1", NULL, 42), 1);
}
END_TEST

START_TEST(test_watchdog_interval_rejects_bad_values) {
    ck_assert_int_eq(sdnotify_watchdog_interval_us(NULL, NULL, 42), 0);
    ck_assert_int_eq(sdnotify_watchdog_interval_us("", NULL, 42), 0);
    ck_assert_int_eq(sdnotify_watchdog_interval_us("0", NULL, 42), 0);
    ck_assert_int_eq(sdnotify_watchdog_interval_us("-5", NULL, 42), 0);
    ck_assert_int_eq(sdnotify_watchdog_interval_us("12x", NULL, 42), 0);
    ck_assert_int_eq(sdnotify_watchdog_interval_us("99999999999999999999", NULL, 42), 0);
    /* the watchdog belongs to another process (a wrapper that exec'd us is fine: same pid) */
    ck_assert_int_eq(sdnotify_watchdog_interval_us("200000", "43", 42), 0);
    ck_assert_int_eq(sdnotify_watchdog_interval_us("200000", "4x", 42), 0);
}
END_TEST

START_TEST(test_modes) {
    ck_assert(!sdnotify_init(SDNOTIFY_AUTO, NULL)); /* no NOTIFY_SOCKET */
    ck_assert(!sdnotify_init(SDNOTIFY_SYSTEMD, NULL));
    ck_assert(!sdnotify_is_active());
    listen_at(false);
    ck_assert(!sdnotify_init(SDNOTIFY_NO, NULL));
    ck_assert(!sdnotify_init(SDNOTIFY_UPSTART, NULL));
    ck_assert_int_eq(sdnotify_send("READY=1"), 0);
    ck_assert_str_eq(next_msg(50), ""); /* `no` sends nothing */
    ck_assert(sdnotify_init(SDNOTIFY_AUTO, NULL));
    ck_assert(sdnotify_is_active());
    ck_assert(sdnotify_init(SDNOTIFY_SYSTEMD, NULL));
}
END_TEST

START_TEST(test_send_to_path) {
    listen_at(false);
    ck_assert(sdnotify_init(SDNOTIFY_SYSTEMD, NULL));
    ck_assert_int_eq(sdnotify_send("STATUS=loading"), 0);
    ck_assert_str_eq(next_msg(1000), "STATUS=loading");
    sdnotify_status("keys %d", 12);
    ck_assert_str_eq(next_msg(1000), "STATUS=keys 12");
    sdnotify_ready("Ready to accept connections");
    ck_assert_str_eq(next_msg(1000), "READY=1\nSTATUS=Ready to accept connections");
    sdnotify_stopping("bye");
    ck_assert_str_eq(next_msg(1000), "STOPPING=1\nSTATUS=bye");
}
END_TEST

START_TEST(test_send_to_abstract) {
    listen_at(true);
    ck_assert(sdnotify_init(SDNOTIFY_AUTO, NULL));
    ck_assert_int_eq(sdnotify_send("READY=1"), 0);
    ck_assert_str_eq(next_msg(1000), "READY=1");
}
END_TEST

START_TEST(test_send_failures_are_errors) {
    setenv("NOTIFY_SOCKET", "relative/path", 1);
    ck_assert(sdnotify_init(SDNOTIFY_SYSTEMD, NULL));
    ck_assert_int_lt(sdnotify_send("READY=1"), 0);
    setenv("NOTIFY_SOCKET", "/nonexistent-dir/notify", 1);
    ck_assert(sdnotify_init(SDNOTIFY_SYSTEMD, NULL));
    ck_assert_int_lt(sdnotify_send("READY=1"), 0);
    ck_assert_int_lt(sdnotify_send("READY=1"), 0); /* logged once, still reported */
}
END_TEST

static void stop_loop_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)w;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

/* Runs loop for ms milliseconds, then counts the datagrams equal to want among those queued. */
static int run_and_count(struct ev_loop *loop, int ms, const char *want, int *others) {
    ev_timer stop;
    ev_timer_init(&stop, stop_loop_cb, ms / 1000.0, 0.);
    ev_timer_start(loop, &stop);
    ev_run(loop, 0);
    int n = 0;
    *others = 0;
    for (;;) {
        const char *m = next_msg(0);
        if (!*m) break;
        if (!strcmp(m, want))
            n++;
        else
            (*others)++;
    }
    return n;
}

START_TEST(test_watchdog_pings_from_the_loop) {
    listen_at(false);
    setenv("WATCHDOG_USEC", "40000", 1); /* a ping every 20 ms */
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    ck_assert(sdnotify_init(SDNOTIFY_SYSTEMD, loop));
    int others;
    /* before READY=1: the start timeout is extended by one watchdog period per ping */
    int ext = run_and_count(loop, 150, "EXTEND_TIMEOUT_USEC=40000", &others);
    ck_assert_int_ge(ext, 3);
    ck_assert_int_eq(others, 0);
    sdnotify_ready("up");
    ck_assert_str_eq(next_msg(1000), "READY=1\nSTATUS=up");
    int pings = run_and_count(loop, 150, "WATCHDOG=1", &others);
    ck_assert_int_ge(pings, 3);
    ck_assert_int_le(pings, 9);
    ck_assert_int_eq(others, 0);
    /* a loop that does not run sends nothing: that is what gets a stuck service restarted */
    usleep(100 * 1000);
    ck_assert_str_eq(next_msg(0), "");
    sdnotify_init(SDNOTIFY_NO, NULL); /* stops the timer before the loop goes */
    ev_loop_destroy(loop);
}
END_TEST

START_TEST(test_no_watchdog_without_usec_or_for_other_pid) {
    listen_at(false);
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    int others;
    ck_assert(sdnotify_init(SDNOTIFY_SYSTEMD, loop));
    ck_assert_int_eq(run_and_count(loop, 60, "", &others), 0);
    ck_assert_int_eq(others, 0);
    setenv("WATCHDOG_USEC", "20000", 1);
    setenv("WATCHDOG_PID", "1", 1);
    ck_assert(sdnotify_init(SDNOTIFY_SYSTEMD, loop));
    ck_assert_int_eq(run_and_count(loop, 60, "", &others), 0);
    ck_assert_int_eq(others, 0);
    sdnotify_init(SDNOTIFY_NO, NULL);
    ev_loop_destroy(loop);
}
END_TEST

static Suite *sdnotify_suite(void) {
    Suite *s = suite_create("sdnotify");
    TCase *parse = tcase_create("parse");
    tcase_add_test(parse, test_watchdog_interval_is_half);
    tcase_add_test(parse, test_watchdog_interval_rejects_bad_values);
    suite_add_tcase(s, parse);
    TCase *send = tcase_create("send");
    tcase_add_checked_fixture(send, setup, teardown);
    tcase_add_test(send, test_modes);
    tcase_add_test(send, test_send_to_path);
    tcase_add_test(send, test_send_to_abstract);
    tcase_add_test(send, test_send_failures_are_errors);
    suite_add_tcase(s, send);
    TCase *wd = tcase_create("watchdog");
    tcase_add_checked_fixture(wd, setup, teardown);
    tcase_add_test(wd, test_watchdog_pings_from_the_loop);
    tcase_add_test(wd, test_no_watchdog_without_usec_or_for_other_pid);
    suite_add_tcase(s, wd);
    return s;
}

int main(void) {
    return check_run_suite(sdnotify_suite());
}
