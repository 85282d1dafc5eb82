/* test_server_db.c - the keyspace storage (db.c) and its entries (object.c): add, lookup and
 * delete; the expires index kept in step through replace, rekey and relink; lazy expiry
 * under a faked clock; flush and swap; and SCAN's guarantee over a 10k-key db while the
 * table grows and shrinks.
 *
 * The fixture builds two databases in `srv` and fixes the clock: tests move time by
 * writing srv.now_ms, which is what the lookups read. */
#include "common/dict.h"
#include "common/mem.h"
#include "server/db.h"
#include "server/object.h"
#include "server/server.h"

#include <check.h>

#include "check_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0_MS 1700000000000LL

static void setup(void) {
    memset(&srv, 0, sizeof(srv));
    srv.ndbs = 2;
    srv.dbs = mem_calloc(sizeof(Db) * (size_t)srv.ndbs);
    for (int i = 0; i < srv.ndbs; i++)
        db_init(&srv.dbs[i], i);
    srv.now_ms = T0_MS;
    srv.lru_clock = (uint32_t)((T0_MS / 1000) & LRU_CLOCK_MAX);
    cfg.activerehashing = 1;
}

static void teardown(void) {
    for (int i = 0; i < srv.ndbs; i++)
        db_deinit(&srv.dbs[i]);
    mem_free(srv.dbs);
    srv.dbs = NULL;
}

static Kv *str_kv(const char *key, const char *val) {
    return kv_new_string(key, strlen(key), val, strlen(val));
}

static Kv *find(Db *db, const char *key) {
    return db_find(db, key, strlen(key));
}

/* The value of a string Kv as a NUL-terminated copy in buf. */
static const char *value_of(const Kv *kv, char *buf, size_t cap) {
    char nb[32];
    size_t len;
    const char *s = kv_str(kv, &len, nb);
    snprintf(buf, cap, "%.*s", (int)len, s);
    return buf;
}

/* The expire entry of key, whichever Kv it points to. */
static ExpireEntry *expire_entry_of(Db *db, const char *key) {
    return (ExpireEntry *)dict_find(&db->expires, key, strlen(key));
}

/* ---------------------------------------------------------------- objects */

START_TEST(test_string_encodings) {
    char buf[64];
    Kv *i = str_kv("k", "12345");
    Kv *e = str_kv("k", "hello");
    Kv *z = str_kv("k", "012"); /* not canonical: stays a string */
    Kv *r = str_kv("k", "0123456789012345678901234567890123456789012345"); /* 46 bytes */
    ck_assert_int_eq(i->encoding, ENC_INT);
    ck_assert_int_eq(e->encoding, ENC_EMBSTR);
    ck_assert_int_eq(z->encoding, ENC_EMBSTR);
    ck_assert_int_eq(r->encoding, ENC_RAW);
    ck_assert_str_eq(value_of(i, buf, sizeof(buf)), "12345");
    ck_assert_str_eq(value_of(e, buf, sizeof(buf)), "hello");
    ck_assert_str_eq(obj_encoding_name(e->encoding), "embstr");
    ck_assert_str_eq(obj_type_name(r->type), "string");
    long long v;
    ck_assert(kv_get_ll(i, &v) && v == 12345);
    ck_assert(!kv_get_ll(z, &v));
    ck_assert_uint_eq(kv_strlen(r), 46);
    kv_free(i);
    kv_free(e);
    kv_free(z);
    kv_free(r);
}
END_TEST

START_TEST(test_rekey_keeps_value_and_encoding) {
    char buf[64];
    const char *vals[] = {"42", "short", "a value that is longer than forty-four bytes!!"};
    for (size_t n = 0; n < 3; n++) {
        Kv *kv = str_kv("src", vals[n]);
        int enc = kv->encoding;
        Kv *copy = kv_rekey(kv, "copy", 4, true);
        Kv *moved = kv_rekey(kv, "dst", 3, false); /* frees kv */
        ck_assert_str_eq(kv_key(copy), "copy");
        ck_assert_str_eq(kv_key(moved), "dst");
        ck_assert_int_eq(copy->encoding, enc);
        ck_assert_int_eq(moved->encoding, enc);
        ck_assert_str_eq(value_of(copy, buf, sizeof(buf)), vals[n]);
        ck_assert_str_eq(value_of(moved, buf, sizeof(buf)), vals[n]);
        kv_free(copy);
        kv_free(moved);
    }
}
END_TEST

