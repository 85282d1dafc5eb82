/* command_meta.h - what Redis says about a command beyond the command table: its ACL
 * categories, command tips, key specs and complexity (command_meta.c holds the rows).
 *
 * The CmdSpec rows (commands.h) carry what dispatch needs: name, arity, flags and the legacy
 * (first, last, step) key range. These rows carry the rest of Redis 7.0's COMMAND INFO
 * reply and COMMAND DOCS's complexity, keyed by the command's full name ("get",
 * "config|get"), so COMMAND INFO/DOCS/LIST and COMMAND GETKEYS[ANDFLAGS] (cmd_config.c)
 * answer as Redis does. Names of categories, tips and key-spec flags are Redis's own
 * spellings; cmd_config.c turns them into bits and owns the order they are printed in. */
#ifndef VIGIL_SERVER_COMMAND_META_H
#define VIGIL_SERVER_COMMAND_META_H

#include <stddef.h>

/* Where the search for a spec's keys starts (Redis: begin_search). */
typedef enum {
    KS_BEGIN_NONE = 0, /* an unused key-spec slot */
    KS_BEGIN_INDEX,    /* at argv[index] */
    KS_BEGIN_KEYWORD,  /* after the first argv[i] equal to keyword, scanning from startfrom */
    KS_BEGIN_UNKNOWN,  /* only the command itself knows */
} CmdBeginSearchType;

typedef struct CmdBeginSearch {
    CmdBeginSearchType type;
    int index;           /* KS_BEGIN_INDEX */
    const char *keyword; /* KS_BEGIN_KEYWORD: matched case-insensitively */
    int startfrom;       /* KS_BEGIN_KEYWORD: argv position; negative counts from the end
                          * and scans backwards */
} CmdBeginSearch;

/* How the keys are found from where the search began (Redis: find_keys). */
typedef enum {
    KS_FIND_NONE = 0, /* an unused key-spec slot */
    KS_FIND_RANGE,    /* lastkey (relative; negative counts from the end), keystep, limit */
    KS_FIND_KEYNUM,   /* the key count is at +keynumidx, the keys start at +firstkey */
    KS_FIND_UNKNOWN,
} CmdFindKeysType;

typedef struct CmdFindKeys {
    CmdFindKeysType type;
    int lastkey;   /* range */
    int keystep;   /* range and keynum */
    int limit;     /* range with lastkey -1: use only 1/limit of the remaining arguments */
    int keynumidx; /* keynum */
    int firstkey;  /* keynum */
} CmdFindKeys;

typedef struct CmdKeySpec {
    const char *flags; /* "RW access update": Redis's key-spec flag names; NULL ends the list */
    CmdBeginSearch begin;
    CmdFindKeys find;
    const char *notes; /* Redis's note on the spec, or NULL */
} CmdKeySpec;

#define CMD_META_MAX_KEY_SPECS 4

typedef struct CmdMeta {
    const char *name; /* full name, lower case: "get", "config|get" */
    const char *acl;  /* ACL categories: "@write @string @slow" */
    const char *tips; /* command tips in Redis's order, space-separated, or NULL */
    CmdKeySpec key_specs[CMD_META_MAX_KEY_SPECS]; /* in Redis's order; unused: flags NULL */
    const char *complexity;                       /* COMMAND DOCS's "complexity", or NULL */
} CmdMeta;

/* The row for a full name (exact, lower case), or NULL when the command has none. */
const CmdMeta *command_meta_lookup(const char *fullname);
/* How many key specs a row has (the used prefix of key_specs). */
size_t command_meta_key_spec_count(const CmdMeta *m);
/* Every row, for tests: *n receives the count. */
const CmdMeta *command_meta_all(size_t *n);

#endif
