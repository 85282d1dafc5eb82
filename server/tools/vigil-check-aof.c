/* vigil-check-aof - offline checker (and tail fixer) of an append-only file.
 *
 *   vigil-check-aof [--fix] [--yes] FILE
 *
 * FILE is a manifest (appendonly.aof.manifest: lines "file <name> seq <n> type b|h|i", names
 * relative to the manifest's directory) or a single old-style .aof file. Each file the
 * server would load is checked in the server's order (base, then the incremental files;
 * history files are skipped, as Redis skips them):
 *   - a file that starts with "REDIS" is an RDB image (a base written with
 *     aof-use-rdb-preamble): rdb.c's loader checks it, then any RESP tail is checked;
 *   - otherwise RESP multibulk commands "*<n>\r\n$<len>\r\n<bytes>\r\n...", '#' annotation
 *     lines, and MULTI/EXEC balanced.
 * Output follows redis-check-aof 7.0 line for line where the two agree ("AOF analyzed:
 * filename=..., size=..., ok_up_to=..., ok_up_to_line=..., diff=...", "... is valid",
 * "... is not valid. Use the --fix option to try fixing it."), so scripts written for it
 * work. Two deliberate differences:
 *   - ok_up_to_line is the line at which ok_up_to starts, counted per file (redis counts
 *     across files and reports where the parser stopped, not where the good part ends);
 *   - --fix only removes an incomplete tail: a command cut by the end of the file, or a
 *     MULTI without its EXEC. Bad bytes followed by more data (garbage in the middle) are
 *     not fixable, because truncating there would silently drop every later, good command;
 *     redis-check-aof truncates anyway. Commands with fewer than one argument are errors
 *     here, as the server's loader (and Redis's) refuses them.
 * An annotation cut by the end of the file is valid, as for Redis (its loader accepts it).
 * Only the last file may be fixed, since writes only ever append to it. --fix asks
 * "Continue? [y/N]:" on stdin (no answer = no); --yes answers for it.
 * Exit status: 0 valid (or fixed), 1 invalid, not fixed, or unreadable. */
#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/resp_reader.h"
#include "server/db.h"
#include "server/rdb.h"
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The longest "*<n>" / "$<len>" line accepted; Redis reads them with a 128-byte fgets. */
#define NUM_LINE_MAX 128
/* An argument count past this is corruption, not a command: Redis's request limit is
 * INT_MAX, and no command an AOF holds comes near a billion arguments. */
#define MAX_ARGC          (1024LL * 1024 * 1024)
#define MANIFEST_LINE_MAX 1024

enum {
    PARSE_OK = 0,
    PARSE_TRUNCATED = 1,
    PARSE_BAD = 2
};
enum {
    CHECK_OK,
    CHECK_EMPTY,
    CHECK_FIXED
};

typedef struct Options {
    bool fix;
    bool yes;
} Options;

/* Where the parse of one file stands; `err` holds redis-check-aof's "0x<offset>: text". */
typedef struct Scan {
    const unsigned char *p;
    long long size;
    long long cur;  /* next byte to read */
    long long line; /* 1-based line of `cur` */
    int multi;      /* inside MULTI */
    char err[256];
} Scan;

static void scan_error(Scan *s, long long at, const char *fmt, ...) VG_PRINTF(3, 4);
static void scan_error(Scan *s, long long at, const char *fmt, ...) {
    char text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    snprintf(s->err, sizeof(s->err), "0x%16llx: %s", at, text);
}

/* "\r\n" at s->cur. */
static int scan_newline(Scan *s) {
    if (s->size - s->cur < 2) {
        scan_error(s, s->cur, "Expected \\r\\n, got end of file");
        return PARSE_TRUNCATED;
    }
    if (s->p[s->cur] != '\r' || s->p[s->cur + 1] != '\n') {
        scan_error(s, s->cur, "Expected \\r\\n, got: %02x%02x", s->p[s->cur], s->p[s->cur + 1]);
        return PARSE_BAD;
    }
    s->cur += 2;
    s->line++;
    return PARSE_OK;
}

