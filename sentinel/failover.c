/* failover.c - the acting half of the sentinel: votes, leader election, replica selection,
 * the failover state machine, the switch to the promoted replica, and repointing replicas
 * that disagree with our configuration.
 *
 *   failover_tick()     each tick per master (not in TILT): start an attempt when ODOWN,
 *                       advance a running one, ask for early INFO where we are waiting on it
 *   failover_on_info()  INFO just parsed (monitor.c): promotion seen, reconf progress,
 *                       +convert-to-slave / +fix-slave-config
 *   failover_vote()     our vote, asked through IS-MASTER-DOWN-BY-ADDR (persisted first)
 *   failover_force()    SENTINEL FAILOVER
 *
 * The state machine (reference §8; SENTINEL MASTER's failover-state shows the names):
 *
 *   none --ODOWN, retry delay over--> wait_start --elected (or FORCE)--> select_slave
 *     --replica chosen--> send_slaveof_noone --MULTI/SLAVEOF NO ONE/.../EXEC sent-->
 *     wait_promotion --INFO: role master--> reconf_slaves --all replicas done (or
 *     failover-timeout)--> update_config --> +switch-master, none at the new address
 *
 * An attempt can be aborted up to wait_promotion (not elected, no good replica, replica
 * timeout); after the promotion is seen the new configuration (config epoch = our failover
 * epoch, spread by hellos) is the truth and the failover always ends with the switch.
 *
 * Where Vigil differs from Redis Sentinel 7.0 (reference §17, §18):
 * - votes are counted in our failover epoch only (Redis counts the current epoch, which a
 *   newer attempt by a peer may already have moved);
 * - a vote is handed out only once it is on disk: when the state file cannot be written the
 *   vote is taken back (a sentinel that forgets its vote could vote twice in one epoch);
 * - the promoted replica is polled for INFO right after the EXEC reply and every
 *   FAST_INFO_MS while we wait for it, replicas being reconfigured likewise, so the promotion
 *   and the end of the failover are seen in ~100 ms instead of the 1 s poll;
 * - a returning old primary is demoted after CONVERT_WAIT_PUBLISH_PERIODS publish periods
 *   (4 s by default) instead of 8 s, and its INFO is asked for every second once that wait
 *   is over instead of waiting for the 10 s poll;
 * - a slave_reconf_timeout for replicas stuck in RECONF_SENT is applied even when
 *   parallel-syncs replicas are in progress;
 * - after -failover-abort-no-good-slave the next attempt may start after one election
 *   timeout instead of 2 × failover-timeout (no server was touched, we were the leader). */
#include "common/clock.h"
#include "common/mem.h"
#include "common/util.h"
#include "sentinel/sentinel.h"

#include <hiredis/hiredis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* While we wait on a server's INFO (promotion, reconfiguration), ask again this often. */
#define FAST_INFO_MS 150
#define ELECTION_DESYNC_MS 250 /* spread of the candidacies' opening (start_failover) */
/* A stray replica's INFO is refreshed this often once its wait is over. */
#define STRAY_INFO_MS 1000
/* Do not repeat a SLAVEOF to the same server within this time: an INFO already in flight
 * when the transaction was sent still shows the old role. */
#define SLAVEOF_RESEND_MS 2000
/* A replica reporting role master is demoted once it has done so (and not been down) for
 * this many publish periods: long enough to hear at least one forced and one periodic hello
 * from a peer that legitimately promoted it (Redis waits 4 periods). */
#define CONVERT_WAIT_PUBLISH_PERIODS 2

static const char *const state_names[] = {"none", "wait_start", "select_slave",
                                          "send_slaveof_noone", "wait_promotion",
                                          "reconf_slaves", "update_config"};

