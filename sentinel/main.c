/* main.c - vigil-sentinel entry point. The monitoring, voting and failover machinery arrives
 * with the sentinel issue; today the program answers --version and --help and refuses to run
 * rather than pretend to watch anything. */
#include "sentinel/sentinel_version.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out, "Usage: vigil-sentinel CONFIG.ini [--name value ...]\n"
                 "       vigil-sentinel --version\n"
                 "       vigil-sentinel --help\n"
                 "       vigil-sentinel CONFIG.ini --check-config\n");
}

int main(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v"))) {
        printf("vigil-sentinel v=%s\n", sentinel_version());
        return 0;
    }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    fprintf(stderr, "vigil-sentinel: monitoring is not implemented yet in this version\n");
    return 1;
}
