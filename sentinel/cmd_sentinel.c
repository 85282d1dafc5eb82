/* cmd_sentinel.c - the SENTINEL command family and INFO's # Sentinel section.
 *
 * Every reply shape, error text and arity rule here is Redis Sentinel 7.0.15's (reference
 * sections 13, 13a, 13b and 5), because client libraries parse them: redis-py reads
 * SENTINEL MASTERS' flags/ip/port, ioredis GET-MASTER-ADDR-BY-NAME and SENTINELS, peers
 * IS-MASTER-DOWN-BY-ADDR. Instance maps are flat arrays in RESP2 and maps in RESP3; their
 * numbers are bulk strings.
 *
 * What is deliberately elsewhere: the vote (failover_vote) and the forced failover
 * (failover_force) live in failover.c; persistence in state.c (every runtime change here
 * ends with state_save, and a failed save is reported as Redis does: "Failed to save
 * config file"). The script queue behind PENDING-SCRIPTS and INFO's script counters is
 * scripts.c's. */
#include "common/clock.h"
#include "common/glob.h"
#include "common/mem.h"
#include "common/resp_writer.h"
#include "common/util.h"
#include "sentinel/front.h"
#include "sentinel/sentinel.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SAVE_FAILED "ERR Failed to save config file. Check server logs."
#define NO_SUCH_MASTER "ERR No such master with that name"

/* ---- instance maps (reference 13a) ---------------------------------------------------- */

/* Flag words in the order Redis prints them. */
static const struct {
    int flag;
    const char *word;
} flag_words[] = {
    {SRI_S_DOWN, "s_down"},
    {SRI_O_DOWN, "o_down"},
    {SRI_MASTER, "master"},
    {SRI_SLAVE, "slave"},
    {SRI_SENTINEL, "sentinel"},
    {-1, "disconnected"}, /* from the link, not a flag */
    {SRI_MASTER_DOWN, "master_down"},
    {SRI_FAILOVER_IN_PROGRESS, "failover_in_progress"},
    {SRI_PROMOTED, "promoted"},
    {SRI_RECONF_SENT, "reconf_sent"},
    {SRI_RECONF_INPROG, "reconf_inprog"},
    {SRI_RECONF_DONE, "reconf_done"},
    {SRI_FORCE_FAILOVER, "force_failover"},
    {SRI_SCRIPT_KILL_SENT, "script_kill_sent"},
};

static void format_flags(const Instance *ri, Buf *out) {
    for (size_t i = 0; i < VG_ARRAY_LEN(flag_words); i++) {
        bool on = flag_words[i].flag == -1 ? (ri->link && ri->link->disconnected)
                                           : (ri->flags & flag_words[i].flag) != 0;
        if (!on) continue;
        if (out->len) buf_append_char(out, ',');
        buf_append_str(out, flag_words[i].word);
    }
}

static void pair_str(Buf *b, const char *k, const char *v) {
    resp_bulk_cstr(b, k);
    resp_bulk_cstr(b, v ? v : "");
}

static void pair_ll(Buf *b, const char *k, long long v) {
    resp_bulk_cstr(b, k);
    resp_bulk_ll(b, v);
}

/* Close a deferred map of n pairs: a RESP3 map, or a flat array of 2n in RESP2. */
static void map_end(SClient *c, size_t handle, long long n) {
    char kind = resp_agg_char(c->resp, '%');
    resp_deferred_end(&c->out, handle, kind, kind == '%' ? n : 2 * n);
}

/* ms since t, 0 when t was never set */
static long long since(int64_t now, int64_t t) {
    return t ? (long long)(now - t) : 0;
}

