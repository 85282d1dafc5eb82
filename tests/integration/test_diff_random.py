#!/usr/bin/python3
"""test_diff_random.py - seeded differential random tester: vigil-server against redis-server.

Both servers start fresh (free loopback ports, temp dirs, no persistence, DEBUG enabled) with
DEBUG SET-ACTIVE-EXPIRE 0, so keys only expire lazily. Then one random command sequence,
generated from a fixed seed, goes to both over raw sockets, pipelined in batches, and every
reply is compared byte for byte. Every DIFF_CHECK_EVERY commands, and at the end, the whole
dataset of every database used is compared too (SCAN, then TYPE, GET, OBJECT ENCODING and
PTTL of each key, then DEBUG DIGEST).

The commands are the string family (SET with option combinations, valid or not, GET*, M*,
the INCR family with number-like strings, APPEND, SETRANGE, GETRANGE/SUBSTR, SETNX, SETEX,
PSETEX, LCS, the bit commands) and the keyspace family (DEL, UNLINK, EXISTS, TYPE, RENAME*,
COPY, MOVE, SWAPDB, SELECT, DBSIZE, the EXPIRE family with NX/XX/GT/LT, PERSIST, TTL/PTTL,
EXPIRETIME, OBJECT ENCODING/REFCOUNT, TOUCH, FLUSHDB, KEYS), plus DEBUG DIGEST-VALUE, HELLO
2/3 (so replies are also compared in RESP3), random letter case and wrong arities, over ~30
keys (binary ones included) and 4 databases, with binary values and occasional 10-100 KB ones.

Time is the only thing the servers may see differently, so the generator keeps replies
independent of it:
  - every relative TTL is either <= 0 (the key dies at once) or huge, and two TTLs set by
    different commands always differ by far more than the test lasts, so NX/XX/GT/LT
    comparisons have the same outcome on both servers (see Gen.ttl_seconds);
  - absolute times are either in the past or on their own far-future grid;
  - TTL/PTTL/EXPIRETIME/PEXPIRETIME replies compare with a tolerance (1 s / 1000 ms, more
    after a slow batch on a loaded machine: see time_tolerance);
  - LCS only reads three keys that only ever hold short values (its table is O(n*m)).
Then the aggregate types on the same keys, so WRONGTYPE paths are everywhere: the list
family (push/pop/range/trim/set/insert/rem/pos/move/mpop), hashes (HSET/HMSET/HSETNX, HGET*,
HDEL, HINCRBY*), sets (SADD/SREM, SISMEMBER, set operations and their STORE forms,
SINTERCARD, SMOVE), sorted sets (ZADD with option combinations, ZINCRBY, ZSCORE/ZRANK,
ZCOUNT/ZLEXCOUNT, the ZRANGE family by index, score and lex with LIMIT/REV/WITHSCORES,
ZRANGESTORE, ZREMRANGE*, ZPOP*/ZMPOP, ZUNION/ZINTER/ZDIFF with WEIGHTS/AGGREGATE and
STORE, ZINTERCARD), the random-pick commands and SORT/SORT_RO. Element values come from a
small pool (so commands hit existing members) plus values past the listpack limits, so
encodings convert. Not generated: SPOP (it would make the datasets differ), the SCAN
family (cursors are the encoding's), blocking commands.
Replies whose details are the server's own compare in a canonical form: KEYS and the
unordered set/hash replies sorted, HELLO by shape, random picks by type and count, and a
set's OBJECT ENCODING may be listpack in Vigil where Redis 7.0 says hashtable.

Environment:
    VIGIL_SERVER, REDIS_SERVER   the binaries (REDIS_SERVER defaults to /usr/bin/redis-server)
    DIFF_SEED                    the seed (default 1); the sequence depends on it alone (absolute
                                 times are offsets from the start), so a failure reproduces
                                 with the same seed
    DIFF_COMMANDS                how many commands (default 20000)
    DIFF_BATCH                   commands per pipelined batch (default 100)
    DIFF_CHECK_EVERY             commands between dataset comparisons (default 2000)
    DIFF_VERBOSE=1               print per-command counts (sent, error replies) at the end
    DIFF_DUMP=FILE               also write every command, in compat-file syntax
                                 (tests/integration/compat/*.txt), to FILE

Run with Debian's /usr/bin/python3:
    VIGIL_SERVER=build/bin/vigil-server DIFF_SEED=7 /usr/bin/python3 \\
        tests/integration/test_diff_random.py
A mismatch prints the seed, the command index, the command, both replies and the last 20
commands (in compat-file syntax, ready to paste into a compat file), and exits 1. A dataset
mismatch names the key, not the command that broke it: rerun the seed with
DIFF_CHECK_EVERY=1 (a dataset check after every command) and DIFF_DUMP to find it. Servers are
stopped by PID (TERM, then KILL) in a finally block, and their logs are scanned for sanitizer
reports (itlib.Server).
"""
import os
import random
import selectors
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import Server, vigil_binary  # noqa: E402 - the shared server fixture

REPLY_TIMEOUT_S = 30  # one batch, both servers
NUM_DBS = 4  # SELECT, MOVE, COPY DB and SWAPDB stay in 0..3; the dataset check reads these
SCAN_MAX_ROUNDS = 10000

# ---------------------------------------------------------------------------- RESP on the wire


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def reply_end(buf, pos):
    """End offset of the RESP reply that starts at pos, or -1 when buf holds only part of it.
    Knows RESP2 and the RESP3 types (the sequence switches protocols with HELLO)."""
    eol = buf.find(b"\r\n", pos)
    if eol < 0:
        return -1
    kind, head = buf[pos:pos + 1], buf[pos + 1:eol]
    if kind in (b"+", b"-", b":", b"_", b",", b"#", b"("):
        return eol + 2
    if kind in (b"$", b"!", b"="):
        n = int(head)
        if n < 0:
            return eol + 2
        end = eol + 2 + n + 2
        return end if len(buf) >= end else -1
    if kind in (b"*", b"~", b">", b"%", b"|"):
        n = int(head)
        if kind in (b"%", b"|"):
            n *= 2
        p = eol + 2
        for _ in range(max(n, 0)):
            p = reply_end(buf, p)
            if p < 0:
                return -1
        return p
    raise ValueError(f"bad reply type byte {kind!r} at {pos}: {bytes(buf[pos:pos + 40])!r}")


