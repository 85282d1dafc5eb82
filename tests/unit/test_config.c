/* test_config.c - check suite for common/config: the option engine.
 *
 * A small table over TestCfg covers every type, an alias, an immutable and a protected
 * option, custom MULTI_ARG options and an apply hook that refuses a value. Files live in a
 * temporary directory made by the fixture and removed after each test. */
#include "common/buf.h"
#include "common/config.h"
#include "common/mem.h"

#include <check.h>

#include "check_main.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct TestCfg {
    long long port;
    char *bind;
    int daemonize;
    char *dir;
    char *requirepass;
    long long maxmemory;
    long long signed_bytes;
    int policy;
    int events;
    int appendonly;
    long long hz;
    int nsave;
    long long save[8];
    char *replica_host;
    long long replica_port;
} TestCfg;

enum {
    POL_NOEVICTION,
    POL_ALLKEYS_LRU,
    POL_VOLATILE_TTL
};
enum {
    EV_READ = 1,
    EV_WRITE = 2,
    EV_ADMIN = 4
};

static const CfgEnum policy_names[] = {{"noeviction", POL_NOEVICTION},
                                       {"allkeys-lru", POL_ALLKEYS_LRU},
                                       {"volatile-ttl", POL_VOLATILE_TTL},
                                       {NULL, 0}};
static const CfgEnum event_names[] = {{"all", EV_READ | EV_WRITE | EV_ADMIN},
                                      {"read", EV_READ},
                                      {"write", EV_WRITE},
                                      {"admin", EV_ADMIN},
                                      {"none", 0},
                                      {NULL, 0}};

static TestCfg cfg;
static int hz_applied;    /* apply calls of hz */
static long long hz_seen; /* value hz's hook saw last */
static int port_applied;  /* apply calls of port */
static long long port_seen;

static bool parse_ll(const char *s, long long *out) {
    char *end;
    if (!*s) return false;
    *out = strtoll(s, &end, 10);
    return *end == '\0';
}

/* save: pairs of "seconds changes"; no words means no save points. */
static const char *save_parse(void *base, const CfgOption *o, int argc, char **argv) {
    (void)o;
    TestCfg *c = base;
    long long tmp[8];
    if (argc % 2 || argc > 8) return "Invalid save parameters";
    for (int i = 0; i < argc; i++) {
        if (!parse_ll(argv[i], &tmp[i]) || tmp[i] < 0) return "Invalid save parameters";
    }
    memcpy(c->save, tmp, sizeof(long long) * (size_t)argc);
    c->nsave = argc;
    return NULL;
}

static void save_format(void *base, const CfgOption *o, Buf *out) {
    (void)o;
    TestCfg *c = base;
    for (int i = 0; i < c->nsave; i++)
        buf_printf(out, "%s%lld", i ? " " : "", c->save[i]);
}

/* replicaof: "host port", "no one" or nothing. */
static const char *replicaof_parse(void *base, const CfgOption *o, int argc, char **argv) {
    (void)o;
    TestCfg *c = base;
    long long port;
    if (argc == 0 || (argc == 2 && !strcasecmp(argv[0], "no") && !strcasecmp(argv[1], "one"))) {
        mem_free(c->replica_host);
        c->replica_host = NULL;
        c->replica_port = 0;
        return NULL;
    }
    if (argc != 2) return "wrong number of arguments";
    if (!parse_ll(argv[1], &port) || port < 1 || port > 65535) return "Invalid master port";
    mem_free(c->replica_host);
    c->replica_host = mem_strdup(argv[0]);
    c->replica_port = port;
    return NULL;
}

static void replicaof_format(void *base, const CfgOption *o, Buf *out) {
    (void)o;
    TestCfg *c = base;
    if (c->replica_host) buf_printf(out, "%s %lld", c->replica_host, c->replica_port);
}

static const char *hz_apply(void *base, const CfgOption *o) {
    (void)o;
    hz_applied++;
    hz_seen = ((TestCfg *)base)->hz;
    return hz_seen == 13 ? "unlucky hz" : NULL;
}

static const char *port_apply(void *base, const CfgOption *o) {
    (void)o;
    port_applied++;
    port_seen = ((TestCfg *)base)->port;
    return NULL;
}

