/* sentinel.h - the sentinel's model and the contracts between its modules.
 *
 * One process watches one or more primaries ("masters", the protocol's word). Each master
 * is an Instance with its replicas and its peer sentinels (also Instances, kept in arrays:
 * a group has a handful of each). Every instance has a Link: a command connection and, for
 * servers, a Pub/Sub connection, both hiredis async contexts on the libev default loop.
 *
 *   main.c         command line, config, state file, the loop, signals, the tick timer
 *   sconfig.c      the option table (global options and [monitor NAME] sections)
 *   instance.c     creating, finding, resetting and freeing instances; address helpers
 *   state.c        the state file under `dir`: what the sentinel learned (written atomically)
 *   front.c        the sentinel's own RESP server: clients, dispatch, Pub/Sub, HELLO, AUTH,
 *                  CLIENT, PING, INFO, ROLE, COMMAND, SHUTDOWN
 *   events.c       events: logged and published on the sentinel's Pub/Sub
 *   link.c         hiredis async links: connect, AUTH, CLIENT SETNAME, reconnect throttle,
 *                  pending-command accounting, closing dead links
 *   monitor.c      the observing half: PING/INFO/hello timers, INFO parsing, replica and
 *                  sentinel discovery, hello processing, SDOWN, ODOWN, is-master-down-by-addr
 *                  asking, TILT
 *   failover.c     the acting half: votes and leader election, replica selection, the
 *                  failover state machine, switch-master, repointing stray replicas
 *   cmd_sentinel.c the SENTINEL command family and INFO's # Sentinel section
 *
 * Times are monotonic milliseconds (clock_mono_ms) unless named *_wall. */
#ifndef VIGIL_SENTINEL_SENTINEL_H
#define VIGIL_SENTINEL_SENTINEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "common/resp_reader.h"
#include "common/vg.h"

struct redisAsyncContext;
struct redisReply;

#define SENTINEL_ID_LEN 40
#define SENTINEL_IP_LEN 64 /* an IPv6 text address fits */

/* ---- instance flags (the order of SENTINEL MASTER's flags field is in cmd_sentinel.c) -- */
enum {
    SRI_MASTER = 1 << 0,
    SRI_SLAVE = 1 << 1,
    SRI_SENTINEL = 1 << 2,
    SRI_S_DOWN = 1 << 3,
    SRI_O_DOWN = 1 << 4,
    SRI_MASTER_DOWN = 1 << 5,          /* a peer sentinel says the master is down */
    SRI_FAILOVER_IN_PROGRESS = 1 << 6, /* a master being failed over by us */
    SRI_PROMOTED = 1 << 7,             /* the replica chosen for promotion */
    SRI_RECONF_SENT = 1 << 8,
    SRI_RECONF_INPROG = 1 << 9,
    SRI_RECONF_DONE = 1 << 10,
    SRI_FORCE_FAILOVER = 1 << 11, /* SENTINEL FAILOVER: no ODOWN or election needed */
    SRI_SCRIPT_KILL_SENT = 1 << 12,
    SRI_MASTER_REBOOT = 1 << 13,
};

/* Failover states, as SENTINEL MASTER's failover-state shows them (failover.c names them). */
typedef enum FailoverState {
    FO_NONE = 0,
    FO_WAIT_START,
    FO_SELECT_SLAVE,
    FO_SEND_SLAVEOF_NOONE,
    FO_WAIT_PROMOTION,
    FO_RECONF_SLAVES,
    FO_UPDATE_CONFIG,
} FailoverState;

/* Role an instance reports in INFO. */
enum { ROLE_UNKNOWN = 0, ROLE_MASTER = 1, ROLE_SLAVE = 2 };

typedef struct Instance Instance;

/* A link to one instance (link.c). Not shared between masters: a peer sentinel that watches
 * two of our masters gets two links (link-refcount is always 1). */
typedef struct Link {
    struct redisAsyncContext *cc; /* command connection, NULL when down */
    struct redisAsyncContext *pc; /* Pub/Sub connection (servers only), NULL when down */
    bool disconnected;            /* cc (or pc for servers) is not up */
    int pending_commands;         /* replies still expected on cc */
    int64_t cc_conn_time;         /* when cc connected (0: never) */
    int64_t pc_conn_time;
    int64_t pc_last_activity;     /* last message received on pc */
    int64_t last_avail_time;      /* last valid PING reply (+PONG, -LOADING, -MASTERDOWN) */
    int64_t act_ping_time;        /* oldest unanswered PING sent, 0 when none pending */
    int64_t last_ping_time;       /* last PING sent (throttles sending) */
    int64_t last_pong_time;       /* last reply of any kind on cc */
    int64_t last_reconn_time;     /* last (re)connect attempt, at most one per ping period */
    Instance *owner;
    bool restart_sdown_clock;     /* set on a switch: the SDOWN clock restarts at connect */
} Link;