const char *failover_state_name(FailoverState s) {
    return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

static void set_state(Instance *m, FailoverState s) {
    m->failover_state = s;
    m->failover_state_change_time = clock_mono_ms();
}

static void simulated_crash(const char *what) {
    log_warn("Sentinel simulated failure (%s): exiting with status 99", what);
    exit(99);
}

/* Ask for ri's INFO unless we did within `every` ms or a reply is that fresh. */
static void ask_info(Instance *ri, int64_t every) {
    int64_t now = clock_mono_ms();
    if (ri->link->disconnected) return;
    if (ri->info_refresh && now - ri->info_refresh < every) return;
    if (ri->info_asked_time && now - ri->info_asked_time < every) return;
    ri->info_asked_time = now;
    monitor_request_info(ri);
}

/* ---- SLAVEOF transactions ------------------------------------------------------------ */

static void slaveof_exec_reply(Instance *ri, struct redisReply *reply, void *privdata) {
    VG_UNUSED(privdata);
    if (!reply || !ri) return;
    /* the new role is in place: look at once (promotion, reconf progress) instead of
     * waiting for the poll */
    ri->info_asked_time = 0;
    ask_info(ri, 0);
}

/* Reconfigure ri: SLAVEOF host port (host NULL: NO ONE) in one transaction with CONFIG
 * REWRITE (so a restart keeps the role; harmless error without a config file) and the
 * killing of normal and pub/sub clients (so pooled clients rediscover; the caller's own
 * connection survives). Replies are ignored but EXEC's, which triggers an early INFO. 0, or
 * -1 when the link is down (nothing sent). */
static int send_slaveof_ex(Instance *ri, const char *host, int port, bool unpause) {
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    const char *multi[] = {"MULTI"};
    const char *slaveof[] = {"SLAVEOF", host ? host : "NO", host ? portstr : "ONE"};
    const char *rewrite[] = {"CONFIG", "REWRITE"};
    const char *kill_normal[] = {"CLIENT", "KILL", "TYPE", "normal"};
    const char *kill_pubsub[] = {"CLIENT", "KILL", "TYPE", "pubsub"};
    const char *exec[] = {"EXEC"};

    if (ri->link->disconnected) return -1;
    if (link_sendv(ri, NULL, NULL, 1, multi) != 0) return -1;
    /* after MULTI went out, EXEC must follow whatever happens to the middle commands */
    link_sendv(ri, NULL, NULL, 3, slaveof);
    link_sendv(ri, NULL, NULL, 2, rewrite);
    link_sendv(ri, NULL, NULL, 4, kill_normal);
    link_sendv(ri, NULL, NULL, 4, kill_pubsub);
    if (unpause) {
        const char *unpause_cmd[] = {"CLIENT", "UNPAUSE"};
        link_sendv(ri, NULL, NULL, 2, unpause_cmd);
    }
    if (link_sendv(ri, slaveof_exec_reply, NULL, 1, exec) != 0) return -1;
    ri->slaveof_sent_time = clock_mono_ms();
    return 0;
}

static int send_slaveof(Instance *ri, const char *host, int port) {
    return send_slaveof_ex(ri, host, port, false);
}

/* ---- the fence of a manual failover ---------------------------------------------------
 *
 * Redis Sentinel's SENTINEL FAILOVER promotes at once, so whatever the still-running old
 * primary accepts until it is demoted is lost, WAIT-confirmed writes included (the drill
 * measured 3-12 per switchover). When the old primary is reachable, Vigil fences it first,
 * as the FAILOVER command does: CLIENT PAUSE WRITE on it (held writes wait, unanswered),
 * then the chosen replica is given FENCE_WAIT_MS to reach the offset the primary reports
 * after the pause, then it is promoted and the old primary demoted right away (the
 * demotion unpauses it and kills its clients, which rediscover the new primary). An
 * aborted failover lifts the pause. */

#define FENCE_WAIT_MS 2000

static bool fence_wanted(const Instance *m) {
    return (m->flags & SRI_FORCE_FAILOVER) && !(m->flags & (SRI_S_DOWN | SRI_O_DOWN)) &&
           !m->link->disconnected;
}

static void fence_lift(Instance *m) {
    if (!m->fence_sent_time) return;
    m->fence_sent_time = 0;
    const char *unpause[] = {"CLIENT", "UNPAUSE"};
    link_sendv(m, NULL, NULL, 2, unpause);
}

/* False while the fence still waits (for the paused primary's offset, or for the chosen
 * replica to reach it, both bounded by FENCE_WAIT_MS). */
static bool fence_ready(Instance *m, Instance *r) {
    if (!m->fence_sent_time) return true;
    int64_t now = clock_mono_ms();
    if (now - m->fence_sent_time >= FENCE_WAIT_MS) return true;
    if (!m->fence_offset_known) return false;
    if (!r || r->slave_repl_offset >= m->fence_offset) return true;
    ask_info(r, FAST_INFO_MS);
    return false;
}

/* The reply to the INFO sent right behind CLIENT PAUSE on the same connection: the offset
 * in it is the last one the paused primary will have (a periodic INFO answered around the
 * same time could predate the pause, hence this reply of our own). */
static void fence_info_reply(Instance *m, struct redisReply *reply, void *privdata) {
    VG_UNUSED(privdata);
    if (!reply || reply->type != REDIS_REPLY_STRING || !m->fence_sent_time) return;
    const char *p = strstr(reply->str, "\r\nmaster_repl_offset:");
    if (!p) return;
    m->fence_offset = strtoull(p + 21, NULL, 10);
    m->fence_offset_known = true;
}

static void fence_start(Instance *m) {
    char ms[24];
    snprintf(ms, sizeof(ms), "%lld", m->failover_timeout);
    const char *pause[] = {"CLIENT", "PAUSE", ms, "WRITE"};
    const char *info[] = {"INFO", "replication"};
    if (link_sendv(m, NULL, NULL, 4, pause) != 0) return;
    m->fence_sent_time = clock_mono_ms();
    m->fence_offset_known = false;
    link_sendv(m, fence_info_reply, NULL, 2, info);
    log_notice("Manual failover of '%s': writes paused on %s:%d until the switch", m->name,
               m->ip, m->port);
}

/* ---- votes --------------------------------------------------------------------------- */

void failover_vote(Instance *m, uint64_t req_epoch, const char *req_runid,
                   const char **leader, uint64_t *leader_epoch) {
    if (req_epoch > sentinel.current_epoch) {
        sentinel.current_epoch = req_epoch;
        state_save();
        sentinel_event_about(LOG_WARN, "+new-epoch", m, "%llu",
                       (unsigned long long)sentinel.current_epoch);
    }
    if (m->leader_epoch < req_epoch && sentinel.current_epoch <= req_epoch) {
        char *prev = m->leader;
        uint64_t prev_epoch = m->leader_epoch;
        m->leader = mem_strdup(req_runid);
        m->leader_epoch = sentinel.current_epoch;
        if (state_save() != 0) {
            /* not on disk: a crash now would let us vote again in this epoch */
            log_warn("Vote for %s in epoch %llu withdrawn: the state file was not written",
                     req_runid, (unsigned long long)req_epoch);
            mem_free(m->leader);
            m->leader = prev;
            m->leader_epoch = prev_epoch;
        } else {
            mem_free(prev);
            sentinel_event_about(LOG_WARN, "+vote-for-leader", m, "%s %llu", m->leader,
                           (unsigned long long)m->leader_epoch);
            /* voting for another sentinel: leave it the time to fail over before we try */
            if (strcasecmp(m->leader, sentinel.myid) != 0)
                m->failover_start_time = clock_mono_ms() + (int64_t)(util_rand64() % 1000);
        }
    }
    *leader = m->leader;
    *leader_epoch = m->leader_epoch;
}

/* The sentinel that has won the election of `epoch` for m, or NULL. Voters are every
 * sentinel known for m (reachable or not) plus us; the winner needs a majority of them and
 * at least quorum votes. Casts our own vote for the front runner (ourselves if nobody has a
 * vote yet), as Redis does, so that the sentinels converge on one candidate. The returned
 * string is valid until the next vote. */
static const char *election_winner(Instance *m, uint64_t epoch) {
    int nvoters = m->nsentinels + 1;
    const char **ids = mem_alloc((size_t)nvoters * sizeof(*ids));
    int *counts = mem_calloc((size_t)nvoters * sizeof(*counts));
    int nids = 0;

    for (int i = 0; i <= m->nsentinels; i++) {
        const char *who;
        if (i < m->nsentinels) {
            Instance *s = m->sentinels[i];
            if (!s->leader || s->leader_epoch != epoch) continue;
            who = s->leader;
        } else {
            /* our own vote, last: for the most voted peer's choice, else ourselves */
            int best = -1;
            for (int j = 0; j < nids; j++)
                if (best < 0 || counts[j] > counts[best]) best = j;
            const char *mine;
            uint64_t my_epoch;
            failover_vote(m, epoch, best >= 0 ? ids[best] : sentinel.myid, &mine, &my_epoch);
            if (!mine || my_epoch != epoch) continue;
            who = mine;
        }
        int j = 0;
        while (j < nids && strcasecmp(ids[j], who) != 0) j++;
        if (j == nids) ids[nids++] = who;
        counts[j]++;
    }

    const char *winner = NULL;
    int best = 0;
    for (int j = 0; j < nids; j++)
        if (counts[j] > best) best = counts[j], winner = ids[j];
    if (winner && (best < nvoters / 2 + 1 || (unsigned)best < m->quorum)) winner = NULL;
    mem_free(ids);
    mem_free(counts);
    return winner;
}

/* ---- replica selection --------------------------------------------------------------- */

static int cmp_candidates(const void *a, const void *b) {
    const Instance *x = *(Instance *const *)a, *y = *(Instance *const *)b;
    if (x->slave_priority != y->slave_priority)
        return x->slave_priority < y->slave_priority ? -1 : 1;
    if (x->slave_repl_offset != y->slave_repl_offset)
        return x->slave_repl_offset > y->slave_repl_offset ? -1 : 1;
    /* a replica whose run id we never saw is the least known: last */
    if (!x->runid || !y->runid) return (x->runid == NULL) - (y->runid == NULL);
    return strcasecmp(x->runid, y->runid);
}

Instance *failover_select_replica(Instance *m) {
    int64_t now = clock_mono_ms();
    bool m_sdown = (m->flags & SRI_S_DOWN) != 0;
    /* a replica cut from the master much longer than the master has been down holds old
     * data: beyond 10 × down-after of extra disconnection it is not a candidate */
    int64_t max_link_down = (m_sdown && m->s_down_since_time ? now - m->s_down_since_time : 0) +
                            m->down_after_period * 10;
    /* with the master down the replicas are polled every second: demand fresh INFO */
    int64_t info_validity = m_sdown ? sentinel.t.ping_period * 5 : sentinel.t.info_period * 3;

    Instance **cand = mem_alloc(((size_t)m->nreplicas + 1) * sizeof(*cand));
    int n = 0;
    for (int i = 0; i < m->nreplicas; i++) {
        Instance *r = m->replicas[i];
        if (r->flags & (SRI_S_DOWN | SRI_O_DOWN)) continue;
        if (r->link->disconnected) continue;
        if (now - r->link->last_avail_time > sentinel.t.ping_period * 5) continue;
        if (r->slave_priority == 0) continue;
        if (!r->info_refresh || now - r->info_refresh > info_validity) continue;
        if (r->master_link_down_time > max_link_down) continue;
        cand[n++] = r;
    }
    Instance *best = NULL;
    if (n) {
        qsort(cand, (size_t)n, sizeof(*cand), cmp_candidates);
        best = cand[0];
    }
    mem_free(cand);
    return best;
}

/* ---- the state machine --------------------------------------------------------------- */

static void start_failover(Instance *m) {
    int64_t now = clock_mono_ms();
    m->flags |= SRI_FAILOVER_IN_PROGRESS;
    m->failover_epoch = ++sentinel.current_epoch;
    /* the epoch is on disk before anyone hears of it */
    state_save();
    set_state(m, FO_WAIT_START);
    sentinel_event_about(LOG_WARN, "+new-epoch", m, "%llu",
                   (unsigned long long)sentinel.current_epoch);
    sentinel_event(LOG_WARN, "+try-failover", m, NULL);
    /* the random part keeps sentinels that started together from retrying together */
    m->failover_start_time = now + (int64_t)(util_rand64() % 1000);
    /* Sentinels that see ODOWN together would each ask for votes and vote for themselves
     * in the same instant: with every vote cast for its own caster nobody has a majority,
     * and all wait 2 × failover-timeout to retry (a CI run lost 15 s that way). So the
     * candidacy opens a random moment later; whoever opens first asks peers that have not
     * voted yet, and they vote for it. A forced failover needs no votes. */
    m->election_at = (m->flags & SRI_FORCE_FAILOVER)
                         ? 0
                         : now + 1 + (int64_t)(util_rand64() % ELECTION_DESYNC_MS);
    /* the replicas' INFO may be up to info-period old, too old to select one by (it must
     * be younger than 5 ping periods with the master down): refresh it while the election
     * runs, rather than abort with no good replica when it ends */
    for (int i = 0; i < m->nreplicas; i++) ask_info(m->replicas[i], 0);
}

static bool should_start(Instance *m) {
    if (!monitor_is_odown(m)) return false;
    if (m->flags & SRI_FAILOVER_IN_PROGRESS) return false;
    int64_t now = clock_mono_ms();
    int64_t delay = (int64_t)m->failover_timeout * 2;
    /* 0: never tried (a monotonic clock may be younger than the delay) */
    if (m->failover_start_time && now - m->failover_start_time < delay) {
        if (m->failover_delay_logged != m->failover_start_time) {
            m->failover_delay_logged = m->failover_start_time;
            time_t when = (time_t)((clock_wall_ms() + m->failover_start_time + delay - now) /
                                   1000);
            char buf[32];
            struct tm tm;
            localtime_r(&when, &tm);
            strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm);
            log_warn("Next failover delay: I will not start a failover before %s", buf);
        }
        return false;
    }
    return true;
}

