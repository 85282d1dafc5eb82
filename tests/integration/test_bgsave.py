#!/usr/bin/python3
"""test_bgsave.py - BGSAVE, SAVE, save points, FLUSHALL and shutdown saves (server/bgsave.c,
server/childproc.c, server/persist.c), through the wire and the files written.

  while_writing   a BGSAVE slowed by rdb-key-save-delay: INFO shows it in progress with its
                  key counts, a second BGSAVE / BGSAVE SCHEDULE / SAVE are refused, the parent
                  keeps answering and accepting writes; afterwards the status is ok, the
                  copy-on-write size is > 0, dirty counts only the writes made during the
                  save, and the file (redis-check-rdb, then loaded by redis-server) holds
                  the dataset as it was at the fork (same DEBUG DIGEST)
  kill9_child     kill -9 of the child mid-save: the previous dump.rdb is byte-identical,
                  the status is err, the child's temp file is gone, writes still accepted
                  (no save points, so no MISCONF)
  save_points     CONFIG SET save "1 1" then one write: a background save starts by itself
  schedule        BGSAVE inside EXEC is scheduled, then run by the cron; syntax errors
  flushall        FLUSHALL stops a running BGSAVE (not an error) and, with save points,
                  writes an empty dump.rdb and leaves dirty at 0
  shutdown        SIGTERM with save points writes dump.rdb; SHUTDOWN NOSAVE does not;
                  SHUTDOWN SAVE does without save points; a final save that fails makes
                  SHUTDOWN reply an error and SIGTERM leave the server running, FORCE exits
  fork_stats      total_forks, latest_fork_usec and the "fork" LATENCY event

Run: VIGIL_SERVER=build/bin/vigil-server /usr/bin/python3 tests/integration/test_bgsave.py
(VIGIL_SERVER=/usr/bin/redis-server runs the same checks against the reference.)
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    Server, call, child_pids, cmd, connect, info, read_file, read_reply, run_checks_stopping,
    vigil_binary, wait_until)

REDIS = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
CHECK_RDB = "/usr/bin/redis-check-rdb"
OK = b"+OK\r\n"
BUSY = b"-ERR Background save already in progress\r\n"


def bulk(reply):
    assert reply.startswith(b"$"), reply
    return reply.split(b"\r\n", 1)[1][:-2]


def digest(s):
    reply = call(s, "DEBUG", "DIGEST")
    assert reply.startswith(b"+"), reply
    return reply[1:-2]


def wait_save_done(s, timeout_s=60):
    assert wait_until(lambda: info(s)["rdb_bgsave_in_progress"] == "0", timeout_s, 0.05), \
        "the background save did not end in %d s" % timeout_s


def pipeline(s, reqs, expect=OK):
    s.sendall(b"".join(cmd(*r) for r in reqs))
    for r in reqs:
        got = read_reply(s)
        assert got == expect, (r[:2], got)


def redis_view(rdb_path):
    """(DBSIZE, DEBUG DIGEST) of the file as redis-server loads it."""
    d = tempfile.mkdtemp(prefix="vigil-it-load-")
    try:
        shutil.copy(rdb_path, os.path.join(d, "dump.rdb"))
        srv = Server(REDIS, ("--dir", d, "--dbfilename", "dump.rdb",
                             "--enable-debug-command", "yes"))
        try:
            s = connect(srv.port)
            size = call(s, "DBSIZE")
            dig = digest(s)
            s.close()
            return int(size[1:-2]), dig
        finally:
            srv.stop()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def check_rdb_ok(path):
    r = subprocess.run([CHECK_RDB, path], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stdout[-2000:]


class Checks:
    def __init__(self, binary):
        self.binary = binary
        self.servers = []

    def server(self, save=None):
        srv = Server(self.binary, ("--enable-debug-command", "yes"))
        self.servers.append(srv)
        if save is not None:
            # CONFIG SET rather than --save "a b": vigil's command line takes a multi-value
            # option as separate words only
            s = connect(srv.port)
            assert call(s, "CONFIG", "SET", "save", save) == OK
            s.close()
        return srv

    def stop_all(self, name=None):
        problems = []
        for srv in self.servers:
            problems += srv.stop()
        self.servers = []
        return "; ".join(problems) if problems else None

    # ------------------------------------------------------------------------------------

    def check_while_writing(self):
        srv = self.server()
        s, w = connect(srv.port), connect(srv.port)
        n = 20000
        assert call(s, "DEBUG", "POPULATE", n, "key", 400) == OK
        before = digest(s)
        dirty0 = int(info(s)["rdb_changes_since_last_save"])
        assert call(s, "CONFIG", "SET", "rdb-key-save-delay", 100) == OK
        assert call(s, "BGSAVE") == b"+Background saving started\r\n"
        t0 = time.monotonic()
        i = info(s)
        assert i["rdb_bgsave_in_progress"] == "1", i
        assert i["current_save_keys_total"] == str(n), i
        assert int(i["rdb_current_bgsave_time_sec"]) >= 0, i
        assert call(s, "BGSAVE") == BUSY
        assert call(s, "BGSAVE", "SCHEDULE") == BUSY
        assert call(s, "SAVE") == BUSY
        # rewrite every value while the child walks the dataset: the parent answers, the
        # child's pages get copied (copy-on-write)
        worst = 0.0
        writes = 0
        for base in range(0, n, 2000):
            t = time.monotonic()
            pipeline(w, [("SET", "key:%d" % k, "x" * 400) for k in range(base, base + 2000)])
            writes += 2000
            assert call(s, "PING") == b"+PONG\r\n"
            worst = max(worst, time.monotonic() - t)
        assert worst < 2.0, f"a batch of writes took {worst:.2f} s during the save"
        i = info(s)
        assert i["rdb_bgsave_in_progress"] == "1", "the save ended before the writes: too fast"
        assert float(i["current_fork_perc"]) < 100.0, i
        assert int(i["current_save_keys_processed"]) <= n, i
        wait_save_done(s)
        took = time.monotonic() - t0
        i = info(s)
        assert i["rdb_last_bgsave_status"] == "ok", i
        assert i["rdb_saves"] == "1", i
        assert int(i["rdb_last_cow_size"]) > 1 << 20, i["rdb_last_cow_size"]
        assert i["rdb_changes_since_last_save"] == str(writes), (i, dirty0)
        assert 0 <= int(i["rdb_last_bgsave_time_sec"]) <= took + 1, i
        assert i["current_save_keys_total"] == "0" and i["current_cow_size"] == "0", i
        assert i["rdb_current_bgsave_time_sec"] == "-1", i
        assert abs(int(bulk(call(s, "INFO", "persistence")).split(b"rdb_last_save_time:")[1]
                       .split(b"\r\n")[0]) - time.time()) < 5
        path = os.path.join(srv.dir, "dump.rdb")
        check_rdb_ok(path)
        assert redis_view(path) == (n, before)
        assert not glob.glob(os.path.join(srv.dir, "temp-*.rdb"))
        s.close()
        w.close()

    def check_kill9_child(self):
        srv = self.server()
        s = connect(srv.port)
        path = os.path.join(srv.dir, "dump.rdb")
        assert call(s, "SET", "before", "1") == OK
        assert call(s, "SAVE") == OK
        old = read_file(path)
        assert call(s, "DEBUG", "POPULATE", 20000, "key", 100) == OK
        assert call(s, "CONFIG", "SET", "rdb-key-save-delay", 200) == OK
        assert call(s, "BGSAVE") == b"+Background saving started\r\n"
        kids = []
        assert wait_until(lambda: kids.extend(child_pids(srv.proc.pid)) or kids, 5)
        child = kids[0]
        # let it write part of its temp file first
        assert wait_until(lambda: glob.glob(os.path.join(srv.dir, "temp-*.rdb")), 5)
        time.sleep(0.3)
        os.kill(child, signal.SIGKILL)
        wait_save_done(s, 10)
        i = info(s)
        assert i["rdb_last_bgsave_status"] == "err", i
        assert read_file(path) == old, "the previous dump.rdb changed"
        assert not os.path.exists(os.path.join(srv.dir, f"temp-{child}.rdb"))
        # no save points: a failed BGSAVE does not stop writes
        assert call(s, "SET", "after", "1") == OK
        assert call(s, "PING") == b"+PONG\r\n"
        # a successful save sets the status back
        assert call(s, "CONFIG", "SET", "rdb-key-save-delay", 0) == OK
        assert call(s, "BGSAVE") == b"+Background saving started\r\n"
        wait_save_done(s)
        assert info(s)["rdb_last_bgsave_status"] == "ok"
        assert read_file(path) != old
        s.close()

    def check_save_points(self):
        srv = self.server()
        s = connect(srv.port)
        path = os.path.join(srv.dir, "dump.rdb")
        assert call(s, "SET", "a", "1") == OK
        time.sleep(1.2)
        assert not os.path.exists(path), "saved without save points"
        assert call(s, "CONFIG", "SET", "save", "1 1") == OK
        assert call(s, "SET", "b", "2") == OK
        assert wait_until(lambda: info(s)["rdb_changes_since_last_save"] == "0", 10, 0.05), \
            "no save point fired"
        wait_save_done(s)
        i = info(s)
        assert i["rdb_saves"] == "1" and i["rdb_last_bgsave_status"] == "ok", i
        assert redis_view(path)[0] == 2
        # not enough changes: "1 1000" does not fire after one write
        assert call(s, "CONFIG", "SET", "save", "1 1000") == OK
        assert call(s, "SET", "c", "3") == OK
        time.sleep(2.2)
        assert info(s)["rdb_saves"] == "1"
        with open(os.path.join(srv.dir, "stdout.log"), errors="replace") as f:
            assert "1 changes in 1 seconds. Saving..." in f.read()
        s.close()

    def check_schedule(self):
        srv = self.server()
        s = connect(srv.port)
        assert call(s, "BGSAVE", "now") == b"-ERR syntax error\r\n"
        assert call(s, "BGSAVE", "SCHEDULE", "x") == b"-ERR syntax error\r\n"
        assert call(s, "SET", "k", "v") == OK
        assert call(s, "MULTI") == OK
        assert call(s, "BGSAVE") == b"+QUEUED\r\n"
        assert call(s, "EXEC") == b"*1\r\n+Background saving scheduled\r\n"
        assert wait_until(lambda: info(s)["rdb_saves"] == "1", 10, 0.05)
        wait_save_done(s)
        assert info(s)["rdb_last_bgsave_status"] == "ok"
        assert os.path.exists(os.path.join(srv.dir, "dump.rdb"))
        # with no other child, SCHEDULE starts at once
        assert call(s, "BGSAVE", "SCHEDULE") == b"+Background saving started\r\n"
        wait_save_done(s)
        assert info(s)["rdb_saves"] == "2"
        s.close()

    def check_flushall(self):
        srv = self.server(save="3600 1")
        s = connect(srv.port)
        path = os.path.join(srv.dir, "dump.rdb")
        assert call(s, "DEBUG", "POPULATE", 20000, "key", 10) == OK
        assert call(s, "SET", "k", "v") == OK
        assert call(s, "CONFIG", "SET", "rdb-key-save-delay", 200) == OK
        assert call(s, "BGSAVE") == b"+Background saving started\r\n"
        assert info(s)["rdb_bgsave_in_progress"] == "1"
        assert call(s, "FLUSHALL") == OK
        wait_save_done(s, 5)  # Redis reaps the killed child from its cron
        i = info(s)
        assert i["rdb_last_bgsave_status"] == "ok", i  # our own kill is not an error
        assert i["rdb_changes_since_last_save"] == "0", i
        assert not glob.glob(os.path.join(srv.dir, "temp-*.rdb"))
        assert redis_view(path)[0] == 0
        # without save points: no file, dirty counts the removed keys
        os.unlink(path)
        assert call(s, "CONFIG", "SET", "save", "") == OK
        assert call(s, "MSET", "a", "1", "b", "2") == OK
        assert call(s, "FLUSHALL") == OK
        assert info(s)["rdb_changes_since_last_save"] == "4"
        assert not os.path.exists(path)
        s.close()

    def check_shutdown(self):
        # SIGTERM with save points: the final save
        srv = self.server(save="3600 1")
        s = connect(srv.port)
        assert call(s, "DEBUG", "POPULATE", 500, "key", 10) == OK
        before = digest(s)
        path = os.path.join(srv.dir, "dump.rdb")
        assert not os.path.exists(path)
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=20) == 0
        assert redis_view(path) == (500, before)
        s.close()

        # SHUTDOWN NOSAVE: nothing written
        srv = self.server(save="3600 1")
        s = connect(srv.port)
        assert call(s, "SET", "k", "v") == OK
        s.sendall(cmd("SHUTDOWN", "NOSAVE"))
        assert srv.proc.wait(timeout=20) == 0
        assert not os.path.exists(os.path.join(srv.dir, "dump.rdb"))
        s.close()

        # SHUTDOWN SAVE without save points: written
        srv = self.server()
        s = connect(srv.port)
        assert call(s, "SET", "k", "v") == OK
        s.sendall(cmd("SHUTDOWN", "SAVE"))
        assert srv.proc.wait(timeout=20) == 0
        assert redis_view(os.path.join(srv.dir, "dump.rdb"))[0] == 1
        s.close()

        # the final save fails (dump.rdb is a non-empty directory: the rename fails)
        srv = self.server(save="3600 1")
        s = connect(srv.port)
        os.makedirs(os.path.join(srv.dir, "dump.rdb", "x"))
        assert call(s, "SET", "k", "v") == OK
        assert call(s, "SHUTDOWN") == b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
        assert call(s, "PING") == b"+PONG\r\n"
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert srv.proc.poll() is None, "exited although the final save failed"
        assert call(s, "GET", "k") == b"$1\r\nv\r\n"
        s.sendall(cmd("SHUTDOWN", "FORCE"))
        assert srv.proc.wait(timeout=20) == 0
        assert not glob.glob(os.path.join(srv.dir, "temp-*.rdb"))
        s.close()

    def check_fork_stats(self):
        srv = self.server()
        s = connect(srv.port)
        assert info(s, "stats")["total_forks"] == "0"
        assert call(s, "DEBUG", "POPULATE", 1000000) == OK  # a fork of ~1.5 ms
        assert call(s, "CONFIG", "SET", "latency-monitor-threshold", 1) == OK
        assert call(s, "BGSAVE") == b"+Background saving started\r\n"
        wait_save_done(s)
        st = info(s, "stats")
        assert st["total_forks"] == "1", st
        usec = int(st["latest_fork_usec"])
        assert usec > 0, st
        latest = call(s, "LATENCY", "LATEST")
        # recorded exactly when the fork took at least the threshold (1 ms)
        assert (b"$4\r\nfork\r\n" in latest) == (usec >= 1000), (usec, latest)
        if usec >= 1000:
            hist = call(s, "LATENCY", "HISTORY", "fork")
            assert hist.startswith(b"*1\r\n"), hist
        assert call(s, "SAVE") == OK  # no fork
        assert info(s, "stats")["total_forks"] == "1"
        s.close()


def main():
    return run_checks_stopping(Checks(vigil_binary()))


if __name__ == "__main__":
    sys.exit(main())
