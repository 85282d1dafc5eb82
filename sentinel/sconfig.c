/* sconfig.c - the sentinel's options: the global table ([sentinel] section and --name value
 * on the command line) and the per-primary [monitor NAME] sections. Option names are Redis
 * Sentinel's own; the file is only read (learned state goes to the state file, state.c). */
#include "common/config.h"

#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "sentinel/sentinel.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

SentinelConfig scfg;

static const CfgEnum loglevel_names[] = {{"debug", LOG_DEBUG},
                                         {"verbose", LOG_VERBOSE},
                                         {"notice", LOG_NOTICE},
                                         {"warning", LOG_WARN},
                                         {NULL, 0}};

static const CfgEnum supervised_names[] = {
    {"upstart", 3}, {"systemd", 1}, {"auto", 2}, {"no", 0}, {NULL, 0}};

static const char *apply_loglevel(void *base, const CfgOption *o) {
    VG_UNUSED(o);
    log_set_level((LogLevel)((SentinelConfig *)base)->loglevel);
    return NULL;
}

static const char *apply_logfile(void *base, const CfgOption *o) {
    VG_UNUSED(o);
    const char *f = ((SentinelConfig *)base)->logfile;
    log_set_file(f && *f ? f : NULL);
    return NULL;
}

#define S SentinelConfig
/* clang-format off */
static const CfgOption sentinel_options[] = {
    CFG_STRING("bind", CFG_IMMUTABLE, "sentinel", S, bind, "127.0.0.1", NULL),
    CFG_INT("port", CFG_IMMUTABLE, "sentinel", S, port, 26379, 0, 65535, NULL),
    CFG_STRING("dir", CFG_IMMUTABLE, "sentinel", S, dir, ".", NULL),
    CFG_STRING("logfile", CFG_IMMUTABLE, "sentinel", S, logfile, "", apply_logfile),
    CFG_ENUM("loglevel", CFG_MUTABLE, "sentinel", S, loglevel, LOG_NOTICE, loglevel_names, apply_loglevel),
    CFG_STRING("pidfile", CFG_IMMUTABLE | CFG_NULLABLE, "sentinel", S, pidfile, "", NULL),
    CFG_STRING("requirepass", CFG_SENSITIVE | CFG_NULLABLE, "sentinel", S, requirepass, "", NULL),
    CFG_STRING("sentinel-user", CFG_NULLABLE, "sentinel", S, sentinel_user, "", NULL),
    CFG_STRING("sentinel-pass", CFG_SENSITIVE | CFG_NULLABLE, "sentinel", S, sentinel_pass, "", NULL),
    CFG_STRING("announce-ip", CFG_NULLABLE, "sentinel", S, announce_ip, "", NULL),
    CFG_INT("announce-port", CFG_MUTABLE, "sentinel", S, announce_port, 0, 0, 65535, NULL),
    CFG_BOOL("resolve-hostnames", CFG_MUTABLE, "sentinel", S, resolve_hostnames, 0, NULL),
    CFG_BOOL("announce-hostnames", CFG_MUTABLE, "sentinel", S, announce_hostnames, 0, NULL),
    CFG_BOOL("deny-scripts-reconfig", CFG_IMMUTABLE, "sentinel", S, deny_scripts_reconfig, 1, NULL),
    CFG_INT("maxclients", CFG_MUTABLE, "sentinel", S, maxclients, 10000, 1, 1000000, NULL),
    CFG_INT("timeout", CFG_MUTABLE, "sentinel", S, timeout, 0, 0, 2147483647, NULL),
    CFG_ENUM("supervised", CFG_IMMUTABLE, "sentinel", S, supervised, 0, supervised_names, NULL),
    CFG_END,
};
/* clang-format on */
#undef S

const CfgTable sentinel_cfg_table = {sentinel_options, &scfg};

/* "monitor NAME" -> NAME (NULL when the section is not one). */
static const char *monitor_name(const char *section) {
    if (strncasecmp(section, "monitor", 7) != 0) return NULL;
    const char *p = section + 7;
    if (*p != ' ' && *p != '\t') return NULL;
    while (*p == ' ' || *p == '\t') p++;
    return *p ? p : NULL;
}

/* Strict decimal (Redis's string2ll: no blanks, no '+', no leading zeros), within bounds:
 * SENTINEL SET refuses what Redis refuses. */
static bool parse_ll(const char *v, long long lo, long long hi, long long *out) {
    long long x;
    if (!util_str_to_ll(v, strlen(v), &x) || x < lo || x > hi) return false;
    *out = x;
    return true;
}

