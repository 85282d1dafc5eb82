/* command_meta.c - Redis's ACL categories, command tips and key specs for every command and
 * subcommand Vigil implements: one row each, by full name, in alphabetical order.
 *
 * Where the facts come from: Redis 7.0's own COMMAND INFO reply (fields 7-9: ACL categories,
 * tips, key specs), as redis-server 7.0.15 gives it; Redis generates that reply from its
 * src/commands/<command>.json files, whose wording the notes repeat. The two CLIENT
 * subcommands Redis 7.0 lacks come from Redis 7.2's files. The rest of COMMAND INFO (name,
 * arity, flags, first/last/step) stays in the CmdSpec rows next to each proc.
 *
 * A row: {"name", "ACL categories", "tips" or NULL, key specs or NO_KEY_SPECS}.
 *   categories  Redis's names with '@', all of them, including the implicit ones Redis adds
 *               from the command flags (@write, @read, @fast or @slow, @admin + @dangerous);
 *   tips        space-separated, in Redis's order (COMMAND INFO prints them as listed);
 *   key specs   in Redis's order (COMMAND DOCS's key_spec_index counts them):
 *               KS("flags", begin_search, find_keys), or KS_NOTE(..., "notes"), where
 *                 flags        RO RW OW RM, then access update insert delete, not_key
 *                              incomplete variable_flags (see Redis's key-spec docs)
 *                 begin_search BS_INDEX(argv position) | BS_KEYWORD("word", startfrom) |
 *                              BS_UNKNOWN
 *                 find_keys    FK_RANGE(lastkey relative to the first key or negative from
 *                              the end, keystep, limit) | FK_KEYNUM(keynumidx, firstkey,
 *                              keystep) | FK_UNKNOWN
 * Adding a command: copy its three fields from `COMMAND INFO name` of Redis 7.0 (or from
 * its JSON file), and add `COMMAND INFO name` to tests/integration/compat/introspection.txt,
 * which compares the reply with redis-server byte for byte. */
#include "server/command_meta.h"

#include "common/vg.h"

#include <string.h>

#define BS_INDEX(i)          {.type = KS_BEGIN_INDEX, .index = (i)}
#define BS_KEYWORD(kw, from) {.type = KS_BEGIN_KEYWORD, .keyword = (kw), .startfrom = (from)}
#define BS_UNKNOWN           {.type = KS_BEGIN_UNKNOWN}
#define FK_RANGE(last, step, lim) \
    {.type = KS_FIND_RANGE, .lastkey = (last), .keystep = (step), .limit = (lim)}
#define FK_KEYNUM(numidx, first, step) \
    {.type = KS_FIND_KEYNUM, .keynumidx = (numidx), .firstkey = (first), .keystep = (step)}
#define FK_UNKNOWN {.type = KS_FIND_UNKNOWN}

#define KS(flags, begin, find)            {(flags), begin, find, NULL}
#define KS_NOTE(flags, begin, find, note) {(flags), begin, find, (note)}
#define NO_KEY_SPECS                      {{0}}

