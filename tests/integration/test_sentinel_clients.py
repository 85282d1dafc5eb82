#!/usr/bin/env python3
"""Real Sentinel clients, unchanged, through vigil-sentinel failovers (issue 6's promise).

Three vigil-servers (a primary, two replicas) and three vigil-sentinels (quorum 2,
down-after 1000 ms, failover-timeout 10000 ms). Clients:
- ioredis 6.0.0 (RESP3) and ioredis 5.11.1 (RESP2), and node-redis 6.3.1's createSentinel:
  tests/integration/clients/sentinel_writer.js INCRs a counter every 20 ms and prints JSON
  lines of what it sees. The Node clients are given ONE sentinel; the others must come from
  SENTINEL SENTINELS.
- redis-py 4.3.4 (Debian): Sentinel([...], min_other_sentinels=2), discover_master /
  discover_slaves, master_for() writing and slave_for() reading every 20 ms in threads,
  retrying on ConnectionError/ReadOnlyError as an application would.
- redis-cli: SENTINEL GET-MASTER-ADDR-BY-NAME / MASTERS / REPLICAS parsed from its output,
  and SUBSCRIBE +switch-master on a sentinel.

check_kill9: kill -9 of the primary: every client ends up writing to the address all
sentinels report, within a bound, and the counter each one reads back there is the last value
it was acknowledged; the old primary is listed as an s_down replica. ioredis runs with its
default failoverDetector off here: with it on, a detector left from the lost connection
that hears +switch-master while the client is resolving leaves ioredis 6.0.0 closed for good
("Connection is closed."), against Redis 7.0's own sentinel as well (5.11.1 has the same
detector code).
check_manual_failover: the Node clients learn the two other sentinels, their only configured
sentinel is killed -9, then SENTINEL FAILOVER (no election needed) with the old primary
alive: ioredis's failoverDetector hears +switch-master from a live (learnt) sentinel, as a
RESP3 push (ioredis 6) or a RESP2 message (ioredis 5), and every Node client ends on the new
primary.

The Node modules come from `npm ci` in tests/integration/clients (deploy/setup.sh runs it);
without node or node_modules the Node part FAILS with a message saying how to install them.
Env: VIGIL_SERVER, VIGIL_SENTINEL; NODE (default: node on PATH); REDIS_CLI (default
/usr/bin/redis-cli).
"""
import json
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    Sentinel, Server, die_with_parent, run_checks_stopping, sentinel_binary, vigil_binary,
    wait_until)

import redis  # noqa: E402 - Debian's python3-redis
from redis.sentinel import Sentinel as PySentinel  # noqa: E402

NAME = "mymaster"
MASTER_OPTS = {"down-after-milliseconds": 1000, "failover-timeout": 10000}
SERVER_OPTS = ("--repl-diskless-sync-delay", "0")
CLIENTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clients")
WRITER = os.path.join(CLIENTS_DIR, "sentinel_writer.js")
REDIS_CLI = os.environ.get("REDIS_CLI", "/usr/bin/redis-cli")
NODE_LIBS = ("ioredis", "ioredis5", "node-redis")
# kill -9 to every client writing on the new primary: down-after (1 s) + vote + promotion
# measured at ~2-4 s here; the clients then need at most one retry round
SWITCH_BOUND_S = 15
CLIENT_BOUND_S = 8  # after all sentinels report the new primary


def r(port):
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=5, decode_responses=True)


def role(port):
    try:
        return r(port).info("replication").get("role")
    except redis.RedisError:
        return None


def master_addr(port):
    try:
        a = r(port).execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", NAME)
        return f"{a[0]}:{a[1]}" if a else None
    except redis.RedisError:
        return None


def entries(reply):
    return [x if isinstance(x, dict) else dict(zip(x[::2], x[1::2])) for x in reply]


def node_missing():
    """Why the Node clients cannot run, or None."""
    node = node_binary()
    if not node or not os.access(node, os.X_OK):
        return (f"node ({node or 'not on PATH'}) is not installed (deploy/setup.sh "
                "installs nodejs and npm from Debian)")
    for lib in ("ioredis", "ioredis5", "redis"):
        if not os.path.exists(os.path.join(CLIENTS_DIR, "node_modules", lib, "package.json")):
            return (f"{lib} is missing from {CLIENTS_DIR}/node_modules: run "
                    f"`npm ci` there (deploy/setup.sh does; it needs the npm registry)")
    return None


