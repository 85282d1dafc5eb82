/* monitor.c - the observing half of the sentinel.
 *
 * monitor_tick() runs every 50-100 ms (main.c randomises it):
 *   1. TILT check: the wall clock jumped backwards or by more than tilt-trigger since the
 *      last tick (the process was stopped, the VM paused) -> +tilt; for tilt-period the
 *      sentinel keeps observing but does not act (reference §10).
 *   2. per master, for it, its replicas and its peer sentinels: reconnect the link, send
 *      the periodic PING / INFO / hello (reference §2).
 *   3. unless in TILT: SDOWN for every instance (§4), ODOWN for the master (§5),
 *      failover_tick() (failover.c), then asking peers with is-master-down-by-addr.
 * Replies feed back here: PING (availability), INFO (§3: run id, role, replicas, replica
 * fields; then failover_on_info), hellos (§9: peer discovery, epochs, config updates from
 * a peer's newer failover), is-master-down-by-addr answers (peer down flags and votes).
 *
 * Better than Redis on reference §17 weakness 2: a master we just switched to gets its SDOWN
 * clock restarted when we first reach it (link.c, restart_sdown_clock), and a peer's answer
 * about an address the master no longer has is ignored (the request carries a hash of the
 * address it asked about). */
#include "common/clock.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "sentinel/sentinel.h"

#include <hiredis/hiredis.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HELLO_CHANNEL     "__sentinel__:hello"
#define MAX_PENDING       100  /* periodic commands are skipped beyond this many replies due */
#define FAST_INFO_PERIOD  1000 /* replicas during a failover or with their link down */
#define ASK_EXPIRY_PERIOD 5    /* a peer's down answer lasts this many ask periods */

static Instance *master_of(Instance *ri) {
    return (ri->flags & SRI_MASTER) ? ri : ri->master;
}

/* ---- PING ----------------------------------------------------------------------------- */

/* Reference §3: +PONG, -LOADING and -MASTERDOWN prove the instance alive; any reply proves
 * the link alive. */
static void ping_reply(Instance *ri, redisReply *r, void *privdata) {
    VG_UNUSED(privdata);
    Link *l = ri->link;
    int64_t now = clock_mono_ms();
    if (r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR) {
        if (!strncmp(r->str, "PONG", 4) || !strncmp(r->str, "LOADING", 7) ||
            !strncmp(r->str, "MASTERDOWN", 10)) {
            l->last_avail_time = now;
            l->act_ping_time = 0;
            if (!strncmp(r->str, "PONG", 4)) ri->flags &= ~SRI_MASTER_REBOOT;
        } else if (!strncmp(r->str, "BUSY", 4) && (ri->flags & SRI_S_DOWN) &&
                   !(ri->flags & SRI_SCRIPT_KILL_SENT)) {
            const char *argv[] = {"SCRIPT", "KILL"};
            if (link_sendv(ri, NULL, NULL, 2, argv) == 0) ri->flags |= SRI_SCRIPT_KILL_SENT;
        }
    }
    l->last_pong_time = now;
}

static int send_ping(Instance *ri) {
    const char *argv[] = {"PING"};
    if (link_sendv(ri, ping_reply, NULL, 1, argv) != 0) return -1;
    int64_t now = clock_mono_ms();
    ri->link->last_ping_time = now;
    if (!ri->link->act_ping_time) ri->link->act_ping_time = now;
    return 0;
}

/* ---- INFO parsing (reference §3) ------------------------------------------------------ */

static bool has_prefix(const char *l, size_t n, const char *p) {
    size_t pl = strlen(p);
    return n >= pl && !memcmp(l, p, pl);
}

/* "slaveN:ip=..,port=..,state=.." or the old "slaveN:<ip>,<port>,<state>". */
static void parse_slave_line(Instance *m, char *l) {
    char *ip, *port, *end;
    if (!strstr(l, "ip=")) {
        if (!(ip = strchr(l, ':'))) return;
        ip++;
        if (!(port = strchr(ip, ','))) return;
        *port++ = '\0';
        if (!(end = strchr(port, ','))) return;
        *end = '\0';
    } else {
        ip = strstr(l, "ip=") + 3;
        if (!(port = strstr(l, "port="))) return;
        port += 5;
        if ((end = strchr(ip, ','))) *end = '\0';
        if ((end = strchr(port, ','))) *end = '\0';
    }
    long long p;
    char addr[SENTINEL_IP_LEN];
    if (!util_str_to_ll(port, strlen(port), &p) || p <= 0 || p > 65535) return;
    if (!instance_parse_ip(ip, addr)) return;
    if (instance_replica_by_addr(m, addr, (int)p)) return;
    Instance *r = instance_add_replica(m, addr, (int)p);
    sentinel_event(LOG_NOTICE, "+slave", r, NULL);
    state_save();
}