/* clang-format off */
static const CfgOption test_options[] = {
    CFG_INT("port", CFG_MUTABLE, "server", TestCfg, port, 6379, 0, 65535, port_apply),
    CFG_STRING("bind", CFG_MULTI_ARG, "server", TestCfg, bind, "127.0.0.1", NULL),
    CFG_BOOL("daemonize", CFG_IMMUTABLE, "server", TestCfg, daemonize, 0, NULL),
    CFG_STRING("dir", CFG_PROTECTED, "server", TestCfg, dir, ".", NULL),
    CFG_STRING("requirepass", CFG_SENSITIVE | CFG_NULLABLE, "security", TestCfg, requirepass,
               NULL, NULL),
    CFG_BYTES("maxmemory", CFG_MUTABLE, "memory", TestCfg, maxmemory, 0, 0, LLONG_MAX, NULL),
    CFG_BYTES("signed-bytes", CFG_MUTABLE, "memory", TestCfg, signed_bytes, -1, -1,
              1024LL * 1024 * 1024, NULL),
    CFG_ENUM("maxmemory-policy", CFG_MUTABLE, "memory", TestCfg, policy, POL_NOEVICTION,
             policy_names, NULL),
    CFG_FLAGS("events", CFG_MUTABLE, "memory", TestCfg, events, 0, event_names, NULL),
    CFG_BOOL("appendonly", CFG_MUTABLE, "persistence", TestCfg, appendonly, 0, NULL),
    CFG_INT("hz", CFG_MUTABLE, "server", TestCfg, hz, 10, 1, 500, hz_apply),
    CFG_CUSTOM("save", CFG_MULTI_ARG, "persistence", "3600 1 300 100", save_parse, save_format,
               NULL),
    {.name = "replicaof", .alias = "slaveof", .type = CFG_T_CUSTOM, .flags = CFG_MULTI_ARG,
     .section = "replication", .parse = replicaof_parse, .format = replicaof_format},
    CFG_END,
};
/* clang-format on */

static CfgTable table;
static char tmpdir[PATH_MAX];
static Buf err;

static void setup(void) {
    memset(&cfg, 0, sizeof(cfg));
    table = (CfgTable){.options = test_options, .base = &cfg};
    cfg_defaults(&table);
    hz_applied = port_applied = 0;
    buf_init(&err);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/vigil-test-config-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) {
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char p[PATH_MAX + 256];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
        closedir(d);
        rmdir(tmpdir);
    }
    buf_deinit(&err);
    mem_free(cfg.bind);
    mem_free(cfg.dir);
    mem_free(cfg.requirepass);
    mem_free(cfg.replica_host);
}

/* Path of `name` in the temporary directory (static storage, one at a time). */
static const char *tmp_path(const char *name) {
    static char p[PATH_MAX + 256];
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
    return p;
}

