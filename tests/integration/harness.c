/* harness.c - start/stop real servers and speak raw RESP to them (see harness.h).
 *
 * Readiness is "this PID listens on the port AND a PING gets a reply": checking the PID
 * (through /proc) means a port stolen by a parallel test between it_free_port() and the
 * server's bind() is noticed as a failed start (and retried), never as a ready server that
 * is really somebody else's. Every wait is bounded; nothing sleeps for a fixed time except
 * the few milliseconds between two polls of a condition. */
#define _GNU_SOURCE
#include "harness.h"

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 15000 /* sanitizer builds start slowly on a busy 2-core box */
#define STOP_TIMEOUT_MS  10000
#define START_ATTEMPTS   3
#define MAX_SERVERS      64

static int failures;
static ItServer *live[MAX_SERVERS]; /* started and not yet stopped, for the atexit handler */
static bool atexit_registered;

int it_failures(void) {
    return failures;
}

/* ---- time ---- */

int64_t it_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void it_pause_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

bool it_wait_until(bool (*cond)(void *ud), void *ud, int timeout_ms) {
    int64_t deadline = it_now_ms() + timeout_ms;
    for (;;) {
        if (cond(ud)) return true;
        if (it_now_ms() >= deadline) return cond(ud);
        it_pause_ms(5);
    }
}

/* ---- binaries, ports, files ---- */

const char *it_binary(ItKind kind) {
    const char *v = getenv(kind == IT_VIGIL ? "VIGIL_SERVER" : "REDIS_SERVER");
    if (v && *v) return v;
    return kind == IT_VIGIL ? "vigil-server" : "/usr/bin/redis-server";
}