static void parse_run_id(Instance *ri, const char *id) {
    if (ri->runid && !strncmp(ri->runid, id, SENTINEL_ID_LEN)) return;
    if (ri->runid) {
        sentinel_event(LOG_NOTICE, "+reboot", ri, NULL);
        if ((ri->flags & SRI_MASTER) && ri->master_reboot_down_after_period) {
            ri->flags |= SRI_MASTER_REBOOT;
            ri->master_reboot_since_time = clock_mono_ms();
        }
    }
    mem_free(ri->runid);
    ri->runid = mem_alloc(SENTINEL_ID_LEN + 1);
    memcpy(ri->runid, id, SENTINEL_ID_LEN);
    ri->runid[SENTINEL_ID_LEN] = '\0';
}

/* The replica-side fields; Redis reads them only after role:slave. */
static void parse_replica_field(Instance *ri, const char *l, size_t n) {
    if (has_prefix(l, n, "master_host:")) {
        const char *h = l + 12;
        if (!ri->slave_master_host || strcasecmp(h, ri->slave_master_host)) {
            mem_free(ri->slave_master_host);
            ri->slave_master_host = mem_strdup(h);
            ri->slave_conf_change_time = clock_mono_ms();
        }
    } else if (has_prefix(l, n, "master_port:")) {
        int p = atoi(l + 12);
        if (ri->slave_master_port != p) {
            ri->slave_master_port = p;
            ri->slave_conf_change_time = clock_mono_ms();
        }
    } else if (has_prefix(l, n, "master_link_status:")) {
        ri->slave_master_link_up = !strcasecmp(l + 19, "up");
    } else if (has_prefix(l, n, "slave_priority:")) {
        ri->slave_priority = atoi(l + 15);
    } else if (has_prefix(l, n, "slave_repl_offset:")) {
        ri->slave_repl_offset = strtoull(l + 18, NULL, 10);
    } else if (has_prefix(l, n, "replica_announced:")) {
        ri->replica_announced = atoi(l + 18);
    }
}

static void note_role(Instance *ri, int role) {
    if (role == ROLE_UNKNOWN || role == ri->role_reported) return;
    int64_t now = clock_mono_ms();
    ri->role_reported = role;
    ri->role_reported_time = now;
    if (role == ROLE_SLAVE) ri->slave_conf_change_time = now;
    int configured = (ri->flags & SRI_MASTER) ? ROLE_MASTER : ROLE_SLAVE;
    sentinel_event(LOG_VERBOSE, role == configured ? "+role-change" : "-role-change", ri,
                   "new reported role is %s", role == ROLE_MASTER ? "master" : "slave");
}

