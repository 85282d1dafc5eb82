/* aof.h - the append-only file (Redis 7's multi-part AOF: appenddirname holding a base
 * file, incremental files and a manifest).
 *
 * Commands reach the AOF only through propagate.c (aof_feed). Before the server sleeps,
 * the buffer is written to the current incremental file and fsynced per appendfsync
 * (always: before any reply goes out; everysec: by a background thread). BGREWRITEAOF forks
 * a child that writes a new base while new writes go to a new incremental file. */
#ifndef VIGIL_SERVER_AOF_H
#define VIGIL_SERVER_AOF_H

#include <stdbool.h>

#include "common/resp_reader.h"

typedef struct Client Client;

/* CONFIG SET appendonly (and the start-up apply hook, where it does nothing): turn the AOF
 * on (a rewrite writes the first base) or off. NULL, or an error text. */
const char *aof_apply_enabled(bool on);

/* Start-up, when appendonly is on: load the manifest's files into the databases.
 * 0 loaded (or nothing to load), -1 after logging why the server must not start. */
int aof_load_at_startup(void);
/* Start-up, after loading: open (creating if needed) the directory, manifest and the
 * incremental file new writes go to. 0, or -1 after logging. */
int aof_open_at_startup(void);

/* Load one AOF file (`path`, called `name` in messages) into the databases: an RDB image
 * first when it starts with "REDIS" (base files only), then commands, run through a client
 * without a connection. `offset_before` is what earlier files of the same load consumed
 * (loading progress); *size gets this file's size once loaded. A truncated last command in
 * the last file is cut off (ftruncate) under aof-load-truncated. 0, or -1 after logging why
 * the server must not start. */
int aof_load_file(const char *path, const char *name, bool is_base, bool is_last,
                  long long offset_before, long long *size);

/* Append one command, executed in db `dbid`, to the AOF buffer (SELECT is added when the
 * db differs from the previous command's). */
void aof_feed(int dbid, const RespArg *argv, int argc);

/* Event-loop hooks: write (and fsync per policy) before replies go out; the cron drives
 * everysec fsyncs, postponed writes and automatic rewrites. */
void aof_before_sleep(void);
void aof_cron(void);

/* Shutdown: write what is buffered and fsync. */
void aof_shutdown(void);

/* BGREWRITEAOF */
void cmd_bgrewriteaof(Client *c);

#endif