static void reply_instance(SClient *c, const Instance *ri) {
    Buf *b = &c->out;
    int64_t now = clock_mono_ms();
    const Link *l = ri->link;
    size_t h = resp_deferred_begin(b);
    long long n = 0;

    pair_str(b, "name", ri->name);
    pair_str(b, "ip", ri->ip);
    pair_ll(b, "port", ri->port);
    pair_str(b, "runid", ri->runid);
    Buf flags = BUF_INIT;
    format_flags(ri, &flags);
    pair_str(b, "flags", buf_cstr(&flags));
    buf_deinit(&flags);
    pair_ll(b, "link-pending-commands", l ? l->pending_commands : 0);
    pair_ll(b, "link-refcount", 1);
    n += 7;
    if (ri->failover_state != FO_NONE) {
        pair_str(b, "failover-state", failover_state_name(ri->failover_state));
        n++;
    }
    pair_ll(b, "last-ping-sent", l ? since(now, l->act_ping_time) : 0);
    pair_ll(b, "last-ok-ping-reply", l ? since(now, l->last_avail_time) : 0);
    /* a link that never got a reply counts from its creation, as Redis's does */
    pair_ll(b, "last-ping-reply",
            l ? since(now, l->last_pong_time ? l->last_pong_time : l->last_avail_time) : 0);
    n += 3;
    if (ri->flags & SRI_S_DOWN) {
        pair_ll(b, "s-down-time", since(now, ri->s_down_since_time));
        n++;
    }
    if (ri->flags & SRI_O_DOWN) {
        pair_ll(b, "o-down-time", since(now, ri->o_down_since_time));
        n++;
    }
    pair_ll(b, "down-after-milliseconds", ri->down_after_period);
    n++;
    if (ri->flags & (SRI_MASTER | SRI_SLAVE)) {
        pair_ll(b, "info-refresh", since(now, ri->info_refresh));
        pair_str(b, "role-reported", ri->role_reported == ROLE_SLAVE ? "slave" : "master");
        pair_ll(b, "role-reported-time", since(now, ri->role_reported_time));
        n += 3;
    }
    if (ri->flags & SRI_MASTER) {
        pair_ll(b, "config-epoch", (long long)ri->config_epoch);
        pair_ll(b, "num-slaves", ri->nreplicas);
        pair_ll(b, "num-other-sentinels", ri->nsentinels);
        pair_ll(b, "quorum", ri->quorum);
        pair_ll(b, "failover-timeout", ri->failover_timeout);
        pair_ll(b, "parallel-syncs", ri->parallel_syncs);
        n += 6;
        if (ri->notification_script) {
            pair_str(b, "notification-script", ri->notification_script);
            n++;
        }
        if (ri->client_reconfig_script) {
            pair_str(b, "client-reconfig-script", ri->client_reconfig_script);
            n++;
        }
    }
    if (ri->flags & SRI_SLAVE) {
        pair_ll(b, "master-link-down-time", ri->master_link_down_time);
        pair_str(b, "master-link-status", ri->slave_master_link_up ? "ok" : "err");
        pair_str(b, "master-host", ri->slave_master_host ? ri->slave_master_host : "?");
        pair_ll(b, "master-port", ri->slave_master_port);
        pair_ll(b, "slave-priority", ri->slave_priority);
        pair_ll(b, "slave-repl-offset", (long long)ri->slave_repl_offset);
        pair_ll(b, "replica-announced", ri->replica_announced);
        n += 7;
    }
    if (ri->flags & SRI_SENTINEL) {
        pair_ll(b, "last-hello-message", since(now, ri->last_hello_time));
        pair_str(b, "voted-leader", ri->leader ? ri->leader : "?");
        pair_ll(b, "voted-leader-epoch", (long long)ri->leader_epoch);
        n += 3;
    }
    map_end(c, h, n);
}

/* ---- helpers ---------------------------------------------------------------------------- */

static Instance *master_or_reply(SClient *c, const char *name) {
    Instance *m = sentinel_master_by_name(name);
    if (!m) sc_reply_error(c, NO_SUCH_MASTER);
    return m;
}

static bool parse_ll(const char *s, long long *out) {
    return util_str_to_ll(s, strlen(s), out);
}

/* Save and answer +OK, or the save error (the change itself stays applied, as in Redis). */
static void save_and_reply_ok(SClient *c) {
    if (state_save() != 0)
        sc_reply_error(c, SAVE_FAILED);
    else
        sc_reply_ok(c);
}

/* ---- subcommands -------------------------------------------------------------------------
 * Each gets NUL-terminated copies of the arguments (a[0] = "sentinel", a[1] = subcommand). */

static void sub_masters(SClient *c, int argc, char **a) {
    VG_UNUSED(argc), VG_UNUSED(a);
    resp_array(&c->out, sentinel.nmasters);
    for (int i = 0; i < sentinel.nmasters; i++) reply_instance(c, sentinel.masters[i]);
}

