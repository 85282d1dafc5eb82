"""test_sentinel_commands.py - the SENTINEL command family of vigil-sentinel against Debian's
redis-sentinel 7.0.15, both watching the same vigil-server primary (with one replica).

Compared through the wire: SENTINEL MASTER's field names in order (and the values that do
not depend on timing), REPLICAS/SENTINELS map shapes, GET-MASTER-ADDR-BY-NAME bytes (RESP2,
RESP3 when the front speaks HELLO 3), the exact error texts of MONITOR, SET, CONFIG SET,
DEBUG, unknown subcommands and arity, DEBUG's map, HELP, CKQUORUM's texts,
IS-MASTER-DOWN-BY-ADDR's shape, RESET's count, and redis-py's Sentinel discovery.

vigil-sentinel learns its replica and peer from a state file written before it starts (so
the shapes can be compared even before its links discover them); redis-sentinel discovers
the replica itself and hears of the peer through a hello published on the primary.
Run with /usr/bin/python3; VIGIL_SERVER and VIGIL_SENTINEL name the binaries (ctest sets
them). Arguments: names of checks to run (without check_).
"""
import os
import signal
import subprocess
import sys
import tempfile
import shutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
from itlib import call, connect, wait_until  # noqa: E402

FAKE_PEER = "a" * 40


def pairs(raw_map_reply):
    """Flat RESP2 array or RESP3 map reply (raw bytes) -> list of (key, value) strings."""
    lines = raw_map_reply.split(b"\r\n")
    head = lines[0]
    assert head[:1] in (b"*", b"%"), raw_map_reply
    items, i = [], 1
    while i < len(lines) and lines[i]:
        if lines[i].startswith(b"$"):
            items.append(lines[i + 1].decode())
            i += 2
        else:
            items.append(lines[i][1:].decode())
            i += 1
    return list(zip(items[0::2], items[1::2]))


def parse(raw):
    """Raw RESP2/RESP3 bytes -> Python values (maps as lists of pairs, to keep the order)."""
    def one(i):
        end = raw.index(b"\r\n", i)
        kind, body = raw[i:i + 1], raw[i + 1:end]
        i = end + 2
        if kind in (b"$", b"="):
            n = int(body)
            if n < 0:
                return None, i
            return raw[i:i + n].decode(), i + n + 2
        if kind in (b"*", b"%", b"~", b">"):
            n = int(body)
            if n < 0:
                return None, i
            items = []
            for _ in range(n * (2 if kind == b"%" else 1)):
                v, i = one(i)
                items.append(v)
            if kind == b"%":
                items = list(zip(items[0::2], items[1::2]))
            return items, i
        if kind == b"_":
            return None, i
        return body.decode(), i
    return one(0)[0]


def as_pairs(v):
    """A parsed instance map (RESP2 flat list or RESP3 pairs) -> list of pairs."""
    if v and isinstance(v[0], tuple):
        return v
    return list(zip(v[0::2], v[1::2]))


def redis_conn(port):
    import redis
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=5, decode_responses=True)


