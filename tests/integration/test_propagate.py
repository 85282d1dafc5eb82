#!/usr/bin/python3
"""test_propagate.py - what reaches the AOF is what Redis 7.0 propagates.

  scripted   one script (every rewrite: EXPIRE family, SET/SETEX/PSETEX/GETEX expiries,
             GETDEL, INCRBYFLOAT, HINCRBYFLOAT, SPOP, the blocking and multi pops, BLMOVE,
             BRPOPLPUSH; MULTI/EXEC with and without effect, SELECT inside MULTI, MOVE,
             SWAPDB; no-op writes; PUBLISH; blocked clients served by a push, in MULTI and
             in another db; lazy expiry before a command, in SCAN, EXISTS, KEYS (which
             deletes nothing in 7.0), in EXEC; active expiry; RANDOMKEY's draw is random, so
             it is left out)
             runs step by step on vigil and redis-server, both with appendonly yes and
             appendfsync always; their incremental AOF files must match op by op, absolute
             ms timestamps within a tolerance and SPOP's random members aside
  replay     a seeded random workload (test_diff_random.py's generator plus SPOP,
             INCRBYFLOAT, HINCRBYFLOAT, pops and MULTI/EXEC blocks) runs on vigil; its AOF,
             loaded by a fresh redis-server, must give vigil's dataset key by key (type,
             value, expiry time) in every db

Run: VIGIL_SERVER=build/bin/vigil-server [REDIS_SERVER=/usr/bin/redis-server] \
     [PROP_SEED=1 PROP_COMMANDS=3000] /usr/bin/python3 tests/integration/test_propagate.py
"""
import glob
import os
import random
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import Server, call, cmd, connect, read_reply, run_checks, vigil_binary, wait_until  # noqa: E402
import test_diff_random as dr  # noqa: E402

REDIS = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
AOF_OPTS = ("--appendonly", "yes", "--appendfsync", "always", "--enable-debug-command", "yes")
TS_MIN = 10 ** 12          # an argument this large is an absolute unix time in ms
TS_SLACK_MS = 3000


# ---------------------------------------------------------------------------- AOF files

def parse_aof(data):
    """The commands of a RESP AOF as lists of bytes."""
    ops, i = [], 0
    while i < len(data):
        assert data[i:i + 1] == b"*", (i, data[i:i + 40])
        j = data.index(b"\r\n", i)
        n, i = int(data[i + 1:j]), j + 2
        args = []
        for _ in range(n):
            j = data.index(b"\r\n", i)
            ln = int(data[i + 1:j])
            i = j + 2
            args.append(data[i:i + ln])
            i += ln + 2
        ops.append(args)
    return ops


def incr_files(srv):
    return sorted(glob.glob(os.path.join(srv.dir, "appendonlydir", "*.incr.aof")))


def aof_ops(srv):
    data = b""
    for f in incr_files(srv):
        with open(f, "rb") as fh:
            data += fh.read()
    return parse_aof(data)


def sort_del_runs(ops):
    """Consecutive DELs (the lazy expiries of one SCAN or KEYS, in hash order) sorted by key:
    their order is the servers' table order, which does not matter to the dataset."""
    out, i = [], 0
    while i < len(ops):
        j = i
        while j < len(ops) and ops[j][0] == b"DEL" and len(ops[j]) == 2:
            j += 1
        if j > i:
            out += sorted(ops[i:j])
            i = j
        else:
            out.append(ops[i])
            i += 1
    return out


def fmt(op):
    return " ".join(a.decode("latin1") for a in op)


def ops_match(a, b):
    """Equal ops, but absolute ms within TS_SLACK_MS, and SREM's member (SPOP's random
    draw) free."""
    if len(a) != len(b) or a[0].upper() != b[0].upper():
        return False
    for k, (x, y) in enumerate(zip(a, b)):
        if a[0].upper() == b"SREM" and k == 2:
            continue
        if x == y:
            continue
        if x.isdigit() and y.isdigit() and int(x) >= TS_MIN and int(y) >= TS_MIN:
            if abs(int(x) - int(y)) <= TS_SLACK_MS:
                continue
        return False
    return True


