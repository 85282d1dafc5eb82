/* cmd_command.c - COMMAND and its subcommands: what the server says about its commands.
 *
 *   COMMAND ...      reads the command table (commands.h) and each command's Redis facts
 *                    (command_meta.h: ACL categories, tips, key specs): INFO in Redis 7.0's
 *                    10-field shape, DOCS, LIST with FILTERBY, COUNT, GETKEYS[ANDFLAGS]
 *                    (keys found through the key specs, as Redis does)
 *
 * A command without a command_meta row (a new one, until its row is added) still gets an
 * answer, derived deterministically from its CmdSpec:
 *   - ACL categories: the implicit ones Redis adds from flags (@write, @read, @admin +
 *     @dangerous, @fast or else @slow, ...) plus the data-type category of the command's
 *     group (string -> @string, generic -> @keyspace, ...);
 *   - key specs: one "range" spec built from (first, last, step), flagged RO+access for
 *     readonly commands and RW+update for writes; tips are empty.
 * COMMAND DOCS arguments are parsed from the row's usage line ("key [key ...]") into
 * Redis's argument tree, so redis-cli, which rebuilds its hints from that tree, shows the
 * same line. The names Redis gives to command flags, ACL categories and key-spec flags are
 * listed once each, below, in the order Redis prints them. */
#include "common/glob.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "server/client.h"
#include "server/command_meta.h"
#include "server/commands.h"
#include "server/reply.h"
#include "server/server.h"

#include <ctype.h>
#include <string.h>

/* ---- names ------------------------------------------------------------------------------ */

/* CmdSpec flag bits under Redis's names, in the order COMMAND INFO lists them. Redis hides
 * some on purpose (listed = false); the row keeps them so the mapping stays complete. */
typedef struct CmdFlagName {
    uint32_t bit;
    const char *name;
    bool listed;
} CmdFlagName;

/* clang-format off */
static const CmdFlagName cmd_flag_names[] = {
    {CMD_WRITE,             "write",             true},
    {CMD_READONLY,          "readonly",          true},
    {CMD_DENYOOM,           "denyoom",           true},
    {CMD_ADMIN,             "admin",             true},
    {CMD_PUBSUB,            "pubsub",            true},
    {CMD_NOSCRIPT,          "noscript",          true},
    {CMD_BLOCKING,          "blocking",          true},
    {CMD_LOADING,           "loading",           true},
    {CMD_STALE,             "stale",             true},
    {CMD_SKIP_MONITOR,      "skip_monitor",      true},
    {CMD_SKIP_SLOWLOG,      "skip_slowlog",      true},
    {CMD_FAST,              "fast",              true},
    {CMD_NO_AUTH,           "no_auth",           true},
    {CMD_MAY_REPLICATE,     "may_replicate",     false},
    {CMD_SENTINEL,          "sentinel",          false},
    {CMD_ONLY_SENTINEL,     "only_sentinel",     false},
    {CMD_NO_MANDATORY_KEYS, "no_mandatory_keys", true},
    {CMD_PROTECTED,         "protected",         false},
    {CMD_NO_MULTI,          "no_multi",          true},
    {CMD_MOVABLE_KEYS,      "movablekeys",       true},
    {CMD_ALLOW_BUSY,        "allow_busy",        true},
};

/* Redis's ACL categories in its own order (COMMAND INFO prints them in this order); `group`
 * is the COMMAND DOCS group whose commands belong to the category. */
enum {
    ACL_KEYSPACE, ACL_READ, ACL_WRITE, ACL_SET, ACL_SORTEDSET, ACL_LIST, ACL_HASH, ACL_STRING,
    ACL_BITMAP, ACL_HYPERLOGLOG, ACL_GEO, ACL_STREAM, ACL_PUBSUB, ACL_ADMIN, ACL_FAST, ACL_SLOW,
    ACL_BLOCKING, ACL_DANGEROUS, ACL_CONNECTION, ACL_TRANSACTION, ACL_SCRIPTING, ACL_COUNT,
};

static const struct {
    const char *name;
    const char *group;
} acl_categories[ACL_COUNT] = {
    [ACL_KEYSPACE]    = {"@keyspace",    "generic"},
    [ACL_READ]        = {"@read",        NULL},
    [ACL_WRITE]       = {"@write",       NULL},
    [ACL_SET]         = {"@set",         "set"},
    [ACL_SORTEDSET]   = {"@sortedset",   "sorted-set"},
    [ACL_LIST]        = {"@list",        "list"},
    [ACL_HASH]        = {"@hash",        "hash"},
    [ACL_STRING]      = {"@string",      "string"},
    [ACL_BITMAP]      = {"@bitmap",      "bitmap"},
    [ACL_HYPERLOGLOG] = {"@hyperloglog", "hyperloglog"},
    [ACL_GEO]         = {"@geo",         "geo"},
    [ACL_STREAM]      = {"@stream",      "stream"},
    [ACL_PUBSUB]      = {"@pubsub",      "pubsub"},
    [ACL_ADMIN]       = {"@admin",       NULL},
    [ACL_FAST]        = {"@fast",        NULL},
    [ACL_SLOW]        = {"@slow",        NULL},
    [ACL_BLOCKING]    = {"@blocking",    NULL},
    [ACL_DANGEROUS]   = {"@dangerous",   NULL},
    [ACL_CONNECTION]  = {"@connection",  "connection"},
    [ACL_TRANSACTION] = {"@transaction", "transactions"},
    [ACL_SCRIPTING]   = {"@scripting",   "scripting"},
};

/* Redis's key-spec flags, in the order COMMAND INFO and GETKEYSANDFLAGS print them. */
enum {
    KSF_RO, KSF_RW, KSF_OW, KSF_RM, KSF_ACCESS, KSF_UPDATE, KSF_INSERT, KSF_DELETE,
    KSF_NOT_KEY, KSF_INCOMPLETE, KSF_VARIABLE_FLAGS, KSF_COUNT,
};

static const char *const key_spec_flag_names[KSF_COUNT] = {
    [KSF_RO]      = "RO",      [KSF_RW]         = "RW",
    [KSF_OW]      = "OW",      [KSF_RM]         = "RM",
    [KSF_ACCESS]  = "access",  [KSF_UPDATE]     = "update",
    [KSF_INSERT]  = "insert",  [KSF_DELETE]     = "delete",
    [KSF_NOT_KEY] = "not_key", [KSF_INCOMPLETE] = "incomplete",
    [KSF_VARIABLE_FLAGS] = "variable_flags",
};
/* clang-format on */