int it_free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    int port = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Reads a whole (log) file, at most 64 MB; malloc'd, NUL-terminated; NULL if unreadable. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 65536, n = 0;
    char *b = malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= (64u << 20)) break;
            cap *= 2;
            b = realloc(b, cap + 1);
        }
        size_t r = fread(b + n, 1, cap - n, f);
        if (r == 0) break;
        n += r;
    }
    fclose(f);
    b[n] = '\0';
    if (len) *len = n;
    return b;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *dir) {
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The config syntax follows the binary, not the kind, so VIGIL_SERVER=/usr/bin/redis-server
 * runs a vigil test against the reference (to check what a test expects). */
static bool is_redis_binary(const char *path) {
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    return strstr(base, "redis-server") != NULL;
}

static int write_config(ItServer *s) {
    FILE *f = fopen(s->conf, "w");
    if (!f) return -1;
    if (!is_redis_binary(it_binary(s->kind)))
        fprintf(f,
                "# written by tests/integration/harness.c\n[server]\nbind = 127.0.0.1\n"
                "port = %d\ndir = %s\n[persistence]\nsave = \"\"\nappendonly = no\n",
                s->port, s->dir);
    else
        fprintf(f,
                "# written by tests/integration/harness.c\nbind 127.0.0.1\nport %d\n"
                "dir %s\nsave \"\"\nappendonly no\n",
                s->port, s->dir);
    return fclose(f);
}

/* "@DIR@" -> the temp dir, in a malloc'd copy of word. */
static char *expand_word(const char *word, const char *dir) {
    size_t cap = strlen(word) + 1, n = 0;
    const char *p;
    for (p = word; (p = strstr(p, "@DIR@")); p += 5)
        cap += strlen(dir);
    char *out = malloc(cap);
    for (p = word; *p;) {
        if (!strncmp(p, "@DIR@", 5)) {
            memcpy(out + n, dir, strlen(dir));
            n += strlen(dir);
            p += 5;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    return out;
}

/* ---- /proc: does pid listen on 127.0.0.1:port? ---- */

static bool pid_has_socket_inode(pid_t pid, unsigned long inode) {
    char path[64], link[128], want[64];
    snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
    snprintf(want, sizeof(want), "socket:[%lu]", inode);
    DIR *d = opendir(path);
    if (!d) return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        char fdpath[320];
        snprintf(fdpath, sizeof(fdpath), "%s/%s", path, e->d_name);
        ssize_t n = readlink(fdpath, link, sizeof(link) - 1);
        if (n <= 0) continue;
        link[n] = '\0';
        found = strcmp(link, want) == 0;
    }
    closedir(d);
    return found;
}

static bool pid_listens_on(pid_t pid, int port) {
    FILE *f = fopen("/proc/net/tcp", "r");
    if (!f) return true; /* no /proc: fall back to PING alone */
    char line[512];
    bool found = false;
    if (!fgets(line, sizeof(line), f)) { /* header */
        fclose(f);
        return true;
    }
    while (!found && fgets(line, sizeof(line), f)) {
        unsigned addr, lport, st;
        unsigned long inode;
        /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
        if (sscanf(line, " %*d: %x:%x %*x:%*x %x %*x:%*x %*x:%*x %*x %*d %*d %lu", &addr, &lport,
                   &st, &inode) != 4)
            continue;
        if ((int)lport == port && st == 0x0A) found = pid_has_socket_inode(pid, inode);
    }
    fclose(f);
    return found;
}

/* ---- servers ---- */

static void stop_leftovers(void) {
    for (int i = 0; i < MAX_SERVERS; i++)
        if (live[i] && live[i]->owner == getpid()) it_server_stop(live[i]);
}

static void track(ItServer *s, bool on) {
    if (!atexit_registered) {
        atexit(stop_leftovers);
        atexit_registered = true;
    }
    for (int i = 0; i < MAX_SERVERS; i++) {
        if (on && !live[i]) {
            live[i] = s;
            return;
        }
        if (!on && live[i] == s) {
            live[i] = NULL;
            return;
        }
    }
}

static pid_t spawn(ItServer *s, const char *const *extra) {
    int nextra = 0;
    while (extra && extra[nextra])
        nextra++;
    char **argv = calloc((size_t)nextra + 3, sizeof(char *));
    argv[0] = (char *)it_binary(s->kind);
    argv[1] = s->conf;
    for (int i = 0; i < nextra; i++)
        argv[2 + i] = expand_word(extra[i], s->dir);
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* Backstop only: if the test process dies without stopping us, so do we. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(126);
        int in = open("/dev/null", O_RDONLY);
        int out = open(s->out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int err = open(s->err_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (in < 0 || out < 0 || err < 0) _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], argv);
        fprintf(stderr, "harness: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    for (int i = 0; i < nextra; i++)
        free(argv[2 + i]);
    free(argv);
    return pid;
}

/* Any reply to PING (+PONG, -NOAUTH, -LOADING) proves the server is serving. */
static bool answers_ping(int port) {
    ItConn *c = it_conn_tcp(port);
    if (!c) return false;
    char *r = NULL;
    size_t n;
    bool ok = it_conn_send(c, "*1\r\n$4\r\nPING\r\n", 14, 1000) == 0 &&
              it_conn_read_reply(c, 1000, &r, &n) == IT_OK;
    free(r);
    it_conn_close(c);
    return ok;
}

typedef struct {
    ItServer *s;
} ReadyState;

static bool ready_or_exited(void *ud) {
    ItServer *s = ((ReadyState *)ud)->s;
    int st;
    if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
        s->exited = true;
        s->exit_status = st;
        s->pid = 0;
        return true;
    }
    return pid_listens_on(s->pid, s->port) && answers_ping(s->port);
}

ItServer *it_server_start(ItKind kind, const char *const *extra) {
    signal(SIGPIPE, SIG_IGN);
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp || strlen(tmp) > 60) tmp = "/tmp";
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
        ItServer *s = calloc(1, sizeof(*s));
        s->kind = kind;
        s->owner = getpid();
        snprintf(s->dir, sizeof(s->dir), "%s/vigil-it-XXXXXX", tmp);
        if (!mkdtemp(s->dir)) {
            fprintf(stderr, "harness: mkdtemp %s: %s\n", s->dir, strerror(errno));
            free(s);
            return NULL;
        }
        snprintf(s->conf, sizeof(s->conf), "%s/%s", s->dir,
                 is_redis_binary(it_binary(kind)) ? "redis.conf" : "vigil.ini");
        snprintf(s->out_path, sizeof(s->out_path), "%s/stdout.log", s->dir);
        snprintf(s->err_path, sizeof(s->err_path), "%s/stderr.log", s->dir);
        s->port = it_free_port();
        if (!s->port || write_config(s) != 0) {
            fprintf(stderr, "harness: no free port or cannot write %s\n", s->conf);
            remove_tree(s->dir);
            free(s);
            return NULL;
        }
        s->pid = spawn(s, extra);
        if (s->pid < 0) {
            remove_tree(s->dir);
            free(s);
            return NULL;
        }
        track(s, true);
        ReadyState rs = {s};
        bool done = it_wait_until(ready_or_exited, &rs, START_TIMEOUT_MS);
        if (done && !s->exited) return s;
        size_t loglen = 0;
        char *log = read_file(s->err_path, &loglen);
        char *log2 = read_file(s->out_path, NULL);
        bool port_taken = (log && strstr(log, "in use")) || (log2 && strstr(log2, "in use"));
        free(log);
        free(log2);
        fprintf(stderr, "harness: %s on port %d %s (attempt %d)\n", it_binary(kind), s->port,
                s->exited ? "exited during startup" : "did not answer PING in time", attempt);
        it_server_dump_logs(s);
        it_server_stop(s);
        if (!port_taken) return NULL;
    }
    return NULL;
}