/* A "<prefix><decimal>\r\n" line into *out. A line cut by the end of the file is a
 * truncation; anything else malformed is bad bytes. */
static int scan_number_line(Scan *s, char prefix, long long *out) {
    long long at = s->cur;
    if (s->cur >= s->size) {
        scan_error(s, at, "Expected prefix '%c', got end of file", prefix);
        return PARSE_TRUNCATED;
    }
    if (s->p[s->cur] != (unsigned char)prefix) {
        scan_error(s, at, "Expected prefix '%c', got: '%c'", prefix, s->p[s->cur]);
        return PARSE_BAD;
    }
    long long i = s->cur + 1, v = 0;
    bool neg = i < s->size && s->p[i] == '-';
    if (neg) i++;
    long long digits_at = i;
    while (i < s->size && s->p[i] >= '0' && s->p[i] <= '9' && i - at < NUM_LINE_MAX) {
        if (v > (LLONG_MAX - 9) / 10) {
            scan_error(s, at, "Number too large after '%c'", prefix);
            return PARSE_BAD;
        }
        v = v * 10 + (s->p[i] - '0');
        i++;
    }
    if (i == s->size) {
        scan_error(s, at, "Expected \\r\\n, got end of file");
        return PARSE_TRUNCATED;
    }
    if (i == digits_at) {
        scan_error(s, at, "Expected a number after '%c', got: %02x", prefix, s->p[i]);
        return PARSE_BAD;
    }
    s->cur = i;
    *out = neg ? -v : v;
    return scan_newline(s);
}

/* One argument: "$<len>\r\n<len bytes>\r\n". *first gets its bytes' offset. */
static int scan_bulk(Scan *s, long long *first, long long *len) {
    int rc = scan_number_line(s, '$', len);
    if (rc != PARSE_OK) return rc;
    if (*len < 0 || *len > LLONG_MAX - 2) {
        scan_error(s, s->cur,
                   "Expected to read string of %lld bytes, which is not in the "
                   "suitable range",
                   *len);
        return PARSE_BAD;
    }
    if (s->size - s->cur < *len) {
        scan_error(s, s->cur, "Expected to read %lld bytes, got %lld bytes", *len + 2,
                   s->size - s->cur);
        return PARSE_TRUNCATED;
    }
    *first = s->cur;
    s->cur += *len;
    return scan_newline(s);
}

static bool arg_is(const Scan *s, long long at, long long len, const char *word) {
    return len == (long long)strlen(word) &&
           strncasecmp((const char *)s->p + at, word, (size_t)len) == 0;
}

/* One command, tracking MULTI/EXEC. */
static int scan_command(Scan *s, const char *filename) {
    long long argc, cmd_at = s->cur;
    int rc = scan_number_line(s, '*', &argc);
    if (rc != PARSE_OK) return rc;
    if (argc < 1 || argc > MAX_ARGC) {
        scan_error(s, cmd_at, "Invalid argument count %lld", argc);
        return PARSE_BAD;
    }
    for (long long i = 0; i < argc; i++) {
        long long at, len;
        rc = scan_bulk(s, &at, &len);
        if (rc != PARSE_OK) return rc;
        if (i > 0) continue;
        if (arg_is(s, at, len, "multi")) {
            if (s->multi++) {
                scan_error(s, cmd_at, "Unexpected MULTI in AOF %s", filename);
                return PARSE_BAD;
            }
        } else if (arg_is(s, at, len, "exec")) {
            if (--s->multi) {
                scan_error(s, cmd_at, "Unexpected EXEC in AOF %s", filename);
                return PARSE_BAD;
            }
        }
    }
    return PARSE_OK;
}

/* An annotation line ("#TS:..." in Redis 7): skipped by the loader, so only its end
 * matters. One that runs to the end of the file is accepted, as Redis's loader and
 * checker accept it (both read it with fgets). */
static int scan_annotation(Scan *s) {
    const unsigned char *nl = memchr(s->p + s->cur, '\n', (size_t)(s->size - s->cur));
    s->cur = nl ? nl - s->p + 1 : s->size;
    s->line++;
    return PARSE_OK;
}

