"""itlib.py - the Python integration tests' shared fixture: free ports, bounded waits, and
Server, one vigil-server or redis-server process in its own temp dir on a free loopback port,
stopped by PID (TERM, then KILL after 10 s), with its logs scanned for sanitizer reports.
Run the tests that import it with Debian's /usr/bin/python3.
"""
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")


def wait_until(cond, timeout_s, step_s=0.01):
    deadline = time.monotonic() + timeout_s
    while True:
        if cond():
            return True
        if time.monotonic() >= deadline:
            return cond()
        time.sleep(step_s)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def answers_ping(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64).startswith((b"+", b"-"))
    except OSError:
        return False


class Server:
    """One server process in its own temp dir (INI config for vigil, redis.conf for redis)."""

    def __init__(self, binary, extra=(), preexec=None):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="vigil-it-")
        self.port = free_port()
        self.proc = None
        is_redis = "redis-server" in os.path.basename(binary)
        conf = os.path.join(self.dir, "redis.conf" if is_redis else "vigil.ini")
        with open(conf, "w") as f:
            if is_redis:
                f.write(f'bind 127.0.0.1\nport {self.port}\ndir {self.dir}\nsave ""\nappendonly no\n')
            else:
                f.write(f'[server]\nbind = 127.0.0.1\nport = {self.port}\ndir = {self.dir}\n'
                        f'[persistence]\nsave = ""\nappendonly = no\n')
        self._launch([binary, conf, *extra], preexec)

    def _launch(self, args, preexec=None):
        """Start args with stdout/stderr logged in self.dir; wait until self.port answers
        PING (15 s at most), else stop it and raise with its logs."""
        self.out = open(os.path.join(self.dir, "stdout.log"), "wb")
        self.err = open(os.path.join(self.dir, "stderr.log"), "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=self.err,
                                     preexec_fn=lambda: (die_with_parent(),
                                                         preexec and preexec()))
        ok = wait_until(lambda: self.proc.poll() is not None or answers_ping(self.port), 15)
        if not ok or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError(f"{args[0]} did not start on port {self.port}:\n{self.logs()}")

    def logs(self):
        text = ""
        for name in ("stdout.log", "stderr.log"):
            try:
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    text += f"---- {name} ----\n{f.read()[-3000:]}"
            except OSError:
                pass
        return text

    def stop(self):
        """Returns a list of problems (sanitizer report, crash, hang on shutdown)."""
        problems = []
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                problems.append("ignored SIGTERM for 10 s (killed)")
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc and self.proc.returncode not in (0, None):
            rc = self.proc.returncode
            if rc < 0 and -rc not in (signal.SIGTERM, signal.SIGKILL):
                problems.append(f"crashed with signal {-rc}")
        logs = self.logs()
        if any(m in logs for m in SANITIZER_MARKS):
            problems.append("sanitizer report in the logs")
        if problems:
            print(logs, file=sys.stderr)
        self.out.close()
        self.err.close()
        if not keep_dirs():
            shutil.rmtree(self.dir, ignore_errors=True)
        return problems


class Sentinel(Server):
    """One sentinel in its own temp dir: vigil-sentinel (INI) or Debian's redis-sentinel
    (sentinel.conf), watching `monitors`, a list of (name, host, port, quorum, {option: value})
    with option names as in a [monitor] section (down-after-milliseconds, ...). `options` are
    global ones ({"announce-ip": ...}). Stopped by PID like a Server."""

    def __init__(self, binary, monitors, options=None, extra=()):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="vigil-st-")
        self.port = free_port()
        self.proc = None
        is_redis = "redis" in os.path.basename(binary)
        conf = os.path.join(self.dir, "sentinel.conf" if is_redis else "sentinel.ini")
        options = dict(options or {})
        with open(conf, "w") as f:
            if is_redis:
                f.write(f"bind 127.0.0.1\nport {self.port}\ndir {self.dir}\n")
                for k, v in options.items():
                    f.write(f"sentinel {k} {v}\n")
                for name, host, port, quorum, opts in monitors:
                    f.write(f"sentinel monitor {name} {host} {port} {quorum}\n")
                    for k, v in (opts or {}).items():
                        f.write(f"sentinel {k} {name} {v}\n")
            else:
                f.write(f"[sentinel]\nbind = 127.0.0.1\nport = {self.port}\ndir = {self.dir}\n")
                for k, v in options.items():
                    f.write(f"{k} = {v}\n")
                for name, host, port, quorum, opts in monitors:
                    f.write(f"[monitor {name}]\nhost = {host}\nport = {port}\nquorum = {quorum}\n")
                    for k, v in (opts or {}).items():
                        f.write(f"{k} = {v}\n")
        self.conf = conf
        args = [binary, conf, "--sentinel"] if is_redis else [binary, conf]
        self._launch([*args, *extra])


