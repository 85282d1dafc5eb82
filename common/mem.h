/* mem.h - the one allocation interface of both programs.
 *
 * mem_alloc/mem_calloc/mem_realloc/mem_strdup never return NULL: on exhaustion they log and
 * abort (one OOM policy, no scattered checks). mem_try_alloc is for client-sized requests
 * where failure becomes an OOM reply. jemalloc backs them (sanitizer builds use libc malloc);
 * mem_used_bytes() is the exact sum of usable sizes currently allocated through this file,
 * which INFO reports as used_memory and maxmemory will compare against. */
#ifndef VIGIL_COMMON_MEM_H
#define VIGIL_COMMON_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *mem_alloc(size_t size);
void *mem_calloc(size_t size);
void *mem_realloc(void *ptr, size_t size);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t len);
/* NULL when the allocator cannot satisfy the request. */
void *mem_try_alloc(size_t size);
void *mem_try_realloc(void *ptr, size_t size);
void mem_free(void *ptr);
/* Bytes the allocator really reserved for ptr (>= what was asked). */
size_t mem_usable_size(void *ptr);

/* Sum of usable sizes of live allocations made through mem_*. */
size_t mem_used_bytes(void);

/* Allocator-wide statistics (jemalloc mallctl "stats.*"; zeros under libc malloc). */
typedef struct MemStats {
    size_t allocated; /* stats.allocated */
    size_t active;    /* stats.active */
    size_t resident;  /* stats.resident */
    size_t mapped;    /* stats.mapped */
    size_t retained;  /* stats.retained */
    size_t frag_bytes; /* active - allocated */
} MemStats;
void mem_stats(MemStats *out);

/* Append jemalloc's malloc_stats_print report to out (a one-line notice in the sanitizer
 * build, which uses libc malloc). */
struct Buf;
void mem_malloc_stats(struct Buf *out);
/* Return unused dirty pages of every arena to the system (MEMORY PURGE). */
bool mem_purge(void);
/* Resident set size of this process from /proc/self/statm; 0 if unreadable. */
size_t mem_rss_bytes(void);
/* "jemalloc-5.3.0" or "libc". */
const char *mem_allocator_name(void);

#endif
