/* config.c - the option engine behind both programs' option tables.
 *
 * Everything here walks a CfgTable (config.h): typed parsing with Redis 7.0's rules and error
 * texts, the INI loader (inih), "--name value" overrides, CONFIG SET's all-or-nothing
 * semantics, CONFIG GET formatting and CONFIG REWRITE.
 *
 * Invariants:
 *   - a failed parse never changes the stored value (custom parsers promise the same), so
 *     undoing a CONFIG SET only concerns the options that were really changed;
 *   - messages are static strings, or live in msg_buf (per thread) when they need
 *     formatting (bounds, enum lists); callers copy them before the next cfg_* call;
 *   - the INI reader hands inih one line at a time, its leading blanks removed: that counts
 *     lines for error messages, refuses lines longer than inih's buffer instead of letting
 *     inih cut them in two, and keeps inih's multi-line continuation from gluing an indented
 *     line onto the previous value.
 * Deliberately elsewhere: the option tables (server/, sentinel/), the CONFIG command itself
 * (reply shapes, GET patterns, CFG_HIDDEN filtering) and the apply hooks. */
#include "common/config.h"

#include "common/log.h"
#include "common/mem.h"
#include "common/resp_reader.h"

#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Redis 7.0's texts (config.c of redis, as CONFIG SET prints them). */
#define MSG_INT    "argument couldn't be parsed into an integer"
#define MSG_BOOL   "argument must be 'yes' or 'no'"
#define MSG_MEMORY "argument must be a memory value"
#define MSG_ARGC   "wrong number of arguments"
#define MSG_QUOTES "unbalanced quotes"

static _Thread_local char msg_buf[1024];

static const char *msg_printf(const char *fmt, ...) VG_PRINTF(1, 2);

static const char *msg_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg_buf, sizeof(msg_buf), fmt, ap);
    va_end(ap);
    return msg_buf;
}

static void *field(const CfgTable *t, const CfgOption *o) {
    return (char *)t->base + o->offset;
}

static bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* ---- words: a MULTI_ARG value split into NUL-terminated strings ---- */

typedef struct Words {
    int argc;
    char **argv;
} Words;

/* Split with Redis's quoting rules; -1 on unbalanced quotes. */
static int words_split(const char *s, Words *w) {
    RespArg *args = NULL;
    int n = resp_split_args(s, strlen(s), &args);
    if (n < 0) {
        w->argc = 0;
        w->argv = NULL;
        return -1;
    }
    w->argc = n;
    w->argv = mem_alloc(sizeof(char *) * ((size_t)n + 1));
    for (int i = 0; i < n; i++)
        w->argv[i] = mem_strndup(args[i].ptr, args[i].len);
    w->argv[n] = NULL;
    resp_split_free(args, n);
    return 0;
}

static void words_free(Words *w) {
    for (int i = 0; i < w->argc; i++)
        mem_free(w->argv[i]);
    mem_free(w->argv);
    w->argv = NULL;
    w->argc = 0;
}

/* Same sequence of blank-separated words (custom defaults vs their formatted value). */
static bool words_equal(const char *a, const char *b) {
    for (;;) {
        while (is_blank(*a))
            a++;
        while (is_blank(*b))
            b++;
        if (!*a || !*b) return !*a && !*b;
        size_t la = 0, lb = 0;
        while (a[la] && !is_blank(a[la]))
            la++;
        while (b[lb] && !is_blank(b[lb]))
            lb++;
        if (la != lb || memcmp(a, b, la) != 0) return false;
        a += la;
        b += lb;
    }
}

/* ---- number parsing ---- */

/* Strict decimal as Redis's string2ll: optional '-', no '+', no blanks, no leading zeros
 * ("0" alone is fine, "-0" is not), within long long. */
