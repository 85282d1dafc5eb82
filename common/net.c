/* net.c - socket helpers: TCP and Unix listeners, accept, connect, options, printable names.
 *
 * Every socket made here is non-blocking and close-on-exec from birth (SOCK_NONBLOCK |
 * SOCK_CLOEXEC), so a fork+exec never leaks one. Failures return -errno captured where the
 * call failed; the caller logs it with context (log_errno).
 *
 * Addresses print as Redis 7.0 prints them in CLIENT LIST (checked against redis-server
 * 7.0.15): "127.0.0.1:6379", IPv6 in brackets "[::1]:6379", and for a Unix socket the
 * socket's path with port 0 ("/run/redis.sock:0") on both ends of the connection.
 * Name resolution in net_connect_tcp may block (getaddrinfo); callers on the event loop pass
 * numeric addresses. */
#define _GNU_SOURCE /* accept4: -std=gnu11 alone does not declare it */

#include "common/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

static int errno_or(int fallback) {
    return errno ? -errno : -fallback;
}

static int set_int_opt(int fd, int level, int name, int value) {
    if (setsockopt(fd, level, name, &value, sizeof(value)) == -1) return -errno;
    return 0;
}

/* Close fd keeping the errno value the caller is about to return. */
static int close_fail(int fd, int err) {
    close(fd);
    return err;
}

/* socket + options + bind + listen for one resolved address; fd or -errno. */
static int listen_addr(const struct sockaddr *sa, socklen_t salen, int backlog) {
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1) return -errno;
    int rc = set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    /* Redis binds IPv6 listeners v6-only, so "* ::*" can listen on both families at once. */
    if (rc == 0 && sa->sa_family == AF_INET6) rc = set_int_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    if (rc != 0) return close_fail(fd, rc);
    if (bind(fd, sa, salen) == -1) return close_fail(fd, -errno);
    if (listen(fd, backlog) == -1) return close_fail(fd, -errno);
    return fd;
}

int net_listen_tcp(const char *host, int port, int backlog) {
    if (port < 0 || port > 65535) return -EINVAL;
    if (host == NULL || strcmp(host, "*") == 0) {
        struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        sin.sin_addr.s_addr = htonl(INADDR_ANY);
        return listen_addr((struct sockaddr *)&sin, sizeof(sin), backlog);
    }
    if (strcmp(host, "::*") == 0 || strcmp(host, "::") == 0) {
        struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
        sin6.sin6_addr = in6addr_any;
        return listen_addr((struct sockaddr *)&sin6, sizeof(sin6), backlog);
    }
    char portstr[8];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_PASSIVE};
    struct addrinfo *res;
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) return gai == EAI_SYSTEM ? errno_or(EINVAL) : -EADDRNOTAVAIL;
    int fd = -EADDRNOTAVAIL;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = listen_addr(ai->ai_addr, ai->ai_addrlen, backlog);
        if (fd >= 0) break;
    }
    freeaddrinfo(res);
    return fd;
}

static int unix_addr(const char *path, struct sockaddr_un *sun) {
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    size_t len = strlen(path);
    if (len == 0) return -EINVAL;
    if (len >= sizeof(sun->sun_path)) return -ENAMETOOLONG;
    memcpy(sun->sun_path, path, len + 1);
    return 0;
}

int net_listen_unix(const char *path, unsigned perm, int backlog) {
    struct sockaddr_un sun;
    int rc = unix_addr(path, &sun);
    if (rc != 0) return rc;
    unlink(path); /* a stale socket file from a previous run would make bind fail */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1) return -errno;
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) return close_fail(fd, -errno);
    if (perm != 0 && chmod(path, (mode_t)perm) == -1) return close_fail(fd, -errno);
    if (listen(fd, backlog) == -1) return close_fail(fd, -errno);
    return fd;
}