int it_server_signal(ItServer *s, int sig) {
    if (!s || s->pid <= 0) return -1;
    return kill(s->pid, sig);
}

bool it_server_wait_exit(ItServer *s, int timeout_ms) {
    if (!s) return true;
    int64_t deadline = it_now_ms() + timeout_ms;
    while (s->pid > 0) {
        int st;
        pid_t r = waitpid(s->pid, &st, WNOHANG);
        if (r == s->pid || (r < 0 && errno == ECHILD)) {
            s->exited = true;
            s->exit_status = r == s->pid ? st : 0;
            s->pid = 0;
            break;
        }
        if (it_now_ms() >= deadline) return false;
        it_pause_ms(5);
    }
    return true;
}

static bool file_has_sanitizer_report(const char *path) {
    static const char *const marks[] = {"ERROR: AddressSanitizer",
                                        "runtime error:", "ERROR: LeakSanitizer",
                                        "WARNING: ThreadSanitizer", NULL};
    size_t n = 0;
    char *b = read_file(path, &n);
    if (!b) return false;
    bool found = false;
    for (int i = 0; marks[i]; i++) {
        char *m = memmem(b, n, marks[i], strlen(marks[i]));
        if (!m) continue;
        /* Show the report from the start of its line. */
        while (m > b && m[-1] != '\n')
            m--;
        size_t show = (size_t)(b + n - m) < 6000 ? (size_t)(b + n - m) : 6000;
        fprintf(stderr, "harness: sanitizer report in %s:\n%.*s\n", path, (int)show, m);
        found = true;
        break;
    }
    free(b);
    return found;
}

bool it_server_has_sanitizer_report(const ItServer *s) {
    bool a = file_has_sanitizer_report(s->err_path);
    bool b = file_has_sanitizer_report(s->out_path);
    return a || b;
}

static void dump_tail(const char *path) {
    size_t n = 0;
    char *b = read_file(path, &n);
    if (!b) return;
    size_t from = n > 3000 ? n - 3000 : 0;
    fprintf(stderr, "---- %s (last %zu bytes) ----\n%s%s", path, n - from, b + from,
            (n && b[n - 1] != '\n') ? "\n" : "");
    free(b);
}

void it_server_dump_logs(const ItServer *s) {
    dump_tail(s->out_path);
    dump_tail(s->err_path);
}

int it_server_stop(ItServer *s) {
    if (!s) return 0;
    bool killed = false;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        if (!it_server_wait_exit(s, STOP_TIMEOUT_MS)) {
            fprintf(stderr, "harness: pid %d ignored SIGTERM for %d ms, sending SIGKILL\n",
                    (int)s->pid, STOP_TIMEOUT_MS);
            kill(s->pid, SIGKILL);
            int st;
            waitpid(s->pid, &st, 0);
            s->exit_status = st;
            s->exited = true;
            s->pid = 0;
            killed = true;
        }
    }
    track(s, false);
    int rc = 0;
    int st = s->exit_status;
    bool crashed = WIFSIGNALED(st) && WTERMSIG(st) != SIGTERM && WTERMSIG(st) != SIGKILL;
    bool sanitizer = it_server_has_sanitizer_report(s);
    if (sanitizer || crashed || killed) {
        fprintf(stderr, "harness: FAILURE: %s (port %d): %s\n", it_binary(s->kind), s->port,
                sanitizer ? "sanitizer report"
                : crashed ? "crashed"
                          : "hung on shutdown");
        if (crashed) fprintf(stderr, "harness: killed by signal %d\n", WTERMSIG(st));
        if (!sanitizer) it_server_dump_logs(s);
        failures++;
        rc = -1;
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "harness: warning: %s (port %d) ended with %s %d\n", it_binary(s->kind),
                s->port, WIFEXITED(st) ? "exit status" : "signal",
                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        rc = -1;
    }
    const char *keep = getenv("IT_KEEP_DIR");
    if (keep && *keep && strcmp(keep, "0") != 0)
        fprintf(stderr, "harness: kept %s\n", s->dir);
    else
        remove_tree(s->dir);
    free(s);
    return rc;
}

