"""test_systemd.py - the systemd integration, without a running systemd.

- The units as installed: `cmake --install` into a temp prefix, then `systemd-analyze verify`
  (which also checks that ExecStart's binary exists) must print nothing; a DESTDIR install
  with prefix /usr puts every file where the units and systemd expect it; the offline
  security score stays at Debian's redis-server level.
- sd_notify: vigil-server and vigil-sentinel run with NOTIFY_SOCKET naming a unix datagram
  socket this test binds, as systemd would. READY=1 arrives only after a slowed dataset load
  has finished (PING said -LOADING before it, +PONG right after); STATUS lines arrive
  (loading, ready, a replica's sync, role changes); the watchdog pings every half of
  WATCHDOG_USEC (EXTEND_TIMEOUT_USEC while loading, WATCHDOG=1 after READY); SIGTERM brings
  STOPPING=1 and the final-save STATUS; `supervised no` sends nothing.

Needs systemd-analyze (Debian's systemd package; deploy/setup.sh installs it): without it the
test fails, it does not skip. Run: VIGIL_SERVER=build/bin/vigil-server
VIGIL_SENTINEL=build/bin/vigil-sentinel /usr/bin/python3 tests/integration/test_systemd.py
"""
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import itlib
from itlib import Sentinel, Server, TempDirs, call, connect, info, wait_until

SERVER = itlib.vigil_binary()
SENTINEL = itlib.sentinel_binary()
BUILD_DIR = os.path.dirname(os.path.dirname(os.path.abspath(SERVER)))
SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNITS = ("vigil-server@.service", "vigil-sentinel@.service", "vigil.target")
READY = "READY=1\nSTATUS=Ready to accept connections"
READY_REPLICA = ("READY=1\nSTATUS=Ready to accept connections in read-only mode. "
                 "Waiting for MASTER <-> REPLICA sync")


class Notify:
    """The service manager's end: a unix dgram socket; msgs keeps what arrived, in order."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.msgs = []

    def recv(self, timeout_s):
        self.sock.settimeout(max(timeout_s, 0.001))
        try:
            m = self.sock.recv(4096).decode()
        except socket.timeout:
            return None
        self.msgs.append(m)
        return m

    def wait_for(self, want, timeout_s, on_idle=None):
        """Reads until a message equal to `want` (or matching it, if callable) arrives; calls
        on_idle() between reads. Returns the message; fails with what arrived instead."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            m = self.recv(min(0.02, deadline - time.monotonic()))
            if m is not None and (want(m) if callable(want) else m == want):
                return m
            if on_idle:
                on_idle()
        raise AssertionError(f"no {want!r} within {timeout_s} s; got {self.msgs[-12:]!r}")

    def collect(self, seconds):
        """Every message arriving during the next `seconds`."""
        out, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            m = self.recv(deadline - time.monotonic())
            if m is not None:
                out.append(m)
        return out

    def close(self):
        self.sock.close()


@contextlib.contextmanager
def environ(**env):
    """Children started inside see these variables (Server and Sentinel inherit os.environ)."""
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def install(prefix, destdir=None):
    env = dict(os.environ, DESTDIR=destdir) if destdir else None
    r = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", prefix], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def systemd_analyze():
    path = shutil.which("systemd-analyze")
    assert path, ("systemd-analyze is missing: install Debian's systemd package "
                  "(deploy/setup.sh does) to verify the units")
    return path


def unit_lines(path):
    with open(path) as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]


