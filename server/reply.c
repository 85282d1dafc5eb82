/* reply.c - reply helpers over common/resp_writer and the error counters (see reply.h). */
#include "server/reply.h"

#include "common/mem.h"
#include "common/resp_writer.h"
#include "common/util.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/server.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* errorstats: a small table of prefixes (there are few distinct ones). Redis stops adding
 * new prefixes past 128 so that random error texts cannot grow memory without bound. */
#define ERRSTATS_MAX 128
typedef struct ErrStat {
    char prefix[32];
    long long count;
} ErrStat;
static ErrStat errstats[ERRSTATS_MAX];
static int nerrstats;
static long long error_replies;

static void count_error(const char *msg, size_t len) {
    size_t plen = 0;
    while (plen < len && msg[plen] != ' ' && plen < 31) plen++;
    error_replies++;
    srv.stats.total_error_replies++;
    for (int i = 0; i < nerrstats; i++) {
        if (strlen(errstats[i].prefix) == plen && !memcmp(errstats[i].prefix, msg, plen)) {
            errstats[i].count++;
            return;
        }
    }
    if (nerrstats == ERRSTATS_MAX) return;
    memcpy(errstats[nerrstats].prefix, msg, plen);
    errstats[nerrstats].prefix[plen] = '\0';
    errstats[nerrstats].count = 1;
    nerrstats++;
}

long long reply_error_count(void) {
    return error_replies;
}

void reply_errorstats_format(Buf *out) {
    for (int i = 0; i < nerrstats; i++)
        buf_printf(out, "errorstat_%s:count=%lld\r\n", errstats[i].prefix, errstats[i].count);
}

void reply_errorstats_reset(void) {
    nerrstats = 0;
}

void reply_ok(Client *c) {
    resp_simple(&c->out, "OK", 2);
}

void reply_simple(Client *c, const char *s) {
    resp_simple(&c->out, s, strlen(s));
}

static void reply_error_len(Client *c, const char *msg, size_t len) {
    count_error(msg, len);
    resp_error(&c->out, msg, len); /* the writer turns CR/LF into spaces: one line always */
}

void reply_error_rewrap(Client *c, size_t mark, const char *prefix) {
    if (mark >= c->out.len || c->out.data[mark] != '-') return;
    char msg[1024];
    size_t len = c->out.len - mark - 3; /* without '-' and CRLF */
    const char *text = c->out.data + mark + 1;
    /* Uncount the error being replaced: only the new one is a reply the client sees. */
    size_t plen = 0;
    while (plen < len && text[plen] != ' ' && plen < 31) plen++;
    for (int i = 0; i < nerrstats; i++) {
        if (strlen(errstats[i].prefix) == plen && !memcmp(errstats[i].prefix, text, plen)) {
            if (--errstats[i].count == 0 && i == nerrstats - 1) nerrstats--;
            break;
        }
    }
    error_replies--;
    srv.stats.total_error_replies--;
    if (len >= 4 && !memcmp(text, "ERR ", 4)) text += 4, len -= 4;
    int n = snprintf(msg, sizeof(msg), "%s%.*s", prefix, (int)len, text);
    c->out.len = mark;
    reply_error_len(c, msg, VG_MIN((size_t)n, sizeof(msg) - 1));
}

void reply_error(Client *c, const char *msg) {
    reply_error_len(c, msg, strlen(msg));
}

/* Formatted errors may carry client bytes: like Redis, CR/LF at either end are trimmed
 * before the writer turns inner ones into spaces. */
void reply_error_fmt(Client *c, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof(msg)) n = sizeof(msg) - 1;
    const char *p = msg;
    size_t len = (size_t)n;
    while (len && (*p == '\r' || *p == '\n')) p++, len--;
    while (len && (p[len - 1] == '\r' || p[len - 1] == '\n')) len--;
    reply_error_len(c, p, len);
}

void reply_int(Client *c, long long v) {
    resp_int(&c->out, v);
}

void reply_bulk(Client *c, const char *s, size_t len) {
    resp_bulk(&c->out, s, len);
}

void reply_bulk_cstr(Client *c, const char *s) {
    if (!s)
        resp_null(&c->out, c->resp);
    else
        resp_bulk(&c->out, s, strlen(s));
}

void reply_bulk_arg(Client *c, const RespArg *a) {
    resp_bulk(&c->out, a->ptr, a->len);
}

void reply_bulk_ll(Client *c, long long v) {
    resp_bulk_ll(&c->out, v);
}

void reply_null(Client *c) {
    resp_null(&c->out, c->resp);
}

void reply_null_array(Client *c) {
    resp_null_array(&c->out, c->resp);
}

void reply_array(Client *c, long long n) {
    resp_array(&c->out, n);
}

void reply_map(Client *c, long long n) {
    resp_map(&c->out, c->resp, n);
}

void reply_set(Client *c, long long n) {
    resp_set(&c->out, c->resp, n);
}

void reply_double(Client *c, double d) {
    resp_double(&c->out, c->resp, d);
}

void reply_bool(Client *c, bool v) {
    resp_bool(&c->out, c->resp, v);
}

void reply_verbatim(Client *c, const char *s, size_t len, const char *ext3) {
    resp_verbatim(&c->out, c->resp, ext3, s, len);
}

