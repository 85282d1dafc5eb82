/* config.h - the declarative option engine shared by both programs.
 *
 * Each program declares one table of CfgOption. Each entry names a Redis option, its type,
 * flags, the INI section it belongs to (used when CONFIG REWRITE adds it), where it is
 * stored (an offset into a base struct, so the sentinel can point the same table at each
 * monitor), default, bounds, and an optional apply hook. Everything walks the table:
 *   cfg_defaults        store every default
 *   cfg_load_file       INI via inih, errors "file:line: message"
 *   cfg_apply_args      --name value [value...] overrides (words up to the next --name)
 *   cfg_set             one option from text (CONFIG SET, overrides, the INI loader)
 *   cfg_set_many        several pairs at once, all or nothing (CONFIG SET a 1 b 2)
 *   cfg_format          current value as Redis's CONFIG GET prints it
 *   cfg_rewrite         write values back into the INI file, keeping comments and order
 *
 * Value syntax is Redis's: yes/no for booleans (case-insensitive), memory units for bytes
 * (1k = 1000, 1kb = 1024, m/mb, g/gb, also negative where bounds allow), enums by name,
 * multi-word values for CFG_MULTI_ARG options ("save 3600 1 300 100"). Setters return NULL
 * or a static message; callers add the context (file:line, or "ERR" for CONFIG SET).
 *
 * Messages are Redis 7.0's own texts ("argument must be between 0 and 65535 inclusive",
 * "argument couldn't be parsed into an integer", "argument must be a memory value",
 * "argument must be 'yes' or 'no'", "argument(s) must be one of the following: a, b",
 * "wrong number of arguments"). Those that need formatting live in a per-thread buffer valid
 * until the next cfg_* call on the same thread: copy them before calling again.
 *
 * Values as each source delivers them:
 *   INI       `name = value`; one pair of surrounding double quotes is stripped from a
 *             single-word value (`save = ""`, `requirepass = "a b"`, no escapes); MULTI_ARG
 *             values are split with Redis's quoting rules (resp_split_args). inih strips an
 *             inline comment (';' after a blank), so no value can contain a blank then ';'.
 *   argv      `--name w1 w2 ...` up to the next word starting with "--".
 *   CONFIG    one argument; MULTI_ARG values are split like the INI ones.
 * A MULTI_ARG value that is a single empty word (`--save ""`) reaches parsers as argc == 0.
 * Custom parsers must leave the stored value untouched when they fail; format and parse
 * must round-trip (restoring a value after a refused CONFIG SET goes through them). */
#ifndef VIGIL_COMMON_CONFIG_H
#define VIGIL_COMMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef enum CfgType {
    CFG_T_BOOL,   /* int (0/1) field, "yes"/"no" */
    CFG_T_INT,    /* long long field, decimal, within [min, max] */
    CFG_T_BYTES,  /* long long field, memory units, within [min, max] */
    CFG_T_ENUM,   /* int field, one of names[] */
    CFG_T_FLAGS,  /* int field, several of names[] separated by spaces, OR-ed */
    CFG_T_STRING, /* char * field (mem_strdup'd, NULL when empty and nullable) */
    CFG_T_CUSTOM, /* parse/format callbacks own the storage */
    CFG_T_END,
} CfgType;

enum {
    CFG_MUTABLE = 0,
    CFG_IMMUTABLE = 1 << 0, /* CONFIG SET refuses: "can't set immutable config" */
    CFG_MULTI_ARG = 1 << 1, /* value is several words (save, replicaof, bind) */
    CFG_SENSITIVE = 1 << 2, /* never logged (requirepass, masterauth) */
    CFG_HIDDEN = 1 << 3,    /* not listed by CONFIG GET * (debug knobs) */
    CFG_NULLABLE = 1 << 4,  /* strings: "" stores NULL */
    CFG_PROTECTED = 1 << 5, /* CONFIG SET only when enable-protected-configs (dir, ...) */
};

typedef struct CfgEnum {
    const char *name;
    int value;
} CfgEnum;

struct CfgOption;
/* Custom parse: argv are the value's words (one word unless CFG_MULTI_ARG). Returns NULL or
 * a static error message. `base` is the struct the table stores into. */
typedef const char *(*CfgParseFn)(void *base, const struct CfgOption *opt, int argc,
                                  char **argv);
/* Custom format: append the current value as CONFIG GET shows it. */
typedef void (*CfgFormatFn)(void *base, const struct CfgOption *opt, Buf *out);
/* Runs after a successful set (at start-up too, once the whole config is loaded, when
 * cfg_run_apply_hooks is called). Returns NULL or an error; on error CONFIG SET restores the
 * previous value. */
typedef const char *(*CfgApplyFn)(void *base, const struct CfgOption *opt);