static bool parse_strict_ll(const char *s, long long *out) {
    bool neg = *s == '-';
    const char *p = neg ? s + 1 : s;
    if (!neg && p[0] == '0' && p[1] == '\0') {
        *out = 0;
        return true;
    }
    if (*p < '1' || *p > '9') return false;
    unsigned long long limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    unsigned long long v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        unsigned d = (unsigned)(*p - '0');
        if (v > (limit - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = neg ? (long long)(0 - v) : (long long)v;
    return true;
}

static const struct {
    const char *suffix;
    long long mul;
} mem_units[] = {
    {"", 1},
    {"b", 1},
    {"k", 1000},
    {"kb", 1024},
    {"m", 1000 * 1000},
    {"mb", 1024 * 1024},
    {"g", 1000LL * 1000 * 1000},
    {"gb", 1024LL * 1024 * 1024},
};

/* Redis's memtoll, except that overflow is refused instead of wrapping: "-"? digits* unit?,
 * leading zeros allowed, no digits means 0 ("" and "k" are 0, as in Redis). */
bool cfg_parse_bytes(const char *s, long long *out) {
    bool neg = *s == '-';
    const char *p = neg ? s + 1 : s;
    const char *digits = p;
    while (*p >= '0' && *p <= '9')
        p++;
    size_t ndigits = (size_t)(p - digits);
    long long mul = 0;
    for (size_t i = 0; i < VG_ARRAY_LEN(mem_units); i++) {
        if (strcasecmp(p, mem_units[i].suffix) == 0) mul = mem_units[i].mul;
    }
    if (mul == 0 || (neg && ndigits == 0)) return false;
    unsigned long long limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    unsigned long long v = 0;
    for (size_t i = 0; i < ndigits; i++) {
        unsigned d = (unsigned)(digits[i] - '0');
        if (v > (limit - d) / 10) return false;
        v = v * 10 + d;
    }
    if (v > limit / (unsigned long long)mul) return false;
    v *= (unsigned long long)mul;
    *out = neg ? (long long)(0 - v) : (long long)v;
    return true;
}

int cfg_parse_yesno(const char *s) {
    if (strcasecmp(s, "yes") == 0) return 1;
    if (strcasecmp(s, "no") == 0) return 0;
    return -1;
}

/* ---- typed parsers: validate first, store only on success ---- */

static const char *check_bounds(const CfgOption *o, long long v) {
    if (v >= o->min && v <= o->max) return NULL;
    return msg_printf("argument must be between %lld and %lld inclusive", o->min, o->max);
}

static const char *enum_error(const CfgOption *o) {
    size_t n = 0;
    n += (size_t)snprintf(msg_buf, sizeof(msg_buf), "argument(s) must be one of the following: ");
    for (const CfgEnum *e = o->names; e && e->name && n < sizeof(msg_buf); e++) {
        n += (size_t)snprintf(msg_buf + n, sizeof(msg_buf) - n, "%s%s", e == o->names ? "" : ", ",
                              e->name);
    }
    return msg_buf;
}

static const CfgEnum *enum_lookup(const CfgEnum *names, const char *s, size_t len) {
    for (const CfgEnum *e = names; e && e->name; e++) {
        if (strlen(e->name) == len && strncasecmp(e->name, s, len) == 0) return e;
    }
    return NULL;
}

static const char *parse_int(const CfgTable *t, const CfgOption *o, const char *s) {
    long long v;
    if (!parse_strict_ll(s, &v)) return MSG_INT;
    const char *err = check_bounds(o, v);
    if (err) return err;
    *(long long *)field(t, o) = v;
    return NULL;
}

static const char *parse_bytes(const CfgTable *t, const CfgOption *o, const char *s) {
    long long v;
    if (s[0] == '-' && o->min >= 0) return MSG_MEMORY; /* Redis refuses before bounds */
    if (!cfg_parse_bytes(s, &v)) return MSG_MEMORY;
    const char *err = check_bounds(o, v);
    if (err) return err;
    *(long long *)field(t, o) = v;
    return NULL;
}

static const char *parse_enum(const CfgTable *t, const CfgOption *o, const char *s) {
    const CfgEnum *e = enum_lookup(o->names, s, strlen(s));
    if (!e) return enum_error(o);
    *(int *)field(t, o) = e->value;
    return NULL;
}

/* Blank-separated names, OR-ed; "" is 0. */
static const char *parse_flags(const CfgTable *t, const CfgOption *o, const char *s) {
    int v = 0;
    for (;;) {
        while (is_blank(*s))
            s++;
        if (!*s) break;
        size_t len = 0;
        while (s[len] && !is_blank(s[len]))
            len++;
        const CfgEnum *e = enum_lookup(o->names, s, len);
        if (!e) return enum_error(o);
        v |= e->value;
        s += len;
    }
    *(int *)field(t, o) = v;
    return NULL;
}

static const char *parse_string(const CfgTable *t, const CfgOption *o, const char *s) {
    char **slot = field(t, o);
    char *nv = (s[0] == '\0' && (o->flags & CFG_NULLABLE)) ? NULL : mem_strdup(s);
    mem_free(*slot);
    *slot = nv;
    return NULL;
}

static const char *parse_one(const CfgTable *t, const CfgOption *o, const char *s) {
    switch (o->type) {
    case CFG_T_BOOL: {
        int b = cfg_parse_yesno(s);
        if (b < 0) return MSG_BOOL;
        *(int *)field(t, o) = b;
        return NULL;
    }
    case CFG_T_INT: return parse_int(t, o, s);
    case CFG_T_BYTES: return parse_bytes(t, o, s);
    case CFG_T_ENUM: return parse_enum(t, o, s);
    case CFG_T_FLAGS: return parse_flags(t, o, s);
    case CFG_T_STRING: return parse_string(t, o, s);
    case CFG_T_CUSTOM:
    case CFG_T_END: break;
    }
    return "not a settable option";
}

/* Parse and store, without apply hooks. Built-in types given several words (MULTI_ARG) see
 * them joined by single spaces. */
static const char *parse_value(const CfgTable *t, const CfgOption *o, int argc, char **argv) {
    bool multi = (o->flags & CFG_MULTI_ARG) != 0;
    if (!multi && argc != 1) return MSG_ARGC;
    if (o->type == CFG_T_CUSTOM) return o->parse(t->base, o, argc, argv);
    if (!multi) return parse_one(t, o, argv[0]);
    Buf joined = BUF_INIT;
    for (int i = 0; i < argc; i++) {
        if (i) buf_append_char(&joined, ' ');
        buf_append_str(&joined, argv[i]);
    }
    const char *err = parse_one(t, o, buf_cstr(&joined));
    buf_deinit(&joined);
    return err;
}

/* ---- snapshots, to undo a set ---- */

typedef struct CfgSaved {
    long long num;
    char *str; /* STRING: copy of the value (NULL stays NULL); CUSTOM: its formatted text */
} CfgSaved;

static void saved_take(const CfgTable *t, const CfgOption *o, CfgSaved *s) {
    s->num = 0;
    s->str = NULL;
    switch (o->type) {
    case CFG_T_BOOL:
    case CFG_T_ENUM:
    case CFG_T_FLAGS: s->num = *(int *)field(t, o); break;
    case CFG_T_INT:
    case CFG_T_BYTES: s->num = *(long long *)field(t, o); break;
    case CFG_T_STRING: {
        char *cur = *(char **)field(t, o);
        s->str = cur ? mem_strdup(cur) : NULL;
        break;
    }
    case CFG_T_CUSTOM: {
        Buf b = BUF_INIT;
        o->format(t->base, o, &b);
        s->str = buf_steal(&b, NULL);
        break;
    }
    case CFG_T_END: break;
    }
}

static void saved_drop(CfgSaved *s) {
    mem_free(s->str);
    s->str = NULL;
}

/* Put the snapshot back (no hooks) and release it. */
static void saved_restore(const CfgTable *t, const CfgOption *o, CfgSaved *s) {
    switch (o->type) {
    case CFG_T_BOOL:
    case CFG_T_ENUM:
    case CFG_T_FLAGS: *(int *)field(t, o) = (int)s->num; break;
    case CFG_T_INT:
    case CFG_T_BYTES: *(long long *)field(t, o) = s->num; break;
    case CFG_T_STRING: {
        char **slot = field(t, o);
        mem_free(*slot);
        *slot = s->str;
        s->str = NULL;
        break;
    }
    case CFG_T_CUSTOM: {
        const char *err = cfg_set_str(t, o, s->str, false);
        if (err) log_warn("config: cannot restore the previous value of '%s': %s", o->name, err);
        break;
    }
    case CFG_T_END: break;
    }
    saved_drop(s);
}

/* ---- lookup, defaults, format ---- */

static bool name_is(const CfgOption *o, const char *name) {
    return name &&
           (strcasecmp(o->name, name) == 0 || (o->alias && strcasecmp(o->alias, name) == 0));
}

const CfgOption *cfg_find(const CfgTable *t, const char *name) {
    for (const CfgOption *o = t->options; o->type != CFG_T_END; o++) {
        if (name_is(o, name)) return o;
    }
    return NULL;
}

void cfg_defaults(const CfgTable *t) {
    for (const CfgOption *o = t->options; o->type != CFG_T_END; o++) {
        const char *err = NULL;
        switch (o->type) {
        case CFG_T_BOOL:
        case CFG_T_ENUM:
        case CFG_T_FLAGS: *(int *)field(t, o) = (int)o->def; break;
        case CFG_T_INT:
        case CFG_T_BYTES: *(long long *)field(t, o) = o->def; break;
        case CFG_T_STRING: err = parse_string(t, o, o->def_str ? o->def_str : ""); break;
        case CFG_T_CUSTOM:
            if (o->def_str) err = cfg_set_str(t, o, o->def_str, false);
            break;
        case CFG_T_END: break;
        }
        if (err) log_warn("config: default '%s' of '%s' refused: %s", o->def_str, o->name, err);
    }
}

/* Greedy in table order, so a combined name listed first ("all") wins over its parts. */
static void format_flags(const CfgOption *o, int v, Buf *out) {
    int left = v;
    bool first = true;
    for (const CfgEnum *e = o->names; e && e->name; e++) {
        bool take = e->value == 0 ? v == 0 : (e->value & ~v) == 0 && (e->value & left) != 0;
        if (!take) continue;
        if (!first) buf_append_char(out, ' ');
        buf_append_str(out, e->name);
        first = false;
        left &= ~e->value;
        if (v == 0) break;
    }
}

void cfg_format(const CfgTable *t, const CfgOption *o, Buf *out) {
    switch (o->type) {
    case CFG_T_BOOL: buf_append_str(out, *(int *)field(t, o) ? "yes" : "no"); break;
    case CFG_T_INT:
    case CFG_T_BYTES: buf_printf(out, "%lld", *(long long *)field(t, o)); break;
    case CFG_T_ENUM: {
        int v = *(int *)field(t, o);
        for (const CfgEnum *e = o->names; e && e->name; e++) {
            if (e->value == v) {
                buf_append_str(out, e->name);
                return;
            }
        }
        buf_printf(out, "%d", v);
        break;
    }
    case CFG_T_FLAGS: format_flags(o, *(int *)field(t, o), out); break;
    case CFG_T_STRING: {
        const char *s = *(char **)field(t, o);
        buf_append_str(out, s ? s : "");
        break;
    }
    case CFG_T_CUSTOM: o->format(t->base, o, out); break;
    case CFG_T_END: break;
    }
}

static bool is_default(const CfgTable *t, const CfgOption *o) {
    switch (o->type) {
    case CFG_T_BOOL:
    case CFG_T_ENUM:
    case CFG_T_FLAGS: return *(int *)field(t, o) == o->def;
    case CFG_T_INT:
    case CFG_T_BYTES: return *(long long *)field(t, o) == o->def;
    case CFG_T_STRING: {
        const char *s = *(char **)field(t, o);
        return strcmp(s ? s : "", o->def_str ? o->def_str : "") == 0;
    }
    case CFG_T_CUSTOM: {
        Buf b = BUF_INIT;
        o->format(t->base, o, &b);
        bool same = words_equal(buf_cstr(&b), o->def_str ? o->def_str : "");
        buf_deinit(&b);
        return same;
    }
    case CFG_T_END: break;
    }
    return true;
}

static bool names_clash(const CfgOption *a, const CfgOption *b) {
    return name_is(b, a->name) || name_is(b, a->alias);
}

int cfg_check_table(const CfgTable *t, Buf *err) {
    size_t before = err->len;
    for (const CfgOption *o = t->options; o->type != CFG_T_END; o++) {
        for (const CfgOption *p = t->options; p < o; p++) {
            if (names_clash(o, p))
                buf_printf(err, "'%s': name clashes with '%s'\n", o->name, p->name);
        }
        bool numeric = o->type == CFG_T_BOOL || o->type == CFG_T_INT || o->type == CFG_T_BYTES;
        if (numeric && (o->min > o->max || o->def < o->min || o->def > o->max))
            buf_printf(err, "'%s': default %lld outside [%lld, %lld]\n", o->name, o->def, o->min,
                       o->max);
        if (o->type == CFG_T_ENUM) {
            bool found = false;
            for (const CfgEnum *e = o->names; e && e->name; e++)
                found |= e->value == o->def;
            if (!found) buf_printf(err, "'%s': default %lld is not a name\n", o->name, o->def);
        }
        if (o->type == CFG_T_FLAGS) {
            long long all = 0;
            for (const CfgEnum *e = o->names; e && e->name; e++)
                all |= e->value;
            if (o->def & ~all) buf_printf(err, "'%s': default has unnamed bits\n", o->name);
        }
        if (o->type == CFG_T_CUSTOM && (!o->parse || !o->format))
            buf_printf(err, "'%s': custom option without parse/format\n", o->name);
    }
    return err->len == before ? 0 : -1;
}

/* ---- setting ---- */

const char *
cfg_set_argv(const CfgTable *t, const CfgOption *o, int argc, char **argv, bool run_apply) {
    if ((o->flags & CFG_MULTI_ARG) && argc == 1 && argv[0][0] == '\0') argc = 0;
    if (!run_apply || !o->apply) return parse_value(t, o, argc, argv);
    CfgSaved saved;
    saved_take(t, o, &saved);
    const char *err = parse_value(t, o, argc, argv);
    if (err) {
        saved_drop(&saved);
        return err;
    }
    err = o->apply(t->base, o);
    if (err) {
        saved_restore(t, o, &saved);
        return err;
    }
    saved_drop(&saved);
    return NULL;
}

const char *cfg_set_str(const CfgTable *t, const CfgOption *o, const char *value, bool run_apply) {
    if (!(o->flags & CFG_MULTI_ARG)) {
        char *one = (char *)value;
        return cfg_set_argv(t, o, 1, &one, run_apply);
    }
    Words w;
    if (words_split(value, &w) < 0) return MSG_QUOTES;
    const char *err = cfg_set_argv(t, o, w.argc, w.argv, run_apply);
    words_free(&w);
    return err;
}

const char *cfg_set_ini_value(const CfgTable *t, const CfgOption *o, const char *value) {
    size_t len = strlen(value);
    if ((o->flags & CFG_MULTI_ARG) || len < 2 || value[0] != '"' || value[len - 1] != '"')
        return cfg_set_str(t, o, value, false);
    char *inner = mem_strndup(value + 1, len - 2);
    const char *err = cfg_set_argv(t, o, 1, &inner, false);
    mem_free(inner);
    return err;
}

/* Pass 1 of CONFIG SET: names, immutability, protection, repeats. */
static int set_many_check(const CfgTable *t,
                          int n,
                          char **argv,
                          bool allow_protected,
                          const CfgOption **opts,
                          Buf *errbuf) {
    for (int i = 0; i < n; i++) {
        const char *name = argv[2 * i];
        const CfgOption *o = cfg_find(t, name);
        const char *why = NULL;
        if (!o) {
            buf_printf(errbuf, "Unknown option or number of arguments for CONFIG SET - '%s'", name);
            return -1;
        }
        if (o->flags & CFG_IMMUTABLE)
            why = "can't set immutable config";
        else if ((o->flags & CFG_PROTECTED) && !allow_protected)
            why = "can't set protected config";
        for (int j = 0; j < i && !why; j++) {
            if (opts[j] == o) why = "duplicate parameter";
        }
        if (why) {
            buf_printf(errbuf, "CONFIG SET failed (possibly related to argument '%s') - %s", name,
                       why);
            return -1;
        }
        opts[i] = o;
    }
    return 0;
}

static void set_many_error(Buf *errbuf, const char *name, const char *why) {
    buf_append_str(errbuf, "CONFIG SET failed (possibly related to argument '");
    for (const char *p = name; *p; p++)
        buf_append_char(errbuf, (char)tolower((unsigned char)*p));
    buf_printf(errbuf, "') - %s", why);
}

int cfg_set_many(const CfgTable *t, int argc, char **argv, Buf *errbuf) {
    return cfg_set_many_ex(t, argc, argv, false, errbuf);
}

int cfg_set_many_ex(const CfgTable *t, int argc, char **argv, bool allow_protected, Buf *errbuf) {
    if (argc <= 0) {
        buf_append_str(errbuf, "wrong number of arguments for 'config|set' command");
        return -1;
    }
    if (argc % 2) {
        buf_append_str(errbuf, "syntax error");
        return -1;
    }
    int n = argc / 2, rc = -1, done = 0;
    const CfgOption **opts = mem_calloc(sizeof(*opts) * (size_t)n);
    CfgSaved *saved = mem_calloc(sizeof(*saved) * (size_t)n);
    if (set_many_check(t, n, argv, allow_protected, opts, errbuf) != 0) goto out;
    for (; done < n; done++) {
        saved_take(t, opts[done], &saved[done]);
        const char *err = cfg_set_str(t, opts[done], argv[2 * done + 1], false);
        if (err) {
            set_many_error(errbuf, argv[2 * done], err);
            done++; /* its snapshot is taken: restore it with the others */
            goto undo;
        }
    }
    for (int i = 0; i < n; i++) {
        const char *err = opts[i]->apply ? opts[i]->apply(t->base, opts[i]) : NULL;
        if (!err) continue;
        set_many_error(errbuf, argv[2 * i], err);
        for (int j = 0; j < n; j++)
            saved_restore(t, opts[j], &saved[j]);
        for (int j = 0; j < i; j++) {
            const char *again = opts[j]->apply ? opts[j]->apply(t->base, opts[j]) : NULL;
            if (again)
                log_warn("config: re-applying the previous value of '%s' failed: %s", opts[j]->name,
                         again);
        }
        goto out;
    }
    rc = 0;
    for (int j = 0; j < n; j++)
        saved_drop(&saved[j]);
    goto out;
undo:
    for (int j = 0; j < done; j++)
        saved_restore(t, opts[j], &saved[j]);
out:
    mem_free(saved);
    mem_free(opts);
    return rc;
}

int cfg_run_apply_hooks(const CfgTable *t, Buf *err) {
    for (const CfgOption *o = t->options; o->type != CFG_T_END; o++) {
        const char *why = o->apply ? o->apply(t->base, o) : NULL;
        if (why) {
            buf_printf(err, "option '%s': %s", o->name, why);
            return -1;
        }
    }
    return 0;
}

/* ---- command line ---- */

int cfg_apply_args(const CfgTable *t, int argc, char **argv, int first, Buf *err) {
    int i = first;
    while (i < argc) {
        if (strncmp(argv[i], "--", 2) != 0) {
            buf_printf(err, "option '%s' (command line): expected --name value", argv[i]);
            return -1;
        }
        const char *name = argv[i] + 2;
        int start = ++i;
        while (i < argc && strncmp(argv[i], "--", 2) != 0)
            i++;
        int nwords = i - start;
        const CfgOption *o = cfg_find(t, name);
        if (!o) {
            buf_printf(err, "option '%s' (command line): unknown option", name);
            return -1;
        }
        if (!(o->flags & CFG_MULTI_ARG) && nwords != 1) {
            buf_printf(err, "option '%s' (command line): expects exactly one value, got %d", name,
                       nwords);
            return -1;
        }
        const char *why = cfg_set_argv(t, o, nwords, argv + start, false);
        if (why) {
            buf_printf(err, "option '%s' (command line): %s", name, why);
            return -1;
        }
    }
    return 0;
}

/* ---- INI loading ---- */

typedef struct LoadState {
    const CfgTable *t;
    const char *path;
    FILE *fp;
    int line;
    const char *prefix;
    CfgSectionFn section_fn;
    void *ud;
    Buf *err;
    bool failed;
    int fail_line;
} LoadState;

/* inih's reader: one whole line into str (size num, inih's buffer), leading blanks removed.
 * A line that does not fit is an error, not two lines. Returns NULL at EOF or on error. */
static char *load_read_line(char *str, int num, void *stream) {
    LoadState *st = stream;
    if (st->failed || !fgets(str, num, st->fp)) return NULL;
    st->line++;
    size_t len = strlen(str);
    if (len == (size_t)num - 1 && str[len - 1] != '\n') {
        int c = fgetc(st->fp); /* the newline, if the line fits exactly */
        if (c != EOF && c != '\n') {
            buf_printf(st->err, "%s:%d: line too long (more than %d characters)", st->path,
                       st->line, num - 1);
            st->failed = true;
            st->fail_line = st->line;
            return NULL;
        }
    }
    size_t lead = 0;
    while (str[lead] == ' ' || str[lead] == '\t')
        lead++;
    if (lead) memmove(str, str + lead, len - lead + 1);
    return str;
}

static void load_fail(LoadState *st, const char *fmt, ...) VG_PRINTF(2, 3);

static void load_fail(LoadState *st, const char *fmt, ...) {
    va_list ap;
    buf_printf(st->err, "%s:%d: ", st->path, st->line);
    va_start(ap, fmt);
    buf_vprintf(st->err, fmt, ap);
    va_end(ap);
    st->failed = true;
    st->fail_line = st->line;
}

static int load_handler(void *user, const char *section, const char *name, const char *value) {
    LoadState *st = user;
    if (st->failed) return 1;
    if (st->prefix && st->section_fn && strncasecmp(section, st->prefix, strlen(st->prefix)) == 0) {
        const char *why = st->section_fn(st->ud, section, name, value);
        if (why) load_fail(st, "%s", why);
        return 1;
    }
    const CfgOption *o = cfg_find(st->t, name);
    if (!o) {
        load_fail(st, "unknown option '%s'", name);
        return 1;
    }
    const char *why = cfg_set_ini_value(st->t, o, value);
    if (why) {
        const char *shown = (o->flags & CFG_SENSITIVE) ? "(hidden)" : value;
        load_fail(st, "invalid value '%s' for '%s': %s", shown, name, why);
    }
    return 1;
}

int cfg_load_file(const CfgTable *t,
                  const char *path,
                  const char *section_prefix,
                  CfgSectionFn section_fn,
                  void *ud,
                  Buf *err) {
    FILE *fp = fopen(path, "r");
    if (!fp) {
        buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t err_start = err->len;
    LoadState st = {.t = t,
                    .path = path,
                    .fp = fp,
                    .prefix = section_prefix,
                    .section_fn = section_fn,
                    .ud = ud,
                    .err = err};
    int rc = ini_parse_stream(load_read_line, &st, load_handler, &st);
    if (st.failed && rc > 0 && rc < st.fail_line) { /* inih met a bad line first */
        err->len = err_start;
        st.failed = false;
    }
    if (!st.failed && ferror(fp)) {
        buf_printf(err, "%s: read error: %s", path, strerror(errno));
        st.failed = true;
    }
    fclose(fp);
    if (st.failed) return -1;
    if (rc > 0) {
        buf_printf(err, "%s:%d: syntax error (expected 'name = value' or '[section]')", path, rc);
        return -1;
    }
    if (rc < 0) {
        buf_printf(err, "%s: cannot parse (inih error %d)", path, rc);
        return -1;
    }
    return 0;
}

/* ---- CONFIG REWRITE ---- */

typedef enum RwKind {
    RW_KEEP,   /* written as it was */
    RW_OPTION, /* first line of a known option: rewritten with the current value */
    RW_DROP,   /* a later line of the same option */
} RwKind;

typedef struct RwLine {
    const char *p; /* into the file's text */
    size_t len;    /* without the newline */
    RwKind kind;
    const CfgOption *opt;
    size_t indent;  /* leading blanks, kept */
    size_t comment; /* start of a trailing inline comment (blanks then ';'), kept; or len */
} RwLine;

typedef struct RwBlock {
    const char *name; /* section name ("" before the first header); not NUL-terminated */
    size_t name_len;
    bool skip;  /* foreign section: never touched */
    int anchor; /* appended options go after this line; -1 = top, -2 = new section */
    Buf added;
} RwBlock;

typedef struct Rewrite {
    const CfgTable *t;
    RwLine *lines;
    int nlines;
    RwBlock *blocks;
    int nblocks;
    int *line_block; /* block of each line */
} Rewrite;

static RwBlock *rw_add_block(Rewrite *rw, const char *name, size_t len) {
    rw->blocks = mem_realloc(rw->blocks, sizeof(RwBlock) * (size_t)(rw->nblocks + 1));
    RwBlock *b = &rw->blocks[rw->nblocks++];
    *b = (RwBlock){.name = name, .name_len = len, .anchor = -1};
    buf_init(&b->added);
    return b;
}

static void rw_split_lines(Rewrite *rw, const char *text, size_t len) {
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    if (len && text[len - 1] != '\n') n++;
    rw->lines = mem_calloc(sizeof(RwLine) * (size_t)(n + 1));
    rw->line_block = mem_calloc(sizeof(int) * (size_t)(n + 1));
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        rw->lines[rw->nlines++] = (RwLine){.p = p, .len = l, .kind = RW_KEEP};
        p += l + (nl ? 1 : 0);
    }
}

/* A "name = value" (or "name: value") line: sets the name (not NUL-terminated) and the inline
 * comment offset as inih would find them. False for anything else. */
static bool rw_parse_pair(RwLine *l, const char **name, size_t *name_len) {
    const char *s = l->p + l->indent, *end = l->p + l->len;
    const char *eq = s;
    while (eq < end && *eq != '=' && *eq != ':')
        eq++;
    if (eq == end) return false;
    const char *ne = eq;
    while (ne > s && is_blank(ne[-1]))
        ne--;
    *name = s;
    *name_len = (size_t)(ne - s);
    l->comment = l->len;
    for (const char *c = eq + 1; c < end; c++) {
        if (*c == ';' && is_blank(c[-1])) {
            const char *b = c;
            while (b > eq + 1 && is_blank(b[-1]))
                b--;
            l->comment = (size_t)(b - l->p);
            break;
        }
    }
    return *name_len > 0;
}

static void rw_classify(Rewrite *rw, const char *skip_prefix, bool *seen) {
    RwBlock *blk = rw_add_block(rw, "", 0);
    int cur = 0;
    for (int i = 0; i < rw->nlines; i++) {
        RwLine *l = &rw->lines[i];
        while (l->indent < l->len && is_blank(l->p[l->indent]))
            l->indent++;
        const char *s = l->p + l->indent;
        size_t rest = l->len - l->indent;
        bool blank_or_comment = rest == 0 || *s == ';' || *s == '#';
        if (!blank_or_comment && *s == '[') {
            const char *close = memchr(s, ']', rest);
            const char *ns = s + 1, *ne = close ? close : s + rest;
            while (ns < ne && is_blank(*ns))
                ns++;
            while (ne > ns && is_blank(ne[-1]))
                ne--;
            blk = rw_add_block(rw, ns, (size_t)(ne - ns));
            cur = rw->nblocks - 1;
            blk->skip = skip_prefix && (size_t)(ne - ns) >= strlen(skip_prefix) &&
                        strncasecmp(ns, skip_prefix, strlen(skip_prefix)) == 0;
            blk->anchor = i;
        }
        rw->line_block[i] = cur;
        blk = &rw->blocks[cur];
        if (blank_or_comment) {
            if (cur == 0 && rest > 0) blk->anchor = i; /* keep a file's top comment on top */
            continue;
        }
        if (*s == '[') continue;
        blk->anchor = i;
        const char *name;
        size_t name_len;
        if (blk->skip || !rw_parse_pair(l, &name, &name_len)) continue;
        char *cname = mem_strndup(name, name_len);
        const CfgOption *o = cfg_find(rw->t, cname);
        mem_free(cname);
        if (!o) continue;
        size_t idx = (size_t)(o - rw->t->options);
        l->kind = seen[idx] ? RW_DROP : RW_OPTION;
        l->opt = o;
        seen[idx] = true;
    }
}

/* Value as it must appear after "name = " so that the loader reads it back unchanged. */
static int rw_format_value(const CfgTable *t, const CfgOption *o, Buf *out, Buf *err) {
    Buf v = BUF_INIT;
    cfg_format(t, o, &v);
    const char *s = buf_cstr(&v);
    int rc = 0;
    bool quote = v.len == 0;
    for (size_t i = 0; i < v.len; i++) {
        if (s[i] == '\n' || s[i] == '\r' || s[i] == '\0' ||
            (s[i] == ';' && i && is_blank(s[i - 1]))) {
            buf_printf(err,
                       "option '%s': its value cannot be written to an INI file "
                       "(newline, NUL, or a blank followed by ';')",
                       o->name);
            rc = -EINVAL;
            goto done;
        }
        if (!(o->flags & CFG_MULTI_ARG) && strchr(" \t\"';#", s[i])) quote = true;
    }
    if (quote) buf_append_char(out, '"');
    buf_append(out, s, v.len);
    if (quote) buf_append_char(out, '"');
done:
    buf_deinit(&v);
    return rc;
}

static int rw_option_line(const CfgTable *t, const CfgOption *o, Buf *out, Buf *err) {
    buf_append_str(out, o->name);
    buf_append_str(out, " = ");
    return rw_format_value(t, o, out, err);
}

/* Options away from their default and absent from the file go to their section's block. */
static int rw_collect_missing(Rewrite *rw, const bool *seen, Buf *err) {
    for (const CfgOption *o = rw->t->options; o->type != CFG_T_END; o++) {
        if (seen[o - rw->t->options] || is_default(rw->t, o)) continue;
        const char *sec = o->section ? o->section : "";
        size_t slen = strlen(sec);
        RwBlock *target = NULL;
        for (int b = 0; b < rw->nblocks && !target; b++) {
            RwBlock *blk = &rw->blocks[b];
            if (!blk->skip && blk->name_len == slen && strncasecmp(blk->name, sec, slen) == 0)
                target = blk;
        }
        if (!target) {
            target = rw_add_block(rw, sec, slen);
            target->anchor = -2;
        }
        if (rw_option_line(rw->t, o, &target->added, err) != 0) return -EINVAL;
        buf_append_char(&target->added, '\n');
    }
    return 0;
}

static int rw_emit(Rewrite *rw, Buf *out, Buf *err) {
    if (rw->blocks[0].anchor == -1)
        buf_append(out, rw->blocks[0].added.data, rw->blocks[0].added.len);
    for (int i = 0; i < rw->nlines; i++) {
        RwLine *l = &rw->lines[i];
        if (l->kind == RW_KEEP) {
            buf_append(out, l->p, l->len);
            buf_append_char(out, '\n');
        } else if (l->kind == RW_OPTION) {
            buf_append(out, l->p, l->indent);
            if (rw_option_line(rw->t, l->opt, out, err) != 0) return -EINVAL;
            buf_append(out, l->p + l->comment, l->len - l->comment);
            buf_append_char(out, '\n');
        }
        RwBlock *blk = &rw->blocks[rw->line_block[i]];
        if (blk->anchor == i) buf_append(out, blk->added.data, blk->added.len);
    }
    for (int b = 0; b < rw->nblocks; b++) {
        RwBlock *blk = &rw->blocks[b];
        if (blk->anchor != -2) continue;
        if (out->len && !(out->len >= 2 && out->data[out->len - 2] == '\n'))
            buf_append_char(out, '\n');
        buf_printf(out, "[%.*s]\n", (int)blk->name_len, blk->name);
        buf_append(out, blk->added.data, blk->added.len);
    }
    return 0;
}

static int read_whole(const char *path, Buf *text, Buf *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        int e = errno;
        buf_printf(err, "%s: cannot open: %s", path, strerror(e));
        return -e;
    }
    for (;;) {
        char *w = buf_reserve(text, 65536);
        ssize_t n = read(fd, w, 65536);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            buf_printf(err, "%s: read error: %s", path, strerror(e));
            close(fd);
            return -e;
        }
        text->len += (size_t)n;
    }
    close(fd);
    return 0;
}