static void parse_info(Instance *ri, const char *text, size_t len) {
    mem_free(ri->info);
    ri->info = mem_alloc(len + 1);
    memcpy(ri->info, text, len);
    ri->info[len] = '\0';
    ri->master_link_down_time = 0; /* the field is only present while the link is down */
    int role = ROLE_UNKNOWN;
    char *copy = mem_strdup(ri->info), *save = NULL;
    for (char *l = strtok_r(copy, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
        size_t n = strlen(l);
        if (n >= 47 && has_prefix(l, n, "run_id:")) {
            parse_run_id(ri, l + 7);
        } else if ((ri->flags & SRI_MASTER) && n >= 7 && has_prefix(l, n, "slave") &&
                   isdigit((unsigned char)l[5])) {
            parse_slave_line(ri, l);
        } else if (has_prefix(l, n, "master_link_down_since_seconds:")) {
            ri->master_link_down_time = strtoll(l + 31, NULL, 10) * 1000;
        } else if (has_prefix(l, n, "role:master")) {
            role = ROLE_MASTER;
        } else if (has_prefix(l, n, "role:slave")) {
            role = ROLE_SLAVE;
        } else if (role == ROLE_SLAVE) {
            parse_replica_field(ri, l, n);
        }
    }
    mem_free(copy);
    ri->info_refresh = clock_mono_ms();
    note_role(ri, role);
}

static void info_reply(Instance *ri, redisReply *r, void *privdata) {
    VG_UNUSED(privdata);
    if (r->type != REDIS_REPLY_STRING) return;
    parse_info(ri, r->str, r->len);
    /* the acting half reacts to roles (promotion seen, reconfiguration progress); not in
     * TILT, as Redis. It may switch the master and free ri: nothing touches ri after. */
    if (!sentinel.tilt) failover_on_info(ri);
}

static int send_info(Instance *ri) {
    const char *argv[] = {"INFO"};
    return link_sendv(ri, info_reply, NULL, 1, argv);
}

void monitor_request_info(Instance *ri) {
    if (ri->flags & SRI_SENTINEL) return; /* peers answer INFO, but nothing here reads it */
    if (ri->link->disconnected || ri->link->pending_commands >= MAX_PENDING) return;
    send_info(ri);
}

void monitor_link_connected(Instance *ri) {
    send_ping(ri);
    if (!(ri->flags & SRI_SENTINEL)) send_info(ri);
}

/* ---- hellos (reference §9) ------------------------------------------------------------ */

static void publish_reply(Instance *ri, redisReply *r, void *privdata) {
    VG_UNUSED(privdata);
    /* only a delivered hello counts; otherwise the next tick tries again */
    if (r->type != REDIS_REPLY_ERROR) ri->last_pub_time = clock_mono_ms();
}

int monitor_send_hello(Instance *ri) {
    if (ri->link->disconnected) return -1;
    /* a primary fenced by a manual failover holds PUBLISH (a may-replicate command) and
     * everything behind it on this link: no hello until the pause is lifted */
    if (ri->fence_sent_time) return -1;
    char ip[SENTINEL_IP_LEN];
    if (scfg.announce_ip && *scfg.announce_ip)
        snprintf(ip, sizeof(ip), "%s", scfg.announce_ip);
    else if (!link_local_ip(ri, ip))
        return -1;
    long long port = scfg.announce_port ? scfg.announce_port : scfg.port;
    Instance *m = master_of(ri);
    const char *mip;
    int mport;
    instance_current_addr(m, &mip, &mport);
    Buf payload = BUF_INIT;
    buf_printf(&payload, "%s,%lld,%s,%llu,%s,%s,%d,%llu", ip, port, sentinel.myid,
               (unsigned long long)sentinel.current_epoch, m->name, mip, mport,
               (unsigned long long)m->config_epoch);
    const char *argv[] = {"PUBLISH", HELLO_CHANNEL, buf_cstr(&payload)};
    int rc = link_sendv(ri, publish_reply, NULL, 3, argv);
    buf_deinit(&payload);
    return rc;
}

static void force_hello_one(Instance *ri) {
    ri->last_pub_time -= sentinel.t.publish_period + 1;
}

void monitor_force_hello(Instance *m) {
    force_hello_one(m);
    for (int i = 0; i < m->nreplicas; i++)
        force_hello_one(m->replicas[i]);
    for (int i = 0; i < m->nsentinels; i++)
        force_hello_one(m->sentinels[i]);
}

/* Remove every sentinel of m with this run id; returns how many. */
static int remove_sentinel_runid(Instance *m, const char *runid) {
    int removed = 0;
    for (int i = m->nsentinels - 1; i >= 0; i--) {
        Instance *s = m->sentinels[i];
        if (s->runid && !strcmp(s->runid, runid)) {
            instance_remove_sentinel(m, s);
            removed++;
        }
    }
    return removed;
}

/* A peer moved (same run id, new address): its entries under our other masters follow. */
static void update_sentinel_everywhere(Instance *si) {
    int n = 0;
    for (int i = 0; i < sentinel.nmasters; i++) {
        Instance *m = sentinel.masters[i];
        if (m == si->master) continue;
        Instance *s = instance_sentinel_by_runid(m, si->runid);
        if (!s || (s->port == si->port && !strcasecmp(s->ip, si->ip))) continue;
        link_close(s->link);
        snprintf(s->ip, sizeof(s->ip), "%s", si->ip);
        s->port = si->port;
        s->link->last_reconn_time = 0;
        n++;
    }
    if (n)
        sentinel_event(LOG_NOTICE, "+sentinel-address-update", si,
                       "%d additional matching instances", n);
}

/* Step 1: find the sender among m's sentinels, or add it. NULL when it can't be. */
static Instance *hello_sender(Instance *m, const char *ip, int port, const char *runid) {
    Instance *si = instance_sentinel_by_runid(m, runid);
    if (si && si->port == port && !strcasecmp(si->ip, ip)) return si;
    int removed = remove_sentinel_runid(m, runid);
    if (removed) {
        sentinel_event(LOG_NOTICE, "+sentinel-address-switch", m, "ip %s port %d for %s", ip, port,
                       runid);
    } else {
        Instance *other = instance_sentinel_by_addr(m, ip, port);
        if (other) {
            /* the address now belongs to another run id (a restarted sentinel with a new
             * id): the old one is gone, under every master */
            sentinel_event(LOG_NOTICE, "+sentinel-invalid-addr", other, NULL);
            char *old = mem_strdup(other->runid ? other->runid : other->name);
            for (int i = 0; i < sentinel.nmasters; i++)
                remove_sentinel_runid(sentinel.masters[i], old);
            mem_free(old);
        }
    }
    si = instance_add_sentinel(m, ip, port, runid);
    if (!removed) sentinel_event(LOG_NOTICE, "+sentinel", si, NULL);
    if (removed) update_sentinel_everywhere(si);
    state_save();
    return si;
}

/* Split the payload into exactly 8 comma-separated tokens (copied into buf). */
static int split_hello(const char *payload, size_t len, char *buf, size_t bufsz, char *tok[8]) {
    if (len >= bufsz) return -1;
    memcpy(buf, payload, len);
    buf[len] = '\0';
    int n = 0;
    char *p = buf;
    for (;;) {
        if (n == 8) return -1;
        tok[n++] = p;
        char *c = strchr(p, ',');
        if (!c) break;
        *c = '\0';
        p = c + 1;
    }
    return n == 8 ? 0 : -1;
}

static bool mentions_myid(const char *p, size_t len) {
    for (size_t i = 0; i + SENTINEL_ID_LEN <= len; i++)
        if (!memcmp(p + i, sentinel.myid, SENTINEL_ID_LEN)) return true;
    return false;
}

void monitor_hello_received(const char *payload, size_t len) {
    char buf[512], *tok[8];
    if (mentions_myid(payload, len)) return; /* our own hello, back through a server */
    if (split_hello(payload, len, buf, sizeof(buf), tok) != 0) return;
    Instance *m = sentinel_master_by_name(tok[4]);
    if (!m) return;
    long long port, mport;
    unsigned long long epoch, cfg_epoch;
    char ip[SENTINEL_IP_LEN], mip[SENTINEL_IP_LEN];
    if (!util_str_to_ll(tok[1], strlen(tok[1]), &port) || port < 0 || port > 65535 ||
        !util_str_to_ll(tok[6], strlen(tok[6]), &mport) || mport <= 0 || mport > 65535 ||
        !util_str_to_ull(tok[3], strlen(tok[3]), &epoch) ||
        !util_str_to_ull(tok[7], strlen(tok[7]), &cfg_epoch) || strlen(tok[2]) != SENTINEL_ID_LEN ||
        !instance_parse_ip(tok[0], ip) || !instance_parse_ip(tok[5], mip))
        return;
    Instance *si = hello_sender(m, ip, (int)port, tok[2]);

    if (epoch > sentinel.current_epoch) { /* step 2 */
        sentinel.current_epoch = epoch;
        state_save();
        sentinel_event_about(LOG_WARN, "+new-epoch", m, "%llu", epoch);
    }
    if (cfg_epoch > m->config_epoch) { /* step 3: a newer failover's outcome */
        m->config_epoch = cfg_epoch;
        if (mport != m->port || strcasecmp(mip, m->ip)) {
            char old_ip[SENTINEL_IP_LEN];
            int old_port = m->port;
            snprintf(old_ip, sizeof(old_ip), "%s", m->ip);
            sentinel_event(LOG_WARN, "+config-update-from", si, NULL);
            sentinel_event_about(LOG_WARN, "+switch-master", m, "%s %s %d %s %d", m->name, old_ip,
                           old_port, mip, (int)mport);
            instance_switch_master(m, mip, (int)mport);
            scripts_client_reconfig(m, false, old_ip, old_port, mip, (int)mport);
            si = instance_sentinel_by_runid(m, tok[2]); /* kept by the switch, but be sure */
        }
        state_save();
    }
    if (si) si->last_hello_time = clock_mono_ms(); /* step 4 */
}

/* ---- periodic commands (reference §2) ------------------------------------------------- */

static void send_periodic(Instance *ri) {
    Link *l = ri->link;
    if (l->disconnected || l->pending_commands >= MAX_PENDING) return;
    int64_t now = clock_mono_ms();
    long long info_period = sentinel.t.info_period;
    if ((ri->flags & SRI_SLAVE) && ((ri->master->flags & (SRI_O_DOWN | SRI_FAILOVER_IN_PROGRESS)) ||
                                    ri->master_link_down_time != 0))
        info_period = FAST_INFO_PERIOD;
    long long ping_period = ri->down_after_period < sentinel.t.ping_period ? ri->down_after_period
                                                                           : sentinel.t.ping_period;
    if (!(ri->flags & SRI_SENTINEL) &&
        (ri->info_refresh == 0 || now - ri->info_refresh > info_period))
        send_info(ri);
    if (now - l->last_pong_time > ping_period && now - l->last_ping_time > ping_period / 2)
        send_ping(ri);
    if (now - ri->last_pub_time > sentinel.t.publish_period) monitor_send_hello(ri);
}

static void observe(Instance *ri) {
    link_reconnect(ri);
    send_periodic(ri);
}

/* ---- SDOWN and ODOWN (reference §4, §5) ----------------------------------------------- */

static void check_sdown(Instance *ri) {
    Link *l = ri->link;
    int64_t now = clock_mono_ms(), elapsed = 0;
    if (l->act_ping_time)
        elapsed = now - l->act_ping_time;
    else if (l->disconnected)
        elapsed = now - l->last_avail_time;
    link_check_dead(ri);
    bool down = elapsed > ri->down_after_period;
    if ((ri->flags & SRI_MASTER) && ri->role_reported == ROLE_SLAVE &&
        now - ri->role_reported_time > ri->down_after_period + sentinel.t.info_period * 2)
        down = true; /* a master that says it is a replica, for too long */
    if ((ri->flags & SRI_MASTER_REBOOT) &&
        now - ri->master_reboot_since_time > ri->master_reboot_down_after_period)
        down = true;
    if (down && !(ri->flags & SRI_S_DOWN)) {
        sentinel_event(LOG_WARN, "+sdown", ri, NULL);
        ri->s_down_since_time = now;
        ri->flags |= SRI_S_DOWN;
    } else if (!down && (ri->flags & SRI_S_DOWN)) {
        sentinel_event(LOG_WARN, "-sdown", ri, NULL);
        ri->flags &= ~(SRI_S_DOWN | SRI_SCRIPT_KILL_SENT);
    }
}

/* A peer's answer (down flag and vote) counts for ASK_EXPIRY_PERIOD ask periods. Done before
 * counting ODOWN too, not only when asking as Redis does: after TILT (no asking) the first
 * ODOWN check would otherwise count answers of any age. */
static void expire_peer_answers(Instance *m) {
    int64_t now = clock_mono_ms();
    for (int i = 0; i < m->nsentinels; i++) {
        Instance *s = m->sentinels[i];
        if (now - s->last_master_down_reply_time <= sentinel.t.ask_period * ASK_EXPIRY_PERIOD)
            continue;
        s->flags &= ~SRI_MASTER_DOWN;
        mem_free(s->leader);
        s->leader = NULL;
    }
}

static void check_odown(Instance *m) {
    expire_peer_answers(m);
    unsigned votes = 0;
    bool odown = false;
    if (m->flags & SRI_S_DOWN) {
        votes = 1;
        for (int i = 0; i < m->nsentinels; i++)
            if (m->sentinels[i]->flags & SRI_MASTER_DOWN) votes++;
        odown = votes >= m->quorum;
    }
    if (odown && !(m->flags & SRI_O_DOWN)) {
        sentinel_event(LOG_WARN, "+odown", m, "#quorum %u/%u", votes, m->quorum);
        m->flags |= SRI_O_DOWN;
        m->o_down_since_time = clock_mono_ms();
    } else if (!odown && (m->flags & SRI_O_DOWN)) {
        sentinel_event(LOG_WARN, "-odown", m, NULL);
        m->flags &= ~SRI_O_DOWN;
    }
}

bool monitor_is_odown(const Instance *m) {
    return (m->flags & SRI_O_DOWN) != 0;
}

/* ---- is-master-down-by-addr (reference §5) -------------------------------------------- */

static uint64_t addr_tag(const char *ip, int port) {
    char a[SENTINEL_IP_LEN + 16];
    int n = snprintf(a, sizeof(a), "%s:%d", ip, port);
    return hash_crc64(0, a, (size_t)n);
}

static void ask_reply(Instance *s, redisReply *r, void *privdata) {
    Instance *m = s->master;
    /* the master moved since we asked: the answer is about a server we no longer watch */
    if ((uint64_t)(uintptr_t)privdata != (uint64_t)(uintptr_t)addr_tag(m->ip, m->port)) return;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
        r->element[0]->type != REDIS_REPLY_INTEGER || r->element[1]->type != REDIS_REPLY_STRING ||
        r->element[2]->type != REDIS_REPLY_INTEGER)
        return;
    s->last_master_down_reply_time = clock_mono_ms();
    if (r->element[0]->integer == 1)
        s->flags |= SRI_MASTER_DOWN;
    else
        s->flags &= ~SRI_MASTER_DOWN;
    if (strcmp(r->element[1]->str, "*") != 0) {
        uint64_t epoch = (uint64_t)r->element[2]->integer;
        if (s->leader_epoch != epoch)
            log_notice("%s voted for %s %llu", s->name, r->element[1]->str,
                       (unsigned long long)epoch);
        mem_free(s->leader);
        s->leader = mem_strdup(r->element[1]->str);
        s->leader_epoch = epoch;
    }
}

