/* command_meta.c - Redis's ACL categories, command tips, key specs and complexity for every
 * command and subcommand Vigil implements: one row each, by full name, in alphabetical order.
 *
 * Where the facts come from: Redis 7.0's own replies, as redis-server 7.0.15 gives them:
 * COMMAND INFO (fields 7-9: ACL categories, tips, key specs) and COMMAND DOCS (complexity).
 * Redis generates both from its src/commands/<command>.json files, whose wording the notes
 * and complexities repeat. The two CLIENT subcommands Redis 7.0 lacks come from Redis 7.2's
 * files. The rest of COMMAND INFO (name, arity, flags, first/last/step) and of COMMAND DOCS
 * (summary, since, group, arguments) stays in the CmdSpec rows next to each proc.
 *
 * A row: {"name", "ACL categories", "tips" or NULL, key specs or NO_KEY_SPECS, "complexity"}.
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
 * Adding a command: copy its fields from `COMMAND INFO name` and `COMMAND DOCS name` of
 * Redis 7.0 (or from its JSON file), and add `COMMAND INFO name` to
 * tests/integration/compat/introspection.txt, which compares the reply with redis-server
 * byte for byte. */
#include "server/command_meta.h"

#include "common/vg.h"

#include <string.h>

/* clang-format off */
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