/* The RDB image at the start of a base file: the server's own loader (rdb.c) checks it
 * into scratch databases, set up as vigil-check-rdb does. Returns the bytes it took, or -1
 * after printing why. */
static long long check_rdb_part(int fd, const char *filename) {
    static bool ready;
    if (!ready) {
        /* no event loop here: the loader must never hand control to one */
        cfg.loading_process_events_interval_bytes = LLONG_MAX / 2;
        log_set_level(LOG_WARN);
        srv.wall_offset_us = clock_wall_us() - clock_mono_us(); /* expiry compares to it */
        server_update_time();
        srv.ndbs = (int)cfg.databases;
        srv.dbs = mem_calloc(sizeof(Db) * (size_t)srv.ndbs);
        for (int i = 0; i < srv.ndbs; i++)
            db_init(&srv.dbs[i], i);
        ready = true;
    }
    printf("The AOF appears to start with an RDB preamble.\n"
           "Checking the RDB preamble to start:\n");
    RdbLoadInfo info = {0};
    long long consumed = 0;
    char err[1024] = "";
    if (lseek(fd, 0, SEEK_SET) != 0 ||
        rdb_load_fd(fd, filename, &info, &consumed, err, sizeof(err)) != RDB_LOAD_OK) {
        printf("%s\nRDB preamble of AOF file is not sane, aborting.\n", err);
        return -1;
    }
    printf("[info] %lld keys read\n[info] %lld already expired\n", info.keys_loaded,
           info.keys_expired);
    printf("RDB preamble is OK, proceeding with AOF tail...\n");
    return consumed;
}

static bool ask_continue(const Options *o) {
    printf("Continue? [y/N]: ");
    fflush(stdout);
    if (o->yes) {
        printf("y (--yes)\n");
        return true;
    }
    char answer[16];
    return fgets(answer, sizeof(answer), stdin) && (answer[0] == 'y' || answer[0] == 'Y');
}

/* Truncate path to `size` bytes and make that durable. */
static int truncate_file(const char *path, long long size) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) return -1;
    int rc = ftruncate(fd, size) == 0 && fsync(fd) == 0 ? 0 : -1;
    close(fd);
    return rc;
}

/* Commands and annotations from s->cur to the end. *ok_up_to (and *ok_line) get the end of
 * the last whole command outside MULTI: what a fix keeps. PARSE_OK when that is the end. */
static int scan_file(
    Scan *s, const char *filename, const char *path, long long *ok_up_to, long long *ok_line) {
    int rc = PARSE_OK;
    *ok_up_to = s->cur;
    *ok_line = s->line;
    while (s->cur < s->size) {
        if (!s->multi) {
            *ok_up_to = s->cur;
            *ok_line = s->line;
        }
        unsigned char c = s->p[s->cur];
        if (c == '#') {
            rc = scan_annotation(s);
        } else if (c == '*') {
            rc = scan_command(s, path);
        } else {
            scan_error(s, s->cur, "AOF %s format error", filename);
            rc = PARSE_BAD;
        }
        if (rc != PARSE_OK) return rc;
    }
    if (s->multi) {
        scan_error(s, s->cur, "Reached EOF before reading EXEC for MULTI");
        return PARSE_TRUNCATED;
    }
    *ok_up_to = s->size;
    *ok_line = s->line;
    return PARSE_OK;
}

