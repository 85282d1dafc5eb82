/* compat_runner.c - replay command files against vigil-server and redis-server and compare
 * the raw replies byte for byte.
 *
 *   compat_runner [DIR | FILE.txt ...]      (default: $COMPAT_DIR, every *.txt, sorted)
 *
 * For each file: a fresh vigil-server and a fresh Debian redis-server (both --save ''
 * --appendonly no --enable-debug-command yes, free loopback ports, temp dirs), FLUSHALL on
 * both, then every line that is neither empty nor a '#' comment is one command, split with
 * redis-cli's quoting rules ("..." with \n \r \t \b \a \" \\ \xHH escapes, '...' with \'),
 * sent as a RESP multibulk to both, and the one reply read from each is compared. A closed
 * connection or a missing reply compares as "<closed>"/"<timeout>", then that side
 * reconnects (RESP2, db 0), so QUIT behaves the same on both sides without special cases.
 * HELLO 3 in a file switches both connections to RESP3 like any other command.
 *
 * Every mismatch is printed as FILE:LINE, the command and both replies escaped; the exit
 * status is 1 if there was any mismatch, a line that cannot be split, or a server failure
 * (crash, sanitizer report). COMPAT_VERBOSE=1 also prints every command with its reply. */
#include "harness.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLY_TIMEOUT_MS 10000
#define MAX_ARGS         4096
#define MAX_FILES        256

static bool verbose; /* COMPAT_VERBOSE=1: print every command with vigil's reply */

typedef struct {
    char *argv[MAX_ARGS];
    size_t lens[MAX_ARGS];
    int argc;
} Args;

static void args_free(Args *a) {
    for (int i = 0; i < a->argc; i++)
        free(a->argv[i]);
    a->argc = 0;
}

static int hex_val(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* redis-cli's (sdssplitargs) rules. Returns NULL, or the reason the line cannot be split. */
static const char *split_line(const char *p, Args *a) {
    a->argc = 0;
    size_t cap = strlen(p) + 1;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p) return NULL;
        if (a->argc == MAX_ARGS) return "too many arguments";
        char *cur = malloc(cap);
        size_t n = 0;
        bool inq = false, insq = false, done = false;
        while (!done) {
            if (inq) {
                if (p[0] == '\\' && p[1] == 'x' && hex_val(p[2]) >= 0 && hex_val(p[3]) >= 0) {
                    cur[n++] = (char)(hex_val(p[2]) * 16 + hex_val(p[3]));
                    p += 3;
                } else if (p[0] == '\\' && p[1]) {
                    p++;
                    switch (*p) {
                    case 'n': cur[n++] = '\n'; break;
                    case 'r': cur[n++] = '\r'; break;
                    case 't': cur[n++] = '\t'; break;
                    case 'b': cur[n++] = '\b'; break;
                    case 'a': cur[n++] = '\a'; break;
                    default: cur[n++] = *p; break;
                    }
                } else if (*p == '"') {
                    if (p[1] && !isspace((unsigned char)p[1])) goto bad_close;
                    done = true;
                } else if (!*p) {
                    goto unterminated;
                } else {
                    cur[n++] = *p;
                }
            } else if (insq) {
                if (p[0] == '\\' && p[1] == '\'') {
                    p++;
                    cur[n++] = '\'';
                } else if (*p == '\'') {
                    if (p[1] && !isspace((unsigned char)p[1])) goto bad_close;
                    done = true;
                } else if (!*p) {
                    goto unterminated;
                } else {
                    cur[n++] = *p;
                }
            } else {
                switch (*p) {
                case ' ':
                case '\n':
                case '\r':
                case '\t':
                case '\0': done = true; break;
                case '"': inq = true; break;
                case '\'': insq = true; break;
                default: cur[n++] = *p; break;
                }
            }
            if (*p) p++;
        }
        a->argv[a->argc] = cur;
        a->lens[a->argc++] = n;
        continue;
    bad_close:
        free(cur);
        args_free(a);
        return "closing quote must be followed by a space or the end of the line";
    unterminated:
        free(cur);
        args_free(a);
        return "unbalanced quotes";
    }
}