static const char *write_tmp(const char *name, const char *text) {
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* Whole file as a NUL-terminated string in a static buffer. */
static const char *read_tmp(const char *name) {
    static char text[8192];
    FILE *f = fopen(tmp_path(name), "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static const char *fmt(const char *name) {
    static Buf out;
    buf_clear(&out);
    const CfgOption *o = cfg_find(&table, name);
    ck_assert_ptr_nonnull(o);
    cfg_format(&table, o, &out);
    return buf_cstr(&out);
}

static const char *set(const char *name, const char *value) {
    const CfgOption *o = cfg_find(&table, name);
    ck_assert_ptr_nonnull(o);
    return cfg_set_str(&table, o, value, false);
}

static int set_many(int argc, const char *const *argv) {
    buf_clear(&err);
    return cfg_set_many(&table, argc, (char **)argv, &err);
}

/* ---- table ---- */

START_TEST(test_defaults_inside_bounds) {
    ck_assert_int_eq(cfg_check_table(&table, &err), 0);
    ck_assert_int_eq(cfg.port, 6379);
    ck_assert_str_eq(cfg.bind, "127.0.0.1");
    ck_assert_ptr_null(cfg.requirepass);
    ck_assert_int_eq(cfg.signed_bytes, -1);
    ck_assert_int_eq(cfg.nsave, 4);
    ck_assert_int_eq(cfg.save[2], 300);
    ck_assert_ptr_null(cfg.replica_host);
    ck_assert_str_eq(fmt("save"), "3600 1 300 100");
}
END_TEST

START_TEST(test_check_table_reports_bad_entries) {
    static const CfgOption bad[] = {
        CFG_INT("port", CFG_MUTABLE, NULL, TestCfg, port, 70000, 0, 65535, NULL),
        CFG_ENUM("maxmemory-policy", CFG_MUTABLE, NULL, TestCfg, policy, 9, policy_names, NULL),
        CFG_BOOL("PORT", CFG_MUTABLE, NULL, TestCfg, appendonly, 0, NULL),
        CFG_END,
    };
    CfgTable t = {.options = bad, .base = &cfg};
    ck_assert_int_eq(cfg_check_table(&t, &err), -1);
    const char *s = buf_cstr(&err);
    ck_assert_ptr_nonnull(strstr(s, "'port': default 70000 outside [0, 65535]"));
    ck_assert_ptr_nonnull(strstr(s, "'maxmemory-policy': default 9 is not a name"));
    ck_assert_ptr_nonnull(strstr(s, "'PORT': name clashes with 'port'"));
}
END_TEST

START_TEST(test_find_is_case_insensitive_with_aliases) {
    const CfgOption *r = cfg_find(&table, "replicaof");
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_eq(cfg_find(&table, "SlaveOf"), r);
    ck_assert_ptr_eq(cfg_find(&table, "REPLICAOF"), r);
    ck_assert_ptr_null(cfg_find(&table, "slave"));
    ck_assert_ptr_eq(cfg_find(&table, "MaxMemory"), &test_options[5]);
}
END_TEST

/* ---- types ---- */

START_TEST(test_bool_round_trip) {
    ck_assert_ptr_null(set("appendonly", "YES"));
    ck_assert_str_eq(fmt("appendonly"), "yes");
    ck_assert_ptr_null(set("appendonly", "no"));
    ck_assert_str_eq(fmt("appendonly"), "no");
    ck_assert_str_eq(set("appendonly", "maybe"), "argument must be 'yes' or 'no'");
    ck_assert_str_eq(set("appendonly", "1"), "argument must be 'yes' or 'no'");
    ck_assert_int_eq(cfg_parse_yesno("No"), 0);
    ck_assert_int_eq(cfg_parse_yesno(" yes"), -1);
}
END_TEST

START_TEST(test_int_strict_and_bounded) {
    ck_assert_ptr_null(set("port", "7000"));
    ck_assert_str_eq(fmt("port"), "7000");
    ck_assert_ptr_null(set("port", "0"));
    const char *bad[] = {"abc", "012", "+12", " 12", "12 ",
                         "",    "-0",  "1.5", "1k",  "99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_str_eq(set("port", bad[i]), "argument couldn't be parsed into an integer");
    ck_assert_str_eq(set("port", "65536"), "argument must be between 0 and 65535 inclusive");
    ck_assert_str_eq(set("port", "-1"), "argument must be between 0 and 65535 inclusive");
    ck_assert_int_eq(cfg.port, 0); /* failures leave the value alone */
}
END_TEST

START_TEST(test_bytes_memory_units) {
    static const struct {
        const char *in;
        long long out;
    } ok[] = {{"1k", 1000},
              {"1kb", 1024},
              {"1KB", 1024},
              {"5mb", 5242880},
              {"5m", 5000000},
              {"2gb", 2147483648LL},
              {"2GB", 2147483648LL},
              {"2g", 2000000000LL},
              {"7b", 7},
              {"01", 1},
              {"", 0},
              {"9223372036854775807", LLONG_MAX}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        long long v = -5;
        ck_assert_msg(cfg_parse_bytes(ok[i].in, &v), "'%s' refused", ok[i].in);
        ck_assert_int_eq(v, ok[i].out);
    }
    const char *bad[] = {"12x",         "1.5gb", " 1", "1 ", "+1",
                         "0x10",        "1zb",   "-",  "-k", "9223372036854775808",
                         "8589934592gb"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long long v;
        ck_assert_msg(!cfg_parse_bytes(bad[i], &v), "'%s' accepted", bad[i]);
    }
    ck_assert_ptr_null(set("maxmemory", "5mb"));
    ck_assert_str_eq(fmt("maxmemory"), "5242880");
    ck_assert_str_eq(set("maxmemory", "12x"), "argument must be a memory value");
    ck_assert_str_eq(set("maxmemory", "-1"), "argument must be a memory value");
    ck_assert_ptr_null(set("signed-bytes", "-1"));
    ck_assert_int_eq(cfg.signed_bytes, -1);
    ck_assert_ptr_null(set("signed-bytes", "1gb"));
    ck_assert_str_eq(set("signed-bytes", "-2"),
                     "argument must be between -1 and 1073741824 inclusive");
    ck_assert_str_eq(set("signed-bytes", "2gb"),
                     "argument must be between -1 and 1073741824 inclusive");
    ck_assert_int_eq(cfg.signed_bytes, 1073741824);
}
END_TEST

START_TEST(test_enum_by_name) {
    ck_assert_ptr_null(set("maxmemory-policy", "ALLKEYS-LRU"));
    ck_assert_int_eq(cfg.policy, POL_ALLKEYS_LRU);
    ck_assert_str_eq(fmt("maxmemory-policy"), "allkeys-lru");
    ck_assert_str_eq(set("maxmemory-policy", "foo"),
                     "argument(s) must be one of the following: noeviction, allkeys-lru, "
                     "volatile-ttl");
    ck_assert_int_eq(cfg.policy, POL_ALLKEYS_LRU);
}
END_TEST

START_TEST(test_flags_round_trip) {
    ck_assert_str_eq(fmt("events"), "none");
    ck_assert_ptr_null(set("events", "admin READ"));
    ck_assert_int_eq(cfg.events, EV_READ | EV_ADMIN);
    ck_assert_str_eq(fmt("events"), "read admin");
    ck_assert_ptr_null(set("events", "write read admin"));
    ck_assert_str_eq(fmt("events"), "all");
    ck_assert_ptr_null(set("events", ""));
    ck_assert_int_eq(cfg.events, 0);
    ck_assert_ptr_nonnull(set("events", "read bogus"));
    ck_assert_int_eq(cfg.events, 0);
}
END_TEST

START_TEST(test_string_and_nullable) {
    ck_assert_ptr_null(set("requirepass", "a b"));
    ck_assert_str_eq(cfg.requirepass, "a b");
    ck_assert_ptr_null(set("requirepass", ""));
    ck_assert_ptr_null(cfg.requirepass);
    ck_assert_str_eq(fmt("requirepass"), "");
    ck_assert_ptr_null(set("dir", ""));
    ck_assert_str_eq(cfg.dir, ""); /* not nullable */
    ck_assert_ptr_null(set("bind", "10.0.0.1   ::1"));
    ck_assert_str_eq(cfg.bind, "10.0.0.1 ::1"); /* MULTI_ARG words joined by one space */
}
END_TEST

START_TEST(test_custom_multi_arg) {
    ck_assert_ptr_null(set("save", "900 1"));
    ck_assert_str_eq(fmt("save"), "900 1");
    ck_assert_ptr_null(set("save", ""));
    ck_assert_int_eq(cfg.nsave, 0);
    ck_assert_str_eq(set("save", "1 2 3"), "Invalid save parameters");
    ck_assert_str_eq(set("save", "\"1 2"), "unbalanced quotes");
    ck_assert_ptr_null(set("replicaof", "127.0.0.1 6380"));
    ck_assert_str_eq(fmt("replicaof"), "127.0.0.1 6380");
    ck_assert_ptr_null(set("replicaof", "no one"));
    ck_assert_str_eq(fmt("replicaof"), "");
    char *one_empty[] = {""};
    ck_assert_ptr_null(set("save", "1 1"));
    ck_assert_ptr_null(cfg_set_argv(&table, cfg_find(&table, "save"), 1, one_empty, false));
    ck_assert_int_eq(cfg.nsave, 0); /* a single empty word is "no words" */
    char *one[] = {"7"};
    ck_assert_str_eq(cfg_set_argv(&table, cfg_find(&table, "port"), 0, one, false),
                     "wrong number of arguments");
}
END_TEST

START_TEST(test_set_with_apply_refusal_restores) {
    const CfgOption *hz = cfg_find(&table, "hz");
    ck_assert_ptr_null(cfg_set_str(&table, hz, "20", true));
    ck_assert_int_eq(hz_seen, 20);
    ck_assert_str_eq(cfg_set_str(&table, hz, "13", true), "unlucky hz");
    ck_assert_int_eq(cfg.hz, 20);
    ck_assert_int_eq(hz_applied, 2);
}
END_TEST

/* ---- INI files ---- */

START_TEST(test_ini_load_quotes_comments_sections) {
    const char *p = write_tmp("a.ini", "# top comment\n"
                                       "; another\n"
                                       "[server]\n"
                                       "port = 7000\n"
                                       "  bind=10.0.0.1 ::1   \n"
                                       "\n"
                                       "[anything goes]\n"
                                       "requirepass = \"a b\"\n"
                                       "Save = \"\"\n"
                                       "maxmemory: 2gb\n"
                                       "maxmemory-policy = volatile-ttl ; inline comment\n"
                                       "replicaof = 127.0.0.1 6380\n"
                                       "dir = \"\"x\"\"\n");
    ck_assert_int_eq(cfg_load_file(&table, p, NULL, NULL, NULL, &err), 0);
    ck_assert_int_eq(cfg.port, 7000);
    ck_assert_str_eq(cfg.bind, "10.0.0.1 ::1");
    ck_assert_str_eq(cfg.requirepass, "a b");
    ck_assert_int_eq(cfg.nsave, 0);
    ck_assert_int_eq(cfg.maxmemory, 2147483648LL);
    ck_assert_int_eq(cfg.policy, POL_VOLATILE_TTL);
    ck_assert_str_eq(cfg.replica_host, "127.0.0.1");
    ck_assert_str_eq(cfg.dir, "\"x\"");
    ck_assert_int_eq(port_applied, 0); /* loading runs no hooks */
}
END_TEST

START_TEST(test_ini_unknown_option_names_file_and_line) {
    const char *p = write_tmp("b.ini", "[server]\nport = 1\n\nfoo = bar\nport = 2\n");
    ck_assert_int_eq(cfg_load_file(&table, p, NULL, NULL, NULL, &err), -1);
    Buf want = BUF_INIT;
    buf_printf(&want, "%s:4: unknown option 'foo'", p);
    ck_assert_str_eq(buf_cstr(&err), buf_cstr(&want));
    buf_deinit(&want);
    ck_assert_int_eq(cfg.port, 1); /* stopped at the error */
}
END_TEST

START_TEST(test_ini_bad_value_names_line) {
    const char *p = write_tmp("c.ini", "# c\nport = 6380\nport = abc\n");
    ck_assert_int_eq(cfg_load_file(&table, p, NULL, NULL, NULL, &err), -1);
    Buf want = BUF_INIT;
    buf_printf(&want,
               "%s:3: invalid value 'abc' for 'port': argument couldn't be parsed into "
               "an integer",
               p);
    ck_assert_str_eq(buf_cstr(&err), buf_cstr(&want));
    buf_deinit(&want);
    buf_clear(&err);
    p = write_tmp("c2.ini", "requirepass = secret\nappendonly = perhaps\n");
    ck_assert_int_eq(cfg_load_file(&table, p, NULL, NULL, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), ":2: invalid value 'perhaps' for 'appendonly'"));
}
END_TEST

/* A file of `port = 1`, then requirepass with a line of `len` characters, then hz = 7. */
static const char *write_long(const char *name, size_t len, const char *tail) {
    char text[1024];
    int n = snprintf(text, sizeof(text), "port = 1\nrequirepass = ");
    memset(text + n, 'x', len - (size_t)n + 9);
    snprintf(text + len + 9, sizeof(text) - len - 9, "%s", tail);
    return write_tmp(name, text);
}

START_TEST(test_ini_long_line_is_an_error) {
    /* inih's buffer is 200 bytes: 199 characters and the newline are the most a line holds */
    const char *p = write_long("d.ini", 200, "\nhz = 7\n");
    ck_assert_int_eq(cfg_load_file(&table, p, NULL, NULL, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), ":2: line too long (more than 199 characters)"));
    ck_assert_ptr_null(cfg.requirepass);
    ck_assert_int_eq(cfg.hz, 10);
    buf_clear(&err);
    p = write_long("e.ini", 199, "\nhz = 7\n");
    ck_assert_int_eq(cfg_load_file(&table, p, NULL, NULL, NULL, &err), 0);
    ck_assert_int_eq(strlen(cfg.requirepass), 199 - strlen("requirepass = "));
    ck_assert_int_eq(cfg.hz, 7);
    p = write_long("f.ini", 199, ""); /* last line without a newline */
    ck_assert_int_eq(cfg_load_file(&table, p, NULL, NULL, NULL, &err), 0);
    ck_assert_int_eq(strlen(cfg.requirepass), 199 - strlen("requirepass = "));
}
END_TEST

START_TEST(test_ini_syntax_and_open_errors) {
    const char *p = write_tmp("f.ini", "port = 1\njust words\nport = 2\n");
    ck_assert_int_eq(cfg_load_file(&table, p, NULL, NULL, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), ":2: syntax error"));
    buf_clear(&err);
    ck_assert_int_eq(cfg_load_file(&table, tmp_path("missing.ini"), NULL, NULL, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "missing.ini: cannot open: No such file"));
    buf_clear(&err);
    p = write_tmp("g.ini", "port = 1\n   hz = 20\n");
    ck_assert_int_eq(cfg_load_file(&table, p, NULL, NULL, NULL, &err), 0);
    ck_assert_int_eq(cfg.hz, 20); /* indented: not a continuation of port's value */
}
END_TEST