#define ACL_BIT(i) (1u << (i))
#define KSF_BIT(i) (1u << (i))

/* ---- what a command says about itself: its command_meta row, or a derivation ----------- */

typedef const char *(*NameAtFn)(int i);

static const char *acl_name_at(int i) {
    return acl_categories[i].name;
}

static const char *key_flag_name_at(int i) {
    return key_spec_flag_names[i];
}

/* The next space-separated word of the string at *p, advancing *p; false at its end (or
 * when *p is NULL: an absent list is an empty one). */
static bool next_word(const char **p, const char **word, size_t *len) {
    if (!*p) return false;
    const char *w = *p + strspn(*p, " ");
    if (!*w) return false;
    *word = w;
    *len = strcspn(w, " ");
    *p = w + *len;
    return true;
}

/* The words of s as bits of a name table (name_at(0 .. n-1)); false when a word is not in
 * the table. */
static bool words_to_mask(const char *s, NameAtFn name_at, int n, uint32_t *mask) {
    const char *w;
    size_t len;
    *mask = 0;
    while (next_word(&s, &w, &len)) {
        int i = 0;
        while (i < n && (strlen(name_at(i)) != len || memcmp(name_at(i), w, len) != 0))
            i++;
        if (i == n) return false;
        *mask |= 1u << i;
    }
    return true;
}

/* The rows name only categories and flags listed above: checked once, when COMMAND first
 * reads them, so a typo in the table stops the first test that asks instead of printing a
 * wrong reply. Commands without a row are logged once; they get the derived answer. */
static void meta_check_visit(Command *cmd, void *ud) {
    VG_UNUSED(ud);
    if (!command_meta_lookup(cmd->fullname))
        log_warn("COMMAND: no command_meta row for '%s'; its ACL categories, tips and key "
                 "specs are derived",
                 cmd->fullname);
}

static void meta_check_once(void) {
    static bool checked;
    if (checked) return;
    checked = true;
    size_t n;
    const CmdMeta *rows = command_meta_all(&n);
    for (size_t i = 0; i < n; i++) {
        uint32_t m;
        bool ok = words_to_mask(rows[i].acl, acl_name_at, ACL_COUNT, &m) && m != 0;
        for (size_t k = 0; k < command_meta_key_spec_count(&rows[i]); k++) {
            const CmdKeySpec *ks = &rows[i].key_specs[k];
            ok = ok && words_to_mask(ks->flags, key_flag_name_at, KSF_COUNT, &m);
            ok = ok && ks->begin.type != KS_BEGIN_NONE && ks->find.type != KS_FIND_NONE;
        }
        if (!ok) log_warn("command_meta row '%s' does not parse", rows[i].name);
        VG_ASSERT(ok);
    }
    commands_each(meta_check_visit, NULL, true);
}

static const CmdMeta *meta_of(const Command *cmd) {
    meta_check_once();
    return command_meta_lookup(cmd->fullname);
}

static const char *command_group(const Command *cmd) {
    if (cmd->spec->group) return cmd->spec->group;
    return cmd->parent ? cmd->parent->spec->group : NULL;
}

/* Without a row: the group's category (containers have none), then the implicit ones, as
 * Redis's setImplicitACLCategories adds them. */
static uint32_t derived_acl_mask(const Command *cmd) {
    const CmdSpec *s = cmd->spec;
    const char *group = command_group(cmd);
    uint32_t m = 0;
    for (int i = 0; i < ACL_COUNT && group && (s->proc || !s->subcommands); i++)
        if (acl_categories[i].group && strcmp(acl_categories[i].group, group) == 0) m |= ACL_BIT(i);
    if (s->flags & CMD_WRITE) m |= ACL_BIT(ACL_WRITE);
    if ((s->flags & CMD_READONLY) && !(m & ACL_BIT(ACL_SCRIPTING))) m |= ACL_BIT(ACL_READ);
    if (s->flags & CMD_ADMIN) m |= ACL_BIT(ACL_ADMIN) | ACL_BIT(ACL_DANGEROUS);
    if (s->flags & CMD_PUBSUB) m |= ACL_BIT(ACL_PUBSUB);
    if (s->flags & CMD_FAST) m |= ACL_BIT(ACL_FAST);
    if (s->flags & CMD_BLOCKING) m |= ACL_BIT(ACL_BLOCKING);
    if (!(m & ACL_BIT(ACL_FAST))) m |= ACL_BIT(ACL_SLOW);
    return m;
}

static uint32_t command_acl_mask(const Command *cmd) {
    const CmdMeta *meta = meta_of(cmd);
    uint32_t m;
    if (meta && words_to_mask(meta->acl, acl_name_at, ACL_COUNT, &m)) return m;
    return derived_acl_mask(cmd);
}

static const char *command_tips(const Command *cmd) {
    const CmdMeta *meta = meta_of(cmd);
    return meta ? meta->tips : NULL;
}

typedef struct KeySpecs {
    CmdKeySpec spec[CMD_META_MAX_KEY_SPECS];
    size_t n;
} KeySpecs;

/* The row's key specs; without a row, one range spec from (first, last, step) (Redis's
 * legacy range: lastkey relative to the first key, or negative from the end) with the flags
 * we can stand behind from the command flags alone. */
static void command_key_specs(const Command *cmd, KeySpecs *out) {
    const CmdMeta *meta = meta_of(cmd);
    if (meta) {
        out->n = command_meta_key_spec_count(meta);
        memcpy(out->spec, meta->key_specs, sizeof(out->spec));
        return;
    }
    const CmdSpec *s = cmd->spec;
    const CmdKeys *k = &s->keys;
    out->n = k->first > 0;
    if (!out->n) return;
    const char *flags = (s->flags & CMD_READONLY) ? "RO access" : "RO";
    if (s->flags & CMD_WRITE) flags = "RW update";
    out->spec[0] = (CmdKeySpec){
        .flags = flags,
        .begin = {.type = KS_BEGIN_INDEX, .index = k->first},
        .find = {.type = KS_FIND_RANGE,
                 .lastkey = k->last < 0 ? k->last : k->last - k->first,
                 .keystep = k->step},
    };
}

