"""test_durability.py - kill -9 drills: what survives a crash, per appendfsync policy.

A writer thread sends RPUSH log <i> (i = 0, 1, 2, ...) over one connection, a few requests
in flight, recording the highest i it put on the wire and when each was acknowledged. After
a while the server gets SIGKILL, restarts on the same directory, and the list is read back.
The list is the perfect witness: it must be exactly 0..m-1 (a prefix of what was sent, no
hole, no duplicate, nothing past the last write attempted), and
  appendfsync always    every acknowledged write is there (m >= acknowledged);
  appendfsync everysec  the missing acknowledged writes are a suffix acknowledged within
                        LOSS_WINDOW_S of the kill (everysec may postpone an fsync by up to
                        2 s; with kill -9 the page cache survives, so Redis loses none).
Two more drills: kill -9 (server and child) during BGREWRITEAOF loses nothing
acknowledged under always, and leaves an AOF that vigil-check-aof calls valid; kill -9
during BGSAVE leaves the previous dump.rdb byte for byte, and the server loads it. After
every kill under an AOF, vigil-check-aof and redis-check-aof both call the files valid.

Each drill runs on vigil-server, and on the reference redis-server too, which keeps the
drills honest (a drill that fails on Redis is wrong).
This file is the short round (< 30 s); test_slow_durability.py repeats the drills with more
rounds, sizes and durations through run_drills().
Env: VIGIL_SERVER, REDIS_SERVER, VIGIL_CHECK_AOF.
"""
import collections
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_BIN = os.path.join(HERE, "..", "..", "build", "bin")
VIGIL = os.environ.get("VIGIL_SERVER", os.path.join(BUILD_BIN, "vigil-server"))
REDIS = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
CHECK_AOF = os.environ.get("VIGIL_CHECK_AOF", os.path.join(BUILD_BIN, "vigil-check-aof"))
REDIS_CHECK_AOF = "/usr/bin/redis-check-aof"
LOSS_WINDOW_S = 2.5  # everysec: 1 s between fsyncs, up to 2 s when one is postponed, + margin

# Keep every server's own dir until we remove it, so a start-up failure shows its log.
os.environ["IT_KEEP_DIR"] = "1"


class Reader:
    """Buffered RESP reply reader for simple replies (":n", "+OK", "-ERR ...")."""

    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line


class Writer(threading.Thread):
    """RPUSH key 0, 1, 2... with `depth` requests in flight until the connection dies or
    stop() is called. sent: highest i put on the wire (-1: none); acked: how many were
    acknowledged (always 0..acked-1, in order); ack_t[i]: monotonic time of i's ack."""

    def __init__(self, port, key="log", depth=8):
        super().__init__(daemon=True)
        self.port, self.key, self.depth = port, key, depth
        self.sent, self.acked, self.ack_t = -1, 0, []
        self.error = None
        self._halt = threading.Event()

    def stop(self):
        self._halt.set()

    def run(self):
        try:
            s = itlib.connect(self.port)
            r = Reader(s)
            inflight = collections.deque()
            i = 0
            while not self._halt.is_set():
                while len(inflight) < self.depth:
                    self.sent = i  # counted as attempted before it reaches the wire
                    s.sendall(itlib.cmd("RPUSH", self.key, i))
                    inflight.append(i)
                    i += 1
                reply = r.line()
                j = inflight.popleft()
                if reply != b":%d" % (j + 1):
                    self.error = f"RPUSH {j} answered {reply!r}"
                    return
                self.ack_t.append(time.monotonic())
                self.acked = j + 1
        except (OSError, ConnectionError):
            pass  # the server was killed: expected


def kill9(srv, with_children=True):
    """SIGKILL the server (and its fork children first, so none finishes a save behind the
    test's back); wait for it."""
    if with_children:
        for c in itlib.child_pids(srv.proc.pid):
            try:
                os.kill(c, signal.SIGKILL)
            except ProcessLookupError:
                pass
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait(timeout=10)