static int write_all(int fd, const char *p, size_t len) {
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fsync_parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? mem_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : mem_strdup(".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    mem_free(dir);
    if (fd < 0) return -errno;
    int rc = fsync(fd) == 0 || errno == EINVAL ? 0 : -errno;
    close(fd);
    return rc;
}

/* Temporary file next to the target, fsync, rename over it, fsync the directory. A symlink
 * is followed so the link stays a link. The mode of an existing file is kept. */
static int write_atomic(const char *path, const Buf *data, Buf *err) {
    char resolved[PATH_MAX];
    const char *target = realpath(path, resolved) ? resolved : path;
    struct stat sb;
    mode_t mode = stat(target, &sb) == 0 ? (sb.st_mode & 07777) : 0644;
    Buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.tmp-%ld", target, (long)getpid());
    const char *tmp_path = buf_cstr(&tmp);
    const char *what = "create";
    int rc = 0;
    int fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        rc = -errno;
        goto fail;
    }
    what = "write";
    if ((rc = write_all(fd, data->data, data->len)) != 0) goto fail;
    what = "fsync";
    if (fsync(fd) != 0) {
        rc = -errno;
        goto fail;
    }
    close(fd);
    fd = -1;
    what = "rename";
    if (rename(tmp_path, target) != 0) {
        rc = -errno;
        goto fail;
    }
    if ((rc = fsync_parent_dir(target)) != 0) {
        buf_printf(err, "%s: cannot fsync its directory: %s", path, strerror(-rc));
        buf_deinit(&tmp);
        return rc;
    }
    buf_deinit(&tmp);
    return 0;
fail:
    buf_printf(err, "%s: cannot %s %s: %s", path, what, tmp_path, strerror(-rc));
    if (fd >= 0) close(fd);
    unlink(tmp_path);
    buf_deinit(&tmp);
    return rc;
}