/* ---------------------------------------------------------------- storage */

START_TEST(test_add_lookup_delete) {
    Db *db = db_get(0);
    db_add(db, str_kv("a", "1"));
    db_add(db, str_kv("b", "two"));
    ck_assert_int_eq(db_size(db), 2);
    ck_assert_int_eq(db_size(db_get(1)), 0);
    ck_assert_ptr_nonnull(db_lookup_read(db, "a", 1, LOOKUP_NONE));
    ck_assert_ptr_null(db_lookup_read(db, "zz", 2, LOOKUP_NONE));
    ck_assert_int_eq(srv.stats.keyspace_hits, 1);
    ck_assert_int_eq(srv.stats.keyspace_misses, 1);
    ck_assert_ptr_nonnull(db_lookup_read(db, "b", 1, LOOKUP_NOSTATS));
    ck_assert_int_eq(srv.stats.keyspace_hits, 1);
    ck_assert_ptr_nonnull(db_lookup_write(db, "b", 1));
    ck_assert_int_eq(srv.stats.keyspace_hits, 1);
    ck_assert(db_delete(db, "a", 1));
    ck_assert(!db_delete(db, "a", 1));
    ck_assert_ptr_null(find(db, "a"));
    ck_assert_int_eq(db_size(db), 1);
}
END_TEST

START_TEST(test_lookup_touches_lru_unless_notouch) {
    Db *db = db_get(0);
    db_add(db, str_kv("k", "v"));
    srv.lru_clock += 100;
    db_lookup_read(db, "k", 1, LOOKUP_NOTOUCH);
    ck_assert_uint_eq(kv_idle_seconds(find(db, "k")), 100);
    db_lookup_read(db, "k", 1, LOOKUP_NONE);
    ck_assert_uint_eq(kv_idle_seconds(find(db, "k")), 0);
}
END_TEST

START_TEST(test_set_and_remove_expire) {
    Db *db = db_get(0);
    db_add(db, str_kv("k", "v"));
    Kv *kv = find(db, "k");
    ck_assert_int_eq(db_get_expire(db, kv), -1);
    db_set_expire(db, kv, T0_MS + 1000);
    ck_assert_int_eq(kv->has_expire, 1);
    ck_assert_int_eq(db_get_expire(db, kv), T0_MS + 1000);
    db_set_expire(db, kv, T0_MS + 2000); /* update in place, no second entry */
    ck_assert_int_eq(db_expires_size(db), 1);
    ck_assert_int_eq(db_get_expire(db, kv), T0_MS + 2000);
    ck_assert(db_remove_expire(db, kv));
    ck_assert(!db_remove_expire(db, kv));
    ck_assert_int_eq(kv->has_expire, 0);
    ck_assert_int_eq(db_expires_size(db), 0);
    ck_assert_int_eq(db_get_expire(db, kv), -1);
}
END_TEST

START_TEST(test_set_drops_or_keeps_ttl) {
    Db *db = db_get(0);
    db_add(db, str_kv("k", "v1"));
    db_set_expire(db, find(db, "k"), T0_MS + 5000);

    db_set(db, str_kv("k", "v2"), true); /* KEEPTTL */
    Kv *kv = find(db, "k");
    ck_assert_int_eq(db_get_expire(db, kv), T0_MS + 5000);
    ck_assert_ptr_eq(expire_entry_of(db, "k")->kv, kv);

    db_set(db, str_kv("k", "a longer value that cannot be embedded in the Kv"), false);
    kv = find(db, "k");
    ck_assert_int_eq(kv->has_expire, 0);
    ck_assert_int_eq(db_expires_size(db), 0);
    ck_assert_int_eq(db_size(db), 1);

    db_set(db, str_kv("new", "x"), true); /* KEEPTTL on a new key: nothing to keep */
    ck_assert_int_eq(find(db, "new")->has_expire, 0);
}
END_TEST

