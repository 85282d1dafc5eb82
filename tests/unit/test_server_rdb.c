/* test_server_rdb.c - the RDB writer and loader (rdb.c) without a server process:
 * rdb_load_fd reports exactly the bytes the image used and leaves the fd just after it (the
 * AOF base / preamble contract), every truncation of a file is an error naming an offset
 * (and leaks nothing under ASan), a wrong checksum is caught and ignored when rdbchecksum
 * is off.
 *
 * The fixture loads the default configuration, builds the databases and fixes the clock;
 * loading never serves events (no loop exists here). */
#include "common/config.h"
#include "common/log.h"
#include "common/mem.h"
#include "server/db.h"
#include "server/object.h"
#include "server/quicklist.h"
#include "server/rdb.h"
#include "server/server.h"
#include "server/t_hash.h"
#include "server/t_zset.h"

#include <check.h>

#include "check_main.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0_MS 1700000000000LL

static void setup(void) {
    cfg_defaults(&server_cfg_table);
    cfg.loading_process_events_interval_bytes = LLONG_MAX / 2;
    log_set_level(LOG_WARN);
    memset(&srv, 0, sizeof(srv));
    srv.ndbs = 4;
    srv.dbs = mem_calloc(sizeof(Db) * (size_t)srv.ndbs);
    for (int i = 0; i < srv.ndbs; i++)
        db_init(&srv.dbs[i], i);
    srv.now_ms = T0_MS;
}

static void flush_all(void) {
    for (int i = 0; i < srv.ndbs; i++)
        db_flush(&srv.dbs[i]);
}

static void teardown(void) {
    for (int i = 0; i < srv.ndbs; i++)
        db_deinit(&srv.dbs[i]);
    mem_free(srv.dbs);
    srv.dbs = NULL;
}

static void add_dataset(int n) {
    Db *db0 = &srv.dbs[0], *db2 = &srv.dbs[2];
    db_add(db0, kv_new_string("s", 1, "hello", 5));
    db_add(db0, kv_new_string("i", 1, "-123456", 7));
    Kv *t = kv_new_string("ttl", 3, "x", 1);
    db_add(db0, t);
    db_set_expire(db0, t, T0_MS + 100000);
    Kv *l = kv_new_ptr("l", 1, OBJ_LIST, ENC_QUICKLIST, ql_new((int)cfg.list_max_listpack_size));
    for (int i = 0; i < n; i++) {
        char b[32];
        int len = snprintf(b, sizeof(b), i % 2 ? "%d" : "e%d", i);
        ql_push(l->v.ptr, b, (size_t)len, QL_TAIL);
    }
    db_add(db0, l);
    Kv *h = hash_kv_new("h", 1);
    hash_set(h, "f", 1, "v", 1);
    hash_set(h, "n", 1, "42", 2);
    db_add(db2, h);
    Kv *z = zset_kv_new("z", 1);
    for (int i = 0; i < n; i++) {
        char b[32];
        int len = snprintf(b, sizeof(b), "m%d", i);
        zset_set_member(z, i / 3.0, b, (size_t)len);
    }
    db_add(db2, z);
}

static FILE *tmp_with(void) {
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    return f;
}

START_TEST(test_load_fd_consumes_exactly_the_image) {
    add_dataset(3000);
    FILE *f = tmp_with();
    int fd = fileno(f);
    ck_assert_int_eq(rdb_save_fd(fd, NULL, false), 0);
    off_t size = lseek(fd, 0, SEEK_CUR);
    ck_assert_int_gt(size, 9);
    ck_assert_int_eq(write(fd, "*1\r\n$4\r\nPING\r\n", 14), 14);
    flush_all();
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    RdbLoadInfo info;
    memset(&info, 0, sizeof(info));
    long long consumed = -1;
    char err[256] = "";
    ck_assert_msg(rdb_load_fd(fd, "base.rdb", &info, &consumed, err, sizeof(err)) == RDB_LOAD_OK,
                  "%s", err);
    ck_assert_int_eq(consumed, size);
    ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), size);
    char after[15] = "";
    ck_assert_int_eq(read(fd, after, 14), 14);
    ck_assert_str_eq(after, "*1\r\n$4\r\nPING\r\n");
    ck_assert_int_eq(info.keys_loaded, 6);
    ck_assert_int_eq(db_size(&srv.dbs[0]), 4);
    ck_assert_int_eq(db_size(&srv.dbs[2]), 2);
    Kv *t = db_find(&srv.dbs[0], "ttl", 3);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(db_get_expire(&srv.dbs[0], t), T0_MS + 100000);
    Kv *l = db_find(&srv.dbs[0], "l", 1);
    ck_assert_int_eq(((Quicklist *)l->v.ptr)->count, 3000);
    Kv *z = db_find(&srv.dbs[2], "z", 1);
    ck_assert_int_eq(zset_length(z), 3000);
    ck_assert_int_eq(z->encoding, ENC_SKIPLIST);
    double sc;
    ck_assert(zset_member_score(z, "m2999", 5, &sc) && sc == 2999 / 3.0);
    fclose(f);
}
END_TEST

/* The whole file in memory. */
static unsigned char *saved_image(size_t *len) {
    FILE *f = tmp_with();
    ck_assert_int_eq(rdb_save_fd(fileno(f), NULL, false), 0);
    long size = (long)lseek(fileno(f), 0, SEEK_CUR);
    unsigned char *buf = malloc((size_t)size);
    ck_assert_int_eq(pread(fileno(f), buf, (size_t)size, 0), size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static int load_bytes(const unsigned char *p, size_t len, char *err, size_t errlen) {
    char path[] = "/tmp/vigil-rdb-unit-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, p, len), (ssize_t)len);
    close(fd);
    RdbLoadInfo info;
    memset(&info, 0, sizeof(info));
    flush_all();
    int r = rdb_load_file(path, &info, err, errlen);
    unlink(path);
    return r;
}

START_TEST(test_every_truncation_fails_with_an_offset) {
    add_dataset(40);
    size_t len;
    unsigned char *img = saved_image(&len);
    char err[256];
    for (size_t n = 0; n < len; n++) {
        err[0] = '\0';
        ck_assert_int_eq(load_bytes(img, n, err, sizeof(err)), RDB_LOAD_FAILED);
        ck_assert_msg(strstr(err, " at offset ") != NULL, "cut at %zu: %s", n, err);
    }
    ck_assert_int_eq(load_bytes(img, len, err, sizeof(err)), RDB_LOAD_OK);
    free(img);
}
END_TEST

START_TEST(test_checksum_mismatch) {
    add_dataset(10);
    size_t len;
    unsigned char *img = saved_image(&len);
    img[len - 1] ^= 0x01;
    char err[256] = "";
    ck_assert_int_eq(load_bytes(img, len, err, sizeof(err)), RDB_LOAD_FAILED);
    ck_assert_msg(strstr(err, "Wrong RDB checksum") != NULL, "%s", err);
    cfg.rdbchecksum = 0; /* not verified when off, as in Redis */
    ck_assert_int_eq(load_bytes(img, len, err, sizeof(err)), RDB_LOAD_OK);
    free(img);
}
END_TEST

static Suite *rdb_suite(void) {
    Suite *s = suite_create("rdb");
    TCase *tc = tcase_create("rdb");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_load_fd_consumes_exactly_the_image);
    tcase_add_test(tc, test_every_truncation_fails_with_an_offset);
    tcase_add_test(tc, test_checksum_mismatch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(rdb_suite());
}
