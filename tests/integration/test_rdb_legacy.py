#!/usr/bin/python3
"""test_rdb_legacy.py - RDB files in the encodings older Redis versions wrote (built by
rdbgen.py, version 9 headers) load into vigil-server as into Debian's redis-server 7.0:

  crc64_like_redis     rdbgen's CRC-64 equals the trailer of a file redis-server saved
  oracle_reads_model   redis-server loads the file and every key reads back as the model
                       the file was built from (so the files are right, and so is the oracle)
  same_as_redis        vigil-server on the same file: the same keys in every db, and per key
                       TYPE, content, OBJECT ENCODING, TTL (within a few seconds)
  small_thresholds     the same with tiny hash/zset/list limits on both servers: conversions
                       after the load (zipmap -> hashtable, zset ziplist -> skiplist) agree
  garbled_refused      files whose legacy blobs are bad (counts, duplicates, odd pairs,
                       truncation, an empty zipmap, a bad quicklist node) make vigil-server
                       exit non-zero, naming the file and an offset; redis-server is not
                       compared there (it may crash or refuse)

The file holds: type 1 (linked list), type 3 (zset with ASCII scores, inf, -inf), type 9
(zipmap: free bytes, 5-byte lengths), 10 (ziplist lists with every integer encoding --
immediate 0..12, int8/16/24/32/64 -- strings with 6/14/32-bit lengths, 5-byte back links,
an unknown count), 12 (zset ziplist, string and integer scores), 13 (hash ziplist), 14
(quicklist of ziplists, with an empty node), a key with a TTL, an expired key, empty
ziplists (skipped by both servers) and a second db.

Run: VIGIL_SERVER=build/bin/vigil-server [REDIS_SERVER=/usr/bin/redis-server] \
     /usr/bin/python3 tests/integration/test_rdb_legacy.py [check ...]
"""
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import Server, die_with_parent, free_port, run_checks, vigil_binary  # noqa: E402
from rdbgen import (  # noqa: E402
    TYPE_HASH_ZIPLIST, TYPE_HASH_ZIPMAP, TYPE_LIST, TYPE_LIST_QUICKLIST, TYPE_LIST_ZIPLIST,
    TYPE_ZSET, TYPE_ZSET_ZIPLIST, RdbWriter, crc64, list_of_strings, quicklist_of_ziplists, w_str,
    ziplist, zipmap, zl_int, zl_str, zset_string_scores)

INF = float("inf")
HOUR_MS = 3600 * 1000


def b(x):
    return x if isinstance(x, bytes) else str(x).encode()


class Model:
    """What each key of the generated file must read back as: {db: {key: (type, value,
    ttl)}}; value: list of bytes, dict bytes->bytes, or list of (member, score)."""

    def __init__(self):
        self.dbs = {}

    def add(self, db, key, kind, value, ttl=False):
        self.dbs.setdefault(db, {})[b(key)] = (kind, value, ttl)


def int_entries():
    """One integer in every ziplist integer encoding, at its limits."""
    out = [zl_int(0, "imm"), zl_int(12, "imm"), zl_int(7, "imm")]
    for enc, size in ((0xFE, 1), (0xC0, 2), (0xF0, 3), (0xD0, 4), (0xE0, 8)):
        lo, hi = -(1 << (8 * size - 1)), (1 << (8 * size - 1)) - 1
        out += [zl_int(lo, enc), zl_int(hi, enc), zl_int(-1, enc)]
    return out


