#!/usr/bin/python3
"""test_repl_replica.py - vigil-server as a replica of Debian's redis-server (the primary).

  full_sync     a dataset of every type with TTLs, in two dbs, fully synced; then a live load
                of every type (MULTI/EXEC blocks, expiries, deletes): vigil equals the primary
                key by key, and when idle its master_repl_offset equals the primary's
  shapes        INFO # Replication fields (names, order) and ROLE beside a redis-server
                replica of the same primary; REPLICAOF's replies and errors
  readonly      writes to vigil get -READONLY
  partial       CLIENT KILL TYPE replica on the primary: vigil reconnects with a partial
                resync (the primary's sync_partial_ok grows), data still equal
  expiry        a key whose TTL passed while the primary is stopped (SIGSTOP) reads as nil
                but stays (DBSIZE, TTL -2 but EXISTS 0, still counted); the primary's DEL
                removes it once it runs again
  restart       SHUTDOWN saves an RDB with repl-id/repl-offset; vigil restarted from it
                continues with a partial resync
  timeout       repl-timeout drops a silent primary; the link comes back with PSYNC
  masterauth    AUTH in the handshake (and no link without it)
  stale         replica-serve-stale-data no + the primary stopped: -MASTERDOWN
  diskless_aof  a diskless primary ($EOF:<mark> payload), vigil with appendonly yes: the AOF
                is rewritten after the sync (a restart from it alone has the dataset)
  promote       REPLICAOF NO ONE: role master, master_replid2 = the primary's replid,
                writes accepted
  demote        REPLICAOF back: a client blocked in BLPOP gets -UNBLOCKED and is closed; full
                resync, vigil equals the primary again

Run: VIGIL_SERVER=build/bin/vigil-server [REDIS_SERVER=/usr/bin/redis-server] \
     /usr/bin/python3 tests/integration/test_repl_replica.py [check names...]
"""
import os
import signal
import sys
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402
    Server, call, connect, dataset, run_checks, vigil_binary, wait_until)

REDIS = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")


def r(port):
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=10, decode_responses=False)


def load_dataset(c, prefix, n):
    for db in (0, 1):
        p = c.pipeline(transaction=False)
        p.select(db)
        for i in range(n):
            p.set(f"{prefix}s{i}", f"v{i}" * (i % 5 + 1))
            p.set(f"{prefix}n{i}", i)
            p.rpush(f"{prefix}l{i % 20}", *[f"e{j}" for j in range(i % 7 + 1)])
            p.sadd(f"{prefix}set{i % 20}", i, f"m{i}")
            p.zadd(f"{prefix}z{i % 20}", {f"m{i}": i * 1.5})
            p.hset(f"{prefix}h{i % 20}", f"f{i}", f"x{i}")
            if i % 10 == 0:
                p.expire(f"{prefix}s{i}", 1000)
                p.pexpire(f"{prefix}l{i % 20}", 500000)
        p.execute()
        p.reset()
    c.select(0) if hasattr(c, "select") else None


def raw_info(port):
    s = connect(port)
    try:
        return call(s, "INFO", "replication").decode()
    finally:
        s.close()


def offsets_equal(pport, vport):
    def same():
        a = r(pport).info("replication")["master_repl_offset"]
        b = r(vport).info("replication")["master_repl_offset"]
        return a == b
    return wait_until(same, 10, 0.05)


def wait_link(vport, up=True, timeout=15):
    def ok():
        try:
            return (r(vport).info("replication").get("master_link_status") == "up") == up
        except redis.exceptions.ResponseError:  # -LOADING while the payload loads
            return False
    return wait_until(ok, timeout, 0.05)


