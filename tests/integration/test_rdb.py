#!/usr/bin/python3
"""test_rdb.py - the RDB format (server/rdb.c) against real processes and real files:

  vigil_to_redis      a dataset with every type and encoding (several dbs, TTLs) saved by
                      vigil: redis-check-rdb and vigil-check-rdb accept the file, and
                      redis-server started on it holds exactly the same keys (type, content,
                      PTTL within 5 s, OBJECT ENCODING)
  redis_to_vigil      the same dataset saved by redis-server, loaded by vigil-server
  vigil_restart       vigil reloads its own file (encodings identical)
  no_compression      rdbcompression no / rdbchecksum no: no LZF, a zero checksum trailer,
                      both servers still load it; with compression the file is smaller
  bad_files           a truncated and a byte-flipped file: vigil-server exits non-zero and
                      its log names the file and the offset
  loading_state       key-load-delay + loading-process-events-interval-bytes 1024: a client
                      connected while loading gets -LOADING for GET, INFO says loading:1 with
                      the loading_* fields, then everything is there
  expired_skipped     keys whose TTL passed after SAVE are not loaded (vigil and redis agree)
  crafted             hand-made files: LIST, ZSET with text scores, EXPIRETIME in seconds,
                      IDLE/FREQ, an empty set (skipped) load; duplicates, a db index out of
                      range, streams/functions/modules, unknown types and bad blobs are
                      refused with their reason
  checker             vigil-check-rdb exit codes and report lines (OK, truncated, missing)
  fuzz                every truncation and a byte flip at every position of a small file of
                      every encoding: vigil-check-rdb exits 0 or 1, never crashes (run it in
                      the ASan tree for it to mean something)

Run: VIGIL_SERVER=build/bin/vigil-server VIGIL_CHECK_RDB=build/bin/vigil-check-rdb \
     [REDIS_SERVER=/usr/bin/redis-server] /usr/bin/python3 tests/integration/test_rdb.py [check ...]
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    SANITIZER_MARKS, Server, free_port, run_checks, vigil_binary, wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REDIS_CHECK_RDB = "/usr/bin/redis-check-rdb"


def check_rdb_binary():
    return os.environ.get("VIGIL_CHECK_RDB") or os.path.join(ROOT, "build/bin/vigil-check-rdb")


def client(port, db=0):
    return redis.Redis(host="127.0.0.1", port=port, db=db, decode_responses=False,
                       socket_timeout=10)


DBS = (0, 1, 5)


def build_dataset(port):
    """Every type in every encoding, spread over three dbs, some keys with a TTL."""
    r = client(port)
    r.set("s:int", "12345")
    r.set("s:neg", "-300")
    r.set("s:int32", "2000000000")
    r.set("s:int64", "12345678901234")
    r.set("s:nocanon", "007")
    r.set("s:embstr", "hello world")
    r.set("s:raw", "".join(chr(33 + (i * 7919) % 90) for i in range(120)))
    r.set("s:compressible", "ab" * 600)
    r.set("s:binary", bytes(range(256)))
    r.set("s:empty", "")
    r.set("s:ttl", "v", px=400000)
    r.rpush("l:small", "a", "1", "b", "-5", "")
    r.rpush("l:big", *[f"item-{i}" if i % 3 else str(i) for i in range(6000)])
    r.rpush("l:huge-elements", *["x" * 9000, "y" * 20000, "z"])
    r.rpush("l:ttl", "a", "b")
    r.pexpire("l:ttl", 500000)
    r.sadd("set:intset", *range(-20, 20), 70000, 5000000000)
    r.sadd("set:small-str", "a", "b", "c")
    r.sadd("set:big-int", *range(1000))
    r.sadd("set:big-str", *[f"m{i}" for i in range(300)])
    r.sadd("set:long-member", "q" * 100, "r")
    r.hset("h:small", mapping={"f1": "v1", "f2": "2", "n": "12345678901"})
    r.hset("h:big", mapping={f"field{i}": f"value{i}" for i in range(300)})
    r.hset("h:long-value", mapping={"a": "1", "b": "w" * 100})
    r.hset("h:ttl", "a", "b")
    r.pexpire("h:ttl", 600000)
    r.zadd("z:small", {"a": 1, "b": 2.5, "c": float("-inf"), "d": float("inf"), "e": 0.1,
                       "f": -3})
    r.zadd("z:big", {f"m{i}": i / 7 for i in range(300)})
    r.zadd("z:long-member", {"k" * 100: 1.5, "s": -0.25})
    r.zadd("z:ttl", {"a": 1})
    r.pexpire("z:ttl", 700000)
    r1 = client(port, 1)
    r1.set("one", "1")
    r1.rpush("l", "x")
    r1.sadd("s", "1", "2")
    r5 = client(port, 5)
    r5.set("five", "five", px=800000)
    r5.hset("h", "k", "v")


def snapshot(port):
    """{(db, key): (type, content, pttl, encoding)} of every key."""
    out = {}
    for db in DBS:
        r = client(port, db)
        for key in r.scan_iter(count=1000):
            t = r.type(key).decode()
            if t == "string":
                content = r.get(key)
            elif t == "list":
                content = r.lrange(key, 0, -1)
            elif t == "set":
                content = sorted(r.smembers(key))
            elif t == "hash":
                content = r.hgetall(key)
            elif t == "zset":
                content = r.zrange(key, 0, -1, withscores=True)
            else:
                raise AssertionError(f"unexpected type {t}")
            out[(db, key)] = (t, content, r.pttl(key), r.object("encoding", key).decode())
    return out


def same_encoding(got, want):
    # Redis 7.0 has no listpack sets: a small non-integer set is a hashtable there
    return got == want or {got, want} == {"listpack", "hashtable"}


def compare(got, want, what, exact_encoding=False):
    assert set(got) == set(want), (what, sorted(set(got) ^ set(want)))
    for k in want:
        gt, gc, gp, ge = got[k]
        wt, wc, wp, we = want[k]
        assert gt == wt, (what, k, gt, wt)
        assert gc == wc, (what, k, "content differs")
        assert (gp < 0) == (wp < 0) and abs(gp - wp) < 5000, (what, k, gp, wp)
        if exact_encoding or wt != "set":
            assert ge == we, (what, k, ge, we)
        else:
            assert same_encoding(ge, we), (what, k, ge, we)
    assert len(want) > 30, len(want)


def run(argv, timeout=30):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")


def start_on(binary, rdb_path, extra=()):
    """A server started on a copy of rdb_path (its dir holds the copy as dump.rdb)."""
    d = tempfile.mkdtemp(prefix="vigil-rdb-")
    shutil.copy(rdb_path, os.path.join(d, "dump.rdb"))
    try:
        srv = Server(binary, ("--dir", d, *extra))
    except Exception:
        shutil.rmtree(d, ignore_errors=True)
        raise
    srv.data_dir = d
    return srv


def stop(srv):
    problems = srv.stop()
    shutil.rmtree(getattr(srv, "data_dir", ""), ignore_errors=True)
    assert not problems, problems


class Checks:
    def __init__(self, binary, oracle):
        self.binary = binary
        self.oracle = oracle
        self.tmp = tempfile.mkdtemp(prefix="vigil-rdbtest-")

    def saved_by(self, binary, name, extra=(), builder=build_dataset):
        """Build the dataset on a fresh server, SAVE, keep a copy of the file; returns
        (path, snapshot taken right after the save)."""
        srv = Server(binary, extra)
        try:
            builder(srv.port)
            snap = snapshot(srv.port)
            assert client(srv.port).save()
            path = os.path.join(self.tmp, name)
            shutil.copy(os.path.join(srv.dir, "dump.rdb"), path)
        finally:
            problems = srv.stop()
            assert not problems, problems
        return path, snap

    def check_vigil_to_redis(self):
        path, snap = self.saved_by(self.binary, "vigil.rdb")
        rc, out = run([REDIS_CHECK_RDB, path])
        assert rc == 0 and "RDB looks OK" in out and "Checksum OK" in out, out
        rc, out = run([check_rdb_binary(), path])
        assert rc == 0 and "RDB looks OK" in out, out
        if not self.oracle:
            print("     (redis-server part skipped: REDIS_SERVER is not set)")
            return
        srv = start_on(self.oracle, path)
        try:
            compare(snapshot(srv.port), snap, "redis loading vigil's file")
        finally:
            stop(srv)

    def check_redis_to_vigil(self):
        if not self.oracle:
            print("     (skipped: REDIS_SERVER is not set)")
            return
        path, snap = self.saved_by(self.oracle, "redis.rdb")
        srv = start_on(self.binary, path)
        try:
            compare(snapshot(srv.port), snap, "vigil loading redis's file")
        finally:
            stop(srv)

    def check_vigil_restart(self):
        path, snap = self.saved_by(self.binary, "vigil2.rdb")
        srv = start_on(self.binary, path)
        try:
            compare(snapshot(srv.port), snap, "vigil reloading its own file", exact_encoding=True)
            # and what it saves again is loadable and identical
            assert client(srv.port).save()
            rc, out = run([REDIS_CHECK_RDB, os.path.join(srv.data_dir, "dump.rdb")])
            assert rc == 0, out
        finally:
            stop(srv)

    def check_no_compression(self):
        plain, snap = self.saved_by(self.binary, "plain.rdb",
                                    ("--rdbcompression", "no", "--rdbchecksum", "no"))
        comp, _ = self.saved_by(self.binary, "comp.rdb")
        data = open(plain, "rb").read()
        assert data[-8:] == b"\0" * 8, data[-8:]
        assert open(comp, "rb").read()[-8:] != b"\0" * 8
        assert b"ab" * 600 in data  # stored raw
        assert os.path.getsize(comp) < os.path.getsize(plain) - 1000
        rc, out = run([REDIS_CHECK_RDB, plain])
        assert rc == 0 and "RDB looks OK" in out, out
        srv = start_on(self.binary, plain)
        try:
            compare(snapshot(srv.port), snap, "vigil loading an uncompressed file", True)
        finally:
            stop(srv)
        if self.oracle:
            srv = start_on(self.oracle, plain)
            try:
                compare(snapshot(srv.port), snap, "redis loading an uncompressed file")
            finally:
                stop(srv)

    def failed_start(self, data):
        """Start vigil-server on a dump.rdb holding data; it must exit non-zero: its output."""
        d = tempfile.mkdtemp(prefix="vigil-rdbbad-", dir=self.tmp)
        with open(os.path.join(d, "dump.rdb"), "wb") as f:
            f.write(data)
        rc, out = run([self.binary, "--port", str(free_port()), "--bind", "127.0.0.1", "--dir",
                       d, "--save", "", "--appendonly", "no"], timeout=20)
        assert rc not in (0, None) and rc > 0, (rc, out)
        assert not any(m in out for m in SANITIZER_MARKS), out
        return out

    def check_bad_files(self):
        path, _ = self.saved_by(self.binary, "bad.rdb")
        data = open(path, "rb").read()
        out = self.failed_start(data[:len(data) // 2])
        assert "dump.rdb" in out and "offset" in out and "Unexpected EOF" in out, out
        flipped = bytearray(data)
        flipped[len(data) // 3] ^= 0x5a
        out = self.failed_start(bytes(flipped))
        assert "dump.rdb" in out and "offset" in out, out
        # a checksum that does not match, everything else intact
        bad = bytearray(data)
        bad[-1] ^= 1
        out = self.failed_start(bytes(bad))
        assert "checksum" in out and "offset" in out, out
        out = self.failed_start(b"REDIS0011" + data[9:])
        assert "Can't handle RDB format version 11" in out, out

    def check_loading_state(self):
        def many(port):
            r = client(port)
            pipe = r.pipeline(transaction=False)
            for i in range(3000):
                pipe.set(f"k{i}", "v" * 50)
            pipe.execute()
        path, _ = self.saved_by(self.binary, "many.rdb", builder=many)
        srv = start_on(self.binary, path, ("--key-load-delay", "1000",
                                           "--loading-process-events-interval-bytes", "1024"))
        try:
            r = client(srv.port)
            try:
                r.get("k1")
                raise AssertionError("GET answered while loading")
            except redis.exceptions.BusyLoadingError as e:
                assert "loading the dataset in memory" in str(e), e
            info = r.info("persistence")
            assert info["loading"] == 1, info
            for f in ("loading_start_time", "loading_total_bytes", "loading_loaded_bytes",
                      "loading_loaded_perc", "loading_eta_seconds"):
                assert f in info, (f, info)
            assert info["loading_total_bytes"] == os.path.getsize(path), info
            assert 0 < info["loading_loaded_bytes"] < info["loading_total_bytes"], info
            assert wait_until(lambda: r.info("persistence")["loading"] == 0, 30, 0.1)
            assert r.dbsize() == 3000
            assert r.get("k2999") == b"v" * 50
        finally:
            stop(srv)

    def check_expired_skipped(self):
        def with_ttls(port):
            r = client(port)
            for i in range(20):
                r.set(f"gone{i}", "x", px=1500)
                r.set(f"stays{i}", "y")
            r.set("later", "z", px=600000)
        path, _ = self.saved_by(self.binary, "ttl.rdb", builder=with_ttls)
        time.sleep(1.6)
        rc, out = run([check_rdb_binary(), path])
        assert rc == 0 and "20 already expired" in out and "41 keys read" in out, out
        servers = [self.binary] + ([self.oracle] if self.oracle else [])
        for b in servers:
            srv = start_on(b, path)
            try:
                r = client(srv.port)
                assert r.dbsize() == 21, (b, r.dbsize())
                assert r.exists("gone3") == 0 and r.get("stays3") == b"y"
                assert 590000 < r.pttl("later") <= 600000
            finally:
                stop(srv)

    def check_crafted(self):
        """Hand-made files: the older encodings Redis 7.0 still reads, and what it refuses."""
        def ln(n):
            return bytes([n]) if n < 64 else bytes([0x40 | (n >> 8), n & 0xff])

        def st(b):
            b = b if isinstance(b, bytes) else str(b).encode()
            return ln(len(b)) + b

        def rdb(body, ver=b"0010"):
            return b"REDIS" + ver + body + b"\xff" + b"\0" * 8

        later = int(time.time()) + 100000
        old = (b"\xfe\x00" + b"\x01" + st("list") + ln(3) + st("a") + st("b") + st("c") +
               b"\x03" + st("zs") + ln(3) + st("x") + b"\x031.5" + st("y") + b"\xfe" +
               st("z") + b"\xff" +
               b"\xfd" + later.to_bytes(4, "little") + b"\x00" + st("secs") + st("v") +
               b"\xf8" + ln(5) + b"\x00" + st("idle") + st("i") +
               b"\xf9\x07" + b"\x00" + st("freq") + st("f") +
               b"\x02" + st("emptyset") + ln(0) +
               b"\x04" + st("h") + ln(1) + st("f") + st("v") +
               b"\xc0\x07\x00")  # ignored: after EOF
        srv = None
        d = tempfile.mkdtemp(prefix="vigil-rdbcraft-", dir=self.tmp)
        path = os.path.join(d, "old.rdb")
        with open(path, "wb") as f:
            f.write(rdb(old[:old.index(b"\xc0\x07")], b"0006"))
        srv = start_on(self.binary, path)
        try:
            r = client(srv.port)
            assert r.lrange("list", 0, -1) == [b"a", b"b", b"c"]
            assert r.zrange("zs", 0, -1, withscores=True) == [
                (b"z", float("-inf")), (b"x", 1.5), (b"y", float("inf"))]
            assert r.object("encoding", "zs") == b"listpack"
            assert 99000 <= r.ttl("secs") <= 100000, r.ttl("secs")
            assert r.get("idle") == b"i" and r.get("freq") == b"f"
            assert r.exists("emptyset") == 0 and r.dbsize() == 6, r.dbsize()
            assert r.hgetall("h") == {b"f": b"v"}
        finally:
            stop(srv)
        bad = {
            "Duplicate set members detected":
                b"\x02" + st("s") + ln(2) + st("m") + st("m"),
            "Duplicate key 'k' in DB 0":
                b"\x00" + st("k") + st("1") + b"\x00" + st("k") + st("2"),
            "Duplicate hash fields detected":
                b"\x04" + st("h") + ln(2) + st("f") + st("1") + st("f") + st("2"),
            "Duplicate zset fields detected":
                b"\x05" + st("z") + ln(2) + st("m") + b"\0" * 8 + st("m") + b"\0" * 8,
            "DB index 99 is out of range": b"\xfe" + ln(99),
            "contains streams, not supported": b"\x0f" + st("x") + ln(0),
            "contains functions, not supported": b"\xf5" + st("#!lua name=x"),
            "contains module data, not supported": b"\x07" + st("m"),
            "Unknown RDB encoding type 42": b"\x2a" + st("x"),
            "Listpack integrity check failed": b"\x10" + st("h") + st(b"\x07\0\0\0\0\0\xfe"),
            "Intset integrity check failed": b"\x0b" + st("s") + st(b"\x03\0\0\0\0\0\0\0"),
        }
        for want, body in bad.items():
            out = self.failed_start(rdb(body))
            assert want in out and "dump.rdb at offset" in out, (want, out)

    def check_checker(self):
        path, _ = self.saved_by(self.binary, "chk.rdb")
        rc, out = run([check_rdb_binary(), path])
        assert rc == 0, out
        assert out.startswith(f"[offset 0] Checking RDB file {path}"), out
        assert f"[offset {os.path.getsize(path)}] \\o/ RDB looks OK! \\o/" in out, out
        trunc = os.path.join(self.tmp, "trunc.rdb")
        with open(path, "rb") as f, open(trunc, "wb") as g:
            g.write(f.read()[:300])
        rc, out = run([check_rdb_binary(), trunc])
        assert rc == 1 and "--- RDB ERROR DETECTED ---" in out and "offset" in out, out
        rc, out = run([check_rdb_binary(), os.path.join(self.tmp, "missing.rdb")])
        assert rc == 1 and "RDB ERROR DETECTED" in out, out
        rc, out = run([check_rdb_binary()])
        assert rc == 2, out

    def check_fuzz(self):
        def small(port):
            r = client(port)
            r.set("i", "123")
            r.set("s", "x" * 30, px=900000)
            r.rpush("l", "a", "1", "b")
            r.sadd("si", 1, 2, 3)
            r.sadd("ss", "a", "b")
            r.hset("h", mapping={"f": "v", "g": "1"})
            r.zadd("z", {"a": 1.5, "b": 2})
            r.hset("hh", mapping={"f": "v" * 70})
            r.zadd("zz", {"m" * 70: 1})
        # checksum off so flipped files are parsed to the end, not refused on the trailer
        path, _ = self.saved_by(self.binary, "fuzz.rdb", ("--rdbchecksum", "no"),
                                builder=small)
        data = open(path, "rb").read()
        assert len(data) < 1000, len(data)
        case = os.path.join(self.tmp, "case.rdb")
        results = {0: 0, 1: 0}
        for n in range(len(data) * 2):
            pos = n % len(data)
            blob = data[:pos] if n < len(data) else \
                data[:pos] + bytes([data[pos] ^ (0x41 + pos % 64)]) + data[pos + 1:]
            with open(case, "wb") as f:
                f.write(blob)
            rc, out = run([check_rdb_binary(), case])
            assert rc in (0, 1), (n, rc, out)
            assert not any(m in out for m in SANITIZER_MARKS), (n, out)
            results[rc] += 1
            if n < len(data):
                assert rc == 1, (n, out)  # every truncation is an error
        print(f"     {len(data)} bytes: {results[1]} rejected, {results[0]} accepted")


def main():
    binary = vigil_binary()
    checks = Checks(binary, os.environ.get("REDIS_SERVER"))
    try:
        return 1 if run_checks(checks, sys.argv[1:]) else 0
    finally:
        shutil.rmtree(checks.tmp, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