static void sub_master(SClient *c, int argc, char **a) {
    VG_UNUSED(argc);
    Instance *m = master_or_reply(c, a[2]);
    if (m) reply_instance(c, m);
}

static void sub_replicas(SClient *c, int argc, char **a) {
    VG_UNUSED(argc);
    Instance *m = master_or_reply(c, a[2]);
    if (!m) return;
    /* replica-announced:0 hides a replica from this list (it can still be promoted) */
    long long n = 0;
    for (int i = 0; i < m->nreplicas; i++) n += m->replicas[i]->replica_announced != 0;
    resp_array(&c->out, n);
    for (int i = 0; i < m->nreplicas; i++)
        if (m->replicas[i]->replica_announced) reply_instance(c, m->replicas[i]);
}

static void sub_sentinels(SClient *c, int argc, char **a) {
    VG_UNUSED(argc);
    Instance *m = master_or_reply(c, a[2]);
    if (!m) return;
    resp_array(&c->out, m->nsentinels);
    for (int i = 0; i < m->nsentinels; i++) reply_instance(c, m->sentinels[i]);
}

static void sub_get_master_addr(SClient *c, int argc, char **a) {
    VG_UNUSED(argc);
    Instance *m = sentinel_master_by_name(a[2]);
    if (!m) {
        resp_null_array(&c->out, c->resp);
        return;
    }
    const char *ip;
    int port;
    instance_current_addr(m, &ip, &port);
    resp_array(&c->out, 2);
    resp_bulk_cstr(&c->out, ip);
    resp_bulk_ll(&c->out, port);
}

static void sub_is_master_down(SClient *c, int argc, char **a) {
    VG_UNUSED(argc);
    long long port, epoch;
    if (!parse_ll(a[3], &port) || !parse_ll(a[4], &epoch)) {
        sc_reply_error(c, "ERR value is not an integer or out of range");
        return;
    }
    /* by address, not by name: peers may call the group differently */
    Instance *m = (port >= 0 && port <= 65535) ? sentinel_master_by_addr(a[2], (int)port) : NULL;
    bool down = m && !sentinel.tilt && (m->flags & SRI_S_DOWN);
    const char *leader = NULL;
    uint64_t leader_epoch = 0;
    if (m && strcmp(a[5], "*") != 0)
        failover_vote(m, (uint64_t)epoch, a[5], &leader, &leader_epoch);
    resp_array(&c->out, 3);
    resp_int(&c->out, down);
    resp_bulk_cstr(&c->out, leader ? leader : "*");
    resp_int(&c->out, leader ? (long long)leader_epoch : 0);
}

static void sub_myid(SClient *c, int argc, char **a) {
    VG_UNUSED(argc), VG_UNUSED(a);
    resp_bulk(&c->out, sentinel.myid, strlen(sentinel.myid));
}

static void sub_ckquorum(SClient *c, int argc, char **a) {
    VG_UNUSED(argc);
    Instance *m = master_or_reply(c, a[2]);
    if (!m) return;
    int usable = 1; /* ourselves */
    for (int i = 0; i < m->nsentinels; i++)
        if (!(m->sentinels[i]->flags & (SRI_S_DOWN | SRI_O_DOWN))) usable++;
    /* the majority is over every sentinel ever seen since the last RESET, reachable or not */
    int voters = m->nsentinels + 1;
    bool no_quorum = (unsigned)usable < m->quorum;
    bool no_auth = usable < voters / 2 + 1;
    if (!no_quorum && !no_auth) {
        Buf s = BUF_INIT;
        buf_printf(&s, "OK %d usable Sentinels. Quorum and failover authorization can be "
                       "reached", usable);
        resp_simple(&c->out, s.data, s.len);
        buf_deinit(&s);
        return;
    }
    sc_reply_error(c, "NOQUORUM %d usable Sentinels. %s%s%s", usable,
                   no_quorum ? "Not enough available Sentinels to reach the specified quorum "
                               "for this master" : "",
                   no_quorum && no_auth ? ". " : "",
                   no_auth ? "Not enough available Sentinels to reach the majority and "
                             "authorize a failover" : "");
}