class Checks:
    def __init__(self):
        self.primary = Server(REDIS, ("--repl-diskless-sync", "no", "--enable-debug-command",
                                      "yes"))
        try:
            self.vigil = Server(vigil_binary(), ("--replicaof", "127.0.0.1",
                                                 str(self.primary.port), "--save", "3600 1"))
        except Exception:
            self.primary.stop()
            raise
        self.pc = r(self.primary.port)
        load_dataset(self.pc, "a:", 200)

    def close(self):
        problems = []
        for s in (self.vigil, self.primary):
            if s:
                try:
                    os.kill(s.proc.pid, signal.SIGCONT)
                except OSError:
                    pass
                problems += s.stop()
        return problems

    def check_full_sync(self):
        pp, vp = self.primary.port, self.vigil.port
        assert wait_link(vp), r(vp).info("replication")
        assert offsets_equal(pp, vp)
        assert dataset(vp, (0, 1)) == dataset(pp, (0, 1))
        # a live load of every type, MULTI blocks included
        p = self.pc.pipeline(transaction=True)
        for i in range(50):
            p.incr("live:ctr")
            p.lpush("live:list", i)
            p.sadd("live:set", i)
            p.zincrby("live:zset", 1, f"m{i % 7}")
            p.hincrby("live:hash", f"f{i % 5}", 1)
        p.execute()
        c1 = redis.Redis(host="127.0.0.1", port=pp, db=1)
        for i in range(300):
            self.pc.set(f"live:s{i}", i, ex=100 if i % 3 else None)
            c1.append("live:app", "x")
            if i % 7 == 0:
                self.pc.delete(f"a:s{i}")
                self.pc.spop("a:set3")
                self.pc.lpop("a:l4")
            if i % 50 == 0:
                self.pc.set("live:px", 1, px=50)  # expires on the primary: its DEL comes
        time.sleep(0.2)
        self.pc.get("live:px")
        assert offsets_equal(pp, vp), (r(pp).info("replication")["master_repl_offset"],
                                       r(vp).info("replication")["master_repl_offset"])
        assert dataset(vp, (0, 1)) == dataset(pp, (0, 1))
        rv = r(vp)
        assert rv.dbsize() == self.pc.dbsize()
        assert rv.lrange("live:list", 0, 2) == [b"49", b"48", b"47"]

    def check_shapes(self):
        pp, vp = self.primary.port, self.vigil.port
        other = Server(REDIS, ("--replicaof", "127.0.0.1", str(pp)))
        try:
            assert wait_link(other.port)
            assert offsets_equal(pp, vp)
            ri, vi = raw_info(other.port), raw_info(vp)
            rkeys = [ln.split(":")[0] for ln in ri.split("\r\n") if ":" in ln]
            vkeys = [ln.split(":")[0] for ln in vi.split("\r\n") if ":" in ln]
            assert rkeys == vkeys, (rkeys, vkeys)
            rd = r(other.port).info("replication")
            vd = r(vp).info("replication")
            for k in ("role", "master_host", "master_port", "master_link_status",
                      "master_sync_in_progress", "slave_priority", "slave_read_only",
                      "replica_announced", "master_replid", "connected_slaves"):
                assert rd[k] == vd[k], (k, rd[k], vd[k])
            assert vd["slave_repl_offset"] == vd["master_repl_offset"]
            rr = r(other.port).execute_command("ROLE")
            vr = r(vp).execute_command("ROLE")
            assert [type(x) for x in rr] == [type(x) for x in vr], (rr, vr)
            assert vr[:4] == [b"slave", b"127.0.0.1", pp, b"connected"], vr
            assert vr[4] == vd["master_repl_offset"], (vr, vd)
            # replies of REPLICAOF, same as Redis's
            for port in (other.port, vp):
                c = r(port)
                assert c.execute_command("REPLICAOF", "127.0.0.1", str(pp)) == \
                    b"OK Already connected to specified master"
                for bad in ("x", "-1", "65536"):
                    try:
                        c.execute_command("REPLICAOF", "127.0.0.1", bad)
                        raise AssertionError("accepted port " + bad)
                    except redis.exceptions.ResponseError as e:
                        assert str(e) == "Invalid master port", e
        finally:
            other.stop()

    def check_readonly(self):
        try:
            r(self.vigil.port).set("w", 1)
            raise AssertionError("write accepted")
        except redis.exceptions.ReadOnlyError as e:
            assert "You can't write against a read only replica" in str(e)

    def check_partial(self):
        pp, vp = self.primary.port, self.vigil.port
        before = self.pc.info("stats")["sync_partial_ok"]
        full_before = self.pc.info("stats")["sync_full"]
        self.pc.execute_command("CLIENT", "KILL", "TYPE", "replica")
        for i in range(100):
            self.pc.set(f"pk{i}", i)  # some written while the link is down
        assert wait_until(lambda: self.pc.info("stats")["sync_partial_ok"] > before, 10, 0.05)
        assert self.pc.info("stats")["sync_full"] == full_before
        assert wait_link(vp)
        assert offsets_equal(pp, vp)
        assert dataset(vp, (0, 1)) == dataset(pp, (0, 1))

    def check_expiry(self):
        pp, vp = self.primary.port, self.vigil.port
        self.pc.set("ttl:k", "v", px=300)
        assert offsets_equal(pp, vp)
        rv = r(vp)
        assert rv.get("ttl:k") == b"v"
        n = rv.dbsize()
        os.kill(self.primary.proc.pid, signal.SIGSTOP)
        try:
            time.sleep(0.6)
            assert rv.get("ttl:k") is None
            assert rv.exists("ttl:k") == 0
            assert rv.dbsize() == n  # still there, only hidden
            time.sleep(0.3)
            assert rv.dbsize() == n  # and no active expiry on a replica
        finally:
            os.kill(self.primary.proc.pid, signal.SIGCONT)
        # the primary's active expiry sends the DEL
        assert wait_until(lambda: r(vp).dbsize() == n - 1, 10, 0.05), (r(vp).dbsize(), n)
        assert offsets_equal(pp, vp)

    def check_restart(self):
        pp = self.primary.port
        before = self.pc.info("stats")["sync_partial_ok"]
        full_before = self.pc.info("stats")["sync_full"]
        vdir = self.vigil.dir
        rv = r(self.vigil.port)
        replid = rv.info("replication")["master_replid"]
        try:
            rv.shutdown()
        except redis.exceptions.ConnectionError:
            pass
        self.vigil.proc.wait(timeout=10)
        port = self.vigil.port
        self.vigil.out.close()
        self.vigil.err.close()
        for i in range(50):
            self.pc.set(f"rk{i}", i)
        # the same dir: the RDB written at shutdown has the repl aux fields
        self.vigil = Server.__new__(Server)
        restart_in(self.vigil, vigil_binary(), vdir, port, pp)
        assert wait_until(lambda: self.pc.info("stats")["sync_partial_ok"] > before, 10, 0.05)
        assert self.pc.info("stats")["sync_full"] == full_before
        assert wait_link(self.vigil.port)
        assert r(self.vigil.port).info("replication")["master_replid"] == replid
        assert offsets_equal(pp, self.vigil.port)
        assert dataset(self.vigil.port, (0, 1)) == dataset(pp, (0, 1))

    def check_timeout(self):
        """repl-timeout: a silent primary (SIGSTOP) is dropped, then PSYNC continues."""
        vp, pp = self.vigil.port, self.primary.port
        rv = r(vp)
        rv.config_set("repl-timeout", 1)
        before = self.pc.info("stats")["sync_partial_ok"]
        os.kill(self.primary.proc.pid, signal.SIGSTOP)
        try:
            assert wait_link(vp, up=False, timeout=5)
        finally:
            os.kill(self.primary.proc.pid, signal.SIGCONT)
        rv.config_set("repl-timeout", 60)
        assert wait_until(lambda: self.pc.info("stats")["sync_partial_ok"] > before, 10, 0.05)
        assert wait_link(vp)
        assert offsets_equal(pp, vp)

    def check_masterauth(self):
        """AUTH masterauth in the handshake; without it the primary refuses the PSYNC."""
        prim = Server(REDIS, ("--requirepass", "s3cret", "--repl-diskless-sync-delay", "0"))
        good = bad = None
        try:
            pc = redis.Redis(host="127.0.0.1", port=prim.port, password="s3cret")
            pc.set("auth:k", "v")
            good = Server(vigil_binary(), ("--replicaof", "127.0.0.1", str(prim.port),
                                           "--masterauth", "s3cret"))
            bad = Server(vigil_binary(), ("--replicaof", "127.0.0.1", str(prim.port)))
            assert wait_link(good.port)
            assert r(good.port).get("auth:k") == b"v"
            time.sleep(0.5)
            assert r(bad.port).info("replication")["master_link_status"] == "down"
            assert r(bad.port).get("auth:k") is None
        finally:
            for s_ in (good, bad, prim):
                if s_:
                    s_.stop()

    def check_stale(self):
        vp = self.vigil.port
        rv = r(vp)
        rv.config_set("replica-serve-stale-data", "no")
        os.kill(self.primary.proc.pid, signal.SIGSTOP)
        try:
            rv.execute_command("CLIENT", "KILL", "TYPE", "master")
            assert wait_link(vp, up=False)
            try:
                rv.get("a:s1")
                raise AssertionError("served stale data")
            except redis.exceptions.ResponseError as e:
                assert str(e).startswith("MASTERDOWN Link with MASTER is down"), e
            info = rv.info("replication")
            assert info["master_link_status"] == "down"
            assert "master_link_down_since_seconds" in info
        finally:
            os.kill(self.primary.proc.pid, signal.SIGCONT)
        assert wait_link(vp)
        assert r(vp).get("a:s1") == self.pc.get("a:s1")
        rv.config_set("replica-serve-stale-data", "yes")

    def check_diskless_aof(self):
        """A diskless primary ($EOF:<mark> payload) and a replica with appendonly yes: after
        the sync the AOF is rewritten, so vigil restarted from it alone has the dataset."""
        prim = Server(REDIS, ("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"))
        rep = again = None
        try:
            pc = r(prim.port)
            load_dataset(pc, "d:", 100)
            rep = Server(vigil_binary(), ("--replicaof", "127.0.0.1", str(prim.port),
                                          "--appendonly", "yes"))
            assert wait_link(rep.port)
            pc.set("d:after", "x")
            assert offsets_equal(prim.port, rep.port)
            want = dataset(prim.port, (0, 1))
            assert dataset(rep.port, (0, 1)) == want
            rc = r(rep.port)
            assert wait_until(lambda: rc.info("persistence")["aof_rewrites"] >= 1 and
                              rc.info("persistence")["aof_rewrite_in_progress"] == 0 and
                              rc.info("persistence")["aof_rewrite_scheduled"] == 0, 10, 0.05)
            rep.proc.send_signal(signal.SIGTERM)  # stop() would remove the dir
            assert rep.proc.wait(timeout=10) == 0
            rep.out.close()
            rep.err.close()
            d = rep.dir
            rep = None
            again = Server.__new__(Server)
            start_plain(again, vigil_binary(), d, ("--appendonly", "yes"))
            assert dataset(again.port, (0, 1)) == want
        finally:
            for s_ in (again, rep, prim):
                if s_:
                    s_.stop()

    def check_promote(self):
        vp = self.vigil.port
        rv = r(vp)
        prim_id = self.pc.info("replication")["master_replid"]
        off = rv.info("replication")["master_repl_offset"]
        assert rv.execute_command("REPLICAOF", "NO", "ONE") == b"OK"
        info = rv.info("replication")
        assert info["role"] == "master"
        assert info["master_replid2"] == prim_id
        assert info["second_repl_offset"] == off + 1
        assert info["master_replid"] != prim_id
        rv.set("after:promote", 1)
        assert rv.get("after:promote") == b"1"
        assert rv.execute_command("ROLE")[0] == b"master"
        assert rv.execute_command("REPLICAOF", "NO", "ONE") == b"OK"

    def check_demote(self):
        """The promoted vigil made a replica again: a client blocked in BLPOP is told and
        closed (Redis 7.0's disconnectAllBlockedClients), then it resyncs with the primary
        (its own writes since the promotion are gone)."""
        vp, pp = self.vigil.port, self.primary.port
        s = connect(vp)
        try:
            s.sendall(b"*3\r\n$5\r\nBLPOP\r\n$2\r\nbq\r\n$1\r\n0\r\n")
            assert wait_until(lambda: r(vp).info("clients")["blocked_clients"] == 1, 5)
            assert r(vp).execute_command("REPLICAOF", "127.0.0.1", str(pp)) == b"OK"
            got = b""
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                chunk = s.recv(4096)
                if not chunk:
                    break  # closed after the reply, as Redis does
                got += chunk
            assert got == (b"-UNBLOCKED force unblock from blocking operation, instance state "
                           b"changed (master -> replica?)\r\n"), got
        finally:
            s.close()
        assert wait_link(vp)
        assert offsets_equal(pp, vp)
        assert r(vp).get("after:promote") is None
        assert dataset(vp, (0, 1)) == dataset(pp, (0, 1))


