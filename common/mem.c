/* mem.c - allocation wrappers over jemalloc (libc malloc in sanitizer builds).
 *
 * used bytes are counted with the allocator's usable size of each block, like Redis's
 * zmalloc, so INFO used_memory is exact and cheap to read; the counter is atomic because
 * background threads (lazy free, fsync jobs) allocate too. */
#include "common/mem.h"

#include "common/buf.h"
#include "common/log.h"
#include "common/vg.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef VIGIL_SANITIZE
#include <jemalloc/jemalloc.h>
#define usable_size(p) malloc_usable_size(p)
#else
#include <malloc.h>
#define usable_size(p) malloc_usable_size(p)
#endif

static _Atomic size_t used_bytes;

static void account_add(void *p) {
    if (p) atomic_fetch_add_explicit(&used_bytes, usable_size(p), memory_order_relaxed);
}

static void account_sub(void *p) {
    if (p) atomic_fetch_sub_explicit(&used_bytes, usable_size(p), memory_order_relaxed);
}

VG_NORETURN static void oom(size_t size) {
    log_warn("Out Of Memory allocating %zu bytes, aborting", size);
    abort();
}

void *mem_try_alloc(size_t size) {
    void *p = malloc(size ? size : 1);
    account_add(p);
    return p;
}

void *mem_alloc(size_t size) {
    void *p = mem_try_alloc(size);
    if (!p) oom(size);
    return p;
}

void *mem_calloc(size_t size) {
    void *p = calloc(1, size ? size : 1);
    if (!p) oom(size);
    account_add(p);
    return p;
}

void *mem_try_realloc(void *ptr, size_t size) {
    if (!ptr) return mem_try_alloc(size);
    size_t old = usable_size(ptr);
    void *p = realloc(ptr, size ? size : 1);
    if (!p) return NULL;
    size_t now = usable_size(p);
    if (now >= old)
        atomic_fetch_add_explicit(&used_bytes, now - old, memory_order_relaxed);
    else
        atomic_fetch_sub_explicit(&used_bytes, old - now, memory_order_relaxed);
    return p;
}

void *mem_realloc(void *ptr, size_t size) {
    void *p = mem_try_realloc(ptr, size);
    if (!p) oom(size);
    return p;
}

char *mem_strndup(const char *s, size_t len) {
    char *p = mem_alloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *mem_strdup(const char *s) {
    return mem_strndup(s, strlen(s));
}

void mem_free(void *ptr) {
    if (!ptr) return;
    account_sub(ptr);
    free(ptr);
}

size_t mem_usable_size(void *ptr) {
    return ptr ? usable_size(ptr) : 0;
}

size_t mem_used_bytes(void) {
    return atomic_load_explicit(&used_bytes, memory_order_relaxed);
}

#ifndef VIGIL_SANITIZE
static size_t stat_read(const char *name) {
    size_t v = 0, sz = sizeof(v);
    if (mallctl(name, &v, &sz, NULL, 0) != 0) return 0;
    return v;
}

void mem_stats(MemStats *out) {
    uint64_t epoch = 1;
    size_t sz = sizeof(epoch);
    mallctl("epoch", &epoch, &sz, &epoch, sz); /* refresh the cached statistics */
    out->allocated = stat_read("stats.allocated");
    out->active = stat_read("stats.active");
    out->resident = stat_read("stats.resident");
    out->mapped = stat_read("stats.mapped");
    out->retained = stat_read("stats.retained");
    out->frag_bytes = out->active > out->allocated ? out->active - out->allocated : 0;
}

const char *mem_allocator_name(void) {
    static char name[48];
    if (!name[0]) {
        const char *v = NULL;
        size_t sz = sizeof(v);
        if (mallctl("version", &v, &sz, NULL, 0) == 0 && v) {
            /* "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c" -> "jemalloc-5.3.0" */
            int n = (int)strcspn(v, "-");
            snprintf(name, sizeof(name), "jemalloc-%.*s", n, v);
        } else {
            snprintf(name, sizeof(name), "jemalloc");
        }
    }
    return name;
}
static void stats_print_cb(void *ud, const char *text) {
    buf_append_str(ud, text);
}

void mem_malloc_stats(Buf *out) {
    malloc_stats_print(stats_print_cb, out, NULL);
}

bool mem_purge(void) {
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "arena.%d.purge", MALLCTL_ARENAS_ALL);
    return mallctl(cmd, NULL, NULL, NULL, 0) == 0;
}
#else
void mem_stats(MemStats *out) {
    memset(out, 0, sizeof(*out));
}

void mem_malloc_stats(Buf *out) {
    buf_append_str(out, "Stats not supported for the current allocator\n");
}

bool mem_purge(void) {
    return true;
}

const char *mem_allocator_name(void) {
    return "libc";
}
#endif

size_t mem_rss_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long size = 0, rss = 0;
    int n = fscanf(f, "%lu %lu", &size, &rss);
    fclose(f);
    if (n != 2) return 0;
    return (size_t)rss * (size_t)sysconf(_SC_PAGESIZE);
}