/* Check one file; exits(1) on anything not valid and not fixed. */
static int check_single(
    const char *filename, const char *path, bool last_file, bool maybe_rdb, const Options *o) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("Cannot open file %s: %s, aborting...\n", path, strerror(errno));
        exit(1);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        printf("Cannot stat file: %s, aborting...\n", filename);
        exit(1);
    }
    if (st.st_size == 0) {
        close(fd);
        return CHECK_EMPTY;
    }
    Scan s = {.size = st.st_size, .line = 1};
    s.p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (s.p == MAP_FAILED) {
        printf("Cannot read file %s: %s, aborting...\n", path, strerror(errno));
        exit(1);
    }
    if (maybe_rdb && s.size >= 5 && memcmp(s.p, "REDIS", 5) == 0) {
        s.cur = check_rdb_part(fd, filename);
        if (s.cur < 0) exit(1);
    }
    close(fd);

    long long ok_up_to, ok_line;
    int rc = scan_file(&s, filename, path, &ok_up_to, &ok_line);
    munmap((void *)s.p, (size_t)s.size);
    if (rc != PARSE_OK) printf("%s\n", s.err);
    long long diff = s.size - ok_up_to;
    printf("AOF analyzed: filename=%s, size=%lld, ok_up_to=%lld, ok_up_to_line=%lld, "
           "diff=%lld\n",
           filename, s.size, ok_up_to, ok_line, diff);
    if (diff == 0) return CHECK_OK;
    if (!o->fix) {
        printf("AOF %s is not valid. Use the --fix option to try fixing it.\n", filename);
        exit(1);
    }
    if (!last_file) {
        printf("Failed to truncate AOF %s because it is not the last file\n", filename);
        exit(1);
    }
    if (rc == PARSE_BAD) {
        printf("AOF %s is not valid: the bytes at offset %lld are malformed, not an "
               "incomplete last command; truncating there would drop %lld bytes that may hold "
               "later commands, so --fix refuses. Repair it by hand.\n",
               filename, ok_up_to, diff);
        exit(1);
    }
    printf("This will shrink the AOF %s from %lld bytes, with %lld bytes, to %lld bytes\n",
           filename, s.size, diff, ok_up_to);
    if (!ask_continue(o)) {
        printf("Aborting...\n");
        exit(1);
    }
    if (truncate_file(path, ok_up_to) != 0) {
        printf("Failed to truncate AOF %s: %s\n", filename, strerror(errno));
        exit(1);
    }
    return CHECK_FIXED;
}

static void print_verdict(int ret, const char *filename, const char *kind) {
    if (ret == CHECK_OK)
        printf("%s %s is valid\n", kind, filename);
    else if (ret == CHECK_EMPTY)
        printf("%s %s is empty\n", kind, filename);
    else
        printf("Successfully truncated AOF %s\n", filename);
}

/* ---- the manifest ------------------------------------------------------------------ */

typedef struct AofFile {
    char *name;
    long long seq;
    char type; /* 'b' base, 'h' history, 'i' incremental */
} AofFile;

typedef struct Manifest {
    AofFile *files; /* base first (if any), then the incremental files in order */
    int n;
} Manifest;

/* Redis's manifest errors, with the line (and its text) they were found at. */
VG_NORETURN static void manifest_fail(int lineno, const char *line, const char *err) {
    printf("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
    if (line) printf("Reading the manifest file, at line %d\n>>> '%s'\n", lineno, line);
    printf("%s\n", err);
    exit(1);
}

/* Is this file a manifest? As redis-check-aof decides: any non-comment line starting
 * with "file". */
static bool file_is_manifest(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("Cannot open file %s: %s, aborting...\n", path, strerror(errno));
        exit(1);
    }
    char buf[MANIFEST_LINE_MAX + 1];
    bool yes = false;
    while (!yes && fgets(buf, sizeof(buf), f))
        yes = buf[0] != '#' && !strncmp(buf, "file", 4);
    fclose(f);
    return yes;
}

/* Fill *ai from one manifest line's key/value words; NULL or Redis's error text. */
static const char *manifest_parse_words(RespArg *w, int n, AofFile *ai) {
    if (n < 6 || n % 2) return "Invalid AOF manifest file format";
    for (int i = 0; i < n; i += 2) {
        if (!strcasecmp(w[i].ptr, "file")) {
            if (strchr(w[i + 1].ptr, '/')) return "File can't be a path, just a filename";
            free(ai->name);
            ai->name = strdup(w[i + 1].ptr);
        } else if (!strcasecmp(w[i].ptr, "seq")) {
            ai->seq = atoll(w[i + 1].ptr);
        } else if (!strcasecmp(w[i].ptr, "type")) {
            ai->type = w[i + 1].ptr[0];
        } /* other keys: ignored, for forward compatibility (as Redis) */
    }
    if (!ai->name || !ai->seq || !ai->type) return "Invalid AOF manifest file format";
    return NULL;
}