typedef struct CfgOption {
    const char *name;
    const char *alias; /* old name also accepted (slaveof for replicaof), or NULL */
    CfgType type;
    unsigned flags;
    const char *section; /* INI section where CONFIG REWRITE adds it */
    size_t offset;       /* field offset in the base struct */
    long long def;       /* default for BOOL/INT/BYTES/ENUM/FLAGS */
    const char *def_str; /* default for STRING/CUSTOM (parsed at cfg_defaults) */
    long long min, max;
    const CfgEnum *names;
    CfgParseFn parse;
    CfgFormatFn format;
    CfgApplyFn apply;
} CfgOption;

/* clang-format off */
#define CFG_BOOL(n, fl, sec, st, fld, d, ap) \
    {.name = n, .type = CFG_T_BOOL, .flags = fl, .section = sec, \
     .offset = offsetof(st, fld), .def = d, .min = 0, .max = 1, .apply = ap}
#define CFG_INT(n, fl, sec, st, fld, d, lo, hi, ap) \
    {.name = n, .type = CFG_T_INT, .flags = fl, .section = sec, \
     .offset = offsetof(st, fld), .def = d, .min = lo, .max = hi, .apply = ap}
#define CFG_BYTES(n, fl, sec, st, fld, d, lo, hi, ap) \
    {.name = n, .type = CFG_T_BYTES, .flags = fl, .section = sec, \
     .offset = offsetof(st, fld), .def = d, .min = lo, .max = hi, .apply = ap}
#define CFG_ENUM(n, fl, sec, st, fld, d, nm, ap) \
    {.name = n, .type = CFG_T_ENUM, .flags = fl, .section = sec, \
     .offset = offsetof(st, fld), .def = d, .names = nm, .apply = ap}
#define CFG_FLAGS(n, fl, sec, st, fld, d, nm, ap) \
    {.name = n, .type = CFG_T_FLAGS, .flags = fl, .section = sec, \
     .offset = offsetof(st, fld), .def = d, .names = nm, .apply = ap}
#define CFG_STRING(n, fl, sec, st, fld, d, ap) \
    {.name = n, .type = CFG_T_STRING, .flags = fl, .section = sec, \
     .offset = offsetof(st, fld), .def_str = d, .apply = ap}
#define CFG_CUSTOM(n, fl, sec, d, ps, fm, ap) \
    {.name = n, .type = CFG_T_CUSTOM, .flags = fl, .section = sec, \
     .def_str = d, .parse = ps, .format = fm, .apply = ap}
#define CFG_END {.name = NULL, .type = CFG_T_END}
/* clang-format on */

typedef struct CfgTable {
    const CfgOption *options; /* ends with CFG_END */
    void *base;               /* struct the offsets point into */
} CfgTable;

const CfgOption *cfg_find(const CfgTable *t, const char *name);

/* Store every default (no apply hooks run). STRING fields already set are freed, so `base`
 * must be zeroed or previously filled by cfg_*. A def_str a parser refuses is logged. */
void cfg_defaults(const CfgTable *t);

/* Check the table itself (for unit tests of each program's table): names and aliases unique
 * (case-insensitive), numeric defaults within [min, max], enum/flags defaults among names,
 * custom entries have parse and format. 0, or -1 with one line per problem in err. */
int cfg_check_table(const CfgTable *t, Buf *err);

/* Set one option from its textual value (words already split for MULTI_ARG options).
 * Runs the apply hook when run_apply is true, restoring the old value if it refuses.
 * Returns NULL or a static message. Does not check CFG_IMMUTABLE (callers do). */
const char *cfg_set_argv(const CfgTable *t, const CfgOption *o, int argc, char **argv,
                         bool run_apply);
/* Same from one string; MULTI_ARG values are split with Redis's quoting rules
 * ("unbalanced quotes" when they do not close). */
const char *cfg_set_str(const CfgTable *t, const CfgOption *o, const char *value,
                        bool run_apply);
/* Same from an INI value as inih hands it over (quotes stripped or words split as described
 * at the top); no apply hook. For section hooks that store through their own table. */
const char *cfg_set_ini_value(const CfgTable *t, const CfgOption *o, const char *value);

