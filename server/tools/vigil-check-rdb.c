/* vigil-check-rdb - check an RDB file offline by loading it with the server's own loader
 * (rdb.c) into in-memory databases, and print a report shaped like redis-check-rdb's.
 *
 *   vigil-check-rdb FILE        exit 0: the file loads; 1: it does not (offset and reason
 *                               printed); 2: usage
 *
 * Only what the loader needs is set up: the default configuration, the databases and the
 * clock. No event loop exists, so the loader is told never to serve events. */
#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/mem.h"
#include "server/db.h"
#include "server/persist.h"
#include "server/rdb.h"
#include "server/server.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "Usage: %s <rdb-file-name>\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    cfg_defaults(&server_cfg_table);
    /* no event loop here: never hand control to it while loading */
    cfg.loading_process_events_interval_bytes = LLONG_MAX / 2;
    log_set_level(LOG_WARN);
    srv.wall_offset_us = clock_wall_us() - clock_mono_us(); /* what the cron keeps fresh */
    server_update_time();
    srv.ndbs = (int)cfg.databases;
    srv.dbs = mem_calloc(sizeof(Db) * (size_t)srv.ndbs);
    for (int i = 0; i < srv.ndbs; i++)
        db_init(&srv.dbs[i], i);

    printf("[offset 0] Checking RDB file %s\n", path);
    fflush(stdout);
    RdbLoadInfo info;
    memset(&info, 0, sizeof(info));
    char err[1024];
    err[0] = '\0';
    int r = rdb_load_file(path, &info, err, sizeof(err));
    long long expires = 0;
    for (int i = 0; i < srv.ndbs; i++)
        expires += db_expires_size(&srv.dbs[i]);
    if (r == RDB_LOAD_NOT_FOUND) {
        printf("--- RDB ERROR DETECTED ---\n");
        printf("[offset 0] Cannot open RDB file %s: No such file or directory\n", path);
        return 1;
    }
    if (r != RDB_LOAD_OK) {
        /* err reads "<file> at offset <n>: <what>" */
        long long off = 0;
        const char *at = strstr(err, " at offset ");
        if (at) sscanf(at, " at offset %lld", &off);
        printf("--- RDB ERROR DETECTED ---\n");
        printf("[offset %lld] %s\n", off, err);
        printf("[info] %lld keys read\n", info.keys_loaded + info.keys_expired);
        printf("[info] %lld expires\n", expires);
        printf("[info] %lld already expired\n", info.keys_expired);
        return 1;
    }
    struct stat st;
    long long size = stat(path, &st) == 0 ? (long long)st.st_size : 0;
    printf("[offset %lld] \\o/ RDB looks OK! \\o/\n", size);
    printf("[info] %lld keys read\n", info.keys_loaded + info.keys_expired);
    printf("[info] %lld expires\n", expires + info.keys_expired);
    printf("[info] %lld already expired\n", info.keys_expired);
    return 0;
}