static uint32_t key_spec_mask(const CmdKeySpec *ks) {
    uint32_t m = 0;
    words_to_mask(ks->flags, key_flag_name_at, KSF_COUNT, &m);
    return m;
}

/* "config|get" -> the subcommand; "get" -> the command; NULL when unknown. */
static Command *lookup_fullname(const RespArg *a) {
    const char *bar = memchr(a->ptr, '|', a->len);
    if (!bar) return command_lookup(a->ptr, a->len);
    Command *parent = command_lookup(a->ptr, (size_t)(bar - a->ptr));
    const char *sub = bar + 1;
    size_t sublen = a->len - (size_t)(sub - a->ptr);
    if (!parent || memchr(sub, '|', sublen)) return NULL;
    return command_lookup_sub(parent, sub, sublen);
}

/* ---- COMMAND INFO ---------------------------------------------------------------------- */

static void reply_flag_set(Client *c, uint32_t flags) {
    long long n = 0;
    for (size_t i = 0; i < VG_ARRAY_LEN(cmd_flag_names); i++)
        n += cmd_flag_names[i].listed && (flags & cmd_flag_names[i].bit);
    reply_set(c, n);
    for (size_t i = 0; i < VG_ARRAY_LEN(cmd_flag_names); i++)
        if (cmd_flag_names[i].listed && (flags & cmd_flag_names[i].bit))
            reply_simple(c, cmd_flag_names[i].name);
}

static void reply_acl_set(Client *c, uint32_t mask) {
    reply_set(c, __builtin_popcount(mask));
    for (int i = 0; i < ACL_COUNT; i++)
        if (mask & ACL_BIT(i)) reply_simple(c, acl_categories[i].name);
}

static void reply_key_flags(Client *c, uint32_t mask) {
    reply_set(c, __builtin_popcount(mask));
    for (int i = 0; i < KSF_COUNT; i++)
        if (mask & KSF_BIT(i)) reply_simple(c, key_spec_flag_names[i]);
}

/* Tips are bulk strings, in the row's order. */
static void reply_tips(Client *c, const char *tips) {
    const char *p = tips, *w;
    size_t len;
    long long n = 0;
    while (next_word(&p, &w, &len))
        n++;
    reply_set(c, n);
    for (p = tips; next_word(&p, &w, &len);)
        reply_bulk(c, w, len);
}

/* {"type": name, "spec": {key: value, ...}} with integer values (Redis's begin_search and
 * find_keys maps); keyword's string is added by the caller. */
static void reply_typed_spec(Client *c, const char *type, int nfields) {
    reply_map(c, 2);
    reply_bulk_cstr(c, "type");
    reply_bulk_cstr(c, type);
    reply_bulk_cstr(c, "spec");
    reply_map(c, nfields);
}

static void reply_int_field(Client *c, const char *name, long long v) {
    reply_bulk_cstr(c, name);
    reply_int(c, v);
}

static void reply_begin_search(Client *c, const CmdBeginSearch *b) {
    switch (b->type) {
    case KS_BEGIN_INDEX:
        reply_typed_spec(c, "index", 1);
        reply_int_field(c, "index", b->index);
        break;
    case KS_BEGIN_KEYWORD:
        reply_typed_spec(c, "keyword", 2);
        reply_bulk_cstr(c, "keyword");
        reply_bulk_cstr(c, b->keyword);
        reply_int_field(c, "startfrom", b->startfrom);
        break;
    default: reply_typed_spec(c, "unknown", 0); break;
    }
}

static void reply_find_keys(Client *c, const CmdFindKeys *f) {
    switch (f->type) {
    case KS_FIND_RANGE:
        reply_typed_spec(c, "range", 3);
        reply_int_field(c, "lastkey", f->lastkey);
        reply_int_field(c, "keystep", f->keystep);
        reply_int_field(c, "limit", f->limit);
        break;
    case KS_FIND_KEYNUM:
        reply_typed_spec(c, "keynum", 3);
        reply_int_field(c, "keynumidx", f->keynumidx);
        reply_int_field(c, "firstkey", f->firstkey);
        reply_int_field(c, "keystep", f->keystep);
        break;
    default: reply_typed_spec(c, "unknown", 0); break;
    }
}

/* One key spec as Redis's map: [notes], flags, begin_search, find_keys. */
static void reply_key_spec(Client *c, const CmdKeySpec *ks) {
    reply_map(c, 3 + (ks->notes != NULL));
    if (ks->notes) {
        reply_bulk_cstr(c, "notes");
        reply_bulk_cstr(c, ks->notes);
    }
    reply_bulk_cstr(c, "flags");
    reply_key_flags(c, key_spec_mask(ks));
    reply_bulk_cstr(c, "begin_search");
    reply_begin_search(c, &ks->begin);
    reply_bulk_cstr(c, "find_keys");
    reply_find_keys(c, &ks->find);
}

typedef void (*CommandReplyFn)(Client *c, Command *cmd);

/* The subcommands of cmd in table order, each through fn; an array (COMMAND INFO) or a
 * map keyed by full name (COMMAND DOCS). Like Redis, a command without subcommands gets an
 * empty set, which RESP3 shows as "~0". */
static void reply_subcommands(Client *c, Command *cmd, CommandReplyFn fn, bool as_map) {
    long long n = 0;
    for (const CmdSpec *s = cmd->spec->subcommands; s && s->name; s++)
        n++;
    if (as_map)
        reply_map(c, n);
    else if (n == 0)
        reply_set(c, 0);
    else
        reply_array(c, n);
    for (const CmdSpec *s = cmd->spec->subcommands; s && s->name; s++) {
        Command *sub = command_lookup_sub(cmd, s->name, strlen(s->name));
        VG_ASSERT(sub != NULL);
        if (as_map) reply_bulk_cstr(c, sub->fullname);
        fn(c, sub);
    }
}

/* Redis calls a command's keys movable when a spec is not "argv index, then a range":
 * clients must then ask COMMAND GETKEYS (or parse the command) to find them. */
static bool key_specs_movable(const KeySpecs *ks) {
    for (size_t i = 0; i < ks->n; i++)
        if (ks->spec[i].begin.type != KS_BEGIN_INDEX || ks->spec[i].find.type != KS_FIND_RANGE)
            return true;
    return false;
}