/* CONFIG SET name value [name value ...] (argv starts at the first name): all or nothing.
 * Returns 0, or -1 with Redis 7.0's error text appended to errbuf WITHOUT the "ERR " prefix;
 * the caller replies "-ERR <errbuf>". Checks, in Redis's order:
 *   argc == 0      "wrong number of arguments for 'config|set' command"
 *   argc odd       "syntax error"
 *   then for each pair, as given (names quoted as the client spelled them):
 *     unknown      "Unknown option or number of arguments for CONFIG SET - 'name'"
 *     immutable    "CONFIG SET failed (possibly related to argument 'name') - can't set
 *                   immutable config"
 *     protected    "... - can't set protected config" (see cfg_set_many_ex)
 *     repeated     "... - duplicate parameter" (an alias counts as the same option)
 *   then every value is parsed and stored, then every apply hook runs, in argument order;
 *   a failure of either gives "CONFIG SET failed (possibly related to argument 'name') -
 *   <message>" with the name lower-cased, and every option is restored to its previous
 *   value (hooks that already ran are re-run on the restored values). */
int cfg_set_many(const CfgTable *t, int argc, char **argv, Buf *errbuf);
/* Same; allow_protected lets CFG_PROTECTED options through (enable-protected-configs yes, or
 * "local" and the client is local). cfg_set_many refuses them. */
int cfg_set_many_ex(const CfgTable *t, int argc, char **argv, bool allow_protected,
                    Buf *errbuf);

/* Current value as CONFIG GET prints it (yes/no, bytes as a plain number, enums by name). */
void cfg_format(const CfgTable *t, const CfgOption *o, Buf *out);

/* Load an INI file. On error returns -1 with "path:line: message" in err. Unknown options,
 * bad values and unreadable files are errors; a section name is free text for people. The
 * sentinel passes a section hook for [monitor NAME] sections: called for every key of a
 * section that starts with `section_prefix` (case-insensitive), with the value as inih gives
 * it (quotes kept: see cfg_set_ini_value); return NULL or an error message. No apply hooks
 * run; a repeated option keeps its last value; the first error stops the load. Messages:
 *   "path: cannot open: <strerror>"
 *   "path:N: unknown option 'name'"
 *   "path:N: invalid value 'v' for 'name': <parser message>"   (v is "(hidden)" if SENSITIVE)
 *   "path:N: line too long (more than 199 characters)"          (inih's 200-byte buffer)
 *   "path:N: syntax error (expected 'name = value' or '[section]')"
 *   "path:N: <section hook message>" */
typedef const char *(*CfgSectionFn)(void *ud, const char *section, const char *name,
                                    const char *value);
int cfg_load_file(const CfgTable *t, const char *path, const char *section_prefix,
                  CfgSectionFn section_fn, void *ud, Buf *err);

/* Apply "--name value ..." overrides from argv[first..argc). Returns 0, or -1 with
 * "option 'name' (command line): message" in err, message being "unknown option",
 * "expects exactly one value, got N", "expected --name value" (a word where a --name should
 * be) or the parser's message. Flags that are not options (--help, --version,
 * --check-config) are left for the caller: it removes them before calling. No apply hooks. */
int cfg_apply_args(const CfgTable *t, int argc, char **argv, int first, Buf *err);

/* Removes every `flag` word (e.g. "--check-config", which may appear anywhere) from argv,
 * shifting the rest down; returns whether it was there. */
bool cfg_take_flag(int *argc, char **argv, const char *flag);

/* Run every apply hook once, in table order (after load + overrides). -1 with
 * "option 'name': <hook message>" in err on the first refusal. */
int cfg_run_apply_hooks(const CfgTable *t, Buf *err);

/* Rewrite the INI file at path with the current values: lines of known options get their
 * new value in place (comments and order kept), options set away from their default and not
 * in the file are appended to their section (created at the end if missing); the file is
 * written to a temporary, fsynced and renamed. Returns 0 or -errno with a message in err.
 * Details: a rewritten line becomes "name = value" under the canonical name, keeping its
 * indentation and a trailing " ; comment"; later lines of the same option are dropped;
 * single-word values are double-quoted when empty or holding blanks, quotes, ';' or '#';
 * MULTI_ARG values are written as formatted ("" when empty); sensitive options are written
 * too (as Redis does); options with no section go before the first [section]; a custom
 * option counts as default when its formatted value has the words of def_str. A value with
 * a newline, or a blank followed by ';', cannot be read back: -EINVAL, file untouched.
 * A missing file is created; a symlink is followed. */
int cfg_rewrite(const CfgTable *t, const char *path, Buf *err);
/* Same, leaving every line of sections whose name starts with skip_prefix as it is (the
 * sentinel's [monitor NAME] sections, whose option names overlap the program's). */
int cfg_rewrite_ex(const CfgTable *t, const char *path, const char *skip_prefix, Buf *err);

/* Parsing helpers shared with commands and the sentinel. */
/* Redis memtoll rules: "1gb" -> 1073741824, "1g" -> 1e9, "-1" ok; false on garbage. */
bool cfg_parse_bytes(const char *s, long long *out);
/* yes/no (case-insensitive) -> 1/0; -1 otherwise. */
int cfg_parse_yesno(const char *s);

#endif