def start_plain(srv, binary, d, extra):
    """vigil in an existing dir d (its files kept), on a new port, as a primary."""
    import subprocess
    from itlib import answers_ping, die_with_parent, free_port
    srv.proc = None
    srv.binary = binary
    srv.dir = d
    srv.port = free_port()
    conf = os.path.join(d, "vigil.ini")
    srv.out = open(os.path.join(d, "stdout.log"), "ab")
    srv.err = open(os.path.join(d, "stderr.log"), "ab")
    srv.proc = subprocess.Popen([binary, conf, "--port", str(srv.port), *extra],
                                stdin=subprocess.DEVNULL, stdout=srv.out, stderr=srv.err,
                                preexec_fn=die_with_parent)
    ok = wait_until(lambda: srv.proc.poll() is not None or answers_ping(srv.port), 15)
    if not ok or srv.proc.poll() is not None:
        raise RuntimeError("vigil did not start:\n" + srv.logs())


def restart_in(srv, binary, d, port, pport):
    """Start vigil again in dir d on the same port (Server's __init__ makes a new dir)."""
    import subprocess
    from itlib import answers_ping, die_with_parent
    srv.binary = binary
    srv.dir = d
    srv.port = port
    conf = os.path.join(d, "vigil.ini")
    srv.out = open(os.path.join(d, "stdout.log"), "ab")
    srv.err = open(os.path.join(d, "stderr.log"), "ab")
    srv.proc = subprocess.Popen([binary, conf, "--replicaof", "127.0.0.1", str(pport),
                                 "--save", "3600 1"],
                                stdin=subprocess.DEVNULL, stdout=srv.out, stderr=srv.err,
                                preexec_fn=die_with_parent)
    ok = wait_until(lambda: srv.proc.poll() is not None or answers_ping(port), 15)
    if not ok or srv.proc.poll() is not None:
        raise RuntimeError("vigil did not restart:\n" + srv.logs())


def main():
    only = sys.argv[1:]
    checks = Checks()
    failures = []
    try:
        failures = run_checks(checks, only)
    finally:
        failures += checks.close()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