struct Instance {
    int flags;                /* SRI_* */
    char *name;               /* master: its name; replica: "ip:port"; sentinel: run id */
    char ip[SENTINEL_IP_LEN]; /* current address */
    int port;
    char *runid;              /* NULL while unknown */
    uint64_t config_epoch;    /* masters: epoch of the configuration we believe in */
    Link *link;
    Instance *master;         /* replicas and sentinels: the master they belong to */

    /* Timers and observed state (monitor.c). */
    int64_t last_pub_time;        /* last hello we published through this instance */
    int64_t last_hello_time;      /* sentinels: last hello received from it */
    int64_t last_master_down_reply_time; /* sentinels: last is-master-down-by-addr answer */
    int64_t s_down_since_time;
    int64_t o_down_since_time;
    long long down_after_period;  /* ms */
    long long master_reboot_down_after_period;
    int64_t master_reboot_since_time;
    int64_t info_refresh;         /* when the last INFO reply arrived (0: never) */
    char *info;                   /* that reply (SENTINEL INFO-CACHE) */
    int role_reported;            /* ROLE_* */
    int64_t role_reported_time;
    int64_t slave_conf_change_time; /* replicas: last change of master_host/port seen */

    /* Replica fields (from its INFO). */
    int64_t master_link_down_time; /* ms, from master_link_down_since_seconds */
    int slave_priority;            /* slave_priority, default 100 */
    int replica_announced;         /* replica_announced, default 1 */
    int64_t slave_reconf_sent_time;
    char *slave_master_host;       /* master_host as reported, NULL unknown */
    int slave_master_port;
    bool slave_master_link_up;     /* master_link_status:up */
    unsigned long long slave_repl_offset;

    /* Master fields. */
    Instance **replicas;
    int nreplicas, replicas_cap;
    Instance **sentinels;          /* peers (not us) */
    int nsentinels, sentinels_cap;
    unsigned quorum;
    int parallel_syncs;
    char *auth_pass;               /* for the master and its replicas */
    char *auth_user;
    char *notification_script;     /* run by scripts.c on WARNING events */
    char *client_reconfig_script;

    /* Peer sentinels: their vote as they told us (is-master-down-by-addr replies). */
    char *leader;                  /* run id they voted for, NULL none */
    uint64_t leader_epoch;

    /* Masters: our own vote and the failover (failover.c). */
    uint64_t failover_epoch;       /* epoch of the failover we run */
    FailoverState failover_state;
    int64_t failover_state_change_time;
    int64_t failover_start_time;   /* last attempt (ours or a vote for someone else) */
    long long failover_timeout;    /* ms */
    int64_t failover_delay_logged;
    /* When our candidacy opens: vote requests and our own vote wait until then, a random
     * moment after the attempt starts (0: open) — see failover.c's start_failover. */
    int64_t election_at;
    Instance *promoted_slave;
    /* Any instance (failover.c): throttles for the extra INFO requests of a failover or a
     * stray replica, and for repeating a SLAVEOF that a late INFO has not yet reflected. */
    int64_t info_asked_time;
    int64_t slaveof_sent_time;
    /* Masters fenced by a manual failover (failover.c): when their writes were paused (0:
     * not fenced) and the master_repl_offset they reported after the pause. */
    int64_t fence_sent_time;
    unsigned long long fence_offset;
    bool fence_offset_known;
};

/* Tunables SENTINEL DEBUG changes (ms). Names as SENTINEL DEBUG shows them, upper-cased. */
typedef struct SentinelTimers {
    long long info_period;           /* 10000 */
    long long ping_period;           /* 1000 */
    long long ask_period;            /* 1000 */
    long long publish_period;        /* 2000 */
    long long default_down_after;    /* 30000 */
    long long default_failover_timeout; /* 180000 */
    long long tilt_trigger;          /* 2000 */
    long long tilt_period;           /* 30000 */
    long long slave_reconf_timeout;  /* 10000 */
    long long min_link_reconnect_period; /* 15000 */
    long long election_timeout;      /* 10000 */
    long long script_max_runtime;    /* 60000 */
    long long script_retry_delay;    /* 30000 */
} SentinelTimers;

