#!/usr/bin/python3
"""test_zsets.py - sorted sets against redis-server 7.0 (when REDIS_SERVER is set):

  random_differential  seeded random sequences of the deterministic Z* commands (every
                       option, errors included) sent to both servers and compared byte for
                       byte, in RESP2 and RESP3, over both encodings (the listpack limits
                       change between rounds), with integer, fractional and infinite scores;
                       after each round every key's ZRANGE WITHSCORES, OBJECT ENCODING and
                       DEBUG DIGEST-VALUE are compared
  zrandmember_rules    count sign rules checked structurally: distinct members for a positive
                       count, the whole set for count >= size, exactly -count picks for a
                       negative one, scores that belong to their members, RESP3 pairs
  zscan_full           a full ZSCAN iteration with varying COUNT returns every member once or
                       more, with the score text redis-server gives for it
  large_values         long members across the value threshold and back through the stores:
                       encodings, digests and contents as in Redis; MEMORY USAGE grows
  notifications        the keyspace events of a script of Z* commands, as a PSUBSCRIBE
                       '__key*__:*' client sees them, equal to redis-server's

Run: VIGIL_SERVER=build/bin/vigil-server [REDIS_SERVER=/usr/bin/redis-server] \
     [ZSET_SEED=1] /usr/bin/python3 tests/integration/test_zsets.py
Without REDIS_SERVER only the structural checks run.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    Server, call, connect, keyspace_events, run_checks, vigil_binary)

DEBUG = ("--enable-debug-command", "yes")
KEYS = ["z1", "z2", "z3", "z4"]
LEX_KEYS = ["lx1", "lx2"]  # all scores 0, where lex ranges are defined in both encodings


class Pair:
    """The same connection to vigil and to redis."""

    def __init__(self, vport, rport):
        self.v = connect(vport, timeout=20)
        self.r = connect(rport, timeout=20) if rport else None

    def both(self, *args):
        rv = call(self.v, *args)
        rr = call(self.r, *args) if self.r else None
        return rv, rr

    def same(self, *args):
        rv, rr = self.both(*args)
        assert rr is None or rv == rr, f"{args}: vigil {rv!r} != redis {rr!r}"
        return rv

    def close(self):
        self.v.close()
        if self.r:
            self.r.close()


def parse(raw):
    """A RESP2/3 reply as Python values (bulk -> bytes, doubles -> str)."""
    pos = 0

    def one():
        nonlocal pos
        end = raw.index(b"\r\n", pos)
        kind, body = raw[pos:pos + 1], raw[pos + 1:end]
        pos = end + 2
        if kind in (b"$", b"="):
            n = int(body)
            if n < 0:
                return None
            s = raw[pos:pos + n]
            pos += n + 2
            return s
        if kind in (b"*", b"~", b">"):
            n = int(body)
            return None if n < 0 else [one() for _ in range(n)]
        if kind == b"%":
            return [one() for _ in range(2 * int(body))]
        if kind == b":":
            return int(body)
        if kind == b",":
            return body.decode()
        if kind == b"_":
            return None
        return (kind + body).decode()

    return one()


class Gen:
    def __init__(self, rnd):
        self.rnd = rnd

    def score(self):
        r = self.rnd.random()
        if r < 0.35:
            return str(self.rnd.randint(-20, 20))
        if r < 0.6:
            return repr(self.rnd.randint(-400, 400) / 8)
        if r < 0.7:
            return self.rnd.choice(["inf", "-inf", "+inf", "0.1", "1e17", "-0", "1.5e300"])
        if r < 0.8:
            return str(self.rnd.randint(-10**15, 10**15))
        if r < 0.85:
            return self.rnd.choice(["abc", "nan", "", "1e400", "(1"])  # invalid
        return repr(self.rnd.uniform(-100, 100))

    def bound(self):
        s = self.score()
        r = self.rnd.random()
        if r < 0.3:
            return "(" + s
        if r < 0.4:
            return self.rnd.choice(["-inf", "+inf", "(inf", "(-inf", "x", "[1"])
        return s

    def member(self):
        r = self.rnd.random()
        if r < 0.6:
            return "m%d" % self.rnd.randint(0, 40)
        if r < 0.8:
            return str(self.rnd.randint(0, 30))
        if r < 0.95:
            return self.rnd.choice(["a", "b", "", "ab", "zz", "\x00x", "é"])
        return "L" * self.rnd.randint(60, 80)  # over a small value limit

    def lex(self):
        r = self.rnd.random()
        if r < 0.15:
            return self.rnd.choice(["-", "+"])
        if r < 0.2:
            return self.rnd.choice(["a", "", "+x"])  # invalid
        return self.rnd.choice("[(") + self.rnd.choice(["a", "b", "c", "ab", "m1", "", "z"])

    def index(self):
        return str(self.rnd.choice([0, 1, 2, -1, -2, 5, 100, -100, self.rnd.randint(-10, 10)]))

    def key(self):
        return self.rnd.choice(KEYS + ["nokey", "str"])

    def nkeys(self, allow_lex=False):
        n = self.rnd.randint(1, 3)
        pool = KEYS + ["nokey"] + (LEX_KEYS if allow_lex else [])
        return [str(n)] + [self.rnd.choice(pool) for _ in range(n)]

    def limit(self):
        if self.rnd.random() < 0.5:
            return []
        return ["LIMIT", str(self.rnd.randint(-2, 5)), str(self.rnd.randint(-2, 6))]

    def command(self):
        rnd = self.rnd
        k = self.key()
        c = rnd.randint(0, 27)
        if c <= 3:
            flags = [f for f in ("NX", "XX", "GT", "LT", "CH", "INCR") if rnd.random() < 0.12]
            pairs = []
            for _ in range(rnd.randint(1, 4) if "INCR" not in flags else 1):
                pairs += [self.score(), self.member()]
            return ["ZADD", k] + flags + pairs
        if c == 4:
            return ["ZINCRBY", k, self.score(), self.member()]
        if c == 5:
            return ["ZREM", k] + [self.member() for _ in range(rnd.randint(1, 3))]
        if c == 6:
            opts = [o for o in ("REV", "WITHSCORES") if rnd.random() < 0.4]
            return ["ZRANGE", k, self.index(), self.index()] + opts
        if c == 7:
            opts = ["BYSCORE"] + [o for o in ("REV", "WITHSCORES") if rnd.random() < 0.4]
            return ["ZRANGE", k, self.bound(), self.bound()] + opts + self.limit()
        if c == 8:
            name = rnd.choice(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"])
            ws = ["WITHSCORES"] if rnd.random() < 0.5 else []
            return [name, k, self.bound(), self.bound()] + ws + self.limit()
        if c == 9:
            return ["ZREVRANGE", k, self.index(), self.index()] + (
                ["WITHSCORES"] if rnd.random() < 0.5 else [])
        if c == 10:
            return ["ZCOUNT", k, self.bound(), self.bound()]
        if c == 11:
            return [rnd.choice(["ZRANK", "ZREVRANK"]), k, self.member()]
        if c == 12:
            return ["ZSCORE", k, self.member()]
        if c == 13:
            return ["ZMSCORE", k] + [self.member() for _ in range(rnd.randint(1, 3))]
        if c == 14:
            args = [rnd.choice(["ZPOPMIN", "ZPOPMAX"]), k]
            return args + ([str(rnd.randint(-1, 4))] if rnd.random() < 0.6 else [])
        if c == 15:
            args = ["ZMPOP"] + self.nkeys() + [rnd.choice(["MIN", "MAX", "LEFT"])]
            return args + (["COUNT", str(rnd.randint(0, 4))] if rnd.random() < 0.5 else [])
        if c == 16:
            return ["ZREMRANGEBYRANK", k, self.index(), self.index()]
        if c == 17:
            return ["ZREMRANGEBYSCORE", k, self.bound(), self.bound()]
        if c in (18, 19):
            op = rnd.choice(["ZUNION", "ZINTER", "ZDIFF"])
            args = [op] + self.nkeys()
            n = int(args[1])
            if op != "ZDIFF" and rnd.random() < 0.4:
                args += ["WEIGHTS"] + [rnd.choice(["1", "2", "-1", "0", "0.5", "inf"])
                                       for _ in range(n)]
            if op != "ZDIFF" and rnd.random() < 0.4:
                args += ["AGGREGATE", rnd.choice(["SUM", "MIN", "MAX"])]
            if rnd.random() < 0.5:
                args += ["WITHSCORES"]
            if rnd.random() < 0.5:
                args[0] += "STORE"
                args.insert(1, rnd.choice(KEYS))
                if args[-1] == "WITHSCORES":
                    args.pop()
            return args
        if c == 20:
            return ["ZINTERCARD"] + self.nkeys() + (
                ["LIMIT", str(rnd.randint(0, 3))] if rnd.random() < 0.5 else [])
        if c == 21:
            src = self.key()
            if rnd.random() < 0.5:
                return ["ZRANGESTORE", rnd.choice(KEYS), src, self.index(), self.index()]
            return ["ZRANGESTORE", rnd.choice(KEYS), src, self.bound(), self.bound(),
                    "BYSCORE"] + self.limit()
        if c == 22:
            # lex ranges over mixed scores: defined on a listpack (the caller skips skiplists)
            lk = rnd.choice(LEX_KEYS + KEYS)
            name = rnd.choice(["ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT", "ZREMRANGEBYLEX",
                               "ZRANGE"])
            args = [name, lk, self.lex(), self.lex()]
            if name == "ZRANGE":
                args += ["BYLEX"] + (["REV"] if rnd.random() < 0.5 else [])
            if name in ("ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZRANGE"):
                args += self.limit()
            return args
        if c == 23:
            return ["ZADD", rnd.choice(LEX_KEYS)] + sum(
                (["0", rnd.choice(["a", "b", "c", "ab", "m1", "z", "", "x" * 70])]
                 for _ in range(rnd.randint(1, 3))), [])
        if c == 24:
            r = rnd.random()
            if r < 0.3:  # deterministic forms only: the whole set, or nothing
                return ["ZRANDMEMBER", k, rnd.choice(["0", "200", "1000"])] + (
                    ["WITHSCORES"] if rnd.random() < 0.5 else [])
            if r < 0.6:  # a listpack answers whole (the caller skips skiplists)
                return ["ZSCAN", k, "0"] + (["MATCH", "m1*"] if rnd.random() < 0.3 else [])
            return ["ZCARD", k]
        if c == 25:
            return ["DEBUG", "DIGEST-VALUE", rnd.choice(KEYS + LEX_KEYS)]
        if c == 26:
            return ["OBJECT", "ENCODING", rnd.choice(KEYS + LEX_KEYS)]
        return ["HELLO", rnd.choice(["2", "3"])]


def compare_dataset(p):
    for k in KEYS + LEX_KEYS:
        p.same("ZRANGE", k, "0", "-1", "WITHSCORES")
        p.same("OBJECT", "ENCODING", k)
        p.same("DEBUG", "DIGEST-VALUE", k)
    p.same("DEBUG", "DIGEST")


class Checks:
    def __init__(self, binary, oracle):
        self.binary = binary
        self.oracle = oracle
        self.seed = int(os.environ.get("ZSET_SEED", "1"))

    def servers(self):
        v = Server(self.binary, extra=DEBUG)
        r = Server(self.oracle, extra=DEBUG) if self.oracle else None
        return v, r

    def stop(self, v, r):
        problems = v.stop() + (r.stop() if r else [])
        assert not problems, problems

    def check_random_differential(self):
        if not self.oracle:
            print("     (skipped: REDIS_SERVER unset)")
            return
        rnd = random.Random(self.seed)
        gen = Gen(rnd)
        v, r = self.servers()
        try:
            p = Pair(v.port, r.port)
            history = []
            errors = total = 0
            for rnd_no, (entries, value) in enumerate([(128, 64), (4, 64), (16, 8), (0, 64),
                                                        (8, 100), (128, 3)]):
                p.same("HELLO", "2")
                p.same("FLUSHALL")
                p.same("SET", "str", "v")
                p.same("CONFIG", "SET", "zset-max-listpack-entries", str(entries))
                p.same("CONFIG", "SET", "zset-max-listpack-value", str(value))
                for i in range(1500):
                    argv = gen.command()
                    if argv[0].startswith(("ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT",
                                           "ZREMRANGEBYLEX")) or "BYLEX" in argv:
                        if argv[1] in KEYS and call(p.v, "OBJECT", "ENCODING",
                                                    argv[1]).endswith(b"skiplist\r\n"):
                            continue  # Redis's answer depends on its skiplist's node levels
                    if argv[0] == "ZSCAN" and call(p.v, "OBJECT", "ENCODING",
                                                   argv[1]).endswith(b"skiplist\r\n"):
                        continue  # the order of a dict walk is the server's own
                    history.append(argv)
                    rv, rr = p.both(*argv)
                    total += 1
                    errors += rv.startswith(b"-")
                    assert rv == rr, (f"seed {self.seed} round {rnd_no} cmd {i}: {argv}\n"
                                      f"vigil {rv!r}\nredis {rr!r}\nlast: {history[-8:]}")
                p.same("HELLO", "2")
                compare_dataset(p)
            print(f"     {total} commands, {errors} error replies, seed {self.seed}")
            assert 0.05 * total < errors < 0.5 * total  # the mix stays meaningful
            p.close()
        finally:
            self.stop(v, r)

    def check_zrandmember_rules(self):
        v = Server(self.binary, extra=DEBUG)
        try:
            c = connect(v.port)
            for entries in ("128", "4"):
                call(c, "CONFIG", "SET", "zset-max-listpack-entries", entries)
                call(c, "DEL", "k")
                members = {f"m{i}".encode(): i * 1.5 for i in range(20)}
                for m, s in members.items():
                    call(c, "ZADD", "k", repr(s), m)
                enc = parse(call(c, "OBJECT", "ENCODING", "k"))
                assert enc == (b"listpack" if entries == "128" else b"skiplist"), enc
                for _ in range(30):
                    n = random.randint(1, 19)
                    got = parse(call(c, "ZRANDMEMBER", "k", str(n)))
                    assert len(got) == n and len(set(got)) == n, got
                    assert set(got) <= set(members)
                    got = parse(call(c, "ZRANDMEMBER", "k", str(-n), "WITHSCORES"))
                    assert len(got) == 2 * n
                    for m, s in zip(got[::2], got[1::2]):
                        assert float(s) == members[m], (m, s)
                got = parse(call(c, "ZRANDMEMBER", "k", "-200"))
                assert len(got) == 200 and set(got) <= set(members)
                assert len(set(got)) < 200  # repeats happen with 20 members
                for n in ("20", "21", "1000"):
                    got = parse(call(c, "ZRANDMEMBER", "k", n))
                    assert sorted(got) == sorted(members), got
                assert parse(call(c, "ZRANDMEMBER", "k")) in members
                assert parse(call(c, "ZRANDMEMBER", "k", "0")) == []
                seen = set()
                for _ in range(400):
                    seen.add(parse(call(c, "ZRANDMEMBER", "k")))
                assert seen == set(members), len(seen)  # every member can come out
                call(c, "HELLO", "3")
                got = parse(call(c, "ZRANDMEMBER", "k", "-5", "WITHSCORES"))
                assert len(got) == 5 and all(len(x) == 2 for x in got), got
                for m, s in got:
                    assert float(s) == members[m]
                got = parse(call(c, "ZRANDMEMBER", "k", "7", "WITHSCORES"))
                assert len(got) == 7 and len({m for m, _ in got}) == 7
                call(c, "HELLO", "2")
            c.close()
        finally:
            assert not v.stop()

    def check_zscan_full(self):
        v, r = self.servers()
        try:
            conns = [connect(v.port)] + ([connect(r.port)] if r else [])
            rnd = random.Random(self.seed)
            scores = {}
            for i in range(1500):
                scores[f"member:{i}"] = rnd.choice([str(i), repr(i / 7), "inf", "-inf",
                                                    repr(i * 1e15)])
            results = []
            for c in conns:
                items = list(scores.items())
                for j in range(0, len(items), 100):
                    args = []
                    for m, s in items[j:j + 100]:
                        args += [s, m]
                    call(c, "ZADD", "big", *args)
                assert parse(call(c, "OBJECT", "ENCODING", "big")) == b"skiplist"
                got, cursor, calls = {}, b"0", 0
                while True:
                    cur, flat = parse(call(c, "ZSCAN", "big", cursor, "COUNT",
                                           str(rnd.randint(1, 50))))
                    calls += 1
                    for m, s in zip(flat[::2], flat[1::2]):
                        assert got.get(m, s) == s
                        got[m] = s
                    cursor = cur
                    if cur == b"0":
                        break
                assert calls > 10
                assert set(got) == {m.encode() for m in scores}
                results.append(got)
                # MATCH filters members; the listpack form answers whole with cursor 0
                cur, flat = parse(call(c, "ZSCAN", "big", "0", "MATCH", "member:1?", "COUNT",
                                       "100000"))
                assert cur == b"0" and len(flat) == 20, flat
                call(c, "ZADD", "small", "1.5", "a", "0.1", "b", "3", "c")
                cur, flat = parse(call(c, "ZSCAN", "small", "0", "COUNT", "1"))
                assert cur == b"0" and flat == [b"b", b"0.10000000000000001", b"a", b"1.5",
                                                b"c", b"3"], flat
            if len(results) == 2:
                assert results[0] == results[1]
            for c in conns:
                c.close()
        finally:
            self.stop(v, r)

    def check_large_values(self):
        v, r = self.servers()
        try:
            p = Pair(v.port, r.port if r else None)
            p.same("CONFIG", "SET", "zset-max-listpack-value", "100")
            for i in range(10):
                p.same("ZADD", "lv", str(i), "x" * (90 + i))
            assert p.same("OBJECT", "ENCODING", "lv") == b"$8\r\nlistpack\r\n"
            # MEMORY USAGE measures every member with SAMPLES 0 (the default samples 5 and
            # extrapolates, which may miss the one large member)
            before = parse(call(p.v, "MEMORY", "USAGE", "lv", "SAMPLES", "0"))
            has_memory = isinstance(before, int)
            p.same("DEBUG", "DIGEST-VALUE", "lv")
            p.same("ZADD", "lv", "5.5", "y" * 5000)
            assert p.same("OBJECT", "ENCODING", "lv") == b"$8\r\nskiplist\r\n"
            after = parse(call(p.v, "MEMORY", "USAGE", "lv", "SAMPLES", "0"))
            assert not has_memory or after > before + 5000 > 5000, (before, after)
            p.same("DEBUG", "DIGEST-VALUE", "lv")
            p.same("ZRANGE", "lv", "0", "-1", "WITHSCORES")
            p.same("ZREM", "lv", "y" * 5000)
            assert p.same("OBJECT", "ENCODING", "lv") == b"$8\r\nskiplist\r\n"  # one way
            p.same("ZRANGESTORE", "lv2", "lv", "0", "-1")
            assert p.same("OBJECT", "ENCODING", "lv2") == b"$8\r\nlistpack\r\n"
            p.same("ZUNIONSTORE", "lv3", "2", "lv", "lv2", "WEIGHTS", "1", "0.5")
            p.same("OBJECT", "ENCODING", "lv3")
            p.same("DEBUG", "DIGEST-VALUE", "lv3")
            p.same("ZRANGE", "lv3", "0", "-1", "WITHSCORES")
            p.same("CONFIG", "SET", "zset-max-listpack-value", "64")
            p.same("ZUNIONSTORE", "lv4", "1", "lv2")
            assert p.same("OBJECT", "ENCODING", "lv4") == b"$8\r\nskiplist\r\n"
            p.same("DEBUG", "DIGEST")
            p.close()
        finally:
            self.stop(v, r)

    def check_notifications(self):
        script = [
            ("ZADD", "z", "1", "a", "2", "b"), ("ZADD", "z", "NX", "1", "a"),
            ("ZADD", "z", "XX", "CH", "5", "a"), ("ZADD", "z", "INCR", "1", "a"),
            ("ZINCRBY", "z", "2", "c"), ("ZADD", "nokey", "XX", "1", "a"),
            ("ZREM", "z", "nosuch"), ("ZREM", "z", "c"),
            ("ZADD", "z2", "1", "x", "2", "y", "3", "w"),
            ("ZREMRANGEBYRANK", "z2", "0", "0"), ("ZREMRANGEBYSCORE", "z2", "2", "2"),
            ("ZREMRANGEBYSCORE", "z2", "5", "6"), ("ZREMRANGEBYLEX", "z2", "-", "+"),
            ("ZADD", "z3", "1", "a", "2", "b", "3", "c"), ("ZPOPMIN", "z3"),
            ("ZPOPMAX", "z3", "5"), ("ZPOPMIN", "z3"),
            ("ZADD", "z4", "1", "a"), ("ZMPOP", "2", "nokey", "z4", "MAX"),
            ("ZUNIONSTORE", "u", "1", "z"), ("ZINTERSTORE", "u", "2", "z", "nokey"),
            ("ZUNIONSTORE", "u", "1", "z"), ("ZDIFFSTORE", "d", "1", "z"),
            ("ZDIFFSTORE", "d", "2", "z", "z"), ("ZRANGESTORE", "rs", "z", "0", "0"),
            ("ZRANGESTORE", "rs", "nokey", "0", "-1"), ("ZRANGESTORE", "rs", "nokey", "0", "-1"),
            ("ZADD", "z5", "1", "a"), ("ZREM", "z5", "a"),
            ("ZADD", "z", "GT", "0", "a"), ("ZADD", "z", "1", "b"),
            ("DEL", "z"),
        ]
        got = keyspace_events(self.binary, script)
        assert ("__keyevent@0__:zadd", "z") in got and ("__keyevent@0__:del", "z5") in got, got
        if self.oracle:
            want = keyspace_events(self.oracle, script)
            assert got == want, f"\ngot  {got}\nwant {want}"

def main():
    binary = vigil_binary()
    checks = Checks(binary, os.environ.get("REDIS_SERVER"))
    return 1 if run_checks(checks, sys.argv[1:]) else 0


if __name__ == "__main__":
    sys.exit(main())