int cfg_rewrite_ex(const CfgTable *t, const char *path, const char *skip_prefix, Buf *err) {
    Buf text = BUF_INIT, out = BUF_INIT;
    size_t nopts = 0;
    while (t->options[nopts].type != CFG_T_END)
        nopts++;
    bool *seen = mem_calloc(sizeof(bool) * (nopts + 1));
    Rewrite rw = {.t = t};
    int rc = read_whole(path, &text, err);
    if (rc != 0) goto out;
    rw_split_lines(&rw, text.data, text.len);
    rw_classify(&rw, skip_prefix, seen);
    if ((rc = rw_collect_missing(&rw, seen, err)) != 0) goto out;
    if ((rc = rw_emit(&rw, &out, err)) != 0) goto out;
    rc = write_atomic(path, &out, err);
out:
    for (int b = 0; b < rw.nblocks; b++)
        buf_deinit(&rw.blocks[b].added);
    mem_free(rw.blocks);
    mem_free(rw.lines);
    mem_free(rw.line_block);
    mem_free(seen);
    buf_deinit(&out);
    buf_deinit(&text);
    return rc;
}

int cfg_rewrite(const CfgTable *t, const char *path, Buf *err) {
    return cfg_rewrite_ex(t, path, NULL, err);
}

bool cfg_take_flag(int *argc, char **argv, const char *flag) {
    bool found = false;
    int j = 0;
    for (int i = 0; i < *argc; i++) {
        if (!strcmp(argv[i], flag))
            found = true;
        else
            argv[j++] = argv[i];
    }
    *argc = j;
    return found;
}