/* Global options (sconfig.c's table stores into this). */
typedef struct SentinelConfig {
    char *bind;            /* one address (loopback in tests) */
    long long port;        /* 26379 */
    char *dir;             /* state file lives here; the process chdirs into it */
    char *logfile;         /* "" = stdout */
    int loglevel;
    char *pidfile;
    char *requirepass;     /* clients must AUTH; also used towards peers if sentinel-pass unset */
    char *sentinel_user;   /* towards peer sentinels */
    char *sentinel_pass;
    char *announce_ip;     /* what our hellos carry (NAT) */
    long long announce_port;
    int resolve_hostnames;
    int announce_hostnames;
    int deny_scripts_reconfig;
    long long maxclients;
    long long timeout;     /* idle client timeout, 0 = none */
    int supervised;        /* issue 7 (sd_notify) */
} SentinelConfig;

typedef struct Sentinel {
    char myid[SENTINEL_ID_LEN + 1];
    uint64_t current_epoch;
    Instance **masters;
    int nmasters, masters_cap;
    bool tilt;
    int64_t tilt_start_time;
    int64_t previous_time;         /* last tick, wall clock ms (TILT compares these) */
    int simfailure_flags;          /* SIMULATE-FAILURE bits */
    SentinelTimers t;
    char *config_file;             /* absolute path; only read */
    char *state_file;              /* absolute path of <dir>/sentinel-state */
    int64_t start_time_wall;       /* for INFO uptime */
} Sentinel;

enum { SIMFAIL_CRASH_AFTER_ELECTION = 1, SIMFAIL_CRASH_AFTER_PROMOTION = 2 };

extern Sentinel sentinel;
extern SentinelConfig scfg;
extern const CfgTable sentinel_cfg_table;

/* ---- sconfig.c ----------------------------------------------------------------------- */

/* The [monitor NAME] section hook for cfg_load_file: creates the master on its first key
 * (host and port must both be given before the section ends: checked by
 * sconfig_check_masters). */
const char *sconfig_monitor_option(void *ud, const char *section, const char *name,
                                   const char *value);
/* After loading: every master has an address and a quorum. NULL or a message. */
const char *sconfig_check_masters(void);
/* SENTINEL SET name option value: one option of a master, the same names as in a
 * [monitor] section. NULL on success, else "invalid" (bad value) or "unknown". */
const char *sconfig_set_master_option(Instance *m, const char *opt, const char *value);

/* ---- instance.c ---------------------------------------------------------------------- */

Instance *instance_new_master(const char *name, const char *ip, int port, unsigned quorum);
/* A replica (SRI_SLAVE) or a peer (SRI_SENTINEL) of master m, added to its array. */
Instance *instance_add_replica(Instance *m, const char *ip, int port);
Instance *instance_add_sentinel(Instance *m, const char *ip, int port, const char *runid);
void instance_remove_replica(Instance *m, Instance *r);
void instance_remove_sentinel(Instance *m, Instance *s);
/* Frees the instance, its link (closed) and, for masters, its replicas and sentinels. */
void instance_free(Instance *ri);
Instance *sentinel_master_by_name(const char *name);
Instance *sentinel_master_by_addr(const char *ip, int port);
Instance *instance_replica_by_addr(Instance *m, const char *ip, int port);
Instance *instance_sentinel_by_runid(Instance *m, const char *runid);
Instance *instance_sentinel_by_addr(Instance *m, const char *ip, int port);
void sentinel_add_master(Instance *m);
void sentinel_remove_master(Instance *m); /* unlinks and frees */
/* SENTINEL RESET: forget replicas (and sentinels unless keep_sentinels), close links,
 * clear flags and failover state. */
void instance_reset_master(Instance *m, bool keep_sentinels);
/* After a failover (or a config update from a peer): the master now lives at ip:port. Its
 * replicas become: the old ones minus the new address, plus the old master's address; the
 * sentinels are kept (their down flags and votes cleared); links are rebuilt. */
void instance_switch_master(Instance *m, const char *ip, int port);
/* The address clients should use: the promoted replica's once the failover reached
 * FO_RECONF_SLAVES, else the master's own. */
void instance_current_addr(const Instance *m, const char **ip, int *port);
/* "ip:port" ("[ip]:port" for IPv6) into out. */
void instance_format_addr(char *out, size_t len, const char *ip, int port);
/* Validates / normalises an address for MONITOR and the config: true when ip is a literal
 * IPv4/IPv6 address (or resolves, with resolve-hostnames), result copied to out. */
bool instance_parse_ip(const char *host, char out[SENTINEL_IP_LEN]);

/* ---- state.c ------------------------------------------------------------------------- */

