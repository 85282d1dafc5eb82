#!/usr/bin/python3
"""test_transactions.py - MULTI/EXEC with WATCH across connections (server/multi.c); the
one-connection cases are compared with redis-server in compat/transactions.txt.

  other_write        another client's write to a watched key makes EXEC reply a null array
  untouched          writes to other keys (and other dbs) let EXEC run
  own_write          a write by the watching client itself before MULTI breaks the watch
  expiry             a watched key whose TTL passes after WATCH breaks it (active expiry
                     and, with active expiry off, EXEC's own check)
  already_expired    a key already expired when WATCHed is no change when expiry deletes it
                     (Redis 7.0)
  flushall           FLUSHALL / FLUSHDB / SWAPDB by another client break watches on keys that
                     exist; on a missing key they do not
  dirty_then_multi   a watch broken before MULTI still fails the EXEC; UNWATCH clears it
  client_list        CLIENT LIST shows flags=x and multi=<queued> inside MULTI, multi=-1 out
  commandstats       EXEC counts once and each queued command counts when it runs
  pause              under CLIENT PAUSE WRITE a queued write waits, then runs
  disconnect         clients that leave while watching or inside MULTI leave no trace
  pipelined          a whole transaction in one write, with large arguments (the queued
                     argv are copies: the request buffer is reused)

Run: VIGIL_SERVER=build/bin/vigil-server /usr/bin/python3 tests/integration/test_transactions.py
(VIGIL_SERVER=/usr/bin/redis-server runs the same checks against the reference.)
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    Server, call, cmd, connect, read_reply, run_checks, wait_until, vigil_binary)

NULL_ARRAY = b"*-1\r\n"







def bulk_text(reply):
    return reply.split(b"\r\n", 1)[1][:-2].decode()


def transaction(s, *cmds):
    """MULTI, the commands (each must be QUEUED), EXEC; returns EXEC's reply."""
    assert call(s, "MULTI") == b"+OK\r\n"
    for c in cmds:
        assert call(s, *c) == b"+QUEUED\r\n"
    return call(s, "EXEC")