static void abort_failover(Instance *m) {
    fence_lift(m);
    m->election_at = 0;
    m->flags &= ~(SRI_FAILOVER_IN_PROGRESS | SRI_FORCE_FAILOVER);
    set_state(m, FO_NONE);
    if (m->promoted_slave) {
        m->promoted_slave->flags &= ~SRI_PROMOTED;
        m->promoted_slave = NULL;
    }
    for (int i = 0; i < m->nreplicas; i++)
        m->replicas[i]->flags &= ~(SRI_RECONF_SENT | SRI_RECONF_INPROG | SRI_RECONF_DONE);
}

static void step_wait_start(Instance *m) {
    if (m->election_at) {
        if (clock_mono_ms() < m->election_at) return;
        m->election_at = 0;
        monitor_ask_master_state(m, true); /* our vote request; counted from the next tick */
        return;
    }
    bool elected = (m->flags & SRI_FORCE_FAILOVER) != 0;
    if (!elected) {
        const char *leader = election_winner(m, m->failover_epoch);
        elected = leader && strcasecmp(leader, sentinel.myid) == 0;
    }
    if (!elected) {
        long long timeout = VG_MIN(sentinel.t.election_timeout, m->failover_timeout);
        if (clock_mono_ms() - m->failover_start_time > timeout) {
            sentinel_event(LOG_WARN, "-failover-abort-not-elected", m, NULL);
            abort_failover(m);
        }
        return;
    }
    sentinel_event(LOG_WARN, "+elected-leader", m, NULL);
    if (sentinel.simfailure_flags & SIMFAIL_CRASH_AFTER_ELECTION)
        simulated_crash("crash-after-election");
    set_state(m, FO_SELECT_SLAVE);
    sentinel_event(LOG_WARN, "+failover-state-select-slave", m, NULL);
}

