/* commands.h - the command table: one declarative CmdSpec per command, grouped by module.
 *
 * Each command module exports its rows (t_string.c: string_commands[], ...) and commands.c
 * lists the groups once; at start-up they become Command objects in a case-insensitive dict,
 * which hold the per-command statistics (INFO commandstats) next to the spec. Dispatch
 * (arity, flags, NOSCRIPT, READONLY, OOM, LOADING), COMMAND INFO/COUNT/DOCS, SLOWLOG and
 * keyspace notifications all read this table; nothing else lists command names.
 *
 * Arity counts the command name; negative means "at least". Keys: first, last, step as in
 * Redis (last -1 = the final argument). Subcommands (CONFIG GET, CLIENT LIST) are rows of
 * their own table and are dispatched and counted as "config|get". */
#ifndef VIGIL_SERVER_COMMANDS_H
#define VIGIL_SERVER_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/dict.h"
#include "server/latency_hist.h"

typedef struct Client Client;
typedef void (*CmdProc)(Client *c);

/* clang-format off */
enum {
    CMD_WRITE      = 1 << 0,  /* may modify the keyspace */
    CMD_READONLY   = 1 << 1,
    CMD_DENYOOM    = 1 << 2,  /* refused with -OOM above maxmemory */
    CMD_ADMIN      = 1 << 3,
    CMD_PUBSUB     = 1 << 4,
    CMD_NOSCRIPT   = 1 << 5,
    CMD_BLOCKING   = 1 << 6,
    CMD_LOADING    = 1 << 7,  /* allowed while loading */
    CMD_STALE      = 1 << 8,  /* allowed on a replica with a stale link */
    CMD_SKIP_MONITOR = 1 << 9,
    CMD_SKIP_SLOWLOG = 1 << 10,
    CMD_FAST       = 1 << 11,
    CMD_NO_AUTH    = 1 << 12, /* allowed before AUTH */
    CMD_MAY_REPLICATE = 1 << 13,
    CMD_SENTINEL   = 1 << 14,
    CMD_ONLY_SENTINEL = 1 << 15,
    CMD_NO_MANDATORY_KEYS = 1 << 16,
    CMD_PROTECTED  = 1 << 17, /* behind enable-debug-command (DEBUG) */
    CMD_NO_MULTI   = 1 << 18,
    CMD_ALLOW_BUSY = 1 << 19,
    CMD_MOVABLE_KEYS = 1 << 20, /* derived from the key specs (COMMAND INFO), never in rows */
};
/* clang-format on */

typedef struct CmdKeys {
    int first, last, step;
} CmdKeys;

#define KEYS(f, l, s) {f, l, s}
#define NO_KEYS       {0, 0, 0}

typedef struct CmdSpec {
    const char *name;
    CmdProc proc; /* NULL for a container with subcommands */
    int arity;
    uint32_t flags;
    CmdKeys keys;
    const char *group; /* "string", "generic", "server", "connection", ... (COMMAND DOCS) */
    const struct CmdSpec *subcommands; /* NULL-terminated table, or NULL */
    const char *summary;               /* one line for COMMAND DOCS / redis-cli hints */
    const char *since;
    const char *args_hint;             /* e.g. "key value [NX|XX]" for redis-cli */
} CmdSpec;

#define CMD_SPEC_END {NULL, NULL, 0, 0, NO_KEYS, NULL, NULL, NULL, NULL, NULL}

typedef struct CmdStats {
    long long calls;
    long long usec;
    long long rejected_calls;
    long long failed_calls;
} CmdStats;

typedef struct Command {
    DictNode node;
    const CmdSpec *spec;
    struct Command *parent; /* for subcommands */
    Dict subs;              /* of Command, when spec->subcommands */
    bool has_subs;
    char fullname[64];      /* "get", "config|get" */
    size_t name_len;        /* strlen(spec->name), for the dict's key callback */
    CmdStats stats;
    LatencyHist *latency_hist; /* INFO latencystats; NULL until the first tracked call */
} Command;

void commands_init(void);
/* Top-level lookup by name (case-insensitive). */
Command *command_lookup(const char *name, size_t len);
/* Lookup with subcommand resolution for argv; NULL when unknown. */
Command *command_lookup_sub(Command *parent, const char *name, size_t len);
/* Visit every top-level command (COMMAND, INFO commandstats). */
typedef void (*CommandVisitFn)(Command *cmd, void *ud);
void commands_each(CommandVisitFn fn, void *ud, bool include_subs);
long long commands_count(void);
void commands_reset_stats(void);

/* The groups (each defined by its module). */
extern const CmdSpec string_commands[];
extern const CmdSpec keyspace_commands[];
extern const CmdSpec server_commands[];        /* cmd_server.c: TIME, SHUTDOWN, DEBUG, ... */
extern const CmdSpec connection_commands[];    /* cmd_connection.c */
extern const CmdSpec bitops_commands[];        /* t_bitops.c */
extern const CmdSpec introspection_commands[]; /* cmd_command.c: COMMAND */
extern const CmdSpec config_commands[];        /* cmd_config.c: CONFIG, INFO */
extern const CmdSpec client_commands[];        /* cmd_client.c: CLIENT */
extern const CmdSpec multi_commands[];         /* multi.c: MULTI, EXEC, DISCARD, WATCH, UNWATCH */
extern const CmdSpec pubsub_commands[];        /* pubsub.c: (P)(UN)SUBSCRIBE, PUBLISH, PUBSUB */
extern const CmdSpec list_commands[];          /* t_list.c, with the blocking list commands */
extern const CmdSpec hash_commands[];          /* t_hash.c */
extern const CmdSpec set_commands[];           /* t_set.c */
extern const CmdSpec zset_commands[];          /* t_zset.c, with BZPOPMIN/BZPOPMAX/BZMPOP */
extern const CmdSpec sort_commands[];          /* sort.c: SORT, SORT_RO */
extern const CmdSpec memory_commands[];        /* cmd_memory.c: MEMORY */
extern const CmdSpec persistence_commands[];   /* bgsave.c: SAVE, BGSAVE, BGREWRITEAOF */
extern const CmdSpec replication_commands[];   /* replication.c: ROLE, REPLICAOF, PSYNC, WAIT, ... */

#endif