def build_file(now_ms):
    w, m = RdbWriter(9), Model()
    w.aux("redis-ver", "5.0.14")
    w.aux("redis-bits", "64")
    w.aux("ctime", str(now_ms // 1000))
    w.aux("used-mem", "1000000")
    w.select_db(0)

    def key(kind, name, rdbtype, payload, value, expire_ms=None):
        w.key(rdbtype, name, payload, expire_ms)
        if kind:
            m.add(0, name, kind, value, expire_ms is not None)

    items = [b"a", b"12345", b"x" * 100, b"-7", b""]
    key("list", "list:linked", TYPE_LIST, list_of_strings(items), items)
    zs = [("c", "-inf"), ("a", "1.5"), ("d", b"-2.5e2"), ("f", "10"), ("b", "inf"),
          ("e", b"inf")]
    key("zset", "zset:strscores", TYPE_ZSET, zset_string_scores(zs),
        sorted([(b(mb), float(s)) for mb, s in zs], key=lambda p: (p[1], p[0])))

    ints = int_entries()
    key("list", "list:zl:ints", TYPE_LIST_ZIPLIST, w_str(ziplist(ints)),
        [b(e[1]) for e in ints])
    strs = [b"", b"s" * 63, b"t" * 64, b"u" * 300, b"v" * 16383, b"w" * 16384, b"y" * 20000,
            b"z"]
    forced = [zl_str(b"tiny14", 2), zl_str(b"tiny32", 5), zl_int(5, 0xE0)]
    key("list", "list:zl:strs", TYPE_LIST_ZIPLIST,
        w_str(ziplist(strs + forced, big_prevlen_at=(1, 9))),
        strs + [b"tiny14", b"tiny32", b"5"])
    key("list", "list:zl:nocount", TYPE_LIST_ZIPLIST,
        w_str(ziplist([b"p", 1, b"q"], count=0xFFFF)), [b"p", b"1", b"q"])

    hz = [(b"name", b"vigil"), (b"n", 42), (b"neg", -100000), (b"big", b"B" * 300),
          (b"7", b"seven")]
    key("hash", "hash:zl", TYPE_HASH_ZIPLIST,
        w_str(ziplist([x for p in hz for x in p])), {f: b(v) for f, v in hz})
    many = [(b"f%d" % i, i * 1000) for i in range(600)]
    key("hash", "hash:zl:many", TYPE_HASH_ZIPLIST,
        w_str(ziplist([x for p in many for x in p])), {f: b(v) for f, v in many})

    zm = [(b"a", b"1"), (b"bb", b"")]
    key("hash", "hash:zm", TYPE_HASH_ZIPMAP, w_str(zipmap(zm, free=2)), dict(zm))
    zm_long = [(b"F" * 300, b"x"), (b"v", b"V" * 70000)]
    key("hash", "hash:zm:long", TYPE_HASH_ZIPMAP, w_str(zipmap(zm_long, count=254)),
        dict(zm_long))

    zz = [(b"m1", -3), (b"m2", b"1.5"), (b"7", 2), (b"m3", b"1e2"), (b"m4", b"inf")]
    key("zset", "zset:zl", TYPE_ZSET_ZIPLIST, w_str(ziplist([x for p in zz for x in p])),
        [(mb, float(s)) for mb, s in zz])
    zbig = [(b"member:%03d" % i, i) for i in range(200)]
    key("zset", "zset:zl:big", TYPE_ZSET_ZIPLIST, w_str(ziplist([x for p in zbig for x in p])),
        [(mb, float(s)) for mb, s in zbig])

    nodes = [ziplist([b"n1", 2, b"N" * 500]), ziplist([]), ziplist([-5, b"last"])]
    key("list", "list:ql", TYPE_LIST_QUICKLIST, quicklist_of_ziplists(nodes),
        [b"n1", b"2", b"N" * 500, b"-5", b"last"])

    key("list", "list:ttl", TYPE_LIST_ZIPLIST, w_str(ziplist([b"t"])), [b"t"],
        expire_ms=now_ms + HOUR_MS)
    key(None, "list:expired", TYPE_LIST_ZIPLIST, w_str(ziplist([b"gone"])), None,
        expire_ms=now_ms - HOUR_MS)
    for t in (TYPE_LIST_ZIPLIST, TYPE_HASH_ZIPLIST, TYPE_ZSET_ZIPLIST):
        key(None, "empty:%d" % t, t, w_str(ziplist([])), None)
    key(None, "empty:ql", TYPE_LIST_QUICKLIST, quicklist_of_ziplists([ziplist([])]), None)

    w.select_db(3)
    w.key(TYPE_HASH_ZIPLIST, "db3:hash", w_str(ziplist([b"k", b"v"])))
    m.add(3, "db3:hash", "hash", {b"k": b"v"})
    return w.finish(), m


def client(srv, db=0):
    return redis.Redis(host="127.0.0.1", port=srv.port, db=db, socket_timeout=20)


def read_key(r, key):
    """(type, value, encoding, pttl) of one key, value in the Model's shape."""
    kind = r.type(key).decode()
    if kind == "list":
        value = r.lrange(key, 0, -1)
    elif kind == "hash":
        value = r.hgetall(key)
    elif kind == "zset":
        value = r.zrange(key, 0, -1, withscores=True)
    else:
        value = r.dump(key)
    return kind, value, r.object("encoding", key), r.pttl(key)


def snapshot(srv, dbs=range(16)):
    """{db: {key: read_key()}} of every non-empty db."""
    out = {}
    for db in dbs:
        r = client(srv, db)
        keys = r.keys("*")
        if keys:
            out[db] = {k: read_key(r, k) for k in sorted(keys)}
        r.close()
    return out


def start_on(binary, path, extra=()):
    d = os.path.dirname(path)
    return Server(binary, extra=("--dir", d, "--dbfilename", os.path.basename(path), *extra))


class Checks:
    def __init__(self, vigil, redis_bin):
        self.vigil = vigil
        self.redis = redis_bin
        self.tmp = tempfile.mkdtemp(prefix="vigil-rdb-legacy-")
        self.now_ms = int(time.time() * 1000)
        data, self.model = build_file(self.now_ms)
        self.path = os.path.join(self.tmp, "legacy.rdb")
        with open(self.path, "wb") as f:
            f.write(data)
        self.redis_snap = None

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def load(self, binary, extra=()):
        srv = start_on(binary, self.path, extra)
        try:
            return snapshot(srv)
        finally:
            problems = srv.stop()
            assert not problems, problems

    def check_crc64_like_redis(self):
        assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA
        if not self.redis:
            return
        srv = Server(self.redis)
        try:
            r = client(srv)
            r.set("s", "v" * 1000)
            r.rpush("l", *range(300))
            r.hset("h", mapping={"f%d" % i: i for i in range(50)})
            r.zadd("z", {"m%d" % i: i / 3 for i in range(20)})
            assert r.save()
            with open(os.path.join(srv.dir, "dump.rdb"), "rb") as f:
                data = f.read()
        finally:
            problems = srv.stop()
        assert not problems, problems
        assert data.startswith(b"REDIS0010"), data[:9]
        assert crc64(data[:-8]) == struct.unpack("<Q", data[-8:])[0]

    def check_oracle_reads_model(self):
        if not self.redis:
            print("     (no REDIS_SERVER: model only)")
            return
        snap = self.load(self.redis)
        self.redis_snap = snap
        assert sorted(snap) == sorted(self.model.dbs), (sorted(snap), sorted(self.model.dbs))
        for db, keys in self.model.dbs.items():
            assert sorted(snap[db]) == sorted(keys), (db, sorted(snap[db]), sorted(keys))
            for k, (kind, value, ttl) in keys.items():
                got_kind, got_value, _, pttl = snap[db][k]
                assert got_kind == kind, (k, got_kind, kind)
                assert got_value == value, (k, str(got_value)[:200], str(value)[:200])
                assert (pttl > HOUR_MS - 60000) if ttl else pttl == -1, (k, pttl)

    def compare(self, want, got, label):
        assert sorted(got) == sorted(want), (label, sorted(got), sorted(want))
        for db in want:
            assert sorted(got[db]) == sorted(want[db]), (label, db, sorted(got[db]))
            for k, (kind, value, enc, pttl) in want[db].items():
                g_kind, g_value, g_enc, g_pttl = got[db][k]
                assert g_kind == kind, (label, k, g_kind, kind)
                assert g_value == value, (label, k, str(g_value)[:200], str(value)[:200])
                assert g_enc == enc, (label, k, "encoding", g_enc, enc)
                if pttl == -1:
                    assert g_pttl == -1, (label, k, g_pttl)
                else:
                    assert abs(g_pttl - pttl) < 30000, (label, k, g_pttl, pttl)

    def model_snapshot(self):
        """The model as a snapshot, for runs without redis-server (encodings unchecked)."""
        return {db: {k: (kind, v, None, -1) for k, (kind, v, _) in keys.items()}
                for db, keys in self.model.dbs.items()}

    def check_same_as_redis(self):
        got = self.load(self.vigil)
        if self.redis_snap is None:
            want = self.model_snapshot()
            got = {db: {k: (t, v, None, -1) for k, (t, v, _, _) in keys.items()}
                   for db, keys in got.items()}
        else:
            want = self.redis_snap
        self.compare(want, got, "defaults")

    def check_small_thresholds(self):
        if not self.redis:
            return
        extra = ("--hash-max-listpack-entries", "2", "--hash-max-listpack-value", "8",
                 "--zset-max-listpack-entries", "3", "--zset-max-listpack-value", "4",
                 "--list-max-listpack-size", "2")
        want = self.load(self.redis, extra)
        encs = {want[0][k][2] for k in want[0]}
        assert {b"hashtable", b"skiplist", b"listpack"} <= encs, encs
        self.compare(want, self.load(self.vigil, extra), "small thresholds")

    def refused(self, name, data):
        """Start vigil on a file that must be refused: non-zero exit, the file and an offset
        named in its output."""
        d = tempfile.mkdtemp(prefix="vigil-rdb-bad-", dir=self.tmp)
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data)
        conf = os.path.join(d, "vigil.ini")
        with open(conf, "w") as f:
            f.write(f"[server]\nbind = 127.0.0.1\nport = {free_port()}\ndir = {d}\n"
                    f"[persistence]\nsave = \"\"\nappendonly = no\ndbfilename = {name}\n")
        log = open(os.path.join(d, "out.log"), "wb")
        proc = subprocess.Popen([self.vigil, conf], stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
            raise AssertionError(f"{name}: vigil-server still running after 30 s")
        finally:
            log.close()
        with open(os.path.join(d, "out.log"), errors="replace") as f:
            out = f.read()
        assert rc > 0, (name, rc, out[-2000:])
        assert rc != -signal.SIGABRT
        assert name in out, (name, out[-2000:])
        assert re.search(r"offset\D{0,3}\d+", out, re.I), (name, out[-2000:])
        assert "AddressSanitizer" not in out and "runtime error" not in out, out[-3000:]

    def check_garbled_refused(self):
        def one(rdbtype, payload):
            w = RdbWriter(9)
            w.select_db(0)
            w.key(TYPE_LIST_ZIPLIST, "good", w_str(ziplist([b"fine"])))
            w.key(rdbtype, "bad", payload)
            return w.finish()

        good = ziplist([b"a", 1, b"b", 2])
        wrong_count = bytearray(good)
        wrong_count[8] = 3
        truncated = bytearray(good[:-4]) + b"\xff"
        truncated[0:4] = len(truncated).to_bytes(4, "little")
        bad_enc = bytearray(good)
        bad_enc[11] = 0xC5
        cases = {
            "count.rdb": one(TYPE_LIST_ZIPLIST, w_str(bytes(wrong_count))),
            "trunc.rdb": one(TYPE_LIST_ZIPLIST, w_str(bytes(truncated))),
            "enc.rdb": one(TYPE_LIST_ZIPLIST, w_str(bytes(bad_enc))),
            "dupfield.rdb": one(TYPE_HASH_ZIPLIST, w_str(ziplist([b"f", 1, b"f", 2]))),
            "dupmember.rdb": one(TYPE_ZSET_ZIPLIST, w_str(ziplist([5, 1, b"5", 2]))),
            "odd.rdb": one(TYPE_HASH_ZIPLIST, w_str(ziplist([b"f", 1, b"g"]))),
            "zmempty.rdb": one(TYPE_HASH_ZIPMAP, w_str(zipmap([]))),
            "zmcount.rdb": one(TYPE_HASH_ZIPMAP, w_str(zipmap([(b"a", b"b")], count=2))),
            "zmdup.rdb": one(TYPE_HASH_ZIPMAP, w_str(zipmap([(b"a", b"1"), (b"a", b"2")]))),
            "qlnode.rdb": one(TYPE_LIST_QUICKLIST,
                              quicklist_of_ziplists([good, bytes(wrong_count)])),
        }
        for name, data in cases.items():
            self.refused(name, data)


def main():
    vigil = vigil_binary()
    redis_bin = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
    if not os.path.exists(redis_bin):
        redis_bin = None
    checks = Checks(vigil, redis_bin)
    try:
        failures = run_checks(checks, only=sys.argv[1:])
    finally:
        checks.cleanup()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