class Checks:
    def __init__(self, binary):
        self.srv = Server(binary, ("--enable-debug-command", "yes"))
        self.a = connect(self.srv.port)
        self.b = connect(self.srv.port)

    def reset(self, name):
        call(self.a, "RESET")
        call(self.b, "RESET")
        call(self.b, "FLUSHALL")
        call(self.b, "DEBUG", "SET-ACTIVE-EXPIRE", "1")
        return None

    def check_other_write(self):
        a, b = self.a, self.b
        call(a, "SET", "k", "old")
        assert call(a, "WATCH", "k") == b"+OK\r\n"
        assert call(b, "SET", "k", "theirs") == b"+OK\r\n"
        assert transaction(a, ("SET", "k", "mine")) == NULL_ARRAY
        assert call(a, "GET", "k") == b"$6\r\ntheirs\r\n"
        # the failed EXEC dropped the watch: the next transaction runs
        assert transaction(a, ("SET", "k", "mine")) == b"*1\r\n+OK\r\n"
        # a delete, and a write in the same db through another key name, count the same way
        call(a, "WATCH", "k")
        call(b, "DEL", "k")
        assert transaction(a, ("GET", "k")) == NULL_ARRAY

    def check_untouched(self):
        a, b = self.a, self.b
        call(a, "SET", "k", "v")
        call(a, "WATCH", "k", "missing")
        call(b, "SET", "other", "x")
        call(b, "SELECT", "1")
        call(b, "SET", "k", "in-db-1")
        call(b, "GET", "k")
        assert transaction(a, ("GET", "k"), ("INCR", "n")) == b"*2\r\n$1\r\nv\r\n:1\r\n"

    def check_own_write(self):
        a = self.a
        call(a, "WATCH", "k")
        call(a, "SET", "k", "own")
        assert transaction(a, ("SET", "k", "tx")) == NULL_ARRAY
        assert call(a, "GET", "k") == b"$3\r\nown\r\n"

    def check_expiry(self):
        a, b = self.a, self.b
        call(a, "SET", "k", "v", "PX", "100")
        call(a, "WATCH", "k")
        assert wait_until(lambda: call(b, "EXISTS", "k") == b":0\r\n", 5)
        assert transaction(a, ("SET", "k", "tx")) == NULL_ARRAY
        # with active expiry off the key is still there at EXEC, only logically expired
        call(b, "DEBUG", "SET-ACTIVE-EXPIRE", "0")
        call(a, "SET", "k", "v", "PX", "100")
        call(a, "WATCH", "k")
        time.sleep(0.25)
        assert transaction(a, ("PING",)) == NULL_ARRAY

    def check_already_expired(self):
        a, b = self.a, self.b
        call(b, "DEBUG", "SET-ACTIVE-EXPIRE", "0")
        call(a, "SET", "k", "v", "PX", "1")
        time.sleep(0.05)
        call(a, "WATCH", "k")  # expired, not yet deleted
        assert call(b, "GET", "k") == b"$-1\r\n"  # lazy expiry deletes it now
        assert transaction(a, ("PING",)) == b"*1\r\n+PONG\r\n"
        # but a new value for it afterwards is a change
        call(a, "SET", "k", "v", "PX", "1")
        time.sleep(0.05)
        call(a, "WATCH", "k")
        call(b, "SET", "k", "new")
        assert transaction(a, ("PING",)) == NULL_ARRAY

    def check_flushall(self):
        a, b = self.a, self.b
        call(a, "SET", "k", "v")
        call(a, "WATCH", "k")
        call(b, "FLUSHALL")
        assert transaction(a, ("PING",)) == NULL_ARRAY
        call(a, "WATCH", "missing")
        call(b, "FLUSHALL")
        assert transaction(a, ("PING",)) == b"*1\r\n+PONG\r\n"
        call(a, "SET", "k", "v")
        call(a, "WATCH", "k")
        call(b, "FLUSHDB")
        assert transaction(a, ("PING",)) == NULL_ARRAY
        # SWAPDB: a key that appears in the watched db by the swap
        call(b, "SELECT", "1")
        call(b, "SET", "s", "v")
        call(a, "WATCH", "s")
        call(b, "SWAPDB", "0", "1")
        assert transaction(a, ("PING",)) == NULL_ARRAY

    def check_dirty_then_multi(self):
        a, b = self.a, self.b
        call(a, "WATCH", "k")
        call(b, "SET", "k", "1")
        assert call(a, "MULTI") == b"+OK\r\n"
        assert call(a, "SET", "k", "2") == b"+QUEUED\r\n"
        assert call(a, "EXEC") == NULL_ARRAY
        call(a, "WATCH", "k")
        call(b, "SET", "k", "3")
        assert call(a, "UNWATCH") == b"+OK\r\n"
        assert transaction(a, ("GET", "k")) == b"*1\r\n$1\r\n3\r\n"

    def check_client_list(self):
        a = self.a
        line = bulk_text(call(a, "CLIENT", "INFO"))
        assert " multi=-1 " in line and " flags=N " in line, line
        call(a, "MULTI")
        call(a, "SET", "k", "v")
        call(a, "GET", "k")
        line = bulk_text(call(self.b, "CLIENT", "LIST"))
        mine = [ln for ln in line.splitlines() if " cmd=get " in ln or " cmd=set " in ln or
                " flags=x " in ln]
        assert any(" flags=x " in ln and " multi=2 " in ln for ln in mine), line
        assert call(a, "DISCARD") == b"+OK\r\n"
        assert " multi=-1 " in bulk_text(call(a, "CLIENT", "INFO"))

    def check_commandstats(self):
        a = self.a
        call(a, "CONFIG", "RESETSTAT")
        assert transaction(a, ("SET", "k", "1"), ("INCR", "k"), ("INCR", "k")) == \
            b"*3\r\n+OK\r\n:2\r\n:3\r\n"
        stats = bulk_text(call(a, "INFO", "commandstats"))
        assert "cmdstat_exec:calls=1," in stats, stats
        assert "cmdstat_multi:calls=1," in stats, stats
        assert "cmdstat_set:calls=1," in stats, stats
        assert "cmdstat_incr:calls=2," in stats, stats

    def check_pause(self):
        a, b = self.a, self.b
        assert call(a, "MULTI") == b"+OK\r\n"
        assert call(b, "CLIENT", "PAUSE", "400", "WRITE") == b"+OK\r\n"
        assert call(a, "GET", "k") == b"+QUEUED\r\n"  # reads are not held
        start = time.monotonic()
        assert call(a, "SET", "k", "v") == b"+QUEUED\r\n"  # held until the pause ends
        assert time.monotonic() - start > 0.2, "a write was queued during CLIENT PAUSE WRITE"
        assert call(a, "EXEC") == b"*2\r\n$-1\r\n+OK\r\n"

    def check_disconnect(self):
        b = self.b
        for _ in range(3):
            c = connect(self.srv.port)
            call(c, "WATCH", "k", "j")
            call(c, "MULTI")
            call(c, "SET", "k", "v")
            c.close()
        d = connect(self.srv.port)
        call(d, "WATCH", "k")
        d.close()
        assert wait_until(lambda: bulk_text(call(b, "CLIENT", "LIST")).count("\n") <= 2, 5)
        assert call(b, "SET", "k", "x") == b"+OK\r\n"
        assert call(b, "FLUSHALL") == b"+OK\r\n"
        assert call(b, "PING") == b"+PONG\r\n"

    def check_pipelined(self):
        a = self.a
        big = b"x" * 100000
        req = cmd("MULTI")
        for i in range(50):
            req += cmd("SET", "k%d" % i, big + b"%d" % i)
        req += cmd("MGET", "k0", "k49") + cmd("EXEC")
        a.sendall(req)
        assert read_reply(a) == b"+OK\r\n"
        for _ in range(51):
            assert read_reply(a) == b"+QUEUED\r\n"
        reply = read_reply(a)
        assert reply.startswith(b"*51\r\n" + b"+OK\r\n" * 50 + b"*2\r\n"), reply[:100]
        assert reply.endswith(big + b"0\r\n$100002\r\n" + big + b"49\r\n")

    def stop(self):
        self.a.close()
        self.b.close()
        return self.srv.stop()


def main():
    binary = vigil_binary()
    checks = Checks(binary)
    try:
        failures = run_checks(checks, sys.argv[1:], after_each=checks.reset)
    finally:
        problems = checks.stop()
    if problems:
        print("server problems: " + "; ".join(problems))
    return 1 if failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())