static void sub_failover(SClient *c, int argc, char **a) {
    VG_UNUSED(argc);
    Instance *m = master_or_reply(c, a[2]);
    if (!m) return;
    const char *err = NULL;
    if (failover_force(m, &err) != 0) {
        if (!err) err = "ERR failover refused";
        if (*err == '-') err++; /* the contract allows the RESP prefix */
        sc_reply_error(c, "%s", err);
        return;
    }
    sc_reply_ok(c);
}

static void sub_reset(SClient *c, int argc, char **a) {
    VG_UNUSED(argc);
    long long count = 0;
    for (int i = 0; i < sentinel.nmasters; i++) {
        Instance *m = sentinel.masters[i];
        if (!glob_match_cstr(a[2], m->name, false)) continue;
        instance_reset_master(m, false);
        sentinel_event(LOG_WARN, "+reset-master", m, NULL);
        count++;
    }
    if (count) state_save(); /* Redis answers the count even when the save fails */
    resp_int(&c->out, count);
}

static void sub_monitor(SClient *c, int argc, char **a) {
    VG_UNUSED(argc);
    long long port, quorum;
    if (!parse_ll(a[4], &port)) {
        sc_reply_error(c, "ERR Invalid port");
        return;
    }
    if (!parse_ll(a[5], &quorum)) {
        sc_reply_error(c, "ERR Invalid quorum");
        return;
    }
    if (quorum <= 0) {
        sc_reply_error(c, "ERR Quorum must be 1 or greater.");
        return;
    }
    char ip[SENTINEL_IP_LEN];
    if (!instance_parse_ip(a[3], ip)) {
        sc_reply_error(c, "ERR Invalid IP address or hostname specified");
        return;
    }
    if (sentinel_master_by_name(a[2])) {
        sc_reply_error(c, "ERR Duplicate master name.");
        return;
    }
    if (port < 0 || port > 65535) {
        sc_reply_error(c, "ERR Invalid port number.");
        return;
    }
    if (quorum > (long long)UINT32_MAX) quorum = UINT32_MAX;
    Instance *m = instance_new_master(a[2], ip, (int)port, (unsigned)quorum);
    sentinel_add_master(m);
    state_note_monitor(m);
    int rc = state_save();
    sentinel_event(LOG_WARN, "+monitor", m, "quorum %u", m->quorum);
    if (rc != 0)
        sc_reply_error(c, SAVE_FAILED);
    else
        sc_reply_ok(c);
}

static void sub_remove(SClient *c, int argc, char **a) {
    VG_UNUSED(argc);
    Instance *m = master_or_reply(c, a[2]);
    if (!m) return;
    sentinel_event(LOG_WARN, "-monitor", m, NULL);
    state_note_remove(m->name);
    sentinel_remove_master(m);
    save_and_reply_ok(c);
}

/* SENTINEL SET name opt value [opt value ...]: options apply one by one, each announced
 * with +set; the first bad one stops the command but those before it stay applied (and
 * saved), as in Redis. */
static void sub_set(SClient *c, int argc, char **a) {
    Instance *m = master_or_reply(c, a[2]);
    if (!m) return;
    int changes = 0;
    bool auth_changed = false;
    char err[512];
    err[0] = '\0';
    for (int j = 3; j < argc; j += 2) {
        const char *opt = a[j];
        if (!strcasecmp(opt, "rename-command")) {
            snprintf(err, sizeof(err), "ERR rename-command is not supported by "
                                       "vigil-sentinel (commands are sent under their "
                                       "own names)");
            break;
        }
        if (j + 1 >= argc) {
            snprintf(err, sizeof(err),
                     "ERR Unknown option or number of arguments for SENTINEL SET '%s'", opt);
            break;
        }
        const char *val = a[j + 1];
        bool is_notify = !strcasecmp(opt, "notification-script");
        bool is_reconf = !strcasecmp(opt, "client-reconfig-script");
        if ((is_notify || is_reconf) && scfg.deny_scripts_reconfig) {
            snprintf(err, sizeof(err),
                     "ERR Reconfiguration of scripts path is denied for security reasons. "
                     "Check the deny-scripts-reconfig configuration directive in your "
                     "Sentinel configuration");
            break;
        }
        if ((is_notify || is_reconf) && *val && access(val, X_OK) != 0) {
            snprintf(err, sizeof(err), "%s",
                     is_notify ? "ERR Notification script seems non existing or non "
                                 "executable"
                               : "ERR Client reconfiguration script seems non existing or "
                                 "non executable");
            break;
        }
        const char *r = sconfig_set_master_option(m, opt, val);
        if (r && !strcmp(r, "unknown")) {
            snprintf(err, sizeof(err),
                     "ERR Unknown option or number of arguments for SENTINEL SET '%s'", opt);
            break;
        }
        if (r) {
            snprintf(err, sizeof(err), "ERR Invalid argument '%s' for SENTINEL SET '%s'", val,
                     opt);
            break;
        }
        changes++;
        state_note_set(m, opt);
        if (!strcasecmp(opt, "auth-pass") || !strcasecmp(opt, "auth-user"))
            auth_changed = true;
        sentinel_event(LOG_WARN, "+set", m, "%s %s", opt,
                       !strcasecmp(opt, "auth-pass") ? "******" : val);
    }
    if (auth_changed) {
        /* reconnect with the new credentials: the master and its replicas share them */
        link_close(m->link);
        for (int i = 0; i < m->nreplicas; i++) link_close(m->replicas[i]->link);
    }
    int rc = changes ? state_save() : 0;
    if (err[0])
        sc_reply_error(c, "%s", err);
    else if (rc != 0)
        sc_reply_error(c, SAVE_FAILED);
    else
        sc_reply_ok(c);
}