/* Read <dir>/sentinel-state if present (after the config): myid, current epoch, and per
 * master known in the config (or added at run time by SENTINEL MONITOR) its learned address,
 * config epoch, leader vote, replicas and sentinels. Creates myid when absent. 0 or -1 with
 * a message "file:line: what" in err. */
int state_load(Buf *err);
/* Write the whole state: temp file, fsync, rename, fsync of the directory. 0 or -1 (logged).
 * Called before answering a vote, after an epoch change, on discovery and on every
 * runtime change (MONITOR, REMOVE, SET, CONFIG SET, RESET, FLUSHCONFIG). */
int state_save(void);
/* Runtime changes the state file must remember beyond the learned facts (cmd_sentinel.c
 * calls these before state_save): a master added by SENTINEL MONITOR (all its settings are
 * written), a master removed by SENTINEL REMOVE (a config master stays removed across
 * restarts), an option changed by SENTINEL SET, a global changed by SENTINEL CONFIG SET. */
void state_note_monitor(const Instance *m);
void state_note_remove(const char *name);
void state_note_set(const Instance *m, const char *opt);
void state_note_config_set(const char *param);

/* ---- events.c ------------------------------------------------------------------------ */

/* Log and publish an event on channel `type`. With ri, the message starts with ri's details
 * ("<type> <name> <ip> <port>" and, for replicas and sentinels, " @ <master-name>
 * <master-ip> <master-port>"); fmt (may be NULL) adds " <text>". Without ri the message is
 * fmt's text. LOG_DEBUG events are logged only, not published. WARNING events also run the
 * notification-script of the master ri belongs to. */
void sentinel_event(LogLevel level, const char *type, const Instance *ri, const char *fmt,
                    ...) VG_PRINTF(4, 5);
/* The same for an event whose text carries no instance details but concerns master m
 * (+new-epoch, +vote-for-leader, +switch-master): m's notification-script runs for it. */
void sentinel_event_about(LogLevel level, const char *type, const Instance *m,
                          const char *fmt, ...) VG_PRINTF(4, 5);

/* ---- front.c ------------------------------------------------------------------------- */

/* Listen on scfg.bind:scfg.port. 0 or -1 (logged). */
int front_init(void);
/* Deliver a message to clients subscribed to `channel` (or a matching pattern); returns the
 * number of receivers. */
long front_publish(const char *channel, const char *msg, size_t len);
/* Number of connected clients (INFO). */
long front_clients(void);
/* Close listeners and clients (shutdown). */
void front_close(void);

/* ---- link.c -------------------------------------------------------------------------- */

/* Connect what is missing on ri's link (at most once per ping period); on connect: AUTH when
 * configured, CLIENT SETNAME sentinel-<id8>-cmd|pubsub, then PING (cc) or SUBSCRIBE
 * __sentinel__:hello (pc, servers only). */
void link_reconnect(Instance *ri);
/* Close both connections (the link stays, disconnected). */
void link_close(Link *l);
/* Free the link (closing it). */
void link_free(Link *l);
/* Send a command on cc with a reply callback (argv like redisAsyncCommandArgv). Counts it in
 * pending_commands. Returns 0, or -1 when the link is down or the send failed. fn may be NULL
 * (reply ignored). privdata is handed to fn. */
typedef void (*LinkReplyFn)(Instance *ri, struct redisReply *reply, void *privdata);
int link_send(Instance *ri, LinkReplyFn fn, void *privdata, int argc, const char **argv,
              const size_t *argvlen);
/* Convenience: printf-free argv of NUL-terminated strings. */
int link_sendv(Instance *ri, LinkReplyFn fn, void *privdata, int argc, const char **argv);
/* Close links that look dead (min-link-reconnect-period rules). */
void link_check_dead(Instance *ri);
/* Local address of ri's command connection (for hello's ip when announce-ip is unset). */
bool link_local_ip(const Instance *ri, char out[SENTINEL_IP_LEN]);

/* ---- monitor.c ----------------------------------------------------------------------- */

/* One tick (every 50-100 ms, randomised): TILT check, then for every master and its
 * replicas and sentinels: reconnect, periodic PING/INFO/hello, SDOWN; for masters ODOWN,
 * asking peers, and failover_tick(). */
void monitor_tick(void);
/* Publish a hello about master m (through ri) now. */
int monitor_send_hello(Instance *ri);
/* Send a hello to every instance of m soon (after a promotion). */
void monitor_force_hello(Instance *m);
/* Ask peers about m now (after starting a failover: with our run id, a vote request). */
void monitor_ask_master_state(Instance *m, bool force);
/* A hello payload ("ip,port,runid,epoch,name,mip,mport,config-epoch") received on a
 * server's __sentinel__:hello channel or through PUBLISH to our front (from a peer). */
