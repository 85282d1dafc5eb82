#!/usr/bin/python3
"""test_robustness.py - the server under hostile or unusual clients, and its signal and
limit handling; each check pins a defect found in review (see docs/CHANGELOG.md):

  unauth_output      with requirepass, a client that pipelines without reading is closed
                     once its unsent NOAUTH replies pass 1 KiB (memory stays bounded)
  requirepass_clear  clearing requirepass lets an unauthenticated connection in
  auth_default_nopass  AUTH default <any> / HELLO 3 AUTH default <any> succeed without a
                     password, as Redis's nopass default user
  debug_before_auth  DEBUG's "not allowed" error comes before NOAUTH, as in Redis
  pause_no_expiry    keys do not expire during CLIENT PAUSE WRITE (reads see them missing)
  pause_order        commands held by CLIENT PAUSE run in the order they were held
  slow_reader_timeout  `timeout` does not close a client still downloading a reply
  fd_limit           with a low RLIMIT_NOFILE, maxclients is lowered at start-up and extra
                     clients get "-ERR max number of clients reached" instead of a spin
  sigint_twice       a second SIGINT during a long command exits at once
  qbuf_limit_counted a client over client-query-buffer-limit is closed and counted in
                     INFO stats client_query_buffer_limit_disconnections
  bulk_no_memory     a bulk length the allocator cannot reserve fails that client only
                     (under an address-space limit; skipped in sanitizer builds)

Run: VIGIL_SERVER=build/bin/vigil-server /usr/bin/python3 tests/integration/test_robustness.py
"""
import os
import resource
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    Server, call, cmd, connect, read_reply, run_checks, wait_until, vigil_binary)







def is_closed(s, timeout=5):
    s.settimeout(timeout)
    try:
        while True:
            if not s.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