typedef struct {
    const char *name;
    ItKind kind;
    ItServer *srv;
    ItConn *conn;
    char note[512]; /* framing problem seen by the last exchange, or "" */
} Side;

/* One command on one side: its raw reply, or a "<closed>"/"<timeout>" marker. */
static char *exchange(Side *s, const Args *a, size_t *len) {
    char *out = NULL;
    int rc = IT_CLOSED;
    s->note[0] = '\0';
    if (!s->conn) s->conn = it_conn_tcp(s->srv->port);
    if (s->conn && it_conn_send_argv(s->conn, a->argc, (const char *const *)a->argv, a->lens) == 0)
        rc = it_conn_read_reply(s->conn, REPLY_TIMEOUT_MS, &out, len);
    else if (s->conn)
        rc = it_conn_read_reply(s->conn, 0, &out, len); /* a reply sent before the close */
    if (rc == IT_OK) {
        size_t extra = it_conn_pending(s->conn);
        if (extra == 0) return out;
        char *e = it_escape(s->conn->buf, extra, 300);
        snprintf(s->note, sizeof(s->note),
                 "%s sent %zu bytes more than one reply: \"%s\" (reconnected: its SELECT and "
                 "HELLO state is reset)",
                 s->name, extra, e);
        free(e);
        it_conn_close(s->conn);
        s->conn = NULL;
        return out;
    }
    it_conn_close(s->conn); /* out of step: start over on a fresh connection */
    s->conn = NULL;
    out = strdup(rc == IT_TIMEOUT ? "<timeout>" : rc == IT_PROTO ? "<not RESP>" : "<closed>");
    *len = strlen(out);
    return out;
}

static bool server_alive(Side *s) {
    return !it_server_wait_exit(s->srv, 0);
}

typedef struct {
    int files, commands, mismatches, errors;
} Totals;

static char *join_args(const Args *a) {
    size_t cap = 16;
    char **esc = malloc(sizeof(char *) * (size_t)(a->argc ? a->argc : 1));
    for (int i = 0; i < a->argc; i++) {
        esc[i] = it_escape(a->argv[i], a->lens[i], 200);
        cap += strlen(esc[i]) + 3;
    }
    char *out = malloc(cap);
    size_t n = 0;
    for (int i = 0; i < a->argc; i++) {
        n += (size_t)sprintf(out + n, "%s\"%s\"", i ? " " : "", esc[i]);
        free(esc[i]);
    }
    out[n] = '\0';
    free(esc);
    return out;
}

static bool start_side(Side *s) {
    static const char *const extra[] = {"--enable-debug-command", "yes", NULL};
    s->srv = it_server_start(s->kind, extra);
    if (!s->srv) return false;
    s->conn = it_conn_tcp(s->srv->port);
    if (!s->conn) return false;
    char *r = it_conn_cmd(s->conn, "FLUSHALL");
    bool ok = strcmp(r, "+OK\r\n") == 0;
    if (!ok) fprintf(stderr, "compat: FLUSHALL on %s: %s\n", s->name, r);
    free(r);
    return ok;
}

static void stop_side(Side *s, Totals *t) {
    it_conn_close(s->conn);
    s->conn = NULL;
    if (s->srv && it_server_stop(s->srv) != 0 && s->kind == IT_VIGIL) t->errors++;
    s->srv = NULL;
}

