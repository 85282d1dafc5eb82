#!/usr/bin/python3
"""test_blocking.py - BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP actually blocking.

Each check is a scenario with several connections: the replies every connection gets are
recorded in order and asserted; when REDIS_SERVER is set the same scenario runs on
redis-server and the recordings must be identical.

  fifo               three clients blocked on one key are served in arrival order, one
                     element each; the others stay blocked
  push_many          RPUSH of three elements serves two waiting clients in order, one stays
  several_keys       a client waiting on k1 k2 k3 is served by whichever gets a value
  timeout            0.1 s timeouts: null array (BLPOP, BLMPOP), null bulk (BLMOVE), RESP3 _
  disconnect         a blocked client that goes away leaves nothing behind
  client_unblock     CLIENT UNBLOCK TIMEOUT and ERROR, and 0 for a client not blocked
  multi_exec         pushes inside MULTI/EXEC serve the waiter after the EXEC
  blmove_chain       A waits on k1 moving to k2, B waits on k2: one push serves both
  blmpop_count       a waiting BLMPOP COUNT 2 takes two elements of a three-element push
  rotation           BRPOPLPUSH k k served by a push
  pipelined          a command pipelined after BLPOP runs once the BLPOP is served
  pause_write        a push held by CLIENT PAUSE WRITE serves the waiter once unpaused
  swapdb             SWAPDB bringing a list under the awaited key serves the waiter
  blmove_bad_dest    a BLMOVE served into a string destination gets WRONGTYPE; the element
                     goes to the next waiter
  two_ready_keys     both keys of two waiters become ready in one EXEC
  wrongtype          WRONGTYPE at once when the key holds a string
  stats              a served BLPOP counts once in commandstats; CLIENT LIST flags=b;
                     INFO blocked_clients

Every socket has a timeout, so a server that never answers fails the check instead of
hanging. Run: VIGIL_SERVER=build/bin/vigil-server [REDIS_SERVER=/usr/bin/redis-server] \
     /usr/bin/python3 tests/integration/test_blocking.py
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    Server, call, cmd, connect, read_reply, run_checks, wait_until, vigil_binary)


def info_field(c, section, field):
    raw = call(c, "INFO", section).decode()
    m = re.search(r"^%s:(.*?)\r$" % re.escape(field), raw, re.M)
    return m.group(1) if m else None


def blocked_count(c):
    return int(info_field(c, "clients", "blocked_clients"))


class Scenario:
    """A fresh server, a control connection `p`, and a log of (who, reply) pairs."""

    def __init__(self, binary):
        self.srv = Server(binary)
        self.p = connect(self.srv.port)
        self.log = []
        self.conns = []

    def client(self):
        s = connect(self.srv.port)
        self.conns.append(s)
        return s

    def block(self, s, *args, n):
        """Send a blocking command on s and wait until n clients are blocked."""
        s.sendall(cmd(*args))
        assert wait_until(lambda: blocked_count(self.p) == n, 5), f"{args} did not block"

    def rec(self, who, reply):
        self.log.append((who, reply))
        return reply

    def close(self):
        for s in self.conns:
            s.close()
        self.p.close()
        problems = self.srv.stop()
        assert not problems, problems


def sc_fifo(sc):
    a, b, c = sc.client(), sc.client(), sc.client()
    sc.block(a, "BLPOP", "k", "0", n=1)
    sc.block(b, "BLPOP", "k", "0", n=2)
    sc.block(c, "BRPOP", "k", "0", n=3)
    sc.rec("p", call(sc.p, "RPUSH", "k", "x"))
    sc.rec("a", read_reply(a))
    assert wait_until(lambda: blocked_count(sc.p) == 2, 5)
    sc.rec("p", call(sc.p, "LPUSH", "k", "y"))
    sc.rec("b", read_reply(b))
    sc.rec("p", call(sc.p, "RPUSH", "k", "z"))
    sc.rec("c", read_reply(c))
    sc.rec("p", call(sc.p, "EXISTS", "k"))
    sc.rec("p", str(blocked_count(sc.p)).encode())


def sc_push_many(sc):
    a, b, c = sc.client(), sc.client(), sc.client()
    sc.block(a, "BLPOP", "k", "0", n=1)
    sc.block(b, "BRPOP", "k", "0", n=2)
    sc.block(c, "BLPOP", "other", "k", "0", n=3)
    sc.rec("p", call(sc.p, "RPUSH", "k", "1", "2", "3", "4", "5"))
    sc.rec("a", read_reply(a))
    sc.rec("b", read_reply(b))
    sc.rec("c", read_reply(c))
    sc.rec("p", call(sc.p, "LRANGE", "k", "0", "-1"))


def sc_several_keys(sc):
    a = sc.client()
    sc.block(a, "BLPOP", "k1", "k2", "k3", "0", n=1)
    sc.rec("p", call(sc.p, "RPUSH", "k2", "x"))
    sc.rec("a", read_reply(a))
    sc.rec("p", call(sc.p, "RPUSH", "k3", "z"))
    sc.rec("p", call(sc.p, "RPUSH", "k1", "y"))
    sc.rec("a", call(a, "BLPOP", "k1", "k2", "k3", "0"))
    sc.rec("a", call(a, "BLPOP", "k1", "k2", "k3", "0"))


def sc_timeout(sc):
    a = sc.client()
    for args in (("BLPOP", "k", "0.1"), ("BRPOP", "k", "k2", "0.1"),
                 ("BLMPOP", "0.1", "2", "k", "k2", "LEFT", "COUNT", "3"),
                 ("BLMOVE", "k", "d", "LEFT", "RIGHT", "0.1"), ("BRPOPLPUSH", "k", "d", "0.1")):
        t0 = time.monotonic()
        sc.rec("a", call(a, *args))
        took = time.monotonic() - t0
        assert 0.08 <= took < 3, (args, took)
    call(a, "HELLO", "3")
    sc.rec("a", call(a, "BLPOP", "k", "0.05"))
    sc.rec("a", call(a, "BLMOVE", "k", "d", "LEFT", "RIGHT", "0.05"))
    sc.rec("p", str(blocked_count(sc.p)).encode())


def sc_disconnect(sc):
    a, b = sc.client(), sc.client()
    sc.block(a, "BLPOP", "k", "0", n=1)
    sc.block(b, "BLMOVE", "k", "d", "LEFT", "LEFT", "0", n=2)
    a.close()
    b.close()
    assert wait_until(lambda: blocked_count(sc.p) == 0, 5)
    sc.rec("p", call(sc.p, "RPUSH", "k", "x"))
    sc.rec("p", call(sc.p, "LRANGE", "k", "0", "-1"))
    sc.rec("p", call(sc.p, "EXISTS", "d"))


def sc_client_unblock(sc):
    a = sc.client()
    aid = int(call(a, "CLIENT", "ID")[1:-2])
    sc.block(a, "BLPOP", "k", "0", n=1)
    sc.rec("p", call(sc.p, "CLIENT", "UNBLOCK", str(aid)))
    sc.rec("a", read_reply(a))
    sc.block(a, "BLMOVE", "k", "d", "LEFT", "LEFT", "0", n=1)
    sc.rec("p", call(sc.p, "CLIENT", "UNBLOCK", str(aid), "timeout"))
    sc.rec("a", read_reply(a))
    sc.block(a, "BRPOP", "k", "0", n=1)
    sc.rec("p", call(sc.p, "CLIENT", "UNBLOCK", str(aid), "ERROR"))
    sc.rec("a", read_reply(a))
    sc.rec("p", call(sc.p, "CLIENT", "UNBLOCK", str(aid)))
    sc.rec("p", call(sc.p, "CLIENT", "UNBLOCK", "999999"))
    sc.rec("p", call(sc.p, "CLIENT", "UNBLOCK", str(aid), "FOO"))
    sc.rec("p", call(sc.p, "CLIENT", "UNBLOCK", "abc"))
    sc.rec("p", call(sc.p, "CLIENT", "UNBLOCK", str(aid), "ERROR", "x"))
    sc.rec("a", call(a, "PING"))
    sc.rec("p", str(blocked_count(sc.p)).encode())


def sc_multi_exec(sc):
    a = sc.client()
    sc.block(a, "BLPOP", "k", "0", n=1)
    for args in (("MULTI",), ("RPUSH", "k", "a"), ("RPUSH", "k", "b"), ("LPOP", "k"),
                 ("EXEC",)):
        sc.rec("p", call(sc.p, *args))
    sc.rec("a", read_reply(a))
    sc.rec("p", call(sc.p, "LRANGE", "k", "0", "-1"))


def sc_blmove_chain(sc):
    a, b = sc.client(), sc.client()
    sc.block(a, "BLMOVE", "k1", "k2", "LEFT", "RIGHT", "0", n=1)
    sc.block(b, "BLPOP", "k2", "0", n=2)
    sc.rec("p", call(sc.p, "RPUSH", "k1", "x"))
    sc.rec("a", read_reply(a))
    sc.rec("b", read_reply(b))
    sc.rec("p", call(sc.p, "EXISTS", "k1", "k2"))
    sc.block(a, "BRPOPLPUSH", "k1", "k2", "0", n=1)
    sc.rec("p", call(sc.p, "RPUSH", "k1", "y", "z"))
    sc.rec("a", read_reply(a))
    sc.rec("p", call(sc.p, "LRANGE", "k1", "0", "-1"))
    sc.rec("p", call(sc.p, "LRANGE", "k2", "0", "-1"))


def sc_blmpop_count(sc):
    a, b = sc.client(), sc.client()
    sc.block(a, "BLMPOP", "0", "2", "x", "k", "RIGHT", "COUNT", "2", n=1)
    sc.block(b, "BLMPOP", "0", "1", "k", "LEFT", "COUNT", "5", n=2)
    sc.rec("p", call(sc.p, "RPUSH", "k", "1", "2", "3"))
    sc.rec("a", read_reply(a))
    sc.rec("b", read_reply(b))
    sc.rec("p", call(sc.p, "EXISTS", "k"))


def sc_rotation(sc):
    a = sc.client()
    sc.block(a, "BRPOPLPUSH", "k", "k", "0", n=1)
    sc.rec("p", call(sc.p, "RPUSH", "k", "a", "b"))
    sc.rec("a", read_reply(a))
    sc.rec("p", call(sc.p, "LRANGE", "k", "0", "-1"))


def sc_pipelined(sc):
    a = sc.client()
    a.sendall(cmd("BLPOP", "k", "0") + cmd("PING") + cmd("LLEN", "k"))
    assert wait_until(lambda: blocked_count(sc.p) == 1, 5)
    sc.rec("p", call(sc.p, "RPUSH", "k", "1", "2"))
    sc.rec("a", read_reply(a))
    sc.rec("a", read_reply(a))
    sc.rec("a", read_reply(a))


def sc_pause_write(sc):
    a, q = sc.client(), sc.client()
    sc.block(a, "BLPOP", "k", "0", n=1)
    sc.rec("p", call(sc.p, "CLIENT", "PAUSE", "5000", "WRITE"))
    q.sendall(cmd("RPUSH", "k", "x"))
    time.sleep(0.2)
    sc.rec("p", call(sc.p, "LLEN", "k"))  # the push is held
    sc.rec("p", call(sc.p, "CLIENT", "UNPAUSE"))
    sc.rec("q", read_reply(q))
    sc.rec("a", read_reply(a))
    sc.rec("p", call(sc.p, "EXISTS", "k"))


def sc_swapdb(sc):
    a = sc.client()
    call(sc.p, "SELECT", "1")
    call(sc.p, "RPUSH", "k", "from-db1")
    sc.block(a, "BLPOP", "k", "0", n=1)
    sc.rec("p", call(sc.p, "SWAPDB", "0", "1"))
    sc.rec("a", read_reply(a))
    sc.rec("p", call(sc.p, "DBSIZE"))


def sc_blmove_bad_dest(sc):
    a, b = sc.client(), sc.client()
    call(sc.p, "SET", "d", "string")
    sc.block(a, "BLMOVE", "k", "d", "LEFT", "LEFT", "0", n=1)
    sc.block(b, "BLPOP", "k", "0", n=2)
    sc.rec("p", call(sc.p, "RPUSH", "k", "x"))
    sc.rec("a", read_reply(a))
    sc.rec("b", read_reply(b))
    sc.rec("p", call(sc.p, "EXISTS", "k"))


def sc_two_ready_keys(sc):
    a, b = sc.client(), sc.client()
    sc.block(a, "BLPOP", "k1", "k2", "0", n=1)
    sc.block(b, "BLPOP", "k2", "k1", "0", n=2)
    for args in (("MULTI",), ("RPUSH", "k2", "y"), ("RPUSH", "k1", "x"), ("EXEC",)):
        sc.rec("p", call(sc.p, *args))
    sc.rec("a", read_reply(a))
    sc.rec("b", read_reply(b))
    sc.rec("p", call(sc.p, "EXISTS", "k1", "k2"))


def sc_wrongtype(sc):
    a = sc.client()
    call(sc.p, "SET", "s", "v")
    for args in (("BLPOP", "nokey", "s", "0"), ("BRPOP", "s", "0"),
                 ("BLMOVE", "s", "d", "LEFT", "LEFT", "0"), ("BRPOPLPUSH", "s", "d", "0"),
                 ("BLMPOP", "0", "1", "s", "LEFT")):
        sc.rec("a", call(a, *args))
    call(sc.p, "RPUSH", "l", "x")
    sc.rec("a", call(a, "BLMOVE", "l", "s", "LEFT", "LEFT", "0"))
    sc.rec("p", str(blocked_count(sc.p)).encode())


def sc_stats(sc):
    a = sc.client()
    call(sc.p, "CONFIG", "RESETSTAT")
    call(a, "CLIENT", "SETNAME", "waiter")
    aid = call(a, "CLIENT", "ID")[1:-2].decode()
    sc.block(a, "BLPOP", "k", "0", n=1)
    line = [ln for ln in call(sc.p, "CLIENT", "LIST").decode().split("\n")
            if "name=waiter" in ln][0]
    sc.rec("p", re.search(r" flags=(\S+) ", line).group(1).encode())
    sc.rec("p", re.search(r" cmd=(\S+) ", line).group(1).encode())
    stat = info_field(sc.p, "commandstats", "cmdstat_blpop")  # counted when it blocks
    sc.rec("p", re.search(r"calls=\d+", stat).group(0).encode())
    call(sc.p, "RPUSH", "k", "x")
    sc.rec("a", read_reply(a))
    stat = info_field(sc.p, "commandstats", "cmdstat_blpop")
    sc.rec("p", re.search(r"calls=\d+", stat).group(0).encode())
    sc.rec("p", re.search(r"failed_calls=\d+", stat).group(0).encode())
    sc.block(a, "BLPOP", "k", "0.05", n=1)
    sc.rec("a", read_reply(a))
    stat = info_field(sc.p, "commandstats", "cmdstat_blpop")
    sc.rec("p", re.search(r"calls=\d+", stat).group(0).encode())
    sc.block(a, "BLPOP", "k", "0", n=1)
    sc.rec("p", call(sc.p, "CLIENT", "UNBLOCK", aid, "ERROR"))
    sc.rec("a", read_reply(a))
    stat = info_field(sc.p, "commandstats", "cmdstat_blpop")
    sc.rec("p", re.search(r"calls=\d+", stat).group(0).encode())
    sc.rec("p", re.search(r"failed_calls=\d+", stat).group(0).encode())
    sc.rec("p", info_field(sc.p, "errorstats", "errorstat_UNBLOCKED").encode())
    sc.rec("p", str(blocked_count(sc.p)).encode())


SCENARIOS = {
    "fifo": (sc_fifo, [("p", b":1\r\n"), ("a", b"*2\r\n$1\r\nk\r\n$1\r\nx\r\n")]),
    "push_many": (sc_push_many, [("p", b":5\r\n"), ("a", b"*2\r\n$1\r\nk\r\n$1\r\n1\r\n"),
                                 ("b", b"*2\r\n$1\r\nk\r\n$1\r\n5\r\n"),
                                 ("c", b"*2\r\n$1\r\nk\r\n$1\r\n2\r\n")]),
    "several_keys": (sc_several_keys, [("p", b":1\r\n"),
                                       ("a", b"*2\r\n$2\r\nk2\r\n$1\r\nx\r\n")]),
    "timeout": (sc_timeout, [("a", b"*-1\r\n"), ("a", b"*-1\r\n"), ("a", b"*-1\r\n"),
                             ("a", b"*-1\r\n"), ("a", b"*-1\r\n"), ("a", b"_\r\n"),
                             ("a", b"_\r\n"), ("p", b"0")]),
    "disconnect": (sc_disconnect, [("p", b":1\r\n"), ("p", b"*1\r\n$1\r\nx\r\n"),
                                   ("p", b":0\r\n")]),
    "client_unblock": (sc_client_unblock, [("p", b":1\r\n"), ("a", b"*-1\r\n"),
                                           ("p", b":1\r\n"), ("a", b"*-1\r\n"),
                                           ("p", b":1\r\n"),
                                           ("a", b"-UNBLOCKED client unblocked via CLIENT "
                                                 b"UNBLOCK\r\n"), ("p", b":0\r\n")]),
    "multi_exec": (sc_multi_exec, []),
    "blmove_chain": (sc_blmove_chain, [("p", b":1\r\n"), ("a", b"$1\r\nx\r\n"),
                                       ("b", b"*2\r\n$2\r\nk2\r\n$1\r\nx\r\n"),
                                       ("p", b":0\r\n")]),
    "blmpop_count": (sc_blmpop_count, [("p", b":3\r\n"),
                                       ("a", b"*2\r\n$1\r\nk\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n"),
                                       ("b", b"*2\r\n$1\r\nk\r\n*1\r\n$1\r\n1\r\n"),
                                       ("p", b":0\r\n")]),
    "rotation": (sc_rotation, [("p", b":2\r\n"), ("a", b"$1\r\nb\r\n"),
                               ("p", b"*2\r\n$1\r\nb\r\n$1\r\na\r\n")]),
    "pipelined": (sc_pipelined, [("p", b":2\r\n"), ("a", b"*2\r\n$1\r\nk\r\n$1\r\n1\r\n"),
                                 ("a", b"+PONG\r\n"), ("a", b":1\r\n")]),
    "pause_write": (sc_pause_write, [("p", b"+OK\r\n"), ("p", b":0\r\n"), ("p", b"+OK\r\n"),
                                     ("q", b":1\r\n"),
                                     ("a", b"*2\r\n$1\r\nk\r\n$1\r\nx\r\n")]),
    "swapdb": (sc_swapdb, [("p", b"+OK\r\n"),
                           ("a", b"*2\r\n$1\r\nk\r\n$8\r\nfrom-db1\r\n")]),
    "blmove_bad_dest": (sc_blmove_bad_dest, []),
    "two_ready_keys": (sc_two_ready_keys, []),
    "wrongtype": (sc_wrongtype, []),
    "stats": (sc_stats, [("p", b"b"), ("p", b"blpop"), ("p", b"calls=1"),
                         ("a", b"*2\r\n$1\r\nk\r\n$1\r\nx\r\n"), ("p", b"calls=1"),
                         ("p", b"failed_calls=0"), ("a", b"*-1\r\n"), ("p", b"calls=2"),
                         ("p", b":1\r\n")]),
}


def record(binary, fn):
    sc = Scenario(binary)
    try:
        fn(sc)
        return sc.log
    finally:
        sc.close()


class Checks:
    def __init__(self, binary, oracle):
        self.binary = binary
        self.oracle = oracle

    def run(self, name):
        fn, prefix = SCENARIOS[name]
        got = record(self.binary, fn)
        assert got[:len(prefix)] == prefix, (got, prefix)
        if self.oracle:
            want = record(self.oracle, fn)
            assert got == want, f"\nvigil: {got}\nredis: {want}"


for _name in SCENARIOS:
    setattr(Checks, "check_" + _name, (lambda n: lambda self: self.run(n))(_name))


def main():
    checks = Checks(vigil_binary(), os.environ.get("REDIS_SERVER"))
    # run_checks orders by source line; the lambdas share one, so keep SCENARIOS order
    failures = []
    for name in SCENARIOS:
        failures += run_checks(checks, only=(name,))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