/* "ip:port" ("[ip6]:port") or "path:0" into out; "?:0" when the family is unknown. */
static void format_addr(const struct sockaddr_storage *ss, char *out, size_t len) {
    char ip[INET6_ADDRSTRLEN];
    if (len == 0) return;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
        snprintf(out, len, "%s:%u", ip, (unsigned)ntohs(sin->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
        snprintf(out, len, "[%s]:%u", ip, (unsigned)ntohs(sin6->sin6_port));
    } else if (ss->ss_family == AF_UNIX) {
        const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
        snprintf(out, len, "%.*s:0", (int)sizeof(sun->sun_path), sun->sun_path);
    } else {
        snprintf(out, len, "?:0");
    }
}

/* Fill out with the local (peer = false) or remote name of fd. A Unix socket's client end
 * is usually unnamed, so both ends report the bound path, as Redis does. */
static void fd_name(int fd, bool peer, char *out, size_t len) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &sl)
                  : getsockname(fd, (struct sockaddr *)&ss, &sl);
    if (rc == -1) {
        if (len > 0) snprintf(out, len, "?:0");
        return;
    }
    if (ss.ss_family == AF_UNIX && ((struct sockaddr_un *)&ss)->sun_path[0] == '\0') {
        struct sockaddr_storage other;
        socklen_t ol = sizeof(other);
        memset(&other, 0, sizeof(other));
        int orc = peer ? getsockname(fd, (struct sockaddr *)&other, &ol)
                       : getpeername(fd, (struct sockaddr *)&other, &ol);
        if (orc == 0 && other.ss_family == AF_UNIX) ss = other;
    }
    format_addr(&ss, out, len);
}

int net_accept(int lfd, char *addr, size_t addr_len) {
    int fd;
    do {
        fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    } while (fd == -1 && errno == EINTR);
    if (fd == -1) return -errno;
    if (addr) fd_name(fd, true, addr, addr_len);
    return fd;
}

int net_connect_tcp(const char *host, int port) {
    if (port <= 0 || port > 65535) return -EINVAL;
    char portstr[8];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) return gai == EAI_SYSTEM ? errno_or(EINVAL) : -EHOSTUNREACH;
    int result = -EHOSTUNREACH;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd == -1) {
            result = -errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS) {
            result = fd;
            break;
        }
        result = close_fail(fd, -errno);
    }
    freeaddrinfo(res);
    return result;
}

int net_set_nonblock(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1) return -errno;
    if (flags & O_NONBLOCK) return 0;
    if (fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) return -errno;
    return 0;
}

int net_set_nodelay(int fd) {
    return set_int_opt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
}

/* As Redis's tcp-keepalive: first probe after `interval_s` idle, then every interval/3,
 * and the peer is dead after 3 unanswered probes. */
int net_set_keepalive(int fd, int interval_s) {
    int rc = set_int_opt(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
    if (rc != 0 || interval_s <= 0) return rc;
    int probe_every = interval_s / 3 > 0 ? interval_s / 3 : 1;
    rc = set_int_opt(fd, IPPROTO_TCP, TCP_KEEPIDLE, interval_s);
    if (rc == 0) rc = set_int_opt(fd, IPPROTO_TCP, TCP_KEEPINTVL, probe_every);
    if (rc == 0) rc = set_int_opt(fd, IPPROTO_TCP, TCP_KEEPCNT, 3);
    return rc;
}

void net_peer_name(int fd, char *out, size_t len) {
    fd_name(fd, true, out, len);
}

void net_sock_name(int fd, char *out, size_t len) {
    fd_name(fd, false, out, len);
}

bool net_is_loopback_peer(int fd) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1) return false;
    if (ss.ss_family == AF_UNIX) return true;
    if (ss.ss_family == AF_INET) {
        uint32_t a = ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr);
        return (a >> 24) == 127;
    }
    if (ss.ss_family == AF_INET6) {
        const struct in6_addr *a6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a6)) return true;
        return IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127;
    }
    return false;
}