/* [name, arity, flags, first, last, step, acl categories, tips, key specs, subcommands] */
static void reply_command_info(Client *c, Command *cmd) {
    const CmdSpec *s = cmd->spec;
    KeySpecs ks;
    command_key_specs(cmd, &ks);
    reply_array(c, 10);
    reply_bulk_cstr(c, cmd->fullname);
    reply_int(c, s->arity);
    reply_flag_set(c, s->flags | (key_specs_movable(&ks) ? CMD_MOVABLE_KEYS : 0));
    reply_int(c, s->keys.first);
    reply_int(c, s->keys.last);
    reply_int(c, s->keys.step);
    reply_acl_set(c, command_acl_mask(cmd));
    reply_tips(c, command_tips(cmd));
    reply_set(c, (long long)ks.n);
    for (size_t i = 0; i < ks.n; i++)
        reply_key_spec(c, &ks.spec[i]);
    reply_subcommands(c, cmd, reply_command_info, false);
}

static void visit_info(Command *cmd, void *ud) {
    reply_command_info(ud, cmd);
}

/* COMMAND, and COMMAND INFO without names: every top-level command. */
static void cmd_command(Client *c) {
    reply_array(c, commands_count());
    commands_each(visit_info, c, false);
}

/* COMMAND INFO [command-name ...]: a null for each unknown name. */
static void cmd_command_info(Client *c) {
    if (c->argc == 2) {
        cmd_command(c);
        return;
    }
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        Command *cmd = lookup_fullname(&c->argv[i]);
        if (cmd)
            reply_command_info(c, cmd);
        else
            reply_null(c);
    }
}

static void cmd_command_count(Client *c) {
    reply_int(c, commands_count());
}

/* ---- COMMAND DOCS: arguments from the usage line --------------------------------------- */

/* The usage line grammar (Redis's documentation syntax):
 *   line   := alts                      alts := seq ('|' seq)*
 *   seq    := (word | '[' alts ']' | '[' word... '...' ']')*
 * An UPPER-CASE word is a token: followed by one plain word it becomes that argument's
 * token ("EX seconds"), by several a block with a token ("AUTH username password"), by
 * none a pure-token. "[x y ...]" repeats the x y just before it ("key [key ...]"); with
 * other words it is an optional repeating argument ("subcommand [arguments ...]").
 * Nodes live in one array sized from the line (at most 3 per character); siblings are
 * linked by index. */
typedef enum {
    DA_PLAIN,
    DA_TOKEN,
    DA_BLOCK,
    DA_ONEOF
} DocArgKind;

typedef struct DocArg {
    DocArgKind kind;
    const char *word; /* plain: the name; pure-token: the token */
    int word_len;
    const char *token; /* a token in front of a plain or a block */
    int token_len;
    bool optional, multiple;
    bool wrapper; /* a block made only to group a multi-word alternative */
    int child, next;
} DocArg;

typedef struct DocParse {
    const char *p, *end;
    DocArg *nodes;
    int n, cap;
} DocParse;

#define DOC_SEQ_MAX 64

typedef struct DocSeq {
    int item[DOC_SEQ_MAX];
    int n;
} DocSeq;

static int doc_node(DocParse *ps, DocArgKind kind) {
    VG_ASSERT(ps->n < ps->cap);
    DocArg *a = &ps->nodes[ps->n];
    memset(a, 0, sizeof(*a));
    a->kind = kind;
    a->child = a->next = -1;
    return ps->n++;
}

static void seq_push(DocSeq *s, int idx) {
    if (s->n < DOC_SEQ_MAX) s->item[s->n++] = idx;
}

/* Link the items as siblings; the first one's index, or -1. */
static int seq_link(DocParse *ps, const DocSeq *s) {
    for (int i = 0; i < s->n; i++)
        ps->nodes[s->item[i]].next = i + 1 < s->n ? s->item[i + 1] : -1;
    return s->n ? s->item[0] : -1;
}

static int doc_block(DocParse *ps, const DocSeq *children) {
    int b = doc_node(ps, DA_BLOCK);
    ps->nodes[b].child = seq_link(ps, children);
    return b;
}

static bool is_bare_plain(const DocArg *a) {
    return a->kind == DA_PLAIN && !a->token && !a->optional && !a->multiple;
}

/* Attach each pure token to the plain words right after it (see the grammar above). */
static void seq_merge_tokens(DocParse *ps, DocSeq *s) {
    DocSeq out = {.n = 0};
    for (int i = 0; i < s->n;) {
        DocArg *t = &ps->nodes[s->item[i]];
        int run = 0;
        if (t->kind == DA_TOKEN && !t->optional && !t->multiple)
            while (i + 1 + run < s->n && is_bare_plain(&ps->nodes[s->item[i + 1 + run]]))
                run++;
        if (run == 0) {
            seq_push(&out, s->item[i++]);
            continue;
        }
        DocSeq args = {.n = 0};
        for (int j = 0; j < run; j++)
            seq_push(&args, s->item[i + 1 + j]);
        int holder = run == 1 ? args.item[0] : doc_block(ps, &args);
        ps->nodes[holder].token = t->word;
        ps->nodes[holder].token_len = t->word_len;
        seq_push(&out, holder);
        i += 1 + run;
    }
    *s = out;
}

/* "[x y ...]" after x y: mark the last k items as repeating. */
static void seq_wrap_repeat(DocParse *ps, DocSeq *s, int k) {
    if (k > s->n) k = s->n;
    if (k <= 0) return;
    if (k == 1) {
        ps->nodes[s->item[s->n - 1]].multiple = true;
        return;
    }
    DocSeq inner = {.n = 0};
    for (int i = s->n - k; i < s->n; i++)
        seq_push(&inner, s->item[i]);
    s->n -= k;
    seq_merge_tokens(ps, &inner);
    int b = doc_block(ps, &inner);
    ps->nodes[b].multiple = true;
    seq_push(s, b);
}

static const char *doc_group_end(const char *p, const char *end) {
    int depth = 0;
    for (; p < end; p++) {
        if (*p == '[') depth++;
        if (*p == ']' && --depth == 0) return p;
    }
    return end;
}

