/* info.h - the INFO report: Redis 7.0.15's sections, field names, order and formats.
 *
 * info_generate() writes the text for a list of section names (Redis's selection rules:
 * no names = "default", "all", "everything", unknown names select nothing). The command
 * proc lives with the other introspection commands (cmd_config.c); other modules that need
 * INFO text (DEBUG, a future sentinel-facing role report) call info_generate() too.
 *
 * Wiring: info_init() once after the command table is built (records used_memory_startup
 * and draws the replication id); info_cron() from the server cron, which samples the
 * instantaneous_* rates every 100 ms as Redis does. */
#ifndef VIGIL_SERVER_INFO_H
#define VIGIL_SERVER_INFO_H

#include "common/buf.h"
#include "common/mem.h"
#include "common/resp_reader.h"

typedef struct Db Db;

void info_init(void);
void info_cron(void);

/* Append the INFO text for the sections named by argv[0..argc) to out: "# Name" headers,
 * "field:value\r\n" lines, a blank line between sections. Updates the memory peak. */
void info_generate(Buf *out, int argc, const RespArg *argv);

/* CONFIG RESETSTAT: forget the samples behind the instantaneous_* rates. The caller resets
 * srv.stats first. */
void info_reset_stats(void);

/* The figures behind INFO memory and MEMORY STATS (updates the peak). */
typedef struct MemReport {
    size_t used, rss, peak, startup, overhead, dataset, clients, system;
    size_t clients_replicas; /* replica clients (their output buffers), not the backlog */
    MemStats alloc;
} MemReport;
void info_memory_report(MemReport *m);
/* What a database's tables cost besides the keys: bucket arrays, and the expire entries. */
void info_db_overhead(const Db *db, size_t *main, size_t *expires);


#endif
