/* state.c - the sentinel's state file, <dir>/sentinel-state: what the sentinel learned and
 * what was changed at run time. The operator's INI file is only ever read (DESIGN.md
 * "Config files"); this file carries the rest, so that a restart resumes where it stopped:
 *
 *   # comment lines
 *   version 1
 *   myid <40 hex>
 *   current-epoch <n>
 *   config <param> <value>             a global changed by SENTINEL CONFIG SET
 *   removed <name> <cfg-ip> <cfg-port> a [monitor] master dropped by SENTINEL REMOVE
 *   master <name>                      opens a block; the lines below belong to it
 *     origin config <ip> <port>        from a [monitor] section, learned at that address
 *     origin monitor                   added by SENTINEL MONITOR
 *     address <ip> <port>              current address (after failovers)
 *     config-epoch <n>
 *     vote <runid|*> <epoch>           our own vote (leader/leader_epoch of the master)
 *     set <option> <value>             a setting changed by SET (all of them for MONITOR)
 *     known-replica <ip> <port>
 *     known-sentinel <ip> <port> <runid>
 *
 * Words are split with Redis's quoting rules ("..." with \xHH escapes), so any value can
 * be written. Loading happens after the config: a master whose [monitor] host/port differs
 * from the address the state was learned from starts fresh from the config (the operator
 * moved it); a block for a master the config no longer has is dropped unless it came from
 * SENTINEL MONITOR. Runtime SET values win over the config until then (docs).
 *
 * Saving writes a temporary file, fsyncs it, renames it over the old one and fsyncs the
 * directory, so a crash leaves either the old or the new state. It runs before a vote is
 * answered (failover.c) so a restarted sentinel never votes twice in one epoch. */
#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "sentinel/sentinel.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define STATE_VERSION 1

/* Per-master settings SET can change, in the order they are written. */
static const char *const set_options[] = {
    "quorum",        "down-after-milliseconds", "failover-timeout",
    "parallel-syncs", "master-reboot-down-after-period", "auth-pass",
    "auth-user",     "notification-script",     "client-reconfig-script",
};
#define SET_ALL ((1u << VG_ARRAY_LEN(set_options)) - 1)

/* Globals SENTINEL CONFIG SET can change. */
static const char *const config_params[] = {"resolve-hostnames", "announce-hostnames",
                                            "announce-ip",       "announce-port",
                                            "sentinel-user",     "sentinel-pass"};
static unsigned config_set_mask;

/* Where each master came from; kept by name because failovers change addresses and the
 * model (instance.c) need not know about persistence. */
typedef struct Origin {
    char *name;
    bool from_config;
    bool removed; /* a config master dropped by SENTINEL REMOVE */
    char cfg_ip[SENTINEL_IP_LEN];
    int cfg_port;
    unsigned set_mask; /* bits of set_options changed at run time */
} Origin;

static Origin *origins;
static int norigins;

static Origin *origin_find(const char *name) {
    for (int i = 0; i < norigins; i++)
        if (!strcmp(origins[i].name, name)) return &origins[i];
    return NULL;
}

static Origin *origin_add(const char *name) {
    Origin *o = origin_find(name);
    if (o) return o;
    origins = mem_realloc(origins, (size_t)(norigins + 1) * sizeof(*origins));
    o = &origins[norigins++];
    memset(o, 0, sizeof(*o));
    o->name = mem_strdup(name);
    return o;
}

static void origin_drop(Origin *o) {
    mem_free(o->name);
    int i = (int)(o - origins);
    memmove(&origins[i], &origins[i + 1], (size_t)(norigins - i - 1) * sizeof(*origins));
    norigins--;
}

static int option_index(const char *opt) {
    for (size_t i = 0; i < VG_ARRAY_LEN(set_options); i++)
        if (!strcasecmp(opt, set_options[i])) return (int)i;
    return -1;
}