static void manifest_load(const char *path, Manifest *m) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("Cannot open file %s: %s, aborting...\n", path, strerror(errno));
        exit(1);
    }
    char buf[MANIFEST_LINE_MAX + 1];
    int lineno = 0;
    bool have_base = false;
    long long maxseq = 0;
    m->files = calloc(1, sizeof(AofFile));
    m->n = 1; /* slot 0 is the base (name NULL when there is none) */
    while (fgets(buf, sizeof(buf), f)) {
        lineno++;
        if (buf[0] == '#') continue;
        if (!strchr(buf, '\n') && !feof(f))
            manifest_fail(lineno, NULL, "The AOF manifest file contains too long line");
        size_t len = strcspn(buf, "\r\n");
        buf[len] = '\0';
        RespArg *w;
        int n = resp_split_args(buf, len, &w);
        AofFile ai = {0};
        const char *err =
            n <= 0 ? "Invalid AOF manifest file format" : manifest_parse_words(w, n, &ai);
        if (n > 0) resp_split_free(w, n);
        if (!err && ai.type == 'b' && have_base) err = "Found duplicate base file information";
        if (!err && ai.type == 'i' && ai.seq <= maxseq)
            err = "Found a non-monotonic sequence number";
        if (!err && ai.type != 'b' && ai.type != 'h' && ai.type != 'i')
            err = "Unknown AOF file type";
        if (err) manifest_fail(lineno, buf, err);
        if (ai.type == 'b') {
            have_base = true;
            m->files[0] = ai;
        } else if (ai.type == 'i') {
            maxseq = ai.seq;
            m->files = realloc(m->files, sizeof(AofFile) * (size_t)(m->n + 1));
            m->files[m->n++] = ai;
        } else {
            free(ai.name); /* history: about to be deleted, never loaded */
        }
    }
    if (ferror(f)) manifest_fail(lineno, NULL, "Read AOF manifest failed");
    fclose(f);
    if (lineno == 0) manifest_fail(0, NULL, "Found an empty AOF manifest");
}

static void check_manifest(const char *manifest_path, const Options *o) {
    char *copy = strdup(manifest_path);
    const char *dir = dirname(copy);
    Manifest m;
    printf("Start checking Multi Part AOF\n");
    manifest_load(manifest_path, &m);
    int last = m.n - 1;
    while (last >= 0 && !m.files[last].name)
        last--;
    bool incr_started = false;
    for (int i = 0; i < m.n; i++) {
        AofFile *ai = &m.files[i];
        if (!ai->name) continue;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, ai->name);
        if (i == 0) {
            char sig[5] = "";
            FILE *f = fopen(path, "r");
            bool rdb = f && fread(sig, 1, 5, f) == 5 && !memcmp(sig, "REDIS", 5);
            if (f) fclose(f);
            printf("Start to check BASE AOF (%s format).\n", rdb ? "RDB" : "RESP");
        } else if (!incr_started) {
            printf("Start to check INCR files.\n");
            incr_started = true;
        }
        int ret = check_single(ai->name, path, i == last, i == 0, o);
        print_verdict(ret, ai->name, i == 0 ? "BASE AOF" : "INCR AOF");
    }
    for (int i = 0; i < m.n; i++)
        free(m.files[i].name);
    free(m.files);
    free(copy);
    printf("All AOF files and manifest are valid\n");
}

VG_NORETURN static void usage(const char *argv0) {
    printf("Usage: %s [--fix] [--yes] <file.manifest|file.aof>\n", argv0);
    exit(1);
}

int main(int argc, char **argv) {
    Options o = {0};
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--fix"))
            o.fix = true;
        else if (!strcmp(argv[i], "--yes"))
            o.yes = true;
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else
            usage(argv[0]);
    }
    if (!path) usage(argv[0]);
    cfg_defaults(&server_cfg_table); /* the RDB loader reads a few options (databases) */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (file_is_manifest(path)) {
        check_manifest(path, &o);
    } else {
        printf("Start checking Old-Style AOF\n");
        int ret = check_single(path, path, true, true, &o);
        print_verdict(ret, path, "AOF");
    }
    return 0;
}