/* "[x y ...]": where its "..." starts, or NULL when the group is not of that form. */
static const char *doc_ellipsis(const char *open, const char *close) {
    const char *q = close;
    while (q > open + 1 && q[-1] == ' ')
        q--;
    if (q - (open + 1) < 3 || memcmp(q - 3, "...", 3) != 0) return NULL;
    for (const char *r = open + 1; r < q - 3; r++)
        if (*r == '[' || *r == ']' || *r == '|') return NULL;
    return q - 3;
}

/* Do the words of [from, to) repeat the last items of s, word for word? Returns how many
 * items they cover, or 0. */
static int doc_repeats_tail(const DocParse *ps, const DocSeq *s, const char *from, const char *to) {
    const char *w[DOC_SEQ_MAX];
    int wl[DOC_SEQ_MAX], k = 0;
    for (const char *r = from; r < to && k < DOC_SEQ_MAX;) {
        while (r < to && *r == ' ')
            r++;
        if (r >= to) break;
        w[k] = r;
        while (r < to && *r != ' ')
            r++;
        wl[k] = (int)(r - w[k]);
        k++;
    }
    if (k == 0 || k > s->n) return 0;
    for (int j = 0; j < k; j++) {
        const DocArg *a = &ps->nodes[s->item[s->n - k + j]];
        bool simple = a->kind == DA_PLAIN || a->kind == DA_TOKEN;
        if (!simple || a->optional || a->multiple || a->word_len != wl[j] ||
            memcmp(a->word, w[j], (size_t)wl[j]) != 0)
            return 0;
    }
    return k;
}

static bool is_token_word(const char *w, int len) {
    bool letter = false;
    for (int i = 0; i < len; i++) {
        if (islower((unsigned char)w[i])) return false;
        if (isupper((unsigned char)w[i])) letter = true;
    }
    return letter;
}

static int doc_parse_alts(DocParse *ps);
static void doc_parse_seq(DocParse *ps, DocSeq *s);

/* "[x ...]" that names new words ("subcommand [arguments ...]"): optional, repeating. */
static int doc_parse_new_repeat(DocParse *ps, const char *ellipsis) {
    const char *end = ps->end;
    DocSeq inner;
    ps->p++;
    ps->end = ellipsis;
    doc_parse_seq(ps, &inner);
    ps->end = end;
    if (inner.n == 0) return -1;
    int node = inner.n == 1 ? inner.item[0] : doc_block(ps, &inner);
    ps->nodes[node].multiple = true;
    return node;
}

static void doc_parse_group(DocParse *ps, DocSeq *s) {
    const char *close = doc_group_end(ps->p, ps->end);
    const char *ellipsis = doc_ellipsis(ps->p, close);
    int node = -1;
    if (ellipsis) {
        int k = doc_repeats_tail(ps, s, ps->p + 1, ellipsis);
        if (k > 0)
            seq_wrap_repeat(ps, s, k);
        else
            node = doc_parse_new_repeat(ps, ellipsis);
        ps->p = close < ps->end ? close + 1 : close;
        if (node < 0) return;
    } else {
        ps->p++;
        node = doc_parse_alts(ps);
        if (ps->p < ps->end && *ps->p == ']') ps->p++;
        if (node < 0) return;
    }
    if (ps->nodes[node].optional) { /* "[[x]]" */
        DocSeq one = {.item = {node}, .n = 1};
        node = doc_block(ps, &one);
    }
    ps->nodes[node].optional = true;
    ps->nodes[node].wrapper = false;
    seq_push(s, node);
}

/* Items up to ']' or '|' or the end. */
static void doc_parse_seq(DocParse *ps, DocSeq *s) {
    s->n = 0;
    for (;;) {
        while (ps->p < ps->end && *ps->p == ' ')
            ps->p++;
        if (ps->p >= ps->end || *ps->p == ']' || *ps->p == '|') break;
        if (*ps->p == '[') {
            doc_parse_group(ps, s);
            continue;
        }
        const char *w = ps->p;
        while (ps->p < ps->end && !strchr(" []|", *ps->p))
            ps->p++;
        int len = (int)(ps->p - w);
        int idx = doc_node(ps, is_token_word(w, len) ? DA_TOKEN : DA_PLAIN);
        ps->nodes[idx].word = w;
        ps->nodes[idx].word_len = len;
        seq_push(s, idx);
    }
    seq_merge_tokens(ps, s);
}

/* Alternatives up to ']' or the end: one node, a oneof when there are several. */
static int doc_parse_alts(DocParse *ps) {
    DocSeq alts = {.n = 0};
    for (;;) {
        DocSeq alt;
        doc_parse_seq(ps, &alt);
        if (alt.n == 1) seq_push(&alts, alt.item[0]);
        if (alt.n > 1) {
            int b = doc_block(ps, &alt);
            ps->nodes[b].wrapper = true;
            seq_push(&alts, b);
        }
        if (ps->p < ps->end && *ps->p == '|') {
            ps->p++;
            continue;
        }
        break;
    }
    if (alts.n <= 1) return alts.n ? alts.item[0] : -1;
    int o = doc_node(ps, DA_ONEOF);
    ps->nodes[o].child = seq_link(ps, &alts);
    return o;
}

static const char *doc_type(const DocArg *a) {
    static const char *const kinds[] = {"string", "pure-token", "block", "oneof"};
    if (a->kind != DA_PLAIN) return kinds[a->kind];
    int n = a->word_len;
    if (n >= 3 && strncmp(a->word + n - 3, "key", 3) == 0) return "key";
    if (n >= 7 && strncmp(a->word + n - 7, "pattern", 7) == 0) return "pattern";
    return "string";
}

static void append_lower(Buf *out, const char *s, int len) {
    for (int i = 0; i < len; i++)
        buf_append_char(out, (char)tolower((unsigned char)s[i]));
}

/* Names for nodes the line does not name: a token's lower-case word, a block's or a
 * oneof's first member. */
static void doc_name(const DocParse *ps, int i, Buf *out) {
    const DocArg *a = &ps->nodes[i];
    if (a->kind == DA_PLAIN) {
        buf_append(out, a->word, (size_t)a->word_len);
    } else if (a->kind == DA_TOKEN || a->token) {
        append_lower(out, a->kind == DA_TOKEN ? a->word : a->token,
                     a->kind == DA_TOKEN ? a->word_len : a->token_len);
    } else if (a->child >= 0) {
        doc_name(ps, a->child, out);
    }
}

