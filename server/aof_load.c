/* aof_load.c - replaying one AOF file into the databases (see aof_load_file in aof.h).
 *
 * The format is Redis's: an optional RDB image (an aof-use-rdb-preamble base), then RESP
 * multibulk commands ("*<argc>\r\n" then "$<len>\r\n<bytes>\r\n" per argument), with
 * "#..." annotation lines skipped. Commands run through a client without a connection, as
 * Redis's fake AOF client: the procs are called directly (no dispatch checks, no
 * propagation, no stats), and MULTI queues until EXEC so a transaction applies as a unit.
 *
 * What a broken file means, as in Redis 7.0:
 *   - the last command of the LAST file cut short (or a MULTI without its EXEC at its end):
 *     a crash during a write; with aof-load-truncated the file is cut back to the last whole
 *     command and loading goes on, else the server refuses to start
 *   - anything else that is not a command (garbage, an unknown command) anywhere: refuse */
#include "server/aof.h"

#include "common/log.h"
#include "common/mem.h"
#include "common/vg.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/multi.h"
#include "server/networking.h"
#include "server/persist.h"
#include "server/rdb.h"
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void free_args(RespArg *argv, int argc) {
    for (int i = 0; i < argc; i++) mem_free((void *)argv[i].ptr);
    mem_free(argv);
}

enum { LOAD_OK = 0, LOAD_EOF_CUT = 1, LOAD_BAD_FORMAT = 2, LOAD_READ_ERR = 3, LOAD_FATAL = 4 };

/* Read one command's arguments. LOAD_OK with *argv set, 1 at a clean end of file (*argc 0),
 * or an error kind. */
static int read_command(FILE *fp, int *argc_out, RespArg **argv_out) {
    char line[128];
    *argc_out = 0;
    *argv_out = NULL;
    for (;;) {
        if (!fgets(line, sizeof(line), fp)) return feof(fp) ? LOAD_OK : LOAD_READ_ERR;
        if (line[0] != '#') break;
        /* an annotation: skip the rest of a long one */
        while (!strchr(line, '\n'))
            if (!fgets(line, sizeof(line), fp)) return feof(fp) ? LOAD_EOF_CUT : LOAD_READ_ERR;
    }
    if (line[0] != '*') return LOAD_BAD_FORMAT;
    if (line[1] == '\0') return feof(fp) ? LOAD_EOF_CUT : LOAD_READ_ERR;
    char *end;
    long argc = strtol(line + 1, &end, 10);
    if (argc < 1 || argc > 1024 * 1024 * 1024) return LOAD_BAD_FORMAT;
    if (!strchr(line, '\n')) return feof(fp) ? LOAD_EOF_CUT : LOAD_BAD_FORMAT;
    RespArg *argv = mem_calloc(sizeof(RespArg) * (size_t)argc);
    for (long j = 0; j < argc; j++) {
        if (!fgets(line, sizeof(line), fp)) {
            free_args(argv, (int)j);
            return feof(fp) ? LOAD_EOF_CUT : LOAD_READ_ERR;
        }
        if (line[0] != '$') {
            free_args(argv, (int)j);
            return LOAD_BAD_FORMAT;
        }
        if (!strchr(line, '\n')) {
            free_args(argv, (int)j);
            return feof(fp) ? LOAD_EOF_CUT : LOAD_BAD_FORMAT;
        }
        long long len = strtoll(line + 1, &end, 10);
        if (len < 0 || (*end != '\r' && *end != '\n')) {
            free_args(argv, (int)j);
            return LOAD_BAD_FORMAT;
        }
        char *p = mem_alloc((size_t)len + 1);
        char crlf[2];
        if ((len > 0 && fread(p, (size_t)len, 1, fp) != 1) || fread(crlf, 2, 1, fp) != 1) {
            mem_free(p);
            free_args(argv, (int)j);
            return feof(fp) ? LOAD_EOF_CUT : LOAD_READ_ERR;
        }
        p[len] = '\0';
        argv[j].ptr = p;
        argv[j].len = (size_t)len;
    }
    *argc_out = (int)argc;
    *argv_out = argv;
    return LOAD_OK;
}

static bool arity_ok(const Command *cmd, int argc) {
    int a = cmd->spec->arity;
    return (a > 0 && argc == a) || (a < 0 && argc >= -a);
}

/* Run one command on the fake client: queued inside MULTI, else its proc directly. */
static void run_command(Client *fc, Command *cmd) {
    if (multi_should_queue(fc, cmd)) {
        multi_queue_command(fc, cmd);
    } else {
        Client *outer = srv.current_client;
        fc->flags |= CLIENT_EXECUTING;
        srv.current_client = fc;
        fc->cmd = cmd;
        cmd->spec->proc(fc);
        srv.current_client = outer;
        fc->flags &= ~(uint32_t)CLIENT_EXECUTING;
    }
    buf_clear(&fc->out); /* nobody reads the replies */
}