/* The global parameters SENTINEL CONFIG GET/SET know, in Redis's order. */
static const char *const config_params[] = {"resolve-hostnames", "announce-hostnames",
                                            "announce-ip",       "announce-port",
                                            "sentinel-user",     "sentinel-pass"};

static void config_value(const char *name, Buf *out) {
    if (!strcmp(name, "resolve-hostnames"))
        buf_append_str(out, scfg.resolve_hostnames ? "yes" : "no");
    else if (!strcmp(name, "announce-hostnames"))
        buf_append_str(out, scfg.announce_hostnames ? "yes" : "no");
    else if (!strcmp(name, "announce-ip"))
        buf_append_str(out, scfg.announce_ip ? scfg.announce_ip : "");
    else if (!strcmp(name, "announce-port"))
        buf_printf(out, "%lld", scfg.announce_port);
    else if (!strcmp(name, "sentinel-user"))
        buf_append_str(out, scfg.sentinel_user ? scfg.sentinel_user : "");
    else if (!strcmp(name, "sentinel-pass"))
        buf_append_str(out, scfg.sentinel_pass ? scfg.sentinel_pass : "");
}

static void sub_config(SClient *c, int argc, char **a) {
    bool get = argc == 4 && !strcasecmp(a[2], "get");
    bool set = argc == 5 && !strcasecmp(a[2], "set");
    if (!get && !set) {
        sc_reply_error(c, "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are "
                          "supported.");
        return;
    }
    if (get) {
        size_t h = resp_deferred_begin(&c->out);
        long long n = 0;
        for (size_t i = 0; i < VG_ARRAY_LEN(config_params); i++) {
            if (!glob_match_cstr(a[3], config_params[i], true)) continue;
            Buf v = BUF_INIT;
            config_value(config_params[i], &v);
            resp_bulk_cstr(&c->out, config_params[i]);
            resp_bulk(&c->out, v.data ? v.data : "", v.len);
            buf_deinit(&v);
            n++;
        }
        map_end(c, h, n);
        return;
    }
    const char *name = NULL;
    for (size_t i = 0; i < VG_ARRAY_LEN(config_params); i++)
        if (!strcasecmp(a[3], config_params[i])) name = config_params[i];
    if (!name) {
        sc_reply_error(c, "ERR Invalid argument '%s' to SENTINEL CONFIG SET", a[3]);
        return;
    }
    const CfgOption *o = cfg_find(&sentinel_cfg_table, name);
    /* Redis's own checks: strict integer for the port, yes/no for the booleans */
    long long port;
    bool bad = !o || (!strcmp(name, "announce-port") &&
                      (!parse_ll(a[4], &port) || port < 0 || port > 65535));
    if (!bad && cfg_set_str(&sentinel_cfg_table, o, a[4], true) != NULL) bad = true;
    if (bad) {
        sc_reply_error(c, "ERR Invalid value '%s' to SENTINEL CONFIG SET '%s'", a[4], a[3]);
        return;
    }
    state_note_config_set(name);
    if (!strcmp(name, "sentinel-user") || !strcmp(name, "sentinel-pass")) {
        /* peers must be re-authenticated with the new credentials */
        for (int i = 0; i < sentinel.nmasters; i++)
            for (int k = 0; k < sentinel.masters[i]->nsentinels; k++)
                link_close(sentinel.masters[i]->sentinels[k]->link);
    }
    save_and_reply_ok(c);
}