/* The key spec whose keys include argv position pos (an index + range spec), or -1. */
static int key_spec_at(const KeySpecs *specs, int pos) {
    for (size_t i = 0; i < specs->n; i++) {
        const CmdKeySpec *ks = &specs->spec[i];
        if (ks->begin.type != KS_BEGIN_INDEX || ks->find.type != KS_FIND_RANGE) continue;
        int first = ks->begin.index;
        int step = ks->find.keystep > 0 ? ks->find.keystep : 1;
        bool to_end = ks->find.lastkey < 0;
        if (pos >= first && (to_end || pos <= first + ks->find.lastkey) &&
            (pos - first) % step == 0)
            return (int)i;
    }
    return -1;
}

static void
doc_reply_list(Client *c, const DocParse *ps, int first, const KeySpecs *specs, int pos);

/* One argument map: name, type, [key_spec_index], [token], [flags], [arguments]. pos is
 * the argument's argv position when the arguments before it fix it (else -1): a plain
 * argument there that a key spec covers is a key of that spec (Redis's key_spec_index).
 * Other keys are recognised by name ("key", "destkey") and given the first spec. */
static void doc_reply_arg(Client *c, const DocParse *ps, int i, const KeySpecs *specs, int pos) {
    const DocArg *a = &ps->nodes[i];
    int spec = a->kind == DA_PLAIN && pos > 0 ? key_spec_at(specs, pos) : -1;
    const char *type = spec >= 0 ? "key" : doc_type(a);
    bool key_index = specs->n > 0 && strcmp(type, "key") == 0;
    const char *tok = a->kind == DA_TOKEN ? a->word : a->token;
    int tok_len = a->kind == DA_TOKEN ? a->word_len : a->token_len;
    int nflags = (int)a->optional + (int)a->multiple;
    bool nested = a->kind == DA_BLOCK || a->kind == DA_ONEOF;
    reply_map(c, 2 + key_index + (tok != NULL) + (nflags > 0) + nested);
    Buf name = BUF_INIT;
    doc_name(ps, i, &name);
    reply_bulk_cstr(c, "name");
    reply_bulk(c, buf_cstr(&name), name.len);
    buf_deinit(&name);
    reply_bulk_cstr(c, "type");
    reply_bulk_cstr(c, type);
    if (key_index) {
        reply_bulk_cstr(c, "key_spec_index");
        reply_int(c, spec >= 0 ? spec : 0);
    }
    if (tok) {
        reply_bulk_cstr(c, "token");
        reply_bulk(c, tok, (size_t)tok_len);
    }
    if (nflags) {
        reply_bulk_cstr(c, "flags");
        reply_set(c, nflags);
        if (a->optional) reply_simple(c, "optional");
        if (a->multiple) reply_simple(c, "multiple");
    }
    if (nested) {
        reply_bulk_cstr(c, "arguments");
        doc_reply_list(c, ps, a->child, specs, -1);
    }
}

/* Siblings from first; pos is the first one's argv position, or -1 when unknown. */
static void
doc_reply_list(Client *c, const DocParse *ps, int first, const KeySpecs *specs, int pos) {
    long long n = 0;
    for (int i = first; i >= 0; i = ps->nodes[i].next)
        n++;
    reply_array(c, n);
    for (int i = first; i >= 0; i = ps->nodes[i].next) {
        doc_reply_arg(c, ps, i, specs, pos);
        pos = pos > 0 && is_bare_plain(&ps->nodes[i]) ? pos + 1 : -1;
    }
}

/* The arguments start after the name (argv[1]), or after the subcommand's (argv[2]). */
static void docs_reply_arguments(Client *c, const Command *cmd) {
    const CmdSpec *s = cmd->spec;
    size_t len = strlen(s->args_hint);
    DocParse ps = {.p = s->args_hint, .end = s->args_hint + len, .cap = 3 * (int)len + 8};
    ps.nodes = mem_alloc(sizeof(DocArg) * (size_t)ps.cap);
    int root = doc_parse_alts(&ps);
    KeySpecs specs;
    command_key_specs(cmd, &specs);
    int pos = cmd->parent ? 2 : 1;
    if (root < 0) {
        reply_empty_array(c);
    } else if (ps.nodes[root].wrapper) {
        doc_reply_list(c, &ps, ps.nodes[root].child, &specs, pos);
    } else {
        ps.nodes[root].next = -1;
        doc_reply_list(c, &ps, root, &specs, pos);
    }
    mem_free(ps.nodes);
}

/* {summary, since, group, complexity, arguments, subcommands}, each only when known; the
 * complexity comes from the command's command_meta row. */
static void reply_command_docs(Client *c, Command *cmd) {
    const CmdSpec *s = cmd->spec;
    const CmdMeta *meta = meta_of(cmd);
    const char *fields[4][2] = {{"summary", s->summary},
                                {"since", s->since},
                                {"group", command_group(cmd)},
                                {"complexity", meta ? meta->complexity : NULL}};
    bool has_args = s->args_hint && s->args_hint[0];
    long long n = has_args + cmd->has_subs;
    for (int i = 0; i < 4; i++)
        n += fields[i][1] != NULL;
    reply_map(c, n);
    for (int i = 0; i < 4; i++) {
        if (!fields[i][1]) continue;
        reply_bulk_cstr(c, fields[i][0]);
        reply_bulk_cstr(c, fields[i][1]);
    }
    if (has_args) {
        reply_bulk_cstr(c, "arguments");
        docs_reply_arguments(c, cmd);
    }
    if (cmd->has_subs) {
        reply_bulk_cstr(c, "subcommands");
        reply_subcommands(c, cmd, reply_command_docs, true);
    }
}

static void visit_docs(Command *cmd, void *ud) {
    reply_bulk_cstr(ud, cmd->fullname);
    reply_command_docs(ud, cmd);
}

/* COMMAND DOCS [command-name ...]: a map; unknown names are left out. */
static void cmd_command_docs(Client *c) {
    if (c->argc == 2) {
        reply_map(c, commands_count());
        commands_each(visit_docs, c, false);
        return;
    }
    size_t handle = reply_deferred_begin(c);
    long long pairs = 0;
    for (int i = 2; i < c->argc; i++) {
        Command *cmd = lookup_fullname(&c->argv[i]);
        if (!cmd) continue;
        visit_docs(cmd, c);
        pairs++;
    }
    reply_deferred_map(c, handle, pairs);
}