int aof_load_file(const char *path, const char *name, bool is_base, bool is_last,
                  long long offset_before, long long *size) {
    VG_UNUSED(is_base);
    *size = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        log_warn("Fatal error: can't open the append log file %s for reading: %s", name,
                 strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size == 0) {
        close(fd);
        return 0; /* an empty file holds nothing: fine */
    }
    long long pos = 0;
    char sig[5];
    if (pread(fd, sig, 5, 0) == 5 && memcmp(sig, "REDIS", 5) == 0) {
        log_notice("Reading RDB base file on AOF loading...");
        RdbLoadInfo info;
        memset(&info, 0, sizeof(info));
        char err[512];
        err[0] = '\0';
        if (rdb_load_fd(fd, name, &info, &pos, err, sizeof(err)) != RDB_LOAD_OK) {
            log_warn("Error reading the RDB base file %s, AOF loading aborted: %s", name, err);
            close(fd);
            return -1;
        }
        ps.rdb_last_load_keys_loaded += info.keys_loaded;
        ps.rdb_last_load_keys_expired += info.keys_expired;
        if (lseek(fd, pos, SEEK_SET) != pos) {
            log_warn("Error seeking in the AOF file %s: %s", name, strerror(errno));
            close(fd);
            return -1;
        }
        log_notice("Reading the remaining AOF tail...");
    }
    FILE *fp = fdopen(fd, "r");
    if (!fp) {
        close(fd);
        return -1;
    }
    Client *fc = client_new(-1, 0);
    long long valid_up_to = pos, valid_before_multi = pos;
    int kind = LOAD_OK;
    for (;;) {
        int argc;
        RespArg *argv;
        kind = read_command(fp, &argc, &argv);
        if (kind != LOAD_OK || argc == 0) break;
        Command *cmd = command_lookup(argv[0].ptr, argv[0].len);
        if (cmd && cmd->has_subs && argc >= 2) cmd = command_lookup_sub(cmd, argv[1].ptr, argv[1].len);
        if (!cmd) {
            log_warn("Unknown command '%.*s' reading the append only file %s",
                     (int)VG_MIN(argv[0].len, 128), argv[0].ptr, name);
            free_args(argv, argc);
            kind = LOAD_FATAL;
            break;
        }
        if (!arity_ok(cmd, argc)) {
            free_args(argv, argc);
            kind = LOAD_BAD_FORMAT;
            break;
        }
        if (!(fc->flags & CLIENT_MULTI) && strcmp(cmd->spec->name, "multi") == 0 && !cmd->parent)
            valid_before_multi = valid_up_to;
        fc->argv = argv;
        fc->argc = argc;
        run_command(fc, cmd);
        fc->argv = NULL;
        fc->argc = 0;
        free_args(argv, argc);
        valid_up_to = (long long)ftello(fp);
        persist_loading_progress(offset_before + valid_up_to);
    }
    if (kind == LOAD_OK && (fc->flags & CLIENT_MULTI)) {
        log_warn("Revert incomplete MULTI/EXEC transaction in AOF file %s", name);
        valid_up_to = valid_before_multi;
        kind = LOAD_EOF_CUT;
    }
    if (kind == LOAD_READ_ERR && feof(fp)) kind = LOAD_EOF_CUT;
    int err = errno;
    fclose(fp);
    client_close(fc);
    switch (kind) {
    case LOAD_OK:
        *size = (long long)st.st_size;
        return 0;
    case LOAD_FATAL:
        return -1;
    case LOAD_READ_ERR:
        log_warn("Unrecoverable error reading the append only file %s: %s", name,
                 strerror(err));
        return -1;
    case LOAD_BAD_FORMAT:
        log_warn("Bad file format reading the append only file %s: make a backup of your AOF "
                 "file, then use ./vigil-check-aof --fix <filename.manifest>",
                 name);
        log_warn("The last valid command of %s ends at offset %lld", name, valid_up_to);
        return -1;
    default: /* LOAD_EOF_CUT */
        break;
    }
    if (!is_last) {
        log_warn("Unexpected end of file reading the append only file %s (offset %lld). "
                 "Fatal error: the truncated file is not the last file",
                 name, valid_up_to);
        return -1;
    }
    if (!cfg.aof_load_truncated) {
        log_warn("Unexpected end of file reading the append only file %s. You can: 1) Make a "
                 "backup of your AOF file, then use ./vigil-check-aof --fix "
                 "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
                 "configuration option to yes and restart the server.",
                 name);
        return -1;
    }
    log_warn("!!! Warning: short read while loading the AOF file %s!!!", name);
    log_warn("!!! Truncating the AOF %s at offset %lld !!!", name, valid_up_to);
    if (truncate(path, valid_up_to) != 0) {
        log_warn("Error truncating the AOF file %s: %s", name, strerror(errno));
        return -1;
    }
    log_warn("AOF %s loaded anyway because aof-load-truncated is enabled", name);
    *size = valid_up_to;
    return 0;
}