void monitor_ask_master_state(Instance *m, bool force) {
    int64_t now = clock_mono_ms();
    char port[16], epoch[24];
    snprintf(port, sizeof(port), "%d", m->port);
    snprintf(epoch, sizeof(epoch), "%llu", (unsigned long long)sentinel.current_epoch);
    uintptr_t tag = (uintptr_t)addr_tag(m->ip, m->port);
    /* with our run id the question is also a vote request: only once our candidacy is open */
    bool candidate = m->failover_state > FO_NONE && !m->election_at;
    expire_peer_answers(m);
    for (int i = 0; i < m->nsentinels; i++) {
        Instance *s = m->sentinels[i];
        if (!(m->flags & SRI_S_DOWN) || s->link->disconnected) continue;
        if (!force && now - s->last_master_down_reply_time < sentinel.t.ask_period) continue;
        if (!force && s->link->pending_commands >= MAX_PENDING) continue;
        const char *argv[] = {"SENTINEL", "is-master-down-by-addr",
                              m->ip,      port,
                              epoch,      candidate ? sentinel.myid : "*"};
        link_sendv(s, ask_reply, (void *)tag, 6, argv);
    }
}

/* ---- TILT (reference §10) ------------------------------------------------------------- */

static void check_tilt(void) {
    int64_t now = clock_wall_ms();
    int64_t delta = now - sentinel.previous_time;
    if (sentinel.previous_time && (delta < 0 || delta > sentinel.t.tilt_trigger)) {
        sentinel.tilt = true;
        sentinel.tilt_start_time = clock_mono_ms();
        sentinel_event(LOG_WARN, "+tilt", NULL, "#tilt mode entered");
    }
    sentinel.previous_time = now;
}