void state_note_monitor(const Instance *m) {
    Origin *o = origin_add(m->name);
    o->from_config = false;
    o->removed = false;
    o->set_mask = SET_ALL;
}

void state_note_remove(const char *name) {
    Origin *o = origin_find(name);
    if (!o) return;
    if (o->from_config)
        o->removed = true; /* remembered, or the config would bring it back */
    else
        origin_drop(o);
}

void state_note_set(const Instance *m, const char *opt) {
    Origin *o = origin_add(m->name);
    int i = option_index(opt);
    if (i >= 0) o->set_mask |= 1u << i;
}

void state_note_config_set(const char *param) {
    for (size_t i = 0; i < VG_ARRAY_LEN(config_params); i++)
        if (!strcasecmp(param, config_params[i])) config_set_mask |= 1u << i;
}

/* ---- writing ---------------------------------------------------------------------------- */

/* One word, quoted when it would not survive resp_split_args as it is. */
static void put_word(Buf *b, const char *s) {
    bool plain = *s != '\0';
    for (const char *p = s; *p && plain; p++)
        if (!isgraph((unsigned char)*p) || *p == '"' || *p == '\'' || *p == '\\') plain = false;
    buf_append_char(b, ' ');
    if (plain) {
        buf_append_str(b, s);
        return;
    }
    buf_append_char(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_printf(b, "\\%c", *p);
        else if (isprint(*p))
            buf_append_char(b, (char)*p);
        else
            buf_printf(b, "\\x%02x", *p);
    }
    buf_append_char(b, '"');
}

static void option_value(const Instance *m, int i, Buf *out) {
    switch (i) {
    case 0: buf_printf(out, "%u", m->quorum); break;
    case 1: buf_printf(out, "%lld", m->down_after_period); break;
    case 2: buf_printf(out, "%lld", m->failover_timeout); break;
    case 3: buf_printf(out, "%d", m->parallel_syncs); break;
    case 4: buf_printf(out, "%lld", m->master_reboot_down_after_period); break;
    case 5: buf_append_str(out, m->auth_pass ? m->auth_pass : ""); break;
    case 6: buf_append_str(out, m->auth_user ? m->auth_user : ""); break;
    case 7: buf_append_str(out, m->notification_script ? m->notification_script : ""); break;
    case 8:
        buf_append_str(out, m->client_reconfig_script ? m->client_reconfig_script : "");
        break;
    default: break;
    }
}

static void write_master(Buf *b, const Instance *m) {
    Origin *o = origin_find(m->name);
    buf_append_str(b, "master");
    put_word(b, m->name);
    if (o && !o->from_config) {
        buf_append_str(b, "\n  origin monitor\n");
    } else if (o) {
        buf_append_str(b, "\n  origin config");
        put_word(b, o->cfg_ip);
        buf_printf(b, " %d\n", o->cfg_port);
    } else {
        buf_append_str(b, "\n");
    }
    /* the address clients are told: the promoted replica once the failover got there, and
     * then the old master is the replica to remember (as Redis writes it) */
    const char *ip;
    int port;
    instance_current_addr(m, &ip, &port);
    buf_append_str(b, "  address");
    put_word(b, ip);
    buf_printf(b, " %d\n", port);
    buf_printf(b, "  config-epoch %llu\n", (unsigned long long)m->config_epoch);
    buf_append_str(b, "  vote");
    put_word(b, m->leader ? m->leader : "*");
    buf_printf(b, " %llu\n", (unsigned long long)m->leader_epoch);
    unsigned mask = o ? o->set_mask : 0;
    for (size_t i = 0; i < VG_ARRAY_LEN(set_options); i++) {
        if (!(mask & (1u << i))) continue;
        Buf v = BUF_INIT;
        option_value(m, (int)i, &v);
        buf_printf(b, "  set %s", set_options[i]);
        put_word(b, buf_cstr(&v));
        buf_append_char(b, '\n');
        buf_deinit(&v);
    }
    for (int i = 0; i < m->nreplicas; i++) {
        const Instance *r = m->replicas[i];
        const char *rip = r->ip;
        int rport = r->port;
        if (r->port == port && !strcmp(r->ip, ip)) {
            rip = m->ip;
            rport = m->port;
        }
        if (rport == port && !strcmp(rip, ip)) continue;
        buf_append_str(b, "  known-replica");
        put_word(b, rip);
        buf_printf(b, " %d\n", rport);
    }
    for (int i = 0; i < m->nsentinels; i++) {
        const Instance *s = m->sentinels[i];
        if (!s->runid) continue;
        buf_append_str(b, "  known-sentinel");
        put_word(b, s->ip);
        buf_printf(b, " %d", s->port);
        put_word(b, s->runid);
        buf_append_char(b, '\n');
    }
}