def sentinel_binary():
    """The vigil-sentinel under test ($VIGIL_SENTINEL, set by ctest); exits 2 when unset."""
    binary = os.environ.get("VIGIL_SENTINEL")
    if not binary:
        print("set VIGIL_SENTINEL to the vigil-sentinel binary", file=sys.stderr)
        sys.exit(2)
    return binary


REDIS_SENTINEL = os.environ.get("REDIS_SENTINEL", "/usr/bin/redis-sentinel")


def keep_dirs():
    """IT_KEEP_DIR=1 keeps the tests' temp dirs for a post-mortem."""
    return os.environ.get("IT_KEEP_DIR", "0") not in ("", "0")


class TempDirs:
    """Temp dirs a test makes (tmp()) and removes at the end (cleanup()), unless kept."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.dirs = []

    def tmp(self):
        d = tempfile.mkdtemp(prefix=self.prefix)
        self.dirs.append(d)
        return d

    def cleanup(self):
        if not keep_dirs():
            for d in self.dirs:
                shutil.rmtree(d, ignore_errors=True)


def die_with_parent():
    """Backstop in the server's child process: if this script dies without stopping the
    server (ctest timeout), the kernel kills it (PR_SET_PDEATHSIG = 1)."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)


def vigil_binary():
    """The vigil-server under test ($VIGIL_SERVER, set by ctest); exits 2 when unset."""
    binary = os.environ.get("VIGIL_SERVER")
    if not binary:
        print("set VIGIL_SERVER to the vigil-server binary", file=sys.stderr)
        sys.exit(2)
    return binary


def run_checks(checks, only=(), after_each=None):
    """Run every check_* method of `checks` in source order (or only the named ones, without
    the check_ prefix), printing ok/FAIL and a traceback per failure. `after_each(name)` may
    return a problem string that stops the run (a server that died). Returns the failures."""
    cls = type(checks)
    names = [n for n in dir(checks) if n.startswith("check_")]
    names.sort(key=lambda n: getattr(cls, n).__code__.co_firstlineno)
    names = [n for n in names if not only or n[len("check_"):] in only]
    failures = []
    for name in names:
        t0 = time.monotonic()
        try:
            getattr(checks, name)()
            print(f"ok   {name} ({time.monotonic() - t0:.1f} s)")
        except Exception as e:  # noqa: BLE001 - every failure is reported, then counted
            print(f"FAIL {name}: {e!r}")
            traceback.print_exc(limit=3)
            failures.append(name)
        problem = after_each(name) if after_each else None
        if problem:
            failures.append(problem)
            break
    print(f"{len(names) - len(failures)} passed, {len(failures)} failed")
    return failures



def run_checks_stopping(checks):
    """main() of a test whose Checks keep servers: run the checks named on the command line
    (or all), stopping every server after each (checks.stop_all() returns a problem string
    or None: a crash, a sanitizer report) and once more at the end. Exit status: 1 on any
    failure or problem."""
    failures, problem = [], None
    try:
        failures = run_checks(checks, sys.argv[1:], after_each=checks.stop_all)
    finally:
        problem = checks.stop_all()
    if problem:
        print("server problems: " + problem)
    return 1 if failures or problem else 0


def run_checks_shared(checks, stop):
    """main() of a test whose checks share the processes checks.setup() starts once: run
    the checks named on the command line (or all), then stop() (returns a problem string or
    None). Exit status: 1 when setup or a check failed or stop() found a problem."""
    failures, problem = ["setup"], None
    try:
        checks.setup()
        failures = run_checks(checks, sys.argv[1:])
    finally:
        problem = stop()
    if problem:
        print("server problems: " + problem)
    return 1 if failures or problem else 0