/* true while TILT still holds; leaves it when the period is over */
static bool in_tilt(void) {
    if (!sentinel.tilt) return false;
    if (clock_mono_ms() - sentinel.tilt_start_time < sentinel.t.tilt_period) return true;
    sentinel.tilt = false;
    sentinel_event(LOG_WARN, "-tilt", NULL, "#tilt mode exited");
    return false;
}

long long monitor_tilt_since_seconds(void) {
    if (!sentinel.tilt) return -1;
    return (clock_mono_ms() - sentinel.tilt_start_time) / 1000;
}

/* ---- the tick ------------------------------------------------------------------------- */

static void act_on_master(Instance *m) {
    check_sdown(m);
    for (int i = 0; i < m->nreplicas; i++)
        check_sdown(m->replicas[i]);
    for (int i = 0; i < m->nsentinels; i++)
        check_sdown(m->sentinels[i]);
    check_odown(m);
    failover_tick(m); /* may switch m to a new address and rebuild its replicas */
    monitor_ask_master_state(m, false);
}

void monitor_tick(void) {
    check_tilt();
    for (int i = 0; i < sentinel.nmasters; i++) {
        Instance *m = sentinel.masters[i];
        observe(m);
        for (int j = 0; j < m->nreplicas; j++)
            observe(m->replicas[j]);
        for (int j = 0; j < m->nsentinels; j++)
            observe(m->sentinels[j]);
    }
    if (in_tilt()) return;
    for (int i = 0; i < sentinel.nmasters; i++)
        act_on_master(sentinel.masters[i]);
}