static void sub_info_cache(SClient *c, int argc, char **a) {
    int64_t now = clock_mono_ms();
    size_t h = resp_deferred_begin(&c->out);
    long long n = 0;
    for (int j = 2; j < argc; j++) {
        Instance *m = sentinel_master_by_name(a[j]);
        if (!m) continue; /* unknown names are skipped */
        resp_bulk_cstr(&c->out, m->name);
        resp_array(&c->out, 1 + m->nreplicas);
        for (int i = -1; i < m->nreplicas; i++) {
            const Instance *ri = i < 0 ? m : m->replicas[i];
            resp_array(&c->out, 2);
            resp_int(&c->out, (long long)(now - ri->info_refresh));
            if (ri->info)
                resp_bulk_cstr(&c->out, ri->info);
            else
                resp_null(&c->out, c->resp);
        }
        n += 2;
    }
    resp_deferred_end(&c->out, h, '*', n);
}

/* SENTINEL DEBUG names, upper-cased as Redis shows them, and where they live. */
#define T(f) offsetof(SentinelTimers, f)
static const struct {
    const char *name;
    size_t off;
} debug_timers[] = {
    {"INFO-PERIOD", T(info_period)},
    {"PING-PERIOD", T(ping_period)},
    {"ASK-PERIOD", T(ask_period)},
    {"PUBLISH-PERIOD", T(publish_period)},
    {"DEFAULT-DOWN-AFTER", T(default_down_after)},
    {"DEFAULT-FAILOVER-TIMEOUT", T(default_failover_timeout)},
    {"TILT-TRIGGER", T(tilt_trigger)},
    {"TILT-PERIOD", T(tilt_period)},
    {"SLAVE-RECONF-TIMEOUT", T(slave_reconf_timeout)},
    {"MIN-LINK-RECONNECT-PERIOD", T(min_link_reconnect_period)},
    {"ELECTION-TIMEOUT", T(election_timeout)},
    {"SCRIPT-MAX-RUNTIME", T(script_max_runtime)},
    {"SCRIPT-RETRY-DELAY", T(script_retry_delay)},
};
#undef T

static long long *timer_field(size_t i) {
    return (long long *)((char *)&sentinel.t + debug_timers[i].off);
}

static void sub_debug(SClient *c, int argc, char **a) {
    if (argc == 2) {
        resp_map(&c->out, c->resp, VG_ARRAY_LEN(debug_timers));
        for (size_t i = 0; i < VG_ARRAY_LEN(debug_timers); i++) {
            resp_bulk_cstr(&c->out, debug_timers[i].name);
            resp_bulk_ll(&c->out, *timer_field(i));
        }
        return;
    }
    /* pairs apply one by one, like SET */
    for (int j = 2; j < argc; j += 2) {
        size_t i = 0;
        while (i < VG_ARRAY_LEN(debug_timers) && strcasecmp(a[j], debug_timers[i].name)) i++;
        if (i == VG_ARRAY_LEN(debug_timers) || j + 1 >= argc) {
            sc_reply_error(c, "ERR Unknown option or number of arguments for SENTINEL DEBUG "
                              "'%s'", a[j]);
            return;
        }
        long long v;
        if (!parse_ll(a[j + 1], &v) || v <= 0) {
            sc_reply_error(c, "ERR Invalid argument '%s' for SENTINEL DEBUG '%s'", a[j + 1],
                           a[j]);
            return;
        }
        *timer_field(i) = v;
    }
    sc_reply_ok(c);
}

