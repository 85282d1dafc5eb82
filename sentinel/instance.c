/* instance.c - the sentinel's model: masters, their replicas and peer sentinels. Creating,
 * finding, resetting, switching to a new address and freeing. Arrays, not dictionaries: a
 * group has a handful of instances and the order is stable for SENTINEL REPLICAS. */
#include "common/clock.h"
#include "common/mem.h"
#include "common/util.h"
#include "sentinel/sentinel.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define DEFAULT_PRIORITY 100

Sentinel sentinel;

void sentinel_timers_defaults(SentinelTimers *t) {
    t->info_period = 10000;
    t->ping_period = 1000;
    t->ask_period = 1000;
    t->publish_period = 2000;
    t->default_down_after = 30000;
    t->default_failover_timeout = 180000;
    t->tilt_trigger = 2000;
    t->tilt_period = 30000;
    t->slave_reconf_timeout = 10000;
    t->min_link_reconnect_period = 15000;
    t->election_timeout = 10000;
    t->script_max_runtime = 60000;
    t->script_retry_delay = 30000;
}

void sentinel_random_id(char out[SENTINEL_ID_LEN + 1]) {
    util_random_hex(out, SENTINEL_ID_LEN);
    out[SENTINEL_ID_LEN] = '\0';
}


static Instance *instance_new(int flags, const char *name, const char *ip, int port,
                              Instance *master) {
    Instance *ri = mem_calloc(sizeof(*ri));
    ri->flags = flags;
    ri->name = mem_strdup(name);
    snprintf(ri->ip, sizeof(ri->ip), "%s", ip);
    ri->port = port;
    ri->master = master;
    ri->down_after_period = master ? master->down_after_period : sentinel.t.default_down_after;
    ri->slave_priority = DEFAULT_PRIORITY;
    ri->replica_announced = 1;
    ri->role_reported = (flags & SRI_MASTER) ? ROLE_MASTER : ROLE_SLAVE;
    ri->role_reported_time = clock_mono_ms();
    ri->link = mem_calloc(sizeof(Link));
    ri->link->owner = ri;
    ri->link->disconnected = true;
    /* a fresh link counts as "PING pending since now": an instance that can never be
     * reached goes down after down-after-milliseconds */
    ri->link->act_ping_time = clock_mono_ms();
    ri->link->last_avail_time = clock_mono_ms();
    return ri;
}

Instance *instance_new_master(const char *name, const char *ip, int port, unsigned quorum) {
    Instance *m = instance_new(SRI_MASTER, name, ip, port, NULL);
    m->quorum = quorum;
    m->parallel_syncs = 1;
    m->failover_timeout = sentinel.t.default_failover_timeout;
    return m;
}

static void push(Instance ***arr, int *n, int *cap, Instance *ri) {
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        *arr = mem_realloc(*arr, (size_t)*cap * sizeof(**arr));
    }
    (*arr)[(*n)++] = ri;
}

static void unlink_from(Instance **arr, int *n, Instance *ri) {
    for (int i = 0; i < *n; i++) {
        if (arr[i] == ri) {
            memmove(&arr[i], &arr[i + 1], (size_t)(*n - i - 1) * sizeof(*arr));
            (*n)--;
            return;
        }
    }
}

void instance_format_addr(char *out, size_t len, const char *ip, int port) {
    if (strchr(ip, ':'))
        snprintf(out, len, "[%s]:%d", ip, port);
    else
        snprintf(out, len, "%s:%d", ip, port);
}

Instance *instance_add_replica(Instance *m, const char *ip, int port) {
    char name[SENTINEL_IP_LEN + 16];
    instance_format_addr(name, sizeof(name), ip, port);
    Instance *r = instance_new(SRI_SLAVE, name, ip, port, m);
    push(&m->replicas, &m->nreplicas, &m->replicas_cap, r);
    return r;
}

Instance *instance_add_sentinel(Instance *m, const char *ip, int port, const char *runid) {
    Instance *s = instance_new(SRI_SENTINEL, runid, ip, port, m);
    s->runid = mem_strdup(runid);
    push(&m->sentinels, &m->nsentinels, &m->sentinels_cap, s);
    return s;
}

void instance_free(Instance *ri) {
    if (!ri) return;
    if (ri->flags & SRI_MASTER) {
        for (int i = 0; i < ri->nreplicas; i++) instance_free(ri->replicas[i]);
        for (int i = 0; i < ri->nsentinels; i++) instance_free(ri->sentinels[i]);
        mem_free(ri->replicas);
        mem_free(ri->sentinels);
    }
    link_free(ri->link);
    mem_free(ri->name);
    mem_free(ri->runid);
    mem_free(ri->info);
    mem_free(ri->slave_master_host);
    mem_free(ri->auth_pass);
    mem_free(ri->auth_user);
    mem_free(ri->notification_script);
    mem_free(ri->client_reconfig_script);
    mem_free(ri->leader);
    mem_free(ri);
}

void instance_remove_replica(Instance *m, Instance *r) {
    if (m->promoted_slave == r) m->promoted_slave = NULL;
    unlink_from(m->replicas, &m->nreplicas, r);
    instance_free(r);
}

void instance_remove_sentinel(Instance *m, Instance *s) {
    unlink_from(m->sentinels, &m->nsentinels, s);
    instance_free(s);
}

Instance *sentinel_master_by_name(const char *name) {
    for (int i = 0; i < sentinel.nmasters; i++)
        if (!strcmp(sentinel.masters[i]->name, name)) return sentinel.masters[i];
    return NULL;
}

