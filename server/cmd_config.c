/* cmd_config.c - CONFIG and INFO: thin command layers over the option engine and info.c.
 *
 *   CONFIG GET/SET/REWRITE/RESETSTAT  common/config owns parsing, all-or-nothing SET and the
 *                    INI rewrite; RESETSTAT clears srv.stats, commandstats, errorstats and
 *                    latencystats as Redis does
 *   INFO             the text comes from info.c */
#include "common/config.h"
#include "common/glob.h"
#include "common/log.h"
#include "common/mem.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/info.h"
#include "server/reply.h"
#include "server/server.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

/* ---- CONFIG ---------------------------------------------------------------------------- */

/* CONFIG GET matches option names and aliases as separate entries (Redis 7.0 lists both
 * "replicaof" and "slaveof" for "*"); entry 2k is option k's name, 2k+1 its alias. Each
 * entry is reported once, under the spelling of the first argument that matched it:
 * exact names as the client wrote them, patterns under the table's spelling. Hidden
 * options answer exact names only. */
typedef struct ConfigGet {
    Client *c;
    bool *seen;
    long long pairs;
    Buf value;
} ConfigGet;

static void config_get_emit(ConfigGet *g, const CfgOption *o, const char *key) {
    buf_clear(&g->value);
    cfg_format(&server_cfg_table, o, &g->value);
    reply_bulk_cstr(g->c, key);
    reply_bulk(g->c, buf_cstr(&g->value), g->value.len);
    g->pairs++;
}

static void config_get_exact(ConfigGet *g, const char *name) {
    const CfgOption *o = cfg_find(&server_cfg_table, name);
    if (!o) return;
    size_t e = 2 * (size_t)(o - server_cfg_table.options) + (strcasecmp(o->name, name) != 0);
    if (g->seen[e]) return;
    g->seen[e] = true;
    config_get_emit(g, o, name);
}

static void config_get_glob(ConfigGet *g, const char *pattern) {
    const CfgOption *opts = server_cfg_table.options;
    for (const CfgOption *o = opts; o->type != CFG_T_END; o++) {
        if (o->flags & CFG_HIDDEN) continue;
        size_t e = 2 * (size_t)(o - opts);
        const char *names[2] = {o->name, o->alias};
        for (int i = 0; i < 2; i++) {
            if (!names[i] || g->seen[e + (size_t)i]) continue;
            if (!glob_match_cstr(pattern, names[i], true)) continue;
            g->seen[e + (size_t)i] = true;
            config_get_emit(g, o, names[i]);
        }
    }
}

/* CONFIG GET parameter [parameter ...] -> map of name -> value */
static void cmd_config_get(Client *c) {
    size_t nopts = 0;
    while (server_cfg_table.options[nopts].type != CFG_T_END)
        nopts++;
    ConfigGet g = {.c = c, .seen = mem_calloc(2 * nopts + 2), .value = BUF_INIT};
    size_t handle = reply_deferred_begin(c);
    for (int i = 2; i < c->argc; i++) {
        char *name = arg_dup(&c->argv[i]);
        if (strpbrk(name, "[*?"))
            config_get_glob(&g, name);
        else
            config_get_exact(&g, name);
        mem_free(name);
    }
    reply_deferred_map(c, handle, g.pairs);
    buf_deinit(&g.value);
    mem_free(g.seen);
}

/* CONFIG SET parameter value [parameter value ...]: all or nothing (cfg_set_many). */
static void cmd_config_set(Client *c) {
    int n = c->argc - 2;
    char **words = mem_alloc(sizeof(char *) * (size_t)n);
    for (int i = 0; i < n; i++)
        words[i] = arg_dup(&c->argv[i + 2]);
    Buf err = BUF_INIT;
    if (cfg_set_many(&server_cfg_table, n, words, &err) == 0) {
        reply_ok(c);
    } else {
        Buf msg = BUF_INIT;
        buf_printf(&msg, "ERR %s", buf_cstr(&err));
        reply_error(c, buf_cstr(&msg));
        buf_deinit(&msg);
    }
    buf_deinit(&err);
    for (int i = 0; i < n; i++)
        mem_free(words[i]);
    mem_free(words);
}

