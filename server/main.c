/* main.c - vigil-server entry point: command line, config loading, then server.c. */
#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "common/mem.h"
#include "server/server.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out) {
    fprintf(out,
            "Usage: vigil-server [CONFIG.ini] [--name value ...]\n"
            "       vigil-server --version\n"
            "       vigil-server --help\n"
            "       vigil-server [CONFIG.ini] [--name value ...] --check-config\n"
            "\n"
            "Options are Redis's own (port, bind, maxmemory, ...); command-line values\n"
            "override the file. Examples:\n"
            "       vigil-server configs/primary.ini\n"
            "       vigil-server --port 7777 --save \"\"\n"
            "       vigil-server configs/replica-1.ini --loglevel verbose\n");
}

static void print_version(void) {
    printf("vigil-server v=%s redis-compat=%s malloc=%s bits=%d\n", VIGIL_VERSION,
           VIGIL_REDIS_VERSION, mem_allocator_name(), (int)(sizeof(long) * 8));
}

static int load_config(int argc, char **argv) {
    Buf err = BUF_INIT;
    int first = 1;
    cfg_defaults(&server_cfg_table);
    if (argc > 1 && strncmp(argv[1], "--", 2) != 0) {
        char path[PATH_MAX];
        srv.config_file = mem_strdup(realpath(argv[1], path) ? path : argv[1]);
        if (cfg_load_file(&server_cfg_table, srv.config_file, NULL, NULL, NULL, &err) != 0)
            goto fail;
        first = 2;
    }
    if (cfg_apply_args(&server_cfg_table, argc, argv, first, &err) != 0) goto fail;
    if (cfg_run_apply_hooks(&server_cfg_table, &err) != 0) goto fail;
    buf_deinit(&err);
    return 0;
fail:
    fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (Vigil %s) ***\n%s\n", VIGIL_VERSION,
            buf_cstr(&err));
    buf_deinit(&err);
    return -1;
}

int main(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v"))) {
        print_version();
        return 0;
    }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    bool check_only = cfg_take_flag(&argc, argv, "--check-config");
    char exe[PATH_MAX];
    srv.executable = mem_strdup(realpath(argv[0], exe) ? exe : argv[0]);
    if (load_config(argc, argv) != 0) return 1;
    if (check_only) {
        printf("%s: configuration OK\n", srv.config_file ? srv.config_file : "(defaults)");
        return 0;
    }
    log_notice("Vigil %s (Redis %s compatible) starting, pid=%d, bits=%d", VIGIL_VERSION,
               VIGIL_REDIS_VERSION, (int)getpid(), (int)(sizeof(long) * 8));
    if (srv.config_file)
        log_notice("Configuration loaded from %s", srv.config_file);
    else
        log_warn("No config file specified, using the default config.");
    if (server_init() != 0) return 1;
    log_notice("Server initialized");
    log_notice("Ready to accept connections tcp, port %lld", cfg.port);
    server_run(); /* returns only through server_shutdown_now()'s exit */
    return 0;
}