def wait_blocked(s, n):
    def count():
        info = call(s, "INFO", "clients").decode()
        for line in info.split("\r\n"):
            if line.startswith("blocked_clients:"):
                return int(line.split(":")[1])
        return -1
    assert wait_until(lambda: count() == n, 5), f"expected {n} blocked clients"


# ---------------------------------------------------------------------------- the script

# Steps: a tuple of args is a command on the main connection; ("@block", i, args...) sends
# args on extra connection i without reading; ("@read", i) reads its reply; ("@blocked", n)
# waits for n blocked clients; ("@sleep", s).
SCRIPT = [
    ("DEBUG", "SET-ACTIVE-EXPIRE", "0"),
    # expiry rewrites
    ("SET", "a", "1", "EX", "100"), ("SETEX", "b", "100", "x"), ("PSETEX", "b2", "100000", "x"),
    ("SET", "c", "1", "PX", "100000"), ("SET", "c2", "1", "EXAT", "9999999999"),
    ("SET", "c3", "1", "PXAT", "9999999999000", "NX"), ("SET", "c4", "1", "NX", "EX", "50"),
    ("SET", "c4", "2", "KEEPTTL", "GET"),
    ("EXPIRE", "a", "200"), ("PEXPIRE", "a", "200000"), ("EXPIREAT", "a", "9999999999"),
    ("PEXPIREAT", "a", "9999999999001"), ("EXPIRE", "a", "300", "GT"),
    ("EXPIRE", "a", "50", "GT"), ("EXPIRE", "c", "100", "NX"), ("EXPIRE", "a", "-1"),
    ("EXPIRE", "nokey", "10"), ("PEXPIREAT", "c", "1"),
    ("SET", "g", "v"), ("GETEX", "g", "EX", "100"), ("GETEX", "g", "PX", "100000"),
    ("GETEX", "g", "EXAT", "9999999999"), ("GETEX", "g", "PERSIST"), ("GETEX", "g", "PERSIST"),
    ("GETEX", "g"), ("GETEX", "g", "PXAT", "1"), ("GETEX", "g", "EX", "10"),
    ("SET", "g", "v"), ("GETDEL", "g"), ("GETDEL", "g"),
    # float increments
    ("SET", "f", "1.5"), ("EXPIRE", "f", "100"), ("INCRBYFLOAT", "f", "2"),
    ("INCRBYFLOAT", "f2", "0.1"), ("INCRBYFLOAT", "f2", "1e3"),
    ("HINCRBYFLOAT", "h", "fld", "2.5"), ("HINCRBYFLOAT", "h", "fld", "0.25"),
    # SPOP
    ("SADD", "s", "a", "b", "c", "d", "e"), ("SPOP", "s"), ("SPOP", "s", "2"), ("SPOP", "s", "0"),
    ("SPOP", "s", "10"), ("SPOP", "s"), ("SPOP", "s", "3"),
    ("SADD", "big", *range(20)), ("SPOP", "big", "3"), ("SPOP", "big", "15"),
    ("SADD", "one", "x"), ("SPOP", "one"),
    # list pops (served at once)
    ("RPUSH", "l", "1", "2", "3", "4"), ("BLPOP", "nol", "l", "0"), ("BRPOP", "l", "0"),
    ("LMPOP", "2", "nol", "l", "LEFT", "COUNT", "5"), ("RPUSH", "l", "1", "2", "3"),
    ("BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "2"), ("BLMOVE", "l", "l2", "LEFT", "right", "0"),
    ("RPUSH", "l", "9", "8"), ("BRPOPLPUSH", "l", "l2", "0"), ("LMPOP", "1", "l", "RIGHT"),
    ("LMPOP", "1", "l", "LEFT"), ("LPOP", "l2", "5"),
    # sorted-set pops
    ("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f", "7", "g", "8", "h"),
    ("BZPOPMIN", "z", "0"), ("BZPOPMAX", "noz", "z", "0"), ("ZMPOP", "1", "z", "MIN", "COUNT", "1"),
    ("ZMPOP", "1", "z", "MAX"), ("ZPOPMIN", "z", "1"), ("ZPOPMAX", "z"),
    ("BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"), ("ZMPOP", "1", "z", "MIN"),
    ("ZADD", "z", "1", "a", "2", "b"), ("ZMPOP", "1", "z", "MAX", "COUNT", "10"),
    ("ZADD", "z", "1", "a", "2", "b"), ("BZMPOP", "0", "1", "z", "MIN", "COUNT", "10"),
    ("SADD", "hts", *[f"member-{i}" for i in range(200)]), ("SPOP", "hts", "3"),
    ("SPOP", "hts"), ("SPOP", "hts", "190"), ("SPOP", "hts", "10"),
    ("SET", "gg", "1", "get"), ("SET", "gg", "2", "GET", "XX", "get"),
    ("HSET", "hf", "n", "10"), ("HINCRBYFLOAT", "hf", "n", "0.5"),
    ("SET", "ttl", "1"), ("EXPIRE", "ttl", "100", "XX"), ("EXPIRE", "ttl", "100", "NX"),
    ("PEXPIRE", "ttl", "5000000", "GT", "GT"), ("EXPIREAT", "ttl", "9999999998", "LT"),
    # reads and no-op writes propagate nothing
    ("SRANDMEMBER", "big"), ("SET", "x", "1"), ("SET", "x", "1", "NX"), ("DEL", "nokey"),
    ("HSET", "hh", "a", "1", "b", "2"), ("HRANDFIELD", "hh", "2"), ("ZRANDMEMBER", "nokey"),
    ("LPOP", "nokey"), ("SREM", "big", "nomember"), ("PUBLISH", "ch", "x"),
    # transactions
    ("MULTI",), ("SET", "m1", "1"), ("SET", "m2", "2"), ("EXEC",),
    ("MULTI",), ("SET", "m3", "1"), ("EXEC",),
    ("MULTI",), ("GET", "m3"), ("EXEC",),
    ("MULTI",), ("SET", "m3", "1", "NX"), ("DEL", "nokey"), ("EXEC",),
    ("MULTI",), ("SELECT", "3"), ("SET", "m4", "1"), ("SELECT", "0"), ("SET", "m5", "1"), ("EXEC",),
    ("MULTI",), ("SET", "m4", "1"), ("SELECT", "5"), ("SET", "m5", "1"), ("EXEC",),
    ("SELECT", "0"), ("MULTI",), ("PUBLISH", "ch", "x"), ("SET", "p", "1"), ("EXEC",),
    ("MULTI",), ("INCRBYFLOAT", "f", "1"), ("SPOP", "big"), ("EXPIRE", "m1", "100"), ("EXEC",),
    ("MOVE", "m1", "2"), ("SWAPDB", "0", "2"), ("SWAPDB", "0", "2"), ("COPY", "m2", "m2c"),
    ("RENAME", "m2c", "m2d"), ("RPUSH", "sl", "3", "1", "2"), ("SORT", "sl", "STORE", "sd"),
    # blocked clients served
    ("@block", 0, "BLPOP", "bl", "bl0", "5"), ("@blocked", 1), ("RPUSH", "bl", "a", "b"),
    ("@read", 0),
    ("@block", 0, "BLMOVE", "bl2", "dst", "LEFT", "RIGHT", "5"), ("@blocked", 1),
    ("MULTI",), ("RPUSH", "bl2", "a"), ("SET", "zz", "1"), ("EXEC",), ("@read", 0),
    ("@block", 0, "BRPOPLPUSH", "bl3", "dst", "5"), ("@blocked", 1), ("LPUSH", "bl3", "q"),
    ("@read", 0),
    ("@block", 0, "BLMPOP", "5", "1", "bl5", "LEFT", "COUNT", "3"), ("@blocked", 1),
    ("RPUSH", "bl5", "a", "b"), ("@read", 0),
    ("@block", 0, "BZMPOP", "5", "1", "bz", "MIN", "COUNT", "3"), ("@blocked", 1),
    ("ZADD", "bz", "1", "a", "2", "b"), ("@read", 0),
    ("@block", 0, "BZPOPMAX", "bz2", "5"), ("@blocked", 1), ("ZADD", "bz2", "1", "a"),
    ("@read", 0),
    ("@block", 1, "SELECT", "4"), ("@read", 1), ("@block", 1, "BRPOP", "bl4", "5"),
    ("@blocked", 1), ("SELECT", "4"), ("LPUSH", "bl4", "a"), ("@read", 1), ("SELECT", "0"),
    # lazy expiry: alone, before the command's own op, in SCAN, in EXEC
    ("SET", "k1", "1", "PX", "50"), ("SET", "k2", "5", "PX", "50"), ("SET", "k3", "1", "PX", "50"),
    ("@sleep", 0.12), ("GET", "k1"), ("INCR", "k2"), ("SCAN", "0", "COUNT", "1000"),
    ("SET", "k6", "1", "PX", "50"), ("@sleep", 0.12), ("MULTI",), ("GET", "k6"), ("EXEC",),
    ("SET", "k8", "1", "PX", "50"), ("SET", "k9", "1", "PX", "50"), ("@sleep", 0.12),
    ("MULTI",), ("GET", "k8"), ("SET", "k9", "z"), ("EXEC",),
    ("SET", "k12", "1", "PX", "50"), ("SET", "k13", "1", "PX", "50"), ("@sleep", 0.12),
    ("EXISTS", "k12", "k13", "nokey"),
    ("SET", "k14", "1", "PX", "50"), ("SET", "k15", "1", "PX", "50"), ("@sleep", 0.12),
    ("MULTI",), ("SCAN", "0", "COUNT", "1000"), ("EXEC",),
    ("SET", "k16", "1", "PX", "50"), ("SET", "k17", "1", "PX", "50"), ("@sleep", 0.12),
    ("KEYS", "k1*"),
    # a blocked client that times out propagates nothing
    ("@block", 0, "BLPOP", "never", "0.05"), ("@read", 0),
    # active expiry
    ("DEBUG", "SET-ACTIVE-EXPIRE", "1"), ("SET", "k11", "1", "PX", "30"), ("@sleep", 0.6),
    ("SET", "u", "1"), ("UNLINK", "u"), ("FLUSHDB",), ("SET", "end", "1"),
]


def run_script(servers):
    """Each step on every server in turn, so their clocks stay close."""
    conns = [[connect(s.port) for _ in range(3)] for s in servers]
    try:
        for step in SCRIPT:
            for (main, *extra) in conns:
                kind = step[0]
                if kind == "@block":
                    extra[step[1]].sendall(cmd(*step[2:]))
                elif kind == "@read":
                    r = read_reply(extra[step[1]])
                    assert not r.startswith(b"-"), r
                elif kind == "@blocked":
                    wait_blocked(main, step[1])
                elif kind == "@sleep":
                    pass
                else:
                    try:
                        r = call(main, *step)
                    except OSError as e:
                        raise AssertionError(f"{step}: {e!r}") from e
                    assert not r.startswith(b"-"), (step, r)
            if step[0] == "@sleep":
                time.sleep(step[1])
    finally:
        for cs in conns:
            for s in cs:
                s.close()


class Checks:
    def __init__(self):
        self.vigil = vigil_binary()

    def check_scripted(self):
        servers = []
        try:
            servers.append(Server(self.vigil, AOF_OPTS))
            servers.append(Server(REDIS, AOF_OPTS))
            run_script(servers)
            time.sleep(0.2)
            got, want = sort_del_runs(aof_ops(servers[0])), sort_del_runs(aof_ops(servers[1]))
            assert want, "redis-server wrote no AOF"
            for i in range(max(len(got), len(want))):
                g = got[i] if i < len(got) else None
                w = want[i] if i < len(want) else None
                if g is None or w is None or not ops_match(g, w):
                    ctx = "\n".join(f"  vigil {fmt(a) if a else '-':50.50} redis {fmt(b) if b else '-'}"
                                    for a, b in zip((got + [None] * 5)[max(0, i - 4):i + 5],
                                                    (want + [None] * 5)[max(0, i - 4):i + 5]))
                    raise AssertionError(f"op {i} differs:\n{ctx}")
            print(f"     {len(got)} ops identical")
        finally:
            problems = [p for s in servers for p in s.stop()]
            assert not problems, problems

    def check_replay(self):
        seed = int(os.environ.get("PROP_SEED", "1"))
        n = int(os.environ.get("PROP_COMMANDS", "3000"))
        vig = red = None
        try:
            vig = Server(self.vigil, AOF_OPTS)
            run_workload(vig, seed, n)
            time.sleep(0.2)
            want = dataset(vig.port)
            # redis-server loads vigil's AOF directory as its own
            red_dir = vig.dir + "-redis"
            os.makedirs(red_dir)
            shutil.copytree(os.path.join(vig.dir, "appendonlydir"),
                            os.path.join(red_dir, "appendonlydir"))
            red = Server(REDIS, AOF_OPTS + ("--dir", red_dir))
            s = connect(red.port)
            loaded = wait_until(lambda: call(s, "PING") == b"+PONG\r\n", 60, 0.05)
            s.close()
            assert loaded, "redis-server still loading vigil's AOF"
            got = dataset(red.port)
            assert want, "empty dataset"
            diff = [k for k in set(want) | set(got) if want.get(k) != got.get(k)]
            for k in diff[:5]:
                print(f"     {k}: vigil {want.get(k)!r:.200} redis {got.get(k)!r:.200}")
            assert not diff, f"{len(diff)} keys differ ({len(want)} keys)"
            print(f"     {n} commands, {len(aof_ops(vig))} ops, {len(want)} keys identical")
        finally:
            problems = []
            for srv in (vig, red):
                if srv:
                    problems += srv.stop()
            if vig:
                shutil.rmtree(vig.dir + "-redis", ignore_errors=True)
            assert not problems, problems


# ---------------------------------------------------------------------------- replay

def run_workload(srv, seed, n):
    gen = dr.Gen(seed, int(time.time()))
    r = random.Random(seed ^ 0x5EED)
    s = connect(srv.port, timeout=20)
    try:
        call(s, "DEBUG", "SET-ACTIVE-EXPIRE", "1")
        i = 0
        while i < n:
            if r.random() < 0.03:
                block = [extra_command(gen, r) if r.random() < 0.3 else gen.next()
                         for _ in range(r.randint(1, 4))]
                block = [b for b in block if b[0].lower() not in (b"hello", b"multi", b"exec")]
                payload = cmd("MULTI") + b"".join(cmd(*a) for a in block) + cmd("EXEC")
                s.sendall(payload)
                for _ in range(len(block) + 2):
                    read_reply(s)
                i += len(block)
                continue
            args = extra_command(gen, r) if r.random() < 0.1 else gen.next()
            call(s, *args)
            i += 1
    finally:
        s.close()


def extra_command(gen, r):
    """Commands with rewrites that the differential generator does not send."""
    k = gen.key()
    choice = r.randrange(8)
    if choice == 0:
        return [b"SPOP", k] + ([b"%d" % r.randint(0, 6)] if r.random() < 0.6 else [])
    if choice == 1:
        return [b"SADD", k] + [b"%d" % r.randint(0, 30) for _ in range(r.randint(1, 8))]
    if choice == 2:
        return [b"INCRBYFLOAT", k, r.choice([b"0.1", b"-2.5", b"1e2", b"3"])]
    if choice == 3:
        return [b"HINCRBYFLOAT", k, r.choice([b"f1", b"f2"]), r.choice([b"0.1", b"1.5", b"-3"])]
    if choice == 4:
        return [r.choice([b"BLPOP", b"BRPOP"]), k, gen.key(), b"0.01"]
    if choice == 5:
        return [b"BLMPOP", b"0.01", b"2", k, gen.key(), r.choice([b"LEFT", b"RIGHT"]),
                b"COUNT", b"%d" % r.randint(1, 4)]
    if choice == 6:
        return [r.choice([b"BZPOPMIN", b"BZPOPMAX"]), k, b"0.01"]
    return [r.choice([b"ZMPOP", b"BZMPOP"])] + ([b"0.01"] if r.random() < 0.5 and False else []) + \
        [b"1", k, r.choice([b"MIN", b"MAX"]), b"COUNT", b"%d" % r.randint(1, 4)]


def parse_array(raw):
    """A flat RESP2 array of bulk strings (or integers) into a list of bytes."""
    out, pos = [], 0
    lines = raw
    assert lines[:1] == b"*", raw[:40]
    j = lines.index(b"\r\n")
    n = int(lines[1:j])
    pos = j + 2
    for _ in range(max(n, 0)):
        kind = lines[pos:pos + 1]
        j = lines.index(b"\r\n", pos)
        if kind == b"$":
            ln = int(lines[pos + 1:j])
            out.append(lines[j + 2:j + 2 + ln])
            pos = j + 2 + ln + 2
        else:
            out.append(lines[pos + 1:j])
            pos = j + 2
    return out


def dataset(port):
    """{(db, key): (type, value, expiry ms)} for every db, values in a canonical form."""
    s = connect(port, timeout=20)
    data = {}
    try:
        call(s, "HELLO", "2")
        for db in range(16):
            assert call(s, "SELECT", db) == b"+OK\r\n"
            cursor = b"0"
            for _ in range(100000):
                r = read_scan(call(s, "SCAN", cursor, "COUNT", "1000"))
                cursor, keys = r
                for k in keys:
                    t = call(s, "TYPE", k)[1:-2]
                    if t == b"string":
                        v = call(s, "GET", k)
                    elif t == b"list":
                        v = tuple(parse_array(call(s, "LRANGE", k, 0, -1)))
                    elif t == b"set":
                        v = tuple(sorted(parse_array(call(s, "SMEMBERS", k))))
                    elif t == b"hash":
                        a = parse_array(call(s, "HGETALL", k))
                        v = tuple(sorted(zip(a[::2], a[1::2])))
                    elif t == b"zset":
                        # -0 and 0 alike: Redis's listpack stores -0 as "0", Vigil keeps
                        # -0 (a zset encoding difference, not a propagation one)
                        v = tuple(b"0" if x == b"-0" else x for x in
                                  parse_array(call(s, "ZRANGE", k, 0, -1, "WITHSCORES")))
                    else:
                        v = None
                    data[(db, k)] = (t, v, call(s, "PEXPIRETIME", k))
                if cursor == b"0":
                    break
    finally:
        s.close()
    return data


def read_scan(raw):
    # *2 $n cursor *m keys...
    j = raw.index(b"\r\n", 4)
    n = int(raw[5:j])
    cursor = raw[j + 2:j + 2 + n]
    return cursor, parse_array(raw[j + 2 + n + 2:])


def main():
    only = sys.argv[1:]
    failures = run_checks(Checks(), only)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
