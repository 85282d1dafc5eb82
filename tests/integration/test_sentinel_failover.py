#!/usr/bin/env python3
"""vigil-sentinel failovers end to end: three servers (a primary and two replicas) watched by
three vigil-sentinels (quorum 2, down-after 1000 ms, failover-timeout 10000 ms).

- kill -9 of the primary: exactly one +elected-leader among the sentinels, +switch-master on
  all three naming the same new primary (the replica steered by replica-priority), which
  reports role master; the other replica is repointed (INFO master_port, link up); no second
  failover follows; the old primary restarted on its port is demoted (+convert-to-slave)
  and replicates from the new one.
- SENTINEL FAILOVER on a healthy group: +OK, a replica at replica-priority 0 is never the
  one promoted, the old primary (alive) ends as a replica of the new one; with every replica
  at priority 0 the answer is -NOGOODSLAVE; a second FAILOVER during one is -INPROG.
- the same kill -9 drill with Debian's redis-server as the replicas (the protocol is the
  same).
Events are read from the sentinels' logs (every event is logged with its exact text). To
stay under a minute the sentinels poll INFO every second (SENTINEL DEBUG info-period 1000,
so a returning old primary is seen within a second without relying on the early INFO
requests) and the servers start full syncs at once (repl-diskless-sync-delay 0).
Env: VIGIL_SERVER, VIGIL_SENTINEL; REDIS_SERVER (default /usr/bin/redis-server).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402 - the shared fixture
from itlib import (  # noqa: E402
    Sentinel, Server, run_checks_stopping, sentinel_binary, vigil_binary, wait_until)

import redis  # noqa: E402 - Debian's python3-redis

NAME = "mymaster"
MASTER_OPTS = {"down-after-milliseconds": 1000, "failover-timeout": 10000}
REDIS_SERVER = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
SERVER_OPTS = ("--repl-diskless-sync-delay", "0")


def r(port):
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=5, decode_responses=True)


def events(st, name):
    """Payloads of every `name` event in a sentinel's log, in order."""
    out = []
    for line in st.logs_text().splitlines():
        i = line.find(f" {name} ")
        if i >= 0:
            out.append(line[i + len(name) + 2:].strip())
    return out


def master_addr(st):
    try:
        a = r(st.port).execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", NAME)
        return (a[0], int(a[1])) if a else None
    except redis.RedisError:
        return None


def master_info(st):
    reply = r(st.port).execute_command("SENTINEL", "MASTER", NAME)
    if isinstance(reply, dict):
        return reply
    return dict(zip(reply[::2], reply[1::2]))


def replication(port):
    try:
        return r(port).info("replication")
    except redis.RedisError:
        return {}


class Group:
    """A primary, replicas and three sentinels; servers restarted on a fixed port go into
    the same list so that everything is stopped by PID."""

    def __init__(self, checks, replica_binary=None, priorities=(100, 100), quorum=2):
        self.checks = checks
        self.primary = checks.server(vigil_binary(), SERVER_OPTS)
        self.replicas = []
        for prio in priorities:
            binary = replica_binary or vigil_binary()
            self.replicas.append(checks.server(binary, (
                "--replicaof", "127.0.0.1", str(self.primary.port),
                "--replica-priority", str(prio), *SERVER_OPTS)))
        assert wait_until(lambda: all(replication(s.port).get("master_link_status") == "up"
                                      for s in self.replicas), 15)
        self.sentinels = [checks.sentinel([(NAME, "127.0.0.1", self.primary.port, quorum,
                                            MASTER_OPTS)]) for _ in range(3)]
        for st in self.sentinels:
            assert st_cmd(st, "SENTINEL", "DEBUG", "info-period", 1000) == "OK"

        def ready():
            for st in self.sentinels:
                try:
                    m = master_info(st)
                except redis.RedisError:
                    return False
                if int(m["num-slaves"]) != len(self.replicas):
                    return False
                if int(m["num-other-sentinels"]) != 2:
                    return False
            return True
        assert wait_until(ready, 20, 0.1), [master_info(st) for st in self.sentinels]

    def all_events(self, name):
        return [e for st in self.sentinels for e in events(st, name)]

    def switched_to(self, port):
        return all(master_addr(st) == ("127.0.0.1", port) for st in self.sentinels)