class Node:
    """A server whose data dir outlives its processes (restart = same dir)."""

    def __init__(self, binary, args):
        self.binary, self.args = binary, tuple(args)
        self.data = tempfile.mkdtemp(prefix="vigil-dur-")
        self.srv = None

    def start(self):
        self.srv = itlib.Server(self.binary, extra=self.args + ("--dir", self.data))
        ok = itlib.wait_until(lambda: self.ping() == b"+PONG\r\n", 60, 0.02)
        assert ok, "still loading after 60 s"
        return self.srv

    def ping(self):
        try:
            with itlib.connect(self.srv.port) as s:
                return itlib.call(s, "PING")
        except OSError:
            return b""

    def stop(self):
        problems = []
        if self.srv:
            problems = self.srv.stop()
            shutil.rmtree(self.srv.dir, ignore_errors=True)
            self.srv = None
        return problems

    def remove(self):
        self.stop()
        shutil.rmtree(self.data, ignore_errors=True)


def read_log(port, key="log"):
    with itlib.connect(port, timeout=30) as s:
        raw = itlib.call(s, "LRANGE", key, 0, -1)
    parts = raw.split(b"\r\n")
    assert parts[0].startswith(b"*"), raw[:200]
    return [int(x) for x in parts[2::2][:int(parts[0][1:])]]


def verify_log(vals, w, policy, kill_t):
    """The recovered list against what the writer saw (see the module docstring)."""
    m = len(vals)
    assert vals == list(range(m)), f"not a prefix: first bad index " \
        f"{next(k for k, v in enumerate(vals) if v != k)}"
    assert m <= w.sent + 1, f"{m} recovered but only {w.sent + 1} ever sent"
    lost = w.acked - m
    if policy == "always":
        assert lost <= 0, f"appendfsync always lost {lost} acknowledged writes"
    elif lost > 0:
        age = kill_t - w.ack_t[m]
        assert age <= LOSS_WINDOW_S, f"everysec lost {lost} writes, the oldest acknowledged " \
            f"{age:.2f} s before the kill"
    return max(lost, 0)


def write_keys(port, n, prefix="k"):
    """n pipelined SETs, all acknowledged."""
    with itlib.connect(port, timeout=30) as s:
        r = Reader(s)
        for start in range(0, n, 1000):
            batch = range(start, min(n, start + 1000))
            s.sendall(b"".join(itlib.cmd("SET", f"{prefix}:{i}", f"value-{i}") for i in batch))
            for _ in batch:
                assert r.line() == b"+OK"


