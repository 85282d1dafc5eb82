/* net.h - socket helpers: listen, accept, options, and printable addresses.
 *
 * Operations return 0 (or an fd) on success and -errno where the call failed, so callers
 * can log the exact cause with log_errno. All sockets are non-blocking and close-on-exec. */
#ifndef VIGIL_COMMON_NET_H
#define VIGIL_COMMON_NET_H

#include <stdbool.h>
#include <stddef.h>

#define NET_ADDR_LEN 64 /* "[ipv6]:port" fits */

/* Listen on host:port ("*" or "::*" as Redis's bind). Returns fd or -errno. */
int net_listen_tcp(const char *host, int port, int backlog);
/* Listen on a Unix socket path with the given permission bits. Returns fd or -errno. */
int net_listen_unix(const char *path, unsigned perm, int backlog);
/* Accept one connection: fd (non-blocking) or -errno (-EAGAIN when none). addr gets
 * "ip:port" (or "/path:0" for unix sockets). */
int net_accept(int lfd, char *addr, size_t addr_len);
/* Connect (non-blocking); returns fd or -errno; EINPROGRESS is success. */
int net_connect_tcp(const char *host, int port);
int net_set_nonblock(int fd);
int net_set_nodelay(int fd);
int net_set_keepalive(int fd, int interval_s);
/* "ip:port" of the peer / the local side. */
void net_peer_name(int fd, char *out, size_t len);
void net_sock_name(int fd, char *out, size_t len);
/* Is the peer address a loopback address (127.0.0.0/8, ::1, unix socket)? */
bool net_is_loopback_peer(int fd);

#endif