static Instance *find_by_addr(Instance **arr, int n, const char *ip, int port) {
    for (int i = 0; i < n; i++)
        if (arr[i]->port == port && !strcasecmp(arr[i]->ip, ip)) return arr[i];
    return NULL;
}

Instance *sentinel_master_by_addr(const char *ip, int port) {
    return find_by_addr(sentinel.masters, sentinel.nmasters, ip, port);
}

Instance *instance_replica_by_addr(Instance *m, const char *ip, int port) {
    return find_by_addr(m->replicas, m->nreplicas, ip, port);
}

Instance *instance_sentinel_by_runid(Instance *m, const char *runid) {
    for (int i = 0; i < m->nsentinels; i++)
        if (m->sentinels[i]->runid && !strcmp(m->sentinels[i]->runid, runid))
            return m->sentinels[i];
    return NULL;
}

Instance *instance_sentinel_by_addr(Instance *m, const char *ip, int port) {
    return find_by_addr(m->sentinels, m->nsentinels, ip, port);
}

void sentinel_add_master(Instance *m) {
    push(&sentinel.masters, &sentinel.nmasters, &sentinel.masters_cap, m);
}

void sentinel_remove_master(Instance *m) {
    unlink_from(sentinel.masters, &sentinel.nmasters, m);
    instance_free(m);
}

/* Back to "just configured": no observed state, no failover. */
static void clear_master_state(Instance *m) {
    m->flags &= SRI_MASTER;
    mem_free(m->leader);
    m->leader = NULL;
    m->failover_state = FO_NONE;
    m->failover_state_change_time = 0;
    m->failover_start_time = 0; /* callers that must keep the retry delay restore it */
    m->promoted_slave = NULL;
    mem_free(m->runid);
    m->runid = NULL;
    mem_free(m->info);
    m->info = NULL;
    m->info_refresh = 0;
    m->s_down_since_time = m->o_down_since_time = 0;
    m->role_reported = ROLE_MASTER;
    m->role_reported_time = clock_mono_ms();
    link_close(m->link);
    m->link->act_ping_time = clock_mono_ms();
    m->link->last_avail_time = clock_mono_ms();
    m->link->last_pong_time = 0;
    m->link->last_reconn_time = 0; /* connect to the (new) address at once */
}

void instance_reset_master(Instance *m, bool keep_sentinels) {
    for (int i = 0; i < m->nreplicas; i++) instance_free(m->replicas[i]);
    m->nreplicas = 0;
    if (!keep_sentinels) {
        for (int i = 0; i < m->nsentinels; i++) instance_free(m->sentinels[i]);
        m->nsentinels = 0;
    }
    clear_master_state(m);
}

void instance_switch_master(Instance *m, const char *ip, int port) {
    /* the new replica set: old replicas except the new master, plus the old master */
    int n = 0;
    struct {
        char ip[SENTINEL_IP_LEN];
        int port;
    } *addrs = mem_alloc(((size_t)m->nreplicas + 1) * sizeof(*addrs));
    for (int i = 0; i < m->nreplicas; i++) {
        Instance *r = m->replicas[i];
        if (r->port == port && !strcasecmp(r->ip, ip)) continue;
        snprintf(addrs[n].ip, sizeof(addrs[n].ip), "%s", r->ip);
        addrs[n++].port = r->port;
    }
    if (!(m->port == port && !strcasecmp(m->ip, ip))) {
        snprintf(addrs[n].ip, sizeof(addrs[n].ip), "%s", m->ip);
        addrs[n++].port = m->port;
    }
    int64_t start = m->failover_start_time;
    instance_reset_master(m, true);
    /* a switched master keeps its retry delay: a second failover right after the first
     * must wait like any other attempt (reference weakness 2) */
    m->failover_start_time = start;
    snprintf(m->ip, sizeof(m->ip), "%s", ip);
    m->port = port;
    /* a grace period: the new master's SDOWN clock starts when we first reach it */
    m->link->restart_sdown_clock = true;
    /* peers' down answers and votes were about the old address */
    for (int i = 0; i < m->nsentinels; i++) {
        Instance *s = m->sentinels[i];
        s->flags &= ~SRI_MASTER_DOWN;
        s->last_master_down_reply_time = 0;
        mem_free(s->leader);
        s->leader = NULL;
        s->leader_epoch = 0;
    }
    for (int i = 0; i < n; i++) {
        Instance *r = instance_add_replica(m, addrs[i].ip, addrs[i].port);
        sentinel_event(LOG_NOTICE, "+slave", r, NULL);
    }
    mem_free(addrs);
}

void instance_current_addr(const Instance *m, const char **ip, int *port) {
    if (m->failover_state >= FO_RECONF_SLAVES && m->promoted_slave) {
        *ip = m->promoted_slave->ip;
        *port = m->promoted_slave->port;
    } else {
        *ip = m->ip;
        *port = m->port;
    }
}

bool instance_parse_ip(const char *host, char out[SENTINEL_IP_LEN]) {
    unsigned char tmp[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1) {
        snprintf(out, SENTINEL_IP_LEN, "%s", host);
        return true;
    }
    if (!scfg.resolve_hostnames) return false;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) return false;
    void *a = res->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr
                                        : (void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
    bool ok = inet_ntop(res->ai_family, a, out, SENTINEL_IP_LEN) != NULL;
    freeaddrinfo(res);
    return ok;
}