class Checks:
    def __init__(self):
        self.servers = []

    def server(self, binary, extra=()):
        s = Server(binary, extra)
        self.servers.append(s)
        return s

    def server_on_port(self, binary, port, extra=()):
        """A server restarted on a port it had (the old primary coming back)."""
        saved = itlib.free_port
        itlib.free_port = lambda: port
        try:
            return self.server(binary, extra)
        finally:
            itlib.free_port = saved

    def sentinel(self, monitors):
        st = Sentinel(sentinel_binary(), monitors)
        st.logs_text = lambda st=st: _read(os.path.join(st.dir, "stdout.log")) + \
            _read(os.path.join(st.dir, "stderr.log"))
        self.servers.append(st)
        return st

    def stop_all(self, _name=None):
        problems = []
        for s in self.servers:
            problems += s.stop()
        self.servers = []
        return "; ".join(problems) or None

    def _kill9_drill(self, replica_binary):
        g = Group(self, replica_binary, priorities=(100, 50))
        old = g.primary
        steered = g.replicas[1]  # priority 50 beats 100
        other = g.replicas[0]
        w = r(old.port)
        for i in range(100):
            w.set(f"k{i}", i)
        assert wait_until(lambda: all(r(s.port).get("k99") == "99" for s in g.replicas), 10)
        old_port = old.port
        old.proc.kill()
        old.proc.wait(timeout=10)
        t0 = time.monotonic()
        assert wait_until(lambda: g.switched_to(steered.port), 20, 0.05), \
            [master_addr(st) for st in g.sentinels]
        took = time.monotonic() - t0
        expect = f"{NAME} 127.0.0.1 {old_port} 127.0.0.1 {steered.port}"
        assert wait_until(lambda: all(events(st, "+switch-master") == [expect]
                                      for st in g.sentinels), 10), \
            [events(st, "+switch-master") for st in g.sentinels]
        assert len(g.all_events("+elected-leader")) == 1, g.all_events("+elected-leader")
        assert len(g.all_events("+promoted-slave")) == 1
        assert replication(steered.port).get("role") == "master"
        assert r(steered.port).get("k99") == "99"
        assert wait_until(lambda: replication(other.port).get("master_port") == steered.port
                          and replication(other.port).get("master_link_status") == "up", 15), \
            replication(other.port)
        print(f"    switched on all sentinels {took:.2f} s after kill -9")

        # the old primary comes back empty on its port: demoted, then a replica of the new
        back = self.server_on_port(vigil_binary(), old_port, SERVER_OPTS)
        t1 = time.monotonic()
        assert wait_until(lambda: replication(back.port).get("role") == "slave"
                          and replication(back.port).get("master_port") == steered.port, 25,
                          0.1), replication(back.port)
        print(f"    old primary demoted {time.monotonic() - t1:.2f} s after its restart")
        assert wait_until(lambda: r(back.port).get("k99") == "99", 25, 0.1), \
            (replication(back.port), replication(steered.port))
        convert = g.all_events("+convert-to-slave")
        assert convert and all(c.startswith(f"slave 127.0.0.1:{old_port} 127.0.0.1 {old_port}"
                                            f" @ {NAME} 127.0.0.1 {steered.port}")
                               for c in convert), convert
        # one failover only (reference weakness 2: no spurious second one)
        assert len(g.all_events("+try-failover")) >= 1
        assert all(len(events(st, "+switch-master")) == 1 for st in g.sentinels)
        assert len(g.all_events("+elected-leader")) == 1

    def check_kill9_primary(self):
        self._kill9_drill(None)

    def check_manual_failover_priority_zero(self):
        # replica 0 has priority 0 and the larger offset would not matter: never promoted
        g = Group(self, None, priorities=(0, 100))
        old, zero, good = g.primary, g.replicas[0], g.replicas[1]
        st = g.sentinels[0]
        assert st_cmd(st, "SENTINEL", "FAILOVER", NAME) == "OK"
        try:
            st_cmd(st, "SENTINEL", "FAILOVER", NAME)
            raise AssertionError("a second FAILOVER during one was accepted")
        except redis.ResponseError as e:
            assert str(e) == "INPROG Failover already in progress", str(e)
        assert wait_until(lambda: g.switched_to(good.port), 15, 0.05), \
            [master_addr(s) for s in g.sentinels]
        assert replication(good.port).get("role") == "master"
        assert len(events(st, "+elected-leader")) == 1
        assert wait_until(lambda: replication(zero.port).get("master_port") == good.port, 15)
        # the old primary was alive all along: it is demoted by the sentinels
        assert wait_until(lambda: replication(old.port).get("role") == "slave"
                          and replication(old.port).get("master_port") == good.port, 25,
                          0.1), replication(old.port)
        assert not g.all_events("+switch-master") or all(
            e.split()[3:] == ["127.0.0.1", str(good.port)]
            for e in g.all_events("+switch-master"))
        # every replica at priority 0: nothing to promote
        for s in (zero, old):
            r(s.port).config_set("replica-priority", 0)

        # the sentinel sees the new priorities with its next INFO (1 s period here); asking
        # for a FAILOVER before would start a real one
        def priorities():
            reps = st_cmd(st, "SENTINEL", "REPLICAS", NAME)
            return sorted(dict(zip(x[::2], x[1::2]))["slave-priority"] for x in reps)
        assert wait_until(lambda: priorities() == ["0", "0"], 10, 0.1), priorities()
        try:
            st_cmd(st, "SENTINEL", "FAILOVER", NAME)
            raise AssertionError("FAILOVER accepted with every replica at priority 0")
        except redis.ResponseError as e:
            assert str(e) == "NOGOODSLAVE No suitable replica to promote", str(e)

    def check_kill9_with_redis_replicas(self):
        if not os.path.exists(REDIS_SERVER):
            print("    skipped: no redis-server")
            return
        self._kill9_drill(REDIS_SERVER)


    def check_votes_over_the_wire(self):
        # one vote per epoch, first come; a newer epoch is adopted; on disk before the reply
        p = self.server(vigil_binary(), SERVER_OPTS)
        st = self.sentinel([(NAME, "127.0.0.1", p.port, 1, MASTER_OPTS)])
        a, b = "a" * 40, "b" * 40

        def ask(epoch, runid):
            return st_cmd(st, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", p.port,
                          epoch, runid)
        assert ask(5, a) == [0, a, 5]
        assert a in _read(os.path.join(st.dir, "sentinel-state"))
        assert ask(5, b) == [0, a, 5]
        assert ask(4, b) == [0, a, 5]
        assert ask(6, b) == [0, b, 6]
        assert b in _read(os.path.join(st.dir, "sentinel-state"))
        assert events(st, "+vote-for-leader") == [f"{a} 5", f"{b} 6"]
        assert events(st, "+new-epoch") == ["5", "6"]
        assert ask(7, "*") == [0, "*", 0]  # no vote asked, none reported

    def check_not_elected_without_majority(self):
        # quorum 1 gives ODOWN on one sentinel, but the leader needs 2 of 3 votes
        g = Group(self, None, priorities=(100,), quorum=1)
        st = g.sentinels[0]
        assert st_cmd(st, "SENTINEL", "DEBUG", "election-timeout", 1500) == "OK"
        for other in g.sentinels[1:]:
            assert not other.stop()
        g.primary.proc.kill()
        g.primary.proc.wait(timeout=10)
        assert wait_until(lambda: events(st, "-failover-abort-not-elected"), 10, 0.05), \
            st.logs_text()[-2000:]
        assert events(st, "+odown") and events(st, "+try-failover")
        assert not events(st, "+elected-leader") and not events(st, "+switch-master")
        assert replication(g.replicas[0].port).get("role") == "slave"
        # the next attempt waits 2 × failover-timeout (20 s), as in Redis
        time.sleep(2)
        assert len(events(st, "+try-failover")) == 1

    def check_no_good_slave_retries_sooner(self):
        # the leader touched no server: it may retry after one election timeout instead of
        # 2 × failover-timeout (20 s here)
        g = Group(self, None, priorities=(0, 0))
        for st in g.sentinels:
            assert st_cmd(st, "SENTINEL", "DEBUG", "election-timeout", 1500) == "OK"
        g.primary.proc.kill()
        g.primary.proc.wait(timeout=10)
        assert wait_until(lambda: len(g.all_events("-failover-abort-no-good-slave")) >= 2, 12,
                          0.1), g.all_events("-failover-abort-no-good-slave")
        assert not g.all_events("+switch-master") and not g.all_events("+selected-slave")
        for s in g.replicas:
            assert replication(s.port).get("role") == "slave"

    def check_simulated_crashes(self):
        g = Group(self, None, priorities=(100,))
        st0, st1 = g.sentinels[0], g.sentinels[1]
        assert st_cmd(st0, "SENTINEL", "SIMULATE-FAILURE", "crash-after-election") == "OK"
        assert st_cmd(st0, "SENTINEL", "FAILOVER", NAME) == "OK"
        assert st0.proc.wait(timeout=10) == 99
        assert events(st0, "+elected-leader") and not events(st0, "+selected-slave")
        assert replication(g.replicas[0].port).get("role") == "slave"
        assert st_cmd(st1, "SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion") == "OK"
        assert st_cmd(st1, "SENTINEL", "FAILOVER", NAME) == "OK"
        assert st1.proc.wait(timeout=10) == 99
        assert events(st1, "+promoted-slave") and not events(st1, "+failover-state-reconf-slaves")
        assert replication(g.replicas[0].port).get("role") == "master"


def st_cmd(st, *args):
    return r(st.port).execute_command(*args)


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


if __name__ == "__main__":
    sys.exit(run_checks_stopping(Checks()))