static void step_select_slave(Instance *m) {
    if (!m->fence_sent_time && fence_wanted(m)) {
        fence_start(m);
        return;
    }
    Instance *r = failover_select_replica(m);
    if (!fence_ready(m, r)) return;
    if (!r && clock_mono_ms() - m->failover_state_change_time < sentinel.t.ping_period * 2) {
        /* a replica may be missing only for stale INFO or a link being rebuilt: ask again
         * and give the answers two ping periods before giving up */
        for (int i = 0; i < m->nreplicas; i++)
            ask_info(m->replicas[i], sentinel.t.ping_period / 2);
        return;
    }
    if (!r) {
        sentinel_event(LOG_WARN, "-failover-abort-no-good-slave", m, NULL);
        abort_failover(m);
        /* we were the elected leader and touched no server: nobody else is failing over in
         * this epoch, so the next try need not wait 2 × failover-timeout (reference §17.7);
         * one election timeout lets the replicas' INFO and links settle */
        long long delay = (long long)m->failover_timeout * 2;
        long long retry = VG_MIN(delay, sentinel.t.election_timeout);
        m->failover_start_time = clock_mono_ms() - delay + retry;
        return;
    }
    sentinel_event(LOG_WARN, "+selected-slave", r, NULL);
    r->flags |= SRI_PROMOTED;
    m->promoted_slave = r;
    set_state(m, FO_SEND_SLAVEOF_NOONE);
    sentinel_event(LOG_NOTICE, "+failover-state-send-slaveof-noone", r, NULL);
}

