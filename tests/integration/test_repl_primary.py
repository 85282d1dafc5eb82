#!/usr/bin/python3
"""A primary's side of replication: vigil-server as the primary, Debian's redis-server 7.0 as
its replica (what operators migrating do). Full sync on disk and diskless of a dataset of every
type with TTLs followed by a live write load (the replica's data and offset equal vigil's),
partial resync after CLIENT KILL TYPE replica (no fork), full resync when the backlog was
overrun, INFO's slave line and ROLE, WAIT, min-replicas-to-write."""
import os
import signal
import sys
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import Server, dataset, run_checks_stopping, vigil_binary, wait_until  # noqa: E402

REDIS = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")


def fill(r, prefix, n=30):
    """Keys of every type in dbs 0 and 2, some with TTLs."""
    for db in (0, 2):
        p = r.connection_pool.connection_kwargs
        c = redis.Redis(host="127.0.0.1", port=p["port"], db=db)
        for i in range(n):
            c.set(f"{prefix}s{i}", f"v{i}" * (i % 5 + 1))
            c.set(f"{prefix}n{i}", i * 1000)
            c.rpush(f"{prefix}l{i % 5}", *[f"e{j}" for j in range(i % 7 + 1)])
            c.sadd(f"{prefix}set{i % 4}", i, f"m{i}")
            c.hset(f"{prefix}h{i % 3}", f"f{i}", "x" * (i + 1))
            c.zadd(f"{prefix}z{i % 3}", {f"m{i}": i * 1.5})
            if i % 4 == 0:
                c.expire(f"{prefix}s{i}", 1000 + i)
            if i % 6 == 0:
                c.pexpire(f"{prefix}h{i % 3}", 500000)
        c.set(f"{prefix}big", "B" * 300000)
        c.sadd(f"{prefix}intset", *range(50))
        c.close()


def load(r, prefix, n=200):
    """A write load mixing commands and dbs (SELECTs in the stream), MULTI and expiry."""
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        pipe.incr(f"{prefix}ctr")
        pipe.lpush(f"{prefix}ql", i)
        pipe.hincrby(f"{prefix}hh", f"f{i % 10}", 1)
        pipe.zincrby(f"{prefix}zz", 1.25, f"m{i % 7}")
        if i % 10 == 0:
            pipe.execute_command("SELECT", 2)
            pipe.set(f"{prefix}in2_{i}", i, ex=500)
            pipe.execute_command("SELECT", 0)
        if i % 25 == 0:
            pipe.delete(f"{prefix}s{i % 30}")
            pipe.set(f"{prefix}gone{i}", 1, px=1)
    pipe.execute()
    tx = r.pipeline(transaction=True)
    tx.set(f"{prefix}tx1", "a")
    tx.append(f"{prefix}tx1", "b")
    tx.execute()


def offset(port):
    return int(redis.Redis(host="127.0.0.1", port=port).info("replication")["master_repl_offset"])