class Checks:
    def __init__(self, binary):
        self.binary = binary

    def check_unauth_output(self):
        srv = Server(self.binary, ("--requirepass", "secret"))
        try:
            s = connect(srv.port)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            payload = b"PING\r\n" * 20000
            try:
                for _ in range(50):  # 6 MB of PINGs, never reading
                    s.sendall(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass
            assert is_closed(s), "unauthenticated flooder was not disconnected"
            c = connect(srv.port)
            assert call(c, "AUTH", "secret") == b"+OK\r\n"
            assert call(c, "PING") == b"+PONG\r\n"
        finally:
            assert not srv.stop()

    def check_requirepass_clear(self):
        srv = Server(self.binary, ("--requirepass", "pw"))
        try:
            a, b = connect(srv.port), connect(srv.port)
            assert call(b, "PING").startswith(b"-NOAUTH")
            assert call(a, "AUTH", "pw") == b"+OK\r\n"
            assert call(a, "CONFIG", "SET", "requirepass", "") == b"+OK\r\n"
            assert call(b, "PING") == b"+PONG\r\n", "waiting client still locked out"
        finally:
            assert not srv.stop()

    def check_auth_default_nopass(self):
        srv = Server(self.binary)
        try:
            s = connect(srv.port)
            assert call(s, "AUTH", "default", "whatever") == b"+OK\r\n"
            assert call(s, "AUTH", "nobody", "x").startswith(b"-WRONGPASS")
            assert call(s, "AUTH", "x").startswith(b"-ERR AUTH <password> called without")
            s.sendall(cmd("HELLO", "2", "AUTH", "default", "whatever"))
            assert read_reply(s).startswith(b"*14\r\n")
        finally:
            assert not srv.stop()

    def check_debug_before_auth(self):
        srv = Server(self.binary, ("--requirepass", "pw"))
        try:
            s = connect(srv.port)
            assert call(s, "DEBUG", "HELP").startswith(b"-ERR DEBUG command not allowed.")
        finally:
            assert not srv.stop()

    def check_pause_no_expiry(self):
        srv = Server(self.binary, ("--enable-debug-command", "yes"))
        try:
            s = connect(srv.port)
            # One transaction, so the pause starts before the TTLs can pass however slow
            # the machine is.
            s.sendall(cmd("MULTI") + cmd("SET", "a", "1", "PX", "200") +
                      cmd("SET", "b", "1", "PX", "200") +
                      cmd("CLIENT", "PAUSE", "3000", "WRITE") + cmd("EXEC"))
            replies = [read_reply(s) for _ in range(5)]
            assert replies[-1] == b"*3\r\n+OK\r\n+OK\r\n+OK\r\n", replies
            time.sleep(0.5)  # the TTLs pass while paused: nothing may be deleted
            assert call(s, "GET", "a") == b"$-1\r\n", "expired key visible"
            assert call(s, "DBSIZE") == b":2\r\n", "a key was deleted during the pause"
            assert call(s, "CLIENT", "UNPAUSE") == b"+OK\r\n"
            assert wait_until(lambda: call(s, "DBSIZE") == b":0\r\n", 5)
        finally:
            assert not srv.stop()

    def check_pause_order(self):
        srv = Server(self.binary)
        try:
            ctl, w1, w2 = connect(srv.port), connect(srv.port), connect(srv.port)
            w1_id = int(call(w1, "CLIENT", "ID")[1:-2])
            assert call(ctl, "CLIENT", "PAUSE", "5000", "WRITE") == b"+OK\r\n"
            w1.sendall(cmd("SET", "k", "first"))

            def w1_held():
                listing = call(ctl, "CLIENT", "LIST", "ID", str(w1_id))
                return b" cmd=set " in listing
            assert wait_until(w1_held, 5), "w1's SET was not held"
            w2.sendall(cmd("SET", "k", "second"))
            time.sleep(0.05)
            assert call(ctl, "CLIENT", "UNPAUSE") == b"+OK\r\n"
            assert read_reply(w1) == b"+OK\r\n" and read_reply(w2) == b"+OK\r\n"
            assert call(ctl, "GET", "k") == b"$6\r\nsecond\r\n", "held commands reordered"
        finally:
            assert not srv.stop()

    def check_slow_reader_timeout(self):
        srv = Server(self.binary, ("--timeout", "1"))
        try:
            s = connect(srv.port, timeout=10)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
            assert call(s, "SET", "big", b"x" * 65536) == b"+OK\r\n"
            s.sendall(cmd("GET", "big") * 100)  # 6.5 MB of replies, read slowly
            want = 100 * len(b"$65536\r\n" + b"x" * 65536 + b"\r\n")
            got, deadline = 0, time.monotonic() + 20
            while got < want and time.monotonic() < deadline:  # ~2.5 s: past the timeout
                chunk = s.recv(16384)
                if not chunk:
                    break
                got += len(chunk)
                time.sleep(0.006)
            assert got == want, f"closed after {got} of {want} bytes"
        finally:
            assert not srv.stop()

    def check_fd_limit(self):
        def low_limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
        srv = Server(self.binary, (), preexec=low_limit)
        try:
            assert "maxclients has been reduced to 32" in srv.logs(), srv.logs()
            socks, refused = [], 0
            for _ in range(40):
                s = connect(srv.port)
                try:
                    s.sendall(cmd("PING"))
                    r = read_reply(s)
                    refused += r.startswith(b"-ERR max number of clients reached")
                except (ConnectionResetError, ConnectionError):
                    # The refusal closes the socket at once; if our PING was already there
                    # unread, the kernel turns that close into a reset (Redis does the same).
                    refused += 1
                socks.append(s)
            assert refused >= 8, f"only {refused} of 40 refused"
            for s in socks:
                s.close()

            def fresh_ping():  # the server notices the closes in its own time
                try:
                    c = connect(srv.port)
                    ok = call(c, "PING") == b"+PONG\r\n"
                    c.close()
                    return ok
                except OSError:
                    return False
            assert wait_until(fresh_ping, 5), "no room for a client after the others left"
        finally:
            assert not srv.stop()

    def check_sigint_twice(self):
        srv = Server(self.binary, ("--enable-debug-command", "yes"))
        try:
            s = connect(srv.port, timeout=10)
            s.sendall(cmd("DEBUG", "SLEEP", "30"))
            time.sleep(0.2)
            t0 = time.monotonic()
            srv.proc.send_signal(signal.SIGINT)
            time.sleep(0.1)
            srv.proc.send_signal(signal.SIGINT)
            srv.proc.wait(timeout=5)
            assert time.monotonic() - t0 < 5, "second SIGINT did not force the exit"
        finally:
            srv.stop()

    def check_qbuf_limit_counted(self):
        srv = Server(self.binary, ("--client-query-buffer-limit", "1mb"))
        try:
            s = connect(srv.port)
            try:
                s.sendall(b"*2\r\n$3\r\nGET\r\n$3000000\r\n" + b"x" * 2000000)
            except (BrokenPipeError, ConnectionResetError):
                pass
            assert is_closed(s), "client over the query buffer limit was not closed"
            c = connect(srv.port)
            info = call(c, "INFO", "stats")
            assert b"client_query_buffer_limit_disconnections:1\r\n" in info, info
        finally:
            assert not srv.stop()

    def check_bulk_no_memory(self):
        with open(self.binary, "rb") as f:
            if b"__asan_init" in f.read():
                print("     (skipped: sanitizer builds cannot run under an address-space limit)")
                return

        def small_address_space():
            resource.setrlimit(resource.RLIMIT_AS, (300 << 20, 300 << 20))
        srv = Server(self.binary, (), preexec=small_address_space)
        try:
            s = connect(srv.port)
            s.sendall(b"*2\r\n$3\r\nGET\r\n$500000000\r\n")
            assert is_closed(s), "client with an unreservable bulk was not closed"
            c = connect(srv.port)
            assert call(c, "PING") == b"+PONG\r\n", "server did not survive"
        finally:
            assert not srv.stop()


def main():
    binary = vigil_binary()
    failures = run_checks(Checks(binary), sys.argv[1:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
