/* test_server_quicklist.c - the list value (quicklist.c): a randomized model test against a
 * plain array of strings, with small fills (1, 2, 3 entries per node; -1 = 4 KB nodes) so
 * pushes, inserts and replacements split nodes and start neighbours all the time, and
 * deletions free nodes. After every operation the structure's invariants are checked (links,
 * counts, no empty node, the fill limit) and the whole content compared both ways. */
#include "check_main.h"
#include "common/mem.h"
#include "server/quicklist.h"

#include <check.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Model {
    char **s;
    size_t *len;
    long n, cap;
} Model;

static void model_insert(Model *m, long at, const char *s, size_t len) {
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->s = realloc(m->s, sizeof(char *) * (size_t)m->cap);
        m->len = realloc(m->len, sizeof(size_t) * (size_t)m->cap);
    }
    memmove(m->s + at + 1, m->s + at, sizeof(char *) * (size_t)(m->n - at));
    memmove(m->len + at + 1, m->len + at, sizeof(size_t) * (size_t)(m->n - at));
    m->s[at] = malloc(len + 1);
    memcpy(m->s[at], s, len);
    m->len[at] = len;
    m->n++;
}

static void model_delete(Model *m, long at) {
    free(m->s[at]);
    memmove(m->s + at, m->s + at + 1, sizeof(char *) * (size_t)(m->n - at - 1));
    memmove(m->len + at, m->len + at + 1, sizeof(size_t) * (size_t)(m->n - at - 1));
    m->n--;
}

static void model_free(Model *m) {
    for (long i = 0; i < m->n; i++)
        free(m->s[i]);
    free(m->s);
    free(m->len);
    memset(m, 0, sizeof(*m));
}

/* Values of every listpack kind: small and large integers, short strings, strings long
 * enough that a few of them fill a 4 KB node. */
static size_t random_value(char *buf) {
    switch (rand() % 6) {
    case 0: return (size_t)sprintf(buf, "%d", rand() % 100 - 50);
    case 1: return (size_t)sprintf(buf, "%lld", (long long)rand() * rand() * (rand() % 2 ? 1 : -1));
    case 2: return (size_t)sprintf(buf, "%c", 'a' + rand() % 3);
    case 3: {
        size_t n = (size_t)(rand() % 1500) + 100;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)('a' + rand() % 26);
        return n;
    }
    default: {
        size_t n = (size_t)(rand() % 20);
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)('a' + rand() % 3);
        return n;
    }
    }
}

static int last_op; /* reported by check_invariants */

static void check_invariants(Quicklist *ql) {
    unsigned long count = 0, len = 0;
    QlNode *prev = NULL;
    for (QlNode *n = ql->head; n; n = n->next) {
        ck_assert_ptr_eq(n->prev, prev);
        ck_assert_uint_gt(n->count, 0);
        ck_assert_uint_eq(lp_length(n->lp), n->count);
        if (ql->fill > 0) ck_assert_uint_le(n->count, (unsigned long)ql->fill);
        if (ql->fill == -1 && n->count > 1)
            ck_assert_msg(lp_bytes(n->lp) <= 4096, "node of %zu bytes after op %d", lp_bytes(n->lp),
                          last_op);
        count += n->count;
        len++;
        prev = n;
    }
    ck_assert_ptr_eq(ql->tail, prev);
    ck_assert_uint_eq(count, ql->count);
    ck_assert_uint_eq(len, ql->len);
}

static void check_content(Quicklist *ql, const Model *m) {
    ck_assert_uint_eq(ql->count, (unsigned long)m->n);
    QlIter it;
    char buf[LP_INTBUF_SIZE];
    long i = 0;
    for (ql_iter_at(ql, 0, true, &it); ql_iter_valid(&it); ql_iter_next(&it), i++) {
        size_t len;
        const char *s = ql_iter_get(&it, &len, buf);
        ck_assert_uint_eq(len, m->len[i]);
        ck_assert(memcmp(s, m->s[i], len) == 0);
        ck_assert(ql_iter_eq(&it, m->s[i], m->len[i]));
    }
    ck_assert_int_eq(i, m->n);
    i = m->n - 1;
    for (ql_iter_at(ql, -1, false, &it); ql_iter_valid(&it); ql_iter_next(&it), i--) {
        size_t len;
        const char *s = ql_iter_get(&it, &len, buf);
        ck_assert_uint_eq(len, m->len[i]);
        ck_assert(memcmp(s, m->s[i], len) == 0);
    }
    ck_assert_int_eq(i, -1);
}