static void set_str(char **field, const char *v) {
    mem_free(*field);
    *field = v && *v ? mem_strdup(v) : NULL;
}

const char *sconfig_set_master_option(Instance *m, const char *opt, const char *value) {
    long long x;
    if (!strcasecmp(opt, "down-after-milliseconds")) {
        if (!parse_ll(value, 1, LLONG_MAX / 4, &x)) return "invalid";
        m->down_after_period = x;
        /* replicas and sentinels of the group use the master's */
        for (int i = 0; i < m->nreplicas; i++) m->replicas[i]->down_after_period = x;
        for (int i = 0; i < m->nsentinels; i++) m->sentinels[i]->down_after_period = x;
    } else if (!strcasecmp(opt, "failover-timeout")) {
        if (!parse_ll(value, 1, LLONG_MAX / 4, &x)) return "invalid";
        m->failover_timeout = x;
    } else if (!strcasecmp(opt, "parallel-syncs")) {
        if (!parse_ll(value, 1, INT32_MAX, &x)) return "invalid";
        m->parallel_syncs = (int)x;
    } else if (!strcasecmp(opt, "quorum")) {
        if (!parse_ll(value, 1, INT32_MAX, &x)) return "invalid";
        m->quorum = (unsigned)x;
    } else if (!strcasecmp(opt, "master-reboot-down-after-period")) {
        if (!parse_ll(value, 0, LLONG_MAX / 4, &x)) return "invalid";
        m->master_reboot_down_after_period = x;
    } else if (!strcasecmp(opt, "auth-pass")) {
        set_str(&m->auth_pass, value);
    } else if (!strcasecmp(opt, "auth-user")) {
        set_str(&m->auth_user, value);
    } else if (!strcasecmp(opt, "notification-script")) {
        set_str(&m->notification_script, value);
    } else if (!strcasecmp(opt, "client-reconfig-script")) {
        set_str(&m->client_reconfig_script, value);
    } else {
        return "unknown";
    }
    return NULL;
}

const char *sconfig_monitor_option(void *ud, const char *section, const char *name,
                                   const char *value) {
    VG_UNUSED(ud);
    static char msg[160];
    const char *mname = monitor_name(section);
    if (!mname) return "a monitor section is named [monitor NAME]";
    Instance *m = sentinel_master_by_name(mname);
    if (!m) {
        m = instance_new_master(mname, "", 0, 0);
        sentinel_add_master(m);
    }
    long long x;
    if (!strcasecmp(name, "host")) {
        if (!instance_parse_ip(value, m->ip)) {
            snprintf(msg, sizeof(msg), "invalid value '%s' for 'host': Invalid IP address or "
                                       "hostname specified", value);
            return msg;
        }
        return NULL;
    }
    if (!strcasecmp(name, "port")) {
        if (!parse_ll(value, 1, 65535, &x)) {
            snprintf(msg, sizeof(msg), "invalid value '%s' for 'port': Invalid port number.",
                     value);
            return msg;
        }
        m->port = (int)x;
        return NULL;
    }
    if (!strcasecmp(name, "rename-command")) {
        snprintf(msg, sizeof(msg), "rename-command is not supported by vigil-sentinel: it "
                                   "sends PING, INFO, ... under their own names");
        return msg;
    }
    if ((!strcasecmp(name, "notification-script") ||
         !strcasecmp(name, "client-reconfig-script")) &&
        *value && access(value, X_OK) != 0) {
        snprintf(msg, sizeof(msg), "invalid value '%s' for '%s': the script seems non "
                                   "existing or non executable", value, name);
        return msg;
    }
    const char *err = sconfig_set_master_option(m, name, value);
    if (err && !strcmp(err, "unknown")) {
        snprintf(msg, sizeof(msg), "unknown option '%s' in [monitor %s]", name, mname);
        return msg;
    }
    if (err) {
        snprintf(msg, sizeof(msg), "invalid value '%s' for '%s'", value, name);
        return msg;
    }
    return NULL;
}

const char *sconfig_check_masters(void) {
    static char msg[160];
    for (int i = 0; i < sentinel.nmasters; i++) {
        Instance *m = sentinel.masters[i];
        if (!m->ip[0] || m->port == 0) {
            snprintf(msg, sizeof(msg), "[monitor %s] needs host and port", m->name);
            return msg;
        }
        if (m->quorum == 0) {
            snprintf(msg, sizeof(msg), "[monitor %s] needs quorum (1 or greater)", m->name);
            return msg;
        }
    }
    return NULL;
}
