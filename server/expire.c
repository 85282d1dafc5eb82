/* expire.c - key expiry.
 *
 * Keys with a TTL sit in the db's expires index (db.c). Lazy expiry happens in the db
 * lookups; this file is the active path: each cycle walks the expires index of every db
 * with its SCAN cursor, 20 keys at a time, deleting the dead ones, and keeps going on a
 * db while more than 10% of a sample was expired, within a time budget (25% of a cron
 * tick for the slow cycle, 1 ms for the fast cycle run before sleeping), so a burst of
 * expiries never stalls clients and memory of dead keys is reclaimed without reads.
 * DEBUG SET-ACTIVE-EXPIRE 0 turns this off (tests of lazy expiry). */
#include "server/expire.h"

#include "common/clock.h"
#include "server/db.h"
#include "server/dispatch.h"
#include "server/replication.h"
#include "server/server.h"

#include <stdbool.h>

#define KEYS_PER_LOOP     20
#define FAST_DURATION_US  1000
#define ACCEPTABLE_STALE  10 /* percent */

static bool last_cycle_timed_out;
static int64_t last_fast_cycle_us;

typedef struct Sample {
    Db *db;
    Kv *expired[KEYS_PER_LOOP * 4];
    int nexpired;
    int sampled;
    int64_t now_ms;
} Sample;

static void collect(DictNode *n, void *ud) {
    Sample *s = ud;
    ExpireEntry *e = (ExpireEntry *)n;
    s->sampled++;
    if (e->when_ms < s->now_ms && s->nexpired < (int)VG_ARRAY_LEN(s->expired))
        s->expired[s->nexpired++] = e->kv;
}

/* One db until it looks clean or time is up. Returns false when out of time. */
static bool expire_db(Db *db, int64_t deadline_us) {
    for (int iter = 0;; iter++) {
        if (db_expires_size(db) == 0) return true;
        Sample s = {.db = db, .now_ms = server_now_ms()};
        int buckets = 0;
        do {
            db->expire_cursor = dict_scan(&db->expires, db->expire_cursor, collect, &s);
            buckets++;
        } while (db->expire_cursor != 0 && s.sampled < KEYS_PER_LOOP && buckets < KEYS_PER_LOOP * 4);
        for (int i = 0; i < s.nexpired; i++) {
            db_delete_expired(db, s.expired[i]);
        }
        if ((iter & 15) == 0 && clock_mono_us() > deadline_us) return false;
        if (s.sampled == 0 || s.nexpired * 100 <= s.sampled * ACCEPTABLE_STALE) return true;
    }
}

static void expire_run(int64_t budget_us) {
    /* While CLIENT PAUSE holds writes the dataset must not change (a failover is copying
     * it): keys past their TTL wait, and reads already see them as missing. */
    if (!srv.active_expire_enabled || dispatch_writes_paused()) return;
    /* A replica never expires on its own: its primary's DELs do (Redis 7.0: iAmMaster()). */
    if (repl_is_replica()) return;
    int64_t start = clock_mono_us();
    int64_t deadline = start + budget_us;
    server_update_time();
    last_cycle_timed_out = false;
    for (int i = 0; i < srv.ndbs; i++) {
        if (!expire_db(&srv.dbs[i], deadline)) {
            last_cycle_timed_out = true;
            break;
        }
    }
    srv.stats.expire_cycle_cpu_ms += (clock_mono_us() - start) / 1000;
}

void expire_cycle_slow(void) {
    expire_run(1000000 / cfg.hz / 4);
}

void expire_cycle_fast(void) {
    if (!last_cycle_timed_out) return;
    int64_t now = clock_mono_us();
    if (now - last_fast_cycle_us < FAST_DURATION_US * 2) return;
    last_fast_cycle_us = now;
    expire_run(FAST_DURATION_US);
}