/* Compares one line's command; prints a mismatch. */
static void run_line(Side sides[2], const char *file, int lineno, const Args *a, Totals *t) {
    size_t len[2];
    char *rep[2];
    for (int i = 0; i < 2; i++)
        rep[i] = exchange(&sides[i], a, &len[i]);
    t->commands++;
    if (verbose) {
        char *cmd = join_args(a), *v = it_escape(rep[0], len[0], 300);
        printf("%s:%d: %s -> \"%s\"\n", file, lineno, cmd, v);
        free(cmd);
        free(v);
    }
    bool framing = sides[0].note[0] || sides[1].note[0];
    if (framing || len[0] != len[1] || memcmp(rep[0], rep[1], len[0]) != 0) {
        char *cmd = join_args(a), *v = it_escape(rep[0], len[0], 2000),
             *r = it_escape(rep[1], len[1], 2000);
        printf("MISMATCH %s:%d: %s\n  vigil: \"%s\"\n  redis: \"%s\"\n", file, lineno, cmd, v, r);
        for (int i = 0; i < 2; i++)
            if (sides[i].note[0]) printf("  %s\n", sides[i].note);
        free(cmd);
        free(v);
        free(r);
        t->mismatches++;
    }
    free(rep[0]);
    free(rep[1]);
}

static void run_file(const char *path, Totals *t) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("ERROR %s: cannot open\n", path);
        t->errors++;
        return;
    }
    const char *file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    Side sides[2] = {{"vigil-server", IT_VIGIL, NULL, NULL, ""},
                     {"redis-server", IT_REDIS, NULL, NULL, ""}};
    int before = t->mismatches, cmds_before = t->commands;
    if (!start_side(&sides[0]) || !start_side(&sides[1])) {
        printf("ERROR %s: could not start both servers\n", file);
        t->errors++;
        goto done;
    }
    t->files++;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int lineno = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        const char *p = line;
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#') continue;
        Args a;
        const char *why = split_line(p, &a);
        if (why) {
            printf("ERROR %s:%d: %s: %s\n", file, lineno, why, p);
            t->errors++;
            continue;
        }
        run_line(sides, file, lineno, &a, t);
        args_free(&a);
        if (!server_alive(&sides[0]) || !server_alive(&sides[1])) {
            printf("ERROR %s:%d: %s died; rest of the file skipped\n", file, lineno,
                   server_alive(&sides[0]) ? "redis-server" : "vigil-server");
            t->errors++;
            break;
        }
    }
    free(line);
    printf("%s: %d commands, %d mismatches\n", file, t->commands - cmds_before,
           t->mismatches - before);
done:
    fclose(f);
    stop_side(&sides[0], t);
    stop_side(&sides[1], t);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the .txt files of dir, sorted, to files. */
static int list_dir(const char *dir, char **files, int n) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "compat: cannot open %s\n", dir);
        return n;
    }
    int first = n;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_FILES) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".txt") != 0) continue;
        files[n] = malloc(strlen(dir) + l + 2);
        sprintf(files[n++], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(files + first, (size_t)(n - first), sizeof(char *), cmp_str);
    return n;
}

int main(int argc, char **argv) {
    char *files[MAX_FILES];
    int n = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    verbose = getenv("COMPAT_VERBOSE") && strcmp(getenv("COMPAT_VERBOSE"), "0") != 0;
    if (argc < 2) {
        const char *dir = getenv("COMPAT_DIR");
        if (!dir) {
            fprintf(stderr, "usage: compat_runner [DIR | FILE.txt ...] (or set COMPAT_DIR)\n");
            return 2;
        }
        n = list_dir(dir, files, n);
    }
    for (int i = 1; i < argc && n < MAX_FILES; i++) {
        size_t l = strlen(argv[i]);
        if (l > 4 && !strcmp(argv[i] + l - 4, ".txt"))
            files[n++] = strdup(argv[i]);
        else
            n = list_dir(argv[i], files, n);
    }
    if (n == 0) {
        fprintf(stderr, "compat: no .txt files\n");
        return 2;
    }
    printf("compat: vigil-server=%s redis-server=%s\n", it_binary(IT_VIGIL), it_binary(IT_REDIS));
    Totals t = {0};
    for (int i = 0; i < n; i++) {
        run_file(files[i], &t);
        free(files[i]);
    }
    printf("compat: %d files, %d commands, %d mismatches, %d errors\n", t.files, t.commands,
           t.mismatches, t.errors + it_failures());
    return (t.mismatches || t.errors || it_failures()) ? 1 : 0;
}