static void sub_simulate_failure(SClient *c, int argc, char **a) {
    sentinel.simfailure_flags = 0;
    for (int j = 2; j < argc; j++) {
        if (!strcasecmp(a[j], "crash-after-election")) {
            sentinel.simfailure_flags |= SIMFAIL_CRASH_AFTER_ELECTION;
            log_warn("Failure simulation: this Sentinel will crash after being successfully "
                     "elected as failover leader");
        } else if (!strcasecmp(a[j], "crash-after-promotion")) {
            sentinel.simfailure_flags |= SIMFAIL_CRASH_AFTER_PROMOTION;
            log_warn("Failure simulation: this Sentinel will crash after promoting the "
                     "selected replica to master");
        } else if (!strcasecmp(a[j], "help")) {
            resp_array(&c->out, 2);
            resp_bulk_cstr(&c->out, "crash-after-election");
            resp_bulk_cstr(&c->out, "crash-after-promotion");
            return;
        } else {
            sc_reply_error(c, "ERR Unknown failure simulation specified");
            return;
        }
    }
    sc_reply_ok(c);
}

static void sub_flushconfig(SClient *c, int argc, char **a) {
    VG_UNUSED(argc), VG_UNUSED(a);
    save_and_reply_ok(c);
}

/* Redis's shape: per job a 5-pair map, numbers as bulk strings, oldest job first. */
static void sub_pending_scripts(SClient *c, int argc, char **a) {
    VG_UNUSED(argc), VG_UNUSED(a);
    ScriptView *v = mem_alloc((SCRIPTS_MAX_QUEUE + 1) * sizeof(*v));
    int n = scripts_list(v, SCRIPTS_MAX_QUEUE + 1);
    resp_array(&c->out, n);
    for (int i = 0; i < n; i++) {
        resp_map(&c->out, c->resp, 5);
        resp_bulk_cstr(&c->out, "argv");
        resp_array(&c->out, v[i].argc);
        for (int k = 0; k < v[i].argc; k++) resp_bulk_cstr(&c->out, v[i].argv[k]);
        pair_str(&c->out, "flags", v[i].running ? "running" : "scheduled");
        pair_ll(&c->out, "pid", v[i].pid);
        pair_ll(&c->out, v[i].running ? "run-time" : "run-delay", v[i].ms);
        pair_ll(&c->out, "retry-num", v[i].retry_num);
    }
    mem_free(v);
}

static const char *const help_lines[] = {
    "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CKQUORUM <master-name>",
    "    Check if the current Sentinel configuration is able to reach the quorum",
    "    needed to failover a master and the majority needed to authorize the",
    "    failover.",
    "CONFIG SET <param> <value>",
    "    Set a global Sentinel configuration parameter.",
    "CONFIG GET <param>",
    "    Get global Sentinel configuration parameter.",
    "DEBUG [<param> <value> ...]",
    "    Show a list of configurable time parameters and their values (milliseconds).",
    "    Or update current configurable parameters values (one or more).",
    "GET-MASTER-ADDR-BY-NAME <master-name>",
    "    Return the ip and port number of the master with that name.",
    "FAILOVER <master-name>",
    "    Manually failover a master node without asking for agreement from other",
    "    Sentinels",
    "FLUSHCONFIG",
    "    Force Sentinel to rewrite its configuration on disk, including the current",
    "    Sentinel state.",
    "INFO-CACHE <master-name>",
    "    Return last cached INFO output from masters and all its replicas.",
    "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
    "    Check if the master specified by ip:port is down from current Sentinel's",
    "    point of view.",
    "MASTER <master-name>",
    "    Show the state and info of the specified master.",
    "MASTERS",
    "    Show a list of monitored masters and their state.",
    "MONITOR <name> <ip> <port> <quorum>",
    "    Start monitoring a new master with the specified name, ip, port and quorum.",
    "MYID",
    "    Return the ID of the Sentinel instance.",
    "PENDING-SCRIPTS",
    "    Get pending scripts information.",
    "REMOVE <master-name>",
    "    Remove master from Sentinel's monitor list.",
    "REPLICAS <master-name>",
    "    Show a list of replicas for this master and their state.",
    "RESET <pattern>",
    "    Reset masters for specific master name matching this pattern.",
    "SENTINELS <master-name>",
    "    Show a list of Sentinel instances for this master and their state.",
    "SET <master-name> <option> <value> [<option> <value> ...]",
    "    Set configuration parameters for certain masters.",
    "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
    "    Simulate a Sentinel crash.",
    "HELP",
    "    Prints this help.",
};

