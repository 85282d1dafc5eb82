#!/usr/bin/python3
"""test_hashes.py - the hash type beyond what byte-for-byte compat lines can show:

  random_differential  random HSET/HMSET/HSETNX/HDEL/HINCRBY/HINCRBYFLOAT on a few keys, with
                       small thresholds so hashes cross listpack -> hashtable, long values
                       included; every reply compared with redis-server, and after each
                       round HGETALL/HKEYS/HVALS (sorted), HLEN, OBJECT ENCODING and
                       DEBUG DIGEST-VALUE of every key (without REDIS_SERVER: with a model)
  hrandfield_rules     count sign rules in both encodings and every sampling path: positive
                       = distinct, min(count, size); negative = exactly |count|, repeats
                       allowed, every field drawn about equally often; WITHVALUES pairs
                       match the hash; RESP3 WITHVALUES nests [field, value] pairs
  hscan_growing        a full HSCAN with COUNT 5 over a hashtable hash that keeps growing
                       between calls returns every original field exactly once, with its
                       value; MATCH filters fields only
  large_values         values of 1-100 KB and binary fields survive conversion, COPY and
                       HINCRBYFLOAT; digests equal redis-server's
  notifications        the keyspace events of a script of hash commands (PSUBSCRIBE
                       '__key*__:*', KEA) equal redis-server's, in order
  memory_small_hashes  20,000 hashes of 10 small fields take no more used_memory than in
                       redis-server (only with REDIS_SERVER)

Run: VIGIL_SERVER=build/bin/vigil-server [REDIS_SERVER=/usr/bin/redis-server] \
     /usr/bin/python3 tests/integration/test_hashes.py [check ...]
"""
import collections
import os
import random
import sys

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    Server, call, connect, keyspace_events, run_checks, vigil_binary)

DEBUG = ("--enable-debug-command", "yes")


def client(srv, raw=True):
    """A redis-py client; raw: replies as the server sent them (no response callbacks)."""
    r = redis.Redis(host="127.0.0.1", port=srv.port, socket_timeout=20)
    if raw:
        r.response_callbacks.clear()
    return r


def as_dict(flat):
    return dict(zip(flat[::2], flat[1::2]))


def run(r, *args):
    """The reply, or the error text: errors are compared like replies."""
    try:
        return r.execute_command(*args)
    except redis.ResponseError as e:
        return ("error", str(e))


class Pair:
    """vigil and (when REDIS_SERVER is set) redis-server, started with the same options."""

    def __init__(self, binary, oracle, extra=()):
        self.servers = [Server(binary, extra=DEBUG + tuple(extra))]
        if oracle:
            self.servers.append(Server(oracle, extra=DEBUG + tuple(extra)))
        self.clients = [client(s) for s in self.servers]

    def both(self, *args):
        """Run on both; assert equal replies; return vigil's."""
        replies = [run(r, *args) for r in self.clients]
        if len(replies) == 2:
            assert replies[0] == replies[1], (args, replies)
        return replies[0]

    def each(self, *args):
        return [run(r, *args) for r in self.clients]

    def stop(self):
        problems = []
        for r in self.clients:
            r.close()
        for s in self.servers:
            problems += s.stop()
        assert not problems, problems


def rand_bytes(rng, lo, hi):
    return bytes(rng.choice(b"abcxyz0123456789-.\x00\xff") for _ in range(rng.randint(lo, hi)))


def rand_value(rng):
    k = rng.random()
    if k < 0.3:
        return str(rng.randint(-1000, 1000)).encode()
    if k < 0.4:
        return str(rng.choice([2**63 - 1, -2**63, 2**63, 10**20])).encode()
    if k < 0.5:
        return repr(rng.uniform(-100, 100)).encode()
    if k < 0.55:
        return rand_bytes(rng, 30, 300)  # over the value limit: converts
    return rand_bytes(rng, 0, 12)


def rand_field(rng):
    if rng.random() < 0.03:
        return rand_bytes(rng, 20, 40)
    return rng.choice([b"f%d" % rng.randint(0, 40), str(rng.randint(0, 30)).encode()])