/* ---- hiredis ---- */

redisContext *it_redis_connect(const ItServer *s) {
    struct timeval tv = {5, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", s->port, tv);
    if (!c) return NULL;
    if (c->err) {
        fprintf(stderr, "harness: connect to %d: %s\n", s->port, c->errstr);
        redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv);
    return c;
}

/* ---- raw connections ---- */

static ItConn *conn_wrap(int fd) {
    ItConn *c = calloc(1, sizeof(*c));
    c->fd = fd;
    c->cap = 16384;
    c->buf = malloc(c->cap);
    return c;
}

static int connect_with_timeout(int fd, const struct sockaddr *a, socklen_t alen, int ms) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, a, alen) == 0) return 0;
    if (errno != EINPROGRESS && errno != EAGAIN) return -1;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    if (poll(&p, 1, ms) != 1) return -1;
    int err = 0;
    socklen_t elen = sizeof(err);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
    return err ? -1 : 0;
}

ItConn *it_conn_tcp(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return NULL;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect_with_timeout(fd, (struct sockaddr *)&a, sizeof(a), 2000) != 0) {
        close(fd);
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return conn_wrap(fd);
}

ItConn *it_conn_unix(const char *path) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return NULL;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(a.sun_path)) {
        close(fd);
        return NULL;
    }
    strcpy(a.sun_path, path);
    if (connect_with_timeout(fd, (struct sockaddr *)&a, sizeof(a), 2000) != 0) {
        close(fd);
        return NULL;
    }
    return conn_wrap(fd);
}

void it_conn_close(ItConn *c) {
    if (!c) return;
    close(c->fd);
    free(c->buf);
    free(c);
}