class VigilSentinel:
    """vigil-sentinel on a dir we prepare (config + optional state file) before it starts."""

    def __init__(self, monitors, state_text=None, options=None):
        self.dir = tempfile.mkdtemp(prefix="vigil-stc-")
        self.port = itlib.free_port()
        self.conf = os.path.join(self.dir, "sentinel.ini")
        with open(self.conf, "w") as f:
            f.write(f"[sentinel]\nbind = 127.0.0.1\nport = {self.port}\ndir = {self.dir}\n")
            for k, v in (options or {}).items():
                f.write(f"{k} = {v}\n")
            for name, host, port, quorum, opts in monitors:
                f.write(f"[monitor {name}]\nhost = {host}\nport = {port}\nquorum = {quorum}\n")
                for k, v in (opts or {}).items():
                    f.write(f"{k} = {v}\n")
        if state_text is not None:
            with open(os.path.join(self.dir, "sentinel-state"), "w") as f:
                f.write(state_text)
        self.problems = []
        self.spawn()

    def spawn(self):
        """Start (again) on the same dir and port; RuntimeError when it does not come up."""
        self.log = open(os.path.join(self.dir, "sentinel.log"), "ab")
        self.proc = subprocess.Popen([itlib.sentinel_binary(), self.conf],
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     preexec_fn=itlib.die_with_parent)
        ok = wait_until(lambda: self.proc.poll() is not None or itlib.answers_ping(self.port), 15)
        if not ok or self.proc.poll() is not None:
            self.halt()
            raise RuntimeError(f"vigil-sentinel did not start:\n{self.logs()[-2000:]}")

    def logs(self):
        with open(os.path.join(self.dir, "sentinel.log"), errors="replace") as f:
            return f.read()

    def halt(self):
        """Stop the process (the dir stays); problems are collected for stop()."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.problems.append("ignored SIGTERM (killed)")
                self.proc.kill()
                self.proc.wait(timeout=10)
        rc = self.proc.returncode
        if rc is not None and rc < 0 and -rc not in (signal.SIGTERM, signal.SIGKILL):
            self.problems.append(f"crashed with signal {-rc}")
        self.log.close()

    def restart(self):
        self.halt()
        self.spawn()

    def stop(self):
        self.halt()
        logs = self.logs()
        if any(m in logs for m in itlib.SANITIZER_MARKS):
            self.problems.append("sanitizer report in the logs")
        if self.problems:
            print(logs[-4000:], file=sys.stderr)
        if not itlib.keep_dirs():
            shutil.rmtree(self.dir, ignore_errors=True)
        return self.problems


class Checks:
    def __init__(self):
        self.procs = []

    def setup(self):
        self.primary = self.keep(itlib.Server(itlib.vigil_binary()))
        self.replica = self.keep(itlib.Server(
            itlib.vigil_binary(), extra=["--replicaof", "127.0.0.1", str(self.primary.port)]))
        p = self.primary.port
        mon = [("mymaster", "127.0.0.1", p, 1, {"down-after-milliseconds": 1000})]
        self.redis = self.keep(itlib.Sentinel(itlib.REDIS_SENTINEL, mon))
        state = (f"version 1\ncurrent-epoch 0\nmaster mymaster\n  origin config 127.0.0.1 {p}\n"
                 f"  address 127.0.0.1 {p}\n  config-epoch 0\n  vote * 0\n"
                 f"  known-replica 127.0.0.1 {self.replica.port}\n"
                 f"  known-sentinel 127.0.0.1 1 {FAKE_PEER}\n")
        self.vigil = self.keep(VigilSentinel(mon, state_text=state))
        self.rs = connect(self.redis.port)
        self.vs = connect(self.vigil.port)
        # redis-sentinel: the replica through INFO, the peer through a hello on the primary
        rc = redis_conn(p)
        hello = f"127.0.0.1,1,{FAKE_PEER},0,mymaster,127.0.0.1,{p},0"
        assert wait_until(lambda: (rc.publish("__sentinel__:hello", hello) or True) and
                          FAKE_PEER.encode() in call(self.rs, "sentinel", "sentinels", "mymaster")
                          and call(self.rs, "sentinel", "replicas", "mymaster")[:4] == b"*1\r\n",
                          15, 0.2), "redis-sentinel did not discover the replica and the peer"
        # with working links each also discovers the other through the primary's hello
        # channel: compare once both know the same number of peers
        peers = lambda s: dict(pairs(call(s, "sentinel", "master", "mymaster")))[  # noqa: E731
            "num-other-sentinels"]
        if not wait_until(lambda: peers(self.rs) == "2", 6, 0.2):
            print("  note: redis-sentinel did not hear vigil-sentinel's hellos")
        assert wait_until(lambda: peers(self.rs) == peers(self.vs), 15, 0.2), \
            (peers(self.rs), peers(self.vs))

    def keep(self, p):
        self.procs.append(p)
        return p

    def really_stop(self):
        problems = []
        for p in reversed(self.procs):
            problems += p.stop()
        return "; ".join(problems) or None

    def both(self, *args):
        return call(self.rs, *args), call(self.vs, *args)

    def same(self, *args):
        r, v = self.both(*args)
        assert r == v, f"{args}: redis {r!r} vigil {v!r}"
        return v

    # ---- instance maps ---------------------------------------------------------------------

    def check_master_fields(self):
        r, v = self.both("sentinel", "master", "mymaster")
        rp, vp = pairs(r), pairs(v)
        assert [k for k, _ in rp] == [k for k, _ in vp], (rp, vp)
        rd, vd = dict(rp), dict(vp)
        for k in ("name", "ip", "port", "quorum", "down-after-milliseconds", "failover-timeout",
                  "parallel-syncs", "config-epoch", "num-other-sentinels", "role-reported"):
            assert rd[k] == vd[k], (k, rd[k], vd[k])
        assert vd["num-slaves"] == "1", vd
        # flags are comparable once vigil's links are up (the monitor half)
        if wait_until(lambda: "disconnected" not in dict(pairs(call(
                self.vs, "sentinel", "master", "mymaster")))["flags"], 5, 0.1):
            assert wait_until(lambda: dict(pairs(call(self.vs, "sentinel", "master", "mymaster")))
                              ["flags"] == "master", 5, 0.1)
        else:
            print("  note: vigil-sentinel has no links yet: flags not compared")
        r, v = self.both("sentinel", "masters")
        assert r.startswith(b"*1\r\n*40\r\n") and v.startswith(b"*1\r\n*40\r\n"), (r, v)

    def check_replicas_and_sentinels_shapes(self):
        for sub in ("replicas", "slaves"):
            r, v = self.both("sentinel", sub, "mymaster")
            assert r.startswith(b"*1\r\n") and v.startswith(b"*1\r\n"), (r, v)
            rk = [k for k, _ in pairs(r[4:])]
            vp = pairs(v[4:])
            assert rk == [k for k, _ in vp], (rk, vp)
            assert dict(vp)["name"] == f"127.0.0.1:{self.replica.port}"
            assert dict(vp)["flags"].split(",")[0] in ("slave", "s_down")
        r, v = self.both("sentinel", "sentinels", "mymaster")
        drop = ("s-down-time", "o-down-time")  # present only while down

        def fake(raw):
            for m in parse(raw):
                kv = as_pairs(m)
                if dict(kv)["runid"] == FAKE_PEER:
                    return [x for x in kv if x[0] not in drop]
            raise AssertionError(f"no fake peer in {raw!r}")
        rp, vp = fake(r), fake(v)
        assert [k for k, _ in rp] == [k for k, _ in vp], (rp, vp)
        assert dict(vp)["runid"] == FAKE_PEER and dict(vp)["voted-leader"] == "?"
        assert "sentinel" in dict(vp)["flags"].split(",")

    def check_get_master_addr(self):
        v = self.same("sentinel", "get-master-addr-by-name", "mymaster")
        assert v == b"*2\r\n$9\r\n127.0.0.1\r\n$%d\r\n%d\r\n" % (
            len(str(self.primary.port)), self.primary.port), v
        assert self.same("sentinel", "get-master-addr-by-name", "nope") == b"*-1\r\n"
        v3 = connect(self.vigil.port)
        r3 = connect(self.redis.port)
        try:
            hv = call(v3, "hello", "3")
            if hv.startswith(b"-"):
                print("  note: vigil-sentinel's front has no HELLO 3 yet: RESP3 not compared")
                return
            call(r3, "hello", "3")
            for args in (("sentinel", "get-master-addr-by-name", "nope"),
                         ("sentinel", "get-master-addr-by-name", "mymaster"),
                         ("sentinel", "debug"), ("sentinel", "config", "get", "announce-ip")):
                assert call(r3, *args) == call(v3, *args), args
            assert call(v3, "sentinel", "get-master-addr-by-name", "nope") == b"_\r\n"
            assert call(v3, "sentinel", "master", "mymaster").startswith(b"%20\r\n")
        finally:
            v3.close()
            r3.close()

    # ---- errors ------------------------------------------------------------------------------

    def check_error_texts(self):
        p = str(self.primary.port)
        cases = [
            ("sentinel", "foo"), ("sentinel", "FOO", "x"),
            ("sentinel", "monitor", "a", "127.0.0.1", "x", "1"),
            ("sentinel", "monitor", "a", "127.0.0.1", "1", "x"),
            ("sentinel", "monitor", "a", "127.0.0.1", "1", "0"),
            ("sentinel", "monitor", "a", "badhost", "1", "1"),
            ("sentinel", "monitor", "mymaster", "127.0.0.1", "1", "1"),
            ("sentinel", "monitor", "a", "127.0.0.1", "70000", "1"),
            ("sentinel", "monitor", "a", "127.0.0.1", "-1", "1"),
            ("sentinel", "set", "nope", "quorum", "1"),
            ("sentinel", "set", "mymaster", "quorum", "0"),
            ("sentinel", "set", "mymaster", "quorum", "x"),
            ("sentinel", "set", "mymaster", "quorum", "+1"),
            ("sentinel", "set", "mymaster", "foo", "1"),
            ("sentinel", "set", "mymaster", "down-after-milliseconds", "0"),
            ("sentinel", "set", "mymaster", "failover-timeout", "-5"),
            ("sentinel", "set", "mymaster", "parallel-syncs", "0"),
            ("sentinel", "set", "mymaster", "master-reboot-down-after-period", "-1"),
            ("sentinel", "set", "mymaster", "notification-script", "/bin/true"),
            ("sentinel", "set", "mymaster", "client-reconfig-script", "/bin/true"),
            ("sentinel", "config", "set", "foo", "1"),
            ("sentinel", "config", "set", "loglevel", "debug"),
            ("sentinel", "config", "set", "announce-port", "x"),
            ("sentinel", "config", "set", "announce-port", "70000"),
            ("sentinel", "config", "set", "announce-port", ""),
            ("sentinel", "config", "set", "resolve-hostnames", "maybe"),
            ("sentinel", "config", "get"), ("sentinel", "config", "foo"),
            ("sentinel", "config", "set", "announce-ip"),
            ("sentinel", "config", "set", "announce-ip", "1.2.3.4", "announce-port", "5"),
            ("sentinel", "debug", "info-period"), ("sentinel", "debug", "foo", "1"),
            ("sentinel", "debug", "info-period", "x"), ("sentinel", "debug", "info-period", "0"),
            ("sentinel", "simulate-failure", "foo"),
            ("sentinel", "is-master-down-by-addr", "127.0.0.1", "x", "0", "*"),
            ("sentinel", "is-master-down-by-addr", "127.0.0.1", p, "x", "*"),
            ("sentinel", "ckquorum", "nope"), ("sentinel", "failover", "nope"),
            ("sentinel", "remove", "nope"), ("sentinel", "master", "nope"),
            ("sentinel", "replicas", "nope"), ("sentinel", "sentinels", "nope"),
        ]
        for args in cases:
            v = self.same(*args)
            assert v.startswith(b"-"), (args, v)

    def check_arity(self):
        cases = [("masters", "x"), ("master",), ("replicas",), ("slaves", "a", "b"),
                 ("sentinels",), ("get-master-addr-by-name",), ("is-master-down-by-addr", "a"),
                 ("myid", "x"), ("ckquorum",), ("failover",), ("reset",), ("monitor", "a"),
                 ("remove",), ("set", "mymaster"), ("set", "mymaster", "quorum"), ("config",),
                 ("info-cache",), ("simulate-failure",), ("flushconfig", "x"),
                 ("pending-scripts", "x"), ("help", "x")]
        for sub in cases:
            v = self.same("sentinel", *sub)
            assert b"wrong number of arguments for 'sentinel|" in v, (sub, v)

    # ---- the rest of the family ----------------------------------------------------------------

    def check_debug_help_and_misc(self):
        v = self.same("sentinel", "debug")
        assert v.startswith(b"*26\r\n$11\r\nINFO-PERIOD\r\n$5\r\n10000\r\n"), v
        self.same("sentinel", "debug", "INFO-PERIOD", "10000", "ping-period", "1000")
        self.same("sentinel", "debug")
        self.same("sentinel", "help")
        self.same("sentinel", "simulate-failure", "help")
        self.same("sentinel", "simulate-failure", "crash-after-election", "help")
        self.same("sentinel", "simulate-failure", "help", "crash-after-election")
        self.same("sentinel", "pending-scripts")
        self.same("sentinel", "config", "get", "*")
        self.same("sentinel", "config", "get", "ANNOUNCE-*")
        self.same("sentinel", "config", "get", "nomatch")
        self.same("sentinel", "info-cache", "nope")
        myid = call(self.vs, "sentinel", "myid")
        assert myid.startswith(b"$40\r\n") and call(self.vs, "sentinel", "myid") == myid

    def check_config_set_roundtrip(self):
        for param, value in (("announce-ip", "10.1.2.3"), ("announce-port", "12"),
                             ("announce-hostnames", "YES"), ("resolve-hostnames", "no"),
                             ("sentinel-user", "u"), ("sentinel-pass", "pw"),
                             ("announce-ip", ""), ("announce-port", "0"),
                             ("announce-hostnames", "no"), ("sentinel-user", ""),
                             ("sentinel-pass", "")):
            assert self.same("sentinel", "config", "set", param, value) == b"+OK\r\n"
            self.same("sentinel", "config", "get", param)

    def check_set_partial_and_events(self):
        # options before a bad one stay applied, on both
        for s in (self.rs, self.vs):
            assert call(s, "sentinel", "monitor", "scratch", "127.0.0.1", "1", "2") == b"+OK\r\n"
        v = self.same("sentinel", "set", "scratch", "quorum", "3", "parallel-syncs", "0",
                      "failover-timeout", "5000")
        assert b"parallel-syncs" in v
        self.same("sentinel", "set", "scratch", "quorum", "4", "quorum")
        for s in (self.rs, self.vs):
            d = dict(pairs(call(s, "sentinel", "master", "scratch")))
            assert (d["quorum"], d["failover-timeout"]) == ("4", "180000"), d
        assert self.same("sentinel", "ckquorum", "scratch").startswith(b"-NOQUORUM 1 usable")
        assert self.same("sentinel", "set", "scratch", "quorum", "1") == b"+OK\r\n"
        assert self.same("sentinel", "ckquorum", "scratch").startswith(b"+OK 1 usable")
        assert self.same("sentinel", "set", "scratch", "auth-pass", "s3cret", "down-after-milliseconds",
                         "1500") == b"+OK\r\n"
        logs = self.vigil.logs()
        assert "+set master scratch 127.0.0.1 1 auth-pass ******" in logs, logs[-2000:]
        assert "+set master scratch 127.0.0.1 1 down-after-milliseconds 1500" in logs
        assert "+monitor master scratch 127.0.0.1 1 quorum 2" in logs
        assert "s3cret" not in logs
        assert self.same("sentinel", "remove", "scratch") == b"+OK\r\n"
        assert "-monitor master scratch 127.0.0.1 1" in self.vigil.logs()

    def check_is_master_down_shape(self):
        p = str(self.primary.port)
        v = self.same("sentinel", "is-master-down-by-addr", "127.0.0.1", p, "0", "*")
        assert v == b"*3\r\n:0\r\n$1\r\n*\r\n:0\r\n"
        self.same("sentinel", "is-master-down-by-addr", "10.9.9.9", "1", "0", "*")
        # a vote request: the vote is given in the requested epoch, then kept for it
        v = self.same("sentinel", "is-master-down-by-addr", "127.0.0.1", p, "7", "b" * 40)
        assert v == b"*3\r\n:0\r\n$40\r\n%s\r\n:7\r\n" % (b"b" * 40), v
        v = self.same("sentinel", "is-master-down-by-addr", "127.0.0.1", p, "7", "c" * 40)
        assert b"b" * 40 in v, v

    def check_reset_count(self):
        for s in (self.rs, self.vs):
            for n in ("reset-a", "reset-b"):
                assert call(s, "sentinel", "monitor", n, "127.0.0.1", "2", "1") == b"+OK\r\n"
        assert self.same("sentinel", "reset", "reset-*") == b":2\r\n"
        assert self.same("sentinel", "reset", "nomatch*") == b":0\r\n"
        assert "+reset-master master reset-a 127.0.0.1 2" in self.vigil.logs()
        for s in (self.rs, self.vs):
            for n in ("reset-a", "reset-b"):
                assert call(s, "sentinel", "remove", n) == b"+OK\r\n"

    def check_redis_py_discovery(self):
        from redis.sentinel import Sentinel
        found = {}
        for who, port in (("redis", self.redis.port), ("vigil", self.vigil.port)):
            s = Sentinel([("127.0.0.1", port)], socket_timeout=5)
            found[who] = (s.discover_master("mymaster"), s.discover_slaves("mymaster"))
        assert found["vigil"][0] == ("127.0.0.1", self.primary.port), found
        assert found["vigil"][0] == found["redis"][0], found
        assert found["vigil"][1] == [("127.0.0.1", self.replica.port)], found
        assert found["vigil"][1] == found["redis"][1], found

    def check_info_section(self):
        v = call(self.vs, "info", "sentinel")
        if v.startswith(b"-"):
            print("  note: vigil-sentinel's front has no INFO yet: section not compared")
            return
        r = call(self.rs, "info", "sentinel")
        strip = lambda b: [l for l in b.split(b"\r\n")[1:] if l]  # noqa: E731
        assert strip(r) == strip(v), (r, v)


def main():
    checks = Checks()
    return itlib.run_checks_shared(checks, checks.really_stop)


if __name__ == "__main__":
    sys.exit(main())
