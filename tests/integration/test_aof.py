#!/usr/bin/python3
"""test_aof.py - the append-only file, through the wire and the real files.

  fsync_policies     appendonly yes with appendfsync always / everysec / no: every type, TTLs,
                     MULTI/EXEC and several dbs survive a restart key by key (always: even a
                     kill -9 right after the replies)
  layout             the appendonlydir, file names and manifest lines as Redis 7.0 writes them
                     (compared with redis-server's own layout when REDIS_SERVER is set)
  rewrite            BGREWRITEAOF with and without the RDB preamble; writes made while the
                     child is slowed by rdb-key-save-delay survive a restart; the manifest then
                     names the new base and one incr file, older files are gone
  redis_interop      redis-server loads vigil's appendonlydir, and vigil loads redis-server's
                     (needs REDIS_SERVER)
  auto_rewrite       auto-aof-rewrite-min-size / percentage trigger a rewrite
  enable_at_runtime  CONFIG SET appendonly yes on a server with data, then restart

Run: VIGIL_SERVER=build/bin/vigil-server [REDIS_SERVER=/usr/bin/redis-server] \
     /usr/bin/python3 tests/integration/test_aof.py [check ...]
"""
import os
import re
import signal
import subprocess
import sys
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    SANITIZER_MARKS, TempDirs, answers_ping, call, connect, die_with_parent, free_port,
    run_checks, vigil_binary, wait_until)
from itlib import dataset as itlib_dataset  # noqa: E402