static void run_model(int fill, unsigned seed, int ops) {
    srand(seed);
    Quicklist *ql = ql_new(fill);
    Model m = {0};
    static char buf[4096];
    for (int op = 0; op < ops; op++) {
        size_t len = random_value(buf);
        int what = rand() % 10;
        QlIter it;
        /* keep the list between 0 and ~300 elements: grow more when small */
        if (m.n < 5 && what >= 5) what = rand() % 4;
        last_op = what;
        if (what <= 1) { /* push */
            int where = rand() % 2 ? QL_HEAD : QL_TAIL;
            ql_push(ql, buf, len, where);
            model_insert(&m, where == QL_HEAD ? 0 : m.n, buf, len);
        } else if (what <= 3 && m.n > 0) { /* insert next to a random element */
            long at = rand() % m.n;
            bool after = rand() % 2;
            ck_assert(ql_iter_at(ql, at, true, &it));
            ql_iter_insert(&it, buf, len, after);
            model_insert(&m, after ? at + 1 : at, buf, len);
        } else if (what == 4 && m.n > 0) { /* replace */
            long at = rand() % m.n;
            ck_assert(ql_iter_at(ql, at - (rand() % 2 ? m.n : 0), true, &it));
            ql_iter_replace(&it, buf, len);
            size_t got;
            char nb[LP_INTBUF_SIZE];
            const char *s = ql_iter_get(&it, &got, nb);
            ck_assert_uint_eq(got, len);
            ck_assert(memcmp(s, buf, len) == 0);
            model_delete(&m, at);
            model_insert(&m, at, buf, len);
        } else if (what <= 6 && m.n > 0) { /* delete a run through the iterator */
            long at = rand() % m.n;
            bool forward = rand() % 2;
            long k = rand() % 4 + 1;
            ck_assert(ql_iter_at(ql, at, forward, &it));
            for (long j = 0; j < k && ql_iter_valid(&it); j++) {
                ql_iter_delete(&it);
                model_delete(&m, at);
                if (!forward) at--;
                if (ql_iter_valid(&it)) {
                    size_t got;
                    char nb[LP_INTBUF_SIZE];
                    const char *s = ql_iter_get(&it, &got, nb);
                    ck_assert(at >= 0 && at < m.n);
                    ck_assert_uint_eq(got, m.len[at]);
                    ck_assert(memcmp(s, m.s[at], got) == 0);
                }
            }
        } else if (what == 7 && m.n > 0) { /* delete range */
            long start = rand() % m.n, n = rand() % 10;
            ql_delete_range(ql, (unsigned long)start, (unsigned long)n);
            for (long j = 0; j < n && start < m.n; j++)
                model_delete(&m, start);
        } else if (what == 8 && m.n > 0) { /* index, both signs */
            long at = rand() % m.n;
            ck_assert(ql_iter_at(ql, at, true, &it));
            size_t got;
            char nb[LP_INTBUF_SIZE];
            const char *s = ql_iter_get(&it, &got, nb);
            ck_assert_uint_eq(got, m.len[at]);
            ck_assert(memcmp(s, m.s[at], got) == 0);
            ck_assert(ql_iter_at(ql, at - m.n, true, &it));
            ck_assert(ql_iter_eq(&it, m.s[at], m.len[at]));
            ck_assert(!ql_iter_at(ql, m.n, true, &it));
            ck_assert(!ql_iter_at(ql, -m.n - 1, true, &it));
        } else if (m.n > 300) { /* pop both ends */
            for (int j = 0; j < 50; j++) {
                ck_assert(ql_iter_at(ql, 0, true, &it));
                ql_iter_delete(&it);
                model_delete(&m, 0);
                ck_assert(ql_iter_at(ql, -1, true, &it));
                ql_iter_delete(&it);
                model_delete(&m, m.n - 1);
            }
        }
        check_invariants(ql);
        if (op % 16 == 0 || m.n < 20) check_content(ql, &m);
    }
    check_content(ql, &m);
    Quicklist *dup = ql_dup(ql);
    check_invariants(dup);
    check_content(dup, &m);
    ck_assert_uint_gt(ql_memory_usage(dup, 0), 0);
    ql_free(dup);
    ql_free(ql);
    model_free(&m);
}

START_TEST(test_model_fill_1) {
    run_model(1, 1, 3000);
}
END_TEST

START_TEST(test_model_fill_2) {
    run_model(2, 2, 3000);
}
END_TEST

START_TEST(test_model_fill_3) {
    run_model(3, 3, 3000);
}
END_TEST

START_TEST(test_model_fill_bytes) {
    run_model(-1, 4, 3000);
    run_model(-2, 5, 2000);
}
END_TEST

START_TEST(test_model_fill_128) {
    run_model(128, 6, 2000);
}
END_TEST

/* Integers are stored as listpack ints and read back in canonical form; non-canonical
 * numbers stay strings. */
START_TEST(test_integer_forms) {
    Quicklist *ql = ql_new(2);
    const char *vals[] = {"0",
                          "-1",
                          "9223372036854775807",
                          "-9223372036854775808",
                          "01",
                          "+1",
                          " 1",
                          "9223372036854775808",
                          "-0",
                          ""};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        ql_push(ql, vals[i], strlen(vals[i]), QL_TAIL);
    QlIter it;
    char buf[LP_INTBUF_SIZE];
    size_t i = 0;
    for (ql_iter_at(ql, 0, true, &it); ql_iter_valid(&it); ql_iter_next(&it), i++) {
        size_t len;
        const char *s = ql_iter_get(&it, &len, buf);
        ck_assert_uint_eq(len, strlen(vals[i]));
        ck_assert(memcmp(s, vals[i], len) == 0);
    }
    ck_assert_uint_eq(ql->len, 5);
    ql_free(ql);
}
END_TEST

static Suite *quicklist_suite(void) {
    Suite *s = suite_create("quicklist");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_model_fill_1);
    tcase_add_test(tc, test_model_fill_2);
    tcase_add_test(tc, test_model_fill_3);
    tcase_add_test(tc, test_model_fill_bytes);
    tcase_add_test(tc, test_model_fill_128);
    tcase_add_test(tc, test_integer_forms);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(quicklist_suite());
}