static void step_send_slaveof_noone(Instance *m) {
    Instance *r = m->promoted_slave;
    if (r->link->disconnected) {
        /* keep waiting for the link; give up after failover-timeout */
        if (clock_mono_ms() - m->failover_state_change_time > m->failover_timeout) {
            sentinel_event(LOG_WARN, "-failover-abort-slave-timeout", m, NULL);
            abort_failover(m);
        }
        return;
    }
    if (send_slaveof(r, NULL, 0) != 0) return; /* retried next tick */
    sentinel_event(LOG_NOTICE, "+failover-state-wait-promotion", r, NULL);
    set_state(m, FO_WAIT_PROMOTION);
}

static void step_wait_promotion(Instance *m) {
    if (clock_mono_ms() - m->failover_state_change_time > m->failover_timeout) {
        sentinel_event(LOG_WARN, "-failover-abort-slave-timeout", m, NULL);
        abort_failover(m);
        return;
    }
    /* the promotion is seen only through INFO (failover_on_info) */
    ask_info(m->promoted_slave, FAST_INFO_MS);
}

/* The promoted replica reported role master: from here the new configuration stands. */
static void promotion_seen(Instance *m, Instance *r) {
    m->config_epoch = m->failover_epoch;
    set_state(m, FO_RECONF_SLAVES);
    state_save();
    sentinel_event(LOG_WARN, "+promoted-slave", r, NULL);
    if (sentinel.simfailure_flags & SIMFAIL_CRASH_AFTER_PROMOTION)
        simulated_crash("crash-after-promotion");
    sentinel_event(LOG_WARN, "+failover-state-reconf-slaves", m, NULL);
    scripts_client_reconfig(m, true, m->ip, m->port, r->ip, r->port); /* as Redis, here */
    /* a fenced old primary follows the new one at once (its held writes then fail and its
     * clients rediscover) rather than after the stray-replica wait */
    if (m->fence_sent_time && send_slaveof_ex(m, r->ip, r->port, true) == 0) {
        m->fence_sent_time = 0;
        log_notice("Manual failover of '%s': the old primary %s:%d now replicates from "
                   "%s:%d", m->name, m->ip, m->port, r->ip, r->port);
    }
    /* peers learn the new address and config epoch from our hellos: send them now */
    monitor_force_hello(m);
}