START_TEST(test_replace_follows_new_kv_flag) {
    Db *db = db_get(0);
    db_add(db, str_kv("k", "v1"));
    db_set_expire(db, find(db, "k"), T0_MS + 5000);
    Kv *nkv = str_kv("k", "v2");
    nkv->has_expire = 1; /* "keep the TTL" */
    db_replace(db, find(db, "k"), nkv);
    ck_assert_ptr_eq(find(db, "k"), nkv);
    ck_assert_ptr_eq(expire_entry_of(db, "k")->kv, nkv);
    Kv *other = str_kv("k", "v3"); /* has_expire 0: the TTL goes */
    db_replace(db, nkv, other);
    ck_assert_int_eq(db_expires_size(db), 0);
    ck_assert_int_eq(db_get_expire(db, other), -1);
}
END_TEST

START_TEST(test_make_raw_relinks_embstr_with_ttl) {
    char buf[128];
    Db *db = db_get(0);
    db_add(db, str_kv("k", "hello"));
    Kv *old = find(db, "k");
    ck_assert_int_eq(old->encoding, ENC_EMBSTR);
    db_set_expire(db, old, T0_MS + 1000);
    Kv *kv = db_make_raw(db, old, 64);
    ck_assert_int_eq(kv->encoding, ENC_RAW);
    ck_assert_ptr_eq(find(db, "k"), kv);
    ck_assert_ptr_eq(expire_entry_of(db, "k")->kv, kv);
    ck_assert_int_eq(kv->has_expire, 1);
    ck_assert_int_eq(db_get_expire(db, kv), T0_MS + 1000);
    ck_assert_uint_ge(rawstr_capacity(kv_raw(kv)), 64);
    ck_assert_str_eq(value_of(kv, buf, sizeof(buf)), "hello");
    /* Already raw: grows in place, same Kv. */
    ck_assert_ptr_eq(db_make_raw(db, kv, 4096), kv);
    ck_assert_uint_ge(rawstr_capacity(kv_raw(kv)), 4096);
    /* INT converts in place too (the value lives in the Kv's union, not after the key). */
    db_add(db, str_kv("n", "77"));
    Kv *n = find(db, "n");
    ck_assert_ptr_eq(db_make_raw(db, n, 8), n);
    ck_assert_str_eq(value_of(n, buf, sizeof(buf)), "77");
    ck_assert(db_delete(db, "k", 1));
    ck_assert_int_eq(db_expires_size(db), 0);
}
END_TEST

START_TEST(test_unlink_hands_over_ttl) {
    Db *db = db_get(0);
    db_add(db, str_kv("k", "v"));
    db_set_expire(db, find(db, "k"), T0_MS + 700);
    int64_t when = 0;
    Kv *kv = db_unlink(db, "k", 1, &when);
    ck_assert_ptr_nonnull(kv);
    ck_assert_int_eq(when, T0_MS + 700);
    ck_assert_int_eq(kv->has_expire, 0);
    ck_assert_int_eq(db_size(db), 0);
    ck_assert_int_eq(db_expires_size(db), 0);
    /* As MOVE does: into another db, TTL re-attached. */
    Db *dst = db_get(1);
    db_add(dst, kv);
    db_set_expire(dst, kv, when);
    ck_assert_int_eq(db_get_expire(dst, find(dst, "k")), T0_MS + 700);
    ck_assert_ptr_null(db_unlink(db, "k", 1, &when));
}
END_TEST

/* ---------------------------------------------------------------- lazy expiry */