/* ---- COMMAND LIST, GETKEYS, HELP -------------------------------------------------------- */

enum {
    FILTER_NONE,
    FILTER_MODULE,
    FILTER_ACLCAT,
    FILTER_PATTERN
};

typedef struct ListCtx {
    Client *c;
    int filter;
    int acl;                /* FILTER_ACLCAT: category index, -1 when unknown */
    const RespArg *pattern; /* FILTER_PATTERN */
    long long n;
} ListCtx;

static bool list_matches(const ListCtx *l, Command *cmd) {
    switch (l->filter) {
    case FILTER_NONE: return true;
    case FILTER_MODULE: return false; /* no module commands */
    case FILTER_ACLCAT: return l->acl >= 0 && (command_acl_mask(cmd) & ACL_BIT(l->acl));
    default:
        return glob_match(l->pattern->ptr, l->pattern->len, cmd->fullname, strlen(cmd->fullname),
                          true);
    }
}

static void visit_list(Command *cmd, void *ud) {
    ListCtx *l = ud;
    if (!list_matches(l, cmd)) return;
    reply_bulk_cstr(l->c, cmd->fullname);
    l->n++;
}

static int list_parse_filter_or_reply(Client *c, ListCtx *l) {
    if (c->argc == 2) return 0;
    const RespArg *kind = &c->argv[3];
    if (c->argc != 5 || !arg_is(&c->argv[2], "filterby")) goto syntax;
    l->pattern = &c->argv[4];
    if (arg_is(kind, "module")) {
        l->filter = FILTER_MODULE;
    } else if (arg_is(kind, "pattern")) {
        l->filter = FILTER_PATTERN;
    } else if (arg_is(kind, "aclcat")) {
        l->filter = FILTER_ACLCAT;
        l->acl = -1;
        for (int i = 0; i < ACL_COUNT; i++)
            if (arg_is(&c->argv[4], acl_categories[i].name + 1)) l->acl = i;
    } else {
        goto syntax;
    }
    return 0;
syntax:
    reply_syntax_error(c);
    return -1;
}

/* COMMAND LIST [FILTERBY MODULE name|ACLCAT category|PATTERN pattern]: names, with
 * subcommands as "parent|sub". */
static void cmd_command_list(Client *c) {
    ListCtx l = {.c = c, .filter = FILTER_NONE};
    if (list_parse_filter_or_reply(c, &l) != 0) return;
    size_t handle = reply_deferred_begin(c);
    commands_each(visit_list, &l, true);
    reply_deferred_array(c, handle, l.n);
}

static bool arity_allows(int arity, int argc) {
    return arity > 0 ? argc == arity : argc >= -arity;
}

/* A key GETKEYS found: its argv position (0 = the command name) and its spec's flags. */
typedef struct KeyRef {
    int pos;
    uint32_t flags;
} KeyRef;

/* Where a spec's keys start (Redis: begin_search): an argv position; 0 when its keyword is
 * absent (the spec has no keys here); -1 when only the command could say. A keyword is
 * searched from startfrom towards the end, or backwards when startfrom is negative. */
static int key_spec_begin(const CmdBeginSearch *b, const RespArg *argv, int argc) {
    if (b->type == KS_BEGIN_INDEX) return b->index;
    if (b->type != KS_BEGIN_KEYWORD) return -1;
    int start = b->startfrom > 0 ? b->startfrom : argc + b->startfrom;
    int end = b->startfrom > 0 ? argc - 1 : 1;
    for (int i = start; i != end; i += start <= end ? 1 : -1) {
        if (i >= argc || i < 1) break;
        if (arg_is(&argv[i], b->keyword)) return i + 1;
    }
    return 0;
}

/* The last key position of a spec whose keys start at first; -1 when the arguments do not
 * fit it. May move *first (keynum: the keys follow the count). */
static int key_spec_last(const CmdFindKeys *f, const RespArg *argv, int argc, int *first) {
    if (f->type == KS_FIND_RANGE) {
        if (f->lastkey >= 0) return *first + f->lastkey;
        if (f->limit == 0) return argc + f->lastkey;
        return *first + ((argc - *first) / f->limit + f->lastkey);
    }
    if (f->type != KS_FIND_KEYNUM) return -1;
    int at = *first + f->keynumidx;
    long long numkeys;
    if (at >= argc || !util_str_to_ll(argv[at].ptr, argv[at].len, &numkeys) || numkeys < 0 ||
        numkeys > argc)
        return -1;
    *first += f->firstkey;
    return *first + (int)numkeys - 1;
}

/* Appends one spec's keys to keys[*n] (room for argc more); false when the arguments do
 * not fit the spec or it is incomplete (Redis's getKeysUsingKeySpecs: invalid_spec). */
static bool
key_spec_find(const CmdKeySpec *ks, const RespArg *argv, int argc, KeyRef *keys, int *n) {
    int first = key_spec_begin(&ks->begin, argv, argc);
    if (first == 0) return true;
    if (first < 0) return false;
    int last = key_spec_last(&ks->find, argv, argc, &first);
    if (last < 0 || last >= argc || last < first || first >= argc) return false;
    int step = ks->find.keystep > 0 ? ks->find.keystep : 1;
    uint32_t flags = key_spec_mask(ks);
    for (int i = first; i <= last; i += step)
        keys[(*n)++] = (KeyRef){.pos = i, .flags = flags};
    return !(flags & KSF_BIT(KSF_INCOMPLETE));
}

/* Every key of argv through the key specs (not_key specs skipped); -1 when a spec does not
 * fit, as Redis then gives up on the specs. keys has room for specs->n * argc entries. */
static int keys_by_specs(const KeySpecs *specs, const RespArg *argv, int argc, KeyRef *keys) {
    int n = 0;
    for (size_t i = 0; i < specs->n; i++) {
        if (key_spec_mask(&specs->spec[i]) & KSF_BIT(KSF_NOT_KEY)) continue;
        if (!key_spec_find(&specs->spec[i], argv, argc, keys, &n)) return -1;
    }
    return n;
}

/* SET's key flags depend on its GET argument (Redis's setGetKeys): RW access update with
 * it, OW update without. */