/* Ends the failover when every reachable replica is reconfigured, or when failover-timeout
 * has passed since the promotion (then the stragglers get a best-effort SLAVEOF). */
static void detect_end(Instance *m) {
    Instance *p = m->promoted_slave;
    if (!p || (p->flags & SRI_S_DOWN)) return;
    int not_done = 0;
    for (int i = 0; i < m->nreplicas; i++) {
        Instance *r = m->replicas[i];
        if (r->flags & (SRI_PROMOTED | SRI_RECONF_DONE)) continue;
        if (r->flags & SRI_S_DOWN) continue;
        not_done++;
    }
    bool timed_out = false;
    if (not_done && clock_mono_ms() - m->failover_state_change_time > m->failover_timeout) {
        timed_out = true;
        not_done = 0;
        sentinel_event(LOG_WARN, "+failover-end-for-timeout", m, NULL);
    }
    if (not_done) return;
    sentinel_event(LOG_WARN, "+failover-end", m, NULL);
    set_state(m, FO_UPDATE_CONFIG);
    if (!timed_out) return;
    for (int i = 0; i < m->nreplicas; i++) {
        Instance *r = m->replicas[i];
        if (r->flags & (SRI_PROMOTED | SRI_RECONF_DONE | SRI_RECONF_SENT)) continue;
        if (send_slaveof(r, p->ip, p->port) == 0) {
            sentinel_event(LOG_NOTICE, "+slave-reconf-sent-be", r, NULL);
            r->flags |= SRI_RECONF_SENT;
        }
    }
}

