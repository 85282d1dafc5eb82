#!/usr/bin/python3
"""test_notify.py - keyspace notifications (notify-keyspace-events):

  option_format      CONFIG GET prints Redis's canonical letter string ("KEA" -> "AKE");
                     an unknown letter gets Redis's error text
  script_sequence    with KEA, a PSUBSCRIBE '__key*__:*' client sees the exact sequence of
                     (channel, message) pairs for a script of string, bitmap and generic
                     commands; compared to redis-server when REDIS_SERVER is set, else to
                     the recorded sequence below
  expired_event      SET k v PX 50: the 'expired' event arrives (active or lazy expiry)
  class_filter       E$ only: no __keyspace@ channel, no generic (del/expire) events

Run: VIGIL_SERVER=build/bin/vigil-server [REDIS_SERVER=/usr/bin/redis-server] \
     /usr/bin/python3 tests/integration/test_notify.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    Server, call, cmd, connect, keyspace_events, read_pmessage, read_reply, run_checks, wait_until,
    vigil_binary)

# Each command is run in db 0 unless a SELECT precedes it; replies are not compared here
# (compat covers them), only the notifications.
SCRIPT = [
    ("SET", "a", "1"),
    ("SET", "a", "2", "EX", "100"),
    ("SETNX", "a", "x"),
    ("SETNX", "b", "1"),
    ("APPEND", "b", "xyz"),
    ("SETRANGE", "b", "1", "Q"),
    ("SETRANGE", "b", "1", ""),
    ("INCR", "c"),
    ("INCRBY", "c", "5"),
    ("DECR", "c"),
    ("DECRBY", "c", "2"),
    ("INCRBYFLOAT", "f", "1.5"),
    ("GETSET", "a", "new"),
    ("GETDEL", "a"),
    ("GETDEL", "a"),
    ("MSET", "m1", "1", "m2", "2"),
    ("MSETNX", "m3", "1", "m4", "2"),
    ("MSETNX", "m3", "1", "m5", "2"),
    ("SETEX", "e", "100", "v"),
    ("PSETEX", "pe", "100000", "v"),
    ("GETEX", "e", "PERSIST"),
    ("GETEX", "e", "EX", "200"),
    ("GETEX", "e"),
    ("SET", "g", "v", "GET"),
    ("SET", "g", "w", "KEEPTTL"),
    ("SET", "g", "z", "NX"),
    ("SET", "g", "z", "XX", "PX", "100000"),
    ("EXPIRE", "b", "100"),
    ("PEXPIRE", "b", "100000"),
    ("EXPIREAT", "b", "99999999999"),
    ("PEXPIREAT", "b", "99999999999000"),
    ("PERSIST", "b"),
    ("PERSIST", "b"),
    ("EXPIRE", "b", "-1"),
    ("EXPIRE", "nokey", "100"),
    ("SETBIT", "bits", "7", "1"),
    ("SETBIT", "bits", "7", "1"),
    ("SETBIT", "bits", "100", "0"),
    ("BITOP", "OR", "dst", "bits", "c"),
    ("BITOP", "AND", "dst", "nokey1", "nokey2"),
    ("RENAME", "m1", "m1r"),
    ("RENAME", "m1r", "m1r"),
    ("RENAMENX", "m2", "m1r"),
    ("RENAMENX", "m2", "m2r"),
    ("COPY", "m1r", "cp"),
    ("COPY", "m1r", "cp", "REPLACE"),
    ("COPY", "m1r", "cp1", "DB", "1"),
    ("MOVE", "cp", "1"),
    ("DEL", "m2r", "m3", "nokey"),
    ("UNLINK", "m4"),
    ("TOUCH", "c"),
    ("GET", "c"),
    ("SWAPDB", "0", "1"),
    ("SELECT", "1"),
    ("FLUSHDB",),
    ("SELECT", "0"),
    ("SET", "last", "x"),
    ("FLUSHALL",),
    ("SET", "end", "1"),
]


class Checks:
    def __init__(self, binary, oracle):
        self.binary = binary
        self.oracle = oracle

    def check_option_format(self):
        srv = Server(self.binary)
        try:
            c = connect(srv.port)
            assert call(c, "CONFIG", "GET", "notify-keyspace-events") == \
                b"*2\r\n$22\r\nnotify-keyspace-events\r\n$0\r\n\r\n"
            for given, shown in (("KEA", "AKE"), ("E$", "$E"), ("Kg", "gK"), ("Elsgh", "glshE"),
                                 ("AKEtmdn", "AKEm"), ("nm", "nm"), ("xd", "xd"), ("", "")):
                assert call(c, "CONFIG", "SET", "notify-keyspace-events", given) == b"+OK\r\n"
                r = call(c, "CONFIG", "GET", "notify-keyspace-events")
                assert r.endswith(b"$%d\r\n%s\r\n" % (len(shown), shown.encode())), (given, r)
            r = call(c, "CONFIG", "SET", "notify-keyspace-events", "KEAw")
            assert r == (b"-ERR CONFIG SET failed (possibly related to argument "
                         b"'notify-keyspace-events') - Invalid event class character. "
                         b"Use 'Ag$lshzxeKEtmdn'.\r\n"), r
            c.close()
        finally:
            assert not srv.stop()

    def check_script_sequence(self):
        got = keyspace_events(self.binary, SCRIPT)
        want = keyspace_events(self.oracle, SCRIPT) if self.oracle else EXPECTED
        if os.environ.get("NOTIFY_DUMP"):
            print(want)
        for i, (g, w) in enumerate(zip(got, want)):
            assert g == w, f"event {i}: got {g}, want {w}; got {got[max(0, i - 3):i + 3]}"
        assert len(got) == len(want), (len(got), len(want), got[len(want):], want[len(got):])

    def check_expired_event(self):
        srv = Server(self.binary, extra=("--enable-debug-command", "yes"))
        try:
            c, sub = connect(srv.port), connect(srv.port)
            call(c, "CONFIG", "SET", "notify-keyspace-events", "Ex")
            sub.sendall(cmd("PSUBSCRIBE", "__key*__:*"))
            read_reply(sub)
            assert call(c, "SET", "k", "v", "PX", "50") == b"+OK\r\n"
            sub.settimeout(5)
            assert read_pmessage(sub) == ("__keyevent@0__:expired", "k")
            # lazy path: active expiry off, the read finds the dead key
            assert call(c, "DEBUG", "SET-ACTIVE-EXPIRE", "0").startswith(b"+")
            call(c, "SET", "k2", "v", "PX", "20")
            assert wait_until(lambda: call(c, "PTTL", "k2") == b":-2\r\n", 2)
            assert read_pmessage(sub) == ("__keyevent@0__:expired", "k2")
            c.close()
            sub.close()
        finally:
            assert not srv.stop()

    def check_class_filter(self):
        script = [("SET", "a", "1"), ("EXPIRE", "a", "100"), ("DEL", "a"),
                  ("SETBIT", "b", "1", "1"), ("INCR", "n"), ("RENAME", "n", "n2")]
        got = keyspace_events(self.binary, script, "E$")
        assert got == [("__keyevent@0__:set", "a"), ("__keyevent@0__:setbit", "b"),
                       ("__keyevent@0__:incrby", "n")], got


EXPECTED = [  # recorded from redis-server 7.0.15; used when REDIS_SERVER is unset
    ('__keyspace@0__:a', 'set'), ('__keyevent@0__:set', 'a'), ('__keyspace@0__:a', 'set'),
    ('__keyevent@0__:set', 'a'), ('__keyspace@0__:a', 'expire'), ('__keyevent@0__:expire', 'a'),
    ('__keyspace@0__:b', 'set'), ('__keyevent@0__:set', 'b'), ('__keyspace@0__:b', 'append'),
    ('__keyevent@0__:append', 'b'), ('__keyspace@0__:b', 'setrange'),
    ('__keyevent@0__:setrange', 'b'), ('__keyspace@0__:c', 'incrby'),
    ('__keyevent@0__:incrby', 'c'), ('__keyspace@0__:c', 'incrby'),
    ('__keyevent@0__:incrby', 'c'), ('__keyspace@0__:c', 'incrby'),
    ('__keyevent@0__:incrby', 'c'), ('__keyspace@0__:c', 'incrby'),
    ('__keyevent@0__:incrby', 'c'), ('__keyspace@0__:f', 'incrbyfloat'),
    ('__keyevent@0__:incrbyfloat', 'f'), ('__keyspace@0__:a', 'set'),
    ('__keyevent@0__:set', 'a'), ('__keyspace@0__:a', 'del'), ('__keyevent@0__:del', 'a'),
    ('__keyspace@0__:m1', 'set'), ('__keyevent@0__:set', 'm1'), ('__keyspace@0__:m2', 'set'),
    ('__keyevent@0__:set', 'm2'), ('__keyspace@0__:m3', 'set'), ('__keyevent@0__:set', 'm3'),
    ('__keyspace@0__:m4', 'set'), ('__keyevent@0__:set', 'm4'), ('__keyspace@0__:e', 'set'),
    ('__keyevent@0__:set', 'e'), ('__keyspace@0__:e', 'expire'), ('__keyevent@0__:expire', 'e'),
    ('__keyspace@0__:pe', 'set'), ('__keyevent@0__:set', 'pe'), ('__keyspace@0__:pe', 'expire'),
    ('__keyevent@0__:expire', 'pe'), ('__keyspace@0__:e', 'persist'),
    ('__keyevent@0__:persist', 'e'), ('__keyspace@0__:e', 'expire'),
    ('__keyevent@0__:expire', 'e'), ('__keyspace@0__:g', 'set'), ('__keyevent@0__:set', 'g'),
    ('__keyspace@0__:g', 'set'), ('__keyevent@0__:set', 'g'), ('__keyspace@0__:g', 'set'),
    ('__keyevent@0__:set', 'g'), ('__keyspace@0__:g', 'expire'), ('__keyevent@0__:expire', 'g'),
    ('__keyspace@0__:b', 'expire'), ('__keyevent@0__:expire', 'b'),
    ('__keyspace@0__:b', 'expire'), ('__keyevent@0__:expire', 'b'),
    ('__keyspace@0__:b', 'expire'), ('__keyevent@0__:expire', 'b'),
    ('__keyspace@0__:b', 'expire'), ('__keyevent@0__:expire', 'b'),
    ('__keyspace@0__:b', 'persist'), ('__keyevent@0__:persist', 'b'),
    ('__keyspace@0__:b', 'del'), ('__keyevent@0__:del', 'b'), ('__keyspace@0__:bits', 'setbit'),
    ('__keyevent@0__:setbit', 'bits'), ('__keyspace@0__:bits', 'setbit'),
    ('__keyevent@0__:setbit', 'bits'), ('__keyspace@0__:dst', 'set'),
    ('__keyevent@0__:set', 'dst'), ('__keyspace@0__:dst', 'del'), ('__keyevent@0__:del', 'dst'),
    ('__keyspace@0__:m1', 'rename_from'), ('__keyevent@0__:rename_from', 'm1'),
    ('__keyspace@0__:m1r', 'rename_to'), ('__keyevent@0__:rename_to', 'm1r'),
    ('__keyspace@0__:m2', 'rename_from'), ('__keyevent@0__:rename_from', 'm2'),
    ('__keyspace@0__:m2r', 'rename_to'), ('__keyevent@0__:rename_to', 'm2r'),
    ('__keyspace@0__:cp', 'copy_to'), ('__keyevent@0__:copy_to', 'cp'),
    ('__keyspace@0__:cp', 'copy_to'), ('__keyevent@0__:copy_to', 'cp'),
    ('__keyspace@1__:cp1', 'copy_to'), ('__keyevent@1__:copy_to', 'cp1'),
    ('__keyspace@0__:cp', 'move_from'), ('__keyevent@0__:move_from', 'cp'),
    ('__keyspace@1__:cp', 'move_to'), ('__keyevent@1__:move_to', 'cp'),
    ('__keyspace@0__:m2r', 'del'), ('__keyevent@0__:del', 'm2r'), ('__keyspace@0__:m3', 'del'),
    ('__keyevent@0__:del', 'm3'), ('__keyspace@0__:m4', 'del'), ('__keyevent@0__:del', 'm4'),
    ('__keyspace@0__:last', 'set'), ('__keyevent@0__:set', 'last'),
    ('__keyspace@0__:end', 'set'), ('__keyevent@0__:set', 'end'),
]


def main():
    binary = vigil_binary()
    checks = Checks(binary, os.environ.get("REDIS_SERVER"))
    return 1 if run_checks(checks, sys.argv[1:]) else 0


if __name__ == "__main__":
    sys.exit(main())
