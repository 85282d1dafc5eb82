#!/usr/bin/env python3
"""Vigil replicating from Vigil: a primary A, a replica B of A and a replica C of B (chained).

- Under a write load of every type (pipelines, SELECT, MULTI/EXEC, TTLs, SPOP, INCRBYFLOAT,
  blocking pops served), B and C converge to A's dataset (DEBUG DIGEST equal on all three)
  and, once idle, to A's master_repl_offset: C receives B's stream byte for byte.
- Promotion (PSYNC2): B is promoted with REPLICAOF NO ONE and A is repointed at B: A
  continues with a partial resync (B's sync_partial_ok grows, no new fork on B), keeps
  B's history in master_replid2 terms, and all three converge again on writes made to B.
Env: VIGIL_SERVER.
"""
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    Server, call, cmd, connect, info, read_reply, run_checks_stopping, vigil_binary,
    wait_until)

COMMON = ("--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0")


def digest(s):
    raw = call(s, "DEBUG", "DIGEST")
    assert raw.startswith(b"+"), raw
    return raw[1:-2].decode()


def offset(s):
    return int(info(s, "replication")["master_repl_offset"])


def write_load(s, rng, n):
    """n rounds of writes of every type, pipelined; replies are read and must not be errors."""
    reqs = []
    for i in range(n):
        db = rng.randrange(3)
        k = rng.randrange(50)
        reqs += [("SELECT", db), ("SET", f"s{k}", f"v{i}"), ("INCR", f"n{k}"),
                 ("RPUSH", f"l{k}", i, i + 1), ("LPOP", f"l{k}"),
                 ("HSET", f"h{k}", f"f{i % 7}", i), ("SADD", f"set{k}", i % 11, f"m{i % 5}"),
                 ("SPOP", f"set{k}"), ("ZADD", f"z{k}", i % 13, f"m{i % 9}"),
                 ("ZINCRBY", f"z{k}", 1.5, f"m{i % 3}"), ("INCRBYFLOAT", f"f{k}", "0.1"),
                 ("SETEX", f"t{k}", 100, i), ("PEXPIRE", f"s{k}", 50000),
                 ("MULTI",), ("LPUSH", f"q{k}", i), ("HINCRBY", f"h{k}", "c", 1), ("EXEC",)]
        if i % 10 == 0:
            reqs.append(("DEL", f"h{rng.randrange(50)}"))
    s.sendall(b"".join(cmd(*r) for r in reqs))
    for r in reqs:
        reply = read_reply(s)
        assert not reply.startswith(b"-"), (r, reply)


def converged(socks):
    d = [digest(s) for s in socks]
    o = [offset(s) for s in socks]
    return len(set(d)) == 1 and len(set(o)) == 1


class Checks:
    def __init__(self, binary):
        self.binary = binary
        self.servers = []

    def start(self, *extra):
        srv = Server(self.binary, COMMON + extra)
        self.servers.append(srv)
        return srv

    def stop_all(self, name=None):
        problems = []
        for srv in self.servers:
            problems += srv.stop()
        self.servers = []
        return "; ".join(problems) or None

    def check_promotion_keeps_backlog(self):
        """A replica with no replicas of its own, promoted a while after it started: its
        backlog must survive the promotion (repl-backlog-ttl counts from the promotion, not
        from start-up), or the old primary repointed at it could only full-sync. A short
        ttl makes the difference show within the test."""
        a = self.start()
        b = self.start("--replicaof", "127.0.0.1", str(a.port), "--repl-backlog-ttl", "2")
        sa, sb = connect(a.port), connect(b.port)
        assert wait_until(lambda: info(sb, "replication").get("master_link_status") == "up",
                          20, 0.05), info(sb, "replication")
        write_load(sa, random.Random(9), 50)
        assert wait_until(lambda: converged([sa, sb]), 20, 0.1)
        time.sleep(2.5)  # the replica has now had "no replicas" for longer than the ttl
        old_id = info(sa, "replication")["master_replid"]
        assert call(sb, "REPLICAOF", "NO", "ONE") == b"+OK\r\n"
        time.sleep(0.3)  # a few crons
        rep = info(sb, "replication")
        assert rep["repl_backlog_active"] == "1" and rep["master_replid2"] == old_id, rep
        assert call(sa, "REPLICAOF", "127.0.0.1", str(b.port)) == b"+OK\r\n"
        assert wait_until(lambda: info(sb, "stats")["sync_partial_ok"] == "1", 20, 0.05), \
            info(sb, "stats")
        assert info(sb, "stats")["sync_full"] == "0", info(sb, "stats")
        sa.close()
        sb.close()

    def check_chain_and_promotion(self):
        a = self.start()
        b = self.start("--replicaof", "127.0.0.1", str(a.port))
        c = self.start("--replicaof", "127.0.0.1", str(b.port))
        sa, sb, sc = connect(a.port), connect(b.port), connect(c.port)
        for s in (sb, sc):
            assert wait_until(lambda s=s: info(s, "replication").get("master_link_status")
                              == "up", 20, 0.05), info(s, "replication")
        rng = random.Random(5)
        # a client blocked on A is served by a push: its pop reaches the replicas as LPOP
        blocked = connect(a.port)
        blocked.sendall(cmd("BLPOP", "wake", 10))
        assert wait_until(lambda: info(sa, "clients")["blocked_clients"] == "1", 5, 0.02)
        assert call(sa, "RPUSH", "wake", "x", "y") == b":2\r\n"
        assert read_reply(blocked) == b"*2\r\n$4\r\nwake\r\n$1\r\nx\r\n"
        blocked.close()
        # writes while the replicas follow
        done = []
        writer = threading.Thread(target=lambda: (write_load(connect(a.port), rng, 300),
                                                  done.append(1)))
        writer.start()
        writer.join(60)
        assert done, "the write load did not finish"
        assert wait_until(lambda: converged([sa, sb, sc]), 20, 0.1), (
            [digest(s) for s in (sa, sb, sc)], [offset(s) for s in (sa, sb, sc)])
        assert int(call(sa, "DBSIZE")[1:-2]) > 0
        assert info(sc, "replication")["role"] == "slave"
        assert info(sb, "replication")["connected_slaves"] == "1"

        # promote B; repoint A at it: partial resync (PSYNC2), no fork on B
        old_id = info(sa, "replication")["master_replid"]
        forks = int(info(sb, "stats")["total_forks"])
        partial = int(info(sb, "stats")["sync_partial_ok"])
        assert call(sb, "REPLICAOF", "NO", "ONE") == b"+OK\r\n"
        assert info(sb, "replication")["master_replid2"] == old_id
        assert call(sa, "REPLICAOF", "127.0.0.1", str(b.port)) == b"+OK\r\n"
        sa.close()
        sa = connect(a.port)  # a role change may close normal clients
        assert wait_until(lambda: info(sa, "replication").get("master_link_status") == "up",
                          20, 0.05), info(sa, "replication")
        assert wait_until(lambda: int(info(sb, "stats")["sync_partial_ok"]) >= partial + 2,
                          20, 0.05), info(sb, "stats")  # A, and C reconnecting after the shift
        assert int(info(sb, "stats")["total_forks"]) == forks, "promotion cost a fork"
        write_load(connect(b.port), rng, 100)
        assert wait_until(lambda: converged([sa, sb, sc]), 20, 0.1), (
            [digest(s) for s in (sa, sb, sc)], [offset(s) for s in (sa, sb, sc)])
        for s in (sa, sb, sc):
            s.close()


def main():
    return run_checks_stopping(Checks(vigil_binary()))

if __name__ == "__main__":
    sys.exit(main())