def model_apply(model, args, reply):
    """Without REDIS_SERVER: the expected contents, following vigil's numeric replies (the
    formats are compat's business) and checking the counts HSET/HSETNX/HDEL return."""
    op, key, rest = args[0], args[1], args[2:]
    h = model.setdefault(key, {})
    if op in ("HSET", "HMSET"):
        new = len({f for f in rest[::2] if f not in h})
        h.update(zip(rest[::2], rest[1::2]))
        assert reply == (new if op == "HSET" else b"OK"), (args, reply)
    elif op == "HSETNX":
        assert reply == (0 if rest[0] in h else 1), (args, reply)
        h.setdefault(rest[0], rest[1])
    elif op == "HDEL":
        gone = {f for f in rest if f in h}
        for f in gone:
            del h[f]
        assert reply == len(gone), (args, reply)
    elif op in ("HINCRBY", "HINCRBYFLOAT") and not isinstance(reply, tuple):
        h[rest[0]] = str(reply).encode() if op == "HINCRBY" else reply
    if not h:
        del model[key]


class Checks:
    def __init__(self, binary, oracle):
        self.binary = binary
        self.oracle = oracle

    # ---- random differential ---------------------------------------------------------------

    def random_op(self, rng, key):
        k = rng.random()
        if k < 0.35:
            args = ["HSET" if rng.random() < 0.8 else "HMSET", key]
            for _ in range(rng.randint(1, 6)):
                args += [rand_field(rng), rand_value(rng)]
            return args
        if k < 0.45:
            return ["HSETNX", key, rand_field(rng), rand_value(rng)]
        if k < 0.65:
            return ["HDEL", key] + [rand_field(rng) for _ in range(rng.randint(1, 8))]
        if k < 0.8:
            return ["HINCRBY", key, rand_field(rng), str(rng.randint(-10**6, 10**6))]
        if k < 0.9:
            return ["HINCRBYFLOAT", key, rand_field(rng), repr(rng.uniform(-50, 50))]
        return [rng.choice(["HGET", "HEXISTS", "HSTRLEN"]), key, rand_field(rng)]

    def compare_key(self, p, key, model=None):
        replies = [{
            "all": sorted(zip(*[iter(run(r, "HGETALL", key))] * 2)),
            "keys": sorted(run(r, "HKEYS", key)),
            "vals": sorted(run(r, "HVALS", key)),
            "len": run(r, "HLEN", key),
            "enc": run(r, "OBJECT", "ENCODING", key),
            "digest": run(r, "DEBUG", "DIGEST-VALUE", key),
            "exists": run(r, "EXISTS", key),
        } for r in p.clients]
        if len(replies) == 2:
            assert replies[0] == replies[1], (key, replies)
        elif model is not None:
            want = sorted(model.items())
            assert replies[0]["all"] == want, (key, replies[0]["all"], want)

    def check_random_differential(self):
        seed = int(os.environ.get("HASH_SEED", random.randrange(1 << 30)))
        rng = random.Random(seed)
        p = Pair(self.binary, self.oracle)
        try:
            for entries, value in ((8, 16), (3, 64), (128, 64), (0, 5)):
                model = {}
                p.both("FLUSHALL")
                p.both("CONFIG", "SET", "hash-max-listpack-entries", str(entries))
                p.both("CONFIG", "SET", "hash-max-listpack-value", str(value))
                keys = [b"h%d" % i for i in range(5)]
                for _ in range(40):
                    for _ in range(25):
                        args = self.random_op(rng, rng.choice(keys))
                        reply = p.both(*args)
                        model_apply(model, args, reply)
                    for key in keys:
                        self.compare_key(p, key, model.get(key, {}))
        except AssertionError as e:
            raise AssertionError(f"seed {seed}: {e}") from None
        finally:
            p.stop()

    # ---- HRANDFIELD ------------------------------------------------------------------------

    def check_hrandfield_rules(self):
        srv = Server(self.binary, extra=DEBUG)
        try:
            r = client(srv)
            # listpack (5 fields), hashtable small (5 fields), hashtable large (300 fields)
            r.config_set("hash-max-listpack-entries", 10)
            cases = {b"lp": 5, b"ht": 300}
            for key, n in cases.items():
                r.hset(key, mapping={b"f%d" % i: b"v%d" % i for i in range(n)})
            r.config_set("hash-max-listpack-entries", 1)
            r.hset(b"ht5", mapping={b"f%d" % i: b"v%d" % i for i in range(5)})
            cases[b"ht5"] = 5
            assert r.execute_command("OBJECT", "ENCODING", b"lp") == b"listpack"
            assert r.execute_command("OBJECT", "ENCODING", b"ht5") == b"hashtable"
            for key, n in cases.items():
                full = as_dict(r.hgetall(key))
                for count in (1, 2, 3, 4, n - 1, n, n + 5, 50, 99, 101, 150):
                    got = r.execute_command("HRANDFIELD", key, count)
                    assert len(got) == min(count, n), (key, count, got)
                    assert len(set(got)) == len(got), (key, count, got)
                    assert set(got) <= set(full), (key, count)
                    wv = r.execute_command("HRANDFIELD", key, count, "WITHVALUES")
                    assert len(wv) == 2 * min(count, n), (key, count)
                    pairs = list(zip(wv[::2], wv[1::2]))
                    assert all(full[f] == v for f, v in pairs), (key, count, pairs)
                    assert len({f for f, _ in pairs}) == len(pairs)
                for count in (1, 2, n, 3 * n):
                    got = r.execute_command("HRANDFIELD", key, -count)
                    assert len(got) == count and set(got) <= set(full), (key, count)
                    wv = r.execute_command("HRANDFIELD", key, -count, "WITHVALUES")
                    assert len(wv) == 2 * count
                    assert all(full[f] == v for f, v in zip(wv[::2], wv[1::2]))
                one = r.execute_command("HRANDFIELD", key)
                assert one in full
                # fairness: negative counts draw each field about equally often
                draws = 200 * min(n, 20)
                small = n if n <= 20 else None
                if small:
                    hist = collections.Counter(r.execute_command("HRANDFIELD", key, -draws))
                    assert len(hist) == n, (key, hist)
                    assert min(hist.values()) > 100 and max(hist.values()) < 300, (key, hist)
                # repeats happen with negative counts
                rep = r.execute_command("HRANDFIELD", key, -(n + 1))
                assert len(set(rep)) < len(rep)
                # positive counts below the size: every field gets picked over many calls
                seen = collections.Counter()
                for _ in range(200 if n <= 20 else 60):
                    seen.update(r.execute_command("HRANDFIELD", key, max(1, n // 2)))
                assert len(seen) == n, (key, len(seen))
            r.close()
            # RESP3: WITHVALUES nests [field, value]
            s = connect(srv.port)
            call(s, "HELLO", "3")
            reply = call(s, "HRANDFIELD", "lp", "2", "WITHVALUES")
            assert reply.startswith(b"*2\r\n*2\r\n$"), reply
            reply = call(s, "HRANDFIELD", "ht", "-3", "WITHVALUES")
            assert reply.startswith(b"*3\r\n*2\r\n$"), reply
            assert reply.count(b"*2\r\n") == 3, reply
            reply = call(s, "HRANDFIELD", "ht", "3")
            assert reply.startswith(b"*3\r\n$"), reply
            s.close()
        finally:
            assert not srv.stop()

    # ---- HSCAN -----------------------------------------------------------------------------

    def scan_all_growing(self, srv):
        r = client(srv)
        r.config_set("hash-max-listpack-entries", 16)
        orig = {b"f%d" % i: b"v%d" % i for i in range(200)}
        r.hset(b"h", mapping=orig)
        assert r.execute_command("OBJECT", "ENCODING", b"h") == b"hashtable"
        seen = collections.Counter()
        cursor, added, calls = 0, 0, 0
        while True:
            reply = r.execute_command("HSCAN", b"h", cursor, "COUNT", 5)
            cursor = int(reply[0])
            items = reply[1]
            for f, v in zip(items[::2], items[1::2]):
                if f in orig:
                    assert v == orig[f], (f, v)
                seen[f] += 1
            calls += 1
            # grow the table between the first calls (several doublings over the walk)
            if calls <= 30:
                r.hset(b"h", mapping={b"new%d" % (added + i): b"x" for i in range(40)})
                added += 40
            if cursor == 0:
                break
        missing = [f for f in orig if seen[f] == 0]
        twice = [f for f in orig if seen[f] > 1]
        assert not missing, missing[:10]
        assert not twice, twice[:10]
        assert calls > 10, calls
        # MATCH filters on fields, values come along
        reply = r.execute_command("HSCAN", b"h", 0, "MATCH", "f1?", "COUNT", 100000)
        assert int(reply[0]) == 0
        got = dict(zip(reply[1][::2], reply[1][1::2]))
        assert got == {f: v for f, v in orig.items() if len(f) == 3 and f.startswith(b"f1")}
        r.close()

    def check_hscan_growing(self):
        for binary in filter(None, (self.binary, self.oracle)):
            srv = Server(binary)
            try:
                self.scan_all_growing(srv)
            except AssertionError as e:
                raise AssertionError(f"{os.path.basename(binary)}: {e}") from None
            finally:
                assert not srv.stop()

    # ---- large values ----------------------------------------------------------------------

    def check_large_values(self):
        p = Pair(self.binary, self.oracle)
        try:
            rng = random.Random(7)
            for size in (1000, 10000, 100000):
                big = bytes(rng.randrange(256) for _ in range(size))
                p.both("DEL", "big")
                p.both("HSET", "big", "small", "1", "n", "5")
                assert p.both("OBJECT", "ENCODING", "big") == b"listpack"
                p.both("HSET", "big", b"f%d" % size, big)
                assert p.both("OBJECT", "ENCODING", "big") == b"hashtable"
                assert p.both("HGET", "big", b"f%d" % size) == big
                p.both("HSET", "big", b"\x00bin\xff" * 30, big[:50])
                p.both("HINCRBYFLOAT", "big", "n", "0.5")
                p.both("HSET", "big", "small", big)  # grows a node in place or moves it
                p.both("HSET", "big", "small", "2")  # shrinks it again
                assert p.both("HSTRLEN", "big", b"f%d" % size) == size
                p.both("COPY", "big", "copy", "REPLACE")
                p.both("DEBUG", "DIGEST-VALUE", "big", "copy")
                self.compare_key(p, "big")
                self.compare_key(p, "copy")
            p.both("CONFIG", "SET", "hash-max-listpack-value", "100000")
            p.both("HSET", "lpbig", "f", bytes(70000))  # a listpack with a large entry
            assert p.both("OBJECT", "ENCODING", "lpbig") == b"listpack"
            self.compare_key(p, "lpbig")
        finally:
            p.stop()

    # ---- notifications ---------------------------------------------------------------------

    SCRIPT = [
        ("HSET", "h", "a", "1", "b", "2"),
        ("HSET", "h", "a", "1"),
        ("HMSET", "h", "c", "3"),
        ("HSETNX", "h", "a", "x"),
        ("HSETNX", "h", "d", "4"),
        ("HINCRBY", "h", "n", "5"),
        ("HINCRBYFLOAT", "h", "fl", "1.5"),
        ("HDEL", "h", "nosuch"),
        ("HDEL", "h", "a", "b"),
        ("HGET", "h", "c"),
        ("HGETALL", "h"),
        ("HRANDFIELD", "h", "2"),
        ("HSCAN", "h", "0"),
        ("HDEL", "h", "c", "d", "n", "fl", "more"),
        ("HDEL", "h", "c"),
        ("HSET", "g", "x", "y"),
        ("CONFIG", "SET", "hash-max-listpack-entries", "1"),
        ("HSET", "g", "z", "w"),
        ("HDEL", "g", "x"),
        ("HDEL", "g", "z"),
        ("HINCRBY", "i", "f", "1"),
        ("HINCRBYFLOAT", "j", "f", "1"),
        ("DEL", "i", "j"),
    ]

    def check_notifications(self):
        got = keyspace_events(self.binary, self.SCRIPT)
        want = keyspace_events(self.oracle, self.SCRIPT) if self.oracle else EXPECTED_EVENTS
        assert got == want, (got, want)

    # ---- memory ----------------------------------------------------------------------------

    def used_memory_for_hashes(self, binary, n):
        srv = Server(binary)
        try:
            r = client(srv, raw=False)
            before = int(r.info("memory")["used_memory"])
            pipe = r.pipeline(transaction=False)
            for i in range(n):
                pipe.hset(b"user:%d" % i, mapping={b"field%d" % j: b"value%d" % (i + j)
                                                  for j in range(10)})
                if i % 1000 == 999:
                    pipe.execute()
            pipe.execute()
            after = int(r.info("memory")["used_memory"])
            r.close()
            return after - before
        finally:
            assert not srv.stop()

    def check_memory_small_hashes(self):
        if not self.oracle:
            print("     (skipped: REDIS_SERVER unset)")
            return
        n = 20000
        ours = self.used_memory_for_hashes(self.binary, n)
        theirs = self.used_memory_for_hashes(self.oracle, n)
        print(f"     {n} hashes of 10 fields: vigil {ours / n:.0f} B/key, "
              f"redis {theirs / n:.0f} B/key")
        assert ours <= theirs, (ours, theirs)


EXPECTED_EVENTS = [  # recorded from redis-server 7.0.15; used when REDIS_SERVER is unset
    ('__keyspace@0__:h', 'hset'), ('__keyevent@0__:hset', 'h'),
    ('__keyspace@0__:h', 'hset'), ('__keyevent@0__:hset', 'h'),
    ('__keyspace@0__:h', 'hset'), ('__keyevent@0__:hset', 'h'),
    ('__keyspace@0__:h', 'hset'), ('__keyevent@0__:hset', 'h'),
    ('__keyspace@0__:h', 'hincrby'), ('__keyevent@0__:hincrby', 'h'),
    ('__keyspace@0__:h', 'hincrbyfloat'), ('__keyevent@0__:hincrbyfloat', 'h'),
    ('__keyspace@0__:h', 'hdel'), ('__keyevent@0__:hdel', 'h'),
    ('__keyspace@0__:h', 'hdel'), ('__keyevent@0__:hdel', 'h'),
    ('__keyspace@0__:h', 'del'), ('__keyevent@0__:del', 'h'),
    ('__keyspace@0__:g', 'hset'), ('__keyevent@0__:hset', 'g'),
    ('__keyspace@0__:g', 'hset'), ('__keyevent@0__:hset', 'g'),
    ('__keyspace@0__:g', 'hdel'), ('__keyevent@0__:hdel', 'g'),
    ('__keyspace@0__:g', 'hdel'), ('__keyevent@0__:hdel', 'g'),
    ('__keyspace@0__:g', 'del'), ('__keyevent@0__:del', 'g'),
    ('__keyspace@0__:i', 'hincrby'), ('__keyevent@0__:hincrby', 'i'),
    ('__keyspace@0__:j', 'hincrbyfloat'), ('__keyevent@0__:hincrbyfloat', 'j'),
    ('__keyspace@0__:i', 'del'), ('__keyevent@0__:del', 'i'),
    ('__keyspace@0__:j', 'del'), ('__keyevent@0__:del', 'j'),
]


def main():
    binary = vigil_binary()
    checks = Checks(binary, os.environ.get("REDIS_SERVER"))
    return 1 if run_checks(checks, sys.argv[1:]) else 0


if __name__ == "__main__":
    sys.exit(main())
