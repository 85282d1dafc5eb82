/* test_sentinel_monitor.c - monitor.c's hello processing (reference §9) and TILT (§10),
 * driven through monitor_hello_received / monitor_tick on an in-memory model: one master,
 * no links ever connected (nothing listens on its port). The end-to-end behaviour is in
 * tests/integration/test_sentinel_monitor.py. */
#include "check_main.h"
#include "common/clock.h"
#include "sentinel/sentinel.h"

#include <check.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define MYID "cccccccccccccccccccccccccccccccccccccccc"

static Instance *m;
static char dir[] = "/tmp/vigil-ut-monitor-XXXXXX";

static void setup(void) {
    cfg_defaults(&sentinel_cfg_table);
    sentinel_timers_defaults(&sentinel.t);
    memcpy(sentinel.myid, MYID, SENTINEL_ID_LEN + 1);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    static char state[sizeof(dir) + 32];
    snprintf(state, sizeof(state), "%s/sentinel-state", dir);
    sentinel.state_file = state; /* state_save writes here, never in the source tree */
    m = instance_new_master("mymaster", "127.0.0.1", 1, 2);
    sentinel_add_master(m);
}

static void teardown(void) {
    char cmd[sizeof(dir) + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

static void hello(const char *payload) {
    monitor_hello_received(payload, strlen(payload));
}

START_TEST(test_hello_adds_sentinel_and_adopts_epoch) {
    hello("127.0.0.1,26380," ID_A ",5,mymaster,127.0.0.1,1,0");
    ck_assert_int_eq(m->nsentinels, 1);
    Instance *s = m->sentinels[0];
    ck_assert_str_eq(s->runid, ID_A);
    ck_assert_str_eq(s->ip, "127.0.0.1");
    ck_assert_int_eq(s->port, 26380);
    ck_assert_ptr_eq(s->master, m);
    ck_assert_uint_eq(sentinel.current_epoch, 5);
    ck_assert_int_gt(s->last_hello_time, 0);
    /* the same hello again: no second entry, no epoch going back */
    hello("127.0.0.1,26380," ID_A ",3,mymaster,127.0.0.1,1,0");
    ck_assert_int_eq(m->nsentinels, 1);
    ck_assert_uint_eq(sentinel.current_epoch, 5);
}
END_TEST

START_TEST(test_hello_own_is_dropped) {
    hello("127.0.0.1,26380," MYID ",9,mymaster,127.0.0.1,1,0");
    ck_assert_int_eq(m->nsentinels, 0);
    ck_assert_uint_eq(sentinel.current_epoch, 0);
}
END_TEST

START_TEST(test_hello_malformed_is_ignored) {
    static const char *const bad[] = {
        "",
        ",,,,,,,",
        "127.0.0.1,26380," ID_A ",5,mymaster,127.0.0.1,1",     /* 7 tokens */
        "127.0.0.1,26380," ID_A ",5,mymaster,127.0.0.1,1,0,0", /* 9 tokens */
        "127.0.0.1,26380," ID_A ",5,mymaster,127.0.0.1,1,0,",  /* trailing comma */
        "127.0.0.1,x," ID_A ",5,mymaster,127.0.0.1,1,0",       /* port */
        "127.0.0.1,70000," ID_A ",5,mymaster,127.0.0.1,1,0",
        "127.0.0.1,-1," ID_A ",5,mymaster,127.0.0.1,1,0",
        "127.0.0.1,26380,abc,5,mymaster,127.0.0.1,1,0",       /* run id length */
        "127.0.0.1,26380," ID_A ",-5,mymaster,127.0.0.1,1,0", /* epoch */
        "127.0.0.1,26380," ID_A ",5x,mymaster,127.0.0.1,1,0",
        "127.0.0.1,26380," ID_A ",5,othermaster,127.0.0.1,1,0", /* unknown master */
        "not-an-ip,26380," ID_A ",5,mymaster,127.0.0.1,1,0",    /* no resolve-hostnames */
        "127.0.0.1,26380," ID_A ",5,mymaster,127.0.0.1,0,0",    /* master port */
        "127.0.0.1,26380," ID_A ",5,mymaster,127.0.0.1,1,z",    /* config epoch */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        hello(bad[i]);
        ck_assert_msg(m->nsentinels == 0, "accepted: %s", bad[i]);
        ck_assert_uint_eq(sentinel.current_epoch, 0);
    }
    char big[2048];
    memset(big, ',', sizeof(big));
    monitor_hello_received(big, sizeof(big));
    monitor_hello_received("127.0.0.1,26380," ID_A ",5,mymaster,127.0.0.1,1,0", 20); /* cut */
    ck_assert_int_eq(m->nsentinels, 0);
}
END_TEST

START_TEST(test_hello_same_runid_new_address_switches) {
    hello("127.0.0.1,26380," ID_A ",1,mymaster,127.0.0.1,1,0");
    hello("127.0.0.2,26381," ID_A ",1,mymaster,127.0.0.1,1,0");
    ck_assert_int_eq(m->nsentinels, 1);
    ck_assert_str_eq(m->sentinels[0]->ip, "127.0.0.2");
    ck_assert_int_eq(m->sentinels[0]->port, 26381);
}
END_TEST

START_TEST(test_hello_new_runid_same_address_replaces) {
    hello("127.0.0.1,26380," ID_A ",1,mymaster,127.0.0.1,1,0");
    hello("127.0.0.1,26380," ID_B ",1,mymaster,127.0.0.1,1,0");
    ck_assert_int_eq(m->nsentinels, 1);
    ck_assert_str_eq(m->sentinels[0]->runid, ID_B);
}
END_TEST

START_TEST(test_hello_peer_moves_under_every_master) {
    Instance *m2 = instance_new_master("other", "127.0.0.1", 3, 2);
    sentinel_add_master(m2);
    hello("127.0.0.1,26380," ID_A ",1,mymaster,127.0.0.1,1,0");
    hello("127.0.0.1,26380," ID_A ",1,other,127.0.0.1,3,0");
    ck_assert_int_eq(m2->nsentinels, 1);
    /* it moves; the first master hears it first, the other follows at once */
    hello("127.0.0.1,26390," ID_A ",1,mymaster,127.0.0.1,1,0");
    ck_assert_int_eq(m->sentinels[0]->port, 26390);
    ck_assert_int_eq(m2->nsentinels, 1);
    ck_assert_int_eq(m2->sentinels[0]->port, 26390);
    /* a new run id on that address (a restarted peer): the old id goes from both */
    hello("127.0.0.1,26390," ID_B ",1,mymaster,127.0.0.1,1,0");
    ck_assert_int_eq(m->nsentinels, 1);
    ck_assert_str_eq(m->sentinels[0]->runid, ID_B);
    ck_assert_int_eq(m2->nsentinels, 0);
}
END_TEST

START_TEST(test_hello_newer_config_switches_master) {
    Instance *r = instance_add_replica(m, "127.0.0.1", 2);
    (void)r;
    hello("127.0.0.1,26380," ID_A ",3,mymaster,127.0.0.1,2,3");
    ck_assert_uint_eq(m->config_epoch, 3);
    ck_assert_int_eq(m->port, 2);
    /* the old master is a replica now, the promoted one is not */
    ck_assert_int_eq(m->nreplicas, 1);
    ck_assert_int_eq(m->replicas[0]->port, 1);
    /* the sender is kept across the switch */
    ck_assert_int_eq(m->nsentinels, 1);
    ck_assert_int_gt(m->sentinels[0]->last_hello_time, 0);
    ck_assert(m->link->restart_sdown_clock);
}
END_TEST

START_TEST(test_hello_config_same_address_or_older) {
    hello("127.0.0.1,26380," ID_A ",2,mymaster,127.0.0.1,1,2");
    ck_assert_uint_eq(m->config_epoch, 2);
    ck_assert_int_eq(m->port, 1);
    hello("127.0.0.1,26380," ID_A ",2,mymaster,127.0.0.1,7,1"); /* older: ignored */
    ck_assert_uint_eq(m->config_epoch, 2);
    ck_assert_int_eq(m->port, 1);
    ck_assert_int_eq(m->nreplicas, 0);
}
END_TEST

START_TEST(test_tilt_on_clock_jump) {
    sentinel_remove_master(m); /* no links to open in this test */
    sentinel.previous_time = clock_wall_ms();
    monitor_tick();
    ck_assert(!sentinel.tilt);
    ck_assert_int_eq(monitor_tilt_since_seconds(), -1);
    sentinel.previous_time = clock_wall_ms() - 5000; /* as if stopped for 5 s */
    monitor_tick();
    ck_assert(sentinel.tilt);
    ck_assert_int_ge(monitor_tilt_since_seconds(), 0);
    sentinel.previous_time = clock_wall_ms() + 5000; /* the clock stepped back */
    sentinel.tilt = false;
    monitor_tick();
    ck_assert(sentinel.tilt);
    sentinel.t.tilt_period = 0; /* the period is over: the next tick leaves TILT */
    monitor_tick();
    ck_assert(!sentinel.tilt);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("sentinel_monitor");
    TCase *h = tcase_create("hello");
    tcase_add_checked_fixture(h, setup, teardown);
    tcase_add_test(h, test_hello_adds_sentinel_and_adopts_epoch);
    tcase_add_test(h, test_hello_own_is_dropped);
    tcase_add_test(h, test_hello_malformed_is_ignored);
    tcase_add_test(h, test_hello_same_runid_new_address_switches);
    tcase_add_test(h, test_hello_new_runid_same_address_replaces);
    tcase_add_test(h, test_hello_peer_moves_under_every_master);
    tcase_add_test(h, test_hello_newer_config_switches_master);
    tcase_add_test(h, test_hello_config_same_address_or_older);
    suite_add_tcase(s, h);
    TCase *t = tcase_create("tilt");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_tilt_on_clock_jump);
    suite_add_tcase(s, t);
    return s;
}

int main(void) {
    return check_run_suite(suite());
}