class Checks:
    def __init__(self, binary):
        self.binary = binary
        self.procs = []

    def vigil(self, *extra):
        s = Server(self.binary, extra=extra)
        self.procs.append(s)
        return s

    def replica_of(self, v):
        s = Server(REDIS, extra=("--replicaof", "127.0.0.1", str(v.port)))
        self.procs.append(s)
        return s

    def stop_all(self, name=None):
        problems = []
        for s in self.procs:
            if s.proc and s.proc.poll() is None:
                s.proc.send_signal(signal.SIGCONT)  # a check may have left it stopped
            problems += s.stop()
        self.procs = []
        return "; ".join(problems) or None

    def wait_link(self, rep, timeout=20):
        rr = redis.Redis(host="127.0.0.1", port=rep.port)
        ok = wait_until(lambda: rr.info("replication").get("master_link_status") == "up",
                        timeout, 0.05)
        assert ok, rep.logs()

    def wait_synced(self, v, rep, timeout=15):
        """The replica has applied everything (offsets equal while vigil is idle)."""
        ok = wait_until(lambda: offset(v.port) == offset(rep.port), timeout, 0.05)
        assert ok, (offset(v.port), offset(rep.port))

    def sync_and_compare(self, diskless):
        v = self.vigil("--repl-diskless-sync", "yes" if diskless else "no",
                       "--repl-diskless-sync-delay", "0")
        r = redis.Redis(host="127.0.0.1", port=v.port)
        fill(r, "pre:")
        rep = self.replica_of(v)
        self.wait_link(rep)
        load(r, "live:")
        fill(r, "post:", 10)
        self.wait_synced(v, rep)
        a, b = dataset(v.port, range(4)), dataset(rep.port, range(4))
        assert len(a) > 200, len(a)
        assert a == b, sorted(set(a.items()) ^ set(b.items()))[:5]
        st = r.info("stats")
        assert st["sync_full"] == 1 and st["sync_partial_ok"] == 0, st
        assert st["total_forks"] == 1, st
        return v, rep, r

    def check_full_sync_disk(self):
        v, rep, r = self.sync_and_compare(diskless=False)
        assert "Starting BGSAVE for SYNC with target: disk" in v.logs()
        # INFO slave line and ROLE as Redis shapes them
        info = r.info("replication")
        assert info["connected_slaves"] == 1, info
        s0 = info["slave0"]
        assert s0["ip"] == "127.0.0.1" and s0["port"] == rep.port, s0
        assert s0["state"] == "online" and s0["lag"] in (0, 1, 2), s0
        assert info["repl_backlog_active"] == 1, info
        assert info["repl_backlog_first_byte_offset"] == \
            info["master_repl_offset"] - info["repl_backlog_histlen"] + 1, info
        # the ACKs catch up with the offset (REPLCONF ACK every second)
        ok = wait_until(lambda: r.info("replication")["slave0"]["offset"] ==
                        offset(v.port), 5, 0.1)
        assert ok, r.info("replication")
        role = r.execute_command("ROLE")
        assert role[0] == b"master" and role[1] == offset(v.port), role
        assert role[2] == [[b"127.0.0.1", str(rep.port).encode(), str(role[1]).encode()]], role
        # WAIT: a write acknowledged by the one replica
        r.set("w", 1)
        assert r.execute_command("WAIT", 1, 2000) == 1
        assert r.execute_command("WAIT", 0, 0) == 1
        # CLIENT LIST type=replica and the S flag
        lst = r.execute_command("CLIENT", "LIST", "TYPE", "replica")
        lst = lst.decode() if isinstance(lst, bytes) else lst
        assert lst.count("\n") == 1 and " flags=S " in lst, lst

    def check_full_sync_diskless_then_partial(self):
        v, rep, r = self.sync_and_compare(diskless=True)
        assert "Starting BGSAVE for SYNC with target: replicas sockets" in v.logs()
        replid = r.info("replication")["master_replid"]
        # CLIENT KILL TYPE replica: the replica comes back with PSYNC and continues
        assert r.execute_command("CLIENT", "KILL", "TYPE", "replica") == 1
        ok = wait_until(lambda: r.info("stats")["sync_partial_ok"] == 1, 15, 0.05)
        assert ok, (r.info("stats"), rep.logs())
        self.wait_link(rep)
        load(r, "after:", 100)
        self.wait_synced(v, rep)
        st = r.info("stats")
        assert st["sync_full"] == 1 and st["total_forks"] == 1, st
        assert r.info("replication")["master_replid"] == replid
        assert dataset(v.port, range(4)) == dataset(rep.port, range(4))

    def check_backlog_overrun_full_resync(self):
        v = self.vigil("--repl-diskless-sync", "no", "--repl-backlog-size", "16384")
        r = redis.Redis(host="127.0.0.1", port=v.port)
        fill(r, "a:", 10)
        rep = self.replica_of(v)
        self.wait_link(rep)
        self.wait_synced(v, rep)
        # the replica leaves (promoted), 40 KB are written, it comes back asking PSYNC from
        # where it left: out of a 16 KB backlog, so a full resync
        rr = redis.Redis(host="127.0.0.1", port=rep.port)
        rr.execute_command("REPLICAOF", "NO", "ONE")
        assert wait_until(lambda: r.info("replication")["connected_slaves"] == 0, 5, 0.05)
        for i in range(400):
            r.set(f"over{i}", "y" * 100)
        info = r.info("replication")
        assert info["repl_backlog_histlen"] == 16384, info
        assert info["repl_backlog_first_byte_offset"] == \
            info["master_repl_offset"] - 16384 + 1, info
        rr.execute_command("REPLICAOF", "127.0.0.1", v.port)
        ok = wait_until(lambda: r.info("stats")["sync_full"] == 2, 15, 0.05)
        assert ok, (r.info("stats"), rep.logs())
        self.wait_link(rep)
        self.wait_synced(v, rep)
        st = r.info("stats")
        assert st["sync_partial_ok"] == 0 and st["sync_partial_err"] == 1, st
        assert dataset(v.port, range(4)) == dataset(rep.port, range(4))

    def check_wait_and_min_replicas(self):
        v = self.vigil("--repl-diskless-sync-delay", "0")
        r = redis.Redis(host="127.0.0.1", port=v.port)
        rep = self.replica_of(v)
        self.wait_link(rep)
        r.set("k", 1)
        assert r.execute_command("WAIT", 1, 3000) == 1
        # inside MULTI WAIT answers at once
        tx = r.pipeline(transaction=True)
        tx.set("k", 2)
        tx.execute_command("WAIT", 5, 0)
        assert tx.execute()[1] in (0, 1)
        r.config_set("min-replicas-to-write", 1)
        r.config_set("min-replicas-max-lag", 2)
        assert r.info("replication")["min_slaves_good_slaves"] == 1
        os.kill(rep.proc.pid, signal.SIGSTOP)
        try:
            r.execute_command("SELECT", 0)
            t0 = time.monotonic()
            assert r.execute_command("WAIT", 1, 300) == 0
            assert time.monotonic() - t0 >= 0.25
            def refused():
                try:
                    r.set("probe", 3)
                    return False
                except redis.ResponseError as e:
                    assert str(e) == "NOREPLICAS Not enough good replicas to write.", e
                    return True
            assert wait_until(refused, 6, 0.2)
            assert r.info("replication")["min_slaves_good_slaves"] == 0
            assert r.get("k") == b"2"  # reads still work
        finally:
            os.kill(rep.proc.pid, signal.SIGCONT)
        def accepted():
            try:
                return r.set("k", 4)
            except redis.ResponseError:
                return False
        assert wait_until(accepted, 6, 0.1)
        self.wait_synced(v, rep)
        assert redis.Redis(host="127.0.0.1", port=rep.port).get("k") == b"4"

    def check_output_limit_and_backlog_ttl(self):
        v = self.vigil("--repl-diskless-sync-delay", "0", "--repl-backlog-ttl", "1")
        r = redis.Redis(host="127.0.0.1", port=v.port)
        rep = self.replica_of(v)
        self.wait_link(rep)
        r.config_set("client-output-buffer-limit", "replica 1048576 0 0")
        os.kill(rep.proc.pid, signal.SIGSTOP)
        try:
            pipe = r.pipeline(transaction=False)
            for i in range(40):
                pipe.set(f"big{i}", "z" * 500000)
            pipe.execute()
            ok = wait_until(lambda: r.info("stats")["client_output_buffer_limit_disconnections"]
                            == 1, 5, 0.05)
            assert ok, r.info("stats")
            assert r.info("replication")["connected_slaves"] == 0
        finally:
            os.kill(rep.proc.pid, signal.SIGCONT)
        r.config_set("client-output-buffer-limit", "replica 0 0 0")
        # it comes back (the 1 MB backlog lost its place: a full resync) and catches up
        ok = wait_until(lambda: r.info("stats")["sync_full"] == 2, 15, 0.05)
        assert ok, (r.info("stats"), rep.logs())
        self.wait_link(rep)
        self.wait_synced(v, rep)
        assert dataset(v.port, range(4)) == dataset(rep.port, range(4))
        # without replicas the backlog goes after repl-backlog-ttl, with a new replid
        replid = r.info("replication")["master_replid"]
        redis.Redis(host="127.0.0.1", port=rep.port).execute_command("REPLICAOF", "NO", "ONE")
        ok = wait_until(lambda: r.info("replication")["repl_backlog_active"] == 0, 5, 0.05)
        assert ok, r.info("replication")
        info = r.info("replication")
        assert info["master_replid"] != replid and info["repl_backlog_histlen"] == 0, info

    def check_replconf_errors(self):
        v = self.vigil()
        r = redis.Redis(host="127.0.0.1", port=v.port)
        assert r.execute_command("REPLCONF", "listening-port", 1234) == b"OK"
        assert r.execute_command("REPLCONF", "capa", "eof", "capa", "psync2") == b"OK"
        for args, msg in ((("listening-port",), "syntax error"),
                          (("foo", "bar"), "Unrecognized REPLCONF option: foo"),
                          (("listening-port", "x"),
                           "value is not an integer or out of range"),
                          (("rdb-only", "3"),
                           "value is out of range, value must between 0 and 1"),
                          (("ip-address", "a" * 300), "REPLCONF ip-address provided by "
                           "replica instance is too long: 300 bytes")):
            try:
                r.execute_command("REPLCONF", *args)
                raise AssertionError(args)
            except redis.ResponseError as e:
                assert str(e) == msg, (args, e)
        info = r.info("replication")
        assert info["connected_slaves"] == 0 and info["repl_backlog_active"] == 0, info
        assert r.execute_command("WAIT", 0, 0) == 0
        assert r.execute_command("ROLE") == [b"master", 0, []]


def main():
    return run_checks_stopping(Checks(vigil_binary()))


if __name__ == "__main__":
    sys.exit(main())