void reply_empty_array(Client *c) {
    resp_array(&c->out, 0);
}

void reply_proto(Client *c, const char *p, size_t len) {
    buf_append(&c->out, p, len);
}

size_t reply_deferred_begin(Client *c) {
    return resp_deferred_begin(&c->out);
}

void reply_deferred_array(Client *c, size_t handle, long long n) {
    resp_deferred_end(&c->out, handle, '*', n);
}

void reply_deferred_map(Client *c, size_t handle, long long pairs) {
    if (c->resp == 3)
        resp_deferred_end(&c->out, handle, '%', pairs);
    else
        resp_deferred_end(&c->out, handle, '*', pairs * 2);
}

void reply_deferred_set(Client *c, size_t handle, long long n) {
    resp_deferred_end(&c->out, handle, resp_agg_char(c->resp, '~'), n);
}

void reply_wrongtype(Client *c) {
    reply_error(c, ERRT_WRONGTYPE);
}

void reply_syntax_error(Client *c) {
    reply_error(c, ERRT_SYNTAX);
}

void reply_arity_error(Client *c) {
    const char *name = c->cmd ? c->cmd->fullname : "";
    reply_error_fmt(c, "ERR wrong number of arguments for '%s' command", name);
}

/* The command name as Redis prints it in help and error texts: upper case, cut to fit. */
static void command_name_upper(const Client *c, char *out, size_t cap) {
    size_t n = VG_MIN(c->argv[0].len, cap - 1);
    for (size_t i = 0; i < n; i++) {
        char ch = c->argv[0].ptr[i];
        out[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
    }
    out[n] = '\0';
}

void reply_subcommand_error(Client *c) {
    char cmd[64];
    command_name_upper(c, cmd, sizeof(cmd));
    int sublen = (int)VG_MIN(c->argv[1].len, 128);
    reply_error_fmt(c, "ERR unknown subcommand '%.*s'. Try %s HELP.", sublen, c->argv[1].ptr, cmd);
}

void reply_subcommand_syntax_error(Client *c) {
    char cmd[64];
    command_name_upper(c, cmd, sizeof(cmd));
    int sublen = (int)VG_MIN(c->argv[1].len, 128);
    reply_error_fmt(c, "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try %s HELP.",
                    sublen, c->argv[1].ptr, cmd);
}

void reply_help(Client *c, const char *const *lines) {
    char cmd[64];
    command_name_upper(c, cmd, sizeof(cmd));
    long long count = 0;
    while (lines[count]) count++;
    resp_array(&c->out, count + 3); /* header, lines, "HELP" and its description */
    char head[128];
    int hl = snprintf(head, sizeof(head), "%s <subcommand> [<arg> [value] [opt] ...]. "
                      "Subcommands are:", cmd);
    resp_simple(&c->out, head, (size_t)hl);
    for (long long i = 0; i < count; i++) resp_simple(&c->out, lines[i], strlen(lines[i]));
    resp_simple(&c->out, "HELP", 4);
    resp_simple(&c->out, "    Prints this help.", 21);
}

bool arg_is(const RespArg *a, const char *word) {
    size_t n = strlen(word);
    return a->len == n && strncasecmp(a->ptr, word, n) == 0;
}

int arg_to_ll_or_reply(Client *c, const RespArg *a, long long *out, const char *msg) {
    if (util_str_to_ll(a->ptr, a->len, out)) return 0;
    reply_error(c, msg ? msg : ERRT_NOT_INT);
    return -1;
}

int arg_to_int_or_reply(Client *c, const RespArg *a, int *out, const char *msg) {
    long long v;
    if (arg_to_ll_or_reply(c, a, &v, msg) != 0) return -1;
    if (v < INT_MIN || v > INT_MAX) {
        reply_error(c, msg ? msg
                           : "ERR value is out of range, value must between -2147483648 and "
                             "2147483647");
        return -1;
    }
    *out = (int)v;
    return 0;
}

int arg_to_ll_range_or_reply(Client *c, const RespArg *a, long long min, long long max,
                             long long *out, const char *msg) {
    long long v;
    if (!util_str_to_ll(a->ptr, a->len, &v) || v < min || v > max) {
        if (msg)
            reply_error(c, msg);
        else
            reply_error_fmt(c, "ERR value is out of range, must be between %lld and %lld", min,
                            max);
        return -1;
    }
    *out = v;
    return 0;
}

int arg_to_double_or_reply(Client *c, const RespArg *a, double *out, const char *msg) {
    if (util_str_to_double(a->ptr, a->len, out)) return 0;
    reply_error(c, msg ? msg : ERRT_NOT_FLOAT);
    return -1;
}

int arg_to_ldouble_or_reply(Client *c, const RespArg *a, long double *out, const char *msg) {
    if (util_str_to_ldouble(a->ptr, a->len, out)) return 0;
    reply_error(c, msg ? msg : ERRT_NOT_FLOAT);
    return -1;
}

char *arg_dup(const RespArg *a) {
    return mem_strndup(a->ptr, a->len);
}

size_t arg_cstr_len(const RespArg *a) {
    const char *nul = memchr(a->ptr, '\0', a->len);
    return nul ? (size_t)(nul - a->ptr) : a->len;
}
