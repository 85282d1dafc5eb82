/* commands.c - builds the command dictionary from the modules' CmdSpec groups.
 *
 * The groups below are the only list of modules with commands; each row lives next to its
 * proc. Lookup is a case-insensitive dict hit per request. */
#include "server/commands.h"

#include "common/mem.h"
#include "common/vg.h"
#include "server/latency_hist.h"

#include <stdio.h>
#include <string.h>

static const CmdSpec *const groups[] = {
    connection_commands,
    server_commands,
    string_commands,
    keyspace_commands,
    bitops_commands,
    introspection_commands,
    config_commands,
    client_commands,
    pubsub_commands,
    multi_commands,
    list_commands,
    hash_commands,
    set_commands,
    zset_commands,
    sort_commands,
    memory_commands,
    persistence_commands,
    replication_commands,
};

static Dict command_dict;

static const char *command_node_key(const DictNode *n, size_t *len) {
    const Command *cmd = (const Command *)n;
    *len = cmd->name_len;
    return cmd->spec->name;
}

static const DictType command_type = {.node_key = command_node_key, .nocase = true};

static Command *command_new(const CmdSpec *spec, Command *parent) {
    Command *cmd = mem_calloc(sizeof(*cmd));
    cmd->spec = spec;
    cmd->name_len = strlen(spec->name);
    cmd->parent = parent;
    if (parent)
        snprintf(cmd->fullname, sizeof(cmd->fullname), "%s|%s", parent->spec->name, spec->name);
    else
        snprintf(cmd->fullname, sizeof(cmd->fullname), "%s", spec->name);
    if (spec->subcommands) {
        cmd->has_subs = true;
        dict_init(&cmd->subs, &command_type);
        for (const CmdSpec *s = spec->subcommands; s->name; s++)
            dict_insert(&cmd->subs, &command_new(s, cmd)->node);
    }
    return cmd;
}

void commands_init(void) {
    dict_init(&command_dict, &command_type);
    for (size_t g = 0; g < VG_ARRAY_LEN(groups); g++)
        for (const CmdSpec *s = groups[g]; s->name; s++)
            dict_insert(&command_dict, &command_new(s, NULL)->node);
}

Command *command_lookup(const char *name, size_t len) {
    return (Command *)dict_find(&command_dict, name, len);
}

Command *command_lookup_sub(Command *parent, const char *name, size_t len) {
    if (!parent->has_subs) return NULL;
    return (Command *)dict_find(&parent->subs, name, len);
}

void commands_each(CommandVisitFn fn, void *ud, bool include_subs) {
    DictIter it;
    dict_iter_init(&it, &command_dict, false);
    DictNode *n;
    while ((n = dict_iter_next(&it))) {
        Command *cmd = (Command *)n;
        fn(cmd, ud);
        if (!include_subs || !cmd->has_subs) continue;
        DictIter sit;
        dict_iter_init(&sit, &cmd->subs, false);
        DictNode *sn;
        while ((sn = dict_iter_next(&sit))) fn((Command *)sn, ud);
        dict_iter_deinit(&sit);
    }
    dict_iter_deinit(&it);
}

long long commands_count(void) {
    return (long long)dict_size(&command_dict);
}

/* CONFIG RESETSTAT: as in Redis, the latency histogram is dropped, not just emptied, so
 * the command leaves INFO latencystats until it is called again. */
static void reset_one(Command *cmd, void *ud) {
    (void)ud;
    memset(&cmd->stats, 0, sizeof(cmd->stats));
    latency_hist_free(cmd->latency_hist);
    cmd->latency_hist = NULL;
}

void commands_reset_stats(void) {
    commands_each(reset_one, NULL, true);
}
