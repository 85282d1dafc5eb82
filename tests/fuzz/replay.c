/* replay.c - runs a fuzz target over its seed corpus, so the normal gcc build (and ctest)
 * exercises every fuzz_<parser>.c without libFuzzer.
 *
 *   fuzz_<parser> <corpus-dir>
 *
 * Calls LLVMFuzzerTestOneInput once per regular file in the directory, in name order, and
 * prints "<dir>: N passed, M failed". A target reports a bug by crashing (abort, sanitizer);
 * a nonzero return other than -1 (libFuzzer's "reject input") counts as a failure. Exits 0
 * when everything passed, 1 when the directory is missing, unreadable or holds no file, or
 * any input failed. Linked only in builds without -fsanitize=fuzzer (libFuzzer brings its
 * own main). */
#include "common/mem.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the regular files in dir, sorted; *n gets the count. NULL if unreadable. */
static char **list_files(const char *dir, size_t *n) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **names = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            names = mem_realloc(names, cap * sizeof(*names));
        }
        names[(*n)++] = mem_strdup(e->d_name);
    }
    closedir(d);
    if (*n) qsort(names, *n, sizeof(*names), compare_names);
    return names ? names : mem_calloc(sizeof(*names));
}

/* Whole file into a heap buffer (NULL on error); *len gets its size. */
static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, used = 0;
    uint8_t *data = mem_alloc(cap);
    size_t got;
    while ((got = fread(data + used, 1, cap - used, f)) > 0) {
        used += got;
        if (used == cap) {
            cap *= 2;
            data = mem_realloc(data, cap);
        }
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        mem_free(data);
        return NULL;
    }
    *len = used;
    return data;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
        return 1;
    }
    const char *dir = argv[1];
    size_t n;
    char **names = list_files(dir, &n);
    if (!names) {
        fprintf(stderr, "%s: cannot read corpus directory: %s\n", dir, strerror(errno));
        return 1;
    }
    if (n == 0) {
        fprintf(stderr, "%s: no corpus files\n", dir);
        mem_free(names);
        return 1;
    }
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        size_t len = 0;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        uint8_t *data = read_file(path, &len);
        if (!data) {
            fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
            failed++;
        } else {
            int rc = LLVMFuzzerTestOneInput(data, len);
            if (rc == 0 || rc == -1) {
                passed++;
            } else {
                fprintf(stderr, "%s: target returned %d\n", path, rc);
                failed++;
            }
            mem_free(data);
        }
        mem_free(names[i]);
    }
    mem_free(names);
    printf("%s: %zu passed, %zu failed\n", dir, passed, failed);
    return failed ? 1 : 0;
}