START_TEST(test_lazy_expiry_with_faked_clock) {
    Db *db = db_get(0);
    db_add(db, str_kv("k", "v"));
    db_set_expire(db, find(db, "k"), T0_MS + 500);
    srv.now_ms = T0_MS + 500; /* due at, not after: still alive (Redis: now > when) */
    ck_assert(!db_key_is_expired(db, find(db, "k")));
    ck_assert_ptr_nonnull(db_lookup_read(db, "k", 1, LOOKUP_NONE));

    srv.now_ms = T0_MS + 501;
    ck_assert(db_key_is_expired(db, find(db, "k")));
    ck_assert_ptr_nonnull(find(db, "k")); /* db_find has no side effects */
    long long misses = srv.stats.keyspace_misses;
    ck_assert_ptr_null(db_lookup_read(db, "k", 1, LOOKUP_NONE));
    ck_assert_int_eq(srv.stats.keyspace_misses, misses + 1);
    ck_assert_int_eq(srv.stats.expired_keys, 1);
    ck_assert_ptr_null(find(db, "k"));
    ck_assert_int_eq(db_expires_size(db), 0);
}
END_TEST

START_TEST(test_write_lookup_and_expire_if_needed) {
    Db *db = db_get(0);
    db_add(db, str_kv("w", "v"));
    db_add(db, str_kv("e", "v"));
    db_add(db, str_kv("p", "v")); /* persistent */
    db_set_expire(db, find(db, "w"), T0_MS + 10);
    db_set_expire(db, find(db, "e"), T0_MS + 10);
    srv.now_ms = T0_MS + 11;
    ck_assert_ptr_null(db_lookup_write(db, "w", 1));
    ck_assert_int_eq(srv.stats.keyspace_misses, 0); /* writes don't count */
    ck_assert(db_expire_if_needed(db, find(db, "e")));
    ck_assert(!db_expire_if_needed(db, find(db, "p")));
    ck_assert_int_eq(srv.stats.expired_keys, 2);
    ck_assert_int_eq(db_size(db), 1);
}
END_TEST

/* ---------------------------------------------------------------- whole databases */

START_TEST(test_flush_and_swap) {
    Db *a = db_get(0), *b = db_get(1);
    db_add(a, str_kv("x", "1"));
    db_add(a, str_kv("y", "2"));
    db_set_expire(a, find(a, "y"), T0_MS + 100);
    db_add(b, str_kv("z", "3"));
    db_swap(a, b);
    ck_assert_int_eq(a->id, 0);
    ck_assert_int_eq(b->id, 1);
    ck_assert_ptr_nonnull(find(a, "z"));
    ck_assert_ptr_nonnull(find(b, "y"));
    ck_assert_int_eq(db_get_expire(b, find(b, "y")), T0_MS + 100);
    ck_assert_ptr_eq(db_get(1), b);
    ck_assert_int_eq(db_flush(b), 2);
    ck_assert_int_eq(db_size(b), 0);
    ck_assert_int_eq(db_expires_size(b), 0);
    ck_assert_int_eq(b->id, 1);
    ck_assert_int_eq(db_flush(a), 1);
}
END_TEST

/* ---------------------------------------------------------------- SCAN */

#define SCAN_KEYS  10000
#define CHURN_KEYS 90000

typedef struct Seen {
    unsigned char *stable; /* stable[i]: times "s:i" was returned */
    long long calls;
} Seen;

static void seen_cb(DictNode *n, void *ud) {
    Seen *s = ud;
    const Kv *kv = (const Kv *)n;
    int i;
    if (sscanf(kv->key, "s:%d", &i) == 1 && s->stable[i] < 255) s->stable[i]++;
    s->calls++;
}

/* The size the table is heading to (the new table while a rehash runs). */
static uint64_t target_size(const Dict *d) {
    return dict_is_rehashing(d) ? d->size[1] : d->size[0];
}

static void add_key(Db *db, const char *prefix, int i) {
    char k[32];
    int n = snprintf(k, sizeof(k), "%s:%d", prefix, i);
    db_add(db, kv_new_string(k, (size_t)n, "v", 1));
}