/* CONFIG REWRITE */
static void cmd_config_rewrite(Client *c) {
    if (!srv.config_file) {
        reply_error(c, "ERR The server is running without a config file");
        return;
    }
    Buf err = BUF_INIT;
    int rc = cfg_rewrite(&server_cfg_table, srv.config_file, &err);
    if (rc != 0) {
        log_warn("CONFIG REWRITE failed: %s", buf_cstr(&err));
        reply_error_fmt(c, "ERR Rewriting config file: %s", strerror(-rc));
    } else {
        log_notice("CONFIG REWRITE executed with success.");
        reply_ok(c);
    }
    buf_deinit(&err);
}

/* CONFIG RESETSTAT: what Redis's resetServerStats, resetCommandTableStats and
 * resetErrorTableStats clear. The memory peak and the start time stay; SLOWLOG and
 * LATENCY have their own RESET. */
static void cmd_config_resetstat(Client *c) {
    size_t peak = srv.stats.peak_memory;
    int64_t peak_time = srv.stats.peak_memory_time_ms;
    memset(&srv.stats, 0, sizeof(srv.stats));
    srv.stats.peak_memory = peak;
    srv.stats.peak_memory_time_ms = peak_time;
    info_reset_stats();
    commands_reset_stats();
    reply_errorstats_reset();
    reply_ok(c);
}

static void cmd_config_help(Client *c) {
    static const char *const help[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        NULL,
    };
    reply_help(c, help);
}

/* ---- INFO ---------------------------------------------------------------------------------- */

/* INFO [section ...]: a bulk string, verbatim "txt" in RESP3. Unknown sections add nothing. */
static void cmd_info(Client *c) {
    Buf text = BUF_INIT;
    info_generate(&text, c->argc - 1, c->argv + 1);
    reply_verbatim(c, buf_cstr(&text), text.len, "txt");
    buf_deinit(&text);
}

/* ---- the table ------------------------------------------------------------------------------ */

#define CONFIG_CMD_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define INTRO_FLAGS      (CMD_LOADING | CMD_STALE)

/* clang-format off */
static const CmdSpec config_subcommands[] = {
    {"get",       cmd_config_get,       -3, CONFIG_CMD_FLAGS,   NO_KEYS, "server", NULL, "Get the values of configuration parameters", "2.0.0", "parameter [parameter ...]"},
    {"set",       cmd_config_set,       -4, CONFIG_CMD_FLAGS,   NO_KEYS, "server", NULL, "Set configuration parameters to the given values", "2.0.0", "parameter value [parameter value ...]"},
    {"resetstat", cmd_config_resetstat,  2, CONFIG_CMD_FLAGS,   NO_KEYS, "server", NULL, "Reset the stats returned by INFO", "2.0.0", ""},
    {"rewrite",   cmd_config_rewrite,    2, CONFIG_CMD_FLAGS,   NO_KEYS, "server", NULL, "Rewrite the configuration file with the in memory configuration", "2.8.0", ""},
    {"help",      cmd_config_help,       2, INTRO_FLAGS, NO_KEYS, "server", NULL, "Show helpful text about the different subcommands", "5.0.0", ""},
    CMD_SPEC_END,
};

const CmdSpec config_commands[] = {
    {"config",  NULL,        -2, 0,                          NO_KEYS, "server", config_subcommands,  "A container for server configuration commands", "2.0.0", NULL},
    {"info",    cmd_info,    -1, INTRO_FLAGS | CMD_SENTINEL, NO_KEYS, "server", NULL,                "Get information and statistics about the server", "1.0.0", "[section [section ...]]"},
    CMD_SPEC_END,
};
/* clang-format on */