static int section_calls;

static const char *
monitor_hook(void *ud, const char *section, const char *name, const char *value) {
    (void)ud;
    section_calls++;
    ck_assert_str_eq(section, "monitor mymaster");
    if (!strcmp(name, "quorum")) return strcmp(value, "2") ? "bad quorum" : NULL;
    return "unknown monitor option";
}

START_TEST(test_ini_section_hook) {
    const char *p = write_tmp("h.ini", "[sentinel]\nport = 26379\n[monitor mymaster]\n"
                                       "quorum = 2\n[sentinel]\nhz = 11\n");
    ck_assert_int_eq(cfg_load_file(&table, p, "monitor ", monitor_hook, NULL, &err), 0);
    ck_assert_int_eq(section_calls, 1);
    ck_assert_int_eq(cfg.port, 26379);
    ck_assert_int_eq(cfg.hz, 11);
    p = write_tmp("i.ini", "[monitor mymaster]\nquorum = 2\nport = 6379\n");
    ck_assert_int_eq(cfg_load_file(&table, p, "monitor ", monitor_hook, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), ":3: unknown monitor option"));
    ck_assert_int_eq(cfg.port, 26379);
}
END_TEST

/* ---- command line ---- */

START_TEST(test_args_override) {
    char *argv[] = {"vigil-server", "--port",    "7000", "--save", "",
                    "--replicaof",  "127.0.0.1", "6379", "--bind", "::1",
                    "--maxmemory",  "1mb"};
    ck_assert_int_eq(cfg_apply_args(&table, 12, argv, 1, &err), 0);
    ck_assert_int_eq(cfg.port, 7000);
    ck_assert_int_eq(cfg.nsave, 0);
    ck_assert_str_eq(cfg.replica_host, "127.0.0.1");
    ck_assert_int_eq(cfg.replica_port, 6379);
    char *alias[] = {"--SlaveOf", "10.0.0.9", "7009"};
    ck_assert_int_eq(cfg_apply_args(&table, 3, alias, 0, &err), 0);
    ck_assert_str_eq(cfg.replica_host, "10.0.0.9");
    ck_assert_str_eq(cfg.bind, "::1");
    ck_assert_int_eq(cfg.maxmemory, 1048576);
    char *argv2[] = {"x", "--save", "--SLAVE", "1"};
    ck_assert_int_eq(cfg_apply_args(&table, 4, argv2, 1, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "option 'SLAVE' (command line): unknown option");
}
END_TEST

START_TEST(test_args_errors) {
    char *a1[] = {"--port", "1", "2"};
    ck_assert_int_eq(cfg_apply_args(&table, 3, a1, 0, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "option 'port' (command line): expects exactly one value, "
                                     "got 2");
    buf_clear(&err);
    char *a2[] = {"--port", "--hz", "5"};
    ck_assert_int_eq(cfg_apply_args(&table, 3, a2, 0, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "option 'port' (command line): expects exactly one value, "
                                     "got 0");
    buf_clear(&err);
    char *a3[] = {"--appendonly", "maybe"};
    ck_assert_int_eq(cfg_apply_args(&table, 2, a3, 0, &err), -1);
    ck_assert_str_eq(buf_cstr(&err),
                     "option 'appendonly' (command line): argument must be 'yes' or 'no'");
    buf_clear(&err);
    char *a4[] = {"port", "1"};
    ck_assert_int_eq(cfg_apply_args(&table, 2, a4, 0, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "option 'port' (command line):"));
}
END_TEST

/* ---- CONFIG SET ---- */

START_TEST(test_set_many_success_runs_hooks) {
    const char *argv[] = {"PORT", "7001", "hz", "50", "save", "", "requirepass", "p w"};
    ck_assert_int_eq(set_many(8, argv), 0);
    ck_assert_int_eq(cfg.port, 7001);
    ck_assert_int_eq(cfg.hz, 50);
    ck_assert_int_eq(cfg.nsave, 0);
    ck_assert_str_eq(cfg.requirepass, "p w");
    ck_assert_int_eq(port_applied, 1);
    ck_assert_int_eq(hz_applied, 1);
}
END_TEST

START_TEST(test_set_many_restores_on_bad_value) {
    const char *argv[] = {"port", "7001", "save", "5 5", "requirepass", "x", "Hz", "abc"};
    ck_assert_int_eq(set_many(8, argv), -1);
    ck_assert_str_eq(buf_cstr(&err), "CONFIG SET failed (possibly related to argument 'hz') - "
                                     "argument couldn't be parsed into an integer");
    ck_assert_int_eq(cfg.port, 6379);
    ck_assert_str_eq(fmt("save"), "3600 1 300 100");
    ck_assert_ptr_null(cfg.requirepass);
    ck_assert_int_eq(cfg.hz, 10);
    ck_assert_int_eq(port_applied + hz_applied, 0); /* no hook ran */
}
END_TEST

START_TEST(test_set_many_restores_on_apply_refusal) {
    const char *argv[] = {"port", "7001", "maxmemory", "1gb", "hz", "13"};
    ck_assert_int_eq(set_many(6, argv), -1);
    ck_assert_str_eq(buf_cstr(&err),
                     "CONFIG SET failed (possibly related to argument 'hz') - unlucky hz");
    ck_assert_int_eq(cfg.port, 6379);
    ck_assert_int_eq(cfg.maxmemory, 0);
    ck_assert_int_eq(cfg.hz, 10);
    ck_assert_int_eq(port_applied, 2); /* applied, then re-applied on the restored value */
    ck_assert_int_eq(port_seen, 6379);
}
END_TEST

START_TEST(test_set_many_error_texts) {
    static const struct {
        int argc;
        const char *argv[6];
        const char *want;
    } cases[] = {
        {0, {NULL}, "wrong number of arguments for 'config|set' command"},
        {3, {"port", "1", "hz"}, "syntax error"},
        {4,
         {"port", "abc", "NoSuch", "1"},
         "Unknown option or number of arguments for CONFIG SET - 'NoSuch'"},
        {4,
         {"port", "abc", "DAEMONIZE", "yes"},
         "CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set immutable "
         "config"},
        {2,
         {"dir", "/tmp"},
         "CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
        {6,
         {"PORT", "1", "hz", "2", "Port", "2"},
         "CONFIG SET failed (possibly related to argument 'Port') - duplicate parameter"},
        {4,
         {"replicaof", "a 1", "SLAVEOF", "b 2"},
         "CONFIG SET failed (possibly related to argument 'SLAVEOF') - duplicate parameter"},
        {2,
         {"maxmemory", "12x"},
         "CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a "
         "memory value"},
        {2,
         {"Port", "99999"},
         "CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 "
         "and 65535 inclusive"},
        {2,
         {"save", "1"},
         "CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert_int_eq(set_many(cases[i].argc, cases[i].argv), -1);
        ck_assert_str_eq(buf_cstr(&err), cases[i].want);
    }
    ck_assert_int_eq(cfg.port, 6379);
    const char *ok[] = {"dir", "/tmp"};
    ck_assert_int_eq(cfg_set_many_ex(&table, 2, (char **)ok, true, &err), 0);
    ck_assert_str_eq(cfg.dir, "/tmp");
}
END_TEST

START_TEST(test_run_apply_hooks) {
    ck_assert_int_eq(cfg_run_apply_hooks(&table, &err), 0);
    ck_assert_int_eq(port_applied, 1);
    ck_assert_int_eq(hz_applied, 1);
    cfg.hz = 13;
    ck_assert_int_eq(cfg_run_apply_hooks(&table, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "option 'hz': unlucky hz");
}
END_TEST

/* ---- CONFIG REWRITE ---- */

static const char *base_ini = "# Vigil test config\n"
                              "[server]\n"
                              "  port = 6379 ; the port\n"
                              "unknown-thing = kept\n"
                              "\n"
                              "# memory settings\n"
                              "[memory]\n"
                              "maxmemory=1gb\n"
                              "MAXMEMORY = 2gb\n"
                              "\n"
                              "[monitor m]\n"
                              "port = 1\n";

START_TEST(test_rewrite_updates_in_place_and_keeps_comments) {
    const char *p = write_tmp("r.ini", base_ini);
    cfg.port = 7000;
    cfg.maxmemory = 5 * 1024 * 1024;
    ck_assert_int_eq(cfg_rewrite_ex(&table, p, "monitor ", &err), 0);
    ck_assert_str_eq(read_tmp("r.ini"), "# Vigil test config\n"
                                        "[server]\n"
                                        "  port = 7000 ; the port\n"
                                        "unknown-thing = kept\n"
                                        "\n"
                                        "# memory settings\n"
                                        "[memory]\n"
                                        "maxmemory = 5242880\n"
                                        "\n"
                                        "[monitor m]\n"
                                        "port = 1\n");
}
END_TEST

START_TEST(test_rewrite_appends_to_sections) {
    const char *p = write_tmp("r.ini", base_ini);
    ck_assert_ptr_null(set("hz", "20"));
    ck_assert_ptr_null(set("maxmemory-policy", "allkeys-lru"));
    ck_assert_ptr_null(set("save", ""));
    ck_assert_ptr_null(set("requirepass", "a b"));
    ck_assert_ptr_null(set("replicaof", "10.0.0.2 6380"));
    ck_assert_ptr_null(set("events", "read write"));
    ck_assert_int_eq(cfg_rewrite_ex(&table, p, "monitor ", &err), 0);
    ck_assert_str_eq(read_tmp("r.ini"), "# Vigil test config\n"
                                        "[server]\n"
                                        "  port = 6379 ; the port\n"
                                        "unknown-thing = kept\n"
                                        "hz = 20\n"
                                        "\n"
                                        "# memory settings\n"
                                        "[memory]\n"
                                        "maxmemory = 0\n"
                                        "maxmemory-policy = allkeys-lru\n"
                                        "events = \"read write\"\n"
                                        "\n"
                                        "[monitor m]\n"
                                        "port = 1\n"
                                        "\n"
                                        "[security]\n"
                                        "requirepass = \"a b\"\n"
                                        "\n"
                                        "[persistence]\n"
                                        "save = \"\"\n"
                                        "\n"
                                        "[replication]\n"
                                        "replicaof = 10.0.0.2 6380\n");
    char first[8192]; /* idempotent */
    snprintf(first, sizeof(first), "%s", read_tmp("r.ini"));
    ck_assert_int_eq(cfg_rewrite_ex(&table, p, "monitor ", &err), 0);
    ck_assert_str_eq(read_tmp("r.ini"), first);
}
END_TEST

START_TEST(test_rewrite_creates_missing_file) {
    const char *p = tmp_path("new.ini");
    ck_assert_int_eq(cfg_rewrite(&table, p, &err), 0);
    ck_assert_str_eq(read_tmp("new.ini"), "");
    ck_assert_ptr_null(set("port", "7002"));
    ck_assert_ptr_null(set("dir", "/var/lib/x y"));
    ck_assert_int_eq(cfg_rewrite(&table, p, &err), 0);
    ck_assert_str_eq(read_tmp("new.ini"), "[server]\nport = 7002\ndir = \"/var/lib/x y\"\n");
    int entries = 0; /* no temporary file left behind */
    DIR *d = opendir(tmpdir);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.';
    closedir(d);
    ck_assert_int_eq(entries, 1);
    /* what it writes loads back to the same values, including quoted and empty ones */
    ck_assert_ptr_null(set("save", ""));
    ck_assert_ptr_null(set("requirepass", " \"a\" ;b"));
    ck_assert_ptr_null(set("events", "read write"));
    ck_assert_ptr_null(set("replicaof", "10.0.0.2 6380"));
    ck_assert_ptr_null(set("bind", "::1 10.0.0.1"));
    ck_assert_int_eq(cfg_rewrite(&table, p, &err), -EINVAL); /* " ;" cannot be written */
    ck_assert_ptr_null(set("requirepass", " \"a\";b "));
    ck_assert_int_eq(cfg_rewrite(&table, p, &err), 0);
    cfg_defaults(&table);
    ck_assert_msg(cfg_load_file(&table, p, NULL, NULL, NULL, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(cfg.port, 7002);
    ck_assert_str_eq(cfg.dir, "/var/lib/x y");
    ck_assert_int_eq(cfg.nsave, 0);
    ck_assert_str_eq(cfg.requirepass, " \"a\";b ");
    ck_assert_int_eq(cfg.events, EV_READ | EV_WRITE);
    ck_assert_int_eq(cfg.replica_port, 6380);
    ck_assert_str_eq(cfg.bind, "::1 10.0.0.1");
}
END_TEST

START_TEST(test_rewrite_top_level_and_unwritable_values) {
    static const CfgOption top[] = {
        CFG_INT("port", CFG_MUTABLE, NULL, TestCfg, port, 6379, 0, 65535, NULL),
        CFG_STRING("requirepass", CFG_NULLABLE, NULL, TestCfg, requirepass, NULL, NULL),
        CFG_END,
    };
    CfgTable t = {.options = top, .base = &cfg};
    const char *p = write_tmp("t.ini", "# header\n\n[server]\nhz = 3\n");
    cfg.port = 1;
    ck_assert_int_eq(cfg_rewrite(&t, p, &err), 0);
    ck_assert_str_eq(read_tmp("t.ini"), "# header\nport = 1\n\n[server]\nhz = 3\n");
    ck_assert_ptr_null(cfg_set_str(&t, &top[1], "a ;b", false));
    ck_assert_int_lt(cfg_rewrite(&t, p, &err), 0);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "'requirepass'"));
    ck_assert_str_eq(read_tmp("t.ini"), "# header\nport = 1\n\n[server]\nhz = 3\n");
}
END_TEST

static Suite *config_suite(void) {
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("table");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_defaults_inside_bounds);
    tcase_add_test(tc, test_check_table_reports_bad_entries);
    tcase_add_test(tc, test_find_is_case_insensitive_with_aliases);
    suite_add_tcase(s, tc);

    tc = tcase_create("types");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bool_round_trip);
    tcase_add_test(tc, test_int_strict_and_bounded);
    tcase_add_test(tc, test_bytes_memory_units);
    tcase_add_test(tc, test_enum_by_name);
    tcase_add_test(tc, test_flags_round_trip);
    tcase_add_test(tc, test_string_and_nullable);
    tcase_add_test(tc, test_custom_multi_arg);
    tcase_add_test(tc, test_set_with_apply_refusal_restores);
    suite_add_tcase(s, tc);

    tc = tcase_create("ini");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_ini_load_quotes_comments_sections);
    tcase_add_test(tc, test_ini_unknown_option_names_file_and_line);
    tcase_add_test(tc, test_ini_bad_value_names_line);
    tcase_add_test(tc, test_ini_long_line_is_an_error);
    tcase_add_test(tc, test_ini_syntax_and_open_errors);
    tcase_add_test(tc, test_ini_section_hook);
    suite_add_tcase(s, tc);

    tc = tcase_create("command_line");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_args_override);
    tcase_add_test(tc, test_args_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("config_set");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_set_many_success_runs_hooks);
    tcase_add_test(tc, test_set_many_restores_on_bad_value);
    tcase_add_test(tc, test_set_many_restores_on_apply_refusal);
    tcase_add_test(tc, test_set_many_error_texts);
    tcase_add_test(tc, test_run_apply_hooks);
    suite_add_tcase(s, tc);

    tc = tcase_create("rewrite");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_rewrite_updates_in_place_and_keeps_comments);
    tcase_add_test(tc, test_rewrite_appends_to_sections);
    tcase_add_test(tc, test_rewrite_creates_missing_file);
    tcase_add_test(tc, test_rewrite_top_level_and_unwritable_values);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return check_run_suite(config_suite());
}
