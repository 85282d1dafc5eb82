/* test_sentinel_select.c - failover.c without a network: replica selection (reference §7:
 * priority, offset, run id; the exclusions), votes (§6: one per epoch, first come, a newer
 * epoch adopted) and SENTINEL FAILOVER's refusals. Instances are built with instance.c and
 * given the observed state monitor.c would have filled in. */
#include "check_main.h"
#include "common/clock.h"
#include "common/mem.h"
#include "sentinel/sentinel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static Instance *m;
static char tmpdir[64];

static void setup(void) {
    memset(&sentinel, 0, sizeof(sentinel));
    sentinel_timers_defaults(&sentinel.t);
    snprintf(sentinel.myid, sizeof(sentinel.myid), "%s",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    /* state_save writes somewhere harmless */
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/vigil-sel-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char path[128];
    snprintf(path, sizeof(path), "%s/sentinel-state", tmpdir);
    sentinel.state_file = mem_strdup(path);
    m = instance_new_master("mymaster", "127.0.0.1", 6379, 2);
    m->down_after_period = 1000;
    m->failover_timeout = 10000;
    sentinel_add_master(m);
}

static void teardown(void) {
    sentinel_remove_master(m);
    mem_free(sentinel.masters);
    sentinel.masters = NULL;
    sentinel.nmasters = sentinel.masters_cap = 0;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    mem_free(sentinel.state_file);
    sentinel.state_file = NULL;
}

/* A replica as monitor.c leaves a healthy one: connected, answering, fresh INFO. */
static Instance *healthy(int port, int priority, unsigned long long offset, const char *runid) {
    Instance *r = instance_add_replica(m, "127.0.0.1", port);
    int64_t now = clock_mono_ms();
    r->link->disconnected = false;
    r->link->last_avail_time = now;
    r->link->act_ping_time = 0;
    r->info_refresh = now;
    r->slave_priority = priority;
    r->slave_repl_offset = offset;
    r->runid = runid ? mem_strdup(runid) : NULL;
    r->role_reported = ROLE_SLAVE;
    return r;
}

START_TEST(lowest_priority_wins_over_offset) {
    healthy(7001, 100, 5000, "b");
    Instance *low = healthy(7002, 10, 10, "c");
    healthy(7003, 50, 9000, "a");
    ck_assert_ptr_eq(failover_select_replica(m), low);
}
END_TEST

START_TEST(same_priority_largest_offset_wins) {
    healthy(7001, 100, 5000, "a");
    Instance *big = healthy(7002, 100, 7000, "z");
    healthy(7003, 100, 6999, "b");
    ck_assert_ptr_eq(failover_select_replica(m), big);
}
END_TEST

START_TEST(then_smallest_run_id_case_insensitive_unknown_last) {
    healthy(7001, 100, 100, NULL);
    healthy(7002, 100, 100, "CCCC");
    Instance *b = healthy(7003, 100, 100, "bbbb");
    healthy(7004, 100, 100, "Dddd");
    ck_assert_ptr_eq(failover_select_replica(m), b);
    /* without run ids at all the unknown one is still chosen when it is the only one */
    instance_remove_replica(m, m->replicas[3]);
    instance_remove_replica(m, m->replicas[2]);
    instance_remove_replica(m, m->replicas[1]);
    ck_assert_ptr_eq(failover_select_replica(m), m->replicas[0]);
}
END_TEST

START_TEST(excluded_replicas) {
    int64_t now = clock_mono_ms();
    Instance *zero = healthy(7001, 0, 99999, "a"); /* priority 0: never promoted */
    Instance *sdown = healthy(7002, 1, 99999, "b");
    sdown->flags |= SRI_S_DOWN;
    Instance *disc = healthy(7003, 1, 99999, "c");
    disc->link->disconnected = true;
    Instance *noping = healthy(7004, 1, 99999, "d");
    noping->link->last_avail_time = now - 5 * sentinel.t.ping_period - 1000;
    Instance *noinfo = healthy(7005, 1, 99999, "e");
    noinfo->info_refresh = 0;
    Instance *oldinfo = healthy(7006, 1, 99999, "f");
    oldinfo->info_refresh = now - 3 * sentinel.t.info_period - 1000;
    Instance *cut = healthy(7007, 1, 99999, "g");
    cut->master_link_down_time = 10 * m->down_after_period + 1000;
    ck_assert_ptr_null(failover_select_replica(m));

    /* the only acceptable one wins despite the worst priority and offset */
    Instance *ok = healthy(7008, 200, 1, "h");
    ck_assert_ptr_eq(failover_select_replica(m), ok);
    VG_UNUSED(zero);
}
END_TEST

START_TEST(master_sdown_demands_fresh_info_and_widens_link_window) {
    int64_t now = clock_mono_ms();
    Instance *r = healthy(7001, 100, 10, "a");
    r->info_refresh = now - 6000; /* fine with a healthy master (30 s) */
    ck_assert_ptr_eq(failover_select_replica(m), r);
    m->flags |= SRI_S_DOWN;
    m->s_down_since_time = now - 3000;
    ck_assert_ptr_null(failover_select_replica(m)); /* > 5 × ping period */
    r->info_refresh = now;
    ck_assert_ptr_eq(failover_select_replica(m), r);
    /* window = master down time (3 s) + 10 × down-after (10 s) */
    r->master_link_down_time = 12000;
    ck_assert_ptr_eq(failover_select_replica(m), r);
    r->master_link_down_time = 14000;
    ck_assert_ptr_null(failover_select_replica(m));
}
END_TEST

START_TEST(vote_once_per_epoch_first_come) {
    const char *leader;
    uint64_t epoch;
    const char *peer1 = "1111111111111111111111111111111111111111";
    const char *peer2 = "2222222222222222222222222222222222222222";
    failover_vote(m, 3, peer1, &leader, &epoch);
    ck_assert_str_eq(leader, peer1);
    ck_assert_uint_eq(epoch, 3);
    ck_assert_uint_eq(sentinel.current_epoch, 3); /* adopted */
    /* voting for another pushes our own next attempt */
    ck_assert_int_gt(m->failover_start_time, 0);
    /* the same epoch again: the first vote stands */
    failover_vote(m, 3, peer2, &leader, &epoch);
    ck_assert_str_eq(leader, peer1);
    ck_assert_uint_eq(epoch, 3);
    /* an older epoch: no vote, the recorded one is returned */
    failover_vote(m, 2, peer2, &leader, &epoch);
    ck_assert_str_eq(leader, peer1);
    ck_assert_uint_eq(epoch, 3);
    ck_assert_uint_eq(sentinel.current_epoch, 3);
    /* a newer epoch: a new vote */
    failover_vote(m, 5, peer2, &leader, &epoch);
    ck_assert_str_eq(leader, peer2);
    ck_assert_uint_eq(epoch, 5);
    ck_assert_uint_eq(sentinel.current_epoch, 5);
}
END_TEST

START_TEST(vote_for_ourselves_keeps_start_time) {
    const char *leader;
    uint64_t epoch;
    sentinel.current_epoch = 7;
    failover_vote(m, 7, sentinel.myid, &leader, &epoch);
    ck_assert_str_eq(leader, sentinel.myid);
    ck_assert_uint_eq(epoch, 7);
    ck_assert_int_eq(m->failover_start_time, 0);
}
END_TEST

START_TEST(force_refusals_and_start) {
    const char *err = NULL;
    ck_assert_int_eq(failover_force(m, &err), -1);
    ck_assert_str_eq(err, "NOGOODSLAVE No suitable replica to promote");
    healthy(7001, 100, 10, "a");
    uint64_t before = sentinel.current_epoch;
    ck_assert_int_eq(failover_force(m, &err), 0);
    ck_assert(m->flags & SRI_FAILOVER_IN_PROGRESS);
    ck_assert(m->flags & SRI_FORCE_FAILOVER);
    ck_assert_int_eq(m->failover_state, FO_WAIT_START);
    ck_assert_uint_eq(m->failover_epoch, before + 1);
    ck_assert_uint_eq(sentinel.current_epoch, before + 1);
    ck_assert_int_eq(failover_force(m, &err), -1);
    ck_assert_str_eq(err, "INPROG Failover already in progress");
}
END_TEST

START_TEST(state_names) {
    ck_assert_str_eq(failover_state_name(FO_NONE), "none");
    ck_assert_str_eq(failover_state_name(FO_WAIT_START), "wait_start");
    ck_assert_str_eq(failover_state_name(FO_SEND_SLAVEOF_NOONE), "send_slaveof_noone");
    ck_assert_str_eq(failover_state_name(FO_UPDATE_CONFIG), "update_config");
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("sentinel_select");
    TCase *tc = tcase_create("select");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, lowest_priority_wins_over_offset);
    tcase_add_test(tc, same_priority_largest_offset_wins);
    tcase_add_test(tc, then_smallest_run_id_case_insensitive_unknown_last);
    tcase_add_test(tc, excluded_replicas);
    tcase_add_test(tc, master_sdown_demands_fresh_info_and_widens_link_window);
    tcase_add_test(tc, vote_once_per_epoch_first_come);
    tcase_add_test(tc, vote_for_ourselves_keeps_start_time);
    tcase_add_test(tc, force_refusals_and_start);
    tcase_add_test(tc, state_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(suite());
}
