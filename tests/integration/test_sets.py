#!/usr/bin/python3
"""test_sets.py - the set type beyond what compat/sets.txt can compare byte for byte:

  random_differential  random S* commands on keys that cross every encoding (small and big
                       integers, strings, long strings, small thresholds); every reply is
                       checked against a Python model, and against redis-server when
                       REDIS_SERVER is set (unordered replies sorted; SPOP's random picks
                       are mirrored to the model and the oracle as SREM)
  count_rules          SRANDMEMBER/SPOP count rules in every encoding: positive = distinct
                       and at most the size, negative = exactly |count| with repeats, all
                       picks are members; SPOP count removes exactly what it returns
  encodings            vigil only: intset -> listpack -> hashtable at set-max-intset-entries,
                       set-max-listpack-entries and set-max-listpack-value (CONFIG SET),
                       never back down on SREM; set operation results pick the smallest
                       encoding; DEBUG DIGEST-VALUE does not depend on the encoding
  sscan_full           SSCAN over large hashtable sets (COUNT, MATCH, growth between calls):
                       every member at least once, nothing else
  keyspace_stats       keyspace_hits/misses after every set command equal redis-server's
                       (read vs write lookups; needs REDIS_SERVER)
  notifications        PSUBSCRIBE '__key*__:*' with KEA sees the same events as on
                       redis-server for a script of every set command (needs REDIS_SERVER)

Run: VIGIL_SERVER=build/bin/vigil-server [REDIS_SERVER=/usr/bin/redis-server] \
     /usr/bin/python3 tests/integration/test_sets.py [check ...]
"""
import os
import random
import sys

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    Server, keyspace_events, run_checks, vigil_binary)

SEED = int(os.environ.get("SETS_SEED", random.randrange(1 << 30)))


def client(srv):
    return redis.Redis(host="127.0.0.1", port=srv.port, decode_responses=False)


def encoding(r, key):
    return r.object("encoding", key).decode() if isinstance(
        r.object("encoding", key), bytes) else r.object("encoding", key)


def b(x):
    return x if isinstance(x, bytes) else str(x).encode()


class Pair:
    """vigil (+ optional oracle) and the model; run() sends to both and compares."""

    def __init__(self, v, o, rnd):
        self.v, self.o, self.rnd = v, o, rnd
        self.model = {}

    def both(self, *args, cmp=lambda x: x):
        rv = self.v.execute_command(*args)
        if self.o is not None:
            ro = self.o.execute_command(*args)
            assert cmp(rv) == cmp(ro), (args, rv, ro)
        return rv

    def members(self, key):
        return self.model.get(key, set())

    def store(self, key, s):
        if s:
            self.model[key] = set(s)
        else:
            self.model.pop(key, None)


def as_set(reply):
    return sorted(reply) if reply is not None else None