static const CmdMeta command_meta[] = {
    {"append", "@write @string @fast", NULL, {KS("RW insert", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1). The amortized time complexity is O(1) assuming the appended value is small and the "
     "already present value is of any size, since the dynamic string library used by Redis will "
     "double the free space available on every reallocation."},
    {"auth", "@fast @connection", NULL, NO_KEY_SPECS,
     "O(N) where N is the number of passwords defined for the user"},
    {"bgrewriteaof", "@admin @slow @dangerous", NULL, NO_KEY_SPECS,
     "O(1)"},
    {"bgsave", "@admin @slow @dangerous", NULL, NO_KEY_SPECS,
     "O(1)"},
    {"bitcount", "@read @bitmap @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N)"},
    {"bitop", "@write @bitmap @slow", NULL,
     {KS("OW update", BS_INDEX(2), FK_RANGE(0, 1, 0)),
      KS("RO access", BS_INDEX(3), FK_RANGE(-1, 1, 0))},
     "O(N)"},
    {"bitpos", "@read @bitmap @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N)"},
    {"blmove", "@write @list @slow @blocking", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RW insert", BS_INDEX(2), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"blmpop", "@write @list @slow @blocking", NULL,
     {KS("RW access delete", BS_INDEX(2), FK_KEYNUM(0, 1, 1))},
     "O(N+M) where N is the number of provided keys and M is the number of elements returned."},
    {"blpop", "@write @list @slow @blocking", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(-2, 1, 0))},
     "O(N) where N is the number of provided keys."},
    {"brpop", "@write @list @slow @blocking", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(-2, 1, 0))},
     "O(N) where N is the number of provided keys."},
    {"brpoplpush", "@write @list @slow @blocking", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RW insert", BS_INDEX(2), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"bzmpop", "@write @sortedset @slow @blocking", NULL,
     {KS("RW access delete", BS_INDEX(2), FK_KEYNUM(0, 1, 1))},
     "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements "
     "in the sorted set, and M being the number of elements popped."},
    {"bzpopmax", "@write @sortedset @fast @blocking", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(-2, 1, 0))},
     "O(log(N)) with N being the number of elements in the sorted set."},
    {"bzpopmin", "@write @sortedset @fast @blocking", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(-2, 1, 0))},
     "O(log(N)) with N being the number of elements in the sorted set."},
    {"client", "@slow", NULL, NO_KEY_SPECS, "Depends on subcommand."},
    {"client|getname", "@slow @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"client|help", "@slow @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"client|id", "@slow @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"client|info", "@slow @connection", "nondeterministic_output", NO_KEY_SPECS, "O(1)"},
    {"client|kill", "@admin @slow @dangerous @connection", NULL, NO_KEY_SPECS,
     "O(N) where N is the number of client connections"},
    {"client|list", "@admin @slow @dangerous @connection", "nondeterministic_output", NO_KEY_SPECS,
     "O(N) where N is the number of client connections"},
    {"client|no-evict", "@admin @slow @dangerous @connection", NULL, NO_KEY_SPECS, "O(1)"},
    /* Redis 7.2 (7.0 has no CLIENT NO-TOUCH): src/commands/client-no-touch.json */
    {"client|no-touch", "@slow @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"client|pause", "@admin @slow @dangerous @connection", NULL, NO_KEY_SPECS, "O(1)"},
    /* Redis 7.2 (7.0 has no CLIENT SETINFO): src/commands/client-setinfo.json */
    {"client|setinfo", "@slow @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"client|setname", "@slow @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"client|unblock", "@admin @slow @dangerous @connection", NULL, NO_KEY_SPECS,
     "O(log N) where N is the number of client connections"},
    {"client|unpause", "@admin @slow @dangerous @connection", NULL, NO_KEY_SPECS,
     "O(N) Where N is the number of paused clients"},
    {"command", "@slow @connection", "nondeterministic_output_order", NO_KEY_SPECS,
     "O(N) where N is the total number of Redis commands"},
    {"command|count", "@slow @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"command|docs", "@slow @connection", "nondeterministic_output_order", NO_KEY_SPECS,
     "O(N) where N is the number of commands to look up"},
    {"command|getkeys", "@slow @connection", NULL, NO_KEY_SPECS,
     "O(N) where N is the number of arguments to the command"},
    {"command|getkeysandflags", "@slow @connection", NULL, NO_KEY_SPECS,
     "O(N) where N is the number of arguments to the command"},
    {"command|help", "@slow @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"command|info", "@slow @connection", "nondeterministic_output_order", NO_KEY_SPECS,
     "O(N) where N is the number of commands to look up"},
    {"command|list", "@slow @connection", "nondeterministic_output_order", NO_KEY_SPECS,
     "O(N) where N is the total number of Redis commands"},
    {"config", "@slow", NULL, NO_KEY_SPECS, "Depends on subcommand."},
    {"config|get", "@admin @slow @dangerous", NULL, NO_KEY_SPECS,
     "O(N) when N is the number of configuration parameters provided"},
    {"config|help", "@slow", NULL, NO_KEY_SPECS, "O(1)"},
    {"config|resetstat", "@admin @slow @dangerous", NULL, NO_KEY_SPECS, "O(1)"},
    {"config|rewrite", "@admin @slow @dangerous", NULL, NO_KEY_SPECS, "O(1)"},
    {"config|set", "@admin @slow @dangerous",
     "request_policy:all_nodes response_policy:all_succeeded", NO_KEY_SPECS,
     "O(N) when N is the number of configuration parameters provided"},
    {"copy", "@keyspace @write @slow", NULL,
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("OW update", BS_INDEX(2), FK_RANGE(0, 1, 0))},
     "O(N) worst case for collections, where N is the number of nested items. O(1) for string "
     "values."},
    {"dbsize", "@keyspace @read @fast", "request_policy:all_shards response_policy:agg_sum",
     NO_KEY_SPECS, "O(1)"},
    {"debug", "@admin @slow @dangerous", NULL, NO_KEY_SPECS, "Depends on subcommand."},
    {"decr", "@write @string @fast", NULL, {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"decrby", "@write @string @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"del", "@keyspace @write @slow", "request_policy:multi_shard response_policy:agg_sum",
     {KS("RM delete", BS_INDEX(1), FK_RANGE(-1, 1, 0))},
     "O(N) where N is the number of keys that will be removed. When a key to remove holds a value "
     "other than a string, the individual complexity for this key is O(M) where M is the number of "
     "elements in the list, set, sorted set or hash. Removing a single key that holds a string "
     "value is O(1)."},
    {"discard", "@fast @transaction", NULL, NO_KEY_SPECS,
     "O(N), when N is the number of queued commands"},
    {"echo", "@fast @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"exec", "@slow @transaction", NULL, NO_KEY_SPECS, "Depends on commands in the transaction"},
    {"exists", "@keyspace @read @fast", "request_policy:multi_shard response_policy:agg_sum",
     {KS("RO", BS_INDEX(1), FK_RANGE(-1, 1, 0))}, "O(N) where N is the number of keys to check."},
    {"expire", "@keyspace @write @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"expireat", "@keyspace @write @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"expiretime", "@keyspace @read @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"failover", "@admin @slow @dangerous", NULL, NO_KEY_SPECS,
     "O(1)"},
    {"flushall", "@keyspace @write @slow @dangerous",
     "request_policy:all_shards response_policy:all_succeeded", NO_KEY_SPECS,
     "O(N) where N is the total number of keys in all databases"},
    {"flushdb", "@keyspace @write @slow @dangerous",
     "request_policy:all_shards response_policy:all_succeeded", NO_KEY_SPECS,
     "O(N) where N is the number of keys in the selected database"},
    {"get", "@read @string @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"getbit", "@read @bitmap @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"getdel", "@write @string @fast", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"getex", "@write @string @fast", NULL,
     {KS_NOTE("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0),
              "RW and UPDATE because it changes the TTL")},
     "O(1)"},
    {"getrange", "@read @string @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the length of the returned string. The complexity is ultimately determined "
     "by the returned length, but because creating a substring from an existing string is very "
     "cheap, it can be considered O(1) for small strings."},
    {"getset", "@write @string @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"hdel", "@write @hash @fast", NULL, {KS("RW delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of fields to be removed."},
    {"hello", "@fast @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"hexists", "@read @hash @fast", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"hget", "@read @hash @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"hgetall", "@read @hash @slow", "nondeterministic_output_order",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the size of the hash."},
    {"hincrby", "@write @hash @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"hincrbyfloat", "@write @hash @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"hkeys", "@read @hash @slow", "nondeterministic_output_order",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the size of the hash."},
    {"hlen", "@read @hash @fast", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"hmget", "@read @hash @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of fields being requested."},
    {"hmset", "@write @hash @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of fields being set."},
    {"hrandfield", "@read @hash @slow", "nondeterministic_output",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of fields returned"},
    {"hscan", "@read @hash @slow", "nondeterministic_output",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
     "cursor to return back to 0. N is the number of elements inside the collection.."},
    {"hset", "@write @hash @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command "
     "is called with multiple field/value pairs."},
    {"hsetnx", "@write @hash @fast", NULL, {KS("RW insert", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"hstrlen", "@read @hash @fast", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"hvals", "@read @hash @slow", "nondeterministic_output_order",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the size of the hash."},
    {"incr", "@write @string @fast", NULL, {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"incrby", "@write @string @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"incrbyfloat", "@write @string @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"info", "@slow @dangerous",
     "nondeterministic_output request_policy:all_shards response_policy:special", NO_KEY_SPECS,
     "O(1)"},
    {"keys", "@keyspace @read @slow @dangerous",
     "request_policy:all_shards nondeterministic_output_order", NO_KEY_SPECS,
     "O(N) with N being the number of keys in the database, under the assumption that the key "
     "names in the database and the given pattern have limited length."},
    {"lastsave", "@admin @fast @dangerous", "nondeterministic_output", NO_KEY_SPECS, "O(1)"},
    {"latency", "@slow", NULL, NO_KEY_SPECS, "Depends on subcommand."},
    {"latency|doctor", "@admin @slow @dangerous",
     "nondeterministic_output request_policy:all_nodes response_policy:special", NO_KEY_SPECS,
     "O(1)"},
    {"latency|graph", "@admin @slow @dangerous",
     "nondeterministic_output request_policy:all_nodes response_policy:special", NO_KEY_SPECS,
     "O(1)"},
    {"latency|help", "@slow", NULL, NO_KEY_SPECS, "O(1)"},
    {"latency|history", "@admin @slow @dangerous",
     "nondeterministic_output request_policy:all_nodes response_policy:special", NO_KEY_SPECS,
     "O(1)"},
    {"latency|latest", "@admin @slow @dangerous",
     "nondeterministic_output request_policy:all_nodes response_policy:special", NO_KEY_SPECS,
     "O(1)"},
    {"latency|reset", "@admin @slow @dangerous",
     "request_policy:all_nodes response_policy:all_succeeded", NO_KEY_SPECS, "O(1)"},
    {"lcs", "@read @string @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(1, 1, 0))},
     "O(N*M) where N and M are the lengths of s1 and s2, respectively"},
    {"lindex", "@read @list @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of elements to traverse to get to the element at index. This "
     "makes asking for the first or the last element of the list O(1)."},
    {"linsert", "@write @list @slow", NULL, {KS("RW insert", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of elements to traverse before seeing the value pivot. This "
     "means that inserting somewhere on the left end on the list (head) can be considered O(1) "
     "and inserting somewhere on the right end (tail) is O(N)."},
    {"llen", "@read @list @fast", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"lmove", "@write @list @slow", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RW insert", BS_INDEX(2), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"lmpop", "@write @list @slow", NULL, {KS("RW access delete", BS_INDEX(1), FK_KEYNUM(0, 1, 1))},
     "O(N+M) where N is the number of provided keys and M is the number of elements returned."},
    {"lpop", "@write @list @fast", NULL, {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of elements returned"},
    {"lpos", "@read @list @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of elements in the list, for the average case. When searching "
     "for elements near the head or the tail of the list, or when the MAXLEN option is provided, "
     "the command may run in constant time."},
    {"lpush", "@write @list @fast", NULL, {KS("RW insert", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments."},
    {"lpushx", "@write @list @fast", NULL, {KS("RW insert", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments."},
    {"lrange", "@read @list @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end "
     "(HEAD or TAIL) for large lists; and N is the number of elements in the specified range."},
    {"lrem", "@write @list @slow", NULL, {KS("RW delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N+M) where N is the length of the list and M is the number of elements removed."},
    {"lset", "@write @list @slow", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the length of the list. Setting either the first or the last element of the "
     "list is O(1)."},
    {"ltrim", "@write @list @slow", NULL, {KS("RW delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of elements to be removed by the operation."},
    {"memory", "@slow", NULL, NO_KEY_SPECS,
     "Depends on subcommand."},
    {"memory|doctor", "@slow",
     "nondeterministic_output request_policy:all_shards response_policy:special",
     NO_KEY_SPECS,
     "O(1)"},
    {"memory|help", "@slow", NULL, NO_KEY_SPECS,
     "O(1)"},
    {"memory|malloc-stats", "@slow",
     "nondeterministic_output request_policy:all_shards response_policy:special",
     NO_KEY_SPECS,
     "Depends on how much memory is allocated, could be slow"},
    {"memory|purge", "@slow", "request_policy:all_shards response_policy:all_succeeded",
     NO_KEY_SPECS,
     "Depends on how much memory is allocated, could be slow"},
    {"memory|stats", "@slow",
     "nondeterministic_output request_policy:all_shards response_policy:special",
     NO_KEY_SPECS,
     "O(1)"},
    {"memory|usage", "@read @slow", NULL, {KS("RO", BS_INDEX(2), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of samples."},
    {"mget", "@read @string @fast", "request_policy:multi_shard",
     {KS("RO access", BS_INDEX(1), FK_RANGE(-1, 1, 0))},
     "O(N) where N is the number of keys to retrieve."},
    {"move", "@keyspace @write @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"mset", "@write @string @slow", "request_policy:multi_shard response_policy:all_succeeded",
     {KS("OW update", BS_INDEX(1), FK_RANGE(-1, 2, 0))},
     "O(N) where N is the number of keys to set."},
    {"msetnx", "@write @string @slow", "request_policy:multi_shard response_policy:agg_min",
     {KS("OW insert", BS_INDEX(1), FK_RANGE(-1, 2, 0))},
     "O(N) where N is the number of keys to set."},
    {"multi", "@fast @transaction", NULL, NO_KEY_SPECS, "O(1)"},
    {"object", "@slow", NULL, NO_KEY_SPECS, "Depends on subcommand."},
    {"object|encoding", "@keyspace @read @slow", "nondeterministic_output",
     {KS("RO", BS_INDEX(2), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"object|freq", "@keyspace @read @slow", "nondeterministic_output",
     {KS("RO", BS_INDEX(2), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"object|help", "@keyspace @slow", NULL, NO_KEY_SPECS, "O(1)"},
    {"object|idletime", "@keyspace @read @slow", "nondeterministic_output",
     {KS("RO", BS_INDEX(2), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"object|refcount", "@keyspace @read @slow", "nondeterministic_output",
     {KS("RO", BS_INDEX(2), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"persist", "@keyspace @write @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"pexpire", "@keyspace @write @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"pexpireat", "@keyspace @write @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"pexpiretime", "@keyspace @read @fast", NULL,
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"ping", "@fast @connection", "request_policy:all_shards response_policy:all_succeeded",
     NO_KEY_SPECS, "O(1)"},
    {"psetex", "@write @string @slow", NULL, {KS("OW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"psubscribe", "@pubsub @slow", NULL, NO_KEY_SPECS,
     "O(N) where N is the number of patterns the client is already subscribed to."},
    {"psync", "@admin @slow @dangerous", NULL, NO_KEY_SPECS,
     NULL},
    {"pttl", "@keyspace @read @fast", "nondeterministic_output",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"publish", "@pubsub @fast", NULL, NO_KEY_SPECS,
     "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the "
     "total number of subscribed patterns (by any client)."},
    {"pubsub", "@slow", NULL, NO_KEY_SPECS, "Depends on subcommand."},
    {"pubsub|channels", "@pubsub @slow", NULL, NO_KEY_SPECS,
     "O(N) where N is the number of active channels, and assuming constant time pattern "
     "matching (relatively short channels and patterns)"},
    {"pubsub|help", "@slow", NULL, NO_KEY_SPECS, "O(1)"},
    {"pubsub|numpat", "@pubsub @slow", NULL, NO_KEY_SPECS, "O(1)"},
    {"pubsub|numsub", "@pubsub @slow", NULL, NO_KEY_SPECS,
     "O(N) for the NUMSUB subcommand, where N is the number of requested channels"},
    {"punsubscribe", "@pubsub @slow", NULL, NO_KEY_SPECS,
     "O(N+M) where N is the number of patterns the client is already subscribed and M is the "
     "number of total patterns subscribed in the system (by any client)."},
    {"quit", "@fast @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"randomkey", "@keyspace @read @slow", "request_policy:all_shards nondeterministic_output",
     NO_KEY_SPECS, "O(1)"},
    {"rename", "@keyspace @write @slow", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("OW update", BS_INDEX(2), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"renamenx", "@keyspace @write @fast", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("OW insert", BS_INDEX(2), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"replconf", "@admin @slow @dangerous", NULL, NO_KEY_SPECS,
     "O(1)"},
    {"replicaof", "@admin @slow @dangerous", NULL, NO_KEY_SPECS,
     "O(1)"},
    {"reset", "@fast @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"role", "@admin @fast @dangerous", NULL, NO_KEY_SPECS,
     "O(1)"},
    {"rpop", "@write @list @fast", NULL, {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of elements returned"},
    {"rpoplpush", "@write @list @slow", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RW insert", BS_INDEX(2), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"rpush", "@write @list @fast", NULL, {KS("RW insert", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments."},
    {"rpushx", "@write @list @fast", NULL, {KS("RW insert", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments."},
    {"sadd", "@write @set @fast", NULL, {KS("RW insert", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments."},
    {"save", "@admin @slow @dangerous", NULL, NO_KEY_SPECS,
     "O(N) where N is the total number of keys in all databases"},
    {"scan", "@keyspace @read @slow", "nondeterministic_output request_policy:special",
     NO_KEY_SPECS,
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
     "cursor to return back to 0. N is the number of elements inside the collection."},
    {"scard", "@read @set @fast", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"sdiff", "@read @set @slow", "nondeterministic_output_order",
     {KS("RO access", BS_INDEX(1), FK_RANGE(-1, 1, 0))},
     "O(N) where N is the total number of elements in all given sets."},
    {"sdiffstore", "@write @set @slow", NULL,
     {KS("OW update", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RO access", BS_INDEX(2), FK_RANGE(-1, 1, 0))},
     "O(N) where N is the total number of elements in all given sets."},
    {"select", "@fast @connection", NULL, NO_KEY_SPECS, "O(1)"},
    {"set", "@write @string @slow", NULL,
     {KS_NOTE("RW access update variable_flags", BS_INDEX(1), FK_RANGE(0, 1, 0),
              "RW and ACCESS due to the optional `GET` argument")},
     "O(1)"},
    {"setbit", "@write @bitmap @slow", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"setex", "@write @string @slow", NULL, {KS("OW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"setnx", "@write @string @fast", NULL, {KS("OW insert", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"setrange", "@write @string @slow", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1), not counting the time taken to copy the new string in place. Usually, this string is "
     "very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being "
     "the length of the value argument."},
    {"shutdown", "@admin @slow @dangerous", NULL, NO_KEY_SPECS,
     "O(N) when saving, where N is the total number of keys in all databases when saving data, "
     "otherwise O(1)"},
    {"sinter", "@read @set @slow", "nondeterministic_output_order",
     {KS("RO access", BS_INDEX(1), FK_RANGE(-1, 1, 0))},
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
     "sets."},
    {"sintercard", "@read @set @slow", NULL, {KS("RO access", BS_INDEX(1), FK_KEYNUM(0, 1, 1))},
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
     "sets."},
    {"sinterstore", "@write @set @slow", NULL,
     {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RO access", BS_INDEX(2), FK_RANGE(-1, 1, 0))},
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
     "sets."},
    {"sismember", "@read @set @fast", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"slaveof", "@admin @slow @dangerous", NULL, NO_KEY_SPECS,
     "O(1)"},
    {"slowlog", "@slow", NULL, NO_KEY_SPECS, "Depends on subcommand."},
    {"slowlog|get", "@admin @slow @dangerous", "request_policy:all_nodes nondeterministic_output",
     NO_KEY_SPECS, "O(N) where N is the number of entries returned"},
    {"slowlog|help", "@slow", NULL, NO_KEY_SPECS, "O(1)"},
    {"slowlog|len", "@admin @slow @dangerous",
     "request_policy:all_nodes response_policy:agg_sum nondeterministic_output", NO_KEY_SPECS,
     "O(1)"},
    {"slowlog|reset", "@admin @slow @dangerous",
     "request_policy:all_nodes response_policy:all_succeeded", NO_KEY_SPECS,
     "O(N) where N is the number of entries in the slowlog"},
    {"smembers", "@read @set @slow", "nondeterministic_output_order",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the set cardinality."},
    {"smismember", "@read @set @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of elements being checked for membership"},
    {"smove", "@write @set @fast", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RW insert", BS_INDEX(2), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"sort", "@write @set @sortedset @list @slow @dangerous", NULL,
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS_NOTE("RO access", BS_UNKNOWN, FK_UNKNOWN,
       "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from "
       "the content of the key we sort"),
      KS_NOTE("OW update", BS_UNKNOWN, FK_UNKNOWN,
       "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear "
       "anywhere in the argument array")},
     "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
     "number of returned elements. When the elements are not sorted, complexity is O(N)."},
    {"sort_ro", "@read @set @sortedset @list @slow @dangerous", NULL,
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS_NOTE("RO access", BS_UNKNOWN, FK_UNKNOWN,
       "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from "
       "the content of the key we sort")},
     "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
     "number of returned elements. When the elements are not sorted, complexity is O(N)."},
    {"spop", "@write @set @fast", "nondeterministic_output",
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "Without the count argument O(1), otherwise O(N) where N is the value of the passed count."},
    {"srandmember", "@read @set @slow", "nondeterministic_output",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed "
     "count."},
    {"srem", "@write @set @fast", NULL, {KS("RW delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of members to be removed."},
    {"sscan", "@read @set @slow", "nondeterministic_output",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
     "cursor to return back to 0. N is the number of elements inside the collection.."},
    {"strlen", "@read @string @fast", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"subscribe", "@pubsub @slow", NULL, NO_KEY_SPECS,
     "O(N) where N is the number of channels to subscribe to."},
    {"substr", "@read @string @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the length of the returned string. The complexity is ultimately determined "
     "by the returned length, but because creating a substring from an existing string is very "
     "cheap, it can be considered O(1) for small strings."},
    {"sunion", "@read @set @slow", "nondeterministic_output_order",
     {KS("RO access", BS_INDEX(1), FK_RANGE(-1, 1, 0))},
     "O(N) where N is the total number of elements in all given sets."},
    {"sunionstore", "@write @set @slow", NULL,
     {KS("OW update", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RO access", BS_INDEX(2), FK_RANGE(-1, 1, 0))},
     "O(N) where N is the total number of elements in all given sets."},
    {"swapdb", "@keyspace @write @fast @dangerous", NULL, NO_KEY_SPECS,
     "O(N) where N is the count of clients watching or blocking on keys from both databases."},
    {"sync", "@admin @slow @dangerous", NULL, NO_KEY_SPECS,
     NULL},
    {"time", "@fast", "nondeterministic_output", NO_KEY_SPECS, "O(1)"},
    {"touch", "@keyspace @read @fast", "request_policy:multi_shard response_policy:agg_sum",
     {KS("RO", BS_INDEX(1), FK_RANGE(-1, 1, 0))},
     "O(N) where N is the number of keys that will be touched."},
    {"ttl", "@keyspace @read @fast", "nondeterministic_output",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"type", "@keyspace @read @fast", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(0, 1, 0))}, "O(1)"},
    {"unlink", "@keyspace @write @fast", "request_policy:multi_shard response_policy:agg_sum",
     {KS("RM delete", BS_INDEX(1), FK_RANGE(-1, 1, 0))},
     "O(1) for each key removed regardless of its size. Then the command does O(N) work in a "
     "different thread in order to reclaim memory, where N is the number of allocations the "
     "deleted objects where composed of."},
    {"unsubscribe", "@pubsub @slow", NULL, NO_KEY_SPECS,
     "O(N) where N is the number of clients already subscribed to a channel."},
    {"unwatch", "@fast @transaction", NULL, NO_KEY_SPECS, "O(1)"},
    {"wait", "@slow @connection", "request_policy:all_shards response_policy:agg_min",
     NO_KEY_SPECS, "O(1)"},
    {"watch", "@fast @transaction", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(-1, 1, 0))},
     "O(1) for every key."},
    {"zadd", "@write @sortedset @fast", NULL, {KS("RW update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)) for each item added, where N is the number of elements in the sorted set."},
    {"zcard", "@read @sortedset @fast", NULL, {KS("RO", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"zcount", "@read @sortedset @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)) with N being the number of elements in the sorted set."},
    {"zdiff", "@read @sortedset @slow", NULL, {KS("RO access", BS_INDEX(1), FK_KEYNUM(0, 1, 1))},
     "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is "
     "the size of the first set, and K is the size of the result set."},
    {"zdiffstore", "@write @sortedset @slow", NULL,
     {KS("OW update", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RO access", BS_INDEX(2), FK_KEYNUM(0, 1, 1))},
     "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is "
     "the size of the first set, and K is the size of the result set."},
    {"zincrby", "@write @sortedset @fast", NULL,
     {KS("RW access update", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)) where N is the number of elements in the sorted set."},
    {"zinter", "@read @sortedset @slow", NULL, {KS("RO access", BS_INDEX(1), FK_KEYNUM(0, 1, 1))},
     "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
     "number of input sorted sets and M being the number of elements in the resulting sorted set."},
    {"zintercard", "@read @sortedset @slow", NULL,
     {KS("RO access", BS_INDEX(1), FK_KEYNUM(0, 1, 1))},
     "O(N*K) worst case with N being the smallest input sorted set, K being the number of input "
     "sorted sets."},
    {"zinterstore", "@write @sortedset @slow", NULL,
     {KS("OW update", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RO access", BS_INDEX(2), FK_KEYNUM(0, 1, 1))},
     "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
     "number of input sorted sets and M being the number of elements in the resulting sorted set."},
    {"zlexcount", "@read @sortedset @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)) with N being the number of elements in the sorted set."},
    {"zmpop", "@write @sortedset @slow", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_KEYNUM(0, 1, 1))},
     "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements "
     "in the sorted set, and M being the number of elements popped."},
    {"zmscore", "@read @sortedset @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of members being requested."},
    {"zpopmax", "@write @sortedset @fast", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number "
     "of elements popped."},
    {"zpopmin", "@write @sortedset @fast", NULL,
     {KS("RW access delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number "
     "of elements popped."},
    {"zrandmember", "@read @sortedset @slow", "nondeterministic_output",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(N) where N is the number of elements returned"},
    {"zrange", "@read @sortedset @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements returned."},
    {"zrangebylex", "@read @sortedset @slow", NULL,
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
     "with LIMIT), you can consider it O(log(N))."},
    {"zrangebyscore", "@read @sortedset @slow", NULL,
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
     "with LIMIT), you can consider it O(log(N))."},
    {"zrangestore", "@write @sortedset @slow", NULL,
     {KS("OW update", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RO access", BS_INDEX(2), FK_RANGE(0, 1, 0))},
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements stored into the destination key."},
    {"zrank", "@read @sortedset @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N))"},
    {"zrem", "@write @sortedset @fast", NULL, {KS("RW delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
     "elements to be removed."},
    {"zremrangebylex", "@write @sortedset @slow", NULL,
     {KS("RW delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements removed by the operation."},
    {"zremrangebyrank", "@write @sortedset @slow", NULL,
     {KS("RW delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements removed by the operation."},
    {"zremrangebyscore", "@write @sortedset @slow", NULL,
     {KS("RW delete", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements removed by the operation."},
    {"zrevrange", "@read @sortedset @slow", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements returned."},
    {"zrevrangebylex", "@read @sortedset @slow", NULL,
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
     "with LIMIT), you can consider it O(log(N))."},
    {"zrevrangebyscore", "@read @sortedset @slow", NULL,
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
     "with LIMIT), you can consider it O(log(N))."},
    {"zrevrank", "@read @sortedset @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(log(N))"},
    {"zscan", "@read @sortedset @slow", "nondeterministic_output",
     {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
     "cursor to return back to 0. N is the number of elements inside the collection.."},
    {"zscore", "@read @sortedset @fast", NULL, {KS("RO access", BS_INDEX(1), FK_RANGE(0, 1, 0))},
     "O(1)"},
    {"zunion", "@read @sortedset @slow", NULL, {KS("RO access", BS_INDEX(1), FK_KEYNUM(0, 1, 1))},
     "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being "
     "the number of elements in the resulting sorted set."},
    {"zunionstore", "@write @sortedset @slow", NULL,
     {KS("OW update", BS_INDEX(1), FK_RANGE(0, 1, 0)),
      KS("RO access", BS_INDEX(2), FK_KEYNUM(0, 1, 1))},
     "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being "
     "the number of elements in the resulting sorted set."},
};
/* clang-format on */

/* A linear scan: a few hundred rows, read by COMMAND only. */
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
