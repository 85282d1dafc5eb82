#!/usr/bin/python3
"""test_sentinel_front.py - vigil-sentinel's client-facing surface against Debian's
redis-sentinel 7.0.15: both watch the same vigil-server primary and get the same requests;
raw replies are compared byte for byte after normalising ids, ports, times and memory sizes.

  replies          PING, HELLO 2/3 (map), NOPROTO, CLIENT subcommands and their errors (SETINFO
                   answers an error and the connection stays usable), ROLE, COMMAND COUNT/HELP,
                   unknown commands, QUIT (unknown in 7.0.15's sentinel), PUBLISH to another
                   channel, AUTH errors without requirepass, ACL, SHUTDOWN syntax, INFO foo
  info_shape       INFO, INFO all, INFO server clients: the same sections in the same order
                   with the same field names (vigil adds vigil_version), sentinel lines' shape
  command_table    COMMAND, COMMAND LIST and COMMAND INFO describe the same 15 commands and
                   72 entries (orders differ: Redis's come from a hash table)
  auth             requirepass: NOAUTH before AUTH (HELLO's own text), WRONGPASS, AUTH ok
  pubsub           SUBSCRIBE/PSUBSCRIBE acks in RESP2 and RESP3, the subscribed-mode error,
                   PING in subscribed mode, and a real event (+set from SENTINEL SET) delivered
                   to a RESP2 channel subscriber and a RESP3 `*` pattern subscriber, as Redis
  client_kill      CLIENT KILL TYPE normal closes the others (count), the old ip:port form
  client_reply     CLIENT REPLY SKIP / OFF / ON drop exactly the replies Redis drops
  idle_timeout     `timeout` closes an idle client but not a subscriber (vigil only)
  redis_py         redis-py's Sentinel.discover_master

Run: VIGIL_SERVER=build/bin/vigil-server VIGIL_SENTINEL=build/bin/vigil-sentinel \
     /usr/bin/python3 tests/integration/test_sentinel_front.py [check ...]
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    REDIS_SENTINEL, Sentinel, Server, call, cmd, connect, read_reply, run_checks_stopping,
    sentinel_binary, vigil_binary, wait_until)


def parse(raw):
    """A raw RESP2/RESP3 reply into Python values (maps as lists of pairs, sets as lists)."""
    def one(i):
        end = raw.index(b"\r\n", i)
        kind, line = raw[i:i + 1], raw[i + 1:end]
        i = end + 2
        if kind in b"+-:_#,(":
            return (kind + line), i
        if kind in b"$=":
            n = int(line)
            if n < 0:
                return None, i
            return raw[i:i + n], i + n + 2
        n = int(line) * (2 if kind == b"%" else 1)
        items = []
        for _ in range(max(n, 0)):
            v, i = one(i)
            items.append(v)
        return items, i
    v, _ = one(0)
    return v


def norm(raw, ports=()):
    """Bytes with what differs between two processes replaced: ports, ids, numbers in CLIENT
    LIST lines and lengths (which follow from those)."""
    for p in ports:
        raw = raw.replace(str(p).encode(), b"PORT")
    raw = re.sub(rb"127\.0\.0\.1:\d+", b"ADDR", raw)
    raw = re.sub(rb"(id|fd|age|idle|qbuf|qbuf-free|argv-mem|rbs|rbp|tot-mem|omem)=\d+", rb"\1=N",
                 raw)
    raw = re.sub(rb"\$2\r\nid\r\n:\d+", b"$2\r\nid\r\n:N", raw)  # HELLO's id
    raw = re.sub(rb"(?m)^([$=])\d+\r\n", rb"\1L\r\n", raw)
    return raw


class Checks:
    def __init__(self):
        self.vigil = sentinel_binary()
        self.server_bin = vigil_binary()
        self.procs = []

    def stop_all(self, _name=None):
        problems = []
        while self.procs:
            problems += self.procs.pop().stop()
        return "; ".join(problems) or None

    def start(self, extra=(), both=True):
        """A vigil-server primary and the sentinels watching it: [redis, vigil] (or [vigil])."""
        srv = Server(self.server_bin)
        self.procs.append(srv)
        out = []
        for b in ((REDIS_SENTINEL, self.vigil) if both else (self.vigil,)):
            st = Sentinel(b, [("mymaster", "127.0.0.1", srv.port, 1,
                               {"down-after-milliseconds": 2000})], extra=extra)
            self.procs.append(st)
            out.append(st)
        return srv, out

    def both(self, script, extra=(), setup=()):
        """Run each line of script (commands split on spaces; '#new' opens a connection,
        '#read' reads one more reply) on both sentinels; returns [(line, redis, vigil)]."""
        srv, sts = self.start(extra)
        results = []
        for st in sts:
            s = connect(st.port)
            res = []
            for line in script:
                if line == "#new":
                    s = connect(st.port)
                    continue
                if line == "#read":
                    res.append(norm(read_reply(s), (st.port, srv.port)))
                    continue
                res.append(norm(call(s, *line.split(" ")), (st.port, srv.port)))
            results.append(res)
        lines = [ln for ln in script if ln != "#new"]
        return list(zip(lines, *results))

    def assert_same(self, rows):
        bad = [f"{ln}:\n  redis {r!r}\n  vigil {v!r}" for ln, r, v in rows if r != v]
        assert not bad, "replies differ:\n" + "\n".join(bad)

    def check_replies(self):
        self.assert_same(self.both([
            "PING", "PING hello", "PING a b", "HELLO", "HELLO 2", "HELLO 3", "PING", "HELLO 4",
            "HELLO x", "HELLO 2 FOO", "HELLO 2 SETNAME", "HELLO 3 SETNAME myname",
            "CLIENT GETNAME", "CLIENT SETINFO lib-name x", "PING", "CLIENT ID x", "CLIENT INFO",
            "CLIENT LIST", "HELLO 2", "CLIENT LIST", "CLIENT LIST TYPE pubsub",
            "CLIENT LIST foo", "CLIENT LIST TYPE foo", "CLIENT HELP", "CLIENT",
            "CLIENT SETNAME a b", "CLIENT SETNAME", "CLIENT KILL 1.2.3.4:5", "CLIENT KILL ID",
            "CLIENT KILL ID 999", "CLIENT KILL ID abc", "CLIENT KILL FOO bar",
            "CLIENT KILL TYPE foo", "CLIENT KILL USER bob", "CLIENT KILL ID 1 SKIPME maybe",
            "CLIENT KILL ADDR 1.2.3.4:5", "CLIENT GETREDIR", "CLIENT TRACKINGINFO",
            "CLIENT UNBLOCK 5", "CLIENT REPLY foo", "CLIENT FOO", "ROLE", "COMMAND COUNT",
            "COMMAND HELP", "COMMAND FOO", "COMMAND INFO ping get", "COMMAND GETKEYS get a",
            "GET foo", "get foo bar", "QUIT", "PING", "PUBLISH foo bar", "AUTH foo",
            "AUTH a b", "AUTH a b c", "AUTH default x", "ACL WHOAMI", "ACL USERS", "ACL CAT",
            "ACL HELP", "ACL GETUSER default", "ACL LIST", "ACL FOO", "INFO foo",
            "INFO keyspace", "SHUTDOWN foo", "SENTINEL FOO",
            "#new", "HELLO 3", "COMMAND INFO ping nosuch", "CLIENT TRACKINGINFO", "INFO foo",
        ]))

    def info_fields(self, raw):
        text = parse(raw).decode()
        sections = []
        for block in text.split("\r\n\r\n"):
            lines = [ln for ln in block.split("\r\n") if ln]
            if not lines:
                continue
            names = [ln.split(":")[0] for ln in lines[1:]
                     if not ln.startswith(("vigil_version", "master0:"))]
            sections.append((lines[0], names))
        return sections

    def check_info_shape(self):
        srv, sts = self.start()
        got = []
        for st in sts:
            s = connect(st.port)
            got.append([self.info_fields(call(s, *args))
                        for args in (("INFO",), ("INFO", "all"), ("INFO", "everything"),
                                     ("INFO", "server", "clients", "foo"), ("INFO", "cpu"),
                                     ("INFO", "stats"))])
            line = [ln for ln in parse(call(s, "INFO", "sentinel")).decode().split("\r\n")
                    if ln.startswith("master0:")]
            assert len(line) == 1 and re.fullmatch(
                rf"master0:name=mymaster,status=(ok|sdown),address=127\.0\.0\.1:{srv.port},"
                r"slaves=0,sentinels=1", line[0]), line
            assert b"redis_mode:sentinel" in call(s, "INFO", "server")
        assert got[0] == got[1], f"INFO differs:\nredis {got[0]}\nvigil {got[1]}"
        assert [h for h, _ in got[1][0]] == ["# Server", "# Clients", "# Stats", "# CPU",
                                             "# Sentinel"], got[1][0]

    def check_command_table(self):
        _, sts = self.start()
        got = []

        def canon(entry):
            entry = list(entry)
            if isinstance(entry[9], list):
                entry[9] = sorted(canon(e) for e in entry[9])
            return entry
        for st in sts:
            s = connect(st.port)
            full = sorted(canon(e) for e in parse(call(s, "COMMAND")))
            names = sorted(parse(call(s, "COMMAND", "LIST")))
            info = canon(parse(call(s, "COMMAND", "INFO", "client"))[0])
            got.append((full, names, info))
        assert len(got[1][1]) == 72 and len(got[1][0]) == 15
        assert got[0] == got[1], "COMMAND tables differ"

    def check_auth(self):
        self.assert_same(self.both([
            "PING", "CLIENT ID", "INFO", "SUBSCRIBE x", "HELLO 3", "HELLO 3 AUTH default wrong",
            "HELLO 3 AUTH foo secret", "AUTH wrong", "AUTH default wrong", "AUTH bob secret",
            "AUTH default secret", "PING", "#new", "AUTH secret", "ROLE", "#new",
            "HELLO 2 AUTH default secret SETNAME x", "CLIENT GETNAME",
        ], extra=("--requirepass", "secret")))

    def check_pubsub(self):
        self.assert_same(self.both([
            "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUBSCRIBE a b", "#read", "PING", "PING x", "ROLE",
            "CLIENT ID", "INFO", "CLIENT SETNAME b c", "SENTINEL MASTERS", "PSUBSCRIBE * +s*",
            "#read", "UNSUBSCRIBE b", "PUNSUBSCRIBE +s*", "UNSUBSCRIBE", "PUNSUBSCRIBE",
            "ROLE", "#new", "HELLO 3", "SUBSCRIBE a", "PING", "ROLE", "UNSUBSCRIBE a b", "#read",
            "UNSUBSCRIBE", "PSUBSCRIBE *", "PUNSUBSCRIBE",
        ]))
        # A real event: SENTINEL SET publishes +set; both kinds of subscriber receive it.
        srv, sts = self.start()
        frames = []
        for st in sts:
            sub2, sub3, ctl = connect(st.port), connect(st.port), connect(st.port)
            call(sub2, "SUBSCRIBE", "+set")
            call(sub3, "HELLO", "3")
            call(sub3, "PSUBSCRIBE", "*")
            assert call(ctl, "SENTINEL", "SET", "mymaster", "quorum", "2") == b"+OK\r\n"
            got = [norm(read_reply(sub2), (srv.port,)), norm(read_reply(sub3), (srv.port,))]
            frames.append(got)
        assert frames[1][0] == (b"*3\r\n$L\r\nmessage\r\n$L\r\n+set\r\n$L\r\nmaster mymaster "
                                b"127.0.0.1 PORT quorum 2\r\n"), frames[1][0]
        assert frames[1][1].startswith(b">4\r\n$L\r\npmessage\r\n$L\r\n*\r\n$L\r\n+set\r\n")
        assert frames[0] == frames[1], frames

    def check_client_kill(self):
        _, sts = self.start()
        for st in sts:
            a, b, c = connect(st.port), connect(st.port), connect(st.port)
            call(c, "SUBSCRIBE", "x")
            assert call(a, "CLIENT", "KILL", "TYPE", "normal") == b":1\r\n"
            assert b.recv(16) == b"", "the other normal client was not closed"
            assert call(a, "PING") == b"+PONG\r\n", "SKIPME yes is the default"
            assert call(c, "PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n", "pubsub client killed"
            d = connect(st.port)
            addr = parse(call(d, "CLIENT", "INFO")).decode().split(" ")[1].split("=")[1]
            assert call(a, "CLIENT", "KILL", addr) == b"+OK\r\n"
            assert d.recv(16) == b""
            assert call(a, "CLIENT", "KILL", "TYPE", "pubsub", "SKIPME", "no") == b":1\r\n"
            assert c.recv(16) == b""

    def check_client_reply(self):
        _, sts = self.start()
        want = b"$1\r\nb\r\n+OK\r\n$1\r\nd\r\n"
        for st in sts:
            s = connect(st.port)
            s.sendall(cmd("CLIENT", "REPLY", "SKIP") + cmd("PING", "a") + cmd("PING", "b") +
                      cmd("CLIENT", "REPLY", "OFF") + cmd("PING", "c") +
                      cmd("CLIENT", "REPLY", "ON") + cmd("PING", "d"))
            got = b""
            for _ in range(len(want)):  # bounded: at least a byte per read
                if len(got) >= len(want):
                    break
                chunk = s.recv(64)
                if not chunk:
                    break
                got += chunk
            assert got == want, (st.binary, got)

    def check_idle_timeout(self):
        _, (st,) = self.start(extra=("--timeout", "1"), both=False)
        idle, sub = connect(st.port), connect(st.port)
        call(sub, "SUBSCRIBE", "x")
        idle.settimeout(5)
        t0 = time.monotonic()
        assert idle.recv(16) == b"", "idle client not closed"
        assert 0.9 < time.monotonic() - t0 < 4.5
        assert call(sub, "PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n", "subscriber closed"

    def check_redis_py(self):
        import redis.sentinel
        srv, (st,) = self.start(both=False)
        sen = redis.sentinel.Sentinel([("127.0.0.1", st.port)], socket_timeout=5)
        assert wait_until(lambda: sen.discover_master("mymaster") == ("127.0.0.1", srv.port),
                          5)
        r = redis.Redis(host="127.0.0.1", port=st.port, protocol=2) \
            if "protocol" in redis.Redis.__init__.__code__.co_varnames \
            else redis.Redis(host="127.0.0.1", port=st.port)
        assert r.ping() is True
        assert r.execute_command("ROLE") == [b"sentinel", [b"mymaster"]]


if __name__ == "__main__":
    sys.exit(run_checks_stopping(Checks()))