def dataset(port, dbs=range(16), ttl_round_s=None):
    """Every key of the given dbs, read with redis-py: {(db, key): (type, value, has_ttl)},
    values in order-free form where the type has no order (sets, hashes). With ttl_round_s
    the TTL rounded to that many seconds is added, to compare TTLs across restarts."""
    import redis  # only the tests that compare whole datasets need redis-py

    out = {}
    for db in dbs:
        c = redis.Redis(host="127.0.0.1", port=port, db=db, socket_timeout=10)
        for k in c.scan_iter(count=1000):
            t = c.type(k).decode()
            if t == "string":
                v = c.get(k)
            elif t == "list":
                v = tuple(c.lrange(k, 0, -1))
            elif t == "set":
                v = frozenset(c.smembers(k))
            elif t == "zset":
                v = tuple(c.zrange(k, 0, -1, withscores=True))
            elif t == "hash":
                v = frozenset(c.hgetall(k).items())
            else:
                v = None
            pttl = c.pttl(k)
            entry = (t, v, pttl > 0)
            if ttl_round_s:
                entry += (round(pttl / 1000 / ttl_round_s) if pttl > 0 else -1,)
            out[(db, k)] = entry
        c.close()
    return out

# ---- raw RESP over a socket, for checks that need exact bytes -------------------------------

def connect(port, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def cmd(*args):
    """A RESP multibulk request; str and int arguments are encoded, bytes kept."""
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_line(s):
    buf = b""
    while not buf.endswith(b"\r\n"):
        ch = s.recv(1)
        if not ch:
            raise ConnectionError("closed")
        buf += ch
    return buf


def read_reply(s):
    """One RESP2 or RESP3 reply as raw bytes."""
    line = read_line(s)
    kind = line[:1]
    if kind in (b"$", b"="):
        n = int(line[1:-2])
        if n < 0:
            return line
        data = b""
        while len(data) < n + 2:
            chunk = s.recv(n + 2 - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return line + data
    if kind in (b"*", b">", b"~", b"%"):
        n = int(line[1:-2]) * (2 if kind == b"%" else 1)
        return line + b"".join(read_reply(s) for _ in range(max(n, 0)))
    return line


def call(s, *args):
    s.sendall(cmd(*args))
    return read_reply(s)


def read_pmessage(s):
    """(channel, message) of one pmessage frame, as str."""
    raw = read_reply(s)
    parts = raw.split(b"\r\n")
    # *4 $8 pmessage $n pattern $n channel $n message
    assert parts[2] == b"pmessage", raw
    return parts[6].decode(), parts[8].decode()


def keyspace_events(binary, script, flags="KEA"):
    """Run script (argv tuples, none may fail) on a fresh server with notify-keyspace-events
    set to flags, and return the (channel, message) pairs a PSUBSCRIBE '__key*__:*' client
    saw, up to the one for a final 'SET __end__' (which marks the stream complete)."""
    srv = Server(binary)
    try:
        c, sub = connect(srv.port), connect(srv.port)
        assert call(c, "CONFIG", "SET", "notify-keyspace-events", flags) == b"+OK\r\n"
        sub.sendall(cmd("PSUBSCRIBE", "__key*__:*"))
        read_reply(sub)
        for argv in script:
            reply = call(c, *argv)
            assert not reply.startswith(b"-"), (argv, reply)
        call(c, "SET", "__end__", "1")
        seen = []
        while True:
            ev = read_pmessage(sub)
            if ev[0].endswith(":__end__") or ev[1] == "__end__":
                break
            seen.append(ev)
        c.close()
        sub.close()
        return seen
    finally:
        problems = srv.stop()
        assert not problems, problems


def info(s, section="persistence"):
    """INFO section over a raw socket, as a dict of str -> str."""
    raw = call(s, "INFO", section)
    assert raw.startswith(b"$"), raw
    return dict(line.split(":", 1) for line in raw.decode().split("\r\n")[1:] if ":" in line)


def child_pids(pid):
    """PIDs whose parent is pid (a server's BGSAVE or AOF-rewrite child)."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(name))
    return out


def read_file(path):
    with open(path, "rb") as f:
        return f.read()
