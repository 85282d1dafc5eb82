/* test_net.c - socket helpers on real loopback sockets: listen on port 0 and read the port
 * back, connect/accept, printable names (IPv6 bracketed, Unix "path:0", as redis-server 7.0
 * prints them in CLIENT LIST), socket options, Unix sockets in a temp dir, loopback checks. */
#include "common/net.h"

#include <check.h>

#include "check_main.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int port_of(const char *name) {
    const char *colon = strrchr(name, ':');
    ck_assert_ptr_nonnull(colon);
    return atoi(colon + 1);
}

static void wait_fd(int fd, short events) {
    struct pollfd p = {.fd = fd, .events = events};
    ck_assert_int_eq(poll(&p, 1, 2000), 1);
}

static void assert_nonblock_cloexec(int fd) {
    ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
    ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static int get_int_opt(int fd, int level, int name) {
    int v = -1;
    socklen_t len = sizeof(v);
    ck_assert_int_eq(getsockopt(fd, level, name, &v, &len), 0);
    return v;
}

/* Connect to the listener at lfd over TCP and accept; returns the client fd. */
static int connect_and_accept(int lfd, const char *host, int *afd, char *addr, size_t addr_len) {
    char lname[NET_ADDR_LEN];
    net_sock_name(lfd, lname, sizeof(lname));
    int cfd = net_connect_tcp(host, port_of(lname));
    ck_assert_int_ge(cfd, 0);
    wait_fd(lfd, POLLIN);
    *afd = net_accept(lfd, addr, addr_len);
    ck_assert_int_ge(*afd, 0);
    wait_fd(cfd, POLLOUT);
    ck_assert_int_eq(get_int_opt(cfd, SOL_SOCKET, SO_ERROR), 0);
    return cfd;
}

/* ---- TCP ------------------------------------------------------------------------------- */

START_TEST(test_listen_port_zero_connect_accept) {
    int lfd = net_listen_tcp("127.0.0.1", 0, 16);
    ck_assert_int_ge(lfd, 0);
    assert_nonblock_cloexec(lfd);
    char lname[NET_ADDR_LEN], addr[NET_ADDR_LEN], name[NET_ADDR_LEN];
    net_sock_name(lfd, lname, sizeof(lname));
    ck_assert_int_eq(strncmp(lname, "127.0.0.1:", 10), 0);
    ck_assert_int_gt(port_of(lname), 0);
    ck_assert_int_eq(net_accept(lfd, addr, sizeof(addr)), -EAGAIN);

    int afd;
    int cfd = connect_and_accept(lfd, "127.0.0.1", &afd, addr, sizeof(addr));
    assert_nonblock_cloexec(cfd);
    assert_nonblock_cloexec(afd);
    net_sock_name(cfd, name, sizeof(name));
    ck_assert_str_eq(addr, name); /* the server sees the client's local name */
    net_peer_name(cfd, name, sizeof(name));
    ck_assert_str_eq(name, lname);
    net_peer_name(afd, name, sizeof(name));
    ck_assert_str_eq(name, addr);
    net_sock_name(afd, name, sizeof(name));
    ck_assert_str_eq(name, lname);
    ck_assert(net_is_loopback_peer(afd));
    ck_assert(net_is_loopback_peer(cfd));

    ck_assert_int_eq(write(cfd, "ping", 4), 4);
    wait_fd(afd, POLLIN);
    char buf[8];
    ck_assert_int_eq(read(afd, buf, sizeof(buf)), 4);
    ck_assert_mem_eq(buf, "ping", 4);
    close(cfd);
    close(afd);
    close(lfd);
}
END_TEST

START_TEST(test_wildcard_hosts_bind_both_families) {
    int v4 = net_listen_tcp("*", 0, 16);
    ck_assert_int_ge(v4, 0);
    char name[NET_ADDR_LEN];
    net_sock_name(v4, name, sizeof(name));
    ck_assert_int_eq(strncmp(name, "0.0.0.0:", 8), 0);
    int port = port_of(name);
    int v6 = net_listen_tcp("::*", port, 16); /* v6-only, so the same port is free for it */
    if (v6 == -EAFNOSUPPORT || v6 == -EADDRNOTAVAIL) {
        close(v4);
        return; /* no IPv6 in this environment */
    }
    ck_assert_int_ge(v6, 0);
    ck_assert_int_eq(get_int_opt(v6, IPPROTO_IPV6, IPV6_V6ONLY), 1);
    net_sock_name(v6, name, sizeof(name));
    char want[NET_ADDR_LEN];
    snprintf(want, sizeof(want), "[::]:%d", port);
    ck_assert_str_eq(name, want);
    close(v6);
    int v6b = net_listen_tcp("::", 0, 16);
    ck_assert_int_ge(v6b, 0);
    close(v6b);
    close(v4);
}
END_TEST

START_TEST(test_ipv6_names_are_bracketed) {
    int lfd = net_listen_tcp("::1", 0, 16);
    if (lfd == -EAFNOSUPPORT || lfd == -EADDRNOTAVAIL) return; /* no IPv6 loopback here */
    ck_assert_int_ge(lfd, 0);
    char lname[NET_ADDR_LEN], addr[NET_ADDR_LEN];
    net_sock_name(lfd, lname, sizeof(lname));
    ck_assert_int_eq(strncmp(lname, "[::1]:", 6), 0);
    int afd;
    int cfd = connect_and_accept(lfd, "::1", &afd, addr, sizeof(addr));
    ck_assert_int_eq(strncmp(addr, "[::1]:", 6), 0);
    ck_assert_int_gt(port_of(addr), 0);
    ck_assert(net_is_loopback_peer(afd));
    close(cfd);
    close(afd);
    close(lfd);
}
END_TEST

START_TEST(test_listen_errors) {
    ck_assert_int_lt(net_listen_tcp("not-an-ip", 0, 16), 0);
    ck_assert_int_lt(net_listen_tcp("localhost", 0, 16), 0); /* numeric only, as Redis */
    ck_assert_int_lt(net_listen_tcp("999.1.1.1", 0, 16), 0);
    ck_assert_int_eq(net_listen_tcp("127.0.0.1", 70000, 16), -EINVAL);
    int lfd = net_listen_tcp("127.0.0.1", 0, 16);
    ck_assert_int_ge(lfd, 0);
    char name[NET_ADDR_LEN];
    net_sock_name(lfd, name, sizeof(name));
    ck_assert_int_eq(net_listen_tcp("127.0.0.1", port_of(name), 16), -EADDRINUSE);
    close(lfd);
}
END_TEST

START_TEST(test_connect_refused) {
    ck_assert_int_eq(net_connect_tcp("127.0.0.1", 0), -EINVAL);
    int lfd = net_listen_tcp("127.0.0.1", 0, 16);
    char name[NET_ADDR_LEN];
    net_sock_name(lfd, name, sizeof(name));
    close(lfd); /* now nothing listens on that port */
    int cfd = net_connect_tcp("127.0.0.1", port_of(name));
    if (cfd < 0) {
        ck_assert_int_eq(cfd, -ECONNREFUSED);
        return;
    }
    wait_fd(cfd, POLLOUT);
    ck_assert_int_eq(get_int_opt(cfd, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
    close(cfd);
}
END_TEST

/* ---- options and names ----------------------------------------------------------------- */

START_TEST(test_socket_options) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    ck_assert_int_eq(net_set_nonblock(fd), 0);
    ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
    ck_assert_int_eq(net_set_nodelay(fd), 0);
    ck_assert_int_eq(get_int_opt(fd, IPPROTO_TCP, TCP_NODELAY), 1);
    ck_assert_int_eq(net_set_keepalive(fd, 300), 0);
    ck_assert_int_eq(get_int_opt(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
    ck_assert_int_eq(get_int_opt(fd, IPPROTO_TCP, TCP_KEEPIDLE), 300);
    ck_assert_int_eq(get_int_opt(fd, IPPROTO_TCP, TCP_KEEPINTVL), 100);
    ck_assert_int_eq(get_int_opt(fd, IPPROTO_TCP, TCP_KEEPCNT), 3);
    ck_assert_int_eq(net_set_keepalive(fd, 2), 0);
    ck_assert_int_eq(get_int_opt(fd, IPPROTO_TCP, TCP_KEEPINTVL), 1);

    char name[NET_ADDR_LEN];
    net_peer_name(fd, name, sizeof(name)); /* not connected */
    ck_assert_str_eq(name, "?:0");
    ck_assert(!net_is_loopback_peer(fd));
    close(fd);
    ck_assert_int_eq(net_set_nodelay(fd), -EBADF);
    ck_assert_int_eq(net_set_nonblock(fd), -EBADF);
    ck_assert_int_eq(net_set_keepalive(fd, 10), -EBADF);
    ck_assert_int_eq(net_accept(fd, NULL, 0), -EBADF);
}
END_TEST

START_TEST(test_short_name_buffer_truncates) {
    int lfd = net_listen_tcp("127.0.0.1", 0, 16);
    char small[6];
    memset(small, 'x', sizeof(small));
    net_sock_name(lfd, small, sizeof(small));
    ck_assert_str_eq(small, "127.0");
    close(lfd);
}
END_TEST

/* A peer on a non-loopback interface address is not local (skipped without one). */
START_TEST(test_non_loopback_peer) {
    struct ifaddrs *ifs, *it;
    char host[64] = "";
    ck_assert_int_eq(getifaddrs(&ifs), 0);
    for (it = ifs; it; it = it->ifa_next) {
        if (!it->ifa_addr || it->ifa_addr->sa_family != AF_INET) continue;
        const struct sockaddr_in *sin = (const struct sockaddr_in *)it->ifa_addr;
        uint32_t a = ntohl(sin->sin_addr.s_addr);
        if ((a >> 24) == 127) continue;
        snprintf(host, sizeof(host), "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
                 a & 255);
        break;
    }
    freeifaddrs(ifs);
    if (host[0] == '\0') return;
    int lfd = net_listen_tcp(host, 0, 16);
    ck_assert_int_ge(lfd, 0);
    char addr[NET_ADDR_LEN];
    int afd;
    int cfd = connect_and_accept(lfd, host, &afd, addr, sizeof(addr));
    ck_assert(!net_is_loopback_peer(afd));
    ck_assert(!net_is_loopback_peer(cfd));
    close(cfd);
    close(afd);
    close(lfd);
}
END_TEST

/* ---- Unix sockets ---------------------------------------------------------------------- */

static char tmpdir[64];

static void tmpdir_setup(void) {
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/vigil-test-net-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmpdir_teardown(void) {
    char path[128];
    snprintf(path, sizeof(path), "%s/s.sock", tmpdir);
    unlink(path);
    rmdir(tmpdir);
}

START_TEST(test_unix_listen_accept_names) {
    char path[128];
    snprintf(path, sizeof(path), "%s/s.sock", tmpdir);
    FILE *stale = fopen(path, "w"); /* a leftover file must not block the bind */
    ck_assert_ptr_nonnull(stale);
    fclose(stale);

    int lfd = net_listen_unix(path, 0700, 16);
    ck_assert_int_ge(lfd, 0);
    assert_nonblock_cloexec(lfd);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    ck_assert_int_eq(st.st_mode & 0777, 0700);

    int cfd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
    memcpy(sun.sun_path, path, strlen(path) + 1);
    ck_assert_int_eq(connect(cfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    char addr[NET_ADDR_LEN + 128], name[NET_ADDR_LEN + 128], want[160];
    snprintf(want, sizeof(want), "%s:0", path);
    wait_fd(lfd, POLLIN);
    int afd = net_accept(lfd, addr, sizeof(addr));
    ck_assert_int_ge(afd, 0);
    assert_nonblock_cloexec(afd);
    ck_assert_str_eq(addr, want);
    net_peer_name(afd, name, sizeof(name));
    ck_assert_str_eq(name, want);
    net_sock_name(afd, name, sizeof(name));
    ck_assert_str_eq(name, want);
    net_peer_name(cfd, name, sizeof(name));
    ck_assert_str_eq(name, want);
    ck_assert(net_is_loopback_peer(afd));
    close(cfd);
    close(afd);
    close(lfd);

    /* Listening again replaces the stale socket file left behind. */
    lfd = net_listen_unix(path, 0755, 16);
    ck_assert_int_ge(lfd, 0);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0755);
    close(lfd);
}
END_TEST

START_TEST(test_unix_path_errors) {
    char path[256];
    memset(path, 'a', sizeof(path) - 1);
    path[0] = '/';
    path[sizeof(path) - 1] = '\0';
    ck_assert_int_eq(net_listen_unix(path, 0700, 16), -ENAMETOOLONG);
    ck_assert_int_eq(net_listen_unix("", 0700, 16), -EINVAL);
    ck_assert_int_eq(net_listen_unix("/nonexistent-dir-vigil/x.sock", 0700, 16), -ENOENT);
}
END_TEST

static Suite *net_suite(void) {
    Suite *s = suite_create("net");
    TCase *tcp = tcase_create("tcp");
    tcase_add_test(tcp, test_listen_port_zero_connect_accept);
    tcase_add_test(tcp, test_wildcard_hosts_bind_both_families);
    tcase_add_test(tcp, test_ipv6_names_are_bracketed);
    tcase_add_test(tcp, test_listen_errors);
    tcase_add_test(tcp, test_connect_refused);
    suite_add_tcase(s, tcp);
    TCase *opts = tcase_create("options");
    tcase_add_test(opts, test_socket_options);
    tcase_add_test(opts, test_short_name_buffer_truncates);
    tcase_add_test(opts, test_non_loopback_peer);
    suite_add_tcase(s, opts);
    TCase *unx = tcase_create("unix");
    tcase_add_checked_fixture(unx, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(unx, test_unix_listen_accept_names);
    tcase_add_test(unx, test_unix_path_errors);
    suite_add_tcase(s, unx);
    return s;
}

int main(void) {
    return check_run_suite(net_suite());
}