static void sub_help(SClient *c, int argc, char **a) {
    VG_UNUSED(argc), VG_UNUSED(a);
    resp_array(&c->out, VG_ARRAY_LEN(help_lines));
    for (size_t i = 0; i < VG_ARRAY_LEN(help_lines); i++)
        resp_simple(&c->out, help_lines[i], strlen(help_lines[i]));
}

/* The subcommand table: arity counts "sentinel" and the subcommand (Redis convention:
 * > 0 exact, < 0 at least). */
static const struct {
    const char *name;
    void (*fn)(SClient *c, int argc, char **a);
    int arity;
} subcommands[] = {
    {"masters", sub_masters, 2},
    {"master", sub_master, 3},
    {"replicas", sub_replicas, 3},
    {"slaves", sub_replicas, 3},
    {"sentinels", sub_sentinels, 3},
    {"get-master-addr-by-name", sub_get_master_addr, 3},
    {"is-master-down-by-addr", sub_is_master_down, 6},
    {"myid", sub_myid, 2},
    {"ckquorum", sub_ckquorum, 3},
    {"failover", sub_failover, 3},
    {"reset", sub_reset, 3},
    {"monitor", sub_monitor, 6},
    {"remove", sub_remove, 3},
    {"set", sub_set, -5},
    {"config", sub_config, -3},
    {"info-cache", sub_info_cache, -3},
    {"debug", sub_debug, -2},
    {"simulate-failure", sub_simulate_failure, -3},
    {"flushconfig", sub_flushconfig, 2},
    {"pending-scripts", sub_pending_scripts, 2},
    {"help", sub_help, 2},
};

void cmd_sentinel(SClient *c, int argc, RespArg *argv) {
    size_t k = 0;
    while (k < VG_ARRAY_LEN(subcommands) &&
           !(strlen(subcommands[k].name) == argv[1].len &&
             !strncasecmp(subcommands[k].name, argv[1].ptr, argv[1].len)))
        k++;
    if (k == VG_ARRAY_LEN(subcommands)) {
        sc_reply_error(c, "ERR unknown subcommand '%.*s'. Try SENTINEL HELP.",
                       (int)VG_MIN(argv[1].len, 128), argv[1].ptr);
        return;
    }
    int arity = subcommands[k].arity;
    if ((arity > 0 && argc != arity) || (arity < 0 && argc < -arity)) {
        sc_reply_error(c, "ERR wrong number of arguments for 'sentinel|%s' command",
                       subcommands[k].name);
        return;
    }
    /* NUL-terminated copies: the handlers work with C strings (names, addresses, values) */
    char **a = mem_alloc((size_t)argc * sizeof(*a));
    for (int i = 0; i < argc; i++) {
        a[i] = mem_alloc(argv[i].len + 1);
        memcpy(a[i], argv[i].ptr, argv[i].len);
        a[i][argv[i].len] = '\0';
    }
    subcommands[k].fn(c, argc, a);
    for (int i = 0; i < argc; i++) mem_free(a[i]);
    mem_free(a);
}

/* INFO # Sentinel, after the header line front.c writes (reference 13b). */
void sentinel_info_section(Buf *out) {
    buf_printf(out,
               "sentinel_masters:%d\r\n"
               "sentinel_tilt:%d\r\n"
               "sentinel_tilt_since_seconds:%lld\r\n"
               "sentinel_running_scripts:%d\r\n"
               "sentinel_scripts_queue_length:%d\r\n"
               "sentinel_simulate_failure_flags:%d\r\n",
               sentinel.nmasters, sentinel.tilt ? 1 : 0, monitor_tilt_since_seconds(),
               scripts_running(), scripts_queue_length(), sentinel.simfailure_flags);
    for (int i = 0; i < sentinel.nmasters; i++) {
        const Instance *m = sentinel.masters[i];
        const char *status = (m->flags & SRI_O_DOWN)   ? "odown"
                             : (m->flags & SRI_S_DOWN) ? "sdown"
                                                       : "ok";
        buf_printf(out, "master%d:name=%s,status=%s,address=%s:%d,slaves=%d,sentinels=%d\r\n",
                   i, m->name, status, m->ip, m->port, m->nreplicas, m->nsentinels + 1);
    }
}