class Checks:
    def __init__(self):
        self.tmp = TempDirs("vigil-sd-")
        self.procs = []
        self.sockets = []

    def stop_all(self, _name=None):
        problems = []
        for p in self.procs:
            problems += p.stop()
        self.procs = []
        for s in self.sockets:
            s.close()
        self.sockets = []
        self.tmp.cleanup()
        return "; ".join(problems) or None

    def notify(self):
        n = Notify(self.tmp.tmp())
        self.sockets.append(n)
        return n

    def server(self, *extra, env=None):
        with environ(**(env or {})):
            s = Server(SERVER, extra=extra)
        self.procs.append(s)
        return s

    # ---- the units -----------------------------------------------------------------------

    def check_units_verify(self):
        analyze = systemd_analyze()
        root = self.tmp.tmp()
        prefix = os.path.join(root, "usr")
        install(prefix)
        unitdir = os.path.join(prefix, "lib/systemd/system")
        units = [os.path.join(unitdir, u) for u in UNITS]
        # templates are verified as an instance; the instance name is the config's
        units += [os.path.join(unitdir, "vigil-server@primary.service"),
                  os.path.join(unitdir, "vigil-sentinel@sentinel-1.service")]
        r = subprocess.run([analyze, "verify", *units], capture_output=True, text=True,
                           timeout=60, cwd=root)
        assert r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), (
            f"systemd-analyze verify: rc {r.returncode}\n{r.stdout}{r.stderr}")
        for u in ("vigil-server@.service", "vigil-sentinel@.service"):
            r = subprocess.run([analyze, "security", "--offline=true",
                                os.path.join(unitdir, u)],
                               capture_output=True, text=True, timeout=60, cwd=root)
            m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout + r.stderr)
            assert m, r.stdout + r.stderr
            # Debian's redis-server.service scores 1.2 ("OK")
            assert float(m.group(1)) <= 1.5, f"{u}: exposure {m.group(1)}"
            print(f"     {u}: systemd-analyze security exposure {m.group(1)}")

    def check_install_layout(self):
        destdir = self.tmp.tmp()
        install("/usr", destdir)
        root = lambda p: os.path.join(destdir, p.lstrip("/"))  # noqa: E731
        for p in ("/usr/bin/vigil-server", "/usr/bin/vigil-sentinel", "/usr/bin/vigil-check-rdb",
                  "/usr/bin/vigil-check-aof"):
            assert os.access(root(p), os.X_OK), p
        for p in ["/usr/lib/systemd/system/" + u for u in UNITS] + [
                "/usr/lib/sysusers.d/vigil.conf", "/usr/lib/tmpfiles.d/vigil.conf",
                "/usr/share/doc/vigil/OPERATIONS.md",
                "/usr/share/doc/vigil/examples/primary.ini",
                "/usr/share/doc/vigil/examples/sentinel-1.ini"]:
            assert os.path.isfile(root(p)), p
        assert not os.path.exists(root("/etc")), "install must not write /etc"
        units = {u: unit_lines(root("/usr/lib/systemd/system/" + u)) for u in UNITS[:2]}
        for u, lines in units.items():
            prog = u.split("@")[0]
            start = [ln for ln in lines if ln.startswith("ExecStart=")]
            assert start == [f"ExecStart=/usr/bin/{prog} /etc/vigil/%i.ini --supervised systemd "
                             "--dir /var/lib/vigil/%i"], start
            for want in ("Type=notify", "Restart=always", "User=vigil", "WatchdogSec=30s",
                         "PartOf=vigil.target", "WantedBy=vigil.target", "ProtectSystem=strict",
                         "NoNewPrivileges=true", "LimitNOFILE=65535",
                         f"ExecPaths=/usr/bin/{prog} /usr/lib /lib"):
                assert want in lines, (u, want)
            assert not [ln for ln in lines if "/etc/vigil" in ln and "Write" in ln], (
                u, "no write access to /etc/vigil")
        assert "TimeoutStopSec=0" in units["vigil-server@.service"]
        sysusers = unit_lines(root("/usr/lib/sysusers.d/vigil.conf"))
        assert sysusers and sysusers[0].split()[:2] == ["u", "vigil"], sysusers
        tmpfiles = [ln.split()[:2] for ln in unit_lines(root("/usr/lib/tmpfiles.d/vigil.conf"))]
        assert ["d", "/var/lib/vigil"] in tmpfiles and ["d", "/var/log/vigil"] in tmpfiles

    # ---- sd_notify from vigil-server ------------------------------------------------------

    def check_server_ready_after_loading(self):
        data = self.tmp.tmp()
        nkeys = 10000
        first = self.server("--dir", data)
        s = connect(first.port, timeout=30)
        s.sendall(b"".join(itlib.cmd("SET", f"key:{i}", "v" * 20) for i in range(nkeys)))
        for _ in range(nkeys):
            assert itlib.read_reply(s) == b"+OK\r\n"
        assert call(s, "SAVE") == b"+OK\r\n"
        s.close()
        assert not first.stop()
        self.procs.remove(first)

        n = self.notify()
        # ~100 us per key: about a second of loading, serving events every 1 KB
        srv = self.server("--dir", data, "--supervised", "systemd", "--key-load-delay", "100",
                          "--loading-process-events-interval-bytes", "1024",
                          "--save", "3600", "1",
                          env={"NOTIFY_SOCKET": n.path, "WATCHDOG_USEC": "200000"})
        seen_loading = []

        def ping_while_starting():
            with connect(srv.port) as c:
                seen_loading.append(call(c, "PING").startswith(b"-LOADING"))

        n.wait_for(READY, 30, on_idle=ping_while_starting)
        with connect(srv.port) as c:  # right away: the data is there
            assert call(c, "PING") == b"+PONG\r\n"
            assert info(c, "persistence")["loading"] == "0"
            assert call(c, "DBSIZE") == b":%d\r\n" % nkeys
        before = n.msgs[:-1]
        assert any(seen_loading), "PING never said -LOADING before READY=1: load not slowed?"
        assert before[0] == "STATUS=Vigil is loading...", before
        assert "EXTEND_TIMEOUT_USEC=200000" in before, before
        assert not any(m.startswith("WATCHDOG=1") for m in before), before
        after = n.collect(1.0)
        pings = after.count("WATCHDOG=1")
        assert 6 <= pings <= 14 and len(after) == pings, after  # every 100 ms
        srv.proc.send_signal(signal.SIGTERM)
        n.wait_for("STOPPING=1\nSTATUS=Shutting down", 10)
        n.wait_for("STATUS=Saving the final RDB snapshot", 10)
        assert srv.proc.wait(timeout=20) == 0

    def check_supervised_modes(self):
        n = self.notify()
        srv = self.server("--supervised", "no", env={"NOTIFY_SOCKET": n.path})
        assert n.collect(0.3) == [], n.msgs
        assert not srv.stop()
        self.procs.remove(srv)
        srv = self.server("--supervised", "auto", env={"NOTIFY_SOCKET": n.path})
        n.wait_for(READY, 10)
        with connect(srv.port) as c:
            assert info(c, "server")["process_supervised"] == "systemd"
        with connect(srv.port) as c:  # SHUTDOWN takes the same path as SIGTERM
            c.sendall(itlib.cmd("SHUTDOWN", "NOSAVE"))
        n.wait_for("STOPPING=1\nSTATUS=Shutting down", 10)
        assert srv.proc.wait(timeout=10) == 0
        assert "STATUS=Saving the final RDB snapshot" not in n.msgs

    def check_replica_status_lines(self):
        primary = self.server("--repl-diskless-sync-delay", "0")
        with connect(primary.port) as c:
            assert call(c, "SET", "k", "v") == b"+OK\r\n"
        n = self.notify()
        replica = self.server("--supervised", "systemd", "--replicaof", "127.0.0.1",
                              str(primary.port), env={"NOTIFY_SOCKET": n.path})
        n.wait_for(READY_REPLICA, 10)
        n.wait_for("STATUS=MASTER <-> REPLICA sync: Finished with success. Ready to accept "
                   "connections in read-only mode.", 15)
        with connect(replica.port) as c:
            assert call(c, "GET", "k") == b"$1\r\nv\r\n"
            assert call(c, "REPLICAOF", "NO", "ONE") == b"+OK\r\n"
            n.wait_for("STATUS=Role: master. Ready to accept connections", 10)
            assert call(c, "REPLICAOF", "127.0.0.1", primary.port) == b"+OK\r\n"
            n.wait_for(f"STATUS=Role: replica of 127.0.0.1:{primary.port}. Waiting for "
                       "MASTER <-> REPLICA sync", 10)
            n.wait_for(lambda m: m.startswith("STATUS=MASTER <-> REPLICA sync: "), 15)
        assert not [m for m in n.msgs if m.startswith("READY=1")][1:], "READY=1 sent twice"

    # ---- sd_notify from vigil-sentinel ----------------------------------------------------

    def check_sentinel(self):
        primary = self.server()
        n = self.notify()
        with environ(NOTIFY_SOCKET=n.path, WATCHDOG_USEC="200000"):
            st = Sentinel(SENTINEL, [("mymaster", "127.0.0.1", primary.port, 1, {})],
                          options={"supervised": "systemd"})
        self.procs.append(st)
        n.wait_for(READY, 10)
        with connect(st.port) as c:
            assert call(c, "PING") == b"+PONG\r\n"
        after = n.collect(0.6)
        assert 3 <= after.count("WATCHDOG=1") <= 9 and set(after) <= {"WATCHDOG=1"}, after
        st.proc.send_signal(signal.SIGTERM)
        n.wait_for("STOPPING=1\nSTATUS=Shutting down", 10)
        assert st.proc.wait(timeout=10) == 0


if __name__ == "__main__":
    sys.exit(itlib.run_checks_stopping(Checks()))