class Checks:
    def __init__(self, binary, oracle):
        self.binary = binary
        self.oracle = oracle

    def servers(self, vigil_extra=()):
        srv = Server(self.binary, extra=("--enable-debug-command", "yes", *vigil_extra))
        orc = Server(self.oracle, extra=("--enable-debug-command", "yes")) \
            if self.oracle else None
        return srv, orc

    def stop(self, *servers):
        problems = []
        for s in servers:
            if s:
                problems += s.stop()
        assert not problems, problems

    # ---- random differential -------------------------------------------------------------

    def random_member(self, rnd):
        k = rnd.random()
        if k < 0.45:
            return b(rnd.randint(-40, 40))
        if k < 0.55:
            return b(rnd.choice([2**15, -2**15 - 1, 2**31, -2**31 - 1, 2**63 - 1, -2**63,
                                 rnd.randint(-2**62, 2**62)]))
        if k < 0.9:
            return b("m%d" % rnd.randint(0, 60))
        if k < 0.95:
            return b("long-%d-" % rnd.randint(0, 5) + "x" * 70)
        return rnd.choice([b"", b"01", b"-0", b" 1", b"1.0", b"\x00\xff"])

    def one_round(self, p, rnd, keys):
        m = self.random_member
        key = rnd.choice(keys)
        op = rnd.randrange(15)
        if op <= 3:
            ms = [m(rnd) for _ in range(rnd.choice([1, 1, 2, 5, 30]))]
            n = p.both("SADD", key, *ms)
            assert n == len(set(ms) - p.members(key)), ("SADD", key, n)
            p.model.setdefault(key, set()).update(ms)
        elif op == 4:
            ms = [m(rnd) for _ in range(rnd.choice([1, 3, 20]))]
            n = p.both("SREM", key, *ms)
            assert n == len(set(ms) & p.members(key)), ("SREM", key, n)
            p.store(key, p.members(key) - set(ms))
        elif op == 5:
            x = m(rnd)
            assert p.both("SISMEMBER", key, x) == (x in p.members(key))
            ms = [m(rnd) for _ in range(4)]
            assert p.both("SMISMEMBER", key, *ms) == [int(y in p.members(key)) for y in ms]
            assert p.both("SCARD", key) == len(p.members(key))
        elif op == 6:
            got = p.both("SMEMBERS", key, cmp=as_set)
            assert sorted(got) == sorted(p.members(key)), key
        elif op == 7:
            src, dst, x = key, rnd.choice(keys), m(rnd) if rnd.random() < 0.5 else (
                rnd.choice(sorted(p.members(key))) if p.members(key) else b"0")
            n = p.both("SMOVE", src, dst, x)
            assert n == (x in p.members(src)), ("SMOVE", src, dst, x, n)
            if n and src != dst:
                p.store(src, p.members(src) - {x})
                p.model.setdefault(dst, set()).add(x)
        elif op in (8, 9):
            ks = rnd.sample(keys, rnd.randint(1, 3))
            sets = [p.members(k) for k in ks]
            name = rnd.choice(["SINTER", "SUNION", "SDIFF"])
            want = {"SINTER": lambda: set.intersection(*sets),
                    "SUNION": lambda: set.union(*sets),
                    "SDIFF": lambda: sets[0].difference(*sets[1:])}[name]()
            if rnd.random() < 0.5:
                dst = rnd.choice(keys)
                assert p.both(name + "STORE", dst, *ks) == len(want)
                p.store(dst, want)
            else:
                assert sorted(p.both(name, *ks, cmp=as_set)) == sorted(want)
            limit = rnd.choice([0, 1, 3])
            inter = len(set.intersection(*[p.members(k) for k in ks]))
            got = p.both("SINTERCARD", len(ks), *ks, "LIMIT", limit)
            assert got == (min(inter, limit) if limit else inter)
        elif op == 10:
            count = rnd.choice([None, 0, 1, 3, 100])
            args = ("SPOP", key) if count is None else ("SPOP", key, count)
            got = p.v.execute_command(*args)
            popped = ([got] if got is not None else []) if count is None else list(got)
            assert set(popped) <= p.members(key) and len(set(popped)) == len(popped)
            want_n = min(len(p.members(key)), 1 if count is None else count)
            assert len(popped) == want_n, (args, popped)
            if popped and p.o is not None:
                p.o.execute_command("SREM", key, *popped)
            p.store(key, p.members(key) - set(popped))
        elif op == 11:
            count = rnd.choice([1, 2, 5, 50, -1, -7, -60])
            got = p.v.execute_command("SRANDMEMBER", key, count)
            self.verify_rand(got, count, p.members(key))
        elif op == 12:
            self.verify_sscan(p.v, key, p.members(key), rnd)
        elif op == 13:
            d = p.both("DEBUG", "DIGEST-VALUE", key)
            assert d is not None
        else:
            assert p.both("EXISTS", key) == (key.encode() in p.model or key in p.model)

    @staticmethod
    def verify_rand(got, count, members):
        if count >= 0:
            assert len(got) == min(count, len(members)), (count, got)
            assert len(set(got)) == len(got), got
        else:
            assert len(got) == (-count if members else 0), (count, got)
        assert set(got) <= members, (got, members)

    @staticmethod
    def verify_sscan(r, key, members, rnd):
        seen, cursor = set(), 0
        while True:
            cursor, batch = r.sscan(key, cursor, count=rnd.choice([1, 5, 50]))
            seen.update(batch)
            if cursor == 0:
                break
        assert seen == members, (key, seen ^ members)

    def check_random_differential(self):
        rnd = random.Random(SEED)
        for intset_max, lp_entries, lp_value in ((512, 128, 64), (5, 4, 8), (20, 30, 16)):
            srv, orc = self.servers()
            try:
                v = client(srv)
                o = client(orc) if orc else None
                v.config_set("set-max-intset-entries", intset_max)
                v.config_set("set-max-listpack-entries", lp_entries)
                v.config_set("set-max-listpack-value", lp_value)
                if o:
                    o.config_set("set-max-intset-entries", intset_max)
                p = Pair(v, o, rnd)
                keys = ["k%d" % i for i in range(5)]
                for _ in range(3000):
                    self.one_round(p, rnd, keys)
                for k in keys:
                    got = sorted(v.smembers(k))
                    assert got == sorted(p.members(k)), (k, SEED)
                    if o:
                        assert got == sorted(o.smembers(k)), (k, SEED)
                        assert v.execute_command("DEBUG", "DIGEST-VALUE", k) == \
                            o.execute_command("DEBUG", "DIGEST-VALUE", k), (k, SEED)
                if o:
                    assert v.execute_command("DEBUG", "DIGEST") == \
                        o.execute_command("DEBUG", "DIGEST"), SEED
            finally:
                self.stop(srv, orc)

    # ---- count rules ---------------------------------------------------------------------

    def check_count_rules(self):
        srv, _ = self.servers()
        try:
            r = client(srv)
            cases = {"is": [b(i) for i in range(50)],
                     "lp": [b("a%d" % i) for i in range(50)],
                     "ht": [b("h%d" % i) for i in range(2000)],
                     "hti": [b(i) for i in range(1000)]}
            for key, ms in cases.items():
                r.sadd(key, *ms)
                members = set(ms)
                want_enc = {"is": "intset", "lp": "listpack", "ht": "hashtable",
                            "hti": "hashtable"}[key]
                assert r.object("encoding", key) == want_enc.encode() or \
                    r.object("encoding", key) == want_enc, (key, r.object("encoding", key))
                for count in (1, 2, 10, 16, 17, 40, 49, 50, 51, 600, 1999, 5000,
                              -1, -10, -100, -3000):
                    self.verify_rand(r.srandmember(key, count), count, members)
                assert r.srandmember(key, 0) == []
                assert r.srandmember(key) in members
                # distinct picks eventually cover the set (not stuck on a subset)
                seen = set()
                for _ in range(400):
                    seen.update(r.srandmember(key, 10))
                assert len(seen) >= min(len(members), 40), (key, len(seen))
                for count in (1, 3, 17):
                    got = r.spop(key, count)
                    assert len(got) == count and set(got) <= members, (key, got)
                    members -= set(got)
                    assert set(r.smembers(key)) == members
                one = r.spop(key)
                assert one in members
                members.discard(one)
                got = r.spop(key, len(members) + 5)
                assert set(got) == members and len(got) == len(members)
                assert r.exists(key) == 0
        finally:
            self.stop(srv)

    # ---- encodings (vigil only) ----------------------------------------------------------

    def check_encodings(self):
        srv, _ = self.servers()
        try:
            r = client(srv)

            def enc(k):
                e = r.object("encoding", k)
                return e.decode() if isinstance(e, bytes) else e

            r.config_set("set-max-intset-entries", 4)
            r.config_set("set-max-listpack-entries", 6)
            r.config_set("set-max-listpack-value", 5)
            r.sadd("a", 1, 2, 3)
            assert enc("a") == "intset"
            r.sadd("a", "x")
            assert enc("a") == "listpack"
            r.sadd("a", "y", "z")
            assert enc("a") == "listpack" and r.scard("a") == 6
            r.sadd("a", "w")
            assert enc("a") == "hashtable"
            r.srem("a", "w", "x", "y", "z", 1)
            assert enc("a") == "hashtable"
            # by value length
            r.sadd("b", "abcde")
            assert enc("b") == "listpack"
            r.sadd("b", "abcdef")
            assert enc("b") == "hashtable"
            # intset past its limit -> hashtable, even though listpack would fit
            r.sadd("c", 1, 2, 3, 4)
            assert enc("c") == "intset"
            r.sadd("c", 5)
            assert enc("c") == "hashtable"
            r.sadd("c2", 1, 2, 3, 4, 5)
            assert enc("c2") == "hashtable"
            # intset whose integers are longer than set-max-listpack-value -> hashtable
            r.sadd("d", 123456)
            r.sadd("d", "x")
            assert enc("d") == "hashtable"
            # an intset as large as set-max-listpack-entries -> hashtable on a string
            r.config_set("set-max-intset-entries", 512)
            r.sadd("e", *range(6))
            r.sadd("e", "x")
            assert enc("e") == "hashtable"
            r.sadd("e2", *range(5))
            r.sadd("e2", "x")
            assert enc("e2") == "listpack"
            # a string first member: listpack; more members than the limit at once: hashtable
            r.sadd("f", "x", 1)
            assert enc("f") == "listpack"
            r.sadd("g", *["s%d" % i for i in range(7)])
            assert enc("g") == "hashtable"
            # SMOVE creates the destination in the smallest encoding
            r.smove("f", "mv1", 1)
            assert enc("mv1") == "intset"
            r.smove("f", "mv2", "x")
            assert enc("mv2") == "listpack"
            # set operation results pick the smallest encoding
            r.sadd("h1", 1, 2, 3, "p")
            r.sadd("h2", 2, 3, "p", "q", "r", "s", "t")
            r.sinterstore("r1", "h1", "h2")
            assert enc("r1") == "listpack" and r.scard("r1") == 3
            r.srem("h1", "p")
            r.sinterstore("r2", "h1", "h2")
            assert enc("r2") == "intset"
            r.sunionstore("r3", "h1", "h2")
            assert enc("r3") == "hashtable" and r.scard("r3") == 8
            r.sdiffstore("r4", "h2", "h1")
            assert enc("r4") == "listpack" and r.scard("r4") == 5
            r.sdiffstore("r5", "c", "h1")
            assert enc("r5") == "intset", enc("r5")
            # the digest does not depend on the encoding
            ms = ["1", "2", "x", "yy"]
            r.config_set("set-max-listpack-entries", 128)
            r.sadd("lp", *ms)
            r.config_set("set-max-listpack-entries", 0)
            r.sadd("ht", *ms)
            assert enc("lp") == "listpack" and enc("ht") == "hashtable"
            assert r.execute_command("DEBUG", "DIGEST-VALUE", "lp") == \
                r.execute_command("DEBUG", "DIGEST-VALUE", "ht")
            r.sadd("is", 1, 2, 3)
            r.sadd("ht2", "x")
            r.srem("ht2", "x")
            r.config_set("set-max-listpack-entries", 128)
            r.sadd("lp2", "x", 1, 2, 3)
            r.srem("lp2", "x")
            assert enc("lp2") == "listpack"
            assert r.execute_command("DEBUG", "DIGEST-VALUE", "lp2") == \
                r.execute_command("DEBUG", "DIGEST-VALUE", "is")
            # DEBUG OBJECT reports the encoding too
            assert b"encoding:listpack" in r.execute_command("DEBUG", "OBJECT", "lp2") \
                if isinstance(r.execute_command("DEBUG", "OBJECT", "lp2"), bytes) else True
        finally:
            self.stop(srv)

    # ---- SSCAN ---------------------------------------------------------------------------

    def check_sscan_full(self):
        srv, _ = self.servers()
        try:
            r = client(srv)
            rnd = random.Random(SEED + 1)
            members = {b("m%d" % i) for i in range(3000)} | {b(i) for i in range(1000)}
            r.sadd("s", *members)
            self.verify_sscan(r, "s", members, rnd)
            # MATCH: only matching members, all of them
            seen, cursor = set(), 0
            while True:
                cursor, batch = r.sscan("s", cursor, match="m1*", count=20)
                seen.update(batch)
                if cursor == 0:
                    break
            assert seen == {x for x in members if x.startswith(b"m1")}
            # growth between calls: every member present throughout is returned
            seen, cursor, extra = set(), 0, set()
            while True:
                cursor, batch = r.sscan("s", cursor, count=30)
                seen.update(batch)
                new = [b("n%d" % rnd.randrange(10**6)) for _ in range(20)]
                r.sadd("s", *new)
                extra.update(new)
                if cursor == 0:
                    break
            assert members <= seen and seen <= members | extra
            # compact encodings: everything with cursor 0
            r.sadd("small", "a", "b", 3)
            cursor, batch = r.sscan("small", 0, count=1)
            assert cursor == 0 and sorted(batch) == [b"3", b"a", b"b"]
        finally:
            self.stop(srv)

    # ---- keyspace hits/misses -------------------------------------------------------------

    def check_keyspace_stats(self):
        if not self.oracle:
            print("     (skipped: REDIS_SERVER is not set)")
            return
        srv, orc = self.servers()
        try:
            rs = [client(srv), client(orc)]
            for r in rs:
                r.sadd("a", 1, 2)
                r.sadd("b", 2, "x")
            extra = [("SADD", "a", "1", "2"), ("SADD", "b", "2", "x"), ("SRANDMEMBER", "b", "10"),
                     ("SRANDMEMBER", "b", "-3"), ("SRANDMEMBER", "b", "1"),
                     ("SRANDMEMBER", "nokey", "1"), ("SPOP", "nokey", "3"),
                     ("SMOVE", "a", "a", "1"), ("SINTERCARD", "2", "a", "nokey")]
            for argv in self.NOTIFY_SCRIPT + extra:
                if argv[0] in ("SADD",) and argv[1] == "big":
                    continue
                stats = []
                for r in rs:
                    r.config_resetstat()
                    try:
                        r.execute_command(*argv)
                    except redis.ResponseError:
                        pass
                    info = r.info("stats")
                    stats.append((info["keyspace_hits"], info["keyspace_misses"]))
                assert stats[0] == stats[1], (argv, stats)
        finally:
            self.stop(srv, orc)

    # ---- notifications -------------------------------------------------------------------

    NOTIFY_SCRIPT = [
        ("SADD", "s", "1", "2", "3"), ("SADD", "s", "1"), ("SADD", "s", "x"),
        ("SREM", "s", "9"), ("SREM", "s", "1"), ("SREM", "s", "2", "3", "x"),
        ("SADD", "a", "1", "2"), ("SADD", "b", "2", "3"),
        ("SMOVE", "a", "b", "1"), ("SMOVE", "a", "b", "2"), ("SMOVE", "b", "c", "9"),
        ("SMOVE", "b", "b", "3"), ("SMOVE", "b", "c", "3"),
        ("SINTERSTORE", "d", "b", "c"), ("SADD", "c", "2"), ("SINTERSTORE", "d", "b", "c"),
        ("SINTERSTORE", "d", "b", "nokey"), ("SINTERSTORE", "d", "b", "nokey"),
        ("SUNIONSTORE", "d", "b", "c"), ("SUNIONSTORE", "d", "nokey"),
        ("SDIFFSTORE", "d", "b", "c"), ("SDIFFSTORE", "d", "b", "nokey"),
        ("SDIFFSTORE", "d", "b", "b"),
        ("SADD", "p", "1", "2", "3", "4"), ("SPOP", "p"), ("SPOP", "p", "0"),
        ("SPOP", "p", "1"), ("SPOP", "p", "5"), ("SPOP", "p"), ("SPOP", "p", "3"),
        ("SADD", "q", "z"), ("SPOP", "q"), ("SADD", "q", "z"), ("SPOP", "q", "1"),
        ("SRANDMEMBER", "b"), ("SMEMBERS", "b"), ("SINTER", "b", "c"), ("SUNION", "b"),
        ("SDIFF", "b", "c"), ("SCARD", "b"), ("SISMEMBER", "b", "1"),
        ("SINTERCARD", "1", "b"), ("SSCAN", "b", "0"),
        ("DEL", "b"), ("SADD", "big", *[str(i) for i in range(600)]),
        ("SREM", "big", "5"), ("SPOP", "big", "600"),
    ]

    def check_notifications(self):
        if not self.oracle:
            print("     (skipped: REDIS_SERVER is not set)")
            return
        got = keyspace_events(self.binary, self.NOTIFY_SCRIPT)
        want = keyspace_events(self.oracle, self.NOTIFY_SCRIPT)
        assert len(want) > 40, want
        for i, (g, w) in enumerate(zip(got, want)):
            assert g == w, f"event {i}: got {g}, want {w}; around {got[max(0, i - 4):i + 3]}"
        assert len(got) == len(want), (got[len(want):], want[len(got):])


def main():
    binary = vigil_binary()
    print(f"seed {SEED} (SETS_SEED to repeat)")
    checks = Checks(binary, os.environ.get("REDIS_SERVER"))
    return 1 if run_checks(checks, sys.argv[1:]) else 0


if __name__ == "__main__":
    sys.exit(main())