def node_binary():
    return os.environ.get("NODE") or shutil.which("node")


class Lines:
    """A child process whose stdout lines are collected by a thread; stdin stays open
    (closing it stops sentinel_writer.js)."""

    def __init__(self, argv, parse_json):
        self.lines = []
        self.lock = threading.Lock()
        self.parse_json = parse_json
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, preexec_fn=die_with_parent)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        self.err = b""
        self.err_thread = threading.Thread(target=self._read_err, daemon=True)
        self.err_thread.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            if self.parse_json:
                try:
                    line = json.loads(line)
                except ValueError:
                    line = {"ev": "garbage", "line": line}
                line["rx"] = time.monotonic()  # when the test received it
            with self.lock:
                self.lines.append(line)

    def _read_err(self):
        self.err = self.proc.stderr.read()

    def snapshot(self):
        with self.lock:
            return list(self.lines)

    def events(self, ev):
        return [x for x in self.snapshot() if x.get("ev") == ev]

    def stop(self, timeout=10):
        """Close stdin, wait (then kill), join the readers. Returns the exit status."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.thread.join(timeout=5)
        self.err_thread.join(timeout=5)
        return self.proc.returncode


class PyApp:
    """redis-py as an application: a writer on master_for() and a reader on slave_for(),
    each every 20 ms in a thread, retrying on the errors a failover raises."""

    RETRY = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.ReadOnlyError)

    def __init__(self, sentinel_ports):
        self.sentinel = PySentinel([("127.0.0.1", p) for p in sentinel_ports],
                                   min_other_sentinels=2, socket_timeout=0.5)
        kw = dict(socket_timeout=0.5, socket_connect_timeout=0.5, decode_responses=True)
        self.master = self.sentinel.master_for(NAME, **kw)
        self.slave = self.sentinel.slave_for(NAME, **kw)
        self.writes = []  # (monotonic time, value, "ip:port" of the pool's primary)
        self.reads = []   # (monotonic time, value)
        self.errors = {}  # type name -> count
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._write, daemon=True),
                        threading.Thread(target=self._read, daemon=True)]
        for t in self.threads:
            t.start()

    def _error(self, e):
        name = type(e).__name__
        self.errors[name] = self.errors.get(name, 0) + 1

    def _write(self):
        while not self.stopping.wait(0.02):
            try:
                v = self.master.incr("counter:redis-py")
                host, port = self.master.connection_pool.master_address
                self.writes.append((time.monotonic(), v, f"{host}:{port}"))
            except self.RETRY as e:
                self._error(e)

    def _read(self):
        while not self.stopping.wait(0.02):
            try:
                self.reads.append((time.monotonic(), self.slave.get("counter:redis-py")))
            except self.RETRY as e:
                self._error(e)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=5)
        self.master.close()
        self.slave.close()


def redis_cli(port, *args):
    out = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(port), *map(str, args)],
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    assert out.returncode == 0, out
    return out.stdout.decode().splitlines()


def cli_pairs(lines, first_field="name"):
    """redis-cli's non-tty output of an array of flat field/value arrays is one element per
    line; an entry starts at `first_field`."""
    out, cur = [], None
    for i in range(0, len(lines) - 1, 2):
        k, v = lines[i], lines[i + 1]
        if k == first_field:
            cur = {}
            out.append(cur)
        assert cur is not None, lines
        cur[k] = v
    return out


class Checks:
    def __init__(self):
        self.servers = []
        self.procs = []
        self.apps = []

    def server(self, extra=()):
        s = Server(vigil_binary(), (*extra, *SERVER_OPTS))
        self.servers.append(s)
        return s

    def stop_all(self, _name=None):
        for app in self.apps:
            app.stop()
        self.apps = []
        for p in self.procs:
            p.stop(timeout=5)
        self.procs = []
        problems = []
        for s in self.servers:
            problems += s.stop()
        self.servers = []
        return "; ".join(problems) or None

    def group(self, priorities=(100, 50)):
        primary = self.server()
        replicas = [self.server(("--replicaof", "127.0.0.1", str(primary.port),
                                 "--replica-priority", str(p))) for p in priorities]

        def synced():
            try:
                return all(r(s.port).info("replication").get("master_link_status") == "up"
                           for s in replicas)
            except redis.RedisError:
                return False
        assert wait_until(synced, 15, 0.05)
        sentinels = []
        for _ in range(3):
            st = Sentinel(sentinel_binary(), [(NAME, "127.0.0.1", primary.port, 2,
                                               MASTER_OPTS)])
            self.servers.append(st)
            sentinels.append(st)
            # INFO every second (default 10 s): a demoted or promoted role is seen sooner
            assert r(st.port).execute_command("SENTINEL", "DEBUG", "info-period", 1000) == "OK"

        def ready():
            for st in sentinels:
                try:
                    m = entries(r(st.port).execute_command("SENTINEL", "MASTERS"))[0]
                except (redis.RedisError, IndexError):
                    return False
                if m["num-slaves"] != "2" or m["num-other-sentinels"] != "2":
                    return False
            return True
        assert wait_until(ready, 20, 0.1)
        return primary, replicas, sentinels

    def node(self, lib, sentinel_ports, detector=False):
        missing = node_missing()
        assert not missing, f"the Node clients cannot run: {missing}"
        argv = [node_binary(), WRITER, lib, ",".join(f"127.0.0.1:{p}" for p in sentinel_ports),
                NAME, f"counter:{lib}", "20", "50000", "detector" if detector else "-"]
        p = Lines(argv, parse_json=True)
        self.procs.append(p)
        return p

    def subscriber(self, port):
        # stdbuf: redis-cli's stdout is a pipe here, so line buffering is asked for
        p = Lines(["stdbuf", "-oL", REDIS_CLI, "-h", "127.0.0.1", "-p", str(port),
                   "SUBSCRIBE", "+switch-master"], parse_json=False)
        self.procs.append(p)
        assert wait_until(lambda: p.snapshot()[:3] == ["subscribe", "+switch-master", "1"],
                          5, 0.02), p.snapshot()
        return p

    # ---- checks ------------------------------------------------------------------------

    def check_kill9(self):
        primary, replicas, sts = self.group()
        P = f"127.0.0.1:{primary.port}"
        replica_addrs = sorted(f"127.0.0.1:{s.port}" for s in replicas)

        # redis-cli against a sentinel, before the failover
        assert redis_cli(sts[1].port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", NAME) == \
            ["127.0.0.1", str(primary.port)]
        masters = cli_pairs(redis_cli(sts[1].port, "SENTINEL", "MASTERS"))
        assert len(masters) == 1, masters
        m = masters[0]
        assert (m["name"], m["ip"], m["port"]) == (NAME, "127.0.0.1", str(primary.port)), m
        assert m["flags"] == "master" and m["num-slaves"] == "2", m
        assert m["num-other-sentinels"] == "2" and m["quorum"] == "2", m
        reps = cli_pairs(redis_cli(sts[1].port, "SENTINEL", "REPLICAS", NAME))
        assert sorted(f"{x['ip']}:{x['port']}" for x in reps) == replica_addrs, reps
        assert all(x["flags"] == "slave" and x["master-link-status"] == "ok" for x in reps), reps

        # redis-py: discovery, and min_other_sentinels=2 is met
        py = PyApp([s.port for s in sts])
        self.apps.append(py)
        assert py.sentinel.discover_master(NAME) == ("127.0.0.1", primary.port)
        assert sorted(f"{h}:{p}" for h, p in py.sentinel.discover_slaves(NAME)) == replica_addrs
        try:
            PySentinel([("127.0.0.1", sts[0].port)], min_other_sentinels=3,
                       socket_timeout=0.5).discover_master(NAME)
            raise AssertionError("min_other_sentinels=3 accepted with 2 other sentinels")
        except redis.sentinel.MasterNotFoundError:
            pass

        sub = self.subscriber(sts[2].port)
        # the Node clients know only sentinel 0, which is killed before the primary
        nodes = {lib: self.node(lib, [sts[0].port]) for lib in NODE_LIBS}
        all_sts = sorted(f"127.0.0.1:{s.port}" for s in sts)

        def writing_to(p, addr, after=0):
            return any(x["addr"] == addr and x["rx"] >= after for x in p.events("writing"))

        for lib, p in nodes.items():
            assert wait_until(lambda: writing_to(p, P), 10, 0.05), (lib, p.snapshot(), p.err)
        for lib in ("ioredis", "ioredis5"):  # learnt from SENTINEL SENTINELS
            p = nodes[lib]
            assert wait_until(lambda: any(sorted(x["list"]) == all_sts
                                          for x in p.events("sentinels")), 5, 0.05), \
                (lib, p.events("sentinels"), all_sts)
        assert wait_until(lambda: any(w[2] == P for w in py.writes), 5, 0.05), py.errors
        assert wait_until(lambda: len(py.reads) > 0, 5, 0.05), py.errors

        primary.proc.kill()
        primary.proc.wait(timeout=10)
        t_kill = time.monotonic()

        assert wait_until(lambda: len({master_addr(s.port) for s in sts}) == 1
                          and master_addr(sts[0].port) not in (None, P), SWITCH_BOUND_S,
                          0.05), ([master_addr(s.port) for s in sts],
                                  "\n".join(s.logs() for s in sts))
        t_switch = time.monotonic() - t_kill
        N = master_addr(sts[0].port)
        n_port = int(N.split(":")[1])
        assert N in replica_addrs and role(n_port) == "master", (N, role(n_port))
        print(f"    all sentinels report {N} {t_switch:.2f} s after kill -9")

        figures = {}
        deadline = time.monotonic() + CLIENT_BOUND_S
        for lib, p in nodes.items():
            ok = wait_until(lambda: writing_to(p, N, t_kill),
                            max(0.1, deadline - time.monotonic()), 0.05)
            assert ok, (lib, p.snapshot()[-20:], p.err[-2000:])
            first = next(x for x in p.events("writing") if x["addr"] == N and x["rx"] >= t_kill)
            figures[lib] = first["rx"] - t_kill
        ok = wait_until(lambda: any(w[2] == N and w[0] > t_kill for w in py.writes),
                        max(0.1, deadline - time.monotonic()), 0.05)
        assert ok, (py.errors, py.writes[-3:])
        figures["redis-py"] = next(w[0] for w in py.writes if w[2] == N and w[0] > t_kill) \
            - t_kill
        # the reader follows too: slave_for skips the dead primary (s_down) and reads values
        # written after the failover
        after_writes = [w[1] for w in py.writes if w[0] > t_kill]
        assert wait_until(lambda: any(v is not None and int(v) >= after_writes[0]
                                      for t, v in py.reads if t > t_kill), 5, 0.05), \
            (py.reads[-3:], py.errors)

        # redis-cli's subscriber got the switch, with Redis's payload
        expect = f"{NAME} 127.0.0.1 {primary.port} 127.0.0.1 {n_port}"
        assert wait_until(lambda: ["message", "+switch-master", expect] ==
                          sub.snapshot()[3:6], 5, 0.02), sub.snapshot()
        assert redis_cli(sts[1].port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", NAME) == \
            ["127.0.0.1", str(n_port)]
        other = [a for a in replica_addrs if a != N][0]

        def replica_flags():
            return {f"{x['ip']}:{x['port']}": x["flags"] for x in
                    cli_pairs(redis_cli(sts[1].port, "SENTINEL", "REPLICAS", NAME))}
        # the old primary is listed as a replica of the new one, s_down once down-after
        # has passed since the switch
        assert wait_until(lambda: set(replica_flags()) == {P, other}
                          and "s_down" in replica_flags()[P]
                          and replica_flags()[other] == "slave", 5, 0.1), replica_flags()

        # writes keep landing on N; then stop every client and read the counters back there
        time.sleep(0.5)
        py.stop()
        self.apps.remove(py)
        last_py = py.writes[-1]
        assert last_py[2] == N
        assert r(n_port).get("counter:redis-py") == str(last_py[1]), last_py
        for lib, p in nodes.items():
            assert p.stop() == 0, (lib, p.err[-2000:])
            end = p.events("end")
            assert end and end[0]["addr"] == N, (lib, p.snapshot()[-10:])
            assert r(n_port).get(f"counter:{lib}") == str(end[0]["last"]), (lib, end)
            failed = end[0]["failed"]
            print(f"    {lib}: first write on {N} {figures[lib]:.2f} s after kill -9; "
                  f"{end[0]['ok']} writes, {failed} failed; "
                  f"detector messages: {len(p.events('detector'))}")
        print(f"    redis-py: first write on {N} {figures['redis-py']:.2f} s after kill -9; "
              f"{len(py.writes)} writes, errors {py.errors}")

    def check_manual_failover(self):
        primary, replicas, sts = self.group()
        P = f"127.0.0.1:{primary.port}"
        all_sts = sorted(f"127.0.0.1:{s.port}" for s in sts)
        # the Node clients know only sentinel 0; ioredis with its failoverDetector on
        nodes = {lib: self.node(lib, [sts[0].port], detector=True) for lib in NODE_LIBS}
        for lib, p in nodes.items():
            assert wait_until(lambda: any(x["addr"] == P for x in p.events("writing")), 10,
                              0.05), (lib, p.snapshot(), p.err)
        for lib in ("ioredis", "ioredis5"):
            p = nodes[lib]
            assert wait_until(lambda: any(sorted(x["list"]) == all_sts
                                          for x in p.events("sentinels")), 5, 0.05), \
                (lib, p.events("sentinels"), all_sts)
        assert wait_until(lambda: any(x.get("type") == "SENTINE_LIST_CHANGE"  # sic
                                      and x.get("size") == 3
                                      for x in nodes["node-redis"].events("topology")), 5,
                          0.05), nodes["node-redis"].snapshot()
        # sentinel 0 dies: from now on the clients only have the sentinels they learnt. A
        # manual failover needs no election, so two live sentinels are enough.
        sts[0].proc.kill()
        sts[0].proc.wait(timeout=10)
        sub = self.subscriber(sts[2].port)
        t0 = time.monotonic()
        assert r(sts[1].port).execute_command("SENTINEL", "FAILOVER", NAME) == "OK"
        live = sts[1:]
        assert wait_until(lambda: len({master_addr(s.port) for s in live}) == 1
                          and master_addr(live[0].port) not in (None, P), SWITCH_BOUND_S,
                          0.05), [master_addr(s.port) for s in live]
        N = master_addr(live[0].port)
        n_port = int(N.split(":")[1])
        print(f"    live sentinels report {N} {time.monotonic() - t0:.2f} s after "
              "SENTINEL FAILOVER")
        expect = f"{NAME} 127.0.0.1 {primary.port} 127.0.0.1 {n_port}"
        assert wait_until(lambda: ["message", "+switch-master", expect] ==
                          sub.snapshot()[3:6], 5, 0.02), sub.snapshot()
        live_addrs = {f"127.0.0.1:{s.port}" for s in live}
        for lib in ("ioredis", "ioredis5"):
            # the detector subscribed on all three sentinels (two learnt); a live one's
            # +switch-master arrives as a RESP3 push (ioredis 6) or a RESP2 array (ioredis 5),
            # and the first one heard closes every subscription (ioredis reconnects)
            p = nodes[lib]
            assert wait_until(lambda: any(x["sentinel"] in live_addrs
                                          and x["channel"] == "+switch-master"
                                          and x["msg"] == expect
                                          for x in p.events("detector")), 5, 0.05), \
                (lib, p.snapshot()[-20:])
        for lib, p in nodes.items():
            assert wait_until(lambda: any(x["addr"] == N and x["rx"] > t0
                                          for x in p.events("writing")),
                              CLIENT_BOUND_S, 0.05), (lib, p.snapshot()[-20:], p.err[-2000:])
            first = next(x for x in p.events("writing") if x["addr"] == N and x["rx"] > t0)
            print(f"    {lib}: first write on {N} {first['rx'] - t0:.2f} s after "
                  "SENTINEL FAILOVER")
        # the old primary is alive and demoted: writes must not go on landing there
        assert wait_until(lambda: role(primary.port) == "slave", 15, 0.1)
        time.sleep(0.3)
        for lib, p in nodes.items():
            assert p.stop() == 0, (lib, p.err[-2000:])
            end = p.events("end")
            assert end and end[0]["addr"] == N, (lib, p.snapshot()[-10:])
            assert r(n_port).get(f"counter:{lib}") == str(end[0]["last"]), (lib, end)
            print(f"    {lib}: {end[0]['ok']} writes, {end[0]['failed']} failed")

if __name__ == "__main__":
    sys.exit(run_checks_stopping(Checks()))