class Proc:
    """A server on a directory the caller owns (so it can be restarted on the same files),
    stopped by PID."""

    def __init__(self, binary, d, *opts):
        self.binary, self.dir, self.port = binary, d, free_port()
        self.is_redis = "redis-server" in os.path.basename(binary)
        self.log = os.path.join(d, f"log-{self.port}.txt")
        args = [binary]
        if not self.is_redis:
            conf = os.path.join(d, f"vigil-{self.port}.ini")
            with open(conf, "w") as f:
                f.write("[server]\nbind = 127.0.0.1\n")
            args.append(conf)
        args += ["--port", str(self.port), "--dir", d, "--save", "", "--logfile", self.log]
        if self.is_redis:
            args += ["--bind", "127.0.0.1"]
        args += [str(o) for o in opts]
        self.errlog = os.path.join(d, f"stderr-{self.port}.txt")
        with open(self.errlog, "wb") as err:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                         preexec_fn=die_with_parent)
        ok = wait_until(lambda: self.proc.poll() is not None or answers_ping(self.port), 20)
        if not ok or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError(f"{binary} did not start:\n{self.logs()}")
        self.r = redis.Redis(host="127.0.0.1", port=self.port, decode_responses=False)
        assert wait_until(lambda: self.r.info("persistence")["loading"] == 0,
                          20)

    def logs(self):
        text = ""
        for path in (self.log, self.errlog):
            try:
                with open(path, errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return text

    def info(self):
        return self.r.info("persistence")

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
                raise AssertionError("server ignored the signal for 15 s")
        logs = self.logs()
        assert not any(m in logs for m in SANITIZER_MARKS), logs[-3000:]


def populate(r, n=40, tag=b""):
    """Every type, in two dbs, with TTLs and a transaction."""
    for i in range(n):
        r.set(b"s%d%s" % (i, tag), b"v%d" % i * (i % 7 + 1))
        r.set(b"i%d%s" % (i, tag), i * 1000)
    r.rpush(b"list" + tag, *[b"e%d" % i for i in range(150)])
    r.lpush(b"list" + tag, b"head", 12345)
    r.sadd(b"iset" + tag, *range(30))
    r.sadd(b"sset" + tag, *[b"m%d" % i for i in range(200)])
    r.zadd(b"zs" + tag, {b"a": 1.5, b"b": -2, b"c": 1e20, b"d": 0.1})
    r.zadd(b"zbig" + tag, {b"m%d" % i: i / 3 for i in range(300)})
    r.hset(b"h" + tag, mapping={b"f%d" % i: b"x%d" % i for i in range(10)})
    r.hset(b"hbig" + tag, mapping={b"f%d" % i: b"x" * i for i in range(300)})
    r.set(b"ttl" + tag, b"v", ex=1000)
    r.pexpire(b"list" + tag, 500000)
    r.expire(b"zs" + tag, 3000)
    r.set(b"gone" + tag, b"v", px=1)
    r.incr(b"i3" + tag)
    r.append(b"s1" + tag, b"appended")
    r.delete(b"s2" + tag)
    p = r.pipeline(transaction=True)
    p.set(b"tx1" + tag, b"a").incr(b"tx2" + tag).rpush(b"txl" + tag, b"x", b"y")
    p.execute()
    r2 = redis.Redis(host="127.0.0.1", port=r.connection_pool.connection_kwargs["port"], db=5)
    r2.set(b"db5" + tag, b"five")
    r2.hset(b"db5h" + tag, b"f", b"v")
    r2.close()
    time.sleep(0.01)


def dataset(r):
    """{(db, key): (type, value, has_ttl, ttl rounded to 30 s)} over all dbs."""
    return itlib_dataset(r.connection_pool.connection_kwargs["port"], ttl_round_s=30)


def assert_same(got, want):
    assert set(got) == set(want), (sorted(set(want) - set(got))[:10], sorted(set(got) - set(want))[:10])
    for k in want:
        assert got[k] == want[k], (k, got[k], want[k])


def assert_reloads(binary, d, want):
    """A server restarted on dir d with the AOF on holds exactly `want`."""
    p = Proc(binary, d, "--appendonly", "yes")
    try:
        assert_same(dataset(p.r), want)
    finally:
        p.stop()


def read_manifest(d):
    with open(os.path.join(d, "appendonlydir", "appendonly.aof.manifest")) as f:
        return f.read()


def manifest_files(d):
    return re.findall(r"^file (\S+) seq (\d+) type ([bih])$", read_manifest(d), re.M)


class Checks(TempDirs):
    def __init__(self, binary, oracle):
        self.binary, self.oracle = binary, oracle
        super().__init__("vigil-aof-")

    def check_fsync_policies(self):
        for policy in ("always", "everysec", "no"):
            d = self.tmp()
            p = Proc(self.binary, d, "--appendonly", "yes", "--appendfsync", policy)
            try:
                populate(p.r)
                assert p.r.info("persistence")["aof_last_write_status"] == "ok"
                want = dataset(p.r)
                assert len(want) > 90, len(want)
                assert (0, b"gone") not in want
                # always: what was acknowledged is on disk, even without a clean shutdown
                p.stop(signal.SIGKILL if policy == "always" else signal.SIGTERM)
                p = Proc(self.binary, d, "--appendonly", "yes", "--appendfsync", policy)
                assert_same(dataset(p.r), want)
                assert "DB loaded from append only file" in p.logs()
                # and again, after appending to the same incr file
                p.r.set(b"later", b"1")
                want[(0, b"later")] = ("string", b"1", False, -1)
                p.stop()
                p = Proc(self.binary, d, "--appendonly", "yes")
                assert_same(dataset(p.r), want)
                assert p.r.info("persistence")["aof_rewrites"] == 0
            finally:
                p.stop()

    def check_layout(self):
        d = self.tmp()
        p = Proc(self.binary, d, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
        try:
            p.r.set(b"a", b"1")
            p.r.execute_command("SELECT", 2)
            info = p.info()
            assert info["aof_enabled"] == 1 and info["aof_current_size"] > 0, info
        finally:
            p.stop()
        assert sorted(os.listdir(os.path.join(d, "appendonlydir"))) == [
            "appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"]
        assert read_manifest(d) == ("file appendonly.aof.1.base.aof seq 1 type b\n"
                                    "file appendonly.aof.1.incr.aof seq 1 type i\n")
        with open(os.path.join(d, "appendonlydir", "appendonly.aof.1.incr.aof"), "rb") as f:
            assert f.read() == (b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                                b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n")
        assert "Creating AOF base file appendonly.aof.1.base.aof on server start" in p.logs()
        assert "Creating AOF incr file appendonly.aof.1.incr.aof on server start" in p.logs()
        # appenddirname / appendfilename are honoured
        d2 = self.tmp()
        p = Proc(self.binary, d2, "--appendonly", "yes", "--appenddirname", "aofs",
                 "--appendfilename", "x.aof", "--aof-use-rdb-preamble", "no")
        p.stop()
        assert sorted(os.listdir(os.path.join(d2, "aofs"))) == [
            "x.aof.1.base.aof", "x.aof.1.incr.aof", "x.aof.manifest"]
        d3 = self.tmp()
        p = Proc(self.binary, d3, "--appendonly", "yes")
        p.stop()
        assert manifest_files(d3) == [("appendonly.aof.1.base.rdb", "1", "b"),
                                      ("appendonly.aof.1.incr.aof", "1", "i")]
        # the oracle names its files the same way
        d4 = self.tmp()
        o = Proc(self.oracle, d4, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
        o.r.set(b"a", b"1")
        o.stop()
        assert read_manifest(d4) == read_manifest(d)
        with open(os.path.join(d4, "appendonlydir", "appendonly.aof.1.incr.aof"), "rb") as f:
            assert f.read() == (b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                                b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n")

    def rewrite_once(self, preamble):
        d = self.tmp()
        opts = ["--appendonly", "yes", "--aof-use-rdb-preamble", preamble]
        p = Proc(self.binary, d, *opts)
        try:
            populate(p.r)
            for i in range(2000):
                p.r.set(b"k%d" % i, i)
            p.r.config_set("rdb-key-save-delay", 200)  # about 0.5 s of child work
            s = connect(p.port)
            assert call(s, "BGREWRITEAOF") == b"+Background append only file rewriting started\r\n"
            assert call(s, "BGREWRITEAOF") == (
                b"-ERR Background append only file rewriting already in progress\r\n")
            s.close()
            assert p.info()["aof_rewrite_in_progress"] == 1
            # writes while the child works land in the new incr file
            for i in range(200):
                p.r.set(b"during%d" % i, i)
            p.r.delete(b"k5")
            p.r.rpush(b"list", b"during")
            assert manifest_files(d)[-1] == ("appendonly.aof.2.incr.aof", "2", "i")
            assert wait_until(lambda: p.info()["aof_rewrite_in_progress"] == 0, 30)
            info = p.info()
            assert info["aof_last_bgrewrite_status"] == "ok" and info["aof_rewrites"] == 1, info
            p.r.config_set("rdb-key-save-delay", 0)
            p.r.set(b"after", b"1")
            want = dataset(p.r)
        finally:
            p.stop()
        ext = "rdb" if preamble == "yes" else "aof"
        assert manifest_files(d) == [(f"appendonly.aof.2.base.{ext}", "2", "b"),
                                     ("appendonly.aof.2.incr.aof", "2", "i")], read_manifest(d)
        assert sorted(os.listdir(os.path.join(d, "appendonlydir"))) == sorted(
            [f"appendonly.aof.2.base.{ext}", "appendonly.aof.2.incr.aof",
             "appendonly.aof.manifest"])
        assert not [f for f in os.listdir(d) if f.startswith("temp-")], os.listdir(d)
        with open(os.path.join(d, "appendonlydir", f"appendonly.aof.2.base.{ext}"), "rb") as f:
            head = f.read(5)
        assert head == (b"REDIS" if ext == "rdb" else b"*2\r\n$"), head
        p = Proc(self.binary, d, *opts)
        try:
            got = dataset(p.r)
            assert (0, b"during199") in got and (0, b"k5") not in got
            assert_same(got, want)
            assert p.info()["aof_base_size"] > 0
        finally:
            p.stop()
        return d

    def check_rewrite(self):
        self.rewrite_once("no")
        self.rewrite_once("yes")

    def check_redis_interop(self):
        for preamble in ("no", "yes"):
            # vigil writes (base from a rewrite + incr), redis-server reads
            d = self.tmp()
            p = Proc(self.binary, d, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble)
            try:
                populate(p.r)
                p.r.execute_command("BGREWRITEAOF")
                assert wait_until(lambda: p.info()["aof_rewrite_in_progress"] == 0, 30)
                populate(p.r, 10, b"-incr")
                want = dataset(p.r)
            finally:
                p.stop()
            o = Proc(self.oracle, d, "--appendonly", "yes")
            try:
                assert_same(dataset(o.r), want)
                # redis-server writes, vigil reads
                o.r.config_set("aof-use-rdb-preamble", preamble)
                o.r.execute_command("BGREWRITEAOF")
                assert wait_until(lambda: o.info()["aof_rewrite_in_progress"] == 0, 30)
                populate(o.r, 10, b"-redis")
                want = dataset(o.r)
            finally:
                o.stop()
            assert_reloads(self.binary, d, want)

    def check_auto_rewrite(self):
        d = self.tmp()
        p = Proc(self.binary, d, "--appendonly", "yes", "--auto-aof-rewrite-min-size", "20kb",
                 "--auto-aof-rewrite-percentage", "100", "--aof-use-rdb-preamble", "no")
        try:
            assert p.info()["aof_rewrites"] == 0
            for i in range(100):
                p.r.set(b"k%d" % (i % 10), b"x" * 100)
            time.sleep(0.3)
            assert p.info()["aof_rewrites"] == 0  # 14 kB: under the minimum size
            for i in range(300):
                p.r.set(b"k%d" % (i % 10), b"x" * 100)
            assert wait_until(lambda: p.info()["aof_rewrites"] >= 1, 10), p.info()
            assert wait_until(lambda: p.info()["aof_rewrite_in_progress"] == 0, 10)
            info = p.info()
            # the base holds 10 keys: far smaller than the incr files it replaced
            assert 0 < info["aof_base_size"] < 3000, info
            assert "Starting automatic rewriting of AOF on" in p.logs()
            want = dataset(p.r)
        finally:
            p.stop()
        assert_reloads(self.binary, d, want)

    def check_enable_at_runtime(self):
        d = self.tmp()
        p = Proc(self.binary, d, "--appendonly", "no", "--aof-use-rdb-preamble", "no")
        try:
            populate(p.r)
            assert p.info()["aof_enabled"] == 0
            assert not os.path.exists(os.path.join(d, "appendonlydir"))
            p.r.config_set("rdb-key-save-delay", 100)
            assert p.r.config_set("appendonly", "yes")
            assert p.info()["aof_enabled"] == 1
            p.r.set(b"while-first-rewrite", b"1")  # goes to the temp incr file
            assert wait_until(lambda: p.info()["aof_rewrites"] == 1, 30), p.info()
            p.r.set(b"after-first-rewrite", b"1")
            want = dataset(p.r)
        finally:
            p.stop()
        assert manifest_files(d) == [("appendonly.aof.1.base.aof", "1", "b"),
                                     ("appendonly.aof.1.incr.aof", "1", "i")], read_manifest(d)
        p = Proc(self.binary, d, "--appendonly", "yes")
        try:
            got = dataset(p.r)
            assert (0, b"while-first-rewrite") in got
            assert_same(got, want)
            # and off again: the files stay, writes stop going there
            p.r.config_set("appendonly", "no")
            size = os.path.getsize(os.path.join(d, "appendonlydir", "appendonly.aof.1.incr.aof"))
            p.r.set(b"not-in-aof", b"1")
            time.sleep(0.1)
            assert os.path.getsize(
                os.path.join(d, "appendonlydir", "appendonly.aof.1.incr.aof")) == size
        finally:
            p.stop()


def main():
    binary = vigil_binary()
    checks = Checks(binary, os.environ.get("REDIS_SERVER", "/usr/bin/redis-server"))
    try:
        return 1 if run_checks(checks, sys.argv[1:]) else 0
    finally:
        checks.cleanup()


if __name__ == "__main__":
    sys.exit(main())