static int getkeys_set(const RespArg *argv, int argc, KeyRef *keys) {
    keys[0] = (KeyRef){.pos = 1, .flags = KSF_BIT(KSF_OW) | KSF_BIT(KSF_UPDATE)};
    for (int i = 3; i < argc; i++)
        if (arg_is(&argv[i], "get"))
            keys[0].flags = KSF_BIT(KSF_RW) | KSF_BIT(KSF_ACCESS) | KSF_BIT(KSF_UPDATE);
    return 1;
}

typedef int (*GetKeysFn)(const RespArg *argv, int argc, KeyRef *keys);

/* Commands whose key flags depend on their arguments (a key spec flagged variable_flags):
 * Redis asks the command itself (its getkeys_proc) instead of the specs. */
static const struct {
    const char *name;
    GetKeysFn fn;
} getkeys_procs[] = {
    {"set", getkeys_set},
};

static GetKeysFn getkeys_proc(const Command *cmd) {
    for (size_t i = 0; i < VG_ARRAY_LEN(getkeys_procs); i++)
        if (strcmp(getkeys_procs[i].name, cmd->fullname) == 0) return getkeys_procs[i].fn;
    return NULL;
}

/* The keys of argv (Redis's getKeysFromCommandWithSpecs): the specs when their flags are
 * reliable, else the command's own proc; 0 when neither finds any. keys has room for
 * specs->n * argc + 1 entries. */
static int command_keys(
    const Command *cmd, const KeySpecs *specs, const RespArg *argv, int argc, KeyRef *keys) {
    uint32_t all = 0;
    bool has_keys = false;
    for (size_t i = 0; i < specs->n; i++) {
        uint32_t m = key_spec_mask(&specs->spec[i]);
        all |= m;
        has_keys |= !(m & KSF_BIT(KSF_NOT_KEY));
    }
    GetKeysFn proc = getkeys_proc(cmd);
    int n = -1;
    if (has_keys && (!(all & KSF_BIT(KSF_VARIABLE_FLAGS)) || !proc))
        n = keys_by_specs(specs, argv, argc, keys);
    if (n < 0 && proc) n = proc(argv, argc, keys);
    return n < 0 ? 0 : n;
}

static bool command_has_keys(const Command *cmd, const KeySpecs *specs) {
    for (size_t i = 0; i < specs->n; i++)
        if (!(key_spec_mask(&specs->spec[i]) & KSF_BIT(KSF_NOT_KEY))) return true;
    return getkeys_proc(cmd) != NULL;
}

/* COMMAND GETKEYS / GETKEYSANDFLAGS command [arg ...], checks in Redis 7.0's order. */
static void command_getkeys(Client *c, bool with_flags) {
    const RespArg *argv = c->argv + 2;
    int argc = c->argc - 2;
    Command *cmd = command_lookup(argv[0].ptr, argv[0].len);
    if (cmd && cmd->has_subs) cmd = command_lookup_sub(cmd, argv[1].ptr, argv[1].len);
    if (!cmd) {
        reply_error(c, "ERR Invalid command specified");
        return;
    }
    KeySpecs specs;
    command_key_specs(cmd, &specs);
    if (!command_has_keys(cmd, &specs)) {
        reply_error(c, "ERR The command has no key arguments");
        return;
    }
    if (!arity_allows(cmd->spec->arity, argc)) {
        reply_error(c, "ERR Invalid number of arguments specified for command");
        return;
    }
    KeyRef *keys = mem_alloc(sizeof(KeyRef) * (specs.n * (size_t)argc + 1));
    int n = command_keys(cmd, &specs, argv, argc, keys);
    if (n == 0 && (cmd->spec->flags & CMD_NO_MANDATORY_KEYS)) {
        reply_empty_array(c);
    } else if (n == 0) {
        reply_error(c, "ERR Invalid arguments specified for command");
    } else {
        reply_array(c, n);
        for (int i = 0; i < n; i++) {
            if (with_flags) reply_array(c, 2);
            reply_bulk_arg(c, &argv[keys[i].pos]);
            if (with_flags) reply_key_flags(c, keys[i].flags);
        }
    }
    mem_free(keys);
}

static void cmd_command_getkeys(Client *c) {
    command_getkeys(c, false);
}

static void cmd_command_getkeysandflags(Client *c) {
    command_getkeys(c, true);
}

static void cmd_command_help(Client *c) {
    static const char *const help[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        NULL,
    };
    reply_help(c, help);
}

/* ---- the table ------------------------------------------------------------------------------ */

#define INTRO_FLAGS      (CMD_LOADING | CMD_STALE)

/* clang-format off */
static const CmdSpec command_subcommands[] = {
    {"count",           cmd_command_count,           2, INTRO_FLAGS, NO_KEYS, "server", NULL, "Get total number of Redis commands", "2.8.13", ""},
    {"docs",            cmd_command_docs,           -2, INTRO_FLAGS, NO_KEYS, "server", NULL, "Get array of specific Redis command documentation", "7.0.0", "[command-name [command-name ...]]"},
    {"getkeys",         cmd_command_getkeys,        -4, INTRO_FLAGS, NO_KEYS, "server", NULL, "Extract keys given a full Redis command", "2.8.13", "command [arg [arg ...]]"},
    {"getkeysandflags", cmd_command_getkeysandflags,-4, INTRO_FLAGS, NO_KEYS, "server", NULL, "Extract keys and access flags given a full Redis command", "7.0.0", "command [arg [arg ...]]"},
    {"help",            cmd_command_help,            2, INTRO_FLAGS, NO_KEYS, "server", NULL, "Show helpful text about the different subcommands", "5.0.0", ""},
    {"info",            cmd_command_info,           -2, INTRO_FLAGS, NO_KEYS, "server", NULL, "Get array of specific Redis command details, or all when no argument is given.", "2.8.13", "[command-name [command-name ...]]"},
    {"list",            cmd_command_list,           -2, INTRO_FLAGS, NO_KEYS, "server", NULL, "Get an array of Redis command names", "7.0.0", "[FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]"},
    CMD_SPEC_END,
};

const CmdSpec introspection_commands[] = {
    {"command", cmd_command, -1, INTRO_FLAGS,                NO_KEYS, "server", command_subcommands, "Get array of Redis command details", "2.8.13", NULL},
    CMD_SPEC_END,
};
/* clang-format on */