static void step_reconf_slaves(Instance *m) {
    Instance *p = m->promoted_slave;
    int64_t now = clock_mono_ms();
    int in_progress = 0;
    for (int i = 0; i < m->nreplicas; i++) {
        Instance *r = m->replicas[i];
        /* a replica that never showed progress stops holding a parallel-syncs slot */
        if ((r->flags & SRI_RECONF_SENT) &&
            now - r->slave_reconf_sent_time > sentinel.t.slave_reconf_timeout) {
            sentinel_event(LOG_NOTICE, "-slave-reconf-sent-timeout", r, NULL);
            r->flags &= ~SRI_RECONF_SENT;
            r->flags |= SRI_RECONF_DONE;
        }
        if (r->flags & (SRI_RECONF_SENT | SRI_RECONF_INPROG)) in_progress++;
    }
    for (int i = 0; i < m->nreplicas && in_progress < m->parallel_syncs; i++) {
        Instance *r = m->replicas[i];
        if (r->flags & (SRI_PROMOTED | SRI_RECONF_DONE | SRI_RECONF_SENT | SRI_RECONF_INPROG))
            continue;
        if (r->link->disconnected) continue;
        if (send_slaveof(r, p->ip, p->port) != 0) continue;
        r->flags |= SRI_RECONF_SENT;
        r->slave_reconf_sent_time = now;
        sentinel_event(LOG_NOTICE, "+slave-reconf-sent", r, NULL);
        in_progress++;
    }
    /* progress shows in the replicas' INFO: poll those we wait on */
    for (int i = 0; i < m->nreplicas; i++)
        if (m->replicas[i]->flags & (SRI_RECONF_SENT | SRI_RECONF_INPROG))
            ask_info(m->replicas[i], FAST_INFO_MS);
    detect_end(m);
}

static void step_update_config(Instance *m) {
    Instance *p = m->promoted_slave;
    char old_ip[SENTINEL_IP_LEN], new_ip[SENTINEL_IP_LEN];
    int old_port = m->port, new_port = p->port;
    snprintf(old_ip, sizeof(old_ip), "%s", m->ip);
    snprintf(new_ip, sizeof(new_ip), "%s", p->ip);
    sentinel_event_about(LOG_WARN, "+switch-master", m, "%s %s %d %s %d", m->name, old_ip,
                   old_port, new_ip, new_port);
    instance_switch_master(m, new_ip, new_port); /* frees p */
    state_save();
}

static void step(Instance *m) {
    if (m->failover_state >= FO_SEND_SLAVEOF_NOONE && !m->promoted_slave) {
        /* the chosen replica was forgotten under us (instance_remove_replica): nothing to
         * promote or to switch to; start over later like any failed attempt */
        log_warn("Failover of '%s' in state %s lost its promoted replica: aborted", m->name,
                 failover_state_name(m->failover_state));
        abort_failover(m);
        return;
    }
    switch (m->failover_state) {
    case FO_WAIT_START: step_wait_start(m); break;
    case FO_SELECT_SLAVE: step_select_slave(m); break;
    case FO_SEND_SLAVEOF_NOONE: step_send_slaveof_noone(m); break;
    case FO_WAIT_PROMOTION: step_wait_promotion(m); break;
    case FO_RECONF_SLAVES: step_reconf_slaves(m); break;
    case FO_UPDATE_CONFIG: step_update_config(m); break;
    case FO_NONE: break;
    }
}

/* ---- replicas that disagree with our configuration ----------------------------------- */

/* The master we would repoint a replica to is healthy and known to be a master. */
static bool master_looks_sane(const Instance *m) {
    return (m->flags & SRI_MASTER) && !(m->flags & (SRI_S_DOWN | SRI_O_DOWN)) &&
           !m->link->disconnected && m->role_reported == ROLE_MASTER && m->info_refresh &&
           clock_mono_ms() - m->info_refresh < sentinel.t.info_period * 2;
}

/* ri is up and has not been down (SDOWN/ODOWN) in the last `ms`. */
static bool no_down_for(const Instance *ri, int64_t ms) {
    if (ri->flags & (SRI_S_DOWN | SRI_O_DOWN)) return false;
    int64_t since = VG_MAX(ri->s_down_since_time, ri->o_down_since_time);
    return since == 0 || clock_mono_ms() - since > ms;
}

static int64_t convert_wait(void) {
    return sentinel.t.publish_period * CONVERT_WAIT_PUBLISH_PERIODS;
}

static bool reports_wrong_master(const Instance *r) {
    const Instance *m = r->master;
    return r->role_reported == ROLE_SLAVE && r->slave_master_host &&
           (r->slave_master_port != m->port || strcasecmp(r->slave_master_host, m->ip) != 0);
}

/* A replica of m (by our configuration) that is a master, or follows another address:
 * demote or repoint it once it has stayed so long enough for any newer configuration to
 * have reached us through hellos. Only outside our own failovers (which repoint replicas
 * on purpose) and with a sane master to point at. */