class Conn:
    """A raw non-blocking connection that collects complete replies."""

    def __init__(self, name, port):
        self.name = name
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.out = b""
        self.inbuf = bytearray()
        self.replies = []
        self.want = 0

    def close(self):
        self.sock.close()

    def parse(self):
        pos = 0
        while len(self.replies) < self.want:
            end = reply_end(self.inbuf, pos)
            if end < 0:
                break
            self.replies.append(bytes(self.inbuf[pos:end]))
            pos = end
        del self.inbuf[:pos]


def exchange(conns, payload, count):
    """Send the same pipelined payload (count commands) to every connection, reading while
    writing so big replies never deadlock; returns one list of raw replies per connection."""
    sel = selectors.DefaultSelector()
    for c in conns:
        c.out, c.replies, c.want = payload, [], count
        sel.register(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
    deadline = time.monotonic() + REPLY_TIMEOUT_S
    try:
        pending = set(conns)
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                names = ", ".join(f"{c.name} ({len(c.replies)}/{count})" for c in pending)
                raise RuntimeError(f"no complete replies within {REPLY_TIMEOUT_S} s: {names}")
            for key, ev in sel.select(timeout=left):
                c = key.data
                if ev & selectors.EVENT_WRITE and c.out:
                    try:
                        c.out = c.out[c.sock.send(c.out[:1 << 20]):]
                    except BlockingIOError:
                        pass
                    if not c.out:
                        sel.modify(c.sock, selectors.EVENT_READ, c)
                if ev & selectors.EVENT_READ:
                    try:
                        data = c.sock.recv(1 << 20)
                    except BlockingIOError:
                        continue
                    if not data:
                        raise RuntimeError(f"{c.name} closed the connection")
                    c.inbuf += data
                    c.parse()
                    if len(c.replies) == count:
                        pending.discard(c)
                        if not c.out:
                            sel.unregister(c.sock)
        return [c.replies for c in conns]
    finally:
        sel.close()


def call(conn, *args):
    """One command on one connection (dataset checks, setup)."""
    return exchange([conn], encode(args), 1)[0][0]


def reply_int(r):
    return int(r[1:-2]) if r.startswith(b":") else None


# ---------------------------------------------------------------------------- quoting


def quote(arg):
    """redis-cli / compat-file quoting: "..." with \\xHH for anything unprintable."""
    out = []
    for b in arg:
        ch = chr(b)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 < b < 0x7f:
            out.append(ch)
        elif b == 0x20:
            out.append(" ")
        else:
            out.append("\\x%02x" % b)
    return '"' + "".join(out) + '"'


def command_line(args, limit=400):
    """The command as one compat-file line (plain words bare, anything else quoted)."""
    words = [a.decode() if a and all(0x20 < b < 0x7f and b not in b"\"'\\" for b in a)
             else quote(a) for a in args]
    line = " ".join(words)
    return line if len(line) <= limit else line[:limit] + f"... ({len(line)} chars)"


def show_reply(r, limit=400):
    s = repr(r)
    return s if len(s) <= limit else s[:limit] + f"... ({len(r)} bytes)"


# ---------------------------------------------------------------------------- the generator

NUMBERS = [b"0", b"1", b"-1", b"  1", b"1 ", b"01", b"-0", b"+1", b"1e3", b"1.5", b"-2.5",
           b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808",
           b"-9223372036854775809", b"inf", b"-inf", b"+inf", b"nan", b"0x10", b"", b"abc",
           b"12345678901234567890", b"3.0e-5", b"1.7976931348623157e308", b"5e-324", b"9999",
           b"10000", b"0.1", b".5", b"5.", b"1e", b"\x001", b"1\x00", b"-", b"00", b"1.0",
           b"4611686018427387904", b"-4611686018427387904", b"100000000000000000000",
           b"0.30000000000000004", b"1e-400", b"1e400", b"17", b"-17", b"2147483648"]
# Members, fields and list elements: few enough that commands hit existing ones, integers
# (intsets, listpack integers) and strings mixed.
ELEMENTS = [b"a", b"b", b"c", b"d", b"1", b"2", b"10", b"-5", b"", b"3.5", b"x y"]


class Gen:
    """Random commands from one seed. Nothing here depends on the servers' replies, so the
    sequence for a seed is always the same."""

    def __init__(self, seed, start_s):
        self.r = random.Random(seed)
        self.i = 0  # index of the command being generated (1-based)
        self.queue = []  # commands that must follow the last one
        self.start_s = start_s
        self.keys = ([b"k%d" % i for i in range(22)] +
                     [b"", b"k\x00z", b"k\r\nv", b"\xff\xfe\x00", b"key with space", b"{t}k",
                      b"9", b"-1"])
        self.lcs_keys = [b"L1", b"L2", b"L3"]  # only ever short values: see lcs()
        self.table = [
            (12, self.set), (6, self.get), (2, self.getset), (2, self.getdel), (3, self.getex),
            (2, self.mset), (1, self.msetnx), (2, self.mget), (4, self.incr), (3, self.incrby),
            (3, self.incrbyfloat), (3, self.append), (2, self.strlen), (3, self.setrange),
            (3, self.getrange), (1, self.setnx), (1, self.setex), (2, self.lcs),
            (3, self.setbit), (2, self.getbit), (3, self.bitcount), (3, self.bitpos),
            (2, self.bitop), (3, self.delete), (3, self.exists), (2, self.type),
            (2, self.rename), (2, self.copy), (1, self.move), (1, self.swapdb),
            (2, self.select), (1, self.dbsize), (5, self.expire), (1, self.persist),
            (3, self.ttl), (2, self.object), (1, self.touch), (0.05, self.flushdb),
            (1, self.keys_cmd), (0.5, self.digest), (0.1, self.hello),
            # the aggregate types
            (6, self.lpush), (3, self.lpop), (3, self.lrange), (1, self.lindex),
            (1, self.lset), (1, self.linsert), (1, self.lrem), (1, self.lpos), (2, self.lmove),
            (1, self.lmpop), (2, self.llen), (5, self.hset), (3, self.hget), (2, self.hgetall),
            (2, self.hincr), (5, self.sadd), (2, self.sismember), (1, self.smembers),
            (3, self.setop), (1, self.smove), (6, self.zadd), (1, self.zincrby),
            (3, self.zscore), (2, self.zcount), (4, self.zrange), (1, self.zremrange),
            (2, self.zpop), (3, self.zsetop), (1, self.randmember), (2, self.sort),
            (2, self.zaddlex),
        ]
        self.total = sum(w for w, _ in self.table)

    # ---- pieces
    def pick(self, seq):
        return self.r.choice(seq)

    def key(self):
        return self.pick(self.keys)

    def case(self, word):
        """An option word in random letter case."""
        return bytes(b ^ 0x20 if 0x61 <= (b | 0x20) <= 0x7a and self.r.random() < 0.3 else b
                     for b in word)

    def value(self):
        r = self.r.random()
        if r < 0.003:
            return self.r.randbytes(self.r.randint(10_000, 100_000))
        if r < 0.35:
            return self.number()
        if r < 0.5:
            return self.r.randbytes(self.r.randint(0, 60))
        if r < 0.55:
            return bytes(self.pick(b"ab\x00\r\n\xff") for _ in range(self.r.randint(0, 8)))
        if r < 0.6:  # all ones or all zeros (BITPOS's not-found paths)
            return self.pick([b"\xff", b"\x00", b"\x80", b"\x7f"]) * self.r.randint(0, 20)
        if r < 0.68:  # around the embstr limit (44) and the int limit (20 digits)
            n = self.pick([19, 20, 21, 43, 44, 45, 46])
            return b"x" * n if self.r.random() < 0.5 else b"1" * n
        return bytes(self.pick(b"abcdefgh") for _ in range(self.r.randint(0, 12)))

    def number(self):
        r = self.r.random()
        if r < 0.3:
            return self.pick(NUMBERS)
        if r < 0.7:
            return b"%d" % self.r.randint(-1000, 1000)
        if r < 0.85:
            return b"%d" % self.r.randint(-(1 << 63), (1 << 63) - 1)
        return repr(self.r.uniform(-1e6, 1e6)).encode()

    def int_arg(self, lo, hi):
        """Mostly an integer in [lo, hi], sometimes an edge case or garbage."""
        r = self.r.random()
        if r < 0.9:
            return b"%d" % self.r.randint(lo, hi)
        return self.pick([b"-1", b"0", b"abc", b"", b"1.5", b" 1", b"9223372036854775807",
                          b"-9223372036854775808", b"9223372036854775808", b"+3", b"01"])

    def ttl_seconds(self):
        """A relative TTL in seconds. A positive one is far in the future and differs from any
        other command's by at least 1000 s (a multiple of the command index on one of three
        far-apart bases, going up or down), so comparing two TTLs (GT/LT) cannot depend on
        when either command ran. Otherwise: <= 0 (dies at once) or invalid."""
        r = self.r.random()
        if r < 0.85:
            base = self.pick([1_000_000_000, 3_000_000_000, 5_000_000_000])
            return base + self.pick([1, -1]) * self.i * 1000
        return self.pick([0, -1, -1000, -(1 << 62)])

    def abs_seconds(self):
        """An absolute unix time in seconds: on a grid between the relative ones, or past."""
        r = self.r.random()
        if r < 0.8:
            base = self.pick([2_000_000_000, 4_000_000_000])
            return self.start_s + base + self.pick([1, -1]) * self.i * 1000
        return self.pick([1, 0, -1, self.start_s - 100_000])

    def expire_arg(self, ms, absolute):
        r = self.r.random()
        if r < 0.05:
            return self.pick([b"abc", b"", b"1.5", b"9223372036854775807",
                              b"-9223372036854775808", b"9223372036854775", b"9223372036854776"])
        s = self.abs_seconds() if absolute else self.ttl_seconds()
        if ms and s > 1:  # sub-second noise only where it cannot make a TTL short
            return b"%d" % (s * 1000 + self.r.randint(0, 999))
        return b"%d" % (s * 1000 if ms else s)

    def maybe_unit(self):
        return [self.case(self.pick([b"BYTE", b"BIT", b"BYTE", b"BIT", b"WORD"]))] \
            if self.r.random() < 0.5 else []

    # ---- string commands
    def set(self):
        args = [self.case(b"SET"), self.key(), self.value()]
        for _ in range(self.pick([0, 0, 1, 1, 2, 3])):
            r = self.r.random()
            if r < 0.45:
                args.append(self.case(self.pick([b"NX", b"XX", b"GET", b"KEEPTTL"])))
            elif r < 0.9:
                word = self.pick([b"EX", b"PX", b"EXAT", b"PXAT"])
                args += [self.case(word), self.expire_arg(word in (b"PX", b"PXAT"),
                                                          word in (b"EXAT", b"PXAT"))]
            else:
                args.append(self.pick([b"FOO", b"PERSIST", b"EX", b"nx\x00", b"GETEX"]))
        return args

    def get(self):
        return [b"GET", self.key()]

    def getset(self):
        return [b"GETSET", self.key(), self.value()]

    def getdel(self):
        return [b"GETDEL", self.key()]

    def getex(self):
        args = [b"GETEX", self.key()]
        for _ in range(self.pick([0, 1, 1, 2])):
            r = self.r.random()
            if r < 0.7:
                word = self.pick([b"EX", b"PX", b"EXAT", b"PXAT"])
                args += [self.case(word), self.expire_arg(word in (b"PX", b"PXAT"),
                                                          word in (b"EXAT", b"PXAT"))]
            elif r < 0.9:
                args.append(self.case(b"PERSIST"))
            else:
                args.append(self.pick([b"NX", b"KEEPTTL", b"EX", b"GET"]))
        return args

    def mset(self):
        args = [self.pick([b"MSET", b"mset"])]
        for _ in range(self.r.randint(1, 4)):
            args += [self.key(), self.value()]
        return args

    def msetnx(self):
        return [b"MSETNX"] + self.mset()[1:]

    def mget(self):
        return [b"MGET"] + [self.key() for _ in range(self.r.randint(1, 5))]

    def incr(self):
        return [self.pick([b"INCR", b"DECR"]), self.key()]

    def incrby(self):
        return [self.pick([b"INCRBY", b"DECRBY"]), self.key(), self.number()]

    def incrbyfloat(self):
        return [b"INCRBYFLOAT", self.key(), self.number()]

    def append(self):
        return [b"APPEND", self.key(), self.value()]

    def strlen(self):
        return [b"STRLEN", self.key()]

    def setrange(self):
        val = self.value()[:2000]
        r = self.r.random()
        if r < 0.7:
            off = b"%d" % self.r.randint(0, 100)
        elif r < 0.9:
            off = b"%d" % self.r.randint(0, 60_000)
        else:  # errors, or an empty value at a huge offset (replies the length, no write)
            off = self.pick([b"-1", b"abc", b"536870911", b"536870912", b"9223372036854775807"])
            if off != b"-1" and self.r.random() < 0.5:
                val = b""
            elif len(val) < 2:  # never exactly 512 MB (allowed, but far too big for a test)
                val += b"zz"
        return [b"SETRANGE", self.key(), off, val]

    def range_arg(self):
        r = self.r.random()
        if r < 0.9:
            return b"%d" % self.r.randint(-100, 100)
        return self.pick([b"-9223372036854775808", b"9223372036854775807", b"x", b"0",
                          b"-1", b"100000"])

    def getrange(self):
        return [self.pick([b"GETRANGE", b"SUBSTR"]), self.key(), self.range_arg(),
                self.range_arg()]

    def setnx(self):
        return [b"SETNX", self.key(), self.value()]

    def setex(self):
        if self.r.random() < 0.5:
            return [b"SETEX", self.key(), self.expire_arg(False, False), self.value()]
        return [b"PSETEX", self.key(), self.expire_arg(True, False), self.value()]

    def lcs(self):
        """LCS, or a write that keeps its three keys short (small alphabet: real matches)."""
        k = self.pick(self.lcs_keys)
        short = bytes(self.pick(b"abcd") for _ in range(self.r.randint(0, 30)))
        r = self.r.random()
        if r < 0.25:
            return [b"SET", k, short]
        if r < 0.35:
            return [b"APPEND", k, short[:5]]
        args = [b"LCS", self.pick(self.lcs_keys + [b"nokey"]), self.pick(self.lcs_keys)]
        for _ in range(self.pick([0, 1, 1, 2, 3])):
            w = self.pick([b"LEN", b"IDX", b"IDX", b"WITHMATCHLEN", b"MINMATCHLEN",
                           b"MINMATCHLEN", b"BAD"])
            args.append(self.case(w))
            if w == b"MINMATCHLEN":
                args.append(self.pick([b"0", b"1", b"2", b"3", b"-1", b"x"]))
        return args

    def bit_offset(self, big_ok):
        r = self.r.random()
        if r < 0.7:
            return b"%d" % self.r.randint(0, 800)
        if r < 0.9:
            return b"%d" % self.r.randint(0, 64 * 1024 * 8 - 1)
        edge = [b"-1", b"x", b"4294967296", b"1.0"]
        if big_ok:  # GETBIT reads past the end without growing anything
            edge += [b"4294967295", b"9223372036854775807"]
        return self.pick(edge)

    def setbit(self):
        return [b"SETBIT", self.key(), self.bit_offset(False),
                self.pick([b"0", b"1"] * 5 + [b"2", b"-1", b"a", b" 1"])]

    def getbit(self):
        return [b"GETBIT", self.key(), self.bit_offset(True)]

    def bitcount(self):
        args = [b"BITCOUNT", self.key()]
        if self.r.random() < 0.7:
            args += [self.range_arg(), self.range_arg()] + self.maybe_unit()
        elif self.r.random() < 0.3:
            args.append(self.range_arg())  # start without end: syntax error
        return args

    def bitpos(self):
        args = [b"BITPOS", self.key(), self.pick([b"0", b"1"] * 4 + [b"2", b"x"])]
        n = self.pick([0, 1, 2, 2])
        args += [self.range_arg() for _ in range(n)]
        if n == 2:
            args += self.maybe_unit()
        return args

    def bitop(self):
        op = self.case(self.pick([b"AND", b"OR", b"XOR", b"NOT", b"NOT", b"NAND"]))
        n = 1 if op.upper() == b"NOT" and self.r.random() < 0.8 else self.r.randint(1, 4)
        return [b"BITOP", op, self.key()] + [self.key() for _ in range(n)]

    # ---- keyspace commands
    def delete(self):
        return [self.pick([b"DEL", b"UNLINK"])] + [self.key() for _ in range(self.r.randint(1, 4))]

    def exists(self):
        return [b"EXISTS"] + [self.key() for _ in range(self.r.randint(1, 4))]

    def type(self):
        return [b"TYPE", self.key()]

    def db_arg(self):
        r = self.r.random()
        if r < 0.9:
            return b"%d" % self.r.randint(0, NUM_DBS - 1)
        return self.pick([b"-1", b"16", b"x", b"", b"99999999999"])

    def rename(self):
        return [self.pick([b"RENAME", b"RENAMENX"]), self.key(), self.key()]

    def copy(self):
        args = [b"COPY", self.key(), self.key()]
        for _ in range(self.pick([0, 1, 1, 2, 3])):
            r = self.r.random()
            if r < 0.45:
                args += [self.case(b"DB"), self.db_arg()]
            elif r < 0.9:
                args.append(self.case(b"REPLACE"))
            else:
                args.append(self.pick([b"DB", b"FOO"]))
        return args

    def move(self):
        return [b"MOVE", self.key(), self.db_arg()]

    def swapdb(self):
        return [b"SWAPDB", self.db_arg(), self.db_arg()]

    def select(self):
        return [b"SELECT", self.db_arg()]

    def dbsize(self):
        return [b"DBSIZE"]

    def expire(self):
        name = self.pick([b"EXPIRE", b"PEXPIRE", b"EXPIREAT", b"PEXPIREAT"])
        args = [name, self.key(), self.expire_arg(name.startswith(b"P"), name.endswith(b"AT"))]
        for _ in range(self.pick([0, 0, 1, 1, 2])):
            args.append(self.case(self.pick([b"NX", b"XX", b"GT", b"LT", b"NX", b"XX", b"GT",
                                             b"LT", b"FOO"])))
        return args

    def persist(self):
        return [b"PERSIST", self.key()]

    def ttl(self):
        return [self.pick([b"TTL", b"PTTL", b"EXPIRETIME", b"PEXPIRETIME"]), self.key()]

    def object(self):
        return [b"OBJECT", self.case(self.pick([b"ENCODING", b"ENCODING", b"REFCOUNT"])),
                self.key()]

    def keys_cmd(self):
        """KEYS with a random glob (its order is the server's: compared sorted)."""
        pat = b"".join(self.pick([b"*", b"?", b"k", b"1", b"[0-3]", b"[^k]", b"[a-z]*", b"\\*",
                                  b"\\", b"[", b"]", b"\x00", b"{t}", b"[!0]", b"v", b"-"])
                       for _ in range(self.r.randint(0, 4)))
        return [b"KEYS", pat]

    def digest(self):
        """DEBUG DIGEST-VALUE: Vigil follows Redis's digest scheme."""
        return [b"DEBUG", b"DIGEST-VALUE"] + [self.key() for _ in range(self.r.randint(0, 2))]

    def hello(self):
        """Switch the protocol (HELLO 2/3): every later reply is compared in that form."""
        return [b"HELLO", self.pick([b"2", b"3", b"3", b"4"])]

    def touch(self):
        return [b"TOUCH"] + [self.key() for _ in range(self.r.randint(1, 3))]

    def flushdb(self):
        return [b"FLUSHDB"] + ([self.pick([b"ASYNC", b"SYNC", b"FOO"])]
                               if self.r.random() < 0.3 else [])

    # ---- the aggregate types (lists, hashes, sets, sorted sets) on the same keys, so every
    # command also meets keys of the other types (WRONGTYPE paths)
    def tkey(self, kind):
        """Mostly one of a type's own keys (so commands find values of their type), else any
        key (WRONGTYPE paths)."""
        if self.r.random() < 0.8:
            return kind + b"%d" % self.r.randint(0, 5)
        return self.key()

    def elem(self):
        r = self.r.random()
        if r < 0.85:
            return self.pick(ELEMENTS)
        if r < 0.95:  # past the listpack value limits (64 bytes): conversions
            return b"e" * self.pick([63, 64, 65, 200])
        return self.value()

    def elems(self, lo=1, hi=4):
        return [self.elem() for _ in range(self.r.randint(lo, hi))]

    def index(self):
        return self.int_arg(-12, 12)

    def lpush(self):
        return [self.pick([b"LPUSH", b"RPUSH", b"LPUSHX", b"RPUSHX"]), self.tkey(b"l")] + self.elems()

    def lpop(self):
        cmd = [self.pick([b"LPOP", b"RPOP"]), self.tkey(b"l")]
        return cmd + ([self.int_arg(0, 5)] if self.r.random() < 0.5 else [])

    def lrange(self):
        return [self.pick([b"LRANGE", b"LTRIM"]), self.tkey(b"l"), self.index(), self.index()]

    def lindex(self):
        return [b"LINDEX", self.tkey(b"l"), self.index()]

    def lset(self):
        return [b"LSET", self.tkey(b"l"), self.index(), self.elem()]

    def linsert(self):
        return [b"LINSERT", self.tkey(b"l"), self.case(self.pick([b"BEFORE", b"AFTER", b"ABOUT"])),
                self.elem(), self.elem()]

    def lrem(self):
        return [b"LREM", self.tkey(b"l"), self.int_arg(-3, 3), self.elem()]

    def lpos(self):
        args = [b"LPOS", self.tkey(b"l"), self.elem()]
        for opt in (b"RANK", b"COUNT", b"MAXLEN"):
            if self.r.random() < 0.4:
                args += [opt, self.int_arg(-3, 5)]
        return args

    def lmove(self):
        if self.r.random() < 0.3:
            return [b"RPOPLPUSH", self.tkey(b"l"), self.tkey(b"l")]
        return [b"LMOVE", self.tkey(b"l"), self.tkey(b"l"), self.pick([b"LEFT", b"RIGHT"]),
                self.pick([b"LEFT", b"RIGHT", b"UP"])]

    def lmpop(self):
        keys = [self.tkey(b"l") for _ in range(self.r.randint(1, 3))]
        args = [b"LMPOP", self.int_arg(len(keys), len(keys))] + keys
        args.append(self.pick([b"LEFT", b"RIGHT", b"MIDDLE"]))
        return args + ([b"COUNT", self.int_arg(0, 4)] if self.r.random() < 0.5 else [])

    def llen(self):
        return [self.pick([b"LLEN", b"SCARD", b"HLEN", b"ZCARD"]),
                self.tkey(self.pick([b"l", b"s", b"h", b"z"]))]

    def hset(self):
        args = [self.pick([b"HSET", b"HMSET", b"HSET", b"HSETNX"]), self.tkey(b"h")]
        n = 1 if args[0] == b"HSETNX" else self.r.randint(1, 3)
        for _ in range(n):
            args += [self.elem(), self.elem()]
        return args

    def hget(self):
        if self.r.random() < 0.5:
            return [self.pick([b"HGET", b"HEXISTS", b"HSTRLEN"]), self.tkey(b"h"), self.elem()]
        return [self.pick([b"HMGET", b"HDEL"]), self.tkey(b"h")] + self.elems()

    def hgetall(self):
        return [self.pick([b"HGETALL", b"HKEYS", b"HVALS"]), self.tkey(b"h")]

    def hincr(self):
        if self.r.random() < 0.6:
            return [b"HINCRBY", self.tkey(b"h"), self.elem(), self.int_arg(-100, 100)]
        return [b"HINCRBYFLOAT", self.tkey(b"h"), self.elem(), self.number()]

    def sadd(self):
        return [self.pick([b"SADD", b"SADD", b"SREM"]), self.tkey(b"s")] + self.elems()

    def sismember(self):
        if self.r.random() < 0.5:
            return [b"SISMEMBER", self.tkey(b"s"), self.elem()]
        return [b"SMISMEMBER", self.tkey(b"s")] + self.elems()

    def smembers(self):
        return [b"SMEMBERS", self.tkey(b"s")]

    def setop(self):
        keys = [self.tkey(b"s") for _ in range(self.r.randint(1, 3))]
        op = self.pick([b"SINTER", b"SUNION", b"SDIFF"])
        if self.r.random() < 0.4:
            return [op + b"STORE", self.tkey(b"s")] + keys
        if self.r.random() < 0.2:
            args = [b"SINTERCARD", b"%d" % len(keys)] + keys
            return args + ([b"LIMIT", self.int_arg(0, 3)] if self.r.random() < 0.5 else [])
        return [op] + keys

    def smove(self):
        return [b"SMOVE", self.tkey(b"s"), self.tkey(b"s"), self.elem()]

    def score(self):
        r = self.r.random()
        if r < 0.5:
            return b"%d" % self.r.randint(-5, 5)
        if r < 0.8:
            return self.pick([b"1.5", b"-0.25", b"0.1", b"1e3", b"3.0", b"-0"])
        return self.pick([b"inf", b"-inf", b"+inf", b"nan", b"abc", b"", b"(1"])

    def score_bound(self):
        b = self.score()
        return b"(" + b if self.r.random() < 0.3 and not b.startswith(b"(") else b

    def lex_bound(self):
        return self.pick([b"-", b"+", b"[a", b"(a", b"[c", b"(b", b"[", b"a", b"[1"])

    def lex_key(self):
        """Lex ranges are only defined when every member has the same score (Redis's answer
        over mixed scores depends on its skiplist's random levels): they read keys only
        zaddlex writes, always with score 0."""
        return b"x%d" % self.r.randint(0, 2)

    def zaddlex(self):
        args = [b"ZADD", self.lex_key()]
        for _ in range(self.r.randint(1, 4)):
            args += [b"0", self.elem()]
        return args

    def zadd(self):
        args = [b"ZADD", self.tkey(b"z")]
        for opt in (b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR"):
            if self.r.random() < 0.1:
                args.append(self.case(opt))
        for _ in range(self.r.randint(1, 3)):
            args += [self.score(), self.elem()]
        return args

    def zincrby(self):
        return [b"ZINCRBY", self.tkey(b"z"), self.score(), self.elem()]

    def zscore(self):
        if self.r.random() < 0.6:
            return [self.pick([b"ZSCORE", b"ZRANK", b"ZREVRANK"]), self.tkey(b"z"), self.elem()]
        return [self.pick([b"ZMSCORE", b"ZREM"]), self.tkey(b"z")] + self.elems()

    def zcount(self):
        if self.r.random() < 0.5:
            return [b"ZCOUNT", self.tkey(b"z"), self.score_bound(), self.score_bound()]
        return [b"ZLEXCOUNT", self.lex_key(), self.lex_bound(), self.lex_bound()]

    def zrange(self):
        k = self.tkey(b"z")
        r = self.r.random()
        if r < 0.3:
            args = [b"ZRANGE", k, self.index(), self.index()]
        elif r < 0.5:
            args = [b"ZRANGE", k, self.score_bound(), self.score_bound(), b"BYSCORE"]
        elif r < 0.6:
            args = [b"ZRANGE", self.lex_key(), self.lex_bound(), self.lex_bound(), b"BYLEX"]
        elif r < 0.7:
            args = [self.pick([b"ZRANGEBYSCORE", b"ZREVRANGEBYSCORE"]), k,
                    self.score_bound(), self.score_bound()]
        elif r < 0.8:
            args = [self.pick([b"ZRANGEBYLEX", b"ZREVRANGEBYLEX"]), self.lex_key(),
                    self.lex_bound(), self.lex_bound()]
        elif r < 0.9:
            args = [b"ZREVRANGE", k, self.index(), self.index()]
        else:
            args = [b"ZRANGESTORE", self.tkey(b"z"), k, self.index(), self.index()]
        if self.r.random() < 0.2 and args[0] in (b"ZRANGE", b"ZRANGESTORE"):
            args.append(b"REV")
        if self.r.random() < 0.2:
            args += [b"LIMIT", self.int_arg(-1, 3), self.int_arg(-1, 3)]
        if self.r.random() < 0.4 and args[0] != b"ZRANGESTORE":
            args.append(self.case(b"WITHSCORES"))
        return args

    def zremrange(self):
        k = self.tkey(b"z")
        r = self.r.random()
        if r < 0.4:
            return [b"ZREMRANGEBYRANK", k, self.index(), self.index()]
        if r < 0.7:
            return [b"ZREMRANGEBYSCORE", k, self.score_bound(), self.score_bound()]
        return [b"ZREMRANGEBYLEX", self.lex_key(), self.lex_bound(), self.lex_bound()]

    def zpop(self):
        if self.r.random() < 0.7:
            cmd = [self.pick([b"ZPOPMIN", b"ZPOPMAX"]), self.tkey(b"z")]
            return cmd + ([self.int_arg(0, 4)] if self.r.random() < 0.5 else [])
        keys = [self.tkey(b"z") for _ in range(self.r.randint(1, 3))]
        args = [b"ZMPOP", self.int_arg(len(keys), len(keys))] + keys
        args.append(self.pick([b"MIN", b"MAX", b"MID"]))
        return args + ([b"COUNT", self.int_arg(0, 4)] if self.r.random() < 0.5 else [])

    def zsetop(self):
        keys = [self.tkey(self.pick([b"z", b"z", b"s"])) for _ in range(self.r.randint(1, 3))]
        op = self.pick([b"ZUNION", b"ZINTER", b"ZDIFF"])
        store = self.r.random() < 0.4
        args = ([op + b"STORE", self.tkey(self.pick([b"z", b"z", b"s"]))] if store else [op]) + [b"%d" % len(keys)] + keys
        if op != b"ZDIFF" and self.r.random() < 0.3:
            args += [b"WEIGHTS"] + [self.pick([b"1", b"2", b"-1", b"0.5", b"inf", b"x"])
                                    for _ in keys]
        if op != b"ZDIFF" and self.r.random() < 0.3:
            args += [b"AGGREGATE", self.pick([b"SUM", b"MIN", b"MAX", b"AVG"])]
        if not store and self.r.random() < 0.4:
            args.append(b"WITHSCORES")
        if self.r.random() < 0.1:
            args = [b"ZINTERCARD", b"%d" % len(keys)] + keys
        return args

    def randmember(self):
        """Random picks: compared by shape only (see RANDOM_REPLIES)."""
        cmd = self.pick([b"SRANDMEMBER", b"HRANDFIELD", b"ZRANDMEMBER"])
        k = self.tkey(cmd[:1].lower())
        if self.r.random() < 0.3:
            return [cmd, k]
        # never a huge negative count: both servers would build a reply of that many picks
        count = b"%d" % self.r.randint(-5, 5) if self.r.random() < 0.9 else \
            self.pick([b"abc", b"1.5", b"", b"9223372036854775807"])
        args = [cmd, k, count]
        if cmd != b"SRANDMEMBER" and self.r.random() < 0.3:
            args.append(b"WITHVALUES" if cmd == b"HRANDFIELD" else b"WITHSCORES")
        return args

    def sort(self):
        args = [self.pick([b"SORT", b"SORT_RO"]), self.tkey(self.pick([b"l", b"s", b"z"]))]
        if self.r.random() < 0.5:
            args.append(b"ALPHA")
        if self.r.random() < 0.3:
            args.append(self.pick([b"ASC", b"DESC"]))
        if self.r.random() < 0.3:
            args += [b"LIMIT", self.int_arg(-1, 3), self.int_arg(-1, 5)]
        if args[0] == b"SORT" and self.r.random() < 0.2:
            args += [b"STORE", self.tkey(b"l")]
        return args

    def wrong_arity(self, args):
        """The same command with arguments cut off or added."""
        if self.r.random() < 0.5 and len(args) > 1:
            return args[:self.r.randint(1, len(args) - 1)]
        extra = [self.value()[:20] for _ in range(self.r.randint(1, 3))]
        return args + extra

    def next(self):
        self.i += 1
        if self.queue:
            return self.queue.pop(0)
        x = self.r.random() * self.total
        for w, fn in self.table:
            x -= w
            if x < 0:
                break
        args = fn()
        if self.queue:  # a preparation for the queued command: send it as it is
            return args
        # (not the random picks: an added argument may be a huge negative count)
        if self.r.random() < 0.02 and args[0].lower() not in RANDOM_REPLIES:
            args = self.wrong_arity(args)
        if self.r.random() < 0.05:
            args[0] = self.case(args[0].lower())
        return args


# ---------------------------------------------------------------------------- comparison

# Replies that depend on when a command ran: integers compared with a tolerance (only when
# both are >= 0, so -1 "no TTL" and -2 "no key" must match exactly), in ms per unit.
TIME_REPLY_UNIT_MS = {b"ttl": 1000, b"pttl": 1, b"expiretime": 1000, b"pexpiretime": 1}


def time_tolerance(unit_ms, slack_ms):
    """How far apart two servers' TTL-like replies may be. The same command runs on both
    servers within one batch, so they disagree on "now" by at most the batch's duration;
    a TTL read back mixes two such moments (set, read). Plus one unit for rounding."""
    return 1 + int(2 * slack_ms) // unit_ms if unit_ms > 1 else 1000 + int(2 * slack_ms)


def sorted_array(r):
    """An array, set or map reply with its elements sorted (KEYS, SMEMBERS, HGETALL: a map's
    keys and values are sorted together, which is enough to tell contents apart); other
    replies unchanged."""
    if not r.startswith((b"*", b"~", b"%")):
        return r
    p, items = r.index(b"\r\n") + 2, []
    while p < len(r):
        e = reply_end(r, p)
        items.append(r[p:e])
        p = e
    return r[:r.index(b"\r\n") + 2] + b"".join(sorted(items))


def hello_shape(r):
    """HELLO's reply carries the client id and the server's version: compare its type, the
    map's keys, the proto value and the types of the other values (errors exactly)."""
    if r.startswith(b"-"):
        return r
    p, items = r.index(b"\r\n") + 2, []
    while p < len(r):
        e = reply_end(r, p)
        items.append(r[p:e])
        p = e
    pairs = zip(items[0::2], items[1::2])
    return r[:1] + b"|".join(k + (v if k.endswith(b"proto\r\n") else v[:1]) for k, v in pairs)


# Replies whose element order is the encoding's (hashtables differ between the servers,
# and Vigil keeps small sets of strings in a listpack where Redis 7.0 uses a hashtable).
UNORDERED_REPLIES = {b"keys", b"smembers", b"sinter", b"sunion", b"sdiff", b"hkeys", b"hvals",
                     b"hgetall"}
LISTPACK_REPLY, HASHTABLE_REPLY = b"$8\r\nlistpack\r\n", b"$9\r\nhashtable\r\n"
# Random picks: only the reply's type and element count must agree.
RANDOM_REPLIES = {b"srandmember", b"hrandfield", b"zrandmember"}


def random_shape(r):
    if r.startswith((b"*", b"~", b"%")):
        return r[:r.index(b"\r\n")]
    if r.startswith((b"$-1", b"_", b"-")):
        return r
    return r[:1]


def replies_match(args, a, b, slack_ms):
    if a == b:
        return True
    name = args[0].lower()
    if name in UNORDERED_REPLIES:
        return sorted_array(a) == sorted_array(b)
    if name in RANDOM_REPLIES:
        return random_shape(a) == random_shape(b)
    if name == b"object" and (a, b) == (LISTPACK_REPLY, HASHTABLE_REPLY):
        return True  # a small set of strings (checked strictly by check_dataset)
    if name == b"hello":
        return hello_shape(a) == hello_shape(b)
    unit = TIME_REPLY_UNIT_MS.get(name) if len(args) == 2 else None
    ia, ib = reply_int(a), reply_int(b)
    return unit is not None and ia is not None and ib is not None and ia >= 0 and ib >= 0 \
        and abs(ia - ib) <= time_tolerance(unit, slack_ms)


class Mismatch(Exception):
    pass


class Differ:
    def __init__(self, vigil, redis, seed):
        self.v, self.rd = vigil, redis
        self.seed = seed
        self.history = []  # (index, args)
        self.db = 0  # the connections' selected db (SELECT in the sequence changes it)
        self.count = 0
        self.stats = {}  # command name -> [sent, error replies] (DIFF_VERBOSE=1 prints it)
        self.slack_ms = 0.0  # the longest batch so far (see time_tolerance)

    def exchange(self, payload, count):
        t0 = time.monotonic()
        replies = exchange([self.v, self.rd], payload, count)
        self.slack_ms = max(self.slack_ms, (time.monotonic() - t0) * 1000)
        return replies

    def fail(self, what, index, args, a, b):
        lines = [f"MISMATCH ({what}) seed {self.seed} command #{index}",
                 f"  command: {command_line(args)}",
                 f"  vigil:   {show_reply(a)}",
                 f"  redis:   {show_reply(b)}",
                 f"  (longest batch so far {self.slack_ms:.0f} ms)",
                 "  last commands (compat-file syntax):"]
        lines += [f"    #{i}: {command_line(cmd)}" for i, cmd in self.history[-20:]]
        raise Mismatch("\n".join(lines))

    def run_batch(self, batch):
        payload = b"".join(encode(args) for _, args in batch)
        rv, rr = self.exchange(payload, len(batch))
        for (index, args), a, b in zip(batch, rv, rr):
            self.history.append((index, args))
            self.count += 1
            st = self.stats.setdefault(args[0].upper().decode(), [0, 0])
            st[0] += 1
            st[1] += a.startswith(b"-")
            if not replies_match(args, a, b, self.slack_ms):
                self.fail("reply", index, args, a, b)
            if args[0].upper() == b"SELECT" and a == b"+OK\r\n":
                self.db = int(args[1])
        del self.history[:-20]

    def scan_keys(self, conn):
        keys, cursor = set(), b"0"
        for _ in range(SCAN_MAX_ROUNDS):
            r = call(conn, b"SCAN", cursor, b"COUNT", b"100")
            # *2 $n cursor *k ($len key)... : parse with the framer
            p = r.index(b"\r\n") + 2
            end = reply_end(r, p)
            cursor = r[p:end].split(b"\r\n")[1]
            p = end
            n = int(r[p + 1:r.index(b"\r\n", p)])
            p = r.index(b"\r\n", p) + 2
            for _ in range(n):
                e = reply_end(r, p)
                hdr = r.index(b"\r\n", p)
                keys.add(r[hdr + 2:e - 2])
                p = e
            if cursor == b"0":
                return sorted(keys)
        raise RuntimeError(f"{conn.name}: SCAN did not finish in {SCAN_MAX_ROUNDS} rounds")

    def check_dataset(self, index):
        """Compare every key of every db used: names, TYPE, value, encoding, TTL."""
        for db in range(NUM_DBS):
            sel = [b"SELECT", b"%d" % db]
            exchange([self.v, self.rd], encode(sel), 1)
            kv, kr = self.scan_keys(self.v), self.scan_keys(self.rd)
            if kv != kr:
                only_v = sorted(set(kv) - set(kr))[:10]
                only_r = sorted(set(kr) - set(kv))[:10]
                self.fail(f"dataset db {db}: keys only in vigil {only_v}, only in redis "
                          f"{only_r}", index, sel, repr(kv).encode(), repr(kr).encode())
            batch = []
            for k in kv:
                batch += [[b"TYPE", k], [b"GET", k], [b"OBJECT", b"ENCODING", k], [b"PTTL", k]]
            if batch:
                payload = b"".join(encode(a) for a in batch)
                rv, rr = self.exchange(payload, len(batch))
                key_type = None
                for args, a, b in zip(batch, rv, rr):
                    if args[0] == b"TYPE":
                        key_type = a
                    if args[0] == b"OBJECT" and key_type == b"+set\r\n" and \
                            (a, b) == (LISTPACK_REPLY, HASHTABLE_REPLY):
                        continue  # Redis 7.0 has no listpack sets
                    if a != b and not (args[0] == b"PTTL" and
                                       replies_match(args, a, b, self.slack_ms)):
                        self.fail(f"dataset db {db}", index, args, a, b)
        # SCAN removed the logically expired keys on both sides: the digests must agree
        cmd = [b"DEBUG", b"DIGEST"]
        rv, rr = self.exchange(encode(cmd), 1)
        if rv != rr:
            self.fail("dataset digest", index, cmd, rv[0], rr[0])
        exchange([self.v, self.rd], encode([b"SELECT", b"%d" % self.db]), 1)


# ---------------------------------------------------------------------------- main


def env_int(name, default):
    return int(os.environ.get(name, default))


def run(differ, gen, n, batch_size, check_every, dump):
    batch = []
    for i in range(1, n + 1):
        args = gen.next()
        if dump:
            dump.write(command_line(args, limit=1 << 30) + "\n")
        batch.append((i, args))
        if len(batch) == batch_size or i == n or i % check_every == 0:
            differ.run_batch(batch)
            batch = []
        if i % check_every == 0 or i == n:
            differ.check_dataset(i)


def main():
    vigil_bin = vigil_binary()
    redis_bin = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
    seed = env_int("DIFF_SEED", 1)
    n = env_int("DIFF_COMMANDS", 20000)
    batch_size = env_int("DIFF_BATCH", 100)
    check_every = env_int("DIFF_CHECK_EVERY", 2000)
    dump_path = os.environ.get("DIFF_DUMP")
    print(f"seed {seed}, {n} commands, batches of {batch_size}, dataset check every "
          f"{check_every}")

    t0 = time.monotonic()
    servers, conns, failures = [], [], []
    dump = open(dump_path, "w") if dump_path else None
    try:
        extra = ("--enable-debug-command", "yes")
        servers.append(Server(vigil_bin, extra))
        servers.append(Server(redis_bin, extra))
        conns = [Conn("vigil", servers[0].port), Conn("redis", servers[1].port)]
        for c in conns:
            r = call(c, b"DEBUG", b"SET-ACTIVE-EXPIRE", b"0")
            if r != b"+OK\r\n":
                raise RuntimeError(f"{c.name}: DEBUG SET-ACTIVE-EXPIRE 0 replied {r!r}")
        # The TTL grids are anchored on a start time both servers share (whole seconds).
        gen = Gen(seed, int(time.time()))
        differ = Differ(conns[0], conns[1], seed)
        try:
            run(differ, gen, n, batch_size, check_every, dump)
        except Mismatch as e:
            print(e)
            failures.append("mismatch")
        except (RuntimeError, OSError, ValueError) as e:
            print(f"FAIL after {differ.count} commands (seed {seed}): {e}")
            for i, cmd in differ.history[-20:]:
                print(f"    #{i}: {command_line(cmd)}")
            failures.append(str(e))
        if servers[0].proc.poll() is not None:
            failures.append(f"vigil-server exited (status {servers[0].proc.returncode})")
        print(f"{differ.count} commands compared")
        if os.environ.get("DIFF_VERBOSE", "0") != "0":
            print(f"  longest batch {differ.slack_ms:.0f} ms")
            print("  " + ", ".join(f"{name} {n} ({e} err)"
                                   for name, (n, e) in sorted(differ.stats.items())))
    finally:
        for c in conns:
            c.close()
        for s in servers:
            failures += [f"{os.path.basename(s.binary)}: {p}" for p in s.stop()]
        if dump:
            dump.close()
    print(f"{time.monotonic() - t0:.1f} s, " +
          (f"{len(failures)} failures: {', '.join(failures)}" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