int it_conn_send(ItConn *c, const void *p, size_t n, int timeout_ms) {
    const char *b = p;
    int64_t deadline = it_now_ms() + timeout_ms;
    while (n > 0) {
        ssize_t w = send(c->fd, b, n, MSG_NOSIGNAL);
        if (w > 0) {
            b += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        int left = (int)(deadline - it_now_ms());
        if (left <= 0) return -1;
        struct pollfd pf = {.fd = c->fd, .events = POLLOUT};
        poll(&pf, 1, left);
        if (pf.revents & (POLLERR | POLLHUP)) return -1;
    }
    return 0;
}

int it_conn_send_argv(ItConn *c, int argc, const char *const *argv, const size_t *lens) {
    size_t cap = 32;
    for (int i = 0; i < argc; i++)
        cap += (lens ? lens[i] : strlen(argv[i])) + 32;
    char *b = malloc(cap);
    size_t n = (size_t)snprintf(b, cap, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        size_t l = lens ? lens[i] : strlen(argv[i]);
        n += (size_t)snprintf(b + n, cap - n, "$%zu\r\n", l);
        memcpy(b + n, argv[i], l);
        n += l;
        memcpy(b + n, "\r\n", 2);
        n += 2;
    }
    int rc = it_conn_send(c, b, n, 10000);
    free(b);
    return rc;
}

/* Reads whatever is available into c->buf, waiting up to ms. 1 read, 0 EOF, -1 timeout. */
static int conn_fill(ItConn *c, int ms) {
    if (c->cap - c->len < 65536) {
        c->cap = c->cap * 2 + 65536;
        c->buf = realloc(c->buf, c->cap);
    }
    for (;;) {
        ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (r > 0) {
            c->len += (size_t)r;
            return 1;
        }
        if (r == 0) return 0;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return 0; /* reset counts as closed */
        if (ms <= 0) return -1;
        struct pollfd pf = {.fd = c->fd, .events = POLLIN};
        if (poll(&pf, 1, ms) == 0) return -1;
        ms = 0; /* readable or error: the next recv tells which */
    }
}

int it_conn_read_reply(ItConn *c, int timeout_ms, char **out, size_t *outlen) {
    int64_t deadline = it_now_ms() + timeout_ms;
    for (;;) {
        size_t used = 0;
        int s = it_resp_scan(c->buf, c->len, &used);
        if (s < 0) return IT_PROTO;
        if (s > 0) {
            *out = malloc(used + 1);
            memcpy(*out, c->buf, used);
            (*out)[used] = '\0';
            *outlen = used;
            memmove(c->buf, c->buf + used, c->len - used);
            c->len -= used;
            return IT_OK;
        }
        int left = (int)(deadline - it_now_ms());
        if (left < 0) left = 0;
        int r = conn_fill(c, left);
        if (r == 0) return IT_CLOSED;
        if (r < 0) return IT_TIMEOUT;
    }
}

char *it_conn_cmd(ItConn *c, const char *cmdline) {
    char *copy = strdup(cmdline);
    const char *argv[64];
    int argc = 0;
    for (char *save = NULL, *w = strtok_r(copy, " ", &save); w && argc < 64;
         w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    char *out = NULL;
    size_t n;
    int rc = it_conn_send_argv(c, argc, argv, NULL) == 0 ? it_conn_read_reply(c, 5000, &out, &n)
                                                         : IT_CLOSED;
    free(copy);
    if (rc == IT_OK) return out;
    return strdup(rc == IT_CLOSED    ? "<closed>"
                  : rc == IT_TIMEOUT ? "<timeout>"
                                     : "<protocol error>");
}

size_t it_conn_pending(ItConn *c) {
    while (conn_fill(c, 0) > 0) {
    }
    return c->len;
}

bool it_conn_wait_closed(ItConn *c, int timeout_ms) {
    int64_t deadline = it_now_ms() + timeout_ms;
    for (;;) {
        int left = (int)(deadline - it_now_ms());
        if (left < 0) left = 0;
        int r = conn_fill(c, left);
        if (r == 0) return true;
        if (r < 0) return false;
        c->len = 0; /* drop what arrived */
    }
}

/* ---- RESP ---- */

/* Parses the signed decimal in p[0..n); false if it is not one. */
static bool parse_ll(const char *p, size_t n, long long *v) {
    if (n == 0 || n > 20) return false;
    bool neg = p[0] == '-';
    size_t i = neg ? 1 : 0;
    if (i == n) return false;
    long long x = 0;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        x = x * 10 + (p[i] - '0');
    }
    *v = neg ? -x : x;
    return true;
}

/* RESP2: + - : $ *   RESP3 adds _ , # ( = ! (scalars) and ~ % > | (aggregates); "|" is an
 * attribute map that precedes the value it annotates. A -1 length is the RESP2 null. */
int it_resp_scan(const char *p, size_t n, size_t *used) {
    size_t pos = 0;
    long long need = 1;
    while (need > 0) {
        if (pos >= n) return 0;
        const char *nl = memchr(p + pos, '\n', n - pos);
        if (!nl) return 0;
        size_t eol = (size_t)(nl - p); /* index of '\n' */
        if (eol < pos + 2 || p[eol - 1] != '\r') return -1;
        const char *line = p + pos + 1;
        size_t linelen = eol - 1 - (pos + 1);
        size_t next = eol + 1;
        long long v = 0;
        char t = p[pos];
        need--;
        switch (t) {
        case '+':
        case '-':
        case ':':
        case '_':
        case ',':
        case '#':
        case '(': pos = next; break;
        case '$':
        case '=':
        case '!':
            if (!parse_ll(line, linelen, &v) || v < -1) return -1;
            if (v < 0) {
                pos = next;
                break;
            }
            if (n - next < (size_t)v + 2) return 0;
            if (p[next + (size_t)v] != '\r' || p[next + (size_t)v + 1] != '\n') return -1;
            pos = next + (size_t)v + 2;
            break;
        case '*':
        case '~':
        case '>':
        case '%':
        case '|':
            if (!parse_ll(line, linelen, &v) || v < -1) return -1;
            if (v > 0) need += (t == '%' || t == '|') ? 2 * v : v;
            if (t == '|') need++; /* the annotated value still follows */
            pos = next;
            break;
        default: return -1;
        }
    }
    *used = pos;
    return 1;
}

char *it_escape(const char *p, size_t n, size_t max_bytes) {
    size_t shown = n < max_bytes ? n : max_bytes;
    char *out = malloc(shown * 4 + 48);
    size_t o = 0;
    for (size_t i = 0; i < shown; i++) {
        unsigned char ch = (unsigned char)p[i];
        switch (ch) {
        case '\r': o += (size_t)sprintf(out + o, "\\r"); break;
        case '\n': o += (size_t)sprintf(out + o, "\\n"); break;
        case '\t': o += (size_t)sprintf(out + o, "\\t"); break;
        case '\\': o += (size_t)sprintf(out + o, "\\\\"); break;
        case '"': o += (size_t)sprintf(out + o, "\\\""); break;
        default:
            if (ch >= 32 && ch < 127)
                out[o++] = (char)ch;
            else
                o += (size_t)sprintf(out + o, "\\x%02x", ch);
        }
    }
    if (shown < n) o += (size_t)sprintf(out + o, "...(%zu bytes)", n);
    out[o] = '\0';
    return out;
}