/* clang-format off */
static const CmdMeta command_meta[] = {
    {"append", "@write @string @fast", NULL, {KS("RW insert", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"auth", "@fast @connection", NULL, NO_KEY_SPECS},
    {"bitcount", "@read @bitmap @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"bitop", "@write @bitmap @slow", NULL,
     {KS("OW update", BS_INDEX(2), FK_RANGE(0, 1, 0)),
      KS("RO access", BS_INDEX(3), FK_RANGE(-1, 1, 0))}},
    {"bitpos", "@read @bitmap @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"client", "@slow", NULL, NO_KEY_SPECS},
    {"client|getname", "@slow @connection", NULL, NO_KEY_SPECS},
    {"client|help", "@slow @connection", NULL, NO_KEY_SPECS},
    {"client|id", "@slow @connection", NULL, NO_KEY_SPECS},
    {"client|info", "@slow @connection", "nondeterministic_output", NO_KEY_SPECS},
    {"client|kill", "@admin @slow @dangerous @connection", NULL, NO_KEY_SPECS},
    {"client|list", "@admin @slow @dangerous @connection", "nondeterministic_output", NO_KEY_SPECS},
    {"client|no-evict", "@admin @slow @dangerous @connection", NULL, NO_KEY_SPECS},
    /* Redis 7.2 (7.0 has no CLIENT NO-TOUCH): src/commands/client-no-touch.json */
    {"client|no-touch", "@slow @connection", NULL, NO_KEY_SPECS},
    {"client|pause", "@admin @slow @dangerous @connection", NULL, NO_KEY_SPECS},
    /* Redis 7.2 (7.0 has no CLIENT SETINFO): src/commands/client-setinfo.json */
    {"client|setinfo", "@slow @connection", NULL, NO_KEY_SPECS},
    {"client|setname", "@slow @connection", NULL, NO_KEY_SPECS},
    {"client|unpause", "@admin @slow @dangerous @connection", NULL, NO_KEY_SPECS},
    {"command", "@slow @connection", "nondeterministic_output_order", NO_KEY_SPECS},
    {"command|count", "@slow @connection", NULL, NO_KEY_SPECS},
    {"command|docs", "@slow @connection", "nondeterministic_output_order", NO_KEY_SPECS},
    {"command|getkeys", "@slow @connection", NULL, NO_KEY_SPECS},
    {"command|getkeysandflags", "@slow @connection", NULL, NO_KEY_SPECS},
    {"command|help", "@slow @connection", NULL, NO_KEY_SPECS},
    {"command|info", "@slow @connection", "nondeterministic_output_order", NO_KEY_SPECS},
    {"command|list", "@slow @connection", "nondeterministic_output_order", NO_KEY_SPECS},
    {"config", "@slow", NULL, NO_KEY_SPECS},
    {"config|get", "@admin @slow @dangerous", NULL, NO_KEY_SPECS},
    {"config|help", "@slow", NULL, NO_KEY_SPECS},
    {"config|resetstat", "@admin @slow @dangerous", NULL, NO_KEY_SPECS},
    {"config|rewrite", "@admin @slow @dangerous", NULL, NO_KEY_SPECS},
    {"config|set", "@admin @slow @dangerous",
     "request_policy:all_nodes response_policy:all_succeeded", NO_KEY_SPECS},
    {"copy", "@keyspace @write @slow", NULL,
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("OW update", BS_INDEX(2), FK_RANGE(0, 1, 0))}},
    {"dbsize", "@keyspace @read @fast", "request_policy:all_shards response_policy:agg_sum",
     NO_KEY_SPECS},
    {"debug", "@admin @slow @dangerous", NULL, NO_KEY_SPECS},
    {"decr", "@write @string @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"decrby", "@write @string @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"del", "@keyspace @write @slow", "request_policy:multi_shard response_policy:agg_sum",
     {KS("RM delete", BS_INDEX(1), FK_RANGE(-1, 1, 0))}},
    {"echo", "@fast @connection", NULL, NO_KEY_SPECS},
    {"exists", "@keyspace @read @fast", "request_policy:multi_shard response_policy:agg_sum",
     {KS("RO", BS_INDEX(1), FK_RANGE(-1, 1, 0))}},
    {"expire", "@keyspace @write @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"expireat", "@keyspace @write @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"expiretime", "@keyspace @read @fast", NULL,
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"flushall", "@keyspace @write @slow @dangerous",
     "request_policy:all_shards response_policy:all_succeeded", NO_KEY_SPECS},
    {"flushdb", "@keyspace @write @slow @dangerous",
     "request_policy:all_shards response_policy:all_succeeded", NO_KEY_SPECS},
    {"get", "@read @string @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"getbit", "@read @bitmap @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"getdel", "@write @string @fast", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"getex", "@write @string @fast", NULL,
     {KS_NOTE("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0),
              "RW and UPDATE because it changes the TTL")}},
    {"getrange", "@read @string @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"getset", "@write @string @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"hello", "@fast @connection", NULL, NO_KEY_SPECS},
    {"incr", "@write @string @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"incrby", "@write @string @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"incrbyfloat", "@write @string @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"info", "@slow @dangerous",
     "nondeterministic_output request_policy:all_shards response_policy:special", NO_KEY_SPECS},
    {"keys", "@keyspace @read @slow @dangerous",
     "request_policy:all_shards nondeterministic_output_order", NO_KEY_SPECS},
    {"lastsave", "@admin @fast @dangerous", "nondeterministic_output", NO_KEY_SPECS},
    {"latency", "@slow", NULL, NO_KEY_SPECS},
    {"latency|doctor", "@admin @slow @dangerous",
     "nondeterministic_output request_policy:all_nodes response_policy:special", NO_KEY_SPECS},
    {"latency|graph", "@admin @slow @dangerous",
     "nondeterministic_output request_policy:all_nodes response_policy:special", NO_KEY_SPECS},
    {"latency|help", "@slow", NULL, NO_KEY_SPECS},
    {"latency|history", "@admin @slow @dangerous",
     "nondeterministic_output request_policy:all_nodes response_policy:special", NO_KEY_SPECS},
    {"latency|latest", "@admin @slow @dangerous",
     "nondeterministic_output request_policy:all_nodes response_policy:special", NO_KEY_SPECS},
    {"latency|reset", "@admin @slow @dangerous",
     "request_policy:all_nodes response_policy:all_succeeded", NO_KEY_SPECS},
    {"lcs", "@read @string @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(1, 1, 0))}},
    {"mget", "@read @string @fast", "request_policy:multi_shard",
     {KS("RO access", BS_INDEX(1), FK_RANGE(-1, 1, 0))}},
    {"move", "@keyspace @write @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"mset", "@write @string @slow", "request_policy:multi_shard response_policy:all_succeeded",
     {KS("OW update", BS_INDEX(1), FK_RANGE(-1, 2, 0))}},
    {"msetnx", "@write @string @slow", "request_policy:multi_shard response_policy:agg_min",
     {KS("OW insert", BS_INDEX(1), FK_RANGE(-1, 2, 0))}},
    {"object", "@slow", NULL, NO_KEY_SPECS},
    {"object|encoding", "@keyspace @read @slow", "nondeterministic_output",
     {KS("RO", BS_INDEX(2), FK_RANGE(0, 1, 0))}},
    {"object|freq", "@keyspace @read @slow", "nondeterministic_output",
     {KS("RO", BS_INDEX(2), FK_RANGE(0, 1, 0))}},
    {"object|help", "@keyspace @slow", NULL, NO_KEY_SPECS},
    {"object|idletime", "@keyspace @read @slow", "nondeterministic_output",
     {KS("RO", BS_INDEX(2), FK_RANGE(0, 1, 0))}},
    {"object|refcount", "@keyspace @read @slow", "nondeterministic_output",
     {KS("RO", BS_INDEX(2), FK_RANGE(0, 1, 0))}},
    {"persist", "@keyspace @write @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"pexpire", "@keyspace @write @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"pexpireat", "@keyspace @write @fast", NULL,
     {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"pexpiretime", "@keyspace @read @fast", NULL,
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"ping", "@fast @connection", "request_policy:all_shards response_policy:all_succeeded",
     NO_KEY_SPECS},
    {"psetex", "@write @string @slow", NULL, {KS("OW update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"pttl", "@keyspace @read @fast", "nondeterministic_output",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"quit", "@fast @connection", NULL, NO_KEY_SPECS},
    {"randomkey", "@keyspace @read @slow", "request_policy:all_shards nondeterministic_output",
     NO_KEY_SPECS},
    {"rename", "@keyspace @write @slow", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("OW update", BS_INDEX(2), FK_RANGE(0, 1, 0))}},
    {"renamenx", "@keyspace @write @fast", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("OW insert", BS_INDEX(2), FK_RANGE(0, 1, 0))}},
    {"reset", "@fast @connection", NULL, NO_KEY_SPECS},
    {"scan", "@keyspace @read @slow", "nondeterministic_output request_policy:special",
     NO_KEY_SPECS},
    {"select", "@fast @connection", NULL, NO_KEY_SPECS},
    {"set", "@write @string @slow", NULL,
     {KS_NOTE("RW access update variable_flags", BS_INDEX(1), FK_RANGE(0, 1, 0),
              "RW and ACCESS due to the optional `GET` argument")}},
    {"setbit", "@write @bitmap @slow", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"setex", "@write @string @slow", NULL, {KS("OW update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"setnx", "@write @string @fast", NULL, {KS("OW insert", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"setrange", "@write @string @slow", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"shutdown", "@admin @slow @dangerous", NULL, NO_KEY_SPECS},
    {"slowlog", "@slow", NULL, NO_KEY_SPECS},
    {"slowlog|get", "@admin @slow @dangerous", "request_policy:all_nodes nondeterministic_output",
     NO_KEY_SPECS},
    {"slowlog|help", "@slow", NULL, NO_KEY_SPECS},
    {"slowlog|len", "@admin @slow @dangerous",
     "request_policy:all_nodes response_policy:agg_sum nondeterministic_output", NO_KEY_SPECS},
    {"slowlog|reset", "@admin @slow @dangerous",
     "request_policy:all_nodes response_policy:all_succeeded", NO_KEY_SPECS},
    {"strlen", "@read @string @fast", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"substr", "@read @string @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"swapdb", "@keyspace @write @fast @dangerous", NULL, NO_KEY_SPECS},
    {"time", "@fast", "nondeterministic_output", NO_KEY_SPECS},
    {"touch", "@keyspace @read @fast", "request_policy:multi_shard response_policy:agg_sum",
     {KS("RO", BS_INDEX(1), FK_RANGE(-1, 1, 0))}},
    {"ttl", "@keyspace @read @fast", "nondeterministic_output",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"type", "@keyspace @read @fast", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(0, 1, 0))}},
    {"unlink", "@keyspace @write @fast", "request_policy:multi_shard response_policy:agg_sum",
     {KS("RM delete", BS_INDEX(1), FK_RANGE(-1, 1, 0))}},
};
/* clang-format on */

const CmdMeta *command_meta_lookup(const char *fullname) {
    for (size_t i = 0; i < VG_ARRAY_LEN(command_meta); i++)
        if (strcmp(command_meta[i].name, fullname) == 0) return &command_meta[i];
    return NULL;
}

size_t command_meta_key_spec_count(const CmdMeta *m) {
    size_t n = 0;
    while (n < CMD_META_MAX_KEY_SPECS && m->key_specs[n].flags)
        n++;
    return n;
}

const CmdMeta *command_meta_all(size_t *n) {
    *n = VG_ARRAY_LEN(command_meta);
    return command_meta;
}