def check_aof_files(data_dir):
    """A killed server's AOF: both vigil-check-aof and redis-check-aof call it valid (a
    kill -9 cannot cut a write(2) in half, and vigil's files must be Redis's format)."""
    manifest = os.path.join(data_dir, "appendonlydir", "appendonly.aof.manifest")
    for tool in (CHECK_AOF, REDIS_CHECK_AOF):
        p = subprocess.run([tool, manifest], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        assert p.returncode == 0, (tool, p.stdout.decode(errors="replace")[-2000:])


# ---- drills: each returns a one-line summary, raises AssertionError on a violation ------

def drill_fsync(binary, policy, seconds, depth=8):
    node = Node(binary, ("--appendonly", "yes", "--appendfsync", policy))
    try:
        srv = node.start()
        w = Writer(srv.port, depth=depth)
        w.start()
        time.sleep(seconds)
        kill_t = time.monotonic()
        kill9(srv)
        w.join(10)
        assert not w.error, w.error
        assert w.acked > 0, "no write was acknowledged"
        node.stop()
        check_aof_files(node.data)
        srv = node.start()
        vals = read_log(srv.port)
        lost = verify_log(vals, w, policy, kill_t)
        problems = node.stop()
        assert not problems, problems
        return (f"{policy} (depth {depth}): sent {w.sent + 1}, acked {w.acked}, recovered {len(vals)}, "
                f"lost acked {lost}")
    finally:
        node.remove()


def drill_rewrite(binary, keys, seconds):
    """kill -9 while BGREWRITEAOF runs (slowed by rdb-key-save-delay), writes flowing."""
    node = Node(binary, ("--appendonly", "yes", "--appendfsync", "always"))
    try:
        srv = node.start()
        write_keys(srv.port, keys)
        w = Writer(srv.port)
        w.start()
        with itlib.connect(srv.port) as s:
            delay_us = max(1, int(seconds * 2e6 / keys))  # the rewrite would take 2x seconds
            assert itlib.call(s, "CONFIG", "SET", "rdb-key-save-delay", delay_us) == b"+OK\r\n"
            time.sleep(seconds / 4)
            reply = itlib.call(s, "BGREWRITEAOF")
            assert reply.startswith(b"+"), reply
            assert itlib.wait_until(
                lambda: itlib.info(s, "persistence").get("aof_rewrite_in_progress") == "1", 10)
            time.sleep(seconds)
            assert itlib.info(s, "persistence").get("aof_rewrite_in_progress") == "1", \
                "the rewrite ended before the kill: slow it down more"
        kill_t = time.monotonic()
        kill9(srv)
        w.join(10)
        assert not w.error, w.error
        node.stop()
        check_aof_files(node.data)
        srv = node.start()
        vals = read_log(srv.port)
        verify_log(vals, w, "always", kill_t)
        with itlib.connect(srv.port) as s:
            assert itlib.call(s, "DBSIZE") == b":%d\r\n" % (keys + 1)
            assert itlib.call(s, "GET", f"k:{keys - 1}") == itlib.cmd(f"value-{keys - 1}")[4:]
        problems = node.stop()
        assert not problems, problems
        return (f"rewrite: {keys} keys, acked {w.acked}, recovered {len(vals)}, AOF valid "
                f"for both checkers")
    finally:
        node.remove()


def drill_bgsave(binary, keys, seconds):
    """kill -9 (server and child) during BGSAVE: the old dump.rdb stays and loads."""
    node = Node(binary, ("--appendonly", "no"))
    try:
        srv = node.start()
        write_keys(srv.port, keys, "old")
        with itlib.connect(srv.port) as s:
            assert itlib.call(s, "SAVE") == b"+OK\r\n"
        dump = os.path.join(node.data, "dump.rdb")
        with open(dump, "rb") as f:
            before = f.read()
        write_keys(srv.port, keys, "new")
        with itlib.connect(srv.port) as s:
            delay_us = max(1, int(seconds * 2e6 / (2 * keys)))
            assert itlib.call(s, "CONFIG", "SET", "rdb-key-save-delay", delay_us) == b"+OK\r\n"
            assert itlib.call(s, "BGSAVE").startswith(b"+Background saving started")
            assert itlib.wait_until(
                lambda: itlib.info(s, "persistence").get("rdb_bgsave_in_progress") == "1", 10)
            time.sleep(seconds)
            assert itlib.info(s, "persistence").get("rdb_bgsave_in_progress") == "1", \
                "BGSAVE ended before the kill: slow it down more"
        kill9(srv)
        node.stop()
        with open(dump, "rb") as f:
            assert f.read() == before, "dump.rdb changed under a killed BGSAVE"
        srv = node.start()
        with itlib.connect(srv.port) as s:
            assert itlib.call(s, "DBSIZE") == b":%d\r\n" % keys
            assert itlib.call(s, "EXISTS", f"old:{keys - 1}", "new:0") == b":1\r\n"
        problems = node.stop()
        assert not problems, problems
        return f"bgsave: old dump.rdb ({len(before)} bytes) intact and loaded, {keys} keys"
    finally:
        node.remove()


def run_drills(plan):
    """plan: [(name, function, args)]. Runs each drill on redis-server, then on
    vigil-server, printing ok/FAIL lines. Returns the failures."""
    failures, ran = [], 0
    for name, fn, args in plan:
        for who, binary in (("redis", REDIS), ("vigil", VIGIL)):
            t0 = time.monotonic()
            ran += 1
            try:
                summary = fn(binary, *args)
                print(f"ok   {who} {summary} ({time.monotonic() - t0:.1f} s)", flush=True)
            except Exception as e:  # noqa: BLE001 - each failure is reported, then counted
                print(f"FAIL {who} {name}: {e!r}", flush=True)
                traceback.print_exc(limit=4)
                failures.append(f"{who} {name}")
    print(f"{ran - len(failures)} passed, {len(failures)} failed")
    return failures


PLAN = [
    ("always", drill_fsync, ("always", 1.5)),
    ("everysec", drill_fsync, ("everysec", 1.5)),
    ("rewrite", drill_rewrite, (2000, 0.5)),
    ("bgsave", drill_bgsave, (2000, 0.5)),
]


def main():
    socket.setdefaulttimeout(30)
    return 1 if run_drills(PLAN) else 0


if __name__ == "__main__":
    sys.exit(main())