static void check_stray(Instance *r) {
    Instance *m = r->master;
    int64_t now = clock_mono_ms();
    if (m->flags & SRI_FAILOVER_IN_PROGRESS) return;
    if (r->flags & SRI_PROMOTED) return;
    if (r->slaveof_sent_time && now - r->slaveof_sent_time < SLAVEOF_RESEND_MS) return;
    if (!master_looks_sane(m)) return;
    if (r->role_reported == ROLE_MASTER) {
        int64_t wait = convert_wait();
        if (no_down_for(r, wait) && now - r->role_reported_time > wait &&
            send_slaveof(r, m->ip, m->port) == 0)
            sentinel_event(LOG_NOTICE, "+convert-to-slave", r, NULL);
    } else if (reports_wrong_master(r)) {
        int64_t wait = m->failover_timeout;
        if (no_down_for(r, wait) && now - r->slave_conf_change_time > wait &&
            send_slaveof(r, m->ip, m->port) == 0)
            sentinel_event(LOG_NOTICE, "+fix-slave-config", r, NULL);
    }
}

/* Ask stray replicas for INFO once their wait is over, so check_stray acts within a second
 * instead of at the next 10 s poll. */
static void poll_strays(Instance *m) {
    int64_t now = clock_mono_ms();
    for (int i = 0; i < m->nreplicas; i++) {
        Instance *r = m->replicas[i];
        if (r->role_reported == ROLE_MASTER) {
            if (now - r->role_reported_time > convert_wait()) ask_info(r, STRAY_INFO_MS);
        } else if (reports_wrong_master(r)) {
            if (now - r->slave_conf_change_time > m->failover_timeout)
                ask_info(r, STRAY_INFO_MS);
        }
    }
}

/* ---- entry points -------------------------------------------------------------------- */

void failover_tick(Instance *m) {
    if (sentinel.tilt || !(m->flags & SRI_MASTER)) return;
    if (should_start(m)) start_failover(m);
    if (!(m->flags & SRI_FAILOVER_IN_PROGRESS)) {
        poll_strays(m);
        return;
    }
    /* several steps can follow each other at once (elected → select → send) */
    for (int i = 0; i < 4 && (m->flags & SRI_FAILOVER_IN_PROGRESS); i++) {
        FailoverState before = m->failover_state;
        step(m);
        if (m->failover_state == before || m->failover_state == FO_NONE) break;
    }
}

void failover_on_info(Instance *ri) {
    if (sentinel.tilt || !(ri->flags & SRI_SLAVE) || !ri->master) return;
    Instance *m = ri->master;
    if (ri->role_reported == ROLE_MASTER && (ri->flags & SRI_PROMOTED) &&
        (m->flags & SRI_FAILOVER_IN_PROGRESS) && m->failover_state == FO_WAIT_PROMOTION &&
        m->promoted_slave == ri) {
        promotion_seen(m, ri);
        return;
    }
    if (ri->role_reported == ROLE_SLAVE && (m->flags & SRI_FAILOVER_IN_PROGRESS) &&
        m->failover_state >= FO_RECONF_SLAVES && m->promoted_slave) {
        Instance *p = m->promoted_slave;
        bool follows = ri->slave_master_host && ri->slave_master_port == p->port &&
                       strcasecmp(ri->slave_master_host, p->ip) == 0;
        if ((ri->flags & SRI_RECONF_SENT) && follows) {
            ri->flags &= ~SRI_RECONF_SENT;
            ri->flags |= SRI_RECONF_INPROG;
            sentinel_event(LOG_NOTICE, "+slave-reconf-inprog", ri, NULL);
        }
        if ((ri->flags & SRI_RECONF_INPROG) && follows && ri->slave_master_link_up) {
            ri->flags &= ~SRI_RECONF_INPROG;
            ri->flags |= SRI_RECONF_DONE;
            sentinel_event(LOG_NOTICE, "+slave-reconf-done", ri, NULL);
        }
        return;
    }
    check_stray(ri);
}

int failover_force(Instance *m, const char **err) {
    if (m->flags & SRI_FAILOVER_IN_PROGRESS) {
        *err = "INPROG Failover already in progress";
        return -1;
    }
    if (!failover_select_replica(m)) {
        *err = "NOGOODSLAVE No suitable replica to promote";
        return -1;
    }
    log_warn("Executing user requested FAILOVER of '%s'", m->name);
    start_failover(m);
    m->flags |= SRI_FORCE_FAILOVER;
    return 0;
}