static void state_format(Buf *b) {
    buf_printf(b, "# vigil-sentinel state: what this sentinel learned and what was changed at\n"
                  "# run time. Rewritten as a whole by the sentinel; the config file is only "
                  "read.\n"
                  "version %d\n"
                  "myid %s\n"
                  "current-epoch %llu\n",
               STATE_VERSION, sentinel.myid, (unsigned long long)sentinel.current_epoch);
    for (size_t i = 0; i < VG_ARRAY_LEN(config_params); i++) {
        if (!(config_set_mask & (1u << i))) continue;
        const CfgOption *o = cfg_find(&sentinel_cfg_table, config_params[i]);
        if (!o) continue;
        Buf v = BUF_INIT;
        cfg_format(&sentinel_cfg_table, o, &v);
        buf_printf(b, "config %s", config_params[i]);
        put_word(b, buf_cstr(&v));
        buf_append_char(b, '\n');
        buf_deinit(&v);
    }
    for (int i = 0; i < norigins; i++) {
        if (!origins[i].removed) continue;
        buf_append_str(b, "removed");
        put_word(b, origins[i].name);
        put_word(b, origins[i].cfg_ip);
        buf_printf(b, " %d\n", origins[i].cfg_port);
    }
    for (int i = 0; i < sentinel.nmasters; i++) write_master(b, sentinel.masters[i]);
}

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int state_save(void) {
    if (!sentinel.state_file) return 0; /* not started yet (unit tests) */
    Buf b = BUF_INIT;
    state_format(&b);
    Buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.tmp-%d", sentinel.state_file, (int)getpid());
    const char *tmpname = buf_cstr(&tmp);
    const char *what = "open";
    int fd = open(tmpname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = -1;
    if (fd >= 0) {
        what = "write";
        if (write_all(fd, b.data, b.len) == 0) {
            what = "fsync";
            if (fsync(fd) == 0) rc = 0;
        }
        int e = errno;
        if (close(fd) != 0 && rc == 0) {
            rc = -1;
            what = "close";
        } else {
            errno = e;
        }
        if (rc == 0) {
            what = "rename";
            if (rename(tmpname, sentinel.state_file) != 0) rc = -1;
        }
        if (rc != 0) {
            e = errno;
            unlink(tmpname);
            errno = e;
        }
    }
    if (rc == 0) {
        /* the rename itself must reach the disk */
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", sentinel.state_file);
        char *slash = strrchr(dir, '/');
        if (slash) *(slash == dir ? slash + 1 : slash) = '\0';
        int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        log_verbose("Sentinel state saved on disk");
    } else {
        log_errno(LOG_WARN, errno, "Failed to save the sentinel state %s (%s)",
                  sentinel.state_file, what);
    }
    buf_deinit(&tmp);
    buf_deinit(&b);
    return rc;
}

/* ---- loading ---------------------------------------------------------------------------- */

typedef struct LoadCtx {
    const char *path;
    int line;
    Buf *err;
    /* the current master block */
    char *name;        /* NULL outside a block */
    Instance *m;       /* where its lines go; NULL until known */
    bool skip;         /* the block is obsolete: its lines are ignored */
    bool create;       /* origin monitor: created at the address line */
    bool has_origin;
} LoadCtx;

static int fail(LoadCtx *x, const char *fmt, ...) VG_PRINTF(2, 3);
static int fail(LoadCtx *x, const char *fmt, ...) {
    buf_printf(x->err, "%s:%d: ", x->path, x->line);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(x->err, fmt, ap);
    va_end(ap);
    return -1;
}

static bool parse_port(const char *s, int *out) {
    long long v;
    if (!util_str_to_ll(s, strlen(s), &v) || v < 0 || v > 65535) return false;
    *out = (int)v;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out) {
    unsigned long long v;
    if (!util_str_to_ull(s, strlen(s), &v)) return false;
    *out = v;
    return true;
}

static bool is_hex_id(const char *s) {
    if (strlen(s) != SENTINEL_ID_LEN) return false;
    for (; *s; s++)
        if (!isxdigit((unsigned char)*s)) return false;
    return true;
}

/* End of a master block: a created master must be complete. */
static int close_block(LoadCtx *x) {
    if (!x->name) return 0;
    int rc = 0;
    if (!x->has_origin && !x->skip)
        rc = fail(x, "master '%s' has no origin line", x->name);
    else if (x->create && !x->m && !x->skip)
        rc = fail(x, "master '%s' has no address", x->name);
    else if (x->create && x->m && x->m->quorum == 0)
        rc = fail(x, "master '%s' has no quorum", x->name);
    mem_free(x->name);
    x->name = NULL;
    x->m = NULL;
    x->skip = x->create = x->has_origin = false;
    return rc;
}

#define NEED(n)                                                                          \
    do {                                                                                 \
        if (argc != (n) + 1)                                                             \
            return fail(x, "'%s' takes %d argument%s", kw, (n), (n) == 1 ? "" : "s");    \
    } while (0)

/* Lines that belong to a master block: where they go, or whether they are skipped. */
static int block_target(LoadCtx *x, const char *kw, Instance **out) {
    if (!x->name) return fail(x, "'%s' outside a master block", kw);
    if (!x->has_origin) return fail(x, "'%s' before the master's origin line", kw);
    if (x->skip) {
        *out = NULL;
        return 0;
    }
    if (!x->m) return fail(x, "'%s' before the master's address line", kw);
    *out = x->m;
    return 0;
}

static int load_line(LoadCtx *x, int argc, char **a, bool *seen_version) {
    const char *kw = a[0];
    if (!*seen_version) {
        if (strcmp(kw, "version") != 0 || argc != 2)
            return fail(x, "expected 'version %d' first", STATE_VERSION);
        if (strcmp(a[1], "1") != 0) return fail(x, "unsupported version '%s'", a[1]);
        *seen_version = true;
        return 0;
    }
    if (!strcmp(kw, "myid")) {
        NEED(1);
        if (!is_hex_id(a[1])) return fail(x, "myid must be %d hex characters", SENTINEL_ID_LEN);
        snprintf(sentinel.myid, sizeof(sentinel.myid), "%s", a[1]);
        return 0;
    }
    if (!strcmp(kw, "current-epoch")) {
        NEED(1);
        if (!parse_u64(a[1], &sentinel.current_epoch)) return fail(x, "bad epoch '%s'", a[1]);
        return 0;
    }
    if (!strcmp(kw, "config")) {
        NEED(2);
        size_t i = 0;
        while (i < VG_ARRAY_LEN(config_params) && strcmp(a[1], config_params[i])) i++;
        const CfgOption *o = cfg_find(&sentinel_cfg_table, a[1]);
        if (i == VG_ARRAY_LEN(config_params) || !o)
            return fail(x, "unknown config parameter '%s'", a[1]);
        const char *e = cfg_set_str(&sentinel_cfg_table, o, a[2], false);
        if (e) return fail(x, "invalid value for '%s': %s", a[1], e);
        config_set_mask |= 1u << i;
        return 0;
    }
    if (!strcmp(kw, "removed")) {
        NEED(3);
        int port;
        if (!parse_port(a[3], &port)) return fail(x, "bad port '%s'", a[3]);
        Origin *o = origin_find(a[1]);
        Instance *m = sentinel_master_by_name(a[1]);
        if (o && o->from_config && m && o->cfg_port == port && !strcasecmp(o->cfg_ip, a[2])) {
            sentinel_remove_master(m);
            o->removed = true;
        } else {
            log_notice("State: '%s' was removed, but the config now monitors it at a new "
                       "address (or not at all): following the config", a[1]);
        }
        return 0;
    }
    if (!strcmp(kw, "master")) {
        NEED(1);
        if (close_block(x) != 0) return -1;
        x->name = mem_strdup(a[1]);
        return 0;
    }
    if (!strcmp(kw, "origin")) {
        if (!x->name) return fail(x, "'origin' outside a master block");
        if (x->has_origin) return fail(x, "second 'origin' line");
        x->has_origin = true;
        Instance *m = sentinel_master_by_name(x->name);
        Origin *o = origin_find(x->name);
        if (argc == 2 && !strcmp(a[1], "monitor")) {
            if (m) {
                log_notice("State: master '%s' added by SENTINEL MONITOR is now in the "
                           "config: following the config", x->name);
                x->skip = true;
            } else {
                x->create = true;
            }
            return 0;
        }
        if (argc == 4 && !strcmp(a[1], "config")) {
            int port;
            if (!parse_port(a[3], &port)) return fail(x, "bad port '%s'", a[3]);
            if (!m || !o || !o->from_config) {
                log_notice("State: master '%s' is no longer in the config: forgotten",
                           x->name);
                x->skip = true;
            } else if (o->cfg_port != port || strcasecmp(o->cfg_ip, a[2]) != 0) {
                log_notice("State: the config moved master '%s' to %s:%d (state learned from "
                           "%s:%s): starting fresh from the config",
                           x->name, o->cfg_ip, o->cfg_port, a[2], a[3]);
                x->skip = true;
            } else {
                x->m = m;
            }
            return 0;
        }
        return fail(x, "origin is 'config <ip> <port>' or 'monitor'");
    }
    if (!strcmp(kw, "address")) {
        NEED(2);
        if (!x->name || !x->has_origin)
            return fail(x, "'address' outside a master block or before its origin");
        if (x->skip) return 0;
        int port;
        char ip[SENTINEL_IP_LEN];
        if (!parse_port(a[2], &port)) return fail(x, "bad port '%s'", a[2]);
        if (!instance_parse_ip(a[1], ip)) return fail(x, "bad address '%s'", a[1]);
        if (x->create) {
            if (x->m) return fail(x, "second 'address' line");
            x->m = instance_new_master(x->name, ip, port, 0);
            sentinel_add_master(x->m);
            Origin *o = origin_add(x->name);
            o->from_config = false;
            o->set_mask = SET_ALL;
        } else {
            snprintf(x->m->ip, sizeof(x->m->ip), "%s", ip);
            x->m->port = port;
        }
        return 0;
    }
    Instance *m;
    if (!strcmp(kw, "config-epoch")) {
        NEED(1);
        if (block_target(x, kw, &m) != 0) return -1;
        uint64_t e;
        if (!parse_u64(a[1], &e)) return fail(x, "bad epoch '%s'", a[1]);
        if (m) m->config_epoch = e;
        return 0;
    }
    if (!strcmp(kw, "vote")) {
        NEED(2);
        if (block_target(x, kw, &m) != 0) return -1;
        uint64_t e;
        if (!parse_u64(a[2], &e)) return fail(x, "bad epoch '%s'", a[2]);
        if (strcmp(a[1], "*") != 0 && !is_hex_id(a[1]))
            return fail(x, "vote is '*' or a %d-hex run id", SENTINEL_ID_LEN);
        if (m) {
            mem_free(m->leader);
            m->leader = strcmp(a[1], "*") ? mem_strdup(a[1]) : NULL;
            m->leader_epoch = e;
        }
        return 0;
    }
    if (!strcmp(kw, "set")) {
        NEED(2);
        if (block_target(x, kw, &m) != 0) return -1;
        if (option_index(a[1]) < 0) return fail(x, "unknown setting '%s'", a[1]);
        if (!m) return 0;
        if (sconfig_set_master_option(m, a[1], a[2]) != NULL)
            return fail(x, "invalid value '%s' for '%s'", a[2], a[1]);
        state_note_set(m, a[1]);
        return 0;
    }
    if (!strcmp(kw, "known-replica")) {
        NEED(2);
        if (block_target(x, kw, &m) != 0) return -1;
        int port;
        char ip[SENTINEL_IP_LEN];
        if (!parse_port(a[2], &port)) return fail(x, "bad port '%s'", a[2]);
        if (!instance_parse_ip(a[1], ip)) return fail(x, "bad address '%s'", a[1]);
        if (m && !instance_replica_by_addr(m, ip, port) &&
            !(m->port == port && !strcasecmp(m->ip, ip)))
            instance_add_replica(m, ip, port);
        return 0;
    }
    if (!strcmp(kw, "known-sentinel")) {
        NEED(3);
        if (block_target(x, kw, &m) != 0) return -1;
        int port;
        char ip[SENTINEL_IP_LEN];
        if (!parse_port(a[2], &port)) return fail(x, "bad port '%s'", a[2]);
        if (!instance_parse_ip(a[1], ip)) return fail(x, "bad address '%s'", a[1]);
        if (!is_hex_id(a[3])) return fail(x, "bad run id '%s'", a[3]);
        if (m && !instance_sentinel_by_runid(m, a[3])) instance_add_sentinel(m, ip, port, a[3]);
        return 0;
    }
    return fail(x, "unknown keyword '%s'", kw);
}

int state_load(Buf *err) {
    /* every master present now came from the config: remember where it was configured */
    for (int i = 0; i < sentinel.nmasters; i++) {
        Instance *m = sentinel.masters[i];
        Origin *o = origin_add(m->name);
        o->from_config = true;
        snprintf(o->cfg_ip, sizeof(o->cfg_ip), "%s", m->ip);
        o->cfg_port = m->port;
    }
    int rc = 0;
    FILE *f = sentinel.state_file ? fopen(sentinel.state_file, "r") : NULL;
    if (!f && sentinel.state_file && errno != ENOENT) {
        buf_printf(err, "%s: cannot open: %s", sentinel.state_file, strerror(errno));
        return -1;
    }
    if (f) {
        LoadCtx x = {.path = sentinel.state_file, .err = err};
        bool seen_version = false;
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
            x.line++;
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
            const char *p = line;
            while (*p == ' ' || *p == '\t') p++;
            if (!*p || *p == '#') continue;
            RespArg *words;
            int argc = resp_split_args(p, strlen(p), &words);
            if (argc < 0) {
                rc = fail(&x, "unbalanced quotes");
                break;
            }
            char **a = mem_alloc((size_t)argc * sizeof(*a));
            for (int i = 0; i < argc; i++) a[i] = (char *)words[i].ptr;
            rc = load_line(&x, argc, a, &seen_version);
            mem_free(a);
            resp_split_free(words, argc);
        }
        free(line);
        if (rc == 0 && ferror(f)) {
            buf_printf(err, "%s: read error: %s", sentinel.state_file, strerror(errno));
            rc = -1;
        }
        x.line++;
        if (rc == 0) rc = close_block(&x);
        mem_free(x.name);
        fclose(f);
    }
    if (rc == 0 && !sentinel.myid[0]) sentinel_random_id(sentinel.myid);
    return rc;
}