static void del_key(Db *db, const char *prefix, int i) {
    char k[32];
    int n = snprintf(k, sizeof(k), "%s:%d", prefix, i);
    ck_assert(db_delete(db, k, (size_t)n));
}

/* 10k stable keys stay throughout; 90k churn keys are deleted early in the iteration (the
 * table shrinks below 1/8 fill) and then 30k new keys arrive (it grows again), while the
 * cursor walks on. Every stable key must come back at least once. */
START_TEST(test_scan_returns_every_stable_key_across_resizes) {
    Db *db = db_get(0);
    for (int i = 0; i < SCAN_KEYS; i++)
        add_key(db, "s", i);
    for (int i = 0; i < CHURN_KEYS; i++)
        add_key(db, "c", i);
    dict_resize_if_needed(&db->keys);
    while (dict_rehash_step(&db->keys, 100)) {
    }
    Seen seen = {.stable = calloc(SCAN_KEYS, 1)};
    uint64_t cursor = 0, buckets = target_size(&db->keys);
    int churn_left = CHURN_KEYS, added = 0;
    bool shrank = false, grew = false;
    do {
        cursor = dict_scan(&db->keys, cursor, seen_cb, &seen);
        if (churn_left > 0) {
            for (int k = 0; k < 100 && churn_left > 0; k++)
                del_key(db, "c", --churn_left);
        } else {
            for (int k = 0; k < 50 && added < 3 * SCAN_KEYS; k++)
                add_key(db, "n", added++);
        }
        dict_resize_if_needed(&db->keys);
        dict_rehash_step(&db->keys, 1);
        uint64_t b = target_size(&db->keys);
        shrank |= b < buckets;
        grew |= b > buckets;
        buckets = b;
    } while (cursor != 0);
    for (int i = 0; i < SCAN_KEYS; i++) {
        if (seen.stable[i] == 0) ck_abort_msg("stable key s:%d never returned", i);
    }
    ck_assert(shrank && grew);
    ck_assert_int_eq(added, 3 * SCAN_KEYS);
    ck_assert_int_eq(churn_left, 0);
    ck_assert_int_eq(db_size(db), SCAN_KEYS + added);
    free(seen.stable);
}
END_TEST

static Suite *db_suite(void) {
    Suite *s = suite_create("server_db");
    TCase *obj = tcase_create("objects");
    tcase_add_checked_fixture(obj, setup, teardown);
    tcase_add_test(obj, test_string_encodings);
    tcase_add_test(obj, test_rekey_keeps_value_and_encoding);
    suite_add_tcase(s, obj);
    TCase *store = tcase_create("storage");
    tcase_add_checked_fixture(store, setup, teardown);
    tcase_add_test(store, test_add_lookup_delete);
    tcase_add_test(store, test_lookup_touches_lru_unless_notouch);
    tcase_add_test(store, test_set_and_remove_expire);
    tcase_add_test(store, test_set_drops_or_keeps_ttl);
    tcase_add_test(store, test_replace_follows_new_kv_flag);
    tcase_add_test(store, test_make_raw_relinks_embstr_with_ttl);
    tcase_add_test(store, test_unlink_hands_over_ttl);
    tcase_add_test(store, test_flush_and_swap);
    suite_add_tcase(s, store);
    TCase *expiry = tcase_create("expiry");
    tcase_add_checked_fixture(expiry, setup, teardown);
    tcase_add_test(expiry, test_lazy_expiry_with_faked_clock);
    tcase_add_test(expiry, test_write_lookup_and_expire_if_needed);
    suite_add_tcase(s, expiry);
    TCase *scan = tcase_create("scan");
    tcase_add_checked_fixture(scan, setup, teardown);
    tcase_add_test(scan, test_scan_returns_every_stable_key_across_resizes);
    suite_add_tcase(s, scan);
    return s;
}

int main(void) {
    return check_run_suite(db_suite());
}