void monitor_hello_received(const char *payload, size_t len);
/* ODOWN evaluation helpers used by failover.c and CKQUORUM. */
bool monitor_is_odown(const Instance *m);
/* INFO sentinel_tilt_since_seconds: -1 when not in TILT. */
long long monitor_tilt_since_seconds(void);
/* Send INFO to ri now (outside the periodic schedule); the reply goes through the same
 * parser (and failover_on_info) as the periodic one. Used by failover.c to see a promotion,
 * a replica's reconfiguration or a stray replica's role without waiting for the 1 s / 10 s
 * poll. Does nothing when ri's link is down. */
void monitor_request_info(Instance *ri);
/* link.c: ri's command connection just connected (AUTH/SETNAME queued): send the first
 * PING, and INFO for servers. */
void monitor_link_connected(Instance *ri);

/* ---- failover.c ---------------------------------------------------------------------- */

/* Per master, each tick (not in TILT): start a failover when ODOWN, advance the state
 * machine, demote/repoint stray replicas (+convert-to-slave, +fix-slave-config). */
void failover_tick(Instance *m);
/* Hook from INFO parsing: ri (a replica of m, or m) just reported its role/master; the state
 * machine reacts (promotion seen, reconf progress). */
void failover_on_info(Instance *ri);
/* IS-MASTER-DOWN-BY-ADDR with a run id: vote for req_runid in req_epoch if we have not voted
 * in that epoch; persists before returning. Out: the run id we voted for (in this or a later
 * epoch; NULL none) and that epoch. */
void failover_vote(Instance *m, uint64_t req_epoch, const char *req_runid,
                   const char **leader, uint64_t *leader_epoch);
/* SENTINEL FAILOVER: 0, or -1 with *err set to "-INPROG ..." / "-NOGOODSLAVE ..." text. */
int failover_force(Instance *m, const char **err);
/* The replica to promote, or NULL (sorted as Redis: priority, offset, run id). */
Instance *failover_select_replica(Instance *m);
/* "none", "wait_start", ... */
const char *failover_state_name(FailoverState s);

/* ---- cmd_sentinel.c ------------------------------------------------------------------ */

typedef struct SClient SClient;
void cmd_sentinel(SClient *c, int argc, RespArg *argv);
/* INFO # Sentinel (after its header line). */
void sentinel_info_section(Buf *out);

/* ---- scripts.c ----------------------------------------------------------------------- */

/* Redis Sentinel's limits: queued jobs, jobs running at once, runs of a failing job. */
#define SCRIPTS_MAX_QUEUE 256
#define SCRIPTS_MAX_RUNNING 16
#define SCRIPTS_MAX_RETRY 10

/* Queue `path arg...` (a NULL-terminated list of strings, copied): run by fork + execve
 * without a shell at the next 100 ms step, retried on exit 1 or a signal (see scripts.c). */
void scripts_schedule(const char *path, ...) __attribute__((sentinel));
/* events.c, for every event: a LOG_WARN one concerning master m (NULL: none) that has a
 * notification-script queues `<script> <type> <msg>` (msg = the event's text after its
 * type). */
void scripts_on_event(LogLevel level, const char *type, const Instance *m, const char *msg);
/* Queue m's client-reconfig-script, if any: `<name> <leader|observer> start <from-ip>
 * <from-port> <to-ip> <to-port>`. */
void scripts_client_reconfig(const Instance *m, bool leader, const char *from_ip,
                             int from_port, const char *to_ip, int to_port);
/* One queued job for SENTINEL PENDING-SCRIPTS; pointers valid until the loop runs again. */
typedef struct ScriptView {
    const char *const *argv;
    int argc;
    bool running;
    long pid;        /* 0 unless running */
    long long ms;    /* running: run-time so far; scheduled: run-delay left (>= 0) */
    int retry_num;   /* times started so far */
} ScriptView;
/* Fills up to max views in queue order (oldest first); returns how many. */
int scripts_list(ScriptView *out, int max);
/* INFO sentinel_running_scripts / sentinel_scripts_queue_length. */
int scripts_running(void);
int scripts_queue_length(void);

/* ---- process-wide (instance.c: the globals; front.c: shutdown) ----------------------- */

/* Exit after saving state (SHUTDOWN, SIGTERM). */
void sentinel_shutdown(int code) __attribute__((noreturn));
/* Random 40-hex id. */
void sentinel_random_id(char out[SENTINEL_ID_LEN + 1]);
/* Redis Sentinel's default timers (SENTINEL DEBUG changes them). */
void sentinel_timers_defaults(SentinelTimers *t);

#endif
